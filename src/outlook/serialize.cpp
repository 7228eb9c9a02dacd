// JSON and CSV of the outlook (see serialize.hpp).
#include "lodestone/outlook/serialize.hpp"

#include <nlohmann/json.hpp>

#include "lodestone/model/value.hpp"

namespace lodestone::outlook {

namespace {
Json OptionalYear(const std::optional<int>& y) { return y ? Json(*y) : Json(nullptr); }
}  // namespace

Json ToJson(const OutlookResult& r) {
  Json j = {{"mineral", r.mineral},
            {"scenario", r.scenario},
            {"scenario_title", r.scenario_title},
            {"unit", r.unit},
            {"stage", r.stage},
            {"consumer", r.consumer},
            {"runs", r.runs},
            {"seed", r.seed},
            {"first_gap_p50", OptionalYear(r.first_gap_p50)},
            {"first_gap_p95", OptionalYear(r.first_gap_p95)},
            {"first_secure_gap_p50", OptionalYear(r.first_secure_gap_p50)},
            {"first_secure_gap_p95", OptionalYear(r.first_secure_gap_p95)},
            {"first_gap_reason", r.first_gap_reason.empty() ? Json(nullptr) : Json(r.first_gap_reason)}};
  // The published base case the supply path follows, and whether this balance agrees with it.
  auto& base_case = j["base_case"] = Json::array();
  for (const auto& c : r.base_case) {
    base_case.push_back({{"year", c.year},
                         {"reference_scenario", c.reference_scenario},
                         {"source", c.source},
                         {"coverage", c.coverage},
                         {"published_primary_gap", c.published_primary_gap},
                         {"base_case_supply_t", c.base_case_supply_t},
                         {"primary_gap", c.primary_gap},
                         {"tolerance", c.tolerance},
                         {"one_sided", c.one_sided},
                         {"comparable", c.comparable},
                         {"agrees", c.comparable ? Json(c.agrees) : Json(nullptr)}});
  }
  auto& years = j["years"] = Json::array();
  for (const auto& y : r.years) {
    years.push_back({{"year", y.year},
                     {"demand_t", y.demand_t},
                     {"supply_t", y.supply_t},
                     {"existing_t", y.existing_t},
                     {"projects_t", y.projects_t},
                     {"secondary_t", y.secondary_t},
                     {"gap_t", y.gap_t},
                     {"gap_pct", y.gap_pct},
                     {"gap_p5", y.gap_p5},
                     {"gap_p50", y.gap_p50},
                     {"gap_p95", y.gap_p95},
                     {"demand_p5", y.demand_p5},
                     {"demand_p95", y.demand_p95},
                     {"partner_demand_t", y.partner_demand_t},
                     {"secure_supply_t", y.secure_supply_t},
                     {"secure_gap_t", y.secure_gap_t},
                     {"secure_gap_pct", y.secure_gap_pct},
                     {"secure_gap_p5", y.secure_gap_p5},
                     {"secure_gap_p50", y.secure_gap_p50},
                     {"secure_gap_p95", y.secure_gap_p95}});
  }
  auto& projects = j["projects"] = Json::array();
  for (const auto& p : r.projects) {
    projects.push_back({{"id", p.id},
                        {"stage", p.stage},
                        {"country", p.country},
                        {"development_stage", p.development_stage},
                        {"allied", p.allied},
                        {"capacity_t", p.capacity_t},
                        {"probability", p.probability},
                        {"expected_start", p.expected_start},
                        {"expected_t_end", p.expected_t_end}});
  }
  auto& base = j["base_output"] = Json::array();
  for (const auto& b : r.base_output) base.push_back({{"country", b.country}, {"t", b.t}, {"allied", b.allied}});
  j["excluded_projects"] = r.excluded_projects;
  auto& sources = j["sources"] = Json::array();
  for (std::size_t i = 0; i < r.sources.size(); ++i) {
    sources.push_back(
        {{"id", r.sources[i]}, {"citation", i < r.source_citations.size() ? r.source_citations[i] : std::string()}});
  }
  j["assumptions"] = r.assumptions;
  j["notes"] = r.notes;
  j["method"] = {{"id", kOutlookMethod}, {"version", kOutlookMethodVersion}};
  j["provenance"] = {
      {"sources", r.sources}, {"rules", Json::array({"docs/methods/outlook.md"})}, {"assumptions", r.assumptions}};
  return j;
}

model::CsvRows ToCsv(const OutlookResult& r) {
  model::CsvRows out;
  out.columns = {"year",    "demand_t", "supply_t",         "gap_t",           "gap_pct",      "gap_p5",
                 "gap_p50", "gap_p95",  "partner_demand_t", "secure_supply_t", "secure_gap_t", "secure_gap_pct"};
  for (const auto& y : r.years) {
    out.rows.push_back({std::to_string(y.year), model::FormatNumber(y.demand_t), model::FormatNumber(y.supply_t),
                        model::FormatNumber(y.gap_t), model::FormatNumber(y.gap_pct), model::FormatNumber(y.gap_p5),
                        model::FormatNumber(y.gap_p50), model::FormatNumber(y.gap_p95),
                        model::FormatNumber(y.partner_demand_t), model::FormatNumber(y.secure_supply_t),
                        model::FormatNumber(y.secure_gap_t), model::FormatNumber(y.secure_gap_pct)});
  }
  return out;
}

}  // namespace lodestone::outlook
