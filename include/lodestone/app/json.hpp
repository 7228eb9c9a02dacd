// JSON conventions shared by every result serialiser (each module's serialize.hpp):
//   - objects keep their keys in the order written (nlohmann::ordered_json);
//   - a missing figure is null, never 0; a percentage of an unknown or zero demand is null;
//   - every result carries "method" (id and version) and "provenance" (sources, rules used,
//     assumptions) beside its figures.
// Only the forward declaration of the JSON type is public: callers that build or print JSON
// include <nlohmann/json.hpp> themselves.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>

#include "lodestone/model/error.hpp"

namespace lodestone::app {

using Json = nlohmann::ordered_json;

// {"error": {"code": "invalid_data", "status": 422, "message": "...", "diagnostics": [{"severity",
// "file", "line", "column", "message"}, ...]}}: the body a server returns for a failed request.
Json ErrorJson(const Error& e);
// [{"severity", "file", "line", "column", "message"}, ...]
Json DiagnosticsJson(const model::Diagnostics& d);
// A number or null.
Json Optional(const std::optional<double>& x);

}  // namespace lodestone::app
