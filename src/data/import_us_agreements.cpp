// Importer of US critical-mineral agreements (sources/curated, groups.csv).
#include "curated_common.hpp"
#include "lodestone/model/date.hpp"

namespace lodestone::data {

using namespace curated;

namespace {

constexpr std::string_view kUsAgreementGroup = "US_AGREEMENT";
constexpr std::string_view kUsJpnGroup = "US_JPN_2025";
constexpr std::string_view kUsJpnDate = "2025-10-28";  // the framework signed in Tokyo
constexpr std::string_view kUsa = "USA";

// "2025-10-28", "2025-10 (late October ...)": the leading date token, for ordering.
std::optional<std::string> DateKey(std::string_view text) {
  // The first word, a calendar month or day ("2025-10-28 in Tokyo").
  const auto date = model::Date::Parse(text.substr(0, text.find(' ')));
  if (!date || date->precision == model::DatePrecision::Year) return std::nullopt;
  return date->Iso();
}

}  // namespace

ImportResult ImportUsAgreements(const fs::path& file, const Reference& ref) {
  auto c = Open("us-agreements", file,
                {"partner", "iso3", "instrument", "date_signed", "source", "stored_at", "evidence", "note"}, ref,
                kGroupsTable);
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
        diags.Error(
            t.file, line, t.Column("date_signed"),
            fmt::format("a second US-Japan instrument dated {} (first at line {})", kUsJpnDate, t.lines[us_jpn->row]));
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
    std::string role = fmt::format("{}, signed {}", t.Cell(first.row, "instrument"), t.Cell(first.row, "date_signed"));
    for (std::size_t i = 1; i < list.size(); ++i) {
      role +=
          fmt::format("; also: {}, signed {}", t.Cell(list[i].row, "instrument"), t.Cell(list[i].row, "date_signed"));
      ++merged;
    }
    AddGroupRow(result, kUsAgreementGroup, iso, std::move(role), t.Cell(first.row, "date_signed"), first.source_id);
    cited.insert(first.source_id);
  }
  if (us_jpn) {
    const std::string role = fmt::format("party to: {}", t.Cell(us_jpn->row, "instrument"));
    AddGroupRow(result, kUsJpnGroup, kUsa, role, std::string(kUsJpnDate), us_jpn->source_id);
    AddGroupRow(result, kUsJpnGroup, kJapan, role, std::string(kUsJpnDate), us_jpn->source_id);
    cited.insert(us_jpn->source_id);
  } else if (!diags.HasErrors()) {
    diags.Error(
        t.file, 0, 0,
        fmt::format("no {} instrument dated {}: the {} group cannot be formed", kJapan, kUsJpnDate, kUsJpnGroup));
  }
  book.AddTo(result, cited);
  result.stats = {{"rows read", t.rows.size()},
                  {"US_AGREEMENT countries", by_country.size()},
                  {"instruments merged into a country's earlier one", merged},
                  {"US_JPN_2025 members", us_jpn ? 2 : 0},
                  {"rows skipped: not a country", skipped}};
  return result;
}

}  // namespace lodestone::data
