// Tests of the report module: tick steps and number formats, the SVG chart parsed back by a small
// XML scan (series, band, axis labels, units, legend, source note), and the dossiers checked to be
// self-contained (no external URL in any src or href, no script, no @import).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "lodestone/data/loader.hpp"
#include "lodestone/model/diagnostics.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/outlook/outlook.hpp"
#include "lodestone/report/dossier.hpp"
#include "lodestone/report/headlines.hpp"
#include "lodestone/report/svg.hpp"
#include "lodestone/sim/inputs.hpp"
#include "lodestone/sim/network.hpp"

namespace lodestone::report {
namespace {

const std::filesystem::path kSource = LODESTONE_SOURCE_DIR;

struct Element {
  std::string name;
  std::map<std::string, std::string> attrs;
  std::string text;  // character data right after the start tag
};

// A small XML scan: elements with attributes and text, checking that tags nest and close.
std::vector<Element> ScanXml(const std::string& xml, std::string& error) {
  std::vector<Element> out;
  std::vector<std::string> stack;
  std::size_t pos = 0;
  while ((pos = xml.find('<', pos)) != std::string::npos) {
    std::size_t end = xml.find('>', pos);
    if (end == std::string::npos) {
      error = "unterminated tag";
      return out;
    }
    std::string tag = xml.substr(pos + 1, end - pos - 1);
    pos = end + 1;
    if (tag.empty() || tag[0] == '?' || tag[0] == '!') continue;
    if (tag[0] == '/') {
      std::string name = tag.substr(1);
      if (stack.empty() || stack.back() != name) {
        error = "closing </" + name + "> does not match";
        return out;
      }
      stack.pop_back();
      continue;
    }
    bool self_closing = tag.back() == '/';
    if (self_closing) tag.pop_back();
    Element e;
    std::size_t sp = tag.find_first_of(" \n");
    e.name = tag.substr(0, sp);
    static const std::regex kAttr(R"re(([A-Za-z_:][-A-Za-z0-9_:.]*)="([^"]*)")re");
    if (sp != std::string::npos) {
      std::string rest = tag.substr(sp);
      for (std::sregex_iterator it(rest.begin(), rest.end(), kAttr), stop; it != stop; ++it) {
        e.attrs[(*it)[1]] = (*it)[2];
      }
    }
    std::size_t next = xml.find('<', pos);
    e.text = xml.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    if (!self_closing) stack.push_back(e.name);
    out.push_back(std::move(e));
  }
  if (!stack.empty()) error = "unclosed <" + stack.back() + ">";
  return out;
}

std::vector<const Element*> WithClass(const std::vector<Element>& els, const std::string& cls) {
  std::vector<const Element*> out;
  for (const auto& e : els) {
    auto it = e.attrs.find("class");
    if (it != e.attrs.end() && it->second == cls) out.push_back(&e);
  }
  return out;
}

bool HasText(const std::vector<Element>& els, const std::string& text) {
  for (const auto& e : els) {
    if (e.text.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(Format, TicksAreOneTwoFiveStepsCoveringTheRange) {
  EXPECT_EQ(NiceTicks(0, 1300, 6), (std::vector<double>{0, 250, 500, 750, 1000, 1250, 1500}));
  EXPECT_EQ(NiceTicks(2025, 2050, 6), (std::vector<double>{2025, 2030, 2035, 2040, 2045, 2050}));
  EXPECT_EQ(NiceTicks(-30, 90, 6), (std::vector<double>{-40, -20, 0, 20, 40, 60, 80, 100}));
  EXPECT_EQ(NiceTicks(0, 0.9, 4), (std::vector<double>{0, 0.25, 0.5, 0.75, 1.0}));
}

TEST(Format, ThousandsSeparators) {
  EXPECT_EQ(Thousands(1234567.8), "1,234,568");
  EXPECT_EQ(Thousands(-1500), "-1,500");
  EXPECT_EQ(Thousands(999), "999");
  EXPECT_EQ(Thousands(-0.2), "0");
  EXPECT_EQ(Thousands(1234.5, 1), "1,234.5");
  EXPECT_EQ(XmlEscape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
}

TEST(Svg, ChartParsesBackWithSeriesAxesLegendAndSource) {
  LineChart c;
  c.title = "Test chart <lithium>";
  c.unit = "t Li";
  c.source_note = "Source: test figures (CC BY 4.0).";
  std::vector<double> x = {2025, 2030, 2035}, y = {1.0e6, 2.0e6, 3.5e6};
  c.bands.push_back({"Demand P5-P95", x, {0.9e6, 1.6e6, 2.5e6}, {1.1e6, 2.5e6, 4.8e6}, "#b22222", 0.2});
  c.series.push_back({"Demand", x, y, "#b22222", false});
  c.series.push_back({"Supply", x, {1.0e6, 1.2e6, 1.3e6}, "#1f4e79", true});
  std::string svg = RenderSvg(c, true);
  std::string error;
  auto els = ScanXml(svg, error);
  ASSERT_EQ(error, "") << svg;
  ASSERT_FALSE(els.empty());
  EXPECT_EQ(els[0].name, "svg");
  EXPECT_EQ(els[0].attrs.at("xmlns"), "http://www.w3.org/2000/svg");
  auto series = WithClass(els, "series");
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0]->attrs.at("data-name"), "Demand");
  EXPECT_EQ(series[1]->attrs.at("stroke-dasharray"), "6 4");
  // Three points per series, the band a closed polygon of six.
  auto count_points = [](const std::string& pts) { return std::count(pts.begin(), pts.end(), ','); };
  EXPECT_EQ(count_points(series[0]->attrs.at("points")), 3);
  auto bands = WithClass(els, "band");
  ASSERT_EQ(bands.size(), 1u);
  EXPECT_EQ(bands[0]->name, "polygon");
  EXPECT_EQ(count_points(bands[0]->attrs.at("points")), 6);
  // Units scaled to kt with separators; year ticks; axis labels.
  EXPECT_TRUE(HasText(els, "kt Li per year"));
  EXPECT_TRUE(HasText(els, "5,000"));
  EXPECT_TRUE(HasText(els, "2030"));
  EXPECT_TRUE(HasText(els, "year"));
  EXPECT_TRUE(HasText(els, "Test chart &lt;lithium&gt;"));
  EXPECT_TRUE(HasText(els, "Demand P5-P95"));
  EXPECT_TRUE(HasText(els, "Supply"));
  EXPECT_TRUE(HasText(els, "Source: test figures (CC BY 4.0)."));
  EXPECT_EQ(WithClass(els, "legend").size(), 1u);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("href"), std::string::npos);
  // Inline form: no namespace URL at all.
  EXPECT_EQ(RenderSvg(c, false).find("http"), std::string::npos);
}

class Shipped : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ds_ = new model::Dataset(data::LoadDatasetOrThrow(kSource / "data/starter"));
    od_ = new outlook::OutlookData(outlook::LoadOutlookData(kSource / "data/outlook", *ds_));
    registry_ = new std::vector<outlook::PipelineProject>(
        outlook::LoadProjectRegistry(kSource / "tests/outlook/projects_fixture.csv", *ds_));
  }
  static void TearDownTestSuite() {
    delete registry_;
    delete od_;
    delete ds_;
  }
  static model::Dataset* ds_;
  static outlook::OutlookData* od_;
  static std::vector<outlook::PipelineProject>* registry_;
};
model::Dataset* Shipped::ds_ = nullptr;
outlook::OutlookData* Shipped::od_ = nullptr;
std::vector<outlook::PipelineProject>* Shipped::registry_ = nullptr;

TEST_F(Shipped, OutlookChartHasDemandSupplyBandsAndSource) {
  outlook::OutlookRequest req;
  req.mineral = "cobalt";
  req.scenario = "wb-2020";
  req.runs = 100;
  auto r = outlook::Run(*ds_, *od_, *registry_, req);
  std::string error;
  auto els = ScanXml(RenderSvg(OutlookChart(r), true), error);
  ASSERT_EQ(error, "");
  auto series = WithClass(els, "series");
  ASSERT_EQ(series.size(), 4u);
  EXPECT_EQ(series[0]->attrs.at("data-name"), "World demand (scenario path)");
  EXPECT_EQ(series[1]->attrs.at("data-name"), "World supply (expected)");
  EXPECT_EQ(series[3]->attrs.at("data-name"), "USA+JPN secure supply (allied)");
  ASSERT_EQ(WithClass(els, "band").size(), 2u);
  // 26 years per series.
  const auto& pts = series[0]->attrs.at("points");
  EXPECT_EQ(std::count(pts.begin(), pts.end(), ','), 26);
  EXPECT_TRUE(HasText(els, "kt Co per year") || HasText(els, "t Co per year"));
  EXPECT_TRUE(HasText(els, "wb_2020_hund"));
  // The source note wraps over several lines: the seed is read from the note as a whole.
  std::string note;
  for (const auto& e : els) note += e.text + " ";
  EXPECT_NE(note.find("seed 20251028."), std::string::npos) << note;
}

// Every src= and href= value in the page, and whether any is an external address.
std::vector<std::string> Links(const std::string& html) {
  std::vector<std::string> out;
  static const std::regex kLink(R"re(\b(src|href)\s*=\s*["']?([^"' >]*))re", std::regex::icase);
  for (std::sregex_iterator it(html.begin(), html.end(), kLink), stop; it != stop; ++it) out.push_back((*it)[2]);
  return out;
}

TEST_F(Shipped, DossierIsSelfContained) {
  DossierRequest req;
  req.mineral = "lithium";
  req.runs = 100;
  auto d = BuildDossier(*ds_, od_, *registry_, {}, req);
  // The only links are in-page anchors (measures to their glossary entries).
  for (const auto& link : Links(d.html)) EXPECT_EQ(link.rfind("#g-", 0), 0u) << link;
  EXPECT_FALSE(Links(d.html).empty());
  EXPECT_EQ(d.html.find("<script"), std::string::npos);
  EXPECT_EQ(d.html.find("@import"), std::string::npos);
  EXPECT_EQ(d.html.find("url("), std::string::npos);
  EXPECT_EQ(d.html.find("<link"), std::string::npos);
  EXPECT_EQ(d.html.find("<img"), std::string::npos);
  // Citations stay as plain text.
  EXPECT_NE(d.html.find("Address (text only): https://doi.org/10.5066/P14BRF29"), std::string::npos);
  // The sections and their content.
  EXPECT_NE(d.html.find("<h2>Supply picture by stage</h2>"), std::string::npos);
  EXPECT_NE(d.html.find("Australia"), std::string::npos);
  EXPECT_NE(d.html.find("<h2>Concentration and risk scores</h2>"), std::string::npos);
  EXPECT_NE(d.html.find("<svg "), std::string::npos);
  EXPECT_NE(d.html.find("No scenario results supplied."), std::string::npos);
  EXPECT_NE(d.html.find("Test spodumene mine under construction (li_aus_build)"), std::string::npos);
  EXPECT_NE(d.html.find("[usgs_mcs2026] U.S. Geological Survey"), std::string::npos);
  EXPECT_NE(d.html.find("[iea_2021_role] IEA (2021)"), std::string::npos);
  EXPECT_EQ(d.svg_file, "lithium_outlook.svg");
  std::string error;
  ScanXml(d.svg, error);
  EXPECT_EQ(error, "");
  // Markdown carries the same sections, the chart by relative file name.
  EXPECT_NE(d.markdown.find("## Supply picture by stage"), std::string::npos);
  EXPECT_NE(d.markdown.find("](lithium_outlook.svg)"), std::string::npos);
  EXPECT_NE(d.markdown.find("| sds-2021 |"), std::string::npos);
}

TEST_F(Shipped, DossierShowsTheRefiningStageWhenTheMineralHasBoth) {
  DossierRequest req;
  req.mineral = "lithium";
  req.runs = 50;
  auto d = BuildDossier(*ds_, od_, *registry_, {}, req);
  auto refining = d.html.find("<h3>Refining stage: steps scenario</h3>");
  ASSERT_NE(refining, std::string::npos);
  // The refining-stage project of the fixture counts there (construction: p = 0.85, from 2028;
  // 9,000 x 0.85 = 7,650 t Li in 2050), with its own chart after the mining one.
  EXPECT_NE(d.html.find("<td>Test hydroxide refinery (li_refinery)</td><td>refining</td><td>United States</td>"
                        "<td>construction</td><td class=\"num\">85.0%</td><td class=\"num\">2028</td><td "
                        "class=\"num\">7,650</td><td>yes</td>",
                        refining),
            std::string::npos)
      << d.html.substr(refining, 4000);
  // The refining-stage chart is drawn with the other charts, above the annex.
  auto refining_chart = d.html.find("(refining stage)");
  ASSERT_NE(refining_chart, std::string::npos);
  EXPECT_LT(refining_chart, d.html.find("<section class=\"annex\">"));
  EXPECT_NE(d.html.rfind("<svg ", refining_chart), std::string::npos);
  EXPECT_EQ(d.svg_refining_file, "lithium_outlook_refining.svg");
  std::string error;
  auto els = ScanXml(d.svg_refining, error);
  EXPECT_EQ(error, "");
  EXPECT_NE(d.svg_refining.find("(refining stage)"), std::string::npos);
  EXPECT_NE(d.markdown.find("](lithium_outlook_refining.svg)"), std::string::npos);
  for (const auto& link : Links(d.html)) EXPECT_EQ(link.rfind("#g-", 0), 0u) << link;
  // Antimony has no demand scenario: no outlook at either stage.
  req.mineral = "antimony";
  auto none = BuildDossier(*ds_, od_, *registry_, {}, req);
  EXPECT_TRUE(none.svg_refining.empty());
}

TEST_F(Shipped, DossierShowsSuppliedScenarioHeadlines) {
  DossierRequest req;
  req.mineral = "graphite";
  req.runs = 50;
  std::vector<ScenarioHeadline> h = {
      {"cn-graphite-ban", "China bans graphite exports", "graphite", "USA+JPN", 250000, 120000, 0.48, "sim_run_1"},
      {"other", "Another mineral", "cobalt", "USA", 1, 1, 1, "x"}};
  auto d = BuildDossier(*ds_, od_, *registry_, h, req);
  EXPECT_EQ(d.html.find("No scenario results supplied."), std::string::npos);
  EXPECT_NE(d.html.find("China bans graphite exports"), std::string::npos);
  EXPECT_NE(d.html.find("120,000"), std::string::npos);
  EXPECT_NE(d.html.find("48.0%"), std::string::npos);
  EXPECT_EQ(d.html.find("Another mineral"), std::string::npos);
}

TEST_F(Shipped, MineralWithoutScenarioSaysSo) {
  DossierRequest req;
  req.mineral = "antimony";
  req.registry_supplied = false;
  auto d = BuildDossier(*ds_, od_, {}, {}, req);
  EXPECT_NE(d.html.find("No demand scenario for antimony"), std::string::npos);
  EXPECT_NE(d.html.find("No project registry supplied"), std::string::npos);
  EXPECT_TRUE(d.svg.empty());
  try {
    BuildDossier(*ds_, od_, {}, {}, DossierRequest{"unobtainium"});
    FAIL() << "expected an error";
  } catch (const lodestone::Error& e) {
    EXPECT_EQ(e.kind(), lodestone::ErrorKind::InvalidRequest);
  }
}

TEST_F(Shipped, IndexLinksLocalFilesOnly) {
  DossierRequest req;
  req.mineral = "nickel";
  req.runs = 20;
  std::vector<Dossier> ds = {BuildDossier(*ds_, od_, *registry_, {}, req)};
  std::string index = RenderIndex(*ds_, ds);
  EXPECT_NE(index.find("href=\"nickel.html\""), std::string::npos);
  for (const auto& link : Links(index)) EXPECT_EQ(link.find("http"), std::string::npos) << link;
  EXPECT_EQ(index.find("<script"), std::string::npos);
}

TEST_F(Shipped, ProjectsAreListedLargestFirst) {
  auto rows = ProjectsFor(*registry_, "lithium", 3);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].id, "li_cancelled");  // 50,000 t
  EXPECT_EQ(rows[1].id, "li_old_mine");   // 40,000 t
  EXPECT_EQ(rows[2].id, "li_aus_build");  // 30,000 t
  auto all = ProjectsFor(*registry_, "lithium", 100);
  EXPECT_EQ(all.back().id, "li_no_capacity");  // missing capacity last
}

}  // namespace
}  // namespace lodestone::report

namespace lodestone::report {
namespace {

// The dossier's scenario section names where figures come from, not a command to run.
TEST(Headlines, SourcesNameTheSimulatorNotACommand) {
  const std::filesystem::path root = LODESTONE_SOURCE_DIR;
  auto ds = data::LoadDatasetOrThrow(root / "data/starter");
  auto inputs = sim::LoadSimInputs(root / "data/sim", ds);
  auto net = sim::BuildNetwork(ds, inputs, 2025);
  HeadlineRequest req;
  req.scenarios = LoadScenarioDir(root / "scenarios");
  auto reg = sim::LoadRegister(root / "scenarios/register.json");
  req.reg = &reg;
  req.runs = 500;
  auto headlines = SimulateHeadlines(net, "cobalt", req);
  ASSERT_FALSE(headlines.empty());
  bool register_seen = false;
  for (const auto& h : headlines) {
    EXPECT_EQ(h.source.find("lodestone "), std::string::npos) << h.source;
    EXPECT_EQ(h.source.find("--"), std::string::npos) << h.source;
    register_seen |= h.scenario_id == reg.id;
  }
  EXPECT_TRUE(register_seen);
}

}  // namespace
}  // namespace lodestone::report
