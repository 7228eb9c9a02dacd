// The library's one error type, date type, text helpers and tail statistics.
#include <gtest/gtest.h>

#include "lodestone/model/date.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/model/stats.hpp"
#include "lodestone/model/text.hpp"

namespace lodestone {
namespace {

TEST(Error, EachKindMapsToOneExitCodeAndOneHttpStatus) {
  struct Row {
    ErrorKind kind;
    const char* code;
    int exit, http;
  };
  const Row rows[] = {{ErrorKind::InvalidRequest, "invalid_request", 2, 400},
                      {ErrorKind::InvalidData, "invalid_data", 3, 422},
                      {ErrorKind::NotFound, "not_found", 4, 404},
                      {ErrorKind::Conflict, "conflict", 5, 409},
                      {ErrorKind::Storage, "storage", 6, 503},
                      {ErrorKind::Internal, "internal", 70, 500}};
  for (const auto& r : rows) {
    EXPECT_EQ(ErrorCode(r.kind), r.code);
    EXPECT_EQ(ExitCode(r.kind), r.exit) << r.code;
    EXPECT_EQ(HttpStatus(r.kind), r.http) << r.code;
  }
}

TEST(Error, InvalidDataKeepsEveryDiagnosticWithItsPlace) {
  model::Diagnostics d;
  d.Error("a.csv", 3, 2, "unknown country code 'XXX'");
  d.Error("a.csv", 9, 0, "duplicate key");
  const Error e = Error::InvalidData(d);
  EXPECT_EQ(e.kind(), ErrorKind::InvalidData);
  EXPECT_EQ(e.diagnostics().ErrorCount(), 2u);
  EXPECT_EQ(std::string(e.what()), "a.csv:3:2: error: unknown country code 'XXX'");
  EXPECT_EQ(e.Describe(), "a.csv:3:2: error: unknown country code 'XXX'\na.csv:9: error: duplicate key");
}

TEST(Error, MessageErrorsHaveOneDiagnosticWithoutAFile) {
  const Error e = Error::NotFound("no project 'x'");
  EXPECT_EQ(e.kind(), ErrorKind::NotFound);
  ASSERT_EQ(e.diagnostics().Items().size(), 1u);
  EXPECT_TRUE(e.diagnostics().Items()[0].file.empty());
  EXPECT_EQ(e.Describe(), "error: no project 'x'");
}

TEST(Error, AssertThrowsInternalNamingTheSourceLine) {
  try {
    LODESTONE_ASSERT(1 + 1 == 3, "arithmetic holds");
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Internal);
    EXPECT_NE(std::string(e.what()).find("test_error_date_text.cpp"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("arithmetic holds"), std::string::npos);
  }
  EXPECT_NO_THROW(LODESTONE_ASSERT(true, "never"));
}

TEST(Date, ParsesTheThreeFormsAndChecksTheCalendar) {
  auto y = model::Date::Parse("2025");
  ASSERT_TRUE(y);
  EXPECT_EQ(y->precision, model::DatePrecision::Year);
  EXPECT_EQ(y->First().Iso(), "2025-01-01");
  EXPECT_EQ(y->Last().Iso(), "2025-12-31");
  auto m = model::Date::Parse("2024-02");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->Last().Iso(), "2024-02-29");
  EXPECT_EQ(model::Date::Parse("2023-02")->Last().Iso(), "2023-02-28");
  EXPECT_TRUE(model::Date::Parse("2000-02-29"));
  EXPECT_FALSE(model::Date::Parse("1900-02-29"));
  EXPECT_FALSE(model::Date::Parse("2025-13"));
  EXPECT_FALSE(model::Date::Parse("2025-04-31"));
  EXPECT_FALSE(model::Date::Parse("2025-4-1"));
  EXPECT_FALSE(model::Date::Parse("25"));
  EXPECT_FALSE(model::Date::Parse("2025-01-01T00"));
  EXPECT_FALSE(model::Date::Parse(""));
  EXPECT_FALSE(model::Date::ParseDay("2025-10"));
  EXPECT_EQ(model::Date::Parse("2025-10-09")->Iso(), "2025-10-09");
}

TEST(Date, DayNumbersAgreeWithKnownDates) {
  EXPECT_EQ(model::Date::Ymd(1970, 1, 1).DayNumber(), 0);
  EXPECT_EQ(model::Date::Ymd(1970, 1, 2).DayNumber(), 1);
  EXPECT_EQ(model::Date::Ymd(1969, 12, 31).DayNumber(), -1);
  EXPECT_EQ(model::Date::Ymd(2000, 3, 1).DayNumber(), 11017);
  EXPECT_EQ(model::Date::Ymd(2026, 4, 28).DayNumber() - model::Date::Ymd(2025, 10, 28).DayNumber(), 182);
  // Consecutive days across years differ by one.
  for (int y = 1990; y < 2060; ++y) {
    EXPECT_EQ(model::Date::Ymd(y + 1, 1, 1).DayNumber() - model::Date::Ymd(y, 12, 31).DayNumber(), 1);
  }
  EXPECT_NEAR(model::MonthsBetween(model::Date::Ymd(2025, 1, 1), model::Date::Ymd(2026, 1, 1)), 365 / 30.4375, 1e-12);
  EXPECT_LT(*model::Date::Parse("2025"), *model::Date::Parse("2025-01-02"));
  EXPECT_LT(*model::Date::Parse("2025-01-01"), *model::Date::Parse("2025-01-02"));
}

TEST(Text, TrimAndSplitHaveOneDefinition) {
  EXPECT_EQ(model::Trim(" \t x y \r\n"), "x y");
  EXPECT_EQ(model::Trim("\xc2\xa0x"), "\xc2\xa0x");  // non-ASCII space is content
  EXPECT_EQ(model::ToLower("USA-Jpn"), "usa-jpn");
  EXPECT_EQ(model::SplitList(" USA, JPN;;KOR ", ",;"), (std::vector<std::string>{"USA", "JPN", "KOR"}));
  EXPECT_TRUE(model::SplitList(" , ").empty());
  EXPECT_TRUE(model::HasControlChar("a\x1b[31mred"));
  EXPECT_TRUE(
      model::HasControlChar("\xc2\x9b"
                            "31m"));
  EXPECT_FALSE(model::HasControlChar("tab\tand caf\xc3\xa9"));
}

TEST(Stats, CVaRIsTheMeanOfTheWorstTail) {
  std::vector<double> x;
  for (int i = 1; i <= 100; ++i) x.push_back(i);
  EXPECT_EQ(model::TailCount(100, 0.95), 5u);
  EXPECT_EQ(model::TailCount(10, 0.95), 1u);
  EXPECT_EQ(model::TailCount(1, 0.95), 1u);
  EXPECT_DOUBLE_EQ(model::CVaR(x, 0.95), (96 + 97 + 98 + 99 + 100) / 5.0);
  std::vector<double> empty;
  EXPECT_EQ(model::CVaR(empty, 0.95), 0);
  std::vector<double> s = {1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(model::Quantile(s, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(model::Quantile(s, 1), 4);
}

}  // namespace
}  // namespace lodestone
