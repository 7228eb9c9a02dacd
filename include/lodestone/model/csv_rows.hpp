// A result as CSV: a header and rows of cells, already formatted (numbers round-trip exactly via
// model::FormatNumber, missing values as "NA"). Every result type's library serialiser returns
// one; front ends only print it.
#pragma once

#include <string>
#include <vector>

namespace lodestone::model {

struct CsvRows {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};

}  // namespace lodestone::model
