// The dossiers' front-end façade (see report.hpp).
#include "lodestone/sim_facade/report.hpp"

#include <filesystem>
#include <fstream>

#include "lodestone/invest/plan.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/outlook/data.hpp"
#include "lodestone/report/headlines.hpp"
#include "lodestone/sim/scenario.hpp"
#include "lodestone/sim_facade/outlook.hpp"
#include "lodestone/sim_facade/simulate.hpp"

namespace lodestone::facade {

namespace {

// Every project of the workspace's project source evaluated against the risk register (the
// evaluation `projects evaluate` runs), as the dossiers report it.
report::ProjectFindings EvaluateForDossiers(const app::Workspace& ws, const ReportRequest& request) {
  report::ProjectFindings out;
  invest::ProjectSourceRequest src;
  auto set = invest::LoadProjectSource(ws, src);
  invest::EvaluationRequest rq;
  rq.network = &ws.network();
  rq.reg = &ws.risk_register();
  rq.runs = request.eval_runs;
  rq.seed = request.seed;
  rq.partners = request.consumer;
  rq.projects = set.projects;
  rq.chain_context = set.projects;
  auto ev = invest::EvaluateWithScreens(ws, std::move(rq));
  out.supplied = true;
  out.register_id = ws.risk_register().id;
  out.project_source = set.description;
  out.runs = ev.runs;
  out.seed = ev.seed;
  out.horizon_months = ev.horizon_months;
  for (const auto& pe : ev.projects) {
    report::ProjectFinding f;
    f.id = pe.id;
    f.name = pe.name;
    f.mineral = pe.mineral;
    f.country = pe.country;
    f.stage = std::string(invest::Name(pe.stage));
    f.unit = pe.unit;
    f.evaluable = pe.evaluable;
    f.baseline = pe.baseline;
    f.reason = pe.reason;
    f.partner_demand_t = pe.partner_demand_t;
    f.expected_before_t = pe.expected_before_t;
    f.expected_relief_t = pe.expected_relief_t;
    f.public_musd = pe.public_musd;
    if (pe.capex_musd.IsKnown()) f.capex_musd = pe.capex_musd.number;
    out.projects.push_back(std::move(f));
  }
  return out;
}

}  // namespace

std::vector<report::Dossier> BuildReports(const app::Workspace& ws, const ReportRequest& request) {
  if (request.all == !request.mineral.empty()) throw Error::InvalidRequest("give one mineral or all minerals");
  const auto& ds = ws.dataset();
  const auto& od = ws.outlook_data();
  const auto registry = LoadRegistry(ws, request.projects);

  report::DossierRequest req;
  req.scenario = request.scenario;
  req.runs = request.runs;
  req.seed = request.seed;
  req.registry_supplied = registry.supplied;
  req.consumer = request.consumer;
  // The simulator's headline results: the shipped scenarios and the risk register, on the
  // baseline year's network.
  const auto& net = ws.network();
  report::HeadlineRequest hreq;
  hreq.scenarios = report::LoadScenarioDir(ws.paths().scenarios);
  hreq.reg = &ws.risk_register();
  hreq.runs = request.sim_runs;
  hreq.seed = request.seed;
  hreq.consumers = req.consumer;
  // China's October 2025 controls: the default scenarios of the simulator's façade.
  for (const auto& f : DefaultScenarioFiles(ws)) hreq.october_ids.push_back(sim::LoadScenario(f).id);
  // Without a project source (no database and no project sample) the dossiers say so.
  const auto& paths = ws.paths();
  const bool have_projects = (!paths.database.empty() && std::filesystem::exists(paths.database)) ||
                             std::filesystem::exists(paths.projects / "projects.csv");
  if (request.evaluate_projects && have_projects) req.findings = EvaluateForDossiers(ws, request);
  std::vector<std::string> minerals;
  if (request.all) {
    for (const auto& m : ds->minerals) minerals.push_back(m.id);
  } else {
    minerals.push_back(request.mineral);
  }
  std::vector<report::Dossier> dossiers;
  for (const auto& m : minerals) {
    req.mineral = m;
    if (request.all) req.scenario.clear();
    // The flows chart: the simulator's flows under its default scenario, when it covers the mineral.
    req.flows.reset();
    req.flows_unavailable = "the disruption simulator does not cover this mineral";
    for (const auto& why : net.skipped) {
      if (why.rfind(m + ": ", 0) == 0) req.flows_unavailable += " (" + why.substr(m.size() + 2) + ")";
    }
    if (net.Find(m)) {
      FlowsRequest freq;
      freq.mineral = m;
      req.flows = SimulateFlows(ws, freq);
    }
    dossiers.push_back(report::BuildDossier(ds, &od, registry.projects, report::SimulateHeadlines(net, m, hreq), req));
  }
  return dossiers;
}

ReportResult WriteReports(const app::Workspace& ws, const ReportRequest& request) {
  const auto& ds = ws.dataset();
  ReportResult out;
  out.out = request.out;
  out.dossiers = BuildReports(ws, request);
  for (const auto& d : out.dossiers) report::WriteDossier(d, request.out);
  if (request.all) {
    const auto index = request.out / "index.html";
    std::ofstream f(index, std::ios::binary);
    f << report::RenderIndex(ds, out.dossiers);
    if (!f) throw Error::InvalidRequest(index.string() + ": cannot write the file");
    out.index_written = true;
  }
  return out;
}

}  // namespace lodestone::facade
