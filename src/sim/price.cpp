// The price and demand response to a physical shortfall (see price.hpp and docs/simulation.md).
#include "lodestone/sim/price.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace lodestone::sim {

PriceResponse ClearPrice(double s, double ed, double es, double max_multiple) {
  PriceResponse r;
  if (!(s > 0)) return r;  // no shortfall (or not a number): the baseline price
  const double response = std::fabs(ed) + es;
  double p = max_multiple;
  if (s < 1 && response > 0) p = std::min(max_multiple, std::pow(1 - s, -1 / response));
  if (!std::isfinite(p) || p >= max_multiple) {
    p = max_multiple;
    r.capped = true;
  }
  r.multiple = p;
  r.demand_destroyed = 1 - std::pow(p, ed);
  r.supply_added = std::max(0.0, 1 - s) * (std::pow(p, es) - 1);
  return r;
}

const ElasticityRow* FindElasticity(const Network& net, std::string_view mineral) {
  for (const auto& e : net.elasticities) {
    if (e.mineral == mineral) return &e;
  }
  return nullptr;
}

namespace {

void AddSource(const Network& net, const std::string& id, std::vector<SourceRef>& out) {
  if (std::any_of(out.begin(), out.end(), [&](const SourceRef& s) { return s.id == id; })) return;
  for (const auto& s : net.sources) {
    if (s.id == id) {
      out.push_back({s.id, s.kind, s.citation, s.licence, s.rule});
      return;
    }
  }
}

}  // namespace

void AddPriceResponse(const Network& net, ScenarioResult& r) {
  const double cap = net.price_multiple_max;
  r.prices.clear();
  for (const auto& m : r.minerals) {
    MineralPrice mp;
    mp.mineral = m;
    mp.max_multiple = cap;
    const ElasticityRow* e = FindElasticity(net, m);
    for (auto& row : r.rows) {
      if (row.mineral != m || row.sector != "total") continue;
      mp.unit = row.unit;
      mp.demand_t += row.flows.demand;
      mp.shortfall_t += row.flows.shortfall;
      mp.stock_drawn_t += row.flows.stock_drawn;
      if (!e || !row.demand_known || row.flows.demand <= 0) continue;
      const auto c = ClearPrice(row.flows.shortfall / row.flows.demand, e->demand, e->supply, cap);
      row.price_multiple = c.multiple;
      row.demand_destroyed_t = c.demand_destroyed * row.flows.demand;
    }
    if (e) {
      mp.demand_elasticity = e->demand;
      mp.supply_elasticity = e->supply;
      if (mp.demand_t > 0) {
        const auto c = ClearPrice(mp.shortfall_t / mp.demand_t, e->demand, e->supply, cap);
        mp.price_multiple = c.multiple;
        mp.demand_destroyed_t = c.demand_destroyed * mp.demand_t;
        mp.supply_added_t = c.supply_added * mp.demand_t;
        mp.capped = c.capped;
      }
      AddSource(net, e->source, r.sources);
    } else {
      r.notes.push_back(fmt::format("{}: no price elasticities in elasticities.csv; no price reading", m));
    }
    r.prices.push_back(std::move(mp));
  }
}

void AddPriceResponse(const Network& net, McResult& r) {
  const double cap = net.price_multiple_max;
  for (auto& row : r.rows) {
    if (row.sector != "total" || !row.demand_known || row.demand_t <= 0) continue;
    const ElasticityRow* e = FindElasticity(net, row.mineral);
    if (!e) continue;
    row.price_multiple_p50 = ClearPrice(row.shortfall_pct.p50 / 100, e->demand, e->supply, cap).multiple;
    row.price_multiple_p95 = ClearPrice(row.shortfall_pct.p95 / 100, e->demand, e->supply, cap).multiple;
  }
}

}  // namespace lodestone::sim
