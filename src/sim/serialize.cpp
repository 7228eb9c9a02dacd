// JSON and CSV of the simulator's results (see serialize.hpp).
#include "lodestone/sim/serialize.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "lodestone/model/value.hpp"

namespace lodestone::sim {

namespace {

Json NumOrNull(double x) { return std::isfinite(x) ? Json(x) : Json(nullptr); }
Json Optional(const std::optional<double>& x) { return x ? Json(*x) : Json(nullptr); }
std::string Cell(double x) { return std::isfinite(x) ? model::FormatNumber(x) : "NA"; }
std::string Cell(const std::optional<double>& x) { return x ? model::FormatNumber(*x) : "NA"; }

Json Method(const char* id) { return {{"id", id}, {"version", kMethodVersion}}; }

}  // namespace

Json ToJson(const ScenarioResult& r) {
  Json j;
  j["scenario"] = {{"id", r.scenario.id},
                   {"title", r.scenario.title},
                   {"year", r.year},
                   {"horizon_months", r.scenario.horizon_months}};
  auto& rows = j["rows"] = Json::array();
  for (const auto& row : r.rows) {
    const auto& f = row.flows;
    rows.push_back({{"mineral", row.mineral},
                    {"unit", row.unit},
                    {"consumer", row.consumer},
                    {"sector", row.sector},
                    {"demand_t", f.demand},
                    {"delivered_t", f.delivered},
                    {"stock_drawn_t", f.stock_drawn},
                    {"shortfall_t", f.shortfall},
                    {"shortfall_pct", Optional(row.shortfall_pct)},
                    {"stock_days_of_cover", NumOrNull(row.stock_days)},
                    {"demand_known", row.demand_known},
                    {"baseline_source", row.baseline_source},
                    {"price_multiple", Optional(row.price_multiple)},
                    {"demand_destroyed_t", Optional(row.demand_destroyed_t)}});
  }
  // Per mineral: the physical shortfall at pre-shock demand beside the market-clearing reading.
  auto& prices = j["prices"] = Json::array();
  for (const auto& p : r.prices) {
    prices.push_back({{"mineral", p.mineral},
                      {"unit", p.unit},
                      {"demand_t", p.demand_t},
                      {"shortfall_t", p.shortfall_t},
                      {"stock_drawn_t", p.stock_drawn_t},
                      {"demand_elasticity", Optional(p.demand_elasticity)},
                      {"supply_elasticity", Optional(p.supply_elasticity)},
                      {"price_multiple", Optional(p.price_multiple)},
                      {"demand_destroyed_t", Optional(p.demand_destroyed_t)},
                      {"supply_added_t", Optional(p.supply_added_t)},
                      {"capped", p.capped},
                      {"price_multiple_max", p.max_multiple}});
  }
  // Component chains (only when the scenario touches one): each consumer's shortfall beside the
  // shortfall its feed's lack alone and the component's own shocks alone would cause.
  if (!r.components.empty()) {
    auto& comps = j["components"] = Json::array();
    for (const auto& c : r.components) {
      comps.push_back({{"component", c.component},
                       {"feed", c.feed},
                       {"unit", c.unit},
                       {"consumer", c.consumer},
                       {"demand_known", c.demand_known},
                       {"demand_t", c.demand_t},
                       {"shortfall_t", c.shortfall_t},
                       {"shortfall_from_feed_alone_t", c.feed_only_t},
                       {"shortfall_from_component_shocks_alone_t", c.component_only_t}});
    }
    auto& loss = j["component_producers"] = Json::array();
    for (const auto& p : r.producer_feed_loss) {
      loss.push_back({{"component", p.component},
                      {"feed", p.feed},
                      {"unit", p.unit},
                      {"producer", p.producer},
                      {"output_t", p.output_t},
                      {"output_lost_for_feed_t", p.lost_t}});
    }
  }
  j["market"] = {{"rule", MarketRuleName(r.market.rule)},
                 {"contract_share_initial", r.market.contract_share_initial},
                 {"contract_hold_months", r.market.contract_hold_months},
                 {"contract_share_later", r.market.contract_share_later},
                 {"leakage", r.market.leakage}};
  j["notes"] = r.notes;
  auto& sources = j["sources"] = Json::array();
  for (const auto& s : r.sources) {
    sources.push_back(
        {{"id", s.id}, {"kind", s.kind}, {"citation", s.citation}, {"licence", s.licence}, {"rule", s.rule}});
  }
  Json scen_sources = Json::array();
  for (const auto& s : r.scenario.sources) {
    scen_sources.push_back({{"id", s.id}, {"citation", s.citation}, {"url", s.url}, {"licence", s.licence}});
  }
  j["scenario_sources"] = scen_sources;
  j["method"] = Method(kScenarioMethod);
  Json ids = Json::array(), assumptions = Json::array();
  for (const auto& s : r.sources) {
    ids.push_back(s.id);
    if (s.kind == "assumption") assumptions.push_back(s.id + ": " + s.rule);
  }
  for (const auto& s : r.scenario.sources) ids.push_back(s.id);
  j["provenance"] = {
      {"sources", ids},
      {"rules", Json::array({"docs/simulation.md: shortfall after reallocation and stockpiles",
                             std::string("docs/simulation.md: market rule ") + MarketRuleName(r.market.rule),
                             "docs/simulation.md: price and demand response"})},
      {"assumptions", assumptions}};
  return j;
}

Json ToJson(const std::vector<ScenarioResult>& results) {
  if (results.size() == 1) return ToJson(results[0]);
  Json all = Json::array();
  for (const auto& r : results) all.push_back(ToJson(r));
  return all;
}

model::CsvRows ToCsv(const std::vector<ScenarioResult>& results) {
  model::CsvRows out;
  out.columns = {"scenario",
                 "mineral",
                 "unit",
                 "consumer",
                 "sector",
                 "demand_t",
                 "delivered_t",
                 "stock_drawn_t",
                 "shortfall_t",
                 "shortfall_pct",
                 "stock_days_of_cover",
                 "baseline_source",
                 "price_multiple",
                 "demand_destroyed_t"};
  for (const auto& r : results) {
    for (const auto& row : r.rows) {
      const auto& f = row.flows;
      out.rows.push_back({r.scenario.id, row.mineral, row.unit, row.consumer, row.sector, model::FormatNumber(f.demand),
                          model::FormatNumber(f.delivered), model::FormatNumber(f.stock_drawn),
                          model::FormatNumber(f.shortfall), Cell(row.shortfall_pct), Cell(row.stock_days),
                          row.baseline_source, Cell(row.price_multiple), Cell(row.demand_destroyed_t)});
    }
  }
  return out;
}

model::CsvRows ToCsv(const ScenarioResult& r) { return ToCsv(std::vector<ScenarioResult>{r}); }

Json ToJson(const FlowsResult& r) {
  Json j;
  j["mineral"] = r.mineral;
  j["unit"] = r.unit;
  j["year"] = r.year;
  j["scenario"] = r.scenario_id;
  j["scenario_title"] = r.scenario_title;
  j["horizon_months"] = r.horizon_months;
  j["basis"] = r.basis;
  auto& nodes = j["nodes"] = Json::array();
  for (const auto& n : r.nodes) {
    Json o{
        {"id", n.id}, {"stage", n.stage}, {"country", n.is_country ? Json(n.code) : Json(nullptr)}, {"name", n.name}};
    if (n.stage == "consumer") {
      o["demand_t"] = Optional(n.demand_t);
      o["demand_after_t"] = Optional(n.demand_after_t);
      o["delivered_before_t"] = Optional(n.delivered_before_t);
      o["delivered_after_t"] = Optional(n.delivered_after_t);
      o["stock_drawn_t"] = Optional(n.stock_drawn_t);
      o["shortfall_t"] = Optional(n.shortfall_t);
      o["flow_basis"] = n.flow_basis;
    }
    nodes.push_back(std::move(o));
  }
  auto links = [](const std::vector<FlowLink>& v) {
    Json a = Json::array();
    for (const auto& l : v) a.push_back({{"source", l.source}, {"target", l.target}, {"tonnes", l.tonnes}});
    return a;
  };
  j["before"] = links(r.before);
  j["after"] = links(r.after);
  j["market"] = {{"rule", MarketRuleName(r.market.rule)},
                 {"contract_share_initial", r.market.contract_share_initial},
                 {"contract_hold_months", r.market.contract_hold_months},
                 {"contract_share_later", r.market.contract_share_later},
                 {"leakage", r.market.leakage}};
  auto& sources = j["sources"] = Json::array();
  Json ids = Json::array(), assumptions = Json::array();
  for (const auto& s : r.sources) {
    sources.push_back({{"id", s.id}, {"text", s.citation}, {"kind", s.kind}, {"licence", s.licence}, {"rule", s.rule}});
    ids.push_back(s.id);
    if (s.kind == "assumption") assumptions.push_back(s.id + ": " + s.rule);
  }
  j["notes"] = r.notes;
  j["method"] = Method(kFlowsMethod);
  j["provenance"] = {
      {"sources", ids},
      {"rules", Json::array({"docs/simulation.md: flows by stage",
                             std::string("docs/simulation.md: market rule ") + MarketRuleName(r.market.rule)})},
      {"assumptions", assumptions}};
  return j;
}

std::vector<FlowLinkChange> JoinFlowLinks(const FlowsResult& r) {
  std::vector<FlowLinkChange> out;
  auto find = [&](const FlowLink& l) {
    return std::find_if(out.begin(), out.end(),
                        [&](const FlowLinkChange& c) { return c.source == l.source && c.target == l.target; });
  };
  for (const auto& l : r.before) {
    auto it = find(l);
    if (it == out.end()) it = out.insert(out.end(), FlowLinkChange{l.source, l.target, 0, 0});
    it->before_t += l.tonnes;
  }
  for (const auto& l : r.after) {
    auto it = find(l);
    if (it == out.end()) it = out.insert(out.end(), FlowLinkChange{l.source, l.target, 0, 0});
    it->after_t += l.tonnes;
  }
  return out;
}

model::CsvRows ToCsv(const FlowsResult& r) {
  model::CsvRows out;
  out.columns = {"scenario", "mineral", "unit",     "kind",           "stage",         "source",     "target",
                 "before_t", "after_t", "demand_t", "demand_after_t", "stock_drawn_t", "shortfall_t"};
  for (const auto& k : JoinFlowLinks(r)) {
    const std::string stage = k.source.substr(0, k.source.find(':')) + "->" + k.target.substr(0, k.target.find(':'));
    out.rows.push_back({r.scenario_id, r.mineral, r.unit, "link", stage, k.source, k.target,
                        model::FormatNumber(k.before_t), model::FormatNumber(k.after_t), "NA", "NA", "NA", "NA"});
  }
  for (const auto& n : r.nodes) {
    if (n.stage != "consumer") continue;
    out.rows.push_back({r.scenario_id, r.mineral, r.unit, "consumer", "consumer", n.id, "", Cell(n.delivered_before_t),
                        Cell(n.delivered_after_t), Cell(n.demand_t), Cell(n.demand_after_t), Cell(n.stock_drawn_t),
                        Cell(n.shortfall_t)});
  }
  return out;
}

// The shortfall distribution of a total row: shares of runs with none, per band of demand, above
// 100%; null for sector rows.
static Json Histogram(const std::vector<double>& h) {
  if (h.empty()) return nullptr;
  Json bands = Json::array();
  for (std::size_t i = 1; i + 1 < h.size(); ++i) bands.push_back(h[i]);
  return Json{{"band_pct", kMcHistogramBandPct}, {"none", h.front()}, {"bands", bands}, {"above_100", h.back()}};
}

Json ToJson(const McResult& res) {
  Json j;
  j["register"] = {{"id", res.reg.id}, {"title", res.reg.title}, {"events", res.reg.events.size()}};
  j["runs"] = res.runs;
  j["seed"] = res.seed;
  j["year"] = res.year;
  j["horizon_months"] = res.horizon_months;
  j["quantile_resolution_pct"] = res.histogram_resolution_pct;
  auto& rows = j["rows"] = Json::array();
  auto stat = [](const McStat& s) {
    return Json{{"mean", s.mean}, {"p50", s.p50}, {"p95", s.p95}, {"cvar95", s.cvar95}, {"max", s.max}};
  };
  for (const auto& r : res.rows) {
    rows.push_back({{"mineral", r.mineral},
                    {"unit", r.unit},
                    {"consumer", r.consumer},
                    {"sector", r.sector},
                    {"demand_t", r.demand_t},
                    {"delivered_t", r.delivered_t},
                    {"stock_drawn_t", r.stock_drawn_t},
                    {"shortfall_t", stat(r.shortfall_t)},
                    {"shortfall_pct", stat(r.shortfall_pct)},
                    {"p_shortfall", r.p_shortfall},
                    {"stock_days_of_cover", NumOrNull(r.stock_days)},
                    {"stock_days_used", r.stock_days_used},
                    {"demand_known", r.demand_known},
                    {"price_multiple_p50", Optional(r.price_multiple_p50)},
                    {"price_multiple_p95", Optional(r.price_multiple_p95)},
                    {"histogram", Histogram(r.histogram)}});
  }
  auto& ev = j["events"] = Json::array();
  for (std::size_t e = 0; e < res.reg.events.size(); ++e) {
    ev.push_back({{"id", res.reg.events[e].id},
                  {"probability", res.reg.events[e].probability},
                  {"observed_rate", res.event_rate[e]},
                  {"source", res.reg.events[e].source}});
  }
  j["method"] = Method(kMonteCarloMethod);
  Json ids = Json::array();
  for (const auto& s : res.reg.sources) ids.push_back(s.id);
  for (const auto& e : res.reg.events) {
    if (!e.source.empty() && std::find(ids.begin(), ids.end(), Json(e.source)) == ids.end()) ids.push_back(e.source);
  }
  j["provenance"] = {
      {"sources", ids},
      {"rules", Json::array({"docs/simulation.md: Monte Carlo over the risk register, independent annual events"})},
      {"assumptions", Json::array({"event probabilities, severities and timings as given in the register"})}};
  return j;
}

model::CsvRows ToCsv(const McResult& res) {
  model::CsvRows out;
  out.columns = {"mineral",
                 "unit",
                 "consumer",
                 "sector",
                 "demand_t",
                 "delivered_t",
                 "stock_drawn_t",
                 "shortfall_mean_t",
                 "shortfall_p50_t",
                 "shortfall_p95_t",
                 "shortfall_cvar95_t",
                 "shortfall_max_t",
                 "shortfall_mean_pct",
                 "shortfall_p95_pct",
                 "shortfall_cvar95_pct",
                 "p_shortfall",
                 "stock_days_of_cover",
                 "price_multiple_p50",
                 "price_multiple_p95"};
  for (const auto& r : res.rows) {
    out.rows.push_back({r.mineral, r.unit, r.consumer, r.sector, model::FormatNumber(r.demand_t),
                        model::FormatNumber(r.delivered_t), model::FormatNumber(r.stock_drawn_t),
                        model::FormatNumber(r.shortfall_t.mean), model::FormatNumber(r.shortfall_t.p50),
                        model::FormatNumber(r.shortfall_t.p95), model::FormatNumber(r.shortfall_t.cvar95),
                        model::FormatNumber(r.shortfall_t.max), model::FormatNumber(r.shortfall_pct.mean),
                        model::FormatNumber(r.shortfall_pct.p95), model::FormatNumber(r.shortfall_pct.cvar95),
                        model::FormatNumber(r.p_shortfall), Cell(r.stock_days), Cell(r.price_multiple_p50),
                        Cell(r.price_multiple_p95)});
  }
  return out;
}

}  // namespace lodestone::sim
