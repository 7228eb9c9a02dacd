// The outlook's front-end façade (see outlook.hpp).
#include "lodestone/sim_facade/outlook.hpp"

#include <fmt/format.h>

#include "lodestone/outlook/data.hpp"
#include "lodestone/report/svg.hpp"

namespace lodestone::facade {

Registry LoadRegistry(const app::Workspace& ws, const std::filesystem::path& given) {
  Registry r;
  r.file = given.empty() ? ws.paths().projects / "projects.csv" : given;
  r.supplied = !given.empty() || std::filesystem::exists(r.file);
  if (r.supplied) r.projects = outlook::LoadProjectRegistry(r.file, ws.dataset());
  return r;
}

OutlookRunResult RunOutlook(const app::Workspace& ws, const OutlookRunRequest& request) {
  const auto registry = LoadRegistry(ws, request.projects);
  OutlookRunResult out;
  out.result = outlook::Run(ws.dataset(), ws.outlook_data(), registry.projects, request.outlook);
  if (!registry.supplied) {
    out.result.notes.push_back(fmt::format("no project registry at {}: pipeline empty", registry.file.string()));
  }
  if (request.chart) out.chart_svg = report::RenderSvg(report::OutlookChart(out.result), true);
  return out;
}

}  // namespace lodestone::facade
