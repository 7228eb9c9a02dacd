// The dossiers' front-end façade (see report.hpp).
#include "lodestone/sim_facade/report.hpp"

#include <fstream>

#include "lodestone/model/error.hpp"
#include "lodestone/outlook/data.hpp"
#include "lodestone/report/headlines.hpp"
#include "lodestone/sim/scenario.hpp"
#include "lodestone/sim_facade/outlook.hpp"

namespace lodestone::facade {

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
