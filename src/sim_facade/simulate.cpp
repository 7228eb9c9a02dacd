// The simulator's front-end façade (see simulate.hpp).
#include "lodestone/sim_facade/simulate.hpp"

#include <fmt/format.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "lodestone/model/error.hpp"
#include "lodestone/sim/inputs.hpp"
#include "lodestone/sim/network.hpp"

namespace lodestone::facade {

namespace {

sim::Scenario LoadScenarioFile(const std::filesystem::path& file) {
  if (!std::filesystem::is_regular_file(file)) {
    throw Error::NotFound(fmt::format("scenario file {} not found", file.string()));
  }
  return sim::LoadScenario(file);
}

// The workspace's network is the baseline year's; another year, or another market rule, is built
// for this request into `other`.
const sim::Network& SelectNetwork(const app::Workspace& ws, const std::optional<int>& year, const std::string& market,
                                  std::optional<sim::Network>& other) {
  if (year && *year != ws.baseline_year()) {
    other = sim::BuildNetwork(ws.dataset(), ws.sim_inputs(), *year);
  }
  sim::MarketRule rule{};
  if (!market.empty() && !sim::ParseMarketRule(market, rule)) {
    throw Error::InvalidRequest(fmt::format("market rule '{}': expected market or pooled-rules", market));
  }
  if (!market.empty() && rule != (other ? other->market.rule : ws.network().market.rule)) {
    if (!other) other = ws.network();
    other->market.rule = rule;
  }
  return other ? *other : ws.network();
}

}  // namespace

sim::EvalOptions SimEvalOptions(const std::string& rule) {
  sim::EvalOptions o;
  if (rule == "defence-first") {
    o.sector_rule = sim::SectorRule::DefenceFirst;
  } else if (rule != "pro-rata") {
    throw Error::InvalidRequest(fmt::format("sector rule '{}': expected pro-rata or defence-first", rule));
  }
  return o;
}

std::vector<std::filesystem::path> DefaultScenarioFiles(const app::Workspace& ws) {
  return {ws.paths().scenarios / "cn-2025-10-ree-controls.json",
          ws.paths().scenarios / "cn-2025-10-widened-ga-ge-graphite.json"};
}

SimulateResult Simulate(const app::Workspace& ws, const SimulateRequest& request) {
  const auto eval = SimEvalOptions(request.sector_rule);
  if (request.monte_carlo && (!request.scenario_files.empty() || !request.scenario_texts.empty())) {
    throw Error::InvalidRequest("give either scenario files or the risk register, not both");
  }
  std::optional<sim::Network> other;
  const sim::Network& net = SelectNetwork(ws, request.year, request.market, other);
  SimulateResult out;
  if (request.monte_carlo) {
    const auto& reg = ws.risk_register();
    sim::McOptions opt;
    opt.runs = request.runs;
    opt.seed = request.seed;
    opt.threads = request.threads;
    opt.eval = eval;
    opt.progress = request.progress;
    out.monte_carlo = sim::RunMonteCarlo(net, reg, opt);
    return out;
  }
  auto files = request.scenario_files;
  if (files.empty() && request.scenario_texts.empty()) {
    files = DefaultScenarioFiles(ws);
    out.default_scenarios = true;
  }
  for (const auto& f : files) out.scenarios.push_back(sim::Run(net, LoadScenarioFile(f), eval));
  for (const auto& [name, text] : request.scenario_texts) {
    out.scenarios.push_back(sim::Run(net, sim::ParseScenario(text, name), eval));
  }
  return out;
}

sim::FlowsResult SimulateFlows(const app::Workspace& ws, const FlowsRequest& request) {
  const auto eval = SimEvalOptions(request.sector_rule);
  if (request.mineral.empty()) throw Error::InvalidRequest("a mineral is required for the flows (e.g. rare_earths)");
  if (request.scenario_file && request.scenario_text) {
    throw Error::InvalidRequest("give one scenario: a file or a text, not both");
  }
  std::optional<sim::Network> other;
  const sim::Network& net = SelectNetwork(ws, request.year, request.market, other);
  if (net.FindMineralIndex(request.mineral) < 0) return sim::RunFlows(net, sim::Scenario{}, request.mineral, eval);
  if (request.scenario_file) return sim::RunFlows(net, LoadScenarioFile(*request.scenario_file), request.mineral, eval);
  if (request.scenario_text) {
    return sim::RunFlows(net, sim::ParseScenario(request.scenario_text->second, request.scenario_text->first),
                         request.mineral, eval);
  }
  std::optional<sim::Scenario> chosen;
  for (const auto& f : DefaultScenarioFiles(ws)) {
    auto sc = LoadScenarioFile(f);
    bool touches = false;
    for (const auto& s : sc.shocks) {
      touches |= std::find(s.minerals.begin(), s.minerals.end(), request.mineral) != s.minerals.end();
    }
    if (touches) return sim::RunFlows(net, sc, request.mineral, eval);
    if (!chosen) chosen = std::move(sc);
  }
  return sim::RunFlows(net, *chosen, request.mineral, eval);
}

sim::Json ToJson(const SimulateResult& r) {
  return r.monte_carlo ? sim::ToJson(*r.monte_carlo) : sim::ToJson(r.scenarios);
}

model::CsvRows ToCsv(const SimulateResult& r) {
  return r.monte_carlo ? sim::ToCsv(*r.monte_carlo) : sim::ToCsv(r.scenarios);
}

}  // namespace lodestone::facade
