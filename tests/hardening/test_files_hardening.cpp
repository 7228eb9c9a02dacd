// File safety: writes never follow planted links, dataset targets that are links are refused,
// and what a killed import leaves behind is recovered or removed on the next run.
#include <gtest/gtest.h>

#include <unistd.h>

#include "data/test_fixtures.hpp"
#include "lodestone/data/safe_write.hpp"
#include "lodestone/model/error.hpp"

namespace lodestone::data {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

TEST(FilesHardening, WriteRefusesAPlantedSymlinkAndLeavesItsTargetAlone) {
  TempDir tmp;
  WriteFile(tmp / "victim.txt", "precious");
  fs::create_directories(tmp / "out");
  fs::create_symlink(tmp / "victim.txt", tmp / "out" / "cobalt.md");
  try {
    WriteFileAtomic(tmp / "out" / "cobalt.md", "report");
    FAIL() << "expected a refusal";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidRequest);
    EXPECT_NE(std::string(e.what()).find("symbolic link"), std::string::npos) << e.what();
  }
  EXPECT_EQ(ReadFile(tmp / "victim.txt"), "precious");
}

TEST(FilesHardening, WriteReplacesARegularFileWholeAndLeavesNoTemporary) {
  TempDir tmp;
  WriteFile(tmp / "a.md", "old");
  WriteFileAtomic(tmp / "a.md", "new content");
  EXPECT_EQ(ReadFile(tmp / "a.md"), "new content");
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(tmp.path())) ++n;
  EXPECT_EQ(n, 1u);
}

TEST(FilesHardening, WriteRefusesAFifo) {
  TempDir tmp;
  ASSERT_EQ(::mkfifo((tmp / "p.md").c_str(), 0600), 0);
  EXPECT_THROW(WriteFileAtomic(tmp / "p.md", "x"), Error);
}

TEST(FilesHardening, DatasetTargetThatIsALinkOrAFileOrDotIsRefusedClearly) {
  TempDir tmp;
  fs::create_directories(tmp / "real");
  fs::create_directory_symlink(tmp / "real", tmp / "link");
  WriteFile(tmp / "file", "x");
  auto message = [](const fs::path& p) {
    try {
      CheckDatasetTarget(p);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::InvalidRequest);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message(tmp / "link").find("is a symbolic link"), std::string::npos);
  EXPECT_NE(message(tmp / "file").find("is a file, not a folder"), std::string::npos);
  EXPECT_NE(message(".").find("not '.' or '..'"), std::string::npos);
  EXPECT_EQ(message(tmp / "real"), "no error");
  EXPECT_EQ(message(tmp / "new"), "no error");
}

TEST(FilesHardening, KillBetweenTheTwoRenamesIsRecovered) {
  TempDir tmp;
  // The state after "rename dataset -> .dataset.old-X" and before "rename staging -> dataset".
  fs::create_directories(tmp / ".dataset.old-0000abcd");
  WriteFile(tmp / ".dataset.old-0000abcd" / "dataset.json", "old");
  fs::create_directories(tmp / ".dataset.new-1234abcd");
  WriteFile(tmp / ".dataset.new-1234abcd" / "dataset.json", "new");
  {
    DatasetLock lock(tmp / "dataset");
    EXPECT_EQ(RecoverDatasetDir(tmp / "dataset"), 2u);
  }
  EXPECT_EQ(ReadFile(tmp / "dataset" / "dataset.json"), "old");
  EXPECT_FALSE(fs::exists(tmp / ".dataset.old-0000abcd"));
  EXPECT_FALSE(fs::exists(tmp / ".dataset.new-1234abcd"));
}

TEST(FilesHardening, LeftoverStagingOfAKilledImportIsRemoved) {
  TempDir tmp;
  fs::create_directories(tmp / "dataset");
  WriteFile(tmp / "dataset" / "dataset.json", "current");
  fs::create_directories(tmp / ".dataset.new-00000001");
  fs::create_directories(tmp / ".dataset.old-00000002");
  fs::create_directories(tmp / ".other.new-00000003");  // another dataset's: not ours to touch
  {
    DatasetLock lock(tmp / "dataset");
    RecoverDatasetDir(tmp / "dataset");
  }
  EXPECT_EQ(ReadFile(tmp / "dataset" / "dataset.json"), "current");
  EXPECT_FALSE(fs::exists(tmp / ".dataset.new-00000001"));
  EXPECT_FALSE(fs::exists(tmp / ".dataset.old-00000002"));
  EXPECT_TRUE(fs::exists(tmp / ".other.new-00000003"));
}

}  // namespace
}  // namespace lodestone::data
