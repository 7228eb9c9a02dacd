// Supply concentration of one stage of one mineral: each country's share, top-1 and top-3
// shares, the Herfindahl-Hirschman index, a dominant-supplier flag, and the EU Critical Raw
// Materials Act benchmark (no more than 65% of a stage's supply from a single third country).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lodestone/model/dataset.hpp"

namespace lodestone::risk {

struct CountryShare {
  model::CountryId country;
  double share = 0;  // fraction of the stage's supply
};

struct ConcentrationOptions {
  double dominant_threshold = 0.5;    // "one country above 50%" (e.g. China in refining)
  double benchmark_threshold = 0.65;  // EU CRMA Art. 5(1)(b): at most 65% from one third country
};

struct Concentration {
  std::vector<CountryShare> shares;  // largest first (ties by code), countries only
  double residual_share = 0;         // "other countries" as published: not a single supplier
  std::optional<CountryShare> top1;
  double top3_share = 0;
  double hhi = 0;  // sum of squared country shares, 0..1
  double hhi_10000() const { return hhi * 10000.0; }
  bool dominant = false;  // top-1 share above the dominant threshold
};

// Concentration from country shares that sum to about 1 (a residual row counts toward the total
// but not in HHI or top-N, since it is many countries). Throws an InvalidRequest error on negative
// shares.
Concentration ComputeConcentration(const std::vector<CountryShare>& shares, const model::Dataset& ds,
                                   const ConcentrationOptions& options = {});

struct BenchmarkResult {
  bool applicable = false;  // false when no third country supplies the stage
  std::optional<CountryShare> largest_third_country;
  bool exceeded = false;  // the largest third country's share is above the threshold
};

// The CRMA single-country benchmark for a consumer (a set of countries such as the US and Japan,
// or a group): the largest share from a country outside the consumer.
BenchmarkResult SingleCountryBenchmark(const Concentration& c, const std::vector<model::CountryId>& consumer,
                                       const ConcentrationOptions& options = {});

}  // namespace lodestone::risk
