// Value: parsing and printing of possibly-missing figures.
#include "lodestone/model/value.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <system_error>

namespace lodestone::model {

std::string_view StatusName(ValueStatus s) {
  switch (s) {
    case ValueStatus::Known: return "known";
    case ValueStatus::AtLeast: return "at least";
    case ValueStatus::AtMost: return "below";
    case ValueStatus::Withheld: return "withheld";
    case ValueStatus::NotAvailable: return "not available";
    case ValueStatus::Unknown: return "unknown";
    case ValueStatus::NetExporter: return "net exporter";
  }
  return "unknown";
}

std::string DescribeValue(const Value& v) {
  switch (v.status) {
    case ValueStatus::Known: return FormatNumber(v.number);
    case ValueStatus::AtLeast: return ">" + FormatNumber(v.number);
    case ValueStatus::AtMost: return "<" + FormatNumber(v.number);
    default: return std::string(StatusName(v.status));
  }
}

bool ParseDouble(std::string_view text, double& out) {
  if (text.empty()) return false;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (*first == '+') ++first;  // from_chars rejects a leading '+'
  auto [ptr, ec] = std::from_chars(first, last, out, std::chars_format::general);
  return ec == std::errc() && ptr == last && std::isfinite(out);
}

namespace {
bool LooksNonFinite(std::string_view t) {
  // from_chars accepts "nan", "inf" and "infinity" in any case; the dataset never does.
  auto lower = [](char c) { return static_cast<char>(c | 0x20); };
  std::string_view s = t;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  if (s.size() < 3) return false;
  std::array<char, 3> p{lower(s[0]), lower(s[1]), lower(s[2])};
  return (p[0] == 'n' && p[1] == 'a' && p[2] == 'n') || (p[0] == 'i' && p[1] == 'n' && p[2] == 'f');
}
// Plain decimals of at most 15 significant digits ("12345.67") are the bulk of every table.
// For them m / 10^k, with m < 2^53 and 10^k exact, is the correctly rounded double (Clinger's
// fast path), so this gives the same bits as from_chars, faster. Anything else returns false.
bool FastDecimal(std::string_view s, double& out) {
  static constexpr std::array<double, 16> kPow10 = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                                    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  if (s.empty() || s.size() > 16) return false;
  std::uint64_t m = 0;
  int digits = 0;
  int frac = -1;  // digits after the point, -1 when no point
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      m = m * 10 + static_cast<std::uint64_t>(c - '0');
      ++digits;
      if (frac >= 0) ++frac;
    } else if (c == '.' && frac < 0) {
      frac = 0;
    } else {
      return false;
    }
  }
  if (digits == 0 || digits > 15 || frac == 0) return false;
  out = frac > 0 ? static_cast<double>(m) / kPow10[static_cast<std::size_t>(frac)] : static_cast<double>(m);
  return true;
}

}  // namespace

ValueParse ParseValueCell(std::string_view text, bool allow_negative, Value& out) {
  if (text.empty()) return ValueParse::Empty;
  if (text[0] >= '0' && text[0] <= '9') {
    // The common case first: a plain figure.
    double x = 0;
    if (FastDecimal(text, x)) {
      out = Value::Of(x);
      return ValueParse::Ok;
    }
  }
  if (text == "W") {
    out = Value::Missing(ValueStatus::Withheld);
    return ValueParse::Ok;
  }
  if (text == "NA") {
    out = Value::Missing(ValueStatus::NotAvailable);
    return ValueParse::Ok;
  }
  if (text == "unknown") {
    out = Value::Missing(ValueStatus::Unknown);
    return ValueParse::Ok;
  }
  if (text == "E") {
    out = Value::Missing(ValueStatus::NetExporter);
    return ValueParse::Ok;
  }
  ValueStatus status = ValueStatus::Known;
  std::string_view num = text;
  if (num.front() == '>' || num.front() == '<') {
    status = num.front() == '>' ? ValueStatus::AtLeast : ValueStatus::AtMost;
    num.remove_prefix(1);
  }
  if (LooksNonFinite(num)) return ValueParse::NotFinite;
  double x = 0;
  auto bounded = [&](double v) {
    // "<0" (or "<-1") says the figure is negative, which a quantity cannot be.
    if (!allow_negative && status == ValueStatus::AtMost && v <= 0) return ValueParse::Negative;
    out = Value{v, status};
    return ValueParse::Ok;
  };
  if (FastDecimal(num, x)) return bounded(x);
  const char* first = num.data();
  const char* last = num.data() + num.size();
  if (first != last && *first == '+') ++first;
  auto [ptr, ec] = std::from_chars(first, last, x, std::chars_format::general);
  if (ec == std::errc::result_out_of_range && ptr == last) {
    // Out of a double's range: too large (1e999) or too small (1e-400), told apart by the
    // exponent's sign.
    auto e = num.find_first_of("eE");
    bool tiny = e != std::string_view::npos && e + 1 < num.size() && num[e + 1] == '-';
    return tiny ? ValueParse::Underflow : ValueParse::NotFinite;
  }
  if (ec != std::errc() || ptr != last || first == last) return ValueParse::NotNumber;
  if (!std::isfinite(x)) return ValueParse::NotFinite;
  if (x < 0 && !allow_negative) return ValueParse::Negative;
  return bounded(x);
}

std::string_view ValueParseMessage(ValueParse p) {
  switch (p) {
    case ValueParse::Ok: return "ok";
    case ValueParse::Empty: return "empty cell: expected a number, or W, NA, unknown for a missing value";
    case ValueParse::NotNumber: return "expected a number (dot decimal), '>x', '<x', or W, NA, unknown";
    case ValueParse::NotFinite:
      return "NaN and infinity are not figures (nor is a number beyond a double's range): write W, NA or unknown for "
             "a missing value";
    case ValueParse::Negative: return "negative quantity: quantities are >= 0 (nor may a bound say '<0')";
    case ValueParse::TooLarge:
      return "number too large: figures are at most 1e100 in magnitude (so that sums and products stay finite)";
    case ValueParse::Underflow:
      return "number too small for a double (it underflows to 0): write 0, or the figure in a larger unit";
  }
  return "invalid value";
}

std::string FormatNumber(double x) {
  if (x == 0.0) return "0";  // also folds -0
  // Plain decimals for ordinary magnitudes (900000, not 9e+05), exponents only at the extremes;
  // both are the shortest text that reads back to the same double.
  std::array<char, 400> buf{};
  const double mag = std::abs(x);
  auto format = mag >= 1e-5 && mag < 1e16 ? std::chars_format::fixed : std::chars_format::general;
  auto [ptr, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), x, format);
  (void)ec;  // 400 bytes always suffice for these forms
  return std::string(buf.data(), ptr);
}

std::string FormatValueCell(const Value& v) {
  switch (v.status) {
    case ValueStatus::Known: return FormatNumber(v.number);
    case ValueStatus::AtLeast: return ">" + FormatNumber(v.number);
    case ValueStatus::AtMost: return "<" + FormatNumber(v.number);
    case ValueStatus::Withheld: return "W";
    case ValueStatus::NotAvailable: return "NA";
    case ValueStatus::Unknown: return "unknown";
    case ValueStatus::NetExporter: return "E";
  }
  return "unknown";
}

}  // namespace lodestone::model
