// Output for people (aligned tables) and programs (CSV; JSON is built per command).
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "lodestone/model/csv_rows.hpp"

namespace lodestone::cli {

enum class Format { Table, Json, Csv };

struct TextTable {
  std::vector<std::string> columns;
  std::vector<bool> right;  // right-align a column (numbers)
  std::vector<std::vector<std::string>> rows;
};

// Aligned columns for a terminal. Control characters in any cell (C0, DEL, C1: terminal escape
// sequences among them) are shown as visible text such as "\x1b", never sent raw.
void PrintTable(std::ostream& out, const TextTable& t);
// A header line from `columns`, then the rows; without columns, only the rows (a continuation).
// A cell a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return,
// and not a plain number) is written with a leading single quote (docs/security.md).
void PrintCsv(std::ostream& out, const TextTable& t);
// A library serialiser's rows as CSV, by the same rules as PrintCsv.
void PrintCsvRows(std::ostream& out, const model::CsvRows& rows);
// `cell` with control characters replaced by visible escapes ("\x1b"); other text unchanged.
std::string EscapeControl(std::string_view cell);
// `cell` as a spreadsheet must read it: a leading single quote before a would-be formula.
std::string NeutraliseFormula(std::string_view cell);
// 1234567.8 -> "1,234,568" (rounded to `decimals` places, grouped by thousands).
std::string Grouped(double x, int decimals = 0);
// "USA,JPN" -> {"USA", "JPN"}: splits on any of `separators`, dropping empty parts.
std::vector<std::string> SplitList(const std::string& s, std::string_view separators = ",");
// A progress bar on stderr for a long run ("[####   ]  40% 400 of 1000 scenarios"), redrawn when the
// percentage changes; an empty function when stderr is not a terminal.
std::function<void(std::uint64_t, std::uint64_t)> TerminalProgress(std::string what);
// Tonnes for people, one rule for every command: no decimals from 100 t, one from 10 t, two below
// (gallium and germanium are a few tonnes); 0 as "0".
std::string Tonnes(double t);
// `part` as a percentage of `whole`; "-" when `whole` is not positive.
std::string Pct(double part, double whole);
// 0.3172 -> "31.7%".
std::string Percent(double fraction);

}  // namespace lodestone::cli
