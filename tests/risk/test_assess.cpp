// Tests: the risk::Assess facade on the mini dataset and the shipped dataset.
#include <gtest/gtest.h>

#include "data/test_fixtures.hpp"
#include "lodestone/data/loader.hpp"
#include "lodestone/model/diagnostics.hpp"
#include "lodestone/risk/assess.hpp"

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

TEST(Assess, UnknownInputsAreErrors) {
  risk::AssessRequest req;
  req.minerals = {"unobtainium"};
  EXPECT_THROW(risk::Assess(Mini(), req), model::InputError);
  req.minerals = {};
  req.consumer = {"XXX"};
  EXPECT_THROW(risk::Assess(Mini(), req), model::InputError);
  req.consumer = {"USA"};
  req.partners = "NOPE";
  EXPECT_THROW(risk::Assess(Mini(), req), model::InputError);
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
