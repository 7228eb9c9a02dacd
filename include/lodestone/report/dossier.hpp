// The per-mineral dossier: supply picture by stage, concentration and risk scores with their
// sources, the demand outlook with its band, the simulator's headline scenario results and the
// projects that matter most, as one self-contained HTML page (inline CSS and SVG, no external
// resource) and as Markdown.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "lodestone/model/dataset.hpp"
#include "lodestone/outlook/data.hpp"
#include "lodestone/outlook/pipeline.hpp"

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
  std::string headline;           // one line for the index
};

// `outlook_data` may be null (no outlook section). Throws Error InvalidRequest for an unknown mineral.
Dossier BuildDossier(const model::Dataset& ds, const outlook::OutlookData* outlook_data,
                     const std::vector<outlook::PipelineProject>& registry,
                     const std::vector<ScenarioHeadline>& headlines, const DossierRequest& request);

// index.html linking the dossiers by relative file name.
std::string RenderIndex(const model::Dataset& ds, const std::vector<Dossier>& dossiers);

// Writes MINERAL.html, MINERAL.md and the chart into `dir` (created if needed).
void WriteDossier(const Dossier& dossier, const std::filesystem::path& dir);

}  // namespace lodestone::report
