// risk::Assess: the per-mineral, per-stage risk table for a consumer on a dataset, by method
// (concentration, EU CRM, GeoPolRisk, import reliance). Every row names its method, the
// inputs' sources and any assumption; missing inputs give "insufficient data", not a number.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lodestone/model/dataset.hpp"
#include "lodestone/risk/concentration.hpp"

namespace lodestone::risk {

enum class Method { Concentration, EuCrm, GeoPolRisk, ImportReliance };

std::string_view MethodName(Method m);
// "concentration", "eu-crm", "geopolrisk", "import-reliance"; "all" gives every method.
std::optional<std::set<Method>> ParseMethods(std::string_view text);
// As ParseMethods; throws an InvalidRequest error naming the accepted methods otherwise.
std::set<Method> ParseMethodsOrThrow(std::string_view text);

struct AssessRequest {
  std::vector<std::string> minerals;  // empty: every mineral with supply data
  std::vector<std::string> consumer = {"USA", "JPN"};
  std::string partners = "MSP";      // the partner group for allied shares
  std::string as_of = "2026-11-27";  // export restrictions in force on this date
  std::set<Method> methods = {Method::Concentration, Method::EuCrm, Method::GeoPolRisk, Method::ImportReliance};
  ConcentrationOptions concentration;
  int wgi_year = 2023;
};

struct AssessRow {
  std::string mineral;
  std::string stage;
  std::string method;
  std::string metric;
  std::optional<double> value;       // none when insufficient data
  std::string display;               // human form, e.g. "China 69.2%"
  std::string status = "ok";         // "ok" or "insufficient data: <why>"
  std::string basis;                 // the data the figure rests on
  std::vector<std::string> sources;  // source ids
  std::vector<std::string> assumptions;
};

// Method id and version of the risk table (in its JSON).
inline constexpr const char* kAssessMethod = "risk-assess";
inline constexpr int kAssessMethodVersion = 1;

struct AssessResult {
  std::string consumer;  // "USA+JPN"
  std::string partners;  // the partner group, as asked
  std::string as_of;     // export restrictions in force on this date, as asked
  std::vector<AssessRow> rows;
};

// Throws an InvalidRequest error for unknown minerals, countries or groups.
AssessResult Assess(const model::Dataset& ds, const AssessRequest& request);

}  // namespace lodestone::risk
