// Table schemas and the dataset manifest (dataset.json) reader/writer.
#include "lodestone/data/manifest.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "lodestone/data/schema.hpp"
#include "lodestone/model/date.hpp"

namespace lodestone::data {

const std::vector<TableSchema>& AllTables() {
  static const std::vector<TableSchema> kTables = {
      {"countries.csv", {"iso3", "iso_num", "name", "region", "kind", "aliases"}, {"iso3"}, true},
      {"minerals.csv", {"id", "name", "unit", "lists"}, {"id"}, true},
      {"production.csv",
       {"mineral", "stage", "country", "year", "quantity", "unit", "source", "note"},
       {"mineral", "stage", "country", "year"}},
      {"capacity.csv",
       {"mineral", "stage", "country", "year", "quantity", "unit", "source", "note"},
       {"mineral", "stage", "country", "year"}},
      {"reserves.csv",
       {"mineral", "country", "year", "quantity", "unit", "source", "note"},
       {"mineral", "country", "year"}},
      {"shares.csv",
       {"mineral", "stage", "scope", "country", "period", "share", "t", "source"},
       {"mineral", "stage", "scope", "country", "period"}},
      {"trade.csv",
       {"mineral", "stage", "product", "exporter", "importer", "year", "quantity", "unit", "value_usd", "source"},
       {"mineral", "stage", "product", "exporter", "importer", "year"}},
      {"governance.csv", {"country", "year", "va", "pv", "ge", "rq", "rl", "cc", "source"}, {"country", "year"}},
      {"groups.csv", {"group", "country", "role", "since", "source"}, {"group", "country"}},
      {"import_sources.csv",
       {"consumer", "mineral", "material", "period", "country", "share", "source"},
       {"consumer", "mineral", "material", "period", "country"}},
      {"import_reliance.csv",
       {"consumer", "mineral", "material", "year", "reliance", "source"},
       {"consumer", "mineral", "material", "year"}},
      {"policies.csv",
       {"id", "country", "mineral", "stage", "kind", "targets", "announced", "effective", "ended", "status", "source",
        "note"},
       {"id", "mineral", "stage"}},
      {"headlines.csv",
       {"mineral", "stage", "metric", "subject", "year", "value", "unit", "scenario", "evidence", "source", "note"},
       {"mineral", "stage", "metric", "subject", "year", "scenario", "source"}},
  };
  return kTables;
}

const TableSchema* FindTable(std::string_view file) {
  for (const auto& t : AllTables()) {
    if (t.file == file) return &t;
  }
  return nullptr;
}

namespace {

// dataset.json nests three levels; anything far deeper is not a manifest.
constexpr int kMaxManifestDepth = 64;

std::string KindName(model::SourceKind k) { return k == model::SourceKind::Assumption ? "assumption" : "published"; }

}  // namespace

std::optional<model::Manifest> ParseManifest(std::string_view text, const std::string& file,
                                             model::Diagnostics& diags) {
  nlohmann::json j;
  // Duplicate keys (nlohmann keeps the last silently) and absurd nesting are noted while parsing.
  std::vector<std::set<std::string>> keys;  // keys seen in each open object
  std::vector<std::string> duplicates;
  bool too_deep = false;
  auto check = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (depth > kMaxManifestDepth) too_deep = true;
    if (event == E::object_start) keys.emplace_back();
    if (event == E::object_end && !keys.empty()) keys.pop_back();
    if (event == E::key && !keys.empty() && parsed.is_string() &&
        !keys.back().insert(parsed.get<std::string>()).second) {
      duplicates.push_back(parsed.get<std::string>());
    }
    return true;
  };
  try {
    j = nlohmann::json::parse(text, check);
  } catch (const nlohmann::json::out_of_range& e) {
    diags.Error(file, 0, 0, fmt::format("malformed JSON: {}", e.what()));  // a number beyond a double
    return std::nullopt;
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann reports a byte offset; turn it into line and column.
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    diags.Error(file, line, col, fmt::format("malformed JSON: {}", e.what()));
    return std::nullopt;
  }
  if (too_deep) {
    diags.Error(file, 0, 0, fmt::format("values nested more than {} levels deep", kMaxManifestDepth));
    return std::nullopt;
  }
  for (const auto& key : duplicates) {
    diags.Error(file, 0, 0, fmt::format("duplicate key \"{}\": which value was meant is unknown", key));
  }
  if (!duplicates.empty()) return std::nullopt;
  if (!j.is_object()) {
    diags.Error(file, 1, 1, "expected a JSON object");
    return std::nullopt;
  }
  model::Manifest m;
  std::size_t before = diags.ErrorCount();
  auto str = [&](const nlohmann::json& o, const char* key, bool required, std::string where) {
    auto it = o.find(key);
    if (it == o.end()) {
      if (required) diags.Error(file, 0, 0, fmt::format("{}: missing \"{}\"", where, key));
      return std::string();
    }
    if (!it->is_string()) {
      diags.Error(file, 0, 0, fmt::format("{}: \"{}\" must be a string", where, key));
      return std::string();
    }
    return it->get<std::string>();
  };
  m.name = str(j, "name", true, "manifest");
  m.version = str(j, "version", true, "manifest");
  m.date = str(j, "date", true, "manifest");
  m.description = str(j, "description", false, "manifest");
  // A calendar day (model::Date): "2026-13-45" has the form but is no date.
  if (!m.date.empty() && !model::Date::ParseDay(m.date)) {
    diags.Error(file, 0, 0, fmt::format("manifest: date '{}' is not a calendar date YYYY-MM-DD", m.date));
  }
  auto sources = j.find("sources");
  if (sources == j.end() || !sources->is_array()) {
    diags.Error(file, 0, 0, "manifest: \"sources\" must be an array of {id, kind, citation, licence, url}");
  } else {
    std::set<std::string> seen;
    std::size_t idx = 0;
    for (const auto& s : *sources) {
      std::string where = fmt::format("sources[{}]", idx++);
      if (!s.is_object()) {
        diags.Error(file, 0, 0, where + ": expected an object");
        continue;
      }
      model::Source src;
      src.id = str(s, "id", true, where);
      std::string kind = str(s, "kind", true, where);
      if (kind == "assumption") {
        src.kind = model::SourceKind::Assumption;
      } else if (kind != "published" && !kind.empty()) {
        diags.Error(file, 0, 0, fmt::format("{}: kind '{}' must be 'published' or 'assumption'", where, kind));
      }
      src.citation = str(s, "citation", true, where);
      src.licence = str(s, "licence", true, where);
      src.url = str(s, "url", false, where);
      src.evidence = str(s, "evidence", false, where);
      src.rule = str(s, "rule", src.kind == model::SourceKind::Assumption, where);
      if (!src.id.empty() && !seen.insert(src.id).second) {
        diags.Error(file, 0, 0, fmt::format("{}: duplicate source id '{}'", where, src.id));
      }
      m.sources.push_back(std::move(src));
    }
  }
  auto tables = j.find("tables");
  if (tables != j.end()) {
    if (!tables->is_object()) {
      diags.Error(file, 0, 0, "manifest: \"tables\" must be an object {file: {\"rows\": N}}");
    } else {
      for (const auto& [name, t] : tables->items()) {
        if (!FindTable(name)) {
          diags.Error(file, 0, 0, fmt::format("manifest: unknown table '{}'", name));
          continue;
        }
        auto rows = t.is_object() ? t.find("rows") : t.end();
        if (!t.is_object() || rows == t.end() || !rows->is_number_unsigned()) {
          diags.Error(file, 0, 0, fmt::format("manifest: tables.{} needs \"rows\": a count", name));
          continue;
        }
        m.table_rows[name] = rows->get<std::size_t>();
      }
    }
  }
  if (diags.ErrorCount() != before) return std::nullopt;
  return m;
}

std::string FormatManifest(const model::Manifest& m) {
  nlohmann::ordered_json j;
  j["name"] = m.name;
  j["version"] = m.version;
  j["date"] = m.date;
  j["description"] = m.description;
  auto& sources = j["sources"] = nlohmann::ordered_json::array();
  for (const auto& s : m.sources) {
    nlohmann::ordered_json o;
    o["id"] = s.id;
    o["kind"] = KindName(s.kind);
    o["citation"] = s.citation;
    o["licence"] = s.licence;
    o["url"] = s.url;
    if (!s.evidence.empty()) o["evidence"] = s.evidence;
    if (!s.rule.empty() || s.kind == model::SourceKind::Assumption) o["rule"] = s.rule;
    sources.push_back(std::move(o));
  }
  auto& tables = j["tables"] = nlohmann::ordered_json::object();
  for (const auto& [name, rows] : m.table_rows) tables[name] = {{"rows", rows}};
  return j.dump(2) + "\n";
}

}  // namespace lodestone::data
