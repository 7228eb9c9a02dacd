// See refining.hpp.
#include "lodestone/data/refining.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace lodestone::data {

namespace {

void AddUnique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

RefiningSplit GlobalRefiningSplit(const model::Dataset& ds, model::MineralId mineral,
                                  const std::vector<RefiningOverride>& overrides, std::string_view overrides_file) {
  RefiningSplit out;
  std::map<model::CountryId, double> shares;
  if (auto sid = ds.FindStage("refining")) {
    const auto& t = ds->shares;
    std::string period;
    for (std::size_t r = 0; r < t.size(); ++r) {
      if (t.mineral[r] == mineral && t.stage[r] == *sid && t.scope[r] == "global" && t.period[r] > period) {
        period = t.period[r];
      }
    }
    std::vector<std::string> halved, missing;
    for (std::size_t r = 0; r < t.size(); ++r) {
      if (t.mineral[r] != mineral || t.stage[r] != *sid || t.scope[r] != "global" || t.period[r] != period) continue;
      const auto& v = t.share[r];
      const std::string& iso3 = ds.Country(t.country[r]).iso3;
      double x = 0;
      if (v.status == model::ValueStatus::Known || v.status == model::ValueStatus::AtLeast) {
        x = v.number;
      } else if (v.status == model::ValueStatus::AtMost) {
        x = v.number / 2;  // "<0.1%": half the bound
        halved.push_back(iso3 + " " + model::DescribeValue(v));
      } else {
        missing.push_back(iso3 + " (" + model::DescribeValue(v) + ")");
        continue;
      }
      if (x > 0) shares[t.country[r]] += x;
      AddUnique(out.sources, ds.SourceOf(t.source[r]).id);
    }
    if (!shares.empty()) {
      double sum = 0;
      for (const auto& [c, x] : shares) sum += x;
      out.how = fmt::format("global refining shares of {} (dataset shares.csv)", period);
      if (!halved.empty()) {
        out.notes.push_back(
            fmt::format("refining shares given as upper bounds counted at half the bound: {}", Join(halved)));
      }
      if (std::abs(sum - 1.0) > 1e-6) {
        out.notes.push_back(fmt::format("{} refining shares of {} sum to {:.6g}: normalised to 1",
                                        ds.Mineral(mineral).id, period, sum));
      }
    }
    if (!missing.empty()) {
      out.notes.push_back(fmt::format("refining shares without a number, not counted: {}", Join(missing)));
    }
  }
  std::map<model::CountryId, double> named;
  double named_sum = 0;
  for (const auto& o : overrides) {
    auto c = ds.FindCountry(o.country);
    if (!c) continue;  // the overrides' reader reports unknown codes
    named[*c] += o.share;
    named_sum += o.share;
    AddUnique(out.sources, o.source);
  }
  if (!named.empty()) {
    double rest = 0;
    for (const auto& [c, x] : shares) {
      if (!named.count(c)) rest += x;
    }
    std::map<model::CountryId, double> merged = named;
    if (shares.empty()) {
      out.how = fmt::format("refining split of {} (no refining shares in the dataset)", overrides_file);
    } else if (rest > 0 && named_sum < 1 - 1e-9) {
      // (A split that sums to 1 but for rounding, as a chain's whole split does, replaces the
      // dataset: scaling the others to a rest of 1e-16 would add producers with no output.)
      for (const auto& [c, x] : shares) {
        if (!named.count(c)) merged[c] = x / rest * (1 - named_sum);
      }
      std::vector<std::string> names;
      for (const auto& [c, x] : named) names.push_back(ds.Country(c).iso3);
      out.how += fmt::format(", with {} from {} overriding the dataset and the other countries scaled to the rest",
                             Join(names), overrides_file);
    } else {
      out.how += fmt::format(", replaced by the split of {}", overrides_file);
    }
    shares = std::move(merged);
  }
  double sum = 0;
  for (const auto& [c, x] : shares) sum += x;
  if (shares.empty() || sum <= 0) return out;
  for (auto& [c, x] : shares) x /= sum;
  out.share = std::move(shares);
  return out;
}

}  // namespace lodestone::data
