// Importers of the project's curated tables (sources/curated/), each row citing its own source:
// Minerals Security Partnership membership and US critical-mineral agreements (groups.csv), and
// headline processing shares (headlines.csv). Mineral and stage wording is mapped through
// data/reference/curated_map.csv; every distinct (source, stored_at) pair becomes a source record.
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
  static const std::set<std::string, std::less<>> kSkips = {"several_minerals", "not_in_minerals",
                                                            "not_a_country"};
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
                  fmt::format("skip '{}' must be several_minerals, not_in_minerals or not_a_country",
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
  std::string Cite(std::string_view source, std::string_view stored_at, std::string_view licence,
                   std::string_view grade) {
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
    const bool is_url = stored_at.rfind("http://", 0) == 0 || stored_at.rfind("https://", 0) == 0;
    if (is_url) {
      s.url = std::string(stored_at);
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
    auto grade = NormaliseEvidence(t.Cell(r, "evidence"));
    if (!grade) {
      diags.Error(
          t.file, line, t.Column("evidence"),
          fmt::format("evidence '{}' must grade as primary, secondary or low", Clip(t.Cell(r, "evidence"))));
      ok = false;
    }
    if (t.Cell(r, "source").empty()) {
      diags.Error(t.file, line, t.Column("source"), "empty source: every row names its source");
      ok = false;
    }
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
    auto grade = NormaliseEvidence(t.Cell(r, "evidence"));
    if (!grade) {
      diags.Error(
          t.file, line, t.Column("evidence"),
          fmt::format("evidence '{}' must grade as primary, secondary or low", Clip(t.Cell(r, "evidence"))));
      ok = false;
    }
    if (t.Cell(r, "source").empty()) {
      diags.Error(t.file, line, t.Column("source"), "empty source: every row names its source");
      ok = false;
    }
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
    auto grade = NormaliseEvidence(etext);
    if (!grade) {
      diags.Error(t.file, line, t.Column("evidence"),
                  fmt::format("evidence '{}' must grade as primary, secondary or low", Clip(etext)));
      ok = false;
    }
    if (t.Cell(r, "source").empty()) {
      diags.Error(t.file, line, t.Column("source"), "empty source: every row names its source");
      ok = false;
    }
    if (!ok) continue;
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
                  {"qualitative rows (value NA)", qualitative},
                  {"values with a qualifier (nearly, up to ...)", qualified}};
  return result;
}

}  // namespace lodestone::data
