// Importer for the USGS Mineral Commodity Summaries 2026 data-release CSV (Windows-1252, one
// figure per line). Which lines become which dataset rows is data, not code:
// data/reference/usgs_mcs_map.csv maps (chapter, section, statistics detail) to a table, mineral,
// stage and unit, and data/reference/usgs_mcs_errata.csv lists USGS's published corrections.
// This file only knows the layout of the release and the way USGS prints values.
// docs/importers/usgs_mcs.md describes the rules.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <charconv>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include "import_common.hpp"
#include "lodestone/data/csv.hpp"
#include "lodestone/data/encoding.hpp"
#include "lodestone/data/schema.hpp"
#include "lodestone/model/units.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::data {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kImporterName = "usgs-mcs";
constexpr std::string_view kSourceId = "usgs_mcs2026";
constexpr std::string_view kMapFile = "usgs_mcs_map.csv";
constexpr std::string_view kErrataFile = "usgs_mcs_errata.csv";

// Fields of the data release, in order (0-based; diagnostics print them 1-based).
constexpr std::size_t kChapter = 0;
constexpr std::size_t kSection = 1;
constexpr std::size_t kCountry = 3;
constexpr std::size_t kDetail = 5;
constexpr std::size_t kUnit = 6;
constexpr std::size_t kYear = 7;
constexpr std::size_t kValue = 8;
constexpr std::size_t kNotes = 9;
constexpr std::size_t kFieldCount = 12;
constexpr std::array<std::string_view, kFieldCount> kHeader = {"MCS chapter",
                                                               "Section",
                                                               "Commodity",
                                                               "Country",
                                                               "Statistics",
                                                               "Statistics_detail",
                                                               "Unit",
                                                               "Year",
                                                               "Value",
                                                               "Notes",
                                                               "Is critical mineral 2025",
                                                               "Other notes"};

// UTF-8 after conversion from Windows-1252 (bytes 0x97 and 0x96).
constexpr std::string_view kEmDash = "\xE2\x80\x94";  // USGS: zero
constexpr std::string_view kEnDash = "\xE2\x80\x93";  // ranges "500–17,000", periods "2021–24"

// USGS joins the notes of one figure with this separator; so do we when we add our own.
constexpr std::string_view kNoteSeparator = " -- ";
// Import reliance and import-source shares are printed in percent; the dataset stores fractions.
constexpr double kPercentPerUnit = 100.0;
constexpr std::string_view kPercentUnit = "percent";
// "Import Sources" rows name the supplier in the Country field; the importer is always the US,
// whose statistics the MCS report.
constexpr std::string_view kImportsConsumer = "United States";
// Words USGS prints instead of a figure (mostly for reserves). They carry no number: NA.
constexpr std::array<std::string_view, 5> kQualitativeWords = {"Large", "Moderate", "Moderate to large", "Small",
                                                               "Very small"};
constexpr std::size_t kYearDigits = 4;
// Plain decimals of any figure USGS prints fit easily; longer ones fall back to an exponent.
constexpr std::size_t kFormatBuffer = 128;

// The dataset tables this importer writes, as named in the mapping file's `table` column.
struct TableInfo {
  std::string_view name;
  std::string_view file;
  bool staged;    // has a stage column
  bool quantity;  // quantity + unit + note (production, capacity, reserves)
  bool share;     // a fraction, published in percent (import reliance, import sources)
};
constexpr std::array<TableInfo, 5> kTables = {{
    {"production", "production.csv", true, true, false},
    {"capacity", "capacity.csv", true, true, false},
    {"reserves", "reserves.csv", false, true, false},
    {"import_reliance", "import_reliance.csv", false, false, true},
    {"import_sources", "import_sources.csv", false, false, true},
}};
constexpr std::string_view kImportSourcesTable = "import_sources";

const TableInfo* FindTableInfo(std::string_view name) {
  for (const auto& t : kTables) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

enum class Action { Map, Skip, Add };

// One line of usgs_mcs_map.csv.
struct Rule {
  Action action = Action::Map;
  std::string chapter, section, detail, usgs_unit;
  const TableInfo* table = nullptr;
  std::string mineral, stage, unit, material, country;
  std::vector<std::string> years;
  std::string value, note;
  std::size_t line = 0;
  std::size_t matched = 0;
};

// One line of usgs_mcs_errata.csv.
struct Erratum {
  std::string chapter, country, statistic, year, published, corrected, note;
  std::size_t line = 0;
  std::size_t matched = 0;
};

// True when `a` becomes `b` by one substitution, insertion or deletion of a byte. Linear time.
bool OneEditApart(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() - a.size() > 1) return false;
  std::size_t i = 0;
  while (i < a.size() && a[i] == b[i]) ++i;
  if (i == a.size()) return b.size() == a.size() + 1;  // equal strings are not one edit apart
  if (a.size() == b.size()) return a.substr(i + 1) == b.substr(i + 1);
  return a.substr(i) == b.substr(i + 1);
}

// Lookup key of a release line; the unit separator cannot occur in the published text.
std::string JoinKey(std::initializer_list<std::string_view> parts) {
  std::string key;
  for (auto p : parts) {
    key.append(p);
    key.push_back('\x1f');
  }
  return key;
}

bool IsStageId(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

bool IsYear(std::string_view s) {
  if (s.size() != kYearDigits) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    auto p = s.find(';');
    auto part = detail::Trim(s.substr(0, p));
    if (!part.empty()) out.emplace_back(part);
    if (p == std::string_view::npos) break;
    s.remove_prefix(p + 1);
  }
  return out;
}

std::string ReplaceAll(std::string_view s, std::string_view from, std::string_view to) {
  std::string out;
  while (true) {
    auto p = s.find(from);
    out.append(s.substr(0, p));
    if (p == std::string_view::npos) break;
    out.append(to);
    s.remove_prefix(p + from.size());
  }
  return out;
}

void AppendNote(std::string& note, std::string_view part) {
  if (part.empty()) return;
  if (!note.empty()) note.append(kNoteSeparator);
  note.append(part);
}

struct Mapping {
  std::vector<Rule> rules;
  std::map<std::string, std::size_t> by_key;  // (chapter, section, detail) -> map or skip rule
  std::string file;
};

// Reads and checks usgs_mcs_map.csv; problems go to `diags` with the mapping file's line and
// column, so a bad mapping is reported as precisely as a bad input file.
Mapping LoadMapping(const Reference& ref, model::Diagnostics& diags) {
  Mapping out;
  MappingFile m = ReadMappingFile(ref.dir() / kMapFile);
  out.file = m.file;
  const auto c_action = m.Col("action"), c_chapter = m.Col("chapter"), c_section = m.Col("section"),
             c_detail = m.Col("statistics_detail"), c_usgs_unit = m.Col("usgs_unit"), c_table = m.Col("table"),
             c_mineral = m.Col("mineral"), c_stage = m.Col("stage"), c_unit = m.Col("unit"),
             c_material = m.Col("material"), c_country = m.Col("country"), c_years = m.Col("years"),
             c_value = m.Col("value"), c_note = m.Col("note"), c_comment = m.Col("comment");
  for (std::size_t i = 0; i < m.rows.size(); ++i) {
    const auto& row = m.rows[i];
    const std::size_t line = m.lines[i];
    auto cell = [&](std::size_t c) { return std::string(detail::Trim(row[c])); };
    auto error = [&](std::size_t c, std::string message) { diags.Error(m.file, line, c + 1, std::move(message)); };
    Rule r;
    r.line = line;
    r.chapter = cell(c_chapter);
    r.section = cell(c_section);
    r.detail = cell(c_detail);
    r.usgs_unit = cell(c_usgs_unit);
    r.mineral = cell(c_mineral);
    r.stage = cell(c_stage);
    r.unit = cell(c_unit);
    r.material = cell(c_material);
    r.country = cell(c_country);
    r.years = SplitList(row[c_years]);
    r.value = cell(c_value);
    r.note = cell(c_note);
    const std::string action = cell(c_action);
    if (action == "map") {
      r.action = Action::Map;
    } else if (action == "skip") {
      r.action = Action::Skip;
    } else if (action == "add") {
      r.action = Action::Add;
    } else {
      error(c_action, fmt::format("action '{}' must be map, skip or add", action));
      continue;
    }
    std::size_t before = diags.ErrorCount();
    if (r.chapter.empty()) error(c_chapter, "empty chapter");
    if (r.action != Action::Add) {
      if (r.section.empty()) error(c_section, "empty section");
      if (r.detail.empty()) error(c_detail, "empty statistics_detail");
    }
    if (r.action == Action::Skip && detail::Trim(row[c_comment]).empty()) {
      error(c_comment, "a skip rule must say why in its comment");
    }
    if (r.action != Action::Skip) {
      const std::string table = cell(c_table);
      r.table = FindTableInfo(table);
      if (!r.table) {
        error(c_table, fmt::format("table '{}' must be production, capacity, reserves, import_reliance or "
                                   "import_sources",
                                   table));
      }
      auto mineral_unit = ref.MineralUnit(r.mineral);
      if (!mineral_unit) error(c_mineral, fmt::format("unknown mineral '{}' (not in minerals.csv)", r.mineral));
      if (r.table && r.table->staged && !IsStageId(r.stage)) {
        error(c_stage, fmt::format("stage '{}' must be a lower-case identifier such as mining, refining", r.stage));
      }
      if (r.table && r.table->quantity) {
        auto unit = model::ParseUnit(r.unit);
        if (!unit) {
          error(c_unit, fmt::format("unit '{}' not understood (e.g. 't Li', 'kt Cu', 'kg Ga', 't')", r.unit));
        } else if (mineral_unit && !model::ConversionFactor(*unit, *mineral_unit)) {
          error(c_unit,
                fmt::format("unit '{}' does not convert to {}'s unit '{}'", r.unit, r.mineral, mineral_unit->text));
        }
      }
      if (r.table && r.table->share) {
        if (r.material.empty()) error(c_material, "empty material (e.g. 'all forms')");
        if (r.action == Action::Map && r.usgs_unit != kPercentUnit) {
          error(c_usgs_unit, fmt::format("shares are published in '{}', not '{}'", kPercentUnit, r.usgs_unit));
        }
      }
    }
    if (r.action == Action::Map && r.usgs_unit.empty()) error(c_usgs_unit, "empty usgs_unit");
    if (r.action == Action::Add) {
      if (r.table && !r.table->quantity) error(c_table, "add rules can only write production, capacity or reserves");
      if (auto iso = ref.CountryByName(r.country)) {
        r.country = *iso;
      } else {
        error(c_country, fmt::format("unknown country '{}'", r.country));
      }
      if (r.years.empty()) error(c_years, "an add rule needs years (e.g. 2024;2025)");
      for (const auto& y : r.years) {
        if (!IsYear(y)) error(c_years, fmt::format("year '{}' must have four digits", y));
      }
      model::Value v;
      auto parse = model::ParseValueCell(r.value, false, v);
      if (parse != model::ValueParse::Ok) {
        error(c_value, fmt::format("value '{}': {}", r.value, model::ValueParseMessage(parse)));
      }
      if (r.note.empty()) error(c_note, "an add rule must explain the row in its note");
    }
    if (diags.ErrorCount() != before) continue;
    if (r.action != Action::Add) {
      auto [it, inserted] = out.by_key.emplace(JoinKey({r.chapter, r.section, r.detail}), out.rules.size());
      if (!inserted) {
        error(c_detail, fmt::format("the same chapter, section and statistics_detail are mapped on line {}",
                                    out.rules[it->second].line));
        continue;
      }
    }
    out.rules.push_back(std::move(r));
  }
  return out;
}

struct Errata {
  std::vector<Erratum> items;
  std::map<std::string, std::size_t> by_key;  // (chapter, country, statistic, year) -> item
  std::string file;
};

Errata LoadErrata(const Reference& ref, model::Diagnostics& diags) {
  Errata out;
  MappingFile m = ReadMappingFile(ref.dir() / kErrataFile);
  out.file = m.file;
  const auto c_chapter = m.Col("chapter"), c_country = m.Col("country"), c_statistic = m.Col("statistic"),
             c_year = m.Col("year"), c_published = m.Col("published"), c_corrected = m.Col("corrected"),
             c_note = m.Col("note");
  for (std::size_t i = 0; i < m.rows.size(); ++i) {
    const auto& row = m.rows[i];
    auto cell = [&](std::size_t c) { return std::string(detail::Trim(row[c])); };
    Erratum e{cell(c_chapter), cell(c_country),   cell(c_statistic),
              cell(c_year),    cell(c_published), cell(c_corrected),
              cell(c_note),    m.lines[i],        0};
    std::size_t before = diags.ErrorCount();
    auto require = [&](const std::string& v, std::size_t c, std::string_view what) {
      if (v.empty()) diags.Error(m.file, e.line, c + 1, fmt::format("empty {}", what));
    };
    require(e.chapter, c_chapter, "chapter");
    require(e.country, c_country, "country");
    require(e.statistic, c_statistic, "statistic");
    require(e.published, c_published, "published value");
    require(e.corrected, c_corrected, "corrected value");
    require(e.note, c_note, "note (say which USGS revision this is)");
    if (!IsYear(e.year))
      diags.Error(m.file, e.line, c_year + 1, fmt::format("year '{}' must have four digits", e.year));
    if (diags.ErrorCount() != before) continue;
    auto [it, inserted] = out.by_key.emplace(JoinKey({e.chapter, e.country, e.statistic, e.year}), out.items.size());
    if (!inserted) {
      diags.Error(m.file, e.line, 0, fmt::format("same figure as the erratum on line {}", out.items[it->second].line));
      continue;
    }
    out.items.push_back(std::move(e));
  }
  return out;
}

// "1,234", "1234", "0.5": digits, thousands separated by commas in groups of three, optional
// decimals. Anything else (signs, spaces, "12x") is not a USGS number.
std::optional<double> ParseUsgsNumber(std::string_view s) {
  constexpr std::size_t kGroup = 3;
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  auto dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  if (whole.empty() || (dot != std::string_view::npos && frac.empty())) return std::nullopt;
  for (char c : frac) {
    if (!is_digit(c)) return std::nullopt;
  }
  std::string plain;
  auto first_comma = whole.find(',');
  if (first_comma == std::string_view::npos) {
    for (char c : whole) {
      if (!is_digit(c)) return std::nullopt;
    }
    plain = whole;
  } else {
    if (first_comma == 0 || first_comma > kGroup || (whole.size() - first_comma) % (kGroup + 1) != 0) {
      return std::nullopt;
    }
    for (std::size_t i = 0; i < whole.size(); ++i) {
      bool comma_place = i >= first_comma && (i - first_comma) % (kGroup + 1) == 0;
      if (comma_place ? whole[i] != ',' : !is_digit(whole[i])) return std::nullopt;
      if (!comma_place) plain.push_back(whole[i]);
    }
  }
  if (!frac.empty()) {
    plain.push_back('.');
    plain.append(frac);
  }
  double x = 0;
  if (!model::ParseDouble(plain, x)) return std::nullopt;
  return x;
}

// A figure as USGS prints it, read into the dataset's terms. `note` keeps what the dataset cell
// alone would lose (what "s" meant, the printed range).
struct PublishedValue {
  model::Value value;
  std::string note;
};

// "500–17,000" or "330 - 390": a range, kept as its lower bound.
std::optional<PublishedValue> ParseRange(std::string_view t) {
  std::size_t split = t.find(kEnDash);
  std::size_t width = kEnDash.size();
  if (split == std::string_view::npos) {
    split = t.find('-', 1);
    width = 1;
  }
  if (split == std::string_view::npos || split == 0) return std::nullopt;
  auto low = ParseUsgsNumber(detail::Trim(t.substr(0, split)));
  auto high = ParseUsgsNumber(detail::Trim(t.substr(split + width)));
  if (!low || !high || *low > *high) return std::nullopt;
  return PublishedValue{model::Value::Bound(*low, model::ValueStatus::AtLeast),
                        fmt::format("USGS gives the range {}; stored as its lower bound.", t)};
}

// Reads one Value field. Returns nullopt and sets `error` when the text is none of the forms
// the release uses.
std::optional<PublishedValue> ParsePublishedValue(std::string_view t, bool net_exporter_allowed, std::string& error) {
  using model::Value;
  using model::ValueStatus;
  if (t.empty()) {
    error = "empty value: USGS prints NA or W for a missing figure";
    return std::nullopt;
  }
  if (t == "W") return PublishedValue{Value::Missing(ValueStatus::Withheld), ""};
  if (t == "NA") return PublishedValue{Value::Missing(ValueStatus::NotAvailable), ""};
  if (t == "E") {
    if (net_exporter_allowed) return PublishedValue{Value::Missing(ValueStatus::NetExporter), ""};
    error = "'E' (net exporter) is only meaningful for net import reliance";
    return std::nullopt;
  }
  if (t == kEmDash) return PublishedValue{Value::Of(0.0), ""};  // the metadata: "— - zero"
  if (t == "s") {
    return PublishedValue{Value::Missing(ValueStatus::NotAvailable),
                          "USGS prints s (small: less than 1/2 unit, or not reported separately)."};
  }
  if (t == "XX") {
    return PublishedValue{Value::Missing(ValueStatus::NotAvailable),
                          "USGS prints XX: world total cannot be calculated because production and reserves "
                          "are not reported in a consistent manner by all countries."};
  }
  for (auto word : kQualitativeWords) {
    if (t == word) {
      return PublishedValue{Value::Missing(ValueStatus::NotAvailable),
                            fmt::format("USGS gives no figure, only \"{}\".", t)};
    }
  }
  if (t.front() == '>' || t.front() == '<') {
    if (auto x = ParseUsgsNumber(detail::Trim(t.substr(1)))) {
      auto status = t.front() == '>' ? ValueStatus::AtLeast : ValueStatus::AtMost;
      return PublishedValue{Value::Bound(*x, status), ""};
    }
  } else if (auto x = ParseUsgsNumber(t)) {
    return PublishedValue{Value::Of(*x), ""};
  } else if (auto range = ParseRange(t)) {
    return range;
  }
  error = fmt::format(
      "value '{}' is not a number ('1,234', '0.5'), a bound ('>50', '<1'), a range ('500{}17,000') or a USGS "
      "symbol (W, NA, E, {}, s, XX, Large, Moderate, Small)",
      t, kEnDash, kEmDash);
  return std::nullopt;
}

// A dataset cell in plain decimals: the shortest text that reads back to the same double, never
// with an exponent. model::FormatNumber may pick one ("9e+05" for 900000, "1.1e+07"), which is
// exact but hard to read and to compare with the USGS tables by eye.
std::string FormatCell(const model::Value& v) {
  if (!v.HasNumber()) return model::FormatValueCell(v);
  std::string prefix = v.status == model::ValueStatus::AtLeast  ? ">"
                       : v.status == model::ValueStatus::AtMost ? "<"
                                                                : "";
  if (v.number == 0.0) return prefix + "0";
  std::array<char, kFormatBuffer> buf{};
  auto [ptr, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v.number, std::chars_format::fixed);
  if (ec != std::errc()) return model::FormatValueCell(v);  // too long for plain digits
  return prefix + std::string(buf.data(), ptr);
}

// The release is Windows-1252; a copy someone re-saved as UTF-8 reads the same.
std::string DecodeRelease(std::string bytes) {
  if (!CheckUtf8(bytes)) return bytes;
  return Cp1252ToUtf8(bytes);
}

// Collects the rows of each table in schema order and rejects repeated keys here, where the
// USGS line can still be named, rather than later in the loader.
class Output {
 public:
  explicit Output(ImportResult& result) : result_(result) {}

  // `cells` by column name; `origin_file`/`origin_line` say where the row came from.
  bool Add(const TableInfo& table, const std::map<std::string_view, std::string>& cells, std::string_view origin_file,
           std::size_t origin_line) {
    const TableSchema* schema = FindTable(table.file);
    LODESTONE_ASSERT(schema != nullptr, fmt::format("no schema for {}", table.file));
    std::vector<std::string> row;
    row.reserve(schema->columns.size());
    for (auto column : schema->columns) {
      auto it = cells.find(column);
      if (it == cells.end()) {
        throw Error::Internal(fmt::format("usgs importer does not fill {} column '{}'", table.file, column));
      }
      row.push_back(it->second);
    }
    std::string key, described;
    for (auto column : schema->key) {
      key = JoinKey({key, cells.at(column)});
      described += fmt::format("{}{}={}", described.empty() ? "" : ", ", column, cells.at(column));
    }
    auto [it, inserted] =
        seen_.emplace(JoinKey({table.file, key}), fmt::format("{} line {}", origin_file, origin_line));
    if (!inserted) {
      result_.diagnostics.Error(origin_file, origin_line, 0,
                                fmt::format("{} row ({}) repeats the row from {}", table.file, described, it->second));
      return false;
    }
    result_.tables[std::string(table.file)].rows.push_back(std::move(row));
    ++counts_[table.file];
    return true;
  }

  const std::map<std::string_view, std::size_t>& counts() const { return counts_; }

 private:
  ImportResult& result_;
  std::map<std::string, std::string> seen_;
  std::map<std::string_view, std::size_t> counts_;
};

}  // namespace

ImportResult ImportUsgsMcs(const fs::path& file, const Reference& ref) {
  ImportResult result;
  result.importer = kImporterName;
  detail::AddSource(result, ref.SourceRecord(kSourceId));
  auto& diags = result.diagnostics;
  Mapping mapping = LoadMapping(ref, diags);
  Errata errata = LoadErrata(ref, diags);
  if (diags.HasErrors()) return result;

  const std::string label = file.string();
  CsvReader reader(DecodeRelease(ReadFileBytes(file)), label, &diags);
  std::vector<std::string_view> fields;
  if (!reader.Next(fields)) {
    diags.Error(label, 1, 0, "empty file: expected the USGS header line");
    return result;
  }
  bool header_ok = fields.size() == kFieldCount;
  if (!header_ok) {
    diags.Error(
        label, reader.line(), 0,
        fmt::format("header has {} fields, expected {}: {}", fields.size(), kFieldCount, fmt::join(kHeader, ", ")));
  }
  for (std::size_t i = 0; i < std::min(fields.size(), kFieldCount); ++i) {
    if (detail::Trim(fields[i]) != kHeader[i]) {
      diags.Error(label, reader.line(), i + 1,
                  fmt::format("header field {} is '{}', expected '{}'", i + 1, detail::Trim(fields[i]), kHeader[i]));
      header_ok = false;
    }
  }
  // Without the expected columns no field can be trusted to mean what the mapping says.
  if (!header_ok) return result;

  Output output(result);
  std::set<std::string> chapters;
  std::size_t rows_read = 0, rows_imported = 0, rows_not_mapped = 0, rows_skipped = 0, rows_added = 0,
              errata_applied = 0;
  std::array<std::string_view, kFieldCount> f{};
  std::unordered_map<std::string, const Rule*> unmapped_checked;  // unmapped key -> near rule, if any
  while (reader.Next(fields)) {
    const std::size_t line = reader.line();
    if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
    ++rows_read;
    if (reader.record_malformed()) continue;  // reported by the reader
    if (fields.size() != kFieldCount) {
      // Point at the first missing or the first extra field.
      diags.Error(label, line, std::min(fields.size(), kFieldCount) + 1,
                  fmt::format("expected {} fields, found {}", kFieldCount, fields.size()));
      continue;
    }
    // Notes and names are copied into the dataset's notes: control characters are refused.
    if (!CheckNoControlChars(fields, label, line, diags)) continue;
    for (std::size_t i = 0; i < kFieldCount; ++i) f[i] = detail::Trim(fields[i]);
    auto error = [&](std::size_t field, std::string message) {
      diags.Error(label, line, field + 1, std::move(message));
    };
    chapters.emplace(f[kChapter]);

    std::string value_text(f[kValue]);
    std::string erratum_note;
    if (auto e = errata.by_key.find(JoinKey({f[kChapter], f[kCountry], f[kDetail], f[kYear]}));
        e != errata.by_key.end()) {
      Erratum& erratum = errata.items[e->second];
      ++erratum.matched;
      if (value_text == erratum.published) {
        value_text = erratum.corrected;
        erratum_note = fmt::format("Erratum applied (published {}, corrected {}): {}", erratum.published,
                                   erratum.corrected, erratum.note);
        ++errata_applied;
      } else if (value_text == erratum.corrected) {
        // A later version of the release that already carries the correction.
        erratum_note = fmt::format("Corrected value as in a later release: {}", erratum.note);
      } else {
        error(kValue, fmt::format("{} line {} corrects the published value '{}', but this file has '{}': it is not "
                                  "the file version the erratum was written for",
                                  kErrataFile, erratum.line, erratum.published, value_text));
        continue;
      }
    }

    auto r = mapping.by_key.find(JoinKey({f[kChapter], f[kSection], f[kDetail]}));
    if (r == mapping.by_key.end()) {
      ++rows_not_mapped;
      // A row one character away from a mapping rule is most likely that rule's row with a typo
      // (in the release or in a hand-edited copy): say so rather than drop it without a word.
      std::string key = JoinKey({f[kChapter], f[kSection], f[kDetail]});
      if (auto [it, fresh] = unmapped_checked.emplace(key, nullptr); fresh) {
        for (const auto& rule : mapping.rules) {
          if (OneEditApart(key, JoinKey({rule.chapter, rule.section, rule.detail}))) {
            it->second = &rule;
            break;
          }
        }
      } else if (it->second == nullptr) {
        continue;
      }
      if (const Rule* near = unmapped_checked[key]) {
        diags.Warning(label, line, 0,
                      fmt::format("row not imported: '{}' / '{}' / '{}' is one character away from the mapping rule "
                                  "at {} line {} ('{}' / '{}' / '{}'): a typo?",
                                  f[kChapter], f[kSection], f[kDetail], kMapFile, near->line, near->chapter,
                                  near->section, near->detail));
      }
      continue;
    }
    Rule& rule = mapping.rules[r->second];
    ++rule.matched;
    if (rule.action == Action::Skip) {
      ++rows_skipped;
      continue;
    }
    const TableInfo& table = *rule.table;
    const std::size_t errors_before = diags.ErrorCount();
    if (f[kUnit] != rule.usgs_unit) {
      error(kUnit,
            fmt::format("unit '{}', but {} line {} expects '{}'", f[kUnit], kMapFile, rule.line, rule.usgs_unit));
    }
    auto country = ref.CountryByName(f[kCountry]);
    if (!country) {
      error(kCountry, fmt::format("unknown country '{}' (add it, or an alias, to countries.csv)", f[kCountry]));
    }
    const bool is_import_sources = table.name == kImportSourcesTable;
    std::string period;
    if (is_import_sources) {
      period = ReplaceAll(f[kYear], kEnDash, "-");
      if (period.empty()) error(kYear, "empty period");
    } else if (!IsYear(f[kYear])) {
      error(kYear, fmt::format("year '{}' must have four digits", f[kYear]));
    }
    std::string value_error;
    auto parsed = ParsePublishedValue(value_text, table.name == "import_reliance", value_error);
    if (!parsed) {
      error(kValue, value_error);
    } else if (table.share && parsed->value.HasNumber()) {
      parsed->value.number /= kPercentPerUnit;
      if (parsed->value.number > 1.0) error(kValue, fmt::format("'{}' percent is above 100", value_text));
    }
    if (diags.ErrorCount() != errors_before) continue;

    const std::string cell = FormatCell(parsed->value);
    std::string note(detail::Trim(f[kNotes]));
    AppendNote(note, parsed->note);
    AppendNote(note, erratum_note);
    AppendNote(note, rule.note);
    std::map<std::string_view, std::string> cells{{"mineral", rule.mineral}, {"source", std::string(kSourceId)}};
    if (table.quantity) {
      cells.insert({{"stage", rule.stage},
                    {"country", *country},
                    {"year", std::string(f[kYear])},
                    {"quantity", cell},
                    {"unit", rule.unit},
                    {"note", note}});
    } else if (is_import_sources) {
      auto consumer = ref.CountryByName(kImportsConsumer);
      if (!consumer)
        throw Error::InvalidData(ref.dir().string() + "/countries.csv", 0, 0,
                                 "the reference countries lack the United States (USA)");
      cells.insert({{"consumer", *consumer},
                    {"material", rule.material},
                    {"period", period},
                    {"country", *country},
                    {"share", cell}});
    } else {
      // Net import reliance: the Country field names the consumer (the United States).
      cells.insert(
          {{"consumer", *country}, {"material", rule.material}, {"year", std::string(f[kYear])}, {"reliance", cell}});
    }
    if (output.Add(table, cells, label, line)) ++rows_imported;
  }

  // Rows the release does not have but the dataset must state (e.g. a figure USGS withholds
  // without printing a line for it), for chapters present in this file.
  for (const auto& rule : mapping.rules) {
    if (rule.action != Action::Add || chapters.count(rule.chapter) == 0) continue;
    for (const auto& year : rule.years) {
      std::map<std::string_view, std::string> cells{
          {"mineral", rule.mineral}, {"stage", rule.stage}, {"country", rule.country},          {"year", year},
          {"quantity", rule.value},  {"unit", rule.unit},   {"source", std::string(kSourceId)}, {"note", rule.note}};
      if (output.Add(*rule.table, cells, mapping.file, rule.line)) ++rows_added;
    }
  }

  // A rule or erratum that matched nothing usually means USGS renamed a section or statistic.
  std::set<std::string> absent_chapters;
  for (const auto& rule : mapping.rules) {
    if (rule.action == Action::Add || rule.matched > 0) continue;
    if (chapters.count(rule.chapter) == 0) {
      if (absent_chapters.insert(rule.chapter).second) {
        diags.Warning(mapping.file, rule.line, 0,
                      fmt::format("chapter '{}' is mapped but has no rows in {}", rule.chapter, label));
      }
      continue;
    }
    diags.Warning(
        mapping.file, rule.line, 0,
        fmt::format("matched no row of {} (section '{}', statistics detail '{}')", label, rule.section, rule.detail));
  }
  for (const auto& e : errata.items) {
    if (e.matched > 0) continue;
    if (chapters.count(e.chapter) == 0) {
      diags.Warning(errata.file, e.line, 0,
                    fmt::format("not applied: chapter '{}' has no rows in {}", e.chapter, label));
    } else {
      diags.Error(errata.file, e.line, 0,
                  fmt::format("no row of {} has this figure ({}, {}, {}, {}): it is not the file version the "
                              "erratum was written for",
                              label, e.chapter, e.country, e.statistic, e.year));
    }
  }

  result.stats = {{"rows read", rows_read},
                  {"rows imported", rows_imported},
                  {"rows not mapped", rows_not_mapped},
                  {"rows skipped by mapping", rows_skipped},
                  {"rows added by mapping", rows_added},
                  {"errata applied", errata_applied}};
  for (const auto& t : kTables) {
    auto it = output.counts().find(t.file);
    if (it != output.counts().end()) result.stats.emplace_back(fmt::format("{} rows", t.file), it->second);
  }
  return result;
}

}  // namespace lodestone::data
