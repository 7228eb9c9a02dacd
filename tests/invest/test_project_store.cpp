// The seam between the registry and its store: the registry's rules (validation, audit of every
// field change, all-or-nothing writes) run unchanged over an in-memory ProjectStore, and the
// SQLite adapter honours the optimistic check of ProjectWrite::Update.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>

#include "test_registry_fixtures.hpp"

using namespace lodestone;
using namespace lodestone::invest;
using namespace lodestone::invest::testing;

namespace {

// Projects and audit rows in memory; a write works on a copy that replaces the state only when
// the work returns (so a throw leaves nothing behind).
class MemoryStore final : public ProjectStore {
 public:
  struct State {
    std::map<std::string, Project, std::less<>> projects;
    std::vector<AuditEntry> audit;
  };

  std::string Location() const override { return "memory"; }
  std::optional<Project> Get(std::string_view id) const override {
    auto it = state_.projects.find(id);
    return it == state_.projects.end() ? std::nullopt : std::optional<Project>(it->second);
  }
  std::vector<Project> List(const ProjectFilter& f) const override {
    std::vector<Project> out;
    for (const auto& [id, p] : state_.projects) {
      if ((f.mineral.empty() || p.mineral == f.mineral) && (f.country.empty() || p.country == f.country) &&
          (f.stage.empty() || Name(p.stage) == f.stage)) {
        out.push_back(p);
      }
    }
    return out;
  }
  std::vector<AuditEntry> History(std::string_view id) const override {
    std::vector<AuditEntry> out;
    for (const auto& e : state_.audit) {
      if (e.project_id == id) out.push_back(e);
    }
    return out;
  }
  std::size_t Count() const override { return state_.projects.size(); }

  void Write(const std::function<void(ProjectWrite&)>& work) override {
    Tx tx(state_);
    work(tx);
    state_ = std::move(tx.next);
    ++commits;
    if (after_commit) after_commit();
  }

  std::size_t commits = 0;
  std::function<void()> after_commit;  // another writer acting right after a commit

 private:
  struct Tx final : ProjectWrite {
    explicit Tx(const State& s) : next(s) {}
    std::optional<Project> Load(std::string_view id) override {
      auto it = next.projects.find(id);
      return it == next.projects.end() ? std::nullopt : std::optional<Project>(it->second);
    }
    void Insert(const Project& p, std::string_view) override {
      if (!next.projects.emplace(p.id, p).second) throw Error::Conflict("exists: " + p.id);
    }
    void Update(const Project& before, const Project& after, std::string_view) override {
      auto it = next.projects.find(before.id);
      if (it == next.projects.end()) throw Error::NotFound("gone: " + before.id);
      if (it->second != before) throw Error::Conflict("changed meanwhile: " + before.id);
      it->second = after;
    }
    void Remove(std::string_view id) override {
      auto it = next.projects.find(id);
      if (it == next.projects.end()) throw Error::NotFound("no " + std::string(id));
      next.projects.erase(it);
    }
    void Append(const AuditEntry& e) override {
      next.audit.push_back(e);
      next.audit.back().id = static_cast<std::int64_t>(next.audit.size());
    }
    State next;
  };
  State state_;
};

}  // namespace

TEST(ProjectStoreSeam, RegistryRulesRunOverAnInMemoryStore) {
  MemoryStore store;
  Registry reg(store, Codes());
  auto s = reg.Import({MakeProject("b_two"), MakeProject("a_one")}, "importer");
  EXPECT_EQ(s.inserted, 2u);
  // Every column but the id, and the capital stack (no confidential terms: none logged).
  EXPECT_EQ(s.fields_changed, 2 * (ProjectColumns().size() - 1 + 1));
  ASSERT_EQ(reg.All().size(), 2u);
  EXPECT_EQ(reg.All()[0].id, "a_one");
  EXPECT_EQ(reg.Location(), "memory");

  // Validation happens before the store sees anything.
  auto bad = MakeProject("c_three");
  bad.country = "ZZZ";
  const auto commits = store.commits;
  EXPECT_EQ(KindOf([&] { reg.Import({bad}, "importer"); }), ErrorKind::InvalidData);
  EXPECT_EQ(store.commits, commits);

  // A failure half-way leaves the store as it was.
  ImportOptions fail;
  fail.on_written = [](std::size_t n) {
    if (n == 1) throw Error::Storage("disk full");
  };
  EXPECT_EQ(KindOf([&] {
              reg.Import({MakeProject("c_three"), MakeProject("d_four")}, "importer", fail);
            }),
            ErrorKind::Storage);
  EXPECT_EQ(reg.Count(), 2u);

  EXPECT_EQ(KindOf([&] { reg.Add(MakeProject("a_one"), "adder"); }), ErrorKind::Conflict);
  EXPECT_EQ(KindOf([&] { reg.Edit("nope", "status", "paused", "editor"); }), ErrorKind::NotFound);
  EXPECT_EQ(KindOf([&] { reg.Remove("nope", "editor"); }), ErrorKind::NotFound);
  EXPECT_EQ(KindOf([&] { reg.Edit("a_one", "status", "paused", ""); }), ErrorKind::InvalidRequest);

  reg.Remove("b_two", "editor", "withdrawn");
  EXPECT_FALSE(reg.Get("b_two").has_value());
  EXPECT_EQ(reg.History("b_two").back().action, "delete");
}

// `projects edit` reports how many field changes it logged. The count comes from the edit's own
// transaction: another writer logging changes to the same project right after the commit (before
// anyone reads the history back) does not change it.
TEST(ProjectStoreSeam, EditCountsItsChangesInsideItsTransaction) {
  MemoryStore store;
  Registry reg(store, Codes());
  reg.Import({MakeProject("proj")}, "importer");
  const auto before = reg.History("proj").size();
  bool raced = false;
  store.after_commit = [&] {
    if (raced) return;
    raced = true;
    reg.Edit("proj", "esg_notes", "someone else's change", "other");
  };
  const auto logged = reg.Edit("proj", {{"status", "paused"}, {"capex_musd", "NA"}}, "editor");
  EXPECT_EQ(logged, 2u);
  // Counting the history before and after, as the command used to, would have said 3.
  EXPECT_EQ(reg.History("proj").size() - before, 3u);
  store.after_commit = nullptr;
  EXPECT_EQ(reg.Edit("proj", "status", "paused", "editor"), 0u);  // nothing changes
}

TEST(ProjectStoreSeam, SqliteUpdateIsRefusedWhenTheProjectChangedMeanwhile) {
  auto db = store::Database::Open(TempDb("optimistic"));
  store::SqliteProjectStore st(db);
  Registry reg(st, Codes());
  reg.Import({MakeProject("proj")}, "importer");
  const auto stale = *st.Get("proj");
  reg.Edit("proj", "status", "paused", "editor");
  auto next = stale;
  next.name = "Renamed";
  EXPECT_EQ(KindOf([&] { st.Write([&](ProjectWrite& w) { w.Update(stale, next, "2026-01-01T00:00:00.000Z"); }); }),
            ErrorKind::Conflict);
  EXPECT_EQ(st.Get("proj")->name, stale.name);
  EXPECT_EQ(KindOf([&] { st.Write([&](ProjectWrite& w) { w.Insert(stale, "2026-01-01T00:00:00.000Z"); }); }),
            ErrorKind::Conflict);
  EXPECT_EQ(KindOf([&] { st.Write([&](ProjectWrite& w) { w.Remove("nope"); }); }), ErrorKind::NotFound);
}
