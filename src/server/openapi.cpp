// The OpenAPI 3 document, written from the endpoint table so that it cannot drift from what the
// server routes; the tests check real responses against the shapes it promises.
#include <nlohmann/json.hpp>

#include "services.hpp"

namespace lodestone::server {

std::string OpenApiDocument() {
  using J = nlohmann::ordered_json;
  J doc;
  doc["openapi"] = "3.0.3";
  doc["info"] = {{"title", "Lodestone API"},
                 {"version", "1"},
                 {"description",
                  "Critical-mineral supply chains: supply by stage and country, risk by the published methods, "
                  "disruption scenarios and Monte Carlo, the outlook to 2050, projects and portfolios. Every figure "
                  "carries its sources. Authenticate with `Authorization: Bearer <key>` (keys: `lodestone keys "
                  "create`); roles viewer < analyst < admin. Errors: the body `#/components/schemas/Error`, with "
                  "file, line and column of every problem in an input."}};
  J error_schema = {
      {"type", "object"},
      {"required", {"error"}},
      {"properties",
       {{"error",
         {{"type", "object"},
          {"required", {"code", "status", "message", "diagnostics"}},
          {"properties",
           {{"code",
             {{"type", "string"},
              {"enum",
               {"invalid_request", "invalid_data", "not_found", "conflict", "storage", "internal", "unauthorized",
                "forbidden", "rate_limited", "payload_too_large", "method_not_allowed"}}}},
            {"status", {{"type", "integer"}}},
            {"message", {{"type", "string"}}},
            {"diagnostics",
             {{"type", "array"},
              {"items",
               {{"type", "object"},
                {"properties",
                 {{"severity", {{"type", "string"}}},
                  {"file", {{"type", "string"}}},
                  {"line", {{"type", "integer"}}},
                  {"column", {{"type", "integer"}}},
                  {"message", {{"type", "string"}}}}}}}}}}}}}}}};
  doc["components"] = {
      {"schemas", {{"Error", error_schema}}},
      {"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}},
  };
  doc["security"] = J::array({{{"bearer", J::array()}}});
  J paths = J::object();
  for (const auto& e : Endpoints()) {
    J op;
    op["summary"] = e.summary;
    op["x-role"] = std::string(Name(e.role));
    J params = J::array();
    for (std::size_t p = e.pattern.find('{'); p != std::string::npos; p = e.pattern.find('{', p + 1)) {
      const auto q = e.pattern.find('}', p);
      params.push_back({{"name", e.pattern.substr(p + 1, q - p - 1)},
                        {"in", "path"},
                        {"required", true},
                        {"schema", {{"type", "string"}}}});
    }
    for (const auto& q : e.query) {
      params.push_back({{"name", q}, {"in", "query"}, {"required", false}, {"schema", {{"type", "string"}}}});
    }
    if (!params.empty()) op["parameters"] = params;
    if (!e.body.empty()) {
      op["requestBody"] = {{"description", e.body},
                           {"required", false},
                           {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
    }
    J schema;
    std::string media = "application/json";
    J keys = J::array();
    for (const auto& k : e.returns.keys) keys.push_back(k);
    switch (e.returns.kind) {
      case Shape::Object: schema = {{"type", "object"}, {"required", keys}}; break;
      case Shape::Array: schema = {{"type", "array"}, {"items", {{"type", "object"}, {"required", keys}}}}; break;
      case Shape::Html:
        media = "text/html";
        schema = {{"type", "string"}};
        break;
    }
    J responses;
    responses[std::to_string(e.status)] = {{"description", "success"}, {"content", {{media, {{"schema", schema}}}}}};
    responses["default"] = {
        {"description", "an error"},
        {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
    op["responses"] = responses;
    std::string method = e.method;
    for (auto& ch : method) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    paths[e.pattern][method] = op;
  }
  doc["paths"] = paths;
  return doc.dump(2) + "\n";
}

}  // namespace lodestone::server
