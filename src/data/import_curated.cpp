// Importers of the project's curated tables (sources/curated/), each row citing its own source:
// Minerals Security Partnership membership and US critical-mineral agreements (groups.csv),
// headline processing shares (headlines.csv), export restrictions (policies.csv) and Japan's import
// sources (import_sources.csv). Mineral and stage wording is mapped through
// data/reference/curated_map.csv, the decisions on export-restriction wording through
// data/reference/policy_map.csv; every distinct (source, stored_at) pair becomes a source record.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <set>

#include "import_common.hpp"
#include "lodestone/data/csv.hpp"
#include "lodestone/data/encoding.hpp"
#include "lodestone/data/schema.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::data {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMapFile = "curated_map.csv";
constexpr std::string_view kGroupsTable = "groups.csv";
constexpr std::string_view kHeadlinesTable = "headlines.csv";
constexpr std::string_view kMspGroup = "MSP";
constexpr std::string_view kMspForumGroup = "MSP_FORUM";
constexpr std::string_view kMspPartnerMarker = "msp partner";  // matched case-insensitively
constexpr std::string_view kMspForumMarker = "forum member";
constexpr std::string_view kUsAgreementGroup = "US_AGREEMENT";
constexpr std::string_view kUsJpnGroup = "US_JPN_2025";
constexpr std::string_view kUsJpnDate = "2025-10-28";  // the framework signed in Tokyo
constexpr std::string_view kUsa = "USA";
constexpr std::string_view kJapan = "JPN";
constexpr std::string_view kNoLicence = "see source";
constexpr std::string_view kSeeAbove = "see above";
constexpr std::string_view kQualitativeUnit = "qualitative";
constexpr std::string_view kPercentUnit = "percent";
constexpr double kMaxPercent = 100.0;
constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2155;
constexpr std::size_t kClipChars = 60;
constexpr std::size_t kSlugChars = 32;
constexpr std::uint64_t kFnvOffset = 14695981039346656037ULL;
constexpr std::uint64_t kFnvPrime = 1099511628211ULL;
constexpr std::uint64_t kHashMask = 0xFFFFFFFFULL;  // eight hex digits are plenty for a few hundred sources

std::string Clip(std::string_view s) {
  if (s.size() <= kClipChars) return std::string(s);
  return std::string(s.substr(0, kClipChars)) + "...";
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool Contains(std::string_view haystack_lower, std::string_view needle_lower) {
  return haystack_lower.find(needle_lower) != std::string_view::npos;
}

bool IsIdentifier(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

std::string JoinNotes(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += "; ";
    out += p;
  }
  return out;
}

// ---- a curated table, read by column name -------------------------------------------------

struct CuratedTable {
  std::string file;
  std::map<std::string, std::size_t, std::less<>> col;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::size_t> lines;

  const std::string& Cell(std::size_t row, std::string_view name) const {
    return rows[row][col.find(name)->second];
  }
  std::size_t Column(std::string_view name) const { return col.find(name)->second + 1; }  // 1-based
};

// Reads `path` as UTF-8 CSV with (at least) the `required` columns, cells trimmed. Problems go
// to `diags`; nullopt when the file cannot be read as a table (unreadable, no header, a required
// column missing).
std::optional<CuratedTable> ReadCurated(const fs::path& path, const std::vector<std::string_view>& required,
                                        model::Diagnostics& diags) {
  CuratedTable t;
  t.file = path.string();
  std::string text;
  try {
    text = ReadFileBytes(path);
  } catch (const model::InputError& e) {
    diags.Append(e.diagnostics());
    return std::nullopt;
  }
  if (auto p = CheckUtf8(text)) {
    diags.Error(t.file, p->line, p->column, p->message);
    return std::nullopt;
  }
  const std::size_t before = diags.ErrorCount();
  CsvReader reader(std::move(text), t.file, &diags);
  std::vector<std::string_view> fields;
  if (!reader.Next(fields) || (fields.size() == 1 && fields[0].empty())) {
    diags.Error(t.file, 1, 0, "empty file: expected a header line");
    return std::nullopt;
  }
  const std::size_t width = fields.size();
  for (std::size_t i = 0; i < fields.size(); ++i) t.col.emplace(std::string(detail::Trim(fields[i])), i);
  for (auto name : required) {
    if (t.col.find(name) == t.col.end()) diags.Error(t.file, 1, 0, fmt::format("missing column '{}'", name));
  }
  if (diags.ErrorCount() != before) return std::nullopt;
  while (reader.Next(fields)) {
    if (reader.record_malformed()) continue;  // already reported by the reader
    if (fields.size() == 1 && detail::Trim(fields[0]).empty()) continue;
    if (fields.size() != width) {
      diags.Error(t.file, reader.line(), std::min(fields.size(), width) + 1,
                  fmt::format("expected {} fields, found {}", width, fields.size()));
      continue;
    }
    std::vector<std::string> row;
    row.reserve(width);
    for (auto f : fields) row.emplace_back(detail::Trim(f));
    t.rows.push_back(std::move(row));
    t.lines.push_back(reader.line());
  }
  // Rows with the wrong field count are reported and left out; the others are still checked,
  // so that every problem of the file is reported at once.
  return t;
}

// ---- curated_map.csv ------------------------------------------------------------------------

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

std::optional<CuratedMap> LoadCuratedMap(const Reference& ref, model::Diagnostics& diags) {
  static const std::set<std::string, std::less<>> kKinds = {"mineral", "stage", "entity"};
  static const std::set<std::string, std::less<>> kSkips = {
      "several_minerals", "not_in_minerals", "not_a_country", "exporter_side", "several_countries"};
  const std::size_t before = diags.ErrorCount();
  auto t = ReadCurated(ref.dir() / kMapFile, {"kind", "text", "id", "skip", "note"}, diags);
  if (!t) return std::nullopt;
  CuratedMap map;
  for (std::size_t r = 0; r < t->rows.size(); ++r) {
    const auto& kind = t->Cell(r, "kind");
    const auto& text = t->Cell(r, "text");
    MapRow row{t->Cell(r, "id"), t->Cell(r, "skip"), t->Cell(r, "note")};
    const std::size_t line = t->lines[r];
    if (!kKinds.count(kind)) {
      diags.Error(t->file, line, t->Column("kind"),
                  fmt::format("kind '{}' must be mineral, stage or entity", Clip(kind)));
      continue;
    }
    if (row.id.empty() == row.skip.empty()) {
      diags.Error(t->file, line, t->Column("skip"),
                  "give either an id or a skip reason, not both or neither");
      continue;
    }
    if (!row.skip.empty() && !kSkips.count(row.skip)) {
      diags.Error(t->file, line, t->Column("skip"),
                  fmt::format("skip '{}' must be several_minerals, not_in_minerals, not_a_country, "
                              "exporter_side or several_countries",
                              Clip(row.skip)));
      continue;
    }
    if (kind == "mineral" && !row.id.empty() && !ref.MineralUnit(row.id)) {
      diags.Error(t->file, line, t->Column("id"),
                  fmt::format("unknown mineral '{}' (not in minerals.csv)", Clip(row.id)));
      continue;
    }
    if (kind == "stage" && !row.id.empty() && !IsIdentifier(row.id)) {
      diags.Error(t->file, line, t->Column("id"),
                  fmt::format("stage '{}' must be a lower-case identifier", Clip(row.id)));
      continue;
    }
    if (!map.rows.emplace(std::make_pair(kind, text), std::move(row)).second) {
      diags.Error(t->file, line, t->Column("text"), fmt::format("{} '{}' is listed twice", kind, Clip(text)));
    }
  }
  if (diags.ErrorCount() != before) return std::nullopt;
  return map;
}

// ---- evidence, sources ----------------------------------------------------------------------

// Evidence grades, strongest first.
constexpr std::array<std::string_view, 3> kGrades = {"primary", "secondary", "low"};

// "primary (reprint) + secondary" -> "secondary": parenthesised qualifiers are dropped, the parts
// joined by '+' are graded, and the weakest grade is kept (a claim is as strong as its weakest
// support). nullopt when a part is not a grade.
std::optional<std::string_view> NormaliseEvidence(std::string_view text) {
  std::string plain;
  int depth = 0;
  for (char c : text) {
    if (c == '(') {
      ++depth;
    } else if (c == ')') {
      depth = std::max(0, depth - 1);
    } else if (depth == 0) {
      plain += c;
    }
  }
  std::optional<std::size_t> weakest;
  std::string_view rest = plain;
  while (true) {
    const auto plus = rest.find('+');
    auto part = Lower(detail::Trim(rest.substr(0, plus)));
    auto it = std::find(kGrades.begin(), kGrades.end(), part);
    if (it == kGrades.end()) return std::nullopt;
    const auto g = static_cast<std::size_t>(it - kGrades.begin());
    weakest = weakest ? std::max(*weakest, g) : g;
    if (plus == std::string_view::npos) break;
    rest = rest.substr(plus + 1);
  }
  return kGrades[*weakest];
}

// The evidence grade and source every curated row must have; reports what is missing and clears
// `ok`.
std::optional<std::string_view> CheckEvidenceAndSource(const CuratedTable& t, std::size_t r, std::size_t line,
                                                       model::Diagnostics& diags, bool& ok) {
  auto grade = NormaliseEvidence(t.Cell(r, "evidence"));
  if (!grade) {
    diags.Error(t.file, line, t.Column("evidence"),
                fmt::format("evidence '{}' must grade as primary, secondary or low", Clip(t.Cell(r, "evidence"))));
    ok = false;
  }
  if (t.Cell(r, "source").empty()) {
    diags.Error(t.file, line, t.Column("source"), "empty source: every row names its source");
    ok = false;
  }
  return grade;
}

// Rows graded low are stand-ins by the curated files' own definition ("do not ship it as fact
// without a better source"): every curated importer reports them and leaves them out.
constexpr std::string_view kLowGrade = "low";
bool SkipLowEvidence(std::string_view grade, const CuratedTable& t, std::size_t line, std::string_view what,
                     std::string_view evidence_text, model::Diagnostics& diags) {
  if (grade != kLowGrade) return false;
  diags.Warning(t.file, line, t.Column("evidence"),
                fmt::format("{} skipped: evidence '{}' grades low: not shipped as fact until a better source", what,
                            evidence_text));
  return true;
}

std::string Slug(std::string_view text) {
  std::string out;
  for (char ch : text) {
    char c = ch;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum) {
      out += c;
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  if (out.size() > kSlugChars) {
    out.resize(kSlugChars);
    if (auto cut = out.rfind('_'); cut != std::string::npos && cut > kSlugChars / 2) out.resize(cut);
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

// "https://a ; https://b" -> the addresses; empty unless every ';'-separated part is an http(s)
// address (so "read_file id 66202170836" is not taken for one).
std::vector<std::string> Addresses(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto semi = text.find(';', start);
    const auto part = detail::Trim(text.substr(start, semi == std::string_view::npos ? text.npos : semi - start));
    if (part.rfind("http://", 0) != 0 && part.rfind("https://", 0) != 0) return {};
    out.emplace_back(part);
    if (semi == std::string_view::npos) break;
    start = semi + 1;
  }
  return out;
}

std::uint64_t Fnv1a(std::string_view s) {
  std::uint64_t h = kFnvOffset;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= kFnvPrime;
  }
  return h;
}

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
      auto rank = [](std::string_view g) {
        return std::find(kGrades.begin(), kGrades.end(), g) - kGrades.begin();
      };
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

// ---- countries ------------------------------------------------------------------------------

// ISO3 codes of countries.csv rows of kind "country" (aggregates such as WLD are not members).
std::set<std::string, std::less<>> CountryCodes(const Reference& ref) {
  const auto* schema = FindTable("countries.csv");
  const auto iso = static_cast<std::size_t>(
      std::find(schema->columns.begin(), schema->columns.end(), "iso3") - schema->columns.begin());
  const auto kind = static_cast<std::size_t>(
      std::find(schema->columns.begin(), schema->columns.end(), "kind") - schema->columns.begin());
  std::set<std::string, std::less<>> out;
  for (const auto& row : ref.countries().rows) {
    if (row[kind] == "country") out.insert(row[iso]);
  }
  return out;
}

// Checks a row's iso3 code (and that its name, when the reference knows it, names the same
// country). Returns false after reporting.
bool CheckCountry(const CuratedTable& t, std::size_t r, std::string_view name_col, const Reference& ref,
                  const std::set<std::string, std::less<>>& countries, model::Diagnostics& diags) {
  const auto& iso = t.Cell(r, "iso3");
  if (!countries.count(iso)) {
    diags.Error(t.file, t.lines[r], t.Column("iso3"),
                fmt::format("'{}' is not a country code of countries.csv", Clip(iso)));
    return false;
  }
  const auto& name = t.Cell(r, name_col);
  if (auto by_name = ref.CountryByName(name); by_name && *by_name != iso) {
    diags.Error(
        t.file, t.lines[r], t.Column(name_col),
        fmt::format("'{}' is {} in countries.csv, but the row's iso3 is {}", Clip(name), *by_name, iso));
    return false;
  }
  return true;
}

// Rows whose iso3 code curated_map.csv lists as an entity to leave out (the EU). Returns true
// when the row is skipped (and counted).
bool SkipEntity(const CuratedTable& t, std::size_t r, const CuratedMap& map, model::Diagnostics& diags,
                std::size_t& skipped) {
  const MapRow* m = map.Find("entity", t.Cell(r, "iso3"));
  if (!m) return false;
  diags.Warning(t.file, t.lines[r], t.Column("iso3"),
                fmt::format("'{}' skipped ({}): {}", t.Cell(r, "iso3"), m->skip, m->note));
  ++skipped;
  return true;
}

void AddGroupRow(ImportResult& result, std::string_view group, std::string_view country, std::string role,
                 std::string since, std::string source) {
  result.tables[std::string(kGroupsTable)].rows.push_back(
      {std::string(group), std::string(country), std::move(role), std::move(since), std::move(source)});
}

// "2025-10-28", "2025-10 (late October ...)": the leading date token, for ordering.
std::optional<std::string> DateKey(std::string_view text) {
  auto token = text.substr(0, text.find(' '));
  const bool ok =
      token.size() >= 7 &&
      std::all_of(token.begin(), token.begin() + 4, [](char c) { return c >= '0' && c <= '9'; }) &&
      token[4] == '-';
  if (!ok) return std::nullopt;
  return std::string(token);
}

// ---- headline values --------------------------------------------------------------------------

struct HeadlineValue {
  std::string cell;  // dataset value cell
  std::string note;  // what was changed, if anything
};

// Published wording of a figure to a value cell. Qualifiers that say "close to" keep the number
// (the wording goes to the note); "up to" is an upper bound, stored as "<x" (the dataset's "<x"
// is used as "at most x"); "over", "more than" are lower bounds ">x".
std::optional<HeadlineValue> ParseHeadlineValue(std::string_view text, std::string_view unit,
                                                std::string& error) {
  struct Qualifier {
    std::string_view words;
    std::string_view prefix;  // "", ">" or "<"
  };
  static constexpr std::array<Qualifier, 13> kQualifiers = {{
      {"nearly", ""},
      {"almost", ""},
      {"around", ""},
      {"about", ""},
      {"approximately", ""},
      {"~", ""},
      {"over", ">"},
      {"more than", ">"},
      {"above", ">"},
      {"up to", "<"},
      {"at most", "<"},
      {"below", "<"},
      {"less than", "<"},
  }};
  HeadlineValue out;
  if (unit == kQualitativeUnit) {
    out.cell = "NA";
    if (!text.empty()) out.note = fmt::format("statement: {}", text);
    return out;
  }
  if (text.empty()) {
    error = "empty value: give a figure, or unit 'qualitative' for a statement";
    return std::nullopt;
  }
  std::string_view num = text;
  std::string_view prefix;
  bool qualified = false;
  if (num.front() == '>' || num.front() == '<') {
    prefix = num.substr(0, 1);
    num.remove_prefix(1);
  } else {
    const std::string lower = Lower(num);
    for (const auto& q : kQualifiers) {
      // A whole word ("over 90", not "overall"); "~" may touch the number.
      const bool word_ends =
          q.words == "~" || (lower.size() > q.words.size() && lower[q.words.size()] == ' ');
      if (lower.rfind(q.words, 0) == 0 && word_ends) {
        prefix = q.prefix;
        num.remove_prefix(q.words.size());
        qualified = true;
        break;
      }
    }
  }
  num = detail::Trim(num);
  if (unit == kPercentUnit && !num.empty() && num.back() == '%')
    num = detail::Trim(num.substr(0, num.size() - 1));
  double x = 0;
  if (!model::ParseDouble(num, x) || !std::isfinite(x) || x < 0) {
    error = fmt::format(
        "value '{}' is neither a number, a bound ('>90', 'up to 69') nor an approximate figure "
        "('nearly 80')",
        Clip(text));
    return std::nullopt;
  }
  if (unit == kPercentUnit && x > kMaxPercent) {
    error = fmt::format("value '{}' is above 100 percent", Clip(text));
    return std::nullopt;
  }
  out.cell = std::string(prefix) + model::FormatNumber(x);
  if (qualified) {
    out.note = prefix.empty() ? fmt::format("published as '{}'", text)
                              : fmt::format("published as '{}', stored as the bound '{}'", text, out.cell);
  }
  return out;
}

// A result for one curated file, with the map loaded; nullopt (errors in result) otherwise.
struct Context {
  ImportResult result;
  std::optional<CuratedMap> map;
  std::optional<CuratedTable> table;
};

Context Open(std::string importer, const fs::path& file, const std::vector<std::string_view>& columns,
             const Reference& ref, std::string_view table) {
  Context c;
  c.result.importer = std::move(importer);
  c.result.tables[std::string(table)];
  c.map = LoadCuratedMap(ref, c.result.diagnostics);
  c.table = ReadCurated(file, columns, c.result.diagnostics);
  return c;
}

}  // namespace

ImportResult ImportMspMembership(const fs::path& file, const Reference& ref) {
  auto c =
      Open("msp", file, {"entity", "iso3", "msp_role", "joined", "source", "stored_at", "evidence", "note"},
           ref, kGroupsTable);
  auto& result = c.result;
  auto& diags = result.diagnostics;
  if (!c.map || !c.table) return result;
  const auto& t = *c.table;
  const auto countries = CountryCodes(ref);
  SourceBook book("msp");
  std::set<std::string> cited;
  std::set<std::string> members;
  std::size_t partners = 0, forum = 0, skipped = 0;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const std::size_t line = t.lines[r];
    if (SkipEntity(t, r, *c.map, diags, skipped)) continue;
    bool ok = CheckCountry(t, r, "entity", ref, countries, diags);
    const auto& role = t.Cell(r, "msp_role");
    const auto role_lower = Lower(role);
    // The file's role column decides (Argentina's conflicting reports stay in the role text).
    std::string_view group;
    if (Contains(role_lower, kMspPartnerMarker)) {
      group = kMspGroup;
    } else if (Contains(role_lower, kMspForumMarker)) {
      group = kMspForumGroup;
    } else {
      diags.Error(t.file, line, t.Column("msp_role"),
                  fmt::format("role '{}' names neither an MSP partner nor an MSP Forum member", Clip(role)));
      ok = false;
    }
    auto grade = CheckEvidenceAndSource(t, r, line, diags, ok);
    if (!ok) continue;
    const auto& iso = t.Cell(r, "iso3");
    if (!members.insert(iso).second) {
      diags.Error(t.file, line, t.Column("iso3"), fmt::format("{} is listed twice", iso));
      continue;
    }
    auto id = book.Cite(t.Cell(r, "source"), t.Cell(r, "stored_at"), "", *grade);
    cited.insert(id);
    std::string role_text = role;
    if (!t.Cell(r, "note").empty()) role_text += fmt::format(" [note: {}]", t.Cell(r, "note"));
    AddGroupRow(result, group, iso, std::move(role_text), t.Cell(r, "joined"), id);
    ++(group == kMspGroup ? partners : forum);
  }
  book.AddTo(result, cited);
  result.stats = {{"rows read", t.rows.size()},
                  {"MSP partners", partners},
                  {"MSP Forum members", forum},
                  {"rows skipped: not a country", skipped}};
  return result;
}

ImportResult ImportUsAgreements(const fs::path& file, const Reference& ref) {
  auto c = Open("us-agreements", file,
                {"partner", "iso3", "instrument", "date_signed", "source", "stored_at", "evidence", "note"},
                ref, kGroupsTable);
  auto& result = c.result;
  auto& diags = result.diagnostics;
  if (!c.map || !c.table) return result;
  const auto& t = *c.table;
  const auto countries = CountryCodes(ref);
  SourceBook book("usagr");
  std::set<std::string> cited;
  struct Instrument {
    std::string date_key;
    std::size_t row;
    std::string source_id;
  };
  std::map<std::string, std::vector<Instrument>> by_country;  // iso3 -> instruments
  std::optional<Instrument> us_jpn;
  std::size_t skipped = 0;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const std::size_t line = t.lines[r];
    if (SkipEntity(t, r, *c.map, diags, skipped)) continue;
    bool ok = CheckCountry(t, r, "partner", ref, countries, diags);
    auto date = DateKey(t.Cell(r, "date_signed"));
    if (!date) {
      diags.Error(t.file, line, t.Column("date_signed"),
                  fmt::format("date_signed '{}' must begin with YYYY-MM", Clip(t.Cell(r, "date_signed"))));
      ok = false;
    }
    auto grade = CheckEvidenceAndSource(t, r, line, diags, ok);
    if (!ok) continue;
    Instrument ins{*date, r, book.Cite(t.Cell(r, "source"), t.Cell(r, "stored_at"), "", *grade)};
    if (t.Cell(r, "iso3") == kJapan && *date == kUsJpnDate) {
      if (us_jpn) {
        diags.Error(t.file, line, t.Column("date_signed"),
                    fmt::format("a second US-Japan instrument dated {} (first at line {})", kUsJpnDate,
                                t.lines[us_jpn->row]));
        continue;
      }
      us_jpn = ins;
    }
    by_country[t.Cell(r, "iso3")].push_back(std::move(ins));
  }
  // One US_AGREEMENT row per country: the earliest instrument (then file order) gives the date
  // and the source; later instruments with the same country are named in the role text.
  std::size_t merged = 0;
  for (auto& [iso, list] : by_country) {
    std::stable_sort(list.begin(), list.end(),
                     [](const Instrument& a, const Instrument& b) { return a.date_key < b.date_key; });
    const auto& first = list.front();
    std::string role =
        fmt::format("{}, signed {}", t.Cell(first.row, "instrument"), t.Cell(first.row, "date_signed"));
    for (std::size_t i = 1; i < list.size(); ++i) {
      role += fmt::format("; also: {}, signed {}", t.Cell(list[i].row, "instrument"),
                          t.Cell(list[i].row, "date_signed"));
      ++merged;
    }
    AddGroupRow(result, kUsAgreementGroup, iso, std::move(role), t.Cell(first.row, "date_signed"),
                first.source_id);
    cited.insert(first.source_id);
  }
  if (us_jpn) {
    const std::string role = fmt::format("party to: {}", t.Cell(us_jpn->row, "instrument"));
    AddGroupRow(result, kUsJpnGroup, kUsa, role, std::string(kUsJpnDate), us_jpn->source_id);
    AddGroupRow(result, kUsJpnGroup, kJapan, role, std::string(kUsJpnDate), us_jpn->source_id);
    cited.insert(us_jpn->source_id);
  } else if (!diags.HasErrors()) {
    diags.Error(t.file, 0, 0,
                fmt::format("no {} instrument dated {}: the {} group cannot be formed", kJapan, kUsJpnDate,
                            kUsJpnGroup));
  }
  book.AddTo(result, cited);
  result.stats = {{"rows read", t.rows.size()},
                  {"US_AGREEMENT countries", by_country.size()},
                  {"instruments merged into a country's earlier one", merged},
                  {"US_JPN_2025 members", us_jpn ? 2 : 0},
                  {"rows skipped: not a country", skipped}};
  return result;
}

ImportResult ImportProcessingHeadlines(const fs::path& file, const Reference& ref) {
  auto c = Open("processing-headlines", file,
                {"mineral", "stage", "metric", "country_or_group", "year", "value", "unit",
                 "case_or_scenario", "source", "stored_at", "licence", "evidence", "note"},
                ref, kHeadlinesTable);
  auto& result = c.result;
  auto& diags = result.diagnostics;
  if (!c.map || !c.table) return result;
  const auto& t = *c.table;
  SourceBook book("hl");
  std::set<std::string> cited;
  std::map<std::string, std::size_t> skipped;  // reason -> rows
  std::map<std::string, std::size_t> keys;     // dataset key -> line, for duplicates
  std::size_t imported = 0, qualitative = 0, qualified = 0;
  std::string previous_licence;
  auto& rows = result.tables[std::string(kHeadlinesTable)].rows;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const std::size_t line = t.lines[r];
    // "see above" refers to the licence of the row above, in file order.
    std::string licence = t.Cell(r, "licence");
    if (Lower(licence) == kSeeAbove) licence = previous_licence;
    previous_licence = licence;

    // Mineral: an id of minerals.csv as is, other wording through curated_map.csv.
    const auto& mtext = t.Cell(r, "mineral");
    std::string mineral;
    std::string mineral_note;
    if (ref.MineralUnit(mtext)) {
      mineral = mtext;
    } else if (const MapRow* m = c.map->Find("mineral", mtext)) {
      if (!m->skip.empty()) {
        diags.Warning(t.file, line, t.Column("mineral"),
                      fmt::format("row skipped ({}): {}", m->skip, m->note));
        ++skipped[m->skip];
        continue;
      }
      mineral = m->id;
      mineral_note = m->note.empty() ? fmt::format("mineral published as '{}'", mtext)
                                     : fmt::format("mineral published as '{}': {}", mtext, m->note);
    } else {
      diags.Error(t.file, line, t.Column("mineral"),
                  fmt::format("mineral '{}' is neither an id of minerals.csv nor listed in {}", Clip(mtext),
                              kMapFile));
      continue;
    }
    bool ok = true;
    const auto& stext = t.Cell(r, "stage");
    std::string stage;
    std::string stage_note;
    if (const MapRow* m = c.map->Find("stage", stext)) {
      stage = m->id;
      stage_note = m->note.empty() ? fmt::format("stage published as '{}'", stext)
                                   : fmt::format("stage published as '{}': {}", stext, m->note);
    } else if (IsIdentifier(stext)) {
      stage = stext;
    } else {
      diags.Error(t.file, line, t.Column("stage"),
                  fmt::format("stage '{}' is not an identifier and not listed in {}", Clip(stext), kMapFile));
      ok = false;
    }
    if (t.Cell(r, "metric").empty()) {
      diags.Error(t.file, line, t.Column("metric"), "empty metric");
      ok = false;
    }
    double year = 0;
    if (!model::ParseDouble(t.Cell(r, "year"), year) || year != std::floor(year) || year < kMinYear ||
        year > kMaxYear) {
      diags.Error(t.file, line, t.Column("year"),
                  fmt::format("year '{}' must be a whole year between {} and {}", Clip(t.Cell(r, "year")),
                              kMinYear, kMaxYear));
      ok = false;
    }
    std::string value_error;
    auto value = ParseHeadlineValue(t.Cell(r, "value"), t.Cell(r, "unit"), value_error);
    if (!value) {
      diags.Error(t.file, line, t.Column("value"), value_error);
      ok = false;
    }
    const auto& etext = t.Cell(r, "evidence");
    auto grade = CheckEvidenceAndSource(t, r, line, diags, ok);
    if (!ok) continue;
    if (SkipLowEvidence(*grade, t, line, "row", etext, diags)) {
      ++skipped["low evidence"];
      continue;
    }
    const auto id = book.Cite(t.Cell(r, "source"), t.Cell(r, "stored_at"), licence, *grade);
    const std::string year_text = model::FormatNumber(year);
    const auto& subject = t.Cell(r, "country_or_group");
    const auto& scenario = t.Cell(r, "case_or_scenario");
    const std::string key = fmt::format("{}\n{}\n{}\n{}\n{}\n{}\n{}", mineral, stage, t.Cell(r, "metric"),
                                        subject, year_text, scenario, id);
    if (auto [it, inserted] = keys.emplace(key, line); !inserted) {
      diags.Error(t.file, line, 0,
                  fmt::format("same mineral, stage, metric, subject, year, scenario and source as line {}",
                              it->second));
      continue;
    }
    cited.insert(id);
    if (t.Cell(r, "unit") == kQualitativeUnit) ++qualitative;
    if (!value->note.empty() && t.Cell(r, "unit") != kQualitativeUnit) ++qualified;
    const std::string evidence_note =
        etext == *grade ? std::string() : fmt::format("evidence as published: '{}'", etext);
    rows.push_back({mineral, stage, t.Cell(r, "metric"), subject, year_text, value->cell, t.Cell(r, "unit"),
                    scenario, std::string(*grade), id,
                    JoinNotes({t.Cell(r, "note"), value->note, mineral_note, stage_note, evidence_note})});
    ++imported;
  }
  book.AddTo(result, cited);
  result.stats = {{"rows read", t.rows.size()},
                  {"rows imported", imported},
                  {"rows skipped: several_minerals", skipped["several_minerals"]},
                  {"rows skipped: not_in_minerals", skipped["not_in_minerals"]},
                  {"rows skipped: low evidence (not shipped as fact)", skipped["low evidence"]},
                  {"qualitative rows (value NA)", qualitative},
                  {"values with a qualifier (nearly, up to ...)", qualified}};
  return result;
}

// ---- export restrictions and Japan's import sources -----------------------------------------

namespace {

constexpr std::string_view kPolicyMapFile = "policy_map.csv";
constexpr std::string_view kPoliciesTable = "policies.csv";
constexpr std::string_view kImportSourcesTable = "import_sources.csv";
constexpr std::string_view kAllTargets = "all";
constexpr std::string_view kAllBut = "all_but:";
constexpr std::string_view kTotalPartner = "all";  // the total row of a Japanese distribution
constexpr std::string_view kResidualCountry = "XOT";
constexpr std::string_view kJpnResidualSourceId = "assume_jpn_import_residual";
constexpr std::size_t kMaxMeasureIdChars = 64;     // the loader's limit for identifiers
constexpr std::uint8_t kMaxShareDecimals = 6;      // of a percentage; curated files print one
constexpr std::uint8_t kWordFractionDecimals = 1;  // "two thirds" -> 66.6%, the files' precision
constexpr std::uint64_t kPercentWhole = 100;
constexpr std::uint64_t kShareSlackPercent = 2;  // the loader's tolerance of 0.02, in percent
constexpr std::array<std::string_view, 5> kPolicyKinds = {"ban", "licence", "quota", "duty", "disruption"};
constexpr std::array<std::string_view, 4> kPolicyStatuses = {"in_force", "suspended", "ended", "announced"};

// Status wording that begins with one of these phrases has that status ("suspended before
// taking effect", "ended, replaced by quota"); anything else needs a row of policy_map.csv.
struct StatusPhrase {
  std::string_view words;
  std::string_view status;
};
constexpr std::array<StatusPhrase, 4> kStatusPhrases = {{
    {"in force", "in_force"},
    {"suspended", "suspended"},
    {"ended", "ended"},
    {"announced", "announced"},
}};

template <std::size_t N>
bool OneOf(const std::array<std::string_view, N>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// Splits at `sep` outside parentheses, trimming the parts: "heavy rare earths (Dy, Tb; clays)"
// stays one part.
std::vector<std::string> SplitOutsideParens(std::string_view text, char sep) {
  std::vector<std::string> out;
  std::string part;
  int depth = 0;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') depth = std::max(0, depth - 1);
    if (c == sep && depth == 0) {
      out.emplace_back(detail::Trim(part));
      part.clear();
    } else {
      part += c;
    }
  }
  out.emplace_back(detail::Trim(part));
  return out;
}

std::vector<std::string> SplitIds(std::string_view text) { return SplitOutsideParens(text, ';'); }

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

// Measure ids keep the file's upper case (CN-2023-GA-GE), as the loader allows.
bool IsMeasureId(std::string_view s) {
  if (s.empty() || s.size() > kMaxMeasureIdChars) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

bool IsGroupId(std::string_view s) { return IsMeasureId(s); }

// A named country of countries.csv (kind country), by code, name or alias.
std::optional<std::string> CountryOf(std::string_view name, const Reference& ref,
                                     const std::set<std::string, std::less<>>& countries) {
  auto iso = ref.CountryByName(name);
  if (iso && countries.count(*iso)) return iso;
  return std::nullopt;
}

// ---- policy_map.csv -------------------------------------------------------------------------

struct PolicyMapRow {
  std::string id;  // stages, minerals, kind, status, target or country, as the kind says
  std::string note;
};

// The decisions on export-restriction wording: (kind, text, mineral) -> row. `mineral` is empty
// except for stage rows that apply to one mineral of a measure only.
struct PolicyMap {
  std::map<std::tuple<std::string, std::string, std::string>, PolicyMapRow, std::less<>> rows;
  const PolicyMapRow* Find(std::string_view kind, std::string_view text, std::string_view mineral = {}) const {
    auto it = rows.find(std::make_tuple(std::string(kind), std::string(text), std::string(mineral)));
    return it == rows.end() ? nullptr : &it->second;
  }
};

// "all", "all_but:GROUP" or ISO3 codes of countries separated by ';'.
bool IsTargetsCell(std::string_view cell, const std::set<std::string, std::less<>>& countries) {
  if (cell == kAllTargets) return true;
  if (cell.rfind(kAllBut, 0) == 0) return IsGroupId(cell.substr(kAllBut.size()));
  const auto codes = SplitIds(cell);
  return std::all_of(codes.begin(), codes.end(), [&](const std::string& c) { return countries.count(c) > 0; });
}

std::optional<PolicyMap> LoadPolicyMap(const Reference& ref, const std::set<std::string, std::less<>>& countries,
                                       model::Diagnostics& diags) {
  const std::size_t before = diags.ErrorCount();
  auto t = ReadCurated(ref.dir() / kPolicyMapFile, {"kind", "text", "mineral", "id", "note"}, diags);
  if (!t) return std::nullopt;
  PolicyMap map;
  for (std::size_t r = 0; r < t->rows.size(); ++r) {
    const auto& kind = t->Cell(r, "kind");
    const auto& text = t->Cell(r, "text");
    const auto& mineral = t->Cell(r, "mineral");
    const auto& id = t->Cell(r, "id");
    const std::size_t line = t->lines[r];
    auto error = [&](std::string_view column, std::string message) {
      diags.Error(t->file, line, t->Column(column), std::move(message));
    };
    if (text.empty()) {
      error("text", "empty text");
      continue;
    }
    // Every row is a decision on wording: it says why.
    if (t->Cell(r, "note").empty()) {
      error("note", "empty note: say why the wording maps to this id");
      continue;
    }
    if (!mineral.empty() && kind != "stage") {
      error("mineral", "only stage rows may name a mineral");
      continue;
    }
    bool ok = true;
    if (kind == "stage" || kind == "mineral") {
      const auto ids = SplitIds(id);
      std::set<std::string> seen;
      for (const auto& part : ids) {
        const bool valid = kind == "stage" ? IsIdentifier(part) : ref.MineralUnit(part).has_value();
        if (!valid || !seen.insert(part).second) {
          error("id", kind == "stage"
                          ? fmt::format("'{}' must list distinct lower-case stage identifiers separated by ';'",
                                        Clip(id))
                          : fmt::format("'{}' must list distinct minerals of minerals.csv separated by ';'",
                                        Clip(id)));
          ok = false;
          break;
        }
      }
      if (ok && kind == "stage" && !mineral.empty() && !ref.MineralUnit(mineral)) {
        error("mineral", fmt::format("unknown mineral '{}' (not in minerals.csv)", Clip(mineral)));
        ok = false;
      }
    } else if (kind == "kind") {
      if (!OneOf(kPolicyKinds, id)) {
        error("id", fmt::format("kind '{}' must be ban, licence, quota, duty or disruption", Clip(id)));
        ok = false;
      }
    } else if (kind == "status") {
      if (!OneOf(kPolicyStatuses, id)) {
        error("id", fmt::format("status '{}' must be in_force, suspended, ended or announced", Clip(id)));
        ok = false;
      }
    } else if (kind == "target") {
      if (!IsTargetsCell(id, countries)) {
        error("id", fmt::format("targets '{}' must be all, all_but:GROUP or ISO3 country codes separated by ';'",
                                Clip(id)));
        ok = false;
      }
    } else if (kind == "country") {
      if (!countries.count(id)) {
        error("id", fmt::format("'{}' is not a country code of countries.csv", Clip(id)));
        ok = false;
      }
    } else {
      error("kind", fmt::format("kind '{}' must be stage, mineral, kind, status, target or country", Clip(kind)));
      ok = false;
    }
    if (!ok) continue;
    if (!map.rows.emplace(std::make_tuple(kind, text, mineral), PolicyMapRow{id, t->Cell(r, "note")}).second) {
      error("text", fmt::format("{} '{}'{} is listed twice", kind, Clip(text),
                                mineral.empty() ? std::string() : fmt::format(" for {}", mineral)));
    }
  }
  if (diags.ErrorCount() != before) return std::nullopt;
  return map;
}

// "published as '<text>': <why>", or without the reason when the map row gives none.
std::string Published(std::string_view what, std::string_view text, std::string_view why) {
  return why.empty() ? fmt::format("{} as published: '{}'", what, text)
                     : fmt::format("{} as published: '{}': {}", what, text, why);
}

// ---- dates ------------------------------------------------------------------------------------

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Two digits at `at` forming a number in [lo, hi].
bool TwoDigits(std::string_view s, std::size_t at, int lo, int hi) {
  if (at + 2 > s.size() || !IsDigit(s[at]) || !IsDigit(s[at + 1])) return false;
  if (at + 2 < s.size() && IsDigit(s[at + 2])) return false;
  const int v = (s[at] - '0') * 10 + (s[at + 1] - '0');
  return v >= lo && v <= hi;
}

// The first date of a cell, as precise as it is printed: "about two months later (2010-11; exact
// day not read)" -> "2010-11", "2024-09/10" -> "2024-09". A year is four digits standing alone
// (not part of a longer number or word) within 1900..2155. nullopt when the cell has no date, or
// (with `error` set) when the date has a month or day that cannot be one ("2024-13-01").
std::optional<std::string> FirstDate(std::string_view text, std::string& error) {
  constexpr int kMonths = 12;
  constexpr int kDays = 31;
  for (std::size_t i = 0; i + 4 <= text.size(); ++i) {
    if (i > 0 && IsAlnum(text[i - 1])) continue;
    if (!std::all_of(text.begin() + static_cast<std::ptrdiff_t>(i), text.begin() + static_cast<std::ptrdiff_t>(i + 4),
                     IsDigit)) {
      continue;
    }
    if (i + 4 < text.size() && IsAlnum(text[i + 4])) continue;
    const int year = std::stoi(std::string(text.substr(i, 4)));
    if (year < kMinYear || year > kMaxYear) continue;
    std::size_t end = i + 4;
    // "-dd" after the year is a month, and after the month a day; "2018-2019" is two years.
    auto two = [&](std::size_t at) { return at < text.size() && text[at] == '-' && TwoDigits(text, at + 1, 0, 99); };
    if (two(end)) {
      if (!TwoDigits(text, end + 1, 1, kMonths)) {
        error = fmt::format("'{}' has no month {}", Clip(text), text.substr(end + 1, 2));
        return std::nullopt;
      }
      end += 3;
      if (two(end)) {
        if (!TwoDigits(text, end + 1, 1, kDays)) {
          error = fmt::format("'{}' has no day {}", Clip(text), text.substr(end + 1, 2));
          return std::nullopt;
        }
        end += 3;
      }
    }
    return std::string(text.substr(i, end - i));
  }
  return std::nullopt;
}

// ---- shares as printed ----------------------------------------------------------------------

enum class Bound { None, AtLeast, AtMost };

// A percentage as printed, exactly: `units` of 10^-decimals percent.
struct Percent {
  std::uint64_t units = 0;
  std::uint8_t decimals = 0;
  Bound bound = Bound::None;
  bool approximate = false;  // "about 90": the number is kept, the qualifier dropped
  bool range = false;        // "60-70": stored as its lower end, a bound

  std::uint64_t At(std::uint8_t d) const {  // units at `d` >= decimals
    std::uint64_t v = units;
    for (std::uint8_t i = decimals; i < d; ++i) v *= 10;
    return v;
  }
};

std::uint64_t Pow10(std::uint8_t n) {
  std::uint64_t v = 1;
  for (std::uint8_t i = 0; i < n; ++i) v *= 10;
  return v;
}

// `units` of 10^-decimals percent as a fraction: (446, 1) -> "0.446", (1000, 1) -> "1".
std::string FractionText(std::uint64_t units, std::uint8_t decimals) {
  const std::uint8_t scale = static_cast<std::uint8_t>(decimals + 2);
  const std::uint64_t whole = Pow10(scale);
  std::string text = std::to_string(units / whole);
  std::string frac = std::to_string(units % whole);
  frac.insert(0, scale - frac.size(), '0');
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  if (!frac.empty()) text += "." + frac;
  return text;
}

std::string CellText(const Percent& p) {
  const std::string_view prefix = p.bound == Bound::AtLeast ? ">" : p.bound == Bound::AtMost ? "<" : "";
  return std::string(prefix) + FractionText(p.units, p.decimals);
}

// "44.6" -> (446, 1); nullopt for anything but digits with an optional decimal point.
std::optional<Percent> ParsePercentNumber(std::string_view s) {
  Percent p;
  bool point = false, digits = false;
  for (char c : s) {
    if (c == '.' && !point) {
      point = true;
    } else if (IsDigit(c)) {
      digits = true;
      if (point && ++p.decimals > kMaxShareDecimals) return std::nullopt;
      if (p.units > kPercentWhole * Pow10(kMaxShareDecimals)) return std::nullopt;  // far above 100
      p.units = p.units * 10 + static_cast<std::uint64_t>(c - '0');
    } else {
      return std::nullopt;
    }
  }
  if (!digits) return std::nullopt;
  return p;
}

// Fractions printed in words; bounds round outwards so that they stay true ("more than two
// thirds" -> ">66.6%"), plain figures to the nearest.
struct WordFraction {
  std::string_view words;
  std::uint64_t num, den;
};
constexpr std::array<WordFraction, 8> kWordFractions = {{
    {"half", 1, 2},
    {"one half", 1, 2},
    {"a third", 1, 3},
    {"one third", 1, 3},
    {"two thirds", 2, 3},
    {"a quarter", 1, 4},
    {"one quarter", 1, 4},
    {"three quarters", 3, 4},
}};

// A share as printed in a curated file (percent) -> Percent; error text otherwise.
//   44.6 | 44.6% | about 90 (approximate: 90) | more than 80, over 80, 80 or more (>80)
//   | less than 5, up to 5, 5 or less (<5) | 60-70 (>60, the range's lower end)
//   | more than two thirds (>66.6)
std::optional<Percent> ParseSharePercent(std::string_view text, std::string& error) {
  struct Words {
    std::string_view words;
    Bound bound;
    bool approximate;
  };
  static constexpr std::array<Words, 15> kPrefixes = {{
      {"about ", Bound::None, true},
      {"nearly ", Bound::None, true},
      {"almost ", Bound::None, true},
      {"around ", Bound::None, true},
      {"approximately ", Bound::None, true},
      {"~", Bound::None, true},
      {"more than ", Bound::AtLeast, false},
      {"over ", Bound::AtLeast, false},
      {"above ", Bound::AtLeast, false},
      {"at least ", Bound::AtLeast, false},
      {"less than ", Bound::AtMost, false},
      {"below ", Bound::AtMost, false},
      {"under ", Bound::AtMost, false},
      {"up to ", Bound::AtMost, false},
      {"at most ", Bound::AtMost, false},
  }};
  static constexpr std::array<Words, 2> kSuffixes = {{
      {" or more", Bound::AtLeast, false},
      {" or less", Bound::AtMost, false},
  }};
  auto fail = [&]() -> std::optional<Percent> {
    error = fmt::format(
        "share '{}' is not a percentage: expected a number, a bound ('more than 80', '90 or more'), "
        "an approximate figure ('about 90') or a range ('60-70')",
        Clip(text));
    return std::nullopt;
  };
  std::string s = Lower(detail::Trim(text));
  Bound bound = Bound::None;
  bool approximate = false;
  auto set_bound = [&](Bound b) {
    if (bound != Bound::None && bound != b) return false;
    bound = b;
    return true;
  };
  for (const auto& w : kSuffixes) {
    if (s.size() > w.words.size() && s.compare(s.size() - w.words.size(), w.words.size(), w.words) == 0) {
      s.resize(s.size() - w.words.size());
      if (!set_bound(w.bound)) return fail();
    }
  }
  for (bool matched = true; matched;) {
    matched = false;
    for (const auto& w : kPrefixes) {
      if (s.rfind(w.words, 0) == 0) {
        s.erase(0, w.words.size());
        if (w.approximate) approximate = true;
        if (w.bound != Bound::None && !set_bound(w.bound)) return fail();
        matched = true;
      }
    }
  }
  s = std::string(detail::Trim(s));
  if (!s.empty() && s.back() == '%') s = std::string(detail::Trim(std::string_view(s).substr(0, s.size() - 1)));
  std::optional<Percent> p;
  bool range = false;
  for (const auto& f : kWordFractions) {
    if (s != f.words) continue;
    const std::uint64_t scaled = kPercentWhole * Pow10(kWordFractionDecimals) * f.num;
    Percent w;
    w.decimals = kWordFractionDecimals;
    w.units = bound == Bound::AtLeast ? scaled / f.den
              : bound == Bound::AtMost ? (scaled + f.den - 1) / f.den
                                       : (scaled + f.den / 2) / f.den;
    p = w;
  }
  if (!p) {
    const auto dash = s.find('-');
    if (dash != std::string::npos && dash > 0) {
      auto lo = ParsePercentNumber(detail::Trim(std::string_view(s).substr(0, dash)));
      auto hi = ParsePercentNumber(detail::Trim(std::string_view(s).substr(dash + 1)));
      const std::uint8_t d = lo && hi ? std::max(lo->decimals, hi->decimals) : 0;
      if (!lo || !hi || lo->At(d) >= hi->At(d) || hi->At(d) > kPercentWhole * Pow10(d) || bound != Bound::None) {
        return fail();
      }
      // The grammar has no range: the lower end is kept as a bound ("at least 60%").
      p = lo;
      bound = Bound::AtLeast;
      range = true;
    } else {
      p = ParsePercentNumber(s);
    }
  }
  if (!p) return fail();
  if (p->units > kPercentWhole * Pow10(p->decimals)) {
    error = fmt::format("share '{}' is above 100 percent", Clip(text));
    return std::nullopt;
  }
  p->bound = bound;
  p->approximate = approximate;
  p->range = range;
  return p;
}

// Whether figure `f` is consistent with bound `b` ("more than 80" and 90).
bool Consistent(const Percent& b, const Percent& f) {
  const std::uint8_t d = std::max(b.decimals, f.decimals);
  return b.bound == Bound::AtLeast ? f.At(d) >= b.At(d) : f.At(d) <= b.At(d);
}

}  // namespace

ImportResult ImportExportRestrictions(const fs::path& file, const Reference& ref) {
  auto c = Open("export-restrictions", file,
                {"measure_id", "country", "minerals", "stage_product", "measure", "instrument", "targets",
                 "announced", "effective", "ended_or_suspended", "status_as_read", "observed_effect", "source",
                 "source_date", "url", "evidence", "note"},
                ref, kPoliciesTable);
  auto& result = c.result;
  auto& diags = result.diagnostics;
  const auto countries = CountryCodes(ref);
  const auto pmap = LoadPolicyMap(ref, countries, diags);
  if (!c.map || !c.table || !pmap) return result;
  const auto& t = *c.table;
  SourceBook book("pol");
  std::set<std::string> cited;
  std::map<std::string, std::size_t> measures;  // measure id -> line, for duplicates
  std::map<std::string, std::size_t> mineral_skips;
  std::size_t imported = 0, skipped_low = 0, no_mineral = 0, mapped_targets = 0, dates_from_text = 0;
  auto& rows = result.tables[std::string(kPoliciesTable)].rows;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const std::size_t line = t.lines[r];
    bool ok = true;
    auto error = [&](std::string_view column, std::string message) {
      diags.Error(t.file, line, t.Column(column), std::move(message));
      ok = false;
    };
    auto cell = [&](std::string_view column) -> const std::string& { return t.Cell(r, column); };

    const auto& id = cell("measure_id");
    if (!IsMeasureId(id)) {
      error("measure_id", fmt::format("measure id '{}' must be an identifier such as CN-2023-GA-GE", Clip(id)));
    } else if (auto [it, inserted] = measures.emplace(id, line); !inserted) {
      error("measure_id", fmt::format("measure id {} is listed twice (first at line {})", id, it->second));
    }

    // Country: a name or alias of countries.csv, else a decision of policy_map.csv.
    std::string country, country_note;
    if (auto iso = CountryOf(cell("country"), ref, countries)) {
      country = *iso;
    } else if (const auto* m = pmap->Find("country", cell("country"))) {
      country = m->id;
      country_note = Published("country", cell("country"), m->note);
    } else {
      error("country", fmt::format("country '{}' is neither a country of countries.csv nor listed in {}",
                                   Clip(cell("country")), kPolicyMapFile));
    }

    std::string kind, kind_note;
    if (OneOf(kPolicyKinds, cell("measure"))) {
      kind = cell("measure");
    } else if (const auto* m = pmap->Find("kind", cell("measure"))) {
      kind = m->id;
      kind_note = Published("measure", cell("measure"), m->note);
    } else {
      error("measure", fmt::format("measure '{}' is not ban, licence, quota, duty or disruption and not listed in {}",
                                   Clip(cell("measure")), kPolicyMapFile));
    }

    // Targets: "all", country names separated by ';', else a decision of policy_map.csv (never a
    // silent "all": text that does not fit the grammar needs a row that says why).
    std::string targets, targets_note;
    const auto& ttext = cell("targets");
    if (ttext == kAllTargets) {
      targets = kAllTargets;
    } else {
      std::vector<std::string> codes;
      for (const auto& name : SplitIds(ttext)) {
        auto iso = CountryOf(name, ref, countries);
        if (!iso) {
          codes.clear();
          break;
        }
        codes.push_back(*iso);
      }
      if (!codes.empty()) {
        targets = Join(codes, ";");
      } else if (const auto* m = pmap->Find("target", ttext)) {
        targets = m->id;
        targets_note = Published("targets", ttext, m->note);
        ++mapped_targets;
      } else {
        error("targets", fmt::format("targets '{}' are neither all nor country names, and not listed in {}",
                                     Clip(ttext), kPolicyMapFile));
      }
    }

    std::string status, status_note;
    const auto& stext = cell("status_as_read");
    if (const auto* m = pmap->Find("status", stext)) {
      status = m->id;
      status_note = Published("status", stext, m->note);
    } else {
      const auto lower = Lower(stext);
      for (const auto& p : kStatusPhrases) {
        const bool word_ends = lower.size() == p.words.size() ||
                               (lower.size() > p.words.size() && !IsAlnum(lower[p.words.size()]));
        if (lower.rfind(p.words, 0) == 0 && word_ends) {
          status = p.status;
          if (lower != p.words) status_note = fmt::format("status as read: '{}'", stext);
          break;
        }
      }
      if (status.empty()) {
        error("status_as_read", fmt::format("status '{}' does not begin with in force, suspended, ended or "
                                            "announced, and is not listed in {}",
                                            Clip(stext), kPolicyMapFile));
      }
    }

    // Dates: the first date of each cell, the cell's wording kept in the note when it says more.
    std::array<std::string, 3> dates;
    std::vector<std::string> date_notes;
    constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kDateColumns = {{
        {"announced", "announced"},
        {"effective", "effective"},
        {"ended_or_suspended", "ended or suspended"},
    }};
    for (std::size_t i = 0; i < kDateColumns.size(); ++i) {
      const auto& text = cell(kDateColumns[i].first);
      if (text.empty()) continue;
      std::string date_error;
      auto date = FirstDate(text, date_error);
      if (!date_error.empty()) {
        error(kDateColumns[i].first, fmt::format("date {}", date_error));
        continue;
      }
      if (date) dates[i] = *date;
      if (!date || *date != text) {
        date_notes.push_back(fmt::format("{} as published: '{}'{}", kDateColumns[i].second, text,
                                         date ? std::string() : " (no date in it)"));
        ++dates_from_text;
      }
    }

    const auto& etext = cell("evidence");
    auto grade = NormaliseEvidence(etext);
    if (!grade) {
      error("evidence", fmt::format("evidence '{}' must grade as primary, secondary or low", Clip(etext)));
    }
    if (cell("source").empty()) error("source", "empty source: every row names its source");

    // Minerals: ';'-separated (outside parentheses). policy_map.csv says what a restriction on a
    // mineral also restricts (terbium -> terbium and rare_earths); then ids of minerals.csv; then
    // names of curated_map.csv, which may skip a mineral outside minerals.csv.
    std::vector<std::string> minerals;                       // in order of first mention
    std::map<std::string, std::vector<std::string>> named;   // mineral -> the parts that gave it
    std::map<std::string, std::string> why;                  // mineral -> the map's note (one part)
    std::map<std::string, std::size_t> skips_here;
    for (const auto& part : SplitIds(cell("minerals"))) {
      std::vector<std::string> ids;
      std::string note;
      if (const auto* m = pmap->Find("mineral", part)) {
        ids = SplitIds(m->id);
        note = m->note;
      } else if (ref.MineralUnit(part)) {
        ids = {part};
      } else if (const auto* cm = c.map->Find("mineral", part)) {
        if (!cm->skip.empty()) {
          diags.Warning(t.file, line, t.Column("minerals"),
                        fmt::format("{}: '{}' skipped ({}): {}", id, part, cm->skip, cm->note));
          ++skips_here[cm->skip];
          continue;
        }
        ids = {cm->id};
        note = cm->note;
      } else {
        error("minerals", fmt::format("mineral '{}' is neither an id of minerals.csv nor listed in {} or {}",
                                      Clip(part), kMapFile, kPolicyMapFile));
        continue;
      }
      for (const auto& m : ids) {
        if (!named.count(m)) minerals.push_back(m);
        named[m].push_back(part);
        why[m] = note;
      }
    }

    // Stages per mineral, from the product wording (a row for the mineral, else for all).
    std::map<std::string, std::pair<std::vector<std::string>, std::string>> stages;  // mineral -> (ids, note)
    for (const auto& m : minerals) {
      const auto& ptext = cell("stage_product");
      const auto* s = pmap->Find("stage", ptext, m);
      if (!s) s = pmap->Find("stage", ptext);
      if (!s) {
        error("stage_product",
              fmt::format("stage_product '{}' (mineral {}) is not listed in {}", Clip(ptext), m, kPolicyMapFile));
        continue;
      }
      stages[m] = {SplitIds(s->id), s->note};
    }
    if (!ok) continue;
    if (SkipLowEvidence(*grade, t, line, id, etext, diags)) {
      ++skipped_low;
      continue;
    }
    for (const auto& [reason, n] : skips_here) mineral_skips[reason] += n;
    if (minerals.empty()) {
      diags.Warning(t.file, line, t.Column("minerals"),
                    fmt::format("{} skipped: names no mineral of minerals.csv ('{}')", id, cell("minerals")));
      ++no_mineral;
      continue;
    }
    const auto source_id = book.Cite(cell("source"), cell("url"), "", *grade, cell("source_date"));
    cited.insert(source_id);
    for (const auto& m : minerals) {
      const auto& parts = named[m];
      std::string mineral_note;
      if (parts.size() > 1) {
        mineral_note = fmt::format("recorded under {} for: {}", m, Join(parts, "; "));
      } else if (parts.front() != m) {
        mineral_note = Published("mineral", parts.front(), why[m]);
      }
      const auto& [stage_ids, stage_why] = stages[m];
      const std::string covers = fmt::format("covers: {} (stage: {})", cell("stage_product"), stage_why);
      std::vector<std::string> notes = {cell("instrument").empty() ? std::string()
                                                                   : fmt::format("instrument: {}", cell("instrument")),
                                        covers,
                                        mineral_note,
                                        country_note,
                                        kind_note,
                                        targets_note};
      notes.insert(notes.end(), date_notes.begin(), date_notes.end());
      notes.push_back(status_note);
      notes.push_back(fmt::format("evidence: {}", etext));
      if (!cell("observed_effect").empty()) notes.push_back(fmt::format("observed: {}", cell("observed_effect")));
      notes.push_back(cell("note"));
      const std::string note = JoinNotes(notes);
      for (const auto& stage : stage_ids) {
        rows.push_back({id, country, m, stage, kind, targets, dates[0], dates[1], dates[2], status, source_id, note});
      }
    }
    ++imported;
  }
  book.AddTo(result, cited);
  result.stats = {{"rows read", t.rows.size()},
                  {"measures imported", imported},
                  {"policy rows (measure, mineral, stage)", rows.size()},
                  {"rows skipped: low evidence (not shipped as fact)", skipped_low},
                  {"rows skipped: no mineral of minerals.csv", no_mineral},
                  {"minerals skipped: not_in_minerals", mineral_skips["not_in_minerals"]},
                  {"minerals skipped: several_minerals", mineral_skips["several_minerals"]},
                  {"targets decided by policy_map.csv", mapped_targets},
                  {"dates taken from longer text", dates_from_text}};
  return result;
}

ImportResult ImportJapanImportSources(const fs::path& file, const Reference& ref) {
  auto c = Open("japan-import-sources", file,
                {"mineral", "product", "partner", "share_pct", "period", "source", "source_date", "url", "evidence"},
                ref, kImportSourcesTable);
  auto& result = c.result;
  auto& diags = result.diagnostics;
  if (!c.map || !c.table) return result;
  // Listed even when no residual is needed, so that ApplyImport replaces the residual rows of an
  // earlier import too.
  detail::AddSource(result, ref.SourceRecord(kJpnResidualSourceId));
  const auto& t = *c.table;
  const auto countries = CountryCodes(ref);
  SourceBook book("jpnimp");
  std::set<std::string> cited;

  struct Entry {
    std::string country;
    Percent share;
    std::string source_id;
    std::size_t line;
  };
  struct Distribution {
    std::vector<Entry> entries;  // in file order
  };
  // (mineral, product, period) -> its listed shares; ordered, so the output is too.
  std::map<std::tuple<std::string, std::string, std::string>, Distribution> dists;
  std::map<std::string, std::size_t> skipped;  // reason -> rows
  std::size_t totals = 0, approximate = 0, worded_bounds = 0, ranges = 0, superseded = 0;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const std::size_t line = t.lines[r];
    bool ok = true;
    auto error = [&](std::string_view column, std::string message) {
      diags.Error(t.file, line, t.Column(column), std::move(message));
      ok = false;
    };
    auto cell = [&](std::string_view column) -> const std::string& { return t.Cell(r, column); };

    const auto& mtext = cell("mineral");
    std::string mineral;
    if (ref.MineralUnit(mtext)) {
      mineral = mtext;
    } else if (const auto* m = c.map->Find("mineral", mtext)) {
      if (!m->skip.empty()) {
        diags.Warning(t.file, line, t.Column("mineral"), fmt::format("row skipped ({}): {}", m->skip, m->note));
        ++skipped[m->skip];
        continue;
      }
      mineral = m->id;
    } else {
      error("mineral",
            fmt::format("mineral '{}' is neither an id of minerals.csv nor listed in {}", Clip(mtext), kMapFile));
    }
    if (cell("product").empty()) error("product", "empty product");
    if (cell("period").empty()) error("period", "empty period (as printed, e.g. 2024 or 2024 H1)");
    const auto& etext = cell("evidence");
    auto grade = NormaliseEvidence(etext);
    if (!grade) error("evidence", fmt::format("evidence '{}' must grade as primary, secondary or low", Clip(etext)));
    if (cell("source").empty()) error("source", "empty source: every row names its source");

    const auto& ptext = cell("partner");
    const auto& share_text = cell("share_pct");
    const bool total = Lower(ptext) == kTotalPartner;
    if (!total && share_text.empty()) {
      // "change in import volume", "main sources, no shares": nothing to record as a share.
      if (ok) {
        diags.Warning(t.file, line, t.Column("share_pct"),
                      fmt::format("row skipped: no share for '{}'", Clip(ptext)));
        ++skipped["no share"];
      }
      continue;
    }
    std::string country;
    if (!total) {
      // A country, or "other countries" as published (which closes the distribution).
      if (auto iso = ref.CountryByName(ptext); iso && (countries.count(*iso) || *iso == kResidualCountry)) {
        country = *iso;
      } else if (const auto* m = c.map->Find("entity", ptext); m && !m->skip.empty()) {
        if (ok) {
          diags.Warning(t.file, line, t.Column("partner"),
                        fmt::format("row skipped ({}): {}", m->skip, m->note));
          ++skipped[m->skip];
        }
        continue;
      } else {
        error("partner", fmt::format("partner '{}' is neither a country of countries.csv nor listed in {}",
                                     Clip(ptext), kMapFile));
      }
    }
    std::string share_error;
    auto share = ParseSharePercent(share_text, share_error);
    if (!share) error("share_pct", share_error);
    if (!ok) continue;
    if (total) {
      // The total row states the base of the shares; it is not a supplier.
      if (share->bound != Bound::None || share->approximate || share->units != kPercentWhole * Pow10(share->decimals)) {
        error("share_pct", fmt::format("the total row (partner '{}') must say 100, not '{}'", ptext, Clip(share_text)));
      } else {
        ++totals;
      }
      continue;
    }
    if (SkipLowEvidence(*grade, t, line, "row", etext, diags)) {
      ++skipped["low evidence"];
      continue;
    }
    if (share->approximate || share->bound != Bound::None) {
      diags.Warning(t.file, line, t.Column("share_pct"),
                    fmt::format("share '{}' stored as '{}'", share_text, CellText(*share)));
    }
    const auto source_id = book.Cite(cell("source"), cell("url"), "", *grade, cell("source_date"));
    auto& dist = dists[{mineral, cell("product"), cell("period")}];
    Entry entry{country, *share, source_id, line};
    auto same = std::find_if(dist.entries.begin(), dist.entries.end(),
                             [&](const Entry& e) { return e.country == country; });
    if (same == dist.entries.end()) {
      dist.entries.push_back(std::move(entry));
      continue;
    }
    // Two rows for one supplier: a figure supersedes a bound it satisfies ("more than 80" and
    // "90"); anything else is a conflict to resolve in the file.
    const bool old_bound = same->share.bound != Bound::None, new_bound = share->bound != Bound::None;
    if (old_bound && !new_bound && Consistent(same->share, *share)) {
      diags.Warning(t.file, same->line, t.Column("share_pct"),
                    fmt::format("bound superseded by the figure at line {}, which satisfies it", line));
      *same = std::move(entry);
      ++superseded;
    } else if (!old_bound && new_bound && Consistent(*share, same->share)) {
      diags.Warning(t.file, line, t.Column("share_pct"),
                    fmt::format("bound superseded by the figure at line {}, which satisfies it", same->line));
      ++superseded;
    } else {
      error("partner", fmt::format("second share of {} for {} {} ({}): first given at line {}", country, mineral,
                                   cell("product"), cell("period"), same->line));
    }
  }

  auto& out = result.tables[std::string(kImportSourcesTable)].rows;
  std::size_t residuals = 0;
  for (const auto& [key, dist] : dists) {
    const auto& [mineral, product, period] = key;
    std::uint8_t decimals = 0;
    for (const auto& e : dist.entries) decimals = std::max(decimals, e.share.decimals);
    // What the listed suppliers hold at least: figures and lower bounds ("<x" counts as 0).
    std::uint64_t listed = 0;
    bool any_bound = false, has_residual = false;
    for (const auto& e : dist.entries) {
      if (e.share.bound != Bound::AtMost) listed += e.share.At(decimals);
      any_bound = any_bound || e.share.bound != Bound::None;
      has_residual = has_residual || e.country == kResidualCountry;
    }
    const std::uint64_t whole = kPercentWhole * Pow10(decimals);
    if (listed > whole + kShareSlackPercent * Pow10(decimals)) {
      diags.Error(t.file, dist.entries.front().line, t.Column("share_pct"),
                  fmt::format("shares of {} {} ({}) sum to {}%, more than 100", mineral, product, period,
                              FractionText(listed * kPercentWhole, decimals)));
      continue;
    }
    for (const auto& e : dist.entries) {
      out.push_back({std::string(kJapan), mineral, product, period, e.country, CellText(e.share), e.source_id});
      cited.insert(e.source_id);
      if (e.share.range) {
        ++ranges;
      } else if (e.share.bound != Bound::None) {
        ++worded_bounds;
      } else if (e.share.approximate) {
        ++approximate;
      }
    }
    if (listed >= whole || has_residual) continue;
    // The rest of the distribution goes to "other countries": a figure when every listed share is
    // one, else only a bound (the assumption record states the rule).
    Percent rest;
    rest.units = whole - listed;
    rest.decimals = decimals;
    rest.bound = any_bound ? Bound::AtMost : Bound::None;
    out.push_back({std::string(kJapan), mineral, product, period, std::string(kResidualCountry), CellText(rest),
                   std::string(kJpnResidualSourceId)});
    ++residuals;
  }
  book.AddTo(result, cited);
  result.stats = {{"rows read", t.rows.size()},
                  {"rows imported", out.size() - residuals},
                  {"total rows (partner all, 100%)", totals},
                  {"rows skipped: no share", skipped["no share"]},
                  {"rows skipped: exporter_side", skipped["exporter_side"]},
                  {"rows skipped: several_countries", skipped["several_countries"]},
                  {"rows skipped: not_in_minerals", skipped["not_in_minerals"]},
                  {"rows skipped: several_minerals", skipped["several_minerals"]},
                  {"rows skipped: low evidence (not shipped as fact)", skipped["low evidence"]},
                  {"bounds superseded by a figure", superseded},
                  {"approximate figures (about 90)", approximate},
                  {"bounds from wording (more than, or more)", worded_bounds},
                  {"ranges stored as lower bound (60-70)", ranges},
                  {"distributions", dists.size()},
                  {"residual rows added (XOT)", residuals}};
  return result;
}

}  // namespace lodestone::data
