// The shipped dataset, simulator inputs and 2025 network, loaded once per test process and shared
// by the simulator's test files (each used to build its own copy).
#pragma once

#include <filesystem>

#include "lodestone/data/loader.hpp"
#include "lodestone/sim/simulate.hpp"

namespace lodestone::sim::fixtures {

inline const std::filesystem::path& Root() {
  static const std::filesystem::path root = LODESTONE_SOURCE_DIR;
  return root;
}

inline const model::Dataset& Data() {
  static const model::Dataset ds = data::LoadDatasetOrThrow(Root() / "data/starter");
  return ds;
}

inline const SimInputs& Inputs() {
  static const SimInputs in = LoadSimInputs(Root() / "data/sim", Data());
  return in;
}

// The shipped network under its own market rule (the market rule, data/sim/parameters.csv).
inline const Network& Shipped() {
  static const Network net = BuildNetwork(Data(), Inputs(), 2025);
  return net;
}

// The shipped network under the pooled rules (the naive oracle implements those).
inline const Network& Pooled() {
  static const Network net = [] {
    Network n = Shipped();
    n.market.rule = MarketRule::PooledRules;
    return n;
  }();
  return net;
}

}  // namespace lodestone::sim::fixtures
