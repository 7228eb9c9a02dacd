// The simulator's results as JSON and CSV (conventions in app/json.hpp and model/csv_rows.hpp):
// one scenario, several scenarios (one CSV header), and the Monte Carlo over a register.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <vector>

#include "lodestone/model/csv_rows.hpp"
#include "lodestone/sim/simulate.hpp"

namespace lodestone::sim {

using Json = nlohmann::ordered_json;

// The method ids and versions the results carry.
inline constexpr const char* kScenarioMethod = "lodestone.sim.scenario";
inline constexpr const char* kMonteCarloMethod = "lodestone.sim.montecarlo";
inline constexpr const char* kFlowsMethod = "lodestone.sim.flows";
inline constexpr int kMethodVersion = 1;

Json ToJson(const ScenarioResult& r);
// One object for one scenario, else an array of them.
Json ToJson(const std::vector<ScenarioResult>& results);
// One header, then every scenario's rows (the first column names the scenario).
model::CsvRows ToCsv(const std::vector<ScenarioResult>& results);
model::CsvRows ToCsv(const ScenarioResult& r);

// One mineral's flows: nodes, links before and after (docs/simulation.md, "Flows").
Json ToJson(const FlowsResult& r);
// One row per link (kind "link": source, target, tonnes before and after) and per consumer (kind
// "consumer": delivered before and after, demand, stock drawn, shortfall); NA where not known.
model::CsvRows ToCsv(const FlowsResult& r);
// The links of a flows result joined: every (source, target) of before or after, in before's order
// then after's new ones, with both tonnages (0 where a side has no such link).
struct FlowLinkChange {
  std::string source, target;
  double before_t = 0, after_t = 0;
};
std::vector<FlowLinkChange> JoinFlowLinks(const FlowsResult& r);

Json ToJson(const McResult& r);
model::CsvRows ToCsv(const McResult& r);

}  // namespace lodestone::sim
