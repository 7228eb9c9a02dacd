// Importer of Japan's net import reliance (sources/curated/japan_import_reliance.csv ->
// import_reliance.csv, consumer JPN). A row is either a figure a source prints ("published") or
// one derived by a stated rule ("derived"), whose source is then an assumption record of the
// reference sources that states the rule and its inputs.
#include "curated_common.hpp"

namespace lodestone::data {

using namespace curated;

namespace {

constexpr std::string_view kRelianceTable = "import_reliance.csv";
constexpr std::string_view kPublished = "published";
constexpr std::string_view kDerived = "derived";
constexpr double kPercent = 100.0;

}  // namespace

ImportResult ImportJapanImportReliance(const fs::path& file, const Reference& ref) {
  auto c =
      Open("japan-import-reliance", file,
           {"mineral", "material", "year", "reliance_pct", "basis", "source", "url", "licence", "evidence", "note"},
           ref, kRelianceTable);
  auto& result = c.result;
  auto& diags = result.diagnostics;
  if (!c.map || !c.table) return result;
  const auto& t = *c.table;
  SourceBook book("jpnir");
  std::set<std::string> cited;
  std::set<std::tuple<std::string, std::string, std::string>> keys;
  auto& out = result.tables[std::string(kRelianceTable)].rows;
  std::size_t published = 0, derived = 0, low = 0;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const std::size_t line = t.lines[r];
    bool ok = true;
    auto error = [&](std::string_view column, std::string message) {
      diags.Error(t.file, line, t.Column(column), std::move(message));
      ok = false;
    };
    auto cell = [&](std::string_view column) -> const std::string& { return t.Cell(r, column); };
    for (const auto& [name, index] : t.col) {
      if (model::HasControlChar(t.rows[r][index])) error(name, fmt::format("control character in column '{}'", name));
    }
    const auto& mineral = cell("mineral");
    if (!ref.MineralUnit(mineral)) {
      error("mineral", fmt::format("mineral '{}' is not an id of minerals.csv", Clip(mineral)));
    }
    // The material names the stage too ("ores and concentrates (mine stage)"): a bare figure
    // would not say what is imported.
    if (cell("material").empty()) error("material", "empty material: say which material and stage the figure means");
    double year = 0;
    if (!model::ParseDouble(cell("year"), year) || year != std::floor(year) || year < kMinYear || year > kMaxYear) {
      error("year",
            fmt::format("year '{}' must be a whole year between {} and {}", Clip(cell("year")), kMinYear, kMaxYear));
    }
    double pct = 0;
    // "-0" is refused with the negatives: a sign has no place in a share.
    const bool has_sign = !cell("reliance_pct").empty() && cell("reliance_pct").front() == '-';
    if (has_sign || !model::ParseDouble(cell("reliance_pct"), pct) || pct < 0 || pct > kPercent) {
      error("reliance_pct", fmt::format("reliance '{}' must be a percentage between 0 and 100 (a net exporter is not "
                                        "given as a figure)",
                                        Clip(cell("reliance_pct"))));
    }
    const auto& basis = cell("basis");
    const bool is_derived = basis == kDerived;
    if (basis != kPublished && !is_derived) {
      error("basis", fmt::format("basis '{}' must be '{}' (a figure a source prints) or '{}' (by a stated rule)",
                                 Clip(basis), kPublished, kDerived));
    }
    auto grade = CheckEvidenceAndSource(t, r, line, diags, ok);
    const model::Source* rule = nullptr;
    if (ok && is_derived) {
      // A derived figure cites the assumption record that states its rule: never a bare number.
      try {
        rule = &ref.SourceRecord(cell("source"));
      } catch (const Error&) {
        error("source", fmt::format("derived row: source '{}' must be the id of an assumption record of the reference "
                                    "sources stating the rule",
                                    Clip(cell("source"))));
      }
      if (rule && rule->kind != model::SourceKind::Assumption) {
        error("source", fmt::format("derived row: source '{}' is not an assumption record", Clip(cell("source"))));
      }
    }
    if (!ok) continue;
    if (SkipLowEvidence(*grade, t, line, "row", cell("evidence"), diags)) {
      ++low;
      continue;
    }
    const std::string year_text = model::FormatNumber(year);
    if (!keys.emplace(mineral, cell("material"), year_text).second) {
      error("material", fmt::format("second row for {} '{}' {}", mineral, Clip(cell("material")), year_text));
      continue;
    }
    std::string id;
    if (rule) {
      id = rule->id;
      detail::AddSource(result, *rule);
      ++derived;
    } else {
      id = book.Cite(cell("source"), cell("url"), cell("licence"), *grade);
      cited.insert(id);
      ++published;
    }
    out.push_back({std::string(kJapan), mineral, cell("material"), year_text, model::FormatNumber(pct / kPercent), id});
  }
  book.AddTo(result, cited);
  result.stats = {{"rows read", t.rows.size()},
                  {"rows imported: published figures", published},
                  {"rows imported: derived by a stated rule", derived},
                  {"rows skipped: low evidence (not shipped as fact)", low}};
  return result;
}

}  // namespace lodestone::data
