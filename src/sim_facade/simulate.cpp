// The simulator's front-end façade (see simulate.hpp).
#include "lodestone/sim_facade/simulate.hpp"

#include <fmt/format.h>

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
  // The workspace's network is the baseline year's; another year is built for this request.
  std::optional<sim::Network> other;
  if (request.year && *request.year != ws.baseline_year()) {
    other = sim::BuildNetwork(ws.dataset(), ws.sim_inputs(), *request.year);
  }
  sim::MarketRule rule{};
  if (!request.market.empty() && !sim::ParseMarketRule(request.market, rule)) {
    throw Error::InvalidRequest(fmt::format("market rule '{}': expected market or pooled-rules", request.market));
  }
  if (!request.market.empty() && rule != (other ? other->market.rule : ws.network().market.rule)) {
    if (!other) other = ws.network();
    other->market.rule = rule;
  }
  const sim::Network& net = other ? *other : ws.network();
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

sim::Json ToJson(const SimulateResult& r) {
  return r.monte_carlo ? sim::ToJson(*r.monte_carlo) : sim::ToJson(r.scenarios);
}

model::CsvRows ToCsv(const SimulateResult& r) {
  return r.monte_carlo ? sim::ToCsv(*r.monte_carlo) : sim::ToCsv(r.scenarios);
}

}  // namespace lodestone::facade
