// The registry's projects and audit log in PostgreSQL (libpqxx 6.4): every statement against the
// schema of PostgresMigrations lives here, with the mapping of server errors to lodestone::Error.
#include "lodestone/store/postgres_project_store.hpp"

#include <fmt/format.h>

#include <charconv>
#include <map>
#include <pqxx/pqxx>

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

// The registry's write lock: a transaction-scoped advisory lock, keyed by this program ("LODE")
// and the schema the connection works in, so registries in different schemas do not wait for
// each other. It is released by COMMIT or ROLLBACK, never left behind by a crash.
constexpr const char* kWriteLockSql =
    "SELECT pg_advisory_xact_lock(1280263237, hashtext(coalesce(current_schema(), '')))";
// How long a writer waits for another writer's lock before giving up with a Conflict.
constexpr const char* kLockTimeoutSql = "SET LOCAL lock_timeout = '30s'";

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// A server or connection failure as an Error: a broken integrity rule, a serialization failure, a
// deadlock or a lock wait that timed out is a Conflict (the write lost a race or breaks a rule);
// anything else a Storage failure.
Error Failure(const std::string& where, const std::exception& e) {
  std::string message = fmt::format("{}: {}", where, Trimmed(e.what()));
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string& state = sql->sqlstate();
    if (state.rfind("23", 0) == 0 || state == "40001" || state == "40P01" || state == "55P03") {
      return Error::Conflict(std::move(message));
    }
  }
  return Error::Storage(std::move(message));
}

// Runs `f`, passing lodestone::Error on and turning libpqxx's exceptions into Error.
template <typename F>
auto Guarded(const std::string& where, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error&) {
    throw;
  } catch (const pqxx::failure& e) {
    throw Failure(where, e);
  } catch (const pqxx::usage_error& e) {
    throw Error::Internal(fmt::format("{}: {}", where, Trimmed(e.what())));
  } catch (const pqxx::conversion_error& e) {
    throw Error::Storage(fmt::format("{}: {}", where, Trimmed(e.what())));
  }
}

// Text parameters of one statement ($1, $2, ...); nullopt is SQL NULL. Numbers are written in
// their shortest form that reads back to the same double.
class Params {
 public:
  Params& Text(std::string_view s) {
    values_.emplace_back(std::string(s));
    return *this;
  }
  Params& Text(const std::string& s) { return Text(std::string_view(s)); }
  Params& Text(const char* s) { return Text(std::string_view(s)); }
  Params& Text(const std::optional<std::string>& s) {
    values_.push_back(s);
    return *this;
  }
  Params& Int(std::int64_t n) {
    values_.emplace_back(fmt::format("{}", n));
    return *this;
  }
  Params& Real(const std::optional<double>& d) {
    values_.push_back(d ? std::optional<std::string>(fmt::format("{}", *d)) : std::nullopt);
    return *this;
  }
  Params& Value(const model::Value& v) {
    Real(v.HasNumber() ? std::optional<double>(v.number) : std::nullopt);
    return Text(StatusCode(v.status));
  }
  pqxx::result Run(pqxx::transaction_base& tx, const std::string& sql) const {
    std::vector<const char*> pointers;
    pointers.reserve(values_.size());
    for (const auto& v : values_) pointers.push_back(v ? v->c_str() : nullptr);
    return tx.exec_params(sql, pqxx::prepare::make_dynamic_params(pointers));
  }

 private:
  std::vector<std::optional<std::string>> values_;
};

std::string Text(const pqxx::field& f) { return f.is_null() ? std::string() : std::string(f.c_str(), f.size()); }
std::optional<std::string> OptionalText(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional<std::string>(Text(f));
}
std::optional<double> OptionalReal(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  double d = 0;
  const char* begin = f.c_str();
  const char* end = begin + f.size();
  auto [ptr, ec] = std::from_chars(begin, end, d);
  if (ec != std::errc() || ptr != end) throw Error::Storage(fmt::format("database holds a bad number '{}'", begin));
  return d;
}
std::int64_t Int(const pqxx::field& f) {
  std::int64_t n = 0;
  const char* begin = f.c_str();
  auto [ptr, ec] = std::from_chars(begin, begin + f.size(), n);
  if (ec != std::errc() || ptr != begin + f.size()) {
    throw Error::Storage(fmt::format("database holds a bad integer '{}'", begin));
  }
  return n;
}

model::Value ReadValue(const pqxx::row& r, int c) {
  model::Value v = model::Value::Missing(StatusFromCode(Text(r[c + 1])));
  if (auto n = OptionalReal(r[c])) v.number = *n;
  return v;
}

// $1..$22 in the order of kProjectColumnsSql.
Params ProjectParams(const Project& p) {
  Params q;
  q.Text(p.id).Text(p.name).Text(p.mineral).Text(Name(p.stage)).Text(p.country);
  q.Value(p.capacity_t).Text(p.capacity_basis).Value(p.capex_musd).Value(p.opex_musd_per_year);
  q.Text(p.first_output.empty() ? std::optional<std::string>() : std::optional<std::string>(p.first_output));
  q.Text(Name(p.development_stage)).Text(Name(p.status)).Text(*invest::GetField(p, "sponsors"));
  q.Value(p.esg_score).Text(p.esg_notes).Text(p.source).Text(p.url).Text(p.assumptions);
  return q;
}

// Writes the confidential terms of a stored project (their columns are not in the INSERT).
void WriteConfidential(pqxx::transaction_base& tx, const Project& p) {
  const auto& c = p.confidential;
  if (c.withheld) throw Error::Internal("a project with withheld confidential terms cannot be stored");
  Params q;
  q.Text(p.id).Text(c.owner).Value(c.committed_musd).Text(c.instrument).Value(c.rate_pct).Value(c.tenor_years);
  q.Text(c.offtake).Text(c.notes);
  q.Run(tx,
        "UPDATE projects SET confidential_owner = $2, financing_committed_musd = $3, financing_committed_musd_status = "
        "$4, financing_instrument = $5, financing_rate_pct = $6, financing_rate_pct_status = $7, "
        "financing_tenor_years = $8, financing_tenor_years_status = $9, offtake = $10, partner_notes = $11 "
        "WHERE id = $1");
}

Project ReadProject(const pqxx::row& r) {
  Project p;
  p.id = Text(r[0]);
  p.name = Text(r[1]);
  p.mineral = Text(r[2]);
  auto stage = Text(r[3]);
  p.stage = ReadEnum(invest::ParseStage(stage), stage, "stage");
  p.country = Text(r[4]);
  p.capacity_t = ReadValue(r, 5);
  p.capacity_basis = Text(r[7]);
  p.capex_musd = ReadValue(r, 8);
  p.opex_musd_per_year = ReadValue(r, 10);
  p.first_output = OptionalText(r[12]).value_or("");
  auto dev = Text(r[13]);
  p.development_stage = ReadEnum(invest::ParseDevelopmentStage(dev), dev, "development stage");
  auto status = Text(r[14]);
  p.status = ReadEnum(invest::ParseStatus(status), status, "status");
  invest::SetField(p, "sponsors", Text(r[15]), invest::ReferenceCodes{});
  p.esg_score = ReadValue(r, 16);
  p.esg_notes = Text(r[18]);
  p.source = Text(r[19]);
  p.url = Text(r[20]);
  p.assumptions = Text(r[21]);
  // The confidential terms: columns of kConfidentialColumnsSql after kProjectColumnsSql.
  const int c0 = kConfidentialFirstColumn;
  auto& c = p.confidential;
  c.owner = Text(r[c0]);
  c.committed_musd = ReadValue(r, c0 + 1);
  c.instrument = Text(r[c0 + 3]);
  c.rate_pct = ReadValue(r, c0 + 4);
  c.tenor_years = ReadValue(r, c0 + 6);
  c.offtake = Text(r[c0 + 8]);
  c.notes = Text(r[c0 + 9]);
  return p;
}

CapitalLine ReadLine(const pqxx::row& r, int c) {
  CapitalLine l;
  auto instrument = Text(r[c]);
  l.instrument = ReadEnum(invest::ParseInstrument(instrument), instrument, "instrument");
  auto funder = Text(r[c + 1]);
  l.funder = ReadEnum(invest::ParseFunder(funder), funder, "funder");
  l.amount_musd = ReadValue(r, c + 2);
  l.closing_date = Text(r[c + 4]);
  l.source = Text(r[c + 5]);
  l.note = Text(r[c + 6]);
  return l;
}

AuditEntry ReadAudit(const pqxx::row& r) {
  AuditEntry e;
  e.id = Int(r[0]);
  e.at = Text(r[1]);
  e.actor = Text(r[2]);
  e.action = Text(r[3]);
  e.project_id = Text(r[4]);
  e.field = OptionalText(r[5]);
  e.old_value = OptionalText(r[6]);
  e.new_value = OptionalText(r[7]);
  e.reason = Text(r[8]);
  return e;
}

constexpr const char* kAuditColumnsSql = "id, at, actor, action, project_id, field, old_value, new_value, reason";

// `lock`: inside a write, the project's row is locked until the transaction ends.
std::optional<Project> LoadProject(pqxx::transaction_base& tx, std::string_view id, bool lock) {
  auto rows = Params().Text(id).Run(tx, fmt::format("SELECT {}, {} FROM projects WHERE id = $1{}", kProjectColumnsSql,
                                                    kConfidentialColumnsSql, lock ? " FOR UPDATE" : ""));
  if (rows.empty()) return std::nullopt;
  Project p = ReadProject(rows[0]);
  auto lines = Params().Text(id).Run(
      tx,
      "SELECT instrument, funder, amount_musd, amount_status, closing_date, source, note FROM capital_stack "
      "WHERE project = $1 ORDER BY position");
  for (const auto& r : lines) p.capital_stack.push_back(ReadLine(r, 0));
  return p;
}

// A read-only transaction over one snapshot of the database.
void BeginSnapshot(pqxx::transaction_base& tx) {
  tx.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
}

std::int64_t CountRows(pqxx::transaction_base& tx, const char* sql) { return Int(tx.exec(sql)[0][0]); }

class PostgresWrite final : public invest::ProjectWrite {
 public:
  explicit PostgresWrite(pqxx::transaction_base& tx) : tx_(tx) {}

  std::optional<Project> Load(std::string_view id) override { return LoadProject(tx_, id, true); }

  void Insert(const Project& p, std::string_view at) override {
    if (LoadProject(tx_, p.id, true)) throw Error::Conflict(fmt::format("project '{}' already exists", p.id));
    auto q = ProjectParams(p);
    q.Text(at);
    q.Run(tx_, fmt::format("INSERT INTO projects({}, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                           "$9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $23)",
                           kProjectColumnsSql));
    WriteConfidential(tx_, p);
    WriteStack(p);
  }

  void Update(const Project& before, const Project& after, std::string_view at) override {
    if (before.id != after.id) throw Error::Internal("a project update cannot change its id");
    auto current = LoadProject(tx_, before.id, true);
    if (!current) throw Error::NotFound(fmt::format("no project '{}' in the registry", before.id));
    if (*current != before) {
      throw Error::Conflict(fmt::format("project '{}' was changed by someone else meanwhile", before.id));
    }
    auto q = ProjectParams(after);
    q.Text(at);
    q.Run(tx_,
          "UPDATE projects SET name = $2, mineral = $3, stage = $4, country = $5, capacity_t = $6, "
          "capacity_t_status = $7, capacity_basis = $8, capex_musd = $9, capex_musd_status = $10, "
          "opex_musd_per_year = $11, opex_musd_per_year_status = $12, first_output = $13, development_stage = $14, "
          "status = $15, sponsors = $16, esg_score = $17, esg_score_status = $18, esg_notes = $19, source = $20, "
          "url = $21, assumptions = $22, updated_at = $23 WHERE id = $1");
    WriteConfidential(tx_, after);
    if (before.capital_stack != after.capital_stack) {
      Params().Text(after.id).Run(tx_, "DELETE FROM capital_stack WHERE project = $1");
      WriteStack(after);
    }
  }

  void Remove(std::string_view id) override {
    if (!LoadProject(tx_, id, true)) throw Error::NotFound(fmt::format("no project '{}' in the registry", id));
    Params().Text(id).Run(tx_, "DELETE FROM projects WHERE id = $1");
  }

  void Append(const AuditEntry& e) override {
    Params q;
    q.Text(e.at).Text(e.actor).Text(e.action).Text(e.project_id).Text(e.field).Text(e.old_value);
    q.Text(e.new_value).Text(e.reason);
    q.Run(tx_,
          "INSERT INTO audit_log(at, actor, action, project_id, field, old_value, new_value, reason) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
  }

  // Restores one audit row with its id (into an empty log).
  void AppendWithId(const AuditEntry& e) {
    Params q;
    q.Int(e.id).Text(e.at).Text(e.actor).Text(e.action).Text(e.project_id).Text(e.field).Text(e.old_value);
    q.Text(e.new_value).Text(e.reason);
    q.Run(tx_,
          "INSERT INTO audit_log(id, at, actor, action, project_id, field, old_value, new_value, reason) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
  }

 private:
  void WriteStack(const Project& p) {
    for (std::size_t i = 0; i < p.capital_stack.size(); ++i) {
      const auto& l = p.capital_stack[i];
      Params q;
      q.Text(p.id).Int(static_cast<std::int64_t>(i)).Text(Name(l.instrument)).Text(Name(l.funder));
      q.Value(l.amount_musd).Text(l.closing_date).Text(l.source).Text(l.note);
      q.Run(tx_,
            "INSERT INTO capital_stack(project, position, instrument, funder, amount_musd, amount_status, "
            "closing_date, source, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
    }
  }

  pqxx::transaction_base& tx_;
};

// Applies the migrations the database lacks, each in its own transaction under the write lock
// (another process opening the same database at once waits, then finds them applied).
void Migrate(pqxx::connection& conn, const std::string& where) {
  const auto& migrations = PostgresMigrations();
  const int known = migrations.back().version;
  auto have_version = [](pqxx::transaction_base& tx) {
    tx.exec(kWriteLockSql);
    tx.exec(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)");
    return static_cast<int>(Int(tx.exec("SELECT coalesce(max(version), 0) FROM schema_version")[0][0]));
  };
  int have = 0;
  {
    pqxx::work tx(conn);
    have = have_version(tx);
    tx.commit();
  }
  if (have > known) {
    throw Error::Storage(
        fmt::format("{}: database schema version {} is newer than this program knows ({}); use a newer lodestone",
                    where, have, known));
  }
  for (const auto& m : migrations) {
    if (m.version <= have) continue;
    pqxx::work tx(conn);
    if (have_version(tx) >= m.version) continue;
    tx.exec(m.sql);
    Params()
        .Int(m.version)
        .Text(m.description)
        .Run(tx,
             "INSERT INTO schema_version(version, description, applied_at) "
             "VALUES ($1, $2, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))");
    tx.commit();
  }
}

}  // namespace

struct PostgresProjectStore::Impl {
  std::string location;  // the URL without its password
  // One connection; reads are const for callers but use it.
  mutable std::unique_ptr<pqxx::connection> conn;
};

PostgresProjectStore::PostgresProjectStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PostgresProjectStore::~PostgresProjectStore() = default;

std::unique_ptr<PostgresProjectStore> PostgresProjectStore::Open(std::string_view url) {
  auto impl = std::make_unique<Impl>();
  impl->location = RedactUrl(url);
  const std::string where = impl->location;
  Guarded(where, [&] {
    try {
      impl->conn = std::make_unique<pqxx::connection>(std::string(url));
    } catch (const pqxx::broken_connection& e) {
      throw Error::Storage(fmt::format("{}: cannot connect to PostgreSQL: {}", where, Trimmed(e.what())));
    }
    Migrate(*impl->conn, where);
  });
  return std::unique_ptr<PostgresProjectStore>(new PostgresProjectStore(std::move(impl)));
}

std::string PostgresProjectStore::Location() const { return impl_->location; }

std::optional<Project> PostgresProjectStore::Get(std::string_view id) const {
  return Guarded(impl_->location, [&] {
    pqxx::work tx(*impl_->conn);
    BeginSnapshot(tx);
    auto p = LoadProject(tx, id, false);
    tx.commit();
    return p;
  });
}

std::vector<Project> PostgresProjectStore::List(const invest::ProjectFilter& filter) const {
  return Guarded(impl_->location, [&] {
    pqxx::work tx(*impl_->conn);
    BeginSnapshot(tx);  // projects and their capital stacks from one snapshot
    std::vector<Project> out;
    std::map<std::string, std::size_t, std::less<>> index;
    auto rows =
        Params()
            .Text(filter.mineral)
            .Text(filter.country)
            .Text(filter.stage)
            .Run(tx,
                 fmt::format("SELECT {}, {} FROM projects WHERE ($1::text = '' OR mineral = $1) AND ($2::text = '' OR "
                             "country = $2) AND ($3::text = '' OR stage = $3) ORDER BY id COLLATE \"C\"",
                             kProjectColumnsSql, kConfidentialColumnsSql));
    for (const auto& r : rows) {
      index.emplace(Text(r[0]), out.size());
      out.push_back(ReadProject(r));
    }
    auto lines = tx.exec(
        "SELECT project, instrument, funder, amount_musd, amount_status, closing_date, source, note "
        "FROM capital_stack ORDER BY project, position");
    for (const auto& r : lines) {
      if (auto it = index.find(Text(r[0])); it != index.end()) out[it->second].capital_stack.push_back(ReadLine(r, 1));
    }
    tx.commit();
    return out;
  });
}

std::vector<AuditEntry> PostgresProjectStore::History(std::string_view id) const {
  return Guarded(impl_->location, [&] {
    pqxx::work tx(*impl_->conn);
    BeginSnapshot(tx);
    auto rows = Params().Text(id).Run(
        tx, fmt::format("SELECT {} FROM audit_log WHERE project_id = $1 ORDER BY id", kAuditColumnsSql));
    std::vector<AuditEntry> out;
    for (const auto& r : rows) out.push_back(ReadAudit(r));
    tx.commit();
    return out;
  });
}

std::size_t PostgresProjectStore::Count() const {
  return Guarded(impl_->location, [&] {
    pqxx::work tx(*impl_->conn);
    BeginSnapshot(tx);
    auto n = CountRows(tx, "SELECT count(*) FROM projects");
    tx.commit();
    return static_cast<std::size_t>(n);
  });
}

void PostgresProjectStore::Write(const std::function<void(invest::ProjectWrite&)>& work) {
  Guarded(impl_->location, [&] {
    pqxx::work tx(*impl_->conn);
    tx.exec(kLockTimeoutSql);
    tx.exec(kWriteLockSql);  // writers one at a time, as SQLite's BEGIN IMMEDIATE
    PostgresWrite w(tx);
    work(w);
    tx.commit();
  });
}

int PostgresProjectStore::SchemaVersion() const {
  return Guarded(impl_->location, [&] {
    pqxx::work tx(*impl_->conn);
    auto v = Int(tx.exec("SELECT coalesce(max(version), 0) FROM schema_version")[0][0]);
    tx.commit();
    return static_cast<int>(v);
  });
}

RegistryDump PostgresProjectStore::Export() const {
  return Guarded(impl_->location, [&] {
    pqxx::work tx(*impl_->conn);
    BeginSnapshot(tx);
    RegistryDump out;
    auto ids = tx.exec("SELECT id, created_at, updated_at FROM projects ORDER BY id COLLATE \"C\"");
    for (const auto& r : ids) {
      auto p = LoadProject(tx, Text(r[0]), false);
      if (!p) throw Error::Internal("a project vanished inside a read snapshot");
      out.projects.push_back({std::move(*p), Text(r[1]), Text(r[2])});
    }
    for (const auto& r : tx.exec(fmt::format("SELECT {} FROM audit_log ORDER BY id", kAuditColumnsSql))) {
      out.audit.push_back(ReadAudit(r));
    }
    tx.commit();
    return out;
  });
}

void PostgresProjectStore::Restore(const RegistryDump& dump, bool replace) {
  Guarded(impl_->location, [&] {
    pqxx::work tx(*impl_->conn);
    tx.exec(kLockTimeoutSql);
    tx.exec(kWriteLockSql);
    const auto projects = CountRows(tx, "SELECT count(*) FROM projects");
    const auto audit = CountRows(tx, "SELECT count(*) FROM audit_log");
    if ((projects > 0 || audit > 0) && !replace) {
      throw Error::Conflict(
          fmt::format("{} is not empty ({} projects, {} audit rows); use --force to replace its "
                      "projects",
                      impl_->location, projects, audit));
    }
    tx.exec("DELETE FROM projects");  // capital stacks go with them (ON DELETE CASCADE)
    PostgresWrite w(tx);
    for (const auto& sp : dump.projects) {
      w.Insert(sp.project, sp.created_at);
      Params().Text(sp.project.id).Text(sp.updated_at).Run(tx, "UPDATE projects SET updated_at = $2 WHERE id = $1");
    }
    // Into an empty log the rows keep their ids (and the identity continues after them); after
    // existing rows they are numbered anew.
    for (const auto& e : dump.audit) {
      if (audit == 0) {
        w.AppendWithId(e);
      } else {
        w.Append(e);
      }
    }
    if (audit == 0 && !dump.audit.empty()) {
      tx.exec("SELECT setval(pg_get_serial_sequence('audit_log', 'id'), (SELECT max(id) FROM audit_log))");
    }
    tx.commit();
  });
}

void PostgresProjectStore::ExecRaw(std::string_view sql) {
  Guarded(impl_->location, [&] {
    pqxx::work tx(*impl_->conn);
    tx.exec(std::string(sql));
    tx.commit();
  });
}

}  // namespace lodestone::store
