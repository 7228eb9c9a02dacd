// `lodestone risk`: the per-mineral, per-stage risk table for a consumer (risk::Assess), and the
// validation entry points of the published methods (subcommands eu-sr and geopolrisk).
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "lodestone/risk/assess.hpp"
#include "lodestone/risk/serialize.hpp"
#include "lodestone/sim_facade/risk.hpp"

namespace lodestone::cli {

namespace {

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : sep) + x;
  return out;
}

int RiskTable(const std::string& dir, const std::string& minerals, const std::string& consumer,
              const std::string& partners, const std::string& methods, const std::string& as_of, bool details,
              Format format) {
  risk::AssessRequest req;
  req.minerals = SplitList(minerals, ",+");
  req.consumer = SplitList(consumer, ",+");
  req.partners = partners;
  req.as_of = as_of;
  req.methods = risk::ParseMethodsOrThrow(methods);
  WorkspaceArgs args;
  args.dataset = dir;
  app::Workspace ws(ResolvePaths(args));
  const auto result = facade::AssessRisk(ws, req);
  if (format == Format::Json) {
    std::cout << risk::ToJson(result).dump(2) << '\n';
    return 0;
  }
  if (format == Format::Csv) {
    PrintCsvRows(std::cout, risk::ToCsv(result));
    return 0;
  }
  std::cout << fmt::format("Risk for {} (partners: {}; export restrictions in force on {})\n\n", result.consumer,
                           result.partners, result.as_of);
  for (const auto& v : risk::Verdicts(result)) std::cout << "- " << v.line << "\n";
  if (!details) {
    std::cout << "\nEach figure's method, inputs and sources: `lodestone risk --details`. Methods: docs/methods/.\n";
    return 0;
  }
  std::cout << '\n';
  TextTable t{{"mineral", "stage", "method", "metric", "value", "basis", "sources"}, {}, {}};
  for (const auto& r : result.rows) {
    std::string shown = r.status == "ok" ? r.display : r.status;
    if (shown.size() > 70) shown = shown.substr(0, 67) + "...";
    t.rows.push_back({r.mineral, r.stage, r.method, r.metric, shown, r.basis, Join(r.sources, ", ")});
  }
  PrintTable(std::cout, t);
  std::set<std::string> assumptions;
  for (const auto& r : result.rows) assumptions.insert(r.assumptions.begin(), r.assumptions.end());
  if (!assumptions.empty()) {
    std::cout << "\nAssumptions used:\n";
    for (const auto& a : assumptions) std::cout << "  - " << a << '\n';
  }
  std::cout << "\nSources: `lodestone data info` lists each source's citation and licence. Methods: docs/methods/.\n";
  return 0;
}

}  // namespace

void AddRiskCommands(CLI::App& app, int& exit_code) {
  auto* risk = app.add_subcommand(
      "risk",
      "Supply risk by the published methods (concentration, EU CRM, GeoPolRisk, import reliance) for a consumer");
  risk->require_subcommand(0, 1);
  static std::string dir, minerals, consumer = "USA,JPN", partners = "MSP", methods = "all", as_of = "2026-11-27";
  static Format format = Format::Table;
  static bool details = false;
  risk->add_flag("--details", details, "After the one-line verdicts, the full table: every method, metric and source");
  risk->add_option("--dataset", dir, "Dataset directory; default: the shipped dataset");
  risk->add_option("--mineral", minerals, "Comma-separated mineral ids (default: all with data)");
  risk->add_option("--consumer", consumer, "Consumer: ISO3 codes, one buyer together (e.g. USA,JPN)")
      ->capture_default_str();
  risk->add_option("--partners", partners, "Partner group for allied shares (a group of groups.csv)")
      ->capture_default_str();
  risk->add_option("--method", methods, "eu-crm, geopolrisk, concentration, import-reliance or all")
      ->capture_default_str();
  risk->add_option("--as-of", as_of, "Export restrictions in force on this date (YYYY-MM-DD)")->capture_default_str();
  AddFormatOption(risk, format);
  AddRiskEuSrCommand(risk, exit_code);
  AddRiskGeoPolRiskCommand(risk, exit_code);
  risk->callback([risk, &exit_code] {
    if (!risk->get_subcommands().empty()) return;  // a validation subcommand ran
    exit_code = RunGuarded([] {
      return RiskTable(dir.empty() ? DefaultDataDir() : dir, minerals, consumer, partners, methods, as_of, details,
                       format);
    });
  });
}

}  // namespace lodestone::cli
