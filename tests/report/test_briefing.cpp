// The dossier as a briefing, through the report façade on the shipped data: the key messages'
// figures equal what the supply, simulator, project and outlook façades return; the body above
// the annex shows no raw metric id and no command; every chart has a title, units, a source and a
// caption; the glossary covers every measure shown; the page's tags balance; a mineral without
// data says "not available" instead of showing zeros; the same request gives the same bytes.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "lodestone/app/workspace.hpp"
#include "lodestone/data/summary.hpp"
#include "lodestone/invest/plan.hpp"
#include "lodestone/report/dossier.hpp"
#include "lodestone/report/svg.hpp"
#include "lodestone/risk/assess.hpp"
#include "lodestone/sim_facade/outlook.hpp"
#include "lodestone/sim_facade/report.hpp"
#include "lodestone/sim_facade/simulate.hpp"

namespace lodestone::report {
namespace {

constexpr std::uint64_t kSimRuns = 2000, kEvalRuns = 400;

class Briefing : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ws_ = new app::Workspace(app::WorkspacePaths::UnderRoot(LODESTONE_SOURCE_DIR)); }
  static void TearDownTestSuite() { delete ws_; }
  static facade::ReportRequest Request(const std::string& mineral) {
    facade::ReportRequest req;
    req.mineral = mineral;
    req.runs = 50;
    req.sim_runs = kSimRuns;
    req.eval_runs = kEvalRuns;
    return req;
  }
  static Dossier Build(const std::string& mineral) {
    auto v = facade::BuildReports(*ws_, Request(mineral));
    EXPECT_EQ(v.size(), 1u);
    return v.front();
  }
  static app::Workspace* ws_;
};
app::Workspace* Briefing::ws_ = nullptr;

std::string Pct1(double fraction) { return fmt::format("{:.1f}%", fraction * 100); }

std::string Body(const Dossier& d) {
  auto annex = d.html.find("<section class=\"annex\">");
  EXPECT_NE(annex, std::string::npos);
  return d.html.substr(0, annex);
}

// HTML tags open and close in order (void elements excepted); text outside tags has no raw '<'.
std::string TagBalance(const std::string& html) {
  static const std::set<std::string> kVoid = {"meta", "br", "hr", "img", "link", "input", "col", "wbr"};
  std::vector<std::string> stack;
  std::size_t pos = 0;
  while ((pos = html.find('<', pos)) != std::string::npos) {
    std::size_t end = html.find('>', pos);
    if (end == std::string::npos) return "unterminated tag";
    std::string tag = html.substr(pos + 1, end - pos - 1);
    pos = end + 1;
    if (tag.empty()) return "empty tag";
    if (tag[0] == '!') continue;
    if (tag[0] == '/') {
      std::string name = tag.substr(1);
      if (stack.empty() || stack.back() != name)
        return "</" + name + "> closes <" + (stack.empty() ? "" : stack.back()) + ">";
      stack.pop_back();
      continue;
    }
    std::string name = tag.substr(0, tag.find_first_of(" \n/"));
    if (tag.back() == '/' || kVoid.count(name)) continue;
    stack.push_back(name);
  }
  return stack.empty() ? "" : "unclosed <" + stack.back() + ">";
}

TEST_F(Briefing, KeyMessagesCarryTheFacadesFigures) {
  const auto d = Build("rare_earths");
  ASSERT_EQ(d.key_messages.size(), 5u);
  const auto& ds = ws_->dataset();
  // 1. The dominant country of each stage, from the supply picture.
  for (const auto& pic : data::SupplyPictures(ds, *ds.FindMineral("rare_earths"))) {
    const auto& top = pic.entries.front();
    double share = top.share ? *top.share : top.share_value.number;
    EXPECT_NE(d.key_messages[0].find(ds.Country(top.country).name), std::string::npos);
    EXPECT_NE(d.key_messages[0].find(Pct1(share) + " of world " + ds.Stage(pic.stage)), std::string::npos)
        << d.key_messages[0];
  }
  // 2. The October 2025 controls (the simulator façade's default scenarios), partner by partner.
  auto sim = facade::Simulate(*ws_, facade::SimulateRequest{});
  ASSERT_TRUE(sim.default_scenarios);
  int seen = 0;
  for (const auto& sc : sim.scenarios) {
    for (const auto& row : sc.rows) {
      if (row.mineral != "rare_earths" || row.sector != "total" || (row.consumer != "USA" && row.consumer != "JPN"))
        continue;
      ++seen;
      std::string figure = fmt::format("short of {} of its demand ({} t REO)",
                                       Pct1(row.flows.shortfall / row.flows.demand), Thousands(row.flows.shortfall));
      EXPECT_NE(d.key_messages[1].find(figure), std::string::npos) << figure << "\n" << d.key_messages[1];
      EXPECT_NE(d.key_messages[1].find("other suppliers deliver " + Thousands(row.flows.delivered) + " t REO"),
                std::string::npos);
      if (row.flows.stock_drawn > 0)
        EXPECT_NE(d.key_messages[1].find("stocks cover " + Thousands(row.flows.stock_drawn) + " t REO"),
                  std::string::npos);
    }
  }
  EXPECT_GE(seen, 2);
  // 3. The risk register's Monte Carlo through the same façade.
  facade::SimulateRequest mc;
  mc.monte_carlo = true;
  mc.runs = kSimRuns;
  auto mcr = facade::Simulate(*ws_, mc);
  ASSERT_TRUE(mcr.monte_carlo);
  EXPECT_NE(d.key_messages[2].find(fmt::format("Across {} scenarios", Thousands(kSimRuns))), std::string::npos);
  for (const auto& r : mcr.monte_carlo->rows) {
    if (r.mineral != "rare_earths" || r.sector != "total" || (r.consumer != "USA" && r.consumer != "JPN")) continue;
    std::string figure =
        fmt::format("short in {} of the years drawn, with a P95 shortfall of {} of demand ({} t REO)",
                    Pct1(r.p_shortfall), Pct1(r.shortfall_pct.p95 / 100), Thousands(r.shortfall_t.p95));
    EXPECT_NE(d.key_messages[2].find(figure), std::string::npos) << figure << "\n" << d.key_messages[2];
  }
  // 4. The project that closes most of the gap, from the project evaluation façade.
  invest::ProjectEvaluationRequest pr;
  pr.project_id = "ef_white_mesa_p2";
  pr.evaluation.runs = kEvalRuns;
  auto ev = invest::EvaluateOneProject(*ws_, pr);
  ASSERT_TRUE(ev.project.public_musd);
  EXPECT_NE(d.key_messages[3].find(fmt::format("{} (United States) removes {} t REO", ev.project.name,
                                               Thousands(ev.project.expected_relief_t))),
            std::string::npos)
      << d.key_messages[3];
  EXPECT_NE(d.key_messages[3].find("public money " + Thousands(*ev.project.public_musd, 1) + " M USD"),
            std::string::npos);
  EXPECT_NE(d.key_messages[3].find("expected shortfall is " + Thousands(ev.project.expected_before_t) + " t REO"),
            std::string::npos);
  // 5. The outlook façade's first gap year.
  facade::OutlookRunRequest orq;
  orq.outlook.mineral = "rare_earths";
  orq.outlook.scenario = ws_->outlook_data().ScenariosFor("rare_earths").front();
  orq.outlook.runs = 50;
  auto out = facade::RunOutlook(*ws_, orq).result;
  const std::string gap = out.first_gap_p50 ? fmt::format("a world supply gap opens in {}", *out.first_gap_p50)
                                            : std::string("no world supply gap opens");
  EXPECT_NE(d.key_messages[4].find(gap), std::string::npos) << d.key_messages[4];
  EXPECT_NE(d.key_messages[4].find(Thousands(out.years.back().demand_t) + " t REO"), std::string::npos);
  // The Markdown refers to every chart by its file, and the files are the same charts.
  // Shares, scenarios, and the flows before and after the October 2025 controls.
  ASSERT_EQ(d.bar_charts.size(), 4u);
  for (const auto& [file, svg] : d.bar_charts) {
    EXPECT_NE(d.markdown.find("](" + file + ")"), std::string::npos) << file;
    EXPECT_NE(svg.find("xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
    EXPECT_EQ(TagBalance(svg), "");
  }
  EXPECT_NE(d.markdown.find("](rare_earths_outlook.svg)"), std::string::npos);
  // The key messages open the page, in the HTML and the Markdown.
  EXPECT_LT(d.html.find("<h2>Key messages</h2>"), d.html.find("<h2>Charts</h2>"));
  EXPECT_LT(d.markdown.find("## Key messages"), d.markdown.find("## Annex"));
}

TEST_F(Briefing, BodyNamesMeasuresInWordsWithAGlossaryAndCharts) {
  for (const std::string mineral : {"rare_earths", "lithium", "gallium", "antimony"}) {
    SCOPED_TRACE(mineral);
    const auto d = Build(mineral);
    const std::string body = Body(d);
    // No raw metric id and no command above the annex.
    risk::AssessRequest ar;
    ar.minerals = {mineral};
    ar.consumer = {"USA", "JPN"};
    ar.as_of = "2026-11-27";
    const auto assessed = risk::Assess(ws_->dataset(), ar);
    std::set<std::string> ids;
    for (const auto& r : assessed.rows) ids.insert(r.metric);
    ASSERT_FALSE(ids.empty());
    for (const auto& id : ids) {
      if (id == "hhi" || id == "score") continue;  // common words; checked through the glossary below
      EXPECT_EQ(body.find(id), std::string::npos) << id;
    }
    EXPECT_EQ(body.find("lodestone "), std::string::npos);
    EXPECT_EQ(body.find("`"), std::string::npos);
    EXPECT_EQ(body.find("insufficient data"), std::string::npos);
    EXPECT_EQ(d.markdown.substr(0, d.markdown.find("## Annex")).find("top1\\_share"), std::string::npos);
    // Every measure shown (body and annex) has a glossary entry, and every link an anchor.
    for (const auto& id : ids) {
      EXPECT_NE(MetricName(id), id) << "no name in words for " << id;
      EXPECT_EQ(MetricGlossary(id).find("No description"), std::string::npos) << id;
      EXPECT_NE(MetricGlossary(id).find("docs/methods/"), std::string::npos) << id;
      EXPECT_NE(body.find("<dt id=\"g-"), std::string::npos);
    }
    std::size_t pos = 0, links = 0;
    while ((pos = d.html.find("href=\"", pos)) != std::string::npos) {
      pos += 6;
      std::string target = d.html.substr(pos, d.html.find('"', pos) - pos);
      ASSERT_EQ(target[0], '#') << target;
      EXPECT_NE(body.find("<dt id=\"" + target.substr(1) + "\">"), std::string::npos) << target;
      ++links;
    }
    EXPECT_GT(links, 0u);
    // Every chart: title, units, source line and a caption.
    std::size_t charts = 0;
    pos = 0;
    while ((pos = body.find("<figure>", pos)) != std::string::npos) {
      std::size_t end = body.find("</figure>", pos);
      ASSERT_NE(end, std::string::npos);
      std::string fig = body.substr(pos, end - pos);
      EXPECT_NE(fig.find("class=\"title\""), std::string::npos);
      EXPECT_NE(fig.find("<title>"), std::string::npos);
      auto unit = fig.find("class=\"axis-label\"");
      ASSERT_NE(unit, std::string::npos);
      EXPECT_NE(fig.find(" t", unit), std::string::npos);  // "% of demand", "t REO per year", "%": a unit word
      EXPECT_NE(fig.find("Source: "), std::string::npos);
      EXPECT_NE(fig.find("<figcaption>"), std::string::npos);
      ++charts;
      pos = end;
    }
    EXPECT_GE(charts, 2u);
    EXPECT_EQ(TagBalance(d.html), "");
    // Printable: A4, a page break before the charts and the annex, none inside rows or charts.
    EXPECT_NE(d.html.find("size:A4"), std::string::npos);
    EXPECT_NE(d.html.find("section.charts,section.annex{break-before:page}"), std::string::npos);
    EXPECT_NE(d.html.find("figure,tr,dt,dd,li{break-inside:avoid}"), std::string::npos);
  }
}

TEST_F(Briefing, MissingFiguresReadNotAvailableNotZero) {
  // Dysprosium: shares only (no tonnes), no simulator demand, no project, no demand scenario.
  const auto d = Build("dysprosium");
  ASSERT_EQ(d.key_messages.size(), 5u);
  for (std::size_t i = 1; i < 5; ++i) {
    EXPECT_NE(d.key_messages[i].find("not available"), std::string::npos) << d.key_messages[i];
  }
  EXPECT_NE(d.key_messages[1].find("demand for this mineral is not known in the simulator"), std::string::npos);
  EXPECT_NE(d.key_messages[3].find("no project of this mineral"), std::string::npos) << d.key_messages[3];
  EXPECT_NE(d.key_messages[4].find("Outlook: not available"), std::string::npos);
  // The charts without figures say so instead of drawing empty bars.
  EXPECT_NE(d.html.find("Chart not available: no scenario result for this mineral"), std::string::npos);
  EXPECT_NE(d.html.find("Chart not available: no demand scenario for this mineral"), std::string::npos);
  for (const auto& m : d.key_messages) {
    EXPECT_EQ(m.find(" 0.0%"), std::string::npos) << m;
    EXPECT_EQ(m.find(" 0 t"), std::string::npos) << m;
  }
  EXPECT_EQ(TagBalance(d.html), "");
}

TEST_F(Briefing, SameRequestSameBytes) {
  const auto a = Build("gallium");
  const auto b = Build("gallium");
  EXPECT_EQ(a.html, b.html);
  EXPECT_EQ(a.markdown, b.markdown);
}

// The attribute `name` of the element that starts at `pos` in `svg`.
std::string Attr(const std::string& svg, std::size_t pos, const std::string& name) {
  const auto end = svg.find('>', pos);
  const auto at = svg.find(" " + name + "=\"", pos);
  if (at == std::string::npos || at > end) return "";
  const auto v = at + name.size() + 3;
  return svg.substr(v, svg.find('"', v) - v);
}

// The flows chart's band for source -> target: its stroke width and tonnes; NaN when absent.
std::pair<double, double> Band(const std::string& svg, const std::string& source, const std::string& target) {
  const auto pos = svg.find("data-source=\"" + source + "\" data-target=\"" + target + "\"");
  if (pos == std::string::npos) return {std::nan(""), std::nan("")};
  const auto start = svg.rfind("<path", pos);
  return {std::stod(Attr(svg, start, "stroke-width")), std::stod(Attr(svg, start, "data-tonnes"))};
}

TEST_F(Briefing, FlowsChartDrawsTheSimulatorsFlowsBeforeAndAfterTheOctoberControls) {
  const auto d = Build("rare_earths");
  facade::FlowsRequest fr;
  fr.mineral = "rare_earths";
  const auto flows = facade::SimulateFlows(*ws_, fr);
  const std::string body = Body(d);
  const auto fig = body.find("flows by stage before " + flows.scenario_id);
  ASSERT_NE(fig, std::string::npos);
  EXPECT_NE(body.find("flows by stage under " + flows.scenario_id), std::string::npos);
  std::string before, after;
  for (const auto& [file, svg] : d.bar_charts) {
    if (file == "rare_earths_flows_before.svg") before = svg;
    if (file == "rare_earths_flows_after.svg") after = svg;
  }
  ASSERT_FALSE(before.empty());
  ASSERT_FALSE(after.empty());
  for (const auto* svg : {&before, &after}) {
    EXPECT_NE(svg->find("class=\"title\""), std::string::npos);
    EXPECT_NE(svg->find("bar height and band width: t REO per year"), std::string::npos);
    EXPECT_NE(svg->find("Source: Lodestone disruption simulator"), std::string::npos);
    EXPECT_NE(svg->find(">other countries "), std::string::npos);  // the rest grouped
    // Nodes drawn on their own are single countries (aggregates of the tables go to the rest).
    std::size_t pos = 0, nodes = 0;
    while ((pos = svg->find("data-id=\"", pos)) != std::string::npos) {
      pos += 9;
      const std::string id = svg->substr(pos, svg->find('"', pos) - pos);
      const std::string code = id.substr(id.find(':') + 1);
      ++nodes;
      if (code == "OTHER") continue;
      auto cid = ws_->dataset().FindCountry(code);
      ASSERT_TRUE(cid.has_value()) << id;
      EXPECT_EQ(ws_->dataset().Country(*cid).kind, model::CountryKind::Country) << id;
    }
    EXPECT_GE(nodes, 6u);
  }
  // Bands carry the façade's tonnes (China's mines to China's refineries, China's refineries to
  // the United States: countries large enough to be drawn on their own) at one scale.
  auto tonnes = [](const std::vector<sim::FlowLink>& links, const std::string& s, const std::string& t) {
    for (const auto& l : links) {
      if (l.source == s && l.target == t) return l.tonnes;
    }
    return 0.0;
  };
  const auto [w1, t1] = Band(before, "mining:CHN", "refining:CHN");
  const auto [w2, t2] = Band(before, "refining:CHN", "consumer:USA");
  const auto [w3, t3] = Band(after, "refining:CHN", "consumer:USA");
  EXPECT_NEAR(t1, tonnes(flows.before, "mining:CHN", "refining:CHN"), 1e-5 * t1);
  EXPECT_NEAR(t2, tonnes(flows.before, "refining:CHN", "consumer:USA"), 1e-5 * t2);
  EXPECT_NEAR(t3, tonnes(flows.after, "refining:CHN", "consumer:USA"), 1e-5 * std::max(t3, 1.0));
  ASSERT_GT(t1, 0);
  ASSERT_GT(t2, 0);
  ASSERT_GT(t2, t3);  // the controls cut China's deliveries to the United States
  EXPECT_NEAR(w2 / w1, t2 / t1, 1e-3);
  EXPECT_NEAR(w3 / w1, t3 / t1, 1e-3);  // the same scale before and after
  EXPECT_EQ(TagBalance(before), "");
  EXPECT_EQ(TagBalance(after), "");
  EXPECT_NE(d.markdown.find("](rare_earths_flows_after.svg)"), std::string::npos);
}

TEST_F(Briefing, MineralTheSimulatorDoesNotCoverGetsAFlowsNote) {
  std::string uncovered;
  for (const auto& m : ws_->dataset()->minerals) {
    if (!ws_->network().Find(m.id)) {
      uncovered = m.id;
      break;
    }
  }
  ASSERT_FALSE(uncovered.empty());
  const auto d = Build(uncovered);
  EXPECT_NE(d.html.find("Chart not available: the disruption simulator does not cover this mineral"),
            std::string::npos);
  EXPECT_EQ(d.html.find("flows by stage before"), std::string::npos);
  for (const auto& [file, svg] : d.bar_charts) EXPECT_EQ(file.find("_flows_"), std::string::npos) << file;
}

TEST(FlowChart, GroupsAllButTheSixLargestCountriesAndMergesTheirLinks) {
  sim::FlowsResult f;
  f.unit = "t X";
  for (int i = 0; i < 8; ++i) {
    const std::string code = fmt::format("C{}", i);
    f.nodes.push_back({"mining:" + code, "mining", code, true, "Country " + code});
    f.before.push_back({"mining:" + code, "refining:R", 10.0 * (i + 1)});
    f.after.push_back({"mining:" + code, "refining:R", 5.0 * (i + 1)});
  }
  f.nodes.push_back({"refining:R", "refining", "R", true, "Refiner"});
  f.nodes.push_back({"consumer:K", "consumer", "K", true, "Consumer"});
  f.before.push_back({"refining:R", "consumer:K", 360});
  const auto c = FlowChartOf(f, false);
  // C7..C2 on their own (largest first), C1 and C0 grouped: 20 + 10 t.
  ASSERT_EQ(c.nodes.size(), 9u);
  EXPECT_EQ(c.nodes[0].id, "mining:C7");
  EXPECT_EQ(c.nodes[6].id, "mining:OTHER");
  EXPECT_EQ(c.nodes[6].label, "other countries");
  double other = 0;
  for (const auto& l : c.links) {
    if (l.source == "mining:OTHER") other += l.tonnes;
  }
  EXPECT_DOUBLE_EQ(other, 30);
  EXPECT_DOUBLE_EQ(FlowChartColumnMax(c), 360);
  const auto a = FlowChartOf(f, true);
  EXPECT_EQ(a.nodes.size(), c.nodes.size());  // the after chart keeps the baseline's grouping
  const auto svg = RenderFlowChart(c, true);
  // Widths proportional to tonnes: 340 px for the tallest column (360 t).
  const auto [w, t] = Band(svg, "mining:C7", "refining:R");
  EXPECT_DOUBLE_EQ(t, 80);
  EXPECT_NEAR(w, 80 * kFlowChartPlotHeight / 360, 1e-3);
  EXPECT_EQ(svg.find("not modelled"), std::string::npos);
  // Without mines (refined output given), the column says so.
  FlowChart r;
  r.nodes = {{"refining:R", "Refiner", 1}, {"consumer:K", "Consumer", 2}};
  r.links = {{"refining:R", "consumer:K", 5}};
  EXPECT_NE(RenderFlowChart(r, true).find(">not modelled</text>"), std::string::npos);
  EXPECT_EQ(svg, RenderFlowChart(c, true));
  EXPECT_EQ(TagBalance(svg), "");
}

TEST(BarChart, ParsesWithBarsTitleUnitsAndMissingValues) {
  BarChart c;
  c.title = "Shares <test>";
  c.unit = "share of world supply, %";
  c.source_note = "Source: test figures.";
  c.rows = {{"mining (2025)", "China", 69.2, "#1f4e79", ""},
            {"mining (2025)", "Chile", std::nullopt, "#1f4e79", ""},
            {"refining (2023)", "China", 92.0, "#1f4e79", "92.0%"}};
  const std::string svg = RenderBarChart(c, true);
  EXPECT_EQ(TagBalance(svg), "");
  EXPECT_NE(svg.find("Shares &lt;test&gt;"), std::string::npos);
  EXPECT_NE(svg.find("share of world supply, %"), std::string::npos);
  EXPECT_NE(svg.find("Source: test figures."), std::string::npos);
  EXPECT_NE(svg.find("data-name=\"mining (2025): China\" data-value=\"69.2\""), std::string::npos);
  EXPECT_NE(svg.find("data-name=\"refining (2023): China\" data-value=\"92\""), std::string::npos);
  // The missing share has no bar and says so; never a zero-length bar.
  EXPECT_EQ(svg.find("data-name=\"mining (2025): Chile\""), std::string::npos);
  EXPECT_NE(svg.find(">not available<"), std::string::npos);
  EXPECT_EQ(std::count(svg.begin(), svg.end(), '\n') > 10, true);
  EXPECT_NE(svg.find(">refining (2023)<"), std::string::npos);
}

}  // namespace
}  // namespace lodestone::report
