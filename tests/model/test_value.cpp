// Tests: Value parsing and printing (missing states, bounds, round trip).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "lodestone/model/value.hpp"

using namespace lodestone::model;

namespace {
Value Parse(std::string_view s, bool neg = false) {
  Value v;
  EXPECT_EQ(ParseValueCell(s, neg, v), ValueParse::Ok) << s;
  return v;
}
ValueParse Fail(std::string_view s, bool neg = false) {
  Value v;
  return ParseValueCell(s, neg, v);
}
}  // namespace

TEST(Value, ParsesNumbersAndMissingStates) {
  EXPECT_EQ(Parse("92000"), Value::Of(92000));
  EXPECT_EQ(Parse("0.0425"), Value::Of(0.0425));
  EXPECT_EQ(Parse("1e6"), Value::Of(1e6));
  EXPECT_EQ(Parse("W").status, ValueStatus::Withheld);
  EXPECT_EQ(Parse("NA").status, ValueStatus::NotAvailable);
  EXPECT_EQ(Parse("unknown").status, ValueStatus::Unknown);
  EXPECT_EQ(Parse("E").status, ValueStatus::NetExporter);
  EXPECT_EQ(Parse(">0.5"), Value::Bound(0.5, ValueStatus::AtLeast));
  EXPECT_EQ(Parse("<0.001"), Value::Bound(0.001, ValueStatus::AtMost));
  EXPECT_EQ(Parse("-1.25", true), Value::Of(-1.25));
}

TEST(Value, MissingIsNeverZero) {
  Value w = Parse("W");
  EXPECT_FALSE(w.IsKnown());
  EXPECT_FALSE(w.Exact().has_value());
  EXPECT_FALSE(w.HasNumber());
  EXPECT_NE(w, Value::Of(0));
}

TEST(Value, RejectsBadCells) {
  EXPECT_EQ(Fail(""), ValueParse::Empty);
  EXPECT_EQ(Fail("12x"), ValueParse::NotNumber);
  EXPECT_EQ(Fail("1,234"), ValueParse::NotNumber);  // thousands separators are an import concern
  EXPECT_EQ(Fail("nan"), ValueParse::NotFinite);
  EXPECT_EQ(Fail("NaN"), ValueParse::NotFinite);
  EXPECT_EQ(Fail("inf"), ValueParse::NotFinite);
  EXPECT_EQ(Fail("-Infinity", true), ValueParse::NotFinite);
  EXPECT_EQ(Fail("1e999"), ValueParse::NotFinite);
  EXPECT_EQ(Fail("-3"), ValueParse::Negative);
  EXPECT_EQ(Fail(" 3"), ValueParse::NotNumber);
}

TEST(Value, FormatRoundTripsExactly) {
  for (double x : {0.1, 1.0 / 3.0, 92000.0, 1e-300, 123456789.123456789, 0.18786862, 5e15}) {
    Value v = Value::Of(x);
    Value back;
    ASSERT_EQ(ParseValueCell(FormatValueCell(v), false, back), ValueParse::Ok);
    EXPECT_EQ(back.number, x);
  }
  EXPECT_EQ(FormatValueCell(Value::Missing(ValueStatus::Withheld)), "W");
  EXPECT_EQ(FormatValueCell(Value::Bound(50, ValueStatus::AtLeast)), ">50");
  EXPECT_EQ(FormatNumber(-0.0), "0");
}

TEST(Value, ScalingKeepsStatus) {
  EXPECT_EQ(Value::Of(2).Scaled(1000), Value::Of(2000));
  EXPECT_EQ(Value::Bound(0.5, ValueStatus::AtLeast).Scaled(2), Value::Bound(1, ValueStatus::AtLeast));
  EXPECT_EQ(Value::Missing(ValueStatus::Withheld).Scaled(1000).status, ValueStatus::Withheld);
}

TEST(Value, FastDecimalPathMatchesFromChars) {
  // Every plain decimal must parse to the same bits as std::from_chars, whichever path it takes.
  std::uint64_t x = 0x9E3779B97F4A7C15ULL;
  for (int i = 0; i < 200000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    int digits = 1 + static_cast<int>(x % 17);
    std::string s;
    std::uint64_t y = x;
    for (int d = 0; d < digits; ++d) {
      s += static_cast<char>('0' + y % 10);
      y /= 10;
    }
    auto point = (x >> 40) % (digits + 1);
    if (point < static_cast<std::uint64_t>(digits) && (x >> 50) % 2) s.insert(point, ".");
    if (s.front() == '.') s.insert(0, "0");
    if (s.back() == '.') s.pop_back();
    Value v;
    ASSERT_EQ(ParseValueCell(s, false, v), ValueParse::Ok) << s;
    double expected = 0;
    ASSERT_TRUE(ParseDouble(s, expected)) << s;
    ASSERT_EQ(v.number, expected) << s;
  }
}

TEST(Value, NumbersPrintWithoutExponentsAtOrdinaryMagnitudes) {
  EXPECT_EQ(FormatNumber(900000), "900000");
  EXPECT_EQ(FormatNumber(11000000), "11000000");
  EXPECT_EQ(FormatNumber(0.001), "0.001");
  EXPECT_EQ(FormatNumber(0.18787), "0.18787");
  EXPECT_EQ(FormatNumber(1e-300), "1e-300");
  EXPECT_EQ(FormatNumber(2.5e20), "2.5e+20");
}
