// Tests: the current facts of the shipped data. Each correction is pinned on the shipped files, so
// that a rebuild cannot silently bring back a stale figure; and one fact (a country's share of a
// refining stage, a consumer's demand) is the same number in the dataset, the supply façade, the
// simulator's network and the outlook.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "data/test_fixtures.hpp"
#include "lodestone/data/loader.hpp"
#include "lodestone/data/named_table.hpp"
#include "lodestone/data/refining.hpp"
#include "lodestone/data/summary.hpp"
#include "lodestone/data/supply.hpp"
#include "lodestone/outlook/data.hpp"
#include "lodestone/risk/assess.hpp"
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
  EXPECT_EQ(info.freshness.at("shares.csv").latest, "2025");                       // gallium refining, USGS 2025
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

// Item 1, continued: gallium, processed manganese and heavy rare-earth separation have their latest
// published refining shares, each with its year.
TEST(CurrentFacts, GalliumManganeseAndHeavyRareEarthRefiningShares) {
  auto ga = LatestRefining("gallium");
  EXPECT_EQ(ga.period, "2025");
  EXPECT_DOUBLE_EQ(ga.share["CHN"].number, 0.99);
  EXPECT_DOUBLE_EQ(ga.share["RUS"].number, 0.007);
  EXPECT_DOUBLE_EQ(ga.share["JPN"].number, 0.003);
  EXPECT_EQ(ga.share.count("XOT"), 0u) << "the three producers USGS names sum to 100%";

  auto mn = LatestRefining("manganese");
  EXPECT_EQ(mn.period, "2021");
  ASSERT_TRUE(mn.share.count("CHN"));
  EXPECT_EQ(mn.share["CHN"].status, model::ValueStatus::AtLeast);
  EXPECT_DOUBLE_EQ(mn.share["CHN"].number, 0.9);
  EXPECT_EQ(mn.share["XOT"].status, model::ValueStatus::AtMost);
  EXPECT_DOUBLE_EQ(mn.share["XOT"].number, 0.1);

  for (const char* heavy : {"dysprosium", "terbium"}) {
    auto d = LatestRefining(heavy);
    EXPECT_EQ(d.period, "2023") << heavy;
    ASSERT_TRUE(d.share.count("CHN")) << heavy;
    EXPECT_TRUE(d.share["CHN"].IsKnown()) << heavy;
    EXPECT_DOUBLE_EQ(d.share["CHN"].number, 0.999) << heavy;
    EXPECT_DOUBLE_EQ(d.share["XOT"].number, 0.001) << heavy;
  }
}

// The low-evidence antimony refining row (a blog's two-country total) is not shipped as fact:
// antimony's latest refining shares stay the EU 2016-2020 split.
TEST(CurrentFacts, LowEvidenceRefiningRowsAreNotShipped) {
  EXPECT_EQ(LatestRefining("antimony").period, "2016-2020");
  EXPECT_EQ(LatestRefining("tungsten").period, "2016-2020");
}

// The supply façade prints the new refining pictures with their year; gallium's refinery tonnes
// (USGS) and its published shares are the same fact.
TEST(CurrentFacts, SupplyShowsGalliumManganeseAndHeavyRareEarthRefining) {
  data::SupplyRequest req;
  req.minerals = {"gallium", "manganese", "dysprosium", "terbium"};
  const auto result = data::Supply(Shipped(), req);
  std::map<std::string, const data::SupplyStage*> refining;
  for (const auto& m : result.minerals) {
    for (const auto& s : m.stages) {
      if (s.stage == "refining") refining[m.id] = &s;
    }
  }
  ASSERT_TRUE(refining.count("gallium") && refining.count("manganese") && refining.count("dysprosium") &&
              refining.count("terbium"));
  const auto* ga = refining["gallium"];
  EXPECT_EQ(ga->year, 2025);
  EXPECT_FALSE(ga->from_shares) << "gallium refining comes from USGS refinery tonnes";
  auto ga_shares = LatestRefining("gallium");
  std::size_t compared = 0;
  for (const auto& c : ga->countries) {
    if (!c.share || !ga_shares.share.count(c.iso3)) continue;
    // Published shares are rounded to 0.1%.
    EXPECT_NEAR(*c.share, ga_shares.share[c.iso3].number, 0.0005) << c.iso3;
    ++compared;
  }
  EXPECT_EQ(compared, 3u);

  EXPECT_EQ(refining["manganese"]->period, "2021");
  EXPECT_TRUE(refining["manganese"]->from_shares);
  for (const char* heavy : {"dysprosium", "terbium"}) {
    const auto* s = refining[heavy];
    EXPECT_EQ(s->period, "2023") << heavy;
    bool china = false;
    for (const auto& c : s->countries) {
      if (c.iso3 == "CHN") {
        china = true;
        EXPECT_DOUBLE_EQ(c.share.value_or(-1), 0.999) << heavy;
      }
    }
    EXPECT_TRUE(china) << heavy;
  }
}

// The risk table reads the same refining shares, with the same year in its basis.
TEST(CurrentFacts, RiskUsesTheLatestRefiningShares) {
  risk::AssessRequest req;
  req.minerals = {"dysprosium", "gallium", "manganese"};
  req.methods = {risk::Method::Concentration};
  const auto result = risk::Assess(Shipped(), req);
  std::map<std::string, std::string> basis;
  for (const auto& r : result.rows) {
    if (r.stage == "refining") basis[r.mineral] = r.basis;
  }
  EXPECT_NE(basis["dysprosium"].find("2023"), std::string::npos) << basis["dysprosium"];
  EXPECT_NE(basis["manganese"].find("2021"), std::string::npos) << basis["manganese"];
  EXPECT_NE(basis["gallium"].find("2025"), std::string::npos) << basis["gallium"];
  bool dy = false;
  for (const auto& v : risk::Verdicts(result)) {
    if (v.mineral != "dysprosium") continue;
    dy = true;
    EXPECT_EQ(v.stage, "refining");
    EXPECT_DOUBLE_EQ(v.top_share.value_or(-1), 0.999);
  }
  EXPECT_TRUE(dy);
}

// Item 2: lithium, platinum and palladium are among METI's designated rare metals, so Japan's
// 60-day national target applies to them; graphite and copper are not, and hold no stock.
TEST(CurrentFacts, JapanStockpileTargetsFollowTheDesignatedRareMetals) {
  std::map<std::string, const sim::StockpileRow*> jp;
  for (const auto& r : Sim().stockpiles) {
    if (r.consumer == "JPN") jp[r.mineral] = &r;
  }
  for (const char* m : {"lithium", "platinum", "palladium", "rare_earths", "cobalt", "gallium"}) {
    ASSERT_TRUE(jp.count(m)) << m;
    ASSERT_TRUE(jp[m]->days.IsKnown()) << m;
    EXPECT_DOUBLE_EQ(jp[m]->days.number, 60) << m;
    EXPECT_EQ(jp[m]->basis, "target") << m;
  }
  for (const char* m : {"graphite", "copper"}) {
    ASSERT_TRUE(jp.count(m)) << m;
    EXPECT_FALSE(jp[m]->days.IsKnown()) << m;
  }
  // The simulator's network holds the same days of cover for Japan.
  const auto net = sim::BuildNetwork(Shipped(), Sim(), 2025);
  const int k = net.FindConsumer("JPN");
  ASSERT_GE(k, 0);
  std::size_t compared = 0;
  for (const char* m : {"lithium", "platinum", "palladium"}) {
    const auto* mn = net.Find(m);
    if (mn == nullptr) continue;  // a mineral the simulator cannot build is reported as skipped
    EXPECT_DOUBLE_EQ(mn->stock_days[static_cast<std::size_t>(k)], 60) << m;
    ++compared;
  }
  EXPECT_EQ(compared, 3u);
}

// Item 3 (projects): every shipped project comes from the curated public list, with as many
// source URLs as cited sources, each an address; the sample grew with the December 2026 rows.
TEST(CurrentFacts, ShippedProjectsAreTheCuratedPublicProjectsWithSources) {
  model::Diagnostics diags;
  const auto root = lodestone::testing::SourceDir();
  const auto shipped = data::ReadNamedTable(root / "data/projects/projects.csv",
                                            {"id", "mineral", "development_stage", "source", "url"}, diags);
  const auto curated =
      data::ReadNamedTable(root / "sources/curated/projects_public.csv", {"id", "source", "url"}, diags);
  ASSERT_FALSE(diags.HasErrors());
  std::set<std::string> curated_ids;
  for (std::size_t r = 0; r < curated.rows.size(); ++r) curated_ids.insert(curated.Cell(r, "id"));
  auto count = [](const std::string& s) {
    std::size_t n = 1;
    for (std::size_t p = s.find(" | "); p != std::string::npos; p = s.find(" | ", p + 3)) ++n;
    return n;
  };
  std::set<std::string> ids;
  for (std::size_t r = 0; r < shipped.rows.size(); ++r) {
    const auto& id = shipped.Cell(r, "id");
    ids.insert(id);
    EXPECT_TRUE(curated_ids.count(id)) << id << " is not in sources/curated/projects_public.csv";
    const auto& url = shipped.Cell(r, "url");
    ASSERT_FALSE(url.empty()) << id;
    EXPECT_EQ(url.rfind("http", 0), 0u) << id;
    // The source text cites as many pages as there are addresses (the list's own suffix aside).
    const auto& source = shipped.Cell(r, "source");
    const auto cut = source.find(" (via Lodestone curated list");
    ASSERT_NE(cut, std::string::npos) << id;
    EXPECT_EQ(count(source.substr(0, cut)), count(url)) << id;
  }
  EXPECT_GE(ids.size(), 81u);
  for (const char* added :
       {"perpetua_stibnite",    "usac_thompson_falls",     "graphite_one_creek",  "south32_hermosa_mn",
        "ucore_louisiana",      "terravolta_liberty_owl",  "caremag_lacq",        "tanbreez_greenland",
        "anovion_bainbridge",   "piedmont_tennessee",      "abtc_tonopah",        "kabanga_nickel",
        "halleck_creek",        "quebrada_blanca_p2",      "quellaveco",          "centinela_expansion",
        "arqueros_copper",      "caserones_copper",        "antucoya_copper",     "angel_island_lithium",
        "lisbon_valley_copper", "resolution_copper",       "blue_copper_montana", "schell_creek_copper",
        "fireweed_mactung",     "guardian_pilot_mountain", "evac_sumter",         "element25_louisiana",
        "fortune_nico",         "lomiko_la_loutre",        "titan_kilbourne",     "meteoric_caldeira",
        "cove_kaz_tungsten",    "blencowe_orom_cross"}) {
    EXPECT_TRUE(ids.count(added)) << added;
  }
}

// Item 2: Japan's net import reliance next to the US's. Japan mines none of these minerals, so its
// mine-stage reliance is 100% by the stated rule; gallium (Japan produces primary gallium) and
// germanium (a by-product) have no such figure.
TEST(CurrentFacts, JapanMineStageImportRelianceIsDerivedWithItsRule) {
  const auto& ds = Shipped();
  const auto& ir = ds->import_reliance;
  std::map<std::string, std::size_t> jpn;
  for (std::size_t i = 0; i < ir.size(); ++i) {
    if (ds.Country(ir.consumer[i]).iso3 != "JPN") continue;
    jpn[ds.Mineral(ir.mineral[i]).id] = i;
  }
  for (const char* m : {"antimony", "cobalt", "copper", "graphite", "lithium", "manganese", "nickel", "palladium",
                        "platinum", "rare_earths", "dysprosium", "neodymium", "praseodymium", "terbium", "tungsten"}) {
    ASSERT_TRUE(jpn.count(m)) << m;
    const auto i = jpn[m];
    EXPECT_EQ(ir.year[i], 2025) << m;
    EXPECT_TRUE(ir.reliance[i].IsKnown()) << m;
    EXPECT_DOUBLE_EQ(ir.reliance[i].number, 1.0) << m;
    EXPECT_NE(ir.material[i].find("mine stage"), std::string::npos) << m;
    const auto& src = ds.SourceOf(ir.source[i]);
    EXPECT_EQ(src.id, "assume_jpn_no_mine_output") << m;
    EXPECT_EQ(src.kind, model::SourceKind::Assumption);
    EXPECT_FALSE(src.rule.empty());
  }
  EXPECT_EQ(jpn.size(), 15u);
  EXPECT_FALSE(jpn.count("gallium"));
  EXPECT_FALSE(jpn.count("germanium"));
}

TEST(CurrentFacts, RiskShowsJapanNetImportRelianceWithYearAndSource) {
  risk::AssessRequest req;
  req.minerals = {"lithium", "gallium"};
  req.methods = {risk::Method::ImportReliance};
  const auto result = risk::Assess(Shipped(), req);
  bool jpn_li = false, usa_li = false;
  for (const auto& r : result.rows) {
    if (r.metric == "net_import_reliance_JPN") {
      EXPECT_NE(r.mineral, "gallium");
      if (r.mineral != "lithium") continue;
      jpn_li = true;
      EXPECT_DOUBLE_EQ(r.value.value_or(-1), 1.0);
      EXPECT_NE(r.basis.find("2025"), std::string::npos) << r.basis;
      EXPECT_NE(r.stage.find("mine stage"), std::string::npos) << r.stage;
      EXPECT_NE(std::find(r.sources.begin(), r.sources.end(), "assume_jpn_no_mine_output"), r.sources.end());
    }
    if (r.metric == "net_import_reliance_USA" && r.mineral == "lithium") usa_li = true;
  }
  EXPECT_TRUE(jpn_li);
  EXPECT_TRUE(usa_li);

  // The EU supply risk with Japan as the assessing body now has its import reliance, and cites it.
  req.minerals = {"nickel"};
  req.methods = {risk::Method::EuCrm};
  req.consumer = {"JPN"};
  const auto params =
      risk::LoadEuMaterialParameters(lodestone::testing::ReferenceDir() / "eu_crm_material_parameters.csv");
  req.eu_parameters = &params;
  bool sr = false;
  for (const auto& r : risk::Assess(Shipped(), req).rows) {
    if (r.metric != "supply_risk" || r.stage != "mining") continue;
    sr = true;
    ASSERT_TRUE(r.value) << r.status;
    EXPECT_NE(r.display.find("IR 100.0%"), std::string::npos) << r.display;
    EXPECT_NE(r.basis.find("mine stage"), std::string::npos) << r.basis;
    EXPECT_NE(std::find(r.sources.begin(), r.sources.end(), "assume_jpn_no_mine_output"), r.sources.end());
  }
  EXPECT_TRUE(sr);
}

// Item 4: Japan's rare-earth sectors follow its own magnet share (22.2% of 2020 consumption, a
// derived lower bound), not the world split; the US keeps the latest USGS split with percentages
// (2020: magnets imported inside goods are not in its consumption).
TEST(CurrentFacts, JapanAndUsRareEarthSectorSplits) {
  std::map<std::string, std::map<sim::Sector, double>> split;
  for (const auto& s : Sim().sectors) {
    if (s.mineral == "rare_earths") split[s.region][s.sector] = s.share;
    if (s.mineral == "rare_earths" && s.region == "JPN") EXPECT_EQ(s.source, "assume_sector_ree_jpn");
  }
  ASSERT_EQ(split["JPN"].size(), 5u);
  EXPECT_DOUBLE_EQ(split["JPN"][sim::Sector::SemiconductorsElectronics], 0.0665);
  EXPECT_DOUBLE_EQ(split["JPN"][sim::Sector::EvBatteries], 0.0370);
  EXPECT_DOUBLE_EQ(split["JPN"][sim::Sector::RenewableEnergy], 0.0370);
  EXPECT_DOUBLE_EQ(split["JPN"][sim::Sector::Defence], 0.0111);
  EXPECT_DOUBLE_EQ(split["JPN"][sim::Sector::Other], 0.8484);
  // The magnet share the rule derives: NdFeB alloy x Nd mass fraction x oxide factor / consumption.
  const double nd = 2 * 144.242, ndfeb = nd + 14 * 55.845 + 10.81, nd2o3 = nd + 3 * 15.999;
  const double magnets = 12400 * (nd / ndfeb) * (nd2o3 / nd) / 17400;
  EXPECT_NEAR(magnets, 0.2218, 5e-5);
  const double magnet_sectors = split["JPN"][sim::Sector::EvBatteries] + split["JPN"][sim::Sector::RenewableEnergy] +
                                split["JPN"][sim::Sector::SemiconductorsElectronics] +
                                split["JPN"][sim::Sector::Defence];
  EXPECT_NEAR(magnet_sectors, magnets * (1.0 / 3 + 0.30 + 0.05), 2e-4);
  EXPECT_DOUBLE_EQ(split["USA"][sim::Sector::Other], 0.95);
  EXPECT_DOUBLE_EQ(split["USA"][sim::Sector::SemiconductorsElectronics], 0.05);

  const auto net = sim::BuildNetwork(Shipped(), Sim(), 2025);
  const auto* mn = net.Find("rare_earths");
  ASSERT_NE(mn, nullptr);
  const int k = net.FindConsumer("JPN");
  ASSERT_GE(k, 0);
  EXPECT_NEAR(mn->sector_share[k][static_cast<int>(sim::Sector::EvBatteries)], 0.0370, 1e-9);
  EXPECT_NEAR(mn->sector_share[k][static_cast<int>(sim::Sector::Other)], 0.8484, 1e-9);
}
