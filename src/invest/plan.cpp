// The projects-of-interest façade: project source, evaluation, optimisation, re-check, one result.
#include "lodestone/invest/plan.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "lodestone/app/workspace.hpp"
#include "lodestone/invest/registry.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/risk/esg.hpp"
#include "lodestone/sim/scenario.hpp"
#include "lodestone/store/registry_store.hpp"

namespace lodestone::invest {

namespace fs = std::filesystem;

std::string_view Name(ProjectSourceKind kind) {
  switch (kind) {
    case ProjectSourceKind::Csv: return "csv";
    case ProjectSourceKind::Database: return "database";
    case ProjectSourceKind::Sample: return "sample";
  }
  return "sample";
}

namespace {
ProjectSet LoadProjectSourceAsIs(const app::Workspace& ws, const ProjectSourceRequest& rq);
}

ProjectSet LoadProjectSource(const app::Workspace& ws, const ProjectSourceRequest& rq) {
  ProjectSet out = LoadProjectSourceAsIs(ws, rq);
  // What the caller may not see is not used either: withheld terms fall back to the public rules.
  if (!rq.viewer.sees_all) out.projects = Redact(std::move(out.projects), rq.viewer);
  return out;
}

namespace {
ProjectSet LoadProjectSourceAsIs(const app::Workspace& ws, const ProjectSourceRequest& rq) {
  const auto codes = ReferenceCodes::Load(ws.paths().reference);
  ProjectSet out;
  if (!rq.projects_csv.empty()) {
    out.projects = LoadProjectsCsvOrThrow(rq.projects_csv, rq.stack_csv, codes);
    out.kind = ProjectSourceKind::Csv;
    out.path = rq.projects_csv;
    out.description = fmt::format("{} from {}{}", out.projects.size(), rq.projects_csv.string(),
                                  rq.stack_csv.empty() ? " (no capital stack given)" : " and " + rq.stack_csv.string());
    return out;
  }
  if (!rq.stack_csv.empty()) throw Error::InvalidRequest("a capital stack file needs its projects file");
  // The registry: a SQLite file or a PostgreSQL URL (store::OpenProjectStore).
  const std::string db = ws.paths().database.string();
  const std::string shown = store::RedactUrl(db);
  const bool have_db = !db.empty() && (store::IsPostgresUrl(db) || fs::exists(store::SqlitePath(db)));
  if (rq.database_explicit && !have_db) {
    throw Error::NotFound(fmt::format("database {} does not exist", shown));
  }
  if (have_db) {
    auto store = store::OpenProjectStore(db);
    Registry registry(*store, codes);
    auto rows = registry.All();
    if (!rows.empty()) {
      out.projects = std::move(rows);
      out.kind = ProjectSourceKind::Database;
      out.path = shown;
      out.description = fmt::format("{} from the database {}", out.projects.size(), shown);
      return out;
    }
    if (rq.database_explicit) throw Error::NotFound(fmt::format("database {} has no projects", shown));
  }
  const fs::path dir = ws.paths().projects;
  out.projects = LoadProjectsCsvOrThrow(dir / "projects.csv", dir / "capital_stack.csv", codes);
  out.kind = ProjectSourceKind::Sample;
  out.path = dir / "projects.csv";
  out.description = fmt::format("{} from the shipped sample {} (no database with projects at {})", out.projects.size(),
                                out.path.string(), shown);
  return out;
}
}  // namespace

namespace {

EvaluationRequest MakeRequest(const app::Workspace& ws, const EvaluationSettings& s) {
  EvaluationRequest rq;
  rq.network = &ws.network();
  rq.reg = &ws.risk_register();
  rq.runs = s.runs;
  rq.seed = s.seed;
  rq.partners = s.partners;
  rq.as_of = s.as_of;
  rq.threads = s.threads;
  rq.progress = s.progress;
  rq.offtake = s.offtake;
  return rq;
}

// The ethical-sourcing screen (docs/methods/esg.md) for every project whose record has no
// assessed ESG score of its own: the screen's score of its host country, mineral and site. The
// indicator tables are data/projects/esg/ beside the project sample.
void ApplyEsgScreen(const app::Workspace& ws, Evaluation& ev) {
  const fs::path dir = ws.paths().projects / "esg";
  if (!fs::is_directory(dir)) {
    ev.assumptions.push_back(fmt::format(
        "ESG screen not applied: no indicator tables at {}; projects without an assessed score stay unscored",
        dir.string()));
    return;
  }
  const auto tables = risk::EsgTables::Load(dir);
  for (auto& pe : ev.projects) {
    if (pe.esg_score) continue;
    const auto s = risk::ScoreProject(ws.dataset(), tables, pe.id, pe.country, pe.mineral);
    pe.esg_score = s.score;
    pe.esg_basis = "ESG screen: " + risk::DescribeEsg(s);
  }
  ev.assumptions.push_back(
      "ESG score: the project record's assessed score where it has one, else the ethical-sourcing screen of "
      "docs/methods/esg.md (mean of governance from WGI control of corruption and rule of law, EITI "
      "transparency, the US DoL child/forced labour list, and a recorded site audit when there is one)");
}

}  // namespace

Evaluation EvaluateWithScreens(const app::Workspace& ws, EvaluationRequest rq) {
  if (rq.feeds.empty()) {
    const fs::path feeds = ws.paths().projects / "feeds.csv";
    if (fs::exists(feeds)) rq.feeds = LoadFeedLinks(feeds);
  }
  auto ev = EvaluateProjects(rq);
  ApplyEsgScreen(ws, ev);
  return ev;
}

std::optional<double> PartnerDemandPct(const ProjectEvaluation& e, double tonnes) {
  if (!(e.partner_demand_t > 0)) return std::nullopt;
  return 100 * tonnes / e.partner_demand_t;
}

ProjectEvaluationReport EvaluateOneProject(const app::Workspace& ws, const ProjectEvaluationRequest& request) {
  auto set = LoadProjectSource(ws, request.source);
  auto it = std::find_if(set.projects.begin(), set.projects.end(),
                         [&](const Project& p) { return p.id == request.project_id; });
  if (it == set.projects.end()) {
    throw Error::NotFound(fmt::format("no project '{}' in the project source", request.project_id));
  }
  auto rq = MakeRequest(ws, request.evaluation);
  rq.projects = {*it};
  rq.chain_context = set.projects;
  auto ev = EvaluateWithScreens(ws, std::move(rq));
  ProjectEvaluationReport out;
  out.project = std::move(ev.projects.front());
  out.expected_before_pct = PartnerDemandPct(out.project, out.project.expected_before_t);
  out.expected_after_pct = PartnerDemandPct(out.project, out.project.expected_after_t);
  out.cvar95_before_pct = PartnerDemandPct(out.project, out.project.cvar95_before_t);
  out.cvar95_after_pct = PartnerDemandPct(out.project, out.project.cvar95_after_t);
  out.project_source = std::move(set.description);
  out.source_kind = set.kind;
  out.register_id = ws.risk_register().id;
  out.runs = ev.runs;
  out.seed = ev.seed;
  out.partners = ev.partners;
  out.as_of = ev.as_of;
  out.horizon_months = ev.horizon_months;
  out.assumptions = ev.assumptions;
  return out;
}

PortfolioPlan PlanPortfolio(const app::Workspace& ws, const PortfolioPlanRequest& request) {
  auto method = ParseMethod(request.method);
  if (!method) {
    throw Error::InvalidRequest(
        fmt::format("method '{}': expected auto, milp, heuristic or exhaustive", request.method));
  }
  auto set = LoadProjectSource(ws, request.source);
  auto rq = MakeRequest(ws, request.evaluation);
  rq.projects = set.projects;
  // Every project of the portfolio is proposed for the partners' public money: without terms or
  // named money of its own, its output goes to the partners in the split of their budgets.
  const auto& b = request.budgets;
  const double us_budget = b.us_budget_musd + b.later_us_budget_musd;
  const double jp_budget = b.jp_budget_musd + b.later_jp_budget_musd;
  if (us_budget + jp_budget > 0) rq.proposed_us_share = us_budget / (us_budget + jp_budget);
  auto ev = EvaluateWithScreens(ws, std::move(rq));
  const auto built = BuildPortfolioProblem(ev, request.budgets);
  PortfolioOptions po;
  po.method = *method;
  // Without a candidate (every project excluded, e.g. all operating) there is nothing to choose:
  // the empty portfolio is the optimum, and the exclusions say why.
  PortfolioResult res;
  if (built.problem.candidates.empty()) {
    res.method = *method == Method::Auto ? Method::Exhaustive : *method;
    res.outcome = Outcome::Optimal;
  } else {
    res = Optimise(built.problem, po);
  }
  const auto rc = RecheckPortfolio(rq, ev, built, res);

  PortfolioPlan plan;
  plan.project_source = std::move(set.description);
  plan.source_kind = set.kind;
  plan.register_id = ws.risk_register().id;
  plan.runs = ev.runs;
  plan.seed = ev.seed;
  plan.partners = ev.partners;
  plan.horizon_months = ev.horizon_months;
  plan.budgets = request.budgets;
  plan.projects = set.projects.size();
  for (const auto& p : ev.projects) plan.evaluable += p.evaluable ? 1 : 0;
  plan.candidates = built.problem.candidates.size();
  plan.method = res.method;
  plan.outcome = res.outcome;
  plan.gap = res.gap;
  for (const auto& c : res.chosen) {
    const auto& fin = built.financing[c.candidate];
    plan.chosen.push_back({c, built.problem.candidates[c.candidate].closing_date, fin.closing_basis, fin.notes});
  }
  plan.capex_musd = res.capex_musd;
  plan.us_public_musd = res.us_public_musd;
  plan.jp_public_musd = res.jp_public_musd;
  plan.private_musd = res.private_musd;
  plan.objective_before = rc.objective_before;
  plan.objective_after_additive = res.objective_after;
  plan.objective_after_simulated = rc.objective_simulated;
  plan.minerals = rc.minerals;
  plan.constraints = res.constraints;
  plan.marginal_values = res.marginal_values;
  for (const auto& x : built.excluded) plan.excluded.push_back({x.id, x.reason});
  for (const auto& x : res.excluded) plan.excluded.push_back({x.id, x.reason});
  plan.explanations = res.explanations;
  if (res.chosen.empty() && plan.explanations.empty()) {
    plan.explanations.push_back(built.problem.candidates.empty()
                                    ? "no project can be a candidate (see excluded)"
                                    : "no eligible project reduces the expected shortfall");
  }
  plan.assumptions = ev.assumptions;
  for (const auto& s : built.assumptions) plan.assumptions.push_back(s);
  for (const auto& s : res.assumptions) plan.assumptions.push_back(s);
  return plan;
}

}  // namespace lodestone::invest
