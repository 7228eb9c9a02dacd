#include "lodestone/sim_facade/mc_run.hpp"

#include <algorithm>

#include "lodestone/model/error.hpp"

namespace lodestone::facade {

MonteCarloRun::MonteCarloRun(const app::Workspace& ws, const SimulateRequest& request) : ws_(ws) {
  if (!request.monte_carlo) throw Error::InvalidRequest("a Monte Carlo run needs monte_carlo set");
  if (!request.scenario_files.empty() || !request.scenario_texts.empty()) {
    throw Error::InvalidRequest("give either scenarios or the risk register, not both");
  }
  if (request.runs == 0) throw Error::InvalidRequest("runs: expected at least 1");
  if (request.year && *request.year != ws.baseline_year()) {
    own_network_ = sim::BuildNetwork(ws.dataset(), ws.sim_inputs(), *request.year);
    net_ = &*own_network_;
  } else {
    net_ = &ws.network();
  }
  opt_.runs = request.runs;
  opt_.seed = request.seed;
  opt_.threads = request.threads;
  opt_.eval = SimEvalOptions(request.sector_rule);
  total_ = sim::McBlockCount(request.runs);
}

MonteCarloRun::~MonteCarloRun() = default;

std::uint64_t MonteCarloRun::runs_done() const {
  return std::min<std::uint64_t>(opt_.runs, done_ * sim::McBlockSize());
}

void MonteCarloRun::Step(std::uint64_t max_blocks) {
  if (finished() || max_blocks == 0) return;
  const std::uint64_t last = std::min(total_, done_ + max_blocks);
  auto part = sim::RunMonteCarloBlocks(*net_, ws_.risk_register(), opt_, done_, last);
  sum_ = sum_ ? sim::Merge(*sum_, part) : std::move(part);
  done_ = last;
}

SimulateResult MonteCarloRun::Result() const {
  if (!finished()) throw Error::InvalidRequest("the Monte Carlo run is not finished");
  SimulateResult out;
  out.monte_carlo = sim::Finish(*net_, ws_.risk_register(), *sum_);
  return out;
}

}  // namespace lodestone::facade
