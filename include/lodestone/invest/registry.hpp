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
#include "lodestone/invest/project_store.hpp"

namespace lodestone::invest {

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

class Registry {
 public:
  // The store must outlive the registry. `codes` are the mineral and country codes projects are
  // checked against. `actor` arguments must not be empty (InvalidRequest).
  Registry(ProjectStore& store, ReferenceCodes codes);

  // Validates every row first (throws lodestone::Error InvalidData listing every problem, nothing written),
  // then inserts new ids and updates existing ones in one transaction. Field-level changes go
  // to the audit log with action "import".
  ImportSummary Import(const std::vector<Project>& rows, std::string_view actor, const ImportOptions& options = {});
  // A new project (Conflict if the id exists); audit action "insert", one row per field.
  void Add(const Project& project, std::string_view actor, std::string_view reason = {});
  // Sets one or several fields of a project in one transaction; audit action "update". Returns the
  // number of field changes logged, counted inside that transaction (0 when nothing changes).
  // NotFound for an unknown id, InvalidData for a bad value.
  std::size_t Edit(std::string_view id, std::string_view field, std::string_view value, std::string_view actor,
                   std::string_view reason = {});
  std::size_t Edit(std::string_view id, const std::vector<std::pair<std::string, std::string>>& changes,
                   std::string_view actor, std::string_view reason = {});
  // Deletes a project and its capital stack; audit action "delete" records the last values.
  // NotFound for an unknown id.
  void Remove(std::string_view id, std::string_view actor, std::string_view reason = {});

  std::optional<Project> Get(std::string_view id) const;
  std::vector<Project> List(const ProjectFilter& filter) const;  // ordered by id
  std::vector<Project> All() const;                              // ordered by id
  std::vector<AuditEntry> History(std::string_view id) const;    // oldest first
  std::size_t Count() const;
  // Where the projects are kept (ProjectStore::Location).
  std::string Location() const;
  // The codes projects are checked against.
  const ReferenceCodes& codes() const { return codes_; }

 private:
  ProjectStore* store_;
  ReferenceCodes codes_;
};

}  // namespace lodestone::invest
