// The shipped dataset, simulator inputs and 2025 network, loaded once per test process and shared
// by the simulator's test files (each used to build its own copy).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <numeric>
#include <stdexcept>
#include <string>

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

// Mass balance of one flow, and no negative part (relative to its demand).
inline void ExpectBalanced(const Flows& f, const std::string& what) {
  const double scale = std::max(1.0, f.demand);
  EXPECT_NEAR(f.delivered + f.stock_drawn + f.shortfall, f.demand, 1e-9 * scale) << what;
  EXPECT_GE(f.shortfall, -1e-9 * scale) << what;
  EXPECT_GE(f.stock_drawn, -1e-9 * scale) << what;
  EXPECT_GE(f.delivered, -1e-9 * scale) << what;
}

// A consumer's total row of one mineral in a result; throws when the result has none.
inline const ScenarioRow& Row(const ScenarioResult& r, const std::string& m, const std::string& c) {
  for (const auto& row : r.rows) {
    if (row.mineral == m && row.consumer == c && row.sector == "total") return row;
  }
  throw std::runtime_error("no row " + m + " " + c);
}

inline std::string Iso3(const Network& net, int country) {
  return net.dataset.Country(model::CountryId{static_cast<std::uint16_t>(country)}).iso3;
}

inline double World(const MineralNetwork& mn) { return std::accumulate(mn.demand.begin(), mn.demand.end(), 0.0); }

}  // namespace lodestone::sim::fixtures
