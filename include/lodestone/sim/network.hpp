// The baseline flow network of each mineral in one year: mine countries -> refinery countries ->
// consumers, with capacities, consumers' demand by sector, stockpiles and the share of each flow
// through each chokepoint. Built once from the dataset and data/sim/; read by every scenario.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lodestone/model/dataset.hpp"
#include "lodestone/sim/inputs.hpp"

namespace lodestone::sim {

inline constexpr int kRestOfWorld = -1;  // consumer "ROW": world demand not listed by country
// A bloc consumer (blocs.csv, e.g. the EU as EUU) has no single country: its `country` is
// kFirstBloc - b for the b-th bloc, a value no country index and not kRestOfWorld takes.
inline constexpr int kFirstBloc = -2;
inline constexpr bool IsBlocCountry(int country) { return country <= kFirstBloc; }

// How refined supply is shared after a shock (docs/simulation.md, "Market clearing").
enum class MarketRule : std::uint8_t {
  PooledRules,  // every baseline flow keeps flowing unless blocked; freed supply reallocated
  Market,       // a contract share keeps flowing; the spot share and freed supply clear again
};
const char* MarketRuleName(MarketRule r);
// Parses "market" or "pooled-rules"; false when unknown.
bool ParseMarketRule(std::string_view text, MarketRule& out);

// Parameters of the market rule (data/sim/parameters.csv, keys market_*).
struct MarketParams {
  MarketRule rule = MarketRule::Market;
  double contract_share_initial = 1;  // share of each baseline flow under contract at first
  double contract_share_later = 1;    // ... once `contract_hold_months` have passed since a shock began
  double contract_hold_months = 0;
  double leakage = 0;  // share of a targeted control's blocked tonnes that still reach the target
};

struct Consumer {
  std::string code;            // ISO3, a bloc code (EUU) or ROW
  int country = kRestOfWorld;  // CountryId index, kRestOfWorld, or a bloc's value (<= kFirstBloc)
  std::string name;            // the dataset's country name, the bloc's name, or "Rest of the world"
  std::vector<int> members;    // CountryId indexes the consumer buys for: {country}, a bloc's members, none for ROW

  // Whether country index `c` buys as part of this consumer.
  bool Includes(int c) const;
};

// One mineral's network. Flows are annual rates in the mineral's canonical unit (tonnes of content).
struct MineralNetwork {
  model::MineralId mineral;
  std::string id;    // mineral id
  std::string unit;  // canonical unit text
  int year = 0;
  bool has_ore_stage = false;  // false: refined output is given, no mine -> refinery stage

  std::vector<int> miners;                 // CountryId indexes (I)
  std::vector<double> mine_output;         // P_i
  std::vector<int> refiners;               // CountryId indexes (J)
  std::vector<double> refined_output;      // Q_j
  std::vector<double> refinery_capacity;   // C_j >= Q_j
  double yield = 1;                        // refined content per unit of ore content (sum Q / sum P)
  std::vector<double> ore_flow;            // I x J, row-major: F_ij
  std::vector<double> refined_flow;        // J x K, row-major: G_jk
  std::vector<int> miner_home_refiner;     // refiner index of a miner's own country, or -1
  std::vector<int> refiner_home_consumer;  // consumer index of a refiner's own country, or -1

  // Consumers: the network's consumer list (same for all minerals); demand may be unknown.
  std::vector<double> demand;                              // D_k, annual
  std::vector<std::array<double, kSectors>> sector_share;  // per consumer, sums to 1
  std::vector<double> stock;                               // t held at the start (0 when none or unknown)
  std::vector<double> stock_days;                          // days of cover; NaN when not known
  std::vector<bool> demand_known;

  // Route shares: for chokepoint c, the share of each ore flow (I x J) and refined flow (J x K)
  // through it. Empty vectors when no flow of this mineral passes c.
  std::vector<std::vector<float>> ore_route;
  std::vector<std::vector<float>> refined_route;

  // Supply added on top of the baseline (new projects), annual: not committed to any baseline
  // flow, so it is free supply that reallocation offers to short consumers. Empty = none.
  std::vector<double> extra_ore;      // per miner (I), ore content
  std::vector<double> extra_refined;  // per refiner (J), refined content
  // The part of extra_refined promised to named buyers by offtake (J x K, row-major, refined
  // content a year): delivered to those buyers before any reallocation. Empty = no offtake.
  std::vector<double> extra_offtake;

  // Per consumer: what its baseline refined flows came from ("import sources: ..." or "pooled").
  std::vector<std::string> flow_basis;
  std::vector<std::string> basis;    // how the baseline was built (pooled market, shares ...), in words
  std::vector<std::string> sources;  // source ids behind the baseline

  // Chains (data/sim/chains.csv, docs/simulation.md "Chains and components"): the dataset mineral
  // behind a split or a component (empty for a dataset mineral's own network); for a component,
  // its feed networks (a fixed recipe: output follows the scarcest feed) and, per feed and
  // producer (refiner), the feed network's consumer whose fill limits that producer's output (its
  // own country's, else the rest of the world).
  struct Feed {
    int mineral = -1;           // index into Network::minerals (before this network)
    double intensity = 0;       // feed units per unit of component
    std::vector<int> consumer;  // per refiner (J)
  };
  std::string parent;
  bool component = false;
  std::vector<Feed> feeds;
  bool Feeds(int m) const {
    for (const auto& f : feeds) {
      if (f.mineral == m) return true;
    }
    return false;
  }

  std::size_t I() const { return miners.size(); }
  std::size_t J() const { return refiners.size(); }
};

struct Network {
  model::Dataset dataset;
  int year = 0;
  std::vector<Consumer> consumers;       // K, the last is ROW
  std::vector<MineralNetwork> minerals;  // only minerals that can be simulated
  std::vector<std::string> skipped;      // "mineral: why" for minerals that cannot
  std::vector<ChokepointRow> chokepoints;
  std::vector<SimSource> sources;
  double refinery_headroom = 0;
  double stock_year_days = 365;
  MarketParams market;
  // Price reading (sim/price.hpp): short-run elasticities per mineral and the multiple's bound.
  std::vector<ElasticityRow> elasticities;
  double price_multiple_max = 10;

  std::size_t K() const { return consumers.size(); }
  const MineralNetwork* Find(std::string_view mineral) const;
  int FindMineralIndex(std::string_view mineral) const;
  int FindConsumer(std::string_view code) const;
  // The consumer that buys for `code`: the consumer of that code, else the bloc whose members
  // include that country (DEU -> EUU), else the rest of the world (the last consumer).
  int BuyerFor(std::string_view code) const;
  int FindChokepoint(std::string_view id) const;
};

// New supply (a project's capacity) added to a network: at a mining country (ore, which needs
// spare refining capacity to become refined supply) or at a refining country (refined supply).
// A country without that stage in the baseline becomes a node with no baseline flows.
// A share of an addition's output promised to one buyer (an offtake agreement).
struct OfftakeShare {
  std::string buyer;  // consumer code of the network (ISO3 or ROW)
  double share = 0;   // of the addition's output, in (0, 1]
  bool operator==(const OfftakeShare&) const = default;
};
struct SupplyAddition {
  std::string mineral;
  std::string country;  // ISO3
  bool refined = true;  // false: ore at a mine
  double tonnes_per_year = 0;
  // Output promised to named buyers (shares summing to at most 1); the rest is uncommitted. Only
  // refined supply carries an offtake (docs/simulation.md, "New supply"). Empty = none.
  std::vector<OfftakeShare> offtake = {};
};
// The network with the additions applied; throws Error InvalidRequest on an unknown mineral or
// country, and on an offtake that names a buyer not in the network, has a share outside (0, 1]
// or shares summing above 1, or is given for ore at a mine of a mineral with a mine stage.
// Shocks must be compiled against the returned network.
Network WithAdditions(const Network& net, const std::vector<SupplyAddition>& additions);

// Builds the baseline of `year` (production of that year, else the latest earlier year). Throws
// Error InvalidData when inputs contradict each other (listed demand above world supply ...).
Network BuildNetwork(const model::Dataset& dataset, const SimInputs& inputs, int year);

}  // namespace lodestone::sim
