// `lodestone simulate`: one scenario or a Monte Carlo over the risk register (facade::Simulate),
// printed as a table for people or JSON/CSV for programs.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/sim_facade/simulate.hpp"

namespace lodestone::cli {

namespace {

struct SimArgs {
  WorkspaceArgs ws;
  std::string scenario, consumers = "USA,JPN", sector_rule = "pro-rata", market;
  std::uint64_t runs = 10000, seed = 20251028;
  int threads = 0;
  std::optional<int> year;
  bool sectors = false;
  bool flows = false;
  std::string mineral;
  Format format = Format::Table;
};

bool Wanted(const std::vector<std::string>& consumers, const std::string& c) {
  if (consumers.empty() || (consumers.size() == 1 && consumers[0] == "all")) return true;
  return std::find(consumers.begin(), consumers.end(), c) != consumers.end();
}

std::string Multiple(const std::optional<double>& m) { return m ? fmt::format("{:.2f}", *m) : std::string(); }

std::string Days(double d) { return std::isfinite(d) ? Grouped(d, 0) : std::string("not known"); }

void PrintScenario(const sim::ScenarioResult& r, const SimArgs& a, bool sectors, bool first) {
  auto consumers = SplitList(a.consumers);
  if (!first) std::cout << "\n";
  std::cout << fmt::format("Scenario {}: {}\n", r.scenario.id, r.scenario.title);
  std::cout << fmt::format("Baseline {} · horizon {} months · shortfall after reallocation and stockpiles\n\n", r.year,
                           r.scenario.horizon_months);
  TextTable t;
  t.columns = {"mineral",   "consumer", "sector",     "demand",  "delivered",       "from stock",
               "shortfall", "short %",  "stock days", "price x", "demand destroyed"};
  t.right = {false, false, false, true, true, true, true, true, true, true, true};
  for (const auto& row : r.rows) {
    if (!Wanted(consumers, row.consumer)) continue;
    if (!sectors && row.sector != "total") continue;
    if (row.sector != "total" && row.flows.demand <= 0) continue;  // a sector this consumer does not have
    const auto& f = row.flows;
    if (!row.demand_known) {
      if (row.sector == "total") {
        t.rows.push_back(
            {row.mineral, row.consumer, row.sector, "not known", "", "", "", "", "(counted in ROW)", "", ""});
      }
      continue;
    }
    t.rows.push_back({row.mineral, row.consumer, row.sector, Tonnes(f.demand) + " " + row.unit, Tonnes(f.delivered),
                      Tonnes(f.stock_drawn), Tonnes(f.shortfall),
                      row.shortfall_pct ? Percent(*row.shortfall_pct / 100) : std::string("-"),
                      row.sector == "total" ? Days(row.stock_days) : "", Multiple(row.price_multiple),
                      row.demand_destroyed_t ? Tonnes(*row.demand_destroyed_t) : std::string()});
  }
  PrintTable(std::cout, t);
  // Both readings per mineral: the physical shortfall at pre-shock demand, and the price that
  // would clear the world market with the demand it destroys.
  for (const auto& p : r.prices) {
    if (!p.price_multiple) continue;
    std::cout << fmt::format(
        "\n{}: world shortfall {} {} of {} at pre-shock demand; clearing price x{}{} with demand elasticity {} and "
        "supply elasticity {}: {} {} of demand destroyed, {} {} of supply added",
        p.mineral, Tonnes(p.shortfall_t), p.unit, Tonnes(p.demand_t), Multiple(p.price_multiple),
        p.capped ? " (the bound: part of the gap stays unserved)" : "", *p.demand_elasticity, *p.supply_elasticity,
        Tonnes(*p.demand_destroyed_t), p.unit, Tonnes(*p.supply_added_t), p.unit);
  }
  if (!r.prices.empty()) std::cout << "\n(price x: the consumer's own gap cleared by price; docs/simulation.md)\n";
  const auto& mk = r.market;
  if (mk.rule == sim::MarketRule::Market) {
    std::cout << fmt::format(
        "\nMarket rule: market ({:.0f}% of each baseline flow under contract for {} months after a shock "
        "begins, then {:.0f}%; the rest clears again among the buyers allowed; leakage {:.0f}%)\n",
        100 * mk.contract_share_initial, mk.contract_hold_months, 100 * mk.contract_share_later, 100 * mk.leakage);
  } else {
    std::cout << "\nMarket rule: pooled-rules (baseline flows stay in place unless blocked)\n";
  }
  std::cout << "\nHow the baseline was built:\n";
  for (const auto& n : r.notes) std::cout << "  - " << n << "\n";
}

void PrintMonteCarlo(const sim::McResult& res, const SimArgs& a) {
  auto consumers = SplitList(a.consumers);
  std::cout << fmt::format("Risk register {} ({} events): {} scenarios, seed {}, horizon {} months\n", res.reg.id,
                           res.reg.events.size(), res.runs, res.seed, res.horizon_months);
  std::cout << fmt::format(
      "Shortfall after reallocation and stockpiles, in tonnes and % of demand; quantiles to "
      "within {}% of demand\n\n",
      res.histogram_resolution_pct);
  TextTable t;
  t.columns = {"mineral", "consumer", "sector", "demand",   "mean",       "P50",         "P95",
               "CVaR95",  "max",      "P95 %",  "P(short)", "stock days", "price x P50", "price x P95"};
  t.right = {false, false, false, true, true, true, true, true, true, true, true, true, true, true};
  for (const auto& r : res.rows) {
    if (!Wanted(consumers, r.consumer) || (!a.sectors && r.sector != "total")) continue;
    if (!r.demand_known) {
      if (r.sector == "total")
        t.rows.push_back(
            {r.mineral, r.consumer, r.sector, "not known", "", "", "", "", "", "", "", "(counted in ROW)", "", ""});
      continue;
    }
    t.rows.push_back({r.mineral, r.consumer, r.sector, Tonnes(r.demand_t) + " " + r.unit, Tonnes(r.shortfall_t.mean),
                      Tonnes(r.shortfall_t.p50), Tonnes(r.shortfall_t.p95), Tonnes(r.shortfall_t.cvar95),
                      Tonnes(r.shortfall_t.max), fmt::format("{:.1f}%", r.shortfall_pct.p95), Percent(r.p_shortfall),
                      r.sector == "total" ? Days(r.stock_days) : "", Multiple(r.price_multiple_p50),
                      Multiple(r.price_multiple_p95)});
  }
  PrintTable(std::cout, t);
}

// A change in tonnes with its sign; rounding noise (below a billionth of the flow) is no change.
std::string Signed(double t, double scale) {
  if (std::abs(t) <= 1e-9 * scale) return "0";
  return t > 0 ? "+" + Tonnes(t) : "-" + Tonnes(-t);
}

std::string Opt(const std::optional<double>& x) { return x ? Tonnes(*x) : std::string("not known"); }

void PrintFlows(const sim::FlowsResult& r) {
  std::cout << fmt::format("Flows of {} ({}), baseline {}, scenario {}: {}\n", r.mineral, r.unit, r.year, r.scenario_id,
                           r.scenario_title);
  std::cout << fmt::format("{}\n\n", r.basis);
  auto code = [](const std::string& id) { return id.substr(id.find(':') + 1); };
  auto stage = [](const std::string& id) { return id.substr(0, id.find(':')); };
  TextTable t;
  t.columns = {"stage", "from", "to", "before t", "after t", "change"};
  t.right = {false, false, false, true, true, true};
  for (const auto& k : sim::JoinFlowLinks(r)) {
    const double b = k.before_t, x = k.after_t;
    t.rows.push_back({stage(k.source) + " -> " + stage(k.target), code(k.source), code(k.target), Tonnes(b), Tonnes(x),
                      Signed(x - b, std::max(b, x))});
  }
  PrintTable(std::cout, t);
  std::cout << "\n";
  TextTable c;
  c.columns = {"consumer", "demand", "delivered before", "delivered after", "from stock", "shortfall"};
  c.right = {false, true, true, true, true, true};
  for (const auto& n : r.nodes) {
    if (n.stage != "consumer") continue;
    if (!n.demand_t) {
      c.rows.push_back({n.code, "not known", "", "", "", "(counted in ROW)"});
      continue;
    }
    c.rows.push_back({n.code, Opt(n.demand_after_t), Opt(n.delivered_before_t), Opt(n.delivered_after_t),
                      Opt(n.stock_drawn_t), Opt(n.shortfall_t)});
  }
  PrintTable(std::cout, c);
  std::cout << "\nNotes:\n";
  for (const auto& n : r.notes) std::cout << "  - " << n << "\n";
}

int SimulateFlows(const SimArgs& a) {
  if (!a.ws.risk_register.empty()) throw Error::InvalidRequest("--flows runs one scenario, not a risk register");
  if (a.mineral.empty()) throw Error::InvalidRequest("--flows needs --mineral ID (e.g. --mineral rare_earths)");
  app::Workspace ws(ResolvePaths(a.ws));
  facade::FlowsRequest req;
  req.mineral = a.mineral;
  if (!a.scenario.empty()) req.scenario_file = a.scenario;
  req.year = a.year;
  req.sector_rule = a.sector_rule;
  req.market = a.market;
  auto res = facade::SimulateFlows(ws, req);
  if (a.format == Format::Json) {
    std::cout << sim::ToJson(res).dump(2) << "\n";
  } else if (a.format == Format::Csv) {
    PrintCsvRows(std::cout, sim::ToCsv(res));
  } else {
    PrintFlows(res);
  }
  return 0;
}

int Simulate(const SimArgs& a) {
  if (a.flows) return SimulateFlows(a);
  if (!a.mineral.empty()) throw Error::InvalidRequest("--mineral goes with --flows");
  app::Workspace ws(ResolvePaths(a.ws));
  facade::SimulateRequest req;
  req.monte_carlo = !a.ws.risk_register.empty();
  if (!a.scenario.empty()) req.scenario_files.push_back(a.scenario);
  req.runs = a.runs;
  req.seed = a.seed;
  req.threads = a.threads;
  req.year = a.year;
  req.sector_rule = a.sector_rule;
  req.market = a.market;
  if (req.monte_carlo) req.progress = TerminalProgress("scenarios");
  auto res = facade::Simulate(ws, req);
  if (a.format == Format::Json) {
    std::cout << facade::ToJson(res).dump(2) << "\n";
  } else if (a.format == Format::Csv) {
    PrintCsvRows(std::cout, facade::ToCsv(res));
  } else if (res.monte_carlo) {
    PrintMonteCarlo(*res.monte_carlo, a);
  } else {
    // The default scenarios are shown by sector.
    for (std::size_t i = 0; i < res.scenarios.size(); ++i) {
      PrintScenario(res.scenarios[i], a, a.sectors || res.default_scenarios, i == 0);
    }
  }
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
  cmd->add_option("--dataset", a.ws.dataset, "Dataset directory; default: the shipped dataset");
  cmd->add_option("--sim-data", a.ws.sim_data,
                  "Simulator inputs (demand, sectors, stockpiles, routes); default: data/sim");
  cmd->add_option("--scenario", a.scenario, "A scenario file (docs/scenarios.md), e.g. scenarios/malacca-closure.json");
  cmd->add_option("--register", a.ws.risk_register, "A risk register for Monte Carlo, e.g. scenarios/register.json");
  cmd->add_option("--runs", a.runs, "Monte Carlo scenarios")
      ->capture_default_str()
      ->check(CLI::Range(1ull, 100000000ull));
  cmd->add_option("--seed", a.seed, "Monte Carlo seed: the same seed gives the same bytes")->capture_default_str();
  cmd->add_option("--threads", a.threads, "Worker threads (0 = all cores); results do not depend on it")
      ->capture_default_str();
  cmd->add_option("--year", a.year, "Baseline year; default: the latest year with mine production in the dataset");
  cmd->add_option("--consumer", a.consumers, "Consumers shown in the table (comma-separated, or all)")
      ->capture_default_str();
  cmd->add_flag("--sectors", a.sectors, "Show each sector's rows in the table, not only totals");
  cmd->add_flag("--flows", a.flows,
                "One mineral's flows by stage (mining -> refining -> consumer) before and after the scenario, "
                "for a Sankey chart (with --mineral)");
  cmd->add_option("--mineral", a.mineral, "The mineral of --flows, e.g. rare_earths");
  cmd->add_option("--sector-rule", a.sector_rule,
                  "How a consumer's shortfall falls on sectors: pro-rata or defence-first")
      ->capture_default_str();
  cmd->add_option("--market", a.market,
                  "How supply is shared after the shocks: market (contracts, then spot clearing; the default) or "
                  "pooled-rules (baseline flows stay in place unless blocked)");
  AddFormatOption(cmd, a.format);
  cmd->callback([&exit_code] { exit_code = RunGuarded([] { return Simulate(a); }); });
}

}  // namespace lodestone::cli
