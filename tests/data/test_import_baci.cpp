// Tests of the CEPII BACI importer: products mapped to minerals through hs6_map.csv, content
// factors, missing quantities, BACI country codes, statistics, validation of the rows by the
// loader, and the errors reported (file, line, column) for broken files.
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
#include "lodestone/model/value.hpp"

namespace lodestone::data {
namespace {

using testing::ReferenceDir;
using testing::TempDir;
using testing::WriteFile;

constexpr std::size_t kSampleRows = 20;
constexpr std::size_t kSampleImported = 18;
constexpr double kLi2Co3Factor = 0.187871;
constexpr double kLiOhFactor = 0.165405;
constexpr double kSb2O3Factor = 0.835351;
constexpr std::string_view kHeader = "t,i,j,k,v,q\n";

const Reference& Ref() {
  static const Reference ref = Reference::Load(ReferenceDir());
  return ref;
}

std::filesystem::path SampleFile() {
  return std::filesystem::path(LODESTONE_TEST_DATA_DIR) / "baci" / "BACI_HS22_Y2022_V202401b_sample.csv";
}

const ImportResult& Sample() {
  static const ImportResult result = ImportBaci({SampleFile()}, Ref());
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

std::optional<Row> Flow(const ImportResult& r, std::string_view product, std::string_view exporter,
                        std::string_view importer) {
  for (auto& row : TradeRows(r)) {
    if (row["product"] == product && row["exporter"] == exporter && row["importer"] == importer) return row;
  }
  return std::nullopt;
}

// One cell of a flow, or "<no such flow>" (so a missing flow fails the test, not the binary).
std::string Cell(const ImportResult& r, std::string_view product, std::string_view exporter, std::string_view importer,
                 const std::string& column) {
  auto row = Flow(r, product, exporter, importer);
  return row ? (*row)[column] : "<no such flow>";
}

std::size_t Stat(const ImportResult& r, std::string_view name) {
  for (const auto& [k, v] : r.stats) {
    if (k == name) return v;
  }
  ADD_FAILURE() << "no statistic '" << name << "'";
  return 0;
}

// Imports one file written with `body` after the BACI header.
ImportResult ImportText(const TempDir& dir, std::string_view body, std::string_view name = "BACI_test.csv") {
  auto path = dir / name;
  WriteFile(path, std::string(kHeader) + std::string(body));
  return ImportBaci({path}, Ref());
}

bool HasError(const ImportResult& r, std::size_t line, std::size_t column, std::string_view text) {
  return lodestone::testing::HasError(r.diagnostics, line, column, text);
}

TEST(ImportBaciSample, ImportsWithoutErrors) {
  const auto& r = Sample();
  EXPECT_FALSE(r.diagnostics.HasErrors()) << r.diagnostics.Format();
  EXPECT_EQ(r.importer, "baci");
  EXPECT_EQ(TradeRows(r).size(), kSampleImported);
}

TEST(ImportBaciSample, MapsProductsToMineralAndStage) {
  auto li = Flow(Sample(), "283691", "CHL", "CHN");
  ASSERT_TRUE(li);
  EXPECT_EQ((*li)["mineral"], "lithium");
  EXPECT_EQ((*li)["stage"], "refining");
  EXPECT_EQ((*li)["year"], "2022");
  EXPECT_EQ((*li)["source"], "cepii_baci");
  auto graphite = Flow(Sample(), "250410", "CHN", "FRA");
  ASSERT_TRUE(graphite);
  EXPECT_EQ((*graphite)["mineral"], "graphite");
  EXPECT_EQ((*graphite)["stage"], "mining");
  auto cobalt = Flow(Sample(), "810520", "COD", "CHN");
  ASSERT_TRUE(cobalt);
  EXPECT_EQ((*cobalt)["mineral"], "cobalt");
  EXPECT_EQ((*cobalt)["stage"], "intermediate");
  auto ree = Flow(Sample(), "280530", "CHN", "JPN");
  ASSERT_TRUE(ree);
  EXPECT_EQ((*ree)["mineral"], "rare_earths");
}

TEST(ImportBaciSample, ContentFactorGivesTonnesOfTheMineralInItsCanonicalUnit) {
  auto li = Flow(Sample(), "283691", "CHL", "CHN");
  ASSERT_TRUE(li);
  EXPECT_EQ((*li)["unit"], "t Li");
  EXPECT_EQ((*li)["quantity"], model::FormatNumber(45678.9 * kLi2Co3Factor));
  auto lioh = Flow(Sample(), "282520", "USA", "JPN");
  ASSERT_TRUE(lioh);
  EXPECT_EQ((*lioh)["quantity"], model::FormatNumber(200.0 * kLiOhFactor));
  auto sb = Flow(Sample(), "282580", "CHN", "AUS");
  ASSERT_TRUE(sb);
  EXPECT_EQ((*sb)["unit"], "t Sb");
  EXPECT_EQ((*sb)["quantity"], model::FormatNumber(60.0 * kSb2O3Factor));
  // Graphite is counted in gross tonnes (factor 1); refined copper at gross weight.
  auto graphite = Flow(Sample(), "250410", "CHN", "FRA");
  ASSERT_TRUE(graphite);
  EXPECT_EQ((*graphite)["unit"], "t");
  EXPECT_EQ((*graphite)["quantity"], "1200.5");
  auto cu = Flow(Sample(), "740311", "TWN", "CHN");
  ASSERT_TRUE(cu);
  EXPECT_EQ((*cu)["unit"], "t Cu");
  EXPECT_EQ((*cu)["quantity"], "10000");
}

TEST(ImportBaciSample, MissingQuantityIsUnknownNeverZero) {
  auto blank = Flow(Sample(), "284690", "CHN", "USA");  // q blank (spaces only)
  ASSERT_TRUE(blank);
  EXPECT_EQ((*blank)["quantity"], "unknown");
  EXPECT_EQ((*blank)["value_usd"], "3210000");
  auto na = Flow(Sample(), "260500", "COD", "CHN");  // q "NA"
  ASSERT_TRUE(na);
  EXPECT_EQ((*na)["quantity"], "unknown");
  // No content factor (ores, intermediates): quantity unknown, value kept.
  auto ore = Flow(Sample(), "260300", "AUS", "CHN");
  ASSERT_TRUE(ore);
  EXPECT_EQ((*ore)["quantity"], "unknown");
  EXPECT_EQ((*ore)["unit"], "t Cu");
  EXPECT_EQ((*ore)["value_usd"], "50000000");
}

TEST(ImportBaciSample, ValueIsThousandsTimesThousandExactly) {
  EXPECT_EQ(Cell(Sample(), "283691", "CHL", "CHN", "value_usd"), "1234567891");
  EXPECT_EQ(Cell(Sample(), "283691", "AUS", "CHN", "value_usd"), "123456");
  EXPECT_EQ(Cell(Sample(), "711011", "IND", "USA", "value_usd"), "156");
  EXPECT_EQ(Cell(Sample(), "711021", "CHE", "USA", "value_usd"), "20500");
  EXPECT_EQ(Cell(Sample(), "740311", "TWN", "CHN", "value_usd"), "99999999");
}

TEST(ImportBaciSample, BaciCountryCodesResolve) {
  // 842 USA, 251 FRA, 490 TWN, 699 IND, 757 CHE, 579 NOR are BACI's own codes; 36 AUS, 156 CHN,
  // 180 COD are ISO numeric.
  EXPECT_TRUE(Flow(Sample(), "282520", "USA", "JPN"));
  EXPECT_TRUE(Flow(Sample(), "250410", "CHN", "FRA"));
  EXPECT_TRUE(Flow(Sample(), "740311", "TWN", "CHN"));
  EXPECT_TRUE(Flow(Sample(), "711011", "IND", "USA"));
  EXPECT_TRUE(Flow(Sample(), "711021", "CHE", "USA"));
  EXPECT_TRUE(Flow(Sample(), "750210", "NOR", "DEU"));
  EXPECT_TRUE(Flow(Sample(), "283691", "AUS", "CHN"));
  EXPECT_TRUE(Flow(Sample(), "810520", "COD", "CHN"));
}

TEST(ImportBaciSample, StatisticsCountEveryRow) {
  const auto& r = Sample();
  EXPECT_EQ(Stat(r, "files read"), 1u);
  EXPECT_EQ(Stat(r, "rows read"), kSampleRows);
  EXPECT_EQ(Stat(r, "rows imported"), kSampleImported);
  EXPECT_EQ(Stat(r, "rows skipped: product not in hs6_map.csv"), 2u);  // cars, horses
  EXPECT_EQ(Stat(r, "product codes read with a restored leading zero"), 1u);
  EXPECT_EQ(Stat(r, "rows with quantity unknown: q blank or NA"), 2u);
  EXPECT_EQ(Stat(r, "rows with quantity unknown: no content factor"), 5u);
  EXPECT_EQ(Stat(r, "rows rejected (errors)"), 0u);
  // The five-digit code is reported as a warning with its line.
  bool warned = false;
  for (const auto& d : r.diagnostics.Items()) {
    warned = warned || (d.severity == model::Severity::Warning && d.line == 19 && d.column == 4);
  }
  EXPECT_TRUE(warned) << r.diagnostics.Format();
}

TEST(ImportBaciSample, CitesBaciAndTheFactorSourcesUsed) {
  std::set<std::string> ids;
  for (const auto& s : Sample().sources) ids.insert(s.id);
  EXPECT_TRUE(ids.count("cepii_baci"));
  EXPECT_TRUE(ids.count("assume_content_li2co3"));
  EXPECT_TRUE(ids.count("assume_content_lioh_h2o"));
  EXPECT_TRUE(ids.count("assume_content_gross_graphite"));
  EXPECT_TRUE(ids.count("assume_content_refined_metal"));
  EXPECT_FALSE(ids.count("assume_content_mno2"));  // no manganese dioxide in the sample
}

TEST(ImportBaciSample, ApplyImportValidates) {
  TempDir dir;
  auto ds = ApplyImport(Sample(), dir / "dataset", Ref());
  EXPECT_EQ(ds->trade.size(), kSampleImported);
  auto li = ds.FindMineral("lithium");
  ASSERT_TRUE(li);
  std::size_t lithium_rows = 0;
  for (std::size_t i = 0; i < ds->trade.size(); ++i) lithium_rows += ds->trade.mineral[i] == *li ? 1 : 0;
  EXPECT_EQ(lithium_rows, 3u);
}

TEST(ImportBaciFiles, SeveralYearsAtOnce) {
  TempDir dir;
  auto y1 = dir / "BACI_HS22_Y2022.csv";
  auto y2 = dir / "BACI_HS22_Y2023.csv";
  WriteFile(y1, std::string(kHeader) + "2022,152,156,283691,10.000,2.000\n");
  WriteFile(y2, std::string(kHeader) + "2023,152,156,283691,12.000,3.000\n");
  auto r = ImportBaci({y1, y2}, Ref());
  EXPECT_FALSE(r.diagnostics.HasErrors()) << r.diagnostics.Format();
  ASSERT_EQ(TradeRows(r).size(), 2u);
  EXPECT_EQ(Stat(r, "files read"), 2u);
}

TEST(ImportBaciFiles, QuotedFieldsCrlfAndBomAreRead) {
  TempDir dir;
  auto path = dir / "BACI_quoted.csv";
  WriteFile(path, "\xEF\xBB\xBFt,i,j,k,v,q\r\n2022,842,392,\"283691\",1.5,NA\r\n");
  auto r = ImportBaci({path}, Ref());
  EXPECT_FALSE(r.diagnostics.HasErrors()) << r.diagnostics.Format();
  auto row = Flow(r, "283691", "USA", "JPN");
  ASSERT_TRUE(row);
  EXPECT_EQ((*row)["quantity"], "unknown");
  EXPECT_EQ((*row)["value_usd"], "1500");
}

TEST(ImportBaciErrors, UnknownCountryCodeWithLineAndColumn) {
  TempDir dir;
  auto r =
      ImportText(dir, "2022,152,156,283691,1.000,1.000\n2022,999,156,283691,1.000,1.000\n2022,152,998,250410,1,1\n");
  EXPECT_TRUE(HasError(r, 3, 2, "unknown exporter code '999'")) << r.diagnostics.Format();
  EXPECT_TRUE(HasError(r, 4, 3, "unknown importer code '998'")) << r.diagnostics.Format();
  EXPECT_EQ(r.diagnostics.ErrorCount(), 2u);
  EXPECT_THROW(ApplyImport(r, dir / "dataset", Ref()), lodestone::Error);
  EXPECT_FALSE(std::filesystem::exists(dir / "dataset"));
}

TEST(ImportBaciErrors, UnknownCodesAreReportedEvenForUnmappedProducts) {
  TempDir dir;
  auto r = ImportText(dir, "2022,999,156,870323,1.000,1.000\n");
  EXPECT_TRUE(HasError(r, 2, 2, "unknown exporter code")) << r.diagnostics.Format();
}

TEST(ImportBaciErrors, BadNumbersEachReported) {
  TempDir dir;
  auto r = ImportText(dir,
                      "2022,152,156,283691,12x,1.000\n"
                      "2022,152,156,283691,1.000,-5\n"
                      "20x2,152,156,283691,1.000,1.000\n"
                      "2022,152,156,28369A1,1.000,1.000\n"
                      "2022,152,156,283691,nan,1.000\n"
                      "2022,USA,156,283691,1.000,1.000\n");
  EXPECT_TRUE(HasError(r, 2, 5, "value '12x'")) << r.diagnostics.Format();
  EXPECT_TRUE(HasError(r, 3, 6, "quantity '-5'"));
  EXPECT_TRUE(HasError(r, 4, 1, "year '20x2'"));
  EXPECT_TRUE(HasError(r, 5, 4, "six-digit HS code"));
  EXPECT_TRUE(HasError(r, 6, 5, "value 'nan'"));
  EXPECT_TRUE(HasError(r, 7, 2, "numeric country code"));
  EXPECT_EQ(r.diagnostics.ErrorCount(), 6u);
  EXPECT_EQ(Stat(r, "rows rejected (errors)"), 6u);
}

TEST(ImportBaciErrors, SeveralProblemsInOneRowAreAllReported) {
  TempDir dir;
  auto r = ImportText(dir, "2022,999,998,283691,x,y\n");
  EXPECT_TRUE(HasError(r, 2, 2, "exporter"));
  EXPECT_TRUE(HasError(r, 2, 3, "importer"));
  EXPECT_TRUE(HasError(r, 2, 5, "value"));
  EXPECT_TRUE(HasError(r, 2, 6, "quantity"));
}

TEST(ImportBaciErrors, WrongHeader) {
  TempDir dir;
  auto path = dir / "BACI_bad_header.csv";
  WriteFile(path, "year,i,j,k,value,q\n2022,152,156,283691,1,1\n");
  auto r = ImportBaci({path}, Ref());
  EXPECT_TRUE(HasError(r, 1, 1, "header field 'year'")) << r.diagnostics.Format();
  EXPECT_TRUE(HasError(r, 1, 5, "header field 'value'"));
  EXPECT_TRUE(TradeRows(r).empty());
}

TEST(ImportBaciErrors, HeaderWithTooFewFields) {
  TempDir dir;
  auto path = dir / "BACI_short_header.csv";
  WriteFile(path, "t,i,j,k,v\n");
  auto r = ImportBaci({path}, Ref());
  EXPECT_TRUE(HasError(r, 1, 6, "header has 5 fields")) << r.diagnostics.Format();
}

TEST(ImportBaciErrors, WrongFieldCount) {
  TempDir dir;
  auto r = ImportText(dir, "2022,152,156,283691,1.000\n2022,152,156,283691,1,1,7\n");
  EXPECT_TRUE(HasError(r, 2, 6, "expected 6 fields")) << r.diagnostics.Format();
  EXPECT_TRUE(HasError(r, 3, 7, "found 7"));
}

TEST(ImportBaciErrors, EmptyAndMissingFiles) {
  TempDir dir;
  auto empty = dir / "BACI_empty.csv";
  WriteFile(empty, "");
  auto r = ImportBaci({empty, dir / "absent.csv"}, Ref());
  EXPECT_TRUE(HasError(r, 1, 0, "empty file")) << r.diagnostics.Format();
  EXPECT_EQ(r.diagnostics.ErrorCount(), 2u);
}

TEST(ImportBaciErrors, BinaryDataStopsTheFile) {
  TempDir dir;
  std::string body = "2022,152,156,283691,1,1\n\x01\x02";
  body += '\0';
  body += "\xFF,,\n";
  auto r = ImportText(dir, body);
  EXPECT_TRUE(HasError(r, 3, 0, "binary data")) << r.diagnostics.Format();
}

TEST(ImportBaciErrors, DuplicateFlowAcrossFiles) {
  TempDir dir;
  auto a = dir / "a.csv";
  auto b = dir / "b.csv";
  WriteFile(a, std::string(kHeader) + "2022,152,156,283691,10,2\n");
  WriteFile(b, std::string(kHeader) + "2022,152,156,283691,11,2\n");
  auto r = ImportBaci({a, b}, Ref());
  ASSERT_TRUE(HasError(r, 2, 0, "duplicate flow")) << r.diagnostics.Format();
  EXPECT_EQ(r.diagnostics.Items().front().file, b.string());
}

TEST(ImportBaciMap, SharedCodesAreNotAttributedToOneMineral) {
  auto map = ReadMappingFile(ReferenceDir() / "hs6_map.csv");
  std::set<std::string> codes;
  for (const auto& row : map.rows) codes.insert(row[map.Col("hs6")]);
  // 811292: unwrought Ga, Ge, In, Nb, V; 282560: germanium oxides AND zirconium dioxide;
  // 850511: permanent magnets of any metal.
  EXPECT_FALSE(codes.count("811292"));
  EXPECT_FALSE(codes.count("282560"));
  EXPECT_FALSE(codes.count("850511"));
  EXPECT_TRUE(codes.count("283691"));
  EXPECT_EQ(codes.size(), map.rows.size()) << "a product is listed twice";
}

TEST(ImportBaciMap, EveryFactorNamesAKnownSource) {
  auto map = ReadMappingFile(ReferenceDir() / "hs6_map.csv");
  const auto cf = map.Col("content_factor"), cs = map.Col("factor_source");
  for (const auto& row : map.rows) {
    EXPECT_EQ(row[cf].empty(), row[cs].empty()) << row[0];
    if (!row[cs].empty()) EXPECT_NO_THROW(Ref().SourceRecord(row[cs])) << row[cs];
  }
}

}  // namespace
}  // namespace lodestone::data

namespace lodestone::data {
namespace {

// A file cut inside its last number ("50.000" cut to "5", no final line end) would import a
// figure ten thousand times too small; the missing line end gives it away.
TEST(ImportBaciErrors, FileCutInsideItsLastNumberIsDetected) {
  TempDir dir;
  auto r = ImportText(dir, "2022,152,156,283691,1.000,1.000\n2022,152,156,250410,5");
  EXPECT_TRUE(HasError(r, 3, 0, "the last line has no line end: the file looks cut short")) << r.diagnostics.Format();
  EXPECT_EQ(r.diagnostics.ErrorCount(), 1u) << r.diagnostics.Format();
}

}  // namespace
}  // namespace lodestone::data
