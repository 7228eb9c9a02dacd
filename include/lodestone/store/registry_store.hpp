// The registry's store chosen at run time from a URL: the embedded SQLite file or a PostgreSQL
// server, both behind invest::ProjectStore with the same schema version. Also what moving a
// registry between two stores needs: a whole export (projects with their dates, the audit log
// with its ids) and a restore in one transaction on the target.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lodestone/invest/project_store.hpp"

namespace lodestone::store {

// One stored project with the dates the store keeps beside it.
struct StoredProject {
  invest::Project project;
  std::string created_at;
  std::string updated_at;
};

// Everything a registry holds, as read in one snapshot: projects ordered by id, the audit log
// ordered by id.
struct RegistryDump {
  std::vector<StoredProject> projects;
  std::vector<invest::AuditEntry> audit;
};

class RegistryStore : public invest::ProjectStore {
 public:
  // "sqlite" or "postgresql".
  virtual std::string Backend() const = 0;
  // Highest schema version applied to the store (the last migration once opened).
  virtual int SchemaVersion() const = 0;
  virtual RegistryDump Export() const = 0;
  // Writes `dump` in one transaction. An empty target (no project, no audit row) receives the
  // audit rows with their ids. A non-empty target is refused with Conflict unless `replace`:
  // then its projects are deleted and replaced, and the dump's audit rows are appended after the
  // target's own (which are never deleted), with new ids in the same order.
  virtual void Restore(const RegistryDump& dump, bool replace) = 0;
};

// Opens (creating and migrating to the latest schema if needed) the store named by `url`:
//   "postgresql://..." or "postgres://..."  a PostgreSQL database (libpq connection URI);
//   "sqlite:PATH"                           a SQLite file;
//   anything else without a scheme          a SQLite file at that path.
// InvalidRequest for an unknown scheme or for PostgreSQL in a build without it; Storage when the
// store cannot be opened or its schema is newer than this program.
std::unique_ptr<RegistryStore> OpenProjectStore(std::string_view url);

// The file a SQLite URL or plain path names; InvalidRequest for another scheme.
std::filesystem::path SqlitePath(std::string_view url);
// True when `url` names a PostgreSQL database.
bool IsPostgresUrl(std::string_view url);
// Whether this build can open PostgreSQL stores.
bool PostgresSupported();
// `url` with any password replaced by "***", for messages and Location().
std::string RedactUrl(std::string_view url);

struct CopyReport {
  std::string from;  // locations, passwords redacted
  std::string to;
  std::size_t projects = 0;
  std::size_t capital_lines = 0;
  std::size_t audit_rows = 0;
  int schema_version = 0;
};

// Copies every project, its capital stack and dates, and the whole audit log from one store to
// another (see RegistryStore::Restore for `replace`), in one transaction on the target.
CopyReport CopyRegistry(std::string_view from_url, std::string_view to_url, bool replace);

struct MigrateReport {
  std::string database;  // location, password redacted
  std::string backend;
  int schema_version = 0;
  std::size_t projects = 0;
};

// Opens the store at `url`, which applies every pending migration, and says where it stands.
MigrateReport MigrateRegistry(std::string_view url);

// {"from", "to", "projects", "capital_lines", "audit_rows", "schema_version"}
std::string ToJsonText(const CopyReport& report);
// {"database", "backend", "schema_version", "projects"}
std::string ToJsonText(const MigrateReport& report);

}  // namespace lodestone::store
