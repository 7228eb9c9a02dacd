// Tests: the risk module's serialisers (JSON with method and provenance, missing figures null;
// CSV rows) on the fixture datasets and the validation files.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "data/test_fixtures.hpp"
#include "lodestone/data/loader.hpp"
#include "lodestone/risk/serialize.hpp"

using namespace lodestone;

namespace {

const model::Dataset& Mini() {
  static const auto ds = data::LoadDatasetOrThrow(std::filesystem::path(LODESTONE_TEST_DATA_DIR) / "mini");
  return ds;
}

std::filesystem::path Validation() { return lodestone::testing::SourceDir() / "tests" / "validation"; }

}  // namespace

TEST(RiskSerialize, AssessJsonHasRequestMethodProvenanceAndNulls) {
  risk::AssessRequest req;
  req.minerals = {"cobalt"};
  req.consumer = {"USA"};
  const auto result = risk::Assess(Mini(), req);
  const auto j = risk::ToJson(result);
  EXPECT_EQ(j.at("consumer"), "USA");
  EXPECT_EQ(j.at("partners"), "MSP");
  EXPECT_EQ(j.at("as_of"), req.as_of);
  EXPECT_EQ(j.at("method").at("id"), risk::kAssessMethod);
  EXPECT_EQ(j.at("method").at("version"), risk::kAssessMethodVersion);
  EXPECT_EQ(j.at("provenance").at("sources").at(0), "test_src");
  ASSERT_EQ(j.at("rows").size(), result.rows.size());
  bool null_value = false;
  for (std::size_t i = 0; i < result.rows.size(); ++i) {
    const auto& row = j.at("rows").at(i);
    EXPECT_EQ(row.at("value").is_null(), !result.rows[i].value.has_value());
    null_value = null_value || row.at("value").is_null();
  }
  EXPECT_TRUE(null_value);  // the EU SR row is insufficient data: null, not 0
}

TEST(RiskSerialize, AssessCsvJoinsSourcesAndAssumptions) {
  risk::AssessRequest req;
  req.minerals = {"lithium"};
  req.methods = {risk::Method::Concentration};
  const auto csv = risk::ToCsv(risk::Assess(Mini(), req));
  ASSERT_EQ(csv.columns.size(), 9u);
  EXPECT_EQ(csv.columns[4], "value");
  ASSERT_FALSE(csv.rows.empty());
  for (const auto& row : csv.rows) {
    ASSERT_EQ(row.size(), 9u);
    if (row[5] != "ok") EXPECT_EQ(row[4], "");
  }
}

TEST(RiskSerialize, GeoPolRiskFileResultAsCsvAndJson) {
  const auto dir = Validation() / "geopolrisk";
  const auto result = risk::GeoPolRiskFromFiles(dir / "production_2018_2022.csv", dir / "trade_data_USA_2022.csv",
                                                dir / "wgi_pv_normalized.csv", "USA", 2022);
  const auto csv = risk::ToCsv(result);
  ASSERT_EQ(csv.columns.size(), 7u);
  ASSERT_FALSE(csv.rows.empty());
  EXPECT_EQ(csv.rows[0][0], "Nickel");
  EXPECT_EQ(csv.rows[0][1], "0.26749007657640966");
  const auto details = risk::ToCsv(result, true);
  EXPECT_EQ(details.columns.size(), 12u);
  EXPECT_EQ(details.rows[0].size(), 12u);
  const auto j = risk::ToJson(result);
  EXPECT_EQ(j.at("importer"), "USA");
  EXPECT_EQ(j.at("year"), 2022);
  EXPECT_EQ(j.at("results").at(0).at("material"), "Nickel");
  EXPECT_EQ(j.at("method_id").at("id"), risk::kGeoPolRiskMethodId);
  EXPECT_EQ(j.at("provenance").at("sources").size(), 3u);
}

TEST(RiskSerialize, MissingGeoPolRiskFiguresAreNamed) {
  risk::GeoPolRiskFigures f;
  f.hhi = 0.5;
  EXPECT_EQ(risk::MissingGeoPolRiskFigures(f), (std::vector<std::string>{"wta", "score", "price", "midpoint", "cf"}));
  const auto j = risk::ToJson(risk::GeoPolRiskFileResult{});
  EXPECT_TRUE(j.at("results").empty());
}

TEST(RiskSerialize, EuSrTableAsCsvAndJson) {
  const auto result = risk::EuSrFromTable(Validation() / "eu_crm" / "eu_crm_2017_sr.csv");
  const auto csv = risk::ToCsv(result);
  EXPECT_EQ(csv.columns, (std::vector<std::string>{"material", "stage", "sr"}));
  ASSERT_EQ(csv.rows.size(), result.rows.size());
  for (std::size_t i = 0; i < csv.rows.size(); ++i) {
    if (!result.rows[i].sr.sr) EXPECT_EQ(csv.rows[i][2], "");
  }
  const auto j = risk::ToJson(result);
  EXPECT_EQ(j.at("method"), risk::kEuSrMethodName);
  EXPECT_TRUE(j.contains("agreement"));
  EXPECT_EQ(j.at("rows").size(), result.rows.size());
}
