// `lodestone risk`: the per-mineral, per-stage risk table for a consumer, and the validation
// entry points of the published methods (subcommands eu-sr and geopolrisk).
#include "commands.hpp"

namespace lodestone::cli {

void AddRiskCommands(CLI::App& app, int& exit_code) {
  auto* risk = app.add_subcommand("risk", "Supply risk by the published methods (EU CRM, GeoPolRisk, concentration, import reliance)");
  risk->require_subcommand(0, 1);
  AddRiskEuSrCommand(risk, exit_code);
  AddRiskGeoPolRiskCommand(risk, exit_code);
}

}  // namespace lodestone::cli
