// app::Workspace: loads each part once, shares it between threads, takes the baseline year from
// the data, and reports missing paths by kind.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "lodestone/app/workspace.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/sim/network.hpp"
#include "lodestone/sim/scenario.hpp"

namespace lodestone {
namespace {

namespace fs = std::filesystem;

app::WorkspacePaths Shipped() { return app::WorkspacePaths::UnderRoot(LODESTONE_SOURCE_DIR); }

TEST(Workspace, LoadsEachPartOnceAndSharesItBetweenThreads) {
  app::Workspace ws(Shipped());
  std::vector<const model::Dataset*> seen(4, nullptr);
  std::vector<const sim::Network*> nets(4, nullptr);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      seen[i] = &ws.dataset();
      nets[i] = &ws.network();
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 1; i < 4; ++i) {
    EXPECT_EQ(seen[i], seen[0]);
    EXPECT_EQ(nets[i], nets[0]);
  }
  EXPECT_EQ(&ws.risk_register(), &ws.risk_register());
  EXPECT_FALSE(ws.risk_register().events.empty());
}

TEST(Workspace, BaselineYearComesFromTheData) {
  // The small test dataset has mining figures for 2025 only; a copy with a later row moves it.
  const fs::path mini = fs::path(LODESTONE_TEST_DATA_DIR) / "mini";
  app::WorkspacePaths p;
  p.dataset = mini;
  app::Workspace ws(p);
  EXPECT_EQ(ws.baseline_year(), app::LatestProductionYear(ws.dataset()).value());

  const fs::path tmp = fs::temp_directory_path() / "lodestone_ws_year";
  fs::remove_all(tmp);
  fs::copy(mini, tmp);
  {
    std::ifstream in(tmp / "production.csv");
    std::string header, first;
    std::getline(in, header);
    std::getline(in, first);
    // Same row as the first one, one year later (mineral,stage,country,year,...).
    std::vector<std::string> cells;
    std::string cell;
    std::stringstream ss(first);
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    ASSERT_GE(cells.size(), 4u);
    cells[3] = std::to_string(std::stoi(cells[3]) + 3);
    std::string row;
    for (std::size_t i = 0; i < cells.size(); ++i) row += (i ? "," : "") + cells[i];
    std::ofstream out(tmp / "production.csv", std::ios::app);
    out << row << "\n";
  }
  // The manifest counts rows: bump production's count.
  {
    std::ifstream in(tmp / "dataset.json");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    const auto at = text.find("\"production.csv\"");
    ASSERT_NE(at, std::string::npos);
    const auto colon = text.find(':', text.find("\"rows\"", at));
    const auto end = text.find_first_of(",}", colon);
    const int rows = std::stoi(text.substr(colon + 1, end - colon - 1));
    text.replace(colon + 1, end - colon - 1, " " + std::to_string(rows + 1));
    std::ofstream out(tmp / "dataset.json");
    out << text;
  }
  app::WorkspacePaths q;
  q.dataset = tmp;
  app::Workspace later(q);
  EXPECT_EQ(later.baseline_year(), ws.baseline_year() + 3);
  fs::remove_all(tmp);
}

TEST(Workspace, MissingDirectoriesAreNotFoundAndUnsetOnesInvalidRequests) {
  app::WorkspacePaths p;
  p.dataset = "/nonexistent/lodestone/dataset";
  app::Workspace ws(p);
  try {
    (void)ws.dataset();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::NotFound);
  }
  // A failed load is tried again, not cached.
  EXPECT_THROW((void)ws.dataset(), Error);
  app::Workspace none{app::WorkspacePaths{}};
  try {
    (void)none.dataset();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidRequest);
  }
}

TEST(Workspace, RegisterDefaultsToTheScenarioDirectory) {
  auto p = Shipped();
  EXPECT_EQ(p.RegisterFile(), fs::path(LODESTONE_SOURCE_DIR) / "scenarios" / "register.json");
  p.risk_register = "/x/r.json";
  EXPECT_EQ(p.RegisterFile(), fs::path("/x/r.json"));
  app::Workspace ws(p);
  try {
    (void)ws.risk_register();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::NotFound);
  }
}

}  // namespace
}  // namespace lodestone
