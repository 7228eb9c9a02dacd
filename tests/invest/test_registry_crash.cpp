// Crash safety: a process killed with SIGKILL in the middle of an import transaction leaves a
// database that opens, passes PRAGMA integrity_check and holds the old state whole.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "test_registry_fixtures.hpp"

using namespace lodestone;
using namespace lodestone::invest;
using namespace lodestone::invest::testing;

namespace {

constexpr std::size_t kLargeImport = 6000;  // enough rows that SQLite spills pages to the WAL
constexpr std::size_t kKillAfter = 4000;

std::vector<Project> Batch(const std::string& prefix, std::size_t n, double capacity) {
  std::vector<Project> v;
  v.reserve(n);
  for (std::size_t i = 0; i < n; ++i) v.push_back(MakeProject(prefix + std::to_string(i), capacity));
  return v;
}

}  // namespace

TEST(RegistryCrash, SigkillMidImportLeavesOldStateWhole) {
  auto path = TempDb("crash");
  const std::vector<Project> old_state = Batch("old_", 50, 1);
  {
    auto db = store::Database::Open(path);
    store::SqliteProjectStore reg_store(db);
    Registry reg(reg_store, Codes());
    reg.Import(old_state, "setup");
  }
  const auto codes = Codes();  // loaded before fork: the child must not read files it shares

  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(ready[0]);
    // The child updates every old project and adds many new ones in one transaction; after
    // kKillAfter rows it tells the parent, which kills it while the transaction is open.
    auto db = store::Database::Open(path);
    store::SqliteProjectStore reg_store(db);
    Registry reg(reg_store, codes);
    auto rows = Batch("old_", 50, 999);
    auto more = Batch("new_", kLargeImport, 5);
    rows.insert(rows.end(), more.begin(), more.end());
    ImportOptions options;
    options.on_written = [&](std::size_t n) {
      if (n == kKillAfter) {
        char byte = 1;
        if (write(ready[1], &byte, 1) != 1) _exit(3);
        for (;;) pause();  // wait for SIGKILL with the transaction open
      }
    };
    reg.Import(rows, "child", options);
    _exit(2);  // not reached when the parent kills in time
  }
  close(ready[1]);
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1) << "child did not reach the middle of its import";
  close(ready[0]);
  // Uncommitted pages have reached the WAL file: the kill lands on a half-written transaction.
  EXPECT_GT(std::filesystem::file_size(path.string() + "-wal"), 0u);
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);

  auto db = store::Database::Open(path);
  EXPECT_EQ(db.IntegrityCheck(), "ok");
  store::SqliteProjectStore reg_store(db);
  Registry reg(reg_store, Codes());
  auto all = reg.All();
  auto expected = old_state;
  std::sort(expected.begin(), expected.end(), [](const Project& a, const Project& b) { return a.id < b.id; });
  EXPECT_EQ(all, expected);  // the old state, whole: no new row, no updated capacity
  EXPECT_EQ(Scalar(db, "SELECT count(*) FROM projects WHERE id LIKE 'new_%'"), 0);
  EXPECT_EQ(Scalar(db, "SELECT count(*) FROM audit_log WHERE actor = 'child'"), 0);
  EXPECT_EQ(Scalar(db, "SELECT count(*) FROM capital_stack"), static_cast<std::int64_t>(old_state.size() * 2));

  // The database stays writable: the same import now completes, and holds the new state whole.
  auto rows = Batch("old_", 50, 999);
  auto s = reg.Import(rows, "after");
  EXPECT_EQ(s.updated, 50u);
  EXPECT_EQ(Scalar(db, "SELECT count(*) FROM projects WHERE capacity_t = 999"), 50);
}
