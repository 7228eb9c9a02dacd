// The outlook's result as JSON and CSV (conventions in app/json.hpp and model/csv_rows.hpp).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "lodestone/model/csv_rows.hpp"
#include "lodestone/outlook/outlook.hpp"

namespace lodestone::outlook {

using Json = nlohmann::ordered_json;

inline constexpr const char* kOutlookMethod = "lodestone.outlook";
inline constexpr int kOutlookMethodVersion = 2;

Json ToJson(const OutlookResult& r);
// One row per year.
model::CsvRows ToCsv(const OutlookResult& r);

}  // namespace lodestone::outlook
