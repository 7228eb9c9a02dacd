// GeoPolRisk (geopolrisk-py's method): the core over one result, the sweep over many, and the
// reader of the package's validation files. See docs/methods/geopolrisk.md for every decision.
#include "lodestone/risk/geopolrisk.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "lodestone/data/reference.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/model/text.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::risk {

namespace {

constexpr int kMaxCountryCode = 999'999;
// Years of one sweep are indexed by offset from the first: bound the table.
constexpr long kMaxSweepYearSpan = 10'000;

}  // namespace

double NormalisedPoliticalStability(double pv_estimate) {
  if (std::isnan(pv_estimate)) return pv_estimate;
  return std::clamp((kWgiEstimateBound - pv_estimate) / (2.0 * kWgiEstimateBound), 0.0, 1.0);
}

GeoPolRiskFigures CombineGeoPolRisk(const GprProductionSums& production, const GprImportSums& imports,
                                    double domestic_production_t) {
  GeoPolRiskFigures f;
  f.hhi = production.Hhi();
  f.producers = production.producers;
  f.missing_production = production.missing;
  if (std::isnan(domestic_production_t)) {
    domestic_production_t = 0;
    f.domestic_production_missing = true;
  }
  f.domestic_production = domestic_production_t;
  f.numerator = imports.numerator;
  f.total_trade = imports.total_trade;
  f.import_rows = imports.rows;
  f.imputed_g = imports.imputed_g;
  f.missing_quantity = imports.missing_quantity;
  f.missing_value = imports.missing_value;

  // geopolrisk-py: Denominator = TotalTrade + ProdQty; WTA = Numerator / Denominator. With neither
  // imports nor production the share is undefined (the package writes 0): insufficient data.
  const double denominator = imports.total_trade + domestic_production_t;
  if (denominator > 0) f.wta = imports.numerator / denominator;
  if (f.hhi && f.wta) f.score = *f.hhi * *f.wta;
  if (imports.total_trade > 0) f.price = imports.total_value / imports.total_trade;
  // A zero score (no risky imports) has a zero midpoint whatever the price, so an importer that
  // imports nothing but produces still gets CF = 0, as in the package.
  if (f.score && (f.price || *f.score == 0.0)) f.midpoint = *f.score * f.price.value_or(0.0);
  if (f.midpoint) f.cf = *f.midpoint / kGeoPolRiskCopperMidpoint;
  return f;
}

GeoPolRiskFigures ComputeGeoPolRisk(std::span<const double> producer_quantities, std::span<const GprImport> imports,
                                    double domestic_production_t) {
  GprProductionSums production;
  for (double q : producer_quantities) {
    if (q < 0 || std::isinf(q)) throw Error::InvalidRequest("GeoPolRisk: production must be finite and non-negative");
    production.Add(q);
  }
  if (domestic_production_t < 0 || std::isinf(domestic_production_t)) {
    throw Error::InvalidRequest("GeoPolRisk: domestic production must be finite and non-negative");
  }
  GprImportSums sums;
  for (const auto& row : imports) {
    if (row.quantity_t < 0 || std::isinf(row.quantity_t) || row.value_kusd < 0 || std::isinf(row.value_kusd)) {
      throw Error::InvalidRequest("GeoPolRisk: import quantity and value must be finite and non-negative");
    }
    if (row.g < 0 || row.g > 1) throw Error::InvalidRequest("GeoPolRisk: g must lie in 0..1");
    sums.Add(row);
  }
  return CombineGeoPolRisk(production, sums, domestic_production_t);
}

std::string DescribeGeoPolRiskGaps(const GeoPolRiskFigures& f) {
  std::vector<std::string> parts;
  if (!f.hhi) {
    parts.push_back(f.producers == 0 ? "HHI: no production figures for the material and year"
                                     : "HHI: world production is zero or missing");
  }
  if (!f.wta) parts.push_back("WTA: no imports and no domestic production");
  if (!f.price) parts.push_back("price: no import quantity");
  if (f.missing_production > 0) {
    parts.push_back(fmt::format("{} producer(s) without a figure counted as 0 in HHI", f.missing_production));
  }
  if (f.domestic_production_missing) parts.push_back("the importer's production figure is missing: counted as 0");
  if (f.imputed_g > 0) {
    parts.push_back(fmt::format("{} import row(s) from partners without a political-stability score given g = {}",
                                f.imputed_g, kGeoPolRiskMissingG));
  }
  if (f.missing_quantity > 0) {
    parts.push_back(fmt::format("{} import row(s) without quantity counted as 0 t", f.missing_quantity));
  }
  if (f.missing_value > 0) parts.push_back(fmt::format("{} import row(s) without value counted as 0", f.missing_value));
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

GeoPolRiskSweepResult SweepGeoPolRisk(const GeoPolRiskTables& tables, const GeoPolRiskSweepRequest& request) {
  const std::size_t n_imp = request.importers.size();
  const std::size_t n_mat = request.materials.size();
  const std::size_t n_year = request.years.size();
  const std::size_t n_countries = tables.countries.size();
  GeoPolRiskSweepResult result;
  result.importers = n_imp;
  result.materials = n_mat;
  result.years = n_year;
  if (n_imp == 0 || n_mat == 0 || n_year == 0) return result;

  // Position of each table material and year in the request (-1: not requested), so that each
  // row costs two array reads to place.
  std::vector<std::int32_t> material_pos(tables.materials.size(), -1);
  for (std::size_t i = 0; i < n_mat; ++i) {
    const auto m = request.materials[i];
    LODESTONE_ASSERT(m < tables.materials.size(), "GeoPolRisk sweep: material index out of range");
    if (material_pos[m] >= 0) throw Error::InvalidRequest("GeoPolRisk sweep: material requested twice");
    material_pos[m] = static_cast<std::int32_t>(i);
  }
  const auto [ymin_it, ymax_it] = std::minmax_element(request.years.begin(), request.years.end());
  const int year_min = *ymin_it;
  if (static_cast<long>(*ymax_it) - year_min > kMaxSweepYearSpan) {
    throw Error::InvalidRequest("GeoPolRisk sweep: year range too wide");
  }
  std::vector<std::int32_t> year_pos(static_cast<std::size_t>(*ymax_it - year_min) + 1, -1);
  for (std::size_t i = 0; i < n_year; ++i) {
    auto& slot = year_pos[static_cast<std::size_t>(request.years[i] - year_min)];
    if (slot >= 0) throw Error::InvalidRequest("GeoPolRisk sweep: year requested twice");
    slot = static_cast<std::int32_t>(i);
  }
  auto YearPos = [&](std::int32_t year) -> std::int32_t {
    const long off = static_cast<long>(year) - year_min;
    if (off < 0 || off >= static_cast<long>(year_pos.size())) return -1;
    return year_pos[static_cast<std::size_t>(off)];
  };

  // Importers each country belongs to (compressed rows: a country may be an importer on its own
  // and a member of a region in the same request), and each importer's members as a bitset.
  const std::size_t words = (n_countries + 63) / 64;
  std::vector<std::uint64_t> member_bits(n_imp * words, 0);
  std::vector<std::uint32_t> start(n_countries + 1, 0);
  for (std::size_t s = 0; s < n_imp; ++s) {
    for (auto c : request.importers[s].members) {
      LODESTONE_ASSERT(c < n_countries, "GeoPolRisk sweep: country index out of range");
      auto& word = member_bits[s * words + c / 64];
      const std::uint64_t bit = std::uint64_t{1} << (c % 64);
      if (word & bit) continue;  // a member listed twice counts once
      word |= bit;
      ++start[c + 1];
    }
  }
  for (std::size_t c = 0; c < n_countries; ++c) start[c + 1] += start[c];
  std::vector<std::uint32_t> slots(start[n_countries]);
  {
    std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
    for (std::size_t s = 0; s < n_imp; ++s) {
      for (std::size_t c = 0; c < n_countries; ++c) {
        if (member_bits[s * words + c / 64] & (std::uint64_t{1} << (c % 64)))
          slots[fill[c]++] = static_cast<std::uint32_t>(s);
      }
    }
  }
  auto IsMember = [&](std::size_t s, std::uint32_t c) { return (member_bits[s * words + c / 64] >> (c % 64)) & 1U; };

  const std::size_t n_results = n_imp * n_mat * n_year;
  std::vector<GprProductionSums> production(n_mat * n_year);
  std::vector<double> domestic(n_results, 0.0);
  std::vector<std::uint8_t> domestic_missing(n_results, 0);
  for (const auto& row : tables.production) {
    LODESTONE_ASSERT(row.material < tables.materials.size() && row.country < n_countries,
                     "GeoPolRisk sweep: production row refers outside the tables");
    const auto mp = material_pos[row.material];
    if (mp < 0) continue;
    const auto yp = YearPos(row.year);
    if (yp < 0) continue;
    if (row.quantity_t < 0 || std::isinf(row.quantity_t)) {
      throw Error::InvalidRequest("GeoPolRisk sweep: production must be finite and non-negative");
    }
    const std::size_t my = static_cast<std::size_t>(mp) * n_year + static_cast<std::size_t>(yp);
    production[my].Add(row.quantity_t);
    for (auto k = start[row.country]; k < start[row.country + 1]; ++k) {
      const std::size_t idx = static_cast<std::size_t>(slots[k]) * n_mat * n_year + my;
      if (std::isnan(row.quantity_t)) {
        domestic_missing[idx] = 1;
      } else {
        domestic[idx] += row.quantity_t;
      }
    }
  }

  std::vector<GprImportSums> imports(n_results);
  for (const auto& row : tables.trade) {
    LODESTONE_ASSERT(row.material < tables.materials.size() && row.exporter < n_countries && row.importer < n_countries,
                     "GeoPolRisk sweep: trade row refers outside the tables");
    const auto first = start[row.importer];
    const auto last = start[row.importer + 1];
    if (first == last) continue;  // not an importer of the request
    const auto mp = material_pos[row.material];
    if (mp < 0) continue;
    const auto yp = YearPos(row.year);
    if (yp < 0) continue;
    if (row.quantity_t < 0 || std::isinf(row.quantity_t) || row.value_kusd < 0 || std::isinf(row.value_kusd) ||
        row.g < 0 || row.g > 1) {
      throw Error::InvalidRequest("GeoPolRisk sweep: trade row with a negative figure or g outside 0..1");
    }
    const std::size_t my = static_cast<std::size_t>(mp) * n_year + static_cast<std::size_t>(yp);
    for (auto k = first; k < last; ++k) {
      const std::size_t s = slots[k];
      imports[s * n_mat * n_year + my].Add(
          GprImport{row.quantity_t, row.value_kusd, row.g, IsMember(s, row.exporter) != 0});
    }
  }

  result.figures.resize(n_results);
  for (std::size_t s = 0; s < n_imp; ++s) {
    for (std::size_t my = 0; my < n_mat * n_year; ++my) {
      const std::size_t idx = s * n_mat * n_year + my;
      auto& f = result.figures[idx];
      f = CombineGeoPolRisk(production[my], imports[idx], domestic[idx]);
      f.domestic_production_missing = domestic_missing[idx] != 0;
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Files

namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string YearList(const std::vector<int>& years) {
  std::string out;
  for (int y : years) out += (out.empty() ? "" : ", ") + std::to_string(y);
  return out;
}

}  // namespace

GprImporter ResolveGeoPolRiskImporter(GeoPolRiskTables& tables, std::string_view text,
                                      const GeoPolRiskFileOptions& options) {
  GprImporter importer;
  importer.label = std::string(model::Trim(text));
  std::size_t from = 0;
  const std::string_view all = importer.label;
  while (from <= all.size()) {
    const auto plus = all.find('+', from);
    const auto part =
        model::Trim(all.substr(from, plus == std::string_view::npos ? std::string_view::npos : plus - from));
    if (part.empty()) {
      throw Error::InvalidRequest(
          fmt::format("importer '{}' is malformed: give an ISO alpha-3 code (USA), a BACI numeric "
                      "code (842) or a region joined by '+' (USA+JPN)",
                      importer.label));
    }
    std::optional<int> code = data::ParseGprCode(part, 0, kMaxCountryCode);
    if (!code && data::IsAlpha3(part)) {
      const auto key = Upper(part);
      for (std::size_t i = 0; i < tables.countries.size() && !code; ++i) {
        if (tables.country_iso3[i] == key) code = tables.countries[i];
      }
      if (!code && options.reference) code = data::BaciCodeFromReference(*options.reference, key);
    }
    if (!code && options.reference) {
      if (auto iso3 = options.reference->CountryByName(part)) {
        for (std::size_t i = 0; i < tables.countries.size() && !code; ++i) {
          if (tables.country_iso3[i] == *iso3) code = tables.countries[i];
        }
        if (!code) code = data::BaciCodeFromReference(*options.reference, *iso3);
      }
    }
    if (!code) {
      throw Error::InvalidRequest(
          fmt::format("unknown importer '{}': not a numeric code nor an ISO alpha-3 code of the "
                      "production or WGI file{}",
                      part, options.reference ? " or the reference countries" : ""));
    }
    auto index = tables.CountryIndex(*code);
    if (!index) {
      index = static_cast<std::uint32_t>(tables.countries.size());
      tables.countries.push_back(*code);
      tables.country_iso3.push_back(data::IsAlpha3(part) ? Upper(part) : std::string());
    }
    if (std::find(importer.members.begin(), importer.members.end(), *index) == importer.members.end()) {
      importer.members.push_back(*index);
    }
    if (plus == std::string_view::npos) break;
    from = plus + 1;
  }
  return importer;
}

GeoPolRiskFileResult GeoPolRiskFromFiles(const std::filesystem::path& production, const std::filesystem::path& trade,
                                         const std::filesystem::path& wgi_pv, std::string_view importer, int year,
                                         const GeoPolRiskFileOptions& options) {
  auto read = ReadGeoPolRiskTables(production, trade, wgi_pv, options);
  auto& tables = read.tables;
  if (std::find(tables.production_years.begin(), tables.production_years.end(), year) ==
      tables.production_years.end()) {
    throw Error::InvalidRequest(fmt::format("year {} is not a column of the production file (years: {})", year,
                                            YearList(tables.production_years)));
  }
  GeoPolRiskSweepRequest request;
  request.importers.push_back(ResolveGeoPolRiskImporter(tables, importer, options));
  request.years.push_back(year);
  for (std::uint32_t m = 0; m < tables.materials.size(); ++m) request.materials.push_back(m);
  const auto sweep = SweepGeoPolRisk(tables, request);

  GeoPolRiskFileResult result;
  result.production_file = production.string();
  result.trade_file = trade.string();
  result.wgi_file = wgi_pv.string();
  result.importer = request.importers[0].label;
  for (auto i : request.importers[0].members) {
    result.importer_codes.push_back(tables.countries[i]);
    result.importer_iso3.push_back(tables.country_iso3[i]);
  }
  result.year = year;
  result.warnings = std::move(read.warnings);
  std::uint32_t import_rows = 0;
  for (std::size_t m = 0; m < tables.materials.size(); ++m) {
    const auto& f = sweep.At(0, m, 0);
    import_rows += f.import_rows;
    result.rows.push_back(GeoPolRiskRow{tables.materials[m], tables.material_hs[m], f});
  }
  if (import_rows == 0) {
    result.warnings.Warning(trade.string(), 0, 0,
                            fmt::format("no imports into {} in {} in the trade file", result.importer, year));
  }
  return result;
}

}  // namespace lodestone::risk
