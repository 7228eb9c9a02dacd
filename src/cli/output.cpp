// Table and CSV printing for the CLI.
#include "output.hpp"

#include <fmt/format.h>

#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <iostream>

#include "lodestone/data/csv.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::cli {

namespace {
// Display width of UTF-8 text: count code points, not bytes.
std::size_t Width(const std::string& s) {
  std::size_t w = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++w;
  }
  return w;
}
// Pads and prints cells as they are (PrintTable escapes them first).
void PrintAligned(std::ostream& out, const TextTable& t);
}  // namespace

std::string EscapeControl(std::string_view cell) {
  std::string out;
  out.reserve(cell.size());
  for (std::size_t i = 0; i < cell.size(); ++i) {
    auto c = static_cast<unsigned char>(cell[i]);
    if (c < 0x20 || c == 0x7F) {
      out += fmt::format("\\x{:02x}", c);
    } else if (c == 0xC2 && i + 1 < cell.size() && static_cast<unsigned char>(cell[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(cell[i + 1]) <= 0x9F) {
      // C1 controls (U+0080..U+009F), CSI among them, in UTF-8.
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(cell[i + 1]));
      ++i;
    } else {
      out += cell[i];
    }
  }
  return out;
}

std::string NeutraliseFormula(std::string_view cell) {
  // A lone sign is text to every spreadsheet (and "-" is our "no figure").
  if (cell.size() < 2) return std::string(cell);
  char c = cell.front();
  bool risky = c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
  double x = 0;
  if (!risky || model::ParseDouble(cell, x)) return std::string(cell);
  return "'" + std::string(cell);
}

void PrintTable(std::ostream& out, const TextTable& t) {
  TextTable safe;
  safe.right = t.right;
  for (const auto& c : t.columns) safe.columns.push_back(EscapeControl(c));
  safe.rows.reserve(t.rows.size());
  for (const auto& row : t.rows) {
    auto& r = safe.rows.emplace_back();
    r.reserve(row.size());
    for (const auto& c : row) r.push_back(EscapeControl(c));
  }
  PrintAligned(out, safe);
}

namespace {
void WriteCsvLine(std::ostream& out, const std::vector<std::string>& cells) {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i) out << ',';
    out << data::QuoteCsvField(NeutraliseFormula(cells[i]));
  }
  out << '\n';
}
}  // namespace

void PrintCsvRows(std::ostream& out, const model::CsvRows& rows) {
  WriteCsvLine(out, rows.columns);
  for (const auto& row : rows.rows) WriteCsvLine(out, row);
}

namespace {
void PrintAligned(std::ostream& out, const TextTable& t) {
  std::vector<std::size_t> width(t.columns.size(), 0);
  for (std::size_t i = 0; i < t.columns.size(); ++i) width[i] = Width(t.columns[i]);
  for (const auto& row : t.rows) {
    for (std::size_t i = 0; i < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], Width(row[i]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (std::size_t i = 0; i < cells.size() && i < width.size(); ++i) {
      std::size_t pad = width[i] - Width(cells[i]);
      bool right = i < t.right.size() && t.right[i];
      if (i) s += "  ";
      if (right) s.append(pad, ' ');
      s += cells[i];
      if (!right && i + 1 < cells.size()) s.append(pad, ' ');
    }
    out << s << '\n';
  };
  line(t.columns);
  std::vector<std::string> rule;
  for (auto w : width) rule.emplace_back(std::string(w, '-'));
  line(rule);
  for (const auto& row : t.rows) line(row);
}
}  // namespace

void PrintCsv(std::ostream& out, const TextTable& t) {
  if (!t.columns.empty()) WriteCsvLine(out, t.columns);  // no columns: rows that continue an earlier table
  for (const auto& row : t.rows) WriteCsvLine(out, row);
}

std::string Grouped(double x, int decimals) {
  std::string s = fmt::format("{:.{}f}", std::abs(x), decimals);
  auto dot = s.find('.');
  std::string int_part = s.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : s.substr(dot);
  std::string grouped;
  for (std::size_t i = 0; i < int_part.size(); ++i) {
    if (i && (int_part.size() - i) % 3 == 0) grouped += ',';
    grouped += int_part[i];
  }
  return (x < 0 ? "-" : "") + grouped + frac;
}

std::string Tonnes(double t) {
  const double a = t < 0 ? -t : t;
  return Grouped(t, a >= 100 || a == 0 ? 0 : a >= 10 ? 1 : 2);
}

std::string Percent(double fraction) { return fmt::format("{:.1f}%", fraction * 100.0); }

std::vector<std::string> SplitList(const std::string& s, std::string_view separators) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto p = s.find_first_of(separators, start);
    auto part = s.substr(start, p == std::string::npos ? std::string::npos : p - start);
    if (!part.empty()) out.push_back(part);
    if (p == std::string::npos) break;
    start = p + 1;
  }
  return out;
}

std::function<void(std::uint64_t, std::uint64_t)> TerminalProgress(std::string what) {
  if (!isatty(STDERR_FILENO)) return {};
  return [what = std::move(what), last = -1](std::uint64_t done, std::uint64_t total) mutable {
    int pct = total ? static_cast<int>(100 * done / total) : 100;
    if (pct == last) return;
    last = pct;
    int bar = pct / 4;
    std::cerr << fmt::format("\r  [{}{}] {:3d}% {} of {} {}", std::string(bar, '#'), std::string(25 - bar, ' '), pct,
                             done, total, what)
              << (done >= total ? "\n" : "") << std::flush;
  };
}

std::string Pct(double part, double whole) { return whole > 0 ? Percent(part / whole) : std::string("-"); }

}  // namespace lodestone::cli
