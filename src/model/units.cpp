// Units: parsing and conversion between mass units and content bases.
#include "lodestone/model/units.hpp"

#include <array>
#include <cctype>
#include <utility>

namespace lodestone::model {
namespace {

struct Prefix {
  std::string_view name;
  double to_tonnes;
};
constexpr std::array<Prefix, 5> kPrefixes{{
    {"g", 1e-6},
    {"kg", 1e-3},
    {"t", 1.0},
    {"kt", 1e3},
    {"Mt", 1e6},
}};

// Content-basis conversions, stoichiometric: mass of the element per mass of the compound.
// Li2CO3 (LCE): 2 x 6.941 / 73.891 = 0.18787; Li2O: 2 x 6.941 / 29.881 = 0.46458.
struct BasisConversion {
  std::string_view from;
  std::string_view to;
  double factor;
};
constexpr std::array<BasisConversion, 2> kBasisConversions{{
    {"LCE", "Li", 2 * 6.941 / 73.891},
    {"Li2O", "Li", 2 * 6.941 / 29.881},
}};

}  // namespace

std::optional<Unit> ParseUnit(std::string_view text) {
  std::string_view mass = text;
  std::string_view basis;
  if (auto sp = text.find(' '); sp != std::string_view::npos) {
    mass = text.substr(0, sp);
    basis = text.substr(sp + 1);
    if (basis.empty()) return std::nullopt;
    for (char c : basis) {
      if (!std::isalnum(static_cast<unsigned char>(c))) return std::nullopt;
    }
  }
  for (const auto& p : kPrefixes) {
    if (p.name == mass) {
      Unit u;
      u.to_tonnes = p.to_tonnes;
      u.basis = std::string(basis);
      u.text = std::string(text);
      return u;
    }
  }
  return std::nullopt;
}

std::optional<double> ConversionFactor(const Unit& from, const Unit& to) {
  double scale = from.to_tonnes / to.to_tonnes;
  if (from.basis == to.basis) return scale;
  for (const auto& c : kBasisConversions) {
    if (c.from == from.basis && c.to == to.basis) return scale * c.factor;
    if (c.to == from.basis && c.from == to.basis) return scale / c.factor;
  }
  return std::nullopt;
}

}  // namespace lodestone::model
