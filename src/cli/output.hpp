// Output for people (aligned tables) and programs (CSV; JSON is built per command).
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace lodestone::cli {

enum class Format { Table, Json, Csv };

struct TextTable {
  std::vector<std::string> columns;
  std::vector<bool> right;  // right-align a column (numbers)
  std::vector<std::vector<std::string>> rows;
};

void PrintTable(std::ostream& out, const TextTable& t);
// A header line from `columns`, then the rows; without columns, only the rows (a continuation).
void PrintCsv(std::ostream& out, const TextTable& t);
// 1234567.8 -> "1,234,568" (rounded to `decimals` places, grouped by thousands).
std::string Grouped(double x, int decimals = 0);
// "USA,JPN" -> {"USA", "JPN"}: splits on any of `separators`, dropping empty parts.
std::vector<std::string> SplitList(const std::string& s, std::string_view separators = ",");
// 0.3172 -> "31.7%".
std::string Percent(double fraction);

}  // namespace lodestone::cli
