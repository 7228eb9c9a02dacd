// `lodestone projects`: the registry of projects of interest in the embedded database (import,
// list, show, add, edit, history, remove). Thin: every rule lives in invest::Registry.
#include <fmt/format.h>

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "lodestone/invest/registry.hpp"
#include "lodestone/model/diagnostics.hpp"
#include "lodestone/store/database.hpp"

namespace lodestone::cli {

namespace {

using nlohmann::ordered_json;

constexpr const char* kSampleHint =
    "lodestone projects import data/projects/projects.csv --stack data/projects/capital_stack.csv";

struct Common {
  std::string db;
  std::string actor;
  std::string reason;
  Format format = Format::Table;
};

void AddCommon(CLI::App* cmd, Common& c, bool writes) {
  cmd->add_option("--db", c.db, "Database file (default: $LODESTONE_DB, else lodestone.db in the current directory)");
  if (writes) {
    cmd->add_option("--actor", c.actor, "Who makes the change (default: $LODESTONE_ACTOR, else the OS user)");
    cmd->add_option("--reason", c.reason, "Why: recorded in the audit log");
  }
  AddFormatOption(cmd, c.format);
}

store::Database OpenDb(const Common& c) { return store::Database::Open(store::ResolveDatabasePath(c.db)); }

ordered_json FigureJson(const model::Value& v) {
  if (v.IsKnown()) return v.number;
  return model::FormatValueCell(v);  // "NA", ">50", "unknown", "W": missing is not zero
}

ordered_json ProjectJson(const invest::Project& p) {
  ordered_json j;
  for (const auto& f : invest::ProjectColumns()) {
    if (f == "capacity_t")
      j[f] = FigureJson(p.capacity_t);
    else if (f == "capex_musd")
      j[f] = FigureJson(p.capex_musd);
    else if (f == "opex_musd_per_year")
      j[f] = FigureJson(p.opex_musd_per_year);
    else if (f == "esg_score")
      j[f] = FigureJson(p.esg_score);
    else if (f == "sponsors")
      j[f] = p.sponsors;
    else if (f == "first_output")
      j[f] = p.first_output.empty() ? ordered_json(nullptr) : ordered_json(p.first_output);
    else
      j[f] = *invest::GetField(p, f);
  }
  auto& stack = j["capital_stack"] = ordered_json::array();
  for (const auto& l : p.capital_stack) {
    stack.push_back({{"instrument", invest::Name(l.instrument)},
                     {"funder", invest::Name(l.funder)},
                     {"amount_musd", FigureJson(l.amount_musd)},
                     {"closing_date", l.closing_date},
                     {"source", l.source},
                     {"note", l.note}});
  }
  return j;
}

std::string Shown(const model::Value& v) {
  if (v.IsKnown()) return Grouped(v.number, v.number < 10 && v.number != 0 ? 2 : 0);
  return model::DescribeValue(v);
}

std::string Cut(const std::string& s, std::size_t n) { return s.size() > n ? s.substr(0, n - 3) + "..." : s; }

int ImportCommand(const Common& c, const std::string& file, const std::string& stack) {
  auto rows = invest::LoadProjectsCsvOrThrow(file, stack);  // every problem with file:line:column
  auto db = OpenDb(c);
  invest::Registry registry(db);
  invest::ImportOptions options;
  options.reason = c.reason;
  auto s = registry.Import(rows, invest::ResolveActor(c.actor), options);
  if (c.format == Format::Json) {
    std::cout << ordered_json{{"database", db.path().string()}, {"projects", rows.size()},
                              {"inserted", s.inserted},         {"updated", s.updated},
                              {"unchanged", s.unchanged},       {"audit_rows", s.fields_changed}}
                     .dump(2)
              << '\n';
  } else {
    std::cout << fmt::format(
        "imported {} projects into {}: {} new, {} updated, {} unchanged; {} field changes logged\n", rows.size(),
        db.path().string(), s.inserted, s.updated, s.unchanged, s.fields_changed);
  }
  return 0;
}

int ListCommand(const Common& c, const invest::ProjectFilter& filter) {
  auto db = OpenDb(c);
  invest::Registry registry(db);
  auto projects = registry.List(filter);
  if (c.format == Format::Json) {
    auto arr = ordered_json::array();
    for (const auto& p : projects) arr.push_back(ProjectJson(p));
    std::cout << arr.dump(2) << '\n';
  } else if (c.format == Format::Csv) {
    invest::WriteProjectsCsv(std::cout, projects);  // the import format: list --format csv exports
  } else if (projects.empty()) {
    if (registry.Count() == 0) {
      std::cout << fmt::format("The registry in {} is empty. Import the shipped sample with:\n  {}\n",
                               db.path().string(), kSampleHint);
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
    std::cout << fmt::format("\n{} project(s) in {}\n", projects.size(), db.path().string());
  }
  if (projects.empty() && c.format != Format::Table && registry.Count() == 0) {
    std::cerr << "The registry is empty. Import the shipped sample with: " << kSampleHint << '\n';
  }
  return 0;
}

int ShowCommand(const Common& c, const std::string& id) {
  auto db = OpenDb(c);
  invest::Registry registry(db);
  auto p = registry.Get(id);
  if (!p) throw model::InputError("", 0, 0, fmt::format("no project '{}' in {}", id, db.path().string()));
  if (c.format == Format::Json) {
    std::cout << ProjectJson(*p).dump(2) << '\n';
    return 0;
  }
  if (c.format == Format::Csv) {
    invest::WriteProjectsCsv(std::cout, {*p});
    return 0;
  }
  TextTable t{{"field", "value"}, {}, {}};
  for (const auto& f : invest::ProjectColumns()) t.rows.push_back({f, *invest::GetField(*p, f)});
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
  auto db = OpenDb(c);
  invest::Registry registry(db);
  auto entries = registry.History(id);
  if (entries.empty()) {
    throw model::InputError("", 0, 0, fmt::format("no history for project '{}' in {}", id, db.path().string()));
  }
  auto opt = [](const std::optional<std::string>& s) { return s ? ordered_json(*s) : ordered_json(nullptr); };
  if (c.format == Format::Json) {
    auto arr = ordered_json::array();
    for (const auto& e : entries) {
      arr.push_back({{"id", e.id},
                     {"at", e.at},
                     {"actor", e.actor},
                     {"action", e.action},
                     {"project_id", e.project_id},
                     {"field", opt(e.field)},
                     {"old_value", opt(e.old_value)},
                     {"new_value", opt(e.new_value)},
                     {"reason", e.reason}});
    }
    std::cout << arr.dump(2) << '\n';
    return 0;
  }
  TextTable t{{"at", "actor", "action", "field", "old", "new", "reason"}, {}, {}};
  std::size_t limit = c.format == Format::Csv ? std::string::npos : 40;
  for (const auto& e : entries) {
    auto cell = [&](const std::optional<std::string>& s) { return s ? Cut(*s, limit) : std::string("-"); };
    t.rows.push_back({e.at, e.actor, e.action, e.field.value_or(""), cell(e.old_value), cell(e.new_value), e.reason});
  }
  if (c.format == Format::Csv) {
    PrintCsv(std::cout, t);
  } else {
    PrintTable(std::cout, t);
  }
  return 0;
}

// `projects add` flags, one per field of projects.csv (dashes for underscores).
std::map<std::string, std::string>& AddValues() {
  static std::map<std::string, std::string> values;
  return values;
}

int AddCommand(const Common& c) {
  const auto& values = AddValues();
  invest::Project p;
  model::Diagnostics diags;
  for (const auto& f : invest::ProjectColumns()) {
    auto it = values.find(f);
    if (it == values.end()) continue;
    if (auto e = invest::SetField(p, f, it->second, invest::ReferenceCodes::Shipped())) {
      diags.Error("", 0, 0, fmt::format("--{} '{}': {}", f, it->second, *e));
    }
  }
  if (diags.HasErrors()) throw model::InputError(std::move(diags));
  auto db = OpenDb(c);
  invest::Registry registry(db);
  registry.Add(p, invest::ResolveActor(c.actor), c.reason);
  std::cout << fmt::format("added {} to {}\n", p.id, db.path().string());
  return 0;
}

int EditCommand(const Common& c, const std::string& id, const std::vector<std::string>& sets) {
  std::vector<std::pair<std::string, std::string>> changes;
  for (const auto& s : sets) {
    auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw model::InputError("", 0, 0, fmt::format("--set '{}': expected field=value (e.g. status=paused)", s));
    }
    changes.emplace_back(s.substr(0, eq), s.substr(eq + 1));
  }
  auto db = OpenDb(c);
  invest::Registry registry(db);
  auto before = registry.History(id).size();
  registry.Edit(id, changes, invest::ResolveActor(c.actor), c.reason);
  auto logged = registry.History(id).size() - before;
  std::cout << fmt::format("edited {} in {}: {} field change(s) logged\n", id, db.path().string(), logged);
  return 0;
}

int RemoveCommand(const Common& c, const std::string& id) {
  auto db = OpenDb(c);
  invest::Registry registry(db);
  registry.Remove(id, invest::ResolveActor(c.actor), c.reason);
  std::cout << fmt::format("removed {} from {} (its history stays in the audit log)\n", id, db.path().string());
  return 0;
}

}  // namespace

void AddProjectsCommands(CLI::App& app, int& exit_code) {
  auto* projects = app.add_subcommand(
      "projects", "Registry of projects of interest in the embedded database (import, list, show, add, edit, history)");
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
    for (const auto& f : invest::ProjectColumns()) {
      std::string flag = "--" + f;
      for (auto& ch : flag) ch = ch == '_' ? '-' : ch;
      auto* opt = cmd->add_option_function<std::string>(
          flag, [f](const std::string& v) { AddValues()[f] = v; },
          fmt::format("{} (projects.csv column '{}')", f == "first_output" ? "YYYY or YYYY-MM, or NA" : "value", f));
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
