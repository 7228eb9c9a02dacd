// The project registry: projects of interest kept in the embedded database, with every change
// written to an append-only audit log. Imports and edits are single transactions: all or nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lodestone/invest/project.hpp"
#include "lodestone/store/database.hpp"

namespace lodestone::invest {

struct ProjectFilter {
  std::string mineral;  // empty: any
  std::string country;
  std::string stage;
};

// One row of audit_log.
struct AuditEntry {
  std::int64_t id = 0;
  std::string at;  // UTC, ISO 8601 with milliseconds
  std::string actor;
  std::string action;  // insert | update | delete | import
  std::string project_id;
  std::optional<std::string> field;
  std::optional<std::string> old_value;
  std::optional<std::string> new_value;
  std::string reason;
};

struct ImportOptions {
  std::string reason;
  // Called after each project is written, inside the transaction (progress reporting; tests use
  // it to interrupt a write half-way).
  std::function<void(std::size_t written)> on_written;
};

struct ImportSummary {
  std::size_t inserted = 0;
  std::size_t updated = 0;
  std::size_t unchanged = 0;
  std::size_t fields_changed = 0;  // audit rows written
};

// Who makes a change: the given name, else $LODESTONE_ACTOR, else the operating-system user.
std::string ResolveActor(std::string_view explicit_actor);

class Registry {
 public:
  // The database must stay open while the registry is used.
  explicit Registry(store::Database& db, const ReferenceCodes& codes = ReferenceCodes::Shipped());

  // Validates every row first (throws model::InputError listing every problem, nothing written),
  // then inserts new ids and updates existing ones in one transaction. Field-level changes go
  // to the audit log with action "import".
  ImportSummary Import(const std::vector<Project>& rows, std::string_view actor, const ImportOptions& options = {});
  // A new project (error if the id exists); audit action "insert", one row per field.
  void Add(const Project& project, std::string_view actor, std::string_view reason = {});
  // Sets one or several fields of a project in one transaction; audit action "update".
  void Edit(std::string_view id, std::string_view field, std::string_view value, std::string_view actor,
            std::string_view reason = {});
  void Edit(std::string_view id, const std::vector<std::pair<std::string, std::string>>& changes,
            std::string_view actor, std::string_view reason = {});
  // Deletes a project and its capital stack; audit action "delete" records the last values.
  void Remove(std::string_view id, std::string_view actor, std::string_view reason = {});

  std::optional<Project> Get(std::string_view id) const;
  std::vector<Project> List(const ProjectFilter& filter) const;  // ordered by id
  std::vector<Project> All() const;                              // ordered by id
  std::vector<AuditEntry> History(std::string_view id) const;    // oldest first
  std::size_t Count() const;

 private:
  store::Database* db_;
  ReferenceCodes codes_;
};

}  // namespace lodestone::invest
