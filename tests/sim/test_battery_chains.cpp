// The battery component chains (docs/simulation.md, "Chains and components"): natural-graphite
// anode material fed by the dataset's natural graphite. The shipped rows as written, mass balance
// on every shipped scenario, the feed coupling by hand, and the October 2025 battery controls.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "lodestone/data/loader.hpp"
#include "lodestone/sim/kernel.hpp"
#include "lodestone/sim/scenario.hpp"
#include "lodestone/sim/simulate.hpp"
#include "shipped.hpp"

namespace lodestone::sim {
namespace {

using fixtures::Data;
using fixtures::ExpectBalanced;
using fixtures::Inputs;
using fixtures::Iso3;
using fixtures::Pooled;
using fixtures::Row;
using fixtures::Shipped;
using fixtures::World;

namespace fs = std::filesystem;
const fs::path kRoot = LODESTONE_SOURCE_DIR;

// The shipped rows as written: the chain row, its producers, its demand, and a source in
// sources.csv behind every row of every chain.
TEST(BatteryChains, ShippedAnodeRowsAreAsSourced) {
  const SimInputs& in = Inputs();
  const ChainRow* c = in.FindChain("anode_graphite");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->kind, ChainRow::Kind::Component);
  EXPECT_EQ(c->parent, "graphite");
  EXPECT_EQ(c->feeds, std::vector<std::string>{"graphite"});
  EXPECT_EQ(c->unit, "t anode material");
  ASSERT_EQ(c->intensities.size(), 1u);
  EXPECT_DOUBLE_EQ(c->intensities[0], 2.5);  // 1 / 0.40, the midpoint of a 30-50% spheronisation yield
  EXPECT_EQ(c->trade_stage, "");             // no anode-material trade rows: the pooled rule
  EXPECT_EQ(c->source, "assume_anode_graphite_intensity");

  // Every chain's split by country sums to 1 (a component must have one; a split without rows keeps
  // its parent's); every row of a chain names a known source.
  std::map<std::string, double> sums;
  std::map<std::string, double> anode;
  for (const auto& r : in.chain_shares) {
    sums[r.mineral] += r.share;
    EXPECT_NE(in.FindSource(r.source), nullptr) << r.mineral << " " << r.country << " " << r.source;
    if (r.mineral == "anode_graphite") anode[r.country] = r.share;
  }
  for (const auto& chain : in.chains) {
    EXPECT_NE(in.FindSource(chain.source), nullptr) << chain.id;
    if (chain.kind == ChainRow::Kind::Component) {
      EXPECT_TRUE(sums.count(chain.id)) << chain.id << ": no producers in chain_shares.csv";
    }
    if (sums.count(chain.id)) EXPECT_NEAR(sums.at(chain.id), 1.0, 1e-9) << chain.id;
  }
  const std::map<std::string, double> expected = {{"CHN", 0.93}, {"KOR", 0.0329}, {"JPN", 0.0273}, {"XOT", 0.0098}};
  ASSERT_EQ(anode.size(), expected.size());
  for (const auto& [country, share] : expected) {
    ASSERT_TRUE(anode.count(country)) << country;
    EXPECT_NEAR(anode.at(country), share, 1e-12) << country;
  }
  for (const auto& d : in.demand) {
    if (in.FindChain(d.mineral)) EXPECT_NE(in.FindSource(d.source), nullptr) << d.mineral << " " << d.consumer;
  }
  for (const auto& s : in.sectors) {
    if (in.FindChain(s.mineral)) EXPECT_NE(in.FindSource(s.source), nullptr) << s.mineral << " " << s.region;
  }
}

// The network built from those rows: world demand is the published natural-graphite anode total
// (not graphite's demand over the intensity: most natural graphite goes to refractories), China,
// the United States and the EU take their cell-output shares, the other buyers are not known and
// counted in the rest of the world; producers are fed by their own country's graphite buyer.
TEST(BatteryChains, AnodeNetworkIsBuiltFromItsRows) {
  const Network& net = Shipped();
  const MineralNetwork* a = net.Find("anode_graphite");
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(a->component);
  EXPECT_FALSE(a->has_ore_stage);
  ASSERT_EQ(a->feeds.size(), 1u);
  const MineralNetwork& feed = net.minerals[a->feeds[0].mineral];
  EXPECT_EQ(feed.id, "graphite");
  EXPECT_DOUBLE_EQ(a->feeds[0].intensity, 2.5);
  const double world = World(*a);
  EXPECT_NEAR(world, 290000, 1e-6);
  EXPECT_LT(world * a->feeds[0].intensity, World(feed));
  EXPECT_NEAR(a->demand[net.FindConsumer("CHN")], 0.76 * 290000, 1e-6);
  EXPECT_NEAR(a->demand[net.FindConsumer("USA")], 0.0688 * 290000, 1e-6);
  EXPECT_NEAR(a->demand[net.FindConsumer("EUU")], 0.0973 * 290000, 1e-6);
  for (const char* code : {"JPN", "KOR", "IND", "TWN"}) {
    const int k = net.FindConsumer(code);
    EXPECT_FALSE(a->demand_known[k]) << code;
    EXPECT_EQ(a->demand[k], 0.0) << code;
  }
  EXPECT_NEAR(a->demand[net.K() - 1], (1 - 0.76 - 0.0688 - 0.0973) * 290000, 1e-6);
  for (std::size_t k = 0; k < net.K(); ++k) {
    EXPECT_EQ(a->flow_basis[k].rfind("pooled", 0), 0u) << net.consumers[k].code << ": " << a->flow_basis[k];
    EXPECT_DOUBLE_EQ(a->sector_share[k][static_cast<int>(Sector::EvBatteries)], 1.0);
  }
  // The notes on graphite's own refining shares (an upper bound halved, a sum normalised) are not
  // the anode makers' split, which chain_shares.csv gives whole.
  auto noted = [](const MineralNetwork& mn, const std::string& text) {
    return std::any_of(mn.basis.begin(), mn.basis.end(),
                       [&](const std::string& b) { return b.find(text) != std::string::npos; });
  };
  for (const char* note : {"counted at half the bound", "normalised to 1"}) {
    EXPECT_TRUE(noted(feed, note)) << note;
    EXPECT_FALSE(noted(*a, note)) << note;
  }
  ASSERT_EQ(a->J(), 4u);
  for (std::size_t j = 0; j < a->J(); ++j) {
    const std::string code = Iso3(net, a->refiners[j]);
    const std::string fc = net.consumers[a->feeds[0].consumer[j]].code;
    EXPECT_EQ(fc, code == "XOT" ? std::string("ROW") : code);
    EXPECT_TRUE(feed.demand_known[a->feeds[0].consumer[j]]) << code;
  }
}

// Mass balance of the anode chain on every shipped scenario, by consumer and sector; the
// scenarios that touch graphite or anode material do produce anode rows.
TEST(BatteryChains, AnodeBalancesOnEveryShippedScenario) {
  int touched = 0;
  for (const Network* net : {&Shipped(), &Pooled()}) {
    for (const auto& entry : fs::directory_iterator(kRoot / "scenarios")) {
      if (entry.path().extension() != ".json" || entry.path().filename() == "register.json") continue;
      const auto sc = LoadScenario(entry.path());
      const auto r = sim::Run(*net, sc);
      bool rows = false;
      for (const auto& row : r.rows) {
        if (row.mineral != "anode_graphite") continue;
        rows = true;
        ExpectBalanced(row.flows, sc.id + " " + row.consumer + " " + row.sector);
      }
      const bool names = std::any_of(sc.shocks.begin(), sc.shocks.end(), [](const Shock& s) {
        return std::find(s.minerals.begin(), s.minerals.end(), "anode_graphite") != s.minerals.end() ||
               std::find(s.minerals.begin(), s.minerals.end(), "graphite") != s.minerals.end();
      });
      if (names) EXPECT_TRUE(rows) << sc.id;
      touched += rows ? 1 : 0;
    }
  }
  EXPECT_GE(touched, 4);  // the battery controls and the widened graphite controls, on both rules
}

// The coupling by hand on the anode chain: one graphite outage in China over the whole horizon is
// one period, so each anode maker loses exactly the share of its feed buyer's graphite demand not
// met, and the anode run equals a run with those outages written out.
TEST(BatteryChains, GraphiteShortfallBecomesAnodeMakersOutage) {
  const Network& net = Pooled();
  Shock cut;
  cut.kind = ShockKind::Outage;
  cut.country = "CHN";
  cut.stage = SimStage::Refining;
  cut.minerals = {"graphite"};
  cut.fraction = 0.5;
  cut.months = 12;
  cut.source = "test";
  Scenario sc;
  sc.id = sc.title = "test";
  sc.shocks = {cut};
  const auto coupled = sim::Run(net, sc);
  std::vector<Shock> written;
  std::map<std::string, double> lost;
  for (const auto& [producer, buyer] : std::vector<std::pair<std::string, std::string>>{
           {"CHN", "CHN"}, {"KOR", "KOR"}, {"JPN", "JPN"}, {"XOT", "ROW"}}) {
    const auto& f = Row(coupled, "graphite", buyer);
    const double l = 1 - (f.flows.delivered + f.flows.stock_drawn) / f.flows.demand;
    lost[producer] = l;
    if (l <= 1e-12) continue;
    Shock o;
    o.kind = ShockKind::Outage;
    o.country = producer;
    o.stage = SimStage::Component;
    o.minerals = {"anode_graphite"};
    o.fraction = l;
    o.months = 12;
    o.source = "test";
    written.push_back(o);
  }
  ASSERT_GT(lost.at("CHN"), 0.01);  // China's own graphite buyers are short when half its output stops
  sc.shocks = written;
  const auto by_hand = sim::Run(net, sc);
  for (const char* c : {"CHN", "USA", "EUU", "ROW"}) {
    const auto& a = Row(coupled, "anode_graphite", c);
    const auto& b = Row(by_hand, "anode_graphite", c);
    EXPECT_NEAR(a.flows.shortfall, b.flows.shortfall, 1e-9 * a.flows.demand) << c;
    EXPECT_NEAR(a.flows.delivered, b.flows.delivered, 1e-9 * a.flows.demand) << c;
    ExpectBalanced(a.flows, std::string("anode_graphite ") + c);
  }
  double feed_loss = 0;
  for (const auto& p : coupled.producer_feed_loss) {
    if (p.component != "anode_graphite") continue;
    EXPECT_EQ(p.feed, "graphite");
    EXPECT_NEAR(p.lost_t, p.output_t * lost.at(p.producer), 1e-9 * p.output_t) << p.producer;
    feed_loss += p.lost_t;
  }
  EXPECT_GT(feed_loss, 0.0);
}

// The October 2025 battery controls as announced (suspended before they took effect): China's own
// anode use is untouched, the buyers of its exports go short, the anode makers keep their feed.
TEST(BatteryChains, OctoberBatteryControlsReachTheBuyersOfChinasAnodeExports) {
  const Network& net = Shipped();
  const auto sc = LoadScenario(kRoot / "scenarios/cn-2025-10-battery-controls.json");
  const auto r = sim::Run(net, sc);
  EXPECT_EQ(Row(r, "anode_graphite", "CHN").flows.shortfall, 0.0);
  for (const char* c : {"USA", "EUU", "ROW"}) {
    const auto& row = Row(r, "anode_graphite", c);
    ExpectBalanced(row.flows, c);
    ASSERT_TRUE(row.shortfall_pct.has_value()) << c;
    EXPECT_GT(*row.shortfall_pct, 1.0) << c;
    EXPECT_LT(*row.shortfall_pct, 90.0) << c;
  }
  for (const auto& p : r.producer_feed_loss) EXPECT_EQ(p.lost_t, 0.0) << p.component << " " << p.producer;
  EXPECT_EQ(std::count(r.minerals.begin(), r.minerals.end(), "graphite"), 0);
}

}  // namespace
}  // namespace lodestone::sim
