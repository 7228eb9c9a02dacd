// The projects-of-interest façade: which project source is used (CSV, database, shipped sample,
// errors for a missing named database), the portfolio plan against the pipeline it wraps, one
// project's evaluation, and the serialisers (fields, method and provenance, null percentages).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "invest/test_registry_fixtures.hpp"
#include "lodestone/app/workspace.hpp"
#include "lodestone/invest/plan.hpp"
#include "lodestone/invest/serialize.hpp"
#include "lodestone/sim/scenario.hpp"

using namespace lodestone;
using namespace lodestone::invest;
using lodestone::invest::testing::KindOf;
using lodestone::invest::testing::TempDb;

namespace {

namespace fs = std::filesystem;
const fs::path kRoot = LODESTONE_SOURCE_DIR;

app::WorkspacePaths Paths(const fs::path& database = {}) {
  auto p = app::WorkspacePaths::UnderRoot(kRoot);
  p.database = database;
  return p;
}

// The shipped sample cut to its first `n` projects (and their capital stack), in a temporary
// directory: a small fixture with real figures.
std::pair<fs::path, fs::path> SmallCsv(std::size_t n) {
  auto codes = ReferenceCodes::Load(kRoot / "data/reference");
  auto all =
      LoadProjectsCsvOrThrow(kRoot / "data/projects/projects.csv", kRoot / "data/projects/capital_stack.csv", codes);
  all.resize(std::min(n, all.size()));
  auto dir = invest::testing::TempDir() / ("plan_" + std::to_string(n));
  fs::create_directories(dir);
  std::ofstream(dir / "projects.csv") << invest::testing::ProjectsCsv(all);
  std::ofstream(dir / "capital_stack.csv") << invest::testing::StackCsv(all);
  return {dir / "projects.csv", dir / "capital_stack.csv"};
}

EvaluationSettings Few(std::uint64_t runs = 150) {
  EvaluationSettings s;
  s.runs = runs;
  s.seed = 11;
  return s;
}

}  // namespace

TEST(ProjectSource, CsvDatabaseOrSample) {
  auto [pf, sf] = SmallCsv(6);
  {
    app::Workspace ws(Paths(kRoot / "no_such_dir" / "none.db"));
    ProjectSourceRequest rq;
    rq.projects_csv = pf;
    rq.stack_csv = sf;
    auto set = LoadProjectSource(ws, rq);
    EXPECT_EQ(set.kind, ProjectSourceKind::Csv);
    EXPECT_EQ(set.projects.size(), 6u);
    EXPECT_EQ(set.description, "6 from " + pf.string() + " and " + sf.string());
    // Without a database, not named: the shipped sample.
    auto sample = LoadProjectSource(ws, {});
    EXPECT_EQ(sample.kind, ProjectSourceKind::Sample);
    EXPECT_EQ(sample.projects.size(), 81u);
    EXPECT_NE(sample.description.find("no database with projects at"), std::string::npos);
    // Named but missing: NotFound, no fall-back.
    ProjectSourceRequest named;
    named.database_explicit = true;
    EXPECT_EQ(KindOf([&] { LoadProjectSource(ws, named); }), ErrorKind::NotFound);
    // A capital stack alone is a wrong request.
    ProjectSourceRequest stack_only;
    stack_only.stack_csv = sf;
    EXPECT_EQ(KindOf([&] { LoadProjectSource(ws, stack_only); }), ErrorKind::InvalidRequest);
  }
  {
    const auto db_path = TempDb("plan_source");
    app::Workspace ws(Paths(db_path));
    ProjectSourceRequest named;
    named.database_explicit = true;
    {
      auto st = store::SqliteProjectStore::Open(db_path);  // created, empty
    }
    EXPECT_EQ(KindOf([&] { LoadProjectSource(ws, named); }), ErrorKind::NotFound);  // named, no projects
    EXPECT_EQ(LoadProjectSource(ws, {}).kind, ProjectSourceKind::Sample);           // default, empty: sample
    {
      auto st = store::SqliteProjectStore::Open(db_path);
      Registry reg(*st, ReferenceCodes::Load(kRoot / "data/reference"));
      ProjectSourceRequest csv;
      csv.projects_csv = pf;
      csv.stack_csv = sf;
      reg.Import(LoadProjectSource(ws, csv).projects, "tester");
    }
    auto set = LoadProjectSource(ws, named);
    EXPECT_EQ(set.kind, ProjectSourceKind::Database);
    EXPECT_EQ(set.projects.size(), 6u);
    EXPECT_EQ(set.description, "6 from the database " + db_path.string());
  }
}

TEST(PlanPortfolio, SameResultAsThePipelineItWraps) {
  auto [pf, sf] = SmallCsv(20);
  app::Workspace ws(Paths());
  PortfolioPlanRequest rq;
  rq.source.projects_csv = pf;
  rq.source.stack_csv = sf;
  rq.evaluation = Few();
  rq.budgets.us_budget_musd = 800;
  rq.budgets.jp_budget_musd = 400;
  rq.budgets.later_us_budget_musd = 300;
  const auto plan = PlanPortfolio(ws, rq);

  // The same steps by hand.
  EvaluationRequest er;
  er.network = &ws.network();
  er.reg = &ws.risk_register();
  er.runs = 150;
  er.seed = 11;
  er.projects = LoadProjectsCsvOrThrow(pf, sf, ReferenceCodes::Load(kRoot / "data/reference"));
  // Every project is proposed for the partners' public money: the US share of all budgets.
  er.proposed_us_share = (800.0 + 300.0) / (800.0 + 300.0 + 400.0);
  const auto ev = EvaluateWithScreens(ws, er);  // feed chains and the ESG screen, as the plan does
  const auto built = BuildPortfolioProblem(ev, rq.budgets);
  const auto res = Optimise(built.problem, {});
  const auto rc = RecheckPortfolio(er, ev, built, res);

  EXPECT_EQ(plan.source_kind, ProjectSourceKind::Csv);
  EXPECT_EQ(plan.register_id, ws.risk_register().id);
  EXPECT_EQ(plan.runs, 150u);
  EXPECT_EQ(plan.seed, 11u);
  EXPECT_EQ(plan.projects, 20u);
  EXPECT_EQ(plan.candidates, built.problem.candidates.size());
  EXPECT_EQ(plan.method, res.method);
  ASSERT_EQ(plan.chosen.size(), res.chosen.size());
  for (std::size_t i = 0; i < res.chosen.size(); ++i) {
    EXPECT_EQ(plan.chosen[i].chosen.id, res.chosen[i].id);
    EXPECT_EQ(plan.chosen[i].chosen.us_public_musd, res.chosen[i].us_public_musd);
    EXPECT_EQ(plan.chosen[i].closing_date, built.problem.candidates[res.chosen[i].candidate].closing_date);
  }
  EXPECT_EQ(plan.objective_before, rc.objective_before);
  EXPECT_EQ(plan.objective_after_additive, res.objective_after);
  EXPECT_EQ(plan.objective_after_simulated, rc.objective_simulated);
  EXPECT_EQ(plan.excluded.size(), built.excluded.size() + res.excluded.size());
  // The evaluation's assumptions end with where the ESG scores come from (the screen).
  EXPECT_EQ(plan.assumptions.size(), ev.assumptions.size() + built.assumptions.size() + res.assumptions.size());
  EXPECT_NE(plan.assumptions[ev.assumptions.size() - 1].find("ethical-sourcing screen"), std::string::npos);
  EXPECT_EQ(plan.capex_musd, res.capex_musd);
}

TEST(PlanPortfolio, EmptyPortfolioSaysWhyAndBadRequestsAreInvalid) {
  auto [pf, sf] = SmallCsv(10);
  app::Workspace ws(Paths());
  PortfolioPlanRequest rq;
  rq.source.projects_csv = pf;
  rq.source.stack_csv = sf;
  rq.evaluation = Few(50);
  const auto plan = PlanPortfolio(ws, rq);  // budgets of zero
  EXPECT_TRUE(plan.chosen.empty());
  EXPECT_FALSE(plan.explanations.empty());

  auto bad = rq;
  bad.method = "simplex";
  EXPECT_EQ(KindOf([&] { PlanPortfolio(ws, bad); }), ErrorKind::InvalidRequest);
  bad = rq;
  bad.evaluation.partners = {"USA", "XXX"};
  EXPECT_EQ(KindOf([&] { PlanPortfolio(ws, bad); }), ErrorKind::InvalidRequest);
}

TEST(EvaluateOneProject, FindsTheProjectOrSaysNotFound) {
  auto [pf, sf] = SmallCsv(10);
  app::Workspace ws(Paths());
  ProjectEvaluationRequest rq;
  rq.source.projects_csv = pf;
  rq.source.stack_csv = sf;
  rq.evaluation = Few(50);
  auto first = LoadProjectsCsvOrThrow(pf, sf, ReferenceCodes::Load(kRoot / "data/reference")).front();
  rq.project_id = first.id;
  auto r = EvaluateOneProject(ws, rq);
  EXPECT_EQ(r.project.id, first.id);
  EXPECT_EQ(r.runs, 50u);
  EXPECT_EQ(r.register_id, ws.risk_register().id);
  EXPECT_EQ(r.expected_before_pct, PartnerDemandPct(r.project, r.project.expected_before_t));
  rq.project_id = "no_such_project";
  EXPECT_EQ(KindOf([&] { EvaluateOneProject(ws, rq); }), ErrorKind::NotFound);
}

// A project's confidential offtake is used only for a caller who may see it: the local user and
// the owning partner get an evaluation with the terms, another partner one under the public rules
// that neither uses nor names them.
TEST(EvaluateOneProject, ConfidentialOfftakeOnlyForWhoMaySeeIt) {
  auto [pf, sf] = SmallCsv(6);
  const auto db_path = TempDb("plan_offtake");
  app::Workspace ws(Paths(db_path));
  {
    auto st = store::SqliteProjectStore::Open(db_path);
    Registry reg(*st, ReferenceCodes::Load(kRoot / "data/reference"));
    reg.Import(LoadProjectsCsvOrThrow(pf, sf, ReferenceCodes::Load(kRoot / "data/reference")), "tester");
    ASSERT_EQ(reg.Edit("mp_10x", {{"confidential_owner", "USA"}, {"offtake", "USA:0.37;JPN:0.21"}}, "tester"), 2u);
  }
  ProjectEvaluationRequest rq;
  rq.source.database_explicit = true;
  rq.evaluation = Few(100);
  rq.project_id = "mp_10x";
  auto notes = [](const ProjectEvaluationReport& r) {
    std::string all;
    for (const auto& n : r.project.notes) all += n + "\n";
    return all;
  };
  const auto local = EvaluateOneProject(ws, rq);
  ASSERT_TRUE(local.project.evaluable) << local.project.reason;
  ASSERT_EQ(local.project.addition.offtake.size(), 2u);
  EXPECT_NE(notes(local).find("confidential offtake terms of USA: USA 0.37, JPN 0.21"), std::string::npos);
  rq.source.viewer = Viewer::Partner("USA");
  EXPECT_EQ(EvaluateOneProject(ws, rq).project.addition.offtake, local.project.addition.offtake);
  rq.source.viewer = Viewer::Partner("JPN");
  const auto other = EvaluateOneProject(ws, rq);
  EXPECT_NE(notes(other).find("withheld"), std::string::npos);
  EXPECT_EQ(notes(other).find("0.37"), std::string::npos);
  EXPECT_EQ(notes(other).find("0.21"), std::string::npos);
  // Its US public money makes it a project of the framework: all of it to the United States.
  ASSERT_EQ(other.project.addition.offtake.size(), 1u);
  EXPECT_EQ(other.project.addition.offtake[0].buyer, "USA");
  EXPECT_DOUBLE_EQ(other.project.addition.offtake[0].share, 1.0);
}

TEST(Serialize, EvaluationPercentagesAreNullWithoutPartnerDemand) {
  ProjectEvaluation e;
  e.id = "x";
  e.evaluable = true;
  e.expected_before_t = 5;
  e.partner_demand_t = 0;
  auto j = ToJson(e, 12);
  EXPECT_TRUE(j["partner_shortfall"]["expected_before_pct"].is_null());
  EXPECT_TRUE(j["partner_shortfall"]["cvar95_after_pct"].is_null());
  EXPECT_EQ(j["partner_shortfall"]["expected_before_t"], 5.0);
  EXPECT_TRUE(j["public_musd"].is_null());  // missing money is null, not 0
  e.partner_demand_t = 50;
  j = ToJson(e, 12);
  EXPECT_DOUBLE_EQ(j["partner_shortfall"]["expected_before_pct"].get<double>(), 10.0);
  // Not evaluable: the reason, no figures.
  e.evaluable = false;
  e.reason = "capacity not available";
  j = ToJson(e, 12);
  EXPECT_EQ(j["reason"], "capacity not available");
  EXPECT_FALSE(j.contains("partner_shortfall"));
}

TEST(Serialize, PlanJsonAndCsvCarryFiguresMethodAndProvenance) {
  PortfolioPlan plan;
  plan.project_source = "2 from a.csv";
  plan.source_kind = ProjectSourceKind::Csv;
  plan.register_id = "reg";
  plan.runs = 10;
  plan.seed = 3;
  plan.partners = {"USA"};
  plan.method = Method::Milp;
  plan.outcome = Outcome::Optimal;
  PlannedProject pp;
  pp.chosen.id = "p1";
  pp.chosen.tranche = 2;
  pp.chosen.capex_musd = 12.5;
  pp.closing_date = "2026-03-31";
  plan.chosen.push_back(pp);
  plan.excluded.push_back({"p2", "capex not available"});
  plan.budgets.esg_threshold.reset();  // the rule turned off: null, not a number
  auto j = ToJson(plan);
  EXPECT_EQ(j["method"], "milp");
  EXPECT_TRUE(j["gap"].is_null());
  EXPECT_TRUE(j["budgets"]["esg_threshold"].is_null());
  EXPECT_EQ(j["chosen"][0]["closing_date"], "2026-03-31");
  EXPECT_EQ(j["excluded"][0]["reason"], "capex not available");
  EXPECT_EQ(j["method_info"]["id"], kPlanMethodId);
  EXPECT_EQ(j["provenance"]["project_source"]["kind"], "csv");
  EXPECT_EQ(j["provenance"]["register"], "reg");
  auto csv = ToCsv(plan);
  ASSERT_EQ(csv.rows.size(), 1u);
  EXPECT_EQ(csv.columns[4], "closing_date");
  EXPECT_EQ(csv.rows[0][3], "2");
  EXPECT_EQ(csv.rows[0][5], "12.5");
}

TEST(Serialize, ProjectsAndHistory) {
  auto p = invest::testing::MakeProject("proj");
  p.esg_score = model::Value::Missing(model::ValueStatus::NotAvailable);
  auto j = ToJson(p);
  EXPECT_EQ(j["capacity_t"], 1000.0);
  EXPECT_EQ(j["esg_score"], "NA");  // missing is its cell text, never 0
  EXPECT_EQ(j["capital_stack"][0]["funder"], "japan_public");
  auto csv = ToCsv(std::vector<Project>{p});
  EXPECT_EQ(csv.columns, ProjectColumns());
  EXPECT_EQ(csv.rows[0][0], "proj");
  AuditEntry e;
  e.action = "update";
  e.field = "status";
  e.new_value = "paused";
  auto h = ToJson(std::vector<AuditEntry>{e});
  EXPECT_TRUE(h[0]["old_value"].is_null());
  EXPECT_EQ(ToCsv(std::vector<AuditEntry>{e}).rows[0][4], "-");
}
