// The GeoPolRisk sweep from published layouts (BACI t,i,j,k,v,q + country codes, World Mining Data
// production, WGI DataBank export, material -> HS6): a hand-computed case, independence from the
// number of threads, and bad input reported with file and line.
#include "lodestone/risk/geopolrisk_sweep.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "data/test_fixtures.hpp"
#include "lodestone/data/reference.hpp"
#include "lodestone/model/error.hpp"

namespace lodestone::risk {
namespace {

void Write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
}

struct Files {
  testing::TempDir dir;
  GeoPolRiskSweepFiles files;
  Files() {
    Write(dir / "codes.csv",
          "country_code,country_name,country_iso2,country_iso3\n842,USA,US,USA\n156,China,CN,CHN\n36,Australia,AU,"
          "AUS\n124,Canada,CA,CAN\n");
    // Widget 2022: CHN 60, AUS 30, USA 10 -> HHI = (3600 + 900 + 100) / 100^2 = 0.46.
    Write(dir / "production.csv",
          "rawMaterial,Country,Country_Code,Country_ISO,2021,2022,unit,data_source\n"
          "Widget,China,156,CHN,50,60,metr. t,r\nWidget,Australia,36,AUS,50,30,metr. t,r\n"
          "Widget,United States,842,USA,,10,metr. t,r\nWidget,Total,DELETE,DELETE,100,100,metr. t,r\n");
    // g = (2.5 - PV) / 5: CHN 0.6, AUS 0.3; CAN has no estimate (g = 0.5).
    Write(dir / "wgi.csv",
          "Country Name,Country Code,Series Name,Series Code,2021 [YR2021],2022 [YR2022]\n"
          "China,CHN,Political Stability and Absence of Violence/Terrorism: Estimate,PV.EST,-0.5,-0.5\n"
          "Australia,AUS,Political Stability and Absence of Violence/Terrorism: Estimate,PV.EST,1,1\n"
          "Canada,CAN,Political Stability and Absence of Violence/Terrorism: Estimate,PV.EST,..,..\n");
    Write(dir / "hs.csv", "material,hs6\nWidget,250410\nWidget,250490\n");
    Write(dir / "baci2021.csv", "t,i,j,k,v,q\n2021,156,842,250410,40,10\n2021,36,842,999999,5,5\n");
    Write(dir / "baci2022.csv",
          "t,i,j,k,v,q\n2022,156,842,250410,100,20\n2022,36,842,250490,50,10\n2022,124,842,250410,10,NA\n"
          "2022,156,36,250410,30,5\n2022,36,842,999999,7,1\n");
    files = {{dir / "baci2021.csv", dir / "baci2022.csv"},
             dir / "codes.csv",
             dir / "production.csv",
             dir / "wgi.csv",
             dir / "hs.csv"};
  }
};

const data::Reference& Ref() {
  static const auto ref = data::Reference::Load(testing::ReferenceDir());
  return ref;
}

TEST(GeoPolRiskSweepFiles, HandComputedFigures) {
  Files f;
  GeoPolRiskSweepOptions options;
  options.importers = {"USA", "36"};
  options.years = {2022};
  const auto run = SweepGeoPolRiskFiles(f.files, Ref(), options);
  ASSERT_EQ(run.result.figures.size(), 2U);
  const auto& usa = run.result.At(0, 0, 0);
  ASSERT_TRUE(usa.Complete());
  EXPECT_DOUBLE_EQ(*usa.hhi, 0.46);
  // numerator 0.6 * 20 + 0.3 * 10 + 0.5 * 0 (Canada: no quantity) = 15; F = 30; domestic 10.
  EXPECT_DOUBLE_EQ(usa.numerator, 15.0);
  EXPECT_DOUBLE_EQ(usa.total_trade, 30.0);
  EXPECT_DOUBLE_EQ(usa.domestic_production, 10.0);
  EXPECT_DOUBLE_EQ(*usa.wta, 15.0 / 40.0);
  EXPECT_DOUBLE_EQ(*usa.price, 160.0 / 30.0);
  EXPECT_DOUBLE_EQ(*usa.cf, 0.46 * 0.375 * (160.0 / 30.0) / kGeoPolRiskCopperMidpoint);
  EXPECT_EQ(usa.missing_quantity, 1U);
  EXPECT_EQ(usa.imputed_g, 1U);
  const auto& aus = run.result.At(1, 0, 0);
  EXPECT_DOUBLE_EQ(*aus.wta, 0.6 * 5 / 35.0);
  const auto csv = ToCsv(run);
  ASSERT_EQ(csv.rows.size(), 2U);
  EXPECT_EQ(csv.rows[0][0], "USA");
  EXPECT_EQ(csv.rows[0][3], "250410;250490");
  EXPECT_EQ(csv.rows[1][1], "36");
}

TEST(GeoPolRiskSweepFiles, EveryImporterAndYearByDefaultWhateverTheThreads) {
  Files f;
  GeoPolRiskSweepOptions one;
  one.threads = 1;
  GeoPolRiskSweepOptions two;
  two.threads = 2;
  const auto a = SweepGeoPolRiskFiles(f.files, Ref(), one);
  const auto b = SweepGeoPolRiskFiles(f.files, Ref(), two);
  EXPECT_EQ(a.request.importers.size(), 2U);  // USA and AUS import
  EXPECT_EQ(a.request.years, (std::vector<int>{2021, 2022}));
  EXPECT_EQ(ToCsv(a).rows, ToCsv(b).rows);
  // 2021: USA imports 10 t from China, g 0.6; its own production is missing (counted as 0).
  EXPECT_DOUBLE_EQ(*a.result.At(1, 0, 0).wta, 0.6);
  EXPECT_TRUE(a.result.At(1, 0, 0).domestic_production_missing);
}

TEST(GeoPolRiskSweepFiles, BadLineIsAnErrorWithFileLineAndColumn) {
  Files f;
  Write(f.dir / "baci2022.csv", "t,i,j,k,v,q\n2022,156,842,250410,100,20\n2022,xx,842,250410,1,1\n");
  try {
    SweepGeoPolRiskFiles(f.files, Ref());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidData);
    const auto& d = e.diagnostics().Items().front();
    EXPECT_EQ(d.file, (f.dir / "baci2022.csv").string());
    EXPECT_EQ(d.line, 3U);
    EXPECT_EQ(d.column, 2U);
  }
  f.files.wgi = f.dir / "none.csv";
  EXPECT_THROW(
      {
        try {
          SweepGeoPolRiskFiles(f.files, Ref());
        } catch (const Error& e) {
          EXPECT_EQ(e.kind(), ErrorKind::NotFound);
          throw;
        }
      },
      Error);
}

}  // namespace
}  // namespace lodestone::risk
