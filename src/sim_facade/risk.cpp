#include "lodestone/sim_facade/risk.hpp"

#include <filesystem>
#include <optional>
#include <vector>

#include "lodestone/risk/esg.hpp"

namespace lodestone::facade {

risk::AssessResult AssessRisk(const app::Workspace& ws, risk::AssessRequest request) {
  std::optional<risk::EsgTables> esg;
  const auto esg_dir = ws.paths().projects / "esg";
  if (std::filesystem::is_directory(esg_dir)) {
    esg = risk::EsgTables::Load(esg_dir);
    request.esg = &*esg;
  }
  std::vector<risk::EuMaterialParameters> eu_parameters;
  const auto eu_file = ws.paths().reference / "eu_crm_material_parameters.csv";
  if (std::filesystem::exists(eu_file)) {
    eu_parameters = risk::LoadEuMaterialParameters(eu_file);
    request.eu_parameters = &eu_parameters;
  }
  return risk::Assess(ws.dataset(), request);
}

}  // namespace lodestone::facade
