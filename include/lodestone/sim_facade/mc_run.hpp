// A Monte Carlo run of the risk register that the caller advances a chunk of blocks at a time, so
// that it can report progress and stop between chunks (a server's job, an interrupted notebook).
// Finished, it gives exactly what Simulate gives for the same request: the blocks are the ones
// RunMonteCarlo computes, merged in an order-free way (sim::McPartial).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "lodestone/app/workspace.hpp"
#include "lodestone/sim/simulate.hpp"
#include "lodestone/sim_facade/simulate.hpp"

namespace lodestone::facade {

class MonteCarloRun {
 public:
  // `request.monte_carlo` must be set and no scenario given (InvalidRequest otherwise). The
  // workspace must outlive the run.
  MonteCarloRun(const app::Workspace& ws, const SimulateRequest& request);
  ~MonteCarloRun();
  MonteCarloRun(const MonteCarloRun&) = delete;
  MonteCarloRun& operator=(const MonteCarloRun&) = delete;

  std::uint64_t blocks_total() const { return total_; }
  std::uint64_t blocks_done() const { return done_; }
  bool finished() const { return done_ == total_; }
  // Scenarios drawn so far (of request.runs).
  std::uint64_t runs_done() const;

  // Computes up to `max_blocks` more blocks (with the request's threads).
  void Step(std::uint64_t max_blocks);
  // The result; every block must be done (InvalidRequest otherwise).
  SimulateResult Result() const;

 private:
  const app::Workspace& ws_;
  std::optional<sim::Network> own_network_;  // when the request asks for another year
  const sim::Network* net_ = nullptr;
  sim::McOptions opt_;
  std::uint64_t total_ = 0, done_ = 0;
  std::optional<sim::McPartial> sum_;
};

}  // namespace lodestone::facade
