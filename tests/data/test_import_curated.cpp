// Tests of the curated-table importers: MSP membership and US agreements (groups.csv) and headline
// processing shares (headlines.csv), read from the project's curated files, with the mapping,
// value and evidence rules, the source records, and the errors reported for broken files.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "data/test_fixtures.hpp"
#include "lodestone/data/importers.hpp"
#include "lodestone/data/reference.hpp"
#include "lodestone/data/schema.hpp"

namespace lodestone::data {
namespace {

using testing::ReferenceDir;
using testing::SourceDir;
using testing::TempDir;
using testing::WriteFile;

constexpr std::size_t kMspPartners = 14;
constexpr std::size_t kMspForum = 15;
constexpr std::size_t kUsAgreementCountries = 5;
constexpr std::size_t kHeadlineRowsRead = 41;
constexpr std::size_t kHeadlinesImported = 35;

const Reference& Ref() {
  static const Reference ref = Reference::Load(ReferenceDir());
  return ref;
}

std::filesystem::path Curated(std::string_view name) { return SourceDir() / "sources" / "curated" / name; }

const ImportResult& Msp() {
  static const ImportResult r = ImportMspMembership(Curated("msp_membership.csv"), Ref());
  return r;
}
const ImportResult& Us() {
  static const ImportResult r = ImportUsAgreements(Curated("us_critical_mineral_agreements.csv"), Ref());
  return r;
}
const ImportResult& Headlines() {
  static const ImportResult r = ImportProcessingHeadlines(Curated("processing_shares.csv"), Ref());
  return r;
}

using Row = std::map<std::string, std::string>;

std::vector<Row> Rows(const ImportResult& r, const std::string& file) {
  std::vector<Row> out;
  auto it = r.tables.find(file);
  if (it == r.tables.end()) return out;
  const auto* schema = FindTable(file);
  for (const auto& cells : it->second.rows) {
    EXPECT_EQ(cells.size(), schema->columns.size());
    Row row;
    for (std::size_t i = 0; i < schema->columns.size(); ++i)
      row[std::string(schema->columns[i])] = cells.at(i);
    out.push_back(std::move(row));
  }
  return out;
}

std::set<std::string> Members(const ImportResult& r, std::string_view group) {
  std::set<std::string> out;
  for (auto& row : Rows(r, "groups.csv")) {
    if (row["group"] == group) out.insert(row["country"]);
  }
  return out;
}

std::optional<Row> GroupRow(const ImportResult& r, std::string_view group, std::string_view country) {
  for (auto& row : Rows(r, "groups.csv")) {
    if (row["group"] == group && row["country"] == country) return row;
  }
  return std::nullopt;
}

// One cell of a group row, or "<no such row>" (so a missing row fails the test, not the binary).
std::string GroupCell(const ImportResult& r, std::string_view group, std::string_view country,
                      const std::string& column) {
  auto row = GroupRow(r, group, country);
  return row ? (*row)[column] : "<no such row>";
}

std::optional<Row> Headline(std::string_view mineral, std::string_view stage, std::string_view subject,
                            std::string_view year, std::string_view scenario) {
  for (auto& row : Rows(Headlines(), "headlines.csv")) {
    if (row["mineral"] == mineral && row["stage"] == stage && row["subject"] == subject &&
        row["year"] == year && row["scenario"] == scenario) {
      return row;
    }
  }
  return std::nullopt;
}

std::size_t Stat(const ImportResult& r, std::string_view name) {
  for (const auto& [k, v] : r.stats) {
    if (k == name) return v;
  }
  ADD_FAILURE() << "no statistic '" << name << "'";
  return 0;
}

bool HasError(const ImportResult& r, std::size_t line, std::size_t column, std::string_view text) {
  for (const auto& d : r.diagnostics.Items()) {
    if (d.severity == model::Severity::Error && d.line == line && d.column == column &&
        d.message.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

const model::Source* FindSource(const ImportResult& r, std::string_view id) {
  for (const auto& s : r.sources) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

// ---- MSP ------------------------------------------------------------------------------------

TEST(ImportCuratedMsp, PartnersAndForumMembers) {
  const auto& r = Msp();
  EXPECT_FALSE(r.diagnostics.HasErrors()) << r.diagnostics.Format();
  auto msp = Members(r, "MSP");
  for (const char* iso :
       {"USA", "JPN", "AUS", "CAN", "FRA", "DEU", "KOR", "GBR", "IND", "EST", "NOR", "ITA"}) {
    EXPECT_TRUE(msp.count(iso)) << iso;
  }
  EXPECT_EQ(msp.size(), kMspPartners);
  EXPECT_FALSE(msp.count("EU"));
  auto forum = Members(r, "MSP_FORUM");
  EXPECT_EQ(forum.size(), kMspForum);
  EXPECT_TRUE(forum.count("KAZ"));
  EXPECT_TRUE(forum.count("COD"));
  EXPECT_FALSE(forum.count("USA"));
}

TEST(ImportCuratedMsp, EuropeanUnionIsSkippedAndCounted) {
  const auto& r = Msp();
  EXPECT_EQ(Stat(r, "rows skipped: not a country"), 1u);
  bool warned = false;
  for (const auto& d : r.diagnostics.Items()) {
    warned = warned || (d.severity == model::Severity::Warning && d.line == 12 && d.column == 2);
  }
  EXPECT_TRUE(warned) << r.diagnostics.Format();
  for (auto& row : Rows(r, "groups.csv")) EXPECT_NE(row["country"], "EU");
}

TEST(ImportCuratedMsp, ArgentinaFollowsTheRoleColumnAndKeepsTheNote) {
  auto arg = GroupRow(Msp(), "MSP_FORUM", "ARG");
  ASSERT_TRUE(arg);
  EXPECT_FALSE(GroupRow(Msp(), "MSP", "ARG"));
  EXPECT_NE((*arg)["role"].find("MSP Forum member"), std::string::npos);
  EXPECT_NE((*arg)["role"].find("conflicting sources"), std::string::npos);
  EXPECT_EQ((*arg)["since"], "2024-07");
}

TEST(ImportCuratedMsp, SourceRecordsCarryEvidenceAndUrl) {
  const auto& r = Msp();
  auto usa = GroupRow(r, "MSP", "USA");
  ASSERT_TRUE(usa);
  const auto* s = FindSource(r, (*usa)["source"]);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->kind, model::SourceKind::Published);
  EXPECT_EQ(s->evidence, "secondary");  // "primary+secondary"
  EXPECT_EQ(s->url, "https://prod.iea.org/policies/16158-minerals-security-partnership");
  EXPECT_EQ(s->licence, "see source");
  // Rows with the same source text and address share one record.
  EXPECT_EQ(GroupCell(r, "MSP", "CAN", "source"), GroupCell(r, "MSP", "JPN", "source"));
  EXPECT_NE(GroupCell(r, "MSP", "CAN", "source"), GroupCell(r, "MSP", "AUS", "source"));
}

TEST(ImportCuratedMsp, SourceIdsAreStable) {
  auto again = ImportMspMembership(Curated("msp_membership.csv"), Ref());
  ASSERT_EQ(again.sources.size(), Msp().sources.size());
  for (std::size_t i = 0; i < again.sources.size(); ++i) EXPECT_EQ(again.sources[i], Msp().sources[i]);
  EXPECT_EQ(again.tables.at("groups.csv").rows, Msp().tables.at("groups.csv").rows);
}

// ---- US agreements --------------------------------------------------------------------------

TEST(ImportCuratedUs, UsJapan2025IsUsaAndJapan) {
  const auto& r = Us();
  EXPECT_FALSE(r.diagnostics.HasErrors()) << r.diagnostics.Format();
  EXPECT_EQ(Members(r, "US_JPN_2025"), (std::set<std::string>{"USA", "JPN"}));
  auto usa = GroupRow(r, "US_JPN_2025", "USA");
  ASSERT_TRUE(usa);
  EXPECT_EQ((*usa)["since"], "2025-10-28");
}

TEST(ImportCuratedUs, OneRowPerPartnerWithTheEarliestInstrument) {
  const auto& r = Us();
  auto members = Members(r, "US_AGREEMENT");
  EXPECT_EQ(members, (std::set<std::string>{"AUS", "JPN", "MYS", "THA", "UKR"}));
  EXPECT_EQ(members.size(), kUsAgreementCountries);
  auto jpn = GroupRow(r, "US_AGREEMENT", "JPN");
  ASSERT_TRUE(jpn);
  EXPECT_EQ((*jpn)["since"], "2023-03-28");
  EXPECT_NE((*jpn)["role"].find("Critical Minerals Agreement"), std::string::npos);
  EXPECT_NE((*jpn)["role"].find("also: United States-Japan Framework"), std::string::npos);
  EXPECT_EQ(Stat(r, "instruments merged into a country's earlier one"), 1u);
  // The 2023 agreement's source is cited by the US_AGREEMENT row, the 2025 framework's by US_JPN_2025.
  EXPECT_NE((*jpn)["source"], GroupCell(r, "US_JPN_2025", "JPN", "source"));
  const auto* ustr = FindSource(r, (*jpn)["source"]);
  ASSERT_NE(ustr, nullptr);
  EXPECT_EQ(ustr->evidence, "primary");
}

// ---- headlines ------------------------------------------------------------------------------

TEST(ImportCuratedHeadlines, LithiumRefiningChina2024) {
  EXPECT_FALSE(Headlines().diagnostics.HasErrors()) << Headlines().diagnostics.Format();
  auto li = Headline("lithium", "refining", "China", "2024", "historical");
  ASSERT_TRUE(li);
  EXPECT_EQ((*li)["value"], "70");
  EXPECT_EQ((*li)["unit"], "percent");
  EXPECT_EQ((*li)["evidence"], "secondary");
  EXPECT_EQ((*li)["metric"], "share_of_global_refining");
  EXPECT_NE((*li)["note"].find("year assumed"), std::string::npos);
}

TEST(ImportCuratedHeadlines, ValueRules) {
  auto graphite = Headline("graphite", "refining", "China", "2030", "base case");
  ASSERT_TRUE(graphite);
  EXPECT_EQ((*graphite)["value"], ">90");
  EXPECT_NE((*graphite)["note"].find("battery-grade"), std::string::npos);
  auto cobalt = Headline("cobalt", "refining", "China", "2024", "historical");
  ASSERT_TRUE(cobalt);
  EXPECT_EQ((*cobalt)["value"], "80");
  EXPECT_NE((*cobalt)["note"].find("'nearly 80'"), std::string::npos);
  EXPECT_EQ((*cobalt)["evidence"], "low");
  EXPECT_NE((*cobalt)["note"].find("low (social-media summary)"), std::string::npos);
  auto top3 = Headline("lithium", "mining", "Australia, China, Chile (top-3)", "2030", "base case");
  ASSERT_TRUE(top3);
  EXPECT_EQ((*top3)["value"], "<69");
  EXPECT_NE((*top3)["note"].find("up to 69"), std::string::npos);
  auto qualitative =
      Headline("cobalt", "raw_material_sourcing", "China <- Congo (Kinshasa)", "2022", "historical");
  ASSERT_TRUE(qualitative);
  EXPECT_EQ((*qualitative)["value"], "NA");
  EXPECT_NE((*qualitative)["note"].find("statement: almost entirely"), std::string::npos);
}

TEST(ImportCuratedHeadlines, MineralStageAndEvidenceMapping) {
  auto ree = Headline("rare_earths", "refining", "China", "2023", "historical");
  ASSERT_TRUE(ree);
  EXPECT_NE((*ree)["note"].find("rare earths (magnet REEs)"), std::string::npos);
  auto hard_rock = Headline("lithium", "processing_hard_rock", "China", "2024", "historical");
  ASSERT_TRUE(hard_rock);
  EXPECT_EQ((*hard_rock)["value"], "95");
  auto gallium = Headline("gallium", "refining", "China", "2025", "estimate");
  ASSERT_TRUE(gallium);
  EXPECT_EQ((*gallium)["evidence"], "primary");
  EXPECT_NE((*gallium)["note"].find("mirror is a test fixture"), std::string::npos);
  EXPECT_NE((*gallium)["note"].find("primary production (low-purity)"), std::string::npos);
}

TEST(ImportCuratedHeadlines, SkippedRowsAreCounted) {
  const auto& r = Headlines();
  EXPECT_EQ(Stat(r, "rows read"), kHeadlineRowsRead);
  EXPECT_EQ(Stat(r, "rows imported"), kHeadlinesImported);
  EXPECT_EQ(Stat(r, "rows skipped: several_minerals"), 4u);
  EXPECT_EQ(Stat(r, "rows skipped: not_in_minerals"), 2u);  // bauxite, zirconium
  EXPECT_EQ(Rows(r, "headlines.csv").size(), kHeadlinesImported);
  for (auto& row : Rows(r, "headlines.csv")) {
    EXPECT_NE(row["mineral"], "bauxite");
    EXPECT_TRUE(row["evidence"] == "primary" || row["evidence"] == "secondary" || row["evidence"] == "low");
  }
}

TEST(ImportCuratedHeadlines, SourcesResolveLicenceAndAddress) {
  const auto& r = Headlines();
  // "see above" takes the licence of the row above.
  auto li = Headline("lithium", "mining", "China", "2024", "historical");
  ASSERT_TRUE(li);
  const auto* argus = FindSource(r, (*li)["source"]);
  ASSERT_NE(argus, nullptr);
  EXPECT_EQ(argus->licence, "IEA GCMO 2025 licence not re-read (GCMO 2024 is CC BY 4.0)");
  // A stored_at that is not an address stays in the citation; the url is left empty.
  auto ga = Headline("gallium", "refining", "China", "2025", "estimate");
  ASSERT_TRUE(ga);
  const auto* usgs = FindSource(r, (*ga)["source"]);
  ASSERT_NE(usgs, nullptr);
  EXPECT_TRUE(usgs->url.empty());
  EXPECT_NE(usgs->citation.find("stored at: read_file id"), std::string::npos);
  for (const auto& s : r.sources) EXPECT_EQ(s.id.rfind("hl_", 0), 0u) << s.id;
}

// ---- all three into one dataset -------------------------------------------------------------

TEST(ImportCuratedApply, AllThreeIntoOneDatasetValidate) {
  TempDir dir;
  const auto out = dir / "dataset";
  ApplyImport(Msp(), out, Ref());
  ApplyImport(Us(), out, Ref());
  auto ds = ApplyImport(Headlines(), out, Ref());
  EXPECT_EQ(ds->groups.size(), kMspPartners + kMspForum + kUsAgreementCountries + 2);
  EXPECT_EQ(ds->headlines.size(), kHeadlinesImported);
  auto g = ds.FindGroup("US_JPN_2025");
  ASSERT_TRUE(g);
  EXPECT_EQ(ds.GroupMembers(*g).size(), 2u);
  // Re-importing one file replaces its own rows only.
  auto again = ApplyImport(Msp(), out, Ref());
  EXPECT_EQ(again->groups.size(), ds->groups.size());
  EXPECT_EQ(again->headlines.size(), kHeadlinesImported);
}

// ---- broken files ---------------------------------------------------------------------------

constexpr std::string_view kMspHeader =
    "entity,iso3,msp_role,joined,status_as_of,source,stored_at,evidence,note\n";
constexpr std::string_view kHeadlineHeader =
    "mineral,stage,metric,country_or_group,year,value,unit,case_or_scenario,source,stored_at,licence,"
    "evidence,note\n";

TEST(ImportCuratedErrors, MspProblemsWithLineAndColumn) {
  TempDir dir;
  auto path = dir / "msp.csv";
  WriteFile(path, std::string(kMspHeader) +
                      "Atlantis,ATL,MSP partner,2022-06,2024-09,src,https://x.example,primary,\n"
                      "Japan,JPN,observer,2022-06,2024-09,src,https://x.example,primary,\n"
                      "Canada,CAN,MSP partner,2022-06,2024-09,src,https://x.example,hearsay,\n"
                      "France,DEU,MSP partner,2022-06,2024-09,src,https://x.example,primary,\n"
                      "Italy,ITA,MSP partner,2022-06,2024-09,src\n");
  auto r = ImportMspMembership(path, Ref());
  EXPECT_TRUE(HasError(r, 2, 2, "'ATL' is not a country code")) << r.diagnostics.Format();
  EXPECT_TRUE(HasError(r, 3, 3, "neither an MSP partner"));
  EXPECT_TRUE(HasError(r, 4, 8, "evidence 'hearsay'"));
  EXPECT_TRUE(HasError(r, 5, 1, "'France' is FRA"));
  EXPECT_TRUE(HasError(r, 6, 7, "expected 9 fields, found 6"));
  EXPECT_EQ(r.diagnostics.ErrorCount(), 5u);
  EXPECT_THROW(ApplyImport(r, dir / "dataset", Ref()), model::InputError);
}

TEST(ImportCuratedErrors, MissingColumn) {
  TempDir dir;
  auto path = dir / "msp.csv";
  WriteFile(path, "entity,iso3,joined,source,stored_at,evidence,note\nJapan,JPN,2022,s,u,primary,\n");
  auto r = ImportMspMembership(path, Ref());
  EXPECT_TRUE(HasError(r, 1, 0, "missing column 'msp_role'")) << r.diagnostics.Format();
}

TEST(ImportCuratedErrors, HeadlineProblemsWithLineAndColumn) {
  TempDir dir;
  auto path = dir / "shares.csv";
  WriteFile(
      path,
      std::string(kHeadlineHeader) +
          "unobtainium,refining,share,China,2024,70,percent,historical,src,https://x.example,CC BY,primary,\n"
          "lithium,Refining Stage,share,China,2024,70,percent,historical,src,https://x.example,CC "
          "BY,primary,\n"
          "lithium,refining,share,China,20x4,70,percent,historical,src,https://x.example,CC BY,primary,\n"
          "lithium,refining,share,China,2024,lots,percent,historical,src,https://x.example,CC BY,primary,\n"
          "lithium,refining,share,China,2024,170,percent,historical,src,https://x.example,CC BY,primary,\n"
          "lithium,refining,share,China,2024,70,percent,historical,src,https://x.example,CC BY,tertiary,\n"
          "lithium,refining,share,China,2025,,percent,historical,src,https://x.example,CC BY,primary,\n");
  auto r = ImportProcessingHeadlines(path, Ref());
  EXPECT_TRUE(HasError(r, 2, 1, "mineral 'unobtainium'")) << r.diagnostics.Format();
  EXPECT_TRUE(HasError(r, 3, 2, "stage 'Refining Stage'"));
  EXPECT_TRUE(HasError(r, 4, 5, "year '20x4'"));
  EXPECT_TRUE(HasError(r, 5, 6, "value 'lots'"));
  EXPECT_TRUE(HasError(r, 6, 6, "above 100 percent"));
  EXPECT_TRUE(HasError(r, 7, 12, "evidence 'tertiary'"));
  EXPECT_TRUE(HasError(r, 8, 6, "empty value"));
  EXPECT_EQ(r.diagnostics.ErrorCount(), 7u);
}

TEST(ImportCuratedHeadlines, QualifierWording) {
  TempDir dir;
  auto path = dir / "shares.csv";
  auto row = [](std::string_view year, std::string_view value) {
    return fmt::format(
        "lithium,refining,share,China,{},{},percent,historical,src,https://x.example,,primary,\n", year,
        value);
  };
  WriteFile(path, std::string(kHeadlineHeader) + row("2001", "over 90") + row("2002", "~5") +
                      row("2003", "more than 50%") + row("2004", "below 10") + row("2005", "overall 5"));
  auto r = ImportProcessingHeadlines(path, Ref());
  auto rows = Rows(r, "headlines.csv");
  ASSERT_EQ(rows.size(), 4u) << r.diagnostics.Format();
  EXPECT_EQ(rows[0]["value"], ">90");
  EXPECT_EQ(rows[1]["value"], "5");
  EXPECT_EQ(rows[2]["value"], ">50");
  EXPECT_EQ(rows[3]["value"], "<10");
  EXPECT_TRUE(HasError(r, 6, 6, "value 'overall 5'"));
  // No licence column text: the record says "see source".
  ASSERT_FALSE(r.sources.empty());
  EXPECT_EQ(r.sources.front().licence, "see source");
}

TEST(ImportCuratedErrors, DuplicateHeadline) {
  TempDir dir;
  auto path = dir / "shares.csv";
  const std::string row =
      "lithium,refining,share,China,2024,70,percent,historical,src,https://x.example,CC BY,primary,\n";
  WriteFile(path, std::string(kHeadlineHeader) + row + row);
  auto r = ImportProcessingHeadlines(path, Ref());
  EXPECT_TRUE(HasError(r, 3, 0, "as line 2")) << r.diagnostics.Format();
}

TEST(ImportCuratedErrors, UsFileWithoutThe2025Framework) {
  TempDir dir;
  auto path = dir / "us.csv";
  WriteFile(
      path,
      "partner,iso3,instrument,date_signed,minerals_or_scope,key_terms_read,source,stored_at,evidence,note\n"
      "Japan,JPN,Agreement,2023-03-28,scope,terms,src,https://x.example,primary,\n"
      "Ukraine,UKR,Fund,someday,scope,terms,src,https://x.example,primary,\n");
  auto r = ImportUsAgreements(path, Ref());
  EXPECT_TRUE(HasError(r, 3, 4, "date_signed 'someday'")) << r.diagnostics.Format();
  auto r2_path = dir / "us2.csv";
  WriteFile(
      r2_path,
      "partner,iso3,instrument,date_signed,minerals_or_scope,key_terms_read,source,stored_at,evidence,note\n"
      "Japan,JPN,Agreement,2023-03-28,scope,terms,src,https://x.example,primary,\n");
  auto r2 = ImportUsAgreements(r2_path, Ref());
  EXPECT_TRUE(HasError(r2, 0, 0, "US_JPN_2025")) << r2.diagnostics.Format();
}

}  // namespace
}  // namespace lodestone::data
