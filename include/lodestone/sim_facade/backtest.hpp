// Back-tests of the simulator against what happened: each episode (a directory's *.json file,
// format lodestone-episode/1, docs/validation.md) names a scenario file that re-creates a past
// export control, and observed figures with their sources, each paired with the model figure it
// is compared with. facade::RunBackTests runs every episode's scenario and returns, per figure,
// the model's value, the observed one and the error (model - observed, in the observed unit).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lodestone/app/json.hpp"
#include "lodestone/app/workspace.hpp"
#include "lodestone/sim/simulate.hpp"

namespace lodestone::facade {

// The model figure an observation is compared with. Every metric is a percentage.
//   consumer_delivered_change_pct: the consumer's delivered refined supply over the scenario's
//     horizon, % change from its baseline (= its demand: the baseline market is balanced);
//   consumer_shortfall_pct: the consumer's shortfall after reallocation and stockpiles, % of demand.
struct BackTestMetric {
  std::string metric;
  std::string mineral;
  std::string consumer;  // ISO3 or ROW
  std::string supplier;  // ISO3 of the refining country, for supplier_delivered_change_pct
};

struct BackTestSource {
  std::string citation, url, date, licence;
};

struct BackTestFigure {
  std::string id;        // unique within its episode
  std::string quantity;  // what was observed, e.g. "China's exports of magnets (HS 850511) to the US"
  std::string period;    // e.g. "May 2025"
  std::string basis;     // the comparison, e.g. "vs May 2024, % change in tonnes"
  double observed = 0;
  std::string unit;  // "%" (every metric is a percentage: errors are in percentage points)
  std::string role;  // "validation" or "calibration" (a figure a parameter was fitted to)
  std::vector<BackTestSource> sources;
  std::string note;  // caveats of the observation (HS group, mirror data, ...)
  // Empty metric: a calibration figure that fixes a parameter directly (no model figure).
  BackTestMetric model_metric;
  // Filled by RunBackTests; nullopt when the model has no such figure (e.g. a consumer whose
  // demand is not known): a missing figure is a state, never 0.
  std::optional<double> model;
  std::optional<double> error;  // model - observed, in the observed unit
};

// A parameter an episode fixes from its own observations, or takes from another episode.
struct BackTestParameter {
  std::string id;
  double value = 0;
  std::string calibrated_on;  // the episode it was fitted on (for `calibrates`: this episode)
  std::string basis;          // how the value follows from that episode's observations
};

struct BackTestEpisode {
  std::string id, title, description;
  std::string file;           // the episode file, as read
  std::string scenario_file;  // the scenario it runs (relative to the episode file)
  std::string announced, in_force;
  std::string window_start, window_end;       // the observed period the scenario's horizon covers
  std::vector<BackTestParameter> calibrates;  // fitted on this episode: its figures do not validate them
  std::vector<BackTestParameter> uses;        // fitted on other episodes
  std::vector<BackTestFigure> figures;
  std::vector<std::string> notes;  // what the scenario leaves out
  // Filled by RunBackTests.
  std::string scenario_id;
  int baseline_year = 0;
  std::string market;  // the market rule and its parameters as run
  // Mean absolute error over the validation figures with a model value; nullopt when none.
  std::optional<double> mean_abs_error;
};

struct BackTestsResult {
  std::string method = "lodestone-backtest/1";
  std::vector<BackTestEpisode> episodes;  // by file name
};

// One episode file; paths inside it are relative to its directory. Throws Error NotFound for a
// missing file, InvalidData (file, line and column of the field, what was expected) for a file
// that does not follow the format.
BackTestEpisode LoadEpisode(const std::filesystem::path& file);
// Every *.json file of `dir` except *.scenario.json, by file name, checked together: episode ids
// unique; a parameter an episode uses must be calibrated, with the same value, on the episode it
// names, and never on the episode itself. Throws NotFound for a missing directory or one without
// episodes, InvalidData otherwise.
std::vector<BackTestEpisode> LoadEpisodes(const std::filesystem::path& dir);

// The model figure of `metric` in a simulated scenario (nullopt when the model has no value);
// Error InvalidData when the scenario's result has no row for its mineral and consumer.
std::optional<double> ModelFigure(const sim::ScenarioResult& result, const BackTestMetric& metric);

// Loads the episodes of `dir`, runs each scenario on the workspace's baseline with the inputs'
// market rule and fills the model figures and errors.
BackTestsResult RunBackTests(const app::Workspace& ws, const std::filesystem::path& dir);

// {"method", "episodes": [{"id", ..., "figures": [{"observed", "model", "error", ...}]}]}.
app::Json ToJson(const BackTestsResult& r);
// The table of docs/validation.md: one row per figure (episode, figure, observed, model, error,
// role), then one line per episode with its mean absolute error. Deterministic text.
std::string ToMarkdown(const BackTestsResult& r);

}  // namespace lodestone::facade
