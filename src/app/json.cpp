#include "lodestone/app/json.hpp"

#include <nlohmann/json.hpp>

namespace lodestone::app {

Json DiagnosticsJson(const model::Diagnostics& d) {
  Json arr = Json::array();
  for (const auto& x : d.Items()) {
    arr.push_back({{"severity", x.severity == model::Severity::Error ? "error" : "warning"},
                   {"file", x.file},
                   {"line", x.line},
                   {"column", x.column},
                   {"message", x.message}});
  }
  return arr;
}

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
