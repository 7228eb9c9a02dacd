// The GeoPolRisk method (Gemechu et al. 2016; Santillán-Saldivar et al. 2021) as implemented by
// the open-source geopolrisk-py package (Koyamparambath et al., JOSS 2024): production
// concentration (HHI) times the importer's political-stability-weighted import share (WTA) gives
// the score; times the import price gives the midpoint; divided by copper's midpoint gives the
// characterisation factor (eq. kg Cu / kg). Three layers:
//   - a typed core over one (importer, material, year): spans in, figures out, no allocation;
//   - a sweep over many (importer, material, year) combinations from in-memory tables, which
//     precomputes each material's HHI and each importer's import sums in one pass per table;
//   - a file-level entry point reading the package's validation files (World Mining Data
//     production, BACI imports with g, normalised WGI political stability).
// Missing figures are reported as insufficient data (std::nullopt), never as a number. The
// decisions (which g, missing values, regions) are in docs/methods/geopolrisk.md.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lodestone/model/diagnostics.hpp"

#include "lodestone/data/geopolrisk_tables.hpp"

namespace lodestone::risk {

// The input tables and their reader live in data/ (plain rows); the method uses them as its own.
using data::GeoPolRiskFileOptions;
using data::GeoPolRiskReadResult;
using data::GeoPolRiskTables;
using data::GprProductionRow;
using data::GprTradeRow;
using data::ReadGeoPolRiskTables;

// Copper's average characterisation factor for OECD countries 2017-2021, the reference that turns
// a midpoint into eq. kg Cu (geopolrisk-py, core.GeoPolRisk).
inline constexpr double kGeoPolRiskCopperMidpoint = 0.409412948;
// The g that geopolrisk-py gives a partner whose political-stability score is missing.
inline constexpr double kGeoPolRiskMissingG = 0.5;
// The WGI estimates' nominal range is -2.5 .. 2.5.
inline constexpr double kWgiEstimateBound = 2.5;

// g = clip((2.5 - PV) / 5, 0, 1): 0 for the most stable partner, 1 for the least stable.
double NormalisedPoliticalStability(double pv_estimate);

// One row of the importer's imports from one partner. NaN marks a missing figure.
struct GprImport {
  double quantity_t = 0;       // tonnes; missing counts as 0 t (geopolrisk-py)
  double value_kusd = 0;       // thousand USD; missing counts as 0
  double g = 0;                // partner's normalised political stability, 0..1; missing -> 0.5
  bool inside_region = false;  // partner belongs to the importer (region member): g = 0
};

// Running sums over an importer's import rows: what WTA and price need.
struct GprImportSums {
  double numerator = 0;    // sum g_i * f_i
  double total_trade = 0;  // F = sum f_i, tonnes
  double total_value = 0;  // thousand USD
  std::uint32_t rows = 0;
  std::uint32_t imputed_g = 0;         // rows whose missing g was set to 0.5
  std::uint32_t missing_quantity = 0;  // rows whose missing quantity counted as 0 t
  std::uint32_t missing_value = 0;     // rows whose missing value counted as 0

  void Add(const GprImport& row) {
    double q = row.quantity_t;
    if (std::isnan(q)) {
      q = 0;
      ++missing_quantity;
    }
    double v = row.value_kusd;
    if (std::isnan(v)) {
      v = 0;
      ++missing_value;
    }
    double g = row.g;
    if (row.inside_region) {
      g = 0;
    } else if (std::isnan(g)) {
      g = kGeoPolRiskMissingG;
      ++imputed_g;
    }
    numerator += g * q;
    total_trade += q;
    total_value += v;
    ++rows;
  }
};

// Running sums over a material's producers in one year: what HHI needs.
struct GprProductionSums {
  double sum = 0;
  double sum_sq = 0;
  std::uint32_t producers = 0;  // rows seen (missing ones included)
  std::uint32_t missing = 0;    // rows without a figure, counted as 0 (geopolrisk-py fills 0)

  void Add(double quantity) {
    ++producers;
    if (std::isnan(quantity)) {
      ++missing;
      return;
    }
    sum += quantity;
    sum_sq += quantity * quantity;
  }
  // sum P_i^2 / (sum P_i)^2; nullopt when there is no positive production.
  std::optional<double> Hhi() const {
    if (!(sum > 0)) return std::nullopt;
    return sum_sq / (sum * sum);
  }
};

// Every figure of one (importer, material, year) result. nullopt = insufficient data.
struct GeoPolRiskFigures {
  std::optional<double> hhi;
  double domestic_production = 0;  // tonnes (the importer's, or its members' sum)
  double numerator = 0;            // sum g_i * f_i, tonnes
  double total_trade = 0;          // F, tonnes
  std::optional<double> wta;       // numerator / (domestic production + F)
  std::optional<double> score;     // HHI * WTA
  std::optional<double> price;     // USD/kg = kUSD/t: total value / total quantity
  std::optional<double> midpoint;  // score * price
  std::optional<double> cf;        // midpoint / copper's midpoint, eq. kg Cu / kg

  // What was missing in the inputs and how it was treated.
  std::uint32_t producers = 0;               // production rows for the material and year
  std::uint32_t missing_production = 0;      // of them without a figure (counted as 0)
  bool domestic_production_missing = false;  // the importer's own figure was empty (counted as 0)
  std::uint32_t import_rows = 0;
  std::uint32_t imputed_g = 0;
  std::uint32_t missing_quantity = 0;
  std::uint32_t missing_value = 0;

  bool Complete() const { return hhi && wta && score && price && midpoint && cf; }
};

// The last step, shared by every path: WTA, score, price, midpoint, CF from the precomputed HHI,
// import sums and domestic production (NaN = missing, counted as 0 and flagged).
GeoPolRiskFigures CombineGeoPolRisk(const GprProductionSums& production, const GprImportSums& imports,
                                    double domestic_production_t);

// One result from row lists: producers' quantities (any unit, NaN = missing), the importer's
// imports, its domestic production in tonnes (NaN = missing).
GeoPolRiskFigures ComputeGeoPolRisk(std::span<const double> producer_quantities, std::span<const GprImport> imports,
                                    double domestic_production_t);

// Why figures are missing and which inputs were imputed, in words ("" when nothing to say).
std::string DescribeGeoPolRiskGaps(const GeoPolRiskFigures& f);

// ---------------------------------------------------------------------------------------------
// The sweep over in-memory tables (data::GeoPolRiskTables).

// An importer: one country or a region (members' domestic production adds up, trade between
// members counts with g = 0).
struct GprImporter {
  std::string label;
  std::vector<std::uint32_t> members;  // country indices
};

struct GeoPolRiskSweepRequest {
  std::vector<GprImporter> importers;
  std::vector<std::uint32_t> materials;  // material indices
  std::vector<int> years;
};

struct GeoPolRiskSweepResult {
  std::size_t importers = 0, materials = 0, years = 0;
  std::vector<GeoPolRiskFigures> figures;  // importer-major, then material, then year
  const GeoPolRiskFigures& At(std::size_t importer, std::size_t material, std::size_t year) const {
    return figures[(importer * materials + material) * years + year];
  }
};

// Every (importer, material, year) of the request in one pass over each table: HHI and each
// member's domestic production per (material, year), import sums per (importer, material,
// year); then the combination per result. Rows for materials or years outside the request are
// skipped. An index outside the tables is a programmer error (Internal); a year
// requested twice or a negative figure is an InvalidRequest error.
GeoPolRiskSweepResult SweepGeoPolRisk(const GeoPolRiskTables& tables, const GeoPolRiskSweepRequest& request);

// ---------------------------------------------------------------------------------------------
// Files in geopolrisk-py's validation format.

// "USA", "842", or a region "USA+JPN" -> the importer over the tables' countries. A code the
// tables do not hold yet is added to them (its results are then insufficient data). Throws
// an InvalidRequest error for an unknown alpha-3 code or malformed text.
GprImporter ResolveGeoPolRiskImporter(GeoPolRiskTables& tables, std::string_view text,
                                      const GeoPolRiskFileOptions& options = {});

struct GeoPolRiskRow {
  std::string material;
  std::string hs_codes;  // as seen in the trade file for the material, "250410;250490"
  GeoPolRiskFigures figures;
};

inline constexpr const char* kGeoPolRiskMethodName = "GeoPolRisk (geopolrisk-py)";
inline constexpr const char* kGeoPolRiskMethodId = "geopolrisk";
inline constexpr int kGeoPolRiskMethodVersion = 1;

struct GeoPolRiskFileResult {
  std::string production_file, trade_file, wgi_file;  // the inputs as given
  std::string importer;                               // as given
  std::vector<int> importer_codes;                    // numeric codes of the importer (members of a region)
  std::vector<std::string> importer_iso3;             // their alpha-3 codes where the files or reference give one
  int year = 0;
  std::vector<GeoPolRiskRow> rows;  // one per material of either file, production file order first
  model::Diagnostics warnings;
};

// One row per material for `importer` in `year` from the three validation files.
GeoPolRiskFileResult GeoPolRiskFromFiles(const std::filesystem::path& production, const std::filesystem::path& trade,
                                         const std::filesystem::path& wgi_pv, std::string_view importer, int year,
                                         const GeoPolRiskFileOptions& options = {});

}  // namespace lodestone::risk
