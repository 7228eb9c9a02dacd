// The project registry over the embedded database: reads, transactional writes, audit log.
#include "lodestone/invest/registry.hpp"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <map>

namespace lodestone::invest {

namespace {

using store::Statement;

constexpr const char* kProjectColumnsSql =
    "id, name, mineral, stage, country, capacity_t, capacity_t_status, capacity_basis, capex_musd, "
    "capex_musd_status, opex_musd_per_year, opex_musd_per_year_status, first_output, development_stage, status, "
    "sponsors, esg_score, esg_score_status, esg_notes, source, url, assumptions";

std::string_view StatusCode(model::ValueStatus s) {
  switch (s) {
    case model::ValueStatus::Known: return "known";
    case model::ValueStatus::AtLeast: return "at_least";
    case model::ValueStatus::AtMost: return "at_most";
    case model::ValueStatus::Withheld: return "withheld";
    case model::ValueStatus::NotAvailable: return "not_available";
    case model::ValueStatus::Unknown: return "unknown";
    case model::ValueStatus::NetExporter: return "net_exporter";
  }
  return "unknown";
}

model::ValueStatus StatusFromCode(std::string_view code) {
  for (auto s : {model::ValueStatus::Known, model::ValueStatus::AtLeast, model::ValueStatus::AtMost,
                 model::ValueStatus::Withheld, model::ValueStatus::NotAvailable, model::ValueStatus::Unknown,
                 model::ValueStatus::NetExporter}) {
    if (StatusCode(s) == code) return s;
  }
  throw store::StoreError(fmt::format("database holds an unknown value status '{}'", code));
}

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

template <typename E>
E ReadEnum(std::optional<E> parsed, const std::string& text, std::string_view what) {
  if (!parsed) throw store::StoreError(fmt::format("database holds an unknown {} '{}'", what, text));
  return *parsed;
}

// Binds ?1..?22 in the order of kProjectColumnsSql.
void BindProject(Statement& st, const Project& p) {
  st.Bind(1, p.id).Bind(2, p.name).Bind(3, p.mineral).Bind(4, Name(p.stage)).Bind(5, p.country);
  BindValue(st, 6, p.capacity_t);
  st.Bind(8, p.capacity_basis);
  BindValue(st, 9, p.capex_musd);
  BindValue(st, 11, p.opex_musd_per_year);
  st.Bind(13, p.first_output.empty() ? std::optional<std::string>() : std::optional<std::string>(p.first_output));
  st.Bind(14, Name(p.development_stage)).Bind(15, Name(p.status)).Bind(16, *GetField(p, "sponsors"));
  BindValue(st, 17, p.esg_score);
  st.Bind(19, p.esg_notes).Bind(20, p.source).Bind(21, p.url).Bind(22, p.assumptions);
}

Project ReadProject(const Statement& st) {
  Project p;
  p.id = st.Text(0);
  p.name = st.Text(1);
  p.mineral = st.Text(2);
  auto stage = st.Text(3);
  p.stage = ReadEnum(ParseStage(stage), stage, "stage");
  p.country = st.Text(4);
  p.capacity_t = ReadValue(st, 5);
  p.capacity_basis = st.Text(7);
  p.capex_musd = ReadValue(st, 8);
  p.opex_musd_per_year = ReadValue(st, 10);
  p.first_output = st.OptionalText(12).value_or("");
  auto dev = st.Text(13);
  p.development_stage = ReadEnum(ParseDevelopmentStage(dev), dev, "development stage");
  auto status = st.Text(14);
  p.status = ReadEnum(ParseStatus(status), status, "status");
  SetField(p, "sponsors", st.Text(15), ReferenceCodes{});
  p.esg_score = ReadValue(st, 16);
  p.esg_notes = st.Text(18);
  p.source = st.Text(19);
  p.url = st.Text(20);
  p.assumptions = st.Text(21);
  return p;
}

std::string NowUtc() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

// Fields recorded in the audit log, in a fixed order: every column but the id, then the stack.
const std::vector<std::string>& AuditedFields() {
  static const std::vector<std::string> kFields = [] {
    auto f = EditableFields();
    f.push_back("capital_stack");
    return f;
  }();
  return kFields;
}

class Writer {
 public:
  Writer(store::Database& db, std::string actor, std::string reason)
      : db_(db), actor_(std::move(actor)), reason_(std::move(reason)), now_(NowUtc()) {
    if (actor_.empty()) throw model::InputError("", 0, 0, "actor must not be empty (--actor NAME or LODESTONE_ACTOR)");
  }

  std::optional<Project> Load(std::string_view id) {
    auto st = db_.Prepare(fmt::format("SELECT {} FROM projects WHERE id = ?1", kProjectColumnsSql));
    st.Bind(1, id);
    if (!st.Step()) return std::nullopt;
    Project p = ReadProject(st);
    auto lines = db_.Prepare(
        "SELECT instrument, funder, amount_musd, amount_status, closing_date, source, note FROM capital_stack "
        "WHERE project = ?1 ORDER BY position");
    lines.Bind(1, id);
    while (lines.Step()) p.capital_stack.push_back(ReadLine(lines, 0));
    return p;
  }

  static CapitalLine ReadLine(const Statement& st, int c) {
    CapitalLine l;
    auto instrument = st.Text(c);
    l.instrument = ReadEnum(ParseInstrument(instrument), instrument, "instrument");
    auto funder = st.Text(c + 1);
    l.funder = ReadEnum(ParseFunder(funder), funder, "funder");
    l.amount_musd = ReadValue(st, c + 2);
    l.closing_date = st.Text(c + 4);
    l.source = st.Text(c + 5);
    l.note = st.Text(c + 6);
    return l;
  }

  void Insert(const Project& p) {
    auto st = db_.Prepare(fmt::format(
        "INSERT INTO projects({}, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
        "?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?23)",
        kProjectColumnsSql));
    BindProject(st, p);
    st.Bind(23, now_);
    st.Run();
    WriteStack(p);
  }

  void Update(const Project& p, bool stack_changed) {
    auto st = db_.Prepare(
        "UPDATE projects SET name = ?2, mineral = ?3, stage = ?4, country = ?5, capacity_t = ?6, "
        "capacity_t_status = ?7, capacity_basis = ?8, capex_musd = ?9, capex_musd_status = ?10, "
        "opex_musd_per_year = ?11, opex_musd_per_year_status = ?12, first_output = ?13, development_stage = ?14, "
        "status = ?15, sponsors = ?16, esg_score = ?17, esg_score_status = ?18, esg_notes = ?19, source = ?20, "
        "url = ?21, assumptions = ?22, updated_at = ?23 WHERE id = ?1");
    BindProject(st, p);
    st.Bind(23, now_);
    st.Run();
    if (stack_changed) {
      auto del = db_.Prepare("DELETE FROM capital_stack WHERE project = ?1");
      del.Bind(1, p.id).Run();
      WriteStack(p);
    }
  }

  void Delete(std::string_view id) {
    auto del = db_.Prepare("DELETE FROM projects WHERE id = ?1");
    del.Bind(1, id).Run();
  }

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

  // Writes one audit row per field that differs between `before` and `after` (all fields of a
  // new or deleted project). Returns the number of rows written.
  std::size_t Audit(std::string_view action, const std::string& id, const std::optional<Project>& before,
                    const std::optional<Project>& after) {
    if (!audit_) {
      audit_.emplace(
          db_.Prepare("INSERT INTO audit_log(at, actor, action, project_id, field, old_value, new_value, reason) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
    }
    std::size_t n = 0;
    for (const auto& f : AuditedFields()) {
      std::optional<std::string> old_value = before ? GetField(*before, f) : std::nullopt;
      std::optional<std::string> new_value = after ? GetField(*after, f) : std::nullopt;
      if (old_value == new_value) continue;
      audit_->Bind(1, now_).Bind(2, actor_).Bind(3, action).Bind(4, id).Bind(5, f);
      audit_->Bind(6, old_value).Bind(7, new_value).Bind(8, reason_);
      audit_->Run();
      ++n;
    }
    return n;
  }

 private:
  store::Database& db_;
  std::string actor_, reason_, now_;
  std::optional<Statement> audit_;
};

// A read transaction: the rows read under it are one snapshot of the database, even while
// another connection writes (WAL).
class ReadSnapshot {
 public:
  explicit ReadSnapshot(store::Database& db) : db_(db) { db_.Exec("BEGIN"); }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;
  ~ReadSnapshot() {
    try {
      db_.Exec("COMMIT");
    } catch (const store::StoreError&) {
      // A read-only transaction has nothing to lose; the connection stays usable.
    }
  }

 private:
  store::Database& db_;
};

model::InputError ProblemsError(const std::string& label, const std::vector<std::string>& problems) {
  model::Diagnostics d;
  for (const auto& p : problems) d.Error("", 0, 0, fmt::format("{}: {}", label, p));
  return model::InputError(std::move(d));
}

}  // namespace

std::string ResolveActor(std::string_view explicit_actor) {
  if (!explicit_actor.empty()) return std::string(explicit_actor);
  if (const char* env = std::getenv("LODESTONE_ACTOR"); env && *env) return env;
  if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name && *pw->pw_name) return pw->pw_name;
  if (const char* user = std::getenv("USER"); user && *user) return user;
  return fmt::format("uid:{}", geteuid());
}

Registry::Registry(store::Database& db, const ReferenceCodes& codes) : db_(&db), codes_(codes) {}

ImportSummary Registry::Import(const std::vector<Project>& rows, std::string_view actor, const ImportOptions& options) {
  model::Diagnostics diags;
  std::map<std::string, std::size_t, std::less<>> seen;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (const auto& problem : CheckProject(rows[i], codes_)) {
      diags.Error("", 0, 0, fmt::format("project '{}' (row {}): {}", rows[i].id, i + 1, problem));
    }
    if (auto [it, inserted] = seen.emplace(rows[i].id, i); !inserted) {
      diags.Error("", 0, 0,
                  fmt::format("project '{}' (row {}): duplicate id (also row {})", rows[i].id, i + 1, it->second + 1));
    }
  }
  if (diags.HasErrors()) throw model::InputError(std::move(diags));

  ImportSummary summary;
  Writer w(*db_, std::string(actor), options.reason);
  store::Transaction tx(*db_);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& p = rows[i];
    auto before = w.Load(p.id);
    if (!before) {
      w.Insert(p);
      summary.fields_changed += w.Audit("import", p.id, std::nullopt, p);
      ++summary.inserted;
    } else if (*before == p) {
      ++summary.unchanged;
    } else {
      w.Update(p, before->capital_stack != p.capital_stack);
      summary.fields_changed += w.Audit("import", p.id, before, p);
      ++summary.updated;
    }
    if (options.on_written) options.on_written(i + 1);
  }
  tx.Commit();
  return summary;
}

void Registry::Add(const Project& project, std::string_view actor, std::string_view reason) {
  auto problems = CheckProject(project, codes_);
  if (!problems.empty()) throw ProblemsError(fmt::format("project '{}'", project.id), problems);
  Writer w(*db_, std::string(actor), std::string(reason));
  store::Transaction tx(*db_);
  if (w.Load(project.id)) {
    throw model::InputError(
        "", 0, 0, fmt::format("project '{}' already exists (use `projects edit` or import to change it)", project.id));
  }
  w.Insert(project);
  w.Audit("insert", project.id, std::nullopt, project);
  tx.Commit();
}

void Registry::Edit(std::string_view id, std::string_view field, std::string_view value, std::string_view actor,
                    std::string_view reason) {
  Edit(id, {{std::string(field), std::string(value)}}, actor, reason);
}

void Registry::Edit(std::string_view id, const std::vector<std::pair<std::string, std::string>>& changes,
                    std::string_view actor, std::string_view reason) {
  if (changes.empty()) throw model::InputError("", 0, 0, "nothing to change: give at least one field=value");
  Writer w(*db_, std::string(actor), std::string(reason));
  store::Transaction tx(*db_);
  auto before = w.Load(id);
  if (!before) throw model::InputError("", 0, 0, fmt::format("no project '{}' in the registry", id));
  Project after = *before;
  std::vector<std::string> problems;
  for (const auto& [field, value] : changes) {
    if (field == "id") {
      problems.push_back("id cannot be edited (remove the project and add it under the new id)");
      continue;
    }
    if (auto e = SetField(after, field, value, codes_))
      problems.push_back(fmt::format("{} '{}': {}", field, value, *e));
  }
  if (!problems.empty()) throw ProblemsError(fmt::format("edit of '{}'", id), problems);
  if (after == *before) return;  // nothing changes, nothing is logged
  w.Update(after, false);
  w.Audit("update", after.id, before, after);
  tx.Commit();
}

void Registry::Remove(std::string_view id, std::string_view actor, std::string_view reason) {
  Writer w(*db_, std::string(actor), std::string(reason));
  store::Transaction tx(*db_);
  auto before = w.Load(id);
  if (!before) throw model::InputError("", 0, 0, fmt::format("no project '{}' in the registry", id));
  w.Delete(id);
  w.Audit("delete", before->id, before, std::nullopt);
  tx.Commit();
}

std::optional<Project> Registry::Get(std::string_view id) const {
  ReadSnapshot snapshot(*db_);
  Writer w(*db_, "reader", "");
  return w.Load(id);
}

std::vector<Project> Registry::List(const ProjectFilter& filter) const {
  std::string where = " WHERE (?1 = '' OR mineral = ?1) AND (?2 = '' OR country = ?2) AND (?3 = '' OR stage = ?3)";
  ReadSnapshot snapshot(*db_);  // projects and their capital stacks from one snapshot
  std::vector<Project> out;
  {
    auto st = db_->Prepare(fmt::format("SELECT {} FROM projects{} ORDER BY id", kProjectColumnsSql, where));
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
        out[it->second].capital_stack.push_back(Writer::ReadLine(lines, 1));
      }
    }
  }
  return out;
}

std::vector<Project> Registry::All() const { return List({}); }

std::vector<AuditEntry> Registry::History(std::string_view id) const {
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

std::size_t Registry::Count() const {
  auto st = db_->Prepare("SELECT count(*) FROM projects");
  st.Step();
  return static_cast<std::size_t>(st.Int(0));
}

}  // namespace lodestone::invest
