// The outlook's front-end façade (see outlook.hpp).
#include "lodestone/sim_facade/outlook.hpp"

#include <fmt/format.h>

#include "lodestone/outlook/data.hpp"
#include "lodestone/report/svg.hpp"

namespace lodestone::facade {

std::vector<outlook::PipelineProject> LoadRegistry(const app::Workspace& ws, const std::filesystem::path& given,
                                                   bool& supplied, std::filesystem::path& where) {
  where = given.empty() ? ws.paths().projects / "projects.csv" : given;
  supplied = !given.empty() || std::filesystem::exists(where);
  if (!supplied) return {};
  return outlook::LoadProjectRegistry(where, ws.dataset());
}

OutlookRunResult RunOutlook(const app::Workspace& ws, const OutlookRunRequest& request) {
  bool supplied = false;
  std::filesystem::path where;
  auto registry = LoadRegistry(ws, request.projects, supplied, where);
  OutlookRunResult out;
  out.result = outlook::Run(ws.dataset(), ws.outlook_data(), registry, request.outlook);
  if (!supplied) out.result.notes.push_back(fmt::format("no project registry at {}: pipeline empty", where.string()));
  if (request.chart) out.chart_svg = report::RenderSvg(report::OutlookChart(out.result), true);
  return out;
}

}  // namespace lodestone::facade
