// The GeoPolRisk sweep from published files (see geopolrisk_sweep.hpp): reads BACI (streamed,
// one task per file), BACI's country codes, the production table, the WGI and the material ->
// HS6 table into data::GeoPolRiskTables, then runs SweepGeoPolRisk.
#include "lodestone/risk/geopolrisk_sweep.hpp"

#include <fmt/format.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <array>
#include <bitset>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "lodestone/data/baci.hpp"
#include "lodestone/data/importers.hpp"
#include "lodestone/data/named_table.hpp"
#include "lodestone/data/reference.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/model/text.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::risk {

namespace {

namespace fs = std::filesystem;
namespace baci = data::baci;

constexpr std::size_t kProductCodes = 1000000;  // every six-digit code, for a flat lookup table
constexpr int kMaxCode = 999;
constexpr std::size_t kMaxErrorsPerFile = 100;  // then the file is not read further
constexpr double kKgPerTonne = 1000.0;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// governance.csv (the WGI importer's output) columns: country, year, va, pv, ...
constexpr std::size_t kGovCountry = 0, kGovYear = 1, kGovPv = 3;

void RequireFile(const fs::path& p, const char* what) {
  if (p.empty()) throw Error::InvalidRequest(fmt::format("the {} file is required", what));
  if (!fs::is_regular_file(p)) throw Error::NotFound(fmt::format("{} file {} not found", what, p.string()));
}

// The material table: names (display), lower-case name -> index.
struct Materials {
  std::vector<std::string>& names;
  std::map<std::string, std::uint32_t> index;
  std::uint32_t Get(const std::string& name) {
    const auto key = model::ToLower(std::string(model::Trim(name)));
    auto [it, inserted] = index.try_emplace(key, static_cast<std::uint32_t>(names.size()));
    if (inserted) names.emplace_back(model::Trim(name));
    return it->second;
  }
};

// Country codes: BACI numeric code -> index into tables.countries.
struct Countries {
  data::GeoPolRiskTables& t;
  std::array<std::int32_t, baci::kCountryCodes> index{};
  explicit Countries(data::GeoPolRiskTables& tables) : t(tables) { index.fill(-1); }
  std::uint32_t Get(int code) {
    auto& slot = index[static_cast<std::size_t>(code)];
    if (slot < 0) {
      slot = static_cast<std::int32_t>(t.countries.size());
      t.countries.push_back(code);
      t.country_iso3.emplace_back();
    }
    return static_cast<std::uint32_t>(slot);
  }
};

void ReadCountryCodes(const fs::path& path, Countries& countries, std::map<std::string, int>& by_iso3,
                      model::Diagnostics& diags) {
  auto t = data::ReadNamedTable(path, {"country_code"}, diags);
  const std::string iso_col = t.Col("country_iso3") ? "country_iso3" : "iso_3digit_alpha";
  if (!t.Col(iso_col)) {
    diags.Error(t.file, 1, 0, "expected a column country_iso3 (or iso_3digit_alpha) of ISO alpha-3 codes");
    return;
  }
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const auto code = data::ParseGprCode(t.Cell(r, "country_code"), 0, kMaxCode);
    if (!code) {
      diags.Error(t.file, t.lines[r], t.Col("country_code"),
                  fmt::format("country_code '{}' must be a BACI numeric code 0..{}",
                              baci::Clip(t.Cell(r, "country_code")), kMaxCode));
      continue;
    }
    const auto idx = countries.Get(*code);
    const std::string iso3 = model::ToLower(std::string(model::Trim(t.Cell(r, iso_col))));
    std::string upper = iso3;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (data::IsAlpha3(upper)) {
      countries.t.country_iso3[idx] = upper;
      by_iso3.try_emplace(upper, *code);
    }
  }
}

// material, hs6 -> product code -> material index; material_hs filled.
void ReadHsCodes(const fs::path& path, Materials& materials, std::vector<std::int32_t>& by_product,
                 std::vector<std::string>& material_hs, model::Diagnostics& diags) {
  auto t = data::ReadNamedTable(path, {"material", "hs6"}, diags);
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const std::string name(model::Trim(t.Cell(r, "material")));
    std::string hs(model::Trim(t.Cell(r, "hs6")));
    if (hs.size() == baci::kHs6Digits - 1) hs = "0" + hs;  // a leading zero lost by a numeric writer
    std::uint64_t code = 0;
    if (name.empty()) {
      diags.Error(t.file, t.lines[r], t.Col("material"), "material is empty");
      continue;
    }
    if (hs.size() != baci::kHs6Digits || !baci::ParseUnsigned(hs, code)) {
      diags.Error(t.file, t.lines[r], t.Col("hs6"),
                  fmt::format("hs6 '{}' must be a six-digit HS code", baci::Clip(hs)));
      continue;
    }
    const auto m = materials.Get(name);
    if (by_product[code] >= 0 && by_product[code] != static_cast<std::int32_t>(m)) {
      diags.Error(t.file, t.lines[r], t.Col("hs6"), fmt::format("hs6 {} is given to two materials", hs));
      continue;
    }
    by_product[code] = static_cast<std::int32_t>(m);
    if (material_hs.size() <= m) material_hs.resize(m + 1);
    auto& list = material_hs[m];
    list += (list.empty() ? "" : ";") + hs;
  }
}

// Production: one row per material and country, one column per year (tonnes; kg converted).
void ReadProduction(const fs::path& path, Materials& materials, Countries& countries,
                    const std::map<std::string, int>& by_iso3, data::GeoPolRiskTables& tables,
                    model::Diagnostics& diags) {
  auto t = data::ReadNamedTable(path, {"rawMaterial", "Country_Code"}, diags);
  std::vector<std::pair<int, std::size_t>> years;  // year, column
  for (const auto& [name, col] : t.columns) {
    std::uint64_t y = 0;
    if (name.size() == 4 && baci::ParseUnsigned(name, y) && y >= baci::kMinYear && y <= baci::kMaxYear)
      years.emplace_back(static_cast<int>(y), col);
  }
  std::sort(years.begin(), years.end());
  if (years.empty()) diags.Error(t.file, 1, 0, "no year column (a header such as 2022) in the production table");
  std::set<std::pair<std::uint32_t, int>> seen;  // (material, country code)
  std::set<std::string> warned_units;
  for (const auto& y : years) tables.production_years.push_back(y.first);
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const auto& row = t.rows[r];
    const std::size_t line = t.lines[r];
    const std::string& name = t.Cell(r, "rawMaterial");
    if (model::Trim(name).empty()) {
      diags.Error(t.file, line, t.Col("rawMaterial"), "rawMaterial is empty");
      continue;
    }
    // The sheet's total row is not a producer (as in the validation-format reader).
    const auto country_name = model::ToLower(std::string(model::Trim(t.Cell(r, "Country"))));
    if (model::Trim(t.Cell(r, "Country_Code")) == "DELETE" || country_name == "total" || country_name == "world") {
      continue;
    }
    std::optional<int> code = data::ParseGprCode(t.Cell(r, "Country_Code"), 0, kMaxCode);
    if (!code) {
      const auto it = by_iso3.find(std::string(model::Trim(t.Cell(r, "Country_ISO"))));
      if (it != by_iso3.end()) code = it->second;
    }
    if (!code) {
      diags.Warning(t.file, line, t.Col("Country_Code"),
                    fmt::format("country '{}' ({}) has neither a BACI code nor an alpha-3 code of the country-code "
                                "file: its production counts in no importer's domestic production but in the HHI",
                                baci::Clip(t.Cell(r, "Country")), baci::Clip(t.Cell(r, "Country_Code"))));
    }
    const auto material = materials.Get(name);
    // A second row of a material and country would count twice in the HHI.
    if (code && !seen.emplace(material, *code).second) {
      diags.Error(t.file, line, t.Col("Country_Code"),
                  fmt::format("a second row for {} and country {}: each producer is listed once per material",
                              baci::Clip(name), *code));
      continue;
    }
    const auto unit = model::ToLower(std::string(model::Trim(t.Cell(r, "unit"))));
    const double scale = unit == "kg" ? 1.0 / kKgPerTonne : 1.0;
    if (!unit.empty() && unit != "kg" && unit != "metr. t" && unit != "t" && warned_units.insert(unit).second) {
      diags.Warning(t.file, line, t.Col("unit"),
                    fmt::format("unit '{}' is not converted to tonnes (as geopolrisk-py): the domestic production of "
                                "{} is added to imports as it is",
                                baci::Clip(unit), baci::Clip(name)));
    }
    // A producer without a code still counts in the material's HHI: it gets its own country slot.
    const std::uint32_t country = code ? countries.Get(*code) : std::numeric_limits<std::uint32_t>::max();
    for (const auto& [year, col] : years) {
      const std::string_view cell = model::Trim(row[col]);
      double q = kNaN;
      if (!cell.empty()) {
        double v = 0;
        if (!baci::ParseNonNegative(cell, v)) {
          diags.Error(t.file, line, col + 1,
                      fmt::format("production '{}' must be a non-negative number or empty", baci::Clip(cell)));
          continue;
        }
        q = v * scale;
      }
      tables.production.push_back({material, country, year, q});
    }
  }
}

// One BACI file read: rows of swept products, with raw country codes (resolved afterwards).
struct RawTrade {
  std::uint32_t material;
  std::uint16_t exporter, importer;
  std::int16_t year;
  double quantity_t, value_kusd;
};
struct FileRead {
  std::vector<RawTrade> rows;
  model::Diagnostics diags;
  std::size_t lines = 0;
  std::bitset<baci::kCountryCodes> importers;
  std::map<int, std::size_t> years;  // year -> data lines
};

void ReadBaciFile(const fs::path& path, const std::vector<std::int32_t>& by_product, FileRead& out) {
  const std::string label = path.string();
  auto& diags = out.diags;
  baci::LineReader reader(path);
  if (!reader.is_open()) {
    diags.Error(label, 0, 0, "cannot open the file for reading");
    return;
  }
  std::string_view line;
  if (!reader.Next(line)) {
    diags.Error(label, 1, 0, "empty file: expected the BACI header t,i,j,k,v,q");
    return;
  }
  if (!baci::CheckHeader(label, line, diags)) return;
  baci::Fields f;
  auto error = [&](std::size_t ln, std::size_t col, std::string message) {
    diags.Error(label, ln, col + 1, std::move(message));
    return diags.ErrorCount() < kMaxErrorsPerFile;
  };
  while (reader.Next(line)) {
    const std::size_t ln = reader.line();
    if (line.find('\0') != std::string_view::npos) {
      diags.Error(label, ln, 0, "binary data (a NUL byte): not a BACI CSV file; reading of this file stopped");
      return;
    }
    if (baci::CleanField(line).empty()) continue;
    ++out.lines;
    if (reader.unterminated()) {
      diags.Error(label, ln, 0,
                  "the last line has no line end: the file looks cut short (its last figure may be truncated); "
                  "download it again");
      break;
    }
    const std::size_t n = baci::Split(line, f);
    if (n != baci::kFieldCount) {
      if (!error(ln, std::min(n, baci::kFieldCount), fmt::format("expected 6 fields (t,i,j,k,v,q), found {}", n)))
        break;
      continue;
    }
    for (auto& field : f) field = baci::CleanField(field);
    std::uint64_t y = 0, exporter = 0, importer = 0, product = 0;
    if (!baci::ParseUnsigned(f[baci::kColYear], y) || y < baci::kMinYear || y > baci::kMaxYear) {
      if (!error(ln, baci::kColYear,
                 fmt::format("year '{}' must be a whole year between {} and {}", baci::Clip(f[baci::kColYear]),
                             baci::kMinYear, baci::kMaxYear)))
        break;
      continue;
    }
    auto code = [&](std::size_t col, std::uint64_t& value, const char* role) {
      if (baci::ParseUnsigned(f[col], value) && value <= static_cast<std::uint64_t>(kMaxCode)) return true;
      error(ln, col, fmt::format("{} '{}' must be a BACI numeric country code", role, baci::Clip(f[col])));
      return false;
    };
    const bool exporter_ok = code(baci::kColExporter, exporter, "exporter");
    const bool importer_ok = code(baci::kColImporter, importer, "importer");
    if (!exporter_ok || !importer_ok) {
      if (diags.ErrorCount() >= kMaxErrorsPerFile) break;
      continue;
    }
    ++out.years[static_cast<int>(y)];
    out.importers.set(importer);
    const std::string_view k = f[baci::kColProduct];
    if ((k.size() != baci::kHs6Digits && k.size() != baci::kHs6Digits - 1) || !baci::ParseUnsigned(k, product)) {
      if (baci::IsNonHsCode(k)) continue;  // BACI's own "9999AA": trade not classified by kind
      if (!error(ln, baci::kColProduct, fmt::format("product '{}' must be a six-digit HS code", baci::Clip(k)))) break;
      continue;
    }
    const std::int32_t material = by_product[product];
    if (material < 0) continue;  // not a swept material's product
    double v = 0, q = kNaN;
    if (!baci::ParseNonNegative(f[baci::kColValue], v)) {
      if (!error(ln, baci::kColValue,
                 fmt::format("value '{}' must be a non-negative number (thousands of current USD)",
                             baci::Clip(f[baci::kColValue]))))
        break;
      continue;
    }
    const std::string_view qtext = f[baci::kColQuantity];
    if (!qtext.empty() && qtext != "NA") {
      if (!baci::ParseNonNegative(qtext, q)) {
        if (!error(
                ln, baci::kColQuantity,
                fmt::format("quantity '{}' must be a non-negative number of tonnes, blank or NA", baci::Clip(qtext))))
          break;
        continue;
      }
    }
    out.rows.push_back({static_cast<std::uint32_t>(material), static_cast<std::uint16_t>(exporter),
                        static_cast<std::uint16_t>(importer), static_cast<std::int16_t>(y), q, v});
  }
  if (diags.ErrorCount() >= kMaxErrorsPerFile) {
    diags.Error(label, reader.line(), 0, fmt::format("{} errors: reading of this file stopped", kMaxErrorsPerFile));
  }
  if (reader.failed()) diags.Error(label, reader.line(), 0, "read error: the file could not be read to its end");
}

// WGI political stability (PV estimate) per alpha-3 and year, through the WGI importer.
std::map<std::pair<std::string, int>, double> ReadWgi(const fs::path& path, const data::Reference& reference,
                                                      model::Diagnostics& warnings) {
  auto imported = data::ImportWgi(path, reference);
  if (imported.diagnostics.ErrorCount() > 0) throw Error::InvalidData(imported.diagnostics);
  std::map<std::pair<std::string, int>, double> pv;
  for (const auto& row : imported.tables["governance.csv"].rows) {
    if (row.size() <= kGovPv || row[kGovPv].empty()) continue;
    double estimate = 0;
    int year = 0;
    if (!model::ParseDouble(row[kGovPv], estimate) || !std::isfinite(estimate)) continue;
    try {
      year = std::stoi(row[kGovYear]);
    } catch (const std::exception&) {
      continue;
    }
    pv[{row[kGovCountry], year}] = estimate;
  }
  if (pv.empty()) warnings.Warning(path.string(), 0, 0, "no political stability (PV) estimate: every g is 0.5");
  return pv;
}

std::string Num(const std::optional<double>& x) { return x ? model::FormatNumber(*x) : std::string("NA"); }

}  // namespace

GeoPolRiskSweepRun SweepGeoPolRiskFiles(const GeoPolRiskSweepFiles& files, const data::Reference& reference,
                                        const GeoPolRiskSweepOptions& options) {
  if (files.baci.empty()) throw Error::InvalidRequest("no BACI file given");
  for (const auto& f : files.baci) RequireFile(f, "BACI");
  RequireFile(files.country_codes, "BACI country-code");
  RequireFile(files.production, "production");
  RequireFile(files.wgi, "WGI");
  RequireFile(files.hs_codes, "material HS-code");

  GeoPolRiskSweepRun run;
  auto& tables = run.tables;
  model::Diagnostics diags;
  Materials materials{tables.materials, {}};
  Countries countries(tables);
  std::map<std::string, int> by_iso3;
  std::vector<std::int32_t> by_product(kProductCodes, -1);

  ReadCountryCodes(files.country_codes, countries, by_iso3, diags);
  ReadProduction(files.production, materials, countries, by_iso3, tables, diags);
  ReadHsCodes(files.hs_codes, materials, by_product, tables.material_hs, diags);
  tables.material_hs.resize(tables.materials.size());

  // Producers without a code: each its own slot past the coded countries (they count in HHI only).
  for (auto& p : tables.production) {
    if (p.country == std::numeric_limits<std::uint32_t>::max()) {
      p.country = static_cast<std::uint32_t>(tables.countries.size());
      tables.countries.push_back(-1);
      tables.country_iso3.emplace_back();
    }
  }

  // BACI files in parallel, one task per file; results kept in file order.
  std::vector<FileRead> reads(files.baci.size());
  {
    const int threads = options.threads > 0 ? options.threads : tbb::this_task_arena::max_concurrency();
    tbb::task_arena arena(threads);
    arena.execute([&] {
      tbb::parallel_for(std::size_t{0}, files.baci.size(),
                        [&](std::size_t i) { ReadBaciFile(files.baci[i], by_product, reads[i]); });
    });
  }
  std::bitset<baci::kCountryCodes> importers;
  std::map<int, std::size_t> baci_years;
  for (auto& r : reads) {
    diags.Append(r.diags);
    run.baci_rows += r.lines;
    importers |= r.importers;
    for (const auto& [y, n] : r.years) baci_years[y] += n;
  }
  if (diags.ErrorCount() > 0) throw Error::InvalidData(diags);

  const auto pv = ReadWgi(files.wgi, reference, run.warnings);
  run.wgi_entries = pv.size();

  // Trade rows with country indices and the exporter's g for the year (NaN when the WGI has none).
  std::map<std::pair<std::uint32_t, int>, double> g_cache;
  for (const auto& r : reads) {
    for (const auto& t : r.rows) {
      const auto exporter = countries.Get(t.exporter);
      const auto importer = countries.Get(t.importer);
      auto [it, inserted] = g_cache.try_emplace({exporter, t.year}, kNaN);
      if (inserted) {
        const auto& iso3 = tables.country_iso3[exporter];
        const auto found = iso3.empty() ? pv.end() : pv.find({iso3, t.year});
        if (found != pv.end()) it->second = NormalisedPoliticalStability(found->second);
      }
      tables.trade.push_back({t.material, exporter, importer, t.year, t.quantity_t, t.value_kusd, it->second});
    }
  }
  run.trade_rows = tables.trade.size();
  reads.clear();

  // The request: importers, every material, years.
  auto& rq = run.request;
  if (options.importers.empty()) {
    for (std::size_t code = 0; code < baci::kCountryCodes; ++code) {
      if (!importers.test(code)) continue;
      const auto idx = countries.Get(static_cast<int>(code));
      const auto& iso3 = tables.country_iso3[idx];
      rq.importers.push_back({iso3.empty() ? std::to_string(code) : iso3, {idx}});
    }
  } else {
    data::GeoPolRiskFileOptions resolve;
    resolve.reference = &reference;
    for (const auto& text : options.importers) rq.importers.push_back(ResolveGeoPolRiskImporter(tables, text, resolve));
  }
  for (std::uint32_t m = 0; m < tables.materials.size(); ++m) rq.materials.push_back(m);
  if (options.years.empty()) {
    for (const auto& [y, n] : baci_years) {
      if (std::find(tables.production_years.begin(), tables.production_years.end(), y) != tables.production_years.end())
        rq.years.push_back(y);
    }
    if (rq.years.empty()) {
      throw Error::InvalidRequest("no year is in both the BACI files and the production table");
    }
  } else {
    rq.years = options.years;
    for (int y : rq.years) {
      if (!baci_years.count(y)) {
        throw Error::InvalidRequest(fmt::format("year {} is not in the BACI files given", y));
      }
    }
  }
  run.result = SweepGeoPolRisk(tables, rq);
  run.warnings.Append(diags);
  return run;
}

model::CsvRows ToCsv(const GeoPolRiskSweepRun& run) {
  model::CsvRows out;
  out.columns = {"importer",
                 "importer_code",
                 "material",
                 "hs_codes",
                 "year",
                 "hhi",
                 "domestic_production_t",
                 "numerator_t",
                 "total_trade_t",
                 "wta",
                 "score",
                 "price_usd_per_kg",
                 "midpoint",
                 "cf",
                 "notes"};
  const auto& rq = run.request;
  const auto& t = run.tables;
  out.rows.reserve(run.result.figures.size());
  for (std::size_t i = 0; i < rq.importers.size(); ++i) {
    std::string codes;
    for (auto c : rq.importers[i].members) codes += (codes.empty() ? "" : "+") + std::to_string(t.countries[c]);
    for (std::size_t m = 0; m < rq.materials.size(); ++m) {
      for (std::size_t y = 0; y < rq.years.size(); ++y) {
        const auto& f = run.result.At(i, m, y);
        out.rows.push_back({rq.importers[i].label, codes, t.materials[rq.materials[m]], t.material_hs[rq.materials[m]],
                            std::to_string(rq.years[y]), Num(f.hhi), model::FormatNumber(f.domestic_production),
                            model::FormatNumber(f.numerator), model::FormatNumber(f.total_trade), Num(f.wta),
                            Num(f.score), Num(f.price), Num(f.midpoint), Num(f.cf), DescribeGeoPolRiskGaps(f)});
      }
    }
  }
  return out;
}

}  // namespace lodestone::risk
