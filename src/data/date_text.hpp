// Dates in free-text cells (private to src/data): the curated tables' date columns and groups.csv
// `since` give a date with words around it ("2025-10 (late October; exact day not read)",
// "between 2022-06 and 2023-06 (exact date not read)", "2024 H1", "suspended 2025-11-07 until
// 2026-11-10"). The first date in the text is the figure; it is checked through model::Date, so a
// month, a day or a leap day the calendar does not have is an error, never a silently kept text.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "lodestone/model/date.hpp"

namespace lodestone::data {

struct DateInText {
  std::optional<model::Date> date;  // the first date; nullopt when the text has none, or on error
  std::string token;                // that date as printed ("2024-09" of "2024-09/10")
  std::string error;                // non-empty when a date-like token is not a calendar date
};

namespace date_text_detail {

constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2155;

inline bool Digit(char c) { return c >= '0' && c <= '9'; }
inline bool Alnum(char c) { return Digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// "-" and exactly two digits at `at`.
inline bool DashTwoDigits(std::string_view s, std::size_t at) {
  return at + 3 <= s.size() && s[at] == '-' && Digit(s[at + 1]) && Digit(s[at + 2]) &&
         (at + 3 == s.size() || !Digit(s[at + 3]));
}

}  // namespace date_text_detail

// "20x5", "2O24": a four-character word that begins like a year of 1900..2099 and ends in a digit,
// with a letter inside: a mistyped year, not words around a date ("20th" is a word).
inline bool IsMistypedYear(std::string_view word) {
  using namespace date_text_detail;
  if (word.size() != 4 || !(word.substr(0, 2) == "19" || word.substr(0, 2) == "20") || !Digit(word[3])) return false;
  return !Digit(word[2]);
}

// The first date of `text`, or an error for a mistyped year before it. A year is four digits standing alone (not part
// of a longer number or word) within 1900..2155; "-MM" after it is its month and "-DD" after that its day ("2018-2019"
// is two years: "-20" followed by a digit is not a month).
inline DateInText FindDateInText(std::string_view text) {
  using namespace date_text_detail;
  DateInText out;
  for (std::size_t i = 0; i + 4 <= text.size(); ++i) {
    if (i > 0 && Alnum(text[i - 1])) continue;
    if ((i + 4 == text.size() || !Alnum(text[i + 4])) && IsMistypedYear(text.substr(i, 4))) {
      out.error = fmt::format("'{}' is not a year: a year has four digits", text.substr(i, 4));
      return out;
    }
    if (!Digit(text[i]) || !Digit(text[i + 1]) || !Digit(text[i + 2]) || !Digit(text[i + 3])) continue;
    if (i + 4 < text.size() && Alnum(text[i + 4])) continue;
    const int year =
        (text[i] - '0') * 1000 + (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
    if (year < kMinYear || year > kMaxYear) continue;
    std::size_t end = i + 4;
    if (DashTwoDigits(text, end)) {
      end += 3;
      if (DashTwoDigits(text, end)) end += 3;
    }
    out.token = std::string(text.substr(i, end - i));
    out.date = model::Date::Parse(out.token);
    if (!out.date) {
      // Say what is wrong: the month, else the day (a year alone in range is always a date).
      const std::string_view tok = out.token;
      constexpr int kMonths = 12;
      const auto month = tok.size() >= 7 ? (tok[5] - '0') * 10 + (tok[6] - '0') : 0;
      if (tok.size() < 7 || month < 1 || month > kMonths) {
        out.error = fmt::format("'{}' has no month {}", tok, tok.substr(std::min<std::size_t>(5, tok.size()), 2));
      } else {
        out.error = fmt::format("'{}' has no day {}: not on the calendar", tok, tok.substr(8));
      }
    }
    return out;
  }
  return out;
}

// The check of a date cell: empty, or text whose first date is a calendar date (with `optional`,
// text with no date at all, such as "on promulgation", passes too; a mistyped date never does).
// The message when it is not ("" when it is).
inline std::string DateCellProblem(std::string_view text, bool optional = false) {
  if (text.empty()) return {};
  auto found = FindDateInText(text);
  if (!found.error.empty()) return found.error;
  if (!found.date && !optional) {
    constexpr std::size_t kShown = 60;
    return fmt::format("'{}' has no date: expected a year, YYYY-MM or YYYY-MM-DD (words around it may say more)",
                       text.size() > kShown ? std::string(text.substr(0, kShown)) + "..." : std::string(text));
  }
  return {};
}

}  // namespace lodestone::data
