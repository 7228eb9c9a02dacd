// Helpers shared by the importers of the curated tables (private to src/data): a curated table read
// by column name, the mineral and stage wording map, evidence grades, source records, country
// checks, and the opening of an import.
#pragma once

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include "date_text.hpp"
#include "import_common.hpp"
#include "lodestone/data/csv.hpp"
#include "lodestone/data/encoding.hpp"
#include "lodestone/data/schema.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/model/text.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::data::curated {

namespace fs = std::filesystem;

constexpr std::string_view kMapFile = "curated_map.csv";
constexpr std::string_view kGroupsTable = "groups.csv";
constexpr std::string_view kJapan = "JPN";
constexpr std::string_view kNoLicence = "see source";
constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2155;
constexpr std::size_t kClipChars = 60;
constexpr std::size_t kSlugChars = 32;
constexpr std::uint64_t kFnvOffset = 14695981039346656037ULL;
constexpr std::uint64_t kFnvPrime = 1099511628211ULL;
constexpr std::uint64_t kHashMask = 0xFFFFFFFFULL;  // eight hex digits are plenty for a few hundred sources

std::string Clip(std::string_view s);

bool IsIdentifier(std::string_view s);

std::string JoinNotes(const std::vector<std::string>& parts);

struct CuratedTable {
  std::string file;
  std::map<std::string, std::size_t, std::less<>> col;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::size_t> lines;

  const std::string& Cell(std::size_t row, std::string_view name) const { return rows[row][col.find(name)->second]; }
  std::size_t Column(std::string_view name) const { return col.find(name)->second + 1; }  // 1-based
};

// Reads `path` as UTF-8 CSV with (at least) the `required` columns, cells trimmed. Problems go
// to `diags`; nullopt when the file cannot be read as a table (unreadable, no header, a required
// column missing).
std::optional<CuratedTable> ReadCurated(const fs::path& path, const std::vector<std::string_view>& required,
                                        model::Diagnostics& diags);

// Checks a date column's cell (empty, or text whose first date is a calendar date: see
// date_text.hpp); reports at the cell and returns false when it is not.
bool CheckDateCell(const CuratedTable& t, std::size_t r, std::string_view column, model::Diagnostics& diags);

struct MapRow {
  std::string id;    // empty when rows with this text are skipped
  std::string skip;  // why: several_minerals, not_in_minerals, not_a_country
  std::string note;
};

struct CuratedMap {
  std::map<std::pair<std::string, std::string>, MapRow> rows;  // (kind, text) -> row
  const MapRow* Find(std::string_view kind, std::string_view text) const {
    auto it = rows.find({std::string(kind), std::string(text)});
    return it == rows.end() ? nullptr : &it->second;
  }
};

std::optional<CuratedMap> LoadCuratedMap(const Reference& ref, model::Diagnostics& diags);

// Evidence grades, strongest first.
constexpr std::array<std::string_view, 3> kGrades = {"primary", "secondary", "low"};

// "primary (reprint) + secondary" -> "secondary": parenthesised qualifiers are dropped, the parts
// joined by '+' are graded, and the weakest grade is kept (a claim is as strong as its weakest
// support). nullopt when a part is not a grade.
std::optional<std::string_view> NormaliseEvidence(std::string_view text);

// The evidence grade and source every curated row must have; reports what is missing and clears
// `ok`.
std::optional<std::string_view> CheckEvidenceAndSource(const CuratedTable& t, std::size_t r, std::size_t line,
                                                       model::Diagnostics& diags, bool& ok);

// Rows graded low are stand-ins by the curated files' own definition ("do not ship it as fact
// without a better source"): every curated importer reports them and leaves them out.
constexpr std::string_view kLowGrade = "low";

bool SkipLowEvidence(std::string_view grade, const CuratedTable& t, std::size_t line, std::string_view what,
                     std::string_view evidence_text, model::Diagnostics& diags);

std::string Slug(std::string_view text);

// "https://a ; https://b" -> the addresses; empty unless every ';'-separated part is an http(s)
// address (so "read_file id 66202170836" is not taken for one).
std::vector<std::string> Addresses(std::string_view text);

std::uint64_t Fnv1a(std::string_view s);

// Source records of one curated file: one per distinct (source text, stored_at), with an id that
// depends only on that content (and the importer, so that re-importing one curated file never
// replaces the rows of another in ApplyImport).
class SourceBook {
 public:
  explicit SourceBook(std::string prefix) : prefix_(std::move(prefix)) {}

  // Returns the id of the record for this row's source, creating or updating the record.
  // `source_date` (when the file has one) joins the citation unless the source text already says
  // it; like the licence, the first row's is kept.
  std::string Cite(std::string_view source, std::string_view stored_at, std::string_view licence,
                   std::string_view grade, std::string_view source_date = {}) {
    const std::string key = std::string(source) + '\n' + std::string(stored_at);
    auto it = index_.find(key);
    if (it != index_.end()) {
      auto& s = records_[it->second];
      // Rows of one source may grade it differently: the record keeps the weakest grade.
      auto rank = [](std::string_view g) { return std::find(kGrades.begin(), kGrades.end(), g) - kGrades.begin(); };
      if (rank(grade) > rank(s.evidence)) s.evidence = std::string(grade);
      return s.id;
    }
    model::Source s;
    s.id = fmt::format("{}_{}_{:08x}", prefix_, Slug(source), Fnv1a(key) & kHashMask);
    s.kind = model::SourceKind::Published;
    s.citation = std::string(source);
    if (!source_date.empty() && source.find(source_date) == std::string_view::npos) {
      s.citation += fmt::format(" (source date: {})", source_date);
    }
    // A source read at several addresses: the record's url is the first, the others stay in the
    // citation, so that the url field holds one address.
    const auto addresses = Addresses(stored_at);
    if (!addresses.empty()) {
      s.url = addresses.front();
      std::string more;
      for (std::size_t i = 1; i < addresses.size(); ++i) more += (more.empty() ? "" : " ; ") + addresses[i];
      if (!more.empty()) s.citation += fmt::format(" (also at: {})", more);
    } else if (!stored_at.empty()) {
      // Not an address (e.g. "read_file id ..."): kept in the citation, the url left empty.
      s.citation += fmt::format(" (stored at: {})", stored_at);
    }
    s.licence = licence.empty() ? std::string(kNoLicence) : std::string(licence);
    s.evidence = std::string(grade);
    index_.emplace(key, records_.size());
    records_.push_back(std::move(s));
    return records_.back().id;
  }

  // Adds the records that `used` rows cite, in order of first citation.
  void AddTo(ImportResult& result, const std::set<std::string>& used) const {
    for (const auto& s : records_) {
      if (used.count(s.id)) detail::AddSource(result, s);
    }
  }

 private:
  std::string prefix_;
  std::map<std::string, std::size_t> index_;
  std::vector<model::Source> records_;
};

// ISO3 codes of countries.csv rows of kind "country" (aggregates such as WLD are not members).
std::set<std::string, std::less<>> CountryCodes(const Reference& ref);

// Checks a row's iso3 code (and that its name, when the reference knows it, names the same
// country). Returns false after reporting.
bool CheckCountry(const CuratedTable& t, std::size_t r, std::string_view name_col, const Reference& ref,
                  const std::set<std::string, std::less<>>& countries, model::Diagnostics& diags);

// Rows whose iso3 code curated_map.csv lists as an entity to leave out (the EU). Returns true
// when the row is skipped (and counted).
bool SkipEntity(const CuratedTable& t, std::size_t r, const CuratedMap& map, model::Diagnostics& diags,
                std::size_t& skipped);

void AddGroupRow(ImportResult& result, std::string_view group, std::string_view country, std::string role,
                 std::string since, std::string source);

// A result for one curated file, with the map loaded; nullopt (errors in result) otherwise.
struct Context {
  ImportResult result;
  std::optional<CuratedMap> map;
  std::optional<CuratedTable> table;
};

Context Open(std::string importer, const fs::path& file, const std::vector<std::string_view>& columns,
             const Reference& ref, std::string_view table);

// "published as '<text>': <why>", or without the reason when the map row gives none.
std::string Published(std::string_view what, std::string_view text, std::string_view why);

bool IsDigit(char c);

}  // namespace lodestone::data::curated
