// lodestone: the command-line tool over the Lodestone library.
#include <CLI/CLI.hpp>
#include <iostream>

#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "Lodestone: critical-mineral supply-chain security.\n"
      "Maps supply stage by stage and country by country, with the source of every figure.\n"
      "Run `lodestone COMMAND --help` for each command."};
  app.set_version_flag("--version", std::string("lodestone 0.1.0"));
  app.require_subcommand(1);
  int exit_code = 0;
  lodestone::cli::AddDataCommands(app, exit_code);
  lodestone::cli::AddSupplyCommand(app, exit_code);
  lodestone::cli::AddRiskCommands(app, exit_code);
  lodestone::cli::AddOutlookCommand(app, exit_code);
  lodestone::cli::AddReportCommand(app, exit_code);
  lodestone::cli::AddSimulateCommand(app, exit_code);
  lodestone::cli::AddProjectsCommands(app, exit_code);
  lodestone::cli::AddPortfolioCommands(app, exit_code);
  lodestone::cli::AddServeCommands(app, exit_code);
  lodestone::cli::AddSweepCommand(app, exit_code);
  lodestone::cli::AddDbCommands(app, exit_code);
  lodestone::cli::AddValidateCommands(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Usage errors (unknown option, missing argument) exit 2, as an invalid request does.
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  return exit_code;
}
