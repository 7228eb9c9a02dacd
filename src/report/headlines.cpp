// Headline simulator results for the dossiers (see headlines.hpp).
#include "lodestone/report/headlines.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace lodestone::report {

std::vector<ScenarioHeadline> SimulateHeadlines(const sim::Network& net, const std::string& mineral,
                                                const HeadlineRequest& request) {
  std::vector<ScenarioHeadline> out;
  if (!net.Find(mineral)) return out;
  const sim::MineralNetwork& mn = *net.Find(mineral);
  // A consumer whose demand is not known (counted in the rest of the world) has no headline.
  auto wanted = [&](const std::string& c) {
    int k = net.FindConsumer(c);
    return k >= 0 && mn.demand_known[k] &&
           std::find(request.consumers.begin(), request.consumers.end(), c) != request.consumers.end();
  };
  for (const auto& sc : request.scenarios) {
    bool touches = false;
    for (const auto& s : sc.shocks) {
      touches |= std::find(s.minerals.begin(), s.minerals.end(), mineral) != s.minerals.end() ||
                 (s.kind == sim::ShockKind::Chokepoint && s.minerals.empty());
    }
    if (!touches) continue;
    auto res = sim::Run(net, sc);
    std::string sources;
    for (const auto& s : sc.shocks) {
      if (sources.find(s.source) == std::string::npos) sources += (sources.empty() ? "" : "; ") + s.source;
    }
    const bool october =
        std::find(request.october_ids.begin(), request.october_ids.end(), sc.id) != request.october_ids.end();
    // Totals first, then the sectors of each consumer (for the chart by partner and sector).
    std::vector<const sim::ScenarioRow*> rows;
    for (const auto& row : res.rows) {
      if (row.mineral == mineral && row.sector == "total" && wanted(row.consumer)) rows.push_back(&row);
    }
    for (const auto& row : res.rows) {
      if (row.mineral == mineral && row.sector != "total" && wanted(row.consumer) && row.flows.demand > 0)
        rows.push_back(&row);
    }
    for (const auto* rp : rows) {
      const auto& row = *rp;
      ScenarioHeadline h;
      h.scenario_id = sc.id;
      h.title = sc.title;
      h.mineral = mineral;
      h.consumer = row.consumer;
      h.demand_t = row.flows.demand;
      h.shortfall_t = row.flows.shortfall;
      h.shortfall_pct = row.flows.demand > 0 ? row.flows.shortfall / row.flows.demand : 0.0;
      h.source = "simulator, scenario " + sc.id + "; shocks from " + sources;
      h.sector = row.sector;
      h.delivered_t = row.flows.delivered;
      h.stock_drawn_t = row.flows.stock_drawn;
      h.october_controls = october;
      h.unit = row.unit;
      out.push_back(std::move(h));
    }
  }
  if (request.reg) {
    sim::McOptions opt;
    opt.runs = request.runs;
    opt.seed = request.seed;
    auto mc = sim::RunMonteCarlo(net, *request.reg, opt);
    for (const auto& r : mc.rows) {
      if (r.mineral != mineral || r.sector != "total" || !wanted(r.consumer)) continue;
      ScenarioHeadline h;
      h.scenario_id = request.reg->id;
      h.title = fmt::format(
          "Risk register, {} scenarios (seed {}): mean shortfall; P95 {:.1f}% of demand, "
          "short in {:.0f}% of scenarios",
          request.runs, request.seed, r.shortfall_pct.p95, 100 * r.p_shortfall);
      h.mineral = mineral;
      h.consumer = r.consumer;
      h.demand_t = r.demand_t;
      h.shortfall_t = r.shortfall_t.mean;
      h.shortfall_pct = r.demand_t > 0 ? r.shortfall_t.mean / r.demand_t : 0.0;
      h.source = "simulator, Monte Carlo over the risk register " + request.reg->id +
                 " (event probabilities and sources in the register)";
      h.monte_carlo = true;
      h.delivered_t = r.delivered_t;
      h.stock_drawn_t = r.stock_drawn_t;
      h.p_shortfall = r.p_shortfall;
      h.p95_shortfall_t = r.shortfall_t.p95;
      h.p95_shortfall_pct = r.shortfall_pct.p95 / 100;
      h.runs = mc.runs;
      h.seed = mc.seed;
      h.unit = r.unit;
      out.push_back(std::move(h));
    }
  }
  return out;
}

std::vector<sim::Scenario> LoadScenarioDir(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".json" && e.path().filename() != "register.json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<sim::Scenario> out;
  for (const auto& f : files) out.push_back(sim::LoadScenario(f));
  return out;
}

}  // namespace lodestone::report
