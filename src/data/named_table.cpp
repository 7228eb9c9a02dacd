// CSV tables by header name (see named_table.hpp).
#include "lodestone/data/named_table.hpp"

#include <fmt/format.h>

#include "lodestone/data/csv.hpp"
#include "lodestone/data/encoding.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::data {

namespace {
const std::string kEmpty;
}

const std::string& NamedTable::Cell(std::size_t row, const std::string& name) const {
  auto it = columns.find(name);
  if (it == columns.end() || it->second >= rows[row].size()) return kEmpty;
  return rows[row][it->second];
}

std::size_t NamedTable::Col(const std::string& name) const {
  auto it = columns.find(name);
  return it == columns.end() ? 0 : it->second + 1;
}

NamedTable ReadNamedTable(const std::filesystem::path& path, const std::vector<std::string>& required,
                          model::Diagnostics& diags) {
  NamedTable t;
  t.file = path.string();
  if (!std::filesystem::exists(path)) {
    diags.Error(t.file, 0, 0, "file not found");
    return t;
  }
  std::string text = ReadFileBytes(path);
  if (auto problem = CheckUtf8(text)) {
    diags.Error(t.file, problem->line, problem->column, problem->message);
    return t;
  }
  CsvReader reader(std::move(text), t.file, &diags);
  std::vector<std::string_view> fields;
  if (!reader.Next(fields)) {
    diags.Error(t.file, 1, 0, "empty file: expected a header line");
    return t;
  }
  for (std::size_t i = 0; i < fields.size(); ++i) {
    // A second column of the same name would be silently ignored: which one the file meant is unknown.
    if (!t.columns.emplace(std::string(fields[i]), i).second) {
      diags.Error(t.file, 1, i + 1, fmt::format("column '{}' appears twice in the header", fields[i]));
    }
  }
  bool missing = false;
  for (const auto& name : required) {
    if (!t.columns.count(name)) {
      diags.Error(t.file, 1, 0, fmt::format("missing column '{}'", name));
      missing = true;
    }
  }
  if (missing) return t;
  std::size_t width = fields.size();
  while (reader.Next(fields)) {
    if (fields.size() == 1 && fields[0].empty()) continue;
    if (reader.record_malformed()) continue;
    if (fields.size() != width) {
      diags.Error(t.file, reader.line(), 0,
                  fmt::format("{} fields, expected {} (as in the header)", fields.size(), width));
      continue;
    }
    t.rows.emplace_back(fields.begin(), fields.end());
    t.lines.push_back(reader.line());
  }
  return t;
}

bool ParseNumberCell(const NamedTable& t, std::size_t row, const std::string& col, double lo, double hi, double& out,
                     model::Diagnostics& diags) {
  const std::string& text = t.Cell(row, col);
  // ParseDouble rejects NaN and infinity, so the range check below cannot be bypassed.
  if (!model::ParseDouble(text, out) || !(out >= lo && out <= hi)) {
    diags.Error(t.file, t.lines[row], t.Col(col),
                fmt::format("{} '{}': expected a number from {} to {}", col, text, model::FormatNumber(lo),
                            model::FormatNumber(hi)));
    return false;
  }
  return true;
}

bool ParseYearCell(const NamedTable& t, std::size_t row, const std::string& col, int& out, model::Diagnostics& diags) {
  double y = 0;
  const std::string& text = t.Cell(row, col);
  // Range first: casting a value outside int's range is undefined.
  if (!model::ParseDouble(text, y) || !(y >= 1900 && y <= 2200) || y != static_cast<int>(y)) {
    diags.Error(t.file, t.lines[row], t.Col(col), fmt::format("{} '{}': expected a year (YYYY)", col, text));
    return false;
  }
  out = static_cast<int>(y);
  return true;
}

}  // namespace lodestone::data
