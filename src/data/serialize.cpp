// Serialisers of the data module's results (see serialize.hpp).
#include "lodestone/data/serialize.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace lodestone::data {

namespace {

std::string_view SeverityName(model::Severity s) { return s == model::Severity::Error ? "error" : "warning"; }

std::string_view SourceKindName(model::SourceKind k) {
  return k == model::SourceKind::Assumption ? "assumption" : "published";
}

}  // namespace

Json ToJson(const model::Diagnostics& diagnostics) {
  auto arr = Json::array();
  for (const auto& x : diagnostics.Items()) {
    arr.push_back({{"severity", SeverityName(x.severity)},
                   {"file", x.file},
                   {"line", x.line},
                   {"column", x.column},
                   {"message", x.message}});
  }
  return arr;
}

Json ToJson(const model::Value& v) {
  if (v.IsKnown()) return v.number;
  Json o = {{"status", std::string(model::StatusName(v.status))}};
  if (v.HasNumber()) o["bound"] = v.number;
  return o;
}

Json ToJson(const DatasetCheck& check) {
  return {{"dataset", check.dataset},
          {"valid", check.valid},
          {"errors", check.diagnostics.ErrorCount()},
          {"warnings", check.diagnostics.WarningCount()},
          {"problems", ToJson(check.diagnostics)}};
}

model::CsvRows ToCsv(const DatasetCheck& check) {
  model::CsvRows out{{"severity", "file", "line", "column", "message"}, {}};
  for (const auto& d : check.diagnostics.Items()) {
    out.rows.push_back(
        {std::string(SeverityName(d.severity)), d.file, std::to_string(d.line), std::to_string(d.column), d.message});
  }
  return out;
}

Json ToJson(const DatasetInfo& info) {
  Json j = {{"name", info.name},           {"version", info.version},
            {"date", info.date},           {"description", info.description},
            {"minerals", info.minerals},   {"stages", info.stages},
            {"countries", info.countries}, {"countries_with_data", info.countries_with_data},
            {"year_min", info.year_min},   {"year_max", info.year_max}};
  auto& tables = j["tables"] = Json::object();
  for (const auto& [f, n] : info.tables) tables[f] = n;
  auto& fresh = j["freshness"] = Json::object();
  for (const auto& [f, x] : info.freshness) fresh[f] = {{"latest", x.latest}, {"sources", x.sources}};
  auto& sources = j["sources"] = Json::array();
  for (const auto& s : info.sources) {
    sources.push_back({{"id", s.source.id},
                       {"kind", SourceKindName(s.source.kind)},
                       {"citation", s.source.citation},
                       {"licence", s.source.licence},
                       {"url", s.source.url},
                       {"rule", s.source.rule},
                       {"rows", s.rows}});
  }
  return j;
}

model::CsvRows ToCsv(const DatasetInfo& info) {
  model::CsvRows out{{"source", "kind", "rows", "licence", "citation", "url"}, {}};
  for (const auto& s : info.sources) {
    out.rows.push_back({s.source.id, std::string(SourceKindName(s.source.kind)), std::to_string(s.rows),
                        s.source.licence, s.source.citation, s.source.url});
  }
  return out;
}

Json ToJson(const SupplyResult& result) {
  auto j = Json::array();
  for (const auto& m : result.minerals) {
    for (const auto& s : m.stages) {
      Json pj = {{"mineral", m.id}, {"stage", s.stage}, {"year", s.year}, {"unit", s.unit}};
      pj["world_total"] = s.world ? ToJson(*s.world) : Json(nullptr);
      pj["world_source"] = s.world_source ? Json(*s.world_source) : Json(nullptr);
      pj["share_basis"] = s.share_basis;
      auto& rows = pj["countries"] = Json::array();
      for (const auto& c : s.countries) {
        rows.push_back({{"country", c.iso3},
                        {"name", c.name},
                        {"quantity", ToJson(c.quantity)},
                        {"share", c.share ? Json(*c.share) : Json(nullptr)},
                        {"source", c.source},
                        {"note", c.note}});
      }
      pj["method"] = {{"id", kSupplyMethod}, {"version", kSupplyMethodVersion}};
      pj["provenance"] = {{"sources", s.sources}, {"assumptions", s.assumptions}};
      j.push_back(std::move(pj));
    }
  }
  return j;
}

model::CsvRows ToCsv(const SupplyResult& result) {
  model::CsvRows out{{"mineral", "stage", "year", "country", "name", "quantity", "unit", "status", "share",
                      "share_basis", "source", "note"},
                     {}};
  for (const auto& m : result.minerals) {
    for (const auto& s : m.stages) {
      for (const auto& c : s.countries) {
        out.rows.push_back({m.id, s.stage, std::to_string(s.year), c.iso3, c.name,
                            c.quantity.HasNumber() ? model::FormatNumber(c.quantity.number) : "", s.unit,
                            std::string(model::StatusName(c.quantity.status)),
                            c.share ? model::FormatNumber(*c.share) : "", s.share_basis, c.source, c.note});
      }
    }
  }
  return out;
}

Json CountriesJson(const model::Dataset& ds) {
  auto rows = Json::array();
  for (const auto& c : ds->countries) {
    const char* kind = c.kind == model::CountryKind::Country     ? "country"
                       : c.kind == model::CountryKind::Aggregate ? "aggregate"
                                                                 : "residual";
    rows.push_back({{"iso3", c.iso3},
                    {"iso_num", c.iso_num ? Json(c.iso_num) : Json(nullptr)},
                    {"name", c.name},
                    {"region", ds.Region(c.region)},
                    {"kind", kind}});
  }
  Json j;
  j["countries"] = std::move(rows);
  j["source"] = "countries.csv of the dataset (ISO 3166-1 alpha-3 and numeric codes, names, UN M49 regions)";
  return j;
}

}  // namespace lodestone::data
