// The Workspace: everything a front end (CLI, server, Python module, MPI driver) needs loaded once
// and shared: the dataset, the importers' reference tables, the simulator's inputs and baseline
// network, the risk register, the outlook's data. Each part is read the first time it is asked
// for and kept; asking from several threads at once is safe (the first caller loads, the others
// wait). Paths are given by the caller: the library reads no environment variable and knows no
// compiled-in location.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "lodestone/model/dataset.hpp"

namespace lodestone::data {
class Reference;
}
namespace lodestone::sim {
struct SimInputs;
struct Network;
struct Register;
}  // namespace lodestone::sim
namespace lodestone::outlook {
struct OutlookData;
}

namespace lodestone::app {

struct WorkspacePaths {
  std::filesystem::path dataset;        // a dataset directory (data/starter)
  std::filesystem::path reference;      // the importers' reference tables (data/reference)
  std::filesystem::path sim_data;       // the simulator's inputs (data/sim)
  std::filesystem::path outlook;        // the outlook's tables (data/outlook)
  std::filesystem::path projects;       // the shipped project sample (data/projects)
  std::filesystem::path scenarios;      // shipped scenario files (scenarios/)
  std::filesystem::path risk_register;  // empty: scenarios/register.json
  std::filesystem::path database;       // the project registry; empty: none chosen

  // The layout of a source tree or an installed share directory: ROOT/data/starter,
  // ROOT/data/reference, ROOT/data/sim, ROOT/data/outlook, ROOT/data/projects, ROOT/scenarios.
  static WorkspacePaths UnderRoot(const std::filesystem::path& root);
  // The register file: risk_register, else scenarios/register.json.
  std::filesystem::path RegisterFile() const;
};

class Workspace {
 public:
  explicit Workspace(WorkspacePaths paths);
  ~Workspace();
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  const WorkspacePaths& paths() const { return paths_; }

  // Each throws lodestone::Error (InvalidData with every problem, NotFound for a missing
  // directory) and is retried on the next call after a failure.
  const model::Dataset& dataset() const;
  const data::Reference& reference() const;
  const sim::SimInputs& sim_inputs() const;
  // The simulator's baseline network for the baseline year.
  const sim::Network& network() const;
  const sim::Register& risk_register() const;
  const outlook::OutlookData& outlook_data() const;

  // The baseline year: the latest year with a known mining figure in the dataset (2025 for the
  // shipped data). Results that are "today's picture" use it.
  int baseline_year() const;

 private:
  struct Impl;
  WorkspacePaths paths_;
  std::unique_ptr<Impl> impl_;
};

// The latest year with a known (or bounded) production figure at `stage` ("mining"), or nullopt
// when the dataset has none.
std::optional<int> LatestProductionYear(const model::Dataset& ds, std::string_view stage = "mining");

}  // namespace lodestone::app
