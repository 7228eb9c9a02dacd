// Importers of published formats. Each reads a file exactly as its publisher releases it and
// produces dataset rows (text, schema order) plus the sources they cite; ApplyImport merges them
// into a dataset directory all-or-nothing.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "lodestone/data/raw_tables.hpp"
#include "lodestone/data/reference.hpp"
#include "lodestone/model/dataset.hpp"
#include "lodestone/model/diagnostics.hpp"

namespace lodestone::data {

struct ImportResult {
  std::string importer;                                    // "usgs-mcs", "wgi" ...
  std::vector<model::Source> sources;                      // every source the rows cite
  std::map<std::string, RawTable> tables;                  // rows by table file
  model::Diagnostics diagnostics;                          // warnings (rows skipped and why); errors abort
  std::vector<std::pair<std::string, std::size_t>> stats;  // "rows read" -> n, ...
};

// USGS Mineral Commodity Summaries data-release CSV (Windows-1252). Rows are mapped to minerals
// and stages by data/reference/usgs_mcs_map.csv; errata listed in usgs_mcs_errata.csv are applied.
ImportResult ImportUsgsMcs(const std::filesystem::path& file, const Reference& ref);

// World Bank WGI: the official long format (semicolon separated, comma decimals) or the
// DataBank export (comma separated, one column per year). Legacy codes map through the
// reference's "wgi:" aliases.
ImportResult ImportWgi(const std::filesystem::path& file, const Reference& ref);

// EU CRM 2023 Annex 7 share tables (Material, Stage, Country, Share, t): the global-supply table
// and/or the EU-sourcing table, told apart by file name ("global" / "sourcing") or `scope`.
ImportResult ImportEuAnnex7(const std::vector<std::filesystem::path>& files, const Reference& ref);

// CEPII BACI (t,i,j,k,v,q): HS6 products mapped to minerals and stages by
// data/reference/hs6_map.csv; numeric country codes through ISO numeric and "baci:" aliases.
ImportResult ImportBaci(const std::vector<std::filesystem::path>& files, const Reference& ref);

// The critical-materials extract of CEPII BACI V202601 (flows_<year>.json, one a year, and
// crosswalk.json): flows (exporter, importer, value, gross tonnes) of one HS6 code per material,
// mapped to minerals, stages and content factors by data/reference/trade_atlas_map.csv. The
// extract keeps each country's top 6 partners per side only; the caveats travel with the source
// record (cepii_baci_atlas).
ImportResult ImportTradeAtlas(const std::vector<std::filesystem::path>& files, const Reference& ref);

// Curated tables of ../data/curated form (each row with its own source): Minerals Security
// Partnership membership, US critical-mineral agreements, headline processing shares (IEA).
ImportResult ImportMspMembership(const std::filesystem::path& file, const Reference& ref);
ImportResult ImportUsAgreements(const std::filesystem::path& file, const Reference& ref);
ImportResult ImportProcessingHeadlines(const std::filesystem::path& file, const Reference& ref);
// Export restrictions (policies.csv: one row per measure, mineral and stage; wording decisions in
// data/reference/policy_map.csv) and Japan's import sources (import_sources.csv, consumer JPN,
// the unlisted remainder of a distribution as "other countries").
ImportResult ImportExportRestrictions(const std::filesystem::path& file, const Reference& ref);
ImportResult ImportJapanImportSources(const std::filesystem::path& file, const Reference& ref);
// Japan's net import reliance (sources/curated/japan_import_reliance.csv): published figures, or
// figures derived by a rule stated in an assumption record of the reference sources.
ImportResult ImportJapanImportReliance(const std::filesystem::path& file, const Reference& ref);
// The latest processing and refining shares by country (shares.csv, scope global, period = year;
// the unnamed rest as "other countries").
ImportResult ImportRefiningShares(const std::filesystem::path& file, const Reference& ref);

// Names accepted by the CLI's `data import KIND`.
std::vector<std::string> ImporterNames();
ImportResult RunImporter(std::string_view kind, const std::vector<std::filesystem::path>& files, const Reference& ref);

// Merges `result` into the dataset at `out_dir` (created from the reference tables when it does
// not exist): rows previously imported from the same sources are replaced, rows are sorted by
// key, the whole dataset is validated, and only then written. Throws an InvalidData error (with
// every problem) and leaves `out_dir` unchanged on failure.
// Refuses (InvalidData, naming the tables and rows at stake) an import that yields no rows, or that
// would delete more than half of the rows its sources have in the dataset, unless `force`.
struct ApplyImportOptions {
  bool force = false;
};
model::Dataset ApplyImport(const ImportResult& result, const std::filesystem::path& out_dir, const Reference& ref,
                           const ApplyImportOptions& options = {});

// One step of a build: which importer ran on which files, and what it reported.
struct BuildStep {
  std::string importer;
  std::vector<std::filesystem::path> files;
  std::vector<std::pair<std::string, std::size_t>> stats;
  model::Diagnostics diagnostics;
};

struct BuildReport {
  std::vector<BuildStep> steps;
  model::Dataset dataset;
};

// Builds a whole dataset from a recipe file (JSON: name, version, date, description, and
// "steps": [{"importer": KIND, "files": [...]}]). A file named "published:REL" is REL under
// `published_dir`, where the raw published files are kept (they are read where they are, not
// copied into the project); any other name is relative to the recipe (the project's own curated
// tables). A missing published file is NotFound, naming the directory searched. Every step is
// merged, the result validated once and written to `out_dir` all-or-nothing (a previous
// dataset there is replaced only by a valid one). Re-running on the same inputs gives the
// same bytes.
BuildReport BuildDataset(const std::filesystem::path& recipe, const std::filesystem::path& out_dir,
                         const Reference& ref, const std::filesystem::path& published_dir);

}  // namespace lodestone::data
