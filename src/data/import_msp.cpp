// Importer of Minerals Security Partnership membership (sources/curated, groups.csv).
#include "curated_common.hpp"

namespace lodestone::data {

using namespace curated;

namespace {

constexpr std::string_view kMspGroup = "MSP";
constexpr std::string_view kMspForumGroup = "MSP_FORUM";
constexpr std::string_view kMspPartnerMarker = "msp partner";  // matched case-insensitively
constexpr std::string_view kMspForumMarker = "forum member";

bool Contains(std::string_view haystack_lower, std::string_view needle_lower) {
  return haystack_lower.find(needle_lower) != std::string_view::npos;
}

}  // namespace

ImportResult ImportMspMembership(const fs::path& file, const Reference& ref) {
  auto c = Open("msp", file, {"entity", "iso3", "msp_role", "joined", "source", "stored_at", "evidence", "note"}, ref,
                kGroupsTable);
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
    const auto role_lower = model::ToLower(role);
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
    if (!CheckDateCell(t, r, "joined", diags)) ok = false;
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

}  // namespace lodestone::data
