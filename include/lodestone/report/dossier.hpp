// The per-mineral dossier: supply picture by stage, concentration and risk scores with their
// sources, the demand outlook with its band, the simulator's headline scenario results and the
// projects that matter most, as one self-contained HTML page (inline CSS and SVG, no external
// resource) and as Markdown.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lodestone/model/dataset.hpp"
#include "lodestone/outlook/data.hpp"
#include "lodestone/outlook/pipeline.hpp"
#include "lodestone/sim/simulate.hpp"

namespace lodestone::report {

// A headline result of a disruption scenario, passed in by the caller (the simulator's output).
struct ScenarioHeadline {
  std::string scenario_id;
  std::string title;
  std::string mineral;
  std::string consumer;
  double demand_t = 0;
  double shortfall_t = 0;
  double shortfall_pct = 0;  // fraction of demand
  std::string source;
  std::string sector = "total";  // "total" or one sector of the consumer's demand
  // What covered the rest of demand: stocks drawn and deliveries (from suppliers still shipping).
  double delivered_t = 0, stock_drawn_t = 0;
  bool october_controls = false;  // one of the default scenarios (China's October 2025 controls)
  // Monte Carlo over the risk register: probability of any shortfall, P95 shortfall (tonnes and
  // fraction of demand), runs and seed. `monte_carlo` false: a single scenario.
  bool monte_carlo = false;
  double p_shortfall = 0, p95_shortfall_t = 0, p95_shortfall_pct = 0;
  std::uint64_t runs = 0, seed = 0;
  std::string unit;
};

// A project's evaluation against the risk register, as the dossier reports it (the caller runs
// the evaluation; the dossier does not depend on the investment module).
struct ProjectFinding {
  std::string id, name, mineral, country, stage, unit;
  bool evaluable = false;
  bool baseline = false;              // operating: already inside the baseline supply
  std::string reason;                 // why not evaluable
  double partner_demand_t = 0;        // partners' demand over the horizon
  double expected_before_t = 0;       // partners' expected shortfall without the project
  double expected_relief_t = 0;       // expected shortfall removed by the project alone
  std::optional<double> public_musd;  // public money needed (capex - private), million USD
  std::optional<double> capex_musd;
};

struct ProjectFindings {
  bool supplied = false;  // false: no evaluation was run
  std::string register_id;
  std::string project_source;  // where the projects come from, in words
  std::uint64_t runs = 0, seed = 0;
  double horizon_months = 12;
  std::vector<ProjectFinding> projects;  // of every mineral; the dossier picks its own
};

// A project of the registry as the dossier lists it.
struct ProjectRow {
  std::string id;
  std::string name;
  std::string stage;
  std::string country;
  model::Value capacity_t;
  std::string first_output;
  std::string development_stage;
  std::string status;
  std::string source;
};

// The mineral's projects, largest known capacity first (missing capacities last), at most `limit`.
std::vector<ProjectRow> ProjectsFor(const std::vector<outlook::PipelineProject>& registry, const std::string& mineral,
                                    std::size_t limit = 12);

struct DossierRequest {
  std::string mineral;
  std::vector<std::string> consumer = {"USA", "JPN"};
  std::string scenario;  // outlook scenario charted; empty: the mineral's first
  int runs = 500;
  std::uint64_t seed = 20251028;
  std::string as_of = "2026-11-27";
  bool registry_supplied = true;  // false: say that no registry was read
  ProjectFindings findings;       // project evaluations against the risk register
  // The simulator's flows by stage before and after the default scenario (China's October 2025
  // controls); nullopt: no flows chart, with `flows_unavailable` saying why.
  std::optional<sim::FlowsResult> flows;
  std::string flows_unavailable = "the simulator was not run";
};

struct Dossier {
  std::string mineral;
  std::string title;
  std::string html;
  std::string markdown;
  std::string svg;       // the outlook chart as a standalone file (empty without a scenario)
  std::string svg_file;  // its file name, e.g. "lithium_outlook.svg"
  // The refining-stage chart of the same scenario, when the mineral has both stages (else empty).
  std::string svg_refining;
  std::string svg_refining_file;  // e.g. "lithium_outlook_refining.svg"
  // The bar charts (shares by stage, scenario results) as standalone files: name, SVG.
  std::vector<std::pair<std::string, std::string>> bar_charts;
  std::string headline;  // one line for the index
  // The key messages, plain sentences computed from the results (also at the top of the page).
  std::vector<std::string> key_messages;
};

// The human name of a risk metric id ("top1_share" -> "Share of the largest supplier") and its
// glossary entry (what it measures, its scale, its method page); the id itself when unknown.
std::string MetricName(const std::string& metric);
std::string MetricGlossary(const std::string& metric);

// `outlook_data` may be null (no outlook section). Throws Error InvalidRequest for an unknown mineral.
Dossier BuildDossier(const model::Dataset& ds, const outlook::OutlookData* outlook_data,
                     const std::vector<outlook::PipelineProject>& registry,
                     const std::vector<ScenarioHeadline>& headlines, const DossierRequest& request);

// index.html linking the dossiers by relative file name.
std::string RenderIndex(const model::Dataset& ds, const std::vector<Dossier>& dossiers);

// Writes MINERAL.html, MINERAL.md and the chart into `dir` (created if needed).
void WriteDossier(const Dossier& dossier, const std::filesystem::path& dir);

}  // namespace lodestone::report
