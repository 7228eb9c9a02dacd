// `lodestone outlook MINERAL`: the yearly demand, supply and gap table to 2050 for a scenario,
// with its P5-P95 band, the partners' secure supply and, on request, the SVG chart.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "lodestone/data/loader.hpp"
#include "lodestone/model/diagnostics.hpp"
#include "lodestone/outlook/data.hpp"
#include "lodestone/outlook/outlook.hpp"
#include "lodestone/outlook/pipeline.hpp"
#include "lodestone/report/svg.hpp"

namespace lodestone::cli {

namespace {

struct OutlookOptions {
  std::string mineral, scenario, consumer = "USA,JPN", dataset, projects, outlook_dir, stage, chart;
  int runs = 1000;
  std::uint64_t seed = 20251028;
  Format format = Format::Table;
};

std::vector<std::string> SplitCodes(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s + ",") {
    if (c == ',' || c == '+') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  return out;
}

nlohmann::ordered_json OptionalYear(const std::optional<int>& y) {
  return y ? nlohmann::ordered_json(*y) : nlohmann::ordered_json(nullptr);
}

std::string YearText(const std::optional<int>& y) { return y ? std::to_string(*y) : "none by the end year"; }

int OutlookCommand(const OutlookOptions& o) {
  const std::filesystem::path shipped = std::filesystem::path(DefaultDataDir()).parent_path();
  auto ds = data::LoadDatasetOrThrow(o.dataset.empty() ? DefaultDataDir() : o.dataset);
  auto od =
      outlook::LoadOutlookData(o.outlook_dir.empty() ? shipped / "outlook" : std::filesystem::path(o.outlook_dir), ds);
  std::vector<outlook::PipelineProject> registry;
  std::string registry_note;
  std::filesystem::path registry_path =
      o.projects.empty() ? shipped / "projects" / "projects.csv" : std::filesystem::path(o.projects);
  if (!o.projects.empty() || std::filesystem::exists(registry_path)) {
    registry = outlook::LoadProjectRegistry(registry_path, ds);
  } else {
    registry_note = fmt::format("no project registry at {}: pipeline empty", registry_path.string());
  }
  outlook::OutlookRequest req;
  req.mineral = o.mineral;
  req.scenario = o.scenario;
  req.consumer = SplitCodes(o.consumer);
  req.stage = o.stage;
  req.runs = o.runs;
  req.seed = o.seed;
  auto r = outlook::Run(ds, od, registry, req);
  if (!registry_note.empty()) r.notes.push_back(registry_note);

  if (!o.chart.empty()) {
    std::ofstream f(o.chart, std::ios::binary);
    f << report::RenderSvg(report::OutlookChart(r), true);
    if (!f) throw model::InputError(o.chart, 0, 0, "cannot write the chart file");
  }

  auto source_text = [&](const std::string& id) -> std::string {
    for (const auto& s : ds->manifest.sources) {
      if (s.id == id) return s.citation + " (" + s.licence + ")";
    }
    if (const auto* s = od.FindSource(id)) return s->citation + " (" + s->licence + ")";
    return "";
  };

  if (o.format == Format::Json) {
    nlohmann::ordered_json j = {{"mineral", r.mineral},
                                {"scenario", r.scenario},
                                {"scenario_title", r.scenario_title},
                                {"unit", r.unit},
                                {"stage", r.stage},
                                {"consumer", r.consumer},
                                {"runs", r.runs},
                                {"seed", r.seed},
                                {"first_gap_p50", OptionalYear(r.first_gap_p50)},
                                {"first_gap_p95", OptionalYear(r.first_gap_p95)},
                                {"first_secure_gap_p50", OptionalYear(r.first_secure_gap_p50)},
                                {"first_secure_gap_p95", OptionalYear(r.first_secure_gap_p95)}};
    auto& years = j["years"] = nlohmann::ordered_json::array();
    for (const auto& y : r.years) {
      years.push_back({{"year", y.year},
                       {"demand_t", y.demand_t},
                       {"supply_t", y.supply_t},
                       {"existing_t", y.existing_t},
                       {"projects_t", y.projects_t},
                       {"secondary_t", y.secondary_t},
                       {"gap_t", y.gap_t},
                       {"gap_pct", y.gap_pct},
                       {"gap_p5", y.gap_p5},
                       {"gap_p50", y.gap_p50},
                       {"gap_p95", y.gap_p95},
                       {"demand_p5", y.demand_p5},
                       {"demand_p95", y.demand_p95},
                       {"partner_demand_t", y.partner_demand_t},
                       {"secure_supply_t", y.secure_supply_t},
                       {"secure_gap_t", y.secure_gap_t},
                       {"secure_gap_pct", y.secure_gap_pct},
                       {"secure_gap_p5", y.secure_gap_p5},
                       {"secure_gap_p50", y.secure_gap_p50},
                       {"secure_gap_p95", y.secure_gap_p95}});
    }
    auto& projects = j["projects"] = nlohmann::ordered_json::array();
    for (const auto& p : r.projects) {
      projects.push_back({{"id", p.id},
                          {"stage", p.stage},
                          {"country", p.country},
                          {"development_stage", p.development_stage},
                          {"allied", p.allied},
                          {"capacity_t", p.capacity_t},
                          {"probability", p.probability},
                          {"expected_start", p.expected_start},
                          {"expected_t_end", p.expected_t_end}});
    }
    auto& base = j["base_output"] = nlohmann::ordered_json::array();
    for (const auto& b : r.base_output) base.push_back({{"country", b.country}, {"t", b.t}, {"allied", b.allied}});
    j["excluded_projects"] = r.excluded_projects;
    auto& sources = j["sources"] = nlohmann::ordered_json::array();
    for (const auto& id : r.sources) sources.push_back({{"id", id}, {"citation", source_text(id)}});
    j["assumptions"] = r.assumptions;
    j["notes"] = r.notes;
    std::cout << j.dump(2) << '\n';
    return 0;
  }

  TextTable t;
  t.columns = {"year",    "demand_t", "supply_t",         "gap_t",           "gap_pct",      "gap_p5",
               "gap_p50", "gap_p95",  "partner_demand_t", "secure_supply_t", "secure_gap_t", "secure_gap_pct"};
  t.right.assign(t.columns.size(), true);
  for (const auto& y : r.years) {
    if (o.format == Format::Csv) {
      t.rows.push_back({std::to_string(y.year), model::FormatNumber(y.demand_t), model::FormatNumber(y.supply_t),
                        model::FormatNumber(y.gap_t), model::FormatNumber(y.gap_pct), model::FormatNumber(y.gap_p5),
                        model::FormatNumber(y.gap_p50), model::FormatNumber(y.gap_p95),
                        model::FormatNumber(y.partner_demand_t), model::FormatNumber(y.secure_supply_t),
                        model::FormatNumber(y.secure_gap_t), model::FormatNumber(y.secure_gap_pct)});
    } else {
      t.rows.push_back({std::to_string(y.year), Grouped(y.demand_t), Grouped(y.supply_t), Grouped(y.gap_t),
                        Percent(y.gap_pct), Grouped(y.gap_p5), Grouped(y.gap_p50), Grouped(y.gap_p95),
                        Grouped(y.partner_demand_t), Grouped(y.secure_supply_t), Grouped(y.secure_gap_t),
                        Percent(y.secure_gap_pct)});
    }
  }
  if (o.format == Format::Csv) {
    PrintCsv(std::cout, t);
    return 0;
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
  for (const auto& id : r.sources) {
    std::string text = source_text(id);
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
  cmd->add_option("--dataset", o.dataset, "Dataset directory; default: the shipped dataset");
  cmd->add_option("--projects", o.projects, "Project registry CSV; default: data/projects/projects.csv when present");
  cmd->add_option("--outlook-data", o.outlook_dir, "Outlook data directory; default: data/outlook");
  cmd->add_option("--stage", o.stage,
                  "Supply stage: mining or refining (refining, separation, magnet, cathode and anode projects count "
                  "there); default: mining when produced");
  cmd->add_option("--chart", o.chart, "Write the chart as an SVG file");
  AddFormatOption(cmd, o.format);
  cmd->callback([&exit_code] { exit_code = RunGuarded([] { return OutlookCommand(o); }); });
}

}  // namespace lodestone::cli
