// Reading small CSV tables by header name (model inputs beside the dataset: data/sim, data/outlook), keeping each
// cell's line and column so that every problem is reported where it is.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "lodestone/model/diagnostics.hpp"

namespace lodestone::data {

struct NamedTable {
  std::string file;
  std::map<std::string, std::size_t> columns;  // name -> 0-based index
  std::vector<std::vector<std::string>> rows;
  std::vector<std::size_t> lines;  // line of each row

  // Cell of `row` in column `name` ("" when the table has no such column).
  const std::string& Cell(std::size_t row, const std::string& name) const;
  // 1-based column number for diagnostics (0 when absent).
  std::size_t Col(const std::string& name) const;
};

// Reads a CSV file; missing `required` columns, syntax problems and rows with the wrong number
// of fields go to `diags`. Blank lines are skipped.
NamedTable ReadNamedTable(const std::filesystem::path& path, const std::vector<std::string>& required,
                          model::Diagnostics& diags);

// Parses a number cell; reports to `diags` and returns false when it is not a finite number
// within [lo, hi].
bool ParseNumberCell(const NamedTable& t, std::size_t row, const std::string& col, double lo, double hi, double& out,
                     model::Diagnostics& diags);
bool ParseYearCell(const NamedTable& t, std::size_t row, const std::string& col, int& out, model::Diagnostics& diags);

}  // namespace lodestone::data
