// Demand paths: a scenario's anchors turned into a yearly path per sector and region.
//
// Interpolation: log-linear between anchors (a constant growth rate between two anchor years);
// before the first anchor the first value holds; after the last anchor the path is flat, or
// continues the last segment's growth rate when the scenario says "trend". Index anchors
// (multiples of the path at a reference year) are scaled so that the path passes through the
// first absolute anchor (a published figure or the base-year production).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lodestone/model/dataset.hpp"
#include "lodestone/outlook/data.hpp"

namespace lodestone::outlook {

struct AnchorPoint {
  int year = 0;
  double value = 0;
};

// Log-linear interpolation through `anchors` (sorted by year, values > 0) at `year`. Zero
// values interpolate linearly (a log path cannot start at zero).
double InterpolateLogLinear(const std::vector<AnchorPoint>& anchors, int year, bool trend_after_last);
// Linear interpolation, flat outside the anchors (used for shares).
double InterpolateLinear(const std::vector<AnchorPoint>& anchors, int year);

struct SeriesPath {
  std::string name;       // sector or region
  std::vector<double> t;  // one value per year of DemandPaths::years
};

struct DemandPaths {
  std::string scenario;
  std::string mineral;
  std::string unit;
  std::vector<int> years;                  // base_year .. end_year
  std::vector<double> world;               // total world demand (sum of sectors)
  std::vector<SeriesPath> sectors;         // world demand by sector (one "total" when no split)
  std::vector<SeriesPath> regions;         // each consumer region, then "rest_of_world"
  std::vector<double> secondary_share;     // fraction of demand met by secondary supply
  std::vector<AnchorPoint> world_anchors;  // the resolved absolute anchors of the total path
  std::vector<std::string> sources;        // source ids used (outlook sources and dataset sources)
  std::vector<std::string> notes;          // missing data and what was done about it
};

// Builds the paths for a scenario and mineral, with regions for `consumers` (ISO3 codes).
// Throws Error InvalidRequest for an unknown mineral or scenario or a scenario without a path for
// the mineral; InvalidData when a consumer has no
// share, or the base-year production is missing from the dataset.
DemandPaths BuildDemand(const model::Dataset& ds, const OutlookData& data, const std::string& scenario,
                        const std::string& mineral, const std::vector<std::string>& consumers);

// World primary production of a mineral at a stage in a year: the published world total when
// known, else the sum of the known country figures; nullopt when neither exists.
struct WorldProduction {
  double t = 0;
  std::string stage;
  model::SourceId source;
  bool from_world_total = false;
};
std::optional<WorldProduction> WorldPrimaryProduction(const model::Dataset& ds, model::MineralId mineral, int year,
                                                      const std::string& stage = "");

}  // namespace lodestone::outlook
