// The options of a sweep (see sweep_args.hpp).
#include "sweep_args.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "lodestone/model/error.hpp"

namespace lodestone::cli {

void AddSweepOptions(CLI::App* cmd, SweepArgs& a) {
  cmd->add_option("WORKLOAD", a.workload,
                  "register (Monte Carlo over the risk register), projects (every project against the register's "
                  "sample) or grid (every combination of a grid file's parameters and scenarios)")
      ->required();
  cmd->add_option("--grid", a.grid, "grid: the grid file (JSON; docs/scale-out.md)");
  cmd->add_option("--runs", a.runs, "Monte Carlo scenarios (register, projects; a grid over the register by default)")
      ->capture_default_str()
      ->check(CLI::Range(1ull, 100000000ull));
  cmd->add_option("--seed", a.seed, "Monte Carlo seed: the same seed gives the same bytes")->capture_default_str();
  cmd->add_option("--threads", a.threads, "Worker threads per process (0 = all cores); results do not depend on it")
      ->capture_default_str();
  cmd->add_option("--year", a.year, "Baseline year; default: the latest year with mine production in the dataset");
  cmd->add_option("--sector-rule", a.sector_rule, "pro-rata or defence-first")->capture_default_str();
  cmd->add_option("--dataset", a.ws.dataset, "Dataset directory; default: the shipped dataset");
  cmd->add_option("--sim-data", a.ws.sim_data, "Simulator inputs; default: data/sim");
  cmd->add_option("--scenarios", a.ws.scenarios, "Scenario directory; default: scenarios/");
  cmd->add_option("--register", a.ws.risk_register, "Risk register; default: scenarios/register.json");
  cmd->add_option("--db", a.ws.database, "projects: the project database to read (default: the shipped sample)");
  cmd->add_option("--projects", a.projects_csv, "projects: a projects.csv to read instead of a database");
  cmd->add_option("--stack", a.stack_csv, "projects: the capital_stack.csv of --projects");
  cmd->add_option("--partners", a.partners, "projects: partner consumers whose shortfall counts")
      ->capture_default_str();
  cmd->add_option("--as-of", a.as_of, "projects: date the time to first output is counted from (YYYY-MM-DD)")
      ->capture_default_str();
  cmd->add_option("--format", a.format, "json or csv")->capture_default_str()->check(CLI::IsMember({"json", "csv"}));
}

facade::SweepRequest MakeSweepRequest(const SweepArgs& a) {
  facade::SweepRequest rq;
  const auto w = facade::ParseSweepWorkload(a.workload);
  if (!w) throw Error::InvalidRequest(fmt::format("workload '{}': expected register, projects or grid", a.workload));
  rq.workload = *w;
  if (!a.grid.empty() && rq.workload != facade::SweepWorkload::Grid) {
    throw Error::InvalidRequest("--grid is for the grid workload");
  }
  if ((!a.projects_csv.empty() || !a.stack_csv.empty() || !a.ws.database.empty()) &&
      rq.workload != facade::SweepWorkload::Projects) {
    throw Error::InvalidRequest("--projects, --stack and --db are for the projects workload");
  }
  rq.runs = a.runs;
  rq.seed = a.seed;
  rq.threads = a.threads;
  rq.year = a.year;
  rq.sector_rule = a.sector_rule;
  rq.grid_file = a.grid;
  rq.projects.projects_csv = a.projects_csv;
  rq.projects.stack_csv = a.stack_csv;
  rq.projects.database_explicit = !a.ws.database.empty();
  rq.partners = SplitList(a.partners);
  rq.as_of = a.as_of;
  return rq;
}

void PrintSweep(std::ostream& out, const facade::SweepResult& result, const std::string& format) {
  if (format == "csv") {
    PrintCsvRows(out, facade::ToCsv(result));
  } else {
    out << facade::ToJson(result).dump(2) << "\n";
  }
}

}  // namespace lodestone::cli
