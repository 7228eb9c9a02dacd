// `lodestone db`: the registry's database itself. `migrate` brings a SQLite file or a PostgreSQL
// database to this program's schema; `copy` moves a whole registry (projects, capital stacks,
// audit log) from one store to another in one transaction on the target.
#include <fmt/format.h>

#include <iostream>

#include "commands.hpp"
#include "lodestone/store/registry_store.hpp"

namespace lodestone::cli {

namespace {

// --db, else $LODESTONE_DB, else lodestone.db in the current directory (as `projects`).
std::string DatabaseUrl(const std::string& given) {
  WorkspaceArgs wa;
  wa.database = given;
  auto paths = ResolvePaths(wa);
  return paths.database.empty() ? std::string("lodestone.db") : paths.database.string();
}

int MigrateCommand(const std::string& db, Format format) {
  const auto r = store::MigrateRegistry(DatabaseUrl(db));
  if (format == Format::Json) {
    std::cout << store::ToJsonText(r);
  } else {
    std::cout << fmt::format("{} ({}) is at schema version {}; {} project(s)\n", r.database, r.backend,
                             r.schema_version, r.projects);
  }
  return 0;
}

int CopyCommand(const std::string& from, const std::string& to, bool force, Format format) {
  const auto r = store::CopyRegistry(from, to, force);
  if (format == Format::Json) {
    std::cout << store::ToJsonText(r);
  } else {
    std::cout << fmt::format("copied {} project(s), {} capital-stack line(s) and {} audit row(s) from {} to {}\n",
                             r.projects, r.capital_lines, r.audit_rows, r.from, r.to);
  }
  return 0;
}

}  // namespace

void AddDbCommands(CLI::App& app, int& exit_code) {
  auto* db =
      app.add_subcommand("db", "The project registry's database: migrate it, copy it between SQLite and PostgreSQL");
  db->require_subcommand(1);
  {
    auto* cmd = db->add_subcommand("migrate", "Create the registry's tables or bring them to this program's schema");
    static std::string url;
    static Format format = Format::Table;
    cmd->add_option("--db", url,
                    "A file, sqlite:PATH or postgresql://... (default: $LODESTONE_DB, else lodestone.db in the current "
                    "directory)");
    AddFormatOption(cmd, format);
    cmd->callback([&exit_code] { exit_code = RunGuarded([] { return MigrateCommand(url, format); }); });
  }
  {
    auto* cmd = db->add_subcommand(
        "copy", "Copy every project, capital stack and audit row to another database, in one transaction there");
    static std::string from, to;
    static bool force = false;
    static Format format = Format::Table;
    cmd->add_option("--from", from, "Source: a file, sqlite:PATH or postgresql://...")->required();
    cmd->add_option("--to", to, "Target (created and migrated if needed); must be empty unless --force")->required();
    cmd->add_flag("--force", force,
                  "Copy into a non-empty target: its projects are replaced, the copied audit rows are appended after "
                  "its own (an audit log is never deleted)");
    AddFormatOption(cmd, format);
    cmd->callback([&exit_code] { exit_code = RunGuarded([] { return CopyCommand(from, to, force, format); }); });
  }
}

}  // namespace lodestone::cli
