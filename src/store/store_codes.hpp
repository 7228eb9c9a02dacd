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

// The confidential terms' columns (schema version 3), in the order both stores bind and read
// them: after kProjectColumnsSql in a SELECT (columns 22..31), and $2..$11 / ?2..?11 after the
// id in kUpdateConfidentialSql.
inline constexpr const char* kConfidentialColumnsSql =
    "confidential_owner, financing_committed_musd, financing_committed_musd_status, financing_instrument, "
    "financing_rate_pct, financing_rate_pct_status, financing_tenor_years, financing_tenor_years_status, offtake, "
    "partner_notes";
inline constexpr int kConfidentialFirstColumn = 22;

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
