// Sweeps: large runs cut into numbered work items that can be computed anywhere (another thread,
// process or machine) and reduced exactly, so that any split gives the same bytes. Three
// workloads:
//   - register:  the Monte Carlo over the risk register; items are its scenario blocks
//                (sim::McBlockCount); the result is exactly facade::Simulate's.
//   - projects:  every project of a candidate list against the register's scenario sample
//                (invest::EvaluateProjects); items are projects, in the source's order.
//   - grid:      every combination of the listed simulator parameters (data/sim parameters.csv
//                keys) with every listed scenario, or with the register's Monte Carlo; items are
//                (combination, scenario) pairs. File format: docs/scale-out.md.
// A front end plans once (PlanSweep validates everything), runs item ranges (RunSweepItems gives
// the bytes of a part), merges parts in any grouping (MergeSweepParts) and finishes
// (FinishSweep). Sweep() does all of it in one process; the MPI driver spreads the ranges.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lodestone/app/workspace.hpp"
#include "lodestone/invest/plan.hpp"
#include "lodestone/model/csv_rows.hpp"
#include "lodestone/sim/serialize.hpp"
#include "lodestone/sim_facade/simulate.hpp"

namespace lodestone::facade {

inline constexpr const char* kSweepProjectsMethod = "lodestone.sweep.projects";
inline constexpr const char* kSweepGridMethod = "lodestone.sweep.grid";
inline constexpr int kSweepMethodVersion = 1;

enum class SweepWorkload { Register, Projects, Grid };
// "register" | "projects" | "grid"; nullopt for anything else.
std::optional<SweepWorkload> ParseSweepWorkload(std::string_view text);
std::string_view Name(SweepWorkload w);

struct SweepRequest {
  SweepWorkload workload = SweepWorkload::Register;
  // Monte Carlo size and seed (register, projects, and a grid over the register unless the grid
  // file sets its own).
  std::uint64_t runs = 10000, seed = 20251028;
  int threads = 0;  // per process; 0 = all cores; results do not depend on it
  std::optional<int> year;
  std::string sector_rule = "pro-rata";
  // projects
  invest::ProjectSourceRequest projects;
  std::vector<std::string> partners = {"USA", "JPN"};
  std::string as_of = invest::kDefaultAsOf;
  // grid
  std::filesystem::path grid_file;
  // Called now and then with (items done, items in the range being run); never concurrently.
  std::function<void(std::uint64_t, std::uint64_t)> progress;
};

// One grid parameter and the values it takes.
struct GridParameter {
  std::string key;
  std::vector<double> values;
};

// Everything a sweep needs, resolved and validated; the same on every process that plans the
// same request over the same files.
struct SweepPlan {
  SweepRequest request;
  std::uint64_t items = 0;
  // register and grid-over-register: the run's size and seed
  std::uint64_t runs = 0, seed = 0;
  // projects
  std::vector<invest::Project> projects;
  std::string project_source;
  // grid
  std::vector<GridParameter> parameters;
  std::vector<std::filesystem::path> scenario_files;  // empty: the grid runs the register
  std::vector<std::string> scenario_names;            // as written in the grid file
  std::uint64_t combinations = 0;
};

// Throws Error: InvalidRequest (bad sector rule, runs or workload options), NotFound (a missing
// grid or scenario file), InvalidData (a grid file that does not validate, with file and field;
// a scenario or register that does not validate), as LoadProjectSource for projects.
SweepPlan PlanSweep(const app::Workspace& ws, const SweepRequest& request);

// The bytes of the part covering items [first, last). Throws InvalidRequest for an empty range or
// one past plan.items.
std::string RunSweepItems(const app::Workspace& ws, const SweepPlan& plan, std::uint64_t first, std::uint64_t last);

// The part covering the items of both (disjoint) parts; "" is the empty part (no item). The same
// bytes whatever the order or grouping of merges. Throws InvalidRequest when they overlap or are
// of another plan; InvalidData when the bytes are not a part.
std::string MergeSweepParts(const SweepPlan& plan, std::string_view a, std::string_view b);

struct SweepResult {
  SweepWorkload workload = SweepWorkload::Register;
  SimulateResult simulate;  // register: what facade::Simulate gives
  // projects and grid: the document's head and one JSON object (as compact JSON text) and one set
  // of CSV rows per item, in item order
  std::string head;
  std::vector<std::string> columns;
  std::vector<std::string> items;
  std::vector<std::vector<std::vector<std::string>>> item_rows;
};

// The result of a part covering every item. Throws InvalidRequest when items are missing.
SweepResult FinishSweep(const app::Workspace& ws, const SweepPlan& plan, std::string_view part);

// Plan, every item and finish in this process.
SweepResult Sweep(const app::Workspace& ws, const SweepRequest& request);

// register: facade::ToJson/ToCsv of the Monte Carlo (the bytes of `lodestone simulate`).
// projects: {method, provenance, projects: [...]}; CSV: one row per project.
// grid: {method, grid, results: [{combination, parameters, scenario, result}]}; CSV: the
// combination's index and parameter values, then the simulator's CSV columns.
sim::Json ToJson(const SweepResult& r);
model::CsvRows ToCsv(const SweepResult& r);

}  // namespace lodestone::facade
