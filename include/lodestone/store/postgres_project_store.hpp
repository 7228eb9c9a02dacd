// The project store in a PostgreSQL database, for a team sharing one registry: the same tables,
// checks and migration versions as the SQLite store (PostgresMigrations), the audit log
// append-only by triggers in the database, every write in one transaction that holds the
// registry's write lock (an advisory lock), so two writers never interleave and an edit is never
// lost. libpqxx stays out of this header.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lodestone/store/database.hpp"
#include "lodestone/store/registry_store.hpp"

namespace lodestone::store {

// The PostgreSQL dialect of Migrations(): the same versions and descriptions, in order.
const std::vector<Migration>& PostgresMigrations();

class PostgresProjectStore final : public RegistryStore {
 public:
  // Connects to `url` (a libpq connection URI) and migrates the database to the latest schema
  // (concurrent openers wait for each other). Storage when the server cannot be reached or the
  // schema is newer than this program.
  static std::unique_ptr<PostgresProjectStore> Open(std::string_view url);
  ~PostgresProjectStore() override;

  std::string Location() const override;
  std::optional<invest::Project> Get(std::string_view id) const override;
  std::vector<invest::Project> List(const invest::ProjectFilter& filter) const override;
  std::vector<invest::AuditEntry> History(std::string_view id) const override;
  std::size_t Count() const override;
  void Write(const std::function<void(invest::ProjectWrite&)>& work) override;

  std::string Backend() const override { return "postgresql"; }
  int SchemaVersion() const override;
  RegistryDump Export() const override;
  void Restore(const RegistryDump& dump, bool replace) override;

  // Runs SQL outside the registry's rules, in its own transaction (tests and administration).
  // Throws lodestone::Error as every other call.
  void ExecRaw(std::string_view sql);

 private:
  struct Impl;
  explicit PostgresProjectStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lodestone::store
