// The embedded database: creation and migration from an empty file, pragmas, the schema-version
// guard, and WAL snapshots for readers while a writer holds a transaction.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "lodestone/model/error.hpp"
#include "lodestone/store/database.hpp"

namespace fs = std::filesystem;
using lodestone::Error;
using lodestone::ErrorKind;
using lodestone::store::Database;
using lodestone::store::Migration;
using lodestone::store::Transaction;

namespace {

fs::path TempDb(const std::string& name) {
  auto dir = fs::temp_directory_path() / "lodestone_test_store";
  fs::create_directories(dir);
  auto p = dir / (name + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(p.string() + suffix);
  return p;
}

std::int64_t Scalar(Database& db, const std::string& sql) {
  auto st = db.Prepare(sql);
  EXPECT_TRUE(st.Step());
  return st.Int(0);
}

}  // namespace

TEST(Database, CreatesAndMigratesAnEmptyFile) {
  auto path = TempDb("create");
  {
    std::ofstream touch(path);  // an empty file is a valid empty SQLite database
  }
  auto db = Database::Open(path);
  EXPECT_EQ(db.SchemaVersion(), lodestone::store::Migrations().back().version);
  EXPECT_EQ(Scalar(db, "SELECT count(*) FROM schema_version"),
            static_cast<std::int64_t>(lodestone::store::Migrations().size()));
  for (const char* table : {"projects", "capital_stack", "audit_log"}) {
    EXPECT_EQ(Scalar(db, std::string("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='") + table + "'"),
              1)
        << table;
  }
  EXPECT_EQ(db.JournalMode(), "wal");
  EXPECT_TRUE(db.ForeignKeysOn());
  EXPECT_EQ(db.IntegrityCheck(), "ok");
}

TEST(Database, MigratesStepByStepAndOnlyOnce) {
  auto path = TempDb("steps");
  std::vector<Migration> v1 = {{1, "t", "CREATE TABLE t(x INTEGER)"}};
  {
    auto db = Database::Open(path, v1);
    EXPECT_EQ(db.SchemaVersion(), 1);
    db.Exec("INSERT INTO t VALUES (7)");
  }
  auto v2 = v1;
  v2.push_back({2, "column y", "ALTER TABLE t ADD COLUMN y TEXT DEFAULT 'new'"});
  auto db = Database::Open(path, v2);
  EXPECT_EQ(db.SchemaVersion(), 2);
  auto st = db.Prepare("SELECT x, y FROM t");
  ASSERT_TRUE(st.Step());
  EXPECT_EQ(st.Int(0), 7);  // data kept across the migration
  EXPECT_EQ(st.Text(1), "new");
  // Re-opening applies nothing again (a second ALTER would fail).
  EXPECT_NO_THROW(Database::Open(path, v2));
}

TEST(Database, FailedMigrationIsRolledBackWhole) {
  auto path = TempDb("failed");
  std::vector<Migration> bad = {{1, "two statements, second fails", "CREATE TABLE a(x); CREATE TABLE a(y);"}};
  EXPECT_THROW(Database::Open(path, bad), Error);
  std::vector<Migration> none;
  auto db = Database::Open(path, none);
  EXPECT_EQ(db.SchemaVersion(), 0);
  EXPECT_EQ(Scalar(db, "SELECT count(*) FROM sqlite_master WHERE name='a'"), 0);
}

TEST(Database, NewerSchemaThanKnownIsAnError) {
  auto path = TempDb("newer");
  {
    auto db = Database::Open(path);
    db.Exec("INSERT INTO schema_version VALUES (99, 'from the future', 'x')");
  }
  try {
    Database::Open(path);
    FAIL() << "expected a storage error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Storage);
    EXPECT_NE(std::string(e.what()).find("schema version 99 is newer"), std::string::npos) << e.what();
  }
}

TEST(Database, NotADatabaseIsAClearError) {
  auto path = TempDb("garbage");
  {
    std::ofstream out(path);
    out << "this is a text file, not a database, and it is long enough to have a header";
  }
  try {
    Database::Open(path);
    FAIL() << "expected a storage error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Storage);
    EXPECT_NE(std::string(e.what()).find("not a"), std::string::npos) << e.what();
  }
}

TEST(Database, TransactionRollsBackUnlessCommitted) {
  auto path = TempDb("tx");
  auto db = Database::Open(path, {{1, "t", "CREATE TABLE t(x INTEGER)"}});
  {
    Transaction tx(db);
    db.Exec("INSERT INTO t VALUES (1)");
  }
  EXPECT_EQ(Scalar(db, "SELECT count(*) FROM t"), 0);
  {
    Transaction tx(db);
    db.Exec("INSERT INTO t VALUES (2)");
    tx.Commit();
  }
  EXPECT_EQ(Scalar(db, "SELECT sum(x) FROM t"), 2);
}

TEST(Database, ReaderSeesConsistentSnapshotDuringOpenWrite) {
  auto path = TempDb("wal");
  auto writer = Database::Open(path, {{1, "t", "CREATE TABLE t(x INTEGER)"}});
  writer.Exec("INSERT INTO t VALUES (1), (2)");
  auto reader = Database::Open(path, {{1, "t", "CREATE TABLE t(x INTEGER)"}});
  {
    Transaction tx(writer);
    writer.Exec("INSERT INTO t VALUES (100); DELETE FROM t WHERE x = 1");
    // The write lock is held; in WAL mode the reader neither blocks nor sees half of it.
    EXPECT_EQ(Scalar(reader, "SELECT count(*) FROM t"), 2);
    EXPECT_EQ(Scalar(reader, "SELECT sum(x) FROM t"), 3);
    tx.Commit();
  }
  EXPECT_EQ(Scalar(reader, "SELECT sum(x) FROM t"), 102);
}

TEST(Database, BrokenUniquenessRuleIsAConflictOtherFailuresStorage) {
  auto path = TempDb("kinds");
  auto db = Database::Open(path, {{1, "t", "CREATE TABLE t(x INTEGER PRIMARY KEY)"}});
  db.Exec("INSERT INTO t VALUES (1)");
  try {
    db.Prepare("INSERT INTO t VALUES (1)").Run();
    FAIL() << "duplicate key accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Conflict) << e.what();
  }
  try {
    db.Exec("INSERT INTO no_such_table VALUES (1)");
    FAIL() << "unknown table accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Storage) << e.what();
  }
}
