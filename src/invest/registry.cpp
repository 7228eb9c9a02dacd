// The project registry: validation and the audit of every field change, over a ProjectStore.
#include "lodestone/invest/registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>

#include "lodestone/model/error.hpp"

namespace lodestone::invest {

namespace {

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

bool IsConfidentialField(const std::string& f) {
  const auto& c = ConfidentialFields();
  return std::find(c.begin(), c.end(), f) != c.end();
}

// A field's text in a project without any value (no confidential terms).
std::string EmptyText(const std::string& f) {
  static const Project kEmpty;
  return *GetField(kEmpty, f);
}

// Who, when and why of one write; appends one audit row per changed field.
class Auditor {
 public:
  Auditor(std::string actor, std::string reason)
      : actor_(std::move(actor)), reason_(std::move(reason)), now_(NowUtc()) {
    if (actor_.empty()) throw Error::InvalidRequest("the actor of a change must not be empty");
  }
  const std::string& now() const { return now_; }

  // One row per field that differs between `before` and `after` (all fields of a new or deleted
  // project). Returns the number of rows written.
  std::size_t Audit(ProjectWrite& w, std::string_view action, const std::string& id,
                    const std::optional<Project>& before, const std::optional<Project>& after) const {
    std::size_t n = 0;
    for (const auto& f : AuditedFields()) {
      std::optional<std::string> old_value = before ? GetField(*before, f) : std::nullopt;
      std::optional<std::string> new_value = after ? GetField(*after, f) : std::nullopt;
      if (old_value == new_value) continue;
      // A project without confidential terms logs none: their empty values are not recorded at
      // insert and delete, so registries without partners keep the audit they had.
      if ((!before || !after) && IsConfidentialField(f) && (old_value ? *old_value : *new_value) == EmptyText(f)) {
        continue;
      }
      AuditEntry e;
      e.at = now_;
      e.actor = actor_;
      e.action = std::string(action);
      e.project_id = id;
      e.field = f;
      e.old_value = std::move(old_value);
      e.new_value = std::move(new_value);
      e.reason = reason_;
      w.Append(e);
      ++n;
    }
    return n;
  }

 private:
  std::string actor_, reason_, now_;
};

Error ProblemsError(const std::string& label, const std::vector<std::string>& problems) {
  model::Diagnostics d;
  for (const auto& p : problems) d.Error("", 0, 0, fmt::format("{}: {}", label, p));
  return Error::InvalidData(std::move(d));
}

}  // namespace

Registry::Registry(ProjectStore& store, ReferenceCodes codes) : store_(&store), codes_(std::move(codes)) {}

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
  if (diags.HasErrors()) throw Error::InvalidData(std::move(diags));

  const Auditor auditor(std::string(actor), options.reason);
  ImportSummary summary;
  store_->Write([&](ProjectWrite& w) {
    summary = {};
    for (std::size_t i = 0; i < rows.size(); ++i) {
      auto before = w.Load(rows[i].id);
      // A row without confidential terms (projects.csv has none) keeps the stored project's.
      Project p = rows[i];
      if (before && p.confidential == ConfidentialTerms{}) p.confidential = before->confidential;
      if (!before) {
        w.Insert(p, auditor.now());
        summary.fields_changed += auditor.Audit(w, "import", p.id, std::nullopt, p);
        ++summary.inserted;
      } else if (*before == p) {
        ++summary.unchanged;
      } else {
        w.Update(*before, p, auditor.now());
        summary.fields_changed += auditor.Audit(w, "import", p.id, before, p);
        ++summary.updated;
      }
      if (options.on_written) options.on_written(i + 1);
    }
  });
  return summary;
}

void Registry::Add(const Project& project, std::string_view actor, std::string_view reason) {
  auto problems = CheckProject(project, codes_);
  if (!problems.empty()) throw ProblemsError(fmt::format("project '{}'", project.id), problems);
  const Auditor auditor{std::string(actor), std::string(reason)};
  store_->Write([&](ProjectWrite& w) {
    if (w.Load(project.id)) throw Error::Conflict(fmt::format("project '{}' already exists", project.id));
    w.Insert(project, auditor.now());
    auditor.Audit(w, "insert", project.id, std::nullopt, project);
  });
}

std::size_t Registry::Edit(std::string_view id, std::string_view field, std::string_view value, std::string_view actor,
                           std::string_view reason) {
  return Edit(id, {{std::string(field), std::string(value)}}, actor, reason);
}

std::size_t Registry::Edit(std::string_view id, const std::vector<std::pair<std::string, std::string>>& changes,
                           std::string_view actor, std::string_view reason) {
  if (changes.empty()) throw Error::InvalidRequest("nothing to change: give at least one field=value");
  const Auditor auditor{std::string(actor), std::string(reason)};
  std::size_t logged = 0;
  store_->Write([&](ProjectWrite& w) {
    logged = 0;
    auto before = w.Load(id);
    if (!before) throw Error::NotFound(fmt::format("no project '{}' in the registry", id));
    Project after = *before;
    std::vector<std::string> problems;
    for (const auto& [f, value] : changes) {
      if (f == "id") {
        problems.push_back("id cannot be edited (remove the project and add it under the new id)");
        continue;
      }
      if (auto e = SetField(after, f, value, codes_)) problems.push_back(fmt::format("{} '{}': {}", f, value, *e));
    }
    if (auto e = ConfidentialProblem(after)) problems.push_back(*e);
    if (!problems.empty()) throw ProblemsError(fmt::format("edit of '{}'", id), problems);
    if (after == *before) return;  // nothing changes, nothing is logged
    w.Update(*before, after, auditor.now());
    logged = auditor.Audit(w, "update", after.id, before, after);
  });
  return logged;
}

void Registry::Remove(std::string_view id, std::string_view actor, std::string_view reason) {
  const Auditor auditor{std::string(actor), std::string(reason)};
  store_->Write([&](ProjectWrite& w) {
    auto before = w.Load(id);
    if (!before) throw Error::NotFound(fmt::format("no project '{}' in the registry", id));
    w.Remove(id);
    auditor.Audit(w, "delete", before->id, before, std::nullopt);
  });
}

std::optional<Project> Registry::Get(std::string_view id) const { return store_->Get(id); }
std::vector<Project> Registry::List(const ProjectFilter& filter) const { return store_->List(filter); }
std::vector<Project> Registry::All() const { return List({}); }
std::vector<AuditEntry> Registry::History(std::string_view id) const { return store_->History(id); }
std::size_t Registry::Count() const { return store_->Count(); }
std::string Registry::Location() const { return store_->Location(); }

}  // namespace lodestone::invest
