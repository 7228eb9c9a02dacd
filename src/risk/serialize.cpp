// Serialisers of the risk module's results (see serialize.hpp).
#include "lodestone/risk/serialize.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "lodestone/model/value.hpp"

namespace lodestone::risk {

namespace {

Json Optional(const std::optional<double>& x) { return x ? Json(*x) : Json(nullptr); }

// Four decimals, as the EU tables print SR and HHI_WGI,t; empty when missing.
std::string Fixed4(const std::optional<double>& x) { return x ? fmt::format("{:.4f}", *x) : ""; }

std::string Exact(const std::optional<double>& x) { return x ? model::FormatNumber(*x) : "insufficient data"; }

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : sep) + x;
  return out;
}

void AddUnique(std::vector<std::string>& v, const std::string& x) {
  if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

Json BottleneckJson(const MaterialBottleneck& m) {
  const auto& b = m.bottleneck;
  return {{"material", m.material},
          {"sr", Optional(b.sr)},
          {"bottleneck_stage", b.stage ? Json(m.stages[*b.stage].stage) : Json(nullptr)},
          {"complete", b.complete},
          {"note", b.note}};
}

Json HhiJson(const std::optional<HhiEstimate>& h) {
  if (!h) return nullptr;
  return {{"value", h->value},         {"low", h->low},
          {"high", h->high},           {"coverage", h->coverage},
          {"countries", h->countries}, {"without_wgi", h->without_wgi}};
}

std::optional<double> HhiValue(const std::optional<HhiEstimate>& h) {
  return h ? std::optional<double>(h->value) : std::nullopt;
}

Json MethodJson(const char* id, int version) { return {{"id", id}, {"version", version}}; }

}  // namespace

Json ToJson(const AssessResult& result) {
  Json j = {{"consumer", result.consumer}, {"partners", result.partners}, {"as_of", result.as_of}};
  auto& rows = j["rows"] = Json::array();
  std::vector<std::string> sources, assumptions;
  for (const auto& r : result.rows) {
    rows.push_back({{"mineral", r.mineral},
                    {"stage", r.stage},
                    {"method", r.method},
                    {"metric", r.metric},
                    {"value", Optional(r.value)},
                    {"display", r.display},
                    {"status", r.status},
                    {"basis", r.basis},
                    {"sources", r.sources},
                    {"assumptions", r.assumptions}});
    for (const auto& s : r.sources) AddUnique(sources, s);
    for (const auto& a : r.assumptions) AddUnique(assumptions, a);
  }
  auto& verdicts = j["verdicts"] = Json::array();
  for (const auto& v : Verdicts(result)) {
    verdicts.push_back({{"mineral", v.mineral},
                        {"bottleneck_stage", v.stage},
                        {"basis", v.basis},
                        {"top_supplier", v.top_supplier},
                        {"top_share", Optional(v.top_share)},
                        {"above_65pct_benchmark", v.above_benchmark ? Json(*v.above_benchmark) : Json(nullptr)},
                        {"eu_concentration", v.eu_concentration},
                        {"eu_supply_risk", v.eu_supply_risk},
                        {"geopolrisk", v.geopolrisk},
                        {"partner_share", Optional(v.partner_share)},
                        {"restricted_share", Optional(v.restricted_share)},
                        {"esg", v.esg},
                        {"line", v.line}});
  }
  j["method"] = MethodJson(kAssessMethod, kAssessMethodVersion);
  j["provenance"] = {{"sources", sources}, {"assumptions", assumptions}};
  return j;
}

model::CsvRows ToCsv(const AssessResult& result) {
  model::CsvRows out{{"mineral", "stage", "method", "metric", "value", "status", "basis", "sources", "assumptions"},
                     {}};
  for (const auto& r : result.rows) {
    out.rows.push_back({r.mineral, r.stage, r.method, r.metric, r.value ? model::FormatNumber(*r.value) : "", r.status,
                        r.basis, Join(r.sources, ";"), Join(r.assumptions, " | ")});
  }
  return out;
}

Json ToJson(const EuSrTableResult& result) {
  Json j = {{"method", kEuSrMethodName}, {"method_source", kEuSrMethodSource}, {"input", result.file}};
  auto& rows = j["rows"] = Json::array();
  for (const auto& r : result.rows) {
    rows.push_back({{"line", r.line},
                    {"material", r.material},
                    {"stage", r.stage},
                    {"supply_data_used", std::string(SupplyDataUsedName(r.supply_data_used))},
                    {"sr", Optional(r.sr.sr)},
                    {"insufficient", r.sr.insufficient},
                    {"sr_published", Optional(r.sr_published)}});
  }
  auto& materials = j["materials"] = Json::array();
  for (const auto& m : result.materials) materials.push_back(BottleneckJson(m));
  if (const auto agreement = CompareWithPublished(result)) {
    j["agreement"] = {{"compared", agreement->compared},
                      {"mean_abs_diff", agreement->mean_abs_diff},
                      {"max_abs_diff", agreement->max_abs_diff},
                      {"worst", agreement->worst}};
  }
  j["method_id"] = MethodJson(kEuSrMethodId, kEuSrMethodVersion);
  j["provenance"] = {{"sources", {result.file}}};
  return j;
}

model::CsvRows ToCsv(const EuSrTableResult& result) {
  model::CsvRows out{{"material", "stage", "sr"}, {}};
  for (const auto& r : result.rows) out.rows.push_back({r.material, r.stage, Fixed4(r.sr.sr)});
  return out;
}

Json ToJson(const EuSrSharesResult& result) {
  Json j = {{"method", kEuSrMethodName},        {"method_source", kEuSrMethodSource},
            {"consumer", result.consumer},      {"global_supply", result.global_file},
            {"sourcing", result.sourcing_file}, {"params", result.params_file},
            {"wgi", result.wgi_source}};
  auto& rows = j["rows"] = Json::array();
  for (const auto& r : result.rows) {
    Json row = {{"material", r.material},
                {"stage", r.stage},
                {"supply_data_used", std::string(SupplyDataUsedName(r.supply_data_used))},
                {"hhi_wgi_t_gs", HhiJson(r.hhi_gs)},
                {"hhi_wgi_t_sourcing", HhiJson(r.hhi_sourcing)},
                {"sr", Optional(r.sr.sr)},
                {"insufficient", r.sr.insufficient}};
    if (r.sr.sr) row["sr_bounds"] = {r.sr_low, r.sr_high};
    row["notes"] = r.notes;
    rows.push_back(std::move(row));
  }
  auto& materials = j["materials"] = Json::array();
  for (const auto& m : result.materials) materials.push_back(BottleneckJson(m));
  j["method_id"] = MethodJson(kEuSrMethodId, kEuSrMethodVersion);
  std::vector<std::string> sources = {result.global_file};
  if (!result.sourcing_file.empty()) sources.push_back(result.sourcing_file);
  sources.push_back(result.params_file);
  sources.push_back(result.wgi_source);
  j["provenance"] = {{"sources", sources}};
  return j;
}

model::CsvRows ToCsv(const EuSrSharesResult& result) {
  model::CsvRows out{{"material", "stage", "hhi_wgi_t_gs", "hhi_wgi_t_sourcing", "sr"}, {}};
  for (const auto& r : result.rows) {
    out.rows.push_back(
        {r.material, r.stage, Fixed4(HhiValue(r.hhi_gs)), Fixed4(HhiValue(r.hhi_sourcing)), Fixed4(r.sr.sr)});
  }
  return out;
}

std::vector<std::string> MissingGeoPolRiskFigures(const GeoPolRiskFigures& f) {
  std::vector<std::string> out;
  const std::pair<const char*, const std::optional<double>*> figures[] = {
      {"hhi", &f.hhi},     {"wta", &f.wta},           {"score", &f.score},
      {"price", &f.price}, {"midpoint", &f.midpoint}, {"cf", &f.cf}};
  for (const auto& [name, value] : figures) {
    if (!value->has_value()) out.emplace_back(name);
  }
  return out;
}

Json ToJson(const GeoPolRiskFileResult& result) {
  Json j = {{"method", kGeoPolRiskMethodName},
            {"importer", result.importer},
            {"importer_codes", result.importer_codes},
            {"importer_iso3", result.importer_iso3},
            {"year", result.year},
            {"copper_midpoint", kGeoPolRiskCopperMidpoint}};
  auto& rows = j["results"] = Json::array();
  for (const auto& r : result.rows) {
    const auto& f = r.figures;
    rows.push_back({{"material", r.material},
                    {"hs_codes", r.hs_codes},
                    {"hhi", Optional(f.hhi)},
                    {"domestic_production", f.domestic_production},
                    {"numerator", f.numerator},
                    {"total_trade", f.total_trade},
                    {"wta", Optional(f.wta)},
                    {"score", Optional(f.score)},
                    {"price", Optional(f.price)},
                    {"midpoint", Optional(f.midpoint)},
                    {"cf", Optional(f.cf)},
                    {"insufficient_data", MissingGeoPolRiskFigures(f)},
                    {"notes", DescribeGeoPolRiskGaps(f)}});
  }
  j["method_id"] = MethodJson(kGeoPolRiskMethodId, kGeoPolRiskMethodVersion);
  j["provenance"] = {{"sources", {result.production_file, result.trade_file, result.wgi_file}}};
  return j;
}

model::CsvRows ToCsv(const GeoPolRiskFileResult& result, bool details) {
  model::CsvRows out{{"material", "hhi", "wta", "score", "price", "midpoint", "cf"}, {}};
  if (details) {
    for (const char* c : {"hs_codes", "domestic_production", "numerator", "total_trade", "notes"}) {
      out.columns.emplace_back(c);
    }
  }
  for (const auto& r : result.rows) {
    const auto& f = r.figures;
    std::vector<std::string> row = {r.material,     Exact(f.hhi),      Exact(f.wta), Exact(f.score),
                                    Exact(f.price), Exact(f.midpoint), Exact(f.cf)};
    if (details) {
      row.insert(row.end(), {r.hs_codes, model::FormatNumber(f.domestic_production), model::FormatNumber(f.numerator),
                             model::FormatNumber(f.total_trade), DescribeGeoPolRiskGaps(f)});
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

}  // namespace lodestone::risk
