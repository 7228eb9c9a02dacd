// The outlook's own data (data/outlook/): named demand scenarios as anchor points with their
// sources, consumers' shares of world demand, secondary-supply shares, the development-stage
// ladder of the project pipeline and the uncertainty parameters. Loaded and validated as a whole;
// any problem is reported with file, line and column and nothing is returned.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lodestone/model/dataset.hpp"
#include "lodestone/model/diagnostics.hpp"

namespace lodestone::outlook {

// How an anchor's value is read.
enum class AnchorBasis {
  Absolute,           // tonnes (converted to the mineral's canonical unit at load)
  Index,              // multiple of the path's value at `ref_year`
  DatasetProduction,  // world primary production of the year, read from the dataset
  ShareOfWorld,       // a consumer region's share of world demand (fraction)
};

struct DemandAnchor {
  std::string scenario;  // "*" = every scenario (shares of world)
  std::string mineral;
  std::string region;  // "world" or a consumer's ISO3 code
  std::string sector;  // "total" or a sector name
  int year = 0;
  AnchorBasis basis = AnchorBasis::Absolute;
  int ref_year = 0;    // Index only
  double value = 0;    // canonical unit (Absolute), multiple (Index), fraction (ShareOfWorld)
  std::string source;  // id in sources.csv
  std::string note;
  std::size_t line = 0;  // in demand.csv, for messages
};

struct Scenario {
  std::string id;
  std::string title;
  bool trend_after_last = false;  // false: flat after the last anchor
  std::string description;
};

struct RecyclingAnchor {
  std::string scenario;  // "*" = every scenario without its own rows
  std::string mineral;
  int year = 0;
  double share = 0;  // fraction of demand met by secondary supply
  std::string source;
  std::string note;
};

struct StageOdds {
  std::string development_stage;
  double probability = 0;
  double delay_years = 0;
  std::string source;
  std::string rule;
};

// One published base-case figure of world primary supply from existing and announced projects
// (supply_base_case.csv), given as the share of the base case's primary supply requirement
// (demand less secondary supply) that this supply covers in `year`: 0.60 is a 40% deficit, 1.0
// a balanced market. The requirement is the outlook's own demand path of `reference_scenario`,
// so the supply level in tonnes is coverage x (1 - secondary share) x demand of that scenario.
struct BaseCasePoint {
  std::string mineral;
  int year = 0;
  double coverage = 0;
  std::string reference_scenario;
  std::string source;  // id in sources.csv
  std::string rule;    // id in sources.csv of the reading rule (assumption), may be empty
  std::string note;
  std::size_t line = 0;
};

struct Parameters {
  int base_year = 2025;
  int end_year = 2050;
  double demand_growth_sigma = 0.015;
  double delay_jitter_mean_years = 1.0;
  int ramp_years = 2;
  double paused_factor = 0.5;
  // Uncertainty of the base-case supply growth: per run the growth above base-year output is
  // multiplied by exp(sigma x z), z ~ N(0,1).
  double base_case_growth_sigma = 0.25;
  // Agreement tolerance between the outlook's primary balance and the published base case, as a
  // fraction of the primary supply requirement.
  double base_case_tolerance = 0.05;
  // A gap "opens" when it exceeds this fraction of demand (world or partner demand).
  double gap_opens_share = 0.01;
};

// A country's share of world refined output from the simulator's refining splits
// (data/sim/refining.csv): the whole split where the dataset has no refining shares, or an
// override of the named countries with the dataset's others scaled to the rest.
struct RefiningSplit {
  std::string mineral;
  std::string country;  // ISO3
  double share = 0;     // fraction of world refined output
  std::string source;   // id in data/sim/sources.csv (copied into OutlookData::sources)
  std::string note;
};

struct OutlookData {
  std::filesystem::path dir;
  std::vector<model::Source> sources;
  std::vector<Scenario> scenarios;
  std::vector<DemandAnchor> demand;
  std::vector<RecyclingAnchor> recycling;
  std::vector<StageOdds> stages;         // in file order
  std::vector<BaseCasePoint> base_case;  // by mineral, then year
  Parameters parameters;
  std::map<std::string, std::string> parameter_rules;  // parameter -> rule, for reports
  std::vector<RefiningSplit> refining_splits;          // empty when no refining.csv was read
  std::filesystem::path refining_file;                 // the refining.csv read, or empty

  const model::Source* FindSource(const std::string& id) const;
  const Scenario* FindScenario(const std::string& id) const;
  const StageOdds* FindStage(const std::string& development_stage) const;
  // The mineral's base-case points, sorted by year (empty when the mineral has none).
  std::vector<BaseCasePoint> BaseCaseFor(const std::string& mineral) const;
  // Scenario ids with a world demand path for the mineral, in scenarios.csv order.
  std::vector<std::string> ScenariosFor(const std::string& mineral) const;
};

// Reads sources.csv, scenarios.csv, demand.csv, recycling.csv, pipeline_stages.csv,
// parameters.csv and supply_base_case.csv from `dir`. Mineral ids and units are checked against the dataset's minerals.
// When the simulator's data sits beside it (`dir`/../sim/refining.csv, as shipped), its refining
// splits are read too (LoadRefiningSplits). Throws Error InvalidData with every problem found
// (NotFound for a missing directory).
OutlookData LoadOutlookData(const std::filesystem::path& dir, const model::Dataset& ds);

// Reads `sim_dir`/refining.csv (mineral,country,share,source,note) into `data.refining_splits`
// and the sources it names from `sim_dir`/sources.csv (id,kind,citation,licence,url,rule) into
// `data.sources` (ids already there are kept). Problems go to `diags` with file, line and column.
void LoadRefiningSplits(const std::filesystem::path& sim_dir, const model::Dataset& ds, OutlookData& data,
                        model::Diagnostics& diags);

}  // namespace lodestone::outlook
