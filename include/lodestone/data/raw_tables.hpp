// The dataset as text: tables of strings in schema column order. Importers produce it, imports
// merge into it, and it is written to disk all-or-nothing (a failed write or a dataset that no
// longer validates leaves the directory as it was).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "lodestone/data/loader.hpp"
#include "lodestone/data/schema.hpp"
#include "lodestone/model/dataset.hpp"

namespace lodestone::data {

struct RawTable {
  std::vector<std::vector<std::string>> rows;  // each row has the schema's columns, in order
};

struct RawDataset {
  model::Manifest manifest;
  std::map<std::string, RawTable> tables;  // by file name
};

// Reads every table as text (columns reordered to schema order). Throws an InvalidData error on
// encoding or CSV syntax problems; codes and numbers are not checked here (LoadDataset does).
RawDataset ReadRawDataset(const std::filesystem::path& dir);

// The text form of a validated dataset (quantities in each mineral's canonical unit).
RawDataset ToRaw(const model::Dataset& ds);

// Sorts rows by the table's key columns (then whole rows), for deterministic files.
void SortRows(RawTable& table, const TableSchema& schema);

// Writes the dataset into `dir`: first into a sibling temporary directory, which is validated
// with LoadDataset; only a valid result replaces `dir`. Throws an InvalidData error (with the
// validation problems) otherwise, leaving `dir` untouched. Row counts in the manifest are set
// from the tables.
model::Dataset CommitRawDataset(RawDataset raw, const std::filesystem::path& dir, const LoadOptions& options = {});

// Writes without validating (used by tests that build broken datasets on purpose).
void WriteRawDatasetUnchecked(RawDataset raw, const std::filesystem::path& dir);

// Convenience: ToRaw + write (unchecked: the dataset is already valid).
void SaveDataset(const model::Dataset& ds, const std::filesystem::path& dir);

}  // namespace lodestone::data
