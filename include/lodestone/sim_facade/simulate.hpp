// Front-end façade of the simulator over an app::Workspace: one call runs what `lodestone
// simulate` (or a server or a Python binding) asks for. Above lodestone_app in the module graph.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lodestone/app/workspace.hpp"
#include "lodestone/model/csv_rows.hpp"
#include "lodestone/sim/serialize.hpp"
#include "lodestone/sim/simulate.hpp"

namespace lodestone::facade {

struct SimulateRequest {
  // Scenario files to run, in order. Empty (and no Monte Carlo): the default scenarios,
  // DefaultScenarioFiles(ws) (unless scenario_texts are given).
  std::vector<std::filesystem::path> scenario_files;
  // Scenarios given as JSON text (a name for messages, the text), run after the files: a server's
  // request bodies come this way.
  std::vector<std::pair<std::string, std::string>> scenario_texts;
  // Monte Carlo over the workspace's risk register instead of scenarios.
  bool monte_carlo = false;
  std::uint64_t runs = 10000, seed = 20251028;
  int threads = 0;  // 0 = all cores; results do not depend on it
  // Baseline year; nullopt: the workspace's baseline year (the data's latest mining year).
  std::optional<int> year;
  std::string sector_rule = "pro-rata";  // pro-rata | defence-first
  // How supply is shared after the shocks: "market" or "pooled-rules"; empty: the inputs' rule.
  std::string market;
  // Monte Carlo progress: (scenarios done, total); never concurrently.
  std::function<void(std::uint64_t, std::uint64_t)> progress;
};

struct SimulateResult {
  std::vector<sim::ScenarioResult> scenarios;  // scenario runs, in the request's order
  std::optional<sim::McResult> monte_carlo;    // when the request asked for it
  bool default_scenarios = false;              // the scenarios are the default list
};

// China's October 2025 controls, as announced (rare earths) and as widened to gallium, germanium
// and graphite: the scenario files of the workspace's scenario directory run by default.
std::vector<std::filesystem::path> DefaultScenarioFiles(const app::Workspace& ws);

// The simulator's options for a sector rule name (pro-rata | defence-first); InvalidRequest
// otherwise.
sim::EvalOptions SimEvalOptions(const std::string& sector_rule);

// Throws Error: InvalidRequest for a bad sector rule or scenario files together with Monte Carlo;
// NotFound for a missing scenario file; InvalidData for a scenario or register that does not
// validate.
SimulateResult Simulate(const app::Workspace& ws, const SimulateRequest& request);

// One mineral's flows by stage before and after one scenario (lodestone simulate --flows,
// GET/POST /v1/flows).
struct FlowsRequest {
  std::string mineral;  // required: a simulated mineral id
  // The scenario: a file, or a JSON text (a name for messages, the text); neither: the first
  // default scenario that touches the mineral (else the first default scenario).
  std::optional<std::filesystem::path> scenario_file;
  std::optional<std::pair<std::string, std::string>> scenario_text;
  std::optional<int> year;
  std::string sector_rule = "pro-rata";
  std::string market;  // as SimulateRequest::market
};
// Throws Error: InvalidRequest for no mineral, both a file and a text, a bad sector or market rule;
// NotFound for a mineral that is not simulated or a missing scenario file; InvalidData for a
// scenario that does not validate.
sim::FlowsResult SimulateFlows(const app::Workspace& ws, const FlowsRequest& request);

// The Monte Carlo's JSON or the scenarios' (one object for one scenario, else an array).
sim::Json ToJson(const SimulateResult& r);
// The Monte Carlo's CSV or the scenarios' (one header).
model::CsvRows ToCsv(const SimulateResult& r);

}  // namespace lodestone::facade
