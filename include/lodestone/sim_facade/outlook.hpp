// Front-end façade of the outlook over an app::Workspace (what `lodestone outlook` asks for).
#pragma once

#include <filesystem>
#include <string>

#include "lodestone/app/workspace.hpp"
#include "lodestone/outlook/outlook.hpp"
#include "lodestone/outlook/pipeline.hpp"

namespace lodestone::facade {

struct OutlookRunRequest {
  outlook::OutlookRequest outlook;
  // Project registry CSV; empty: the workspace's projects/projects.csv when it exists (else the
  // pipeline is empty and a note says so).
  std::filesystem::path projects;
  bool chart = false;  // also render the chart as SVG
};

struct OutlookRunResult {
  outlook::OutlookResult result;
  std::string chart_svg;  // when asked for
};

// The project registry a request uses: `given`, else the workspace's projects.csv when present.
struct Registry {
  std::vector<outlook::PipelineProject> projects;
  bool supplied = false;       // false: no registry found, the pipeline is empty
  std::filesystem::path file;  // the file read, or looked for
};
Registry LoadRegistry(const app::Workspace& ws, const std::filesystem::path& given);

OutlookRunResult RunOutlook(const app::Workspace& ws, const OutlookRunRequest& request);

}  // namespace lodestone::facade
