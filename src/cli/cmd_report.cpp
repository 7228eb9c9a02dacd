// `lodestone report MINERAL | --all`: per-mineral dossiers (self-contained HTML with inline CSS
// and SVG, plus Markdown and the chart) and, for --all, an index page.
#include <fmt/format.h>

#include <iostream>

#include "commands.hpp"
#include "lodestone/sim_facade/report.hpp"

namespace lodestone::cli {

namespace {

struct ReportOptions {
  WorkspaceArgs ws;
  std::string mineral, out = "reports", projects, scenario, consumer = "USA,JPN";
  std::uint64_t sim_runs = 20000;
  bool all = false;
  int runs = 500;
  std::uint64_t seed = 20251028;
};

int ReportCommand(const ReportOptions& o) {
  app::Workspace ws(ResolvePaths(o.ws));
  facade::ReportRequest req;
  req.mineral = o.mineral;
  req.all = o.all;
  req.out = o.out;
  req.scenario = o.scenario;
  req.consumer = SplitList(o.consumer, ",+");
  req.runs = o.runs;
  req.sim_runs = o.sim_runs;
  req.seed = o.seed;
  req.projects = o.projects;
  auto res = facade::WriteReports(ws, req);
  for (const auto& d : res.dossiers) {
    std::cout << fmt::format(
        "wrote {}/{}.html, {}.md{} ({})\n", o.out, d.mineral, d.mineral,
        (d.svg_file.empty() ? "" : ", " + d.svg_file) + (d.svg_refining_file.empty() ? "" : ", " + d.svg_refining_file),
        d.headline);
  }
  if (res.index_written) std::cout << fmt::format("wrote {}/index.html ({} dossiers)\n", o.out, res.dossiers.size());
  return 0;
}

}  // namespace

void AddReportCommand(CLI::App& app, int& exit_code) {
  static ReportOptions o;
  auto* cmd = app.add_subcommand(
      "report",
      "Per-mineral dossier: supply by stage, risk scores, outlook chart, scenario results, projects (HTML + Markdown)");
  cmd->add_option("mineral", o.mineral, "Mineral id (or --all)");
  cmd->add_flag("--all", o.all, "One dossier per mineral of the dataset, plus index.html");
  cmd->add_option("--out", o.out, "Output directory")->capture_default_str();
  cmd->add_option("--scenario", o.scenario, "Outlook scenario to chart; default: the mineral's first");
  cmd->add_option("--consumer", o.consumer, "Consumers (ISO3, comma-separated)")->capture_default_str();
  cmd->add_option("--runs", o.runs, "Monte Carlo runs per scenario")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--seed", o.seed, "Random seed")->capture_default_str();
  cmd->add_option("--sim-runs", o.sim_runs, "Monte Carlo scenarios of the risk register for the scenario section")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{10000000}));
  cmd->add_option("--sim-data", o.ws.sim_data, "Simulator inputs; default: data/sim");
  cmd->add_option("--scenarios", o.ws.scenarios, "Directory of scenario files and register.json; default: scenarios/");
  cmd->add_option("--dataset", o.ws.dataset, "Dataset directory; default: the shipped dataset");
  cmd->add_option("--projects", o.projects, "Project registry CSV; default: data/projects/projects.csv when present");
  cmd->add_option("--outlook-data", o.ws.outlook, "Outlook data directory; default: data/outlook");
  cmd->callback([&exit_code] { exit_code = RunGuarded([] { return ReportCommand(o); }); });
}

}  // namespace lodestone::cli
