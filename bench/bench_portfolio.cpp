// Portfolio optimiser benchmark on generated instances of realistic shape: 13 minerals weighted
// by 1 / partner demand, scenarios where each mineral is disrupted with its own probability and
// severity, candidates whose relief is sparse (5-20% of scenarios nonzero), mixed financing
// closes (15% after the deadline, with a later tranche), a minimum private share, a country cap
// and an ESG threshold. Measures (1) the heuristic from 250 to 1,000 candidates and 2,500 to
// 10,000 scenarios, (2) the whole call at 1,000 x 10,000 including the two re-solves for the
// marginal value of budget, and (3) CBC and the heuristic side by side at 100 x 1,000 and
// 200 x 2,000, with the heuristic's relief gap against CBC as a counter.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "lodestone/invest/portfolio.hpp"

using namespace lodestone;

namespace {

// xorshift64*: the same instances on every run and platform.
struct Rng {
  std::uint64_t x;
  explicit Rng(std::uint64_t seed) : x(seed * 0x9E3779B97F4A7C15ULL + 1) {}
  std::uint64_t Next() {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    return x * 2685821657736338717ULL;
  }
  double Real() { return static_cast<double>(Next() >> 11) / static_cast<double>(1ULL << 53); }
  double Real(double lo, double hi) { return lo + (hi - lo) * Real(); }
  int Int(int lo, int hi) { return lo + static_cast<int>(Next() % static_cast<std::uint64_t>(hi - lo + 1)); }
};

invest::PortfolioProblem Generate(int projects, int scenarios, std::uint64_t seed) {
  Rng rng(seed);
  invest::PortfolioProblem p;
  // Minerals with an indicative partner demand (t/yr, order of magnitude) for the weights.
  static const std::pair<const char*, double> kMinerals[] = {
      {"antimony", 40e3}, {"cobalt", 60e3},    {"copper", 4e6},    {"dysprosium", 1.5e3}, {"gallium", 200},
      {"germanium", 150}, {"graphite", 600e3}, {"lithium", 120e3}, {"manganese", 900e3},  {"neodymium", 25e3},
      {"nickel", 500e3},  {"terbium", 300},    {"tungsten", 20e3}};
  static const char* kCountries[] = {"AUS", "CAN", "USA", "JPN", "CHL", "PHL",
                                     "IDN", "BRA", "ZAF", "NAM", "KAZ", "VNM"};
  const int nm = 13;
  std::vector<double> demand(nm), disruption(nm);
  for (int m = 0; m < nm; ++m) {
    p.minerals.push_back(kMinerals[m].first);
    demand[m] = kMinerals[m].second;
    p.weights.push_back(1.0 / demand[m]);
    disruption[m] = rng.Real(0.05, 0.4);  // probability that a scenario disrupts the mineral
  }
  p.scenario_count = static_cast<std::size_t>(scenarios);
  p.baseline_shortfall_t.resize(p.scenario_count * nm, 0.0);
  for (int s = 0; s < scenarios; ++s) {
    for (int m = 0; m < nm; ++m) {
      if (rng.Real() < disruption[m]) {
        const double severity = std::min(1.0, std::exp(rng.Real(-4.0, 0.0)));  // 2% to 100% of demand
        p.baseline_shortfall_t[static_cast<std::size_t>(s) * nm + m] = severity * demand[m];
      }
    }
  }
  double total_need = 0;
  for (int i = 0; i < projects; ++i) {
    invest::Candidate c;
    c.id = "proj-" + std::to_string(10000 + i);
    const int m = rng.Int(0, nm - 1);
    c.mineral = static_cast<std::size_t>(m);
    c.country = kCountries[rng.Int(0, 11)];
    c.capex_musd = std::round(std::exp(rng.Real(std::log(20.0), std::log(2000.0))));
    c.private_musd = std::round(c.capex_musd * rng.Real(0.05, 0.8));
    total_need += c.capex_musd - c.private_musd;
    c.closing_date = rng.Real() < 0.15 ? "2026-10-30" : "2026-03-31";
    if (rng.Real() > 0.1) c.esg_score = rng.Real(0.3, 1.0);
    const double capacity = demand[m] * rng.Real(0.005, 0.05);  // output relative to demand
    const double density = rng.Real(0.05, 0.20);
    for (int s = 0; s < scenarios; ++s) {
      if (rng.Real() < density) c.relief.push_back({static_cast<std::uint32_t>(s), capacity * rng.Real(0.3, 1.0)});
    }
    p.candidates.push_back(std::move(c));
  }
  p.us_budget_musd = std::round(total_need * 0.05);
  p.jp_budget_musd = std::round(total_need * 0.03);
  p.later_us_budget_musd = std::round(total_need * 0.01);
  p.later_jp_budget_musd = std::round(total_need * 0.01);
  p.min_private_share = 0.35;
  p.max_country_public_share = 0.25;
  p.esg_threshold = 0.5;
  p.allow_unknown_esg = false;
  return p;
}

const invest::PortfolioProblem& Instance(int projects, int scenarios) {
  static std::map<std::pair<int, int>, invest::PortfolioProblem> cache;
  auto key = std::make_pair(projects, scenarios);
  auto it = cache.find(key);
  if (it == cache.end()) {
    it = cache.emplace(key, Generate(projects, scenarios, static_cast<std::uint64_t>(projects * 100003 + scenarios)))
             .first;
  }
  return it->second;
}

void Report(benchmark::State& state, const invest::PortfolioResult& r) {
  state.counters["eligible"] = static_cast<double>(r.eligible_candidates);
  state.counters["chosen"] = static_cast<double>(r.chosen.size());
  state.counters["relief_pct"] = 100.0 * (r.objective_before - r.objective_after) / r.objective_before;
  if (r.gap) state.counters["milp_gap_pct"] = 100.0 * *r.gap;
}

invest::PortfolioOptions Options(invest::Method m, bool marginal) {
  invest::PortfolioOptions o;
  o.method = m;
  o.marginal_budget_values = marginal;
  o.time_limit_seconds = 120;
  return o;
}

void BM_HeuristicScaling(benchmark::State& state) {
  const auto& p = Instance(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  invest::PortfolioResult r;
  for (auto _ : state) {
    r = invest::Optimise(p, Options(invest::Method::Heuristic, false));
    benchmark::DoNotOptimize(r);  // the whole result: DoNotOptimize on one double member garbles it here
  }
  Report(state, r);
}
BENCHMARK(BM_HeuristicScaling)
    ->ArgsProduct({{250, 500, 1000}, {2500, 5000, 10000}})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2);

// The whole call a user makes: portfolio plus the marginal value of US and Japan budget.
void BM_HeuristicWithMarginalValues(benchmark::State& state) {
  const auto& p = Instance(1000, 10000);
  invest::PortfolioResult r;
  for (auto _ : state) {
    r = invest::Optimise(p, Options(invest::Method::Heuristic, true));
    benchmark::DoNotOptimize(r);  // the whole result: DoNotOptimize on one double member garbles it here
  }
  Report(state, r);
  if (r.marginal_values.size() == 2) {
    state.counters["us_value_per_musd"] = r.marginal_values[0].value_per_musd;
    state.counters["jp_value_per_musd"] = r.marginal_values[1].value_per_musd;
  }
}
BENCHMARK(BM_HeuristicWithMarginalValues)->Unit(benchmark::kMillisecond)->Iterations(1);

// CBC and the heuristic on the same instance; the heuristic's relief gap against CBC's portfolio.
void BM_MilpVersusHeuristic(benchmark::State& state) {
  const auto& p = Instance(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  const bool milp = state.range(2) != 0;
  invest::PortfolioResult r;
  for (auto _ : state) {
    r = invest::Optimise(p, Options(milp ? invest::Method::Milp : invest::Method::Heuristic, false));
    benchmark::DoNotOptimize(r);  // the whole result: DoNotOptimize on one double member garbles it here
  }
  Report(state, r);
  if (!milp) {
    // After the timed loop: the reference portfolio does not count toward the heuristic's time.
    const auto exact = invest::Optimise(p, Options(invest::Method::Milp, false));
    const double best = exact.objective_before - exact.objective_after;
    const double got = r.objective_before - r.objective_after;
    state.counters["gap_vs_milp_pct"] = best > 0 ? 100.0 * (best - got) / best : 0.0;
    state.counters["milp_optimal"] = exact.outcome == invest::Outcome::Optimal ? 1 : 0;
  }
}
BENCHMARK(BM_MilpVersusHeuristic)
    ->ArgNames({"projects", "scenarios", "milp"})
    ->Args({100, 1000, 1})
    ->Args({100, 1000, 0})
    ->Args({200, 2000, 1})
    ->Args({200, 2000, 0})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
