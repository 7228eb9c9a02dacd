// outlook::Run: demand against supply per year to 2050 for a mineral and scenario, for the world
// and for the partners' secure supply, with an uncertainty band from Monte Carlo sampling of
// demand growth and project success and timing. Deterministic: same inputs and seed, same bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lodestone/model/dataset.hpp"
#include "lodestone/outlook/data.hpp"
#include "lodestone/outlook/demand.hpp"
#include "lodestone/outlook/pipeline.hpp"

namespace lodestone::outlook {

struct OutlookRequest {
  std::string mineral;
  std::string scenario;  // empty: the mineral's first scenario in scenarios.csv order
  std::vector<std::string> consumer = {"USA", "JPN"};
  // Groups of groups.csv whose members' output counts as secure supply for the consumers.
  std::vector<std::string> allied_groups = {"MSP", "US_AGREEMENT", "US_JPN_2025"};
  // Supply stage, mining or refining; empty: mining when the dataset has mine production, else
  // refining. Refining supply comes from refinery tonnes where the dataset has them, else from the
  // refining shares (shares.csv, refining splits) applied to world mine production.
  std::string stage;
  int runs = 1000;
  std::uint64_t seed = 20251028;
};

struct OutlookYear {
  int year = 0;
  double demand_t = 0;
  double secondary_t = 0;  // recycling and reuse
  double existing_t = 0;   // base-year primary production after depletion
  double projects_t = 0;   // expected output of pipeline projects (probability-weighted)
  double supply_t = 0;     // existing + projects + secondary
  double gap_t = 0;        // demand - supply (negative: surplus)
  double gap_pct = 0;      // gap / demand
  double demand_p5 = 0, demand_p95 = 0;
  double supply_p5 = 0, supply_p95 = 0;
  double gap_p5 = 0, gap_p50 = 0, gap_p95 = 0;
  double partner_demand_t = 0;
  double secure_supply_t = 0;  // allied primary output + secondary share of partner demand
  double secure_gap_t = 0;
  double secure_gap_pct = 0;
  double secure_gap_p5 = 0, secure_gap_p50 = 0, secure_gap_p95 = 0;
};

struct ProjectContribution {
  std::string id;
  std::string name;
  std::string country;
  std::string stage;  // the project's supply-chain stage (refining, separation, magnets, ...)
  std::string development_stage;
  bool allied = false;
  double capacity_t = 0;
  double probability = 0;
  int expected_start = 0;     // first year at full expected timing (first output + stage delay)
  double expected_t_end = 0;  // expected output in the end year
};

// A producer's base-year output at the supply stage (for refining without refinery tonnes: its
// share of world refining times world mine production).
struct BaseOutput {
  std::string country;  // ISO3, or "(unattributed)" for the world total's unlisted remainder
  double t = 0;
  bool allied = false;
};

// The outlook's world balance against a published base-case figure (supply_base_case.csv), on
// the base case's basis: primary gap = (demand - secondary - primary supply) / (demand -
// secondary), expected path.
struct BaseCaseCheck {
  int year = 0;
  std::string reference_scenario;
  std::string source;
  double coverage = 0;               // published supply / primary requirement
  double published_primary_gap = 0;  // 1 - coverage
  double base_case_supply_t = 0;     // coverage x primary requirement of the reference scenario
  double primary_gap = 0;            // the outlook's, in this result's scenario
  double tolerance = 0;              // fraction of the primary requirement
  bool one_sided = false;            // the base case says only "covered": primary_gap <= tolerance
  bool comparable = false;           // this result's scenario is the reference scenario
  bool agrees = false;               // comparable and within the tolerance
};

struct OutlookResult {
  std::string mineral;
  std::string scenario;
  std::string scenario_title;
  std::string unit;
  std::string stage;
  std::string consumer;  // "USA+JPN"
  int runs = 0;
  std::uint64_t seed = 0;
  std::vector<OutlookYear> years;
  // First year (from the base year on) with a positive gap: on the P50 path, and the earliest year
  // at which the P95 gap is positive (a 5% chance of a gap). nullopt: no gap by the end year.
  std::optional<int> first_gap_p50, first_gap_p95;
  std::optional<int> first_secure_gap_p50, first_secure_gap_p95;
  // Why the world gap opens in first_gap_p50, in words (empty when none opens).
  std::string first_gap_reason;
  // Base-case supply path (mining stage, minerals with rows in supply_base_case.csv): the
  // published points and the agreement of this result's balance with them.
  std::vector<BaseCaseCheck> base_case;
  std::vector<BaseOutput> base_output;         // by producer, largest first (ties by code)
  std::vector<ProjectContribution> projects;   // counted, largest expected output first
  std::vector<std::string> excluded_projects;  // "id: why"
  std::vector<std::string> sources;            // ids (outlook sources.csv or the dataset's)
  std::vector<std::string> source_citations;   // per source: "citation (licence)"; empty when not found
  std::vector<std::string> assumptions;        // rules in words
  std::vector<std::string> notes;              // missing data and what was done about it
};

// Throws Error InvalidRequest for an unknown mineral, scenario, consumer, group or stage; InvalidData
// when the outlook data lack what the request needs.
OutlookResult Run(const model::Dataset& ds, const OutlookData& data, const std::vector<PipelineProject>& projects,
                  const OutlookRequest& request);

// Whether Run can compare supply at `stage` ("mining" or "refining") for the mineral in the base
// year: the stage's production tonnes, or for refining, refining shares (shares.csv or the refining
// splits) together with world mine production.
bool HasSupplyStage(const model::Dataset& ds, const OutlookData& data, const std::string& mineral,
                    const std::string& stage);

// Whether a pipeline project of `project_stage` adds supply at `supply_stage`: at refining, the
// projects of stage refining, separation, magnets, cathode and anode; otherwise the same stage.
// Recycling projects never do (they are inside the secondary-supply share at every stage).
bool CountsAtStage(const std::string& project_stage, const std::string& supply_stage);

// Percentile with linear interpolation between order statistics (sorted input, p in [0, 1]).
double Percentile(const std::vector<double>& sorted, double p);

}  // namespace lodestone::outlook
