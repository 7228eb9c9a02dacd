// Back-tests against observed episodes: the loader's errors, the error arithmetic on a small
// hand-made episode, and docs/validation.md holding exactly the table the shipped episodes give.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "data/test_fixtures.hpp"
#include "lodestone/app/workspace.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/sim_facade/backtest.hpp"
#include "lodestone/sim_facade/simulate.hpp"

namespace lodestone {
namespace {

using testing::HasError;
using testing::TempDir;
using testing::WriteFile;

const std::filesystem::path kRoot = LODESTONE_SOURCE_DIR;

const app::Workspace& Ws() {
  static app::Workspace ws(app::WorkspacePaths::UnderRoot(kRoot));
  return ws;
}

// A one-month ban on Chinese refined gallium to the United States only.
const char* kScenario = R"({
  "format": "lodestone-scenario/1", "id": "t-ga-ban", "title": "test ban", "year": 2025, "horizon_months": 1,
  "shocks": [{"kind": "export_control", "country": "CHN", "stage": "refining", "minerals": ["gallium"],
              "fraction": 1, "targets": {"only": ["USA"]}, "months": 1, "source": "t", "basis": "test"}]
})";

std::string Episode(const std::string& id, const std::string& figures, const std::string& calibration) {
  return R"({
  "format": "lodestone-episode/1",
  "id": ")" +
         id + R"(",
  "title": "t", "description": "d",
  "scenario_file": "ban.scenario.json",
  "dates": {"announced": "2024-12-03", "in_force": "2024-12-03", "window_start": "2025-01-01", "window_end": "2025-01-31"},
  "calibration": )" +
         calibration + R"(,
  "figures": [)" +
         figures +
         R"(]
})";
}

std::string Figure(const std::string& id, double observed, const std::string& metric, const std::string& role,
                   const std::string& consumer = "USA") {
  return R"({"id": ")" + id + R"(", "quantity": "q", "period": "Jan 2025", "basis": "b", "observed": )" +
         std::to_string(observed) + R"(, "unit": "%", "role": ")" + role +
         R"(", "sources": [{"citation": "c", "url": "https://example.org", "date": "2025-02-01", "licence": "l"}],
    "model": {"metric": ")" +
         metric + R"(", "mineral": "gallium", "consumer": ")" + consumer + R"("}})";
}

const std::string kNoCalibration = R"({"calibrates": [], "uses": []})";

model::Diagnostics LoadErrors(const std::filesystem::path& file) {
  try {
    facade::LoadEpisode(file);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidData) << e.what();
    return e.diagnostics();
  }
  ADD_FAILURE() << "no error for " << file;
  return {};
}

// --- Error arithmetic on a hand-made episode

TEST(BackTest, ErrorIsModelMinusObservedFromTheSimulatorsOwnFigures) {
  TempDir dir;
  WriteFile(dir / "ban.scenario.json", kScenario);
  WriteFile(dir / "ep.json", Episode("t-ep",
                                     Figure("delivered", -20, "consumer_delivered_change_pct", "validation") + "," +
                                         Figure("short", 10, "consumer_shortfall_pct", "validation") + "," +
                                         Figure("jpn", 0, "consumer_shortfall_pct", "validation", "JPN"),
                                     kNoCalibration));
  auto r = facade::RunBackTests(Ws(), dir.path());
  ASSERT_EQ(r.episodes.size(), 1u);
  const auto& ep = r.episodes[0];
  ASSERT_EQ(ep.figures.size(), 3u);

  // The same scenario through the simulator's façade, independently.
  facade::SimulateRequest rq;
  rq.scenario_files = {dir / "ban.scenario.json"};
  auto sim = facade::Simulate(Ws(), rq);
  const sim::ScenarioRow* usa = nullptr;
  for (const auto& row : sim.scenarios[0].rows) {
    if (row.mineral == "gallium" && row.consumer == "USA" && row.sector == "total") usa = &row;
  }
  ASSERT_NE(usa, nullptr);
  ASSERT_GT(usa->flows.demand, 0);
  const double delivered = 100 * (usa->flows.delivered - usa->flows.demand) / usa->flows.demand;
  ASSERT_LT(delivered, -1);  // the ban bites: the United States gets less
  ASSERT_TRUE(usa->shortfall_pct);

  EXPECT_DOUBLE_EQ(*ep.figures[0].model, delivered);
  EXPECT_DOUBLE_EQ(*ep.figures[0].error, delivered - (-20));
  EXPECT_DOUBLE_EQ(*ep.figures[1].model, *usa->shortfall_pct);
  EXPECT_DOUBLE_EQ(*ep.figures[1].error, *usa->shortfall_pct - 10);
  // Japan is not targeted and stays whole.
  EXPECT_NEAR(*ep.figures[2].model, 0, 1e-9);
  ASSERT_TRUE(ep.mean_abs_error);
  EXPECT_DOUBLE_EQ(
      *ep.mean_abs_error,
      (std::fabs(*ep.figures[0].error) + std::fabs(*ep.figures[1].error) + std::fabs(*ep.figures[2].error)) / 3);
  EXPECT_EQ(ep.scenario_id, "t-ga-ban");
  EXPECT_EQ(ep.baseline_year, Ws().baseline_year());

  // The serialisers carry the same numbers.
  auto j = facade::ToJson(r);
  EXPECT_EQ(j["method"], "lodestone-backtest/1");
  EXPECT_DOUBLE_EQ(j["episodes"][0]["figures"][1]["error"].get<double>(), *ep.figures[1].error);
  auto md = facade::ToMarkdown(r);
  EXPECT_NE(md.find(fmt::format("| t-ep | q (b) | Jan 2025 | -20.0 | {:.1f} | {:.1f} | validation |", delivered,
                                delivered + 20)),
            std::string::npos)
      << md;
}

// A bilateral figure reads the link from the supplier to the consumer in the scenario's flows.
TEST(BackTest, SupplierFigureIsTheLinkChangeInTheScenariosFlows) {
  TempDir dir;
  WriteFile(dir / "ban.scenario.json", kScenario);
  auto supplier = [](const std::string& id, const std::string& consumer, const std::string& from) {
    return R"({"id": ")" + id + R"(", "quantity": "q", "period": "Jan 2025", "basis": "b", "observed": -90,
      "unit": "%", "role": "validation",
      "sources": [{"citation": "c", "url": "https://example.org", "date": "2025-02-01", "licence": "l"}],
      "model": {"metric": "supplier_delivered_change_pct", "mineral": "gallium", "consumer": ")" +
           consumer + R"(", "supplier": ")" + from + R"("}})";
  };
  WriteFile(dir / "ep.json", Episode("t-link",
                                     supplier("usa", "USA", "CHN") + "," + supplier("jpn", "JPN", "CHN") + "," +
                                         supplier("none", "USA", "ZZZ"),
                                     kNoCalibration));
  auto r = facade::RunBackTests(Ws(), dir.path());
  ASSERT_EQ(r.episodes.size(), 1u);
  const auto& f = r.episodes[0].figures;
  ASSERT_EQ(f.size(), 3u);

  facade::FlowsRequest fr;
  fr.mineral = "gallium";
  fr.scenario_file = dir / "ban.scenario.json";
  const auto flows = facade::SimulateFlows(Ws(), fr);
  auto link = [&](const std::vector<sim::FlowLink>& links, const std::string& to) {
    double t = 0;
    for (const auto& l : links) {
      if (l.source == "refining:CHN" && l.target == to) t += l.tonnes;
    }
    return t;
  };
  const double before = link(flows.before, "consumer:USA");
  ASSERT_GT(before, 0);  // China supplies the United States in the baseline
  ASSERT_TRUE(f[0].model);
  EXPECT_DOUBLE_EQ(*f[0].model, 100 * (link(flows.after, "consumer:USA") - before) / before);
  EXPECT_NEAR(*f[0].model, -100, 1e-9);  // the ban stops every Chinese tonne to the United States
  EXPECT_DOUBLE_EQ(*f[0].error, *f[0].model + 90);
  // Japan is not targeted: its Chinese link does not fall.
  ASSERT_TRUE(f[1].model);
  EXPECT_GE(*f[1].model, -1e-9);
  // No baseline link: not available, never 0.
  EXPECT_FALSE(f[2].model);
  EXPECT_FALSE(f[2].error);
}

TEST(BackTest, CalibrationFiguresDoNotCountInTheValidationError) {
  TempDir dir;
  WriteFile(dir / "ban.scenario.json", kScenario);
  WriteFile(dir / "a.json",
            Episode("t-cal", Figure("short", 50, "consumer_shortfall_pct", "calibration"),
                    R"({"calibrates": [{"parameter": "p", "value": 1, "basis": "fitted"}], "uses": []})"));
  WriteFile(dir / "b.json", Episode("t-val", Figure("short", 50, "consumer_shortfall_pct", "validation"),
                                    R"({"calibrates": [], "uses": [{"parameter": "p", "value": 1,
                                       "calibrated_on": "t-cal"}]})"));
  auto r = facade::RunBackTests(Ws(), dir.path());
  ASSERT_EQ(r.episodes.size(), 2u);
  EXPECT_FALSE(r.episodes[0].mean_abs_error);  // calibration only
  ASSERT_TRUE(r.episodes[1].mean_abs_error);
  EXPECT_DOUBLE_EQ(*r.episodes[1].mean_abs_error, std::fabs(*r.episodes[1].figures[0].error));
  EXPECT_EQ(r.episodes[0].calibrates[0].calibrated_on, "t-cal");
}

TEST(BackTest, UnknownConsumerDemandIsNotAvailableNeverZero) {
  // The model counts US germanium demand in the rest of the world (USGS gives NA).
  TempDir dir;
  WriteFile(dir / "ban.scenario.json",
            std::string(kScenario).replace(std::string(kScenario).find("[\"gallium\"]"), 11, "[\"germanium\"]"));
  std::string fig = Figure("ge", -50, "consumer_shortfall_pct", "validation");
  fig.replace(fig.find("\"gallium\""), 9, "\"germanium\"");
  WriteFile(dir / "ep.json", Episode("t-ge", fig, kNoCalibration));
  auto r = facade::RunBackTests(Ws(), dir.path());
  EXPECT_FALSE(r.episodes[0].figures[0].model);
  EXPECT_FALSE(r.episodes[0].figures[0].error);
  EXPECT_FALSE(r.episodes[0].mean_abs_error);
  EXPECT_TRUE(facade::ToJson(r)["episodes"][0]["figures"][0]["model"].is_null());
  EXPECT_NE(facade::ToMarkdown(r).find("| -50.0 | NA | NA |"), std::string::npos);
}

// --- Loader errors: file, line, column and what was expected

TEST(BackTestLoader, ReportsFieldsWhereTheyStand) {
  TempDir dir;
  WriteFile(dir / "ban.scenario.json", kScenario);
  std::string text = Episode("t-bad", Figure("f", 1, "consumer_shortfal_pct", "validaton"), kNoCalibration);
  text.replace(text.find("\"2025-01-31\""), 12, "\"2025-02-30\"");
  text.replace(text.find("\"unit\": \"%\""), 11, "\"unit\": \"t\"");
  WriteFile(dir / "bad.json", text);
  auto d = LoadErrors(dir / "bad.json");
  const auto f = (dir / "bad.json").string();
  // window_end is on line 6; the figure on lines 8-9 (its model on line 9).
  EXPECT_TRUE(HasError(d, 6, 110, "/dates/window_end: expected a date YYYY-MM-DD, found '2025-02-30'")) << d.Format();
  EXPECT_TRUE(HasError(d, 8, 110, "/figures/0/unit: expected \"%\"")) << d.Format();
  EXPECT_TRUE(HasError(d, 8, 123, "/figures/0/role: expected \"validation\" or \"calibration\"")) << d.Format();
  EXPECT_TRUE(HasError(d, 9, 25, "/figures/0/model/metric: unknown metric 'consumer_shortfal_pct'")) << d.Format();
  EXPECT_EQ(d.ErrorCount(), 4u) << d.Format();
  for (const auto& item : d.Items()) EXPECT_EQ(item.file, f);
}

TEST(BackTestLoader, RejectsMissingKeysUnknownKeysDuplicatesAndBadJson) {
  TempDir dir;
  WriteFile(dir / "ban.scenario.json", kScenario);
  WriteFile(dir / "a.json", R"({"format": "lodestone-episode/1", "id": "a", "id": "b", "extra": 1})");
  auto d = LoadErrors(dir / "a.json");
  EXPECT_TRUE(HasError(d, 1, 52, "/id: duplicate key")) << d.Format();
  EXPECT_TRUE(HasError(d, 1, 66, "/extra: unknown key 'extra'")) << d.Format();
  EXPECT_TRUE(HasError(d, 1, 1, "/: missing key 'figures'")) << d.Format();
  EXPECT_TRUE(HasError(d, 1, 1, "/: missing key 'scenario_file'")) << d.Format();

  WriteFile(dir / "b.json", "{\n  \"format\": \"lodestone-episode/1\",\n  \"id\": oops\n}");
  d = LoadErrors(dir / "b.json");
  EXPECT_TRUE(HasError(d, 3, 9, "not valid JSON")) << d.Format();

  std::string text = Episode("c", Figure("f", 1, "consumer_shortfall_pct", "validation"), kNoCalibration);
  text.replace(text.find("ban.scenario.json"), 17, "gone.scenario.json");
  WriteFile(dir / "c.json", text);
  d = LoadErrors(dir / "c.json");
  EXPECT_TRUE(HasError(d, 5, 20, "/scenario_file: scenario file")) << d.Format();

  try {
    facade::LoadEpisode(dir / "none.json");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::NotFound);
  }
  try {
    facade::LoadEpisodes(dir / "no-such-dir");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::NotFound);
  }
}

TEST(BackTestLoader, EnforcesTheCalibrationRule) {
  TempDir dir;
  WriteFile(dir / "ban.scenario.json", kScenario);
  // Calibrated here and validated here.
  WriteFile(dir / "a.json", Episode("a", Figure("f", 1, "consumer_shortfall_pct", "validation"),
                                    R"({"calibrates": [{"parameter": "p", "value": 0.5, "basis": "b"}],
                                        "uses": []})"));
  auto d = LoadErrors(dir / "a.json");
  EXPECT_TRUE(HasError(d, 7, 33,
                       "/calibration/calibrates: an episode that calibrates parameters has only "
                       "'calibration' figures"))
      << d.Format();
  // Taken "from" itself.
  WriteFile(dir / "a.json", Episode("a", Figure("f", 1, "consumer_shortfall_pct", "validation"),
                                    R"({"calibrates": [], "uses": [{"parameter": "p", "value": 0.5,
                                        "calibrated_on": "a"}]})"));
  d = LoadErrors(dir / "a.json");
  EXPECT_TRUE(HasError(d, 8, 58, "parameter 'p' is calibrated on this episode")) << d.Format();

  // Across files: the calibrating episode must calibrate it, to the same value.
  WriteFile(dir / "a.json", Episode("a", Figure("f", 1, "consumer_shortfall_pct", "calibration"),
                                    R"({"calibrates": [{"parameter": "p", "value": 0.5, "basis": "b"}],
                                        "uses": []})"));
  WriteFile(dir / "b.json", Episode("b", Figure("f", 1, "consumer_shortfall_pct", "validation"),
                                    R"({"calibrates": [], "uses": [{"parameter": "p", "value": 0.6,
                                        "calibrated_on": "a"}, {"parameter": "q", "value": 1, "calibrated_on": "a"}]})"));
  try {
    facade::LoadEpisodes(dir.path());
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidData);
    const auto& items = e.diagnostics().Items();
    ASSERT_EQ(items.size(), 2u) << e.Describe();
    EXPECT_NE(items[0].message.find("parameter 'p' = 0.6, but episode 'a' calibrates it to 0.5"), std::string::npos);
    EXPECT_NE(items[1].message.find("parameter 'q' is said to be calibrated on episode 'a', which does not"),
              std::string::npos);
  }
  // Duplicate episode ids.
  WriteFile(dir / "b.json", Episode("a", Figure("f", 1, "consumer_shortfall_pct", "validation"), kNoCalibration));
  try {
    facade::LoadEpisodes(dir.path());
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("episode id 'a' is also the id of"), std::string::npos) << e.what();
  }
}

// --- The shipped episodes and their page

TEST(BackTestShipped, EveryEpisodeRunsAndFollowsTheCalibrationRule) {
  auto r = facade::RunBackTests(Ws(), kRoot / "tests/validation/episodes");
  ASSERT_GE(r.episodes.size(), 1u);
  for (const auto& ep : r.episodes) {
    for (const auto& f : ep.figures) {
      EXPECT_FALSE(f.sources.empty()) << ep.id << "/" << f.id;
      if (f.model) {
        ASSERT_TRUE(f.error);
        EXPECT_DOUBLE_EQ(*f.error, *f.model - f.observed);
      }
    }
    for (const auto& u : ep.uses) EXPECT_NE(u.calibrated_on, ep.id);
  }
}

TEST(BackTestShipped, ValidationPageHoldsTheTableTheCommandGenerates) {
  auto table = facade::ToMarkdown(facade::RunBackTests(Ws(), kRoot / "tests/validation/episodes"));
  auto page = testing::ReadFile(kRoot / "docs/validation.md");
  EXPECT_NE(page.find(table), std::string::npos)
      << "docs/validation.md is stale: regenerate its table with `lodestone validate episodes --format markdown`:\n"
      << table;
}

}  // namespace
}  // namespace lodestone
