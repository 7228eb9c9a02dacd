// `lodestone portfolio optimise` and `lodestone projects evaluate`: projects of interest evaluated
// with the disruption simulator (invest::EvaluateProjects), the portfolio chosen by the optimiser
// (invest::BuildPortfolioProblem + invest::Optimise) and re-checked with the full simulator
// (invest::RecheckPortfolio). Thin: the methods live in the library.
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "lodestone/data/loader.hpp"
#include "lodestone/invest/evaluate.hpp"
#include "lodestone/invest/registry.hpp"
#include "lodestone/model/diagnostics.hpp"
#include "lodestone/model/value.hpp"
#include "lodestone/sim/simulate.hpp"
#include "lodestone/store/database.hpp"

namespace lodestone::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

struct EvalArgs {
  std::string dataset, sim_data, reg, db, projects_csv, stack_csv, partners = "USA,JPN", as_of = invest::kDefaultAsOf;
  std::uint64_t runs = 2000, seed = 20251028;
  int threads = 0;
  Format format = Format::Table;
};

struct OptimiseArgs {
  EvalArgs e;
  double us = 0, jp = 0, later_us = 0, later_jp = 0;
  std::string deadline = "2026-04-28", method = "auto";
  double min_private = 0;
  std::optional<double> max_country_share, esg_threshold;
  bool allow_unknown_esg = false;
};

std::string RegisterFile(const EvalArgs& a) {
  if (!a.reg.empty()) return a.reg;
  return (fs::path(ScenariosDir()) / "register.json").string();
}

// Projects from --projects/--stack, else --db, else the default database when it holds projects,
// else the shipped sample. Says which on stderr.
std::vector<invest::Project> LoadProjects(const EvalArgs& a) {
  if (!a.projects_csv.empty()) {
    auto rows = invest::LoadProjectsCsvOrThrow(a.projects_csv, a.stack_csv);
    std::cerr << fmt::format("projects: {} from {}{}\n", rows.size(), a.projects_csv,
                             a.stack_csv.empty() ? " (no capital stack given)" : " and " + a.stack_csv);
    return rows;
  }
  if (!a.stack_csv.empty()) throw model::InputError("", 0, 0, "--stack needs --projects");
  const fs::path db_path = store::ResolveDatabasePath(a.db);
  if (!a.db.empty() && !fs::exists(db_path)) {
    throw model::InputError("", 0, 0, fmt::format("database {} does not exist", db_path.string()));
  }
  if (fs::exists(db_path)) {
    auto db = store::Database::Open(db_path);
    invest::Registry registry(db);
    auto rows = registry.All();
    if (!rows.empty()) {
      std::cerr << fmt::format("projects: {} from the database {}\n", rows.size(), db_path.string());
      return rows;
    }
    if (!a.db.empty()) {
      throw model::InputError("", 0, 0,
                              fmt::format("database {} has no projects; import some with: lodestone projects import "
                                          "data/projects/projects.csv --stack data/projects/capital_stack.csv",
                                          db_path.string()));
    }
  }
  const fs::path dir = fs::path(DefaultReferenceDir()).parent_path() / "projects";
  auto rows = invest::LoadProjectsCsvOrThrow(dir / "projects.csv", dir / "capital_stack.csv");
  std::cerr << fmt::format("projects: {} from the shipped sample {} (no database with projects at {})\n", rows.size(),
                           (dir / "projects.csv").string(), db_path.string());
  return rows;
}

struct Loaded {
  sim::Network net;
  sim::Register reg;
  invest::EvaluationRequest request;
};

// Loads the network and register and prepares the request (the caller sets the projects).
std::unique_ptr<Loaded> Prepare(const EvalArgs& a) {
  auto ds = data::LoadDatasetOrThrow(a.dataset.empty() ? DefaultDataDir() : a.dataset);
  auto inputs = sim::LoadSimInputs(SimDataDir(a.sim_data), ds);
  auto out = std::make_unique<Loaded>();
  out->net = sim::BuildNetwork(ds, inputs, 2025);
  out->reg = sim::LoadRegister(RegisterFile(a));
  auto& rq = out->request;
  rq.network = &out->net;
  rq.reg = &out->reg;
  rq.runs = a.runs;
  rq.seed = a.seed;
  rq.partners = SplitList(a.partners);
  rq.as_of = a.as_of;
  rq.threads = a.threads;
  rq.progress = TerminalProgress("projects evaluated");
  return out;
}

ordered_json Opt(const std::optional<double>& x) { return x ? ordered_json(*x) : ordered_json(nullptr); }

std::string MusdText(double x) { return Grouped(x, 1); }

ordered_json EvaluationJson(const invest::ProjectEvaluation& p, double horizon) {
  ordered_json j;
  j["id"] = p.id;
  j["name"] = p.name;
  j["mineral"] = p.mineral;
  j["unit"] = p.unit;
  j["stage"] = std::string(invest::Name(p.stage));
  j["country"] = p.country;
  j["evaluable"] = p.evaluable;
  if (!p.evaluable) {
    j["reason"] = p.reason;
    return j;
  }
  j["added_supply"] = {{"tonnes_per_year", p.addition.tonnes_per_year}, {"refined", p.addition.refined}};
  j["horizon_months"] = horizon;
  j["partner_demand_t"] = p.partner_demand_t;
  auto pct = [&](double x) {
    return p.partner_demand_t > 0 ? ordered_json(100 * x / p.partner_demand_t) : ordered_json(nullptr);
  };
  j["partner_shortfall"] = {{"expected_before_t", p.expected_before_t},
                            {"expected_after_t", p.expected_after_t},
                            {"expected_before_pct", pct(p.expected_before_t)},
                            {"expected_after_pct", pct(p.expected_after_t)},
                            {"cvar95_before_t", p.cvar95_before_t},
                            {"cvar95_after_t", p.cvar95_after_t},
                            {"cvar95_before_pct", pct(p.cvar95_before_t)},
                            {"cvar95_after_pct", pct(p.cvar95_after_t)},
                            {"expected_relief_t", p.expected_relief_t}};
  j["scenarios_touched"] = p.scenarios_touched;
  j["scenarios_with_relief"] = p.relief.size();
  j["public_musd"] = Opt(p.public_musd);
  j["public_basis"] = p.public_basis;
  j["public_usd_per_t_per_year_of_relief"] = Opt(p.public_usd_per_relief_t_per_year);
  j["public_usd_per_t_per_year_of_capacity"] = Opt(p.public_usd_per_capacity_t);
  j["private_per_public_usd"] = Opt(p.private_per_public);
  j["capital_stack"] = {{"us_public_musd", p.money.us_public},
                        {"japan_public_musd", p.money.jp_public},
                        {"other_public_musd", p.money.other_public},
                        {"private_musd", p.money.private_money},
                        {"amounts_not_available", p.money.amounts_not_available},
                        {"guarantees_and_offtakes_not_counted", p.money.commitments_not_counted}};
  j["months_to_first_output"] = Opt(p.months_to_first_output);
  const auto& c = p.concentration;
  j["concentration"] = {{"stage", c.stage},
                        {"top_before", c.top_before},
                        {"top_share_before", c.top_share_before},
                        {"top_after", c.top_after},
                        {"top_share_after", c.top_share_after},
                        {"crma_65pct_met_before", c.crma_met_before},
                        {"crma_65pct_met_after", c.crma_met_after}};
  j["notes"] = p.notes;
  return j;
}

std::string Money(const std::optional<double>& x, const char* unit) {
  return x ? Grouped(*x, 0) + unit : std::string("not available");
}

void PrintEvaluation(const invest::ProjectEvaluation& p, const invest::Evaluation& ev) {
  std::cout << fmt::format("Project {}: {}\n{} {} in {}\n", p.id, p.name, p.mineral, invest::Name(p.stage), p.country);
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
  t.rows.push_back({"  % of partner demand", Pct(p.expected_before_t, p.partner_demand_t),
                    Pct(p.expected_after_t, p.partner_demand_t)});
  t.rows.push_back({"CVaR95 partner shortfall", Tonnes(p.cvar95_before_t) + u, Tonnes(p.cvar95_after_t) + u});
  t.rows.push_back(
      {"  % of partner demand", Pct(p.cvar95_before_t, p.partner_demand_t), Pct(p.cvar95_after_t, p.partner_demand_t)});
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
  for (const auto& n : p.notes) std::cout << "note: " << n << "\n";
}

int EvaluateOne(const EvalArgs& a, const std::string& id) {
  auto projects = LoadProjects(a);
  auto it = std::find_if(projects.begin(), projects.end(), [&](const invest::Project& p) { return p.id == id; });
  if (it == projects.end()) throw model::InputError("", 0, 0, fmt::format("no project '{}' in the project source", id));
  auto loaded = Prepare(a);
  loaded->request.projects = {*it};
  loaded->request.progress = nullptr;
  auto ev = invest::EvaluateProjects(loaded->request);
  const auto& p = ev.projects.front();
  if (a.format == Format::Json) {
    ordered_json j = EvaluationJson(p, ev.horizon_months);
    j["runs"] = ev.runs;
    j["seed"] = ev.seed;
    j["partners"] = ev.partners;
    j["as_of"] = ev.as_of;
    j["assumptions"] = ev.assumptions;
    std::cout << j.dump(2) << "\n";
  } else if (a.format == Format::Csv) {
    TextTable t{{"id", "mineral", "evaluable", "reason", "expected_before_t", "expected_after_t", "cvar95_before_t",
                 "cvar95_after_t", "partner_demand_t", "public_musd", "public_usd_per_t_per_year_of_relief",
                 "private_per_public_usd", "months_to_first_output", "top_share_before", "top_share_after"},
                {},
                {}};
    auto o = [](const std::optional<double>& x) { return x ? model::FormatNumber(*x) : std::string("NA"); };
    t.rows.push_back(
        {p.id, p.mineral, p.evaluable ? "true" : "false", p.reason, model::FormatNumber(p.expected_before_t),
         model::FormatNumber(p.expected_after_t), model::FormatNumber(p.cvar95_before_t),
         model::FormatNumber(p.cvar95_after_t), model::FormatNumber(p.partner_demand_t), o(p.public_musd),
         o(p.public_usd_per_relief_t_per_year), o(p.private_per_public), o(p.months_to_first_output),
         model::FormatNumber(p.concentration.top_share_before), model::FormatNumber(p.concentration.top_share_after)});
    PrintCsv(std::cout, t);
  } else {
    PrintEvaluation(p, ev);
  }
  return 0;
}

int Optimise(const OptimiseArgs& a) {
  auto method = invest::ParseMethod(a.method);
  if (!method) {
    throw model::InputError("", 0, 0,
                            fmt::format("--method '{}': expected auto, milp, heuristic or exhaustive", a.method));
  }
  auto projects = LoadProjects(a.e);
  auto loaded = Prepare(a.e);
  loaded->request.projects = projects;
  const auto ev = invest::EvaluateProjects(loaded->request);

  invest::PortfolioBuildOptions bo;
  bo.us_budget_musd = a.us;
  bo.jp_budget_musd = a.jp;
  bo.later_us_budget_musd = a.later_us;
  bo.later_jp_budget_musd = a.later_jp;
  bo.decision_deadline = a.deadline;
  bo.min_private_share = a.min_private;
  bo.max_country_public_share = a.max_country_share;
  bo.esg_threshold = a.esg_threshold;
  bo.allow_unknown_esg = a.allow_unknown_esg;
  const auto built = invest::BuildPortfolioProblem(ev, bo);
  invest::PortfolioOptions po;
  po.method = *method;
  auto res = invest::Optimise(built.problem, po);
  if (res.status == invest::CallStatus::Error) throw model::InputError("", 0, 0, res.error);
  const auto rc = invest::RecheckPortfolio(loaded->request, ev, built, res);

  std::size_t evaluable = 0;
  for (const auto& p : ev.projects) evaluable += p.evaluable ? 1 : 0;
  // Exclusions: before the optimiser (by project) and by its rules (by candidate).
  std::vector<std::pair<std::string, std::string>> excluded;
  for (const auto& x : built.excluded) excluded.emplace_back(x.id, x.reason);
  for (const auto& x : res.excluded) excluded.emplace_back(x.id, x.reason);
  std::vector<std::string> assumptions = ev.assumptions;
  for (const auto& s : built.assumptions) assumptions.push_back(s);
  for (const auto& s : res.assumptions) assumptions.push_back(s);
  std::vector<std::string> explanations = res.explanations;
  if (res.chosen.empty() && explanations.empty()) {
    explanations.push_back(built.problem.candidates.empty() ? "no project can be a candidate (see excluded)"
                                                            : "no eligible project reduces the expected shortfall");
  }

  if (a.e.format == Format::Json) {
    ordered_json j;
    j["runs"] = ev.runs;
    j["seed"] = ev.seed;
    j["register"] = loaded->reg.id;
    j["partners"] = ev.partners;
    j["projects"] = projects.size();
    j["evaluable"] = evaluable;
    j["candidates"] = built.problem.candidates.size();
    j["budgets"] = {{"deadline", a.deadline},
                    {"us_musd", a.us},
                    {"japan_musd", a.jp},
                    {"later_us_musd", a.later_us},
                    {"later_japan_musd", a.later_jp},
                    {"min_private_share", a.min_private},
                    {"max_country_public_share", Opt(a.max_country_share)},
                    {"esg_threshold", Opt(a.esg_threshold)},
                    {"allow_unknown_esg", a.allow_unknown_esg}};
    j["method"] = std::string(invest::MethodName(res.method));
    j["outcome"] = std::string(invest::OutcomeName(res.outcome));
    j["gap"] = Opt(res.gap);
    auto& chosen = j["chosen"] = ordered_json::array();
    for (const auto& c : res.chosen) {
      const auto& fin = built.financing[c.candidate];
      chosen.push_back({{"id", c.id},
                        {"mineral", c.mineral},
                        {"country", c.country},
                        {"tranche", c.tranche},
                        {"closing_date", built.problem.candidates[c.candidate].closing_date},
                        {"closing_basis", fin.closing_basis},
                        {"capex_musd", c.capex_musd},
                        {"us_public_musd", c.us_public_musd},
                        {"japan_public_musd", c.jp_public_musd},
                        {"private_musd", c.private_musd},
                        {"marginal_relief", c.marginal_relief},
                        {"notes", fin.notes}});
    }
    j["totals"] = {{"capex_musd", res.capex_musd},
                   {"us_public_musd", res.us_public_musd},
                   {"japan_public_musd", res.jp_public_musd},
                   {"private_musd", res.private_musd}};
    j["objective"] = {
        {"measure", "expected weighted partner shortfall (sum over minerals of shortfall / partner demand)"},
        {"before", rc.objective_before},
        {"after_additive", res.objective_after},
        {"after_simulated", rc.objective_simulated}};
    auto& mins = j["minerals"] = ordered_json::array();
    for (const auto& m : rc.minerals) {
      mins.push_back({{"mineral", m.mineral},
                      {"unit", m.unit},
                      {"weight", m.weight},
                      {"expected_before_t", m.expected_before_t},
                      {"expected_after_additive_t", m.additive_after_t},
                      {"expected_after_simulated_t", m.simulated_after_t}});
    }
    auto& cons = j["constraints"] = ordered_json::array();
    for (const auto& c : res.constraints) {
      cons.push_back({{"name", c.name}, {"used", c.used}, {"limit", c.limit}, {"binding", c.tight}});
    }
    auto& mv = j["marginal_values"] = ordered_json::array();
    for (const auto& m : res.marginal_values) {
      mv.push_back({{"budget", m.budget},
                    {"base_musd", m.base_musd},
                    {"delta_musd", m.delta_musd},
                    {"objective_after", m.objective_after},
                    {"value_per_musd", m.value_per_musd},
                    {"value_per_million_usd", m.value_per_musd}});
    }
    auto& ex = j["excluded"] = ordered_json::array();
    for (const auto& [id, why] : excluded) ex.push_back({{"id", id}, {"reason", why}});
    j["explanations"] = explanations;
    j["assumptions"] = assumptions;
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  if (a.e.format == Format::Csv) {
    TextTable t{{"id", "mineral", "country", "tranche", "closing_date", "capex_musd", "us_public_musd",
                 "japan_public_musd", "private_musd", "marginal_relief"},
                {},
                {}};
    for (const auto& c : res.chosen) {
      t.rows.push_back({c.id, c.mineral, c.country, std::to_string(c.tranche),
                        built.problem.candidates[c.candidate].closing_date, model::FormatNumber(c.capex_musd),
                        model::FormatNumber(c.us_public_musd), model::FormatNumber(c.jp_public_musd),
                        model::FormatNumber(c.private_musd), model::FormatNumber(c.marginal_relief)});
    }
    PrintCsv(std::cout, t);
    return 0;
  }

  std::cout << fmt::format(
      "Portfolio of projects of interest: {} projects, {} evaluable, {} candidates; {} scenarios of register {} (seed "
      "{}), partners {}\n",
      projects.size(), evaluable, built.problem.candidates.size(), ev.runs, loaded->reg.id, ev.seed,
      fmt::join(ev.partners, "+"));
  std::cout << fmt::format("Budgets: closing by {}: US {} + Japan {} M USD; later tranche: US {} + Japan {} M USD\n",
                           a.deadline, MusdText(a.us), MusdText(a.jp), MusdText(a.later_us), MusdText(a.later_jp));
  std::cout << fmt::format("Method: {} ({})\n\n", invest::MethodName(res.method), invest::OutcomeName(res.outcome));
  if (res.chosen.empty()) {
    std::cout << "No project chosen.\n";
  } else {
    TextTable t{{"project", "mineral", "country", "tranche", "capex", "US public", "Japan public", "private",
                 "relief lost if dropped"},
                {false, false, false, true, true, true, true, true, true},
                {}};
    for (const auto& c : res.chosen) {
      t.rows.push_back({c.id, c.mineral, c.country, std::to_string(c.tranche), MusdText(c.capex_musd),
                        MusdText(c.us_public_musd), MusdText(c.jp_public_musd), MusdText(c.private_musd),
                        fmt::format("{:.4g}", c.marginal_relief)});
    }
    t.rows.push_back({"total", "", "", "", MusdText(res.capex_musd), MusdText(res.us_public_musd),
                      MusdText(res.jp_public_musd), MusdText(res.private_musd), ""});
    std::cout << "Chosen projects (M USD):\n";
    PrintTable(std::cout, t);
  }
  std::cout << fmt::format(
      "\nExpected partner shortfall over {} months, t (additive = the optimiser's estimate; "
      "simulator = all chosen projects added together, same scenarios):\n",
      ev.horizon_months);
  TextTable m{
      {"mineral", "before", "after (additive)", "after (simulator)", "unit"}, {false, true, true, true, false}, {}};
  for (const auto& r : rc.minerals) {
    m.rows.push_back(
        {r.mineral, Tonnes(r.expected_before_t), Tonnes(r.additive_after_t), Tonnes(r.simulated_after_t), r.unit});
  }
  PrintTable(std::cout, m);
  std::cout << fmt::format(
      "Expected weighted shortfall (sum of shortfall / partner demand): before {:.6g}, after {:.6g} (additive), "
      "{:.6g} (simulator)\n",
      rc.objective_before, res.objective_after, rc.objective_simulated);
  std::cout << "\nConstraints:\n";
  TextTable c{{"constraint", "used", "limit", "binding"}, {false, true, true, false}, {}};
  for (const auto& x : res.constraints) {
    c.rows.push_back({x.name, fmt::format("{:.6g}", x.used), fmt::format("{:.6g}", x.limit), x.tight ? "yes" : ""});
  }
  PrintTable(std::cout, c);
  if (!res.marginal_values.empty()) {
    std::cout << "\nMarginal value of one more million USD (expected weighted shortfall removed per M USD):\n";
    for (const auto& v : res.marginal_values) {
      std::cout << fmt::format("  {}: {:.6g} (re-solved with +{} M USD)\n", v.budget, v.value_per_musd,
                               MusdText(v.delta_musd));
    }
  }
  if (!explanations.empty()) {
    std::cout << "\nWhy:\n";
    for (const auto& e : explanations) std::cout << "  - " << e << "\n";
  }
  std::cout << fmt::format("\nExcluded ({}):\n", excluded.size());
  for (const auto& [id, why] : excluded) std::cout << fmt::format("  {}: {}\n", id, why);
  std::cout << "\nAssumptions:\n";
  for (const auto& s : assumptions) std::cout << "  - " << s << "\n";
  return 0;
}

void AddEvalOptions(CLI::App* cmd, EvalArgs& a) {
  cmd->add_option("--runs", a.runs, "Scenarios drawn from the risk register (one fixed sample for every project)")
      ->capture_default_str()
      ->check(CLI::Range(1ull, 4000000000ull));
  cmd->add_option("--seed", a.seed, "Seed of the sample: the same seed gives the same bytes")->capture_default_str();
  cmd->add_option("--db", a.db,
                  "Project registry database (default: $LODESTONE_DB or lodestone.db when it holds "
                  "projects, else the shipped sample data/projects/)");
  cmd->add_option("--projects", a.projects_csv, "projects.csv to read instead of a database");
  cmd->add_option("--stack", a.stack_csv, "capital_stack.csv of --projects");
  cmd->add_option("--dataset", a.dataset, "Dataset directory; default: the shipped dataset");
  cmd->add_option("--sim-data", a.sim_data, "Simulator inputs; default: data/sim");
  cmd->add_option("--register", a.reg, "Risk register; default: scenarios/register.json");
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
  cmd->add_option("--esg-threshold", a.esg_threshold, "Exclude projects scoring below (0..1); unscored ones too")
      ->check(CLI::Range(0.0, 1.0));
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
