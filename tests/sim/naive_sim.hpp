// The naive reference path of the simulator, kept in the tests as the oracle: every scenario
// recomputes every mineral, month by month boundaries found by brute force, shocks resolved by
// country code with plain loops and maps, single thread. Written apart from src/sim/engine.cpp
// from the rules of docs/simulation.md.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "lodestone/sim/simulate.hpp"

namespace lodestone::sim::naive {

struct NaiveFlows {
  double demand = 0, delivered = 0, stock = 0, shortfall = 0;
};
// mineral id -> consumer code -> sector name (or "total") -> flows
using NaiveResult = std::map<std::string, std::map<std::string, std::map<std::string, NaiveFlows>>>;

NaiveResult Evaluate(const Network& net, const std::vector<Shock>& shocks, double horizon, bool defence_first = false);

}  // namespace lodestone::sim::naive
