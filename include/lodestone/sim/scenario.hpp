// Scenarios (one set of shocks) and the risk register (shocks with annual probabilities and
// severity/duration distributions), as read from the JSON files documented in docs/scenarios.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace lodestone::sim {

enum class ShockKind : std::uint8_t { Outage, ExportControl, Chokepoint, Demand };
// Component: the producers of a component chain (magnets), whose feed is another chain.
enum class SimStage : std::uint8_t { Mining, Refining, Component };
const char* ShockKindName(ShockKind k);

// Whom an export control reaches: everyone, everyone except the listed groups/countries, or only
// the listed ones. Codes are group ids (MSP, US_AGREEMENT ...) or ISO3 codes.
struct Targets {
  enum class Kind : std::uint8_t { All, AllBut, Only };
  Kind kind = Kind::All;
  std::vector<std::string> codes;
};

struct Shock {
  ShockKind kind = ShockKind::Outage;
  std::vector<std::string> minerals;  // empty for a chokepoint closure = every mineral
  std::string country;                // outage, export control
  SimStage stage = SimStage::Mining;  // outage, export control
  double fraction = 0;                // share of output (outage) or exports (control) lost; of flow (chokepoint)
  Targets targets;                    // export control
  std::string chokepoint;             // chokepoint
  double reroutable = -1;             // chokepoint: < 0 means the chokepoint's own figure
  std::string consumer = "*";         // demand: ISO3, ROW or * (all)
  std::string sector = "*";           // demand: a sector id or *
  double factor = 1;                  // demand
  double start_month = 0;
  double months = 12;
  std::string source;
  std::string basis;
  std::string file;  // where the shock stands, for messages
  std::size_t line = 0, column = 0;
};

struct ScenarioSource {
  std::string id, citation, url, licence;
};

struct Scenario {
  std::string id;
  std::string title;
  std::string description;
  int year = 2025;
  double horizon_months = 12;
  std::vector<ScenarioSource> sources;
  std::vector<Shock> shocks;
};

// A number, or a distribution sampled from one uniform draw by its inverse CDF.
struct Distribution {
  enum class Kind : std::uint8_t { Fixed, Uniform, Triangular };
  Kind kind = Kind::Fixed;
  double min = 0, mode = 0, max = 0;  // Fixed uses min
  double Sample(double u) const;      // u in [0, 1)
  double Max() const { return kind == Kind::Fixed ? min : max; }
};

struct RegisterEvent {
  std::string id;
  double probability = 0;  // annual, independent of other events
  Shock shock;             // fraction, months, factor, start_month replaced by draws
  Distribution fraction, months, factor, start_month;
  std::string source;
  std::string basis;
};

struct Register {
  std::string id;
  std::string title;
  int year = 2025;
  double horizon_months = 12;
  std::vector<ScenarioSource> sources;
  std::vector<RegisterEvent> events;
};

// Limits of a scenario or register file: its size, how deep values may nest, and how far stacked
// demand shocks on one mineral may multiply its demand (the product of their largest factors).
inline constexpr std::size_t kMaxJsonBytes = 16u * 1024u * 1024u;
inline constexpr std::size_t kMaxJsonDepth = 64;
inline constexpr double kMaxDemandMultiplier = 1e6;

// Parse and check the files' structure and value ranges; country, mineral and group codes are
// checked against the network when the scenario is compiled. Unknown and duplicate keys, a year
// that is not a whole number, and files beyond the limits above are errors. Throw
// lodestone::Error (InvalidData) with file, line and column.
Scenario LoadScenario(const std::filesystem::path& path);
Scenario ParseScenario(const std::string& text, const std::string& file);
Register LoadRegister(const std::filesystem::path& path);
Register ParseRegister(const std::string& text, const std::string& file);

}  // namespace lodestone::sim
