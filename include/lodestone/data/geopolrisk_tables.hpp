// GeoPolRisk input tables (geopolrisk-py's validation format: World Mining Data production, BACI
// imports with g, normalised WGI political stability) read into plain rows with dense material
// and country indices, for the method in risk/geopolrisk. Every problem of the three files is
// reported at once with file, line and column.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lodestone/model/diagnostics.hpp"

namespace lodestone::data {

class Reference;

struct GprProductionRow {
  std::uint32_t material = 0;  // index into GeoPolRiskTables::materials
  std::uint32_t country = 0;   // index into GeoPolRiskTables::countries
  std::int32_t year = 0;
  double quantity_t = 0;  // tonnes (converted from the source unit when known); NaN = missing
};

struct GprTradeRow {
  std::uint32_t material = 0;
  std::uint32_t exporter = 0;  // country indices
  std::uint32_t importer = 0;
  std::int32_t year = 0;
  double quantity_t = 0;  // NaN = missing
  double value_kusd = 0;  // NaN = missing
  double g = 0;           // 0..1; NaN = missing
};

struct GeoPolRiskTables {
  std::vector<std::string> materials;     // display names; rows refer to positions
  std::vector<std::string> material_hs;   // HS codes seen per material, "250410;250490"
  std::vector<int> countries;             // BACI numeric codes; rows refer to positions
  std::vector<std::string> country_iso3;  // alpha-3 per country when known, else ""
  std::vector<int> production_years;      // years the production table covers
  std::vector<GprProductionRow> production;
  std::vector<GprTradeRow> trade;

  std::optional<std::uint32_t> CountryIndex(int code) const;
  std::optional<std::uint32_t> MaterialIndex(std::string_view name) const;  // case-insensitive
};

struct GeoPolRiskFileOptions {
  // Resolves ISO alpha-3 codes that neither the production nor the WGI file maps to a numeric
  // code (optional).
  const Reference* reference = nullptr;
};

struct GeoPolRiskReadResult {
  GeoPolRiskTables tables;
  model::Diagnostics warnings;
};

// Reads the three files (columns by name, every year column of the production and WGI files,
// every row of the trade file) into tables. A trade row without g takes the WGI file's g for its
// exporter and year; still missing, it stays missing (0.5 in the method). Throws
// an InvalidData error listing every problem with file, line and column.
GeoPolRiskReadResult ReadGeoPolRiskTables(const std::filesystem::path& production, const std::filesystem::path& trade,
                                          const std::filesystem::path& wgi_pv,
                                          const GeoPolRiskFileOptions& options = {});

// Helpers shared with the importer's resolution (risk::ResolveGeoPolRiskImporter).
// "842" or "842.0" within lo..hi (pandas writes integer columns with gaps as floats).
std::optional<int> ParseGprCode(std::string_view text, int lo, int hi);
bool IsAlpha3(std::string_view text);
// Reference alpha-3 -> BACI numeric code: ISO 3166-1 numeric except where the reference lists a
// "baci:" alias (France 251, India 699, USA 842 ...).
std::optional<int> BaciCodeFromReference(const Reference& ref, const std::string& iso3);

}  // namespace lodestone::data
