// INTERNAL: the simulator's kernel, for src/sim/ and the project evaluator (src/invest/evaluate.cpp)
// only. Front ends use the façade in simulate.hpp; nothing here is a stable interface.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "lodestone/sim/simulate.hpp"

namespace lodestone::sim {

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
  // For the market rule's contract hold: when the disruption behind this shock began (a derived
  // outage of a component: when its producer's feed loss began, which may be before this period).
  // Negative: at `start`.
  double hold_start = -1;
  double HoldStart() const { return hold_start >= 0 ? hold_start : start; }
};

// Per-link flows of one evaluation over the horizon, in tonnes: ore content arriving at each
// refiner from each miner (I x J, row-major) and refined content delivered by each refiner to each
// consumer (J x K). Collected only when EvalScratch::links is set (never in the Monte Carlo).
// Refined links into a consumer sum to its MineralOutcome delivered total; stock draws are not links.
struct LinkFlows {
  std::vector<double> ore;
  std::vector<double> refined;
};

// Reusable scratch space, so that evaluating a scenario allocates nothing.
struct EvalScratch {
  LinkFlows* links = nullptr;                    // when set, EvaluateMineral fills it
  std::vector<double> seg_ore, seg_fin;          // per-link rates of one segment (only with links)
  std::vector<double> lvl_before;                // deliveries before a spot fill (only with links)
  std::vector<double> mine_keep, refinery_keep;  // output kept after outages, per miner / refiner
  std::vector<double> feed;                      // ore reaching each refiner; then its free refined supply
  std::vector<double> refined, refined_base;     // refined output, and the part from baseline flows
  std::vector<double> delivered;                 // per consumer
  std::vector<double> blocked_ore;               // per miner: ore not shipped (controls, closures, extra)
  std::vector<double> capacity;                  // refinery capacity after outages
  std::vector<double> scratch, gflow, stock_left;
  std::vector<double> keep_ore_ctrl, keep_ore_route, keep_fin_ctrl, keep_fin_route;
  std::vector<std::uint8_t> ore_targeted, fin_targeted;
  std::vector<std::uint8_t> fin_row_mod;  // per refiner: a control or closed route on one of its links
  std::vector<std::array<double, kSectors>> sector_demand;
  std::vector<double> demand_total;  // per consumer: its sector demand summed in sector order
  std::vector<double> bounds;
  // Market clearing: spot supply per refiner, and the eligible consumers of one level fill.
  std::vector<double> spot;
  std::vector<double> lvl_eff, lvl_level;
  std::vector<int> lvl_index;
  // The active shocks of the last segment evaluated (EvaluateMineral), to reuse its rates.
  std::vector<const ActiveShock*> prev_active;
  // When set, EvaluateMineral appends after each segment every consumer's totals from the start
  // to that segment's end: the same bits as a run whose horizon ends there (the run is causal).
  // K entries per segment, segment after segment; the segments are `bounds` after the run.
  std::vector<Flows>* cut_totals = nullptr;
};

// Resolves a scenario's shocks against the network: one template per (shock, mineral). Throws
// lodestone::Error InvalidData (at the shock's file position) for unknown countries, minerals, groups,
// chokepoints or consumers.
struct CompiledShocks {
  std::vector<ShockTemplate> templates;
  std::vector<int> shock_of_template;  // index of the scenario shock behind each template
};
CompiledShocks CompileShocks(const Network& net, const std::vector<Shock>& shocks);

// The active shocks of network `m` under a compiled scenario (docs/simulation.md, "Chains and
// components"): the scenario's own shocks on it (`own`) and, for a component chain, the outages of
// its producers derived from its feed's run under the same scenario (`derived`): in each period
// between the feed's cuts a producer loses the share of its feed consumer's demand not met. The
// derived templates live in `keep`, which must outlive the returned shocks.
struct DerivedTemplates {
  std::vector<std::unique_ptr<std::vector<ShockTemplate>>> blocks;
  std::size_t used = 0;  // blocks in use; the others are kept for reuse
  // An empty block that stays in place until Reset.
  std::vector<ShockTemplate>& Next() {
    if (used == blocks.size()) blocks.push_back(std::make_unique<std::vector<ShockTemplate>>());
    std::vector<ShockTemplate>& b = *blocks[used++];
    b.clear();
    return b;
  }
  // Every block free again (their memory kept): the shocks that point into them are gone.
  void Reset() { used = 0; }
};
std::vector<ActiveShock> ActiveShocksOf(const Network& net, int m, const CompiledShocks& cs,
                                        const std::vector<Shock>& shocks, double horizon, const EvalOptions& opt,
                                        DerivedTemplates& keep, bool own = true, bool derived = true);

// One feed network's run for the components it feeds (AppendFeedOutages). After it ran (`ran`),
// `out` holds the feed's own outcome over the horizon under the shocks it was given (the same bits
// as EvaluateMineral's) and `cut_totals` each consumer's totals at the end of every segment of
// `ws.bounds`.
struct FeedRun {
  EvalScratch ws;
  MineralOutcome out;
  std::vector<Flows> cut_totals;
  bool ran = false;
};

// Appends to `act` the outages of component chain `m`'s producers derived from its feeds' runs,
// each feed `f` under `shocks_of[f]` (its active shocks; indexed by mineral); nothing when `m` is
// not a component or no feed has a shock. `runs` (indexed by mineral) keeps each feed's run: one
// that already ran is reused. Returns whether any feed ran.
bool AppendFeedOutages(const Network& net, int m, const std::vector<std::vector<ActiveShock>>& shocks_of,
                       double horizon, const EvalOptions& opt, DerivedTemplates& keep, std::vector<ActiveShock>& act,
                       std::vector<FeedRun>& runs);

// For a component chain `m` evaluated in `out` under every shock: appends to `res` each consumer's
// shortfall with the feed-derived outages alone and with the component's own shocks alone, and
// each producer's output lost for want of feed.
void AddComponentCauses(const Network& net, int m, const CompiledShocks& cs, const Scenario& scenario,
                        const EvalOptions& opt, const MineralOutcome& out, ScenarioResult& res);

// Evaluates one mineral over a horizon of `horizon` months under the given active shocks (all of
// this mineral). The baseline when `shocks` is empty.
void EvaluateMineral(const Network& net, int mineral, const ActiveShock* shocks, std::size_t count, double horizon,
                     const EvalOptions& opt, EvalScratch& ws, MineralOutcome& out);

}  // namespace lodestone::sim
