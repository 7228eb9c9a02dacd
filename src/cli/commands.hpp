// Registration of the CLI's subcommands. Commands parse arguments, call the library and print;
// they contain no method of their own.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "lodestone/app/workspace.hpp"
#include "output.hpp"

namespace lodestone::cli {

// Runs a command body; a lodestone::Error becomes its message on stderr (every diagnostic with
// file:line:column) and the exit code of its kind (docs/errors.md); anything else is an internal
// error.
int RunGuarded(const std::function<int()>& body);

// Paths a command may override; empty = the default (environment, else the source tree).
struct WorkspaceArgs {
  std::string dataset, sim_data, outlook, scenarios, risk_register, database;
};
// Adds --dataset, --sim-data, --outlook-data, --scenarios and --register.
void AddWorkspaceOptions(CLI::App* cmd, WorkspaceArgs& a);
// The source tree's layout, then $LODESTONE_DATA, $LODESTONE_REFERENCE, $LODESTONE_SIM_DATA,
// $LODESTONE_SCENARIOS, $LODESTONE_DB, then the command's options.
app::WorkspacePaths DefaultPaths();
app::WorkspacePaths ResolvePaths(const WorkspaceArgs& a);

// The shipped dataset: $LODESTONE_DATA, else the data/ directory the program was built with.
std::string DefaultDataDir();
std::string DefaultReferenceDir();
// Where the raw published files are kept: $LODESTONE_PUBLISHED, else ../shared/data beside the
// source tree the program was built from.
std::string DefaultPublishedDir();
// The simulator's inputs: `given` when not empty, else $LODESTONE_SIM_DATA, else data/sim.
std::string SimDataDir(const std::string& given);
// Scenario files and the register: `given` when not empty, else $LODESTONE_SCENARIOS, else scenarios/.
std::string ScenariosDir(const std::string& given = "");

// Adds `--format table|json|csv` to a command.
void AddFormatOption(CLI::App* cmd, Format& format);

void AddDataCommands(CLI::App& app, int& exit_code);
void AddSupplyCommand(CLI::App& app, int& exit_code);
void AddRiskCommands(CLI::App& app, int& exit_code);
void AddOutlookCommand(CLI::App& app, int& exit_code);
void AddReportCommand(CLI::App& app, int& exit_code);
void AddSimulateCommand(CLI::App& app, int& exit_code);
void AddProjectsCommands(CLI::App& app, int& exit_code);
void AddPortfolioCommands(CLI::App& app, int& exit_code);
void AddServeCommands(CLI::App& app, int& exit_code);
void AddSweepCommand(CLI::App& app, int& exit_code);  // cmd_sweep.cpp
void AddDbCommands(CLI::App& app, int& exit_code);
void AddValidateCommands(CLI::App& app, int& exit_code);  // cmd_validate.cpp
// `projects evaluate` (cmd_portfolio.cpp), added to the `projects` command.
void AddProjectsEvaluateCommand(CLI::App* projects, int& exit_code);
// Subcommands of `risk` (one file each).
void AddRiskEuSrCommand(CLI::App* risk, int& exit_code);
void AddRiskGeoPolRiskCommand(CLI::App* risk, int& exit_code);

}  // namespace lodestone::cli
