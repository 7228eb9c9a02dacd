// Importer of the critical-materials trade extract of CEPII BACI (one JSON file a year,
// flows_<year>.json, plus crosswalk.json): bilateral flows to trade.csv rows. Materials are mapped
// to minerals, stages and content factors by data/reference/trade_atlas_map.csv; alpha-2 country
// codes resolve through each file's own numeric table, then "baci:" aliases and ISO numeric codes.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "import_common.hpp"
#include "lodestone/data/baci.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/model/json_limits.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::data {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using baci::Clip;

constexpr std::string_view kSourceId = "cepii_baci_atlas";
constexpr std::string_view kMapFile = "trade_atlas_map.csv";
constexpr std::string_view kCrosswalkFile = "crosswalk.json";
constexpr std::string_view kFlowsPrefix = "flows_";
constexpr std::size_t kHs6Digits = 6;
constexpr int kMinYear = 1988;  // HS starts in 1988
constexpr int kMaxYear = 2100;
constexpr std::uintmax_t kMaxFileBytes = 256u << 20;  // far above the largest published year (0.8 MB)

struct MapEntry {
  std::string material;
  std::string mineral;  // empty: a material the dataset does not cover, skipped on purpose
  std::string hs6;
  std::string stage;
  std::string unit;
  std::optional<double> factor;
  std::string factor_source;
  std::size_t line = 0;
};

bool AllDigitsText(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsStageId(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// trade_atlas_map.csv: material, mineral, hs6, stage, content_factor, factor_source, note.
std::optional<std::map<std::string, MapEntry>> LoadMap(const Reference& ref, model::Diagnostics& diags) {
  const fs::path path = ref.dir() / kMapFile;
  MappingFile m;
  std::size_t c_mat = 0, c_min = 0, c_hs = 0, c_stage = 0, c_f = 0, c_fs = 0;
  try {
    m = ReadMappingFile(path);
    c_mat = m.Col("material");
    c_min = m.Col("mineral");
    c_hs = m.Col("hs6");
    c_stage = m.Col("stage");
    c_f = m.Col("content_factor");
    c_fs = m.Col("factor_source");
    m.Col("note");
  } catch (const Error& e) {
    diags.Append(e.diagnostics());
    return std::nullopt;
  }
  std::map<std::string, MapEntry> out;
  const std::size_t before = diags.ErrorCount();
  for (std::size_t r = 0; r < m.rows.size(); ++r) {
    const auto& row = m.rows[r];
    const std::size_t line = m.lines[r];
    auto err = [&](std::size_t col, std::string msg) { diags.Error(m.file, line, col + 1, std::move(msg)); };
    MapEntry e;
    e.material = row[c_mat];
    e.mineral = row[c_min];
    e.hs6 = row[c_hs];
    e.stage = row[c_stage];
    e.line = line;
    if (e.material.empty()) err(c_mat, "empty material (a key of the extract's 'materials' object)");
    if (out.count(e.material)) err(c_mat, fmt::format("material '{}' is listed twice", Clip(e.material)));
    if (e.hs6.size() != kHs6Digits || !AllDigitsText(e.hs6)) {
      err(c_hs, fmt::format("hs6 '{}' must be a six-digit HS code", Clip(e.hs6)));
    }
    if (!e.mineral.empty()) {
      auto unit = ref.MineralUnit(e.mineral);
      if (!unit) {
        err(c_min, fmt::format("unknown mineral '{}' (not in minerals.csv); leave it empty to skip the material",
                               Clip(e.mineral)));
      } else {
        e.unit = unit->text;
      }
      if (!IsStageId(e.stage)) {
        err(c_stage,
            fmt::format("stage '{}' must be a lower-case identifier (refining, mining, magnet ...)", Clip(e.stage)));
      }
    }
    const std::string& ftext = row[c_f];
    const std::string& fsrc = row[c_fs];
    if (!ftext.empty()) {
      double f = 0;
      if (!model::ParseDouble(ftext, f) || !(f > 0.0) || f > 1.0) {
        err(c_f, fmt::format("content_factor '{}' must be a number above 0 and at most 1, or empty when not known",
                             Clip(ftext)));
      } else {
        e.factor = f;
      }
      if (fsrc.empty()) {
        err(c_fs, "a content_factor needs its factor_source (a source id)");
      } else {
        try {
          ref.SourceRecord(fsrc);
          e.factor_source = fsrc;
        } catch (const Error&) {
          err(c_fs, fmt::format("factor_source '{}' is not a source of data/reference/sources", Clip(fsrc)));
        }
      }
    } else if (!fsrc.empty()) {
      err(c_fs, "factor_source given without a content_factor");
    }
    out.emplace(e.material, std::move(e));
  }
  if (diags.ErrorCount() != before) return std::nullopt;
  return out;
}

// Reads and parses a JSON file; errors (unreadable, too large, syntax) go to `diags` with the
// line and column of the fault.
std::optional<json> ReadJson(const fs::path& path, model::Diagnostics& diags) {
  const std::string label = path.string();
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) {
    diags.Error(label, 0, 0, "cannot open the file for reading");
    return std::nullopt;
  }
  if (size > kMaxFileBytes) {
    diags.Error(label, 0, 0, fmt::format("file of {} bytes: larger than any year of the extract", size));
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.Error(label, 0, 0, "cannot open the file for reading");
    return std::nullopt;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    const auto [line, col] = model::LineColumnAt(text, e.byte > 0 ? e.byte - 1 : 0);
    diags.Error(label, line, col, fmt::format("not valid JSON: {}", e.what()));
  } catch (const json::exception& e) {
    diags.Error(label, 1, 0, fmt::format("not valid JSON: {}", e.what()));
  }
  return std::nullopt;
}

// A non-negative finite number, or nullopt.
std::optional<double> NonNegative(const json& v) {
  if (!v.is_number()) return std::nullopt;
  const double d = v.get<double>();
  if (!std::isfinite(d) || d < 0) return std::nullopt;
  return d;
}

struct Counts {
  std::size_t files = 0, flows = 0, imported = 0, skipped_material = 0, skipped_country = 0, self = 0;
  std::size_t q_missing = 0, no_factor = 0, rejected = 0;
};

class AtlasImporter {
 public:
  AtlasImporter(const Reference& ref, const std::map<std::string, MapEntry>& map, ImportResult& result)
      : ref_(ref), map_(map), result_(result), rows_(result.tables["trade.csv"].rows) {}

  // crosswalk.json: every mapped material must be there, with the map's code as its title code.
  void ReadCrosswalk(const fs::path& path) {
    auto& diags = result_.diagnostics;
    const std::string label = path.string();
    auto doc = ReadJson(path, diags);
    if (!doc) return;
    if (!doc->is_object()) {
      diags.Error(label, 1, 1, "expected a JSON object: material -> {ore_hs, refined_hs, title_code, flags}");
      return;
    }
    for (const auto& [material, e] : map_) {
      if (e.mineral.empty()) continue;
      const auto it = doc->find(material);
      if (it == doc->end() || !it->is_object()) {
        diags.Error(label, 1, 0,
                    fmt::format("material '{}' (mapped at {}:{}) is not an object of the crosswalk", material, kMapFile,
                                e.line));
        continue;
      }
      const auto code = it->find("title_code");
      if (code == it->end() || !code->is_string() || code->get<std::string>() != e.hs6) {
        diags.Error(label, 1, 0,
                    fmt::format("{}.title_code: expected '{}' as in {}:{}, found {}", material, e.hs6, kMapFile, e.line,
                                code == it->end() ? std::string("nothing") : code->dump()));
        continue;
      }
      const auto flags = it->find("flags");
      if (flags != it->end() && flags->is_array()) {
        for (const auto& f : *flags) {
          if (f.is_string() && f.get<std::string>() == "shared_refined") shared_.insert(e.mineral);
        }
      }
    }
  }

  void ReadFlows(const fs::path& path) {
    auto& diags = result_.diagnostics;
    const std::string label = path.string();
    // The year in the name (flows_2024.json) must be the year inside.
    const std::string stem = path.stem().string();
    const std::string year_text = stem.substr(kFlowsPrefix.size());
    auto doc = ReadJson(path, diags);
    if (!doc) return;
    ++counts_.files;
    auto field_error = [&](std::string field, std::string msg) {
      diags.Error(label, 1, 0, fmt::format("{}: {}", field, msg));
    };
    if (!doc->is_object()) {
      field_error("(top level)", "expected a JSON object with year, source, iso and materials");
      return;
    }
    const auto jy = doc->find("year");
    if (jy == doc->end() || !jy->is_number_integer() || jy->get<long long>() < kMinYear ||
        jy->get<long long>() > kMaxYear) {
      field_error("year", fmt::format("expected a whole year between {} and {}", kMinYear, kMaxYear));
      return;
    }
    const int year = static_cast<int>(jy->get<long long>());
    if (year_text != std::to_string(year)) {
      field_error("year", fmt::format("the file says {} but its name says '{}'", year, year_text));
      return;
    }
    const auto js = doc->find("source");
    if (js == doc->end() || !js->is_string() || js->get<std::string>().find("BACI") == std::string::npos) {
      field_error("source", "expected a text naming CEPII BACI, as every year of the extract does");
      return;
    }
    // alpha-2 -> numeric codes as the file gives them (several for a few: BE 56/58, DE 276/280).
    const auto jiso = doc->find("iso");
    if (jiso == doc->end() || !jiso->is_object()) {
      field_error("iso", "expected an object of numeric code -> ISO alpha-2 code");
      return;
    }
    std::map<std::string, std::vector<std::string>> numeric_of;
    for (const auto& [num, a2] : jiso->items()) {
      if (!a2.is_string() || !AllDigitsText(num)) {
        field_error(fmt::format("iso.{}", Clip(num)), "expected a numeric code mapped to an alpha-2 text");
        return;
      }
      numeric_of[a2.get<std::string>()].push_back(num);
    }
    const auto jm = doc->find("materials");
    if (jm == doc->end() || !jm->is_object()) {
      field_error("materials", "expected an object of material -> list of flows");
      return;
    }
    for (const auto& [material, flows] : jm->items()) {
      const auto me = map_.find(material);
      if (me == map_.end()) {
        field_error(fmt::format("materials.{}", Clip(material)),
                    fmt::format("material not listed in data/reference/{} (map it, or list it with no mineral "
                                "to skip it)",
                                kMapFile));
        continue;
      }
      if (!flows.is_array()) {
        field_error(fmt::format("materials.{}", material), "expected a list of flows");
        continue;
      }
      const MapEntry& e = me->second;
      if (e.mineral.empty()) {
        counts_.skipped_material += flows.size();
        continue;
      }
      for (std::size_t i = 0; i < flows.size(); ++i) {
        ++counts_.flows;
        const auto& f = flows[i];
        const std::string where = fmt::format("materials.{}[{}]", material, i);
        if (!f.is_object()) {
          field_error(where, "expected an object {from, to, value, qty}");
          ++counts_.rejected;
          continue;
        }
        bool ok = true;
        auto country = [&](const char* key) -> std::optional<std::string> {
          const auto c = f.find(key);
          if (c == f.end() || !c->is_string()) {
            field_error(fmt::format("{}.{}", where, key), "expected an ISO alpha-2 code");
            ok = false;
            return std::nullopt;
          }
          return c->get<std::string>();
        };
        const auto from = country("from");
        const auto to = country("to");
        const auto jv = f.find("value");
        std::optional<double> value;
        if (jv == f.end() || !(value = NonNegative(*jv))) {
          field_error(where + ".value", "expected a non-negative number of US dollars");
          ok = false;
        }
        std::optional<double> qty;
        const auto jq = f.find("qty");
        if (jq != f.end() && !jq->is_null()) {
          qty = NonNegative(*jq);
          if (!qty) {
            field_error(where + ".qty", "expected a non-negative number of tonnes, or nothing");
            ok = false;
          }
        }
        std::optional<std::string> exporter, importer;
        if (from) exporter = Resolve(*from, numeric_of, label, where + ".from", ok);
        if (to) importer = Resolve(*to, numeric_of, label, where + ".to", ok);
        if (!ok) {
          ++counts_.rejected;
          continue;
        }
        if (exporter->empty() || importer->empty()) {
          ++counts_.skipped_country;
          continue;
        }
        if (*exporter == *importer) {
          ++counts_.self;  // e.g. Belgium and Luxembourg's old joint code folded into one country
          continue;
        }
        const auto key = std::make_tuple(e.mineral, *exporter, *importer, year);
        if (auto [it, inserted] = seen_.try_emplace(key, fmt::format("{} {}", label, where)); !inserted) {
          field_error(where, fmt::format("duplicate flow ({} {} -> {}, {}): same as {}", material, *exporter, *importer,
                                         year, it->second));
          ++counts_.rejected;
          continue;
        }
        // Quantity in content: BACI leaves some quantities blank (0 or missing here); never zero.
        std::string quantity = "unknown";
        if (!qty || *qty <= 0) {
          ++counts_.q_missing;
        } else if (!e.factor) {
          ++counts_.no_factor;
        } else {
          quantity = model::FormatNumber(*qty * *e.factor);
          factor_sources_.insert(e.factor_source);
        }
        rows_.push_back({e.mineral, e.stage, e.hs6, *exporter, *importer, std::to_string(year), std::move(quantity),
                         e.unit, model::FormatNumber(*value), std::string(kSourceId)});
        ++counts_.imported;
      }
    }
  }

  const Counts& counts() const { return counts_; }
  const std::set<std::string>& factor_sources() const { return factor_sources_; }
  const std::set<std::string>& shared() const { return shared_; }

 private:
  // ISO alpha-3 of an alpha-2 code through the file's numeric codes; "" for a code the file knows
  // but countries.csv does not (a warning, once per code); nullopt (an error) for a code the file
  // does not list.
  std::optional<std::string> Resolve(const std::string& a2, const std::map<std::string, std::vector<std::string>>& num,
                                     const std::string& label, const std::string& field, bool& ok) {
    const auto it = num.find(a2);
    if (it == num.end()) {
      result_.diagnostics.Error(label, 1, 0,
                                fmt::format("{}: country '{}' is not in the file's iso table", field, Clip(a2)));
      ok = false;
      return std::nullopt;
    }
    for (const auto& n : it->second) {
      auto iso = ref_.CountryByCode("baci", n);
      if (!iso) iso = ref_.CountryByIsoNum(std::stoi(n));
      if (iso) return iso;
    }
    if (unknown_.insert(a2).second) {
      result_.diagnostics.Warning(
          label, 1, 0,
          fmt::format("{}: country '{}' (numeric {}) is not in countries.csv; its flows are skipped", field, a2,
                      fmt::join(it->second, "/")));
    }
    return std::string();
  }

  const Reference& ref_;
  const std::map<std::string, MapEntry>& map_;
  ImportResult& result_;
  std::vector<std::vector<std::string>>& rows_;
  std::map<std::tuple<std::string, std::string, std::string, int>, std::string> seen_;
  std::set<std::string> factor_sources_, shared_, unknown_;
  Counts counts_;
};

}  // namespace

ImportResult ImportTradeAtlas(const std::vector<fs::path>& files, const Reference& ref) {
  ImportResult result;
  result.importer = "trade-atlas";
  result.tables["trade.csv"];
  auto& diags = result.diagnostics;
  auto map = LoadMap(ref, diags);
  if (!map) return result;
  std::optional<fs::path> crosswalk;
  std::vector<fs::path> flows;
  for (const auto& f : files) {
    const std::string name = f.filename().string();
    if (name == kCrosswalkFile) {
      if (crosswalk) diags.Error(f.string(), 0, 0, "a second crosswalk.json");
      crosswalk = f;
    } else if (name.rfind(kFlowsPrefix, 0) == 0 && f.extension() == ".json") {
      flows.push_back(f);
    } else {
      diags.Error(f.string(), 0, 0, "expected crosswalk.json or flows_<year>.json");
    }
  }
  if (!crosswalk) {
    diags.Warning("", 0, 0, "crosswalk.json not given: the products of trade_atlas_map.csv are not checked against it");
  }
  if (flows.empty()) diags.Error("", 0, 0, "no flows_<year>.json file given");
  if (diags.HasErrors()) return result;
  std::sort(flows.begin(), flows.end());
  AtlasImporter importer(ref, *map, result);
  if (crosswalk) importer.ReadCrosswalk(*crosswalk);
  if (diags.HasErrors()) return result;
  for (const auto& f : flows) importer.ReadFlows(f);

  detail::AddSource(result, ref.SourceRecord(kSourceId));
  for (const auto& id : importer.factor_sources()) detail::AddSource(result, ref.SourceRecord(id));
  const Counts& c = importer.counts();
  result.stats = {
      {"files read", c.files},
      {"flows of mapped materials read", c.flows},
      {"rows imported", c.imported},
      {"flows skipped: material not a mineral of the dataset", c.skipped_material},
      {"flows skipped: country not in countries.csv", c.skipped_country},
      {"flows skipped: exporter and importer the same country", c.self},
      {"flows rejected (errors)", c.rejected},
      {"rows with quantity unknown: qty missing or 0", c.q_missing},
      {"rows with quantity unknown: no content factor", c.no_factor},
      {"minerals whose product is a shared group code (811292)", importer.shared().size()},
  };
  return result;
}

}  // namespace lodestone::data
