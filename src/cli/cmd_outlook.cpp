// `lodestone outlook MINERAL`: the yearly demand, supply and gap table to 2050 for a scenario,
// with its P5-P95 band, the partners' secure supply and, on request, the SVG chart.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "lodestone/model/value.hpp"
#include "lodestone/outlook/serialize.hpp"
#include "lodestone/sim_facade/outlook.hpp"

namespace lodestone::cli {

namespace {

struct OutlookOptions {
  WorkspaceArgs ws;
  std::string mineral, scenario, consumer = "USA,JPN", projects, stage, chart;
  int runs = 1000;
  std::uint64_t seed = 20251028;
  Format format = Format::Table;
};

std::string YearText(const std::optional<int>& y) { return y ? std::to_string(*y) : "none by the end year"; }

int OutlookCommand(const OutlookOptions& o) {
  app::Workspace ws(ResolvePaths(o.ws));
  facade::OutlookRunRequest req;
  req.outlook.mineral = o.mineral;
  req.outlook.scenario = o.scenario;
  req.outlook.consumer = SplitList(o.consumer, ",+");
  req.outlook.stage = o.stage;
  req.outlook.runs = o.runs;
  req.outlook.seed = o.seed;
  req.projects = o.projects;
  req.chart = !o.chart.empty();
  auto run = facade::RunOutlook(ws, req);
  const auto& r = run.result;

  if (!o.chart.empty()) {
    std::ofstream f(o.chart, std::ios::binary);
    f << run.chart_svg;
    if (!f) throw Error::InvalidRequest(o.chart + ": cannot write the chart file");
  }

  if (o.format == Format::Json) {
    std::cout << outlook::ToJson(r).dump(2) << '\n';
    return 0;
  }
  if (o.format == Format::Csv) {
    const auto rows = outlook::ToCsv(r);
    TextTable t;
    t.columns = rows.columns;
    t.rows = rows.rows;
    PrintCsv(std::cout, t);
    return 0;
  }

  TextTable t;
  t.columns = {"year",    "demand_t", "supply_t",         "gap_t",           "gap_pct",      "gap_p5",
               "gap_p50", "gap_p95",  "partner_demand_t", "secure_supply_t", "secure_gap_t", "secure_gap_pct"};
  t.right.assign(t.columns.size(), true);
  for (const auto& y : r.years) {
    t.rows.push_back({std::to_string(y.year), Grouped(y.demand_t), Grouped(y.supply_t), Grouped(y.gap_t),
                      Percent(y.gap_pct), Grouped(y.gap_p5), Grouped(y.gap_p50), Grouped(y.gap_p95),
                      Grouped(y.partner_demand_t), Grouped(y.secure_supply_t), Grouped(y.secure_gap_t),
                      Percent(y.secure_gap_pct)});
  }
  std::cout << fmt::format("{} outlook, scenario {} ({}); {} stage; quantities in {} per year\n", r.mineral, r.scenario,
                           r.scenario_title, r.stage, r.unit);
  std::cout << fmt::format(
      "gap = demand - supply (negative: surplus); band P5/P50/P95 of {} runs, seed {}; secure: "
      "allied output against {} demand\n\n",
      r.runs, r.seed, r.consumer);
  PrintTable(std::cout, t);
  if (r.stage != "mining" && !r.base_output.empty()) {
    std::string line;
    for (const auto& b : r.base_output)
      line += fmt::format("{}{} {}", line.empty() ? "" : ", ", b.country, Grouped(b.t));
    std::cout << fmt::format("\nBase-year {} output by producer ({}): {}\n", r.stage, r.unit, line);
  }
  std::cout << fmt::format("\nWorld gap opens: {} (P50), earliest {} (P95)\n", YearText(r.first_gap_p50),
                           YearText(r.first_gap_p95));
  std::cout << fmt::format("Secure gap for {} opens: {} (P50), earliest {} (P95)\n", r.consumer,
                           YearText(r.first_secure_gap_p50), YearText(r.first_secure_gap_p95));
  if (!r.projects.empty()) {
    std::cout << "\nProjects counted (expected output in the end year):\n";
    for (const auto& p : r.projects) {
      std::cout << fmt::format("  {} ({}, {}, p={}, from {}): {} {}{}\n", p.id, p.country, p.development_stage,
                               model::FormatNumber(p.probability), p.expected_start, Grouped(p.expected_t_end), r.unit,
                               p.stage == r.stage ? "" : " [" + p.stage + "]");
    }
  }
  for (const auto& e : r.excluded_projects) std::cout << "  not counted: " << e << '\n';
  if (!r.notes.empty()) {
    std::cout << "\nNotes:\n";
    for (const auto& n : r.notes) std::cout << "  - " << n << '\n';
  }
  std::cout << "\nSources:\n";
  for (std::size_t i = 0; i < r.sources.size(); ++i) {
    const std::string& id = r.sources[i];
    std::string text = i < r.source_citations.size() ? r.source_citations[i] : std::string();
    if (text.size() > 110) text = text.substr(0, 107) + "...";
    std::cout << fmt::format("  [{}] {}\n", id, text);
  }
  std::cout << "\nAssumptions: `--format json` lists each rule; methods in docs/methods/outlook.md.\n";
  if (!o.chart.empty()) std::cout << "Chart written to " << o.chart << '\n';
  return 0;
}

}  // namespace

void AddOutlookCommand(CLI::App& app, int& exit_code) {
  static OutlookOptions o;
  auto* cmd = app.add_subcommand(
      "outlook", "Demand against supply per year to 2050 for a mineral and scenario, with the gap's P5-P95 band");
  cmd->add_option("mineral", o.mineral, "Mineral id (e.g. lithium)")->required();
  cmd->add_option("--scenario", o.scenario,
                  "Scenario id (steps, aps, sds-2021, wb-2020); default: the first with a path");
  cmd->add_option("--consumer", o.consumer, "Consumers whose secure supply is assessed (ISO3, comma-separated)")
      ->capture_default_str();
  cmd->add_option("--runs", o.runs, "Monte Carlo runs")->capture_default_str()->check(CLI::Range(1, 1000000));
  cmd->add_option("--seed", o.seed, "Random seed (same seed, same output)")->capture_default_str();
  cmd->add_option("--dataset", o.ws.dataset, "Dataset directory; default: the shipped dataset");
  cmd->add_option("--projects", o.projects, "Project registry CSV; default: data/projects/projects.csv when present");
  cmd->add_option("--outlook-data", o.ws.outlook, "Outlook data directory; default: data/outlook");
  cmd->add_option("--stage", o.stage,
                  "Supply stage: mining or refining (refining, separation, magnet, cathode and anode projects count "
                  "there); default: mining when produced");
  cmd->add_option("--chart", o.chart, "Write the chart as an SVG file");
  AddFormatOption(cmd, o.format);
  cmd->callback([&exit_code] { exit_code = RunGuarded([] { return OutlookCommand(o); }); });
}

}  // namespace lodestone::cli
