// `lodestone report MINERAL | --all`: per-mineral dossiers (self-contained HTML with inline CSS
// and SVG, plus Markdown and the chart) and, for --all, an index page.
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "lodestone/data/loader.hpp"
#include "lodestone/model/diagnostics.hpp"
#include "lodestone/outlook/data.hpp"
#include "lodestone/outlook/pipeline.hpp"
#include "lodestone/report/dossier.hpp"
#include "lodestone/report/headlines.hpp"
#include "lodestone/sim/inputs.hpp"

namespace lodestone::cli {

namespace {

struct ReportOptions {
  std::string mineral, out = "reports", dataset, projects, outlook_dir, scenario, consumer = "USA,JPN", sim_data,
                       scenarios;
  std::uint64_t sim_runs = 20000;
  bool all = false;
  int runs = 500;
  std::uint64_t seed = 20251028;
};

int ReportCommand(const ReportOptions& o) {
  if (o.all == !o.mineral.empty()) {
    throw model::InputError("", 0, 0, "give one MINERAL or --all");
  }
  const std::filesystem::path shipped = std::filesystem::path(DefaultDataDir()).parent_path();
  auto ds = data::LoadDatasetOrThrow(o.dataset.empty() ? DefaultDataDir() : o.dataset);
  auto od =
      outlook::LoadOutlookData(o.outlook_dir.empty() ? shipped / "outlook" : std::filesystem::path(o.outlook_dir), ds);
  std::filesystem::path registry_path =
      o.projects.empty() ? shipped / "projects" / "projects.csv" : std::filesystem::path(o.projects);
  std::vector<outlook::PipelineProject> registry;
  bool have_registry = !o.projects.empty() || std::filesystem::exists(registry_path);
  if (have_registry) registry = outlook::LoadProjectRegistry(registry_path, ds);

  report::DossierRequest req;
  req.scenario = o.scenario;
  req.runs = o.runs;
  req.seed = o.seed;
  req.registry_supplied = have_registry;
  req.consumer = SplitList(o.consumer, ",+");
  // The simulator's headline results: the shipped scenarios and the risk register.
  const std::filesystem::path sim_dir = SimDataDir(o.sim_data);
  const auto sim_inputs = sim::LoadSimInputs(sim_dir, ds);
  const auto net = sim::BuildNetwork(ds, sim_inputs, 2025);
  const std::filesystem::path scen_dir = ScenariosDir(o.scenarios);
  report::HeadlineRequest hreq;
  hreq.scenarios = report::LoadScenarioDir(scen_dir);
  const auto reg = sim::LoadRegister(scen_dir / "register.json");
  hreq.reg = &reg;
  hreq.runs = o.sim_runs;
  hreq.seed = o.seed;
  hreq.consumers = req.consumer;
  std::vector<std::string> minerals;
  if (o.all) {
    for (const auto& m : ds->minerals) minerals.push_back(m.id);
  } else {
    minerals.push_back(o.mineral);
  }
  std::vector<report::Dossier> dossiers;
  for (const auto& m : minerals) {
    req.mineral = m;
    if (o.all) req.scenario.clear();
    auto d = report::BuildDossier(ds, &od, registry, report::SimulateHeadlines(net, m, hreq), req);
    report::WriteDossier(d, o.out);
    std::cout << fmt::format(
        "wrote {}/{}.html, {}.md{} ({})\n", o.out, m, m,
        (d.svg_file.empty() ? "" : ", " + d.svg_file) + (d.svg_refining_file.empty() ? "" : ", " + d.svg_refining_file),
        d.headline);
    dossiers.push_back(std::move(d));
  }
  if (o.all) {
    std::ofstream f(std::filesystem::path(o.out) / "index.html", std::ios::binary);
    f << report::RenderIndex(ds, dossiers);
    if (!f) throw model::InputError(o.out, 0, 0, "cannot write index.html");
    std::cout << fmt::format("wrote {}/index.html ({} dossiers)\n", o.out, dossiers.size());
  }
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
  cmd->add_option("--sim-data", o.sim_data, "Simulator inputs; default: data/sim");
  cmd->add_option("--scenarios", o.scenarios, "Directory of scenario files and register.json; default: scenarios/");
  cmd->add_option("--dataset", o.dataset, "Dataset directory; default: the shipped dataset");
  cmd->add_option("--projects", o.projects, "Project registry CSV; default: data/projects/projects.csv when present");
  cmd->add_option("--outlook-data", o.outlook_dir, "Outlook data directory; default: data/outlook");
  cmd->callback([&exit_code] { exit_code = RunGuarded([] { return ReportCommand(o); }); });
}

}  // namespace lodestone::cli
