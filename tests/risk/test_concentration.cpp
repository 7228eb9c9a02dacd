// Tests: concentration metrics (HHI, top-N, dominance) and the CRMA single-country benchmark.
#include <gtest/gtest.h>

#include "lodestone/data/loader.hpp"
#include "lodestone/risk/concentration.hpp"

using namespace lodestone;

namespace {
const model::Dataset& Mini() {
  static const auto ds = data::LoadDatasetOrThrow(std::filesystem::path(LODESTONE_TEST_DATA_DIR) / "mini");
  return ds;
}
model::CountryId C(const char* iso) { return *Mini().FindCountry(iso); }
}  // namespace

TEST(Concentration, HandComputedHhiAndTopShares) {
  auto c = risk::ComputeConcentration({{C("CHL"), 0.2}, {C("CHN"), 0.5}, {C("AUS"), 0.3}}, Mini());
  EXPECT_NEAR(c.hhi, 0.25 + 0.09 + 0.04, 1e-12);
  EXPECT_NEAR(c.hhi_10000(), 3800, 1e-8);
  ASSERT_TRUE(c.top1);
  EXPECT_EQ(c.top1->country, C("CHN"));
  EXPECT_NEAR(c.top3_share, 1.0, 1e-12);
  EXPECT_FALSE(c.dominant);  // 50% is not above 50%
}

TEST(Concentration, ResidualIsNotASupplier) {
  auto c = risk::ComputeConcentration({{C("CHN"), 0.6}, {C("XOT"), 0.4}}, Mini());
  EXPECT_NEAR(c.hhi, 0.36, 1e-12);
  EXPECT_NEAR(c.residual_share, 0.4, 1e-12);
  EXPECT_EQ(c.shares.size(), 1u);
  EXPECT_TRUE(c.dominant);
}

TEST(Concentration, SingleCountryBenchmarkExcludesTheConsumer) {
  auto c = risk::ComputeConcentration({{C("CHN"), 0.7}, {C("USA"), 0.2}, {C("AUS"), 0.1}}, Mini());
  auto us = risk::SingleCountryBenchmark(c, {C("USA")});
  ASSERT_TRUE(us.applicable);
  EXPECT_EQ(us.largest_third_country->country, C("CHN"));
  EXPECT_TRUE(us.exceeded);
  auto cn = risk::SingleCountryBenchmark(c, {C("CHN")});
  EXPECT_EQ(cn.largest_third_country->country, C("USA"));
  EXPECT_FALSE(cn.exceeded);
  auto all = risk::SingleCountryBenchmark(c, {C("CHN"), C("USA"), C("AUS")});
  EXPECT_FALSE(all.applicable);
}

TEST(Concentration, ThresholdsAreOptions) {
  risk::ConcentrationOptions o;
  o.dominant_threshold = 0.4;
  o.benchmark_threshold = 0.45;
  auto c = risk::ComputeConcentration({{C("CHN"), 0.5}, {C("AUS"), 0.5}}, Mini(), o);
  EXPECT_TRUE(c.dominant);
  EXPECT_EQ(c.top1->country, C("AUS"));  // ties broken by code
  EXPECT_TRUE(risk::SingleCountryBenchmark(c, {C("USA")}, o).exceeded);
}

TEST(Concentration, NegativeShareIsRejected) {
  EXPECT_THROW(risk::ComputeConcentration({{C("CHN"), -0.1}}, Mini()), lodestone::Error);
}
