// A figure that may be missing: known, a bound (">50"), or missing for a stated reason
// ("W" withheld, "NA" not available, unknown). Missing is a state, never a silent zero.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lodestone::model {

enum class ValueStatus : std::uint8_t {
  Known,         // an exact figure (as exact as its source)
  AtLeast,       // ">x": the figure is at least x
  AtMost,        // "<x": the figure is below x
  Withheld,      // "W": withheld by the publisher (e.g. to protect company data)
  NotAvailable,  // "NA": not available from the source
  Unknown,       // "unknown": nobody has published it
  NetExporter,   // "E": net exporter (USGS import-reliance convention)
};

struct Value {
  double number = 0.0;  // meaningful for Known, AtLeast, AtMost only
  ValueStatus status = ValueStatus::Unknown;

  static Value Of(double x) { return {x, ValueStatus::Known}; }
  static Value Missing(ValueStatus s) { return {0.0, s}; }
  static Value Bound(double x, ValueStatus s) { return {x, s}; }

  bool IsKnown() const { return status == ValueStatus::Known; }
  bool HasNumber() const {
    return status == ValueStatus::Known || status == ValueStatus::AtLeast || status == ValueStatus::AtMost;
  }
  std::optional<double> Exact() const { return IsKnown() ? std::optional<double>(number) : std::nullopt; }
  Value Scaled(double factor) const { return HasNumber() ? Value{number * factor, status} : *this; }
  bool operator==(const Value& o) const { return status == o.status && (!HasNumber() || number == o.number); }
};

// Human label: "withheld", "not available", ">50", "12.5" ...
std::string DescribeValue(const Value& v);
std::string_view StatusName(ValueStatus s);

enum class ValueParse { Ok, Empty, NotNumber, NotFinite, Negative, TooLarge, Underflow };

// The largest magnitude a figure of the dataset may have (checked by the loader, reported as
// TooLarge). No real figure comes near (the largest shipped one is about 3e8); the bound is what
// guarantees arithmetic: a sum of up to 1e200 such figures, or the product of two, stays finite,
// so totals, shares, HHI and benchmarks can never turn into inf, 0% or "met" through overflow.
inline constexpr double kMaxFigure = 1e100;

// Dataset cell grammar: a decimal number (dot decimal, optional exponent), ">x", "<x", "W",
// "NA", "unknown", "E". `allow_negative` is for signed indicators such as WGI estimates; without
// it "<0" (below zero) is rejected as Negative too. A non-zero number too small for a double
// ("1e-400") is Underflow; one too large (1e999) is NotFinite. kMaxFigure and whether "E" (net
// exporter) is allowed depend on the table: the caller checks.
ValueParse ParseValueCell(std::string_view text, bool allow_negative, Value& out);
std::string_view ValueParseMessage(ValueParse p);

// Shortest text that reads back to the same double (round trip exact).
std::string FormatNumber(double x);
// Inverse of ParseValueCell.
std::string FormatValueCell(const Value& v);

// Parses a plain finite double with std::from_chars; false on any trailing text, and for NaN and
// infinity (so that range checks written as `x < lo || x > hi` cannot let NaN through).
bool ParseDouble(std::string_view text, double& out);

}  // namespace lodestone::model
