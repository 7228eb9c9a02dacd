// The Dataset: an immutable, validated, columnar view of the supply picture (production,
// capacity, reserves, trade, shares, governance, groups ...), every figure tied to a source.
// Only the loader builds one (after validation); everything else reads it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lodestone/model/ids.hpp"
#include "lodestone/model/units.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::model {

enum class SourceKind : std::uint8_t { Published, Assumption };

struct Source {
  std::string id;
  SourceKind kind = SourceKind::Published;
  std::string citation;
  std::string licence;
  std::string url;
  std::string evidence;  // primary | secondary | low (curated figures); empty for releases
  std::string rule;      // for assumptions: the rule applied, in words
  bool operator==(const Source&) const = default;
};

struct Manifest {
  std::string name;
  std::string version;
  std::string date;  // YYYY-MM-DD
  std::string description;
  std::vector<Source> sources;
  std::map<std::string, std::size_t> table_rows;  // file name -> data rows (truncation check)
  bool operator==(const Manifest&) const = default;
};

enum class CountryKind : std::uint8_t {
  Country,    // an economy with an ISO 3166 code
  Aggregate,  // a total such as the world (WLD): never summed with countries
  Residual,   // "other countries" as published (XOT): counted in sums, not a country
};

struct CountryInfo {
  std::string iso3;
  int iso_num = 0;  // ISO 3166-1 numeric; 0 when none
  std::string name;
  RegionId region;  // UN M49 sub-region, interned (region_ids); "" is a region id too
  CountryKind kind = CountryKind::Country;
  std::vector<std::string> aliases;  // names used by publishers (USGS, EU, WGI ...)
  bool operator==(const CountryInfo&) const = default;
};

struct MineralInfo {
  std::string id;
  std::string name;
  Unit unit;                       // canonical unit; every quantity is stored in it
  std::vector<std::string> lists;  // e.g. US2025, EU2023
  bool operator==(const MineralInfo&) const = default;
};

// production.csv and capacity.csv: one row per (mineral, stage, country, year).
struct QuantityTable {
  std::vector<MineralId> mineral;
  std::vector<StageId> stage;
  std::vector<CountryId> country;
  std::vector<std::int16_t> year;
  std::vector<Value> quantity;  // in the mineral's canonical unit
  std::vector<SourceId> source;
  std::vector<std::string> note;
  std::size_t size() const { return mineral.size(); }
  bool operator==(const QuantityTable&) const = default;
};

struct ReservesTable {
  std::vector<MineralId> mineral;
  std::vector<CountryId> country;
  std::vector<std::int16_t> year;
  std::vector<Value> quantity;  // canonical unit
  std::vector<SourceId> source;
  std::vector<std::string> note;
  std::size_t size() const { return mineral.size(); }
  bool operator==(const ReservesTable&) const = default;
};

// shares.csv: each country's share of a stage's supply (scope "global") or of a consumer's
// sourcing (scope "sourcing:EU"), with the EU method's trade factor t.
struct ShareTable {
  std::vector<MineralId> mineral;
  std::vector<StageId> stage;
  std::vector<std::string> scope;
  std::vector<CountryId> country;
  std::vector<std::string> period;
  std::vector<Value> share;     // fraction 0..1; "<0.001" is a bound
  std::vector<Value> t_factor;  // unknown when not given
  std::vector<SourceId> source;
  std::size_t size() const { return mineral.size(); }
  bool operator==(const ShareTable&) const = default;
};

// trade.csv: bilateral flows (e.g. from CEPII BACI).
struct TradeTable {
  std::vector<MineralId> mineral;
  std::vector<StageId> stage;
  std::vector<std::uint32_t> product;  // HS6 code
  std::vector<CountryId> exporter;
  std::vector<CountryId> importer;
  std::vector<std::int16_t> year;
  std::vector<Value> quantity;   // canonical unit of the mineral's product (see hs6 mapping)
  std::vector<Value> value_usd;  // current USD
  std::vector<SourceId> source;
  std::size_t size() const { return mineral.size(); }
  bool operator==(const TradeTable&) const = default;
};

// governance.csv: WGI estimates (-2.5 .. 2.5) per economy and year.
struct GovernanceTable {
  std::vector<CountryId> country;
  std::vector<std::int16_t> year;
  std::vector<Value> va, pv, ge, rq, rl, cc;
  std::vector<SourceId> source;
  std::size_t size() const { return country.size(); }
  bool operator==(const GovernanceTable&) const = default;
};

// groups.csv: membership of named groups (MSP partners, agreements, EU27 ...).
struct GroupTable {
  std::vector<GroupId> group;
  std::vector<CountryId> country;
  std::vector<std::string> role;
  std::vector<std::string> since;
  std::vector<SourceId> source;
  std::size_t size() const { return group.size(); }
  bool operator==(const GroupTable&) const = default;
};

// import_sources.csv: a consumer's import shares by supplying country over a period.
struct ImportSourceTable {
  std::vector<CountryId> consumer;
  std::vector<MineralId> mineral;
  std::vector<std::string> material;
  std::vector<std::string> period;
  std::vector<CountryId> country;
  std::vector<Value> share;  // fraction
  std::vector<SourceId> source;
  std::size_t size() const { return consumer.size(); }
  bool operator==(const ImportSourceTable&) const = default;
};

// import_reliance.csv: net import reliance (fraction of apparent consumption).
struct ImportRelianceTable {
  std::vector<CountryId> consumer;
  std::vector<MineralId> mineral;
  std::vector<std::string> material;
  std::vector<std::int16_t> year;
  std::vector<Value> reliance;  // fraction; ">0.5" bound; E = net exporter
  std::vector<SourceId> source;
  std::size_t size() const { return consumer.size(); }
  bool operator==(const ImportRelianceTable&) const = default;
};

// headlines.csv: single published figures that are not a full distribution (IEA "China
// refines 70% of lithium"), each with its evidence grade.
struct HeadlineTable {
  std::vector<MineralId> mineral;
  std::vector<StageId> stage;
  std::vector<std::string> metric;
  std::vector<std::string> subject;  // as published: "China", "top-3 countries"
  std::vector<std::int16_t> year;
  std::vector<Value> value;
  std::vector<std::string> unit;  // "percent"
  std::vector<std::string> scenario;
  std::vector<std::string> evidence;
  std::vector<SourceId> source;
  std::vector<std::string> note;
  std::size_t size() const { return mineral.size(); }
  bool operator==(const HeadlineTable&) const = default;
};

// policies.csv: export restrictions imposed by producer countries (bans, licences, quotas),
// one row per measure, mineral and stage, with their dates and status as read.
struct PolicyTable {
  std::vector<std::string> id;     // measure id, e.g. CN-2023-GA-GE
  std::vector<CountryId> country;  // the restricting country
  std::vector<MineralId> mineral;
  std::vector<StageId> stage;          // the stage whose exports are restricted
  std::vector<std::string> kind;       // ban | licence | quota | duty | disruption
  std::vector<std::string> targets;    // "all", "all_but:GROUP", or ISO3 codes separated by ';'
  std::vector<std::string> announced;  // YYYY, YYYY-MM or YYYY-MM-DD; empty when not known
  std::vector<std::string> effective;
  std::vector<std::string> ended;   // empty while in force
  std::vector<std::string> status;  // in_force | suspended | ended | announced
  std::vector<SourceId> source;
  std::vector<std::string> note;
  std::size_t size() const { return id.size(); }
  bool operator==(const PolicyTable&) const = default;
};

struct DatasetContents {
  Manifest manifest;
  Interner<CountryId> country_ids;
  Interner<MineralId> mineral_ids;
  Interner<StageId> stage_ids;
  Interner<SourceId> source_ids;
  Interner<GroupId> group_ids;
  Interner<RegionId> region_ids;
  std::vector<CountryInfo> countries;  // indexed by CountryId
  std::vector<MineralInfo> minerals;   // indexed by MineralId
  QuantityTable production;
  QuantityTable capacity;
  ReservesTable reserves;
  ShareTable shares;
  TradeTable trade;
  GovernanceTable governance;
  GroupTable groups;
  ImportSourceTable import_sources;
  ImportRelianceTable import_reliance;
  PolicyTable policies;
  HeadlineTable headlines;
  bool operator==(const DatasetContents&) const = default;
};

// Immutable, cheap to copy (shared). Built only from validated contents.
class Dataset {
 public:
  Dataset() : contents_(std::make_shared<const DatasetContents>()) {}
  explicit Dataset(DatasetContents contents)
      : contents_(std::make_shared<const DatasetContents>(std::move(contents))) {}

  const DatasetContents& operator*() const { return *contents_; }
  const DatasetContents* operator->() const { return contents_.get(); }

  std::optional<CountryId> FindCountry(std::string_view iso3) const { return contents_->country_ids.Find(iso3); }
  std::optional<MineralId> FindMineral(std::string_view id) const { return contents_->mineral_ids.Find(id); }
  std::optional<StageId> FindStage(std::string_view id) const { return contents_->stage_ids.Find(id); }
  std::optional<GroupId> FindGroup(std::string_view id) const { return contents_->group_ids.Find(id); }
  const CountryInfo& Country(CountryId id) const { return contents_->countries.at(id.index()); }
  const MineralInfo& Mineral(MineralId id) const { return contents_->minerals.at(id.index()); }
  const std::string& Stage(StageId id) const { return contents_->stage_ids.Name(id); }
  const std::string& Region(RegionId id) const { return contents_->region_ids.Name(id); }
  const Source& SourceOf(SourceId id) const { return contents_->manifest.sources.at(id.index()); }
  // Members of a group, in table order.
  std::vector<CountryId> GroupMembers(GroupId g) const;
  bool operator==(const Dataset& o) const { return *contents_ == *o.contents_; }

 private:
  std::shared_ptr<const DatasetContents> contents_;
};

}  // namespace lodestone::model
