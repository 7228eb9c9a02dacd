// The simulator's public interface: one deterministic scenario (sim::Run) or a Monte Carlo over
// the risk register (sim::RunMonteCarlo, or in parts: RunMonteCarloBlocks, Merge, Finish, with the
// partials as bytes), over the baseline network. Rules: docs/simulation.md. The propagation
// kernel is internal (sim/kernel.hpp); front ends use facade::Simulate (sim_facade/simulate.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lodestone/sim/network.hpp"
#include "lodestone/sim/scenario.hpp"

namespace lodestone::sim {

enum class SectorRule : std::uint8_t { ProRata, DefenceFirst };

struct EvalOptions {
  SectorRule sector_rule = SectorRule::ProRata;
};

// Per consumer and sector (index kSectors = the consumer's total), over the horizon, in tonnes.
struct Flows {
  double demand = 0, delivered = 0, stock_drawn = 0, shortfall = 0;
};
struct MineralOutcome {
  std::vector<std::array<Flows, kSectors + 1>> by_consumer;  // K
};

// --- One scenario
struct ScenarioRow {
  std::string mineral, unit, consumer, sector;  // sector "total" for the consumer's total
  Flows flows;
  double stock_days = 0;  // baseline days of cover; NaN when not known
  bool demand_known = true;
  // Shortfall in % of demand; nullopt when demand is zero or not known (no meaningful share).
  std::optional<double> shortfall_pct;
  // What the consumer's baseline refined flows of this mineral came from (import sources or pooled).
  std::string baseline_source;
  // Total rows only (sim/price.hpp): the price multiple that would clear this consumer's own gap
  // and the demand it destroys over the horizon; nullopt for sector rows, unknown demand or a
  // mineral without elasticities.
  std::optional<double> price_multiple, demand_destroyed_t;
};
// The price reading of one mineral over the world (sim/price.hpp): world shortfall at pre-shock
// demand beside the multiple that clears it and the demand destroyed, over the horizon.
struct MineralPrice {
  std::string mineral, unit;
  double demand_t = 0, shortfall_t = 0, stock_drawn_t = 0;
  std::optional<double> demand_elasticity, supply_elasticity;
  std::optional<double> price_multiple, demand_destroyed_t, supply_added_t;
  bool capped = false;  // the multiple reached price_multiple_max
  double max_multiple = 0;
};
// A source behind a result: a simulator input's (data/sim sources.csv) or the dataset's.
struct SourceRef {
  std::string id, kind, citation, licence, rule;  // kind: published | assumption
};
// A component chain's shortfall for one consumer and what caused it (docs/simulation.md, "Chains
// and components"): the run with every shock, the run with only the producer outages derived from
// the feed, and the run with only the scenario's own shocks on the component. The causes overlap,
// so the parts need not add up to the whole.
struct ComponentCause {
  std::string component, feed, unit, consumer;
  double demand_t = 0, shortfall_t = 0;
  double feed_only_t = 0;       // shortfall with the feed-derived outages alone
  double component_only_t = 0;  // shortfall with the component's own shocks alone
  bool demand_known = true;
};
// Output a component producer lost for want of feed over the horizon.
struct ProducerFeedLoss {
  std::string component, feed, unit, producer;
  double output_t = 0;  // baseline output over the horizon
  double lost_t = 0;    // output lost to the feed-derived outages
};
struct ScenarioResult {
  Scenario scenario;
  int year = 0;                   // the baseline network's year
  std::vector<ScenarioRow> rows;  // minerals touched by a shock, every consumer, total + sectors
  std::vector<std::string> minerals;
  std::vector<std::string> notes;  // baseline basis of each touched mineral, shocks without effect
  MarketParams market;             // the rule that shared supply after the shocks
  // Sources of the touched minerals' baselines, then of the shocks, each once, in that order
  // (then of the elasticities, when the price reading is added).
  std::vector<SourceRef> sources;
  std::vector<MineralPrice> prices;  // per touched mineral, when AddPriceResponse ran
  // Component chains touched (directly or through their feed): causes per consumer, and each
  // producer's output lost for want of feed.
  std::vector<ComponentCause> components;
  std::vector<ProducerFeedLoss> producer_feed_loss;
};
ScenarioResult Run(const Network& net, const Scenario& scenario, const EvalOptions& opt = {});

// --- One mineral's flows by stage before and after a scenario, for a Sankey chart.
// Every figure is an annual rate averaged over the scenario's horizon (tonnes over the horizon
// divided by its length in years), in the mineral's unit; ore links carry ore content.
struct FlowNode {
  std::string id;          // "<stage>:<code>", e.g. "mining:CHN", "consumer:ROW"
  std::string stage;       // mining | refining | consumer
  std::string code;        // ISO3, or ROW
  bool is_country = true;  // false for ROW (the rest of the world)
  std::string name;
  // Consumers only; nullopt when the consumer's demand is not known (counted in ROW).
  std::optional<double> demand_t;            // baseline demand (pre-shock)
  std::optional<double> demand_after_t;      // demand under the scenario (demand shocks change it)
  std::optional<double> delivered_before_t;  // refined links into it, baseline
  std::optional<double> delivered_after_t;   // refined links into it, under the scenario
  std::optional<double> stock_drawn_t;       // from its stockpile (not a link)
  std::optional<double> shortfall_t;         // demand_after - delivered_after - stock_drawn
  std::string flow_basis;                    // what its baseline refined flows came from
};
struct FlowLink {
  std::string source, target;  // node ids
  double tonnes = 0;
};
struct FlowsResult {
  std::string mineral, unit;
  int year = 0;
  std::string scenario_id, scenario_title;
  double horizon_months = 12;
  std::string basis;  // what the numbers are
  std::vector<FlowNode> nodes;
  std::vector<FlowLink> before, after;  // links with tonnes > 0 only
  std::vector<SourceRef> sources;
  std::vector<std::string> notes;
  MarketParams market;
};
// The flows of `mineral` (an id of net.minerals) under `scenario`; the baseline flows when the
// scenario does not touch it. Throws Error NotFound for a mineral the network does not simulate
// (with the ones it does), InvalidData for shocks that do not resolve (as Run).
FlowsResult RunFlows(const Network& net, const Scenario& scenario, std::string_view mineral,
                     const EvalOptions& opt = {});

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
  // Total rows, when AddPriceResponse ran: the price multiple at the P50 and P95 shortfall.
  std::optional<double> price_multiple_p50, price_multiple_p95;
  // Total rows only (empty for sectors): the distribution of the shortfall over the runs, as shares
  // of runs: [0] no shortfall, [1..20] shortfall in (0, 5%], (5, 10%], ... (95, 100%] of demand,
  // [21] above 100% (a demand shock beyond the baseline). Sums to 1.
  std::vector<double> histogram;
};
inline constexpr int kMcHistogramBandPct = 5;
struct McResult {
  Register reg;
  int year = 0;  // the baseline network's year
  std::uint64_t runs = 0, seed = 0;
  double horizon_months = 12;
  std::vector<McRow> rows;
  std::vector<double> event_rate;         // observed frequency of each event
  double histogram_resolution_pct = 0;    // quantile error bound, in % of demand
  std::uint64_t mineral_evaluations = 0;  // (scenario, mineral) pairs evaluated: the sparse work
};
McResult RunMonteCarlo(const Network& net, const Register& reg, const McOptions& opt);

// --- Monte Carlo in parts: RunMonteCarlo = RunMonteCarloBlocks over every block, Merge, Finish.
// Scenarios come in blocks of McBlockSize(); block b draws from its own random stream, so any
// range of blocks can be computed anywhere (another thread, process or machine) and the partial
// results merged exactly: every accumulator is an integer sum, a count or a maximum.

// A signed 128-bit integer as two 64-bit words (two's complement: value = hi * 2^64 + lo).
struct Wide {
  std::int64_t hi = 0;
  std::uint64_t lo = 0;
  friend bool operator==(const Wide&, const Wide&) = default;
};
Wide operator+(Wide a, Wide b);
Wide& operator+=(Wide& a, std::int64_t b);
// The nearest double (ties to even), as a conversion of the 128-bit value would give.
double ToDouble(Wide w);

// Bins per histogram of shortfall fractions: exact zero, 1000 bins of 0.1% of demand, above 100%.
inline constexpr std::size_t kMcHistSize = 1002;

// One histogram bin of shortfall fractions: their sum in billionths and their count.
struct McBin {
  std::int64_t sum = 0;
  std::uint64_t count = 0;
  friend bool operator==(const McBin&, const McBin&) = default;
};

// The accumulators of a set of blocks of one Monte Carlo run. Cells are (mineral, consumer,
// sector 0..kSectors-1 then the total); histograms (mineral, consumer, kSectors + 2 groups,
// kHistSize bins); mirror_* are per (mineral, consumer). Fields are public for serialisation and
// tests; only RunMonteCarloBlocks, Merge and Deserialize make valid ones.
struct McPartial {
  // What these are accumulators of: must match to merge.
  std::uint64_t runs = 0, seed = 0;
  std::uint32_t sector_rule = 0;  // SectorRule
  std::uint32_t minerals = 0, consumers = 0, events = 0;
  // Blocks covered, as sorted disjoint half-open ranges [first, last).
  std::vector<std::pair<std::uint64_t, std::uint64_t>> blocks;
  std::uint64_t evaluations = 0;
  std::vector<Wide> demand, stock, shortfall;  // fixed-point sums, millionths of a tonne
  std::vector<std::uint64_t> nonzero;
  std::vector<double> max_t;
  std::vector<McBin> hist;
  std::vector<std::uint64_t> touched;  // per mineral
  std::vector<Wide> mirror_demand, mirror_stock, mirror_short;
  std::vector<std::uint64_t> mirror_nonzero;
  std::vector<double> mirror_max;
  std::vector<std::uint64_t> event_count;  // per register event
  friend bool operator==(const McPartial&, const McPartial&) = default;
};

// Scenarios per block, and the number of blocks of a run of `runs` scenarios.
std::uint64_t McBlockSize();
std::uint64_t McBlockCount(std::uint64_t runs);

// The accumulators of blocks [first_block, last_block) of the run `opt` describes (opt.runs is the
// whole run's size). Throws Error InvalidRequest when the range is empty or past the last block.
McPartial RunMonteCarloBlocks(const Network& net, const Register& reg, const McOptions& opt, std::uint64_t first_block,
                              std::uint64_t last_block);

// The sum of two partials of the same run over disjoint blocks: exact, and the same bits whatever
// the order or grouping of merges. Throws Error InvalidRequest when they are of different runs
// or their blocks overlap.
McPartial Merge(const McPartial& a, const McPartial& b);

// Bytes of a partial, for sending to another process. Layout (every integer little-endian,
// doubles as their IEEE-754 binary64 bits in a little-endian u64):
//   8 bytes  magic "LSMCP\x00\x01\x00" (format version 1)
//   u64 runs, u64 seed, u32 sector_rule, u32 minerals, u32 consumers, u32 events
//   u64 number of block ranges R, then R pairs (u64 first, u64 last)
//   u64 evaluations
//   then the arrays in this order, each preceded by its u64 length:
//   demand, stock, shortfall (each element: u64 lo, then i64 hi), nonzero (u64), max_t (f64),
//   hist (each bin: i64 sum, u64 count), touched (u64), mirror_demand, mirror_stock,
//   mirror_short (as demand), mirror_nonzero (u64), mirror_max (f64), event_count (u64).
std::string Serialize(const McPartial& partial);
// The partial of Serialize's bytes; Error InvalidData when the bytes are not such a partial
// (wrong magic or version, truncated, trailing bytes, lengths inconsistent with the sizes).
McPartial Deserialize(std::string_view bytes);

// The result of a partial covering every block of its run. Throws Error InvalidRequest when blocks
// are missing or the partial is not of this network and register.
McResult Finish(const Network& net, const Register& reg, const McPartial& partial);

// The draws of one scenario of a Monte Carlo run (for the naive reference path and for
// project evaluation over a fixed sample): the same stream as RunMonteCarlo uses.
struct DrawnEvent {
  int event = 0;
  double fraction = 0, factor = 1, start = 0, months = 0;
};
std::vector<std::vector<DrawnEvent>> DrawScenarios(const Register& reg, std::uint64_t runs, std::uint64_t seed);

}  // namespace lodestone::sim
