// Import plumbing shared by all importers: the registry of importer names and the
// all-or-nothing merge of imported rows into a dataset directory.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <set>

#include <nlohmann/json.hpp>
#include "import_common.hpp"
#include "lodestone/data/encoding.hpp"
#include "lodestone/data/importers.hpp"
#include "lodestone/data/safe_write.hpp"
#include "lodestone/data/schema.hpp"
#include "lodestone/model/error.hpp"

namespace lodestone::data {

namespace fs = std::filesystem;

namespace detail {

std::string_view Trim(std::string_view s) {
  auto is_space_at_front = [&](std::string_view v) -> std::size_t {
    if (v.empty()) return 0;
    if (v[0] == ' ' || v[0] == '\t') return 1;
    if (v.size() >= 2 && static_cast<unsigned char>(v[0]) == 0xC2 && static_cast<unsigned char>(v[1]) == 0xA0) return 2;
    return 0;
  };
  auto is_space_at_back = [&](std::string_view v) -> std::size_t {
    if (v.empty()) return 0;
    if (v.back() == ' ' || v.back() == '\t') return 1;
    if (v.size() >= 2 && static_cast<unsigned char>(v[v.size() - 2]) == 0xC2 &&
        static_cast<unsigned char>(v.back()) == 0xA0) {
      return 2;
    }
    return 0;
  };
  while (auto n = is_space_at_front(s)) s.remove_prefix(n);
  while (auto n = is_space_at_back(s)) s.remove_suffix(n);
  return s;
}

void AddSource(ImportResult& result, const model::Source& src) {
  for (const auto& s : result.sources) {
    if (s.id == src.id) return;
  }
  result.sources.push_back(src);
}

}  // namespace detail

std::vector<std::string> ImporterNames() {
  return {"usgs-mcs",
          "wgi",
          "eu-crm-annex7",
          "baci",
          "trade-atlas",
          "msp",
          "us-agreements",
          "processing-headlines",
          "export-restrictions",
          "japan-import-sources",
          "japan-import-reliance",
          "refining-shares"};
}

ImportResult RunImporter(std::string_view kind, const std::vector<fs::path>& files, const Reference& ref) {
  auto one = [&]() -> const fs::path& {
    if (files.size() != 1) {
      throw Error::InvalidRequest(fmt::format("importer '{}' takes exactly one file, got {}", kind, files.size()));
    }
    return files.front();
  };
  if (files.empty()) throw Error::InvalidRequest(fmt::format("importer '{}' needs at least one file", kind));
  if (kind == "usgs-mcs") return ImportUsgsMcs(one(), ref);
  if (kind == "wgi") return ImportWgi(one(), ref);
  if (kind == "eu-crm-annex7") return ImportEuAnnex7(files, ref);
  if (kind == "baci") return ImportBaci(files, ref);
  if (kind == "trade-atlas") return ImportTradeAtlas(files, ref);
  if (kind == "msp") return ImportMspMembership(one(), ref);
  if (kind == "us-agreements") return ImportUsAgreements(one(), ref);
  if (kind == "processing-headlines") return ImportProcessingHeadlines(one(), ref);
  if (kind == "export-restrictions") return ImportExportRestrictions(one(), ref);
  if (kind == "japan-import-sources") return ImportJapanImportSources(one(), ref);
  if (kind == "japan-import-reliance") return ImportJapanImportReliance(one(), ref);
  if (kind == "refining-shares") return ImportRefiningShares(one(), ref);
  std::string names;
  for (const auto& n : ImporterNames()) names += (names.empty() ? "" : ", ") + n;
  throw Error::InvalidRequest(fmt::format("unknown importer '{}': expected one of {}", kind, names));
}

namespace {

std::string Today() {
  auto now = std::chrono::system_clock::now();
  auto days = std::chrono::floor<std::chrono::days>(now);
  std::chrono::year_month_day ymd{days};
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

}  // namespace

namespace {

RawDataset NewRawDataset(const Reference& ref) {
  RawDataset base;
  base.manifest.name = "lodestone-dataset";
  base.manifest.version = "0";
  base.manifest.date = Today();
  base.manifest.description = "Built by lodestone data import";
  base.tables["countries.csv"] = ref.countries();
  base.tables["minerals.csv"] = ref.minerals();
  return base;
}

// The column of `source` in a table, or npos.
std::size_t SourceColumn(const TableSchema& schema) {
  auto it = std::find(schema.columns.begin(), schema.columns.end(), "source");
  return it == schema.columns.end() ? std::string::npos : static_cast<std::size_t>(it - schema.columns.begin());
}

// Refuses an import that would silently lose data: one that yields no rows (a header-only or
// truncated file), or one that would replace the rows of its sources by fewer than half as many.
void CheckImportLoss(const RawDataset& base, const ImportResult& result, const fs::path& out_dir) {
  std::set<std::string> ids;
  for (const auto& s : result.sources) ids.insert(s.id);
  std::size_t added = 0;
  for (const auto& [file, table] : result.tables) added += table.rows.size();
  std::size_t removed = 0;
  std::string detail;
  for (const auto& [file, table] : base.tables) {
    const auto* schema = FindTable(file);
    if (!schema) continue;
    auto col = SourceColumn(*schema);
    if (col == std::string::npos) continue;
    auto n = static_cast<std::size_t>(std::count_if(table.rows.begin(), table.rows.end(), [&](const auto& row) {
      return col < row.size() && ids.count(row[col]) > 0;
    }));
    if (n == 0) continue;
    removed += n;
    auto kept = result.tables.find(file);
    detail += fmt::format("{}{} {} of {} rows", detail.empty() ? "" : ", ", file, n, table.rows.size());
    if (kept != result.tables.end()) detail += fmt::format(" (replaced by {})", kept->second.rows.size());
  }
  std::string sources;
  for (const auto& id : ids) sources += (sources.empty() ? "" : ", ") + id;
  if (added == 0) {
    throw Error::InvalidData(
        out_dir.string(), 0, 0,
        fmt::format("the {} import yields no rows (is the file empty, header-only or truncated?){}: refusing to "
                    "import; use --force to import anyway",
                    result.importer.empty() ? "an" : result.importer,
                    removed ? fmt::format(" and would delete {} rows of source {}: {}", removed, sources, detail)
                            : std::string()));
  }
  if (removed > 0 && added * 2 < removed) {
    throw Error::InvalidData(
        out_dir.string(), 0, 0,
        fmt::format("the {} import yields {} rows and would delete {} rows of source {} ({}): more than half of "
                    "them; refusing to import (is the file truncated?); use --force to import anyway",
                    result.importer, added, removed, sources, detail));
  }
}

// Replaces the rows of `result`'s sources in `base` by the imported rows; sorts every table.
void MergeImport(RawDataset& base, const ImportResult& result) {
  std::set<std::string> ids;
  for (const auto& s : result.sources) {
    ids.insert(s.id);
    auto it = std::find_if(base.manifest.sources.begin(), base.manifest.sources.end(),
                           [&](const model::Source& x) { return x.id == s.id; });
    if (it != base.manifest.sources.end()) {
      *it = s;
    } else {
      base.manifest.sources.push_back(s);
    }
  }
  for (auto& [file, table] : base.tables) {
    const auto* schema = FindTable(file);
    auto it = std::find(schema->columns.begin(), schema->columns.end(), "source");
    if (it == schema->columns.end()) continue;
    auto col = static_cast<std::size_t>(it - schema->columns.begin());
    std::erase_if(table.rows, [&](const auto& row) { return ids.count(row[col]) > 0; });
  }
  for (const auto& [file, table] : result.tables) {
    const auto* schema = FindTable(file);
    LODESTONE_ASSERT(schema != nullptr, file + ": importer produced an unknown table");
    auto& dest = base.tables[file];
    dest.rows.insert(dest.rows.end(), table.rows.begin(), table.rows.end());
  }
  for (auto& [file, table] : base.tables) SortRows(table, *FindTable(file));
  for (auto it = base.tables.begin(); it != base.tables.end();) {
    if (it->second.rows.empty() && !FindTable(it->first)->required) {
      it = base.tables.erase(it);
    } else {
      ++it;
    }
  }
  // Sources in a stable order: by id.
  std::sort(base.manifest.sources.begin(), base.manifest.sources.end(),
            [](const model::Source& a, const model::Source& b) { return a.id < b.id; });
}

}  // namespace

namespace {
// "ds/" and "ds/." name the folder "ds": the staging folder and the swap work on its name.
fs::path DatasetDir(const fs::path& p) {
  fs::path n = p.lexically_normal();
  if (n.filename().empty() && n.has_parent_path()) n = n.parent_path();
  return n;
}
}  // namespace

model::Dataset ApplyImport(const ImportResult& result, const fs::path& requested_dir, const Reference& ref,
                           const ApplyImportOptions& options) {
  const fs::path out_dir = DatasetDir(requested_dir);
  if (result.diagnostics.HasErrors()) throw Error::InvalidData(result.diagnostics);
  CheckDatasetTarget(out_dir);
  DatasetLock lock(out_dir);
  RecoverDatasetDir(out_dir);
  std::error_code ec;
  RawDataset base;
  if (fs::exists(out_dir / kManifestFile, ec)) {
    base = ReadRawDataset(out_dir);
  } else {
    if (fs::exists(out_dir, ec) && !fs::is_empty(out_dir, ec)) {
      throw Error::InvalidRequest(out_dir.string() + ": " +
                                  "directory exists, is not empty and has no dataset.json: refusing to overwrite");
    }
    base = NewRawDataset(ref);
  }
  if (!options.force) CheckImportLoss(base, result, out_dir);
  MergeImport(base, result);
  return CommitRawDataset(std::move(base), out_dir);
}

namespace {

constexpr std::string_view kPublishedPrefix = "published:";

// A recipe's file name: "published:REL" under the published-files directory, else relative to
// the recipe.
fs::path RecipeFile(const fs::path& recipe, const std::string& name, const fs::path& published_dir) {
  if (name.rfind(kPublishedPrefix, 0) != 0) return recipe.parent_path() / name;
  const fs::path file = published_dir / name.substr(kPublishedPrefix.size());
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    throw Error::NotFound(
        fmt::format("{}: published file {} not found under {} (the raw published files are read "
                    "where they are kept, not copied into the project)",
                    recipe.string(), name.substr(kPublishedPrefix.size()), published_dir.string()));
  }
  return file;
}

}  // namespace

BuildReport BuildDataset(const fs::path& recipe, const fs::path& requested_dir, const Reference& ref,
                         const fs::path& published_dir) {
  const fs::path out_dir = DatasetDir(requested_dir);
  std::string text = ReadFileBytes(recipe);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // syntax, or a number beyond a double
    throw Error::InvalidData(recipe.string(), 0, 0, fmt::format("malformed JSON: {}", e.what()));
  }
  auto field = [&](const char* key) {
    if (!j.contains(key) || !j[key].is_string()) {
      throw Error::InvalidData(recipe.string(), 0, 0, fmt::format("recipe needs a string \"{}\"", key));
    }
    return j[key].get<std::string>();
  };
  RawDataset base = NewRawDataset(ref);
  base.manifest.name = field("name");
  base.manifest.version = field("version");
  base.manifest.date = field("date");
  base.manifest.description = field("description");
  if (!j.contains("steps") || !j["steps"].is_array()) {
    throw Error::InvalidData(recipe.string(), 0, 0, "recipe needs \"steps\": [{\"importer\": ..., \"files\": [...]}]");
  }
  CheckDatasetTarget(out_dir);
  DatasetLock lock(out_dir);
  RecoverDatasetDir(out_dir);
  std::error_code ec;
  if (fs::exists(out_dir, ec) && !fs::exists(out_dir / kManifestFile, ec) && !fs::is_empty(out_dir, ec)) {
    throw Error::InvalidRequest(out_dir.string() + ": " +
                                "directory exists, is not empty and has no dataset.json: refusing to overwrite");
  }
  BuildReport report;
  model::Diagnostics failures;
  for (const auto& step : j["steps"]) {
    BuildStep s;
    s.importer = step.value("importer", "");
    for (const auto& f : step.value("files", nlohmann::json::array())) {
      s.files.push_back(RecipeFile(recipe, f.get<std::string>(), published_dir));
    }
    ImportResult r = RunImporter(s.importer, s.files, ref);
    s.stats = r.stats;
    s.diagnostics = r.diagnostics;
    if (r.diagnostics.HasErrors()) {
      failures.Append(r.diagnostics);
    } else {
      MergeImport(base, r);
    }
    report.steps.push_back(std::move(s));
  }
  if (failures.HasErrors()) throw Error::InvalidData(std::move(failures));
  report.dataset = CommitRawDataset(std::move(base), out_dir);
  return report;
}

}  // namespace lodestone::data
