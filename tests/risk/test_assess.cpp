// Tests: the risk::Assess facade on the mini dataset and the shipped dataset.
#include <gtest/gtest.h>

#include "data/test_fixtures.hpp"
#include "lodestone/data/loader.hpp"
#include "lodestone/model/diagnostics.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/risk/assess.hpp"
#include "lodestone/risk/geopolrisk.hpp"

using namespace lodestone;

namespace {
const model::Dataset& Mini() {
  static const auto ds = data::LoadDatasetOrThrow(std::filesystem::path(LODESTONE_TEST_DATA_DIR) / "mini");
  return ds;
}
const risk::AssessRow* Row(const risk::AssessResult& r, const std::string& mineral, const std::string& stage,
                           const std::string& metric) {
  for (const auto& x : r.rows) {
    if (x.mineral == mineral && x.stage == stage && x.metric == metric) return &x;
  }
  return nullptr;
}
}  // namespace

TEST(Assess, ConcentrationRowsNameMethodBasisAndSources) {
  risk::AssessRequest req;
  req.minerals = {"cobalt"};
  req.consumer = {"USA"};
  auto r = risk::Assess(Mini(), req);
  EXPECT_EQ(r.consumer, "USA");
  const auto* top1 = Row(r, "cobalt", "mining", "top1_share");
  ASSERT_NE(top1, nullptr);
  EXPECT_EQ(top1->method, "concentration");
  EXPECT_NEAR(*top1->value, 230000.0 / 310000.0, 1e-12);
  EXPECT_EQ(top1->basis, "production 2025 (published world total)");
  EXPECT_EQ(top1->sources, (std::vector<std::string>{"test_src"}));
  const auto* bench = Row(r, "cobalt", "mining", "crma_single_country_benchmark");
  ASSERT_NE(bench, nullptr);
  EXPECT_NE(bench->display.find("exceeded"), std::string::npos);
}

TEST(Assess, EuCrmHhiFromSharesAndWgi) {
  risk::AssessRequest req;
  req.minerals = {"cobalt"};
  req.methods = {risk::Method::EuCrm};
  auto r = risk::Assess(Mini(), req);
  const auto* hhi = Row(r, "cobalt", "mining", "hhi_wgi_t_global");
  ASSERT_NE(hhi, nullptr);
  ASSERT_TRUE(hhi->value);
  // COD: share 230/310, five WGI estimates (cc is NA), t = 1 by default.
  const double mean = (-1.21 - 2.04 - 1.69 - 1.41 - 1.67) / 5.0;
  const double share = 230000.0 / 310000.0;
  EXPECT_NEAR(*hhi->value, share * share * (2.5 - mean) * 2.0, 1e-9);
  const auto* sr = Row(r, "cobalt", "mining", "supply_risk");
  ASSERT_NE(sr, nullptr);
  EXPECT_FALSE(sr->value);
  EXPECT_EQ(sr->status.rfind("insufficient data", 0), 0u);
}

// EU supply risk with a partner as the assessing body, from the study's material parameters
// and the partner's import reliance: US lithium in the mini dataset has IR ">0.5" (used at its
// bound, 0.5) and import sources with no WGI-weighed supplier, so the method's "GS only"
// variant applies: SR = HHI_GS * (1 - EOL_RIR) * SI_SR.
TEST(Assess, EuSupplyRiskWithPartnerAsAssessingBody) {
  const std::vector<risk::EuMaterialParameters> params = {{"lithium", "Lithium", 0.1, 0.8, 2017, "test study"}};
  risk::AssessRequest req;
  req.minerals = {"lithium", "cobalt"};
  req.consumer = {"USA"};
  req.methods = {risk::Method::EuCrm};
  req.eu_parameters = &params;
  auto r = risk::Assess(Mini(), req);
  int computed = 0;
  for (const auto& x : r.rows) {
    if (x.mineral != "lithium" || x.metric != "supply_risk") continue;
    const auto* gs = Row(r, "lithium", x.stage, "hhi_wgi_t_global");
    ASSERT_NE(gs, nullptr);
    if (!gs->value) continue;
    ASSERT_TRUE(x.value) << x.status;
    EXPECT_NEAR(*x.value, *gs->value * (1 - 0.1) * 0.8, 1e-12);
    EXPECT_NE(x.display.find("GS only"), std::string::npos) << x.display;
    EXPECT_NE(x.basis.find("USA net import reliance"), std::string::npos) << x.basis;
    ++computed;
  }
  EXPECT_GE(computed, 1);
  // Cobalt: no parameters given -> says which table lacks them.
  const auto* co = Row(r, "cobalt", "mining", "supply_risk");
  ASSERT_NE(co, nullptr);
  EXPECT_FALSE(co->value);
  EXPECT_NE(co->status.find("EOL-RIR"), std::string::npos) << co->status;
  // The US and Japan together: one row for the pair (no joint import reliance) and one per country.
  req.consumer = {"USA", "JPN"};
  req.minerals = {"lithium"};
  r = risk::Assess(Mini(), req);
  bool pair = false, us = false, jp = false;
  for (const auto& x : r.rows) {
    const auto* gs = Row(r, "lithium", x.stage, "hhi_wgi_t_global");
    if (!gs || !gs->value) continue;  // a stage without HHI_GS has no SR for any body
    if (x.metric == "supply_risk") {
      pair = true;
      EXPECT_FALSE(x.value);
      EXPECT_NE(x.status.find("together"), std::string::npos) << x.status;
    }
    us = us || (x.metric == "supply_risk_USA" && x.value);
    if (x.metric == "supply_risk_JPN") {
      jp = true;
      EXPECT_FALSE(x.value);  // no Japanese import reliance in the dataset
    }
  }
  EXPECT_TRUE(pair);
  EXPECT_TRUE(us);
  EXPECT_TRUE(jp);
}

TEST(Assess, EuCrmSourcingSideForAnyConsumer) {
  risk::AssessRequest req;
  req.minerals = {"lithium"};
  req.consumer = {"USA"};
  req.methods = {risk::Method::EuCrm, risk::Method::ImportReliance};
  auto r = risk::Assess(Mini(), req);
  const risk::AssessRow* row = nullptr;
  for (const auto& x : r.rows) {
    if (x.metric == "hhi_wgi_t_sourcing") row = &x;
  }
  ASSERT_NE(row, nullptr);
  // US lithium imports: Chile 50% (no WGI in the mini dataset) and other countries 50%: nothing
  // to weigh, and the row says why instead of printing 0.
  EXPECT_FALSE(row->value);
  EXPECT_EQ(row->status.rfind("insufficient data", 0), 0u);
}

TEST(Assess, MissingInputsSayInsufficientData) {
  risk::AssessRequest req;
  req.minerals = {"cobalt"};
  req.methods = {risk::Method::GeoPolRisk};
  auto r = risk::Assess(Mini(), req);
  ASSERT_FALSE(r.rows.empty());
  for (const auto& x : r.rows) {
    EXPECT_FALSE(x.value);
    EXPECT_EQ(x.status.rfind("insufficient data", 0), 0u);
  }
}

// The request names something the dataset does not hold: an InvalidRequest error.
void ExpectInvalidRequest(const risk::AssessRequest& req) {
  try {
    risk::Assess(Mini(), req);
    ADD_FAILURE() << "no error";
  } catch (const lodestone::Error& e) {
    EXPECT_EQ(e.kind(), lodestone::ErrorKind::InvalidRequest) << e.what();
  }
}

TEST(Assess, UnknownInputsAreErrors) {
  risk::AssessRequest req;
  req.minerals = {"unobtainium"};
  ExpectInvalidRequest(req);
  req.minerals = {};
  req.consumer = {"XXX"};
  ExpectInvalidRequest(req);
  req.consumer = {"USA"};
  req.partners = "NOPE";
  ExpectInvalidRequest(req);
  EXPECT_FALSE(risk::ParseMethods("eu-crm,bogus"));
  EXPECT_EQ(risk::ParseMethods("all")->size(), 4u);
}

TEST(Assess, ShippedDatasetForTheUsAndJapan) {
  auto ds = data::LoadDatasetOrThrow(lodestone::testing::ShippedDataDir());
  risk::AssessRequest req;  // default consumer USA+JPN, partners MSP
  req.minerals = {"cobalt", "gallium", "rare_earths"};
  auto r = risk::Assess(ds, req);
  EXPECT_EQ(r.consumer, "USA+JPN");
  const auto* co = Row(r, "cobalt", "mining", "top1_share");
  ASSERT_NE(co, nullptr);
  // DR Congo 230,000 t of 314,600 t listed: the countries add up to more than USGS's rounded
  // world total of 310,000 t, so shares use the listed sum (73.1%; USGS rounds to 74%).
  EXPECT_NEAR(*co->value, 230000.0 / 314600.0, 1e-9);
  const auto* ga = Row(r, "gallium", "refining", "hhi");
  ASSERT_NE(ga, nullptr);
  EXPECT_LE(*ga->value, 1.0);  // rounded world totals never push shares above 1
  EXPECT_GT(*ga->value, 0.95);
  const auto* ree = Row(r, "rare_earths", "mining", "dominant_supplier");
  ASSERT_NE(ree, nullptr);
  EXPECT_EQ(*ree->value, 1.0);  // China 69%
  for (const auto& x : r.rows) {
    if (x.status == "ok") EXPECT_TRUE(x.value.has_value() || !x.display.empty()) << x.metric;
  }
}

// --- GeoPolRisk from the dataset's bilateral trade, production and WGI ------------------------

namespace {

const model::Dataset& GprMini() {
  static const auto ds = data::LoadDatasetOrThrow(std::filesystem::path(LODESTONE_TEST_DATA_DIR) / "gpr_mini");
  return ds;
}

risk::AssessResult GprAssess(std::vector<std::string> consumer) {
  risk::AssessRequest req;
  req.minerals = {"lithium", "cobalt"};
  req.consumer = std::move(consumer);
  req.methods = {risk::Method::GeoPolRisk};
  req.wgi_year = 2025;
  return risk::Assess(GprMini(), req);
}

}  // namespace

TEST(AssessGeoPolRisk, HandComputedFromTradeProductionAndWgi) {
  // tests/data/gpr_mini, lithium refining 2025 (docs/methods/geopolrisk.md):
  //   HHI   = (90^2 + 50^2 + 40^2 + 20^2) / 200^2 (thousand t)            = 0.315
  //   g     = (2.5 - PV) / 5: Australia 0.32, Chile 0.48, China 0.6
  //   WTA   = (0.32*1000 + 0.48*3000 + 0.6*2000) / (20000 + 6000)         = 2960 / 26000
  //   price = (20,000 + 45,000 + 30,000) kUSD / 6000 t                     USD/kg
  //   CF    = HHI * WTA * price / 0.409412948
  // The 2022 import row is of another year and does not count.
  const auto r = GprAssess({"USA"});
  const auto* score = Row(r, "lithium", "refining", "score");
  ASSERT_NE(score, nullptr);
  EXPECT_EQ(score->method, "geopolrisk");
  EXPECT_EQ(score->status, "ok");
  const double hhi = 0.315, wta = 2960.0 / 26000.0, price = 95000.0 / 6000.0;
  ASSERT_TRUE(score->value);
  EXPECT_NEAR(*score->value, hhi * wta, 1e-12);
  EXPECT_EQ(score->basis, "production 2025 and bilateral imports 2025 into USA");
  EXPECT_EQ(score->sources, (std::vector<std::string>{"test_src"}));
  const auto* cf = Row(r, "lithium", "refining", "cf");
  ASSERT_NE(cf, nullptr);
  ASSERT_TRUE(cf->value);
  EXPECT_NEAR(*cf->value, hhi * wta * price / risk::kGeoPolRiskCopperMidpoint, 1e-12);
}

TEST(AssessGeoPolRisk, ConsumersBuyingTogetherAddTheirImports) {
  // USA+JPN: Japan's 500 t from Australia (g 0.32, 10,000 kUSD) and 100 t from DR Congo (no WGI
  // for 2025: g 0.5, 1,000 kUSD) join; Japan produces none.
  const auto r = GprAssess({"USA", "JPN"});
  const auto* score = Row(r, "lithium", "refining", "score");
  ASSERT_NE(score, nullptr);
  ASSERT_TRUE(score->value);
  const double wta = (2960.0 + 0.32 * 500 + 0.5 * 100) / (20000.0 + 6600.0);
  EXPECT_NEAR(*score->value, 0.315 * wta, 1e-12);
  const auto* cf = Row(r, "lithium", "refining", "cf");
  ASSERT_NE(cf, nullptr);
  EXPECT_NEAR(*cf->value, 0.315 * wta * (106000.0 / 6600.0) / risk::kGeoPolRiskCopperMidpoint, 1e-12);
}

TEST(AssessGeoPolRisk, MissingGovernanceIsImputedAndSaid) {
  // Japan imports from Australia (g 0.32) and DR Congo, which has no WGI for 2025: the method
  // gives it g = 0.5, and the row says so.
  const auto r = GprAssess({"JPN"});
  const auto* score = Row(r, "lithium", "refining", "score");
  ASSERT_NE(score, nullptr);
  ASSERT_TRUE(score->value);
  EXPECT_NEAR(*score->value, 0.315 * (0.32 * 500 + 0.5 * 100) / 600.0, 1e-12);
  ASSERT_EQ(score->assumptions.size(), 1u);
  EXPECT_NE(
      score->assumptions[0].find("1 import row(s) from partners without a political-stability score given g = 0.5"),
      std::string::npos)
      << score->assumptions[0];
  // The United States' imports all have WGI: nothing imputed.
  const auto usa = GprAssess({"USA"});
  EXPECT_TRUE(Row(usa, "lithium", "refining", "score")->assumptions.empty());
}

TEST(AssessGeoPolRisk, WithoutTradeTheRowSaysWhatIsMissing) {
  const auto r = GprAssess({"USA"});
  const auto* score = Row(r, "cobalt", "mining", "score");
  ASSERT_NE(score, nullptr);
  EXPECT_FALSE(score->value);
  EXPECT_EQ(score->status.rfind("insufficient data", 0), 0u);
  EXPECT_NE(score->status.find("no trade rows for cobalt (mining)"), std::string::npos) << score->status;
  EXPECT_EQ(Row(r, "cobalt", "mining", "cf"), nullptr);
  // A consumer without imports of the year: insufficient, naming the years the imports cover.
  const auto none = GprAssess({"CHN"});
  const auto* chn = Row(none, "lithium", "refining", "score");
  ASSERT_NE(chn, nullptr);
  EXPECT_FALSE(chn->value);
  EXPECT_NE(chn->status.find("no imports of lithium (refining) into CHN"), std::string::npos) << chn->status;
}

TEST(AssessGeoPolRisk, LibraryTextNamesNoCommand) {
  // Library messages describe the data; they do not tell users which command to run.
  for (const auto* ds : {&Mini(), &GprMini()}) {
    risk::AssessRequest req;
    req.wgi_year = 2023;
    for (const auto& x : risk::Assess(*ds, req).rows) {
      EXPECT_EQ(x.status.find("lodestone "), std::string::npos) << x.status;
      EXPECT_EQ(x.status.find('`'), std::string::npos) << x.status;
    }
  }
}
