// The supply façade: pictures resolved into names, ranked, the remainder summed, sources cited.
#include "lodestone/data/supply.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "lodestone/data/summary.hpp"
#include "lodestone/model/error.hpp"

namespace lodestone::data {

namespace {

SupplyStage Resolve(const model::Dataset& ds, const SupplyPicture& p, int top, std::set<std::uint16_t>& cited,
                    std::set<std::uint16_t>& used) {
  SupplyStage s;
  s.stage = ds.Stage(p.stage);
  s.year = p.year;
  s.unit = p.unit;
  s.world = p.world;
  if (p.world_source) s.world_source = ds.SourceOf(*p.world_source).id;
  s.world_note = p.world_note;
  s.from_shares = p.from_shares;
  s.period = p.period;
  s.share_basis = p.share_basis;
  s.listed_total = p.listed_total;
  s.missing = p.missing;
  s.insufficient = p.entries.empty() || (p.listed_total == 0 && !p.from_shares && p.missing == p.entries.size());

  std::set<std::uint16_t> stage_sources;
  if (p.world_source) {
    cited.insert(p.world_source->value);
    stage_sources.insert(p.world_source->value);
  }
  int rank = 0;
  for (const auto& e : p.entries) {
    const auto& c = ds.Country(e.country);
    SupplyCountry row;
    row.iso3 = c.iso3;
    row.name = c.name;
    row.residual = c.kind == model::CountryKind::Residual;
    row.quantity = e.quantity;
    row.share = e.share;
    row.share_value = e.share_value;
    row.source = ds.SourceOf(e.source).id;
    row.note = e.note;
    stage_sources.insert(e.source.value);
    // Only countries with a known share are ranked; "other countries" is many countries.
    const bool ranked = !row.residual && e.share.has_value();
    if (ranked && rank >= top) {
      row.in_remainder = true;
      if (!s.remainder) s.remainder = SupplyRemainder{};
      auto& r = *s.remainder;
      ++r.countries;
      r.share += *e.share;
      if (e.quantity.IsKnown()) {
        r.known_quantity += e.quantity.number;
      } else {
        ++r.missing;
      }
    } else {
      if (ranked) row.rank = ++rank;
      if (!s.insufficient) cited.insert(e.source.value);
    }
    s.countries.push_back(std::move(row));
  }
  if (s.remainder && s.remainder->missing == 0) s.remainder->quantity = s.remainder->known_quantity;
  for (auto id : stage_sources) {
    used.insert(id);
    const auto& src = ds.SourceOf(model::SourceId{id});
    s.sources.push_back(src.id);
    if (src.kind == model::SourceKind::Assumption && !src.rule.empty() &&
        std::find(s.assumptions.begin(), s.assumptions.end(), src.rule) == s.assumptions.end()) {
      s.assumptions.push_back(src.rule);
    }
  }
  return s;
}

}  // namespace

SupplyResult Supply(const model::Dataset& ds, const SupplyRequest& request) {
  std::vector<model::MineralId> minerals;
  for (const auto& m : request.minerals) {
    auto id = ds.FindMineral(m);
    if (!id) {
      std::string known;
      for (const auto& x : ds->minerals) known += (known.empty() ? "" : ", ") + x.id;
      throw Error::InvalidRequest(fmt::format("unknown mineral '{}': known minerals are {}", m, known));
    }
    minerals.push_back(*id);
  }
  SupplyResult result;
  result.year = request.year;
  result.top = request.top;
  std::set<std::uint16_t> cited, used;
  for (auto m : minerals) {
    const auto& info = ds.Mineral(m);
    SupplyMineral sm{info.id, info.name, {}};
    for (const auto& p : SupplyPictures(ds, m, request.year)) {
      sm.stages.push_back(Resolve(ds, p, request.top, cited, used));
    }
    result.minerals.push_back(std::move(sm));
  }
  for (auto id : cited) result.cited.push_back(ds.SourceOf(model::SourceId{id}));
  for (auto id : used) result.sources.push_back(ds.SourceOf(model::SourceId{id}));
  return result;
}

}  // namespace lodestone::data
