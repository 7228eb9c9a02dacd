// The project pipeline as plain data, read from the shared project registry CSV
// (data/projects/projects.csv). The outlook reads only what it needs: mineral, stage, country,
// capacity, first output, development stage and status; the registry's own module owns the rest.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "lodestone/model/dataset.hpp"

namespace lodestone::outlook {

struct PipelineProject {
  std::string id;
  std::string name;
  std::string mineral;
  std::string stage;        // mining | refining | separation | magnets | cathode | anode | recycling
  std::string country;      // ISO3
  model::Value capacity_t;  // t/yr of the mineral's content, canonical unit; may be missing
  std::string capacity_basis;
  int first_output_year = 0;      // 0 when not given
  std::string first_output;       // as written (YYYY or YYYY-MM), empty when not given (NA)
  std::string development_stage;  // announced | feasibility | financing | construction | commissioning | operating
  std::string status;             // active | paused | cancelled
  std::string sponsors;
  std::string source;
  std::string assumptions;
};

// Reads the registry. Columns are found by header name (extra columns are ignored). Throws
// Error InvalidData (file, line, column, what was expected) on any bad row; country codes and
// mineral ids are checked against the dataset.
std::vector<PipelineProject> LoadProjectRegistry(const std::filesystem::path& csv, const model::Dataset& ds);

}  // namespace lodestone::outlook
