// The cathode component chains (docs/simulation.md, "Chains and components", "Several feeds"):
// LFP cathode fed by lithium, and the other cathode (NCM, NCA, LCO, LMO) fed by lithium, nickel,
// cobalt and manganese as a fixed recipe. The shipped rows as written, the networks built from
// them, the scarcest-feed rule by hand, the feeds' cuts together against the naive oracle, and
// the errors of a bad several-feed row.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "data/test_fixtures.hpp"
#include "lodestone/data/loader.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/sim/kernel.hpp"
#include "lodestone/sim/scenario.hpp"
#include "lodestone/sim/simulate.hpp"
#include "naive_sim.hpp"
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

Shock MineOutage(const std::string& country, const std::string& mineral, double fraction, double start, double months) {
  Shock s;
  s.kind = ShockKind::Outage;
  s.country = country;
  s.stage = SimStage::Mining;
  s.minerals = {mineral};
  s.fraction = fraction;
  s.start_month = start;
  s.months = months;
  s.source = "test";
  return s;
}

// The share of a buyer's demand not met (delivered or drawn from stock) over the run.
// A mineral the scenario does not touch loses nothing.
double Lost(const ScenarioResult& r, const std::string& m, const std::string& c) {
  if (std::find(r.minerals.begin(), r.minerals.end(), m) == r.minerals.end()) return 0;
  const auto& f = Row(r, m, c).flows;
  return f.demand > 0 ? std::clamp(1 - (f.delivered + f.stock_drawn) / f.demand, 0.0, 1.0) : 0.0;
}

TEST(CathodeChains, ShippedRowsAreAsSourced) {
  const SimInputs& in = Inputs();
  const ChainRow* lfp = in.FindChain("cathode_lfp");
  const ChainRow* ncm = in.FindChain("cathode_ncm_nca");
  ASSERT_NE(lfp, nullptr);
  ASSERT_NE(ncm, nullptr);
  EXPECT_EQ(lfp->kind, ChainRow::Kind::Component);
  EXPECT_EQ(lfp->feeds, std::vector<std::string>{"lithium"});
  ASSERT_EQ(lfp->intensities.size(), 1u);
  EXPECT_DOUBLE_EQ(lfp->intensities[0], 0.0440);  // LiFePO4: 6.94 / 157.755
  EXPECT_EQ(ncm->feeds, (std::vector<std::string>{"lithium", "nickel", "cobalt", "manganese"}));
  EXPECT_EQ(ncm->intensities, (std::vector<double>{0.0692, 0.347, 0.1161, 0.1342}));
  EXPECT_EQ(ncm->source, "assume_cathode_intensity");
  for (const char* id : {"cathode_lfp", "cathode_ncm_nca"}) {
    double sum = 0;
    std::map<std::string, double> share;
    for (const auto& r : in.chain_shares) {
      if (r.mineral != id) continue;
      sum += r.share;
      share[r.country] = r.share;
      EXPECT_EQ(r.source, "assume_cathode_producers");
    }
    EXPECT_NEAR(sum, 1.0, 1e-9) << id;
    EXPECT_GT(share.at("CHN"), 0.5) << id;
  }
  for (const auto& r : in.chain_shares) {
    if (r.mineral == "cathode_lfp") EXPECT_TRUE(r.country == "CHN" || r.country == "XOT") << r.country;
  }
}

// World demand from the WLD rows; buyers by cell output; every producer fed, for each feed, by its
// own country's buyer of that feed where its demand is known, else the rest of the world.
TEST(CathodeChains, NetworksAreBuiltFromTheirRows) {
  const Network& net = Shipped();
  const MineralNetwork* lfp = net.Find("cathode_lfp");
  const MineralNetwork* ncm = net.Find("cathode_ncm_nca");
  ASSERT_NE(lfp, nullptr);
  ASSERT_NE(ncm, nullptr);
  EXPECT_NEAR(World(*lfp), 1568000, 1e-6);
  EXPECT_NEAR(World(*ncm), 1370000, 1e-6);
  EXPECT_NEAR(ncm->demand[net.FindConsumer("CHN")], 0.76 * 1370000, 1e-6);
  EXPECT_NEAR(ncm->demand[net.FindConsumer("USA")], 0.0688 * 1370000, 1e-6);
  ASSERT_EQ(lfp->feeds.size(), 1u);
  ASSERT_EQ(ncm->feeds.size(), 4u);
  const char* ids[] = {"lithium", "nickel", "cobalt", "manganese"};
  for (std::size_t x = 0; x < 4; ++x) {
    const MineralNetwork& fd = net.minerals[ncm->feeds[x].mineral];
    EXPECT_EQ(fd.id, ids[x]);
    EXPECT_LT(ncm->feeds[x].mineral, net.FindMineralIndex("cathode_ncm_nca"));
    ASSERT_EQ(ncm->feeds[x].consumer.size(), ncm->J());
    for (std::size_t j = 0; j < ncm->J(); ++j) {
      const int k = ncm->feeds[x].consumer[j];
      const std::string code = Iso3(net, ncm->refiners[j]);
      if (k == static_cast<int>(net.K()) - 1) {
        EXPECT_TRUE(code == "XOT" || !fd.demand_known[net.FindConsumer(code)]) << code << " " << fd.id;
      } else {
        EXPECT_EQ(net.consumers[k].code, code) << fd.id;
        EXPECT_TRUE(fd.demand_known[k]) << code << " " << fd.id;
      }
    }
  }
  EXPECT_EQ(net.minerals[lfp->feeds[0].mineral].id, "lithium");
  // The basis names the recipe rule and every feed.
  EXPECT_TRUE(std::any_of(ncm->basis.begin(), ncm->basis.end(), [](const std::string& b) {
    return b.find("largest share") != std::string::npos &&
           b.find("lithium, nickel, cobalt, manganese") != std::string::npos;
  }));
}

// The scarcest feed limits each maker: cobalt and lithium cut over the whole horizon (one period),
// so each maker of the other cathode loses the larger of its buyers' unmet shares, each LFP maker
// lithium's alone, and the component runs equal runs with those outages written out.
TEST(CathodeChains, ScarcestFeedLimitsEachMaker) {
  const Network& net = Pooled();
  Scenario sc;
  sc.id = sc.title = "test";
  sc.shocks = {MineOutage("COD", "cobalt", 0.8, 0, 12), MineOutage("AUS", "lithium", 0.3, 0, 12)};
  const auto coupled = sim::Run(net, sc);
  const MineralNetwork& ncm = *net.Find("cathode_ncm_nca");
  const MineralNetwork& lfp = *net.Find("cathode_lfp");
  std::map<std::string, double> lost_ncm, lost_lfp;
  std::vector<Shock> written;
  for (const MineralNetwork* mn : {&ncm, &lfp}) {
    for (std::size_t j = 0; j < mn->J(); ++j) {
      const std::string code = Iso3(net, mn->refiners[j]);
      double l = 0;
      for (const auto& f : mn->feeds) {
        l = std::max(l, Lost(coupled, net.minerals[f.mineral].id, net.consumers[f.consumer[j]].code));
      }
      (mn == &ncm ? lost_ncm : lost_lfp)[code] = l;
      if (l <= 1e-12) continue;
      Shock o = MineOutage(code, mn->id, l, 0, 12);
      o.stage = SimStage::Component;
      written.push_back(o);
    }
  }
  // China's cobalt buyers go short when 80% of Congo's mines stop, so China's makers of the other
  // cathode lose more than lithium alone would take from them.
  const double li_chn = Lost(coupled, "lithium", "CHN");
  ASSERT_GT(lost_ncm.at("CHN"), li_chn + 0.01);
  EXPECT_NEAR(lost_lfp.at("CHN"), li_chn, 1e-12);
  for (const auto& p : coupled.producer_feed_loss) {
    const auto& lost = p.component == "cathode_ncm_nca" ? lost_ncm : lost_lfp;
    if (p.component != "cathode_ncm_nca" && p.component != "cathode_lfp") continue;
    EXPECT_NEAR(p.lost_t, p.output_t * lost.at(p.producer), 1e-9 * p.output_t) << p.component << " " << p.producer;
    EXPECT_EQ(p.feed, p.component == "cathode_lfp" ? "lithium" : "lithium;nickel;cobalt;manganese");
  }
  Scenario by_hand_sc = sc;
  by_hand_sc.shocks = written;
  const auto by_hand = sim::Run(net, by_hand_sc);
  for (const char* id : {"cathode_ncm_nca", "cathode_lfp"}) {
    for (const char* c : {"CHN", "USA", "EUU", "ROW"}) {
      const auto& a = Row(coupled, id, c);
      const auto& b = Row(by_hand, id, c);
      EXPECT_NEAR(a.flows.shortfall, b.flows.shortfall, 1e-9 * a.flows.demand) << id << " " << c;
      ExpectBalanced(a.flows, std::string(id) + " " + c);
    }
  }
}

// Feeds cut at different months: the periods are their cuts together, and in each a maker loses
// the largest feed shortfall of that period. The kernel against the naive oracle, which finds each
// feed's segment covering a period apart from the kernel's code.
TEST(CathodeChains, FeedsCutAtDifferentMonthsAgreeWithTheNaivePath) {
  const Network& net = Pooled();
  const std::vector<Shock> shocks = {MineOutage("AUS", "lithium", 0.5, 1, 4), MineOutage("COD", "cobalt", 0.9, 3, 6),
                                     MineOutage("IDN", "nickel", 0.4, 7.5, 3)};
  Scenario sc;
  sc.id = sc.title = "test";
  sc.shocks = shocks;
  const auto fast = sim::Run(net, sc);
  const auto slow = naive::Evaluate(net, shocks, 12);
  int rows = 0;
  for (const auto& row : fast.rows) {
    if (row.mineral.rfind("cathode_", 0) != 0) continue;
    ++rows;
    const auto& n = slow.at(row.mineral).at(row.consumer).at(row.sector);
    const double tol = 1e-9 * std::max(1.0, n.demand);
    EXPECT_NEAR(row.flows.shortfall, n.shortfall, tol) << row.mineral << " " << row.consumer << " " << row.sector;
    EXPECT_NEAR(row.flows.delivered, n.delivered, tol) << row.mineral << " " << row.consumer;
    ExpectBalanced(row.flows, row.mineral + " " + row.consumer + " " + row.sector);
  }
  EXPECT_GT(rows, 0);
  EXPECT_GT(Row(fast, "cathode_ncm_nca", "ROW").flows.shortfall, 0.0);
}

// A bad several-feed row: intensities that do not match the feeds, a feed named twice, and no WLD
// row for a component with several feeds; each reported at its file and line.
TEST(CathodeChains, BadSeveralFeedRowsAreReported) {
  // The shipped chains.csv with the other cathode's row replaced by `ncm` and `extra` appended.
  auto with_chains = [](const std::string& ncm, const std::string& extra) {
    auto dir = std::make_unique<lodestone::testing::TempDir>();
    for (const auto& e : fs::directory_iterator(kRoot / "data/sim")) {
      if (e.path().extension() == ".csv" && e.path().filename() != "chains.csv") {
        fs::copy_file(e.path(), dir->path() / e.path().filename());
      }
    }
    std::ifstream in(kRoot / "data/sim/chains.csv");
    std::string text, line;
    while (std::getline(in, line)) text += (line.rfind("cathode_ncm_nca,", 0) == 0 ? ncm : line) + "\n";
    lodestone::testing::WriteFile(dir->path() / "chains.csv", text + extra);
    return dir;
  };
  auto ds = data::LoadDatasetOrThrow(kRoot / "data/starter");
  {
    auto dir = with_chains(
        "cathode_ncm_nca,component,nickel,t cathode material,,lithium;nickel;nickel,0.07;0.35,,"
        "assume_cathode_intensity,",
        "");
    try {
      LoadSimInputs(dir->path(), ds);
      FAIL() << "expected an error";
    } catch (const lodestone::Error& e) {
      const std::string msg = e.diagnostics().Format();
      EXPECT_NE(msg.find(":6: error: feed 'nickel' is listed twice"), std::string::npos) << msg;
      EXPECT_NE(msg.find(":7: error: expected 3 intensities separated by ';'"), std::string::npos) << msg;
    }
  }
  {
    // A several-feed component with no WLD row in demand.csv.
    auto dir = with_chains(
        "cathode_ncm_nca,component,nickel,t cathode material,,lithium;nickel;cobalt;manganese,0.0692;0.347;0.1161;"
        "0.1342,,assume_cathode_intensity,",
        "cathode_other,component,nickel,t cathode material,,lithium;nickel,0.07;0.35,,assume_cathode_intensity,\n");
    try {
      BuildNetwork(ds, LoadSimInputs(dir->path(), ds), 2025);
      FAIL() << "expected an error";
    } catch (const lodestone::Error& e) {
      const std::string msg = e.diagnostics().Format();
      EXPECT_NE(msg.find("cathode_other has 2 feeds: expected its world demand as a WLD row of demand.csv"),
                std::string::npos)
          << msg;
    }
  }
}

}  // namespace
}  // namespace lodestone::sim
