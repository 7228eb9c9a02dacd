// Reader of the EU CRM 2023 Annex 7 share tables (Material, Stage, Country, Share, t), shared by
// the importer (data import eu-crm-annex7) and the EU supply-risk method (risk eu-sr --shares).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lodestone/data/reference.hpp"
#include "lodestone/model/diagnostics.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::data {

// Annex 7's stage letters: E = extraction, P = processing.
enum class Annex7Stage : std::uint8_t { Extraction, Processing };

// A percentage exactly as printed: `units` x 10^-decimals percent ("10.5%" = 105, 1). Kept as
// integers so that sums and the residual are exact decimal arithmetic, free of binary rounding.
struct Annex7Percent {
  std::uint64_t units = 0;
  std::uint8_t decimals = 0;
  bool below = false;  // printed "<x%": the share is below x (a bound, not a figure)

  // As a fraction of 1: Known, or AtMost for "<x%".
  model::Value Fraction() const;
  // Dataset cell text of the fraction, exact and in plain notation: "4%" -> "0.04",
  // "<0.1%" -> "<0.001".
  std::string FractionText() const;
};

struct Annex7Row {
  std::size_t line = 0;  // line in the file
  std::string scope;     // "global" or "sourcing:EU"
  std::string material;  // as printed ("Natural Graphite")
  Annex7Stage stage = Annex7Stage::Extraction;
  std::string country;       // ISO alpha-3 (through data/reference/countries.csv names and aliases);
                             // empty only when kept with keep_unknown_countries
  std::string country_text;  // as printed ("Congo, D.R.")
  Annex7Percent share;
  model::Value t;      // the trade factor t; Unknown when the cell is empty
  std::string t_text;  // t as printed ("1.0", "0.8"); empty when not given
};

struct Annex7Table {
  std::string file;
  std::vector<Annex7Row> rows;  // file order; rows with problems are left out
};

struct Annex7ReadOptions {
  // The table's scope when the caller knows it ("global", "sourcing:EU", "sourcing:JPN" ...);
  // otherwise a Scope column or the file name decides.
  std::optional<std::string> scope;
  // Keep rows whose country name is not in the reference (country left empty, a warning
  // instead of an error): the risk method still counts their share, the importer must not.
  bool keep_unknown_countries = false;
};

// Reads one Annex 7 table (UTF-8; columns Material, Stage, Country, Share, t and optionally
// Scope, in any order). Every problem goes to `diags` with file, line and column; throws
// an InvalidData error only when the file cannot be read at all.
Annex7Table ReadAnnex7File(const std::filesystem::path& file, const Reference& ref, model::Diagnostics& diags,
                           const Annex7ReadOptions& options = {});
// "global" or "sourcing:EU" from the file name; nullopt when the name says neither or both.
std::optional<std::string> Annex7ScopeFromFileName(const std::filesystem::path& file);
// Dataset stage of an Annex 7 stage letter: E -> "mining", P -> "refining".
std::string_view Annex7StageId(Annex7Stage stage);

}  // namespace lodestone::data
