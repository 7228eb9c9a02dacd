// The sweep façade: work items computed apart and merged in any grouping give the one-process
// bytes; the register sweep is exactly `simulate`'s Monte Carlo; a project's figures are those of
// its own evaluation; the grid file is validated with the file and field named.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "data/test_fixtures.hpp"
#include "lodestone/app/workspace.hpp"
#include "lodestone/invest/plan.hpp"
#include "lodestone/invest/serialize.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/sim_facade/simulate.hpp"
#include "lodestone/sim_facade/sweep.hpp"

namespace lodestone {
namespace {

const std::filesystem::path kRoot = LODESTONE_SOURCE_DIR;

const app::Workspace& Ws() {
  static app::Workspace ws(app::WorkspacePaths::UnderRoot(kRoot));
  return ws;
}

std::string JsonText(const facade::SweepResult& r) { return facade::ToJson(r).dump(2); }

// Every item alone, merged in reverse order, then finished.
std::string OneByOne(const facade::SweepPlan& plan) {
  std::string part;
  for (std::uint64_t i = plan.items; i-- > 0;) {
    part = facade::MergeSweepParts(plan, facade::RunSweepItems(Ws(), plan, i, i + 1), part);
  }
  return JsonText(facade::FinishSweep(Ws(), plan, part));
}

ErrorKind KindOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  return static_cast<ErrorKind>(-1);
}

TEST(Sweep, RegisterIsSimulatesMonteCarloWhateverTheSplit) {
  facade::SimulateRequest sim;
  sim.monte_carlo = true;
  sim.runs = 3000;
  sim.seed = 9;
  sim.threads = 1;
  const auto reference = facade::ToJson(facade::Simulate(Ws(), sim)).dump(2);

  facade::SweepRequest rq;
  rq.workload = facade::SweepWorkload::Register;
  rq.runs = 3000;
  rq.seed = 9;
  rq.threads = 2;
  const auto plan = facade::PlanSweep(Ws(), rq);
  EXPECT_EQ(plan.items, 3u);  // 1024 + 1024 + 952 scenarios
  EXPECT_EQ(JsonText(facade::Sweep(Ws(), rq)), reference);
  EXPECT_EQ(OneByOne(plan), reference);
  // Two uneven parts merged in both orders.
  const auto a = facade::RunSweepItems(Ws(), plan, 0, 1), b = facade::RunSweepItems(Ws(), plan, 1, 3);
  EXPECT_EQ(facade::MergeSweepParts(plan, a, b), facade::MergeSweepParts(plan, b, a));
  EXPECT_EQ(JsonText(facade::FinishSweep(Ws(), plan, facade::MergeSweepParts(plan, b, a))), reference);
  // Missing blocks, overlaps and empty ranges are refused.
  EXPECT_EQ(KindOf([&] { facade::FinishSweep(Ws(), plan, b); }), ErrorKind::InvalidRequest);
  EXPECT_EQ(KindOf([&] { facade::MergeSweepParts(plan, b, b); }), ErrorKind::InvalidRequest);
  EXPECT_EQ(KindOf([&] { facade::RunSweepItems(Ws(), plan, 2, 2); }), ErrorKind::InvalidRequest);
  EXPECT_EQ(KindOf([&] { facade::RunSweepItems(Ws(), plan, 0, 4); }), ErrorKind::InvalidRequest);
  EXPECT_EQ(KindOf([&] { facade::MergeSweepParts(plan, a, "not a part"); }), ErrorKind::InvalidData);
}

TEST(Sweep, ProjectsMatchTheirOwnEvaluationWhateverTheSplit) {
  facade::SweepRequest rq;
  rq.workload = facade::SweepWorkload::Projects;
  rq.runs = 200;
  rq.seed = 4;
  rq.threads = 1;
  const auto plan = facade::PlanSweep(Ws(), rq);
  ASSERT_GE(plan.items, 3u);
  const auto whole = facade::Sweep(Ws(), rq);
  EXPECT_EQ(OneByOne(plan), JsonText(whole));
  const auto j = facade::ToJson(whole);
  ASSERT_EQ(j["results"].size(), plan.items);
  EXPECT_EQ(facade::ToCsv(whole).rows.size(), plan.items);

  // Each project evaluated alone (`projects evaluate ID`) has the sweep's figures, to the bit.
  bool any_evaluable = false;
  for (std::size_t i = 0; i < 3; ++i) {
    invest::ProjectEvaluationRequest one;
    one.project_id = plan.projects[i].id;
    one.evaluation.runs = 200;
    one.evaluation.seed = 4;
    const auto report = invest::EvaluateOneProject(Ws(), one);
    any_evaluable |= report.project.evaluable;
    EXPECT_EQ(j["results"][i].dump(), invest::ToJson(report.project, report.horizon_months).dump()) << i;
  }
  EXPECT_TRUE(any_evaluable);
}

class GridFiles : public ::testing::Test {
 protected:
  lodestone::testing::TempDir dir;
  std::filesystem::path Write(const std::string& name, const std::string& text) {
    auto p = dir.path() / name;
    std::ofstream(p) << text;
    return p;
  }
  facade::SweepRequest Grid(const std::filesystem::path& file) {
    facade::SweepRequest rq;
    rq.workload = facade::SweepWorkload::Grid;
    rq.grid_file = file;
    rq.threads = 1;
    return rq;
  }
  std::string MessageOf(const std::filesystem::path& file) {
    try {
      facade::PlanSweep(Ws(), Grid(file));
    } catch (const Error& e) {
      return e.kind() == ErrorKind::InvalidData ? e.diagnostics().Format() : e.Describe();
    }
    return "no error";
  }
};

TEST_F(GridFiles, EveryCombinationInOrderAndTheParameterMatters) {
  const auto file = Write("g.json",
                          R"({"parameters": {"refinery_headroom": [0, 2]},
                              "scenarios": ["cn-2025-10-ree-controls.json", "malacca-closure.json"]})");
  const auto plan = facade::PlanSweep(Ws(), Grid(file));
  EXPECT_EQ(plan.combinations, 2u);
  EXPECT_EQ(plan.items, 4u);
  const auto r = facade::Sweep(Ws(), Grid(file));
  EXPECT_EQ(OneByOne(plan), JsonText(r));
  const auto j = facade::ToJson(r);
  ASSERT_EQ(j["results"].size(), 4u);
  EXPECT_EQ(j["results"][0]["parameters"]["refinery_headroom"], 0.0);
  EXPECT_EQ(j["results"][1]["scenario"], "malacca-closure.json");
  EXPECT_EQ(j["results"][2]["combination"], 1);
  EXPECT_EQ(j["results"][3]["parameters"]["refinery_headroom"], 2.0);
  // Spare refinery capacity changes what the scenario does: the results of the two values differ.
  EXPECT_NE(j["results"][0]["result"].dump(), j["results"][2]["result"].dump());
  const auto csv = facade::ToCsv(r);
  EXPECT_EQ(csv.columns[0], "combination");
  EXPECT_EQ(csv.columns[1], "refinery_headroom");
  EXPECT_EQ(csv.rows.front()[1], "0");
}

TEST_F(GridFiles, BadFilesAreRefusedWithTheFieldNamed) {
  EXPECT_NE(MessageOf(Write("a.json", R"({"parameters": {"nope": [1]}, "scenarios": ["malacca-closure.json"]})"))
                .find("parameters.nope: not a parameter of the simulator's table"),
            std::string::npos);
  EXPECT_NE(MessageOf(Write("b.json", R"({"parameters": {"refinery_headroom": []}, "scenarios": ["x"]})"))
                .find("parameters.refinery_headroom: expected a non-empty list of numbers"),
            std::string::npos);
  EXPECT_NE(MessageOf(Write("c.json", R"({"parameters": {"refinery_headroom": [0.1, "a"]}, "register": {}})"))
                .find("parameters.refinery_headroom[1]: expected a number"),
            std::string::npos);
  EXPECT_NE(MessageOf(Write("d.json", R"({"parameters": {"refinery_headroom": [0.1]}})")).find("either \"scenarios\""),
            std::string::npos);
  EXPECT_NE(MessageOf(Write("e.json", R"({"parameters": {"refinery_headroom": [0.1]}, "register": {"runs": 0}})"))
                .find("register.runs 0: expected 1 to"),
            std::string::npos);
  EXPECT_NE(MessageOf(Write("f.json", "{\"parameters\": ")).find("f.json: error: not valid JSON"), std::string::npos);
  EXPECT_NE(MessageOf(Write("g.json", R"({"parameters": {"refinery_headroom": [0]}, "scenarios": ["none.json"]})"))
                .find("scenario file none.json not found"),
            std::string::npos);
  EXPECT_NE(MessageOf(Write("h.json", R"({"parameters": {"refinery_headroom": [0]}, "sceanrios": []})"))
                .find("unknown field \"sceanrios\""),
            std::string::npos);
  EXPECT_NE(MessageOf(dir.path() / "missing.json").find("not found"), std::string::npos);
  // A number beyond a double, and nesting beyond the limit, are invalid data too.
  EXPECT_NE(MessageOf(Write("j.json", R"({"parameters": {"refinery_headroom": [1E2025]}, "register": {}})"))
                .find("not valid JSON"),
            std::string::npos);
  EXPECT_NE(MessageOf(Write("k.json", std::string(200, '[') + std::string(200, ']'))).find("nested more than"),
            std::string::npos);
  // A value the parameter table would refuse is refused in a grid too (the same rule).
  EXPECT_NE(MessageOf(Write("i.json", R"({"parameters": {"refinery_headroom": [0.1, -1]}, "scenarios": ["x"]})"))
                .find("parameters.refinery_headroom[1]: refinery_headroom -1 out of range: expected 0 to 10"),
            std::string::npos);
}

}  // namespace
}  // namespace lodestone
