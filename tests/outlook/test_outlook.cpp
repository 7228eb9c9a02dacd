// Tests of the outlook: the shipped scenarios reproduce the framework's headline figures,
// interpolation and aggregation invariants hold, the pipeline is read and weighted by stage, the
// Monte Carlo band is ordered and the same seed gives the same bytes.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>

#include "lodestone/data/loader.hpp"
#include "lodestone/model/diagnostics.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/outlook/data.hpp"
#include "lodestone/outlook/demand.hpp"
#include "lodestone/outlook/outlook.hpp"
#include "lodestone/outlook/pipeline.hpp"

namespace lodestone::outlook {
namespace {

const std::filesystem::path kSource = LODESTONE_SOURCE_DIR;

class Shipped : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ds_ = new model::Dataset(data::LoadDatasetOrThrow(kSource / "data/starter"));
    data_ = new OutlookData(LoadOutlookData(kSource / "data/outlook", *ds_));
    fixture_ =
        new std::vector<PipelineProject>(LoadProjectRegistry(kSource / "tests/outlook/projects_fixture.csv", *ds_));
  }
  static void TearDownTestSuite() {
    delete fixture_;
    delete data_;
    delete ds_;
  }
  static double At(const DemandPaths& d, int year) {
    for (const auto& a : d.world_anchors) {
      if (a.year == year) return a.value;
    }
    ADD_FAILURE() << "no anchor in " << year;
    return 0;
  }
  static double WorldIn(const DemandPaths& d, int year) {
    return d.world.at(static_cast<std::size_t>(year - d.years.front()));
  }
  static const OutlookData& WithoutBaseCase() {
    static const OutlookData flat = [] {
      OutlookData d = *data_;
      d.base_case.clear();
      return d;
    }();
    return flat;
  }
  static const BaseCaseCheck& CheckIn(const OutlookResult& r, int year) {
    for (const auto& c : r.base_case) {
      if (c.year == year) return c;
    }
    throw std::runtime_error(fmt::format("{}: no base-case check in {}", r.mineral, year));
  }
  static model::Dataset* ds_;
  static OutlookData* data_;
  static std::vector<PipelineProject>* fixture_;
};
model::Dataset* Shipped::ds_ = nullptr;
OutlookData* Shipped::data_ = nullptr;
std::vector<PipelineProject>* Shipped::fixture_ = nullptr;

TEST(Interpolation, AnchorsAreHitExactlyAndPathsAreMonotone) {
  std::vector<AnchorPoint> a = {{2020, 100}, {2030, 400}, {2040, 1600}};
  EXPECT_DOUBLE_EQ(InterpolateLogLinear(a, 2020, false), 100);
  EXPECT_DOUBLE_EQ(InterpolateLogLinear(a, 2030, false), 400);
  EXPECT_DOUBLE_EQ(InterpolateLogLinear(a, 2040, false), 1600);
  // Constant growth rate between anchors: 4x in ten years is 2x in five.
  EXPECT_NEAR(InterpolateLogLinear(a, 2025, false), 200, 1e-9);
  double prev = 0;
  for (int y = 2020; y <= 2040; ++y) {
    double v = InterpolateLogLinear(a, y, false);
    EXPECT_GT(v, prev) << y;
    prev = v;
  }
  EXPECT_DOUBLE_EQ(InterpolateLogLinear(a, 2050, false), 1600);  // flat after the last anchor
  EXPECT_NEAR(InterpolateLogLinear(a, 2050, true), 6400, 1e-6);  // or the last segment's trend
  EXPECT_DOUBLE_EQ(InterpolateLogLinear(a, 2010, false), 100);   // first value before the first
  EXPECT_DOUBLE_EQ(InterpolateLinear({{2025, 0.0}, {2035, 0.1}}, 2030), 0.05);
}

TEST_F(Shipped, LoadsEveryScenario) {
  ASSERT_EQ(data_->scenarios.size(), 4u);
  EXPECT_EQ(data_->ScenariosFor("lithium"), (std::vector<std::string>{"steps", "sds-2021", "wb-2020"}));
  EXPECT_EQ(data_->ScenariosFor("nickel"), (std::vector<std::string>{"aps", "sds-2021"}));
  EXPECT_TRUE(data_->ScenariosFor("antimony").empty());
  for (const auto& a : data_->demand) EXPECT_NE(data_->FindSource(a.source), nullptr) << a.line;
}

TEST_F(Shipped, Iea2021LithiumIsOverFortyTimes2020By2040) {
  auto d = BuildDemand(*ds_, *data_, "sds-2021", "lithium", {"USA", "JPN"});
  double multiple = At(d, 2040) / At(d, 2020);
  EXPECT_GE(multiple, 40.0);
  EXPECT_LT(multiple, 40.0 + 1e-9);
  // "Up to about 4000%": 40x is an increase of 3900%.
  EXPECT_NEAR((multiple - 1) * 100, 3900, 1e-6);
  EXPECT_DOUBLE_EQ(WorldIn(d, 2040), At(d, 2040));  // the anchor is hit exactly
  EXPECT_DOUBLE_EQ(WorldIn(d, 2050), At(d, 2040));  // flat after 2040
  // Graphite 25x, cobalt 21x, nickel 19x, manganese 8x, rare earths 3x, copper 2x.
  for (auto [mineral, x] : std::vector<std::pair<std::string, double>>{
           {"graphite", 25}, {"cobalt", 21}, {"nickel", 19}, {"manganese", 8}, {"rare_earths", 3}, {"copper", 2}}) {
    auto m = BuildDemand(*ds_, *data_, "sds-2021", mineral, {"USA"});
    EXPECT_NEAR(At(m, 2040) / At(m, 2020), x, 1e-9) << mineral;
  }
}

TEST_F(Shipped, WorldBankAboutFiveHundredPercentBy2050) {
  for (const std::string mineral : {"graphite", "lithium", "cobalt"}) {
    auto d = BuildDemand(*ds_, *data_, "wb-2020", mineral, {"USA", "JPN"});
    double increase_pct = (At(d, 2050) / At(d, 2018) - 1) * 100;
    EXPECT_GE(increase_pct, 400) << mineral;
    EXPECT_LE(increase_pct, 600) << mineral;
    EXPECT_NEAR(increase_pct, 475, 1e-6) << mineral;
    EXPECT_DOUBLE_EQ(WorldIn(d, 2050), At(d, 2050)) << mineral;
  }
}

TEST_F(Shipped, BaseYearDemandIsProductionGrossedUpForSecondarySupply) {
  auto d = BuildDemand(*ds_, *data_, "steps", "lithium", {"USA", "JPN"});
  // 290,000 t Li mined in 2025 (USGS MCS 2026), 1% secondary share assumed in 2025.
  EXPECT_NEAR(d.world[0], 290000 / (1 - 0.01), 1e-6);
  // IEA 2035 anchor: 3.7 Mt LCE in lithium content.
  EXPECT_NEAR(WorldIn(d, 2035), 3.7e6 * 2 * 6.941 / 73.891, 1e-3);
  // STEPS: +146% from 2024 to 2030.
  EXPECT_NEAR(WorldIn(d, 2030) / At(d, 2024), 2.46, 1e-9);
  for (std::size_t i = 1; i < d.world.size(); ++i) EXPECT_GE(d.world[i], d.world[i - 1]);
}

TEST_F(Shipped, SectorsSumToTotalAndRegionsToWorld) {
  auto d = BuildDemand(*ds_, *data_, "aps", "nickel", {"USA", "JPN"});
  ASSERT_EQ(d.sectors.size(), 2u);
  EXPECT_EQ(d.sectors[0].name, "clean_tech");
  for (std::size_t i = 0; i < d.years.size(); ++i) {
    EXPECT_NEAR(d.sectors[0].t[i] + d.sectors[1].t[i], d.world[i], 1e-6 * d.world[i]);
    double regions = 0;
    for (const auto& r : d.regions) regions += r.t[i];
    EXPECT_NEAR(regions, d.world[i], 1e-6 * d.world[i]);
  }
  // The IEA publishes 4754 kt total for 2030 and 6238 kt for 2040; the sectors add to it within rounding.
  EXPECT_NEAR(WorldIn(d, 2030), 4754e3, 2e3);
  EXPECT_NEAR(WorldIn(d, 2040), 6238e3, 1e3);
  // Partners: USA 2.31% (USGS apparent primary consumption, as the simulator) and JPN (crude-steel
  // share 4.46%, as the simulator).
  EXPECT_EQ(d.regions[0].name, "USA");
  EXPECT_NEAR(d.regions[0].t[5] / d.world[5], 0.0231, 1e-12);
  EXPECT_EQ(d.regions.back().name, "rest_of_world");
}

TEST_F(Shipped, UnknownScenarioNamesTheAvailableOnes) {
  try {
    BuildDemand(*ds_, *data_, "aps", "lithium", {"USA"});
    FAIL() << "expected an error";
  } catch (const lodestone::Error& e) {
    EXPECT_EQ(e.kind(), lodestone::ErrorKind::InvalidRequest);
    EXPECT_NE(std::string(e.what()).find("steps, sds-2021, wb-2020"), std::string::npos) << e.what();
  }
}

TEST_F(Shipped, PipelineIsReadAndWeightedByStage) {
  ASSERT_EQ(fixture_->size(), 8u);
  EXPECT_EQ((*fixture_)[0].first_output_year, 2027);
  EXPECT_FALSE((*fixture_)[4].capacity_t.HasNumber());
  OutlookRequest req;
  req.mineral = "lithium";
  req.scenario = "steps";
  req.runs = 200;
  // The pipeline's own mechanics, as for a mineral without a published base case (with one, these
  // projects are inside it: BaseCaseAndRegistryCountEachProjectOnce).
  auto r = outlook::Run(*ds_, WithoutBaseCase(), *fixture_, req);
  EXPECT_EQ(r.stage, "mining");
  ASSERT_EQ(r.projects.size(), 3u);
  auto find = [&](const std::string& id) {
    for (const auto& p : r.projects) {
      if (p.id == id) return p;
    }
    ADD_FAILURE() << id;
    return ProjectContribution{};
  };
  auto aus = find("li_aus_build");
  EXPECT_DOUBLE_EQ(aus.probability, 0.85);
  EXPECT_EQ(aus.expected_start, 2028);  // 2027 + one year construction delay
  EXPECT_TRUE(aus.allied);
  EXPECT_FALSE(find("li_arg_study").allied);
  EXPECT_DOUBLE_EQ(find("li_can_paused").probability, 0.25);  // financing 0.5 x paused 0.5
  ASSERT_EQ(r.excluded_projects.size(), 4u);
  EXPECT_NE(r.excluded_projects[0].find("cancelled"), std::string::npos);
  EXPECT_NE(r.excluded_projects[1].find("capacity not available"), std::string::npos);
  EXPECT_NE(r.excluded_projects[2].find("inside base-year output"), std::string::npos);
  EXPECT_EQ(r.excluded_projects[3], "li_refinery: refining stage (the outlook compares mining supply)");
  // Expected project output at full ramp: 30,000 x 0.85 + 20,000 x 0.3 + 10,000 x 0.25.
  EXPECT_NEAR(r.years.back().projects_t, 34000, 1e-6);
  // In 2028 only the Australian mine has started, at half its capacity (two-year ramp).
  EXPECT_NEAR(r.years[3].projects_t, 30000 * 0.85 * 0.5, 1e-6);
  // Base year: demand equals supply by construction.
  EXPECT_NEAR(r.years[0].gap_t, 0, 1e-6);
  EXPECT_EQ(r.years.front().year, 2025);
  EXPECT_EQ(r.years.back().year, 2050);
}

TEST_F(Shipped, SecureSupplyCountsOnlyAlliedProducers) {
  OutlookRequest req;
  req.mineral = "lithium";
  req.scenario = "steps";
  req.runs = 50;
  auto r = outlook::Run(*ds_, *data_, {}, req);
  // Allied 2025 lithium output: AUS 92,000 + CAN 5,600 (Portugal's 380 t is not in the allied groups; USA is
  // withheld, not counted).
  double secondary = 0.01 * r.years[0].partner_demand_t;
  EXPECT_NEAR(r.years[0].secure_supply_t, 92000 + 5600 + secondary, 1e-6);
  bool noted = false;
  for (const auto& n : r.notes) noted = noted || n.find("USA mining output 2025 is withheld") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST_F(Shipped, ReservesCapCumulativeExtraction) {
  OutlookRequest req;
  req.mineral = "lithium";
  req.scenario = "steps";
  req.runs = 10;
  // Flat existing output, as for a mineral without a published base case.
  auto r = outlook::Run(*ds_, WithoutBaseCase(), {}, req);
  // Zimbabwe: 500,000 t Li of reserves, 28,000 t a year from 2026: 17 full years to 2042, 24,000 t
  // left for 2043 (4,000 t short), nothing from 2044. No other producer's reserves bind by 2050.
  EXPECT_NEAR(r.years[17].existing_t, 290000, 1e-6);  // 2042
  EXPECT_NEAR(r.years[18].existing_t, 290000 - 4000, 1e-6);
  EXPECT_NEAR(r.years[19].existing_t, 290000 - 28000, 1e-6);
  EXPECT_NEAR(r.years.back().existing_t, 290000 - 28000, 1e-6);
}

TEST_F(Shipped, BandIsOrderedAndSeedReproducible) {
  OutlookRequest req;
  req.mineral = "lithium";
  req.scenario = "sds-2021";
  req.runs = 300;
  req.seed = 7;
  auto a = outlook::Run(*ds_, *data_, *fixture_, req);
  auto b = outlook::Run(*ds_, *data_, *fixture_, req);
  auto bytes = [](const OutlookResult& r) {
    std::string s;
    for (const auto& y : r.years) {
      s += fmt::format("{} {:a} {:a} {:a} {:a} {:a} {:a}\n", y.year, y.gap_t, y.gap_p5, y.gap_p50, y.gap_p95,
                       y.secure_gap_p5, y.secure_gap_p95);
    }
    return s;
  };
  EXPECT_EQ(bytes(a), bytes(b));
  req.seed = 8;
  EXPECT_NE(bytes(a), bytes(outlook::Run(*ds_, *data_, *fixture_, req)));
  for (const auto& y : a.years) {
    EXPECT_LE(y.gap_p5, y.gap_p50) << y.year;
    EXPECT_LE(y.gap_p50, y.gap_p95) << y.year;
    EXPECT_LE(y.secure_gap_p5, y.secure_gap_p50) << y.year;
    EXPECT_LE(y.secure_gap_p50, y.secure_gap_p95) << y.year;
    EXPECT_LE(y.demand_p5, y.demand_p95) << y.year;
  }
  // By 2040 demand is 40x its 2020 level: the band is wide and the gap is open.
  ASSERT_TRUE(a.first_gap_p50.has_value());
  ASSERT_TRUE(a.first_gap_p95.has_value());
  EXPECT_LE(*a.first_gap_p95, *a.first_gap_p50);
  EXPECT_GT(a.years[15].gap_p95 - a.years[15].gap_p5, 0);
}

TEST(Percentile, InterpolatesBetweenOrderStatistics) {
  std::vector<double> v = {1, 2, 3, 4, 5};
  EXPECT_DOUBLE_EQ(Percentile(v, 0.0), 1);
  EXPECT_DOUBLE_EQ(Percentile(v, 0.5), 3);
  EXPECT_DOUBLE_EQ(Percentile(v, 0.95), 4.8);
  EXPECT_DOUBLE_EQ(Percentile(v, 1.0), 5);
}

TEST_F(Shipped, BadRegistryRowsAreReportedWithLineAndColumn) {
  try {
    LoadProjectRegistry(kSource / "tests/outlook/bad_projects.csv", *ds_);
    FAIL() << "expected an error";
  } catch (const lodestone::Error& e) {
    EXPECT_EQ(e.kind(), lodestone::ErrorKind::InvalidData);
    std::string text = e.diagnostics().Format();
    EXPECT_NE(text.find("bad_projects.csv:3:4: error: stage 'smelting'"), std::string::npos) << text;
    EXPECT_NE(text.find("bad_projects.csv:3:10: error: first_output '2027-13'"), std::string::npos) << text;
    EXPECT_NE(text.find("bad_projects.csv:3:11: error: development_stage 'built'"), std::string::npos) << text;
    EXPECT_EQ(e.diagnostics().ErrorCount(), 3u);
  }
}

TEST_F(Shipped, BrokenOutlookDataIsRejectedWithPlace) {
  auto dir = std::filesystem::temp_directory_path() / "lodestone_outlook_broken";
  std::filesystem::remove_all(dir);
  std::filesystem::copy(kSource / "data/outlook", dir);
  std::size_t lines = 0;
  {
    std::ifstream in(dir / "demand.csv");
    lines = static_cast<std::size_t>(std::count(std::istreambuf_iterator<char>(in), {}, '\n'));
  }
  {
    std::ofstream f(dir / "demand.csv", std::ios::app);
    f << "steps,lithium,world,total,2045,absolute,,12,t LCX,iea_2021_role,\n";
    f << "steps,unobtainium,world,total,2045,index,2024,2,,no_such_source,\n";
  }
  try {
    LoadOutlookData(dir, *ds_);
    FAIL() << "expected an error";
  } catch (const lodestone::Error& e) {
    std::string text = e.diagnostics().Format();
    EXPECT_NE(text.find(fmt::format("demand.csv:{}:9: error: unit 't LCX'", lines + 1)), std::string::npos) << text;
    EXPECT_NE(text.find(fmt::format("demand.csv:{}:2: error: mineral 'unobtainium'", lines + 2)), std::string::npos)
        << text;
    EXPECT_NE(text.find(fmt::format("demand.csv:{}:10: error: source 'no_such_source'", lines + 2)), std::string::npos)
        << text;
  }
  std::filesystem::remove_all(dir);
}

// The refining stage where the dataset has only shares: the latest global lithium refining
// shares (IEA GCMO 2025: China 70% in 2024, other countries 30%) applied to the 2025 world mine
// production of 290,000 t Li (refined content taken equal to mine content).
TEST_F(Shipped, RefiningBaseIsSharesTimesWorldMineProduction) {
  OutlookRequest req;
  req.mineral = "lithium";
  req.scenario = "steps";
  req.stage = "refining";
  req.runs = 20;
  auto r = outlook::Run(*ds_, *data_, {}, req);
  EXPECT_EQ(r.stage, "refining");
  ASSERT_EQ(r.base_output.size(), 2u);
  EXPECT_EQ(r.base_output[0].country, "CHN");
  EXPECT_NEAR(r.base_output[0].t, 203000, 1e-6);
  EXPECT_EQ(r.base_output[1].country, "XOT");
  EXPECT_NEAR(r.base_output[1].t, 87000, 1e-6);
  EXPECT_FALSE(r.base_output[0].allied);
  EXPECT_FALSE(r.base_output[1].allied);
  // No depletion at the refining stage: existing output stays flat to 2050 (at the mining stage
  // Zimbabwe's reserves bind from 2043).
  EXPECT_NEAR(r.years.front().existing_t, 290000, 1e-6);
  EXPECT_NEAR(r.years.back().existing_t, 290000, 1e-6);
  // Secure supply: no named allied refiner, so only the secondary share of partner demand.
  EXPECT_NEAR(r.years[0].secure_supply_t, 0.01 * r.years[0].partner_demand_t, 1e-6);
  // The rule is stated in the notes and the assumptions.
  auto has = [](const std::vector<std::string>& v, const std::string& what) {
    return std::any_of(v.begin(), v.end(), [&](const std::string& s) { return s.find(what) != std::string::npos; });
  };
  EXPECT_TRUE(has(r.notes, "refined content is assumed equal to mine content"));
  EXPECT_FALSE(CountsAtStage("refining", "mining"));
}

// Refining shares come from the dataset's latest distribution (the shipped data/sim/refining.csv
// overrides nothing): nickel Indonesia 37%, China 28% (2023); rare earths China 92%, Malaysia 5%
// (2023), each with the rest as other countries.
TEST_F(Shipped, RefiningSplitsComeFromTheDatasetsLatestShares) {
  EXPECT_TRUE(data_->refining_splits.empty());
  EXPECT_TRUE(HasSupplyStage(*ds_, *data_, "rare_earths", "refining"));
  EXPECT_TRUE(HasSupplyStage(*ds_, *data_, "gallium", "refining"));
  EXPECT_FALSE(HasSupplyStage(*ds_, *data_, "gallium", "mining"));
  auto mid = ds_->FindMineral("nickel");
  auto mine = WorldPrimaryProduction(*ds_, *mid, 2025, "mining");
  ASSERT_TRUE(mine.has_value());
  OutlookRequest req;
  req.mineral = "nickel";
  req.stage = "refining";
  req.runs = 10;
  auto r = outlook::Run(*ds_, *data_, {}, req);
  double sum = 0;
  for (const auto& b : r.base_output) sum += b.t;
  EXPECT_NEAR(sum, mine->t, 1e-6 * mine->t);
  ASSERT_EQ(r.base_output.size(), 3u);
  EXPECT_EQ(r.base_output[0].country, "IDN");
  EXPECT_NEAR(r.base_output[0].t, 0.37 * mine->t, 1e-6 * mine->t);
  EXPECT_EQ(r.base_output[1].country, "XOT");
  EXPECT_EQ(r.base_output[2].country, "CHN");
  EXPECT_NEAR(r.base_output[2].t, 0.28 * mine->t, 1e-6 * mine->t);
  EXPECT_EQ(std::find(r.sources.begin(), r.sources.end(), "assume_nickel_refining_idn"), r.sources.end());
  req.mineral = "rare_earths";
  auto ree = outlook::Run(*ds_, *data_, {}, req);
  auto rid = ds_->FindMineral("rare_earths");
  auto ree_mine = WorldPrimaryProduction(*ds_, *rid, 2025, "mining");
  ASSERT_TRUE(ree_mine.has_value());
  ASSERT_EQ(ree.base_output.size(), 3u);
  EXPECT_EQ(ree.base_output[0].country, "CHN");
  EXPECT_NEAR(ree.base_output[0].t, 0.92 * ree_mine->t, 1e-6 * ree_mine->t);
  // Neither stage's data: a clear error.
  req.mineral = "gallium";
  req.stage = "mining";
  EXPECT_THROW(outlook::Run(*ds_, *data_, {}, req), lodestone::Error);
}

TEST_F(Shipped, BadRefiningSplitsAreReportedWithPlace) {
  auto dir = std::filesystem::temp_directory_path() / "lodestone_outlook_bad_splits";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    std::ofstream f(dir / "sources.csv");
    f << "id,kind,citation,licence,url,rule\n";
    f << "split_rule,assumption,Lodestone assumption: a split,Lodestone,,China refines 80%\n";
  }
  {
    std::ofstream f(dir / "refining.csv");
    f << "mineral,country,share,source,note\n";
    f << "graphite,CHN,0.8,split_rule,\n";
    f << "graphite,ZZZ,0.1,split_rule,\n";
    f << "graphite,AUS,1.5,no_such_source,\n";
  }
  OutlookData d;
  model::Diagnostics diags;
  LoadRefiningSplits(dir, *ds_, d, diags);
  std::string text = diags.Format();
  EXPECT_NE(text.find("refining.csv:3:2: error: country 'ZZZ'"), std::string::npos) << text;
  EXPECT_NE(text.find("refining.csv:4:3: error"), std::string::npos) << text;
  EXPECT_NE(text.find("refining.csv:4:4: error: source 'no_such_source'"), std::string::npos) << text;
  EXPECT_EQ(diags.ErrorCount(), 3u);
  ASSERT_EQ(d.refining_splits.size(), 1u);
  EXPECT_DOUBLE_EQ(d.refining_splits[0].share, 0.8);
  ASSERT_NE(d.FindSource("split_rule"), nullptr);
  EXPECT_EQ(d.FindSource("split_rule")->rule, "China refines 80%");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lodestone::outlook

namespace lodestone::outlook {
namespace {

// The published base case (supply_base_case.csv) against the outlook's world balance, with the
// shipped registry: each mineral's primary gap in each published year is within the stated
// tolerance (docs/methods/outlook.md) of the published figure.
TEST_F(Shipped, WorldBalanceAgreesWithThePublishedBaseCase) {
  const auto registry = LoadProjectRegistry(kSource / "data/projects/projects.csv", *ds_);
  const double tol = data_->parameters.base_case_tolerance;
  EXPECT_DOUBLE_EQ(tol, 0.05);
  std::map<std::string, double> published = {{"lithium", 0.40}, {"copper", 0.30},  {"nickel", 0.0},
                                             {"cobalt", 0.0},   {"graphite", 0.0}, {"rare_earths", 0.0}};
  for (const auto& [mineral, gap] : published) {
    const auto points = data_->BaseCaseFor(mineral);
    ASSERT_FALSE(points.empty()) << mineral;
    OutlookRequest req;
    req.mineral = mineral;
    req.scenario = points.front().reference_scenario;
    req.runs = 100;
    auto r = outlook::Run(*ds_, *data_, registry, req);
    const auto& c = CheckIn(r, 2035);
    EXPECT_TRUE(c.comparable) << mineral;
    EXPECT_NEAR(c.published_primary_gap, gap, 1e-12) << mineral;
    const auto& y = r.years.at(2035 - 2025);
    const double primary_gap =
        (y.demand_t - y.secondary_t - y.existing_t - y.projects_t) / (y.demand_t - y.secondary_t);
    EXPECT_NEAR(c.primary_gap, primary_gap, 1e-12) << mineral;
    if (gap > 0) {
      EXPECT_NEAR(primary_gap, gap, tol) << mineral;
    } else {
      EXPECT_LE(primary_gap, tol) << mineral << ": the base case says supply covers demand";
    }
    EXPECT_TRUE(c.agrees) << mineral;
  }
}

TEST_F(Shipped, ExistingOutputFollowsTheBaseCasePathThenHoldsFlat) {
  OutlookRequest req;
  req.mineral = "lithium";
  req.scenario = "steps";
  req.runs = 20;
  auto r = outlook::Run(*ds_, *data_, {}, req);
  auto requirement = [&](int year) {
    const auto& y = r.years.at(static_cast<std::size_t>(year - 2025));
    return y.demand_t - y.secondary_t;
  };
  // Coverage of the requirement: 1.0 in 2025 (production-pinned), 0.60 in 2035, linear between.
  EXPECT_NEAR(r.years[0].existing_t, 290000, 1e-6);
  EXPECT_NEAR(r.years[5].existing_t, 0.80 * requirement(2030), 1e-6 * requirement(2030));
  EXPECT_NEAR(r.years[10].existing_t, 0.60 * requirement(2035), 1e-6 * requirement(2035));
  EXPECT_NEAR(CheckIn(r, 2035).base_case_supply_t, 0.60 * requirement(2035), 1e-6);
  // After 2035 held flat until Zimbabwe's reserves bind.
  EXPECT_NEAR(r.years[11].existing_t, r.years[10].existing_t, 1e-6);
  // Another scenario meets the same base-case tonnes; its balance is not compared.
  req.scenario = "sds-2021";
  auto s = outlook::Run(*ds_, *data_, {}, req);
  EXPECT_NEAR(s.years[10].existing_t, r.years[10].existing_t, 1e-6);
  EXPECT_FALSE(CheckIn(s, 2035).comparable);
  EXPECT_FALSE(CheckIn(s, 2035).agrees);
  // The refining stage has no base case: flat as before.
  req.stage = "refining";
  req.scenario = "steps";
  auto f = outlook::Run(*ds_, *data_, {}, req);
  EXPECT_TRUE(f.base_case.empty());
  EXPECT_NEAR(f.years.back().existing_t, 290000, 1e-6);
}

TEST_F(Shipped, BaseCaseAndRegistryCountEachProjectOnce) {
  OutlookRequest req;
  req.mineral = "lithium";
  req.scenario = "steps";
  req.runs = 200;
  auto none = outlook::Run(*ds_, *data_, {}, req);
  auto fixture = outlook::Run(*ds_, *data_, *fixture_, req);
  // The fixture's mines start by 2031: inside the base case's announced pipeline, not added.
  EXPECT_TRUE(fixture.projects.empty());
  int inside = 0;
  for (const auto& e : fixture.excluded_projects) inside += e.find("inside the base case") != std::string::npos;
  EXPECT_EQ(inside, 3);
  for (std::size_t i = 0; i < none.years.size(); ++i) {
    EXPECT_DOUBLE_EQ(fixture.years[i].supply_t, none.years[i].supply_t) << none.years[i].year;
  }
  // A mine expected to start after the base case's last year (2038 + one year's construction
  // delay) adds its probability-weighted capacity on top, from 2039 only.
  auto late = (*fixture_)[0];
  late.id = "li_late";
  late.first_output_year = 2038;
  late.first_output = "2038";
  auto after = outlook::Run(*ds_, *data_, {late}, req);
  ASSERT_EQ(after.projects.size(), 1u);
  EXPECT_EQ(after.projects[0].expected_start, 2039);
  for (const auto& y : after.years) {
    const auto& n = none.years.at(static_cast<std::size_t>(y.year - 2025));
    if (y.year < 2039) {
      EXPECT_DOUBLE_EQ(y.supply_t, n.supply_t) << y.year;
    } else if (y.year <= 2042) {  // before any reserves cap binds in Australia
      double ramp = std::min(1.0, (y.year - 2039 + 1) / 2.0);
      EXPECT_NEAR(y.projects_t, 30000 * 0.85 * ramp, 1e-6) << y.year;
    }
  }
}

TEST_F(Shipped, AGapThatOpensSaysWhy) {
  OutlookRequest req;
  req.scenario = "steps";
  req.runs = 1000;  // the default: fewer runs move the P50 of a balanced market by sampling noise
  req.mineral = "lithium";
  auto li = outlook::Run(*ds_, *data_, {}, req);
  ASSERT_TRUE(li.first_gap_p50.has_value());
  EXPECT_NE(li.first_gap_reason.find("demand growth above the base-case supply path"), std::string::npos)
      << li.first_gap_reason;
  EXPECT_NE(li.notes.front().find("Why the world gap opens"), std::string::npos);
  // Cobalt is balanced to 2035 as published; its gap opens when reserves bind.
  req.mineral = "cobalt";
  auto co = outlook::Run(*ds_, *data_, {}, req);
  ASSERT_TRUE(co.first_gap_p50.has_value());
  EXPECT_GT(*co.first_gap_p50, 2035);
  EXPECT_NE(co.first_gap_reason.find("reserves depletion"), std::string::npos) << co.first_gap_reason;
  // Copper's base-case mine supply falls: the gap opens at once, and says so.
  req.mineral = "copper";
  auto cu = outlook::Run(*ds_, *data_, {}, req);
  ASSERT_TRUE(cu.first_gap_p50.has_value());
  EXPECT_NE(cu.first_gap_reason.find("base-case supply path falls"), std::string::npos) << cu.first_gap_reason;
  // Rare earths stay covered on the P50 path: no gap, no reason.
  req.mineral = "rare_earths";
  auto ree = outlook::Run(*ds_, *data_, {}, req);
  EXPECT_FALSE(ree.first_gap_p50.has_value());
  EXPECT_TRUE(ree.first_gap_reason.empty());
}

TEST_F(Shipped, BadBaseCaseRowsAreReportedWithPlace) {
  auto dir = std::filesystem::temp_directory_path() / "lodestone_outlook_bad_base_case";
  std::filesystem::remove_all(dir);
  std::filesystem::copy(kSource / "data/outlook", dir);
  std::size_t lines = 0;
  {
    std::ifstream in(dir / "supply_base_case.csv");
    lines = static_cast<std::size_t>(std::count(std::istreambuf_iterator<char>(in), {}, '\n'));
  }
  {
    std::ofstream f(dir / "supply_base_case.csv", std::ios::app);
    f << "lithium,2035,0.5,steps,iea_gcmo2025_balance,,duplicate\n";
    f << "cobalt,2030,9,aps,iea_gcmo2025_balance,iea_gcmo2025_balance,\n";
  }
  try {
    LoadOutlookData(dir, *ds_);
    FAIL() << "expected an error";
  } catch (const lodestone::Error& e) {
    std::string text = e.diagnostics().Format();
    EXPECT_NE(text.find(fmt::format("supply_base_case.csv:{}:2: error: duplicate row for lithium 2035", lines + 1)),
              std::string::npos)
        << text;
    EXPECT_NE(text.find(fmt::format("supply_base_case.csv:{}:3: error:", lines + 2)), std::string::npos) << text;
    EXPECT_NE(text.find(fmt::format("supply_base_case.csv:{}:4: error: reference_scenario 'aps'", lines + 2)),
              std::string::npos)
        << text;
    EXPECT_NE(text.find(fmt::format("supply_base_case.csv:{}:6: error: rule 'iea_gcmo2025_balance'", lines + 2)),
              std::string::npos)
        << text;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lodestone::outlook
