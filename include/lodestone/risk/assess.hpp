// risk::Assess: the per-mineral, per-stage risk table for a consumer on a dataset, by method
// (concentration, EU CRM, GeoPolRisk, import reliance). Every row names its method, the
// inputs' sources and any assumption; missing inputs give "insufficient data", not a number.
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lodestone/model/dataset.hpp"
#include "lodestone/risk/concentration.hpp"
#include "lodestone/risk/esg.hpp"

namespace lodestone::risk {

enum class Method { Concentration, EuCrm, GeoPolRisk, ImportReliance };

std::string_view MethodName(Method m);
// "concentration", "eu-crm", "geopolrisk", "import-reliance"; "all" gives every method.
std::optional<std::set<Method>> ParseMethods(std::string_view text);
// As ParseMethods; throws an InvalidRequest error naming the accepted methods otherwise.
std::set<Method> ParseMethodsOrThrow(std::string_view text);

// The EU CRM study's material parameters for the supply-risk formula: end-of-life recycling
// input rate and substitution index, per Lodestone mineral (data/reference/
// eu_crm_material_parameters.csv, each row with its study and source).
struct EuMaterialParameters {
  std::string mineral, study_material;
  double eol_rir = 0, si_sr = 0;  // fractions, 0..1
  int study_year = 0;
  std::string source;
};
// Throws lodestone::Error: NotFound for a missing file, InvalidData (file:line:column) otherwise.
std::vector<EuMaterialParameters> LoadEuMaterialParameters(const std::filesystem::path& file);

struct AssessRequest {
  std::vector<std::string> minerals;  // empty: every mineral with supply data
  std::vector<std::string> consumer = {"USA", "JPN"};
  std::string partners = "MSP";      // the partner group for allied shares
  std::string as_of = "2026-11-27";  // export restrictions in force on this date
  std::set<Method> methods = {Method::Concentration, Method::EuCrm, Method::GeoPolRisk, Method::ImportReliance};
  ConcentrationOptions concentration;
  int wgi_year = 2023;
  // The ethical-sourcing screen's indicator tables (docs/methods/esg.md); when given, each stage
  // gets an "esg-screen" row: the supply-weighted score of its producing countries.
  const EsgTables* esg = nullptr;
  // When given, each stage gets the EU supply risk SR with the consumer as the assessing body (and,
  // for a consumer of several countries, with each of them alone): "supply_risk[_ISO3]" rows.
  const std::vector<EuMaterialParameters>* eu_parameters = nullptr;
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

// One mineral's verdict, read off the rows of an AssessResult: the bottleneck stage (the stage
// whose largest supplier has the largest share), that supplier and share against the EU's 65%
// single-country benchmark, the EU-method concentration and GeoPolRisk of that stage, the
// consumer's partner and restricted shares, and the ESG screen. Each part says its basis.
struct MineralVerdict {
  std::string mineral;
  std::string stage;                    // the bottleneck stage; empty when no stage has shares
  std::string basis;                    // the figures' basis and year, e.g. "production 2024 (...)"
  std::string top_supplier;             // country name
  std::optional<double> top_share;      // 0..1
  std::optional<bool> above_benchmark;  // top share above 65%
  std::string eu_concentration;         // HHI_WGI,t of global supply, or why not
  std::string eu_supply_risk;           // SR, or what it lacks
  std::string geopolrisk;               // score, or "no bilateral trade ..."
  std::optional<double> partner_share, restricted_share;
  std::string restrictions;  // measures behind the restricted share
  std::string esg;           // the stage's ESG screen, or "not screened"
  std::string line;          // all of it in one sentence
};
std::vector<MineralVerdict> Verdicts(const AssessResult& result);

}  // namespace lodestone::risk
