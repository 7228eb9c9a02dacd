// Projects of interest end to end: evaluate candidates with the simulator over a fixed sample of the
// shipped risk register, build the optimiser's problem, choose the portfolio (marginal budget
// values included) and re-check it with the full simulator. Candidates are the shipped projects
// replicated with varied capacity, sited in real producer countries of their mineral and stage.
//   build/evaluate/bench/bench_evaluate
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include "lodestone/data/loader.hpp"
#include "lodestone/invest/evaluate.hpp"

namespace {

using namespace lodestone;
const std::filesystem::path kRoot = LODESTONE_SOURCE_DIR;

const sim::Network& Net() {
  static const sim::Network net = [] {
    auto ds = data::LoadDatasetOrThrow(kRoot / "data/starter");
    return sim::BuildNetwork(ds, sim::LoadSimInputs(kRoot / "data/sim", ds), 2025);
  }();
  return net;
}
const sim::Register& Reg() {
  static const sim::Register reg = sim::LoadRegister(kRoot / "scenarios/register.json");
  return reg;
}

// Producer countries (ISO3) of a mineral's stage in the network, the residual excluded.
std::vector<std::string> Producers(const std::string& mineral, bool refined) {
  const auto* mn = Net().Find(mineral);
  std::vector<std::string> out;
  const auto& nodes = refined || !mn->has_ore_stage ? mn->refiners : mn->miners;
  for (int c : nodes) {
    const auto& iso = Net().dataset.Country(model::CountryId{static_cast<std::uint16_t>(c)}).iso3;
    if (iso != "XOT") out.push_back(iso);
  }
  return out;
}

// n candidates: shipped projects with a capacity on a simulated mineral, replicated; capacity
// scaled by 0.25-2, country cycling through the producers, capex and private money generated.
std::vector<invest::Project> Candidates(std::size_t n) {
  auto shipped =
      invest::LoadProjectsCsvOrThrow(kRoot / "data/projects/projects.csv", kRoot / "data/projects/capital_stack.csv",
                                     invest::ReferenceCodes::Load(kRoot / "data/reference"));
  std::vector<invest::Project> base;
  for (const auto& p : shipped) {
    if (p.capacity_t.IsKnown() && Net().Find(p.mineral)) base.push_back(p);
  }
  std::vector<invest::Project> out;
  for (std::size_t i = 0; i < n; ++i) {
    invest::Project p = base[i % base.size()];
    const auto producers = Producers(p.mineral, p.stage != invest::Stage::Mining);
    p.id = p.id + "_" + std::to_string(i);
    p.country = producers[(i * 7 + i / base.size()) % producers.size()];
    p.capacity_t = model::Value::Of(p.capacity_t.number * (0.25 + 1.75 * static_cast<double>((i * 37) % 101) / 100));
    p.capex_musd = model::Value::Of(20 + static_cast<double>((i * 7919) % 1980));
    p.status = invest::Status::Active;
    invest::CapitalLine l;
    l.instrument = invest::Instrument::Loan;
    l.funder = invest::Funder::Private;
    l.amount_musd = model::Value::Of(p.capex_musd.number * (0.05 + 0.75 * static_cast<double>((i * 13) % 100) / 100));
    l.closing_date = (i % 7 == 0) ? "2026-09" : "2026-03";
    p.capital_stack = {l};
    p.esg_score = model::Value::Of(0.3 + 0.7 * static_cast<double>((i * 29) % 100) / 100);
    out.push_back(std::move(p));
  }
  return out;
}

// LODESTONE_BENCH_METHOD = auto | milp | heuristic (default heuristic: the method for thousands of
// candidates; auto gives CBC up to 200,000 shortfall cells, each solve up to its 60 s limit).
invest::Method Method() {
  const char* env = std::getenv("LODESTONE_BENCH_METHOD");
  return invest::ParseMethod(env ? env : "heuristic").value_or(invest::Method::Heuristic);
}

// LODESTONE_BENCH_OFFTAKE = 0: every candidate's supply uncommitted (the rule before offtakes),
// to measure the gap between the additive relief and the re-check with and without offtakes.
bool Offtake() {
  const char* env = std::getenv("LODESTONE_BENCH_OFFTAKE");
  return !(env && std::string(env) == "0");
}

double Seconds(std::chrono::steady_clock::time_point a) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
}

void BM_EvaluateAndOptimise(benchmark::State& state) {
  const auto candidates = Candidates(static_cast<std::size_t>(state.range(0)));
  invest::EvaluationRequest rq;
  rq.network = &Net();
  rq.reg = &Reg();
  rq.runs = static_cast<std::uint64_t>(state.range(1));
  rq.seed = 20251028;
  rq.projects = candidates;
  rq.offtake = Offtake();
  // As the portfolio does (plan.cpp): a candidate that names no US or Japan public money counts as
  // proposed for the budgets, split as they are (5% and 3% of the public need below).
  rq.proposed_us_share = 0.05 / (0.05 + 0.03);
  double t_eval = 0, t_opt = 0, t_check = 0, before = 0, additive = 0, simulated = 0;
  std::size_t chosen = 0, eligible = 0, relief_entries = 0;
  std::uint64_t evaluations = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    auto ev = invest::EvaluateProjects(rq);
    t_eval = Seconds(t0);
    t0 = std::chrono::steady_clock::now();
    invest::PortfolioBuildOptions o;
    double need = 0;
    for (const auto& p : candidates) need += p.capex_musd.number - p.capital_stack[0].amount_musd.number;
    o.us_budget_musd = 0.05 * need;
    o.jp_budget_musd = 0.03 * need;
    o.later_us_budget_musd = 0.01 * need;
    o.min_private_share = 0.3;
    o.max_country_public_share = 0.25;
    auto built = invest::BuildPortfolioProblem(ev, o);
    invest::PortfolioOptions po;
    po.method = Method();
    auto res = invest::Optimise(built.problem, po);
    t_opt = Seconds(t0);
    t0 = std::chrono::steady_clock::now();
    auto rc = invest::RecheckPortfolio(rq, ev, built, res);
    t_check = Seconds(t0);
    chosen = res.chosen.size();
    eligible = res.eligible_candidates;
    before = rc.objective_before;
    additive = rc.objective_additive;
    simulated = rc.objective_simulated;
    evaluations = ev.mineral_evaluations;
    relief_entries = 0;
    for (const auto& c : built.problem.candidates) relief_entries += c.relief.size();
  }
  state.counters["evaluate_s"] = t_eval;
  state.counters["optimise_s"] = t_opt;
  state.counters["recheck_s"] = t_check;
  state.counters["chosen"] = static_cast<double>(chosen);
  state.counters["eligible"] = static_cast<double>(eligible);
  state.counters["mineral_evals"] = static_cast<double>(evaluations);
  state.counters["relief_nnz"] = static_cast<double>(relief_entries);
  state.counters["obj_before"] = before;
  state.counters["obj_additive"] = additive;
  state.counters["obj_simulated"] = simulated;
}
BENCHMARK(BM_EvaluateAndOptimise)
    ->Args({250, 10000})
    ->Args({500, 10000})
    ->Args({1000, 2500})
    ->Args({1000, 5000})
    ->Args({1000, 10000})
    ->Unit(benchmark::kSecond)
    ->UseRealTime()
    ->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
