// Tests: import reliance, partner share and restricted share (export restrictions in force).
#include <gtest/gtest.h>

#include "lodestone/data/loader.hpp"
#include "lodestone/risk/reliance.hpp"

using namespace lodestone;

namespace {
const model::Dataset& Mini() {
  static const auto ds = data::LoadDatasetOrThrow(std::filesystem::path(LODESTONE_TEST_DATA_DIR) / "mini");
  return ds;
}
model::CountryId C(const char* iso) { return *Mini().FindCountry(iso); }

const risk::RelianceRow* Find(const std::vector<risk::RelianceRow>& rows, const std::string& stage) {
  for (const auto& r : rows) {
    if (r.stage == stage) return &r;
  }
  return nullptr;
}
}  // namespace

TEST(Reliance, PublishedImportSourcesOfTheConsumer) {
  risk::RelianceRequest req;
  req.consumer = {C("USA")};
  req.partners = Mini().FindGroup("MSP");
  auto rows = risk::ImportReliance(Mini(), *Mini().FindMineral("lithium"), req);
  const auto* imports = Find(rows, "imports: All forms, \"gross\"");
  if (!imports) imports = Find(rows, "imports: All forms");
  ASSERT_NE(imports, nullptr);
  EXPECT_FALSE(imports->pooled);
  EXPECT_NEAR(imports->other_share, 0.5, 1e-12);    // XOT: origin unknown
  EXPECT_NEAR(imports->partner_share, 0.0, 1e-12);  // Chile is not an MSP partner in the mini dataset
  EXPECT_EQ(imports->suppliers.front().country, C("CHL"));
}

TEST(Reliance, PooledWorldMarketCountsRestrictionsInForce) {
  risk::RelianceRequest req;
  req.consumer = {C("USA")};
  req.as_of = "2026-11-27";
  auto rows = risk::ImportReliance(Mini(), *Mini().FindMineral("lithium"), req);
  // Refining has only a bound in production, so the pooled view uses the published shares.
  const risk::RelianceRow* refining = nullptr;
  for (const auto& r : rows) {
    if (r.pooled && r.stage == "refining") refining = &r;
  }
  ASSERT_NE(refining, nullptr);
  EXPECT_NEAR(refining->restricted_share, 0.56, 1e-12);  // China, licence in force since 2025-10-09
  EXPECT_EQ(refining->restrictions, (std::vector<std::string>{"CN-TEST-LI"}));
  EXPECT_NEAR(refining->other_share, 0.12, 1e-12);
  // Before the measure took effect, nothing is restricted.
  req.as_of = "2025-01-01";
  for (const auto& r : risk::ImportReliance(Mini(), *Mini().FindMineral("lithium"), req)) {
    EXPECT_EQ(r.restricted_share, 0.0) << r.stage;
  }
}

TEST(Reliance, ConsumerCountriesCountAsWithinTheConsumer) {
  risk::RelianceRequest req;
  req.consumer = {C("USA"), C("CHL")};
  auto rows = risk::ImportReliance(Mini(), *Mini().FindMineral("lithium"), req);
  for (const auto& r : rows) {
    if (r.pooled && r.stage == "refining") EXPECT_NEAR(r.domestic_share, 0.32, 1e-12);
  }
}

TEST(Reliance, TargetsDecideWhetherARestrictionApplies) {
  auto li = *Mini().FindMineral("lithium");
  EXPECT_FALSE(risk::RestrictionsInForce(Mini(), C("CHN"), li, "refining", {C("JPN")}, "2026-01-01").empty());
  EXPECT_TRUE(risk::RestrictionsInForce(Mini(), C("CHN"), li, "mining", {C("JPN")}, "2026-01-01").empty());
  EXPECT_TRUE(risk::RestrictionsInForce(Mini(), C("CHL"), li, "", {C("JPN")}, "2026-01-01").empty());
}
