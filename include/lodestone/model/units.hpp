// Units of mass with an optional content basis: "t", "kt", "kg", "t Li", "t REO", "kg Ga".
// Quantities on different bases never add without an explicit conversion.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lodestone::model {

struct Unit {
  double to_tonnes = 1.0;  // multiply a figure in this unit to get tonnes (of the same basis)
  std::string basis;       // "" = gross weight; "Li", "REO", "LCE", "Cu" ... = content basis
  std::string text;        // canonical spelling, e.g. "kt Li"

  bool operator==(const Unit& o) const { return text == o.text; }
};

// Mass prefixes accepted: g, kg, t, kt, Mt. The basis (after one space) is an identifier
// [A-Za-z0-9]+. Returns nullopt for anything else.
std::optional<Unit> ParseUnit(std::string_view text);

// Factor f such that x [from] == x * f [to]; nullopt when the bases differ and no conversion
// is known (tonnes of lithium content and tonnes of LCE convert; tonnes of ore and tonnes of
// metal do not).
std::optional<double> ConversionFactor(const Unit& from, const Unit& to);

}  // namespace lodestone::model
