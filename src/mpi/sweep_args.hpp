// The options of a sweep, shared by `lodestone sweep` and `lodestone-mpi` so that both read the
// same command line into the same facade::SweepRequest and print the same bytes.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "../cli/commands.hpp"
#include "lodestone/sim_facade/sweep.hpp"

namespace lodestone::cli {

struct SweepArgs {
  WorkspaceArgs ws;
  std::string workload, grid, projects_csv, stack_csv, partners = "USA,JPN", as_of = invest::kDefaultAsOf;
  std::string sector_rule = "pro-rata", format = "json";
  std::uint64_t runs = 10000, seed = 20251028;
  int threads = 0;
  std::optional<int> year;
};

// Adds the workload (positional: register, projects or grid) and every option to `cmd`.
void AddSweepOptions(CLI::App* cmd, SweepArgs& a);

// The request of the arguments; Error InvalidRequest for an unknown workload or options that do
// not belong to it.
facade::SweepRequest MakeSweepRequest(const SweepArgs& a);

// The result as JSON (two-space indent, newline) or CSV.
void PrintSweep(std::ostream& out, const facade::SweepResult& result, const std::string& format);

}  // namespace lodestone::cli
