// The project registry: round trips, field validation with file:line:column, audit-log
// completeness and append-only enforcement, all-or-nothing imports, snapshots for readers, and
// the shipped sample registry.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>

#include "test_registry_fixtures.hpp"

namespace fs = std::filesystem;
using namespace lodestone;
using namespace lodestone::invest;
using namespace lodestone::invest::testing;

namespace {

std::string Joined(const model::Diagnostics& d) { return d.Format(); }

}  // namespace

TEST(Registry, ImportThenAllEqualsInput) {
  auto db = store::Database::Open(TempDb("roundtrip"));
  store::SqliteProjectStore reg_store(db);
  Registry reg(reg_store, Codes());
  std::vector<Project> in = {MakeProject("b_two", 5), MakeProject("a_one", 7.25)};
  in[1].esg_score = model::Value::Of(0.625);
  in[1].capex_musd = model::Value::Bound(40, model::ValueStatus::AtLeast);
  in[1].first_output = "";
  in[1].capital_stack.clear();
  auto s = reg.Import(in, "tester");
  EXPECT_EQ(s.inserted, 2u);
  auto all = reg.All();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], in[1]);  // ordered by id
  EXPECT_EQ(all[1], in[0]);
  EXPECT_EQ(reg.Get("a_one"), in[1]);
  EXPECT_FALSE(reg.Get("missing").has_value());
  // Missing stays missing in the database: NULL plus a status, never 0.
  EXPECT_EQ(Scalar(db, "SELECT count(*) FROM projects WHERE id='a_one' AND first_output IS NULL"), 1);
  EXPECT_EQ(Scalar(db,
                   "SELECT count(*) FROM projects WHERE opex_musd_per_year IS NULL AND "
                   "opex_musd_per_year_status='not_available'"),
            2);
  auto gallium_aus = reg.List({"gallium", "AUS", "refining"});
  EXPECT_EQ(gallium_aus.size(), 2u);
  EXPECT_TRUE(reg.List({"lithium", "", ""}).empty());
}

RC_GTEST_PROP(RegistryProperty, CsvExportImportAndDatabaseRoundTrip, ()) {
  const std::vector<std::string> minerals = {"lithium", "cobalt", "rare_earths", "gallium", "graphite", "nickel"};
  const std::vector<std::string> countries = {"USA", "JPN", "AUS", "CAN", "BRA", "MYS"};
  auto figure = [] {
    return rc::gen::oneOf(
        rc::gen::map(rc::gen::inRange(0, 100000000), [](int x) { return model::Value::Of(x / 64.0); }),
        rc::gen::just(model::Value::Missing(model::ValueStatus::NotAvailable)),
        rc::gen::just(model::Value::Missing(model::ValueStatus::Unknown)),
        rc::gen::map(rc::gen::inRange(0, 1000),
                     [](int x) { return model::Value::Bound(x, model::ValueStatus::AtLeast); }));
  };
  // One-line printable ASCII, including the CSV specials ',' and '"'.
  auto line_text = [] { return rc::gen::container<std::string>(rc::gen::inRange<char>(' ', '~')); };
  const int n = *rc::gen::inRange(1, 8);
  std::vector<Project> projects;
  for (int i = 0; i < n; ++i) {
    Project p;
    p.id = "p" + std::to_string(i) + "_" + std::to_string(*rc::gen::inRange(0, 999));
    p.name = "n" + *line_text();
    p.mineral = *rc::gen::elementOf(minerals);
    p.stage = static_cast<Stage>(*rc::gen::inRange(0, 7));
    p.country = *rc::gen::elementOf(countries);
    p.capacity_t = *figure();
    p.capacity_basis = *line_text();
    p.capex_musd = *figure();
    p.opex_musd_per_year = *figure();
    p.first_output = *rc::gen::element<std::string>("", "2026", "2031-12");
    p.development_stage = static_cast<DevelopmentStage>(*rc::gen::inRange(0, 6));
    p.status = static_cast<Status>(*rc::gen::inRange(0, 3));
    const int sponsors = *rc::gen::inRange(0, 3);
    for (int k = 0; k < sponsors; ++k) p.sponsors.push_back("S" + std::to_string(k) + "," + "\"q\"");
    p.esg_score =
        *rc::gen::oneOf(rc::gen::map(rc::gen::inRange(0, 1001), [](int x) { return model::Value::Of(x / 1000.0); }),
                        rc::gen::just(model::Value::Missing(model::ValueStatus::NotAvailable)));
    p.esg_notes = *line_text();
    p.source = *line_text();
    p.assumptions = *line_text();
    const int lines = *rc::gen::inRange(0, 4);
    for (int k = 0; k < lines; ++k) {
      CapitalLine l;
      l.instrument = static_cast<Instrument>(*rc::gen::inRange(0, 5));
      l.funder = static_cast<Funder>(*rc::gen::inRange(0, 4));
      l.amount_musd = *figure();
      l.closing_date = *rc::gen::element<std::string>("", "2026-04", "2026-04-28");
      l.note = *line_text();
      p.capital_stack.push_back(l);
    }
    projects.push_back(std::move(p));
  }
  // Unique ids.
  std::map<std::string, int> seen;
  for (const auto& p : projects) RC_PRE(++seen[p.id] == 1);
  for (const auto& p : projects) RC_ASSERT(CheckProject(p, Codes()).empty());

  // Export to the two CSV files and read them back.
  auto pf = TempFile("prop_projects.csv", ProjectsCsv(projects));
  auto sf = TempFile("prop_stack.csv", StackCsv(projects));
  auto load = LoadProjectsCsv(pf, sf, Codes());
  RC_ASSERT(!load.diagnostics.HasErrors());
  RC_ASSERT(load.projects == projects);

  // Through the database: import, then All() gives the same records (ordered by id).
  auto db = store::Database::Open(TempDb("prop"));
  store::SqliteProjectStore reg_store(db);
  Registry reg(reg_store, Codes());
  reg.Import(load.projects, "prop");
  auto sorted = projects;
  std::sort(sorted.begin(), sorted.end(), [](const Project& a, const Project& b) { return a.id < b.id; });
  RC_ASSERT(reg.All() == sorted);
  // Importing the same rows again changes nothing and logs nothing.
  auto again = reg.Import(load.projects, "prop");
  RC_ASSERT(again.unchanged == projects.size());
  RC_ASSERT(again.fields_changed == 0u);
}

TEST(Registry, CsvProblemsCarryFileLineAndColumn) {
  std::string header =
      "id,name,mineral,stage,country,capacity_t,capacity_basis,capex_musd,opex_musd_per_year,first_output,"
      "development_stage,status,sponsors,esg_score,esg_notes,source,url,assumptions\n";
  auto pf = TempFile("bad_projects.csv",
                     header +
                         "ok_one,Good,lithium,refining,USA,100,t,NA,NA,2027,construction,active,A;B,0.5,,src,,\n"
                         "bad_two,Bad,unobtainium,smelting,USX,-5,t,abc,NA,2027-13,building,active,,1.5,,src,,\n"
                         "ok_one,Dup,lithium,refining,USA,NA,t,NA,NA,NA,announced,active,,NA,,src,,\n");
  auto load = LoadProjectsCsv(pf, {}, Codes());
  auto text = Joined(load.diagnostics);
  const std::string f = pf.string();
  for (const auto& expect :
       {f + ":3:3: error: mineral 'unobtainium'", f + ":3:4: error: stage 'smelting'", f + ":3:5: error: country 'USX'",
        f + ":3:6: error: capacity_t '-5': negative", f + ":3:8: error: capex_musd 'abc'",
        f + ":3:10: error: first_output '2027-13'", f + ":3:11: error: development_stage 'building'",
        f + ":3:14: error: esg_score '1.5'", f + ":4:1: error: duplicate project id 'ok_one'"}) {
    EXPECT_NE(text.find(expect), std::string::npos) << "missing: " << expect << "\nin:\n" << text;
  }
  EXPECT_EQ(load.diagnostics.ErrorCount(), 9u);
  EXPECT_TRUE(load.projects.empty());  // any error: nothing to import

  auto sf = TempFile("bad_stack.csv",
                     "project,instrument,funder,amount_musd,closing_date,source,note\n"
                     "nobody,loan,us_public,10,2026-02-30,,\n");
  auto good =
      TempFile("good_projects.csv",
               header + "ok_one,Good,lithium,refining,USA,100,t,NA,NA,2027,construction,active,A;B,0.5,,src,,\n");
  auto load2 = LoadProjectsCsv(good, sf, Codes());
  auto text2 = Joined(load2.diagnostics);
  EXPECT_NE(text2.find(sf.string() + ":2:1: error: project 'nobody' is not in good_projects.csv"), std::string::npos)
      << text2;
  EXPECT_NE(text2.find(sf.string() + ":2:5: error: closing_date '2026-02-30'"), std::string::npos) << text2;
}

TEST(Registry, EditLogsEveryChangedFieldExactlyOnce) {
  auto db = store::Database::Open(TempDb("audit"));
  store::SqliteProjectStore reg_store(db);
  Registry reg(reg_store, Codes());
  auto p = MakeProject("proj");
  reg.Import({p}, "importer");
  auto history = reg.History("proj");
  // A new project: one row per audited field whose value is set (all 17 columns + capital_stack;
  // it has no confidential terms, and empty ones are not logged).
  ASSERT_EQ(history.size(), ProjectColumns().size() - 1 + 1);
  for (const auto& e : history) {
    EXPECT_EQ(e.action, "import");
    EXPECT_EQ(e.actor, "importer");
    EXPECT_FALSE(e.old_value.has_value());
    ASSERT_TRUE(e.new_value.has_value());
    EXPECT_EQ(*e.new_value, *GetField(p, *e.field));
  }

  reg.Edit("proj", {{"status", "paused"}, {"capex_musd", "NA"}, {"name", "Project proj"}}, "editor", "board decision");
  auto after_edit = reg.History("proj");
  std::vector<AuditEntry> edits(after_edit.begin() + static_cast<long>(history.size()), after_edit.end());
  ASSERT_EQ(edits.size(), 2u);  // name did not change, so it is not logged
  std::map<std::string, AuditEntry> by_field;
  for (const auto& e : edits) by_field[*e.field] = e;
  ASSERT_EQ(by_field.count("status"), 1u);
  EXPECT_EQ(by_field["status"].old_value, "active");
  EXPECT_EQ(by_field["status"].new_value, "paused");
  EXPECT_EQ(by_field["capex_musd"].old_value, "250.5");
  EXPECT_EQ(by_field["capex_musd"].new_value, "NA");
  EXPECT_EQ(by_field["status"].reason, "board decision");
  EXPECT_EQ(by_field["status"].action, "update");
  EXPECT_EQ(by_field["status"].at.size(), std::string("2026-01-01T00:00:00.000Z").size());

  // Re-import with two changed fields (one of them the capital stack): upsert, two audit rows.
  auto q = p;
  q.capacity_t = model::Value::Of(2000);
  q.capital_stack.pop_back();
  q.status = Status::Paused;
  q.capex_musd = model::Value::Missing(model::ValueStatus::NotAvailable);
  auto s = reg.Import({q}, "importer");
  EXPECT_EQ(s.updated, 1u);
  EXPECT_EQ(s.fields_changed, 2u);
  auto last = reg.History("proj");
  ASSERT_EQ(last.size(), after_edit.size() + 2);
  EXPECT_EQ(*last[last.size() - 2].field, "capacity_t");
  EXPECT_EQ(*last[last.size() - 2].old_value, "1000");
  EXPECT_EQ(*last[last.size() - 2].new_value, "2000");
  EXPECT_EQ(*last.back().field, "capital_stack");
  EXPECT_EQ(reg.Get("proj")->capital_stack.size(), 1u);

  // A bad edit changes nothing and logs nothing.
  EXPECT_EQ(KindOf([&] {
              reg.Edit("proj", {{"status", "paused"}, {"country", "XXX"}}, "editor");
            }),
            ErrorKind::InvalidData);
  EXPECT_EQ(KindOf([&] { reg.Edit("proj", "id", "other", "editor"); }), ErrorKind::InvalidData);
  EXPECT_EQ(KindOf([&] { reg.Edit("nope", "status", "active", "editor"); }), ErrorKind::NotFound);
  EXPECT_EQ(reg.History("proj").size(), last.size());

  reg.Remove("proj", "editor", "withdrawn");
  auto removed = reg.History("proj");
  EXPECT_EQ(removed.back().action, "delete");
  EXPECT_FALSE(reg.Get("proj").has_value());
  EXPECT_EQ(Scalar(db, "SELECT count(*) FROM capital_stack WHERE project='proj'"), 0);
}

TEST(Registry, AuditLogIsAppendOnly) {
  auto db = store::Database::Open(TempDb("append_only"));
  store::SqliteProjectStore reg_store(db);
  Registry reg(reg_store, Codes());
  reg.Add(MakeProject("proj"), "adder");
  auto before = Scalar(db, "SELECT count(*) FROM audit_log");
  ASSERT_GT(before, 0);
  try {
    db.Exec("UPDATE audit_log SET actor = 'someone else'");
    FAIL() << "UPDATE of audit_log succeeded";
  } catch (const Error& e) {
    EXPECT_TRUE(e.kind() == ErrorKind::Conflict || e.kind() == ErrorKind::Storage) << e.what();
    EXPECT_NE(std::string(e.what()).find("append-only"), std::string::npos) << e.what();
  }
  EXPECT_THROW(db.Exec("DELETE FROM audit_log"), Error);
  EXPECT_EQ(Scalar(db, "SELECT count(*) FROM audit_log"), before);
  EXPECT_EQ(Scalar(db, "SELECT count(*) FROM audit_log WHERE actor = 'adder' AND action = 'insert'"), before);
  EXPECT_EQ(KindOf([&] { reg.Add(MakeProject("proj"), "adder"); }), ErrorKind::Conflict);  // exists already
}

TEST(Registry, FailedImportLeavesDatabaseUnchanged) {
  auto path = TempDb("rollback");
  auto db = store::Database::Open(path);
  store::SqliteProjectStore reg_store(db);
  Registry reg(reg_store, Codes());
  reg.Import({MakeProject("keep_a"), MakeProject("keep_b")}, "first");
  db.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const auto bytes = FileBytes(path);
  const auto rows = reg.All();
  const auto audit = Scalar(db, "SELECT count(*) FROM audit_log");

  // 1. A batch with one invalid row is rejected before anything is written.
  auto bad = MakeProject("new_c");
  bad.country = "ZZZ";
  std::vector<Project> batch = {MakeProject("keep_a", 1), MakeProject("new_b"), bad};
  EXPECT_EQ(KindOf([&] { reg.Import(batch, "second"); }), ErrorKind::InvalidData);

  // 2. A failure half-way through the write (after rows were written) rolls everything back.
  std::vector<Project> valid = {MakeProject("keep_a", 1), MakeProject("new_b"), MakeProject("new_c")};
  ImportOptions fail_midway;
  fail_midway.on_written = [](std::size_t n) {
    if (n == 2) throw std::runtime_error("disk full");
  };
  EXPECT_THROW(reg.Import(valid, "second", fail_midway), std::runtime_error);

  // 3. A CSV file with one bad row: diagnostics, no rows.
  auto pf = TempFile("one_bad_row.csv", ProjectsCsv(valid) +
                                            "bad_row,X,lithium,refining,USA,1,t,NA,NA,2027,nope,"
                                            "active,,NA,,s,,\n");
  auto load = LoadProjectsCsv(pf, {}, Codes());
  EXPECT_EQ(load.diagnostics.ErrorCount(), 1u);
  EXPECT_TRUE(load.projects.empty());

  EXPECT_EQ(reg.All(), rows);
  EXPECT_EQ(Scalar(db, "SELECT count(*) FROM audit_log"), audit);
  db.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  EXPECT_EQ(FileBytes(path), bytes) << "the database file changed";
  EXPECT_EQ(db.IntegrityCheck(), "ok");
}

TEST(Registry, ReaderSeesOldSnapshotWhileImportIsOpen) {
  auto path = TempDb("snapshot");
  auto writer_db = store::Database::Open(path);
  auto reader_db = store::Database::Open(path);
  store::SqliteProjectStore writer_store(writer_db);
  Registry writer(writer_store, Codes());
  store::SqliteProjectStore reader_store(reader_db);
  Registry reader(reader_store, Codes());
  writer.Import({MakeProject("a", 1), MakeProject("b", 2)}, "w");
  std::vector<Project> update = {MakeProject("a", 10), MakeProject("b", 20), MakeProject("c", 30)};
  std::vector<std::size_t> seen_counts;
  std::vector<double> seen_capacity;
  ImportOptions probe;
  probe.on_written = [&](std::size_t) {
    // Inside the writer's open transaction: the reader sees the last committed state, whole.
    auto all = reader.All();
    seen_counts.push_back(all.size());
    for (const auto& p : all) seen_capacity.push_back(p.capacity_t.number);
  };
  writer.Import(update, "w", probe);
  EXPECT_EQ(seen_counts, (std::vector<std::size_t>{2, 2, 2}));
  for (double c : seen_capacity) EXPECT_TRUE(c == 1 || c == 2) << c;
  auto after = reader.All();
  ASSERT_EQ(after.size(), 3u);
  EXPECT_EQ(after[2].capacity_t.number, 30);
}

TEST(Registry, ShippedSampleImportsCleanly) {
  fs::path dir = fs::path(LODESTONE_SOURCE_DIR) / "data/projects";
  auto load = LoadProjectsCsv(dir / "projects.csv", dir / "capital_stack.csv", Codes());
  ASSERT_FALSE(load.diagnostics.HasErrors()) << load.diagnostics.Format();
  EXPECT_GE(load.projects.size(), 15u);
  auto db = store::Database::Open(TempDb("shipped"));
  store::SqliteProjectStore reg_store(db);
  Registry reg(reg_store, Codes());
  auto s = reg.Import(load.projects, "test");
  EXPECT_EQ(s.inserted, load.projects.size());
  auto all = reg.All();
  std::map<std::string, Project> by_id;
  for (const auto& p : all) by_id[p.id] = p;
  // Coverage the registry promises: REE separation and magnets, gallium, graphite anode,
  // lithium refining, nickel and cobalt refining, recycling.
  auto has = [&](const std::string& mineral, Stage stage) {
    for (const auto& p : all) {
      if (p.mineral == mineral && p.stage == stage) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("rare_earths", Stage::Separation));
  EXPECT_TRUE(has("rare_earths", Stage::Magnets));
  EXPECT_TRUE(has("gallium", Stage::Refining));
  EXPECT_TRUE(has("graphite", Stage::Anode));
  EXPECT_TRUE(has("lithium", Stage::Refining));
  EXPECT_TRUE(has("nickel", Stage::Refining));
  EXPECT_TRUE(has("cobalt", Stage::Refining));
  EXPECT_TRUE(has("lithium", Stage::Recycling));
  // Spot checks of converted figures: LCE x 0.1878 = Li; A$ at the stated rate.
  EXPECT_DOUBLE_EQ(by_id.at("thacker_pass").capacity_t.number, 7512);
  EXPECT_DOUBLE_EQ(by_id.at("iluka_eneabba").capex_musd.number, 1162.7);
  EXPECT_EQ(by_id.at("mp_10x").capex_musd.status, model::ValueStatus::NotAvailable);
  EXPECT_EQ(by_id.at("nyrstar_clarksville_gega").status, Status::Cancelled);
  const auto& stack = by_id.at("syrah_balama").capital_stack;
  ASSERT_EQ(stack.size(), 1u);
  EXPECT_EQ(stack[0].funder, Funder::UsPublic);
  EXPECT_EQ(stack[0].instrument, Instrument::Loan);
  EXPECT_DOUBLE_EQ(stack[0].amount_musd.number, 150);
  bool japan = false;
  for (const auto& l : by_id.at("taganito_hpal").capital_stack) japan |= l.funder == Funder::JapanPublic;
  EXPECT_TRUE(japan);
}

TEST(Registry, CsvHeaderMustNameEveryColumnOnce) {
  const std::string header =
      "id,name,mineral,stage,country,capacity_t,capacity_basis,capex_musd,opex_musd_per_year,first_output,"
      "development_stage,status,sponsors,esg_score,esg_notes,source,url,assumptions";
  const std::string row = "ok_one,Good,lithium,refining,USA,100,t,NA,NA,2027,construction,active,A;B,0.5,,src,,";
  auto extra = TempFile("extra_column.csv", header + ",extra\n" + row + ",x\n");
  auto load = LoadProjectsCsv(extra, {}, Codes());
  EXPECT_NE(Joined(load.diagnostics).find(extra.string() + ":1:19: error: unknown column 'extra'"), std::string::npos)
      << Joined(load.diagnostics);
  EXPECT_TRUE(load.projects.empty());

  auto missing =
      TempFile("missing_column.csv", header.substr(0, header.rfind(',')) + "\n" + row.substr(0, row.rfind(',')) + "\n");
  load = LoadProjectsCsv(missing, {}, Codes());
  EXPECT_NE(Joined(load.diagnostics).find("missing column 'assumptions'"), std::string::npos)
      << Joined(load.diagnostics);

  auto twice = TempFile("twice_column.csv", header + ",url\n" + row + ",x\n");
  load = LoadProjectsCsv(twice, {}, Codes());
  EXPECT_NE(Joined(load.diagnostics).find("a column appears twice"), std::string::npos) << Joined(load.diagnostics);

  // Columns in another order are found by name.
  auto reordered = TempFile("reordered.csv", "name,id" + header.substr(header.find(",mineral")) + "\nGood,ok_one" +
                                                 row.substr(row.find(",lithium")) + "\n");
  load = LoadProjectsCsv(reordered, {}, Codes());
  ASSERT_FALSE(load.diagnostics.HasErrors()) << Joined(load.diagnostics);
  ASSERT_EQ(load.projects.size(), 1u);
  EXPECT_EQ(load.projects[0].id, "ok_one");
  EXPECT_EQ(load.projects[0].name, "Good");
}
