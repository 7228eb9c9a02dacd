// Offtake of new supply (docs/simulation.md, "New supply"): promised tonnes reach their named
// buyers first, never across a control, and what a buyer cannot take is uncommitted supply again.
// Checked against hand-derived cases, mass balance and the naive oracle on every shipped scenario.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <string>
#include <vector>

#include "lodestone/data/loader.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/sim/simulate.hpp"
#include "naive_sim.hpp"
#include "shipped.hpp"

namespace lodestone::sim {
namespace {

using fixtures::Pooled;
using fixtures::Shipped;

namespace fs = std::filesystem;
const fs::path kRoot = LODESTONE_SOURCE_DIR;

Shock Ban(const std::string& country, const std::string& mineral, std::vector<std::string> only = {}) {
  Shock s;
  s.kind = ShockKind::ExportControl;
  s.country = country;
  s.minerals = {mineral};
  s.stage = SimStage::Refining;
  s.fraction = 1.0;
  s.months = 12;
  s.source = "test";
  if (!only.empty()) {
    s.targets.kind = Targets::Kind::Only;
    s.targets.codes = std::move(only);
  }
  return s;
}

Scenario Of(std::vector<Shock> shocks) {
  Scenario sc;
  sc.id = "test";
  sc.title = "test";
  sc.shocks = std::move(shocks);
  return sc;
}

// What the consumer went without over the horizon: shortfall after stockpiles plus what it drew.
double Gap(const ScenarioResult& r, const std::string& mineral, const std::string& consumer) {
  for (const auto& row : r.rows) {
    if (row.mineral == mineral && row.consumer == consumer && row.sector == "total")
      return row.flows.shortfall + row.flows.stock_drawn;
  }
  ADD_FAILURE() << "no row " << mineral << " " << consumer;
  return 0;
}

void ExpectSameBytes(const ScenarioResult& a, const ScenarioResult& b, const std::string& what) {
  ASSERT_EQ(a.rows.size(), b.rows.size()) << what;
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    const auto& x = a.rows[i].flows;
    const auto& y = b.rows[i].flows;
    const std::string row = what + " " + a.rows[i].mineral + " " + a.rows[i].consumer + " " + a.rows[i].sector;
    EXPECT_EQ(x.demand, y.demand) << row;
    EXPECT_EQ(x.delivered, y.delivered) << row;
    EXPECT_EQ(x.stock_drawn, y.stock_drawn) << row;
    EXPECT_EQ(x.shortfall, y.shortfall) << row;
  }
}

// Equal up to rounding: a buyer whose need is a rounding residue may take it in either step.
void ExpectSameFigures(const ScenarioResult& a, const ScenarioResult& b, const std::string& what) {
  ASSERT_EQ(a.rows.size(), b.rows.size()) << what;
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    const auto& x = a.rows[i].flows;
    const auto& y = b.rows[i].flows;
    const double tol = 1e-12 * std::max(1.0, x.demand);
    const std::string row = what + " " + a.rows[i].mineral + " " + a.rows[i].consumer + " " + a.rows[i].sector;
    EXPECT_NEAR(x.delivered, y.delivered, tol) << row;
    EXPECT_NEAR(x.stock_drawn, y.stock_drawn, tol) << row;
    EXPECT_NEAR(x.shortfall, y.shortfall, tol) << row;
  }
}

void ExpectBalanced(const Flows& f, const std::string& what) {
  const double scale = std::max(1.0, f.demand);
  EXPECT_NEAR(f.delivered + f.stock_drawn + f.shortfall, f.demand, 1e-9 * scale) << what;
  EXPECT_GE(f.shortfall, -1e-9 * scale) << what;
  EXPECT_GE(f.delivered, -1e-9 * scale) << what;
}

SupplyAddition Gallium(const std::string& country, double t, std::vector<OfftakeShare> offtake = {}) {
  return {"gallium", country, true, t, std::move(offtake)};
}

TEST(Offtake, PromisedTonnesReachTheNamedBuyerFirst) {
  const Network& net = Pooled();
  const auto sc = Of({Ban("CHN", "gallium")});
  const auto none = sim::Run(net, sc);
  const auto open = sim::Run(WithAdditions(net, {Gallium("AUS", 5.0)}), sc);
  const auto jpn = sim::Run(WithAdditions(net, {Gallium("AUS", 5.0, {{"JPN", 1.0}})}), sc);
  const double gap = Gap(none, "gallium", "JPN");
  ASSERT_GT(gap, 5.0);  // Japan is short by more than the addition: it takes all of it
  EXPECT_NEAR(gap - Gap(jpn, "gallium", "JPN"), 5.0, 1e-9);
  // Uncommitted, the same 5 t are shared with the other short buyers: Japan gets less.
  EXPECT_LT(gap - Gap(open, "gallium", "JPN"), 5.0 - 1e-6);
  // Japan's gain is the others' loss: all 5 t are placed either way.
  double relief_open = 0, relief_jpn = 0;
  for (const auto& c : net.consumers) {
    const std::string& k = c.code;
    relief_open += Gap(none, "gallium", k) - Gap(open, "gallium", k);
    relief_jpn += Gap(none, "gallium", k) - Gap(jpn, "gallium", k);
  }
  EXPECT_NEAR(relief_open, 5.0, 1e-9);
  EXPECT_NEAR(relief_jpn, 5.0, 1e-9);
}

TEST(Offtake, WhatTheBuyerCannotTakeIsSharedAsBefore) {
  const Network& net = Pooled();
  const auto sc = Of({Ban("CHN", "gallium")});
  const double gap = Gap(sim::Run(net, sc), "gallium", "JPN");
  const double t = gap + 40.0;  // more than Japan needs
  const auto r = sim::Run(WithAdditions(net, {Gallium("AUS", t, {{"JPN", 1.0}})}), sc);
  EXPECT_NEAR(Gap(r, "gallium", "JPN"), 0.0, 1e-9);
  double others = 0, others_gap = 0;
  const auto none = sim::Run(net, sc);
  for (const auto& c : net.consumers) {
    const std::string& k = c.code;
    if (k == "JPN") continue;
    others += Gap(none, "gallium", k) - Gap(r, "gallium", k);
    others_gap += Gap(none, "gallium", k);
  }
  ASSERT_GT(others_gap, 1.0);
  EXPECT_NEAR(others, std::min(40.0, others_gap), 1e-9);  // the rest went to the other short buyers
}

TEST(Offtake, ABuyerNotShortLeavesTheOthersAsWithoutOfftake) {
  // A control aimed at Japan alone: under the pooled rules the United States keeps its flows and
  // is never short, so its promised tonnes are uncommitted supply again. (Under the market rule a
  // buyer's spot share is not committed: it is short when the offtake step runs, and takes it.)
  const Network& net = Pooled();
  const auto sc = Of({Ban("CHN", "gallium", {"JPN"})});
  const auto none = sim::Run(net, sc);
  ASSERT_EQ(Gap(none, "gallium", "USA"), 0.0);
  ASSERT_GT(Gap(none, "gallium", "JPN"), 0.0);
  const auto open = sim::Run(WithAdditions(net, {Gallium("AUS", 5.0)}), sc);
  const auto usa = sim::Run(WithAdditions(net, {Gallium("AUS", 5.0, {{"USA", 0.7}})}), sc);
  ExpectSameFigures(open, usa, "pooled");
  EXPECT_NEAR(Gap(none, "gallium", "JPN") - Gap(usa, "gallium", "JPN"), 5.0, 1e-9);  // all of it helps Japan
}

TEST(Offtake, ABannedBuyerGetsNothingFromTheAddition) {
  // China bans gallium exports to the United States; a new Chinese refinery promises it all of its
  // output: none of it may go there, so it is uncommitted supply for the others.
  for (const Network* net : {&Pooled(), &Shipped()}) {
    const auto sc = Of({Ban("CHN", "gallium", {"USA"})});
    const auto none = sim::Run(*net, sc);
    ASSERT_GT(Gap(none, "gallium", "USA"), 0.0);
    const auto open = sim::Run(WithAdditions(*net, {Gallium("CHN", 5.0)}), sc);
    const auto usa = sim::Run(WithAdditions(*net, {Gallium("CHN", 5.0, {{"USA", 1.0}})}), sc);
    ExpectSameBytes(open, usa, MarketRuleName(net->market.rule));
    if (net->market.rule == MarketRule::PooledRules) {
      EXPECT_NEAR(Gap(usa, "gallium", "USA"), Gap(none, "gallium", "USA"), 1e-9);
    }
  }
  // The same promise from a country that may supply it does reach the United States.
  const auto sc = Of({Ban("CHN", "gallium", {"USA"})});
  const auto none = sim::Run(Pooled(), sc);
  const auto aus = sim::Run(WithAdditions(Pooled(), {Gallium("AUS", 5.0, {{"USA", 1.0}})}), sc);
  EXPECT_NEAR(Gap(none, "gallium", "USA") - Gap(aus, "gallium", "USA"), std::min(5.0, Gap(none, "gallium", "USA")),
              1e-9);
}

// Every simulated mineral gets a refined addition with offtakes (one buyer short, one perhaps not);
// every shipped scenario then balances and matches the naive oracle under both rules.
TEST(Offtake, ShippedScenariosBalanceAndMatchTheNaivePathWithOfftakes) {
  for (const Network* base : {&Pooled(), &Shipped()}) {
    std::vector<SupplyAddition> adds;
    for (const auto& mn : base->minerals) {
      const double world = std::accumulate(mn.refined_output.begin(), mn.refined_output.end(), 0.0);
      adds.push_back({mn.id, "AUS", true, 0.08 * world, {{"JPN", 0.5}, {"USA", 0.3}}});
      adds.push_back({mn.id, "CHN", true, 0.02 * world, {{"USA", 0.6}}});
    }
    const Network net = WithAdditions(*base, adds);
    for (const auto& entry : fs::directory_iterator(kRoot / "scenarios")) {
      if (entry.path().extension() != ".json" || entry.path().filename() == "register.json") continue;
      const auto sc = LoadScenario(entry.path());
      const auto fast = sim::Run(net, sc);
      const auto slow = naive::Evaluate(net, sc.shocks, sc.horizon_months);
      ASSERT_FALSE(fast.rows.empty());
      for (const auto& row : fast.rows) {
        const std::string what = sc.id + " " + row.mineral + " " + row.consumer + " " + row.sector;
        ExpectBalanced(row.flows, what);
        const auto& n = slow.at(row.mineral).at(row.consumer).at(row.sector);
        const double tol = 1e-9 * std::max(1.0, n.demand);
        EXPECT_NEAR(row.flows.shortfall, n.shortfall, tol) << what;
        EXPECT_NEAR(row.flows.stock_drawn, n.stock, tol) << what;
        EXPECT_NEAR(row.flows.delivered, n.delivered, tol) << what;
      }
    }
  }
}

// Register draws (controls, outages, chokepoints and demand shocks over parts of the horizon) on a
// network where every mineral has refined additions with offtakes: every evaluation balances and
// a sample matches the naive oracle, under both rules.
TEST(Offtake, MonteCarloWithOfftakesBalancesAndMatchesTheNaivePath) {
  const auto reg = LoadRegister(kRoot / "scenarios/register.json");
  const std::uint64_t runs = 300, seed = 13;
  const auto draws = DrawScenarios(reg, runs, seed);
  for (const Network* base : {&Pooled(), &Shipped()}) {
    std::vector<SupplyAddition> adds;
    for (const auto& mn : base->minerals) {
      const double world = std::accumulate(mn.refined_output.begin(), mn.refined_output.end(), 0.0);
      adds.push_back({mn.id, "AUS", true, 0.06 * world, {{"JPN", 0.4}, {"USA", 0.4}}});
      adds.push_back({mn.id, "CHN", true, 0.03 * world, {{"USA", 0.5}, {"ROW", 0.5}}});
    }
    const Network net = WithAdditions(*base, adds);
    McOptions opt;
    opt.runs = runs;
    opt.seed = seed;
    opt.threads = 1;  // the observer counts: one thread
    std::size_t checked = 0;
    opt.observe = [&](std::uint64_t sc, int m, const MineralOutcome& out) {
      for (std::size_t k = 0; k < net.K(); ++k) {
        for (int s = 0; s <= kSectors; ++s) ExpectBalanced(out.by_consumer[k][s], "mc");
      }
      if (checked++ % 4 != 0) return;  // the naive path recomputes every mineral: a sample
      std::vector<Shock> shocks;
      for (const auto& d : draws[sc]) {
        Shock s = reg.events[d.event].shock;
        s.fraction = d.fraction;
        s.factor = d.factor;
        s.start_month = d.start;
        s.months = d.months;
        shocks.push_back(s);
      }
      const auto slow = naive::Evaluate(net, shocks, reg.horizon_months);
      const auto& mn = net.minerals[m];
      for (std::size_t k = 0; k < net.K(); ++k) {
        const auto& n = slow.at(mn.id).at(net.consumers[k].code).at("total");
        ASSERT_NEAR(out.by_consumer[k][kSectors].shortfall, n.shortfall, 1e-9 * std::max(1.0, n.demand))
            << "scenario " << sc << " " << mn.id << " " << MarketRuleName(net.market.rule);
      }
    };
    const auto res = RunMonteCarlo(net, reg, opt);
    EXPECT_EQ(checked, res.mineral_evaluations);
    EXPECT_GT(checked, runs);
  }
}

// Without an offtake nothing changes: on every shipped scenario, the network built without one
// gives the same bytes as one whose offtake table exists but promises nothing (the offtake step
// runs and must leave every figure as it was).
TEST(Offtake, NoOfftakeGivesTheSameBytesOnEveryShippedScenario) {
  for (const Network* base : {&Pooled(), &Shipped()}) {
    std::vector<SupplyAddition> adds;
    for (const auto& mn : base->minerals) {
      const double world = std::accumulate(mn.refined_output.begin(), mn.refined_output.end(), 0.0);
      adds.push_back({mn.id, "AUS", true, 0.05 * world});
    }
    const Network plain = WithAdditions(*base, adds);
    Network zero = plain;
    for (auto& mn : zero.minerals) {
      EXPECT_TRUE(mn.extra_offtake.empty()) << mn.id;
      mn.extra_offtake.assign(mn.J() * zero.K(), 0.0);
    }
    for (const auto& entry : fs::directory_iterator(kRoot / "scenarios")) {
      if (entry.path().extension() != ".json" || entry.path().filename() == "register.json") continue;
      const auto sc = LoadScenario(entry.path());
      ExpectSameBytes(sim::Run(plain, sc), sim::Run(zero, sc), sc.id);
      ExpectSameBytes(sim::Run(*base, sc), sim::Run(WithAdditions(*base, {}), sc), sc.id + " (no additions)");
    }
  }
}

TEST(Offtake, MalformedOfftakesAreRefused) {
  auto kind = [](const std::vector<SupplyAddition>& adds) {
    try {
      WithAdditions(Pooled(), adds);
    } catch (const Error& e) {
      return e.kind();
    }
    return ErrorKind::Internal;
  };
  EXPECT_EQ(kind({Gallium("AUS", 5.0, {{"DEU", 0.5}})}), ErrorKind::InvalidRequest);  // not a consumer
  EXPECT_EQ(kind({Gallium("AUS", 5.0, {{"JPN", 0.0}})}), ErrorKind::InvalidRequest);
  EXPECT_EQ(kind({Gallium("AUS", 5.0, {{"JPN", 0.7}, {"USA", 0.4}})}), ErrorKind::InvalidRequest);
  EXPECT_EQ(kind({{"cobalt", "AUS", false, 100.0, {{"JPN", 0.5}}}}), ErrorKind::InvalidRequest);  // ore
  // A valid one lands on the addition's refinery row, in tonnes.
  const Network net = WithAdditions(Pooled(), {Gallium("AUS", 10.0, {{"JPN", 0.6}, {"USA", 0.2}})});
  const auto& ga = *net.Find("gallium");
  ASSERT_EQ(ga.extra_offtake.size(), ga.J() * net.K());
  EXPECT_NEAR(std::accumulate(ga.extra_offtake.begin(), ga.extra_offtake.end(), 0.0), 8.0, 1e-12);
  const int aus = static_cast<int>(net.dataset.FindCountry("AUS")->index());
  const auto j = static_cast<std::size_t>(std::find(ga.refiners.begin(), ga.refiners.end(), aus) - ga.refiners.begin());
  ASSERT_LT(j, ga.J());
  EXPECT_DOUBLE_EQ(ga.extra_offtake[j * net.K() + static_cast<std::size_t>(net.FindConsumer("JPN"))], 6.0);
  EXPECT_DOUBLE_EQ(ga.extra_offtake[j * net.K() + static_cast<std::size_t>(net.FindConsumer("USA"))], 2.0);
}

}  // namespace
}  // namespace lodestone::sim
