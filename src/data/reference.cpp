// Reference: country names and codes, minerals, sources and mapping files for importers.
#include "lodestone/data/reference.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "lodestone/data/csv.hpp"
#include "lodestone/data/encoding.hpp"
#include "lodestone/data/manifest.hpp"
#include "lodestone/model/error.hpp"

namespace lodestone::data {

namespace fs = std::filesystem;

std::string NormaliseName(std::string_view name) {
  std::string out;
  for (char ch : name) {
    auto c = static_cast<unsigned char>(ch);
    if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out += static_cast<char>(c);
    }
  }
  return out;
}

MappingFile ReadMappingFile(const fs::path& path) {
  MappingFile m;
  m.file = path.string();
  std::string text = ReadFileBytes(path);
  if (auto p = CheckUtf8(text)) throw Error::InvalidData(m.file, p->line, p->column, p->message);
  model::Diagnostics diags;
  CsvReader reader(std::move(text), m.file, &diags);
  std::vector<std::string_view> fields;
  if (!reader.Next(fields)) throw Error::InvalidData(m.file, 1, 0, "empty file: expected a header line");
  for (auto f : fields) m.header.emplace_back(f);
  while (reader.Next(fields)) {
    if (fields.size() == 1 && fields[0].empty()) continue;
    if (fields.size() != m.header.size()) {
      diags.Error(m.file, reader.line(), 0,
                  fmt::format("expected {} fields, found {}", m.header.size(), fields.size()));
      continue;
    }
    m.rows.emplace_back(fields.begin(), fields.end());
    m.lines.push_back(reader.line());
  }
  if (diags.HasErrors()) throw Error::InvalidData(std::move(diags));
  return m;
}

std::size_t MappingFile::Col(std::string_view name) const {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  throw Error::InvalidData(file, 1, 0, fmt::format("missing column '{}'", name));
}

Reference Reference::Load(const fs::path& dir) {
  Reference r;
  r.dir_ = dir;
  auto countries = ReadMappingFile(dir / "countries.csv");
  auto ciso = countries.Col("iso3"), cnum = countries.Col("iso_num"), cname = countries.Col("name"),
       calias = countries.Col("aliases");
  model::Diagnostics diags;
  auto add_name = [&](const std::string& key, const std::string& iso, std::size_t line) {
    auto [it, inserted] = r.by_name_.emplace(key, iso);
    if (!inserted && it->second != iso) {
      diags.Error(countries.file, line, 0, fmt::format("name '{}' is given to both {} and {}", key, it->second, iso));
    }
  };
  for (std::size_t i = 0; i < countries.rows.size(); ++i) {
    const auto& row = countries.rows[i];
    const auto& iso = row[ciso];
    r.iso3_.push_back(iso);
    add_name(NormaliseName(iso), iso, countries.lines[i]);
    add_name(NormaliseName(row[cname]), iso, countries.lines[i]);
    if (!row[cnum].empty()) r.by_num_[std::stoi(row[cnum])] = iso;
    std::string_view aliases = row[calias];
    std::size_t start = 0;
    while (start <= aliases.size() && !aliases.empty()) {
      auto p = aliases.find(';', start);
      auto a = aliases.substr(start, p == std::string_view::npos ? aliases.npos : p - start);
      if (auto colon = a.find(':'); colon != std::string_view::npos) {
        r.by_code_[std::string(a)] = iso;
      } else if (!a.empty()) {
        add_name(NormaliseName(a), iso, countries.lines[i]);
      }
      if (p == std::string_view::npos) break;
      start = p + 1;
    }
    r.countries_.rows.push_back(row);
  }
  auto minerals = ReadMappingFile(dir / "minerals.csv");
  auto mid = minerals.Col("id"), munit = minerals.Col("unit");
  for (std::size_t i = 0; i < minerals.rows.size(); ++i) {
    auto unit = model::ParseUnit(minerals.rows[i][munit]);
    if (!unit) {
      diags.Error(minerals.file, minerals.lines[i], munit + 1, fmt::format("bad unit '{}'", minerals.rows[i][munit]));
      continue;
    }
    r.mineral_units_[minerals.rows[i][mid]] = *unit;
    r.minerals_.rows.push_back(minerals.rows[i]);
  }
  // Reorder to schema column order so the tables can be copied into a new dataset.
  auto reorder = [&](RawTable& t, const MappingFile& m, std::string_view file) {
    const auto* schema = FindTable(file);
    std::vector<std::size_t> idx;
    for (auto c : schema->columns) idx.push_back(m.Col(c));
    for (auto& row : t.rows) {
      std::vector<std::string> out;
      for (auto k : idx) out.push_back(row[k]);
      row = std::move(out);
    }
  };
  reorder(r.countries_, countries, "countries.csv");
  reorder(r.minerals_, minerals, "minerals.csv");

  // Source records: every *.json file of sources/, in file-name order.
  std::vector<fs::path> source_files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir / "sources", ec)) {
    if (entry.path().extension() == ".json") source_files.push_back(entry.path());
  }
  if (ec)
    throw Error::NotFound(fmt::format("{}: cannot list the source records directory", (dir / "sources").string()));
  std::sort(source_files.begin(), source_files.end());
  nlohmann::json all = nlohmann::json::array();
  for (const auto& path : source_files) {
    std::string text = ReadFileBytes(path);
    try {
      // Keep the parsed document alive: a range-for over a member of a temporary dangles.
      const auto parsed = nlohmann::json::parse(text);
      for (const auto& s : parsed.at("sources")) all.push_back(s);
    } catch (const std::exception& e) {
      throw Error::InvalidData(path.string(), 0, 0, fmt::format("malformed sources file: {}", e.what()));
    }
  }
  nlohmann::json j = nlohmann::json::object({{"name", "reference"}, {"version", "0"}, {"date", "2000-01-01"}});
  j["sources"] = std::move(all);
  auto m = ParseManifest(j.dump(), (dir / "sources").string(), diags);
  if (m) r.sources_ = std::move(m->sources);
  if (diags.HasErrors()) throw Error::InvalidData(std::move(diags));
  return r;
}

std::optional<std::string> Reference::CountryByName(std::string_view name) const {
  auto it = by_name_.find(NormaliseName(name));
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Reference::CountryByCode(std::string_view ns, std::string_view code) const {
  auto it = by_code_.find(fmt::format("{}:{}", ns, code));
  if (it == by_code_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Reference::CountryByIsoNum(int num) const {
  auto it = by_num_.find(num);
  if (it == by_num_.end()) return std::nullopt;
  return it->second;
}

bool Reference::HasCountry(std::string_view iso3) const {
  for (const auto& c : iso3_) {
    if (c == iso3) return true;
  }
  return false;
}

std::optional<model::Unit> Reference::MineralUnit(std::string_view id) const {
  auto it = mineral_units_.find(id);
  if (it == mineral_units_.end()) return std::nullopt;
  return it->second;
}

const model::Source& Reference::SourceRecord(std::string_view id) const {
  for (const auto& s : sources_) {
    if (s.id == id) return s;
  }
  throw Error::InvalidData((dir_ / "sources").string(), 0, 0,
                           fmt::format("source '{}' is not described in the reference sources", id));
}

}  // namespace lodestone::data
