// Import reliance and allied share for a consumer (a country or a group such as the US and
// Japan): where each stage's supply comes from, how much from partners (a named group such as
// the MSP), and how much from countries with export restrictions in force.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lodestone/model/dataset.hpp"

namespace lodestone::risk {

struct RelianceRequest {
  std::vector<model::CountryId> consumer;  // one country or several (the group is one buyer)
  std::optional<model::GroupId> partners;  // e.g. MSP; members of the consumer count as domestic
  std::string as_of = "2026-11-27";        // export restrictions in force on this date (YYYY-MM-DD)
};

struct SupplierShare {
  model::CountryId country;
  double share = 0;
  bool partner = false;
  bool restricted = false;  // an export restriction in force that applies to the consumer
};

// One distribution of supply for the consumer.
struct RelianceRow {
  model::MineralId mineral;
  std::string stage;                      // a dataset stage, or "imports: <material>" for a consumer's import sources
  std::string basis;                      // what the shares describe, e.g. "USA import sources 2021-24 (all forms)"
  bool pooled = false;                    // true: the world-market assumption (consumer buys as the world supplies)
  std::vector<SupplierShare> suppliers;   // largest first
  double domestic_share = 0;              // from the consumer's own countries (for a group: within the group)
  double partner_share = 0;               // from partner countries (outside the consumer)
  double restricted_share = 0;            // from countries with export restrictions in force on the consumer
  double other_share = 0;                 // residual "other countries" (unknown origin)
  std::vector<std::string> restrictions;  // ids of the measures counted
  std::vector<model::SourceId> sources;
};

// Rows for one mineral: each consumer country's published import sources (one row per material
// and period), then for every stage with global shares or production, the pooled-world-market
// view for the whole consumer (stated as an assumption).
std::vector<RelianceRow> ImportReliance(const model::Dataset& ds, model::MineralId mineral, const RelianceRequest& req);

// Whether an export restriction of `country` on `mineral` (at `stage`, or any stage when empty)
// is in force on `as_of` and applies to any of `consumer`. Returns the measure ids.
std::vector<std::string> RestrictionsInForce(const model::Dataset& ds, model::CountryId country,
                                             model::MineralId mineral, const std::string& stage,
                                             const std::vector<model::CountryId>& consumer, const std::string& as_of);

}  // namespace lodestone::risk
