// Numeric inputs of the simulator's and the outlook's tables: NaN, infinity and out-of-range
// values are rejected with file:line:column by the one reader of those tables (data::NamedTable).
#include <gtest/gtest.h>

#include <fstream>

#include "data/test_fixtures.hpp"
#include "lodestone/data/loader.hpp"
#include "lodestone/data/named_table.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/model/value.hpp"
#include "lodestone/outlook/data.hpp"
#include "lodestone/sim/inputs.hpp"

namespace lodestone {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::WriteFile;

const fs::path kRoot = LODESTONE_SOURCE_DIR;

// A copy of `from` in `dir`, with `before` replaced by `after` in `file`.
void CopyWithEdit(const fs::path& from, const fs::path& dir, const std::string& file, const std::string& before,
                  const std::string& after) {
  for (const auto& e : fs::directory_iterator(from)) fs::copy_file(e.path(), dir / e.path().filename());
  std::string text = testing::ReadFile(dir / file);
  auto p = text.find(before);
  ASSERT_NE(p, std::string::npos) << before;
  text.replace(p, before.size(), after);
  WriteFile(dir / file, text);
}

template <class F>
std::string ErrorOf(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.diagnostics().Format();
  }
  ADD_FAILURE() << "expected an error";
  return "";
}

const model::Dataset& Starter() {
  static const model::Dataset ds = data::LoadDatasetOrThrow(kRoot / "data/starter");
  return ds;
}

TEST(InputsHardening, ParseDoubleRejectsNanAndInfinity) {
  double x = 0;
  EXPECT_FALSE(model::ParseDouble("nan", x));
  EXPECT_FALSE(model::ParseDouble("NaN", x));
  EXPECT_FALSE(model::ParseDouble("inf", x));
  EXPECT_FALSE(model::ParseDouble("-infinity", x));
  EXPECT_TRUE(model::ParseDouble("1e308", x));
  EXPECT_TRUE(model::ParseDouble("-2.5", x));
}

TEST(InputsHardening, NanInTheOutlookRecyclingTableIsRejected) {
  TempDir dir;
  CopyWithEdit(kRoot / "data/outlook", dir.path(), "recycling.csv", "0.013853", "nan");
  auto msg = ErrorOf([&] { outlook::LoadOutlookData(dir.path(), Starter()); });
  EXPECT_NE(msg.find("recycling.csv:2:4: error: share 'nan': expected a number from 0 to 0.99"), std::string::npos)
      << msg;
}

TEST(InputsHardening, NanInTheOutlookPipelineStagesIsRejected) {
  TempDir dir;
  CopyWithEdit(kRoot / "data/outlook", dir.path(), "pipeline_stages.csv", "operating,1.0,0", "operating,NaN,0");
  auto msg = ErrorOf([&] { outlook::LoadOutlookData(dir.path(), Starter()); });
  EXPECT_NE(msg.find("pipeline_stages.csv:2:2: error: probability 'NaN'"), std::string::npos) << msg;
}

TEST(InputsHardening, RefineryHeadroomOutOfRangeIsRejected) {
  for (const char* bad : {"-1e308", "-0.5", "11", "inf"}) {
    TempDir dir;
    CopyWithEdit(kRoot / "data/sim", dir.path(), "parameters.csv", "refinery_headroom,0.10,",
                 std::string("refinery_headroom,") + bad + ",");
    auto msg = ErrorOf([&] { sim::LoadSimInputs(dir.path(), Starter()); });
    EXPECT_NE(msg.find("parameters.csv:2:2: error:"), std::string::npos) << bad << "\n" << msg;
  }
}

TEST(InputsHardening, YearFarBeyondTheCalendarIsRejectedNotCast) {
  // 1.11111e+79 once reached a cast to int before the range check (undefined behaviour).
  for (const char* bad : {"1.11111e+79", "-3e9", "2025.5", "1899"}) {
    TempDir dir;
    CopyWithEdit(kRoot / "data/outlook", dir.path(), "parameters.csv", "base_year,2025,",
                 std::string("base_year,") + bad + ",");
    auto msg = ErrorOf([&] { outlook::LoadOutlookData(dir.path(), Starter()); });
    EXPECT_NE(msg.find("parameters.csv:2:2: error: value '" + std::string(bad) + "': expected a year (YYYY)"),
              std::string::npos)
        << bad << "\n"
        << msg;
  }
}

TEST(InputsHardening, DuplicateHeaderColumnIsRejected) {
  TempDir dir;
  WriteFile(dir / "t.csv", "key,value,value\na,1,2\n");
  model::Diagnostics diags;
  data::ReadNamedTable(dir / "t.csv", {"key", "value"}, diags);
  EXPECT_TRUE(testing::HasError(diags, 1, 3, "column 'value' appears twice")) << diags.Format();
}

}  // namespace
}  // namespace lodestone
