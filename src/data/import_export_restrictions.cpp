// Importer of export restrictions (sources/curated, policies.csv); the decisions on their wording
// come from data/reference/policy_map.csv.
#include "curated_common.hpp"

namespace lodestone::data {

using namespace curated;

namespace {

constexpr std::string_view kPolicyMapFile = "policy_map.csv";
constexpr std::string_view kPoliciesTable = "policies.csv";
constexpr std::string_view kAllTargets = "all";
constexpr std::string_view kAllBut = "all_but:";
constexpr std::size_t kMaxMeasureIdChars = 64;  // the loader's limit for identifiers
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
          error("id",
                kind == "stage"
                    ? fmt::format("'{}' must list distinct lower-case stage identifiers separated by ';'", Clip(id))
                    : fmt::format("'{}' must list distinct minerals of minerals.csv separated by ';'", Clip(id)));
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
        error("id",
              fmt::format("targets '{}' must be all, all_but:GROUP or ISO3 country codes separated by ';'", Clip(id)));
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

bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

}  // namespace

ImportResult ImportExportRestrictions(const fs::path& file, const Reference& ref) {
  auto c = Open("export-restrictions", file,
                {"measure_id", "country", "minerals", "stage_product", "measure", "instrument", "targets", "announced",
                 "effective", "ended_or_suspended", "status_as_read", "observed_effect", "source", "source_date", "url",
                 "evidence", "note"},
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
      const auto lower = model::ToLower(stext);
      for (const auto& p : kStatusPhrases) {
        const bool word_ends =
            lower.size() == p.words.size() || (lower.size() > p.words.size() && !IsAlnum(lower[p.words.size()]));
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
      // The cell's first date (model::Date); wording without a date ("on promulgation") is kept
      // in the note, but a mistyped date ("2024-13-01", "20x5") is an error.
      if (auto problem = DateCellProblem(text, true); !problem.empty()) {
        error(kDateColumns[i].first, fmt::format("date {}", problem));
        continue;
      }
      const auto found = FindDateInText(text);
      if (found.date) dates[i] = found.token;
      if (!found.date || found.token != text) {
        date_notes.push_back(fmt::format("{} as published: '{}'{}", kDateColumns[i].second, text,
                                         found.date ? std::string() : " (no date in it)"));
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
    std::vector<std::string> minerals;                      // in order of first mention
    std::map<std::string, std::vector<std::string>> named;  // mineral -> the parts that gave it
    std::map<std::string, std::string> why;                 // mineral -> the map's note (one part)
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
      std::vector<std::string> notes = {
          cell("instrument").empty() ? std::string() : fmt::format("instrument: {}", cell("instrument")),
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

}  // namespace lodestone::data
