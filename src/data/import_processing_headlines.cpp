// Importer of headline processing shares (sources/curated, headlines.csv).
#include "curated_common.hpp"

namespace lodestone::data {

using namespace curated;

namespace {

constexpr std::string_view kHeadlinesTable = "headlines.csv";
constexpr std::string_view kSeeAbove = "see above";
constexpr std::string_view kQualitativeUnit = "qualitative";
constexpr std::string_view kPercentUnit = "percent";
constexpr double kMaxPercent = 100.0;

struct HeadlineValue {
  std::string cell;  // dataset value cell
  std::string note;  // what was changed, if anything
};

// Published wording of a figure to a value cell. Qualifiers that say "close to" keep the number
// (the wording goes to the note); "up to" is an upper bound, stored as "<x" (the dataset's "<x"
// is used as "at most x"); "over", "more than" are lower bounds ">x".
std::optional<HeadlineValue> ParseHeadlineValue(std::string_view text, std::string_view unit, std::string& error) {
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
    const std::string lower = model::ToLower(num);
    for (const auto& q : kQualifiers) {
      // A whole word ("over 90", not "overall"); "~" may touch the number.
      const bool word_ends = q.words == "~" || (lower.size() > q.words.size() && lower[q.words.size()] == ' ');
      if (lower.rfind(q.words, 0) == 0 && word_ends) {
        prefix = q.prefix;
        num.remove_prefix(q.words.size());
        qualified = true;
        break;
      }
    }
  }
  num = detail::Trim(num);
  if (unit == kPercentUnit && !num.empty() && num.back() == '%') num = detail::Trim(num.substr(0, num.size() - 1));
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

}  // namespace

ImportResult ImportProcessingHeadlines(const fs::path& file, const Reference& ref) {
  auto c = Open("processing-headlines", file,
                {"mineral", "stage", "metric", "country_or_group", "year", "value", "unit", "case_or_scenario",
                 "source", "stored_at", "licence", "evidence", "note"},
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
    if (model::ToLower(licence) == kSeeAbove) licence = previous_licence;
    previous_licence = licence;

    // Mineral: an id of minerals.csv as is, other wording through curated_map.csv.
    const auto& mtext = t.Cell(r, "mineral");
    std::string mineral;
    std::string mineral_note;
    if (ref.MineralUnit(mtext)) {
      mineral = mtext;
    } else if (const MapRow* m = c.map->Find("mineral", mtext)) {
      if (!m->skip.empty()) {
        diags.Warning(t.file, line, t.Column("mineral"), fmt::format("row skipped ({}): {}", m->skip, m->note));
        ++skipped[m->skip];
        continue;
      }
      mineral = m->id;
      mineral_note = m->note.empty() ? fmt::format("mineral published as '{}'", mtext)
                                     : fmt::format("mineral published as '{}': {}", mtext, m->note);
    } else {
      diags.Error(t.file, line, t.Column("mineral"),
                  fmt::format("mineral '{}' is neither an id of minerals.csv nor listed in {}", Clip(mtext), kMapFile));
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
      diags.Error(
          t.file, line, t.Column("year"),
          fmt::format("year '{}' must be a whole year between {} and {}", Clip(t.Cell(r, "year")), kMinYear, kMaxYear));
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
    const std::string key = fmt::format("{}\n{}\n{}\n{}\n{}\n{}\n{}", mineral, stage, t.Cell(r, "metric"), subject,
                                        year_text, scenario, id);
    if (auto [it, inserted] = keys.emplace(key, line); !inserted) {
      diags.Error(
          t.file, line, 0,
          fmt::format("same mineral, stage, metric, subject, year, scenario and source as line {}", it->second));
      continue;
    }
    cited.insert(id);
    if (t.Cell(r, "unit") == kQualitativeUnit) ++qualitative;
    if (!value->note.empty() && t.Cell(r, "unit") != kQualitativeUnit) ++qualified;
    const std::string evidence_note =
        etext == *grade ? std::string() : fmt::format("evidence as published: '{}'", etext);
    rows.push_back({mineral, stage, t.Cell(r, "metric"), subject, year_text, value->cell, t.Cell(r, "unit"), scenario,
                    std::string(*grade), id,
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

}  // namespace lodestone::data
