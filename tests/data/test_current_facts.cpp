// Tests: the current facts of the shipped data. Each correction is pinned on the shipped files, so
// that a rebuild cannot silently bring back a stale figure; and one fact (a country's share of a
// refining stage, a consumer's demand) is the same number in the dataset, the supply façade, the
// simulator's network and the outlook.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "data/test_fixtures.hpp"
#include "lodestone/data/loader.hpp"
#include "lodestone/data/refining.hpp"
#include "lodestone/data/summary.hpp"
#include "lodestone/data/supply.hpp"
#include "lodestone/outlook/data.hpp"
#include "lodestone/sim/inputs.hpp"
#include "lodestone/sim/network.hpp"

using namespace lodestone;

namespace {

const model::Dataset& Shipped() {
  static const model::Dataset ds = data::LoadDatasetOrThrow(lodestone::testing::ShippedDataDir());
  return ds;
}

const sim::SimInputs& Sim() {
  static const sim::SimInputs in = sim::LoadSimInputs(lodestone::testing::SourceDir() / "data" / "sim", Shipped());
  return in;
}

// The latest global refining distribution of a mineral in shares.csv: period and ISO3 -> cell.
struct Distribution {
  std::string period;
  std::map<std::string, model::Value> share;
};

Distribution LatestRefining(const std::string& mineral) {
  const auto& ds = Shipped();
  const auto& t = ds->shares;
  auto m = ds.FindMineral(mineral);
  auto s = ds.FindStage("refining");
  Distribution d;
  if (!m || !s) return d;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t.mineral[i] == *m && t.stage[i] == *s && t.scope[i] == "global" && t.period[i] > d.period) {
      d.period = t.period[i];
    }
  }
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t.mineral[i] == *m && t.stage[i] == *s && t.scope[i] == "global" && t.period[i] == d.period) {
      d.share[ds.Country(t.country[i]).iso3] = t.share[i];
    }
  }
  return d;
}

}  // namespace

// Item 1: the current refining picture, not the EU 2016-2020 shares.
TEST(CurrentFacts, LatestRefiningSharesAreTheRecentPublications) {
  struct Want {
    const char* mineral;
    const char* period;
    const char* iso3;
    double share;
  };
  for (const auto& w : {Want{"lithium", "2024", "CHN", 0.70}, Want{"cobalt", "2022", "CHN", 0.77},
                        Want{"nickel", "2023", "IDN", 0.37}, Want{"nickel", "2023", "CHN", 0.28},
                        Want{"rare_earths", "2023", "CHN", 0.92}, Want{"rare_earths", "2023", "MYS", 0.05}}) {
    auto d = LatestRefining(w.mineral);
    EXPECT_EQ(d.period, w.period) << w.mineral;
    ASSERT_TRUE(d.share.count(w.iso3)) << w.mineral << " " << w.iso3;
    EXPECT_TRUE(d.share[w.iso3].IsKnown()) << w.mineral;
    EXPECT_DOUBLE_EQ(d.share[w.iso3].number, w.share) << w.mineral << " " << w.iso3;
  }
  // Battery-grade graphite: a published lower bound, the rest an upper bound.
  auto g = LatestRefining("graphite");
  EXPECT_EQ(g.period, "2023");
  ASSERT_TRUE(g.share.count("CHN"));
  EXPECT_EQ(g.share["CHN"].status, model::ValueStatus::AtLeast);
  EXPECT_DOUBLE_EQ(g.share["CHN"].number, 0.9);
  EXPECT_EQ(g.share["XOT"].status, model::ValueStatus::AtMost);
  // Nickel: Indonesia leads, not China (the 2016-2020 split had China 33.4%, Indonesia 12.2%).
  auto n = LatestRefining("nickel");
  EXPECT_GT(n.share["IDN"].number, n.share["CHN"].number);
}

TEST(CurrentFacts, OlderRefiningSeriesStayAsHistory) {
  const auto& ds = Shipped();
  const auto& t = ds->shares;
  auto m = ds.FindMineral("nickel");
  auto s = ds.FindStage("refining");
  ASSERT_TRUE(m && s);
  std::size_t eu = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t.mineral[i] == *m && t.stage[i] == *s && t.period[i] == "2016-2020" && t.scope[i] == "global") ++eu;
  }
  EXPECT_GT(eu, 10u);
}

// The supply façade shows the latest period, with its year, for every mineral the issue names.
TEST(CurrentFacts, SupplyShowsTheLatestRefiningYear) {
  data::SupplyRequest req;
  req.minerals = {"lithium", "cobalt", "nickel", "graphite", "rare_earths"};
  const auto result = data::Supply(Shipped(), req);
  std::map<std::string, std::string> period;
  std::map<std::string, std::optional<double>> china;
  for (const auto& m : result.minerals) {
    for (const auto& s : m.stages) {
      if (s.stage != "refining") continue;
      period[m.id] = s.period;
      for (const auto& c : s.countries) {
        if (c.iso3 == "CHN") china[m.id] = c.share;
      }
    }
  }
  EXPECT_EQ(period["lithium"], "2024");
  EXPECT_EQ(period["cobalt"], "2022");
  EXPECT_EQ(period["nickel"], "2023");
  EXPECT_EQ(period["graphite"], "2023");
  EXPECT_EQ(period["rare_earths"], "2023");
  EXPECT_DOUBLE_EQ(china["lithium"].value_or(-1), 0.70);
  EXPECT_DOUBLE_EQ(china["cobalt"].value_or(-1), 0.77);
  EXPECT_DOUBLE_EQ(china["nickel"].value_or(-1), 0.28);
  EXPECT_DOUBLE_EQ(china["rare_earths"].value_or(-1), 0.92);
}

// One fact everywhere: the simulator's refined output by country is the dataset's latest split,
// with no override file changing it, and the outlook reads the same split.
TEST(CurrentFacts, SimulatorAndOutlookUseTheDatasetRefiningShares) {
  EXPECT_TRUE(Sim().refining.empty()) << "data/sim/refining.csv overrides the dataset's refining shares";
  const auto net = sim::BuildNetwork(Shipped(), Sim(), 2025);
  for (const char* mineral : {"lithium", "cobalt", "nickel", "rare_earths"}) {
    const auto* mn = net.Find(mineral);
    ASSERT_NE(mn, nullptr) << mineral;
    double total = 0;
    for (double q : mn->refined_output) total += q;
    ASSERT_GT(total, 0) << mineral;
    const auto split = data::GlobalRefiningSplit(Shipped(), *Shipped().FindMineral(mineral), {}, "");
    auto d = LatestRefining(mineral);
    for (std::size_t j = 0; j < mn->refiners.size(); ++j) {
      const auto& iso3 = Shipped().Country(model::CountryId{static_cast<std::uint16_t>(mn->refiners[j])}).iso3;
      if (iso3 == "XOT") continue;
      ASSERT_TRUE(d.share.count(iso3)) << mineral << ": the simulator refines in " << iso3;
      EXPECT_NEAR(mn->refined_output[j] / total, d.share[iso3].number, 1e-9) << mineral << " " << iso3;
      auto c = Shipped().FindCountry(iso3);
      EXPECT_NEAR(split.share.at(*c), d.share[iso3].number, 1e-9) << mineral << " " << iso3;
    }
  }
}

// Item 2: demand, stockpiles and measures as corrected.
TEST(CurrentFacts, UsRareEarthDemandIsConsumptionNotStockBuilding) {
  bool found = false;
  for (const auto& r : Sim().demand) {
    if (r.mineral == "rare_earths" && r.consumer == "USA") {
      found = true;
      ASSERT_TRUE(r.quantity.IsKnown());
      EXPECT_DOUBLE_EQ(r.quantity.number, 9010);
      EXPECT_EQ(r.source, "assume_us_ree_consumption");
    }
  }
  EXPECT_TRUE(found);
}

TEST(CurrentFacts, JapanHoldsRareEarthsUnderItsSixtyDayTarget) {
  bool found = false;
  for (const auto& r : Sim().stockpiles) {
    if (r.consumer == "JPN" && r.mineral == "rare_earths") {
      found = true;
      ASSERT_TRUE(r.days.IsKnown());
      EXPECT_DOUBLE_EQ(r.days.number, 60);
      EXPECT_EQ(r.basis, "target");
    }
  }
  EXPECT_TRUE(found);
}

TEST(CurrentFacts, ExportMeasuresOnJapanAndUsGraphiteAreRecordedAsPublished) {
  const auto& ds = Shipped();
  const auto& p = ds->policies;
  bool japan = false, graphite_review = false;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const auto& mineral = ds.Mineral(p.mineral[i]).id;
    if (p.id[i] == "CN-2026-JPN-MIL") {
      japan = true;
      EXPECT_EQ(p.targets[i], "JPN");
      EXPECT_EQ(p.status[i], "in_force");
      EXPECT_EQ(p.effective[i], "2026-01-06");
    }
    if (p.id[i] == "CN-2024-US-BAN") EXPECT_NE(mineral, "graphite") << "the graphite review is not a ban";
    if (p.id[i] == "CN-2024-US-GRAPHITE") {
      graphite_review = true;
      EXPECT_EQ(p.kind[i], "licence");
      EXPECT_EQ(mineral, "graphite");
    }
  }
  EXPECT_TRUE(japan);
  EXPECT_TRUE(graphite_review);
}

// One consumer demand, one number: the outlook's shares of world demand for the US and Japan are
// the simulator's figures over world 2025 mine output.
TEST(CurrentFacts, OutlookAndSimulatorAgreeOnConsumerDemand) {
  const auto od = outlook::LoadOutlookData(lodestone::testing::SourceDir() / "data" / "outlook", Shipped());
  const auto& ds = Shipped();
  auto world = [&](const std::string& mineral) {
    const auto& t = ds->production;
    auto m = ds.FindMineral(mineral);
    auto s = ds.FindStage("mining");
    auto w = ds.FindCountry("WLD");
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (t.mineral[i] == *m && t.stage[i] == *s && t.country[i] == *w && t.year[i] == 2025) {
        return t.quantity[i].number;
      }
    }
    return 0.0;
  };
  std::size_t compared = 0;
  for (const auto& a : od.demand) {
    if (a.basis != outlook::AnchorBasis::ShareOfWorld || (a.region != "USA" && a.region != "JPN")) continue;
    for (const auto& r : Sim().demand) {
      if (r.mineral != a.mineral || r.consumer != a.region) continue;
      double sim_share = -1;
      if (r.share_of_world.IsKnown()) {
        sim_share = r.share_of_world.number;
      } else if (r.quantity.IsKnown() && world(r.mineral) > 0) {
        sim_share = r.quantity.number / world(r.mineral);
      } else {
        continue;  // the simulator has no figure (USGS withholds it): the outlook's rule stands
      }
      EXPECT_NEAR(a.value, sim_share, 0.0006) << a.region << " " << a.mineral;
      ++compared;
    }
  }
  EXPECT_GE(compared, 12u);
}

// Item 7: data info says how fresh each table is.
TEST(CurrentFacts, DatasetInfoListsEachTablesLatestYear) {
  const auto info = data::DescribeDataset(Shipped());
  ASSERT_TRUE(info.freshness.count("production.csv"));
  EXPECT_EQ(info.freshness.at("production.csv").latest, "2025");
  EXPECT_EQ(info.freshness.at("shares.csv").latest, "2024");
  EXPECT_GE(info.freshness.at("policies.csv").latest, std::string("2026-01-06"));  // CN-2026-JPN-MIL or later
  const auto& src = info.freshness.at("production.csv").sources;
  EXPECT_NE(std::find(src.begin(), src.end(), "usgs_mcs2026"), src.end());
}

// Germanium: one China share. The dataset's latest refining share (59.2%, 2023) and the simulator's
// world total (China's 85,000 kg over a China share of about 60%) use the same fact, not the EU
// 2016-2020 average of 83.1%.
TEST(CurrentFacts, GermaniumWorldTotalAndChinaShareAgree) {
  auto d = LatestRefining("germanium");
  EXPECT_EQ(d.period, "2023");
  ASSERT_TRUE(d.share.count("CHN"));
  EXPECT_DOUBLE_EQ(d.share["CHN"].number, 0.592);
  double world = 0;
  for (const auto& r : Sim().demand) {
    if (r.mineral == "germanium" && r.consumer == "WLD") world = r.quantity.number;
  }
  ASSERT_GT(world, 0);
  EXPECT_NEAR(85.0 / world, d.share["CHN"].number, 0.03);  // t Ge, the canonical unit
}

// The USGS heavy rare-earth import rows are imported: terbium, holmium and lutetium came 100% from
// China in 2021-24.
TEST(CurrentFacts, HeavyRareEarthImportSourcesAreImported) {
  const auto& ds = Shipped();
  const auto& t = ds->import_sources;
  std::map<std::string, double> china;  // mineral/material -> China's share
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (ds.Country(t.consumer[i]).iso3 != "USA" || ds.Country(t.country[i]).iso3 != "CHN") continue;
    china[ds.Mineral(t.mineral[i]).id + "/" + t.material[i]] = t.share[i].number;
  }
  EXPECT_DOUBLE_EQ(china["terbium/compounds and metals"], 1.0);
  EXPECT_DOUBLE_EQ(china["rare_earths/holmium compounds and metals"], 1.0);
  EXPECT_DOUBLE_EQ(china["rare_earths/lutetium compounds and metals"], 1.0);
}
