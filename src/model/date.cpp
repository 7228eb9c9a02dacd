#include "lodestone/model/date.hpp"

#include <fmt/format.h>

namespace lodestone::model {

int DaysInMonth(int year, int month);

namespace {
bool Digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}
int ToInt(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}
bool Leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
// Leap years in [1, y).
std::int64_t LeapsBefore(std::int64_t y) {
  const std::int64_t p = y - 1;
  return p / 4 - p / 100 + p / 400;
}
// Days since 1970-01-01: whole years, then whole months of the year, then days.
std::int64_t DaysFromCivil(int y, int m, int d) {
  std::int64_t days = 365 * (static_cast<std::int64_t>(y) - 1970) + (LeapsBefore(y) - LeapsBefore(1970));
  for (int k = 1; k < m; ++k) days += DaysInMonth(y, k);
  return days + d - 1;
}
}  // namespace

int DaysInMonth(int year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  return month == 2 && Leap(year) ? 29 : kDays[month - 1];
}

std::optional<Date> Date::Parse(std::string_view s) {
  if (s.size() != 4 && s.size() != 7 && s.size() != 10) return std::nullopt;
  if (!Digits(s.substr(0, 4))) return std::nullopt;
  Date d;
  d.year = ToInt(s.substr(0, 4));
  if (d.year < 1000) return std::nullopt;
  if (s.size() == 4) {
    d.precision = DatePrecision::Year;
    return d;
  }
  if (s[4] != '-' || !Digits(s.substr(5, 2))) return std::nullopt;
  d.month = ToInt(s.substr(5, 2));
  if (d.month < 1 || d.month > 12) return std::nullopt;
  if (s.size() == 7) {
    d.precision = DatePrecision::Month;
    return d;
  }
  if (s[7] != '-' || !Digits(s.substr(8, 2))) return std::nullopt;
  d.day = ToInt(s.substr(8, 2));
  if (d.day < 1 || d.day > DaysInMonth(d.year, d.month)) return std::nullopt;
  d.precision = DatePrecision::Day;
  return d;
}

std::optional<Date> Date::ParseDay(std::string_view text) {
  auto d = Parse(text);
  if (!d || d->precision != DatePrecision::Day) return std::nullopt;
  return d;
}

std::string Date::Iso() const {
  switch (precision) {
    case DatePrecision::Year: return fmt::format("{:04d}", year);
    case DatePrecision::Month: return fmt::format("{:04d}-{:02d}", year, month);
    case DatePrecision::Day: break;
  }
  return fmt::format("{:04d}-{:02d}-{:02d}", year, month, day);
}

Date Date::First() const {
  return Ymd(year, precision == DatePrecision::Year ? 1 : month, precision == DatePrecision::Day ? day : 1);
}

Date Date::Last() const {
  const int m = precision == DatePrecision::Year ? 12 : month;
  return Ymd(year, m, precision == DatePrecision::Day ? day : DaysInMonth(year, m));
}

std::int64_t Date::DayNumber() const {
  const Date f = First();
  return DaysFromCivil(f.year, f.month, f.day);
}

std::strong_ordering Date::operator<=>(const Date& o) const {
  if (auto c = DayNumber() <=> o.DayNumber(); c != 0) return c;
  return precision <=> o.precision;
}

double MonthsBetween(const Date& from, const Date& to) {
  return static_cast<double>(to.DayNumber() - from.DayNumber()) / 30.4375;
}

}  // namespace lodestone::model
