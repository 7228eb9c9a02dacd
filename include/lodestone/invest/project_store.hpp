// Where the project registry keeps its projects and its audit log: an interface owned by invest,
// so that the registry's rules (validation, audit of every field change) do not depend on one
// database. store::SqliteProjectStore is the embedded adapter; another database (PostgreSQL) or a
// test double in memory can sit beside it. Every operation throws lodestone::Error: Storage when
// the store fails, Conflict when a write lost a race or breaks a uniqueness rule, NotFound for a
// missing project where one is required.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lodestone/invest/project.hpp"

namespace lodestone::invest {

struct ProjectFilter {
  std::string mineral;  // empty: any
  std::string country;
  std::string stage;
};

// One row of the audit log.
struct AuditEntry {
  std::int64_t id = 0;  // given by the store, increasing; ignored when appending
  std::string at;       // UTC, ISO 8601 with milliseconds
  std::string actor;
  std::string action;  // insert | update | delete | import
  std::string project_id;
  std::optional<std::string> field;
  std::optional<std::string> old_value;
  std::optional<std::string> new_value;
  std::string reason;
};

// A project's history as `viewer` may see it: for a viewer who may not see the confidential
// values of a project owned by `owner` (its current owner; empty when gone), the old and new
// values of confidential fields read kConfidentialText. The rows themselves stay (who changed
// what, when).
std::vector<AuditEntry> RedactHistory(std::vector<AuditEntry> entries, std::string_view owner, const Viewer& viewer);

// The operations of one write transaction. Valid only inside ProjectStore::Write.
class ProjectWrite {
 public:
  virtual ~ProjectWrite() = default;
  // The project with its capital stack, as seen inside the transaction.
  virtual std::optional<Project> Load(std::string_view id) = 0;
  // Conflict when the id exists.
  virtual void Insert(const Project& project, std::string_view at) = 0;
  // Replaces `before` by `after` (same id). Optimistic check: Conflict when the stored project is
  // no longer `before`; NotFound when it is gone.
  virtual void Update(const Project& before, const Project& after, std::string_view at) = 0;
  // Deletes the project and its capital stack; NotFound when absent.
  virtual void Remove(std::string_view id) = 0;
  // Appends one row to the audit log (rows are never changed or deleted).
  virtual void Append(const AuditEntry& entry) = 0;
};

class ProjectStore {
 public:
  virtual ~ProjectStore() = default;
  // Where the store is, for people (a database file, a connection name).
  virtual std::string Location() const = 0;

  // Reads; each is one consistent snapshot even while another connection writes.
  virtual std::optional<Project> Get(std::string_view id) const = 0;
  virtual std::vector<Project> List(const ProjectFilter& filter) const = 0;  // ordered by id
  virtual std::vector<AuditEntry> History(std::string_view id) const = 0;    // oldest first
  virtual std::size_t Count() const = 0;

  // Runs `work` in one transaction holding the write lock: everything it did is committed when it
  // returns and nothing when it throws (the exception is passed on).
  virtual void Write(const std::function<void(ProjectWrite&)>& work) = 0;
};

}  // namespace lodestone::invest
