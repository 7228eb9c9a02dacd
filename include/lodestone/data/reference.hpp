// Reference data that importers need: the country table with the names and codes publishers use
// (USGS "Congo (Kinshasa)", EU "Congo, D.R.", WGI "ZAR", BACI 842 ...), the mineral table, the
// known sources, and the mapping files (USGS chapters, EU materials, HS6 codes -> minerals).
// All of it lives in data/reference/, not in code.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lodestone/data/raw_tables.hpp"
#include "lodestone/model/dataset.hpp"

namespace lodestone::data {

class Reference {
 public:
  // Reads countries.csv, minerals.csv and sources/*.json from `dir` (validated as a dataset's
  // reference tables). Throws an InvalidData error.
  static Reference Load(const std::filesystem::path& dir);

  const std::filesystem::path& dir() const { return dir_; }
  // Exact ISO alpha-3 code, name or alias (case and punctuation-insensitive) -> ISO alpha-3.
  std::optional<std::string> CountryByName(std::string_view name) const;
  // A namespaced code such as ("wgi", "ZAR") or ("baci", "842").
  std::optional<std::string> CountryByCode(std::string_view ns, std::string_view code) const;
  // ISO 3166-1 numeric.
  std::optional<std::string> CountryByIsoNum(int num) const;
  bool HasCountry(std::string_view iso3) const;
  const std::vector<std::string>& CountryCodes() const { return iso3_; }
  // The mineral's canonical unit ("t Li"); nullopt when the mineral is unknown.
  std::optional<model::Unit> MineralUnit(std::string_view id) const;
  // A known source's record; throws an InvalidData error when absent.
  const model::Source& SourceRecord(std::string_view id) const;

  const RawTable& countries() const { return countries_; }
  const RawTable& minerals() const { return minerals_; }

 private:
  std::filesystem::path dir_;
  RawTable countries_, minerals_;
  std::vector<std::string> iso3_;
  std::map<std::string, std::string, std::less<>> by_name_;  // normalised name -> iso3
  std::map<std::string, std::string, std::less<>> by_code_;  // "ns:code" -> iso3
  std::map<int, std::string> by_num_;
  std::map<std::string, model::Unit, std::less<>> mineral_units_;
  std::vector<model::Source> sources_;
};

// Lower case ASCII letters and digits only, so punctuation and apostrophe styles do not matter
// ("Korea, Republic of" -> "korearepublicof"). Non-ASCII letters are dropped, so accented and
// unaccented spellings are distinct keys: list both as aliases.
std::string NormaliseName(std::string_view name);

// A mapping file of the reference directory (e.g. "usgs_mcs_map.csv") read as rows of named
// fields; throws an InvalidData error with file, line and column on malformed input.
struct MappingFile {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::size_t> lines;  // source line of each row
  std::string file;
  // Index of a column; throws an InvalidData error when the column is missing.
  std::size_t Col(std::string_view name) const;
};
MappingFile ReadMappingFile(const std::filesystem::path& path);

}  // namespace lodestone::data
