// CEPII BACI importer: bilateral HS6 trade flows (t,i,j,k,v,q) to trade.csv rows. Products are
// mapped to minerals, stages and content factors by data/reference/hs6_map.csv; numeric country
// codes resolve through "baci:" aliases first, then ISO 3166 numeric codes.
#include <fmt/format.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "import_common.hpp"
#include "lodestone/data/baci.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::data {

namespace {

namespace fs = std::filesystem;
using namespace baci;  // the layout, reader and field parsers shared with the GeoPolRisk sweep

constexpr std::string_view kSourceId = "cepii_baci";
constexpr std::string_view kMapFile = "hs6_map.csv";
constexpr std::string_view kCodeNamespace = "baci";
constexpr std::size_t kProductCodes = 1000000;  // every six-digit code, for a flat lookup table
// BACI values are in thousands of current USD.
constexpr std::size_t kThousandDigits = 3;
constexpr double kThousand = 1000.0;
constexpr std::int32_t kUnresolved = -2;
constexpr std::int32_t kUnknownCode = -1;

// A plain decimal number of thousands written as a number of units, by moving the decimal point
// in the text: exact, unlike multiplying a double by 1000 ("0.156" -> "156", "12" -> "12000").
std::string TimesThousand(std::string_view text, double parsed) {
  auto dot = text.find('.');
  std::string_view int_part = text.substr(0, dot);
  std::string_view frac_part = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (!AllDigits(int_part) || !AllDigits(frac_part) || (int_part.empty() && frac_part.empty())) {
    return model::FormatNumber(parsed * kThousand);  // exponent form: no exact shortcut
  }
  std::string digits(int_part);
  for (std::size_t i = 0; i < kThousandDigits; ++i) digits += i < frac_part.size() ? frac_part[i] : '0';
  std::string_view rest = frac_part.size() > kThousandDigits ? frac_part.substr(kThousandDigits) : std::string_view();
  while (!rest.empty() && rest.back() == '0') rest.remove_suffix(1);
  std::size_t lead = digits.find_first_not_of('0');
  digits = lead == std::string::npos ? "0" : digits.substr(lead);
  if (rest.empty()) return digits;
  return digits + "." + std::string(rest);
}

struct MapEntry {
  std::string hs6;
  std::string mineral;
  std::string stage;
  std::string unit;  // the mineral's canonical unit, the unit of every quantity written
  std::optional<double> factor;
  std::string factor_source;
};

struct Hs6Map {
  std::vector<MapEntry> entries;
  std::vector<std::int32_t> by_code;  // product code -> entry index, or -1
};

bool IsStageIdentifier(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

// Reads and checks hs6_map.csv; every problem goes to `diags` with the map file's line and
// column. nullopt when the map cannot be used.
std::optional<Hs6Map> LoadHs6Map(const Reference& ref, model::Diagnostics& diags) {
  const fs::path path = ref.dir() / kMapFile;
  MappingFile m;
  std::size_t c_hs6 = 0, c_mineral = 0, c_stage = 0, c_factor = 0, c_source = 0;
  try {
    m = ReadMappingFile(path);
    c_hs6 = m.Col("hs6");
    c_mineral = m.Col("mineral");
    c_stage = m.Col("stage");
    c_factor = m.Col("content_factor");
    c_source = m.Col("factor_source");
    m.Col("description");
  } catch (const Error& e) {
    diags.Append(e.diagnostics());
    return std::nullopt;
  }
  Hs6Map map;
  map.by_code.assign(kProductCodes, -1);
  const std::size_t before = diags.ErrorCount();
  for (std::size_t r = 0; r < m.rows.size(); ++r) {
    const auto& row = m.rows[r];
    const std::size_t line = m.lines[r];
    bool ok = true;
    const std::string& hs6 = row[c_hs6];
    if (hs6.size() != kHs6Digits || !AllDigits(hs6)) {
      diags.Error(m.file, line, c_hs6 + 1, fmt::format("hs6 '{}' must be a six-digit HS code", Clip(hs6)));
      ok = false;
    } else if (map.by_code[std::stoul(hs6)] >= 0) {
      // One product, one mineral: a code shared by several minerals is left out of the map.
      diags.Error(m.file, line, c_hs6 + 1, fmt::format("hs6 {} is listed twice", hs6));
      ok = false;
    }
    auto unit = ref.MineralUnit(row[c_mineral]);
    if (!unit) {
      diags.Error(m.file, line, c_mineral + 1,
                  fmt::format("unknown mineral '{}' (not in minerals.csv)", Clip(row[c_mineral])));
      ok = false;
    }
    if (!IsStageIdentifier(row[c_stage])) {
      diags.Error(m.file, line, c_stage + 1,
                  fmt::format("stage '{}' must be a lower-case identifier", Clip(row[c_stage])));
      ok = false;
    }
    std::optional<double> factor;
    if (!row[c_factor].empty()) {
      double f = 0;
      // Tonnes of content per tonne of product: above 0 and at most 1.
      if (!model::ParseDouble(row[c_factor], f) || !(f > 0.0) || f > 1.0) {
        diags.Error(m.file, line, c_factor + 1,
                    fmt::format("content_factor '{}' must be a number above 0 and at most 1, or empty when "
                                "not known",
                                Clip(row[c_factor])));
        ok = false;
      } else {
        factor = f;
      }
    }
    const std::string& fsrc = row[c_source];
    if (row[c_factor].empty() && !fsrc.empty()) {
      diags.Error(m.file, line, c_source + 1, "factor_source given without a content_factor");
      ok = false;
    } else if (!row[c_factor].empty() && fsrc.empty()) {
      diags.Error(m.file, line, c_source + 1, "a content_factor needs its factor_source (a source id)");
      ok = false;
    } else if (!fsrc.empty()) {
      try {
        ref.SourceRecord(fsrc);
      } catch (const Error&) {
        diags.Error(m.file, line, c_source + 1,
                    fmt::format("factor_source '{}' is not a source of data/reference/sources", Clip(fsrc)));
        ok = false;
      }
    }
    if (!ok) continue;
    map.by_code[std::stoul(hs6)] = static_cast<std::int32_t>(map.entries.size());
    map.entries.push_back({hs6, row[c_mineral], row[c_stage], unit->text, factor, fsrc});
  }
  if (diags.ErrorCount() != before) return std::nullopt;
  return map;
}

// Counters reported in ImportResult::stats.
struct Counts {
  std::size_t files = 0;
  std::size_t rows = 0;
  std::size_t imported = 0;
  std::size_t unmapped = 0;
  std::size_t non_hs = 0;
  std::size_t padded = 0;
  std::size_t q_missing = 0;
  std::size_t no_factor = 0;
  std::size_t rejected = 0;
};

class BaciImporter {
 public:
  BaciImporter(const Reference& ref, const Hs6Map& map, ImportResult& result)
      : ref_(ref), map_(map), result_(result), rows_(result.tables["trade.csv"].rows) {
    country_cache_.fill(kUnresolved);
  }

  void ReadFile(const fs::path& path, std::uint32_t file_index) {
    const std::string label = path.string();
    auto& diags = result_.diagnostics;
    LineReader reader(path);
    if (!reader.is_open()) {
      diags.Error(label, 0, 0, "cannot open the file for reading");
      return;
    }
    ++counts_.files;
    std::string_view line;
    if (!reader.Next(line)) {
      diags.Error(label, 1, 0, "empty file: expected the BACI header t,i,j,k,v,q");
      return;
    }
    if (!CheckHeader(label, line, diags)) return;

    std::size_t padded = 0, first_padded = 0, non_hs = 0, first_non_hs = 0;
    Fields f;
    while (reader.Next(line)) {
      const std::size_t ln = reader.line();
      if (line.find('\0') != std::string_view::npos) {
        diags.Error(label, ln, 0, "binary data (a NUL byte): not a BACI CSV file; reading of this file stopped");
        return;
      }
      if (detail::Trim(line).empty()) {
        diags.Warning(label, ln, 0, "blank line ignored");
        continue;
      }
      ++counts_.rows;
      if (reader.unterminated()) {
        // CEPII's files end every line with a line end; a last line without one was cut short, and
        // its last number may be truncated (50.000 read as 5).
        diags.Error(label, ln, 0,
                    "the last line has no line end: the file looks cut short (its last figure may be truncated); "
                    "download it again");
        ++counts_.rejected;
        continue;
      }
      const std::size_t n = Split(line, f);
      if (n != kFieldCount) {
        diags.Error(label, ln, std::min(n, kFieldCount) + 1,
                    fmt::format("expected {} fields (t,i,j,k,v,q), found {}", kFieldCount, n));
        ++counts_.rejected;
        continue;
      }
      for (auto& field : f) field = CleanField(field);
      bool ok = true;

      std::int16_t year = 0;
      if (std::uint64_t y = 0; !ParseUnsigned(f[kColYear], y) || y < kMinYear || y > kMaxYear) {
        Error(label, ln, kColYear,
              fmt::format("year '{}' must be a whole year between {} and {}", Clip(f[kColYear]), kMinYear, kMaxYear));
        ok = false;
      } else {
        year = static_cast<std::int16_t>(y);
      }
      const auto exporter = Country(label, ln, kColExporter, f[kColExporter], "exporter");
      const auto importer = Country(label, ln, kColImporter, f[kColImporter], "importer");
      ok = ok && exporter && importer;

      // Product: six digits; five digits are a code whose leading zero a numeric reader dropped.
      std::string_view k = f[kColProduct];
      std::uint64_t product = 0;
      bool non_hs_code = false;
      if ((k.size() == kHs6Digits || k.size() == kHs6Digits - 1) && ParseUnsigned(k, product)) {
        if (k.size() == kHs6Digits - 1 && padded++ == 0) first_padded = ln;
      } else if (IsNonHsCode(k)) {
        non_hs_code = true;  // BACI's own "9999AA"-style codes: trade not classified by kind
      } else {
        Error(label, ln, kColProduct, fmt::format("product '{}' must be a six-digit HS code", Clip(k)));
        ok = false;
      }

      double v = 0;
      if (!ParseNonNegative(f[kColValue], v)) {
        Error(label, ln, kColValue,
              fmt::format("value '{}' must be a non-negative number (thousands of current USD)", Clip(f[kColValue])));
        ok = false;
      }
      // Quantity: blank or NA in BACI means not reported, which is unknown, never zero.
      std::string_view qtext = f[kColQuantity];
      const bool q_missing = qtext.empty() || qtext == "NA";
      double q = 0;
      if (!q_missing && !ParseNonNegative(qtext, q)) {
        Error(label, ln, kColQuantity,
              fmt::format("quantity '{}' must be a non-negative number of tonnes, blank or NA", Clip(qtext)));
        ok = false;
      }
      if (!ok) {
        ++counts_.rejected;
        continue;
      }
      if (non_hs_code) {
        if (non_hs++ == 0) first_non_hs = ln;
        continue;
      }
      const std::int32_t entry_index = map_.by_code[product];
      if (entry_index < 0) {
        ++counts_.unmapped;
        continue;
      }
      const MapEntry& e = map_.entries[static_cast<std::size_t>(entry_index)];

      // One flow per product, exporter, importer and year, across all files given.
      const std::uint64_t key = (static_cast<std::uint64_t>(entry_index) << 48) |
                                (static_cast<std::uint64_t>(*exporter) << 32) |
                                (static_cast<std::uint64_t>(*importer) << 16) | static_cast<std::uint64_t>(year);
      auto [it, inserted] = seen_.try_emplace(key, file_index, ln);
      if (!inserted) {
        diags.Error(label, ln, 0,
                    fmt::format("duplicate flow (product {}, {} -> {}, {}): same as {}:{}", e.hs6, iso3_[*exporter],
                                iso3_[*importer], year, file_labels_[it->second.first], it->second.second));
        ++counts_.rejected;
        continue;
      }

      std::string quantity = "unknown";
      if (q_missing) {
        ++counts_.q_missing;
      } else if (!e.factor) {
        ++counts_.no_factor;
      } else {
        quantity = model::FormatNumber(q * *e.factor);
        cited_factor_sources_.insert(e.factor_source);
      }
      rows_.push_back({e.mineral, e.stage, e.hs6, iso3_[*exporter], iso3_[*importer], std::to_string(year),
                       std::move(quantity), e.unit, TimesThousand(f[kColValue], v), std::string(kSourceId)});
      ++counts_.imported;
    }
    if (reader.failed()) diags.Error(label, reader.line(), 0, "read error: the file could not be read to its end");
    if (padded > 0) {
      diags.Warning(label, first_padded, kColProduct + 1,
                    fmt::format("{} product code(s) had five digits (a leading zero lost by a numeric reader) "
                                "and were read with the zero restored; first at this line",
                                padded));
      counts_.padded += padded;
    }
    if (non_hs > 0) {
      diags.Warning(label, first_non_hs, kColProduct + 1,
                    fmt::format("{} row(s) with a BACI code that is not an HS6 product (e.g. 9999AA) skipped; "
                                "first at this line",
                                non_hs));
      counts_.non_hs += non_hs;
    }
  }

  void AddFileLabel(std::string label) { file_labels_.push_back(std::move(label)); }
  const Counts& counts() const { return counts_; }
  const std::set<std::string>& cited_factor_sources() const { return cited_factor_sources_; }

 private:
  void Error(const std::string& label, std::size_t line, std::size_t col, std::string message) {
    result_.diagnostics.Error(label, line, col + 1, std::move(message));
  }

  // Index into iso3_ of a BACI country code, reporting unknown or malformed codes.
  std::optional<std::uint16_t> Country(const std::string& label, std::size_t line, std::size_t col,
                                       std::string_view text, std::string_view role) {
    std::uint64_t code = 0;
    if (!ParseUnsigned(text, code)) {
      Error(label, line, col, fmt::format("{} '{}' must be a BACI numeric country code", role, Clip(text)));
      return std::nullopt;
    }
    std::int32_t idx = code < kCountryCodes ? country_cache_[code] : kUnknownCode;
    if (idx == kUnresolved) {
      idx = Resolve(static_cast<int>(code));
      country_cache_[code] = idx;
    }
    if (idx == kUnknownCode) {
      Error(label, line, col,
            fmt::format("unknown {} code '{}': neither a 'baci:' alias nor an ISO 3166 numeric code in "
                        "countries.csv",
                        role, Clip(text)));
      return std::nullopt;
    }
    return static_cast<std::uint16_t>(idx);
  }

  std::int32_t Resolve(int code) {
    auto iso = ref_.CountryByCode(kCodeNamespace, std::to_string(code));
    if (!iso) iso = ref_.CountryByIsoNum(code);
    if (!iso) return kUnknownCode;
    auto [it, inserted] = iso3_index_.try_emplace(*iso, static_cast<std::int32_t>(iso3_.size()));
    if (inserted) iso3_.push_back(*iso);
    return it->second;
  }

  const Reference& ref_;
  const Hs6Map& map_;
  ImportResult& result_;
  std::vector<std::vector<std::string>>& rows_;
  std::array<std::int32_t, kCountryCodes> country_cache_{};
  std::vector<std::string> iso3_;
  std::map<std::string, std::int32_t, std::less<>> iso3_index_;
  std::unordered_map<std::uint64_t, std::pair<std::uint32_t, std::size_t>> seen_;
  std::vector<std::string> file_labels_;
  std::set<std::string> cited_factor_sources_;
  Counts counts_;
};

}  // namespace

ImportResult ImportBaci(const std::vector<fs::path>& files, const Reference& ref) {
  ImportResult result;
  result.importer = "baci";
  result.tables["trade.csv"];
  auto map = LoadHs6Map(ref, result.diagnostics);
  if (!map) return result;
  if (files.empty()) {
    result.diagnostics.Error("", 0, 0, "no BACI file given");
    return result;
  }
  BaciImporter importer(ref, *map, result);
  for (const auto& f : files) importer.AddFileLabel(f.string());
  for (std::size_t i = 0; i < files.size(); ++i) importer.ReadFile(files[i], static_cast<std::uint32_t>(i));

  detail::AddSource(result, ref.SourceRecord(kSourceId));
  for (const auto& id : importer.cited_factor_sources()) detail::AddSource(result, ref.SourceRecord(id));
  const Counts& c = importer.counts();
  result.stats = {
      {"files read", c.files},
      {"rows read", c.rows},
      {"rows imported", c.imported},
      {"rows skipped: product not in hs6_map.csv", c.unmapped},
      {"rows skipped: not an HS6 product code", c.non_hs},
      {"rows rejected (errors)", c.rejected},
      {"product codes read with a restored leading zero", c.padded},
      {"rows with quantity unknown: q blank or NA", c.q_missing},
      {"rows with quantity unknown: no content factor", c.no_factor},
  };
  return result;
}

}  // namespace lodestone::data
