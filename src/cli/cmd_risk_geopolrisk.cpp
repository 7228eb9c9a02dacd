// PENDING: `lodestone risk geopolrisk`.
#include "commands.hpp"
namespace lodestone::cli {
void AddRiskGeoPolRiskCommand(CLI::App* risk, int& exit_code) { (void)risk; (void)exit_code; }
}  // namespace lodestone::cli
