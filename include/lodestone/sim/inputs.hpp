// The simulator's own inputs beside the dataset (data/sim/): consumers' demand, the sector split
// of demand, stockpiles, chokepoints and the share of each trade route through them, refining
// shares for minerals whose dataset rows lack them, and model parameters. Every row names a
// source; assumptions carry their rule in sources.csv.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lodestone/model/dataset.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::sim {

// The five sectors demand is split into.
enum class Sector : std::uint8_t { SemiconductorsElectronics, EvBatteries, RenewableEnergy, Defence, Other };
inline constexpr int kSectors = 5;
const char* SectorName(Sector s);
// Parses a sector id ("defence"); false when unknown.
bool ParseSector(std::string_view text, Sector& out);

struct SimSource {
  std::string id;
  std::string kind;  // published | assumption
  std::string citation;
  std::string licence;
  std::string url;
  std::string rule;
};

struct DemandRow {
  std::string mineral;
  std::string consumer;  // ISO3, a bloc code of blocs.csv (EUU), or WLD for the world total
  int year = 0;
  model::Value quantity;  // canonical unit of the mineral; Unknown when the row gives a share
  model::Value share_of_world;
  // Share of the rest: of world demand less the demand of consumers whose rows give a quantity or
  // a share of world (docs/simulation.md, "Consumers"). Unknown unless the row gives it.
  model::Value share_of_rest;
  std::string source;
  std::size_t line = 0;
};

// A bloc that buys as one consumer (blocs.csv): its code (not an ISO3 code of the dataset), its
// name and one row per member country.
struct BlocRow {
  std::string bloc;
  std::string name;
  std::string member;  // ISO3
  std::string source;
};

struct SectorRow {
  std::string mineral;
  std::string region;  // "world", ISO3 or a bloc code
  Sector sector = Sector::Other;
  double share = 0;
  std::string source;
};

struct StockpileRow {
  std::string consumer;
  std::string mineral;
  model::Value days;  // NotAvailable when not known
  std::string basis;  // target | reported | assumption
  std::string source;
};

struct ChokepointRow {
  std::string id;
  std::string name;
  double reroutable = 0;
  std::string source;
};

struct RouteRow {
  std::string chokepoint;
  std::string exporter;  // ISO3 or "*"
  std::string importer;  // ISO3 or "*"
  double share = 0;
  std::string source;
};

struct RefiningRow {
  std::string mineral;
  std::string country;  // ISO3 or XOT
  double share = 0;
  std::string source;
};

// Named model parameters (parameters.csv): refinery headroom and the like.
struct ParameterRow {
  std::string key;
  double value = 0;
  std::string source;
};

// elasticities.csv: short-run price elasticities of one mineral (docs/simulation.md, "Price and
// demand response").
struct ElasticityRow {
  std::string mineral;
  double demand = 0;  // < 0: % change of demand per % change of price
  double supply = 0;  // >= 0: % change of supply (spare capacity, stocks) per % change of price
  std::string source;
};

// chains.csv: a supply chain simulated beside the dataset's minerals (docs/simulation.md,
// "Chains and components"). A split is part of a dataset mineral by content (its mine output times
// `content_share`, its own demand, sectors, separation shares); a component (magnets) has no mine
// stage: its producers' output is limited by what they receive of each `feed` (a chain or mineral),
// `intensity` units of feed per unit of component, and its flows follow `trade_stage` rows of
// the parent's trade.csv where they exist.
struct ChainRow {
  enum class Kind : std::uint8_t { Split, Component };
  std::string id;
  Kind kind = Kind::Split;
  std::string parent;        // dataset mineral id
  std::string unit;          // the chain's unit (split: the parent's)
  double content_share = 1;  // split
  // Component: its feeds (minerals or chains listed before it) and, in the same order, feed units
  // per unit of component. Several feeds are a fixed recipe: a producer makes as much as its
  // scarcest feed allows (file columns `feed` and `intensity` are ';'-separated lists).
  std::vector<std::string> feeds;
  std::vector<double> intensities;
  std::string trade_stage;  // component: stage of trade.csv rows for its flows; empty = none
  std::string source;
  std::size_t line = 0;
};

struct SimInputs {
  std::filesystem::path dir;
  std::vector<SimSource> sources;
  std::vector<DemandRow> demand;
  std::vector<BlocRow> blocs;  // optional file; member rows of every bloc consumer
  std::vector<SectorRow> sectors;
  std::vector<StockpileRow> stockpiles;
  std::vector<ChokepointRow> chokepoints;
  std::vector<RouteRow> routes;
  std::vector<RefiningRow> refining;
  std::vector<ParameterRow> parameters;
  std::vector<ElasticityRow> elasticities;  // optional file; a mineral without a row has no price response
  std::vector<RefiningRow> chain_shares;    // chain_shares.csv: a chain's producer or separation split
  std::vector<ChainRow> chains;             // optional file chains.csv, in file order (a feed before its component)

  const SimSource* FindSource(std::string_view id) const;
  // Whether `code` is a bloc of blocs.csv.
  bool IsBloc(std::string_view code) const;
  const ChainRow* FindChain(std::string_view id) const;
  // A parameter's value; `fallback` when the file does not set it.
  double Parameter(std::string_view key, double fallback) const;
};

// Reads and validates data/sim/ against the dataset (mineral ids, country codes, sources, shares
// in range, sector splits summing to 1). Throws Error InvalidData listing every problem with
// file, line and column.
SimInputs LoadSimInputs(const std::filesystem::path& dir, const model::Dataset& dataset);

// What is wrong with `value` (written `text`) for the parameter `key` of parameters.csv, or none:
// the one range rule of the table, applied when it is loaded and to every value a sweep's grid
// gives it.
std::optional<std::string> ParameterValueProblem(const std::string& key, double value, const std::string& text);

}  // namespace lodestone::sim
