// Tests of the curated-table importers: MSP membership and US agreements (groups.csv), headline
// processing shares (headlines.csv), export restrictions (policies.csv) and Japan's import sources
// (import_sources.csv), read from the project's curated files, with the mapping, value and evidence
// rules, the source records, and the errors reported for broken files.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>

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
constexpr std::size_t kHeadlinesImported = 34;  // 41 read: 4 several minerals, 2 not in minerals.csv, 1 low
constexpr std::size_t kRestrictionRowsRead = 26;
constexpr std::size_t kMeasuresImported = 22;
constexpr std::size_t kPolicyRows = 65;
constexpr std::size_t kJapanRowsRead = 27;
constexpr std::size_t kJapanRowsImported = 17;
constexpr std::size_t kJapanDistributions = 14;
constexpr std::size_t kJapanRows = kJapanRowsImported + kJapanDistributions;  // one XOT row each

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
const ImportResult& Restrictions() {
  static const ImportResult r = ImportExportRestrictions(Curated("export_restrictions.csv"), Ref());
  return r;
}
const ImportResult& Japan() {
  static const ImportResult r = ImportJapanImportSources(Curated("japan_import_sources.csv"), Ref());
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
    for (std::size_t i = 0; i < schema->columns.size(); ++i) row[std::string(schema->columns[i])] = cells.at(i);
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
    if (row["mineral"] == mineral && row["stage"] == stage && row["subject"] == subject && row["year"] == year &&
        row["scenario"] == scenario) {
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
  return lodestone::testing::HasError(r.diagnostics, line, column, text);
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
  for (const char* iso : {"USA", "JPN", "AUS", "CAN", "FRA", "DEU", "KOR", "GBR", "IND", "EST", "NOR", "ITA"}) {
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
  // "nearly 80" (cobalt refining, China, 2024) comes from a social-media summary graded low: a
  // stand-in by the curated file's own definition, so it is left out, with a warning.
  EXPECT_FALSE(Headline("cobalt", "refining", "China", "2024", "historical"));
  const auto& items = Headlines().diagnostics.Items();
  EXPECT_TRUE(std::any_of(items.begin(), items.end(), [](const model::Diagnostic& d) {
    return d.severity == model::Severity::Warning &&
           d.message.find("evidence 'low (social-media summary)' grades low") != std::string::npos;
  }));
  auto top3 = Headline("lithium", "mining", "Australia, China, Chile (top-3)", "2030", "base case");
  ASSERT_TRUE(top3);
  EXPECT_EQ((*top3)["value"], "<69");
  EXPECT_NE((*top3)["note"].find("up to 69"), std::string::npos);
  auto qualitative = Headline("cobalt", "raw_material_sourcing", "China <- Congo (Kinshasa)", "2022", "historical");
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
  EXPECT_EQ(Stat(r, "rows skipped: low evidence (not shipped as fact)"), 1u);
  EXPECT_EQ(Rows(r, "headlines.csv").size(), kHeadlinesImported);
  for (auto& row : Rows(r, "headlines.csv")) {
    EXPECT_NE(row["mineral"], "bauxite");
    EXPECT_TRUE(row["evidence"] == "primary" || row["evidence"] == "secondary");  // low rows are not shipped
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

constexpr std::string_view kMspHeader = "entity,iso3,msp_role,joined,status_as_of,source,stored_at,evidence,note\n";
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
  EXPECT_THROW(ApplyImport(r, dir / "dataset", Ref()), lodestone::Error);
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
  WriteFile(path,
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
    return fmt::format("lithium,refining,share,China,{},{},percent,historical,src,https://x.example,,primary,\n", year,
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
  WriteFile(path,
            "partner,iso3,instrument,date_signed,minerals_or_scope,key_terms_read,source,stored_at,evidence,note\n"
            "Japan,JPN,Agreement,2023-03-28,scope,terms,src,https://x.example,primary,\n"
            "Ukraine,UKR,Fund,someday,scope,terms,src,https://x.example,primary,\n");
  auto r = ImportUsAgreements(path, Ref());
  EXPECT_TRUE(HasError(r, 3, 4, "date_signed 'someday'")) << r.diagnostics.Format();
  auto r2_path = dir / "us2.csv";
  WriteFile(r2_path,
            "partner,iso3,instrument,date_signed,minerals_or_scope,key_terms_read,source,stored_at,evidence,note\n"
            "Japan,JPN,Agreement,2023-03-28,scope,terms,src,https://x.example,primary,\n");
  auto r2 = ImportUsAgreements(r2_path, Ref());
  EXPECT_TRUE(HasError(r2, 0, 0, "US_JPN_2025")) << r2.diagnostics.Format();
}

// ---- export restrictions --------------------------------------------------------------------

std::vector<Row> Measure(std::string_view id) {
  std::vector<Row> out;
  for (auto& row : Rows(Restrictions(), "policies.csv")) {
    if (row["id"] == id) out.push_back(row);
  }
  return out;
}

std::set<std::string> Column(const std::vector<Row>& rows, const std::string& column) {
  std::set<std::string> out;
  for (auto row : rows) out.insert(row[column]);
  return out;
}

std::optional<Row> MeasureRow(std::string_view id, std::string_view mineral, std::string_view stage) {
  for (auto& row : Measure(id)) {
    if (row["mineral"] == mineral && row["stage"] == stage) return row;
  }
  return std::nullopt;
}

bool Has(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

TEST(ImportCuratedPolicies, GalliumAndGermaniumLicence2023) {
  const auto& r = Restrictions();
  ASSERT_FALSE(r.diagnostics.HasErrors()) << r.diagnostics.Format();
  const auto rows = Measure("CN-2023-GA-GE");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(Column(rows, "mineral"), (std::set<std::string>{"gallium", "germanium"}));
  for (auto row : rows) {
    EXPECT_EQ(row["country"], "CHN");
    EXPECT_EQ(row["stage"], "refining");
    EXPECT_EQ(row["kind"], "licence");
    EXPECT_EQ(row["targets"], "all");
    EXPECT_EQ(row["announced"], "2023-07-03");
    EXPECT_EQ(row["effective"], "2023-08-01");
    EXPECT_EQ(row["ended"], "");
    EXPECT_EQ(row["status"], "in_force");
    EXPECT_TRUE(Has(row["note"], "instrument: MOFCOM/GAC Announcement No. 23 [2023]")) << row["note"];
    EXPECT_TRUE(Has(row["note"], "status as read: 'in force (not named in the Nov 2025 suspension"));
    EXPECT_TRUE(Has(row["note"], "evidence: secondary"));
    EXPECT_TRUE(Has(row["note"], "observed: Aug 2023 exports of wrought Ga"));
  }
}

TEST(ImportCuratedPolicies, UsBanTargetsTheUnitedStates) {
  const auto rows = Measure("CN-2024-US-BAN");
  ASSERT_EQ(rows.size(), 4u);  // Ga, Ge refining; Sb mining and refining
  EXPECT_EQ(Column(rows, "mineral"), (std::set<std::string>{"gallium", "germanium", "antimony"}));
  // The graphite clause is a stricter review, recorded as a licence of its own.
  const auto graphite = Measure("CN-2024-US-GRAPHITE");
  ASSERT_EQ(graphite.size(), 2u);  // mining and refining
  EXPECT_EQ(Column(graphite, "kind"), (std::set<std::string>{"licence"}));
  EXPECT_EQ(Column(graphite, "targets"), (std::set<std::string>{"USA"}));
  EXPECT_EQ(Column(rows, "targets"), (std::set<std::string>{"USA"}));
  EXPECT_EQ(Column(rows, "kind"), (std::set<std::string>{"ban"}));
  EXPECT_EQ(Column(rows, "status"), (std::set<std::string>{"suspended"}));
  EXPECT_EQ(Column(rows, "ended"), (std::set<std::string>{"2025-11-09"}));
  auto sb = MeasureRow("CN-2024-US-BAN", "antimony", "mining");
  ASSERT_TRUE(sb);
  EXPECT_TRUE(Has((*sb)["note"], "ended or suspended as published: 'clause 2 suspended 2025-11-09 until 2026-11-27"))
      << (*sb)["note"];
  EXPECT_TRUE(Has((*sb)["note"], "status as published: 'clause 2 suspended'"));
  // The 2010 embargo names Japan.
  EXPECT_EQ(Column(Measure("CN-2010-REE-JP"), "targets"), (std::set<std::string>{"JPN"}));
}

TEST(ImportCuratedPolicies, DrCongoCobaltSuspensionThenQuota) {
  const auto susp = Measure("CD-2025-CO-SUSP");
  ASSERT_EQ(susp.size(), 2u);
  EXPECT_EQ(Column(susp, "stage"), (std::set<std::string>{"mining", "refining"}));
  auto s = MeasureRow("CD-2025-CO-SUSP", "cobalt", "mining");
  ASSERT_TRUE(s);
  EXPECT_EQ((*s)["country"], "COD");
  EXPECT_EQ((*s)["kind"], "ban");
  EXPECT_EQ((*s)["announced"], "2025-02-24");
  EXPECT_EQ((*s)["effective"], "2025-02-22");
  EXPECT_EQ((*s)["ended"], "2025-10-15");
  EXPECT_EQ((*s)["status"], "ended");
  EXPECT_TRUE(Has((*s)["note"], "ended or suspended as published: '2025-10-15 (replaced by quotas from 2025-10-16)'"));
  auto q = MeasureRow("CD-2025-CO-QUOTA", "cobalt", "mining");
  ASSERT_TRUE(q);
  EXPECT_EQ((*q)["kind"], "quota");
  EXPECT_EQ((*q)["announced"], "2025-09");
  EXPECT_EQ((*q)["effective"], "2025-10-16");
  EXPECT_EQ((*q)["ended"], "");
  EXPECT_EQ((*q)["status"], "in_force");
  EXPECT_TRUE(Has((*q)["note"], "announced as published: '2025-09 (day not read)'"));
}

TEST(ImportCuratedPolicies, IndonesiaNickelOreBanAtMining) {
  auto ni = MeasureRow("ID-2020-NI", "nickel", "mining");
  ASSERT_TRUE(ni);
  EXPECT_EQ(Measure("ID-2020-NI").size(), 1u);
  EXPECT_EQ((*ni)["country"], "IDN");
  EXPECT_EQ((*ni)["kind"], "ban");
  EXPECT_EQ((*ni)["effective"], "2020-01-01");
  EXPECT_EQ((*ni)["status"], "in_force");
  // 2014: "nickel ore; bauxite; other unprocessed ores" gives nickel only.
  auto old = Measure("ID-2014-ORE");
  ASSERT_EQ(old.size(), 1u);
  EXPECT_EQ(old[0]["mineral"], "nickel");
  EXPECT_EQ(old[0]["stage"], "mining");
  EXPECT_EQ(old[0]["ended"], "2017");
  EXPECT_EQ(old[0]["status"], "ended");
  EXPECT_TRUE(Measure("ID-2023-BAUXITE").empty());
}

TEST(ImportCuratedPolicies, RareEarthElementsAndTheGroup) {
  // Samarium ... yttrium: terbium and dysprosium have minerals of their own; every element is
  // also a restriction on rare earths in total.
  const auto rows = Measure("CN-2025-REE7");
  EXPECT_EQ(rows.size(), 6u);
  EXPECT_EQ(Column(rows, "mineral"), (std::set<std::string>{"rare_earths", "terbium", "dysprosium"}));
  EXPECT_EQ(Column(rows, "stage"), (std::set<std::string>{"refining", "magnets"}));
  auto all = MeasureRow("CN-2025-REE7", "rare_earths", "magnets");
  ASSERT_TRUE(all);
  EXPECT_TRUE(Has((*all)["note"],
                  "recorded under rare_earths for: samarium; gadolinium; terbium; dysprosium; "
                  "lutetium; scandium; yttrium"))
      << (*all)["note"];
  EXPECT_EQ(Column(Measure("CN-2025-REE5"), "mineral"), (std::set<std::string>{"rare_earths"}));
  EXPECT_EQ(Column(Measure("CN-2025-REE5"), "status"), (std::set<std::string>{"suspended"}));
  EXPECT_EQ(Column(Measure("CN-2010-REE-JP"), "mineral"), (std::set<std::string>{"rare_earths"}));
  EXPECT_EQ(Column(Measure("CN-2023-REE-TECH"), "stage"), (std::set<std::string>{"technology"}));
}

TEST(ImportCuratedPolicies, TargetsStatusAndCountryDecisionsKeepTheText) {
  const auto mm = Measure("MM-2024-REE-CONFLICT");
  ASSERT_EQ(mm.size(), 3u);
  EXPECT_EQ(Column(mm, "mineral"), (std::set<std::string>{"rare_earths", "dysprosium", "terbium"}));
  auto row = mm[0];
  EXPECT_EQ(row["country"], "MMR");
  EXPECT_EQ(row["targets"], "CHN");
  EXPECT_EQ(row["kind"], "disruption");
  EXPECT_EQ(row["stage"], "mining");
  EXPECT_EQ(row["effective"], "2024-09");
  EXPECT_EQ(row["status"], "in_force");
  EXPECT_TRUE(Has(row["note"], "targets as published: 'China (sole buyer)'")) << row["note"];
  EXPECT_TRUE(Has(row["note"], "country as published: 'Myanmar (Kachin State)'"));
  EXPECT_TRUE(Has(row["note"], "effective as published: '2024-09/10'"));
  EXPECT_TRUE(Has(row["note"], "status as published: 'partly resumed under KIA terms (reported)'"));
  auto ex = Measure("CN-2025-REE-EXTRATERR");
  ASSERT_FALSE(ex.empty());
  EXPECT_EQ(ex[0]["targets"], "all");
  EXPECT_EQ(ex[0]["effective"], "2025-12-01");
  EXPECT_EQ(ex[0]["ended"], "2025-11-07");
  EXPECT_TRUE(Has(ex[0]["note"], "targets as published: 'all (applies to overseas exporters); military end users"));
  EXPECT_TRUE(Has(ex[0]["note"], "effective as published: '2025-12-01 for the 0.1% value de-minimis rule"));
  EXPECT_EQ(Measure("CN-2010-REE-JP")[0]["ended"], "2010-11");
}

TEST(ImportCuratedPolicies, StagesFromTheProductWording) {
  EXPECT_EQ(Column(Measure("ZW-2022-LI-ORE"), "stage"), (std::set<std::string>{"raw_ore"}));
  EXPECT_EQ(Column(Measure("ZW-2027-LI-CONC"), "stage"), (std::set<std::string>{"mining"}));
  EXPECT_EQ(Column(Measure("ZW-2027-LI-CONC"), "status"), (std::set<std::string>{"announced"}));
  EXPECT_EQ(Column(Measure("CN-2023-GRAPHITE"), "stage"), (std::set<std::string>{"mining", "refining"}));
  EXPECT_EQ(Column(Measure("CN-2024-SB"), "stage"), (std::set<std::string>{"mining", "refining", "technology"}));
  EXPECT_EQ(Column(Measure("CN-2025-W"), "stage"), (std::set<std::string>{"refining", "technology"}));
  const auto lib = Measure("CN-2025-LIB-GRAPHITE");
  EXPECT_EQ(lib.size(), 15u);
  EXPECT_TRUE(MeasureRow("CN-2025-LIB-GRAPHITE", "graphite", "anode_material"));
  EXPECT_FALSE(MeasureRow("CN-2025-LIB-GRAPHITE", "graphite", "cathode_material"));
  EXPECT_TRUE(MeasureRow("CN-2025-LIB-GRAPHITE", "cobalt", "cathode_material"));
  EXPECT_TRUE(MeasureRow("CN-2025-LIB-GRAPHITE", "lithium", "battery_cells"));
}

TEST(ImportCuratedPolicies, SkippedRowsAndMineralsAreCounted) {
  const auto& r = Restrictions();
  EXPECT_EQ(Stat(r, "rows read"), kRestrictionRowsRead);
  EXPECT_EQ(Stat(r, "measures imported"), kMeasuresImported);
  EXPECT_EQ(Stat(r, "policy rows (measure, mineral, stage)"), kPolicyRows);
  // The 2010 quota row is graded low: a stand-in, not shipped.
  EXPECT_EQ(Stat(r, "rows skipped: low evidence (not shipped as fact)"), 1u);
  EXPECT_TRUE(Measure("CN-2010-REE-QUOTA").empty());
  // Te/Bi/Mo/In, superhard materials, Indonesian bauxite.
  EXPECT_EQ(Stat(r, "rows skipped: no mineral of minerals.csv"), 3u);
  EXPECT_EQ(Stat(r, "minerals skipped: not_in_minerals"), 10u);
  EXPECT_EQ(Stat(r, "targets decided by policy_map.csv"), 2u);
}

TEST(ImportCuratedPolicies, SourceRecordsKeepEveryAddressAndDate) {
  const auto& r = Restrictions();
  for (const auto& s : r.sources) EXPECT_EQ(s.id.rfind("pol_", 0), 0u) << s.id;
  auto row = MeasureRow("CN-2023-GA-GE", "gallium", "refining");
  ASSERT_TRUE(row);
  const auto* src = FindSource(r, (*row)["source"]);
  ASSERT_NE(src, nullptr);
  EXPECT_EQ(src->url,
            "https://www.covingtonblogs.com/2023/07/06/china-slaps-export-restrictions-on-two-critical-metals/");
  EXPECT_TRUE(Has(src->citation, "(also at: https://www.nasdaq.com/")) << src->citation;
  EXPECT_EQ(src->evidence, "secondary");
  EXPECT_EQ(src->licence, "see source");
  auto tech = MeasureRow("CN-2025-REE-EQUIP", "rare_earths", "technology");
  ASSERT_TRUE(tech);
  const auto* chemradar = FindSource(r, (*tech)["source"]);
  ASSERT_NE(chemradar, nullptr);
  EXPECT_TRUE(Has(chemradar->citation, "Chemradar 2025-11 (source date: 2025-11-07)")) << chemradar->citation;
  // Sources of rows not written (the low-graded quota row, measures without a mineral) are left out.
  std::set<std::string> used;
  for (auto& row : Rows(r, "policies.csv")) used.insert(row["source"]);
  EXPECT_EQ(used.size(), r.sources.size());
}

// ---- Japan's import sources -----------------------------------------------------------------

std::map<std::string, std::string> Distribution(std::string_view mineral, std::string_view material,
                                                std::string_view period) {
  std::map<std::string, std::string> out;
  for (auto& row : Rows(Japan(), "import_sources.csv")) {
    if (row["mineral"] == mineral && row["material"] == material && row["period"] == period) {
      EXPECT_EQ(row["consumer"], "JPN");
      out[row["country"]] = row["share"];
    }
  }
  return out;
}

std::string JapanSource(std::string_view material, std::string_view period, std::string_view country) {
  for (auto& row : Rows(Japan(), "import_sources.csv")) {
    if (row["material"] == material && row["period"] == period && row["country"] == country) return row["source"];
  }
  return "<no such row>";
}

TEST(ImportCuratedJapan, LithiumCarbonate2024WithOtherCountries) {
  const auto& r = Japan();
  ASSERT_FALSE(r.diagnostics.HasErrors()) << r.diagnostics.Format();
  using Shares = std::map<std::string, std::string>;
  EXPECT_EQ(Distribution("lithium", "lithium carbonate", "2024"),
            (Shares{{"CHL", "0.446"}, {"CHN", "0.166"}, {"XOT", "0.388"}}));
  EXPECT_EQ(JapanSource("lithium carbonate", "2024", "XOT"), "assume_jpn_import_residual");
  EXPECT_EQ(JapanSource("lithium carbonate", "2024", "CHL").rfind("jpnimp_metalnomist_2025_03_", 0), 0u);
  EXPECT_EQ(Distribution("lithium", "lithium oxide and hydroxide", "2024"),
            (Shares{{"CHN", "0.86"}, {"USA", "0.089"}, {"CHL", "0.05"}, {"XOT", "0.001"}}));
  const auto* rule = FindSource(r, "assume_jpn_import_residual");
  ASSERT_NE(rule, nullptr);
  EXPECT_EQ(rule->kind, model::SourceKind::Assumption);
  EXPECT_FALSE(rule->rule.empty());
}

TEST(ImportCuratedJapan, WordedSharesBecomeBounds) {
  using Shares = std::map<std::string, std::string>;
  // "about 90 or more", "more than two thirds" (bounds round so as to stay true), "60-70".
  EXPECT_EQ(Distribution("rare_earths", "all rare-earth imports", "2010"), (Shares{{"CHN", ">0.9"}, {"XOT", "<0.1"}}));
  EXPECT_EQ(Distribution("rare_earths", "all rare-earth imports", "2022"),
            (Shares{{"CHN", ">0.666"}, {"XOT", "<0.334"}}));
  EXPECT_EQ(Distribution("rare_earths", "all rare-earth imports", "2025"), (Shares{{"CHN", ">0.6"}, {"XOT", "<0.4"}}));
  // "about 90" is an approximate figure: the number is kept.
  EXPECT_EQ(Distribution("rare_earths", "all rare-earth supply", "2011"), (Shares{{"CHN", "0.9"}, {"XOT", "0.1"}}));
  EXPECT_EQ(Distribution("rare_earths", "yttrium oxide", "2024 H1"), (Shares{{"CHN", "0.987"}, {"XOT", "0.013"}}));
  const auto& r = Japan();
  EXPECT_EQ(Stat(r, "bounds from wording (more than, or more)"), 2u);
  EXPECT_EQ(Stat(r, "ranges stored as lower bound (60-70)"), 1u);
  EXPECT_EQ(Stat(r, "approximate figures (about 90)"), 1u);
}

TEST(ImportCuratedJapan, GraphiteFigureSupersedesAConsistentBound) {
  using Shares = std::map<std::string, std::string>;
  // "more than 80" (Jiji) and "90" (Yomiuri) for 2023: the figure is kept.
  EXPECT_EQ(Distribution("graphite", "graphite imports", "2023"), (Shares{{"CHN", "0.9"}, {"XOT", "0.1"}}));
  EXPECT_EQ(JapanSource("graphite imports", "2023", "CHN").rfind("jpnimp_yomiuri_shimbun", 0), 0u);
  EXPECT_EQ(Stat(Japan(), "bounds superseded by a figure"), 1u);
}

TEST(ImportCuratedJapan, SkippedRowsAreCounted) {
  const auto& r = Japan();
  EXPECT_EQ(Stat(r, "rows read"), kJapanRowsRead);
  EXPECT_EQ(Stat(r, "rows imported"), kJapanRowsImported);
  EXPECT_EQ(Stat(r, "total rows (partner all, 100%)"), 2u);
  EXPECT_EQ(Stat(r, "rows skipped: no share"), 2u);
  EXPECT_EQ(Stat(r, "rows skipped: exporter_side"), 4u);
  EXPECT_EQ(Stat(r, "rows skipped: several_countries"), 1u);
  EXPECT_EQ(Stat(r, "distributions"), kJapanDistributions);
  EXPECT_EQ(Stat(r, "residual rows added (XOT)"), kJapanDistributions);
  EXPECT_EQ(Rows(r, "import_sources.csv").size(), kJapanRows);
  EXPECT_TRUE(Distribution("gallium", "gallium", "2025-07").empty());
  EXPECT_TRUE(Distribution("nickel", "nickel metal (unwrought)", "2018-2019").empty());
  for (const auto& s : r.sources) {
    EXPECT_TRUE(s.id.rfind("jpnimp_", 0) == 0 || s.id == "assume_jpn_import_residual") << s.id;
  }
}

TEST(ImportCuratedApply, PoliciesAndJapanIntoOneDatasetValidate) {
  TempDir dir;
  const auto out = dir / "dataset";
  ApplyImport(Restrictions(), out, Ref());
  auto ds = ApplyImport(Japan(), out, Ref());
  EXPECT_EQ(ds->policies.size(), kPolicyRows);
  EXPECT_EQ(ds->import_sources.size(), kJapanRows);
  // Re-importing replaces the importer's own rows only.
  auto again = ApplyImport(Restrictions(), out, Ref());
  EXPECT_EQ(again->policies.size(), kPolicyRows);
  EXPECT_EQ(again->import_sources.size(), kJapanRows);
}

constexpr std::string_view kRestrictionHeader =
    "measure_id,country,minerals,stage_product,measure,instrument,targets,announced,effective,"
    "ended_or_suspended,status_as_read,observed_effect,source,source_date,url,evidence,note\n";
constexpr std::string_view kJapanHeader =
    "mineral,product,partner,share_pct,share_computed,quantity,unit,period,basis,source,source_date,url,"
    "evidence,note\n";

TEST(ImportCuratedErrors, PolicyProblemsWithLineAndColumn) {
  TempDir dir;
  auto path = dir / "restrictions.csv";
  auto row = [](std::string_view id, std::string_view country, std::string_view minerals, std::string_view product,
                std::string_view measure, std::string_view targets, std::string_view effective, std::string_view status,
                std::string_view evidence) {
    return fmt::format("{},{},{},{},{},instr,{},,{},,{},,src,2024,https://x.example,{},\n", id, country, minerals,
                       product, measure, targets, effective, status, evidence);
  };
  WriteFile(path,
            std::string(kRestrictionHeader) +
                row("CN 2024", "China", "gallium", "raw ore", "ban", "all", "2024", "in force", "secondary") +
                row("X-1", "Atlantis", "gallium", "raw ore", "ban", "all", "2024", "in force", "secondary") +
                row("X-2", "China", "unobtainium", "raw ore", "ban", "all", "2024", "in force", "secondary") +
                row("X-3", "China", "gallium", "mystery goods", "ban", "all", "2024", "in force", "secondary") +
                row("X-4", "China", "gallium", "raw ore", "embargo", "all", "2024", "in force", "secondary") +
                row("X-5", "China", "gallium", "raw ore", "ban", "friends of China", "2024", "in force", "secondary") +
                row("X-6", "China", "gallium", "raw ore", "ban", "all", "2024", "rumoured", "secondary") +
                row("X-7", "China", "gallium", "raw ore", "ban", "all", "2024", "in force", "hearsay") +
                row("X-8", "China", "gallium", "raw ore", "ban", "all", "2024-13-01", "in force", "primary") +
                row("X-8", "China", "gallium", "raw ore", "ban", "all", "2024", "in force", "primary") +
                "X-9,China,gallium\n");
  auto r = ImportExportRestrictions(path, Ref());
  EXPECT_TRUE(HasError(r, 2, 1, "measure id 'CN 2024'")) << r.diagnostics.Format();
  EXPECT_TRUE(HasError(r, 3, 2, "country 'Atlantis'"));
  EXPECT_TRUE(HasError(r, 4, 3, "mineral 'unobtainium'"));
  EXPECT_TRUE(HasError(r, 5, 4, "stage_product 'mystery goods' (mineral gallium)"));
  EXPECT_TRUE(HasError(r, 6, 5, "measure 'embargo'"));
  EXPECT_TRUE(HasError(r, 7, 7, "targets 'friends of China'"));
  EXPECT_TRUE(HasError(r, 8, 11, "status 'rumoured'"));
  EXPECT_TRUE(HasError(r, 9, 16, "evidence 'hearsay'"));
  EXPECT_TRUE(HasError(r, 10, 9, "date '2024-13-01' has no month 13"));
  EXPECT_TRUE(HasError(r, 11, 1, "measure id X-8 is listed twice (first at line 10)"));
  EXPECT_TRUE(HasError(r, 12, 4, "expected 17 fields, found 3"));
  EXPECT_EQ(r.diagnostics.ErrorCount(), 11u);
  EXPECT_THROW(ApplyImport(r, dir / "dataset", Ref()), lodestone::Error);
  EXPECT_FALSE(std::filesystem::exists(dir / "dataset"));
}

TEST(ImportCuratedPolicies, DatesAsPreciseAsPrinted) {
  TempDir dir;
  auto path = dir / "restrictions.csv";
  auto row = [](std::string_view id, std::string_view effective) {
    return fmt::format(
        "{},China,gallium,raw ore,ban,instr,all,,\"{}\",,in force,,src,2024,https://x.example,primary,\n", id,
        effective);
  };
  WriteFile(path, std::string(kRestrictionHeader) + row("A", "about two months later (2010-11; exact day not read)") +
                      row("B", "2024-09/10") + row("C", "on promulgation") + row("D", "No. 70 [2025], 2026-11-10") +
                      row("E", "12345 then 2019-09-02") + row("F", "2018-2019"));
  auto r = ImportExportRestrictions(path, Ref());
  ASSERT_FALSE(r.diagnostics.HasErrors()) << r.diagnostics.Format();
  std::map<std::string, Row> by_id;
  for (auto& row : Rows(r, "policies.csv")) by_id[row["id"]] = row;
  EXPECT_EQ(by_id["A"]["effective"], "2010-11");
  EXPECT_EQ(by_id["B"]["effective"], "2024-09");
  EXPECT_EQ(by_id["C"]["effective"], "");
  EXPECT_TRUE(Has(by_id["C"]["note"], "effective as published: 'on promulgation' (no date in it)"));
  EXPECT_EQ(by_id["D"]["effective"], "2025");
  EXPECT_EQ(by_id["E"]["effective"], "2019-09-02");
  EXPECT_EQ(by_id["F"]["effective"], "2018");
  EXPECT_EQ(Stat(r, "dates taken from longer text"), 6u);
}

// The first date of a date cell goes through model::Date: off the calendar or mistyped is an error
// at the cell; a leap day, "20th century" before a year, and wording without a date are not.
TEST(ImportCuratedPolicies, DatesOffTheCalendarAreErrors) {
  TempDir dir;
  auto path = dir / "restrictions.csv";
  auto row = [](std::string_view id, std::string_view effective) {
    return fmt::format(
        "{},China,gallium,raw ore,ban,instr,all,,\"{}\",,in force,,src,2024,https://x.example,primary,\n", id,
        effective);
  };
  WriteFile(path, std::string(kRestrictionHeader) + row("A", "2023-02-29") + row("B", "20x5") +
                      row("C", "2024-02-29 (leap day)") + row("D", "a 20th century rule, renewed 2010") +
                      row("E", "2024-04-31") + row("F", "not yet"));
  auto r = ImportExportRestrictions(path, Ref());
  EXPECT_TRUE(HasError(r, 2, 9, "date '2023-02-29' has no day 29: not on the calendar")) << r.diagnostics.Format();
  EXPECT_TRUE(HasError(r, 3, 9, "date '20x5' is not a year"));
  EXPECT_TRUE(HasError(r, 6, 9, "date '2024-04-31' has no day 31"));
  EXPECT_EQ(r.diagnostics.ErrorCount(), 3u) << r.diagnostics.Format();
}

TEST(ImportCuratedJapan, ShareWording) {
  TempDir dir;
  auto path = dir / "japan.csv";
  auto row = [](std::string_view product, std::string_view partner, std::string_view share) {
    return fmt::format("lithium,{},{},{},,,,2024,imports,src,2024,https://x.example,secondary,\n", product, partner,
                       share);
  };
  WriteFile(path, std::string(kJapanHeader) + row("a", "Chile", "about 90 or more") + row("b", "Chile", "two thirds") +
                      row("c", "Chile", "up to 5") + row("c", "China", "95%") + row("d", "Chile", "70") +
                      row("d", "Other countries", "30") + row("e", "Chile", "more than half"));
  auto r = ImportJapanImportSources(path, Ref());
  ASSERT_FALSE(r.diagnostics.HasErrors()) << r.diagnostics.Format();
  std::map<std::string, std::string> cells;
  for (auto& x : Rows(r, "import_sources.csv")) cells[x["material"] + ":" + x["country"]] = x["share"];
  EXPECT_EQ(cells, (std::map<std::string, std::string>{{"a:CHL", ">0.9"},
                                                       {"a:XOT", "<0.1"},
                                                       {"b:CHL", "0.667"},
                                                       {"b:XOT", "0.333"},
                                                       {"c:CHL", "<0.05"},
                                                       {"c:CHN", "0.95"},
                                                       {"c:XOT", "<0.05"},
                                                       {"d:CHL", "0.7"},
                                                       {"d:XOT", "0.3"},
                                                       {"e:CHL", ">0.5"},
                                                       {"e:XOT", "<0.5"}}));
}

TEST(ImportCuratedErrors, JapanProblemsWithLineAndColumn) {
  TempDir dir;
  auto path = dir / "japan.csv";
  auto row = [](std::string_view mineral, std::string_view partner, std::string_view share, std::string_view period,
                std::string_view evidence) {
    return fmt::format("{},carbonate,{},{},,,,{},imports,src,2024,https://x.example,{},\n", mineral, partner, share,
                       period, evidence);
  };
  WriteFile(
      path,
      std::string(kJapanHeader) + row("lithium", "Atlantis", "10", "2024", "secondary") +
          row("lithium", "Chile", "lots", "2024", "secondary") + row("lithium", "Chile", "120", "2023", "secondary") +
          row("lithium", "all", "95", "2022", "secondary") + row("unobtainium", "Chile", "10", "2024", "secondary") +
          row("lithium", "Chile", "10", "", "secondary") + row("lithium", "Chile", "10", "2024", "tertiary") +
          row("lithium", "China", "40", "2021", "secondary") + row("lithium", "China", "50", "2021", "secondary") +
          row("lithium", "Peru", "70", "2020", "secondary") + row("lithium", "Chile", "40", "2020", "secondary"));
  auto r = ImportJapanImportSources(path, Ref());
  EXPECT_TRUE(HasError(r, 2, 3, "partner 'Atlantis'")) << r.diagnostics.Format();
  EXPECT_TRUE(HasError(r, 3, 4, "share 'lots'"));
  EXPECT_TRUE(HasError(r, 4, 4, "above 100 percent"));
  EXPECT_TRUE(HasError(r, 5, 4, "must say 100"));
  EXPECT_TRUE(HasError(r, 6, 1, "mineral 'unobtainium'"));
  EXPECT_TRUE(HasError(r, 7, 8, "empty period"));
  EXPECT_TRUE(HasError(r, 8, 13, "evidence 'tertiary'"));
  EXPECT_TRUE(HasError(r, 10, 3, "second share of CHN for lithium carbonate (2021): first given at line 9"));
  EXPECT_TRUE(HasError(r, 11, 4, "sum to 110%"));
  EXPECT_EQ(r.diagnostics.ErrorCount(), 9u);
}

// ---- Japan's net import reliance ----------------------------------------------------------

constexpr std::string_view kJpnReliance = "mineral,material,year,reliance_pct,basis,source,url,licence,evidence,note\n";

TEST(ImportCuratedJapanReliance, DerivedRowsCiteTheirRule) {
  auto r = ImportJapanImportReliance(Curated("japan_import_reliance.csv"), Ref());
  ASSERT_FALSE(r.diagnostics.HasErrors()) << r.diagnostics.Format();
  const auto rows = Rows(r, "import_reliance.csv");
  ASSERT_EQ(rows.size(), 15u);
  std::set<std::string> minerals;
  for (auto row : rows) {
    EXPECT_EQ(row["consumer"], "JPN");
    EXPECT_EQ(row["year"], "2025");
    EXPECT_EQ(row["reliance"], "1") << row["mineral"];
    EXPECT_EQ(row["source"], "assume_jpn_no_mine_output");
    EXPECT_NE(row["material"].find("mine stage"), std::string::npos) << row["material"];
    minerals.insert(row["mineral"]);
  }
  // By-products without a mine stage of their own get no row.
  EXPECT_FALSE(minerals.count("gallium"));
  EXPECT_FALSE(minerals.count("germanium"));
  EXPECT_TRUE(minerals.count("lithium") && minerals.count("rare_earths") && minerals.count("copper"));
  const auto* rule = FindSource(r, "assume_jpn_no_mine_output");
  ASSERT_NE(rule, nullptr);
  EXPECT_EQ(rule->kind, model::SourceKind::Assumption);
  EXPECT_NE(rule->rule.find("100%"), std::string::npos);
  EXPECT_NE(rule->citation.find("usgs_mcs2026"), std::string::npos);
  EXPECT_EQ(Stat(r, "rows imported: derived by a stated rule"), 15u);
  EXPECT_EQ(Stat(r, "rows imported: published figures"), 0u);
}

TEST(ImportCuratedJapanReliance, PublishedFigureGetsASourceRecord) {
  TempDir dir;
  auto path = dir / "jpnir.csv";
  WriteFile(path, std::string(kJpnReliance) +
                      "nickel,refined nickel,2024,62.5,published,Some agency 2025,https://x.example,CC BY,primary,\n");
  auto r = ImportJapanImportReliance(path, Ref());
  ASSERT_FALSE(r.diagnostics.HasErrors()) << r.diagnostics.Format();
  const auto rows = Rows(r, "import_reliance.csv");
  ASSERT_EQ(rows.size(), 1u);
  auto row = rows.front();
  EXPECT_EQ(row["reliance"], "0.625");
  const auto* src = FindSource(r, row["source"]);
  ASSERT_NE(src, nullptr);
  EXPECT_EQ(src->kind, model::SourceKind::Published);
  EXPECT_EQ(src->url, "https://x.example");
}

TEST(ImportCuratedJapanReliance, ErrorsWithLineAndColumn) {
  TempDir dir;
  auto path = dir / "jpnir.csv";
  WriteFile(path, std::string(kJpnReliance) +
                      "lithium,ores,2025,100,derived,no_such_rule,,,secondary,\n"              // 2: unknown rule
                      "lithium,ores,2025,100,derived,usgs_mcs2026,,,secondary,\n"              // 3: not an assumption
                      "lithium,ores,2025,120,published,src,,,primary,\n"                       // 4: above 100
                      "lithium,ores,2025,50,guessed,src,,,primary,\n"                          // 5: basis
                      "lithium,,2025,50,published,src,,,primary,\n"                            // 6: no material
                      "unobtainium,ores,2025,50,published,src,,,primary,\n"                    // 7: mineral
                      "cobalt,ores,2025,100,derived,assume_jpn_no_mine_output,,,secondary,\n"  // 8: fine
                      "cobalt,ores,2025,100,derived,assume_jpn_no_mine_output,,,secondary,\n"  // 9: duplicate
                      "cobalt,ores,2024,100,derived,assume_jpn_no_mine_output,,,low,\n");      // 10: skipped
  auto r = ImportJapanImportReliance(path, Ref());
  EXPECT_TRUE(HasError(r, 2, 6, "assumption record")) << r.diagnostics.Format();
  EXPECT_TRUE(HasError(r, 3, 6, "not an assumption record")) << r.diagnostics.Format();
  EXPECT_TRUE(HasError(r, 4, 4, "between 0 and 100")) << r.diagnostics.Format();
  EXPECT_TRUE(HasError(r, 5, 5, "basis 'guessed'")) << r.diagnostics.Format();
  EXPECT_TRUE(HasError(r, 6, 2, "empty material")) << r.diagnostics.Format();
  EXPECT_TRUE(HasError(r, 7, 1, "unobtainium")) << r.diagnostics.Format();
  EXPECT_TRUE(HasError(r, 9, 2, "second row")) << r.diagnostics.Format();
  EXPECT_EQ(r.diagnostics.ErrorCount(), 7u) << r.diagnostics.Format();
  EXPECT_EQ(Stat(r, "rows skipped: low evidence (not shipped as fact)"), 1u);
}

}  // namespace
}  // namespace lodestone::data
