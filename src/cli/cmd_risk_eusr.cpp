// PENDING: `lodestone risk eu-sr`.
#include "commands.hpp"
namespace lodestone::cli {
void AddRiskEuSrCommand(CLI::App* risk, int& exit_code) { (void)risk; (void)exit_code; }
}  // namespace lodestone::cli
