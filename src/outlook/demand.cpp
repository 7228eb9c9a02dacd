// Demand paths from scenario anchors: index anchors pinned to an absolute level, log-linear
// interpolation between anchors, sectors summed to the world total, consumer regions as shares.
#include "lodestone/outlook/demand.hpp"
#include "lodestone/model/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "lodestone/model/diagnostics.hpp"

namespace lodestone::outlook {

namespace {

void AddUnique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

std::string JoinIds(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "none" : out;
}

double Segment(const AnchorPoint& a, const AnchorPoint& b, double year) {
  double f = (year - a.year) / static_cast<double>(b.year - a.year);
  if (a.value > 0 && b.value > 0) return a.value * std::pow(b.value / a.value, f);
  return a.value + (b.value - a.value) * f;
}

// Secondary-supply anchors for a scenario: its own rows, else the rows for every scenario.
std::vector<AnchorPoint> RecyclingAnchors(const OutlookData& data, const std::string& scenario,
                                          const std::string& mineral, std::vector<std::string>& sources) {
  for (const std::string& key : {scenario, std::string("*")}) {
    std::vector<AnchorPoint> out;
    for (const auto& a : data.recycling) {
      if (a.scenario == key && a.mineral == mineral) {
        out.push_back({a.year, a.share});
        AddUnique(sources, a.source);
      }
    }
    if (!out.empty()) {
      std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.year < y.year; });
      return out;
    }
  }
  return {};
}

}  // namespace

double InterpolateLogLinear(const std::vector<AnchorPoint>& anchors, int year, bool trend_after_last) {
  if (anchors.empty()) return 0;
  if (year <= anchors.front().year) return anchors.front().value;
  for (std::size_t i = 1; i < anchors.size(); ++i) {
    if (year <= anchors[i].year) {
      if (year == anchors[i].year) return anchors[i].value;  // anchors are hit exactly
      return Segment(anchors[i - 1], anchors[i], year);
    }
  }
  if (trend_after_last && anchors.size() >= 2) return Segment(anchors[anchors.size() - 2], anchors.back(), year);
  return anchors.back().value;
}

double InterpolateLinear(const std::vector<AnchorPoint>& anchors, int year) {
  if (anchors.empty()) return 0;
  if (year <= anchors.front().year) return anchors.front().value;
  for (std::size_t i = 1; i < anchors.size(); ++i) {
    if (year <= anchors[i].year) {
      const auto& a = anchors[i - 1];
      const auto& b = anchors[i];
      return a.value + (b.value - a.value) * (year - a.year) / static_cast<double>(b.year - a.year);
    }
  }
  return anchors.back().value;
}

std::optional<WorldProduction> WorldPrimaryProduction(const model::Dataset& ds, model::MineralId mineral, int year,
                                                      const std::string& stage) {
  const auto& p = ds->production;
  auto pick = [&](const std::string& st) -> std::optional<WorldProduction> {
    auto sid = ds.FindStage(st);
    if (!sid) return std::nullopt;
    std::optional<WorldProduction> world;
    double sum = 0;
    bool any = false;
    model::SourceId src{};
    for (std::size_t i = 0; i < p.size(); ++i) {
      if (p.mineral[i] != mineral || p.stage[i] != *sid || p.year[i] != year) continue;
      const auto& c = ds.Country(p.country[i]);
      if (c.kind == model::CountryKind::Aggregate) {
        if (c.iso3 == "WLD" && p.quantity[i].IsKnown())
          world = WorldProduction{p.quantity[i].number, st, p.source[i], true};
        continue;
      }
      if (p.quantity[i].IsKnown()) {
        sum += p.quantity[i].number;
        any = true;
        src = p.source[i];
      }
    }
    if (world) return world;
    if (any) return WorldProduction{sum, st, src, false};
    return std::nullopt;
  };
  if (!stage.empty()) return pick(stage);
  if (auto m = pick("mining")) return m;
  return pick("refining");
}

DemandPaths BuildDemand(const model::Dataset& ds, const OutlookData& data, const std::string& scenario,
                        const std::string& mineral, const std::vector<std::string>& consumers) {
  const Scenario* sc = data.FindScenario(scenario);
  auto mid = ds.FindMineral(mineral);
  if (!mid) throw Error::InvalidRequest(fmt::format("unknown mineral '{}'", mineral));
  if (!sc) {
    throw Error::InvalidRequest(fmt::format("unknown scenario '{}' (scenarios for {}: {})", scenario, mineral,
                                            JoinIds(data.ScenariosFor(mineral))));
  }
  const auto& par = data.parameters;
  DemandPaths out;
  out.scenario = scenario;
  out.mineral = mineral;
  out.unit = ds.Mineral(*mid).unit.text;
  for (int y = par.base_year; y <= par.end_year; ++y) out.years.push_back(y);
  const std::string demand_file = (data.dir / "demand.csv").string();

  auto recycling = RecyclingAnchors(data, scenario, mineral, out.sources);
  if (recycling.empty()) {
    out.notes.push_back(
        fmt::format("no secondary-supply share for {} in recycling.csv: secondary supply not counted", mineral));
  }
  for (int y : out.years) out.secondary_share.push_back(InterpolateLinear(recycling, y));

  // World anchors by sector.
  std::map<std::string, std::vector<const DemandAnchor*>> by_sector;
  std::vector<std::string> sector_order;
  for (const auto& a : data.demand) {
    if (a.scenario != scenario || a.mineral != mineral || a.region != "world") continue;
    if (!by_sector.count(a.sector)) sector_order.push_back(a.sector);
    by_sector[a.sector].push_back(&a);
  }
  if (by_sector.empty()) {
    // The request chose a scenario the mineral has no path in: the choice, not the data, is wrong.
    throw Error::InvalidRequest(fmt::format("scenario '{}' has no demand path for {} (scenarios for {}: {})", scenario,
                                            mineral, mineral, JoinIds(data.ScenariosFor(mineral))));
  }
  if (by_sector.count("total") && by_sector.size() > 1) {
    throw Error::InvalidData(
        demand_file, by_sector["total"].front()->line, 0,
        fmt::format("scenario '{}', {}: give either sector 'total' or sectors, not both (the total "
                    "is the sum of the sectors)",
                    scenario, mineral));
  }

  out.world.assign(out.years.size(), 0.0);
  std::map<int, double> total_anchor_years;
  for (const auto& sector : sector_order) {
    std::vector<AnchorPoint> absolute, shape;
    int ref_year = 0;
    std::size_t ref_line = 0;
    for (const DemandAnchor* a : by_sector[sector]) {
      AddUnique(out.sources, a->source);
      switch (a->basis) {
        case AnchorBasis::Absolute: absolute.push_back({a->year, a->value}); break;
        case AnchorBasis::DatasetProduction: {
          auto prod = WorldPrimaryProduction(ds, *mid, a->year);
          if (!prod) {
            throw Error::InvalidData(demand_file, a->line, 0,
                                     fmt::format("{}: the dataset has no world production of {} in {} to set the base",
                                                 scenario, mineral, a->year));
          }
          AddUnique(out.sources, ds.SourceOf(prod->source).id);
          double r = InterpolateLinear(recycling, a->year);
          absolute.push_back({a->year, prod->t / (1.0 - r)});
          break;
        }
        case AnchorBasis::Index:
          if (ref_year != 0 && a->ref_year != ref_year) {
            throw Error::InvalidData(demand_file, a->line, 0,
                                     fmt::format("index anchors of one path must share one reference year ({} vs {})",
                                                 a->ref_year, ref_year));
          }
          ref_year = a->ref_year;
          ref_line = a->line;
          shape.push_back({a->year, a->value});
          break;
        case AnchorBasis::ShareOfWorld: break;
      }
    }
    auto by_year = [](const AnchorPoint& x, const AnchorPoint& y) { return x.year < y.year; };
    std::sort(absolute.begin(), absolute.end(), by_year);
    if (!shape.empty()) {
      if (absolute.empty()) {
        throw Error::InvalidData(demand_file, ref_line, 0,
                                 fmt::format("{}, {}, {}: index anchors need an absolute anchor (a published figure or "
                                             "dataset_production) to set their level",
                                             scenario, mineral, sector));
      }
      if (std::none_of(shape.begin(), shape.end(), [&](const AnchorPoint& p) { return p.year == ref_year; })) {
        shape.push_back({ref_year, 1.0});
      }
      std::sort(shape.begin(), shape.end(), by_year);
      const AnchorPoint& pin = absolute.front();
      double scale = pin.value / InterpolateLogLinear(shape, pin.year, false);
      for (const auto& s : shape) {
        bool taken =
            std::any_of(absolute.begin(), absolute.end(), [&](const AnchorPoint& p) { return p.year == s.year; });
        if (!taken) absolute.push_back({s.year, s.value * scale});
      }
      std::sort(absolute.begin(), absolute.end(), by_year);
    }
    SeriesPath path{sector, {}};
    for (std::size_t i = 0; i < out.years.size(); ++i) {
      double v = InterpolateLogLinear(absolute, out.years[i], sc->trend_after_last);
      path.t.push_back(v);
      out.world[i] += v;
    }
    for (const auto& a : absolute) total_anchor_years[a.year] += a.value;
    out.sectors.push_back(std::move(path));
  }
  for (const auto& [year, value] : total_anchor_years) out.world_anchors.push_back({year, value});

  // Consumer regions as shares of world demand.
  std::vector<double> rest = out.world;
  for (const auto& consumer : consumers) {
    std::vector<AnchorPoint> shares;
    for (const std::string& key : {scenario, std::string("*")}) {
      for (const auto& a : data.demand) {
        if (a.scenario == key && a.mineral == mineral && a.region == consumer && a.basis == AnchorBasis::ShareOfWorld) {
          shares.push_back({a.year, a.value});
          AddUnique(out.sources, a.source);
        }
      }
      if (!shares.empty()) break;
    }
    if (shares.empty()) {
      throw Error::InvalidData(
          demand_file, 0, 0,
          fmt::format("no share of world {} demand for consumer {} (add a share_of_world row)", mineral, consumer));
    }
    std::sort(shares.begin(), shares.end(), [](const auto& x, const auto& y) { return x.year < y.year; });
    SeriesPath region{consumer, {}};
    for (std::size_t i = 0; i < out.years.size(); ++i) {
      double v = InterpolateLinear(shares, out.years[i]) * out.world[i];
      region.t.push_back(v);
      rest[i] -= v;
    }
    out.regions.push_back(std::move(region));
  }
  out.regions.push_back({"rest_of_world", rest});
  return out;
}

}  // namespace lodestone::outlook
