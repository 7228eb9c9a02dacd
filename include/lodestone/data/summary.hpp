// What a dataset holds (for `lodestone data info`) and the supply picture of a mineral: each
// country's output by stage and year, with its share and source (for `lodestone supply`).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lodestone/model/dataset.hpp"
#include "lodestone/model/diagnostics.hpp"

namespace lodestone::data {

struct SourceUse {
  model::Source source;
  std::size_t rows = 0;  // rows citing it, over all tables
};

// How fresh a table's figures are: the latest year (or period, or date) any row gives, and the
// sources of the rows that give it.
struct TableFreshness {
  std::string latest;                // e.g. "2025", "2024" (a period), "2026-01-06" (a date); empty: no dated rows
  std::vector<std::string> sources;  // source ids of the latest rows, in id order
};

struct DatasetInfo {
  std::string name, version, date, description;
  std::vector<std::pair<std::string, std::size_t>> tables;  // file -> rows
  std::map<std::string, TableFreshness> freshness;          // file -> latest figures and their sources
  std::vector<std::string> minerals;                        // ids with at least one figure
  std::vector<std::string> stages;
  std::size_t countries = 0;            // entries of countries.csv
  std::size_t countries_with_data = 0;  // named by at least one figure
  int year_min = 0, year_max = 0;       // over all yearly tables (0 when none)
  std::vector<SourceUse> sources;
};

DatasetInfo DescribeDataset(const model::Dataset& ds);

// The outcome of validating a dataset directory (`data check`): every problem, and what the
// dataset holds when it is valid.
struct DatasetCheck {
  std::string dataset;  // the directory as given
  bool valid = false;
  model::Diagnostics diagnostics;  // errors and warnings, with file, line and column
  // When valid: the manifest's name, version and date, and its table, row and source counts.
  std::string name, version, date;
  std::size_t tables = 0, rows = 0, sources = 0;
};

DatasetCheck CheckDataset(const std::filesystem::path& dir);

struct SupplyEntry {
  model::CountryId country;
  model::Value quantity;        // canonical unit; may be missing (withheld ...)
  std::optional<double> share;  // of the denominator below; none when the quantity is not known
  model::Value share_value;     // the share as published (may be a bound "<0.001")
  model::SourceId source;
  std::string note;
};

struct SupplyPicture {
  model::MineralId mineral;
  model::StageId stage;
  int year = 0;
  std::string unit;                   // the mineral's canonical unit
  std::optional<model::Value> world;  // published world total (WLD), if any
  std::optional<model::SourceId> world_source;
  std::string world_note;  // e.g. why the world total is withheld
  // True when the picture comes from country shares (shares.csv, e.g. EU CRM Annex 7) because
  // no production figures exist for the stage: entries then carry `share_value` only.
  bool from_shares = false;
  std::string period;                // the shares' period ("2016-2020")
  std::vector<SupplyEntry> entries;  // countries and "other countries", largest first
  double listed_total = 0;           // sum of the known quantities listed
  std::size_t missing = 0;           // entries without a known quantity
  // "published world total" when shares divide by WLD, else "sum of listed countries".
  std::string share_basis;
};

// One picture per stage with production data for the mineral, for `year` (or the latest year
// with data per stage); then, for stages without production figures, one picture from the
// global country shares (e.g. refining shares of the EU CRM 2023 study), saying so.
std::vector<SupplyPicture> SupplyPictures(const model::Dataset& ds, model::MineralId mineral,
                                          std::optional<int> year = std::nullopt);

}  // namespace lodestone::data
