// Monte Carlo throughput over the shipped register and dataset: the sparse parallel path with 1
// and 2 threads, under the market rule and the pooled rules (process CPU time beside the wall
// time), the naive reference path (every mineral of every scenario, plain loops) in the same run,
// and the machine's memory copy bandwidth for the bytes-per-scenario comparison.
//   LODESTONE_BENCH_RUNS=1000000 build/bench/bench/bench_sim
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <vector>

#include "../tests/sim/naive_sim.hpp"
#include "lodestone/data/loader.hpp"
#include "lodestone/sim/simulate.hpp"

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
std::uint64_t Runs() {
  const char* env = std::getenv("LODESTONE_BENCH_RUNS");
  return env ? std::strtoull(env, nullptr, 10) : 200000;
}

// Bytes of network state one evaluation of a mineral reads (flows, capacities, demand) and
// writes (scratch), summed over the minerals weighted by how often scenarios evaluate them.
double NetworkBytes(const sim::MineralNetwork& mn, std::size_t K) {
  double ij = static_cast<double>(mn.I() * mn.J()), jk = static_cast<double>(mn.J() * K);
  return 8.0 * (ij + 2 * jk + 6 * static_cast<double>(mn.J()) + 2 * static_cast<double>(mn.I())) + 8.0 * 30 * K;
}

// The shipped network under the pooled rules, to measure the market rule against it in one run.
const sim::Network& PooledNet() {
  static const sim::Network net = [] {
    sim::Network n = Net();
    n.market.rule = sim::MarketRule::PooledRules;
    return n;
  }();
  return net;
}

// CPU seconds used by the process so far, all threads together: on a shared machine the wall
// time depends on the other jobs, the CPU time much less.
double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Arguments: threads, then 1 for the market rule (as shipped) or 0 for the pooled rules.
void BM_MonteCarlo(benchmark::State& state) {
  sim::McOptions opt;
  opt.runs = Runs();
  opt.seed = 20251028;
  opt.threads = static_cast<int>(state.range(0));
  const sim::Network& net = state.range(1) != 0 ? Net() : PooledNet();
  state.SetLabel(sim::MarketRuleName(net.market.rule));
  std::uint64_t evals = 0;
  double cpu_s = 0;  // CPU time of the whole process (every thread), over the iterations
  for (auto _ : state) {
    const double cpu0 = ProcessCpuSeconds();
    auto res = sim::RunMonteCarlo(net, Reg(), opt);
    cpu_s += ProcessCpuSeconds() - cpu0;
    evals = res.mineral_evaluations;
    benchmark::DoNotOptimize(res.rows.data());
  }
  double per = static_cast<double>(evals) / static_cast<double>(opt.runs);
  double bytes = 0;
  for (const auto& mn : Net().minerals) bytes += NetworkBytes(mn, Net().K());
  bytes /= static_cast<double>(Net().minerals.size());
  state.counters["scenarios/s"] = benchmark::Counter(
      static_cast<double>(opt.runs) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["minerals_per_scenario"] = per;
  state.counters["bytes_per_scenario"] = per * bytes;
  // CPU per evaluated (scenario, mineral) pair, in microseconds: the market rule's figure minus
  // the pooled rules' (same draws, same pairs) is what contracts and spot clearing cost per pair.
  const double pairs = static_cast<double>(evals) * static_cast<double>(state.iterations());
  state.counters["cpu_s"] = cpu_s / static_cast<double>(state.iterations());
  state.counters["cpu_us_per_pair"] = pairs > 0 ? 1e6 * cpu_s / pairs : 0.0;
}
BENCHMARK(BM_MonteCarlo)
    ->Args({1, 1})
    ->Args({1, 0})
    ->Args({2, 1})
    ->Args({2, 0})
    ->Unit(benchmark::kSecond)
    ->UseRealTime()
    ->Iterations(1);

// The naive path: draws the same scenarios, recomputes every mineral of each, one thread.
void BM_NaivePath(benchmark::State& state) {
  const std::uint64_t n = 2000;
  auto draws = sim::DrawScenarios(Reg(), n, 20251028);
  for (auto _ : state) {
    for (const auto& d : draws) {
      std::vector<sim::Shock> shocks;
      for (const auto& e : d) {
        sim::Shock s = Reg().events[e.event].shock;
        s.fraction = e.fraction;
        s.factor = e.factor;
        s.start_month = e.start;
        s.months = e.months;
        shocks.push_back(s);
      }
      auto r = sim::naive::Evaluate(Net(), shocks, Reg().horizon_months);
      benchmark::DoNotOptimize(r);
    }
  }
  state.counters["scenarios/s"] =
      benchmark::Counter(static_cast<double>(n) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_NaivePath)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);

void BM_MemoryCopy(benchmark::State& state) {
  const std::size_t bytes = 256u << 20;
  std::vector<char> a(bytes, 1), b(bytes);
  for (auto _ : state) {
    std::memcpy(b.data(), a.data(), bytes);
    benchmark::DoNotOptimize(b.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(bytes) * 2);
}
BENCHMARK(BM_MemoryCopy)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
