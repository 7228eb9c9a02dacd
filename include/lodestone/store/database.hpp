// The embedded database: one SQLite file, opened in WAL mode with foreign keys on and a busy
// timeout, created and migrated by the program itself. SQLite's own types stay out of this
// header; callers see a connection, prepared statements and transactions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lodestone::store {

// Every operation throws lodestone::Error: Conflict when a uniqueness or check rule of the schema
// is broken, Storage for anything else (cannot open, locked, I/O, not a database, schema newer
// than this program); the current operation is aborted.

// One step of the schema: applied in order, each in its own transaction, and recorded in
// `schema_version`. A migration is never edited once shipped; a change is a new migration.
struct Migration {
  int version = 0;
  std::string description;
  std::string sql;
};

// The schema of this program's database (projects, capital stack, audit log), in order.
const std::vector<Migration>& Migrations();

class Statement {
 public:
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
  ~Statement();

  // Parameters are 1-based, as in SQL ("?1").
  Statement& BindNull(int index);
  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, double value);
  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, const std::string& text) { return Bind(index, std::string_view(text)); }
  Statement& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Statement& Bind(int index, const std::optional<double>& value);
  Statement& Bind(int index, const std::optional<std::string>& text);

  // Runs the statement; true while it yields a row, false when done. Throws lodestone::Error.
  bool Step();
  // Runs a statement that yields no rows.
  void Run();
  // Makes the statement ready to run again with new parameters.
  void Reset();

  // Columns are 0-based.
  bool IsNull(int column) const;
  std::int64_t Int(int column) const;
  double Real(int column) const;
  std::string Text(int column) const;
  std::optional<double> OptionalReal(int column) const;
  std::optional<std::string> OptionalText(int column) const;

 private:
  friend class Database;
  struct Impl;
  explicit Statement(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class Database;

// BEGIN IMMEDIATE on construction (the write lock is taken at once, so two writers never
// interleave); ROLLBACK on destruction unless Commit() was called.
class Transaction {
 public:
  explicit Transaction(Database& db);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void Commit();

 private:
  Database* db_;
  bool done_ = false;
};

class Database {
 public:
  // Opens (creating if absent) and migrates the database at `path` to the latest schema of
  // `migrations`. Throws lodestone::Error when the file cannot be opened, is not a database, or
  // records a schema version newer than the last migration known here.
  static Database Open(const std::filesystem::path& path);
  static Database Open(const std::filesystem::path& path, const std::vector<Migration>& migrations);

  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  ~Database();

  // Runs one or more SQL statements that return no rows. Throws lodestone::Error.
  void Exec(std::string_view sql);
  Statement Prepare(std::string_view sql);
  // Highest version recorded in schema_version (0 for an empty database).
  int SchemaVersion();
  // "ok", or SQLite's list of problems, from PRAGMA integrity_check.
  std::string IntegrityCheck();
  std::string JournalMode();
  bool ForeignKeysOn();
  const std::filesystem::path& path() const;

 private:
  struct Impl;
  explicit Database(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lodestone::store
