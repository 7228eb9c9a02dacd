// Codes shared by the SQLite and PostgreSQL stores: how a value's status and the registry's
// enumerations are written in the database, and read back with a clear error when unknown.
#pragma once

#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>

#include "lodestone/model/error.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::store::internal {

// Columns of a project row, in the order both stores read and bind them.
inline constexpr const char* kProjectColumnsSql =
    "id, name, mineral, stage, country, capacity_t, capacity_t_status, capacity_basis, capex_musd, "
    "capex_musd_status, opex_musd_per_year, opex_musd_per_year_status, first_output, development_stage, status, "
    "sponsors, esg_score, esg_score_status, esg_notes, source, url, assumptions";

inline std::string_view StatusCode(model::ValueStatus s) {
  switch (s) {
    case model::ValueStatus::Known: return "known";
    case model::ValueStatus::AtLeast: return "at_least";
    case model::ValueStatus::AtMost: return "at_most";
    case model::ValueStatus::Withheld: return "withheld";
    case model::ValueStatus::NotAvailable: return "not_available";
    case model::ValueStatus::Unknown: return "unknown";
    case model::ValueStatus::NetExporter: return "net_exporter";
  }
  return "unknown";
}

inline model::ValueStatus StatusFromCode(std::string_view code) {
  for (auto s : {model::ValueStatus::Known, model::ValueStatus::AtLeast, model::ValueStatus::AtMost,
                 model::ValueStatus::Withheld, model::ValueStatus::NotAvailable, model::ValueStatus::Unknown,
                 model::ValueStatus::NetExporter}) {
    if (StatusCode(s) == code) return s;
  }
  throw Error::Storage(fmt::format("database holds an unknown value status '{}'", code));
}

template <typename E>
inline E ReadEnum(std::optional<E> parsed, const std::string& text, std::string_view what) {
  if (!parsed) throw Error::Storage(fmt::format("database holds an unknown {} '{}'", what, text));
  return *parsed;
}

}  // namespace lodestone::store::internal
