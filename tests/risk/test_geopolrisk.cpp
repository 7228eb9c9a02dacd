// Tests of GeoPolRisk (geopolrisk-py's method): the package's reference case (USA 2022, from
// tests/validation/geopolrisk/), hand-computed small cases, file-format and bad-input cases, and
// properties of the core and the sweep.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "data/test_fixtures.hpp"
#include "lodestone/data/csv.hpp"
#include "lodestone/data/encoding.hpp"
#include "lodestone/model/value.hpp"
#include "lodestone/risk/geopolrisk.hpp"

namespace fs = std::filesystem;
using namespace lodestone;
using risk::GprImport;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

fs::path ValidationDir() { return fs::path(LODESTONE_SOURCE_DIR "/tests/validation/geopolrisk/"); }

// A CSV file as rows of named cells (for the expected outputs and independent sums).
struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::size_t Col(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return i;
    }
    ADD_FAILURE() << "no column " << name;
    return 0;
  }
};

Csv ReadCsv(const fs::path& path) {
  model::Diagnostics diags;
  data::CsvReader reader(data::ReadFileBytes(path), path.string(), &diags);
  std::vector<std::string_view> f;
  Csv csv;
  if (reader.Next(f)) csv.header.assign(f.begin(), f.end());
  while (reader.Next(f)) {
    if (f.size() == 1 && f[0].empty()) continue;
    csv.rows.emplace_back(f.begin(), f.end());
  }
  EXPECT_FALSE(diags.HasErrors()) << diags.Format();
  return csv;
}

double Number(const std::string& s) {
  double x = 0;
  EXPECT_TRUE(model::ParseDouble(s, x)) << s;
  return x;
}

void ExpectRelative(double actual, double expected, double tolerance, const std::string& what) {
  const double scale = std::max(std::abs(expected), 1e-300);
  EXPECT_LE(std::abs(actual - expected) / scale, tolerance) << what << ": " << actual << " vs " << expected;
}

const risk::GeoPolRiskRow* FindRow(const risk::GeoPolRiskFileResult& r, const std::string& material) {
  for (const auto& row : r.rows) {
    if (row.material == material) return &row;
  }
  return nullptr;
}

// The trade file of an expected row: trade_data_<importer>_<year>.csv, as the package names it.
fs::path TradeFileFor(const std::string& importer, const std::string& year) {
  return ValidationDir() / ("trade_data_" + importer + "_" + year + ".csv");
}

risk::GeoPolRiskFileResult RunValidation(const std::string& importer, int year) {
  return risk::GeoPolRiskFromFiles(ValidationDir() / "production_2018_2022.csv",
                                   TradeFileFor(importer, std::to_string(year)),
                                   ValidationDir() / "wgi_pv_normalized.csv", importer, year);
}

// Small files in the validation format.
constexpr const char* kWgiHeader = "Country/Territory,Code,country_code,2021,2022\n";
constexpr const char* kTradeHeader =
    "Year,Exporting Country,Importing Country,rawMaterial,Resource HSCODE,Trade Value (1000 USD),Quantity "
    "(mTonnes),WGI,QUANTITY * WGI\n";
constexpr const char* kProductionHeader = "rawMaterial,Country,Country_Code,Country_ISO,2021,2022,unit,data_source\n";

struct Files {
  lodestone::testing::TempDir dir;
  fs::path production = dir / "production.csv";
  fs::path trade = dir / "trade.csv";
  fs::path wgi = dir / "wgi.csv";
  Files(const std::string& production_rows, const std::string& trade_rows, const std::string& wgi_rows) {
    lodestone::testing::WriteFile(production, kProductionHeader + production_rows);
    lodestone::testing::WriteFile(trade, kTradeHeader + trade_rows);
    lodestone::testing::WriteFile(wgi, kWgiHeader + wgi_rows);
  }
  risk::GeoPolRiskFileResult Run(const std::string& importer, int year = 2022) const {
    return risk::GeoPolRiskFromFiles(production, trade, wgi, importer, year);
  }
};

const std::string kSmallWgi =
    "USA,USA,842.0,0.5,0.5\n"
    "China,CHN,156.0,0.6,0.6\n"
    "Canada,CAN,124.0,0.3,0.3\n"
    "Chile,CHL,152.0,0.4,0.4\n";

// Expects an InvalidData error whose diagnostics include one at file:line:column.
void ExpectProblemAt(const std::function<void()>& body, const fs::path& file, std::size_t line, std::size_t column,
                     const std::string& words) {
  try {
    body();
    ADD_FAILURE() << "no error";
  } catch (const lodestone::Error& e) {
    EXPECT_EQ(e.kind(), lodestone::ErrorKind::InvalidData);
    bool found = false;
    for (const auto& d : e.diagnostics().Items()) {
      if (d.severity == model::Severity::Error && d.file == file.string() && d.line == line && d.column == column &&
          d.message.find(words) != std::string::npos) {
        found = true;
      }
    }
    EXPECT_TRUE(found) << "expected " << file << ":" << line << ":" << column << " '" << words << "', got\n"
                       << e.diagnostics().Format();
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The package's reference case.

TEST(GeoPolRiskValidation, MatchesExpectedOutputs) {
  const auto expected = ReadCsv(ValidationDir() / "expected_outputs.csv");
  ASSERT_GE(expected.rows.size(), 2U);
  std::map<std::pair<std::string, int>, risk::GeoPolRiskFileResult> runs;
  for (const auto& e : expected.rows) {
    const auto material = e[expected.Col("Raw Material")];
    const auto importer = e[expected.Col("Importer")];
    const int year = static_cast<int>(Number(e[expected.Col("Year")]));
    SCOPED_TRACE(material + " " + importer + " " + std::to_string(year));
    auto key = std::make_pair(importer, year);
    if (!runs.count(key)) runs.emplace(key, RunValidation(importer, year));
    const auto& run = runs.at(key);
    ASSERT_EQ(run.importer_codes.size(), 1U);
    EXPECT_EQ(run.importer_codes[0], static_cast<int>(Number(e[expected.Col("Importer Code")])));
    const auto* row = FindRow(run, material);
    ASSERT_NE(row, nullptr);
    EXPECT_NE(row->hs_codes.find(e[expected.Col("HS CODE")]), std::string::npos) << row->hs_codes;
    const auto& f = row->figures;
    ASSERT_TRUE(f.Complete()) << risk::DescribeGeoPolRiskGaps(f);
    // Tolerances of tests/validation/README.md for HHI, score and CF; the intermediate figures
    // are sums of the same rows and agree to rounding.
    EXPECT_NEAR(*f.hhi, Number(e[expected.Col("HHI")]), 1e-6);
    ExpectRelative(*f.score, Number(e[expected.Col("GeoPolRisk Score")]), 1e-3, "score");
    ExpectRelative(*f.cf, Number(e[expected.Col("CF")]), 1e-2, "CF");
    EXPECT_NEAR(f.domestic_production, Number(e[expected.Col("Domestic Production")]), 1e-9);
    ExpectRelative(f.numerator, Number(e[expected.Col("Numerator")]), 1e-9, "numerator");
    ExpectRelative(f.total_trade, Number(e[expected.Col("Total Trade")]), 1e-9, "total trade");
    ExpectRelative(*f.wta, Number(e[expected.Col("Import Risk (WTA)")]), 1e-9, "WTA");
    ExpectRelative(*f.price, Number(e[expected.Col("Price")]), 1e-9, "price");
    ExpectRelative(*f.midpoint, Number(e[expected.Col("Midpoint")]), 1e-9, "midpoint");
    // Tighter than required: the same sums in the same order give the package's doubles.
    ExpectRelative(*f.score, Number(e[expected.Col("GeoPolRisk Score")]), 1e-12, "score (tight)");
    ExpectRelative(*f.cf, Number(e[expected.Col("CF")]), 1e-12, "CF (tight)");
  }
}

TEST(GeoPolRiskValidation, EveryMaterialHasResultOrStatedGap) {
  const auto run = RunValidation("USA", 2022);
  const auto production = ReadCsv(ValidationDir() / "production_2018_2022.csv");
  const auto trade = ReadCsv(ValidationDir() / "trade_data_USA_2022.csv");
  std::set<std::string> materials;
  for (const auto& r : production.rows) materials.insert(r[production.Col("rawMaterial")]);
  for (const auto& r : trade.rows) materials.insert(r[trade.Col("rawMaterial")]);
  EXPECT_EQ(run.rows.size(), materials.size());
  for (const auto& m : materials) {
    const auto* row = FindRow(run, m);
    ASSERT_NE(row, nullptr) << m;
    const auto& f = row->figures;
    if (!f.Complete()) EXPECT_FALSE(risk::DescribeGeoPolRiskGaps(f).empty()) << m;
    if (f.wta) {
      EXPECT_GE(*f.wta, 0.0);
      EXPECT_LE(*f.wta, 1.0);
    }
  }
}

// Graphite spans HS 250410 and 250490 (rows with either code or both): every row of the
// material counts, as in geopolrisk-py's selection by raw material. Sums recomputed here from the
// file independently of the reader.
TEST(GeoPolRiskValidation, GraphiteAggregatesEveryHsCode) {
  const auto run = RunValidation("USA", 2022);
  const auto trade = ReadCsv(ValidationDir() / "trade_data_USA_2022.csv");
  double quantity = 0, value = 0, numerator = 0;
  std::size_t rows = 0;
  for (const auto& r : trade.rows) {
    if (r[trade.Col("rawMaterial")] != "Graphite") continue;
    const double q = Number(r[trade.Col("Quantity (mTonnes)")]);
    quantity += q;
    value += Number(r[trade.Col("Trade Value (1000 USD)")]);
    numerator += q * Number(r[trade.Col("WGI")]);
    ++rows;
  }
  const auto* row = FindRow(run, "Graphite");
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->hs_codes, "250410;250490");
  EXPECT_EQ(row->figures.import_rows, rows);
  ExpectRelative(row->figures.total_trade, quantity, 1e-12, "graphite imports");
  ExpectRelative(*row->figures.price, value / quantity, 1e-12, "graphite price");
  ExpectRelative(row->figures.numerator, numerator, 1e-12, "graphite numerator");
  EXPECT_EQ(row->figures.domestic_production, 0.0);  // the USA is not in the graphite sheet
}

// Without the trade file's WGI column, g comes from the WGI file for the exporter and year: the
// same figures wherever the two agree (all nickel and manganese partners).
TEST(GeoPolRiskValidation, WgiFileGivesTheSameGAsTheTradeColumn) {
  lodestone::testing::TempDir dir;
  const auto trade = ReadCsv(ValidationDir() / "trade_data_USA_2022.csv");
  std::string text =
      "Year,Exporting Country,Importing Country,rawMaterial,Resource HSCODE,Trade Value (1000 USD),"
      "Quantity (mTonnes)\n";
  for (const auto& r : trade.rows) {
    for (const char* c : {"Year", "Exporting Country", "Importing Country", "rawMaterial", "Resource HSCODE",
                          "Trade Value (1000 USD)"}) {
      text += data::QuoteCsvField(r[trade.Col(c)]) + ",";
    }
    text += r[trade.Col("Quantity (mTonnes)")] + "\n";
  }
  lodestone::testing::WriteFile(dir / "trade.csv", text);
  const auto without = risk::GeoPolRiskFromFiles(ValidationDir() / "production_2018_2022.csv", dir / "trade.csv",
                                                 ValidationDir() / "wgi_pv_normalized.csv", "USA", 2022);
  const auto with = RunValidation("USA", 2022);
  for (const char* m : {"Nickel", "Manganese"}) {
    const auto* a = FindRow(without, m);
    const auto* b = FindRow(with, m);
    ASSERT_TRUE(a && b);
    ExpectRelative(a->figures.numerator, b->figures.numerator, 1e-12, m);
    EXPECT_EQ(a->figures.imputed_g, 0U);
  }
  // Graphite has one partner the WGI file has no code for (BACI 490, "Other Asia, nes"): g = 0.5.
  EXPECT_EQ(FindRow(without, "Graphite")->figures.imputed_g, 1U);
}

TEST(GeoPolRiskValidation, ImporterByAlphaOrNumericCode) {
  const auto a = RunValidation("USA", 2022);
  const auto b = risk::GeoPolRiskFromFiles(ValidationDir() / "production_2018_2022.csv",
                                           ValidationDir() / "trade_data_USA_2022.csv",
                                           ValidationDir() / "wgi_pv_normalized.csv", "842", 2022);
  ASSERT_EQ(a.rows.size(), b.rows.size());
  for (std::size_t i = 0; i < a.rows.size(); ++i) EXPECT_EQ(a.rows[i].figures.cf, b.rows[i].figures.cf);
  EXPECT_EQ(b.importer_codes, std::vector<int>{842});
}

// ---------------------------------------------------------------------------------------------
// Hand-computed cases of the core.

TEST(GeoPolRiskCore, NormalisedPoliticalStability) {
  EXPECT_DOUBLE_EQ(risk::NormalisedPoliticalStability(2.5), 0.0);
  EXPECT_DOUBLE_EQ(risk::NormalisedPoliticalStability(-2.5), 1.0);
  EXPECT_DOUBLE_EQ(risk::NormalisedPoliticalStability(0.0), 0.5);
  EXPECT_DOUBLE_EQ(risk::NormalisedPoliticalStability(-0.5), 0.6);
  EXPECT_DOUBLE_EQ(risk::NormalisedPoliticalStability(3.1), 0.0);   // clipped
  EXPECT_DOUBLE_EQ(risk::NormalisedPoliticalStability(-2.9), 1.0);  // clipped
}

TEST(GeoPolRiskCore, SingleSupplierWithGOne) {
  const std::vector<double> producers = {60, 40};  // HHI = 0.36 + 0.16 = 0.52
  const std::vector<GprImport> imports = {{80.0, 400.0, 1.0, false}};
  const auto f = risk::ComputeGeoPolRisk(producers, imports, 20.0);
  ASSERT_TRUE(f.Complete());
  EXPECT_DOUBLE_EQ(*f.hhi, 0.52);
  EXPECT_DOUBLE_EQ(*f.wta, 80.0 / (20.0 + 80.0));  // F / (p + F)
  EXPECT_DOUBLE_EQ(*f.score, 0.52 * 0.8);
  EXPECT_DOUBLE_EQ(*f.price, 5.0);  // 400 kUSD / 80 t = 5 USD/kg
  EXPECT_DOUBLE_EQ(*f.midpoint, 0.52 * 0.8 * 5.0);
  EXPECT_DOUBLE_EQ(*f.cf, 0.52 * 0.8 * 5.0 / risk::kGeoPolRiskCopperMidpoint);
}

TEST(GeoPolRiskCore, RegionInternalTradeHasGZero) {
  const std::vector<double> producers = {1, 1, 1, 1};
  // 30 t from a member (its g 0.9 ignored), 70 t from an outsider with g 0.4.
  const std::vector<GprImport> imports = {{30.0, 30.0, 0.9, true}, {70.0, 70.0, 0.4, false}};
  const auto f = risk::ComputeGeoPolRisk(producers, imports, 0.0);
  EXPECT_DOUBLE_EQ(f.numerator, 70.0 * 0.4);
  EXPECT_DOUBLE_EQ(f.total_trade, 100.0);  // member trade still counts in F
  EXPECT_DOUBLE_EQ(*f.wta, 0.28);
  EXPECT_DOUBLE_EQ(*f.hhi, 0.25);
}

TEST(GeoPolRiskCore, PriceFromValueAndQuantity) {
  const std::vector<double> producers = {5};
  const std::vector<GprImport> imports = {{50.0, 100.0, 0.2, false}, {150.0, 300.0, 0.6, false}};
  const auto f = risk::ComputeGeoPolRisk(producers, imports, 0.0);
  EXPECT_DOUBLE_EQ(*f.price, 2.0);  // (100 + 300) kUSD / (50 + 150) t
  EXPECT_DOUBLE_EQ(*f.hhi, 1.0);
  EXPECT_DOUBLE_EQ(*f.wta, (50 * 0.2 + 150 * 0.6) / 200.0);
}

TEST(GeoPolRiskCore, MissingInputsFollowThePackage) {
  const std::vector<double> producers = {10, kNaN, 30};               // missing counts as 0
  const std::vector<GprImport> imports = {{10.0, 20.0, kNaN, false},  // g -> 0.5
                                          {kNaN, 5.0, 0.8, false},    // 0 t, value still counts
                                          {10.0, kNaN, 0.2, false}};  // value 0
  const auto f = risk::ComputeGeoPolRisk(producers, imports, kNaN);
  EXPECT_DOUBLE_EQ(*f.hhi, (100.0 + 900.0) / 1600.0);
  EXPECT_EQ(f.missing_production, 1U);
  EXPECT_TRUE(f.domestic_production_missing);
  EXPECT_EQ(f.imputed_g, 1U);
  EXPECT_EQ(f.missing_quantity, 1U);
  EXPECT_EQ(f.missing_value, 1U);
  EXPECT_DOUBLE_EQ(f.numerator, 10 * 0.5 + 10 * 0.2);
  EXPECT_DOUBLE_EQ(*f.wta, 7.0 / 20.0);
  EXPECT_DOUBLE_EQ(*f.price, 25.0 / 20.0);
  const auto gaps = risk::DescribeGeoPolRiskGaps(f);
  EXPECT_NE(gaps.find("g = 0.5"), std::string::npos) << gaps;
  EXPECT_NE(gaps.find("without quantity"), std::string::npos) << gaps;
}

TEST(GeoPolRiskCore, InsufficientDataIsNotANumber) {
  // No producers: HHI unknown, so score, midpoint and CF too; WTA and price still known.
  auto f = risk::ComputeGeoPolRisk({}, std::vector<GprImport>{{10.0, 10.0, 0.5, false}}, 0.0);
  EXPECT_FALSE(f.hhi);
  EXPECT_TRUE(f.wta);
  EXPECT_FALSE(f.score);
  EXPECT_FALSE(f.cf);
  EXPECT_NE(risk::DescribeGeoPolRiskGaps(f).find("HHI"), std::string::npos);
  // Neither imports nor production: WTA is 0/0.
  const std::vector<double> producers = {1, 2};
  f = risk::ComputeGeoPolRisk(producers, {}, 0.0);
  EXPECT_TRUE(f.hhi);
  EXPECT_FALSE(f.wta);
  EXPECT_FALSE(f.price);
  EXPECT_FALSE(f.cf);
  EXPECT_NE(risk::DescribeGeoPolRiskGaps(f).find("WTA"), std::string::npos);
  // Production but no imports: WTA = 0, score 0, CF 0 whatever the (unknown) price.
  f = risk::ComputeGeoPolRisk(producers, {}, 5.0);
  EXPECT_EQ(f.wta, 0.0);
  EXPECT_FALSE(f.price);
  EXPECT_EQ(f.cf, 0.0);
  // World production all zero.
  const std::vector<double> zeros = {0, 0};
  EXPECT_FALSE(risk::ComputeGeoPolRisk(zeros, {}, 0.0).hhi);
}

TEST(GeoPolRiskCore, RejectsImpossibleInputs) {
  const std::vector<double> negative = {-1};
  EXPECT_THROW(risk::ComputeGeoPolRisk(negative, {}, 0.0), lodestone::Error);
  const std::vector<GprImport> bad_g = {{1.0, 1.0, 1.5, false}};
  EXPECT_THROW(risk::ComputeGeoPolRisk({}, bad_g, 0.0), lodestone::Error);
  EXPECT_THROW(risk::ComputeGeoPolRisk({}, {}, -3.0), lodestone::Error);
}

// ---------------------------------------------------------------------------------------------
// Files: formats and bad input.

TEST(GeoPolRiskFiles, HsCodeListsAggregate) {
  Files files("Graphite,China,156,CHN,10,100,metr. t,r\nGraphite,Canada,124,CAN,10,20,metr. t,r\n",
              "2022,156,842,Graphite,250410,10,5,0.6,3\n"
              "2022,124,842,Graphite,250490,30,10,0.3,3\n"
              "2022,156,842,Graphite,250410;250490,20,5,0.6,3\n",
              kSmallWgi);
  const auto r = files.Run("USA");
  ASSERT_EQ(r.rows.size(), 1U);
  const auto& f = r.rows[0].figures;
  EXPECT_EQ(r.rows[0].hs_codes, "250410;250490");
  EXPECT_DOUBLE_EQ(f.total_trade, 20.0);
  EXPECT_DOUBLE_EQ(f.numerator, 5 * 0.6 + 10 * 0.3 + 5 * 0.6);
  EXPECT_DOUBLE_EQ(*f.price, 60.0 / 20.0);
  EXPECT_DOUBLE_EQ(*f.hhi, (100.0 * 100 + 20 * 20) / (120.0 * 120));
}

TEST(GeoPolRiskFiles, RegionMembersAddProductionAndTradeWithGZero) {
  Files files(
      "Cobalt,Canada,124,CAN,1,40,metr. t,r\nCobalt,USA,842,USA,1,10,metr. t,r\n"
      "Cobalt,China,156,CHN,1,50,metr. t,r\n",
      "2022,124,842,Cobalt,260500,10,20,0.3,6\n"    // CAN -> USA: inside the region
      "2022,156,842,Cobalt,260500,10,30,0.6,18\n"   // CHN -> USA
      "2022,156,124,Cobalt,260500,10,10,0.6,6\n"    // CHN -> CAN
      "2022,842,124,Cobalt,260500,10,5,0.5,2.5\n",  // USA -> CAN: inside
      kSmallWgi);
  const auto region = files.Run("USA+CAN");
  const auto& f = region.rows[0].figures;
  EXPECT_EQ(region.importer_codes, (std::vector<int>{842, 124}));
  EXPECT_DOUBLE_EQ(f.domestic_production, 50.0);
  EXPECT_DOUBLE_EQ(f.total_trade, 65.0);
  EXPECT_DOUBLE_EQ(f.numerator, 30 * 0.6 + 10 * 0.6);
  EXPECT_DOUBLE_EQ(*f.wta, 24.0 / 115.0);
  // The USA alone: imports from Canada weighted by Canada's g.
  const auto usa = files.Run("USA");
  EXPECT_DOUBLE_EQ(usa.rows[0].figures.numerator, 20 * 0.3 + 30 * 0.6);
  EXPECT_DOUBLE_EQ(usa.rows[0].figures.domestic_production, 10.0);
}

TEST(GeoPolRiskFiles, AlphaCodesMissingFiguresAndUnits) {
  Files files(
      "Gold,China,156,CHN,5000,6000,kg,r\nGold,USA,842,USA,,,kg,r\n"
      "Lithium,Chile,152,CHL,10,,metr. t,r\n",
      "2022,CHN,USA,Gold,710812,100,1,,\n"       // alpha codes; g from the WGI file (0.6)
      "2022,CAN,842,Gold,710812,NA,2,0.3,0.6\n"  // value missing: 0
      "2022,152,842,Lithium,253090,5,,0.4,\n",   // quantity missing: 0 t
      kSmallWgi);
  const auto r = files.Run("USA");
  ASSERT_EQ(r.rows.size(), 2U);
  const auto& gold = r.rows[0].figures;
  EXPECT_DOUBLE_EQ(gold.numerator, 1 * 0.6 + 2 * 0.3);
  EXPECT_EQ(gold.imputed_g, 0U);
  EXPECT_EQ(gold.missing_value, 1U);
  EXPECT_TRUE(gold.domestic_production_missing);  // the USA row has no figure
  EXPECT_DOUBLE_EQ(*gold.wta, 1.2 / 3.0);
  EXPECT_DOUBLE_EQ(*gold.hhi, 1.0);         // China only (the empty USA figure counts as 0)
  const auto& lithium = r.rows[1].figures;  // 2022 production missing, no quantity imported
  EXPECT_FALSE(lithium.hhi);
  EXPECT_FALSE(lithium.wta);
  EXPECT_EQ(lithium.missing_quantity, 1U);
  EXPECT_FALSE(risk::DescribeGeoPolRiskGaps(lithium).empty());
  // Domestic production given in kg is converted to tonnes.
  Files kg("Gold,China,156,CHN,5000,6000,kg,r\nGold,USA,842,USA,1000,2000,kg,r\n",
           "2022,156,842,Gold,710812,100,2,0.6,1.2\n", kSmallWgi);
  EXPECT_DOUBLE_EQ(kg.Run("USA").rows[0].figures.domestic_production, 2.0);
  EXPECT_DOUBLE_EQ(*kg.Run("USA").rows[0].figures.wta, 1.2 / 4.0);
}

TEST(GeoPolRiskFiles, TotalRowsAndOtherYearsAndImportersIgnored) {
  Files files(
      "Tin,China,156,CHN,10,10,metr. t,r\nTin,Chile,152,CHL,10,30,metr. t,r\n"
      "Tin,Total,DELETE,DELETE,20,40,metr. t,\n",
      "2021,156,842,Tin,8001,10,100,0.6,60\n"
      "2022,156,124,Tin,8001,10,100,0.6,60\n"
      "2022,152,842,Tin,8001,10,10,0.4,4\n"
      "2022,152,842,Copper,7403,10,10,0.4,4\n",  // no production figures for copper
      kSmallWgi);
  const auto run = files.Run("USA");
  ASSERT_EQ(run.rows.size(), 2U);
  const auto& f = run.rows[0].figures;
  EXPECT_DOUBLE_EQ(*f.hhi, (100.0 + 900.0) / 1600.0);
  EXPECT_DOUBLE_EQ(f.total_trade, 10.0);
  EXPECT_EQ(f.producers, 2U);
  const auto& copper = run.rows[1];
  EXPECT_EQ(copper.material, "Copper");
  EXPECT_FALSE(copper.figures.hhi);
  EXPECT_FALSE(copper.figures.cf);
  EXPECT_DOUBLE_EQ(*copper.figures.wta, 0.4);
  EXPECT_NE(risk::DescribeGeoPolRiskGaps(copper.figures).find("no production figures"), std::string::npos);
}

TEST(GeoPolRiskBadInput, MissingColumn) {
  Files files("Tin,China,156,CHN,10,10,metr. t,r\n", "", kSmallWgi);
  lodestone::testing::WriteFile(files.trade, "Year,Exporting Country,rawMaterial\n2022,156,Tin\n");
  ExpectProblemAt([&] { files.Run("USA"); }, files.trade, 1, 0, "missing column 'Importing Country'");
}

TEST(GeoPolRiskBadInput, BadCellsReportedWithLineAndColumn) {
  Files files("Tin,China,156,CHN,10,ten,metr. t,r\nTin,Chile,152,CHL,10,-3,metr. t,r\n",
              "2022,156,842,Tin,8001,10,abc,0.6,60\n"
              "2022,156,842,Tin,8001,-10,1,0.6,60\n"
              "2022,156,842,Tin,8001,10,1,1.7,60\n"
              "2022,XYZ,842,Tin,8001,10,1,0.6,60\n"
              "2022,156,842,Tin,80x1,10,1,0.6,60\n"
              "20x2,156,842,Tin,8001,10,1,0.6,60\n"
              "2022,156,842,,8001,10,1,0.6,60\n"
              "2022,156,842,Tin,8001,10\n",
              kSmallWgi + "Peru,PER,604.0,0.5,2.0\n");
  const auto run = [&] { files.Run("USA"); };
  ExpectProblemAt(run, files.production, 2, 6, "not a number");
  ExpectProblemAt(run, files.production, 3, 6, "negative production");
  ExpectProblemAt(run, files.trade, 2, 7, "not a number");
  ExpectProblemAt(run, files.trade, 3, 6, "negative trade value");
  ExpectProblemAt(run, files.trade, 4, 8, "outside 0..1");
  ExpectProblemAt(run, files.trade, 5, 2, "exporter 'XYZ'");
  ExpectProblemAt(run, files.trade, 6, 5, "HS code '80x1'");
  ExpectProblemAt(run, files.trade, 7, 1, "not a year");
  ExpectProblemAt(run, files.trade, 8, 4, "empty raw material");
  ExpectProblemAt(run, files.trade, 9, 0, "fields");
  ExpectProblemAt(run, files.wgi, 6, 5, "outside 0..1");
}

TEST(GeoPolRiskBadInput, DuplicateProductionRowAndEmptyFile) {
  Files files("Tin,China,156,CHN,10,10,metr. t,r\nTin,China,156,CHN,1,1,metr. t,r\n",
              "2022,156,842,Tin,8001,10,1,0.6,0.6\n", kSmallWgi);
  ExpectProblemAt([&] { files.Run("USA"); }, files.production, 3, 3, "second row");
  lodestone::testing::WriteFile(files.wgi, "");
  ExpectProblemAt([&] { files.Run("USA"); }, files.wgi, 1, 0, "empty file");
}

TEST(GeoPolRiskBadInput, UnknownImporterAndYear) {
  Files files("Tin,China,156,CHN,10,10,metr. t,r\n", "2022,156,842,Tin,8001,10,1,0.6,0.6\n", kSmallWgi);
  // The importer and the year are the caller's request: InvalidRequest.
  auto expect_request_error = [&](const std::function<void()>& body, const std::string& words) {
    try {
      body();
      ADD_FAILURE() << "no error for " << words;
    } catch (const lodestone::Error& e) {
      EXPECT_EQ(e.kind(), lodestone::ErrorKind::InvalidRequest) << e.what();
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  expect_request_error([&] { files.Run("XYZ"); }, "unknown importer 'XYZ'");
  expect_request_error([&] { files.Run("USA+"); }, "malformed");
  expect_request_error([&] { files.Run("U$A"); }, "unknown importer 'U$A'");
  expect_request_error([&] { files.Run("USA", 2023); }, "year 2023");
  EXPECT_THROW(risk::GeoPolRiskFromFiles(files.dir / "absent.csv", files.trade, files.wgi, "USA", 2022),
               lodestone::Error);
}

// ---------------------------------------------------------------------------------------------
// The sweep against the per-result path, and properties.

namespace {

// Random tables: `nc` countries, `nm` materials, years 2020-2022, some missing figures.
risk::GeoPolRiskTables RandomTables(int nc, int nm) {
  risk::GeoPolRiskTables t;
  for (int c = 0; c < nc; ++c) {
    t.countries.push_back(100 + c);
    t.country_iso3.emplace_back();
  }
  for (int m = 0; m < nm; ++m) {
    t.materials.push_back("m" + std::to_string(m));
    t.material_hs.emplace_back();
  }
  t.production_years = {2020, 2021, 2022};
  auto quantity = [] { return *rc::gen::inRange(0, 10) == 0 ? kNaN : static_cast<double>(*rc::gen::inRange(0, 1000)); };
  for (int m = 0; m < nm; ++m) {
    for (int c = 0; c < nc; ++c) {
      if (!*rc::gen::arbitrary<bool>()) continue;
      for (int y = 2020; y <= 2022; ++y) {
        t.production.push_back({static_cast<std::uint32_t>(m), static_cast<std::uint32_t>(c), y, quantity()});
      }
    }
  }
  const int rows = *rc::gen::inRange(0, 60);
  for (int i = 0; i < rows; ++i) {
    risk::GprTradeRow r;
    r.material = static_cast<std::uint32_t>(*rc::gen::inRange(0, nm));
    r.exporter = static_cast<std::uint32_t>(*rc::gen::inRange(0, nc));
    r.importer = static_cast<std::uint32_t>(*rc::gen::inRange(0, nc));
    r.year = *rc::gen::inRange(2019, 2023);
    r.quantity_t = quantity();
    r.value_kusd = quantity();
    r.g = *rc::gen::inRange(0, 8) == 0 ? kNaN : *rc::gen::inRange(0, 101) / 100.0;
    t.trade.push_back(r);
  }
  return t;
}

bool SameOptional(const std::optional<double>& a, const std::optional<double>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || std::abs(*a - *b) <= 1e-12 * std::max(1.0, std::abs(*b));
}

}  // namespace

RC_GTEST_PROP(GeoPolRiskProperty, SweepEqualsPerResultComputation, ()) {
  const int nc = *rc::gen::inRange(1, 6);
  const int nm = *rc::gen::inRange(1, 4);
  const auto t = RandomTables(nc, nm);
  risk::GeoPolRiskSweepRequest req;
  for (int c = 0; c < nc; ++c) req.importers.push_back({"c", {static_cast<std::uint32_t>(c)}});
  if (nc >= 2) req.importers.push_back({"region", {0, 1}});
  for (int m = 0; m < nm; ++m) req.materials.push_back(static_cast<std::uint32_t>(m));
  req.years = {2022, 2020};
  const auto sweep = risk::SweepGeoPolRisk(t, req);
  for (std::size_t s = 0; s < req.importers.size(); ++s) {
    const auto& members = req.importers[s].members;
    auto member = [&](std::uint32_t c) { return std::find(members.begin(), members.end(), c) != members.end(); };
    for (std::size_t m = 0; m < req.materials.size(); ++m) {
      for (std::size_t y = 0; y < req.years.size(); ++y) {
        std::vector<double> producers;
        double domestic = 0;
        bool domestic_missing = false;
        for (const auto& p : t.production) {
          if (p.material != req.materials[m] || p.year != req.years[y]) continue;
          producers.push_back(p.quantity_t);
          if (member(p.country)) {
            if (std::isnan(p.quantity_t)) {
              domestic_missing = true;
            } else {
              domestic += p.quantity_t;
            }
          }
        }
        std::vector<GprImport> imports;
        for (const auto& r : t.trade) {
          if (r.material != req.materials[m] || r.year != req.years[y] || !member(r.importer)) continue;
          imports.push_back({r.quantity_t, r.value_kusd, r.g, member(r.exporter)});
        }
        const auto expected = risk::ComputeGeoPolRisk(producers, imports, domestic);
        const auto& got = sweep.At(s, m, y);
        RC_ASSERT(SameOptional(got.hhi, expected.hhi));
        RC_ASSERT(SameOptional(got.wta, expected.wta));
        RC_ASSERT(SameOptional(got.score, expected.score));
        RC_ASSERT(SameOptional(got.price, expected.price));
        RC_ASSERT(SameOptional(got.cf, expected.cf));
        RC_ASSERT(got.domestic_production == expected.domestic_production);
        RC_ASSERT(got.domestic_production_missing == domestic_missing);
        RC_ASSERT(got.imputed_g == expected.imputed_g);
      }
    }
  }
}

namespace {

std::vector<GprImport> RandomImports() {
  const int n = *rc::gen::inRange(0, 8);
  std::vector<GprImport> out;
  for (int i = 0; i < n; ++i) {
    out.push_back({static_cast<double>(*rc::gen::inRange(0, 100000)) / 7.0,
                   static_cast<double>(*rc::gen::inRange(0, 100000)) / 3.0,
                   *rc::gen::inRange(0, 6) == 0 ? kNaN : *rc::gen::inRange(0, 1001) / 1000.0,
                   *rc::gen::inRange(0, 5) == 0});
  }
  return out;
}

std::vector<double> RandomProducers() {
  const int n = *rc::gen::inRange(0, 6);
  std::vector<double> out;
  for (int i = 0; i < n; ++i) out.push_back(static_cast<double>(*rc::gen::inRange(0, 1000000)));
  return out;
}

}  // namespace

RC_GTEST_PROP(GeoPolRiskProperty, WtaAndScoreLieInZeroOne, ()) {
  const auto producers = RandomProducers();
  const auto imports = RandomImports();
  const double domestic = *rc::gen::inRange(0, 3) == 0 ? 0.0 : *rc::gen::inRange(0, 50000) / 3.0;
  const auto f = risk::ComputeGeoPolRisk(producers, imports, domestic);
  if (f.wta) RC_ASSERT(*f.wta >= 0.0 && *f.wta <= 1.0 + 1e-12);
  if (f.hhi) RC_ASSERT(*f.hhi > 0.0 && *f.hhi <= 1.0 + 1e-12);
  if (f.score) RC_ASSERT(*f.score >= 0.0 && *f.score <= 1.0 + 1e-12);
  if (f.cf && f.price)
    RC_ASSERT(std::abs(*f.cf - *f.score * *f.price / risk::kGeoPolRiskCopperMidpoint) <= 1e-9 * (1 + *f.cf));
}

RC_GTEST_PROP(GeoPolRiskProperty, WtaNonDecreasingInAPartnersG, ()) {
  const auto producers = RandomProducers();
  auto imports = RandomImports();
  RC_PRE(!imports.empty());
  const double domestic = *rc::gen::inRange(0, 50000) / 3.0;
  const auto before = risk::ComputeGeoPolRisk(producers, imports, domestic);
  RC_PRE(before.wta.has_value());
  auto& row = imports[static_cast<std::size_t>(*rc::gen::inRange(0, static_cast<int>(imports.size())))];
  const double g = std::isnan(row.g) ? risk::kGeoPolRiskMissingG : row.g;
  row.g = g + (1.0 - g) * (*rc::gen::inRange(0, 101) / 100.0);  // raise it toward 1
  const auto after = risk::ComputeGeoPolRisk(producers, imports, domestic);
  RC_ASSERT(*after.wta >= *before.wta - 1e-15);
  if (before.score) RC_ASSERT(*after.score >= *before.score - 1e-15);
}
