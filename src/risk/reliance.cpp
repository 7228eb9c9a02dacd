// Import reliance, partner share and restricted share for a consumer.
#include "lodestone/risk/reliance.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "lodestone/data/summary.hpp"

namespace lodestone::risk {

using model::CountryId;
using model::CountryKind;

namespace {

constexpr std::string_view kTechnologyStage = "technology";

bool Contains(const std::vector<CountryId>& v, CountryId c) { return std::find(v.begin(), v.end(), c) != v.end(); }

// Does a measure's target list reach any consumer country?
bool Targets(const model::Dataset& ds, const std::string& targets, const std::vector<CountryId>& consumer) {
  if (targets == "all") return true;
  if (targets.rfind("all_but:", 0) == 0) {
    auto group = ds.FindGroup(targets.substr(8));
    if (!group) return true;  // an unknown exemption group exempts nobody
    auto members = ds.GroupMembers(*group);
    return std::any_of(consumer.begin(), consumer.end(), [&](CountryId c) { return !Contains(members, c); });
  }
  std::size_t start = 0;
  while (start <= targets.size()) {
    auto p = targets.find(';', start);
    auto code = targets.substr(start, p == std::string::npos ? std::string::npos : p - start);
    if (auto id = ds.FindCountry(code); id && Contains(consumer, *id)) return true;
    if (p == std::string::npos) break;
    start = p + 1;
  }
  return false;
}

void Finish(const model::Dataset& ds, RelianceRow& row, const RelianceRequest& req) {
  std::vector<CountryId> partners;
  if (req.partners) partners = ds.GroupMembers(*req.partners);
  std::set<std::string> measures;
  for (auto& s : row.suppliers) {
    const auto kind = ds.Country(s.country).kind;
    if (kind == CountryKind::Residual) {
      row.other_share += s.share;
      continue;
    }
    if (Contains(req.consumer, s.country)) {
      row.domestic_share += s.share;
      continue;
    }
    s.partner = Contains(partners, s.country);
    if (s.partner) row.partner_share += s.share;
    auto in_force = RestrictionsInForce(ds, s.country, row.mineral, row.pooled ? row.stage : std::string(),
                                        req.consumer, req.as_of);
    s.restricted = !in_force.empty();
    if (s.restricted) row.restricted_share += s.share;
    measures.insert(in_force.begin(), in_force.end());
  }
  row.restrictions.assign(measures.begin(), measures.end());
  std::stable_sort(row.suppliers.begin(), row.suppliers.end(), [&](const SupplierShare& a, const SupplierShare& b) {
    if (a.share != b.share) return a.share > b.share;
    return ds.Country(a.country).iso3 < ds.Country(b.country).iso3;
  });
}

}  // namespace

std::vector<std::string> RestrictionsInForce(const model::Dataset& ds, CountryId country, model::MineralId mineral,
                                             const std::string& stage, const std::vector<CountryId>& consumer,
                                             const std::string& as_of) {
  std::vector<std::string> out;
  const auto& p = ds->policies;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p.country[i] != country || p.mineral[i] != mineral) continue;
    // Bans on exporting know-how (stage "technology") do not stop material flows.
    if (ds.Stage(p.stage[i]) == kTechnologyStage) continue;
    if (!stage.empty() && ds.Stage(p.stage[i]) != stage) continue;
    if (p.status[i] != "in_force") continue;
    // Dates are ISO text of varying precision; "2025-10" <= "2026-11-27" compares as intended.
    if (!p.effective[i].empty() && p.effective[i] > as_of) continue;
    if (!p.ended[i].empty() && p.ended[i] <= as_of) continue;
    if (!Targets(ds, p.targets[i], consumer)) continue;
    out.push_back(p.id[i]);
  }
  return out;
}

std::vector<RelianceRow> ImportReliance(const model::Dataset& ds, model::MineralId mineral,
                                        const RelianceRequest& req) {
  std::vector<RelianceRow> rows;
  // 1. Published import sources of each consumer country, one row per material and period.
  const auto& t = ds->import_sources;
  std::map<std::tuple<std::uint16_t, std::string, std::string>, std::size_t> index;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t.mineral[i] != mineral || !Contains(req.consumer, t.consumer[i])) continue;
    auto key = std::make_tuple(t.consumer[i].value, t.material[i], t.period[i]);
    auto [it, inserted] = index.emplace(key, rows.size());
    if (inserted) {
      RelianceRow r;
      r.mineral = mineral;
      r.stage = "imports: " + t.material[i];
      r.basis = fmt::format("{} import sources {} ({})", ds.Country(t.consumer[i]).iso3, t.period[i], t.material[i]);
      rows.push_back(std::move(r));
    }
    auto& r = rows[it->second];
    if (t.share[i].HasNumber()) r.suppliers.push_back({t.country[i], t.share[i].number});
    if (std::find(r.sources.begin(), r.sources.end(), t.source[i]) == r.sources.end()) r.sources.push_back(t.source[i]);
  }
  // 2. Pooled world market per stage: the consumer buys from each supplier in proportion to
  // world supply (the supply picture's shares).
  for (const auto& pic : data::SupplyPictures(ds, mineral)) {
    if (pic.listed_total <= 0 && !pic.from_shares) continue;
    RelianceRow r;
    r.mineral = mineral;
    r.stage = ds.Stage(pic.stage);
    r.pooled = true;
    r.basis = pic.from_shares ? fmt::format("pooled world market: world shares {}", pic.period)
                              : fmt::format("pooled world market: world production {}", pic.year);
    for (const auto& e : pic.entries) {
      if (e.share) r.suppliers.push_back({e.country, *e.share});
      if (std::find(r.sources.begin(), r.sources.end(), e.source) == r.sources.end()) r.sources.push_back(e.source);
    }
    rows.push_back(std::move(r));
  }
  for (auto& r : rows) Finish(ds, r, req);
  return rows;
}

}  // namespace lodestone::risk
