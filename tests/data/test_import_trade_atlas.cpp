// The fixtures are invented: the crosswalk in tests/data/trade_atlas is written from our own
// data/reference/trade_atlas_map.csv, and the flows (below) carry round made-up figures; the
// published files are read only where ../shared/data keeps them (ImportTradeAtlasPublished).
// Tests of the importer of the critical-materials BACI extract (flows_<year>.json, crosswalk.json):
// materials mapped to minerals, stages and content factors by trade_atlas_map.csv, countries
// resolved through each file's own numeric table, unknown quantities, the caveats carried by the
// source record, errors for broken files, and the real published files when they are present.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "data/test_fixtures.hpp"
#include "lodestone/data/importers.hpp"
#include "lodestone/data/loader.hpp"
#include "lodestone/data/reference.hpp"
#include "lodestone/data/schema.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::data {
namespace {

namespace fs = std::filesystem;
using testing::ReferenceDir;
using testing::TempDir;
using testing::WriteFile;

const Reference& Ref() {
  static const Reference ref = Reference::Load(ReferenceDir());
  return ref;
}

fs::path FixtureDir() { return fs::path(LODESTONE_TEST_DATA_DIR) / "trade_atlas"; }

// Two years of invented flows in the extract's format (round made-up figures, not BACI data),
// written at run time; the published years are read only from ../shared/data.
constexpr std::string_view kFixtureIso =
    R"("iso": {"156": "CN", "392": "JP", "842": "US", "490": "TW", "56": "BE", "58": "BE", "152": "CL", )"
    R"("36": "AU", "516": "NA", "891": "CS", "276": "DE", "280": "DE"})";
constexpr std::string_view kFlows2016 = R"("materials": {"lithium": [{"from": "CL", "to": "US", "value": 300000000}], )"
                                        R"("graphite": [{"from": "CN", "to": "JP", "value": 1000000}]})";
constexpr std::string_view kFlows2024 =
    R"("materials": {"lithium": [{"from": "CL", "to": "US", "value": 400000000, "qty": 20000}, )"
    R"({"from": "CN", "to": "JP", "value": 30000000, "qty": 2000}, )"
    R"({"from": "CL", "to": "JP", "value": 150000000, "qty": 0}], )"
    R"("magnets": [{"from": "CN", "to": "US", "value": 300000000, "qty": 8000}, )"
    R"({"from": "DE", "to": "US", "value": 50000000, "qty": 900}], )"
    R"("gallium": [{"from": "CN", "to": "JP", "value": 5000000, "qty": 20}], )"
    R"("cobalt": [{"from": "BE", "to": "US", "value": 70000000, "qty": 2500}], )"
    R"("helium": [{"from": "US", "to": "JP", "value": 1, "qty": 1}], )"
    R"("copper": [{"from": "CS", "to": "DE", "value": 10, "qty": 1}, {"from": "NA", "to": "TW", "value": 1000, "qty": 2}]})";

std::string InventedYear(int year, std::string_view materials) {
  return fmt::format(R"({{"year": {}, "source": "invented test flows in the format of the CEPII BACI extract", )"
                     R"("centroids": {{}}, "names": {{}}, {}, {}}})",
                     year, kFixtureIso, materials);
}

std::vector<fs::path> FixtureFiles() {
  static const TempDir dir;
  static const bool written = [] {
    WriteFile(dir / "flows_2016.json", InventedYear(2016, kFlows2016));
    WriteFile(dir / "flows_2024.json", InventedYear(2024, kFlows2024));
    return true;
  }();
  (void)written;
  return {FixtureDir() / "crosswalk.json", dir / "flows_2016.json", dir / "flows_2024.json"};
}

const ImportResult& Fixture() {
  static const ImportResult result = ImportTradeAtlas(FixtureFiles(), Ref());
  return result;
}

using Row = std::map<std::string, std::string>;

std::vector<Row> TradeRows(const ImportResult& r) {
  std::vector<Row> out;
  auto it = r.tables.find("trade.csv");
  if (it == r.tables.end()) return out;
  const auto* schema = FindTable("trade.csv");
  for (const auto& cells : it->second.rows) {
    EXPECT_EQ(cells.size(), schema->columns.size());
    Row row;
    for (std::size_t i = 0; i < schema->columns.size(); ++i) row[std::string(schema->columns[i])] = cells.at(i);
    out.push_back(std::move(row));
  }
  return out;
}

std::optional<Row> Flow(const ImportResult& r, std::string_view mineral, std::string_view exporter,
                        std::string_view importer, std::string_view year) {
  for (auto& row : TradeRows(r)) {
    if (row["mineral"] == mineral && row["exporter"] == exporter && row["importer"] == importer &&
        row["year"] == year) {
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

bool HasMessage(const model::Diagnostics& d, std::string_view text) {
  return d.Format().find(text) != std::string::npos;
}

TEST(ImportTradeAtlasFixture, ImportsWithoutErrors) {
  const auto& r = Fixture();
  EXPECT_FALSE(r.diagnostics.HasErrors()) << r.diagnostics.Format();
  EXPECT_EQ(r.importer, "trade-atlas");
  // 3 lithium + 2 magnets + 1 gallium + 1 cobalt + 1 copper (NA -> TW) in 2024, 1 lithium and
  // 1 graphite in 2016; helium is not a mineral of the dataset and Serbia-and-Montenegro (CS) is
  // not a country of countries.csv.
  EXPECT_EQ(TradeRows(r).size(), 10u);
  EXPECT_EQ(Stat(r, "files read"), 2u);
  EXPECT_EQ(Stat(r, "flows skipped: material not a mineral of the dataset"), 1u);
  EXPECT_EQ(Stat(r, "flows skipped: country not in countries.csv"), 1u);
  EXPECT_TRUE(HasMessage(r.diagnostics, "country 'CS'")) << r.diagnostics.Format();
}

TEST(ImportTradeAtlasFixture, MapsMaterialsToMineralStageAndProduct) {
  const auto& r = Fixture();
  auto magnets = Flow(r, "rare_earths", "CHN", "USA", "2024");
  ASSERT_TRUE(magnets);
  EXPECT_EQ((*magnets)["stage"], "magnet");
  EXPECT_EQ((*magnets)["product"], "850511");
  EXPECT_EQ((*magnets)["unit"], "t REO");
  auto ga = Flow(r, "gallium", "CHN", "JPN", "2024");
  ASSERT_TRUE(ga);
  EXPECT_EQ((*ga)["product"], "811292");
  EXPECT_EQ((*ga)["quantity"], "unknown");  // a group code: no content factor
  auto li = Flow(r, "lithium", "CHL", "USA", "2024");
  ASSERT_TRUE(li);
  EXPECT_EQ((*li)["stage"], "refining");
  EXPECT_EQ((*li)["value_usd"], "400000000");
  EXPECT_EQ((*li)["source"], "cepii_baci_atlas");
}

TEST(ImportTradeAtlasFixture, ContentIsGrossTonnesTimesTheFactor) {
  const auto& r = Fixture();
  double q = 0;
  ASSERT_TRUE(model::ParseDouble((*Flow(r, "lithium", "CHL", "USA", "2024"))["quantity"], q));
  EXPECT_NEAR(q, 20000 * 0.187871, 1e-6);
  ASSERT_TRUE(model::ParseDouble((*Flow(r, "rare_earths", "CHN", "USA", "2024"))["quantity"], q));
  EXPECT_NEAR(q, 8000 * 0.311233, 1e-6);
}

TEST(ImportTradeAtlasFixture, MissingOrZeroQuantityIsUnknownNeverZero) {
  const auto& r = Fixture();
  EXPECT_EQ((*Flow(r, "lithium", "CHL", "JPN", "2024"))["quantity"], "unknown");  // qty 0 = blank in BACI
  EXPECT_EQ((*Flow(r, "lithium", "CHL", "USA", "2016"))["quantity"], "unknown");  // no qty before 2024 in the extract
  EXPECT_EQ(Stat(r, "rows with quantity unknown: qty missing or 0"), 3u);
}

TEST(ImportTradeAtlasFixture, CountriesResolveThroughTheFilesNumericTable) {
  const auto& r = Fixture();
  EXPECT_TRUE(Flow(r, "copper", "NAM", "TWN", "2024"));  // NA is Namibia; TW is BACI 490
  EXPECT_TRUE(Flow(r, "cobalt", "BEL", "USA", "2024"));  // BE has two numeric codes (56, 58)
}

TEST(ImportTradeAtlasFixture, SourceRecordCarriesTheCaveats) {
  const auto& r = Fixture();
  const model::Source* src = nullptr;
  for (const auto& s : r.sources) {
    if (s.id == "cepii_baci_atlas") src = &s;
  }
  ASSERT_NE(src, nullptr);
  EXPECT_EQ(src->licence, "Etalab Open Licence 2.0");
  EXPECT_NE(src->rule.find("top 6"), std::string::npos);
  EXPECT_NE(src->rule.find("gross weight"), std::string::npos);
  EXPECT_NE(src->rule.find("8112.92 is a group"), std::string::npos);
  std::set<std::string> ids;
  for (const auto& s : r.sources) ids.insert(s.id);
  EXPECT_TRUE(ids.count("assume_content_li2co3"));
  EXPECT_TRUE(ids.count("assume_content_ndfeb_reo"));
}

TEST(ImportTradeAtlasFixture, ApplyImportValidatesAndLoads) {
  TempDir dir;
  auto ds = ApplyImport(Fixture(), dir.path(), Ref());
  EXPECT_EQ(ds->trade.size(), 10u);
  auto again = LoadDatasetOrThrow(dir.path());
  EXPECT_EQ(again->trade.size(), 10u);
}

// A flows file written into `dir` under `name`, with the fixture's crosswalk.
ImportResult ImportOne(const TempDir& dir, std::string_view name, std::string_view text) {
  WriteFile(dir / name, text);
  return ImportTradeAtlas({FixtureDir() / "crosswalk.json", dir / name}, Ref());
}

constexpr std::string_view kIso = R"("iso": {"156": "CN", "842": "US"})";

TEST(ImportTradeAtlasErrors, SyntaxErrorHasLineAndColumn) {
  TempDir dir;
  auto r = ImportOne(dir, "flows_2024.json", "{\"year\": 2024,\n \"source\": oops}");
  EXPECT_TRUE(testing::HasError(r.diagnostics, 2, 12, "not valid JSON")) << r.diagnostics.Format();
}

TEST(ImportTradeAtlasErrors, YearMustMatchTheFileName) {
  TempDir dir;
  auto r = ImportOne(dir, "flows_2023.json",
                     fmt::format(R"({{"year": 2024, "source": "CEPII BACI", {}, "materials": {{}}}})", kIso));
  EXPECT_TRUE(HasMessage(r.diagnostics, "year: the file says 2024 but its name says '2023'")) << r.diagnostics.Format();
}

TEST(ImportTradeAtlasErrors, SourceMustNameBaci) {
  TempDir dir;
  auto r = ImportOne(dir, "flows_2024.json",
                     fmt::format(R"({{"year": 2024, "source": "raw Comtrade nowcast", {}, "materials": {{}}}})", kIso));
  EXPECT_TRUE(HasMessage(r.diagnostics, "source: expected a text naming CEPII BACI")) << r.diagnostics.Format();
}

TEST(ImportTradeAtlasErrors, BadFlowFieldsNamedByPath) {
  TempDir dir;
  auto r = ImportOne(dir, "flows_2024.json",
                     fmt::format(R"({{"year": 2024, "source": "CEPII BACI", {}, "materials": {{"lithium": [
                       {{"from": "CN", "to": "US", "value": -5, "qty": 1}},
                       {{"from": "CN", "to": "XX", "value": 5, "qty": 1}},
                       {{"from": "CN", "to": "US", "value": 5, "qty": "many"}},
                       {{"from": "CN", "to": "US", "value": 5}},
                       {{"from": "CN", "to": "US", "value": 6}}]}}}})",
                                 kIso));
  const auto& d = r.diagnostics;
  EXPECT_TRUE(HasMessage(d, "materials.lithium[0].value: expected a non-negative number")) << d.Format();
  EXPECT_TRUE(HasMessage(d, "materials.lithium[1].to: country 'XX' is not in the file's iso table")) << d.Format();
  EXPECT_TRUE(HasMessage(d, "materials.lithium[2].qty: expected a non-negative number of tonnes")) << d.Format();
  EXPECT_TRUE(HasMessage(d, "materials.lithium[4]: duplicate flow (lithium CHN -> USA, 2024)")) << d.Format();
  EXPECT_EQ(d.ErrorCount(), 4u) << d.Format();
}

TEST(ImportTradeAtlasErrors, UnmappedMaterialIsAnError) {
  TempDir dir;
  auto r = ImportOne(
      dir, "flows_2024.json",
      fmt::format(R"({{"year": 2024, "source": "CEPII BACI", {}, "materials": {{"unobtainium": []}}}})", kIso));
  EXPECT_TRUE(HasMessage(r.diagnostics,
                         "materials.unobtainium: material not listed in data/reference/"
                         "trade_atlas_map.csv"))
      << r.diagnostics.Format();
}

TEST(ImportTradeAtlasErrors, CrosswalkMustAgreeWithTheMap) {
  TempDir dir;
  WriteFile(dir / "crosswalk.json", R"({"lithium": {"title_code": "282520", "flags": []}})");
  WriteFile(dir / "flows_2024.json",
            fmt::format(R"({{"year": 2024, "source": "CEPII BACI", {}, "materials": {{}}}})", kIso));
  auto r = ImportTradeAtlas({dir / "crosswalk.json", dir / "flows_2024.json"}, Ref());
  EXPECT_TRUE(HasMessage(r.diagnostics, "lithium.title_code: expected '283691'")) << r.diagnostics.Format();
  EXPECT_TRUE(HasMessage(r.diagnostics, "material 'cobalt'")) << r.diagnostics.Format();
}

TEST(ImportTradeAtlasErrors, FilesMustBeCrosswalkAndFlows) {
  TempDir dir;
  WriteFile(dir / "other.json", "{}");
  auto r = ImportTradeAtlas({dir / "other.json"}, Ref());
  EXPECT_TRUE(HasMessage(r.diagnostics, "expected crosswalk.json or flows_<year>.json")) << r.diagnostics.Format();
  EXPECT_TRUE(HasMessage(r.diagnostics, "crosswalk.json not given")) << r.diagnostics.Format();
  auto missing = ImportTradeAtlas({FixtureDir() / "crosswalk.json", dir / "flows_2020.json"}, Ref());
  EXPECT_TRUE(HasMessage(missing.diagnostics, "cannot open the file")) << missing.diagnostics.Format();
}

// The published extract, where it is kept (never copied into the project).
std::optional<fs::path> PublishedAtlasDir() {
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("LODESTONE_PUBLISHED"); env && *env) dirs.emplace_back(env);
  const fs::path src = testing::SourceDir();
  dirs.push_back(src.parent_path() / "shared" / "data");
  dirs.push_back(src.parent_path().parent_path() / "shared" / "data");
  for (const auto& d : dirs) {
    if (fs::exists(d / "trade_baci_atlas" / "crosswalk.json")) return d / "trade_baci_atlas";
  }
  return std::nullopt;
}

TEST(ImportTradeAtlasPublished, EveryYearImportsAndMatchesTheReadmeShares) {
  const auto dir = PublishedAtlasDir();
  if (!dir) {
    GTEST_SKIP() << "trade_baci_atlas not found under $LODESTONE_PUBLISHED or ../shared/data: the published "
                    "extract is not on this machine";
  }
  std::vector<fs::path> files{*dir / "crosswalk.json"};
  for (int y = 2002; y <= 2024; ++y) files.push_back(*dir / fmt::format("flows_{}.json", y));
  const auto r = ImportTradeAtlas(files, Ref());
  ASSERT_FALSE(r.diagnostics.HasErrors()) << r.diagnostics.Format();
  EXPECT_EQ(Stat(r, "files read"), 23u);
  std::set<std::string> years;
  // The README's check: 75.0% of US magnet imports by value came from China in 2024.
  double us_all = 0, us_cn = 0;
  for (auto& row : TradeRows(r)) {
    years.insert(row["year"]);
    if (row["mineral"] == "rare_earths" && row["importer"] == "USA" && row["year"] == "2024") {
      double v = 0;
      ASSERT_TRUE(model::ParseDouble(row["value_usd"], v));
      us_all += v;
      if (row["exporter"] == "CHN") us_cn += v;
    }
  }
  EXPECT_EQ(years.size(), 23u);
  ASSERT_GT(us_all, 0);
  EXPECT_NEAR(us_cn / us_all, 0.750, 0.0005);
}

}  // namespace
}  // namespace lodestone::data
