// Tests: units and content-basis conversion.
#include <gtest/gtest.h>

#include "lodestone/model/units.hpp"

using namespace lodestone::model;

TEST(Units, ParsesMassAndBasis) {
  auto kt = ParseUnit("kt Cu");
  ASSERT_TRUE(kt);
  EXPECT_DOUBLE_EQ(kt->to_tonnes, 1000);
  EXPECT_EQ(kt->basis, "Cu");
  auto kg = ParseUnit("kg");
  ASSERT_TRUE(kg);
  EXPECT_DOUBLE_EQ(kg->to_tonnes, 0.001);
  EXPECT_EQ(kg->basis, "");
  EXPECT_FALSE(ParseUnit("metric tons"));
  EXPECT_FALSE(ParseUnit("t "));
  EXPECT_FALSE(ParseUnit("lb"));
  EXPECT_FALSE(ParseUnit("t Li-ion"));
}

TEST(Units, ConvertsWithinABasis) {
  auto f = ConversionFactor(*ParseUnit("kt Cu"), *ParseUnit("t Cu"));
  ASSERT_TRUE(f);
  EXPECT_DOUBLE_EQ(*f, 1000);
  f = ConversionFactor(*ParseUnit("kg Ga"), *ParseUnit("t Ga"));
  ASSERT_TRUE(f);
  EXPECT_DOUBLE_EQ(*f, 0.001);
}

TEST(Units, RefusesToMixBases) {
  EXPECT_FALSE(ConversionFactor(*ParseUnit("t"), *ParseUnit("t Li")));  // gross ore vs content
  EXPECT_FALSE(ConversionFactor(*ParseUnit("t REO"), *ParseUnit("t Nd")));
}

TEST(Units, LithiumCarbonateEquivalentConvertsStoichiometrically) {
  auto f = ConversionFactor(*ParseUnit("t LCE"), *ParseUnit("t Li"));
  ASSERT_TRUE(f);
  EXPECT_NEAR(*f, 0.18787, 1e-5);
  auto back = ConversionFactor(*ParseUnit("kt Li"), *ParseUnit("t LCE"));
  ASSERT_TRUE(back);
  EXPECT_NEAR(*back, 1000 / 0.18787, 0.1);
}
