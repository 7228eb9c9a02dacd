// `lodestone simulate`: one scenario (sim::Run) or a Monte Carlo over the risk register
// (sim::RunMonteCarlo), printed as a table for people or JSON/CSV for programs.
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "lodestone/data/loader.hpp"
#include "lodestone/model/diagnostics.hpp"
#include "lodestone/model/value.hpp"
#include "lodestone/sim/simulate.hpp"

namespace lodestone::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

struct SimArgs {
  std::string dataset, sim_data, scenario, reg, consumers = "USA,JPN", sector_rule = "pro-rata";
  std::uint64_t runs = 10000, seed = 20251028;
  int threads = 0, year = 2025;
  bool sectors = false;
  Format format = Format::Table;
};

bool Wanted(const std::vector<std::string>& consumers, const std::string& c) {
  if (consumers.empty() || (consumers.size() == 1 && consumers[0] == "all")) return true;
  return std::find(consumers.begin(), consumers.end(), c) != consumers.end();
}

ordered_json NumOrNull(double x) { return std::isfinite(x) ? ordered_json(x) : ordered_json(nullptr); }


std::string Days(double d) { return std::isfinite(d) ? Grouped(d, 0) : std::string("not known"); }

sim::EvalOptions EvalOpts(const SimArgs& a) {
  sim::EvalOptions o;
  if (a.sector_rule == "defence-first") {
    o.sector_rule = sim::SectorRule::DefenceFirst;
  } else if (a.sector_rule != "pro-rata") {
    throw model::InputError("", 0, 0,
                            fmt::format("--sector-rule '{}': expected pro-rata or defence-first", a.sector_rule));
  }
  return o;
}

ordered_json SourcesJson(const sim::Network& net, const std::vector<std::string>& ids) {
  ordered_json out = ordered_json::array();
  for (const auto& id : ids) {
    if (const auto* s = [&]() -> const sim::SimSource* {
          for (const auto& x : net.sources) {
            if (x.id == id) return &x;
          }
          return nullptr;
        }()) {
      out.push_back(
          {{"id", s->id}, {"kind", s->kind}, {"citation", s->citation}, {"licence", s->licence}, {"rule", s->rule}});
    } else if (auto sid = net.dataset->source_ids.Find(id)) {
      const auto& src = net.dataset.SourceOf(*sid);
      out.push_back({{"id", src.id},
                     {"kind", src.kind == model::SourceKind::Assumption ? "assumption" : "published"},
                     {"citation", src.citation},
                     {"licence", src.licence},
                     {"rule", src.rule}});
    }
  }
  return out;
}

void PrintScenario(const sim::Network& net, const sim::ScenarioResult& r, const SimArgs& a, bool first) {
  auto consumers = SplitList(a.consumers);
  if (a.format == Format::Table) {
    if (!first) std::cout << "\n";
    std::cout << fmt::format("Scenario {}: {}\n", r.scenario.id, r.scenario.title);
    std::cout << fmt::format("Baseline {} · horizon {} months · shortfall after reallocation and stockpiles\n\n",
                             net.year, r.scenario.horizon_months);
    TextTable t;
    t.columns = {"mineral",    "consumer",  "sector",  "demand",    "delivered",
                 "from stock", "shortfall", "short %", "stock days"};
    t.right = {false, false, false, true, true, true, true, true, true};
    for (const auto& row : r.rows) {
      if (!Wanted(consumers, row.consumer)) continue;
      if (!a.sectors && row.sector != "total") continue;
      if (row.sector != "total" && row.flows.demand <= 0) continue;  // a sector this consumer does not have
      const auto& f = row.flows;
      if (!row.demand_known) {
        if (row.sector == "total") {
          t.rows.push_back({row.mineral, row.consumer, row.sector, "not known", "", "", "", "", "(counted in ROW)"});
        }
        continue;
      }
      t.rows.push_back({row.mineral, row.consumer, row.sector, Tonnes(f.demand) + " " + row.unit, Tonnes(f.delivered),
                        Tonnes(f.stock_drawn), Tonnes(f.shortfall), Pct(f.shortfall, f.demand),
                        row.sector == "total" ? Days(row.stock_days) : ""});
    }
    PrintTable(std::cout, t);
    std::cout << "\nHow the baseline was built:\n";
    for (const auto& n : r.notes) std::cout << "  - " << n << "\n";
    return;
  }
  if (a.format == Format::Csv) {
    TextTable t;
    t.columns = {"scenario",           "mineral",     "unit",          "consumer",    "sector",
                 "demand_t",           "delivered_t", "stock_drawn_t", "shortfall_t", "shortfall_pct",
                 "stock_days_of_cover"};
    for (const auto& row : r.rows) {
      const auto& f = row.flows;
      t.rows.push_back({r.scenario.id, row.mineral, row.unit, row.consumer, row.sector, model::FormatNumber(f.demand),
                        model::FormatNumber(f.delivered), model::FormatNumber(f.stock_drawn),
                        model::FormatNumber(f.shortfall),
                        f.demand > 0 ? model::FormatNumber(100 * f.shortfall / f.demand) : "",
                        std::isfinite(row.stock_days) ? model::FormatNumber(row.stock_days) : "NA"});
    }
    if (!first) t.columns.clear();
    PrintCsv(std::cout, t);
  }
}

ordered_json ScenarioJson(const sim::Network& net, const sim::ScenarioResult& r) {
  ordered_json j;
  j["scenario"] = {{"id", r.scenario.id},
                   {"title", r.scenario.title},
                   {"year", net.year},
                   {"horizon_months", r.scenario.horizon_months}};
  auto& rows = j["rows"] = ordered_json::array();
  std::vector<std::string> src;
  for (const auto& row : r.rows) {
    const auto& f = row.flows;
    rows.push_back({{"mineral", row.mineral},
                    {"unit", row.unit},
                    {"consumer", row.consumer},
                    {"sector", row.sector},
                    {"demand_t", f.demand},
                    {"delivered_t", f.delivered},
                    {"stock_drawn_t", f.stock_drawn},
                    {"shortfall_t", f.shortfall},
                    {"shortfall_pct", f.demand > 0 ? 100 * f.shortfall / f.demand : 0.0},
                    {"stock_days_of_cover", NumOrNull(row.stock_days)},
                    {"demand_known", row.demand_known}});
  }
  for (const auto& m : r.minerals) {
    for (const auto& s : net.Find(m)->sources) {
      if (std::find(src.begin(), src.end(), s) == src.end()) src.push_back(s);
    }
  }
  for (const auto& s : r.scenario.shocks) {
    if (!s.source.empty() && std::find(src.begin(), src.end(), s.source) == src.end()) src.push_back(s.source);
  }
  j["notes"] = r.notes;
  j["sources"] = SourcesJson(net, src);
  ordered_json scen_sources = ordered_json::array();
  for (const auto& s : r.scenario.sources) {
    scen_sources.push_back({{"id", s.id}, {"citation", s.citation}, {"url", s.url}, {"licence", s.licence}});
  }
  j["scenario_sources"] = scen_sources;
  return j;
}

int MonteCarlo(const sim::Network& net, const SimArgs& a) {
  auto reg = sim::LoadRegister(a.reg);
  sim::McOptions opt;
  opt.runs = a.runs;
  opt.seed = a.seed;
  opt.threads = a.threads;
  opt.eval = EvalOpts(a);
  opt.progress = TerminalProgress("scenarios");
  auto res = sim::RunMonteCarlo(net, reg, opt);
  auto consumers = SplitList(a.consumers);
  if (a.format == Format::Json) {
    ordered_json j;
    j["register"] = {{"id", reg.id}, {"title", reg.title}, {"events", reg.events.size()}};
    j["runs"] = res.runs;
    j["seed"] = res.seed;
    j["year"] = net.year;
    j["horizon_months"] = res.horizon_months;
    j["quantile_resolution_pct"] = res.histogram_resolution_pct;
    auto& rows = j["rows"] = ordered_json::array();
    for (const auto& r : res.rows) {
      auto stat = [](const sim::McStat& s) {
        return ordered_json{{"mean", s.mean}, {"p50", s.p50}, {"p95", s.p95}, {"cvar95", s.cvar95}, {"max", s.max}};
      };
      rows.push_back({{"mineral", r.mineral},
                      {"unit", r.unit},
                      {"consumer", r.consumer},
                      {"sector", r.sector},
                      {"demand_t", r.demand_t},
                      {"delivered_t", r.delivered_t},
                      {"stock_drawn_t", r.stock_drawn_t},
                      {"shortfall_t", stat(r.shortfall_t)},
                      {"shortfall_pct", stat(r.shortfall_pct)},
                      {"p_shortfall", r.p_shortfall},
                      {"stock_days_of_cover", NumOrNull(r.stock_days)},
                      {"stock_days_used", r.stock_days_used},
                      {"demand_known", r.demand_known}});
    }
    auto& ev = j["events"] = ordered_json::array();
    for (std::size_t e = 0; e < reg.events.size(); ++e) {
      ev.push_back({{"id", reg.events[e].id},
                    {"probability", reg.events[e].probability},
                    {"observed_rate", res.event_rate[e]},
                    {"source", reg.events[e].source}});
    }
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  TextTable t;
  if (a.format == Format::Csv) {
    t.columns = {"mineral",
                 "unit",
                 "consumer",
                 "sector",
                 "demand_t",
                 "delivered_t",
                 "stock_drawn_t",
                 "shortfall_mean_t",
                 "shortfall_p50_t",
                 "shortfall_p95_t",
                 "shortfall_cvar95_t",
                 "shortfall_max_t",
                 "shortfall_mean_pct",
                 "shortfall_p95_pct",
                 "shortfall_cvar95_pct",
                 "p_shortfall",
                 "stock_days_of_cover"};
    for (const auto& r : res.rows) {
      t.rows.push_back({r.mineral, r.unit, r.consumer, r.sector, model::FormatNumber(r.demand_t),
                        model::FormatNumber(r.delivered_t), model::FormatNumber(r.stock_drawn_t),
                        model::FormatNumber(r.shortfall_t.mean), model::FormatNumber(r.shortfall_t.p50),
                        model::FormatNumber(r.shortfall_t.p95), model::FormatNumber(r.shortfall_t.cvar95),
                        model::FormatNumber(r.shortfall_t.max), model::FormatNumber(r.shortfall_pct.mean),
                        model::FormatNumber(r.shortfall_pct.p95), model::FormatNumber(r.shortfall_pct.cvar95),
                        model::FormatNumber(r.p_shortfall),
                        std::isfinite(r.stock_days) ? model::FormatNumber(r.stock_days) : "NA"});
    }
    PrintCsv(std::cout, t);
    return 0;
  }
  std::cout << fmt::format("Risk register {} ({} events): {} scenarios, seed {}, horizon {} months\n", reg.id,
                           reg.events.size(), res.runs, res.seed, res.horizon_months);
  std::cout << fmt::format(
      "Shortfall after reallocation and stockpiles, in tonnes and % of demand; quantiles to "
      "within {}% of demand\n\n",
      res.histogram_resolution_pct);
  t.columns = {"mineral", "consumer", "sector", "demand", "mean",     "P50",
               "P95",     "CVaR95",   "max",    "P95 %",  "P(short)", "stock days"};
  t.right = {false, false, false, true, true, true, true, true, true, true, true, true};
  for (const auto& r : res.rows) {
    if (!Wanted(consumers, r.consumer) || (!a.sectors && r.sector != "total")) continue;
    if (!r.demand_known) {
      if (r.sector == "total")
        t.rows.push_back(
            {r.mineral, r.consumer, r.sector, "not known", "", "", "", "", "", "", "", "(counted in ROW)"});
      continue;
    }
    t.rows.push_back({r.mineral, r.consumer, r.sector, Tonnes(r.demand_t) + " " + r.unit, Tonnes(r.shortfall_t.mean),
                      Tonnes(r.shortfall_t.p50), Tonnes(r.shortfall_t.p95), Tonnes(r.shortfall_t.cvar95),
                      Tonnes(r.shortfall_t.max), fmt::format("{:.1f}%", r.shortfall_pct.p95), Percent(r.p_shortfall),
                      r.sector == "total" ? Days(r.stock_days) : ""});
  }
  PrintTable(std::cout, t);
  return 0;
}

int Simulate(const SimArgs& a) {
  auto ds = data::LoadDatasetOrThrow(a.dataset.empty() ? DefaultDataDir() : a.dataset);
  auto inputs = sim::LoadSimInputs(SimDataDir(a.sim_data), ds);
  auto net = sim::BuildNetwork(ds, inputs, a.year);
  if (!a.reg.empty()) {
    if (!a.scenario.empty()) throw model::InputError("", 0, 0, "give either --scenario or --register, not both");
    return MonteCarlo(net, a);
  }
  std::vector<std::string> files;
  if (!a.scenario.empty()) {
    files.push_back(a.scenario);
  } else {
    // Default: China's October 2025 controls as announced, and widened, by sector.
    files.push_back((fs::path(ScenariosDir()) / "cn-2025-10-ree-controls.json").string());
    files.push_back((fs::path(ScenariosDir()) / "cn-2025-10-widened-ga-ge-graphite.json").string());
  }
  auto opt = EvalOpts(a);
  SimArgs shown = a;
  if (a.scenario.empty()) shown.sectors = true;
  ordered_json all = ordered_json::array();
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto sc = sim::LoadScenario(files[i]);
    auto res = sim::Run(net, sc, opt);
    if (a.format == Format::Json) {
      all.push_back(ScenarioJson(net, res));
    } else {
      PrintScenario(net, res, shown, i == 0);
    }
  }
  if (a.format == Format::Json) std::cout << (all.size() == 1 ? all[0] : all).dump(2) << "\n";
  return 0;
}

}  // namespace

void AddSimulateCommand(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("simulate",
                                 "What if: export controls, outages, chokepoint closures, demand shocks -> shortfalls "
                                 "in tonnes per consumer and sector; Monte Carlo over a risk register");
  cmd->footer(
      "Without --scenario or --register: China's October 2025 rare-earth controls, as announced and widened to "
      "gallium, germanium and graphite, for the US and Japan by sector.\nRules: docs/simulation.md; file formats: "
      "docs/scenarios.md.");
  static SimArgs a;
  cmd->add_option("--dataset", a.dataset, "Dataset directory; default: the shipped dataset");
  cmd->add_option("--sim-data", a.sim_data,
                  "Simulator inputs (demand, sectors, stockpiles, routes); default: data/sim");
  cmd->add_option("--scenario", a.scenario, "A scenario file (docs/scenarios.md), e.g. scenarios/malacca-closure.json");
  cmd->add_option("--register", a.reg, "A risk register for Monte Carlo, e.g. scenarios/register.json");
  cmd->add_option("--runs", a.runs, "Monte Carlo scenarios")
      ->capture_default_str()
      ->check(CLI::Range(1ull, 100000000ull));
  cmd->add_option("--seed", a.seed, "Monte Carlo seed: the same seed gives the same bytes")->capture_default_str();
  cmd->add_option("--threads", a.threads, "Worker threads (0 = all cores); results do not depend on it")
      ->capture_default_str();
  cmd->add_option("--year", a.year, "Baseline year")->capture_default_str();
  cmd->add_option("--consumer", a.consumers, "Consumers shown in the table (comma-separated, or all)")
      ->capture_default_str();
  cmd->add_flag("--sectors", a.sectors, "Show each sector's rows in the table, not only totals");
  cmd->add_option("--sector-rule", a.sector_rule,
                  "How a consumer's shortfall falls on sectors: pro-rata or defence-first")
      ->capture_default_str();
  AddFormatOption(cmd, a.format);
  cmd->callback([&exit_code] { exit_code = RunGuarded([] { return Simulate(a); }); });
}

}  // namespace lodestone::cli
