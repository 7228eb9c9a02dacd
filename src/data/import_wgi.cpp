// World Bank Worldwide Governance Indicators importer: reads the official long format
// (semicolon separated, comma decimals, one row per economy, year and indicator) or a DataBank
// export (comma separated, one row per economy and series, one column per year) into
// governance.csv rows. The format is detected from the header; see docs/importers/wgi.md.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "import_common.hpp"
#include "lodestone/data/csv.hpp"
#include "lodestone/data/encoding.hpp"
#include "lodestone/data/importers.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::data {
namespace {

constexpr std::string_view kImporterName = "wgi";
constexpr std::string_view kSourceId = "wgi_2024";
constexpr std::string_view kTable = "governance.csv";
// Reference aliases "wgi:ZAR" and the like map WGI's legacy economy codes to ISO alpha-3.
constexpr std::string_view kCodeNamespace = "wgi";
// WGI (both formats) prints ".." where an estimate is not available.
constexpr std::string_view kWgiMissing = "..";
constexpr std::string_view kDatasetMissing = "NA";
// Estimates lie near -2.5..2.5; the loader rejects anything beyond +-5, so a figure out there
// is a misread column and is reported here, at its place in the publisher's file.
constexpr double kMaxAbsEstimate = 5.0;
constexpr int kMinYear = 1990;
constexpr int kMaxYear = 2100;
constexpr std::size_t kIndicatorCount = 6;
// The indicators in governance.csv column order; also the official format's indicator codes.
constexpr std::array<std::string_view, kIndicatorCount> kIndicators = {"va", "pv", "ge", "rq", "rl", "cc"};
// DataBank series of the estimates are "<INDICATOR>.EST" (e.g. "CC.EST"); other series of the
// same database (standard errors, ranks, source counts) are not part of governance.csv.
constexpr std::string_view kEstimateSeriesSuffix = ".est";

enum class WgiFormat { Official, DataBank };

// Estimates of one economy and year, as dataset cell text; nullopt when the file has no figure
// row for that indicator (written as NA, like "..").
struct EconomyYear {
  std::array<std::optional<std::string>, kIndicatorCount> cells;
  std::array<std::size_t, kIndicatorCount> lines{};
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::size_t> IndicatorIndex(std::string_view code) {
  auto lower = Lower(code);
  for (std::size_t i = 0; i < kIndicatorCount; ++i) {
    if (lower == kIndicators[i]) return i;
  }
  return std::nullopt;
}

// "-1,15" (official format) or "-1.152" (DataBank) -> dataset text; ".." and empty -> "NA".
// nullopt (with an error reported) when the cell is not an estimate.
std::optional<std::string> ParseEstimate(std::string_view raw, const std::string& file, std::size_t line,
                                         std::size_t column, model::Diagnostics& diags) {
  auto text = detail::Trim(raw);
  if (text.empty() || text == kWgiMissing) return std::string(kDatasetMissing);
  std::string number(text);
  // One decimal separator, comma or dot: estimates are below 10 in magnitude, so neither can be
  // a thousands separator.
  const auto commas = std::count(number.begin(), number.end(), ',');
  const auto dots = std::count(number.begin(), number.end(), '.');
  double x = 0;
  bool ok = commas + dots <= 1;
  if (ok) {
    std::replace(number.begin(), number.end(), ',', '.');
    ok = model::ParseDouble(number, x) && std::isfinite(x);
  }
  if (!ok) {
    diags.Error(
        file, line, column,
        fmt::format("estimate '{}' is not a number (expected e.g. -1,15 or -1.15, or '..' when missing)", text));
    return std::nullopt;
  }
  if (std::abs(x) > kMaxAbsEstimate) {
    diags.Error(file, line, column,
                fmt::format("estimate '{}' is outside -{}..{}: WGI estimates lie near -2.5..2.5", text, kMaxAbsEstimate,
                            kMaxAbsEstimate));
    return std::nullopt;
  }
  return model::FormatNumber(x);
}

std::optional<int> ParseYear(std::string_view raw) {
  auto text = detail::Trim(raw);
  int year = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), year);
  if (ec != std::errc() || ptr != text.data() + text.size() || year < kMinYear || year > kMaxYear) {
    return std::nullopt;
  }
  return year;
}

// Reads one file of either format into (iso3, year) -> estimates.
class WgiReader {
 public:
  WgiReader(std::string file, const Reference& ref, model::Diagnostics& diags)
      : file_(std::move(file)), ref_(ref), diags_(diags) {}

  void Read(std::string text);

  const std::map<std::pair<std::string, int>, EconomyYear>& data() const { return data_; }
  WgiFormat format() const { return format_; }
  std::size_t records() const { return records_; }
  std::size_t economies() const { return economies_.size(); }
  std::size_t legacy_codes() const { return legacy_codes_.size(); }
  std::size_t skipped_series_rows() const { return skipped_series_rows_; }

 private:
  void ReadOfficial(CsvReader& reader, const std::vector<std::string>& header);
  void ReadDataBank(CsvReader& reader, const std::vector<std::string>& header);
  // ISO alpha-3 of a WGI economy code; reports unknown codes.
  std::optional<std::string> Economy(std::string_view raw, std::size_t line, std::size_t column);
  void Store(const std::string& iso3, int year, std::size_t indicator, std::string cell, std::size_t line,
             std::size_t column, std::string_view code);
  bool CheckFieldCount(const std::vector<std::string_view>& fields, std::size_t expected, std::size_t line);

  std::string file_;
  const Reference& ref_;
  model::Diagnostics& diags_;
  WgiFormat format_ = WgiFormat::Official;
  std::map<std::pair<std::string, int>, EconomyYear> data_;
  std::set<std::string> economies_;
  std::set<std::string> legacy_codes_;
  std::map<std::string, std::string> code_of_iso3_;  // first code seen for each economy
  std::size_t records_ = 0;
  std::size_t skipped_series_rows_ = 0;
};

void WgiReader::Read(std::string text) {
  // Sniff the header line: the official format is the only one separated by semicolons.
  std::string_view view = text;
  if (view.size() >= 3 && view.substr(0, 3) == "\xEF\xBB\xBF") view.remove_prefix(3);
  auto first_line = view.substr(0, view.find_first_of("\r\n"));
  auto semicolon_header = SplitCsvLine(first_line, ';');
  for (auto& h : semicolon_header) h = Lower(detail::Trim(h));
  auto has = [&](const std::vector<std::string>& header, std::string_view name) {
    return std::find(header.begin(), header.end(), name) != header.end();
  };
  const bool official = has(semicolon_header, "code") && has(semicolon_header, "year") &&
                        has(semicolon_header, "indicator") && has(semicolon_header, "estimate");
  auto comma_header = SplitCsvLine(first_line, ',');
  for (auto& h : comma_header) h = std::string(detail::Trim(h));
  const bool databank = std::find(comma_header.begin(), comma_header.end(), "Country Code") != comma_header.end() &&
                        std::find(comma_header.begin(), comma_header.end(), "Series Code") != comma_header.end();
  if (!official && !databank) {
    diags_.Error(file_, 1, 0,
                 "header not recognised: expected the WGI official format "
                 "(codeindyr;code;countryname;year;indicator;estimate;...) or a DataBank export "
                 "(Country Name,Country Code,Series Name,Series Code,2009 [YR2009],...)");
    return;
  }
  format_ = official ? WgiFormat::Official : WgiFormat::DataBank;
  // Columns are found by name: a name given twice would leave one of them unread.
  if (!CheckUniqueColumns(official ? semicolon_header : comma_header, file_, diags_)) return;
  CsvOptions options;
  options.delimiter = official ? ';' : ',';
  CsvReader reader(std::move(text), file_, &diags_, options);
  std::vector<std::string_view> fields;
  reader.Next(fields);  // the header, already parsed above
  if (official) {
    ReadOfficial(reader, semicolon_header);
  } else {
    ReadDataBank(reader, comma_header);
  }
}

bool WgiReader::CheckFieldCount(const std::vector<std::string_view>& fields, std::size_t expected, std::size_t line) {
  if (fields.size() == expected) return true;
  diags_.Error(file_, line, 0, fmt::format("expected {} fields, found {}", expected, fields.size()));
  return false;
}

std::optional<std::string> WgiReader::Economy(std::string_view raw, std::size_t line, std::size_t column) {
  auto code = detail::Trim(raw);
  if (code.empty()) {
    diags_.Error(file_, line, column, "empty economy code");
    return std::nullopt;
  }
  // The "wgi:" alias wins over a same-named ISO code: it is the publisher's own meaning.
  if (auto iso3 = ref_.CountryByCode(kCodeNamespace, code)) {
    if (*iso3 != code) legacy_codes_.insert(std::string(code));
    return iso3;
  }
  if (ref_.HasCountry(code)) return std::string(code);
  diags_.Error(file_, line, column,
               fmt::format("unknown WGI economy code '{}': neither an ISO alpha-3 code of countries.csv nor a "
                           "'wgi:' alias there (add one to data/reference/countries.csv if WGI renamed an economy)",
                           code));
  return std::nullopt;
}

void WgiReader::Store(const std::string& iso3, int year, std::size_t indicator, std::string cell, std::size_t line,
                      std::size_t column, std::string_view code) {
  auto [code_it, first] = code_of_iso3_.emplace(iso3, std::string(code));
  if (!first && code_it->second != code) {
    // Two codes for one economy (ZAR and COD in one file) would make one overwrite the other.
    diags_.Error(file_, line, column,
                 fmt::format("code '{}' and code '{}' both denote {}: keep one of them", code, code_it->second, iso3));
    return;
  }
  economies_.insert(iso3);
  auto& ey = data_[{iso3, year}];
  if (ey.cells[indicator]) {
    diags_.Error(file_, line, 0,
                 fmt::format("duplicate {} estimate of {} for {} (first on line {})", kIndicators[indicator], code,
                             year, ey.lines[indicator]));
    return;
  }
  ey.cells[indicator] = std::move(cell);
  ey.lines[indicator] = line;
}

void WgiReader::ReadOfficial(CsvReader& reader, const std::vector<std::string>& header) {
  auto col = [&](std::string_view name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  const std::size_t c_code = col("code"), c_year = col("year"), c_ind = col("indicator"), c_est = col("estimate");
  std::vector<std::string_view> fields;
  while (reader.Next(fields)) {
    const std::size_t line = reader.line();
    if (fields.size() == 1 && detail::Trim(fields[0]).empty()) continue;  // blank line
    ++records_;
    if (reader.record_malformed() || !CheckFieldCount(fields, header.size(), line)) continue;
    auto iso3 = Economy(fields[c_code], line, c_code + 1);
    auto year = ParseYear(fields[c_year]);
    if (!year) {
      diags_.Error(file_, line, c_year + 1,
                   fmt::format("year '{}' must be a whole year between {} and {}", detail::Trim(fields[c_year]),
                               kMinYear, kMaxYear));
    }
    auto indicator = IndicatorIndex(detail::Trim(fields[c_ind]));
    if (!indicator) {
      diags_.Error(
          file_, line, c_ind + 1,
          fmt::format("unknown indicator '{}': expected va, pv, ge, rq, rl or cc", detail::Trim(fields[c_ind])));
    }
    auto cell = ParseEstimate(fields[c_est], file_, line, c_est + 1, diags_);
    if (!iso3 || !year || !indicator || !cell) continue;
    Store(*iso3, *year, *indicator, std::move(*cell), line, c_code + 1, detail::Trim(fields[c_code]));
  }
}

void WgiReader::ReadDataBank(CsvReader& reader, const std::vector<std::string>& header) {
  const auto c_code =
      static_cast<std::size_t>(std::find(header.begin(), header.end(), "Country Code") - header.begin());
  const auto c_series =
      static_cast<std::size_t>(std::find(header.begin(), header.end(), "Series Code") - header.begin());
  // Year columns are headed "2009 [YR2009]"; other named columns (Country Name, Series Name)
  // are labels and not read.
  std::vector<std::pair<std::size_t, int>> year_columns;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const auto& h = header[i];
    if (h.empty() || !std::isdigit(static_cast<unsigned char>(h[0]))) continue;
    auto year = ParseYear(std::string_view(h).substr(0, 4));
    if (!year || h != fmt::format("{} [YR{}]", *year, *year)) {
      diags_.Error(file_, 1, i + 1, fmt::format("year column '{}' is not of the form '2023 [YR2023]'", h));
      continue;
    }
    year_columns.emplace_back(i, *year);
  }
  if (year_columns.empty()) {
    diags_.Error(file_, 1, 0, "DataBank export without year columns ('2023 [YR2023]')");
    return;
  }
  std::set<std::string> warned_series;
  std::set<std::string> all_economies;  // every economy gets a row for every year, even if all NA
  bool in_footer = false;
  std::vector<std::string_view> fields;
  while (reader.Next(fields)) {
    const std::size_t line = reader.line();
    const bool rest_empty =
        std::all_of(fields.begin() + 1, fields.end(), [](std::string_view f) { return detail::Trim(f).empty(); });
    const bool first_empty = detail::Trim(fields[0]).empty();
    // DataBank ends the table with empty rows, then notes in the first column only
    // ("Data from database: ...", "Last Updated: ...").
    if (rest_empty && first_empty) {
      in_footer = true;
      continue;
    }
    if (rest_empty && in_footer) continue;
    ++records_;
    if (reader.record_malformed() || !CheckFieldCount(fields, header.size(), line)) continue;
    auto iso3 = Economy(fields[c_code], line, c_code + 1);
    auto series = Lower(detail::Trim(fields[c_series]));
    std::optional<std::size_t> indicator;
    if (series.size() > kEstimateSeriesSuffix.size() &&
        series.compare(series.size() - kEstimateSeriesSuffix.size(), kEstimateSeriesSuffix.size(),
                       kEstimateSeriesSuffix) == 0) {
      indicator = IndicatorIndex(std::string_view(series).substr(0, series.size() - kEstimateSeriesSuffix.size()));
    }
    if (!indicator) {
      ++skipped_series_rows_;
      std::string printed(detail::Trim(fields[c_series]));
      if (warned_series.insert(printed).second) {
        diags_.Warning(file_, line, c_series + 1,
                       fmt::format("series '{}' is not a WGI estimate (VA.EST, PV.EST, GE.EST, RQ.EST, RL.EST, "
                                   "CC.EST): its rows are skipped",
                                   printed));
      }
    }
    if (!iso3) continue;
    all_economies.insert(*iso3);
    if (!indicator) continue;  // ranks and standard errors are not estimates: not read
    for (const auto& [column, year] : year_columns) {
      auto cell = ParseEstimate(fields[column], file_, line, column + 1, diags_);
      if (!cell) continue;
      Store(*iso3, year, *indicator, std::move(*cell), line, c_code + 1, detail::Trim(fields[c_code]));
    }
  }
  for (const auto& iso3 : all_economies) {
    economies_.insert(iso3);
    for (const auto& [column, year] : year_columns) data_[{iso3, year}];
  }
}

}  // namespace

ImportResult ImportWgi(const std::filesystem::path& file, const Reference& ref) {
  ImportResult result;
  result.importer = std::string(kImporterName);
  // Listed even when no row cites it, so that ApplyImport replaces an earlier WGI import.
  detail::AddSource(result, ref.SourceRecord(kSourceId));
  const std::string label = file.string();
  std::string text = ReadTextAsUtf8(file, result.diagnostics);
  WgiReader reader(label, ref, result.diagnostics);
  reader.Read(std::move(text));
  if (result.diagnostics.HasErrors()) throw Error::InvalidData(result.diagnostics);

  auto& table = result.tables[std::string(kTable)];
  std::size_t missing = 0;
  // The map is ordered by (iso3, year): the output is deterministic.
  for (const auto& [key, ey] : reader.data()) {
    std::vector<std::string> row;
    row.reserve(kIndicatorCount + 3);
    row.push_back(key.first);
    row.push_back(std::to_string(key.second));
    for (const auto& cell : ey.cells) {
      // No figure row for the indicator (the DataBank export has no rule of law) is missing
      // data, exactly like "..": NA, never 0.
      row.push_back(cell.value_or(std::string(kDatasetMissing)));
      if (row.back() == kDatasetMissing) ++missing;
    }
    row.emplace_back(kSourceId);
    table.rows.push_back(std::move(row));
  }
  result.stats = {
      {reader.format() == WgiFormat::Official ? "records read (official format)" : "records read (DataBank export)",
       reader.records()},
      {"economies", reader.economies()},
      {"legacy codes mapped", reader.legacy_codes()},
      {"governance rows", table.rows.size()},
      {"estimates missing (NA)", missing},
  };
  if (reader.format() == WgiFormat::DataBank) {
    result.stats.emplace_back("rows skipped (series not an estimate)", reader.skipped_series_rows());
  }
  return result;
}

}  // namespace lodestone::data
