// The ethical-sourcing screen: a score in [0, 1] for every country-mineral pair and every project,
// computed from public indicators by the rubric of docs/methods/esg.md. Parts:
//   governance  mean of the WGI control-of-corruption and rule-of-law estimates, (x + 2.5) / 5
//   transparency  EITI: 1 implementing country, 0.5 supporting country only, 0 neither
//   labour      0 when the US Department of Labor's List of Goods Produced by Child Labor or
//               Forced Labor names the mineral from the country, else 1
//   site        (projects only) 1 when an independent audit or certification of the site is
//               recorded; missing otherwise (not zero: the part is left out and said)
// The score is the mean of the parts that are known; a part without data is named, never zero.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lodestone/model/dataset.hpp"

namespace lodestone::risk {

inline constexpr const char* kEsgMethod = "esg-screen";
inline constexpr int kEsgMethodVersion = 1;

struct EitiEntry {
  std::string country;  // ISO3
  std::string status;   // "implementing" | "supporting"
  std::string as_of, source, url;
};
struct LabourListing {
  std::string mineral, country, listing;  // listing: "child_labour" | "forced_labour"
  std::string good, edition, source, url;
};
struct SiteAssurance {
  std::string project, scheme, result, date, source, url;
};

// The curated indicator tables (data/projects/esg/: eiti_status.csv, labour_list.csv,
// site_assurance.csv), each row with its source.
struct EsgTables {
  std::vector<EitiEntry> eiti;
  std::vector<LabourListing> labour;
  std::vector<SiteAssurance> sites;
  // Reads the three files of `dir`; throws lodestone::Error (InvalidData, with file:line:column)
  // for a malformed table, NotFound when a file is missing.
  static EsgTables Load(const std::filesystem::path& dir);
};

struct EsgPart {
  std::string name;             // governance | transparency | labour | site
  std::optional<double> value;  // 0..1; none when the indicator has no data
  std::string basis;            // the indicator read, in words
  std::string source;           // where it comes from
};

struct EsgScore {
  std::string country, mineral, project;  // project empty for a country-mineral pair
  std::optional<double> score;            // mean of the known parts; none when no part is known
  std::vector<EsgPart> parts;
};

// The WGI year the governance part reads from the dataset's governance table.
inline constexpr int kEsgWgiYear = 2023;

// Score of a country-mineral pair (ISO3, Lodestone mineral id).
EsgScore ScoreCountryMineral(const model::Dataset& ds, const EsgTables& tables, const std::string& country,
                             const std::string& mineral, int wgi_year = kEsgWgiYear);
// Score of a project in `country` producing `mineral`: the pair's parts plus its site part.
EsgScore ScoreProject(const model::Dataset& ds, const EsgTables& tables, const std::string& project_id,
                      const std::string& country, const std::string& mineral, int wgi_year = kEsgWgiYear);
// One line: "0.62 (governance 0.54, transparency 0.50, labour 1.00; site: no audit recorded)".
std::string DescribeEsg(const EsgScore& s);

}  // namespace lodestone::risk
