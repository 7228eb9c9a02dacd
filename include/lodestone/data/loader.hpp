// Loading a dataset directory: every file is validated (encoding, CSV syntax, header, codes,
// numbers, units, keys, share sums, row counts) before a Dataset exists. All problems are
// reported together; on any error no Dataset is returned, so nothing is ever half-loaded.
#pragma once

#include <filesystem>
#include <optional>

#include "lodestone/model/dataset.hpp"
#include "lodestone/model/diagnostics.hpp"

namespace lodestone::data {

struct LoadOptions {
  // Shares of one distribution (a stage's country shares, a consumer's import sources) must
  // sum to 1 within this tolerance (published shares are rounded).
  double share_tolerance = 0.02;
};

struct LoadResult {
  std::optional<model::Dataset> dataset;  // set only when there is no error
  model::Diagnostics diagnostics;         // errors and warnings, with file, line and column
};

LoadResult LoadDataset(const std::filesystem::path& dir, const LoadOptions& options = {});

// Throws lodestone::Error (InvalidData) carrying every diagnostic when the dataset does not validate.
model::Dataset LoadDatasetOrThrow(const std::filesystem::path& dir, const LoadOptions& options = {});

}  // namespace lodestone::data
