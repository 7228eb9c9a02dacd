// The dataset's tables: file names, columns in order, and key columns. One definition shared by
// the loader (what to expect), the writer (what to write) and the importers (what to produce).
#pragma once

#include <span>
#include <string_view>
#include <vector>

namespace lodestone::data {

struct TableSchema {
  std::string_view file;                  // e.g. "production.csv"
  std::vector<std::string_view> columns;  // in writing order
  std::vector<std::string_view> key;      // columns that must be unique together
  bool required = false;                  // must exist in every dataset
};

// All tables, in loading order (reference tables first).
const std::vector<TableSchema>& AllTables();
// nullptr when `file` is not a dataset table.
const TableSchema* FindTable(std::string_view file);

inline constexpr std::string_view kManifestFile = "dataset.json";

}  // namespace lodestone::data
