// The supply façade: for each mineral asked for, the supply pictures of data::SupplyPictures
// resolved into names, ranked for a table of the top producers, with the remainder ("N more
// countries") summed and the sources cited. Every front end prints this result; none computes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "lodestone/model/dataset.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::data {

// Method id and version of the supply result (in its JSON).
inline constexpr const char* kSupplyMethod = "supply-picture";
inline constexpr int kSupplyMethodVersion = 1;

struct SupplyRequest {
  std::vector<std::string> minerals;  // mineral ids; an unknown id is an InvalidRequest error
  std::optional<int> year;            // none: the latest year with data, per stage
  int top = 8;                        // ranked countries listed per stage; the rest are summed
};

struct SupplyCountry {
  std::string iso3;
  std::string name;
  bool residual = false;        // "other countries": not ranked
  model::Value quantity;        // canonical unit; may be missing (withheld ...) or a bound
  std::optional<double> share;  // of the stage's share basis; none when not known
  model::Value share_value;     // the share as published (may be a bound "<0.001")
  std::string source;           // source id
  std::string note;
  std::optional<int> rank;    // 1..top for the countries listed by rank
  bool in_remainder = false;  // ranked beyond `top`: counted in the remainder line
};

// The countries ranked beyond `top`, as one line. Their quantity total is known only when every
// one of them has a known figure; otherwise the known part is given and the total is partial.
struct SupplyRemainder {
  std::size_t countries = 0;
  std::size_t missing = 0;         // of them without a known quantity
  double known_quantity = 0;       // sum of the known quantities
  std::optional<double> quantity;  // the total; none when any figure is missing
  double share = 0;                // sum of their shares (every ranked country has one)
};

struct SupplyStage {
  std::string stage;
  int year = 0;                             // production year (0 for published shares)
  std::string unit;                         // canonical unit, or "share"
  std::optional<model::Value> world;        // published world total
  std::optional<std::string> world_source;  // its source id
  std::string world_note;
  bool from_shares = false;  // published country shares, no production figures
  std::string period;        // the shares' period
  std::string share_basis;
  double listed_total = 0;
  std::size_t missing = 0;
  // No figure to rank: the table for people says "insufficient data" (with world_note).
  bool insufficient = false;
  std::vector<SupplyCountry> countries;      // largest first, as data::SupplyPictures orders them
  std::optional<SupplyRemainder> remainder;  // when countries are ranked beyond `top`
  std::vector<std::string> sources;          // ids of every source of the stage's figures
  std::vector<std::string> assumptions;      // rules of the assumption sources among them
};

struct SupplyMineral {
  std::string id;
  std::string name;
  std::vector<SupplyStage> stages;  // empty: no production figures (for the year asked)
};

struct SupplyResult {
  std::optional<int> year;  // as asked
  int top = 8;
  std::vector<SupplyMineral> minerals;
  // Sources of the figures a table of the top countries shows (listed rows and world totals),
  // in the dataset's source order.
  std::vector<model::Source> cited;
  // Every source of every figure of the result, in the dataset's source order.
  std::vector<model::Source> sources;
};

// Throws an InvalidRequest error naming the known minerals for an unknown mineral id.
SupplyResult Supply(const model::Dataset& ds, const SupplyRequest& request);

}  // namespace lodestone::data
