// The risk table for a front end: risk::Assess on the workspace's dataset, given the inputs the
// workspace keeps beside it, so that the CLI, the server and the Python module show the same
// table: the ethical-sourcing screen's indicator tables (projects/esg/, docs/methods/esg.md) and
// the EU CRM study's material parameters (reference/eu_crm_material_parameters.csv).
#pragma once

#include "lodestone/app/workspace.hpp"
#include "lodestone/risk/assess.hpp"

namespace lodestone::facade {

// As risk::Assess; each input file that is missing leaves its rows in their "insufficient data"
// state, with the reason.
risk::AssessResult AssessRisk(const app::Workspace& ws, risk::AssessRequest request);

}  // namespace lodestone::facade
