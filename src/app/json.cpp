#include "lodestone/app/json.hpp"

#include <nlohmann/json.hpp>

#include "lodestone/data/serialize.hpp"

namespace lodestone::app {

Json DiagnosticsJson(const model::Diagnostics& d) { return data::ToJson(d); }

Json ErrorJson(const Error& e) {
  Json body;
  body["code"] = std::string(e.code());
  body["status"] = HttpStatus(e.kind());
  body["message"] = e.Describe();
  body["diagnostics"] = DiagnosticsJson(e.diagnostics());
  Json out;
  out["error"] = std::move(body);
  return out;
}

Json Optional(const std::optional<double>& x) { return x ? Json(*x) : Json(nullptr); }

}  // namespace lodestone::app
