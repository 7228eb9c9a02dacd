// The project store in the embedded SQLite database: the schema of projects, capital stacks and
// the append-only audit log (store::Migrations) and every SQL statement the registry needs.
#pragma once

#include <filesystem>
#include <memory>

#include "lodestone/store/database.hpp"
#include "lodestone/store/registry_store.hpp"

namespace lodestone::store {

class SqliteProjectStore final : public RegistryStore {
 public:
  // Over an open database (migrated by Database::Open), which must outlive the store.
  explicit SqliteProjectStore(Database& db);
  // Opens (creating and migrating if needed) the database file and owns it.
  static std::unique_ptr<SqliteProjectStore> Open(const std::filesystem::path& path);
  ~SqliteProjectStore() override;

  std::string Location() const override;
  std::optional<invest::Project> Get(std::string_view id) const override;
  std::vector<invest::Project> List(const invest::ProjectFilter& filter) const override;
  std::vector<invest::AuditEntry> History(std::string_view id) const override;
  std::size_t Count() const override;
  void Write(const std::function<void(invest::ProjectWrite&)>& work) override;

  std::string Backend() const override { return "sqlite"; }
  int SchemaVersion() const override;
  RegistryDump Export() const override;
  void Restore(const RegistryDump& dump, bool replace) override;

  Database& database() { return *db_; }

 private:
  std::unique_ptr<Database> owned_;
  Database* db_;
};

}  // namespace lodestone::store
