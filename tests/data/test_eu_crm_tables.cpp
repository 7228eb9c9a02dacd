// Tests: the reader of the EU CRM table of supply-risk inputs (data/eu_crm_tables), on small
// hand-written tables.
#include <gtest/gtest.h>

#include "data/test_fixtures.hpp"
#include "lodestone/data/eu_crm_tables.hpp"
#include "lodestone/model/error.hpp"

using namespace lodestone;

namespace {
bool AnyVariant(std::string_view text) { return text == "GS only" || text == "GS + EUS" || text == "EUS only"; }
}  // namespace

TEST(EuCrmTables, ReadsPlainRowsWithMissingCellsAndPercentSigns) {
  lodestone::testing::TempDir dir;
  lodestone::testing::WriteFile(
      dir / "t.csv",
      "Material,Stage,Supply_Data_Used,HHI_WGI_t_GS,HHI_WGI_t_EU27,IR_pct,EOL_RIR_pct,SI_SR,note\n"
      "Alpha, E ,GS only,2.5,N/A,-40%,12.5 %,0.9,x\n"
      "\n"
      "Beta,P,GS + EUS,n.a.,1,80,,1,\n");
  const auto t = data::ReadEuSrInputTable(dir / "t.csv", AnyVariant);
  ASSERT_EQ(t.rows.size(), 2u);
  const auto& a = t.rows[0];
  EXPECT_EQ(a.line, 2u);
  EXPECT_EQ(a.material, "Alpha");
  EXPECT_EQ(a.stage, "E");
  EXPECT_EQ(a.supply_data_used, "GS only");
  EXPECT_EQ(a.hhi_gs, 2.5);
  EXPECT_FALSE(a.hhi_sourcing);
  EXPECT_EQ(a.ir_pct, -40.0);
  EXPECT_EQ(a.eol_rir_pct, 12.5);
  EXPECT_EQ(a.si_sr, 0.9);
  EXPECT_FALSE(a.sr_published);
  const auto& b = t.rows[1];
  EXPECT_EQ(b.line, 4u);
  EXPECT_FALSE(b.hhi_gs);
  EXPECT_EQ(b.hhi_sourcing, 1.0);
  EXPECT_FALSE(b.eol_rir_pct);
}

TEST(EuCrmTables, ProblemsInFileOrderAndAMissingFile) {
  lodestone::testing::TempDir dir;
  lodestone::testing::WriteFile(dir / "bad.csv",
                                "material,stage,supply_data_used,HHI_WGI_t_GS,HHI_WGI_t_EU28,IR_pct,EOL_RIR_pct,SI_SR\n"
                                "A,E,GS only,1.x,1,2,3,0.9\n"
                                "B,E,GS sometimes,1,1,2,3,0.9\n"
                                ",E,GS only,1,1,2,130,1.5\n");
  try {
    data::ReadEuSrInputTable(dir / "bad.csv", AnyVariant);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidData);
    const auto& items = e.diagnostics().Items();
    ASSERT_EQ(items.size(), 5u) << e.diagnostics().Format();
    const std::pair<std::size_t, std::size_t> at[] = {{2, 4}, {3, 3}, {4, 1}, {4, 7}, {4, 8}};
    for (std::size_t i = 0; i < 5; ++i) {
      EXPECT_EQ(items[i].line, at[i].first) << i;
      EXPECT_EQ(items[i].column, at[i].second) << i;
    }
  }
  try {
    data::ReadEuSrInputTable(dir / "absent.csv", AnyVariant);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::NotFound);
  }
}

TEST(EuCrmTables, ParamsRowsAndTheirProblems) {
  lodestone::testing::TempDir dir;
  lodestone::testing::WriteFile(dir / "p.csv",
                                "Material,Stage,IR_pct,EOL_RIR_pct,SI_SR,supply_data_used\n"
                                "Cobalt,E,86%,22,0.91,GS only\n"
                                "Cobalt,processing,N/A,,1,GS + EUS\n"
                                "Cobalt,Extraction,80,10,0.9,GS only\n"
                                "Tin,X,80,10,0.9,GS only\n"
                                "Tin,P,80,ten,0.9,GS twice\n");
  model::Diagnostics diags;
  const auto rows = data::ReadEuSrParams(dir / "p.csv", AnyVariant, diags);
  ASSERT_EQ(rows.size(), 2u) << diags.Format();
  EXPECT_EQ(rows[0].material, "Cobalt");
  EXPECT_EQ(rows[0].material_key, rows[1].material_key);
  EXPECT_EQ(rows[0].stage, data::Annex7Stage::Extraction);
  EXPECT_EQ(rows[0].ir_pct, 86.0);
  EXPECT_EQ(rows[0].eol_rir_pct, 22.0);
  EXPECT_EQ(rows[0].si_sr, 0.91);
  EXPECT_EQ(rows[1].stage, data::Annex7Stage::Processing);
  EXPECT_FALSE(rows[1].ir_pct);
  EXPECT_FALSE(rows[1].eol_rir_pct);
  // Line 4 repeats (Cobalt, Extraction); line 5 has an unknown stage; line 6 a bad variant and
  // a bad number.
  ASSERT_EQ(diags.ErrorCount(), 4u) << diags.Format();
  EXPECT_TRUE(lodestone::testing::HasError(diags, 4, 0, "given twice (first on line 2)"));
  EXPECT_TRUE(lodestone::testing::HasError(diags, 5, 2, "stage 'X'"));
  EXPECT_TRUE(lodestone::testing::HasError(diags, 6, 6, "supply_data_used 'GS twice'"));
  EXPECT_TRUE(lodestone::testing::HasError(diags, 6, 4, "eol_rir_pct 'ten'"));

  model::Diagnostics missing_column;
  lodestone::testing::WriteFile(dir / "q.csv", "material,stage,ir_pct\n");
  EXPECT_TRUE(data::ReadEuSrParams(dir / "q.csv", AnyVariant, missing_column).empty());
  EXPECT_TRUE(lodestone::testing::HasError(missing_column, 1, 0, "missing column 'eol_rir_pct'"));
  EXPECT_THROW(data::ReadEuSrParams(dir / "absent.csv", AnyVariant, missing_column), Error);
}
