// The simulator's façade: one deterministic scenario (sim::Run) or a Monte Carlo over the risk
// register (sim::RunMonteCarlo), over the baseline network. Rules: docs/simulation.md.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lodestone/sim/network.hpp"
#include "lodestone/sim/scenario.hpp"

namespace lodestone::sim {

enum class SectorRule : std::uint8_t { ProRata, DefenceFirst };

struct EvalOptions {
  SectorRule sector_rule = SectorRule::ProRata;
};

// A shock resolved against the network for one mineral: node indexes and target masks.
struct ShockTemplate {
  ShockKind kind = ShockKind::Outage;
  int mineral = -1;                    // index into Network::minerals
  bool on_refiners = false;            // outage/control acting on refiners (else on miners)
  int node = -1;                       // miner or refiner index; -1 when the country has none
  std::vector<std::uint8_t> targeted;  // control: per refiner (mining stage) or consumer (refining stage)
  int chokepoint = -1;
  double reroutable = 0;
  int consumer = -1;  // demand: consumer index, -1 = all
  int sector = -1;    // demand: sector index, -1 = all
};

// A template with its drawn severity and timing.
struct ActiveShock {
  const ShockTemplate* t = nullptr;
  double fraction = 0;
  double factor = 1;
  double start = 0;  // months from the start of the horizon
  double end = 0;
};

// Per consumer and sector (index kSectors = the consumer's total), over the horizon, in tonnes.
struct Flows {
  double demand = 0, delivered = 0, stock_drawn = 0, shortfall = 0;
};
struct MineralOutcome {
  std::vector<std::array<Flows, kSectors + 1>> by_consumer;  // K
};

// Reusable scratch space, so that evaluating a scenario allocates nothing.
struct Workspace {
  std::vector<double> mine_keep, refinery_keep;  // output kept after outages, per miner / refiner
  std::vector<double> feed;                      // ore reaching each refiner; then its free refined supply
  std::vector<double> refined, refined_base;     // refined output, and the part from baseline flows
  std::vector<double> delivered;                 // per consumer
  std::vector<double> blocked_ore;               // per miner: ore not shipped (controls, closures, extra)
  std::vector<double> capacity;                  // refinery capacity after outages
  std::vector<double> scratch, gflow, stock_left;
  std::vector<double> keep_ore_ctrl, keep_ore_route, keep_fin_ctrl, keep_fin_route;
  std::vector<std::uint8_t> ore_targeted, fin_targeted;
  std::vector<std::array<double, kSectors>> sector_demand;
  std::vector<double> bounds;
};

// Resolves a scenario's shocks against the network: one template per (shock, mineral). Throws
// model::InputError (at the shock's file position) for unknown countries, minerals, groups,
// chokepoints or consumers.
struct CompiledShocks {
  std::vector<ShockTemplate> templates;
  std::vector<int> shock_of_template;  // index of the scenario shock behind each template
};
CompiledShocks CompileShocks(const Network& net, const std::vector<Shock>& shocks);

// Evaluates one mineral over a horizon of `horizon` months under the given active shocks (all of
// this mineral). The baseline when `shocks` is empty.
void EvaluateMineral(const Network& net, int mineral, const ActiveShock* shocks, std::size_t count, double horizon,
                     const EvalOptions& opt, Workspace& ws, MineralOutcome& out);

// --- One scenario
struct ScenarioRow {
  std::string mineral, unit, consumer, sector;  // sector "total" for the consumer's total
  Flows flows;
  double stock_days = 0;  // baseline days of cover; NaN when not known
  bool demand_known = true;
};
struct ScenarioResult {
  Scenario scenario;
  std::vector<ScenarioRow> rows;  // minerals touched by a shock, every consumer, total + sectors
  std::vector<std::string> minerals;
  std::vector<std::string> notes;  // baseline basis of each touched mineral, shocks without effect
};
ScenarioResult Run(const Network& net, const Scenario& scenario, const EvalOptions& opt = {});

// --- Monte Carlo over the register
struct McOptions {
  std::uint64_t runs = 10000;
  std::uint64_t seed = 1;
  int threads = 0;  // 0 = all cores
  EvalOptions eval;
  // Called now and then with (scenarios done, total); from any thread, never concurrently.
  std::function<void(std::uint64_t, std::uint64_t)> progress;
  // Called for every evaluated (scenario, mineral) with its outcome; for tests (mass balance).
  // Disables nothing, but costs time: leave empty in production runs.
  std::function<void(std::uint64_t, int, const MineralOutcome&)> observe;
};
struct McStat {
  double mean = 0, p50 = 0, p95 = 0, cvar95 = 0, max = 0;
};
struct McRow {
  std::string mineral, unit, consumer, sector;
  double demand_t = 0, delivered_t = 0, stock_drawn_t = 0;  // means over the runs
  McStat shortfall_t;
  McStat shortfall_pct;        // of the baseline demand over the horizon
  double p_shortfall = 0;      // probability of any shortfall
  double stock_days = 0;       // baseline days of cover (NaN when not known)
  double stock_days_used = 0;  // mean stock drawn in days of baseline demand
  bool demand_known = true;    // false: the consumer's demand is counted in the rest of the world
};
struct McResult {
  Register reg;
  std::uint64_t runs = 0, seed = 0;
  double horizon_months = 12;
  std::vector<McRow> rows;
  std::vector<double> event_rate;         // observed frequency of each event
  double histogram_resolution_pct = 0;    // quantile error bound, in % of demand
  std::uint64_t mineral_evaluations = 0;  // (scenario, mineral) pairs evaluated: the sparse work
};
McResult RunMonteCarlo(const Network& net, const Register& reg, const McOptions& opt);

// The draws of one scenario of a Monte Carlo run (for the naive reference path and for
// project evaluation over a fixed sample): the same stream as RunMonteCarlo uses.
struct DrawnEvent {
  int event = 0;
  double fraction = 0, factor = 1, start = 0, months = 0;
};
std::vector<std::vector<DrawnEvent>> DrawScenarios(const Register& reg, std::uint64_t runs, std::uint64_t seed);

}  // namespace lodestone::sim
