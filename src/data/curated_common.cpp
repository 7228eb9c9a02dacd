// Helpers shared by the importers of the curated tables (see curated_common.hpp).
#include "curated_common.hpp"

namespace lodestone::data::curated {

std::string Clip(std::string_view s) {
  if (s.size() <= kClipChars) return std::string(s);
  return std::string(s.substr(0, kClipChars)) + "...";
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
  } catch (const Error& e) {
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
  std::vector<std::string> names;
  names.reserve(width);
  for (auto f : fields) names.emplace_back(detail::Trim(f));
  CheckUniqueColumns(names, t.file, diags);
  for (std::size_t i = 0; i < names.size(); ++i) t.col.emplace(names[i], i);
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
    // Every cell may reach the dataset (as a value, a role or a note): control characters are
    // refused, and the row left out.
    if (!CheckNoControlChars(fields, t.file, reader.line(), diags)) continue;
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

bool CheckDateCell(const CuratedTable& t, std::size_t r, std::string_view column, model::Diagnostics& diags) {
  const auto& text = t.Cell(r, column);
  auto problem = DateCellProblem(text);
  if (problem.empty()) return true;
  diags.Error(t.file, t.lines[r], t.Column(column), fmt::format("{} {}", column, problem));
  return false;
}

std::optional<CuratedMap> LoadCuratedMap(const Reference& ref, model::Diagnostics& diags) {
  static const std::set<std::string, std::less<>> kKinds = {"mineral", "stage", "entity"};
  static const std::set<std::string, std::less<>> kSkips = {"several_minerals", "not_in_minerals", "not_a_country",
                                                            "exporter_side", "several_countries"};
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
      diags.Error(t->file, line, t->Column("skip"), "give either an id or a skip reason, not both or neither");
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
    auto part = model::ToLower(detail::Trim(rest.substr(0, plus)));
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

// ISO3 codes of countries.csv rows of kind "country" (aggregates such as WLD are not members).
std::set<std::string, std::less<>> CountryCodes(const Reference& ref) {
  const auto* schema = FindTable("countries.csv");
  const auto iso = static_cast<std::size_t>(std::find(schema->columns.begin(), schema->columns.end(), "iso3") -
                                            schema->columns.begin());
  const auto kind = static_cast<std::size_t>(std::find(schema->columns.begin(), schema->columns.end(), "kind") -
                                             schema->columns.begin());
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
    diags.Error(t.file, t.lines[r], t.Column(name_col),
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

Context Open(std::string importer, const fs::path& file, const std::vector<std::string_view>& columns,
             const Reference& ref, std::string_view table) {
  Context c;
  c.result.importer = std::move(importer);
  c.result.tables[std::string(table)];
  c.map = LoadCuratedMap(ref, c.result.diagnostics);
  c.table = ReadCurated(file, columns, c.result.diagnostics);
  return c;
}

// "published as '<text>': <why>", or without the reason when the map row gives none.
std::string Published(std::string_view what, std::string_view text, std::string_view why) {
  return why.empty() ? fmt::format("{} as published: '{}'", what, text)
                     : fmt::format("{} as published: '{}': {}", what, text, why);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace lodestone::data::curated
