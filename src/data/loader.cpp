// The dataset loader: reads and validates every table of a dataset directory into the columnar
// model::Dataset. Validation collects all problems; a Dataset is built only when there are none.
#include "lodestone/data/loader.hpp"
#include "lodestone/model/date.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <unordered_map>

#include "date_text.hpp"
#include "lodestone/data/csv.hpp"
#include "lodestone/data/encoding.hpp"
#include "lodestone/data/manifest.hpp"
#include "lodestone/data/schema.hpp"

namespace lodestone::data {

using model::CountryId;
using model::Diagnostics;
using model::MineralId;
using model::SourceId;
using model::StageId;
using model::Value;
using model::ValueStatus;

namespace {

constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2155;  // years are packed into 8 bits of a key

// Equality of short strings without a library call: the row caches compare a handful of bytes
// per cell, millions of times.
inline bool SameShort(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// "US2025": two or more upper-case letters, then a four-digit year.
bool IsListCode(std::string_view s) {
  constexpr std::size_t kYearDigits = 4;
  if (s.size() < kYearDigits + 2) return false;
  const auto letters = s.size() - kYearDigits;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i < letters ? !(c >= 'A' && c <= 'Z') : !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool IsIdentifier(std::string_view s, bool allow_upper) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              (allow_upper && c >= 'A' && c <= 'Z');
    if (!ok) return false;
  }
  return true;
}

// Whole non-negative numbers of up to 9 digits (years, HS codes) without from_chars.
bool ParseSmallUint(std::string_view s, std::uint32_t& out) {
  if (s.empty() || s.size() > 9) return false;
  std::uint32_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint32_t>(c - '0');
  }
  out = v;
  return true;
}

// ISO alpha-3 code -> dense id through a 26^3 table: no hashing on the hot path.
class CountryCodeTable {
 public:
  static constexpr std::size_t kSize = 26 * 26 * 26;
  static constexpr std::uint16_t kNone = 0xFFFF;
  void Build(const model::Interner<CountryId>& ids) {
    table_.assign(kSize, kNone);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const auto& code = ids.names()[i];
      if (auto slot = Slot(code)) table_[*slot] = static_cast<std::uint16_t>(i);
    }
  }
  std::optional<CountryId> Find(std::string_view code) const {
    auto slot = Slot(code);
    if (!slot || table_.empty() || table_[*slot] == kNone) return std::nullopt;
    return CountryId{table_[*slot]};
  }

 private:
  static std::optional<std::size_t> Slot(std::string_view c) {
    if (c.size() != 3) return std::nullopt;
    std::size_t v = 0;
    for (char ch : c) {
      if (ch < 'A' || ch > 'Z') return std::nullopt;
      v = v * 26 + static_cast<std::size_t>(ch - 'A');
    }
    return v;
  }
  std::vector<std::uint16_t> table_;
};

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  std::size_t start = 0;
  while (true) {
    auto p = s.find(';', start);
    out.emplace_back(s.substr(start, p == std::string_view::npos ? s.npos : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

// A 128-bit composite key built from fixed-width parts, for duplicate detection without
// hashing strings.
// A 128-bit composite key: parts fill word 0 then word 1, each from its high bits down, so that
// comparing keys compares the parts in the order they were added (never straddling the words).
struct Key {
  std::array<std::uint64_t, 2> w{};
  bool operator<(const Key& o) const { return w[0] != o.w[0] ? w[0] < o.w[0] : w[1] < o.w[1]; }
  bool operator==(const Key& o) const { return w == o.w; }
};

class KeyBuilder {
 public:
  KeyBuilder& Add(std::uint64_t v, int width) {
    std::size_t word = used_[0] + width <= 64 ? 0 : 1;
    used_[word] += width;
    const std::uint64_t mask = width == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1;
    key_.w[word] |= (v & mask) << (64 - used_[word]);
    return *this;
  }
  const Key& key() const { return key_; }

 private:
  Key key_;
  std::array<int, 2> used_{};
};

// Per-table interning of free-text key parts (material, period, metric ...).
class TextIds {
 public:
  std::uint64_t Get(std::string_view s) {
    auto it = ids_.find(s);
    if (it != ids_.end()) return it->second;
    auto id = static_cast<std::uint64_t>(ids_.size());
    ids_.emplace(std::string(s), id);
    return id;
  }

 private:
  std::unordered_map<std::string, std::uint64_t, model::StringHash, std::equal_to<>> ids_;
};

// One table file being read: encoding check, header mapping, row iteration, and errors tied to
// the file's own line and column numbers.
class TableFile {
 public:
  TableFile(const std::filesystem::path& dir, const TableSchema& schema, Diagnostics& diags)
      : schema_(schema), diags_(diags), label_((dir / schema.file).string()) {
    TextBuffer text;
    try {
      text = TextBuffer::FromFile(dir / schema.file);
    } catch (const lodestone::Error& e) {
      diags_.Append(e.diagnostics());
      return;
    }
    if (auto problem = CheckUtf8(text.view())) {
      diags_.Error(label_, problem->line, problem->column, problem->message);
      return;
    }
    if (text.size() == 0) {
      diags_.Error(label_, 1, 0, fmt::format("empty file: expected the header line '{}'", ExpectedHeader()));
      return;
    }
    reader_.emplace(std::move(text), label_, &diags_);
    std::vector<std::string_view> header;
    reader_->Next(header);
    if (reader_->record_malformed()) return;
    header_size_ = header.size();
    col_index_.assign(schema_.columns.size(), kAbsent);
    for (std::size_t i = 0; i < header.size(); ++i) {
      auto it = std::find(schema_.columns.begin(), schema_.columns.end(), header[i]);
      if (it == schema_.columns.end()) {
        diags_.Error(label_, 1, i + 1,
                     fmt::format("unknown column '{}': expected {}", Truncate(header[i]), ExpectedHeader()));
        continue;
      }
      auto c = static_cast<std::size_t>(it - schema_.columns.begin());
      if (col_index_[c] != kAbsent) {
        diags_.Error(label_, 1, i + 1, fmt::format("column '{}' appears twice", header[i]));
      }
      col_index_[c] = i;
    }
    bool complete = true;
    for (std::size_t c = 0; c < schema_.columns.size(); ++c) {
      if (col_index_[c] == kAbsent) {
        diags_.Error(label_, 1, 0,
                     fmt::format("missing column '{}': expected {}", schema_.columns[c], ExpectedHeader()));
        complete = false;
      }
    }
    ok_ = complete;
  }

  bool ok() const { return ok_; }
  const std::string& label() const { return label_; }

  // Advances to the next well-formed row; rows with the wrong field count are reported and
  // skipped.
  bool Next() {
    if (!ok_) return false;
    while (reader_->Next(fields_)) {
      if (reader_->record_malformed()) {
        ++rows_;
        continue;
      }
      if (fields_.size() == 1 && fields_[0].empty() && reader_->record_unterminated()) {
        break;  // nothing after the last line terminator
      }
      ++rows_;
      if (fields_.size() != header_size_) {
        diags_.Error(label_, reader_->line(), std::min(fields_.size(), header_size_) + 1,
                     fmt::format("expected {} fields, found {}{}", header_size_, fields_.size(),
                                 reader_->record_unterminated() ? " (file truncated?)" : ""));
        continue;
      }
      return true;
    }
    return false;
  }

  std::string_view Cell(std::size_t schema_col) const { return fields_[col_index_[schema_col]]; }
  std::size_t line() const { return reader_->line(); }
  std::size_t rows() const { return rows_; }
  std::size_t bytes() const { return reader_ ? reader_->bytes() : 0; }
  void Error(std::size_t schema_col, std::string message) {
    diags_.Error(label_, line(), col_index_[schema_col] + 1, std::move(message));
  }
  Diagnostics& diags() { return diags_; }
  std::size_t Col(std::string_view name) const {
    auto it = std::find(schema_.columns.begin(), schema_.columns.end(), name);
    return static_cast<std::size_t>(it - schema_.columns.begin());
  }

 private:
  static constexpr std::size_t kAbsent = static_cast<std::size_t>(-1);
  static std::string Truncate(std::string_view s) {
    return s.size() > 40 ? std::string(s.substr(0, 40)) + "..." : std::string(s);
  }
  std::string ExpectedHeader() const {
    std::string h;
    for (auto c : schema_.columns) {
      if (!h.empty()) h += ',';
      h += c;
    }
    return h;
  }

  const TableSchema& schema_;
  Diagnostics& diags_;
  std::string label_;
  std::optional<CsvReader> reader_;
  std::vector<std::string_view> fields_;
  std::vector<std::size_t> col_index_;
  std::size_t header_size_ = 0;
  std::size_t rows_ = 0;
  bool ok_ = false;
};

// Collects (key, line) pairs and reports duplicates. Rows written by Lodestone are sorted by
// key, so the common case is a single ordered pass with no extra memory.
class DuplicateCheck {
 public:
  void Reserve(std::size_t n) { entries_.reserve(n); }
  void Add(const KeyBuilder& kb, std::size_t line) {
    const Key& k = kb.key();
    if (!entries_.empty() && !(entries_.back().key < k)) sorted_ = false;
    entries_.push_back({k, static_cast<std::uint32_t>(line)});
  }
  void Report(const std::string& file, Diagnostics& diags, std::string_view key_desc) {
    if (!sorted_) {
      std::stable_sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) { return a.key < b.key; });
    }
    for (std::size_t i = 1; i < entries_.size(); ++i) {
      if (entries_[i].key == entries_[i - 1].key) {
        auto [first, second] = std::minmax(entries_[i - 1].line, entries_[i].line);
        diags.Error(file, second, 0, fmt::format("duplicate key ({}): same as line {}", key_desc, first));
      }
    }
  }

 private:
  // 24 bytes per row: this runs over every row of tables with millions of rows.
  struct Entry {
    Key key;
    std::uint32_t line;
  };
  std::vector<Entry> entries_;
  bool sorted_ = true;
};

// The duplicate-key check for large tables (trade): rows written by Lodestone come sorted by
// key, so a duplicate is always next to its twin and only the previous key and each row's line
// (4 bytes) are kept. If the order breaks, keys are rebuilt from the table's columns at the end
// and sorted.
class SortedKeyCheck {
 public:
  void Reserve(std::size_t n) { lines_.reserve(n); }
  void Add(const KeyBuilder& kb, std::size_t line) {
    const Key& k = kb.key();
    if (!lines_.empty() && sorted_) {
      if (k == last_) {
        adjacent_.emplace_back(lines_.back(), static_cast<std::uint32_t>(line));
      } else if (k < last_) {
        sorted_ = false;
      }
    }
    last_ = k;
    lines_.push_back(static_cast<std::uint32_t>(line));
  }
  // `key_of(i)` rebuilds row i's key from the table's columns.
  template <class KeyOf>
  void Report(const std::string& file, Diagnostics& diags, std::string_view key_desc, KeyOf key_of) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
    if (sorted_) {
      pairs = std::move(adjacent_);
    } else {
      std::vector<std::pair<Key, std::uint32_t>> entries;
      entries.reserve(lines_.size());
      for (std::size_t i = 0; i < lines_.size(); ++i) entries.emplace_back(key_of(i), lines_[i]);
      std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      for (std::size_t i = 1; i < entries.size(); ++i) {
        if (entries[i].first == entries[i - 1].first) {
          auto [first, second] = std::minmax(entries[i - 1].second, entries[i].second);
          pairs.emplace_back(first, second);
        }
      }
    }
    for (const auto& [first, second] : pairs) {
      diags.Error(file, second, 0, fmt::format("duplicate key ({}): same as line {}", key_desc, first));
    }
  }

 private:
  std::vector<std::uint32_t> lines_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> adjacent_;
  Key last_;
  bool sorted_ = true;
};

std::string KeyDescription(const TableSchema& s) {
  std::string out;
  for (auto k : s.key) {
    if (!out.empty()) out += ", ";
    out += k;
  }
  return out;
}

// Reads all tables into DatasetContents, reporting into diags.
class Loader {
 public:
  Loader(std::filesystem::path dir, const LoadOptions& opt, Diagnostics& diags)
      : dir_(std::move(dir)), opt_(opt), diags_(diags) {}

  std::optional<model::Dataset> Run() {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir_, ec)) {
      diags_.Error(dir_.string(), 0, 0, "not a dataset directory");
      return std::nullopt;
    }
    const auto manifest_path = dir_ / kManifestFile;
    std::string manifest_text;
    try {
      manifest_text = ReadFileBytes(manifest_path);
    } catch (const lodestone::Error& e) {
      diags_.Append(e.diagnostics());
      return std::nullopt;
    }
    if (auto problem = CheckUtf8(manifest_text)) {
      diags_.Error(manifest_path.string(), problem->line, problem->column, problem->message);
      return std::nullopt;
    }
    auto manifest = ParseManifest(manifest_text, manifest_path.string(), diags_);
    if (!manifest) return std::nullopt;
    c_.manifest = std::move(*manifest);
    for (const auto& s : c_.manifest.sources) c_.source_ids.Intern(s.id);

    for (const auto& schema : AllTables()) {
      bool listed = c_.manifest.table_rows.count(std::string(schema.file)) > 0;
      bool present = std::filesystem::exists(dir_ / schema.file, ec);
      if (!present) {
        if (schema.required || listed) {
          diags_.Error((dir_ / schema.file).string(), 0, 0,
                       listed ? "file listed in dataset.json is missing" : "required table is missing");
        }
        continue;
      }
      if (!listed) {
        diags_.Error((dir_ / schema.file).string(), 0, 0,
                     "table is not listed in dataset.json \"tables\" (add it with its row count)");
      }
      TableFile t(dir_, schema, diags_);
      if (!t.ok()) continue;
      // Reference tables must be read even when later tables fail, so codes can be checked.
      ReadTable(schema, t);
      if (listed) {
        std::size_t expected = c_.manifest.table_rows.at(std::string(schema.file));
        if (t.rows() != expected) {
          diags_.Error(t.label(), 0, 0,
                       fmt::format("{} data rows, but dataset.json lists {}{}", t.rows(), expected,
                                   t.rows() < expected ? " (file truncated?)" : ""));
        }
      }
      if (schema.required && t.rows() == 0) {
        diags_.Error(t.label(), 0, 0, "header only: this table needs at least one row");
      }
    }
    CheckShareSums();
    if (diags_.HasErrors()) return std::nullopt;
    return model::Dataset(std::move(c_));
  }

 private:
  // Ids are 16-bit: a table with more distinct names than that (a hostile file) is reported at the
  // row where the limit was reached, instead of escaping as an error without file or line.
  void ReadTable(const TableSchema& schema, TableFile& t) {
    try {
      ReadTableRows(schema, t);
    } catch (const std::length_error&) {
      t.diags().Error(t.label(), t.line(), 0,
                      fmt::format("too many distinct names (at most {} countries, minerals, stages, regions, groups "
                                  "or sources): reading of this table stopped",
                                  model::Interner<model::StageId>::kMaxSize));
    }
  }
  void ReadTableRows(const TableSchema& schema, TableFile& t) {
    std::string_view f = schema.file;
    if (f == "countries.csv") return ReadCountries(schema, t);
    if (f == "minerals.csv") return ReadMinerals(schema, t);
    if (f == "production.csv") return ReadQuantities(schema, t, c_.production);
    if (f == "capacity.csv") return ReadQuantities(schema, t, c_.capacity);
    if (f == "reserves.csv") return ReadReserves(schema, t);
    if (f == "shares.csv") return ReadShares(schema, t);
    if (f == "trade.csv") return ReadTrade(schema, t);
    if (f == "governance.csv") return ReadGovernance(schema, t);
    if (f == "groups.csv") return ReadGroups(schema, t);
    if (f == "import_sources.csv") return ReadImportSources(schema, t);
    if (f == "import_reliance.csv") return ReadImportReliance(schema, t);
    if (f == "policies.csv") return ReadPolicies(schema, t);
    if (f == "headlines.csv") return ReadHeadlines(schema, t);
  }

  // --- typed cells: each returns nullopt after reporting the problem -----------------------

  std::optional<CountryId> CountryCell(TableFile& t, std::size_t col) {
    auto s = t.Cell(col);
    if (auto id = country_codes_.Find(s)) return id;
    t.Error(col, s.empty() ? "empty country code"
                           : fmt::format("unknown country code '{}' (not in countries.csv)", Clip(s)));
    return std::nullopt;
  }
  std::optional<MineralId> MineralCell(TableFile& t, std::size_t col) {
    auto s = t.Cell(col);
    if (auto id = c_.mineral_ids.Find(s)) return id;
    t.Error(col, s.empty() ? "empty mineral id" : fmt::format("unknown mineral '{}' (not in minerals.csv)", Clip(s)));
    return std::nullopt;
  }
  std::optional<SourceId> SourceCell(TableFile& t, std::size_t col) {
    auto s = t.Cell(col);
    // Consecutive rows nearly always cite the same source.
    if (last_source_ && SameShort(s, last_source_text_)) return last_source_;
    if (auto id = c_.source_ids.Find(s)) {
      last_source_ = id;
      last_source_text_ = s;
      return id;
    }
    t.Error(col, s.empty() ? "empty source id: every figure names its source"
                           : fmt::format("unknown source '{}' (not in dataset.json sources)", Clip(s)));
    return std::nullopt;
  }
  std::optional<StageId> StageCell(TableFile& t, std::size_t col) {
    auto s = t.Cell(col);
    if (!IsIdentifier(s, false)) {
      t.Error(col, fmt::format("stage '{}' must be a lower-case identifier such as mining, refining", Clip(s)));
      return std::nullopt;
    }
    return c_.stage_ids.Intern(s);
  }
  std::optional<std::int16_t> YearCell(TableFile& t, std::size_t col) {
    auto s = t.Cell(col);
    std::uint32_t y = 0;
    if (!ParseSmallUint(s, y) || y < kMinYear || y > kMaxYear) {
      t.Error(col, fmt::format("year '{}' must be a whole year between {} and {}", Clip(s), kMinYear, kMaxYear));
      return std::nullopt;
    }
    return static_cast<std::int16_t>(y);
  }
  // Every figure of every table goes through here: finite, at most model::kMaxFigure, and "E" (net
  // exporter) only where the USGS import-reliance convention gives it a meaning.
  std::optional<Value> ValueCell(TableFile& t, std::size_t col, bool allow_negative, bool allow_net_exporter = false) {
    Value v;
    auto r = model::ParseValueCell(t.Cell(col), allow_negative, v);
    if (r != model::ValueParse::Ok) {
      t.Error(col, fmt::format("'{}': {}", Clip(t.Cell(col)), model::ValueParseMessage(r)));
      return std::nullopt;
    }
    if (v.HasNumber() && std::abs(v.number) > model::kMaxFigure) {
      t.Error(col, fmt::format("'{}': {}", Clip(t.Cell(col)), model::ValueParseMessage(model::ValueParse::TooLarge)));
      return std::nullopt;
    }
    if (v.status == model::ValueStatus::NetExporter && !allow_net_exporter) {
      t.Error(col,
              "'E' (net exporter) is a value of import reliance only, not a quantity: write W, NA or unknown "
              "for a missing figure");
      return std::nullopt;
    }
    return v;
  }
  std::optional<Value> ShareCell(TableFile& t, std::size_t col, bool allow_net_exporter = false) {
    auto v = ValueCell(t, col, false, allow_net_exporter);
    if (!v) return v;
    if (v->HasNumber() && v->number > 1.0) {
      t.Error(col, fmt::format("share {} is above 1: shares are fractions (0.25 for 25%)", Clip(t.Cell(col))));
      return std::nullopt;
    }
    return v;
  }
  // Quantity in the row's unit, converted to the mineral's canonical unit.
  std::optional<Value> QuantityCell(TableFile& t, std::size_t qcol, std::size_t ucol,
                                    std::optional<MineralId> mineral) {
    auto v = ValueCell(t, qcol, false);
    auto unit = model::ParseUnit(t.Cell(ucol));
    if (!unit) {
      t.Error(ucol, fmt::format("unit '{}' not understood: expected g, kg, t, kt or Mt, optionally "
                                "followed by a content basis ('t Li', 'kt Cu', 't REO')",
                                Clip(t.Cell(ucol))));
      return std::nullopt;
    }
    if (!v || !mineral) return std::nullopt;
    const auto& target = c_.minerals[mineral->index()].unit;
    auto factor = model::ConversionFactor(*unit, target);
    if (!factor) {
      t.Error(ucol, fmt::format("unit mismatch: '{}' does not convert to {}'s unit '{}'", unit->text,
                                c_.minerals[mineral->index()].id, target.text));
      return std::nullopt;
    }
    return v->Scaled(*factor);
  }
  static std::string Clip(std::string_view s) {
    return s.size() > 40 ? std::string(s.substr(0, 40)) + "..." : std::string(s);
  }

  // --- tables ---------------------------------------------------------------------------

  void ReadCountries(const TableSchema& s, TableFile& t) {
    const auto ciso = t.Col("iso3"), cnum = t.Col("iso_num"), cname = t.Col("name"), creg = t.Col("region"),
               ckind = t.Col("kind"), calias = t.Col("aliases");
    std::unordered_map<std::string, std::pair<std::string, std::size_t>> alias_owner;
    DuplicateCheck dups;
    while (t.Next()) {
      auto iso = t.Cell(ciso);
      bool ok = true;
      if (iso.size() != 3 || !std::all_of(iso.begin(), iso.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
        t.Error(ciso, fmt::format("country code '{}' must be three capital letters (ISO 3166-1 alpha-3)", Clip(iso)));
        ok = false;
      }
      double num = 0;
      if (!t.Cell(cnum).empty() &&
          (!model::ParseDouble(t.Cell(cnum), num) || num < 0 || num > 999 || num != std::floor(num))) {
        t.Error(cnum, fmt::format("iso_num '{}' must be a number 0..999 or empty", Clip(t.Cell(cnum))));
        ok = false;
      }
      model::CountryKind kind = model::CountryKind::Country;
      auto k = t.Cell(ckind);
      if (k == "aggregate") {
        kind = model::CountryKind::Aggregate;
      } else if (k == "residual") {
        kind = model::CountryKind::Residual;
      } else if (k != "country") {
        t.Error(ckind, fmt::format("kind '{}' must be country, aggregate or residual", Clip(k)));
        ok = false;
      }
      if (t.Cell(cname).empty()) {
        t.Error(cname, "empty name");
        ok = false;
      }
      auto aliases = SplitList(t.Cell(calias));
      for (const auto& a : aliases) {
        auto [it, inserted] = alias_owner.emplace(a, std::make_pair(std::string(iso), t.line()));
        if (!inserted && it->second.first != iso) {
          t.Error(calias,
                  fmt::format("alias '{}' is also given to {} on line {}", a, it->second.first, it->second.second));
          ok = false;
        }
      }
      if (!ok) continue;
      KeyBuilder key;
      key.Add(static_cast<std::uint64_t>(iso[0] - 'A') * 676 + static_cast<std::uint64_t>(iso[1] - 'A') * 26 +
                  static_cast<std::uint64_t>(iso[2] - 'A'),
              16);
      dups.Add(key, t.line());
      if (c_.country_ids.Find(iso)) continue;  // reported as a duplicate below
      c_.country_ids.Intern(iso);
      c_.countries.push_back({std::string(iso), static_cast<int>(num), std::string(t.Cell(cname)),
                              c_.region_ids.Intern(t.Cell(creg)), kind, std::move(aliases)});
    }
    dups.Report(t.label(), diags_, KeyDescription(s));
    country_codes_.Build(c_.country_ids);
  }

  void ReadMinerals(const TableSchema& s, TableFile& t) {
    const auto cid = t.Col("id"), cname = t.Col("name"), cunit = t.Col("unit"), clists = t.Col("lists");
    DuplicateCheck dups;
    TextIds ids;
    while (t.Next()) {
      auto id = t.Cell(cid);
      bool ok = true;
      if (!IsIdentifier(id, false)) {
        t.Error(cid, fmt::format("mineral id '{}' must be a lower-case identifier", Clip(id)));
        ok = false;
      }
      // Each list is a code and the year of its list ("US2025", "EU2023"): a truncated or
      // mistyped entry would silently drop the mineral from a list.
      for (const auto& list : SplitList(t.Cell(clists))) {
        if (!IsListCode(list)) {
          t.Error(clists, fmt::format("list '{}' must be an upper-case code and the year of the list, such as "
                                      "US2025 or EU2023",
                                      Clip(list)));
          ok = false;
        }
      }
      auto unit = model::ParseUnit(t.Cell(cunit));
      if (!unit) {
        t.Error(cunit, fmt::format("unit '{}' not understood (e.g. 't Li', 'kg Ga', 't')", Clip(t.Cell(cunit))));
        ok = false;
      }
      if (!ok) continue;
      KeyBuilder key;
      key.Add(ids.Get(id), 32);
      dups.Add(key, t.line());
      if (c_.mineral_ids.Find(id)) continue;
      c_.mineral_ids.Intern(id);
      c_.minerals.push_back({std::string(id), std::string(t.Cell(cname)), *unit, SplitList(t.Cell(clists))});
    }
    dups.Report(t.label(), diags_, KeyDescription(s));
  }

  void ReadQuantities(const TableSchema& s, TableFile& t, model::QuantityTable& out) {
    const auto cm = t.Col("mineral"), cs = t.Col("stage"), cc = t.Col("country"), cy = t.Col("year"),
               cq = t.Col("quantity"), cu = t.Col("unit"), csrc = t.Col("source"), cn = t.Col("note");
    DuplicateCheck dups;
    while (t.Next()) {
      auto m = MineralCell(t, cm);
      auto st = StageCell(t, cs);
      auto co = CountryCell(t, cc);
      auto y = YearCell(t, cy);
      auto q = QuantityCell(t, cq, cu, m);
      auto src = SourceCell(t, csrc);
      if (!m || !st || !co || !y || !q || !src) continue;
      KeyBuilder key;
      key.Add(m->value, 16);
      key.Add(st->value, 16);
      key.Add(co->value, 16);
      key.Add(static_cast<std::uint64_t>(*y - kMinYear), 8);
      dups.Add(key, t.line());
      out.mineral.push_back(*m);
      out.stage.push_back(*st);
      out.country.push_back(*co);
      out.year.push_back(*y);
      out.quantity.push_back(*q);
      out.source.push_back(*src);
      out.note.emplace_back(t.Cell(cn));
    }
    dups.Report(t.label(), diags_, KeyDescription(s));
  }

  void ReadReserves(const TableSchema& s, TableFile& t) {
    auto& out = c_.reserves;
    const auto cm = t.Col("mineral"), cc = t.Col("country"), cy = t.Col("year"), cq = t.Col("quantity"),
               cu = t.Col("unit"), csrc = t.Col("source"), cn = t.Col("note");
    DuplicateCheck dups;
    while (t.Next()) {
      auto m = MineralCell(t, cm);
      auto co = CountryCell(t, cc);
      auto y = YearCell(t, cy);
      auto q = QuantityCell(t, cq, cu, m);
      auto src = SourceCell(t, csrc);
      if (!m || !co || !y || !q || !src) continue;
      KeyBuilder key;
      key.Add(m->value, 16);
      key.Add(co->value, 16);
      key.Add(static_cast<std::uint64_t>(*y - kMinYear), 8);
      dups.Add(key, t.line());
      out.mineral.push_back(*m);
      out.country.push_back(*co);
      out.year.push_back(*y);
      out.quantity.push_back(*q);
      out.source.push_back(*src);
      out.note.emplace_back(t.Cell(cn));
    }
    dups.Report(t.label(), diags_, KeyDescription(s));
  }

  void ReadShares(const TableSchema& s, TableFile& t) {
    auto& out = c_.shares;
    const auto cm = t.Col("mineral"), cs = t.Col("stage"), cscope = t.Col("scope"), cc = t.Col("country"),
               cp = t.Col("period"), csh = t.Col("share"), ct = t.Col("t"), csrc = t.Col("source");
    DuplicateCheck dups;
    TextIds scopes, periods;
    while (t.Next()) {
      auto m = MineralCell(t, cm);
      auto st = StageCell(t, cs);
      auto scope = t.Cell(cscope);
      bool scope_ok = scope == "global" || (scope.rfind("sourcing:", 0) == 0 && scope.size() > 9);
      if (!scope_ok) t.Error(cscope, fmt::format("scope '{}' must be 'global' or 'sourcing:<consumer>'", Clip(scope)));
      auto co = CountryCell(t, cc);
      auto sh = ShareCell(t, csh);
      std::optional<Value> tf = Value::Missing(ValueStatus::Unknown);
      if (!t.Cell(ct).empty()) tf = ValueCell(t, ct, false);
      auto src = SourceCell(t, csrc);
      if (t.Cell(cp).empty()) t.Error(cp, "empty period (e.g. 2016-2020)");
      if (!m || !st || !scope_ok || !co || !sh || !tf || !src || t.Cell(cp).empty()) continue;
      KeyBuilder key;
      key.Add(m->value, 16);
      key.Add(st->value, 16);
      key.Add(scopes.Get(scope), 16);
      key.Add(co->value, 16);
      key.Add(periods.Get(t.Cell(cp)), 16);
      dups.Add(key, t.line());
      out.mineral.push_back(*m);
      out.stage.push_back(*st);
      out.scope.emplace_back(scope);
      out.country.push_back(*co);
      out.period.emplace_back(t.Cell(cp));
      out.share.push_back(*sh);
      out.t_factor.push_back(*tf);
      out.source.push_back(*src);
      share_lines_.push_back(t.line());
    }
    dups.Report(t.label(), diags_, KeyDescription(s));
    shares_file_ = t.label();
  }

  // Row count to reserve for: the manifest's, bounded by what the file could hold.
  std::size_t ExpectedRows(const TableSchema& s, const TableFile& t) const {
    auto it = c_.manifest.table_rows.find(std::string(s.file));
    std::size_t listed = it == c_.manifest.table_rows.end() ? 0 : it->second;
    return std::min(listed, t.bytes() / 16);
  }

  void ReadTrade(const TableSchema& s, TableFile& t) {
    auto& out = c_.trade;
    const std::size_t expect = ExpectedRows(s, t);
    out.mineral.reserve(expect);
    out.stage.reserve(expect);
    out.product.reserve(expect);
    out.exporter.reserve(expect);
    out.importer.reserve(expect);
    out.year.reserve(expect);
    out.quantity.reserve(expect);
    out.value_usd.reserve(expect);
    out.source.reserve(expect);
    const auto cm = t.Col("mineral"), cs = t.Col("stage"), cprod = t.Col("product"), ce = t.Col("exporter"),
               ci = t.Col("importer"), cy = t.Col("year"), cq = t.Col("quantity"), cu = t.Col("unit"),
               cv = t.Col("value_usd"), csrc = t.Col("source");
    SortedKeyCheck dups;
    dups.Reserve(expect);
    auto key_of = [&out](std::size_t i) {
      KeyBuilder key;
      key.Add(out.mineral[i].value, 16)
          .Add(out.stage[i].value, 8)
          .Add(out.product[i], 24)
          .Add(out.exporter[i].value, 16)
          .Add(out.importer[i].value, 16)
          .Add(static_cast<std::uint64_t>(out.year[i] - kMinYear), 8);
      return key;
    };
    // Consecutive rows usually repeat mineral, stage and source: remember the last lookups.
    std::string last_mineral_text, last_stage_text, last_unit_text;
    std::optional<MineralId> last_mineral;
    std::optional<StageId> last_stage;
    std::optional<double> last_factor;
    while (t.Next()) {
      std::optional<MineralId> m;
      if (!last_mineral || !SameShort(t.Cell(cm), last_mineral_text)) {
        m = MineralCell(t, cm);
        last_mineral = m;
        last_mineral_text = t.Cell(cm);
        last_unit_text.clear();
      } else {
        m = last_mineral;
      }
      std::optional<StageId> st;
      if (!last_stage || !SameShort(t.Cell(cs), last_stage_text)) {
        st = StageCell(t, cs);
        last_stage = st;
        last_stage_text = t.Cell(cs);
      } else {
        st = last_stage;
      }
      std::uint32_t product = 0;
      auto ptext = t.Cell(cprod);
      bool product_ok = ptext.size() == 6 && ParseSmallUint(ptext, product);
      if (!product_ok) t.Error(cprod, fmt::format("product '{}' must be a six-digit HS code", Clip(ptext)));
      auto ex = CountryCell(t, ce);
      auto im = CountryCell(t, ci);
      auto y = YearCell(t, cy);
      auto q = ValueCell(t, cq, false);
      // Unit: converted once per distinct (mineral, unit) run.
      std::optional<double> factor;
      if (m && last_factor && SameShort(t.Cell(cu), last_unit_text)) {
        factor = last_factor;
      } else if (m) {
        auto unit = model::ParseUnit(t.Cell(cu));
        const auto& target = c_.minerals[m->index()].unit;
        if (!unit) {
          t.Error(cu, fmt::format("unit '{}' not understood", Clip(t.Cell(cu))));
        } else if (!(factor = model::ConversionFactor(*unit, target))) {
          t.Error(cu, fmt::format("unit mismatch: '{}' does not convert to {}'s unit '{}'", unit->text,
                                  c_.minerals[m->index()].id, target.text));
        }
        last_unit_text = t.Cell(cu);
        last_factor = factor;
      }
      auto v = ValueCell(t, cv, false);
      auto src = SourceCell(t, csrc);
      if (!m || !st || !product_ok || !ex || !im || !y || !q || !factor || !v || !src) continue;
      out.mineral.push_back(*m);
      out.stage.push_back(*st);
      out.product.push_back(product);
      out.exporter.push_back(*ex);
      out.importer.push_back(*im);
      out.year.push_back(*y);
      out.quantity.push_back(q->Scaled(*factor));
      out.value_usd.push_back(*v);
      out.source.push_back(*src);
      dups.Add(key_of(out.size() - 1), t.line());
    }
    dups.Report(t.label(), diags_, KeyDescription(s), [&](std::size_t i) { return key_of(i).key(); });
  }

  void ReadGovernance(const TableSchema& s, TableFile& t) {
    auto& out = c_.governance;
    const auto cc = t.Col("country"), cy = t.Col("year"), csrc = t.Col("source");
    const std::array<std::size_t, 6> cols = {t.Col("va"), t.Col("pv"), t.Col("ge"),
                                             t.Col("rq"), t.Col("rl"), t.Col("cc")};
    DuplicateCheck dups;
    while (t.Next()) {
      auto co = CountryCell(t, cc);
      auto y = YearCell(t, cy);
      std::array<std::optional<Value>, 6> v;
      bool ok = true;
      for (std::size_t i = 0; i < 6; ++i) {
        v[i] = ValueCell(t, cols[i], true);
        if (v[i] && v[i]->HasNumber() && std::abs(v[i]->number) > 5.0) {
          t.Error(cols[i], fmt::format("WGI estimate {} is outside -5..5 (estimates lie near -2.5..2.5)",
                                       Clip(t.Cell(cols[i]))));
          ok = false;
        }
        ok = ok && v[i].has_value();
      }
      auto src = SourceCell(t, csrc);
      if (!co || !y || !ok || !src) continue;
      KeyBuilder key;
      key.Add(co->value, 16);
      key.Add(static_cast<std::uint64_t>(*y - kMinYear), 8);
      dups.Add(key, t.line());
      out.country.push_back(*co);
      out.year.push_back(*y);
      out.va.push_back(*v[0]);
      out.pv.push_back(*v[1]);
      out.ge.push_back(*v[2]);
      out.rq.push_back(*v[3]);
      out.rl.push_back(*v[4]);
      out.cc.push_back(*v[5]);
      out.source.push_back(*src);
    }
    dups.Report(t.label(), diags_, KeyDescription(s));
  }

  void ReadGroups(const TableSchema& s, TableFile& t) {
    auto& out = c_.groups;
    const auto cg = t.Col("group"), cc = t.Col("country"), cr = t.Col("role"), cs = t.Col("since"),
               csrc = t.Col("source");
    DuplicateCheck dups;
    while (t.Next()) {
      auto g = t.Cell(cg);
      bool gok = IsIdentifier(g, true);
      if (!gok) t.Error(cg, fmt::format("group '{}' must be an identifier such as MSP or US_JPN_2025", Clip(g)));
      auto co = CountryCell(t, cc);
      auto src = SourceCell(t, csrc);
      // `since` may say more around its date ("between 2022-06 and 2023-06 (exact date not
      // read)"), but its first date must be on the calendar.
      bool sok = true;
      if (auto problem = DateCellProblem(t.Cell(cs)); !problem.empty()) {
        t.Error(cs, fmt::format("since {}", problem));
        sok = false;
      }
      if (!gok || !co || !src || !sok) continue;
      auto gid = c_.group_ids.Intern(g);
      KeyBuilder key;
      key.Add(gid.value, 16);
      key.Add(co->value, 16);
      dups.Add(key, t.line());
      out.group.push_back(gid);
      out.country.push_back(*co);
      out.role.emplace_back(t.Cell(cr));
      out.since.emplace_back(t.Cell(cs));
      out.source.push_back(*src);
    }
    dups.Report(t.label(), diags_, KeyDescription(s));
  }

  void ReadImportSources(const TableSchema& s, TableFile& t) {
    auto& out = c_.import_sources;
    const auto ccons = t.Col("consumer"), cm = t.Col("mineral"), cmat = t.Col("material"), cp = t.Col("period"),
               cc = t.Col("country"), csh = t.Col("share"), csrc = t.Col("source");
    DuplicateCheck dups;
    TextIds materials, periods;
    while (t.Next()) {
      auto cons = CountryCell(t, ccons);
      auto m = MineralCell(t, cm);
      auto co = CountryCell(t, cc);
      auto sh = ShareCell(t, csh);
      auto src = SourceCell(t, csrc);
      if (t.Cell(cmat).empty()) t.Error(cmat, "empty material");
      if (t.Cell(cp).empty()) t.Error(cp, "empty period");
      if (!cons || !m || !co || !sh || !src || t.Cell(cmat).empty() || t.Cell(cp).empty()) continue;
      KeyBuilder key;
      key.Add(cons->value, 16);
      key.Add(m->value, 16);
      key.Add(materials.Get(t.Cell(cmat)), 16);
      key.Add(periods.Get(t.Cell(cp)), 16);
      key.Add(co->value, 16);
      dups.Add(key, t.line());
      out.consumer.push_back(*cons);
      out.mineral.push_back(*m);
      out.material.emplace_back(t.Cell(cmat));
      out.period.emplace_back(t.Cell(cp));
      out.country.push_back(*co);
      out.share.push_back(*sh);
      out.source.push_back(*src);
      import_lines_.push_back(t.line());
    }
    dups.Report(t.label(), diags_, KeyDescription(s));
    imports_file_ = t.label();
  }

  void ReadImportReliance(const TableSchema& s, TableFile& t) {
    auto& out = c_.import_reliance;
    const auto ccons = t.Col("consumer"), cm = t.Col("mineral"), cmat = t.Col("material"), cy = t.Col("year"),
               cr = t.Col("reliance"), csrc = t.Col("source");
    DuplicateCheck dups;
    TextIds materials;
    while (t.Next()) {
      auto cons = CountryCell(t, ccons);
      auto m = MineralCell(t, cm);
      auto y = YearCell(t, cy);
      auto r = ShareCell(t, cr, true);
      auto src = SourceCell(t, csrc);
      if (t.Cell(cmat).empty()) t.Error(cmat, "empty material");
      if (!cons || !m || !y || !r || !src || t.Cell(cmat).empty()) continue;
      KeyBuilder key;
      key.Add(cons->value, 16);
      key.Add(m->value, 16);
      key.Add(materials.Get(t.Cell(cmat)), 16);
      key.Add(static_cast<std::uint64_t>(*y - kMinYear), 8);
      dups.Add(key, t.line());
      out.consumer.push_back(*cons);
      out.mineral.push_back(*m);
      out.material.emplace_back(t.Cell(cmat));
      out.year.push_back(*y);
      out.reliance.push_back(*r);
      out.source.push_back(*src);
    }
    dups.Report(t.label(), diags_, KeyDescription(s));
  }

  // YYYY, YYYY-MM or YYYY-MM-DD (publishers often give only the month or year), on the calendar.
  static bool IsDate(std::string_view d) { return model::Date::Parse(d).has_value(); }

  void ReadPolicies(const TableSchema& s, TableFile& t) {
    auto& out = c_.policies;
    const auto cid = t.Col("id"), cc = t.Col("country"), cm = t.Col("mineral"), cs = t.Col("stage"), ck = t.Col("kind"),
               ct = t.Col("targets"), ca = t.Col("announced"), ce = t.Col("effective"), cend = t.Col("ended"),
               cst = t.Col("status"), csrc = t.Col("source"), cn = t.Col("note");
    DuplicateCheck dups;
    TextIds ids;
    while (t.Next()) {
      bool ok = true;
      auto id = t.Cell(cid);
      if (!IsIdentifier(id, true)) {
        t.Error(cid, fmt::format("measure id '{}' must be an identifier such as CN-2023-GA-GE", Clip(id)));
        ok = false;
      }
      auto co = CountryCell(t, cc);
      auto m = MineralCell(t, cm);
      auto st = StageCell(t, cs);
      auto kind = t.Cell(ck);
      if (!IsIdentifier(kind, false)) {
        t.Error(ck, fmt::format("kind '{}' must be an identifier (ban, licence, quota, duty, disruption)", Clip(kind)));
        ok = false;
      }
      auto targets = t.Cell(ct);
      if (targets != "all" && targets.rfind("all_but:", 0) != 0) {
        for (const auto& code : SplitList(targets)) {
          if (!country_codes_.Find(code)) {
            t.Error(ct, fmt::format("targets '{}': expected all, all_but:GROUP or ISO3 codes separated by ';'",
                                    Clip(targets)));
            ok = false;
            break;
          }
        }
      }
      for (auto col : {ca, ce, cend}) {
        auto d = t.Cell(col);
        if (!d.empty() && !IsDate(d)) {
          t.Error(col, fmt::format("date '{}' must be YYYY, YYYY-MM or YYYY-MM-DD", Clip(d)));
          ok = false;
        }
      }
      auto status = t.Cell(cst);
      if (status != "in_force" && status != "suspended" && status != "ended" && status != "announced") {
        t.Error(cst, fmt::format("status '{}' must be in_force, suspended, ended or announced", Clip(status)));
        ok = false;
      }
      auto src = SourceCell(t, csrc);
      if (!ok || !co || !m || !st || !src) continue;
      KeyBuilder key;
      key.Add(ids.Get(id), 32);
      key.Add(m->value, 16);
      key.Add(st->value, 16);
      dups.Add(key, t.line());
      out.id.emplace_back(id);
      out.country.push_back(*co);
      out.mineral.push_back(*m);
      out.stage.push_back(*st);
      out.kind.emplace_back(kind);
      out.targets.emplace_back(targets);
      out.announced.emplace_back(t.Cell(ca));
      out.effective.emplace_back(t.Cell(ce));
      out.ended.emplace_back(t.Cell(cend));
      out.status.emplace_back(status);
      out.source.push_back(*src);
      out.note.emplace_back(t.Cell(cn));
    }
    dups.Report(t.label(), diags_, KeyDescription(s));
  }

  void ReadHeadlines(const TableSchema& s, TableFile& t) {
    auto& out = c_.headlines;
    const auto cm = t.Col("mineral"), cs = t.Col("stage"), cmet = t.Col("metric"), csub = t.Col("subject"),
               cy = t.Col("year"), cv = t.Col("value"), cu = t.Col("unit"), csc = t.Col("scenario"),
               cev = t.Col("evidence"), csrc = t.Col("source"), cn = t.Col("note");
    DuplicateCheck dups;
    TextIds metrics, subjects, scenarios;
    while (t.Next()) {
      auto m = MineralCell(t, cm);
      auto st = StageCell(t, cs);
      auto y = YearCell(t, cy);
      auto v = ValueCell(t, cv, false);
      auto src = SourceCell(t, csrc);
      auto ev = t.Cell(cev);
      bool ev_ok = ev == "primary" || ev == "secondary" || ev == "low";
      if (!ev_ok) t.Error(cev, fmt::format("evidence '{}' must be primary, secondary or low", Clip(ev)));
      if (t.Cell(cmet).empty()) t.Error(cmet, "empty metric");
      if (!m || !st || !y || !v || !src || !ev_ok || t.Cell(cmet).empty()) continue;
      KeyBuilder key;
      key.Add(m->value, 16);
      key.Add(st->value, 16);
      key.Add(metrics.Get(t.Cell(cmet)), 16);
      key.Add(subjects.Get(t.Cell(csub)), 16);
      key.Add(static_cast<std::uint64_t>(*y - kMinYear), 8);
      key.Add(scenarios.Get(t.Cell(csc)), 16);
      key.Add(src->value, 16);
      dups.Add(key, t.line());
      out.mineral.push_back(*m);
      out.stage.push_back(*st);
      out.metric.emplace_back(t.Cell(cmet));
      out.subject.emplace_back(t.Cell(csub));
      out.year.push_back(*y);
      out.value.push_back(*v);
      out.unit.emplace_back(t.Cell(cu));
      out.scenario.emplace_back(t.Cell(csc));
      out.evidence.emplace_back(ev);
      out.source.push_back(*src);
      out.note.emplace_back(t.Cell(cn));
    }
    dups.Report(t.label(), diags_, KeyDescription(s));
  }

  // Each distribution (a stage's shares from one source and period; a consumer's import
  // sources for one material and period) must sum to about 1. "<x" entries count as 0..x.
  void CheckShareSums() {
    struct Sum {
      double low = 0, high = 0;
      std::size_t first_line = 0;
      std::string what;
    };
    auto check = [&](std::map<std::string, Sum>& sums, const std::string& file) {
      for (const auto& [k, s] : sums) {
        if (s.low > 1.0 + opt_.share_tolerance || s.high < 1.0 - opt_.share_tolerance) {
          diags_.Error(file, s.first_line, 0,
                       fmt::format("shares of {} sum to {:.4g}{}, expected 1 (tolerance {})", s.what, s.low,
                                   s.high != s.low ? fmt::format("..{:.4g}", s.high) : "", opt_.share_tolerance));
        }
      }
    };
    auto add = [](Sum& s, const Value& v) {
      if (v.status == ValueStatus::Known) {
        s.low += v.number;
        s.high += v.number;
      } else if (v.status == ValueStatus::AtMost) {
        s.high += v.number;
      } else if (v.status == ValueStatus::AtLeast) {
        s.low += v.number;
        s.high += 1.0;
      } else {
        s.high += 1.0;  // a missing share could be anything
      }
    };
    {
      const auto& t = c_.shares;
      std::map<std::string, Sum> sums;
      for (std::size_t i = 0; i < t.size(); ++i) {
        // One distribution per (mineral, stage, scope, period); its rows may cite different
        // sources (a residual row cites the assumption that created it).
        auto key = fmt::format("{}|{}|{}|{}", t.mineral[i].value, t.stage[i].value, t.scope[i], t.period[i]);
        auto& s = sums[key];
        if (s.first_line == 0) {
          s.first_line = share_lines_[i];
          s.what = fmt::format("{} {} ({}, {})", c_.minerals[t.mineral[i].index()].id, c_.stage_ids.Name(t.stage[i]),
                               t.scope[i], t.period[i]);
        }
        add(s, t.share[i]);
      }
      check(sums, shares_file_);
    }
    {
      const auto& t = c_.import_sources;
      std::map<std::string, Sum> sums;
      for (std::size_t i = 0; i < t.size(); ++i) {
        auto key = fmt::format("{}|{}|{}|{}", t.consumer[i].value, t.mineral[i].value, t.material[i], t.period[i]);
        auto& s = sums[key];
        if (s.first_line == 0) {
          s.first_line = import_lines_[i];
          s.what = fmt::format("{} imports of {} ({}, {})", c_.countries[t.consumer[i].index()].iso3, t.material[i],
                               c_.minerals[t.mineral[i].index()].id, t.period[i]);
        }
        add(s, t.share[i]);
      }
      check(sums, imports_file_);
    }
  }

  std::filesystem::path dir_;
  LoadOptions opt_;
  Diagnostics& diags_;
  model::DatasetContents c_;
  CountryCodeTable country_codes_;
  std::optional<SourceId> last_source_;
  std::string last_source_text_;
  std::vector<std::size_t> share_lines_, import_lines_;
  std::string shares_file_, imports_file_;
};

}  // namespace

LoadResult LoadDataset(const std::filesystem::path& dir, const LoadOptions& options) {
  LoadResult r;
  Loader loader(dir, options, r.diagnostics);
  r.dataset = loader.Run();
  return r;
}

model::Dataset LoadDatasetOrThrow(const std::filesystem::path& dir, const LoadOptions& options) {
  auto r = LoadDataset(dir, options);
  if (!r.dataset) throw Error::InvalidData(std::move(r.diagnostics));
  return std::move(*r.dataset);
}

}  // namespace lodestone::data
