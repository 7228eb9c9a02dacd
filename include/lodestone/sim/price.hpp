// Price and demand response to a physical shortfall: the price multiple that clears a mineral's
// market given its short-run elasticities of demand and supply, and the demand it destroys
// (docs/simulation.md, "Price and demand response"). A reading beside the physical shortfall at
// pre-shock demand, not a change to it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lodestone/sim/network.hpp"
#include "lodestone/sim/simulate.hpp"

namespace lodestone::sim {

struct PriceResponse {
  double multiple = 1;          // price relative to the baseline price
  double demand_destroyed = 0;  // fraction of pre-shock demand given up at that price
  double supply_added = 0;      // fraction of pre-shock demand added by the supply response
  bool capped = false;          // the multiple reached its bound: part of the gap stays unserved
};

// The market-clearing response to a shortfall of `shortfall_fraction` of demand (0..1) with demand
// elasticity `demand_elasticity` (< 0) and supply elasticity `supply_elasticity` (>= 0):
//   p^e_d = (1 - s) p^e_s,  so  p = (1 - s)^(-1 / (|e_d| + e_s)),  bounded by `max_multiple`;
//   destroyed = 1 - p^e_d,  supply added = (1 - s)(p^e_s - 1).
// No shortfall: multiple 1, nothing destroyed. A shortfall of all demand gives the bound.
PriceResponse ClearPrice(double shortfall_fraction, double demand_elasticity, double supply_elasticity,
                         double max_multiple);

// The elasticities of a mineral, or nullptr when elasticities.csv has no row for it.
const ElasticityRow* FindElasticity(const Network& net, std::string_view mineral);

// Adds the price reading to a scenario's result: per mineral (world shortfall over world demand)
// into r.prices, per consumer (its own shortfall over its demand) into its total rows, and the
// elasticities' sources to r.sources. Minerals without elasticities get null readings and a note.
// sim::Run calls it; the bound is net.price_multiple_max (parameters.csv price_multiple_max).
void AddPriceResponse(const Network& net, ScenarioResult& r);
// The same for a Monte Carlo: each total row's P50 and P95 multiple from its shortfall quantiles
// (the multiple grows with the shortfall, so its quantiles are the shortfall's, mapped). sim::Finish
// calls it: no cost per scenario.
void AddPriceResponse(const Network& net, McResult& r);

}  // namespace lodestone::sim
