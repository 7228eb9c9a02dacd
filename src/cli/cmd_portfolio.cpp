// `lodestone portfolio optimise` and `lodestone projects evaluate`: options become a request, one
// library call (invest::PlanPortfolio, invest::EvaluateOneProject) does the work, and the result is
// printed: JSON and CSV by the library's serialisers, tables for people from the result's fields.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "lodestone/app/workspace.hpp"
#include "lodestone/invest/plan.hpp"
#include "lodestone/invest/serialize.hpp"

namespace lodestone::cli {

namespace {

struct EvalArgs {
  WorkspaceArgs ws;
  std::string projects_csv, stack_csv, partners = "USA,JPN", as_of = invest::kDefaultAsOf;
  std::uint64_t runs = 2000, seed = 20251028;
  int threads = 0;
  Format format = Format::Table;
};

struct OptimiseArgs {
  EvalArgs e;
  double us = 0, jp = 0, later_us = 0, later_jp = 0;
  std::string deadline = "2026-04-28", method = "auto";
  double min_private = 0;
  std::optional<double> max_country_share;
  // The MSP backs only projects that meet its ESG principles: the screen's pass mark by default.
  std::optional<double> esg_threshold = invest::kDefaultEsgThreshold;
  bool allow_unknown_esg = false;
};

// The workspace's paths; without --db or $LODESTONE_DB the database is lodestone.db in the
// current directory (used when it exists and holds projects).
app::WorkspacePaths Paths(const EvalArgs& a) {
  auto p = ResolvePaths(a.ws);
  if (p.database.empty()) p.database = "lodestone.db";
  return p;
}

invest::ProjectSourceRequest Source(const EvalArgs& a) {
  invest::ProjectSourceRequest s;
  s.projects_csv = a.projects_csv;
  s.stack_csv = a.stack_csv;
  s.database_explicit = !a.ws.database.empty();
  return s;
}

invest::EvaluationSettings Settings(const EvalArgs& a) {
  invest::EvaluationSettings s;
  s.runs = a.runs;
  s.seed = a.seed;
  s.partners = SplitList(a.partners);
  s.as_of = a.as_of;
  s.threads = a.threads;
  return s;
}

void PrintJson(const app::Json& j) { std::cout << j.dump(2) << "\n"; }

std::string MusdText(double x) { return Grouped(x, 1); }

std::string PctText(const std::optional<double>& pct) { return pct ? fmt::format("{:.1f}%", *pct) : std::string("-"); }

std::string Money(const std::optional<double>& x, const char* unit) {
  return x ? Grouped(*x, 0) + unit : std::string("not available");
}

void PrintEvaluation(const invest::ProjectEvaluationReport& ev) {
  const auto& p = ev.project;
  std::cout << fmt::format("Project {}: {}\n{} {} in {}\n", p.id, p.name, p.mineral, invest::Name(p.stage), p.country);
  if (p.baseline) {
    std::cout << "baseline supply, not new supply: " << p.reason << "\n";
    std::cout << fmt::format("ESG: {}\n", p.esg_basis.empty() ? std::string("not scored") : p.esg_basis);
    return;
  }
  if (!p.evaluable) {
    std::cout << "not evaluable: " << p.reason << "\n";
    return;
  }
  std::cout << fmt::format("Over {} scenarios of the risk register (seed {}), horizon {} months, partners {}\n\n",
                           ev.runs, ev.seed, ev.horizon_months, fmt::join(ev.partners, "+"));
  TextTable t{{"figure", "before", "with the project"}, {false, true, true}, {}};
  const std::string u = " " + p.unit;
  t.rows.push_back(
      {"added supply (t/yr)", "", Tonnes(p.addition.tonnes_per_year) + u + (p.addition.refined ? " refined" : " ore")});
  t.rows.push_back({"partner demand over the horizon", Tonnes(p.partner_demand_t) + u, ""});
  t.rows.push_back({"expected partner shortfall", Tonnes(p.expected_before_t) + u, Tonnes(p.expected_after_t) + u});
  t.rows.push_back({"  % of partner demand", PctText(ev.expected_before_pct), PctText(ev.expected_after_pct)});
  t.rows.push_back({"CVaR95 partner shortfall", Tonnes(p.cvar95_before_t) + u, Tonnes(p.cvar95_after_t) + u});
  t.rows.push_back({"  % of partner demand", PctText(ev.cvar95_before_pct), PctText(ev.cvar95_after_pct)});
  const auto& c = p.concentration;
  t.rows.push_back({fmt::format("top supplier of {} (share)", c.stage),
                    fmt::format("{} {}", c.top_before, Percent(c.top_share_before)),
                    fmt::format("{} {}", c.top_after, Percent(c.top_share_after))});
  t.rows.push_back({"CRMA 65% single-country benchmark", c.crma_met_before ? "met" : "exceeded",
                    c.crma_met_after ? "met" : "exceeded"});
  PrintTable(std::cout, t);
  std::cout << fmt::format("\nexpected relief: {}{} over {} months ({} of {} touched scenarios relieved)\n",
                           Tonnes(p.expected_relief_t), u, ev.horizon_months, p.relief.size(), p.scenarios_touched);
  std::cout << fmt::format("public money: {} ({})\n", Money(p.public_musd, " M USD"), p.public_basis);
  std::cout << fmt::format("public USD per t/yr of expected relief: {}\n",
                           Money(p.public_usd_per_relief_t_per_year, " USD"));
  std::cout << fmt::format("public USD per t/yr of capacity: {}\n", Money(p.public_usd_per_capacity_t, " USD"));
  std::cout << fmt::format("private USD per public USD (capital stack): {}\n",
                           p.private_per_public ? fmt::format("{:.2f}", *p.private_per_public)
                                                : std::string("not available (no public amount in the stack)"));
  std::cout << fmt::format(
      "time to first output: {}\n",
      p.months_to_first_output
          ? (*p.months_to_first_output <= 0
                 ? fmt::format("already producing ({})", p.first_output)
                 : fmt::format("{:.1f} months from {} ({})", *p.months_to_first_output, ev.as_of, p.first_output))
          : std::string("not announced"));
  std::cout << fmt::format("ESG: {}\n", p.esg_basis.empty() ? std::string("not scored") : p.esg_basis);
  for (const auto& n : p.notes) std::cout << "note: " << n << "\n";
}

int EvaluateOne(const EvalArgs& a, const std::string& id) {
  app::Workspace ws(Paths(a));
  invest::ProjectEvaluationRequest rq;
  rq.source = Source(a);
  rq.evaluation = Settings(a);
  rq.project_id = id;
  const auto ev = invest::EvaluateOneProject(ws, rq);
  std::cerr << "projects: " << ev.project_source << "\n";
  if (a.format == Format::Json) {
    PrintJson(invest::ToJson(ev));
  } else if (a.format == Format::Csv) {
    PrintCsvRows(std::cout, invest::ToCsv(ev));
  } else {
    PrintEvaluation(ev);
  }
  return 0;
}

int Optimise(const OptimiseArgs& a) {
  app::Workspace ws(Paths(a.e));
  invest::PortfolioPlanRequest rq;
  rq.source = Source(a.e);
  rq.evaluation = Settings(a.e);
  rq.evaluation.progress = TerminalProgress("projects evaluated");
  auto& bo = rq.budgets;
  bo.us_budget_musd = a.us;
  bo.jp_budget_musd = a.jp;
  bo.later_us_budget_musd = a.later_us;
  bo.later_jp_budget_musd = a.later_jp;
  bo.decision_deadline = a.deadline;
  bo.min_private_share = a.min_private;
  bo.max_country_public_share = a.max_country_share;
  bo.esg_threshold = a.esg_threshold;
  bo.allow_unknown_esg = a.allow_unknown_esg;
  rq.method = a.method;
  const auto plan = invest::PlanPortfolio(ws, rq);
  std::cerr << "projects: " << plan.project_source << "\n";

  if (a.e.format == Format::Json) {
    PrintJson(invest::ToJson(plan));
    return 0;
  }
  if (a.e.format == Format::Csv) {
    PrintCsvRows(std::cout, invest::ToCsv(plan));
    return 0;
  }

  std::cout << fmt::format(
      "Portfolio of projects of interest: {} projects, {} evaluable, {} candidates; {} scenarios of register {} (seed "
      "{}), partners {}\n",
      plan.projects, plan.evaluable, plan.candidates, plan.runs, plan.register_id, plan.seed,
      fmt::join(plan.partners, "+"));
  std::cout << fmt::format("Budgets: closing by {}: US {} + Japan {} M USD; later tranche: US {} + Japan {} M USD\n",
                           plan.budgets.decision_deadline, MusdText(plan.budgets.us_budget_musd),
                           MusdText(plan.budgets.jp_budget_musd), MusdText(plan.budgets.later_us_budget_musd),
                           MusdText(plan.budgets.later_jp_budget_musd));
  std::cout << fmt::format("Method: {} ({})\n\n", invest::MethodName(plan.method), invest::OutcomeName(plan.outcome));
  if (plan.chosen.empty()) {
    std::cout << "No project chosen.\n";
  } else {
    TextTable t{{"project", "mineral", "country", "tranche", "capex", "US public", "Japan public", "private",
                 "relief lost if dropped"},
                {false, false, false, true, true, true, true, true, true},
                {}};
    for (const auto& pc : plan.chosen) {
      const auto& c = pc.chosen;
      t.rows.push_back({c.id, c.mineral, c.country, std::to_string(c.tranche), MusdText(c.capex_musd),
                        MusdText(c.us_public_musd), MusdText(c.jp_public_musd), MusdText(c.private_musd),
                        fmt::format("{:.4g}", c.marginal_relief)});
    }
    t.rows.push_back({"total", "", "", "", MusdText(plan.capex_musd), MusdText(plan.us_public_musd),
                      MusdText(plan.jp_public_musd), MusdText(plan.private_musd), ""});
    std::cout << "Chosen projects (M USD):\n";
    PrintTable(std::cout, t);
  }
  std::cout << fmt::format(
      "\nExpected partner shortfall over {} months, t (additive = the optimiser's estimate; "
      "simulator = all chosen projects added together, same scenarios):\n",
      plan.horizon_months);
  TextTable m{
      {"mineral", "before", "after (additive)", "after (simulator)", "unit"}, {false, true, true, true, false}, {}};
  for (const auto& r : plan.minerals) {
    m.rows.push_back(
        {r.mineral, Tonnes(r.expected_before_t), Tonnes(r.additive_after_t), Tonnes(r.simulated_after_t), r.unit});
  }
  PrintTable(std::cout, m);
  std::cout << fmt::format(
      "Expected weighted shortfall (sum of shortfall / partner demand): before {:.6g}, after {:.6g} (additive), "
      "{:.6g} (simulator)\n",
      plan.objective_before, plan.objective_after_additive, plan.objective_after_simulated);
  std::cout << "\nConstraints:\n";
  TextTable c{{"constraint", "used", "limit", "binding"}, {false, true, true, false}, {}};
  for (const auto& x : plan.constraints) {
    c.rows.push_back({x.name, fmt::format("{:.6g}", x.used), fmt::format("{:.6g}", x.limit), x.tight ? "yes" : ""});
  }
  PrintTable(std::cout, c);
  if (!plan.marginal_values.empty()) {
    std::cout << "\nMarginal value of one more million USD (expected weighted shortfall removed per M USD):\n";
    for (const auto& v : plan.marginal_values) {
      std::cout << fmt::format("  {}: {:.6g} (re-solved with +{} M USD)\n", v.budget, v.value_per_musd,
                               MusdText(v.delta_musd));
    }
  }
  if (!plan.explanations.empty()) {
    std::cout << "\nWhy:\n";
    for (const auto& e : plan.explanations) std::cout << "  - " << e << "\n";
  }
  std::cout << fmt::format("\nExcluded ({}):\n", plan.excluded.size());
  for (const auto& x : plan.excluded) std::cout << fmt::format("  {}: {}\n", x.id, x.reason);
  std::cout << "\nAssumptions:\n";
  for (const auto& s : plan.assumptions) std::cout << "  - " << s << "\n";
  return 0;
}

void AddEvalOptions(CLI::App* cmd, EvalArgs& a) {
  cmd->add_option("--runs", a.runs, "Scenarios drawn from the risk register (one fixed sample for every project)")
      ->capture_default_str()
      ->check(CLI::Range(1ull, 4000000000ull));
  cmd->add_option("--seed", a.seed, "Seed of the sample: the same seed gives the same bytes")->capture_default_str();
  cmd->add_option("--db", a.ws.database,
                  "Project registry database (default: $LODESTONE_DB or lodestone.db when it holds "
                  "projects, else the shipped sample data/projects/)");
  cmd->add_option("--projects", a.projects_csv, "projects.csv to read instead of a database");
  cmd->add_option("--stack", a.stack_csv, "capital_stack.csv of --projects");
  cmd->add_option("--dataset", a.ws.dataset, "Dataset directory; default: the shipped dataset");
  cmd->add_option("--sim-data", a.ws.sim_data, "Simulator inputs; default: data/sim");
  cmd->add_option("--register", a.ws.risk_register, "Risk register; default: scenarios/register.json");
  cmd->add_option("--partners", a.partners, "Partner consumers whose shortfall counts (network consumer codes)")
      ->capture_default_str();
  cmd->add_option("--as-of", a.as_of, "Date the time to first output is counted from (YYYY-MM-DD)")
      ->capture_default_str();
  cmd->add_option("--threads", a.threads, "Worker threads (0 = all cores); results do not depend on it")
      ->capture_default_str();
  AddFormatOption(cmd, a.format);
}

}  // namespace

void AddPortfolioCommands(CLI::App& app, int& exit_code) {
  auto* portfolio = app.add_subcommand("portfolio", "Choose and finance projects of interest under budgets and rules");
  portfolio->require_subcommand(1);
  auto* cmd = portfolio->add_subcommand(
      "optimise",
      "Evaluate every project with the disruption simulator over one scenario sample, choose the portfolio that "
      "leaves the smallest expected weighted partner shortfall within the budgets, say who pays what, and re-check "
      "the chosen portfolio with the full simulator (docs/methods/evaluation.md).");
  static OptimiseArgs a;
  cmd->add_option("--budget-us", a.us, "US public budget, tranche 1 (M USD)")
      ->required()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--budget-jp", a.jp, "Japan public budget, tranche 1 (M USD)")
      ->required()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--deadline", a.deadline, "Decision deadline: tranche 1 = financing closing on or before it")
      ->capture_default_str();
  cmd->add_option("--later-budget-us", a.later_us, "US public budget for projects closing after the deadline (M USD)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--later-budget-jp", a.later_jp,
                  "Japan public budget for projects closing after the deadline (M USD)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--min-private", a.min_private, "Minimum private share of the portfolio's capex (0..1)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--max-country-share", a.max_country_share,
                  "Public money in any one country at most this share of the total public budget (0..1)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--esg-threshold", a.esg_threshold,
                  "Exclude projects whose ESG score (the record's, else the screen of docs/methods/esg.md) is below "
                  "this (0..1); unscored ones too. 0 turns the rule off")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_flag("--allow-unknown-esg", a.allow_unknown_esg, "With --esg-threshold: keep projects without a score");
  cmd->add_option("--method", a.method, "auto | milp | heuristic | exhaustive")->capture_default_str();
  AddEvalOptions(cmd, a.e);
  cmd->callback([&exit_code] { exit_code = RunGuarded([] { return Optimise(a); }); });
}

void AddProjectsEvaluateCommand(CLI::App* projects, int& exit_code) {
  auto* cmd = projects->add_subcommand(
      "evaluate",
      "One project through the disruption simulator: partner shortfall before/after (expected, CVaR95), public money "
      "per tonne, private money per public dollar, time to first output, concentration of its stage");
  static EvalArgs a;
  static std::string id;
  cmd->add_option("ID", id, "Project id")->required();
  AddEvalOptions(cmd, a);
  cmd->callback([&exit_code] { exit_code = RunGuarded([] { return EvaluateOne(a, id); }); });
}

}  // namespace lodestone::cli
