// Where the CLI finds the shipped data, and how errors become messages and exit codes. The CLI,
// not the library, reads the environment: LODESTONE_DATA, LODESTONE_REFERENCE, LODESTONE_SIM_DATA,
// LODESTONE_SCENARIOS and LODESTONE_DB override the source tree the program was built from.
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "lodestone/model/error.hpp"

namespace lodestone::cli {

namespace {
std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : std::string();
}
}  // namespace

int RunGuarded(const std::function<int()>& body) {
  try {
    return body();
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::InvalidData) {
      std::cerr << e.diagnostics().Format();
    } else {
      std::cerr << e.Describe() << '\n';  // "error: message", the same form as a diagnostic
    }
    return ExitCode(e.kind());
  } catch (const std::exception& e) {
    // Anything else escaping the library is a bug of ours: reported as internal.
    std::cerr << "internal error: " << e.what() << '\n';
    return ExitCode(ErrorKind::Internal);
  }
}

app::WorkspacePaths DefaultPaths() {
  auto p = app::WorkspacePaths::UnderRoot(LODESTONE_ROOT_DIR);
  if (auto v = Env("LODESTONE_DATA"); !v.empty()) p.dataset = v;
  if (auto v = Env("LODESTONE_REFERENCE"); !v.empty()) p.reference = v;
  if (auto v = Env("LODESTONE_SIM_DATA"); !v.empty()) p.sim_data = v;
  if (auto v = Env("LODESTONE_SCENARIOS"); !v.empty()) p.scenarios = v;
  if (auto v = Env("LODESTONE_DB"); !v.empty()) p.database = v;
  return p;
}

std::string DefaultDataDir() { return DefaultPaths().dataset.string(); }
std::string DefaultReferenceDir() { return DefaultPaths().reference.string(); }
std::string DefaultPublishedDir() {
  if (auto v = Env("LODESTONE_PUBLISHED"); !v.empty()) return v;
  return (std::filesystem::path(LODESTONE_ROOT_DIR).parent_path() / "shared" / "data").string();
}
std::string SimDataDir(const std::string& given) { return given.empty() ? DefaultPaths().sim_data.string() : given; }
std::string ScenariosDir(const std::string& given) { return given.empty() ? DefaultPaths().scenarios.string() : given; }

void AddWorkspaceOptions(CLI::App* cmd, WorkspaceArgs& a) {
  cmd->add_option("--dataset", a.dataset, "Dataset directory; default: the shipped dataset data/starter");
  cmd->add_option("--sim-data", a.sim_data, "Simulator inputs; default: data/sim");
  cmd->add_option("--outlook-data", a.outlook, "Outlook tables; default: data/outlook");
  cmd->add_option("--scenarios", a.scenarios, "Scenario directory; default: scenarios/");
  cmd->add_option("--register", a.risk_register, "Risk register; default: SCENARIOS/register.json");
}

app::WorkspacePaths ResolvePaths(const WorkspaceArgs& a) {
  auto p = DefaultPaths();
  if (!a.dataset.empty()) p.dataset = a.dataset;
  if (!a.sim_data.empty()) p.sim_data = a.sim_data;
  if (!a.outlook.empty()) p.outlook = a.outlook;
  if (!a.scenarios.empty()) p.scenarios = a.scenarios;
  if (!a.risk_register.empty()) p.risk_register = a.risk_register;
  if (!a.database.empty()) p.database = a.database;
  return p;
}

}  // namespace lodestone::cli
