// The registry's projects and audit log in SQLite: every statement against the schema of
// migrations.cpp lives here.
#include "lodestone/store/sqlite_project_store.hpp"

#include <fmt/format.h>

#include <map>

#include "lodestone/model/error.hpp"
#include "store_codes.hpp"

namespace lodestone::store {

namespace {

using internal::kConfidentialColumnsSql;
using internal::kConfidentialFirstColumn;
using internal::kProjectColumnsSql;
using internal::ReadEnum;
using internal::StatusCode;
using internal::StatusFromCode;
using invest::AuditEntry;
using invest::CapitalLine;
using invest::Project;

void BindValue(Statement& st, int number_index, const model::Value& v) {
  st.Bind(number_index, v.HasNumber() ? std::optional<double>(v.number) : std::nullopt);
  st.Bind(number_index + 1, StatusCode(v.status));
}

model::Value ReadValue(const Statement& st, int number_column) {
  auto status = StatusFromCode(st.Text(number_column + 1));
  model::Value v = model::Value::Missing(status);
  if (auto n = st.OptionalReal(number_column)) v.number = *n;
  return v;
}

// Binds ?1..?22 in the order of kProjectColumnsSql.
void BindProject(Statement& st, const Project& p) {
  st.Bind(1, p.id).Bind(2, p.name).Bind(3, p.mineral).Bind(4, Name(p.stage)).Bind(5, p.country);
  BindValue(st, 6, p.capacity_t);
  st.Bind(8, p.capacity_basis);
  BindValue(st, 9, p.capex_musd);
  BindValue(st, 11, p.opex_musd_per_year);
  st.Bind(13, p.first_output.empty() ? std::optional<std::string>() : std::optional<std::string>(p.first_output));
  st.Bind(14, Name(p.development_stage)).Bind(15, Name(p.status)).Bind(16, *invest::GetField(p, "sponsors"));
  BindValue(st, 17, p.esg_score);
  st.Bind(19, p.esg_notes).Bind(20, p.source).Bind(21, p.url).Bind(22, p.assumptions);
}

// Writes the confidential terms of a stored project (their columns are not in the INSERT).
void WriteConfidential(Database& db, const Project& p) {
  const auto& c = p.confidential;
  if (c.withheld) throw Error::Internal("a project with withheld confidential terms cannot be stored");
  auto st = db.Prepare(
      "UPDATE projects SET confidential_owner = ?2, financing_committed_musd = ?3, financing_committed_musd_status = "
      "?4, financing_instrument = ?5, financing_rate_pct = ?6, financing_rate_pct_status = ?7, financing_tenor_years "
      "= ?8, financing_tenor_years_status = ?9, offtake = ?10, partner_notes = ?11 WHERE id = ?1");
  st.Bind(1, p.id).Bind(2, c.owner);
  BindValue(st, 3, c.committed_musd);
  st.Bind(5, c.instrument);
  BindValue(st, 6, c.rate_pct);
  BindValue(st, 8, c.tenor_years);
  st.Bind(10, c.offtake).Bind(11, c.notes);
  st.Run();
}

// Columns kConfidentialFirstColumn.. of a SELECT of kProjectColumnsSql, kConfidentialColumnsSql.
void ReadConfidential(const Statement& st, Project& p) {
  const int c0 = kConfidentialFirstColumn;
  auto& c = p.confidential;
  c.owner = st.Text(c0);
  c.committed_musd = ReadValue(st, c0 + 1);
  c.instrument = st.Text(c0 + 3);
  c.rate_pct = ReadValue(st, c0 + 4);
  c.tenor_years = ReadValue(st, c0 + 6);
  c.offtake = st.Text(c0 + 8);
  c.notes = st.Text(c0 + 9);
}

Project ReadProject(const Statement& st) {
  Project p;
  p.id = st.Text(0);
  p.name = st.Text(1);
  p.mineral = st.Text(2);
  auto stage = st.Text(3);
  p.stage = ReadEnum(invest::ParseStage(stage), stage, "stage");
  p.country = st.Text(4);
  p.capacity_t = ReadValue(st, 5);
  p.capacity_basis = st.Text(7);
  p.capex_musd = ReadValue(st, 8);
  p.opex_musd_per_year = ReadValue(st, 10);
  p.first_output = st.OptionalText(12).value_or("");
  auto dev = st.Text(13);
  p.development_stage = ReadEnum(invest::ParseDevelopmentStage(dev), dev, "development stage");
  auto status = st.Text(14);
  p.status = ReadEnum(invest::ParseStatus(status), status, "status");
  invest::SetField(p, "sponsors", st.Text(15), invest::ReferenceCodes{});
  p.esg_score = ReadValue(st, 16);
  p.esg_notes = st.Text(18);
  p.source = st.Text(19);
  p.url = st.Text(20);
  p.assumptions = st.Text(21);
  ReadConfidential(st, p);
  return p;
}

CapitalLine ReadLine(const Statement& st, int c) {
  CapitalLine l;
  auto instrument = st.Text(c);
  l.instrument = ReadEnum(invest::ParseInstrument(instrument), instrument, "instrument");
  auto funder = st.Text(c + 1);
  l.funder = ReadEnum(invest::ParseFunder(funder), funder, "funder");
  l.amount_musd = ReadValue(st, c + 2);
  l.closing_date = st.Text(c + 4);
  l.source = st.Text(c + 5);
  l.note = st.Text(c + 6);
  return l;
}

std::optional<Project> LoadProject(Database& db, std::string_view id) {
  auto st =
      db.Prepare(fmt::format("SELECT {}, {} FROM projects WHERE id = ?1", kProjectColumnsSql, kConfidentialColumnsSql));
  st.Bind(1, id);
  if (!st.Step()) return std::nullopt;
  Project p = ReadProject(st);
  auto lines = db.Prepare(
      "SELECT instrument, funder, amount_musd, amount_status, closing_date, source, note FROM capital_stack "
      "WHERE project = ?1 ORDER BY position");
  lines.Bind(1, id);
  while (lines.Step()) p.capital_stack.push_back(ReadLine(lines, 0));
  return p;
}

// A read transaction: the rows read under it are one snapshot of the database, even while
// another connection writes (WAL).
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Database& db) : db_(db) { db_.Exec("BEGIN"); }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;
  ~ReadSnapshot() {
    try {
      db_.Exec("COMMIT");
    } catch (const Error&) {
      // A read-only transaction has nothing to lose; the connection stays usable.
    }
  }

 private:
  Database& db_;
};

class SqliteWrite final : public invest::ProjectWrite {
 public:
  explicit SqliteWrite(Database& db) : db_(db) {}

  std::optional<Project> Load(std::string_view id) override { return LoadProject(db_, id); }

  void Insert(const Project& p, std::string_view at) override {
    if (LoadProject(db_, p.id)) throw Error::Conflict(fmt::format("project '{}' already exists", p.id));
    auto st = db_.Prepare(fmt::format(
        "INSERT INTO projects({}, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
        "?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?23)",
        kProjectColumnsSql));
    BindProject(st, p);
    st.Bind(23, at);
    st.Run();
    WriteConfidential(db_, p);
    WriteStack(p);
  }

  void Update(const Project& before, const Project& after, std::string_view at) override {
    if (before.id != after.id) throw Error::Internal("a project update cannot change its id");
    auto current = LoadProject(db_, before.id);
    if (!current) throw Error::NotFound(fmt::format("no project '{}' in the registry", before.id));
    if (*current != before) {
      throw Error::Conflict(fmt::format("project '{}' was changed by someone else meanwhile", before.id));
    }
    auto st = db_.Prepare(
        "UPDATE projects SET name = ?2, mineral = ?3, stage = ?4, country = ?5, capacity_t = ?6, "
        "capacity_t_status = ?7, capacity_basis = ?8, capex_musd = ?9, capex_musd_status = ?10, "
        "opex_musd_per_year = ?11, opex_musd_per_year_status = ?12, first_output = ?13, development_stage = ?14, "
        "status = ?15, sponsors = ?16, esg_score = ?17, esg_score_status = ?18, esg_notes = ?19, source = ?20, "
        "url = ?21, assumptions = ?22, updated_at = ?23 WHERE id = ?1");
    BindProject(st, after);
    st.Bind(23, at);
    st.Run();
    WriteConfidential(db_, after);
    if (before.capital_stack != after.capital_stack) {
      auto del = db_.Prepare("DELETE FROM capital_stack WHERE project = ?1");
      del.Bind(1, after.id).Run();
      WriteStack(after);
    }
  }

  void Remove(std::string_view id) override {
    if (!LoadProject(db_, id)) throw Error::NotFound(fmt::format("no project '{}' in the registry", id));
    auto del = db_.Prepare("DELETE FROM projects WHERE id = ?1");
    del.Bind(1, id).Run();
  }

  void Append(const AuditEntry& e) override {
    if (!audit_) {
      audit_.emplace(
          db_.Prepare("INSERT INTO audit_log(at, actor, action, project_id, field, old_value, new_value, reason) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
    }
    audit_->Bind(1, e.at).Bind(2, e.actor).Bind(3, e.action).Bind(4, e.project_id).Bind(5, e.field);
    audit_->Bind(6, e.old_value).Bind(7, e.new_value).Bind(8, e.reason);
    audit_->Run();
  }

 private:
  void WriteStack(const Project& p) {
    if (p.capital_stack.empty()) return;
    auto st = db_.Prepare(
        "INSERT INTO capital_stack(project, position, instrument, funder, amount_musd, amount_status, closing_date, "
        "source, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    for (std::size_t i = 0; i < p.capital_stack.size(); ++i) {
      const auto& l = p.capital_stack[i];
      st.Bind(1, p.id).Bind(2, static_cast<std::int64_t>(i)).Bind(3, Name(l.instrument)).Bind(4, Name(l.funder));
      BindValue(st, 5, l.amount_musd);
      st.Bind(7, l.closing_date).Bind(8, l.source).Bind(9, l.note);
      st.Run();
    }
  }

  Database& db_;
  std::optional<Statement> audit_;
};

}  // namespace

SqliteProjectStore::SqliteProjectStore(Database& db) : db_(&db) {}

std::unique_ptr<SqliteProjectStore> SqliteProjectStore::Open(const std::filesystem::path& path) {
  auto db = std::make_unique<Database>(Database::Open(path));
  auto out = std::make_unique<SqliteProjectStore>(*db);
  out->owned_ = std::move(db);
  return out;
}

SqliteProjectStore::~SqliteProjectStore() = default;

std::string SqliteProjectStore::Location() const { return db_->path().string(); }

std::optional<Project> SqliteProjectStore::Get(std::string_view id) const {
  ReadSnapshot snapshot(*db_);
  return LoadProject(*db_, id);
}

std::vector<Project> SqliteProjectStore::List(const invest::ProjectFilter& filter) const {
  std::string where = " WHERE (?1 = '' OR mineral = ?1) AND (?2 = '' OR country = ?2) AND (?3 = '' OR stage = ?3)";
  ReadSnapshot snapshot(*db_);  // projects and their capital stacks from one snapshot
  std::vector<Project> out;
  auto st = db_->Prepare(
      fmt::format("SELECT {}, {} FROM projects{} ORDER BY id", kProjectColumnsSql, kConfidentialColumnsSql, where));
  st.Bind(1, filter.mineral).Bind(2, filter.country).Bind(3, filter.stage);
  std::map<std::string, std::size_t, std::less<>> index;
  while (st.Step()) {
    index.emplace(st.Text(0), out.size());
    out.push_back(ReadProject(st));
  }
  auto lines = db_->Prepare(
      "SELECT project, instrument, funder, amount_musd, amount_status, closing_date, source, note "
      "FROM capital_stack ORDER BY project, position");
  while (lines.Step()) {
    if (auto it = index.find(lines.Text(0)); it != index.end()) {
      out[it->second].capital_stack.push_back(ReadLine(lines, 1));
    }
  }
  return out;
}

std::vector<AuditEntry> SqliteProjectStore::History(std::string_view id) const {
  auto st = db_->Prepare(
      "SELECT id, at, actor, action, project_id, field, old_value, new_value, reason FROM audit_log "
      "WHERE project_id = ?1 ORDER BY id");
  st.Bind(1, id);
  std::vector<AuditEntry> out;
  while (st.Step()) {
    AuditEntry e;
    e.id = st.Int(0);
    e.at = st.Text(1);
    e.actor = st.Text(2);
    e.action = st.Text(3);
    e.project_id = st.Text(4);
    e.field = st.OptionalText(5);
    e.old_value = st.OptionalText(6);
    e.new_value = st.OptionalText(7);
    e.reason = st.Text(8);
    out.push_back(std::move(e));
  }
  return out;
}

std::size_t SqliteProjectStore::Count() const {
  auto st = db_->Prepare("SELECT count(*) FROM projects");
  st.Step();
  return static_cast<std::size_t>(st.Int(0));
}

void SqliteProjectStore::Write(const std::function<void(invest::ProjectWrite&)>& work) {
  Transaction tx(*db_);
  SqliteWrite w(*db_);
  work(w);
  tx.Commit();
}

int SqliteProjectStore::SchemaVersion() const { return db_->SchemaVersion(); }

RegistryDump SqliteProjectStore::Export() const {
  ReadSnapshot snapshot(*db_);
  RegistryDump out;
  auto ids = db_->Prepare("SELECT id, created_at, updated_at FROM projects ORDER BY id");
  while (ids.Step()) {
    auto p = LoadProject(*db_, ids.Text(0));
    if (!p) throw Error::Internal("a project vanished inside a read snapshot");
    out.projects.push_back({std::move(*p), ids.Text(1), ids.Text(2)});
  }
  auto st = db_->Prepare(
      "SELECT id, at, actor, action, project_id, field, old_value, new_value, reason FROM audit_log ORDER BY id");
  while (st.Step()) {
    AuditEntry e;
    e.id = st.Int(0);
    e.at = st.Text(1);
    e.actor = st.Text(2);
    e.action = st.Text(3);
    e.project_id = st.Text(4);
    e.field = st.OptionalText(5);
    e.old_value = st.OptionalText(6);
    e.new_value = st.OptionalText(7);
    e.reason = st.Text(8);
    out.audit.push_back(std::move(e));
  }
  return out;
}

void SqliteProjectStore::Restore(const RegistryDump& dump, bool replace) {
  Transaction tx(*db_);
  auto count = [&](const char* sql) {
    auto st = db_->Prepare(sql);
    st.Step();
    return st.Int(0);
  };
  const auto projects = count("SELECT count(*) FROM projects");
  const auto audit = count("SELECT count(*) FROM audit_log");
  if ((projects > 0 || audit > 0) && !replace) {
    throw Error::Conflict(
        fmt::format("{} is not empty ({} projects, {} audit rows); use --force to replace its projects",
                    db_->path().string(), projects, audit));
  }
  db_->Exec("DELETE FROM projects");  // capital stacks go with them (ON DELETE CASCADE)
  SqliteWrite w(*db_);
  auto dates = db_->Prepare("UPDATE projects SET updated_at = ?2 WHERE id = ?1");
  for (const auto& sp : dump.projects) {
    w.Insert(sp.project, sp.created_at);
    dates.Bind(1, sp.project.id).Bind(2, sp.updated_at).Run();
  }
  // Into an empty log the rows keep their ids; after existing rows they are numbered anew.
  auto row = db_->Prepare(
      "INSERT INTO audit_log(id, at, actor, action, project_id, field, old_value, new_value, reason) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  for (const auto& e : dump.audit) {
    if (audit == 0) {
      row.Bind(1, e.id);
    } else {
      row.BindNull(1);
    }
    row.Bind(2, e.at).Bind(3, e.actor).Bind(4, e.action).Bind(5, e.project_id).Bind(6, e.field);
    row.Bind(7, e.old_value).Bind(8, e.new_value).Bind(9, e.reason);
    row.Run();
  }
  tx.Commit();
}

}  // namespace lodestone::store
