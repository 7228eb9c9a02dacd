// Text form of the dataset: reading, writing (all-or-nothing) and conversion from a Dataset.
#include "lodestone/data/raw_tables.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <random>

#include "lodestone/data/csv.hpp"
#include "lodestone/data/encoding.hpp"
#include "lodestone/data/manifest.hpp"
#include "lodestone/data/safe_write.hpp"
#include "lodestone/model/error.hpp"

namespace lodestone::data {

namespace fs = std::filesystem;
using model::FormatNumber;
using model::FormatValueCell;

RawDataset ReadRawDataset(const fs::path& dir) {
  RawDataset raw;
  model::Diagnostics diags;
  const auto manifest_path = dir / kManifestFile;
  std::string text = ReadFileBytes(manifest_path);
  auto m = ParseManifest(text, manifest_path.string(), diags);
  if (!m) throw Error::InvalidData(std::move(diags));
  raw.manifest = std::move(*m);
  std::error_code ec;
  for (const auto& schema : AllTables()) {
    const auto path = dir / schema.file;
    if (!fs::exists(path, ec)) continue;
    std::string bytes = ReadFileBytes(path);
    if (auto problem = CheckUtf8(bytes)) {
      throw Error::InvalidData(path.string(), problem->line, problem->column, problem->message);
    }
    CsvReader reader(std::move(bytes), path.string(), &diags);
    std::vector<std::string_view> fields;
    RawTable table;
    if (!reader.Next(fields)) {
      raw.tables[std::string(schema.file)] = std::move(table);
      continue;
    }
    std::vector<std::size_t> order(schema.columns.size(), static_cast<std::size_t>(-1));
    for (std::size_t i = 0; i < fields.size(); ++i) {
      auto it = std::find(schema.columns.begin(), schema.columns.end(), fields[i]);
      if (it == schema.columns.end()) {
        diags.Error(path.string(), 1, i + 1, fmt::format("unknown column '{}'", fields[i]));
      } else {
        order[static_cast<std::size_t>(it - schema.columns.begin())] = i;
      }
    }
    for (std::size_t c = 0; c < order.size(); ++c) {
      if (order[c] == static_cast<std::size_t>(-1)) {
        diags.Error(path.string(), 1, 0, fmt::format("missing column '{}'", schema.columns[c]));
      }
    }
    if (diags.HasErrors()) throw Error::InvalidData(std::move(diags));
    const std::size_t width = fields.size();
    while (reader.Next(fields)) {
      if (fields.size() == 1 && fields[0].empty() && reader.record_unterminated()) break;
      if (fields.size() != width) {
        diags.Error(path.string(), reader.line(), 0, fmt::format("expected {} fields, found {}", width, fields.size()));
        continue;
      }
      std::vector<std::string> row;
      row.reserve(order.size());
      for (auto idx : order) row.emplace_back(fields[idx]);
      table.rows.push_back(std::move(row));
    }
    if (diags.HasErrors()) throw Error::InvalidData(std::move(diags));
    raw.tables[std::string(schema.file)] = std::move(table);
  }
  return raw;
}

namespace {

std::string Year(std::int16_t y) { return std::to_string(y); }

std::string JoinList(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += ';';
    out += s;
  }
  return out;
}

std::string KindText(model::CountryKind k) {
  switch (k) {
    case model::CountryKind::Country: return "country";
    case model::CountryKind::Aggregate: return "aggregate";
    case model::CountryKind::Residual: return "residual";
  }
  return "country";
}

}  // namespace

RawDataset ToRaw(const model::Dataset& ds) {
  const auto& c = *ds;
  RawDataset raw;
  raw.manifest = c.manifest;
  auto iso = [&](model::CountryId id) { return c.countries[id.index()].iso3; };
  auto min = [&](model::MineralId id) { return c.minerals[id.index()].id; };
  auto unit = [&](model::MineralId id) { return c.minerals[id.index()].unit.text; };
  auto stage = [&](model::StageId id) { return c.stage_ids.Name(id); };
  auto src = [&](model::SourceId id) { return c.source_ids.Name(id); };

  auto& countries = raw.tables["countries.csv"];
  for (const auto& x : c.countries) {
    countries.rows.push_back({x.iso3, x.iso_num ? std::to_string(x.iso_num) : "", x.name, c.region_ids.Name(x.region),
                              KindText(x.kind), JoinList(x.aliases)});
  }
  auto& minerals = raw.tables["minerals.csv"];
  for (const auto& x : c.minerals) minerals.rows.push_back({x.id, x.name, x.unit.text, JoinList(x.lists)});

  auto quantities = [&](const model::QuantityTable& t, const char* file) {
    if (t.size() == 0) return;
    auto& out = raw.tables[file];
    for (std::size_t i = 0; i < t.size(); ++i) {
      out.rows.push_back({min(t.mineral[i]), stage(t.stage[i]), iso(t.country[i]), Year(t.year[i]),
                          FormatValueCell(t.quantity[i]), unit(t.mineral[i]), src(t.source[i]), t.note[i]});
    }
  };
  quantities(c.production, "production.csv");
  quantities(c.capacity, "capacity.csv");
  if (c.reserves.size() > 0) {
    auto& out = raw.tables["reserves.csv"];
    const auto& t = c.reserves;
    for (std::size_t i = 0; i < t.size(); ++i) {
      out.rows.push_back({min(t.mineral[i]), iso(t.country[i]), Year(t.year[i]), FormatValueCell(t.quantity[i]),
                          unit(t.mineral[i]), src(t.source[i]), t.note[i]});
    }
  }
  if (c.shares.size() > 0) {
    auto& out = raw.tables["shares.csv"];
    const auto& t = c.shares;
    for (std::size_t i = 0; i < t.size(); ++i) {
      bool no_t = t.t_factor[i].status == model::ValueStatus::Unknown;
      out.rows.push_back({min(t.mineral[i]), stage(t.stage[i]), t.scope[i], iso(t.country[i]), t.period[i],
                          FormatValueCell(t.share[i]), no_t ? "" : FormatValueCell(t.t_factor[i]), src(t.source[i])});
    }
  }
  if (c.trade.size() > 0) {
    auto& out = raw.tables["trade.csv"];
    const auto& t = c.trade;
    out.rows.reserve(t.size());
    for (std::size_t i = 0; i < t.size(); ++i) {
      out.rows.push_back({min(t.mineral[i]), stage(t.stage[i]), fmt::format("{:06d}", t.product[i]), iso(t.exporter[i]),
                          iso(t.importer[i]), Year(t.year[i]), FormatValueCell(t.quantity[i]), unit(t.mineral[i]),
                          FormatValueCell(t.value_usd[i]), src(t.source[i])});
    }
  }
  if (c.governance.size() > 0) {
    auto& out = raw.tables["governance.csv"];
    const auto& t = c.governance;
    for (std::size_t i = 0; i < t.size(); ++i) {
      out.rows.push_back({iso(t.country[i]), Year(t.year[i]), FormatValueCell(t.va[i]), FormatValueCell(t.pv[i]),
                          FormatValueCell(t.ge[i]), FormatValueCell(t.rq[i]), FormatValueCell(t.rl[i]),
                          FormatValueCell(t.cc[i]), src(t.source[i])});
    }
  }
  if (c.groups.size() > 0) {
    auto& out = raw.tables["groups.csv"];
    const auto& t = c.groups;
    for (std::size_t i = 0; i < t.size(); ++i) {
      out.rows.push_back({c.group_ids.Name(t.group[i]), iso(t.country[i]), t.role[i], t.since[i], src(t.source[i])});
    }
  }
  if (c.import_sources.size() > 0) {
    auto& out = raw.tables["import_sources.csv"];
    const auto& t = c.import_sources;
    for (std::size_t i = 0; i < t.size(); ++i) {
      out.rows.push_back({iso(t.consumer[i]), min(t.mineral[i]), t.material[i], t.period[i], iso(t.country[i]),
                          FormatValueCell(t.share[i]), src(t.source[i])});
    }
  }
  if (c.import_reliance.size() > 0) {
    auto& out = raw.tables["import_reliance.csv"];
    const auto& t = c.import_reliance;
    for (std::size_t i = 0; i < t.size(); ++i) {
      out.rows.push_back({iso(t.consumer[i]), min(t.mineral[i]), t.material[i], Year(t.year[i]),
                          FormatValueCell(t.reliance[i]), src(t.source[i])});
    }
  }
  if (c.policies.size() > 0) {
    auto& out = raw.tables["policies.csv"];
    const auto& t = c.policies;
    for (std::size_t i = 0; i < t.size(); ++i) {
      out.rows.push_back({t.id[i], iso(t.country[i]), min(t.mineral[i]), stage(t.stage[i]), t.kind[i], t.targets[i],
                          t.announced[i], t.effective[i], t.ended[i], t.status[i], src(t.source[i]), t.note[i]});
    }
  }
  if (c.headlines.size() > 0) {
    auto& out = raw.tables["headlines.csv"];
    const auto& t = c.headlines;
    for (std::size_t i = 0; i < t.size(); ++i) {
      out.rows.push_back({min(t.mineral[i]), stage(t.stage[i]), t.metric[i], t.subject[i], Year(t.year[i]),
                          FormatValueCell(t.value[i]), t.unit[i], t.scenario[i], t.evidence[i], src(t.source[i]),
                          t.note[i]});
    }
  }
  // Tables the manifest lists are written even when empty, so that save and load round-trip.
  for (const auto& [file, rows] : c.manifest.table_rows) raw.tables[file];
  return raw;
}

void SortRows(RawTable& table, const TableSchema& schema) {
  std::vector<std::size_t> key_cols;
  for (auto k : schema.key) {
    auto it = std::find(schema.columns.begin(), schema.columns.end(), k);
    key_cols.push_back(static_cast<std::size_t>(it - schema.columns.begin()));
  }
  std::stable_sort(table.rows.begin(), table.rows.end(), [&](const auto& a, const auto& b) {
    for (auto c : key_cols) {
      if (a[c] != b[c]) return a[c] < b[c];
    }
    return a < b;
  });
}

namespace {

void WriteTableFile(const fs::path& path, const TableSchema& schema, const RawTable& table) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error::Storage(fmt::format("{}: cannot create file", path.string()));
  std::string line;
  for (std::size_t i = 0; i < schema.columns.size(); ++i) {
    if (i) line += ',';
    line += schema.columns[i];
  }
  line += '\n';
  out << line;
  for (const auto& row : table.rows) {
    line.clear();
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i) line += ',';
      line += QuoteCsvField(row[i]);
    }
    line += '\n';
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
  }
  out.flush();
  if (!out) throw Error::Storage(fmt::format("{}: write error (disk full?)", path.string()));
}

void WriteInto(RawDataset& raw, const fs::path& dir) {
  fs::create_directories(dir);
  raw.manifest.table_rows.clear();
  for (auto& [file, table] : raw.tables) {
    const auto* schema = FindTable(file);
    LODESTONE_ASSERT(schema != nullptr, fmt::format("{} is not a dataset table", file));
    for (const auto& row : table.rows) {
      LODESTONE_ASSERT(row.size() == schema->columns.size(),
                       fmt::format("{}: row with {} fields, table has {}", file, row.size(), schema->columns.size()));
    }
    WriteTableFile(dir / file, *schema, table);
    raw.manifest.table_rows[file] = table.rows.size();
  }
  std::ofstream out(dir / kManifestFile, std::ios::binary | std::ios::trunc);
  out << FormatManifest(raw.manifest);
  out.flush();
  if (!out) throw Error::Storage(fmt::format("{}: write error", (dir / kManifestFile).string()));
}

fs::path SiblingTemp(const fs::path& dir, const char* tag) {
  std::random_device rd;
  auto parent = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
  return parent / fmt::format(".{}.{}-{:08x}", dir.filename().string(), tag, rd());
}

// Replaces `dir` by `staged`: rename the old one aside, move the new one in, delete the old.
// Each step is a rename, so at every moment one complete dataset exists under one of the names.
void SwapIn(const fs::path& staged, const fs::path& dir) {
  // The staged files reach the disk before any rename makes them the dataset.
  SyncFolderAndFiles(staged);
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    auto old = SiblingTemp(dir, "old");
    fs::rename(dir, old);
    fs::rename(staged, dir);
    fs::remove_all(old, ec);
  } else {
    fs::rename(staged, dir);
  }
  SyncDir(dir.has_parent_path() ? dir.parent_path() : fs::path("."));
}

}  // namespace

model::Dataset CommitRawDataset(RawDataset raw, const fs::path& dir, const LoadOptions& options) {
  auto staged = SiblingTemp(dir, "new");
  try {
    WriteInto(raw, staged);
    auto result = LoadDataset(staged, options);
    if (!result.dataset) {
      // Report against the target's names, not the temporary directory's.
      model::Diagnostics renamed;
      for (auto d : result.diagnostics.Items()) {
        auto rel = fs::path(d.file).lexically_relative(staged);
        if (!rel.empty() && rel.native()[0] != '.') d.file = (dir / rel).string();
        if (d.severity == model::Severity::Error) {
          renamed.Error(d.file, d.line, d.column, d.message);
        } else {
          renamed.Warning(d.file, d.line, d.column, d.message);
        }
      }
      throw Error::InvalidData(std::move(renamed));
    }
    SwapIn(staged, dir);
    return std::move(*result.dataset);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(staged, ec);
    throw;
  }
}

void WriteRawDatasetUnchecked(RawDataset raw, const fs::path& dir) { WriteInto(raw, dir); }

void SaveDataset(const model::Dataset& ds, const fs::path& dir) {
  auto raw = ToRaw(ds);
  auto staged = SiblingTemp(dir, "new");
  try {
    WriteInto(raw, staged);
    SwapIn(staged, dir);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(staged, ec);
    throw;
  }
}

}  // namespace lodestone::data
