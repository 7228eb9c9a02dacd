// The project store's guarantees, run against each backend the build has: SQLite always, and
// PostgreSQL in the test_store_postgres binary (a private server started by the ctest fixture
// pg_cluster_start; its URL is in the file named by $LODESTONE_TEST_PG_URL_FILE). Migration and
// reopening, exact round trips of the shipped projects, the optimistic check, all-or-nothing
// writes, the audit log refusing UPDATE/DELETE in the database, copies between stores with their
// history, and two connections editing one project at once without losing an edit.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "invest/test_registry_fixtures.hpp"
#include "lodestone/store/registry_store.hpp"
#include "lodestone/store/sqlite_project_store.hpp"
#ifdef LODESTONE_TEST_BACKEND_POSTGRES
#include <pqxx/pqxx>

#include "lodestone/store/postgres_project_store.hpp"
#endif

using namespace lodestone;
using namespace lodestone::invest;
using namespace lodestone::invest::testing;
namespace fs = std::filesystem;

namespace {

std::string CurrentTestTag() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string tag = std::string(info->test_suite_name()) + "_" + info->name();
  for (auto& c : tag) c = std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
  return tag;
}

// A fresh, empty SQLite store's URL.
std::string FreshSqliteUrl(const std::string& name) { return "sqlite:" + TempDb(name).string(); }

#ifdef LODESTONE_TEST_BACKEND_POSTGRES
// The test cluster's URL; the tests fail (never skip) when it is not there.
std::string ServerUrl() {
  const char* file = std::getenv("LODESTONE_TEST_PG_URL_FILE");
  if (!file || !*file) {
    ADD_FAILURE() << "LODESTONE_TEST_PG_URL_FILE is not set: run through ctest, whose fixture pg_cluster_start "
                     "starts the server (scripts/pg-test-cluster.sh)";
    return {};
  }
  std::ifstream in(file);
  std::string url;
  std::getline(in, url);
  if (url.empty()) ADD_FAILURE() << "no server URL in " << file << ": did pg_cluster_start fail?";
  return url;
}

// A fresh, empty PostgreSQL store's URL: its own schema in the test database, so tests running
// at once do not see each other.
std::string FreshPostgresUrl(const std::string& name) {
  const auto base = ServerUrl();
  if (base.empty()) return {};
  // PostgreSQL cuts names at 63 bytes: a hash of the test's name keeps them short and distinct.
  const std::string schema = fmt::format("t{:016x}_{}", std::hash<std::string>{}(name), getpid());
  pqxx::connection conn(base);
  pqxx::work tx(conn);
  tx.exec(fmt::format("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}", schema));
  tx.commit();
  return fmt::format("{}{}options=-c%20search_path%3D{}", base, base.find('?') == std::string::npos ? "?" : "&",
                     schema);
}
#endif

// The backend under test: "sqlite" or "postgresql".
std::string FreshUrl(const std::string& backend, const std::string& name) {
#ifdef LODESTONE_TEST_BACKEND_POSTGRES
  if (backend == "postgresql") return FreshPostgresUrl(name);
#endif
  return FreshSqliteUrl(name);
}

// Runs SQL outside the registry, on the store's own database.
void RawSql(store::RegistryStore& s, const std::string& sql) {
  if (auto* lite = dynamic_cast<store::SqliteProjectStore*>(&s)) {
    lite->database().Exec(sql);
    return;
  }
#ifdef LODESTONE_TEST_BACKEND_POSTGRES
  if (auto* pg = dynamic_cast<store::PostgresProjectStore*>(&s)) {
    pg->ExecRaw(sql);
    return;
  }
#endif
  FAIL() << "unknown store";
}

std::vector<Project> ShippedProjects() {
  const fs::path dir = fs::path(LODESTONE_SOURCE_DIR) / "data/projects";
  auto rows = LoadProjectsCsvOrThrow(dir / "projects.csv", dir / "capital_stack.csv", Codes());
  std::sort(rows.begin(), rows.end(), [](const Project& a, const Project& b) { return a.id < b.id; });
  return rows;
}

void ExpectSameAudit(const std::vector<AuditEntry>& a, const std::vector<AuditEntry>& b, bool same_ids) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (same_ids) EXPECT_EQ(a[i].id, b[i].id) << i;
    EXPECT_EQ(a[i].at, b[i].at) << i;
    EXPECT_EQ(a[i].actor, b[i].actor) << i;
    EXPECT_EQ(a[i].action, b[i].action) << i;
    EXPECT_EQ(a[i].project_id, b[i].project_id) << i;
    EXPECT_EQ(a[i].field, b[i].field) << i;
    EXPECT_EQ(a[i].old_value, b[i].old_value) << i;
    EXPECT_EQ(a[i].new_value, b[i].new_value) << i;
    EXPECT_EQ(a[i].reason, b[i].reason) << i;
  }
}

void ExpectSameDump(const store::RegistryDump& a, const store::RegistryDump& b, bool same_audit_ids) {
  ASSERT_EQ(a.projects.size(), b.projects.size());
  for (std::size_t i = 0; i < a.projects.size(); ++i) {
    EXPECT_EQ(a.projects[i].project, b.projects[i].project) << a.projects[i].project.id;
    EXPECT_EQ(a.projects[i].created_at, b.projects[i].created_at);
    EXPECT_EQ(a.projects[i].updated_at, b.projects[i].updated_at);
  }
  ExpectSameAudit(a.audit, b.audit, same_audit_ids);
}

class ProjectStores : public ::testing::TestWithParam<std::string> {
 protected:
  std::string Fresh(const std::string& suffix = "") { return FreshUrl(GetParam(), CurrentTestTag() + suffix); }
};

}  // namespace

TEST_P(ProjectStores, OpensMigratedAndReopensWithoutChange) {
  const auto url = Fresh();
  ASSERT_FALSE(url.empty());
  auto s = store::OpenProjectStore(url);
  EXPECT_EQ(s->Backend(), GetParam());
  EXPECT_EQ(s->SchemaVersion(), store::Migrations().back().version);
  EXPECT_EQ(s->Count(), 0u);
  Registry(*s, Codes()).Import({MakeProject("kept")}, "importer");
  auto again = store::OpenProjectStore(url);  // nothing to apply a second time
  EXPECT_EQ(again->SchemaVersion(), store::Migrations().back().version);
  EXPECT_EQ(again->Count(), 1u);
}

TEST_P(ProjectStores, NewerSchemaThanKnownIsRefused) {
  const auto url = Fresh();
  ASSERT_FALSE(url.empty());
  {
    auto s = store::OpenProjectStore(url);
    RawSql(*s, "INSERT INTO schema_version VALUES (99, 'from the future', 'x')");
  }
  try {
    store::OpenProjectStore(url);
    FAIL() << "a schema from the future was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Storage);
    EXPECT_NE(std::string(e.what()).find("schema version 99 is newer"), std::string::npos) << e.what();
  }
}

TEST_P(ProjectStores, ShippedProjectsRoundTripExactly) {
  const auto url = Fresh();
  ASSERT_FALSE(url.empty());
  auto s = store::OpenProjectStore(url);
  Registry reg(*s, Codes());
  const auto rows = ShippedProjects();
  ASSERT_GE(rows.size(), 10u);
  auto summary = reg.Import(rows, "importer", {});
  EXPECT_EQ(summary.inserted, rows.size());
  EXPECT_EQ(s->Count(), rows.size());
  EXPECT_EQ(reg.All(), rows);  // every field, missing figures as missing, capital stacks in order
  for (const auto& p : rows) EXPECT_EQ(*s->Get(p.id), p) << p.id;
  EXPECT_EQ(ProjectsCsv(reg.All()), ProjectsCsv(rows));
  EXPECT_EQ(StackCsv(reg.All()), StackCsv(rows));

  // Numbers that need all 17 digits come back as the same double.
  auto odd = MakeProject("odd_numbers");
  odd.capacity_t = model::Value::Of(0.1 + 0.2);
  odd.capex_musd = model::Value::Of(123456789.12345679);
  odd.esg_score = model::Value::Of(1.0 / 3.0);
  odd.opex_musd_per_year = model::Value::Of(5e-324);
  reg.Add(odd, "adder");
  EXPECT_EQ(*s->Get("odd_numbers"), odd);

  ProjectFilter f;
  f.mineral = rows.front().mineral;
  const auto some = s->List(f);
  EXPECT_FALSE(some.empty());
  for (const auto& p : some) EXPECT_EQ(p.mineral, f.mineral);
  EXPECT_EQ(some.size(), static_cast<std::size_t>(std::count_if(
                             rows.begin(), rows.end(), [&](const Project& p) { return p.mineral == f.mineral; })) +
                             (odd.mineral == f.mineral ? 1 : 0));
}

TEST_P(ProjectStores, StaleUpdateIsAConflictAndChangesNothing) {
  const auto url = Fresh();
  ASSERT_FALSE(url.empty());
  auto s = store::OpenProjectStore(url);
  Registry reg(*s, Codes());
  reg.Import({MakeProject("proj")}, "importer");
  const auto stale = *s->Get("proj");
  reg.Edit("proj", "status", "paused", "editor");
  auto next = stale;
  next.name = "Renamed";
  EXPECT_EQ(KindOf([&] { s->Write([&](ProjectWrite& w) { w.Update(stale, next, "2026-01-01T00:00:00.000Z"); }); }),
            ErrorKind::Conflict);
  EXPECT_EQ(s->Get("proj")->name, stale.name);
  EXPECT_EQ(s->Get("proj")->status, Status::Paused);
  EXPECT_EQ(KindOf([&] { s->Write([&](ProjectWrite& w) { w.Insert(stale, "2026-01-01T00:00:00.000Z"); }); }),
            ErrorKind::Conflict);
  EXPECT_EQ(KindOf([&] { s->Write([&](ProjectWrite& w) { w.Remove("nope"); }); }), ErrorKind::NotFound);
}

TEST_P(ProjectStores, FailedWriteLeavesNothingBehind) {
  const auto url = Fresh();
  ASSERT_FALSE(url.empty());
  auto s = store::OpenProjectStore(url);
  Registry reg(*s, Codes());
  reg.Import({MakeProject("first")}, "importer");
  const auto history = s->History("first").size();
  ImportOptions fail;
  fail.on_written = [](std::size_t n) {
    if (n == 2) throw Error::Storage("disk full");
  };
  auto changed = MakeProject("first", 2000);
  EXPECT_EQ(KindOf([&] {
              reg.Import({changed, MakeProject("second"), MakeProject("third")}, "importer", fail);
            }),
            ErrorKind::Storage);
  EXPECT_EQ(s->Count(), 1u);
  EXPECT_EQ(s->Get("first")->capacity_t.number, 1000);
  EXPECT_EQ(s->History("first").size(), history);
  EXPECT_TRUE(s->History("second").empty());
  // A broken rule of the schema inside a write is a Conflict, and rolls the write back.
  auto bad = MakeProject("fourth");
  bad.id = "Not Valid";
  EXPECT_EQ(KindOf([&] {
              s->Write([&](ProjectWrite& w) {
                w.Insert(MakeProject("fifth"), "2026-01-01T00:00:00.000Z");
                w.Insert(bad, "2026-01-01T00:00:00.000Z");
              });
            }),
            ErrorKind::Conflict);
  EXPECT_FALSE(s->Get("fifth").has_value());
}

TEST_P(ProjectStores, AuditLogRefusesUpdateAndDeleteInTheDatabase) {
  const auto url = Fresh();
  ASSERT_FALSE(url.empty());
  auto s = store::OpenProjectStore(url);
  Registry reg(*s, Codes());
  reg.Import({MakeProject("proj")}, "importer");
  reg.Remove("proj", "remover", "withdrawn");
  const auto before = s->History("proj");
  ASSERT_FALSE(before.empty());
  for (const char* sql : {"UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log",
                          "DELETE FROM audit_log WHERE action = 'delete'"}) {
    try {
      RawSql(*s, sql);
      ADD_FAILURE() << "accepted: " << sql;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("audit_log is append-only"), std::string::npos) << e.what();
    }
  }
  if (GetParam() == "postgresql") {
    EXPECT_THROW(RawSql(*s, "TRUNCATE audit_log"), Error);
  }
  ExpectSameAudit(s->History("proj"), before, true);
}

// Confidential terms are stored exactly, edited with the registry's audit and copied with the
// rest of a registry (db copy).
TEST_P(ProjectStores, ConfidentialTermsRoundTripAndAreCopied) {
  const auto url = Fresh();
  const auto to_url = Fresh("_to");
  ASSERT_FALSE(url.empty());
  auto s = store::OpenProjectStore(url);
  Registry reg(*s, Codes());
  reg.Import(ShippedProjects(), "importer", {});
  auto p = MakeProject("with_terms");
  auto& c = p.confidential;
  c.owner = "USA";
  c.committed_musd = model::Value::Of(0.1 + 0.2);
  c.instrument = "loan";
  c.rate_pct = model::Value::Missing(model::ValueStatus::Unknown);
  c.tenor_years = model::Value::Of(12);
  c.offtake = "JPN:0.6;USA:0.2";
  c.notes = "notes, with \"quotes\"";
  reg.Add(p, "us-analyst");
  EXPECT_EQ(*s->Get("with_terms"), p);
  EXPECT_EQ(reg.Edit("with_terms", {{"financing_rate_pct", "4.25"}, {"offtake", "JPN:0.5"}}, "us-analyst"), 2u);
  p.confidential.rate_pct = model::Value::Of(4.25);
  p.confidential.offtake = "JPN:0.5";
  EXPECT_EQ(*s->Get("with_terms"), p);
  const auto listed = s->List({});
  EXPECT_EQ(std::count(listed.begin(), listed.end(), p), 1);
  // The database refuses what the registry would refuse.
  EXPECT_THROW(RawSql(*s, "UPDATE projects SET financing_rate_pct = 101 WHERE id = 'with_terms'"), Error);
  store::CopyRegistry(url, to_url, false);
  EXPECT_EQ(*store::OpenProjectStore(to_url)->Get("with_terms"), p);
}

TEST_P(ProjectStores, CopyMovesProjectsDatesAndAuditWithTheirIds) {
  const auto from_url = Fresh("_from");
  const auto to_url = Fresh("_to");
  ASSERT_FALSE(from_url.empty());
  {
    auto from = store::OpenProjectStore(from_url);
    Registry reg(*from, Codes());
    reg.Import(ShippedProjects(), "importer", {});
    const auto id = ShippedProjects().front().id;
    reg.Edit(id, "status", "paused", "editor", "funding gap");
    reg.Remove(ShippedProjects().back().id, "remover", "withdrawn");
  }
  auto r = store::CopyRegistry(from_url, to_url, false);
  auto from = store::OpenProjectStore(from_url);
  auto to = store::OpenProjectStore(to_url);
  EXPECT_EQ(r.projects, from->Count());
  EXPECT_EQ(r.audit_rows, from->Export().audit.size());
  EXPECT_EQ(r.schema_version, store::Migrations().back().version);
  ExpectSameDump(to->Export(), from->Export(), true);

  // The copy continues the log after the copied ids.
  const auto last = from->Export().audit.back().id;
  Registry(*to, Codes()).Edit(ShippedProjects().front().id, "status", "active", "editor");
  EXPECT_GT(to->Export().audit.back().id, last);

  // A non-empty target is refused, unchanged; --force replaces projects and appends the log.
  const auto target = to->Export();
  EXPECT_EQ(KindOf([&] { store::CopyRegistry(from_url, to_url, false); }), ErrorKind::Conflict);
  ExpectSameDump(to->Export(), target, true);
  store::CopyRegistry(from_url, to_url, true);
  const auto forced = to->Export();
  EXPECT_EQ(forced.audit.size(), target.audit.size() + from->Export().audit.size());
  for (std::size_t i = 0; i < forced.projects.size(); ++i) {
    EXPECT_EQ(forced.projects[i].project, from->Export().projects[i].project);
  }
  // Nothing copies onto itself; a missing SQLite source is not created.
  EXPECT_EQ(KindOf([&] { store::CopyRegistry(from_url, from_url, true); }), ErrorKind::InvalidRequest);
  EXPECT_EQ(KindOf([&] { store::CopyRegistry("sqlite:" + (TempDir() / "absent.db").string(), to_url, true); }),
            ErrorKind::NotFound);
  EXPECT_FALSE(fs::exists(TempDir() / "absent.db"));
}

// Two connections edit the same project at once, each a different field, many times: every edit
// is kept and logged.
TEST_P(ProjectStores, TwoWritersOnOneProjectLoseNoEdit) {
  const auto url = Fresh();
  ASSERT_FALSE(url.empty());
  {
    auto s = store::OpenProjectStore(url);
    Registry(*s, Codes()).Import({MakeProject("shared")}, "importer");
  }
  const auto before = store::OpenProjectStore(url)->History("shared").size();
  constexpr int kEdits = 25;
  std::atomic<int> failures{0};
  auto analyst = [&](const std::string& field, const std::string& who) {
    try {
      auto s = store::OpenProjectStore(url);  // a connection of its own
      Registry reg(*s, Codes());
      for (int i = 0; i < kEdits; ++i) reg.Edit("shared", field, fmt::format("{} edit {}", who, i), who);
    } catch (const std::exception& e) {
      ++failures;
      ADD_FAILURE() << who << ": " << e.what();
    }
  };
  std::thread a(analyst, "esg_notes", "alice");
  std::thread b(analyst, "assumptions", "bob");
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0);
  auto s = store::OpenProjectStore(url);
  const auto p = *s->Get("shared");
  EXPECT_EQ(p.esg_notes, fmt::format("alice edit {}", kEdits - 1));
  EXPECT_EQ(p.assumptions, fmt::format("bob edit {}", kEdits - 1));
  EXPECT_EQ(s->History("shared").size(), before + 2 * kEdits);
}

// While one writer holds its transaction open, a second writer's edit of the same project waits
// and is applied on top of the first one's committed change, never on the older row.
TEST_P(ProjectStores, SecondWriterWaitsAndBuildsOnTheFirstWritersCommit) {
  const auto url = Fresh();
  ASSERT_FALSE(url.empty());
  auto first = store::OpenProjectStore(url);
  Registry(*first, Codes()).Import({MakeProject("shared")}, "importer");
  auto second = store::OpenProjectStore(url);
  Registry second_reg(*second, Codes());

  std::atomic<bool> second_started{false};
  std::atomic<bool> second_done{false};
  std::thread other;
  first->Write([&](ProjectWrite& w) {
    auto before = *w.Load("shared");
    auto after = before;
    after.esg_notes = "first writer";
    w.Update(before, after, "2026-01-01T00:00:00.000Z");
    other = std::thread([&] {
      second_started = true;
      try {
        second_reg.Edit("shared", "assumptions", "second writer", "bob");
      } catch (const std::exception& e) {
        ADD_FAILURE() << "second writer: " << e.what();
      }
      second_done = true;
    });
    while (!second_started) std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_FALSE(second_done.load()) << "the second writer did not wait for the first one's transaction";
  });
  other.join();
  const auto p = *first->Get("shared");
  EXPECT_EQ(p.esg_notes, "first writer");
  EXPECT_EQ(p.assumptions, "second writer");
}

INSTANTIATE_TEST_SUITE_P(Backends, ProjectStores,
#ifdef LODESTONE_TEST_BACKEND_POSTGRES
                         ::testing::Values(std::string("postgresql")),
#else
                         ::testing::Values(std::string("sqlite")),
#endif
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

#ifndef LODESTONE_TEST_BACKEND_POSTGRES
// A registry written by the previous version of the schema (2: no confidential terms) is
// upgraded in place when opened: every project, capital line and audit row is kept, and the
// new fields start empty.
TEST(SqliteStore, MigratingAVersion2RegistryKeepsEveryRow) {
  const auto current = TempDb("migrate_v2_source");
  const auto old = TempDb("migrate_v2_old");
  store::RegistryDump before;
  {
    auto s = store::SqliteProjectStore::Open(current);
    Registry reg(*s, Codes());
    reg.Import(ShippedProjects(), "importer", {});
    reg.Edit(ShippedProjects().front().id, "status", "paused", "editor", "funding gap");
    reg.Remove(ShippedProjects().back().id, "remover", "withdrawn");
    before = s->Export();
  }
  {
    // The old registry: made by migrations 1 and 2 only, filled with the same rows.
    const std::vector<store::Migration> v2(store::Migrations().begin(), store::Migrations().begin() + 2);
    auto db = store::Database::Open(old, v2);
    ASSERT_EQ(db.SchemaVersion(), 2);
    db.Exec(fmt::format("ATTACH DATABASE '{}' AS cur", current.string()));
    db.Exec(
        "INSERT INTO projects SELECT id, name, mineral, stage, country, capacity_t, capacity_t_status, "
        "capacity_basis, capex_musd, capex_musd_status, opex_musd_per_year, opex_musd_per_year_status, first_output, "
        "development_stage, status, sponsors, esg_score, esg_score_status, esg_notes, source, url, assumptions, "
        "created_at, updated_at FROM cur.projects;"
        "INSERT INTO capital_stack SELECT * FROM cur.capital_stack;"
        "INSERT INTO audit_log SELECT * FROM cur.audit_log;");
    db.Exec("DETACH DATABASE cur");
  }
  auto upgraded = store::SqliteProjectStore::Open(old);
  EXPECT_EQ(upgraded->SchemaVersion(), store::Migrations().back().version);
  ExpectSameDump(upgraded->Export(), before, true);
  for (const auto& sp : upgraded->Export().projects) EXPECT_EQ(sp.project.confidential, ConfidentialTerms{});
  // The upgraded registry takes confidential terms.
  Registry reg(*upgraded, Codes());
  const auto id = ShippedProjects().front().id;
  EXPECT_EQ(reg.Edit(id, {{"confidential_owner", "JPN"}, {"partner_notes", "kept"}}, "editor"), 2u);
  EXPECT_EQ(reg.Get(id)->confidential.notes, "kept");
}

TEST(StoreUrls, SchemesChooseTheBackend) {
  EXPECT_TRUE(store::IsPostgresUrl("postgresql://u@h/db"));
  EXPECT_TRUE(store::IsPostgresUrl("postgres://h/db"));
  EXPECT_FALSE(store::IsPostgresUrl("sqlite:x.db"));
  EXPECT_FALSE(store::IsPostgresUrl("postgresql.db"));
  EXPECT_EQ(store::SqlitePath("sqlite:reg.db"), fs::path("reg.db"));
  EXPECT_EQ(store::SqlitePath("sqlite:///abs/reg.db"), fs::path("/abs/reg.db"));
  EXPECT_EQ(store::SqlitePath("plain/reg.db"), fs::path("plain/reg.db"));
  EXPECT_EQ(KindOf([] { store::OpenProjectStore("mysql://h/db"); }), ErrorKind::InvalidRequest);
  EXPECT_EQ(KindOf([] { store::OpenProjectStore("sqlite:"); }), ErrorKind::InvalidRequest);
  EXPECT_EQ(KindOf([] { store::OpenProjectStore(""); }), ErrorKind::InvalidRequest);
  auto s = store::OpenProjectStore(FreshSqliteUrl("url_sqlite"));
  EXPECT_EQ(s->Backend(), "sqlite");
  if (!store::PostgresSupported()) {
    // A build without libpqxx names what is missing instead of treating the URL as a file name.
    EXPECT_EQ(KindOf([] { store::OpenProjectStore("postgresql://h/db"); }), ErrorKind::InvalidRequest);
    EXPECT_FALSE(fs::exists("postgresql:"));
  }
}

TEST(StoreUrls, PasswordsNeverShown) {
  EXPECT_EQ(store::RedactUrl("postgresql://ana:s3cret@db.example:5432/reg"),
            "postgresql://ana:***@db.example:5432/reg");
  EXPECT_EQ(store::RedactUrl("postgresql://ana@db/reg?password=s3cret&sslmode=require"),
            "postgresql://ana@db/reg?password=***&sslmode=require");
  EXPECT_EQ(store::RedactUrl("postgresql://db/reg"), "postgresql://db/reg");
  EXPECT_EQ(store::RedactUrl("reg.db"), "reg.db");
}
#endif

#ifdef LODESTONE_TEST_BACKEND_POSTGRES
TEST(PostgresStore, MigrationsMatchSqliteVersionByVersion) {
  const auto& lite = store::Migrations();
  const auto& pg = store::PostgresMigrations();
  ASSERT_EQ(lite.size(), pg.size());
  for (std::size_t i = 0; i < lite.size(); ++i) {
    EXPECT_EQ(lite[i].version, pg[i].version);
    EXPECT_EQ(lite[i].description, pg[i].description);
  }
}

TEST(PostgresStore, UnreachableServerIsAStorageErrorWithoutThePassword) {
  try {
    store::OpenProjectStore("postgresql://ana:s3cret@/nodb?host=/nonexistent_socket_dir&port=1&connect_timeout=2");
    FAIL() << "connected to nothing";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Storage);
    const std::string what = e.what();
    EXPECT_NE(what.find("cannot connect to PostgreSQL"), std::string::npos) << what;
    EXPECT_EQ(what.find("s3cret"), std::string::npos) << what;
  }
}

// A copy between the two backends, both ways, keeps every byte of the registry.
TEST(PostgresStore, CopiesToAndFromSqliteWithHistory) {
  const auto lite = FreshSqliteUrl("cross_from");
  {
    auto s = store::OpenProjectStore(lite);
    Registry reg(*s, Codes());
    reg.Import(ShippedProjects(), "importer", {});
    reg.Edit(ShippedProjects().front().id, "capex_musd", "NA", "editor", "withdrawn estimate");
  }
  const auto pg = FreshPostgresUrl("cross_to");
  ASSERT_FALSE(pg.empty());
  store::CopyRegistry(lite, pg, false);
  const auto back = FreshSqliteUrl("cross_back");
  store::CopyRegistry(pg, back, false);
  const auto original = store::OpenProjectStore(lite)->Export();
  ExpectSameDump(store::OpenProjectStore(pg)->Export(), original, true);
  ExpectSameDump(store::OpenProjectStore(back)->Export(), original, true);
}
#endif
