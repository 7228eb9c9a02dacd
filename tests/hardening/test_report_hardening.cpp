// The Markdown dossier escapes data-derived text; report files are never written through a link
// planted in the output folder.
#include <gtest/gtest.h>

#include "data/test_fixtures.hpp"
#include "lodestone/data/loader.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/report/dossier.hpp"

namespace lodestone::report {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

TEST(ReportHardening, MarkdownEscapesHtmlAndMarkdownFromTheData) {
  TempDir tmp;
  const fs::path mini = fs::path(LODESTONE_TEST_DATA_DIR) / "mini";
  for (const auto& e : fs::directory_iterator(mini)) fs::copy_file(e.path(), tmp / e.path().filename().string());
  std::string countries = ReadFile(tmp / "countries.csv");
  countries.replace(countries.find(",Australia,"), 11, ",Austr<img src=x onerror=alert(1)>alia [go](http://evil),");
  WriteFile(tmp / "countries.csv", countries);
  auto ds = data::LoadDatasetOrThrow(tmp.path());
  DossierRequest req;
  req.mineral = "lithium";
  req.registry_supplied = false;
  auto d = BuildDossier(ds, nullptr, {}, {}, req);
  ASSERT_NE(d.markdown.find("alia"), std::string::npos) << d.markdown;
  EXPECT_EQ(d.markdown.find("<img"), std::string::npos) << d.markdown;
  EXPECT_EQ(d.markdown.find("[go](http://evil)"), std::string::npos) << d.markdown;
  EXPECT_NE(d.markdown.find("Austr&lt;img src=x onerror=alert(1)&gt;alia \\[go\\](http://evil)"), std::string::npos)
      << d.markdown;
}

TEST(ReportHardening, WriteDossierDoesNotFollowAPlantedLink) {
  TempDir tmp;
  WriteFile(tmp / "victim", "precious");
  fs::create_directories(tmp / "out");
  fs::create_symlink(tmp / "victim", tmp / "out" / "cobalt.md");
  Dossier d;
  d.mineral = "cobalt";
  d.html = "<html></html>";
  d.markdown = "# cobalt";
  EXPECT_THROW(WriteDossier(d, tmp / "out"), Error);
  EXPECT_EQ(ReadFile(tmp / "victim"), "precious");
}

}  // namespace
}  // namespace lodestone::report
