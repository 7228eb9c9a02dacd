// One calendar date type for every table and request: "YYYY", "YYYY-MM" or "YYYY-MM-DD", checked
// against the calendar (proleptic Gregorian). A year or month stands for its whole period;
// First() and Last() give its ends.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lodestone::model {

enum class DatePrecision : std::uint8_t { Year, Month, Day };

struct Date {
  int year = 0;
  int month = 0;  // 1..12; 0 when only the year is given
  int day = 0;    // 1..31; 0 when not given
  DatePrecision precision = DatePrecision::Day;

  // nullopt for anything else than the three forms, or a day the calendar does not have.
  static std::optional<Date> Parse(std::string_view text);
  // Only "YYYY-MM-DD".
  static std::optional<Date> ParseDay(std::string_view text);
  static Date Ymd(int y, int m, int d) { return {y, m, d, DatePrecision::Day}; }

  // As written: "2025", "2025-10" or "2025-10-09".
  std::string Iso() const;
  // The first and last day of the period the date stands for.
  Date First() const;
  Date Last() const;
  // Days since 1970-01-01 of First().
  std::int64_t DayNumber() const;

  // Ordered by the first day of the period, then by precision.
  std::strong_ordering operator<=>(const Date& o) const;
  bool operator==(const Date& o) const = default;
};

int DaysInMonth(int year, int month);
// Months from `from` to `to` (days / 30.4375; negative when `to` is earlier).
double MonthsBetween(const Date& from, const Date& to);

}  // namespace lodestone::model
