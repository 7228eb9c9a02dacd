// SQLite behind the store::Database facade: opening, pragmas, migrations, statements.
#include "lodestone/store/database.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <limits>

#include "lodestone/model/error.hpp"

namespace lodestone::store {

namespace {

// A writer waits this long for another connection's lock before giving up with "database is locked".
constexpr int kBusyTimeoutMs = 5000;

std::string ErrorText(sqlite3* db, std::string_view what) {
  return fmt::format("{}: {}", what, db ? sqlite3_errmsg(db) : "out of memory");
}

// A failed SQLite call as an Error: a broken uniqueness or check rule is a Conflict, anything
// else (I/O, locked, corrupt, misuse) a Storage failure.
Error StoreFailure(sqlite3* db, int rc, std::string message) {
  if ((rc & 0xff) == SQLITE_CONSTRAINT) return Error::Conflict(std::move(message));
  (void)db;
  return Error::Storage(std::move(message));
}

}  // namespace

// ---------------------------------------------------------------- Statement

struct Statement::Impl {
  sqlite3* db = nullptr;
  sqlite3_stmt* stmt = nullptr;
  ~Impl() { sqlite3_finalize(stmt); }
  void Check(int rc, std::string_view what) const {
    if (rc != SQLITE_OK) throw StoreFailure(db, rc, ErrorText(db, what));
  }
};

Statement::Statement(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Statement::Statement(Statement&&) noexcept = default;
Statement& Statement::operator=(Statement&&) noexcept = default;
Statement::~Statement() = default;

Statement& Statement::BindNull(int index) {
  impl_->Check(sqlite3_bind_null(impl_->stmt, index), "bind");
  return *this;
}
Statement& Statement::Bind(int index, std::int64_t value) {
  impl_->Check(sqlite3_bind_int64(impl_->stmt, index, value), "bind");
  return *this;
}
Statement& Statement::Bind(int index, double value) {
  impl_->Check(sqlite3_bind_double(impl_->stmt, index, value), "bind");
  return *this;
}
Statement& Statement::Bind(int index, std::string_view text) {
  impl_->Check(sqlite3_bind_text64(impl_->stmt, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
               "bind");
  return *this;
}
Statement& Statement::Bind(int index, const std::optional<double>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}
Statement& Statement::Bind(int index, const std::optional<std::string>& text) {
  return text ? Bind(index, std::string_view(*text)) : BindNull(index);
}

bool Statement::Step() {
  int rc = sqlite3_step(impl_->stmt);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string message = ErrorText(impl_->db, "statement failed");
  sqlite3_reset(impl_->stmt);
  throw StoreFailure(impl_->db, rc, message);
}

void Statement::Run() {
  while (Step()) {
  }
  Reset();
}

void Statement::Reset() {
  sqlite3_reset(impl_->stmt);
  sqlite3_clear_bindings(impl_->stmt);
}

bool Statement::IsNull(int column) const { return sqlite3_column_type(impl_->stmt, column) == SQLITE_NULL; }
std::int64_t Statement::Int(int column) const { return sqlite3_column_int64(impl_->stmt, column); }
double Statement::Real(int column) const { return sqlite3_column_double(impl_->stmt, column); }
std::string Statement::Text(int column) const {
  const auto* p = sqlite3_column_text(impl_->stmt, column);
  int n = sqlite3_column_bytes(impl_->stmt, column);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}
std::optional<double> Statement::OptionalReal(int column) const {
  return IsNull(column) ? std::nullopt : std::optional<double>(Real(column));
}
std::optional<std::string> Statement::OptionalText(int column) const {
  return IsNull(column) ? std::nullopt : std::optional<std::string>(Text(column));
}

// ---------------------------------------------------------------- Transaction

Transaction::Transaction(Database& db) : db_(&db) { db_->Exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (done_) return;
  try {
    db_->Exec("ROLLBACK");
  } catch (const Error&) {
    // SQLite may already have rolled back (e.g. after an I/O error); nothing more can be done here.
  }
}

void Transaction::Commit() {
  db_->Exec("COMMIT");
  done_ = true;
}

// ---------------------------------------------------------------- Database

struct Database::Impl {
  sqlite3* db = nullptr;
  std::filesystem::path path;
  ~Impl() { sqlite3_close_v2(db); }
};

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;
Database::~Database() = default;

const std::filesystem::path& Database::path() const { return impl_->path; }

void Database::Exec(std::string_view sql) {
  char* err = nullptr;
  std::string text(sql);
  int rc = sqlite3_exec(impl_->db, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string message = err ? err : sqlite3_errmsg(impl_->db);
    sqlite3_free(err);
    throw StoreFailure(impl_->db, rc, fmt::format("{}: {}", impl_->path.string(), message));
  }
}

Statement Database::Prepare(std::string_view sql) {
  auto impl = std::make_unique<Statement::Impl>();
  impl->db = impl_->db;
  if (sql.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw Error::Internal("statement too long");
  int rc = sqlite3_prepare_v2(impl_->db, sql.data(), static_cast<int>(sql.size()), &impl->stmt, nullptr);
  if (rc != SQLITE_OK) throw StoreFailure(impl_->db, rc, ErrorText(impl_->db, fmt::format("cannot prepare '{}'", sql)));
  return Statement(std::move(impl));
}

int Database::SchemaVersion() {
  auto exists = Prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
  exists.Step();
  if (exists.Int(0) == 0) return 0;
  auto st = Prepare("SELECT coalesce(max(version), 0) FROM schema_version");
  st.Step();
  return static_cast<int>(st.Int(0));
}

std::string Database::IntegrityCheck() {
  auto st = Prepare("PRAGMA integrity_check");
  std::string out;
  while (st.Step()) out += (out.empty() ? "" : "\n") + st.Text(0);
  return out;
}

std::string Database::JournalMode() {
  auto st = Prepare("PRAGMA journal_mode");
  st.Step();
  return st.Text(0);
}

bool Database::ForeignKeysOn() {
  auto st = Prepare("PRAGMA foreign_keys");
  st.Step();
  return st.Int(0) == 1;
}

Database Database::Open(const std::filesystem::path& path) { return Open(path, Migrations()); }

Database Database::Open(const std::filesystem::path& path, const std::vector<Migration>& migrations) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  int rc = sqlite3_open_v2(path.c_str(), &impl->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    throw Error::Storage(fmt::format("{}: cannot open database: {}", path.string(),
                                     impl->db ? sqlite3_errmsg(impl->db) : "out of memory"));
  }
  sqlite3_extended_result_codes(impl->db, 1);
  sqlite3_busy_timeout(impl->db, kBusyTimeoutMs);
  Database db(std::move(impl));
  try {
    // journal_mode=WAL is persistent in the file; synchronous=FULL makes each commit durable
    // (in WAL mode NORMAL could lose the last commits on power loss, never consistency).
    auto mode = db.Prepare("PRAGMA journal_mode = WAL");
    mode.Step();
    std::string got = mode.Text(0);
    if (got != "wal")
      throw Error::Storage(fmt::format("{}: cannot switch to WAL journal (got '{}')", path.string(), got));
    db.Exec("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;");
    db.Exec(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)");
  } catch (const Error& e) {
    std::string what = e.what();
    if (what.find("not a database") != std::string::npos || what.find("file is not") != std::string::npos) {
      throw Error::Storage(fmt::format("{}: not a Lodestone database (SQLite: file is not a database)", path.string()));
    }
    throw;
  }
  int known = migrations.empty() ? 0 : migrations.back().version;
  int have = db.SchemaVersion();
  if (have > known) {
    throw Error::Storage(
        fmt::format("{}: database schema version {} is newer than this program knows ({}); use a newer lodestone",
                    path.string(), have, known));
  }
  int previous = 0;
  for (const auto& m : migrations) {
    if (m.version <= previous) throw Error::Internal("migrations out of order");
    previous = m.version;
    if (m.version <= have) continue;
    Transaction tx(db);
    // Another process may have migrated while this one waited for the lock.
    if (db.SchemaVersion() >= m.version) continue;
    db.Exec(m.sql);
    auto rec = db.Prepare(
        "INSERT INTO schema_version(version, description, applied_at) "
        "VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
    rec.Bind(1, static_cast<std::int64_t>(m.version)).Bind(2, m.description).Run();
    tx.Commit();
  }
  return db;
}

}  // namespace lodestone::store
