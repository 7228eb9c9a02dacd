// Serialisers of the data module's results: JSON (nlohmann::ordered_json, keys in the order
// written, missing figures null) and CSV rows (model::CsvRows). Front ends only print them.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "lodestone/data/summary.hpp"
#include "lodestone/data/supply.hpp"
#include "lodestone/model/csv_rows.hpp"
#include "lodestone/model/diagnostics.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::data {

using Json = nlohmann::ordered_json;

// [{"severity", "file", "line", "column", "message"}, ...]
Json ToJson(const model::Diagnostics& diagnostics);
// A known figure as a number; otherwise {"status": "withheld", "bound": x when a bound}.
Json ToJson(const model::Value& value);

// `data check`: {"dataset", "valid", "errors", "warnings", "problems"}; CSV: one row per problem.
Json ToJson(const DatasetCheck& check);
model::CsvRows ToCsv(const DatasetCheck& check);

// `data info`: what the dataset holds and its sources; CSV: one row per source.
Json ToJson(const DatasetInfo& info);
model::CsvRows ToCsv(const DatasetInfo& info);

// `supply`: one JSON object per (mineral, stage) with every country, its method and provenance;
// CSV: one row per country.
Json ToJson(const SupplyResult& result);
model::CsvRows ToCsv(const SupplyResult& result);

// The dataset's country table (countries.csv) for maps and labels: {"countries": [{"iso3",
// "iso_num" (ISO 3166-1 numeric, null when none), "name", "region", "kind"}], "source"}, in table
// order. A map keyed by ISO numeric ids (world-atlas) joins on iso_num.
Json CountriesJson(const model::Dataset& ds);

}  // namespace lodestone::data
