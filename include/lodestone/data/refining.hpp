// The refining split of a mineral whose dataset has no refinery tonnes: each country's share of
// world refined output, from the latest period's global refining shares (shares.csv) and optional
// overrides (data/sim/refining.csv). One rule, used by the simulator's baseline and the outlook.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "lodestone/model/dataset.hpp"

namespace lodestone::data {

// A named country's share of world refined output, from a file beside the dataset.
struct RefiningOverride {
  std::string country;  // ISO3 (or XOT)
  double share = 0;
  std::string source;
};

struct RefiningSplit {
  std::map<model::CountryId, double> share;  // sums to 1; empty when there is no split at all
  std::string how;                           // the rule applied, in words
  std::vector<std::string> sources;          // dataset source ids, then override source ids
  std::vector<std::string> notes;            // bounds halved, values without a number, renormalisation
};

// Dataset shares: a `<x` bound counts at half the bound, values without a number are left out
// (noted). Overrides: where the dataset has no shares they are the whole split; else they replace
// the named countries and the dataset's other countries share the rest in their proportions
// (when the overrides sum to 1 or more they replace the split). The result is normalised to 1.
// `overrides_file` names the overrides' file in `how`.
RefiningSplit GlobalRefiningSplit(const model::Dataset& ds, model::MineralId mineral,
                                  const std::vector<RefiningOverride>& overrides, std::string_view overrides_file);

}  // namespace lodestone::data
