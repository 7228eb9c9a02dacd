// Projects of interest: field validation, the shipped CSV format (read and write).
#include "lodestone/invest/project.hpp"
#include "lodestone/invest/project_store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>

#include "lodestone/data/csv.hpp"
#include "lodestone/data/encoding.hpp"
#include "lodestone/data/named_table.hpp"
#include "lodestone/data/reference.hpp"
#include "lodestone/model/date.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/model/text.hpp"

namespace lodestone::invest {

namespace {

constexpr std::array<std::string_view, 7> kStages = {"mining",  "refining", "separation", "magnets",
                                                     "cathode", "anode",    "recycling"};
constexpr std::array<std::string_view, 6> kDevStages = {"announced",    "feasibility",   "financing",
                                                        "construction", "commissioning", "operating"};
constexpr std::array<std::string_view, 3> kStatuses = {"active", "paused", "cancelled"};
constexpr std::array<std::string_view, 5> kInstruments = {"grant", "loan", "guarantee", "equity", "offtake"};
constexpr std::array<std::string_view, 4> kFunders = {"us_public", "japan_public", "other_public", "private"};
constexpr std::size_t kMaxIdLength = 64;
constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2100;

template <typename E, std::size_t N>
std::optional<E> ParseEnum(const std::array<std::string_view, N>& names, std::string_view text) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<E>(i);
  }
  return std::nullopt;
}

template <std::size_t N>
std::string Choices(const std::array<std::string_view, N>& names) {
  std::string out;
  for (std::size_t i = 0; i < N; ++i) out += fmt::format("{}{}", i == 0 ? "" : (i + 1 == N ? " or " : ", "), names[i]);
  return out;
}

// One-line text: no control characters (a line break inside a field is almost always a pasting
// error, and the audit log and tables print fields on one line).
std::optional<std::string> CheckText(std::string_view text, bool required) {
  if (required && text.empty()) return "must not be empty";
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return "contains a control character (line break or tab); expected one line of text";
  }
  return std::nullopt;
}

// YYYY, YYYY-MM or (when allow_day) YYYY-MM-DD, a real calendar date in the years the registry
// accepts.
bool ValidDate(std::string_view s, bool allow_year, bool allow_day) {
  auto d = model::Date::Parse(s);
  if (!d || d->year < kMinYear || d->year > kMaxYear) return false;
  if (d->precision == model::DatePrecision::Year) return allow_year;
  if (d->precision == model::DatePrecision::Day) return allow_day;
  return true;
}

// A figure: a non-negative number, ">x", "<x", or NA / unknown / W. `max` bounds the number.
std::optional<std::string> ParseFigure(std::string_view text, model::Value& out, std::optional<double> max = {}) {
  model::Value v;
  auto r = model::ParseValueCell(text, false, v);
  if (r == model::ValueParse::Empty) return "empty: expected a number or NA (missing is not zero)";
  if (r == model::ValueParse::Negative) return "negative: expected a number >= 0";
  if (r != model::ValueParse::Ok) return "expected a number (e.g. 1250.5) or NA / unknown / W";
  if (v.status == model::ValueStatus::NetExporter)
    return "'E' (net exporter) does not apply here: expected a number or NA";
  if (max && v.HasNumber() && v.number > *max) return fmt::format("out of range: expected a number from 0 to {}", *max);
  out = v;
  return std::nullopt;
}

std::string JoinSponsors(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ";") + s;
  return out;
}

// capital_stack.csv fields of one line (not "project").
std::optional<std::string> SetLineField(CapitalLine& l, std::string_view field, std::string_view text) {
  if (field == "instrument") {
    auto v = ParseInstrument(text);
    if (!v) return fmt::format("expected {}", Choices(kInstruments));
    l.instrument = *v;
  } else if (field == "funder") {
    auto v = ParseFunder(text);
    if (!v) return fmt::format("expected {}", Choices(kFunders));
    l.funder = *v;
  } else if (field == "amount_musd") {
    return ParseFigure(text, l.amount_musd);
  } else if (field == "closing_date") {
    if (!text.empty() && !ValidDate(text, false, true)) return "expected a date YYYY-MM-DD or YYYY-MM, or empty";
    l.closing_date = std::string(text);
  } else if (field == "source" || field == "note") {
    if (auto e = CheckText(text, false)) return e;
    (field == "source" ? l.source : l.note) = std::string(text);
  } else {
    return fmt::format("unknown capital-stack field '{}'", field);
  }
  return std::nullopt;
}

std::vector<std::string> LineFields(const CapitalLine& l) {
  return {std::string(Name(l.instrument)),
          std::string(Name(l.funder)),
          model::FormatValueCell(l.amount_musd),
          l.closing_date,
          l.source,
          l.note};
}

void WriteRow(std::ostream& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) out << (i ? "," : "") << data::QuoteCsvField(fields[i]);
  out << '\n';
}

// A partner code: 2 to 16 upper-case letters, digits or '_' (USA, JPN, EU27).
bool ValidPartnerCode(std::string_view text) {
  if (text.size() < 2 || text.size() > 16) return false;
  for (char c : text) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// "CODE:share;CODE:share": each buyer once, shares in (0, 1], their sum at most 1.
std::optional<std::string> CheckOfftake(std::string_view text) {
  if (text.empty()) return std::nullopt;
  constexpr const char* kExpected = "expected buyer:share pairs separated by ';' (e.g. JPN:0.6;USA:0.2)";
  double total = 0;
  std::set<std::string, std::less<>> buyers;
  for (const auto& part : model::SplitList(text, ";")) {
    const auto colon = part.find(':');
    if (colon == std::string::npos) return kExpected;
    const std::string_view whole(part);
    const std::string buyer(model::Trim(whole.substr(0, colon)));
    const std::string_view share_text = model::Trim(whole.substr(colon + 1));
    if (!ValidPartnerCode(buyer)) return fmt::format("{}; a buyer is a code of 2 to 16 characters A-Z0-9_", kExpected);
    if (!buyers.insert(buyer).second) return "a buyer appears twice";
    double share = 0;
    if (!model::ParseDouble(share_text, share) || !(share > 0) || share > 1) {
      return fmt::format("{}; each share is a number in (0, 1]", kExpected);
    }
    total += share;
  }
  if (total > 1 + 1e-9) return "the shares add up to more than 1";
  return std::nullopt;
}

}  // namespace

std::string_view Name(Stage s) { return kStages[static_cast<std::size_t>(s)]; }
std::string_view Name(DevelopmentStage s) { return kDevStages[static_cast<std::size_t>(s)]; }
std::string_view Name(Status s) { return kStatuses[static_cast<std::size_t>(s)]; }
std::string_view Name(Instrument s) { return kInstruments[static_cast<std::size_t>(s)]; }
std::string_view Name(Funder s) { return kFunders[static_cast<std::size_t>(s)]; }
std::optional<Stage> ParseStage(std::string_view t) { return ParseEnum<Stage>(kStages, t); }
std::optional<DevelopmentStage> ParseDevelopmentStage(std::string_view t) {
  return ParseEnum<DevelopmentStage>(kDevStages, t);
}
std::optional<Status> ParseStatus(std::string_view t) { return ParseEnum<Status>(kStatuses, t); }
std::optional<Instrument> ParseInstrument(std::string_view t) { return ParseEnum<Instrument>(kInstruments, t); }
std::optional<Funder> ParseFunder(std::string_view t) { return ParseEnum<Funder>(kFunders, t); }

ReferenceCodes ReferenceCodes::Load(const std::filesystem::path& reference_dir) {
  ReferenceCodes codes;
  auto minerals = data::ReadMappingFile(reference_dir / "minerals.csv");
  auto mid = minerals.Col("id");
  for (const auto& row : minerals.rows) codes.minerals.insert(row[mid]);
  auto countries = data::ReadMappingFile(reference_dir / "countries.csv");
  auto ciso = countries.Col("iso3");
  for (const auto& row : countries.rows) codes.countries.insert(row[ciso]);
  return codes;
}

const std::vector<std::string>& ProjectColumns() {
  static const std::vector<std::string> kColumns = {"id",
                                                    "name",
                                                    "mineral",
                                                    "stage",
                                                    "country",
                                                    "capacity_t",
                                                    "capacity_basis",
                                                    "capex_musd",
                                                    "opex_musd_per_year",
                                                    "first_output",
                                                    "development_stage",
                                                    "status",
                                                    "sponsors",
                                                    "esg_score",
                                                    "esg_notes",
                                                    "source",
                                                    "url",
                                                    "assumptions"};
  return kColumns;
}

const std::vector<std::string>& CapitalStackColumns() {
  static const std::vector<std::string> kColumns = {"project",      "instrument", "funder", "amount_musd",
                                                    "closing_date", "source",     "note"};
  return kColumns;
}

const std::vector<std::string>& ConfidentialFields() {
  static const std::vector<std::string> kFields = {"confidential_owner",    "financing_committed_musd",
                                                   "financing_instrument",  "financing_rate_pct",
                                                   "financing_tenor_years", "offtake",
                                                   "partner_notes"};
  return kFields;
}

bool IsConfidentialValue(std::string_view field) {
  const auto& f = ConfidentialFields();
  return field != f.front() && std::find(f.begin(), f.end(), field) != f.end();
}

bool MaySeeConfidential(const Viewer& viewer, std::string_view owner) {
  return viewer.sees_all || (!owner.empty() && viewer.partner == owner);
}

Project Redact(Project project, const Viewer& viewer) {
  auto& c = project.confidential;
  if (MaySeeConfidential(viewer, c.owner)) return project;
  ConfidentialTerms kept;
  kept.owner = c.owner;
  kept.withheld = !c.owner.empty();
  if (kept.withheld) {
    // Withheld, not missing: the figures exist but this viewer may not see them.
    for (auto* v : {&kept.committed_musd, &kept.rate_pct, &kept.tenor_years}) {
      *v = model::Value::Missing(model::ValueStatus::Withheld);
    }
  }
  c = kept;
  return project;
}

std::vector<Project> Redact(std::vector<Project> projects, const Viewer& viewer) {
  for (auto& p : projects) p = Redact(std::move(p), viewer);
  return projects;
}

std::vector<AuditEntry> RedactHistory(std::vector<AuditEntry> entries, std::string_view owner, const Viewer& viewer) {
  if (MaySeeConfidential(viewer, owner)) return entries;
  for (auto& e : entries) {
    if (!e.field || !IsConfidentialValue(*e.field)) continue;
    if (e.old_value) e.old_value = std::string(kConfidentialText);
    if (e.new_value) e.new_value = std::string(kConfidentialText);
  }
  return entries;
}

const std::vector<std::string>& EditableFields() {
  static const std::vector<std::string> kFields = [] {
    std::vector<std::string> f(ProjectColumns().begin() + 1, ProjectColumns().end());
    f.insert(f.end(), ConfidentialFields().begin(), ConfidentialFields().end());
    return f;
  }();
  return kFields;
}

std::string CapitalStackText(const std::vector<CapitalLine>& lines) {
  std::string out;
  for (const auto& l : lines) {
    if (!out.empty()) out += " | ";
    auto fields = LineFields(l);
    for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + data::QuoteCsvField(fields[i]);
  }
  return out;
}

std::optional<std::string> GetField(const Project& p, std::string_view f) {
  if (f == "id") return p.id;
  if (f == "name") return p.name;
  if (f == "mineral") return p.mineral;
  if (f == "stage") return std::string(Name(p.stage));
  if (f == "country") return p.country;
  if (f == "capacity_t") return model::FormatValueCell(p.capacity_t);
  if (f == "capacity_basis") return p.capacity_basis;
  if (f == "capex_musd") return model::FormatValueCell(p.capex_musd);
  if (f == "opex_musd_per_year") return model::FormatValueCell(p.opex_musd_per_year);
  if (f == "first_output") return p.first_output.empty() ? std::string("NA") : p.first_output;
  if (f == "development_stage") return std::string(Name(p.development_stage));
  if (f == "status") return std::string(Name(p.status));
  if (f == "sponsors") return JoinSponsors(p.sponsors);
  if (f == "esg_score") return model::FormatValueCell(p.esg_score);
  if (f == "esg_notes") return p.esg_notes;
  if (f == "source") return p.source;
  if (f == "url") return p.url;
  if (f == "assumptions") return p.assumptions;
  if (f == "capital_stack") return CapitalStackText(p.capital_stack);
  const auto& c = p.confidential;
  if (f == "confidential_owner") return c.owner;
  if (f == "financing_committed_musd") return model::FormatValueCell(c.committed_musd);
  if (f == "financing_instrument") return c.instrument;
  if (f == "financing_rate_pct") return model::FormatValueCell(c.rate_pct);
  if (f == "financing_tenor_years") return model::FormatValueCell(c.tenor_years);
  if (f == "offtake") return c.offtake;
  if (f == "partner_notes") return c.notes;
  return std::nullopt;
}

std::optional<std::string> SetField(Project& p, std::string_view f, std::string_view text,
                                    const ReferenceCodes& codes) {
  if (f == "id") {
    if (text.empty() || text.size() > kMaxIdLength)
      return fmt::format("expected an id of 1 to {} characters [a-z0-9_]", kMaxIdLength);
    for (char c : text) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
        return "expected an id of lower-case letters, digits and '_' ([a-z0-9_]+)";
      }
    }
    p.id = std::string(text);
  } else if (f == "name") {
    if (auto e = CheckText(text, true)) return e;
    p.name = std::string(text);
  } else if (f == "mineral") {
    if (!codes.minerals.contains(text)) {
      return "unknown mineral id (expected an id of data/reference/minerals.csv, e.g. lithium, rare_earths)";
    }
    p.mineral = std::string(text);
  } else if (f == "stage") {
    auto v = ParseStage(text);
    if (!v) return fmt::format("expected {}", Choices(kStages));
    p.stage = *v;
  } else if (f == "country") {
    if (!codes.countries.contains(text)) return "unknown country code (expected ISO 3166-1 alpha-3, e.g. USA, JPN)";
    p.country = std::string(text);
  } else if (f == "capacity_t") {
    return ParseFigure(text, p.capacity_t);
  } else if (f == "capex_musd") {
    return ParseFigure(text, p.capex_musd);
  } else if (f == "opex_musd_per_year") {
    return ParseFigure(text, p.opex_musd_per_year);
  } else if (f == "esg_score") {
    return ParseFigure(text, p.esg_score, 1.0);
  } else if (f == "first_output") {
    if (text == "NA") {
      p.first_output.clear();
    } else {
      if (!ValidDate(text, true, false)) return "expected a year YYYY or a month YYYY-MM, or NA";
      p.first_output = std::string(text);
    }
  } else if (f == "development_stage") {
    auto v = ParseDevelopmentStage(text);
    if (!v) return fmt::format("expected {}", Choices(kDevStages));
    p.development_stage = *v;
  } else if (f == "status") {
    auto v = ParseStatus(text);
    if (!v) return fmt::format("expected {}", Choices(kStatuses));
    p.status = *v;
  } else if (f == "sponsors") {
    if (auto e = CheckText(text, false)) return e;
    p.sponsors = model::SplitList(text, ";");  // after CheckText: only spaces to trim
  } else if (f == "capacity_basis" || f == "esg_notes" || f == "source" || f == "url" || f == "assumptions") {
    if (auto e = CheckText(text, false)) return e;
    std::string* target = f == "capacity_basis" ? &p.capacity_basis
                          : f == "esg_notes"    ? &p.esg_notes
                          : f == "source"       ? &p.source
                          : f == "url"          ? &p.url
                                                : &p.assumptions;
    *target = std::string(text);
  } else if (f == "capital_stack") {
    return "the capital stack is not edited field by field: it changes by importing a capital stack file";
  } else if (f == "confidential_owner") {
    if (!text.empty() && !ValidPartnerCode(text)) {
      return "expected a partner code of 2 to 16 characters A-Z0-9_ (e.g. USA, JPN), or empty";
    }
    p.confidential.owner = std::string(text);
  } else if (f == "financing_committed_musd") {
    return ParseFigure(text, p.confidential.committed_musd);
  } else if (f == "financing_rate_pct") {
    return ParseFigure(text, p.confidential.rate_pct, 100.0);
  } else if (f == "financing_tenor_years") {
    return ParseFigure(text, p.confidential.tenor_years, 100.0);
  } else if (f == "financing_instrument") {
    if (!text.empty() && !ParseInstrument(text)) return fmt::format("expected {}, or empty", Choices(kInstruments));
    p.confidential.instrument = std::string(text);
  } else if (f == "offtake") {
    if (auto e = CheckText(text, false)) return e;
    if (auto e = CheckOfftake(text)) return e;
    p.confidential.offtake = std::string(text);
  } else if (f == "partner_notes") {
    if (auto e = CheckText(text, false)) return e;
    p.confidential.notes = std::string(text);
  } else {
    std::string known;
    for (const auto& c : EditableFields()) known += (known.empty() ? "" : ", ") + c;
    return fmt::format("unknown field '{}' (fields: {})", f, known);
  }
  return std::nullopt;
}

std::optional<std::string> ConfidentialProblem(const Project& p) {
  const auto& c = p.confidential;
  if (!c.owner.empty()) return std::nullopt;
  ConfidentialTerms none;
  none.owner = c.owner;
  none.withheld = c.withheld;
  if (c == none) return std::nullopt;
  return "confidential terms need an owner: set confidential_owner (the partner they belong to)";
}

std::vector<std::string> CheckProject(const Project& p, const ReferenceCodes& codes) {
  std::vector<std::string> problems;
  Project scratch;
  for (const auto& f : ProjectColumns()) {
    auto text = GetField(p, f);
    if (auto e = SetField(scratch, f, *text, codes)) problems.push_back(fmt::format("{} '{}': {}", f, *text, *e));
  }
  // Confidential values are named, never quoted: this message may reach someone else.
  for (const auto& f : ConfidentialFields()) {
    auto text = GetField(p, f);
    if (auto e = SetField(scratch, f, *text, codes)) problems.push_back(fmt::format("{}: {}", f, *e));
  }
  if (auto e = ConfidentialProblem(p)) problems.push_back(*e);
  // Sponsors must survive the ';' join unchanged.
  for (const auto& s : p.sponsors) {
    if (s.empty() || s.find(';') != std::string::npos || s.front() == ' ' || s.back() == ' ') {
      problems.push_back(fmt::format("sponsor '{}': expected a non-empty name without ';' or edge spaces", s));
    }
  }
  if (!p.first_output.empty() && p.first_output == "NA")
    problems.push_back("first_output: store a missing date as empty");
  for (std::size_t i = 0; i < p.capital_stack.size(); ++i) {
    const auto& l = p.capital_stack[i];
    CapitalLine scratch_line;
    auto fields = LineFields(l);
    for (std::size_t k = 0; k < fields.size(); ++k) {
      const auto& name = CapitalStackColumns()[k + 1];
      if (auto e = SetLineField(scratch_line, name, fields[k])) {
        problems.push_back(fmt::format("capital_stack line {} {} '{}': {}", i + 1, name, fields[k], *e));
      }
    }
  }
  return problems;
}

ProjectsLoad LoadProjectsCsv(const std::filesystem::path& projects_path, const std::filesystem::path& stack_path,
                             const ReferenceCodes& codes) {
  ProjectsLoad out;
  auto& diags = out.diagnostics;
  std::map<std::string, std::size_t, std::less<>> index;  // id -> position in out.projects

  // Every row of a table whose header has exactly the `expected` columns (found by name, in any
  // order; unknown ones are an error too); `col[k]` is the index of expected[k].
  auto read_table =
      [&](const std::filesystem::path& path, const std::vector<std::string>& expected,
          const std::function<void(const std::vector<std::string>&, std::size_t, const std::vector<std::size_t>&)>&
              row_fn) {
        const auto table = data::ReadNamedTable(path, expected, diags);
        std::vector<std::size_t> col(expected.size(), SIZE_MAX);
        for (std::size_t k = 0; k < expected.size(); ++k) {
          if (auto it = table.columns.find(expected[k]); it != table.columns.end()) col[k] = it->second;
        }
        for (const auto& [name, at] : table.columns) {
          if (std::find(expected.begin(), expected.end(), name) == expected.end()) {
            diags.Error(table.file, 1, at + 1, fmt::format("unknown column '{}'", name));
          }
        }
        // A name given twice keeps one index in the map: the header is wider than its names.
        if (!table.rows.empty() && table.columns.size() < table.rows.front().size()) {
          diags.Error(table.file, 1, 0, "a column appears twice");
        }
        if (diags.HasErrors()) return;
        for (std::size_t r = 0; r < table.rows.size(); ++r) row_fn(table.rows[r], table.lines[r], col);
      };

  const std::string pfile = projects_path.string();
  read_table(projects_path, ProjectColumns(),
             [&](const std::vector<std::string>& fields, std::size_t line, const std::vector<std::size_t>& col) {
               Project p;
               bool ok = true;
               for (std::size_t k = 0; k < ProjectColumns().size(); ++k) {
                 auto text = fields[col[k]];
                 if (auto e = SetField(p, ProjectColumns()[k], text, codes)) {
                   diags.Error(pfile, line, col[k] + 1, fmt::format("{} '{}': {}", ProjectColumns()[k], text, *e));
                   ok = false;
                 }
               }
               if (!ok) return;
               if (auto it = index.find(p.id); it != index.end()) {
                 diags.Error(pfile, line, col[0] + 1, fmt::format("duplicate project id '{}'", p.id));
                 return;
               }
               index.emplace(p.id, out.projects.size());
               out.projects.push_back(std::move(p));
             });

  if (!stack_path.empty()) {
    const std::string sfile = stack_path.string();
    read_table(stack_path, CapitalStackColumns(),
               [&](const std::vector<std::string>& fields, std::size_t line, const std::vector<std::size_t>& col) {
                 const auto& project = fields[col[0]];
                 auto it = index.find(project);
                 bool ok = true;
                 if (it == index.end()) {
                   diags.Error(sfile, line, col[0] + 1,
                               fmt::format("project '{}' is not in {}", project, projects_path.filename().string()));
                   ok = false;
                 }
                 CapitalLine l;
                 for (std::size_t k = 1; k < CapitalStackColumns().size(); ++k) {
                   auto text = fields[col[k]];
                   if (auto e = SetLineField(l, CapitalStackColumns()[k], text)) {
                     diags.Error(sfile, line, col[k] + 1,
                                 fmt::format("{} '{}': {}", CapitalStackColumns()[k], text, *e));
                     ok = false;
                   }
                 }
                 if (ok) out.projects[it->second].capital_stack.push_back(std::move(l));
               });
  }
  if (diags.HasErrors()) out.projects.clear();
  return out;
}

std::vector<Project> LoadProjectsCsvOrThrow(const std::filesystem::path& projects_path,
                                            const std::filesystem::path& stack_path, const ReferenceCodes& codes) {
  auto load = LoadProjectsCsv(projects_path, stack_path, codes);
  if (load.diagnostics.HasErrors()) throw Error::InvalidData(std::move(load.diagnostics));
  return std::move(load.projects);
}

void WriteProjectsCsv(std::ostream& out, const std::vector<Project>& projects) {
  WriteRow(out, ProjectColumns());
  for (const auto& p : projects) {
    std::vector<std::string> row;
    for (const auto& c : ProjectColumns()) row.push_back(*GetField(p, c));
    WriteRow(out, row);
  }
}

void WriteCapitalStackCsv(std::ostream& out, const std::vector<Project>& projects) {
  WriteRow(out, CapitalStackColumns());
  for (const auto& p : projects) {
    for (const auto& l : p.capital_stack) {
      auto row = LineFields(l);
      row.insert(row.begin(), p.id);
      WriteRow(out, row);
    }
  }
}

}  // namespace lodestone::invest
