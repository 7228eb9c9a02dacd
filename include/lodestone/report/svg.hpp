// SVG line charts written by the program itself: axes with readable ticks and units, a title, a
// legend, series as lines, uncertainty bands as filled polygons and a source note. No script,
// no external font or URL: the file is self-contained and renders the same offline.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lodestone/outlook/outlook.hpp"
#include "lodestone/sim/simulate.hpp"

namespace lodestone::report {

struct ChartSeries {
  std::string name;
  std::vector<double> x, y;
  std::string colour = "#1f4e79";
  bool dashed = false;
};

struct ChartBand {
  std::string name;
  std::vector<double> x, lo, hi;
  std::string colour = "#1f4e79";
  double opacity = 0.18;
};

struct LineChart {
  std::string title;
  std::string subtitle;
  std::string x_label = "year";
  std::string unit;  // canonical unit of the values, e.g. "t Li"; ticks may show kt or Mt of it
  std::string source_note;
  std::vector<ChartSeries> series;
  std::vector<ChartBand> bands;
  int width = 860;
  int height = 500;
};

// A horizontal bar chart: one bar per row, grouped under optional group headings (a stage, a
// scenario); values in `unit` (e.g. "%" or "t REO"), each bar labelled with its value. Rows whose
// value is not known are drawn without a bar and labelled "not available".
struct BarRow {
  std::string group;  // rows of one group follow each other; the heading is drawn once
  std::string label;
  std::optional<double> value;
  std::string colour = "#1f4e79";
  std::string value_text;  // label shown at the bar's end; empty: the value with the unit
};

struct BarChart {
  std::string title;
  std::string subtitle;
  std::string unit;  // of the values, shown on the axis ("share of world supply, %")
  std::string source_note;
  std::vector<BarRow> rows;
  std::optional<double> max_value;  // axis end; nullopt: from the data
  int width = 860;
};

std::string RenderBarChart(const BarChart& chart, bool standalone = true);

// Tick positions covering [lo, hi] at a 1-2-5 step, about `target` of them.
std::vector<double> NiceTicks(double lo, double hi, int target = 6);
// 1234567.8 -> "1,234,568" (rounded to `decimals` places).
std::string Thousands(double x, int decimals = 0);
// Escapes &, <, >, " and ' for XML and HTML text and attributes.
std::string XmlEscape(const std::string& s);

// `standalone`: with the XML namespace declaration, for a .svg file; without it for inline use
// in HTML (where the namespace is implied).
std::string RenderSvg(const LineChart& chart, bool standalone = true);

// The outlook chart: world demand and supply with their P5-P95 bands, and the partners' demand
// against their secure supply; the source note names the scenario, the runs and the seed.
LineChart OutlookChart(const outlook::OutlookResult& result);

// A flows chart (Sankey style): nodes in three columns (0 mines, 1 refineries, 2 consumers) drawn
// as bars whose height is the larger of the tonnes in and out, links as bands (stroked paths)
// whose width is proportional to their tonnes. `px_per_t` fixes the scale, so that two charts
// (before and after a scenario) drawn with the same scale compare by eye; 0: from the data.
struct FlowChartNode {
  std::string id;
  std::string label;
  int column = 0;
  std::string colour = "#1f4e79";
};
struct FlowChartLink {
  std::string source, target;  // node ids
  double tonnes = 0;
};
struct FlowChart {
  std::string title;
  std::string subtitle;
  std::string unit;  // of the tonnes, e.g. "t REO per year"
  std::string source_note;
  std::vector<FlowChartNode> nodes;  // in drawing order within each column, top first
  std::vector<FlowChartLink> links;
  double px_per_t = 0;
  int width = 860;
};

// The plot height a flows chart's tallest column fills when `px_per_t` is 0.
inline constexpr double kFlowChartPlotHeight = 340;

std::string RenderFlowChart(const FlowChart& chart, bool standalone = true);

// The largest column total (tonnes) of a flows chart: a node is as tall as the larger of its
// tonnes in and out, a column as tall as its nodes together.
double FlowChartColumnMax(const FlowChart& chart);

// One mineral's flows before (`after` false) or after its scenario as a chart: per column the six
// largest countries by their baseline tonnes, the rest (and the rest of the world) grouped as
// "other countries"; links between grouped nodes summed. Title, unit and source note are left to
// the caller. `is_country` (when given) says whether a node's code is a single country; an
// aggregate ("other countries" of a published table) is grouped too.
FlowChart FlowChartOf(const sim::FlowsResult& flows, bool after,
                      const std::function<bool(const std::string&)>& is_country = {});

}  // namespace lodestone::report
