// The simulator's headline results for a dossier: the shipped scenarios that touch a mineral,
// and the risk register's Monte Carlo, for the chosen consumers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "lodestone/report/dossier.hpp"
#include "lodestone/sim/simulate.hpp"

namespace lodestone::report {

struct HeadlineRequest {
  std::vector<sim::Scenario> scenarios;  // every scenario that shocks the mineral is reported
  const sim::Register* reg = nullptr;    // optional: Monte Carlo over the register
  std::uint64_t runs = 20000;
  std::uint64_t seed = 20251028;
  std::vector<std::string> consumers = {"USA", "JPN"};
  // Scenario ids of the default scenarios (China's October 2025 controls): their rows are marked.
  std::vector<std::string> october_ids;
};

std::vector<ScenarioHeadline> SimulateHeadlines(const sim::Network& net, const std::string& mineral,
                                                const HeadlineRequest& request);

// Every scenario file (*.json except register.json) of a directory, in file-name order.
std::vector<sim::Scenario> LoadScenarioDir(const std::filesystem::path& dir);

}  // namespace lodestone::report
