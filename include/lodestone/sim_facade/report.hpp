// Front-end façade of the dossiers over an app::Workspace (what `lodestone report` asks for):
// builds and writes one dossier per mineral and, for every mineral, the index page.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "lodestone/app/workspace.hpp"
#include "lodestone/report/dossier.hpp"

namespace lodestone::facade {

struct ReportRequest {
  std::string mineral;  // one mineral; empty with `all`
  bool all = false;     // every mineral of the dataset, plus index.html
  std::filesystem::path out = "reports";
  std::string scenario;  // outlook scenario charted (one mineral only); empty: the mineral's first
  std::vector<std::string> consumer = {"USA", "JPN"};
  int runs = 500;                  // outlook Monte Carlo runs
  std::uint64_t sim_runs = 20000;  // risk register scenarios for the scenario section
  std::uint64_t seed = 20251028;
  std::filesystem::path projects;  // empty: the workspace's projects.csv when present
  // Evaluate the workspace's project source against the risk register for the projects' key
  // message and annex (scenarios drawn: eval_runs, seed: `seed`).
  bool evaluate_projects = true;
  std::uint64_t eval_runs = 2000;
};

struct ReportResult {
  std::filesystem::path out;
  std::vector<report::Dossier> dossiers;  // written, in order
  bool index_written = false;             // out/index.html
};

// Throws Error InvalidRequest for neither or both of a mineral and `all`, or an unknown mineral.
ReportResult WriteReports(const app::Workspace& ws, const ReportRequest& request);

// The dossiers WriteReports writes, built in memory only (`request.out` is not used): what a
// server returns as HTML.
std::vector<report::Dossier> BuildReports(const app::Workspace& ws, const ReportRequest& request);

}  // namespace lodestone::facade
