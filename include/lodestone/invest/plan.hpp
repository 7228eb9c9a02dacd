// The façade every front end calls for projects of interest: choose where the projects come from
// (CSV files, the project database, or the shipped sample), evaluate them with the disruption
// simulator, choose and finance the portfolio, re-check it with the full simulator, and return
// one result carrying its provenance. Paths come from the app::Workspace the caller built; the
// library reads no environment variable. Method: docs/methods/evaluation.md, docs/methods/portfolio.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lodestone/invest/evaluate.hpp"
#include "lodestone/invest/portfolio.hpp"
#include "lodestone/invest/project.hpp"

namespace lodestone::app {
class Workspace;
}

namespace lodestone::invest {

inline constexpr const char* kPlanMethodId = "lodestone.invest.portfolio_plan";
inline constexpr const char* kEvaluationMethodId = "lodestone.invest.project_evaluation";
inline constexpr const char* kPlanMethodVersion = "1";

// Where the projects come from. CSV files when `projects_csv` is given; else the database at
// WorkspacePaths::database when it exists and holds projects; else the shipped sample under
// WorkspacePaths::projects.
struct ProjectSourceRequest {
  std::filesystem::path projects_csv;  // projects.csv to read instead of a database
  std::filesystem::path stack_csv;     // capital_stack.csv of projects_csv (only with it)
  // The caller named the database: a missing file or one without projects is an error (NotFound)
  // instead of a fall-back to the sample.
  bool database_explicit = false;
  // Who asks: projects are redacted for this viewer (invest::Redact) before any use, so that
  // results shown to a partner use, and reveal, no other partner's confidential terms.
  Viewer viewer = Viewer::Local();
};

enum class ProjectSourceKind { Csv, Database, Sample };

struct ProjectSet {
  std::vector<Project> projects;
  ProjectSourceKind kind = ProjectSourceKind::Sample;
  std::filesystem::path path;  // projects.csv or the database file
  // For people: "47 from a.csv and b.csv", "47 from the database x.db", "47 from the shipped
  // sample .../projects.csv (no database with projects at x.db)".
  std::string description;
};

std::string_view Name(ProjectSourceKind kind);

// Throws lodestone::Error: InvalidRequest (--stack without --projects), InvalidData (the CSV does
// not validate), NotFound (an explicit database missing or without projects), Storage.
ProjectSet LoadProjectSource(const app::Workspace& workspace, const ProjectSourceRequest& request);

// The scenario sample and the partners every project is evaluated against.
struct EvaluationSettings {
  std::uint64_t runs = 2000;
  std::uint64_t seed = 20251028;
  std::vector<std::string> partners = {"USA", "JPN"};  // consumer codes of the network
  std::string as_of = kDefaultAsOf;                    // YYYY-MM-DD, for the time to first output
  int threads = 0;                                     // 0 = all cores; results do not depend on it
  bool offtake = true;                                 // EvaluationRequest::offtake
  // Called now and then with (projects done, total); from any thread, never concurrently.
  std::function<void(std::size_t, std::size_t)> progress;
};

// --- One project (`projects evaluate ID`)

struct ProjectEvaluationRequest {
  ProjectSourceRequest source;
  EvaluationSettings evaluation;
  std::string project_id;
};

// `tonnes` as a percentage of the evaluation's partner demand over the horizon; nullopt when that
// demand is 0 (a share of nothing is not 0%).
std::optional<double> PartnerDemandPct(const ProjectEvaluation& evaluation, double tonnes);

// EvaluateProjects(request) with what the workspace adds to every evaluation of the front ends:
// the feed chains of the project sample (projects/feeds.csv, unless request.feeds is set) and the
// ethical-sourcing screen for projects without an assessed score (projects/esg/). Give
// request.chain_context the whole project source when request.projects is a part of it.
Evaluation EvaluateWithScreens(const app::Workspace& workspace, EvaluationRequest request);

struct ProjectEvaluationReport {
  ProjectEvaluation project;
  // Partner shortfall as a percentage of the partner demand (PartnerDemandPct).
  std::optional<double> expected_before_pct, expected_after_pct, cvar95_before_pct, cvar95_after_pct;
  // Provenance.
  std::string project_source;  // ProjectSet::description
  ProjectSourceKind source_kind = ProjectSourceKind::Sample;
  std::string register_id;
  std::uint64_t runs = 0, seed = 0;
  std::vector<std::string> partners;
  std::string as_of;
  double horizon_months = 12;
  std::vector<std::string> assumptions;
};

// Throws lodestone::Error NotFound when no project of the source has the id, InvalidRequest for
// an unknown partner or a malformed as-of date, and as LoadProjectSource.
ProjectEvaluationReport EvaluateOneProject(const app::Workspace& workspace, const ProjectEvaluationRequest& request);

// --- The portfolio (`portfolio optimise`)

struct PortfolioPlanRequest {
  ProjectSourceRequest source;
  EvaluationSettings evaluation;
  PortfolioBuildOptions budgets;
  std::string method = "auto";  // auto | milp | heuristic | exhaustive
};

struct PlannedProject {
  ChosenProject chosen;
  std::string closing_date;   // YYYY-MM-DD, of the candidate
  std::string closing_basis;  // how the closing date was found
  std::vector<std::string> notes;
};

struct PlanExclusion {
  std::string id;
  std::string reason;
};

struct PortfolioPlan {
  // Provenance.
  std::string project_source;  // ProjectSet::description
  ProjectSourceKind source_kind = ProjectSourceKind::Sample;
  std::string register_id;
  std::uint64_t runs = 0, seed = 0;
  std::vector<std::string> partners;
  double horizon_months = 12;
  PortfolioBuildOptions budgets;

  std::size_t projects = 0, evaluable = 0, candidates = 0;
  Method method = Method::Auto;  // the method that produced the portfolio
  Outcome outcome = Outcome::NotSolved;
  std::optional<double> gap;

  std::vector<PlannedProject> chosen;
  double capex_musd = 0, us_public_musd = 0, jp_public_musd = 0, private_musd = 0;

  // Expected weighted partner shortfall (sum over minerals of shortfall / partner demand).
  double objective_before = 0;
  double objective_after_additive = 0;   // the optimiser's estimate
  double objective_after_simulated = 0;  // all chosen projects in the simulator together
  std::vector<RecheckMineral> minerals;

  std::vector<ConstraintUse> constraints;
  std::vector<MarginalBudgetValue> marginal_values;
  // Before the optimiser (by project), then by the optimiser's rules (by candidate).
  std::vector<PlanExclusion> excluded;
  std::vector<std::string> explanations;  // never empty when nothing is chosen
  std::vector<std::string> assumptions;
};

inline constexpr const char* kObjectiveMeasure =
    "expected weighted partner shortfall (sum over minerals of shortfall / partner demand)";

// Throws lodestone::Error: InvalidRequest (unknown method, partner, malformed date), and as
// LoadProjectSource; Internal when the optimiser rejects the problem it was built.
PortfolioPlan PlanPortfolio(const app::Workspace& workspace, const PortfolioPlanRequest& request);

}  // namespace lodestone::invest
