// Tests of the USGS MCS 2026 importer: figures read from the real data release (as published,
// with erratum v1.3 applied), the value grammar, and the errors reported for broken files.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "data/test_fixtures.hpp"
#include "lodestone/data/importers.hpp"
#include "lodestone/data/loader.hpp"
#include "lodestone/data/reference.hpp"
#include "lodestone/data/schema.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::data {
namespace {

using testing::PublishedFile;
using testing::ReferenceDir;
using testing::SourceDir;
using testing::TempDir;
using testing::WriteFile;

constexpr std::size_t kReleaseRows = 8886;
// Column 9 of the release is Value, column 4 Country, column 8 Year.
constexpr std::size_t kValueColumn = 9;
constexpr std::size_t kCountryColumn = 4;
constexpr double kShareTolerance = 0.02;

const Reference& Ref() {
  static const Reference ref = Reference::Load(ReferenceDir());
  return ref;
}

std::filesystem::path ReleaseFile() { return PublishedFile("usgs_mcs2026/raw/MCS2026_Commodities_Data.csv"); }

// The real release is imported once for all tests that only read the result.
const ImportResult& Release() {
  static const ImportResult result = ImportUsgsMcs(ReleaseFile(), Ref());
  return result;
}

using Row = std::map<std::string, std::string>;

// Rows of `file` as column -> cell maps.
std::vector<Row> Rows(const ImportResult& r, const std::string& file) {
  std::vector<Row> out;
  auto it = r.tables.find(file);
  if (it == r.tables.end()) return out;
  const auto* schema = FindTable(file);
  for (const auto& cells : it->second.rows) {
    Row row;
    for (std::size_t i = 0; i < schema->columns.size(); ++i) row[std::string(schema->columns[i])] = cells.at(i);
    out.push_back(std::move(row));
  }
  return out;
}

// Rows whose cells match every entry of `where`.
std::vector<Row> Select(const ImportResult& r, const std::string& file, const Row& where) {
  std::vector<Row> out;
  for (auto& row : Rows(r, file)) {
    bool ok = true;
    for (const auto& [k, v] : where) ok = ok && row.at(k) == v;
    if (ok) out.push_back(std::move(row));
  }
  return out;
}

// The one row matching `where`; fails the test when there is none or several.
Row One(const ImportResult& r, const std::string& file, const Row& where) {
  auto rows = Select(r, file, where);
  EXPECT_EQ(rows.size(), 1u) << "rows of " << file << " matching the query";
  return rows.empty() ? Row{} : rows.front();
}

std::size_t Stat(const ImportResult& r, const std::string& name) {
  for (const auto& [k, v] : r.stats) {
    if (k == name) return v;
  }
  ADD_FAILURE() << "no stat '" << name << "'";
  return 0;
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// --- the real release -------------------------------------------------------------------

TEST(ImportUsgsRelease, ReadsEveryRowWithoutProblems) {
  const auto& r = Release();
  EXPECT_FALSE(r.diagnostics.HasErrors()) << r.diagnostics.Format();
  EXPECT_EQ(r.diagnostics.WarningCount(), 0u) << r.diagnostics.Format();
  EXPECT_EQ(r.importer, "usgs-mcs");
  ASSERT_EQ(r.sources.size(), 1u);
  EXPECT_EQ(r.sources[0].id, "usgs_mcs2026");
  EXPECT_EQ(Stat(r, "rows read"), kReleaseRows);
  EXPECT_EQ(Stat(r, "rows imported") + Stat(r, "rows not mapped") + Stat(r, "rows skipped by mapping"), kReleaseRows);
  EXPECT_EQ(Stat(r, "errata applied"), 2u);
  EXPECT_EQ(Stat(r, "rows added by mapping"), 2u);  // germanium world, 2024 and 2025
  for (const auto& [file, table] : r.tables) {
    const auto* schema = FindTable(file);
    ASSERT_NE(schema, nullptr) << file;
    for (const auto& row : table.rows) ASSERT_EQ(row.size(), schema->columns.size()) << file;
  }
}

TEST(ImportUsgsRelease, MineProductionAsPublished) {
  const auto& r = Release();
  auto li =
      One(r, "production.csv", {{"mineral", "lithium"}, {"stage", "mining"}, {"country", "AUS"}, {"year", "2025"}});
  EXPECT_EQ(li["quantity"], "92000");
  EXPECT_EQ(li["unit"], "t Li");
  EXPECT_EQ(li["source"], "usgs_mcs2026");
  EXPECT_TRUE(Contains(li["note"], "Estimated.")) << li["note"];

  auto co =
      One(r, "production.csv", {{"mineral", "cobalt"}, {"stage", "mining"}, {"country", "COD"}, {"year", "2025"}});
  EXPECT_EQ(co["quantity"], "230000");
  EXPECT_EQ(co["unit"], "t Co");

  auto ree = One(r, "production.csv", {{"mineral", "rare_earths"}, {"country", "MMR"}, {"year", "2024"}});
  EXPECT_EQ(ree["quantity"], "27000");
  EXPECT_EQ(ree["unit"], "t REO");

  auto mn = One(r, "production.csv", {{"mineral", "manganese"}, {"country", "ZAF"}, {"year", "2025"}});
  EXPECT_EQ(mn["unit"], "kt Mn");

  auto pd = One(r, "production.csv", {{"mineral", "palladium"}, {"country", "RUS"}, {"year", "2024"}});
  EXPECT_EQ(pd["quantity"], "89000");
  EXPECT_EQ(pd["unit"], "kg Pd");

  auto graphite = One(r, "production.csv", {{"mineral", "graphite"}, {"country", "CHN"}, {"year", "2025"}});
  EXPECT_EQ(graphite["unit"], "t");
}

TEST(ImportUsgsRelease, MissingStaysMissing) {
  const auto& r = Release();
  auto us_li = One(r, "production.csv", {{"mineral", "lithium"}, {"country", "USA"}, {"year", "2024"}});
  EXPECT_EQ(us_li["quantity"], "W");
  // "—" is zero in USGS convention (metadata: "— - zero").
  auto other_li = One(r, "production.csv", {{"mineral", "lithium"}, {"country", "XOT"}, {"year", "2024"}});
  EXPECT_EQ(other_li["quantity"], "0");
  auto burma_res = One(r, "reserves.csv", {{"mineral", "rare_earths"}, {"country", "MMR"}});
  EXPECT_EQ(burma_res["quantity"], "NA");
  // "s" (small / not reported separately) and qualitative words carry no number.
  auto us_graphite = One(r, "reserves.csv", {{"mineral", "graphite"}, {"country", "USA"}});
  EXPECT_EQ(us_graphite["quantity"], "NA");
  EXPECT_TRUE(Contains(us_graphite["note"], "USGS prints s")) << us_graphite["note"];
  auto other_mn = One(r, "reserves.csv", {{"mineral", "manganese"}, {"country", "XOT"}});
  EXPECT_EQ(other_mn["quantity"], "NA");
  EXPECT_TRUE(Contains(other_mn["note"], "\"Small\"")) << other_mn["note"];
}

TEST(ImportUsgsRelease, GermaniumWorldProductionIsStatedAsWithheld) {
  const auto& r = Release();
  for (const char* year : {"2024", "2025"}) {
    auto ge =
        One(r, "production.csv", {{"mineral", "germanium"}, {"stage", "refining"}, {"country", "WLD"}, {"year", year}});
    EXPECT_EQ(ge["quantity"], "W");
    EXPECT_EQ(ge["unit"], "kg Ge");
    EXPECT_TRUE(Contains(ge["note"], "no world germanium")) << ge["note"];
  }
}

TEST(ImportUsgsRelease, RareEarthReservesErratumApplied) {
  const auto& r = Release();
  auto brazil = One(r, "reserves.csv", {{"mineral", "rare_earths"}, {"country", "BRA"}});
  EXPECT_EQ(brazil["quantity"], "11000000");
  EXPECT_EQ(brazil["year"], "2025");
  EXPECT_TRUE(Contains(brazil["note"], "Erratum applied")) << brazil["note"];
  EXPECT_TRUE(Contains(brazil["note"], "v1.3")) << brazil["note"];
  auto world = One(r, "reserves.csv", {{"mineral", "rare_earths"}, {"country", "WLD"}});
  EXPECT_EQ(world["quantity"], ">75000000");
  EXPECT_TRUE(Contains(world["note"], "Erratum applied")) << world["note"];
}

TEST(ImportUsgsRelease, RefiningAndCapacity) {
  const auto& r = Release();
  auto cu =
      One(r, "production.csv", {{"mineral", "copper"}, {"stage", "refining"}, {"country", "CHN"}, {"year", "2024"}});
  EXPECT_EQ(cu["quantity"], "12400");
  EXPECT_EQ(cu["unit"], "kt Cu");
  auto ga =
      One(r, "production.csv", {{"mineral", "gallium"}, {"stage", "refining"}, {"country", "CHN"}, {"year", "2025"}});
  EXPECT_EQ(ga["quantity"], "900000");
  EXPECT_EQ(ga["unit"], "kg Ga");
  auto ga_cap =
      One(r, "capacity.csv", {{"mineral", "gallium"}, {"stage", "refining"}, {"country", "CHN"}, {"year", "2025"}});
  EXPECT_EQ(ga_cap["quantity"], "1600000");
  EXPECT_EQ(ga_cap["unit"], "kg Ga");
}

TEST(ImportUsgsRelease, CombinedPgmReservesAreNotSplit) {
  const auto& r = Release();
  EXPECT_TRUE(Select(r, "reserves.csv", {{"mineral", "platinum"}}).empty());
  EXPECT_TRUE(Select(r, "reserves.csv", {{"mineral", "palladium"}}).empty());
  EXPECT_EQ(Stat(r, "rows skipped by mapping"), 7u);  // six countries and the world total
}

TEST(ImportUsgsRelease, NetImportRelianceAsFractions) {
  const auto& r = Release();
  auto li = One(r, "import_reliance.csv", {{"consumer", "USA"}, {"mineral", "lithium"}, {"year", "2025"}});
  EXPECT_EQ(li["reliance"], ">0.5");
  auto co = One(r, "import_reliance.csv", {{"consumer", "USA"}, {"mineral", "cobalt"}, {"year", "2025"}});
  EXPECT_EQ(co["reliance"], "0.79");
  auto ga = One(r, "import_reliance.csv", {{"consumer", "USA"}, {"mineral", "gallium"}, {"year", "2024"}});
  EXPECT_EQ(ga["reliance"], "1");
  auto ree = One(r, "import_reliance.csv",
                 {{"mineral", "rare_earths"}, {"material", "mineral concentrates"}, {"year", "2025"}});
  EXPECT_EQ(ree["reliance"], "E");
}

TEST(ImportUsgsRelease, ImportSourcesSumToOne) {
  const auto& r = Release();
  auto cobalt = Select(r, "import_sources.csv", {{"consumer", "USA"}, {"mineral", "cobalt"}});
  ASSERT_EQ(cobalt.size(), 5u);
  double sum = 0;
  for (const auto& row : cobalt) {
    EXPECT_EQ(row.at("period"), "2021-24");
    model::Value v;
    ASSERT_EQ(model::ParseValueCell(row.at("share"), false, v), model::ValueParse::Ok);
    sum += v.number;
  }
  EXPECT_NEAR(sum, 1.0, kShareTolerance);
  auto other = One(r, "import_sources.csv", {{"mineral", "cobalt"}, {"country", "XOT"}});
  EXPECT_EQ(other["share"], "0.3");
  auto canada_cu = One(r, "import_sources.csv",
                       {{"mineral", "copper"}, {"material", "ore and concentrate (Cu content)"}, {"country", "CAN"}});
  EXPECT_EQ(canada_cu["share"], ">0.99");
}

TEST(ImportUsgsRelease, EveryMineralHasWorldSupplyIn2024And2025) {
  const auto& r = Release();
  const std::map<std::string, std::string> stage = {
      {"lithium", "mining"},     {"cobalt", "mining"},    {"nickel", "mining"},      {"graphite", "mining"},
      {"rare_earths", "mining"}, {"gallium", "refining"}, {"germanium", "refining"}, {"manganese", "mining"},
      {"tungsten", "mining"},    {"antimony", "mining"},  {"copper", "mining"},      {"platinum", "mining"},
      {"palladium", "mining"}};
  for (const auto& [mineral, st] : stage) {
    for (const char* year : {"2024", "2025"}) {
      EXPECT_EQ(
          Select(r, "production.csv", {{"mineral", mineral}, {"stage", st}, {"country", "WLD"}, {"year", year}}).size(),
          1u)
          << mineral << " " << year;
    }
  }
}

TEST(ImportUsgsRelease, Deterministic) {
  auto again = ImportUsgsMcs(ReleaseFile(), Ref());
  EXPECT_EQ(again.stats, Release().stats);
  ASSERT_EQ(again.tables.size(), Release().tables.size());
  for (const auto& [file, table] : Release().tables) EXPECT_EQ(again.tables.at(file).rows, table.rows) << file;
}

TEST(ImportUsgsRelease, MergedDatasetValidates) {
  TempDir tmp;
  auto out = tmp / "dataset";
  model::Dataset ds;
  ASSERT_NO_THROW({ ds = ApplyImport(Release(), out, Ref()); });
  EXPECT_TRUE(std::filesystem::exists(out / "production.csv"));
  EXPECT_TRUE(std::filesystem::exists(out / "import_sources.csv"));
  EXPECT_EQ(ds->production.size(), Release().tables.at("production.csv").rows.size());
}

// --- small files in the release's layout (Windows-1252) ------------------------------------

constexpr std::string_view kHeaderLine =
    "MCS chapter,Section,Commodity,Country,Statistics,Statistics_detail,Unit,Year,Value,Notes,"
    "Is critical mineral 2025,Other notes\r\n";
// "—" is byte 0x97 and "–" 0x96 in Windows-1252.
constexpr std::string_view kLithiumWorld = "LITHIUM,World Mine Production and Reserves,Lithium,";
constexpr std::string_view kLithiumSalient = "LITHIUM,Salient Statistics\x97United States,Lithium,United States,";

std::string LithiumMine(std::string_view country, std::string_view year, std::string_view value) {
  return fmt::format("{}{},Production,Mine production,metric tons,{},{},Estimated.,Yes,\r\n", kLithiumWorld, country,
                     year, value);
}

ImportResult ImportText(const TempDir& tmp, std::string_view body, std::string_view header = kHeaderLine) {
  auto path = tmp / "MCS2026_Commodities_Data.csv";
  WriteFile(path, std::string(header) + std::string(body));
  return ImportUsgsMcs(path, Ref());
}

std::vector<model::Diagnostic> Errors(const ImportResult& r) {
  std::vector<model::Diagnostic> out;
  for (const auto& d : r.diagnostics.Items()) {
    if (d.severity == model::Severity::Error) out.push_back(d);
  }
  return out;
}

TEST(ImportUsgsSmallFile, ValueGrammar) {
  TempDir tmp;
  std::string body =
      LithiumMine("Argentina", "2025", "\"23,000\"") + LithiumMine("Chile", "2025", "68\xA0") +
      LithiumMine("Brazil", "2025", "\x97") + LithiumMine("United States", "2025", "W") +
      LithiumMine("Mali", "2025", "NA") +
      LithiumMine("Canada", "2025",
                  "\"500\x96"
                  "17,000\"") +
      LithiumMine("China", "2025", "<1") + LithiumMine("Zimbabwe", "2025", "XX") +
      LithiumMine("Portugal", "2025", "s") + LithiumMine("Australia", "2025", "Large") + std::string(kLithiumSalient) +
      "Net import reliance,Net import reliance as a percentage of apparent consumption,percent,2025,>50,,"
      "Yes,\r\n";
  auto r = ImportText(tmp, body);
  ASSERT_FALSE(r.diagnostics.HasErrors()) << r.diagnostics.Format();
  auto q = [&](const char* iso) {
    return One(r, "production.csv", {{"mineral", "lithium"}, {"country", iso}, {"year", "2025"}});
  };
  EXPECT_EQ(q("ARG")["quantity"], "23000");
  EXPECT_EQ(q("CHL")["quantity"], "68");
  EXPECT_EQ(q("BRA")["quantity"], "0");
  EXPECT_EQ(q("USA")["quantity"], "W");
  EXPECT_EQ(q("MLI")["quantity"], "NA");
  EXPECT_EQ(q("CAN")["quantity"], ">500");
  EXPECT_TRUE(Contains(q("CAN")["note"], "range")) << q("CAN")["note"];
  EXPECT_EQ(q("CHN")["quantity"], "<1");
  EXPECT_EQ(q("ZWE")["quantity"], "NA");
  EXPECT_EQ(q("PRT")["quantity"], "NA");
  EXPECT_EQ(q("AUS")["quantity"], "NA");
  EXPECT_EQ(One(r, "import_reliance.csv", {{"mineral", "lithium"}})["reliance"], ">0.5");
  // No germanium chapter in this file: no germanium row is added.
  EXPECT_TRUE(Select(r, "production.csv", {{"mineral", "germanium"}}).empty());
}

TEST(ImportUsgsSmallFile, BadValuesReportedWithLineAndColumn) {
  TempDir tmp;
  std::string body = LithiumMine("Argentina", "2025", "12x") + LithiumMine("Atlantis", "2025", "5") +
                     LithiumMine("Chile", "2025", "\"12,34\"") + LithiumMine("Mali", "2025", "E");
  auto r = ImportText(tmp, body);
  auto errors = Errors(r);
  ASSERT_EQ(errors.size(), 4u) << r.diagnostics.Format();
  EXPECT_EQ(errors[0].line, 2u);
  EXPECT_EQ(errors[0].column, kValueColumn);
  EXPECT_TRUE(Contains(errors[0].message, "'12x'")) << errors[0].message;
  EXPECT_EQ(errors[1].line, 3u);
  EXPECT_EQ(errors[1].column, kCountryColumn);
  EXPECT_TRUE(Contains(errors[1].message, "Atlantis")) << errors[1].message;
  EXPECT_EQ(errors[2].line, 4u);
  EXPECT_EQ(errors[2].column, kValueColumn);
  EXPECT_EQ(errors[3].line, 5u);
  EXPECT_EQ(errors[3].column, kValueColumn);
  TempDir out;
  EXPECT_THROW(ApplyImport(r, out / "ds", Ref()), lodestone::Error);
}

TEST(ImportUsgsSmallFile, WrongHeader) {
  TempDir tmp;
  auto r = ImportText(tmp, LithiumMine("Argentina", "2025", "5"),
                      "MCS chapter,Section,Commodity,Nation,Statistics,Statistics_detail,Unit,Year,Value,Notes,"
                      "Is critical mineral 2025,Other notes\r\n");
  auto errors = Errors(r);
  ASSERT_EQ(errors.size(), 1u) << r.diagnostics.Format();
  EXPECT_EQ(errors[0].line, 1u);
  EXPECT_EQ(errors[0].column, kCountryColumn);
  EXPECT_TRUE(r.tables.empty());
}

TEST(ImportUsgsSmallFile, WrongFieldCount) {
  TempDir tmp;
  auto r = ImportText(tmp, LithiumMine("Argentina", "2025", "5") +
                               "LITHIUM,World Mine Production and Reserves,Lithium,Chile,Production\r\n");
  auto errors = Errors(r);
  ASSERT_EQ(errors.size(), 1u) << r.diagnostics.Format();
  EXPECT_EQ(errors[0].line, 3u);
  EXPECT_EQ(errors[0].column, 6u);  // the first missing field
}

TEST(ImportUsgsSmallFile, DuplicateKeyRejected) {
  TempDir tmp;
  auto r = ImportText(tmp, LithiumMine("Chile", "2025", "5") + LithiumMine("Chile", "2025", "6"));
  auto errors = Errors(r);
  ASSERT_EQ(errors.size(), 1u) << r.diagnostics.Format();
  EXPECT_EQ(errors[0].line, 3u);
  EXPECT_TRUE(Contains(errors[0].message, "line 2")) << errors[0].message;
}

std::string BrazilReeReserves(std::string_view value) {
  return fmt::format(
      "RARE EARTHS,World Mine Production and Reserves,Rare Earths,Brazil,Reserves,Reserves,metric tons,2025,{},"
      "See Appendix C.,Yes,\r\n"
      "RARE EARTHS,World Mine Production and Reserves,Rare Earths,World total,Reserves,Reserves: rounded,metric tons,"
      "2025,\">85,000,000\",See Appendix C.,Yes,\r\n",
      value);
}

TEST(ImportUsgsSmallFile, ErratumPublishedValueMustMatch) {
  TempDir tmp;
  auto r = ImportText(tmp, BrazilReeReserves("\"31,000,000\""));
  auto errors = Errors(r);
  ASSERT_EQ(errors.size(), 1u) << r.diagnostics.Format();
  EXPECT_EQ(errors[0].line, 2u);
  EXPECT_EQ(errors[0].column, kValueColumn);
  EXPECT_TRUE(Contains(errors[0].message, "usgs_mcs_errata.csv")) << errors[0].message;
  EXPECT_TRUE(Contains(errors[0].message, "21,000,000")) << errors[0].message;
}

TEST(ImportUsgsSmallFile, ErratumAppliedOrAlreadyCorrected) {
  TempDir tmp;
  auto applied = ImportText(tmp, BrazilReeReserves("\"21,000,000\""));
  ASSERT_FALSE(applied.diagnostics.HasErrors()) << applied.diagnostics.Format();
  EXPECT_EQ(One(applied, "reserves.csv", {{"country", "BRA"}})["quantity"], "11000000");
  EXPECT_EQ(Stat(applied, "errata applied"), 2u);
  // A later release that already carries the correction is accepted as it is.
  auto later = ImportText(tmp, BrazilReeReserves("\"11,000,000\""));
  auto errors = Errors(later);
  ASSERT_EQ(errors.size(), 0u) << later.diagnostics.Format();
  EXPECT_EQ(One(later, "reserves.csv", {{"country", "BRA"}})["quantity"], "11000000");
  EXPECT_EQ(Stat(later, "errata applied"), 1u);
}

TEST(ImportUsgsSmallFile, ErratumRowMissingFromChapter) {
  TempDir tmp;
  // The chapter is present but Brazil's reserves line is not: not the file the erratum is for.
  auto r = ImportText(tmp,
                      "RARE EARTHS,World Mine Production and Reserves,Rare Earths,China,Reserves,Reserves,metric tons,"
                      "2025,\"44,000,000\",,Yes,\r\n");
  auto errors = Errors(r);
  ASSERT_EQ(errors.size(), 2u) << r.diagnostics.Format();
  EXPECT_TRUE(Contains(errors[0].file, "usgs_mcs_errata.csv")) << errors[0].file;
}

TEST(ImportUsgsSmallFile, GermaniumChapterAddsWithheldWorldRows) {
  TempDir tmp;
  auto r = ImportText(tmp,
                      "GERMANIUM,Salient Statistics\x97United States,Germanium,United States,Net import reliance,"
                      "Net import reliance as a percentage of estimated consumption,percent,2025,>50,,Yes,\r\n");
  ASSERT_FALSE(r.diagnostics.HasErrors()) << r.diagnostics.Format();
  EXPECT_EQ(Select(r, "production.csv", {{"mineral", "germanium"}, {"country", "WLD"}, {"quantity", "W"}}).size(), 2u);
  EXPECT_EQ(Stat(r, "rows added by mapping"), 2u);
}

}  // namespace
}  // namespace lodestone::data

namespace lodestone::data {
namespace {

// A header-only (or truncated) release imported over a dataset would delete every row of the
// USGS source; it is refused, naming what would be deleted, unless forced.
TEST(ImportUsgsDataLoss, HeaderOnlyFileIsRefusedOverAnExistingDataset) {
  TempDir tmp;
  auto out = tmp / "dataset";
  auto full = ApplyImport(Release(), out, Ref());
  const auto before = full->production.size();
  auto empty = ImportText(tmp, "");
  try {
    ApplyImport(empty, out, Ref());
    FAIL() << "expected a refusal";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidData);
    std::string msg = e.what();
    EXPECT_NE(msg.find("yields no rows"), std::string::npos) << msg;
    EXPECT_NE(msg.find("production.csv"), std::string::npos) << msg;
    EXPECT_NE(msg.find("--force"), std::string::npos) << msg;
  }
  // The dataset is unchanged.
  EXPECT_EQ(LoadDatasetOrThrow(out)->production.size(), before);
  // Forced, the import goes through (and the USGS rows are gone, as asked).
  ApplyImportOptions force;
  force.force = true;
  auto after = ApplyImport(empty, out, Ref(), force);
  EXPECT_LT(after->production.size(), before);
}

TEST(ImportUsgsDataLoss, ImportThatWouldRemoveMostRowsIsRefused) {
  TempDir tmp;
  auto out = tmp / "dataset";
  ApplyImport(Release(), out, Ref());
  auto small = ImportText(tmp, LithiumMine("Australia", "2025", "88000"));
  ASSERT_FALSE(small.diagnostics.HasErrors()) << small.diagnostics.Format();
  try {
    ApplyImport(small, out, Ref());
    FAIL() << "expected a refusal";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("more than half"), std::string::npos) << msg;
  }
}

TEST(ImportUsgsDataLoss, ReimportingTheSameReleaseIsAccepted) {
  TempDir tmp;
  auto out = tmp / "dataset";
  ApplyImport(Release(), out, Ref());
  EXPECT_NO_THROW(ApplyImport(Release(), out, Ref()));
}

}  // namespace
}  // namespace lodestone::data

namespace lodestone::data {
namespace {

TEST(ImportUsgsSmallFile, MappedRowWithATypoIsNotDroppedSilently) {
  TempDir tmp;
  std::string typo = LithiumMine("Chile", "2025", "49000");
  typo.replace(typo.find("Mine production"), 15, "Mine producton");
  auto r = ImportText(tmp, LithiumMine("Australia", "2025", "88000") + typo);
  bool warned = false;
  for (const auto& d : r.diagnostics.Items()) {
    if (d.line == 3 && d.message.find("one character away from the mapping rule") != std::string::npos) warned = true;
  }
  EXPECT_TRUE(warned) << r.diagnostics.Format();
}

}  // namespace
}  // namespace lodestone::data

namespace lodestone::data {
namespace {

TEST(ImportUsgsDataLoss, OutputFolderWithATrailingSlashIsTheFolder) {
  TempDir tmp;
  ApplyImport(Release(), (tmp / "dataset").string() + "/", Ref());
  EXPECT_TRUE(std::filesystem::exists(tmp / "dataset" / "dataset.json"));
}

}  // namespace
}  // namespace lodestone::data
