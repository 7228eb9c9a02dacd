// `lodestone projects`: the registry of projects of interest in the embedded database (import,
// list, show, add, edit, history, remove). Thin: every rule lives in invest::Registry.
#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "lodestone/invest/registry.hpp"
#include "lodestone/invest/serialize.hpp"
#include "lodestone/model/diagnostics.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/store/registry_store.hpp"

namespace lodestone::cli {

namespace {

constexpr const char* kSampleHint =
    "lodestone projects import data/projects/projects.csv --stack data/projects/capital_stack.csv";

struct Common {
  std::string db;
  std::string actor;
  std::string reason;
  Format format = Format::Table;
};

void AddCommon(CLI::App* cmd, Common& c, bool writes) {
  cmd->add_option("--db", c.db,
                  "Database: a file, sqlite:PATH or postgresql://... (default: $LODESTONE_DB, else lodestone.db in the "
                  "current directory)");
  if (writes) {
    cmd->add_option("--actor", c.actor, "Who makes the change (default: $LODESTONE_ACTOR, else the OS user)");
    cmd->add_option("--reason", c.reason, "Why: recorded in the audit log");
  }
  AddFormatOption(cmd, c.format);
}

// Who makes a change: --actor, else $LODESTONE_ACTOR, else the operating-system user.
std::string Actor(const Common& c) {
  if (!c.actor.empty()) return c.actor;
  if (const char* env = std::getenv("LODESTONE_ACTOR"); env && *env) return env;
  if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name && *pw->pw_name) return pw->pw_name;
  if (const char* user = std::getenv("USER"); user && *user) return user;
  return fmt::format("uid:{}", geteuid());
}

// The registry in the database of --db, else $LODESTONE_DB, else lodestone.db in the current
// directory (a SQLite file or a PostgreSQL URL); projects are checked against the reference codes
// of the workspace.
struct Opened {
  std::unique_ptr<store::RegistryStore> store;
  invest::Registry registry;
};

app::WorkspacePaths Paths(const Common& c) {
  WorkspaceArgs wa;
  wa.database = c.db;
  auto paths = ResolvePaths(wa);
  if (paths.database.empty()) paths.database = "lodestone.db";
  return paths;
}

Opened Open(const Common& c) {
  const auto paths = Paths(c);
  auto store = store::OpenProjectStore(paths.database.string());
  auto& s = *store;
  return Opened{std::move(store), invest::Registry(s, invest::ReferenceCodes::Load(paths.reference))};
}

void PrintJson(const app::Json& j) { std::cout << j.dump(2) << '\n'; }

std::string Shown(const model::Value& v) {
  if (v.IsKnown()) return Grouped(v.number, v.number < 10 && v.number != 0 ? 2 : 0);
  return model::DescribeValue(v);
}

std::string Cut(const std::string& s, std::size_t n) { return s.size() > n ? s.substr(0, n - 3) + "..." : s; }

int ImportCommand(const Common& c, const std::string& file, const std::string& stack) {
  auto o = Open(c);
  auto rows = invest::LoadProjectsCsvOrThrow(file, stack, o.registry.codes());  // every problem with file:line:column
  invest::ImportOptions options;
  options.reason = c.reason;
  invest::ImportReport r{o.registry.Location(), rows.size(), o.registry.Import(rows, Actor(c), options)};
  if (c.format == Format::Json) {
    PrintJson(invest::ToJson(r));
  } else {
    std::cout << fmt::format(
        "imported {} projects into {}: {} new, {} updated, {} unchanged; {} field changes logged\n", r.projects,
        r.database, r.summary.inserted, r.summary.updated, r.summary.unchanged, r.summary.fields_changed);
  }
  return 0;
}

int ListCommand(const Common& c, const invest::ProjectFilter& filter) {
  auto o = Open(c);
  auto projects = o.registry.List(filter);
  if (c.format == Format::Json) {
    PrintJson(invest::ToJson(projects));
  } else if (c.format == Format::Csv) {
    invest::WriteProjectsCsv(std::cout, projects);  // the import format: list --format csv exports
  } else if (projects.empty()) {
    if (o.registry.Count() == 0) {
      std::cout << fmt::format("The registry in {} is empty. Import the shipped sample with:\n  {}\n",
                               o.registry.Location(), kSampleHint);
    } else {
      std::cout << "No project matches the filter.\n";
    }
  } else {
    TextTable t{
        {"id", "mineral", "stage", "country", "capacity t/yr", "capex M USD", "first output", "development", "status"},
        {false, false, false, false, true, true, false, false, false},
        {}};
    for (const auto& p : projects) {
      t.rows.push_back({p.id, p.mineral, std::string(invest::Name(p.stage)), p.country, Shown(p.capacity_t),
                        Shown(p.capex_musd), p.first_output.empty() ? "not available" : p.first_output,
                        std::string(invest::Name(p.development_stage)), std::string(invest::Name(p.status))});
    }
    PrintTable(std::cout, t);
    std::cout << fmt::format("\n{} project(s) in {}\n", projects.size(), o.registry.Location());
  }
  if (projects.empty() && c.format != Format::Table && o.registry.Count() == 0) {
    std::cerr << "The registry is empty. Import the shipped sample with: " << kSampleHint << '\n';
  }
  return 0;
}

int ShowCommand(const Common& c, const std::string& id) {
  auto o = Open(c);
  auto p = o.registry.Get(id);
  if (!p) throw Error::NotFound(fmt::format("no project '{}' in {}", id, o.registry.Location()));
  if (c.format == Format::Json) {
    PrintJson(invest::ToJson(*p));
    return 0;
  }
  if (c.format == Format::Csv) {
    invest::WriteProjectsCsv(std::cout, {*p});
    return 0;
  }
  TextTable t{{"field", "value"}, {}, {}};
  for (const auto& f : invest::ProjectColumns()) t.rows.push_back({f, *invest::GetField(*p, f)});
  // The local user holds the database and sees every partner's confidential terms.
  const auto shown = invest::Redact(*p, invest::Viewer::Local());
  for (const auto& f : invest::ConfidentialFields()) t.rows.push_back({f, *invest::GetField(shown, f)});
  PrintTable(std::cout, t);
  std::cout << "\nCapital stack (million 2025 USD):\n";
  if (p->capital_stack.empty()) {
    std::cout << "  none recorded\n";
    return 0;
  }
  TextTable s{{"instrument", "funder", "amount", "closing", "note"}, {false, false, true, false, false}, {}};
  for (const auto& l : p->capital_stack) {
    s.rows.push_back({std::string(invest::Name(l.instrument)), std::string(invest::Name(l.funder)),
                      l.amount_musd.IsKnown() ? Grouped(l.amount_musd.number, 1) : model::DescribeValue(l.amount_musd),
                      l.closing_date, Cut(l.note, 80)});
  }
  PrintTable(std::cout, s);
  return 0;
}

int HistoryCommand(const Common& c, const std::string& id) {
  auto o = Open(c);
  auto entries = o.registry.History(id);
  if (entries.empty()) {
    throw Error::NotFound(fmt::format("no history for project '{}' in {}", id, o.registry.Location()));
  }
  if (c.format == Format::Json) {
    PrintJson(invest::ToJson(entries));
    return 0;
  }
  const auto rows = invest::ToCsv(entries);
  if (c.format == Format::Csv) {
    PrintCsv(std::cout, TextTable{rows.columns, {}, rows.rows});
    return 0;
  }
  TextTable t{rows.columns, {}, {}};
  for (const auto& e : entries) {
    auto cell = [&](const std::optional<std::string>& s) { return s ? Cut(*s, 40) : std::string("-"); };
    t.rows.push_back({e.at, e.actor, e.action, e.field.value_or(""), cell(e.old_value), cell(e.new_value), e.reason});
  }
  PrintTable(std::cout, t);
  return 0;
}

// `projects add` flags, one per field of projects.csv and per confidential field (dashes for
// underscores).
std::vector<std::string> AddFields() {
  auto f = invest::ProjectColumns();
  f.insert(f.end(), invest::ConfidentialFields().begin(), invest::ConfidentialFields().end());
  return f;
}

// `projects add` flags, one per field of projects.csv (dashes for underscores).
std::map<std::string, std::string>& AddValues() {
  static std::map<std::string, std::string> values;
  return values;
}

int AddCommand(const Common& c) {
  const auto& values = AddValues();
  const auto codes = invest::ReferenceCodes::Load(Paths(c).reference);
  invest::Project p;
  model::Diagnostics diags;
  for (const auto& f : AddFields()) {
    auto it = values.find(f);
    if (it == values.end()) continue;
    if (auto e = invest::SetField(p, f, it->second, codes)) {
      diags.Error("", 0, 0, fmt::format("--{} '{}': {}", f, it->second, *e));
    }
  }
  if (diags.HasErrors()) throw Error::InvalidData(std::move(diags));
  auto o = Open(c);
  try {
    o.registry.Add(p, Actor(c), c.reason);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Conflict) std::cerr << "hint: use `projects edit` or an import to change it\n";
    throw;
  }
  std::cout << fmt::format("added {} to {}\n", p.id, o.registry.Location());
  return 0;
}

int EditCommand(const Common& c, const std::string& id, const std::vector<std::string>& sets) {
  std::vector<std::pair<std::string, std::string>> changes;
  for (const auto& s : sets) {
    auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw Error::InvalidRequest(fmt::format("--set '{}': expected field=value (e.g. status=paused)", s));
    }
    changes.emplace_back(s.substr(0, eq), s.substr(eq + 1));
  }
  auto o = Open(c);
  const auto logged = o.registry.Edit(id, changes, Actor(c), c.reason);
  std::cout << fmt::format("edited {} in {}: {} field change(s) logged\n", id, o.registry.Location(), logged);
  return 0;
}

int RemoveCommand(const Common& c, const std::string& id) {
  auto o = Open(c);
  o.registry.Remove(id, Actor(c), c.reason);
  std::cout << fmt::format("removed {} from {} (its history stays in the audit log)\n", id, o.registry.Location());
  return 0;
}

}  // namespace

void AddProjectsCommands(CLI::App& app, int& exit_code) {
  auto* projects = app.add_subcommand(
      "projects",
      "Registry of projects of interest in a SQLite file or PostgreSQL (import, list, show, add, edit, history)");
  projects->require_subcommand(1);
  {
    auto* cmd = projects->add_subcommand(
        "import", "Import projects.csv (and its capital stack): validated first, then written in one transaction");
    static Common c;
    static std::string file, stack;
    cmd->add_option("FILE", file, "projects.csv in the registry format (docs/projects.md)")->required();
    cmd->add_option("--stack", stack, "capital_stack.csv of the same projects");
    AddCommon(cmd, c, true);
    cmd->callback([&exit_code] { exit_code = RunGuarded([] { return ImportCommand(c, file, stack); }); });
  }
  {
    auto* cmd = projects->add_subcommand("list", "List projects, ordered by id (--format csv writes projects.csv)");
    static Common c;
    static invest::ProjectFilter filter;
    cmd->add_option("--mineral", filter.mineral, "Only this mineral id (e.g. gallium)");
    cmd->add_option("--country", filter.country, "Only this host country (ISO3)");
    cmd->add_option("--stage", filter.stage, "Only this stage (mining, refining, separation, magnets, ...)");
    AddCommon(cmd, c, false);
    cmd->callback([&exit_code] { exit_code = RunGuarded([] { return ListCommand(c, filter); }); });
  }
  {
    auto* cmd = projects->add_subcommand("show", "Every field of one project and its capital stack");
    static Common c;
    static std::string id;
    cmd->add_option("ID", id, "Project id")->required();
    AddCommon(cmd, c, false);
    cmd->callback([&exit_code] { exit_code = RunGuarded([] { return ShowCommand(c, id); }); });
  }
  {
    auto* cmd = projects->add_subcommand("add", "Add one project (audit action insert)");
    static Common c;
    for (const auto& f : AddFields()) {
      std::string flag = "--" + f;
      for (auto& ch : flag) ch = ch == '_' ? '-' : ch;
      auto* opt = cmd->add_option_function<std::string>(
          flag, [f](const std::string& v) { AddValues()[f] = v; },
          invest::IsConfidentialValue(f) || f == "confidential_owner"
              ? fmt::format("value of the confidential field '{}' (docs/server.md)", f)
              : fmt::format("{} (projects.csv column '{}')", f == "first_output" ? "YYYY or YYYY-MM, or NA" : "value",
                            f));
      if (f == "id" || f == "name" || f == "mineral" || f == "stage" || f == "country" || f == "development_stage") {
        opt->required();
      }
    }
    AddCommon(cmd, c, true);
    cmd->callback([&exit_code] { exit_code = RunGuarded([] { return AddCommand(c); }); });
  }
  {
    auto* cmd = projects->add_subcommand("edit", "Change fields of a project in one transaction (audit action update)");
    static Common c;
    static std::string id;
    static std::vector<std::string> sets;
    cmd->add_option("ID", id, "Project id")->required();
    cmd->add_option("--set", sets, "field=value (repeat for several fields), e.g. --set status=paused")->required();
    AddCommon(cmd, c, true);
    cmd->callback([&exit_code] { exit_code = RunGuarded([] { return EditCommand(c, id, sets); }); });
  }
  {
    auto* cmd = projects->add_subcommand("history", "The audit log of one project: who changed what, when and why");
    static Common c;
    static std::string id;
    cmd->add_option("ID", id, "Project id")->required();
    AddCommon(cmd, c, false);
    cmd->callback([&exit_code] { exit_code = RunGuarded([] { return HistoryCommand(c, id); }); });
  }
  {
    auto* cmd = projects->add_subcommand("remove", "Delete a project (its history stays; audit action delete)");
    static Common c;
    static std::string id;
    cmd->add_option("ID", id, "Project id")->required();
    AddCommon(cmd, c, true);
    cmd->callback([&exit_code] { exit_code = RunGuarded([] { return RemoveCommand(c, id); }); });
  }
  AddProjectsEvaluateCommand(projects, exit_code);
}

}  // namespace lodestone::cli
