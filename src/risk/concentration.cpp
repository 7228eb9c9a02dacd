// Concentration metrics (HHI, top-N shares, dominance, single-country benchmark).
#include "lodestone/risk/concentration.hpp"

#include <algorithm>
#include <stdexcept>

#include "lodestone/model/error.hpp"

namespace lodestone::risk {

Concentration ComputeConcentration(const std::vector<CountryShare>& shares, const model::Dataset& ds,
                                   const ConcentrationOptions& options) {
  Concentration c;
  for (const auto& s : shares) {
    if (s.share < 0) throw Error::InvalidRequest("negative share");
    const auto kind = ds.Country(s.country).kind;
    if (kind == model::CountryKind::Residual) {
      c.residual_share += s.share;
    } else if (kind == model::CountryKind::Country) {
      c.shares.push_back(s);
    }
  }
  std::sort(c.shares.begin(), c.shares.end(), [&](const CountryShare& a, const CountryShare& b) {
    if (a.share != b.share) return a.share > b.share;
    return ds.Country(a.country).iso3 < ds.Country(b.country).iso3;
  });
  for (std::size_t i = 0; i < c.shares.size(); ++i) {
    c.hhi += c.shares[i].share * c.shares[i].share;
    if (i < 3) c.top3_share += c.shares[i].share;
  }
  if (!c.shares.empty()) {
    c.top1 = c.shares.front();
    c.dominant = c.top1->share > options.dominant_threshold;
  }
  return c;
}

BenchmarkResult SingleCountryBenchmark(const Concentration& c, const std::vector<model::CountryId>& consumer,
                                       const ConcentrationOptions& options) {
  BenchmarkResult r;
  for (const auto& s : c.shares) {  // largest first
    if (std::find(consumer.begin(), consumer.end(), s.country) != consumer.end()) continue;
    r.applicable = true;
    r.largest_third_country = s;
    r.exceeded = s.share > options.benchmark_threshold;
    break;
  }
  return r;
}

}  // namespace lodestone::risk
