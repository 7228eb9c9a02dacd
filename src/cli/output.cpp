// Table and CSV printing for the CLI.
#include "output.hpp"

#include <fmt/format.h>

#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <iostream>

#include "lodestone/data/csv.hpp"

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
}  // namespace

void PrintTable(std::ostream& out, const TextTable& t) {
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

void PrintCsv(std::ostream& out, const TextTable& t) {
  auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i) out << ',';
      out << data::QuoteCsvField(cells[i]);
    }
    out << '\n';
  };
  if (!t.columns.empty()) line(t.columns);  // no columns: rows that continue an earlier table
  for (const auto& row : t.rows) line(row);
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
