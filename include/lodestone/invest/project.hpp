// Projects of interest: the plain record other modules read (portfolio optimiser, outlook), the
// shipped CSV format (data/projects/projects.csv + capital_stack.csv) and its validation. No
// database here: LoadProjectsCsv works on files alone.
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "lodestone/model/diagnostics.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::invest {

// The most downstream step the project performs.
enum class Stage { Mining, Refining, Separation, Magnets, Cathode, Anode, Recycling };
enum class DevelopmentStage { Announced, Feasibility, Financing, Construction, Commissioning, Operating };
enum class Status { Active, Paused, Cancelled };
enum class Instrument { Grant, Loan, Guarantee, Equity, Offtake };
enum class Funder { UsPublic, JapanPublic, OtherPublic, Private };

std::string_view Name(Stage s);
std::string_view Name(DevelopmentStage s);
std::string_view Name(Status s);
std::string_view Name(Instrument s);
std::string_view Name(Funder s);
std::optional<Stage> ParseStage(std::string_view text);
std::optional<DevelopmentStage> ParseDevelopmentStage(std::string_view text);
std::optional<Status> ParseStatus(std::string_view text);
std::optional<Instrument> ParseInstrument(std::string_view text);
std::optional<Funder> ParseFunder(std::string_view text);

// One line of a project's financing.
struct CapitalLine {
  Instrument instrument = Instrument::Loan;
  Funder funder = Funder::Private;
  model::Value amount_musd = model::Value::Missing(model::ValueStatus::NotAvailable);  // million 2025 USD
  std::string closing_date;                                                            // YYYY-MM-DD, YYYY-MM or empty
  std::string source;
  std::string note;
  bool operator==(const CapitalLine&) const = default;
};

// Terms a partner shares with the registry in confidence: visible only to that partner (and to
// the local user of the CLI, who holds the database). Other partners see that the project has
// confidential terms and who owns them, never the values (see Redact below and docs/server.md).
// They are not part of projects.csv: published rows carry no confidential terms.
struct ConfidentialTerms {
  std::string owner;  // consumer code of the owning partner (USA, JPN, ...), or empty: no terms
  // The owner's committed financing.
  model::Value committed_musd = model::Value::Missing(model::ValueStatus::NotAvailable);  // million 2025 USD
  std::string instrument;                                                                 // grant|loan|... or empty
  model::Value rate_pct = model::Value::Missing(model::ValueStatus::NotAvailable);        // % a year, 0..100
  model::Value tenor_years = model::Value::Missing(model::ValueStatus::NotAvailable);     // 0..100
  // Shares of output promised to buyers: "JPN:0.6;USA:0.2" (codes, shares in (0, 1], sum <= 1).
  std::string offtake;
  std::string notes;  // the partner's own notes
  // Set by Redact when the values were removed for a viewer who may not see them.
  bool withheld = false;
  bool operator==(const ConfidentialTerms&) const = default;
};

struct Project {
  std::string id;  // [a-z0-9_]+
  std::string name;
  std::string mineral;  // a Lodestone mineral id (data/reference/minerals.csv)
  Stage stage = Stage::Mining;
  std::string country;                                                                // ISO 3166-1 alpha-3
  model::Value capacity_t = model::Value::Missing(model::ValueStatus::NotAvailable);  // t/yr, mineral's content basis
  std::string capacity_basis;                                                         // the figure as published
  model::Value capex_musd = model::Value::Missing(model::ValueStatus::NotAvailable);
  model::Value opex_musd_per_year = model::Value::Missing(model::ValueStatus::NotAvailable);
  std::string first_output;  // YYYY or YYYY-MM; empty when not announced ("NA" in the CSV)
  DevelopmentStage development_stage = DevelopmentStage::Announced;
  Status status = Status::Active;
  std::vector<std::string> sponsors;
  model::Value esg_score = model::Value::Missing(model::ValueStatus::NotAvailable);  // 0..1
  std::string esg_notes;
  std::string source;
  std::string url;
  std::string assumptions;
  std::vector<CapitalLine> capital_stack;
  ConfidentialTerms confidential;

  bool operator==(const Project&) const = default;
};

// The codes a project is checked against: mineral ids and ISO3 country codes.
struct ReferenceCodes {
  std::set<std::string, std::less<>> minerals;
  std::set<std::string, std::less<>> countries;
  // Reads minerals.csv and countries.csv of a reference directory (WorkspacePaths::reference);
  // throws lodestone::Error.
  static ReferenceCodes Load(const std::filesystem::path& reference_dir);
};

// The columns of projects.csv, in order, and of capital_stack.csv.
const std::vector<std::string>& ProjectColumns();
const std::vector<std::string>& CapitalStackColumns();

// The fields of ConfidentialTerms as editable fields, in order: confidential_owner, then the
// confidential values (IsConfidentialValue).
const std::vector<std::string>& ConfidentialFields();
// True for the fields whose values only the owning partner sees (all of ConfidentialFields but
// confidential_owner, which everyone sees).
bool IsConfidentialValue(std::string_view field);

// Who looks at projects: the local user (the CLI; sees everything) or a partner's key (sees that
// partner's confidential terms only; an empty partner sees none).
struct Viewer {
  bool sees_all = false;
  std::string partner;
  static Viewer Local() { return {true, {}}; }
  static Viewer Partner(std::string code) { return {false, std::move(code)}; }
};
// Whether `viewer` may see the confidential values of a project owned by `owner`.
bool MaySeeConfidential(const Viewer& viewer, std::string_view owner);
// The project as `viewer` may see it: confidential values removed (missing, flagged withheld)
// unless the viewer may see them. Every front end shows projects through this.
Project Redact(Project project, const Viewer& viewer);
std::vector<Project> Redact(std::vector<Project> projects, const Viewer& viewer);
// The text a redacted value is replaced with in history rows and messages.
inline constexpr std::string_view kConfidentialText = "confidential";

// Field-level access by column name, shared by the CSV reader, `projects add` and `projects edit`
// so that every path validates the same way. The text is the field's CSV cell ("NA" for a
// missing figure, sponsors ";"-separated). "capital_stack" is a field too (read-only here: its
// text is one line per instrument; it changes through imports).
const std::vector<std::string>& EditableFields();
std::optional<std::string> GetField(const Project& p, std::string_view field);
// Sets a field from its cell text. Returns an error message ("expected ...") or nullopt.
std::optional<std::string> SetField(Project& p, std::string_view field, std::string_view text,
                                    const ReferenceCodes& codes);
// Confidential values given without an owner, or nullopt.
std::optional<std::string> ConfidentialProblem(const Project& p);
// Whole-record checks beyond single fields (required fields present). Messages, one per problem.
std::vector<std::string> CheckProject(const Project& p, const ReferenceCodes& codes);
std::string CapitalStackText(const std::vector<CapitalLine>& lines);

struct ProjectsLoad {
  std::vector<Project> projects;  // in file order; empty when there are errors
  model::Diagnostics diagnostics;
};

// Reads projects.csv and (when `stack_path` is not empty) capital_stack.csv. Every problem is
// reported with file, line and column; when there is any error no project is returned.
ProjectsLoad LoadProjectsCsv(const std::filesystem::path& projects_path, const std::filesystem::path& stack_path,
                             const ReferenceCodes& codes);
// As LoadProjectsCsv, throwing lodestone::Error (InvalidData) with all diagnostics on error.
std::vector<Project> LoadProjectsCsvOrThrow(const std::filesystem::path& projects_path,
                                            const std::filesystem::path& stack_path, const ReferenceCodes& codes);

// Writes the two files in the shipped format (header, one row per project / capital line), in
// the order given. Reading them back with LoadProjectsCsv gives the same projects.
void WriteProjectsCsv(std::ostream& out, const std::vector<Project>& projects);
void WriteCapitalStackCsv(std::ostream& out, const std::vector<Project>& projects);

}  // namespace lodestone::invest
