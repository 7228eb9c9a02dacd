// `lodestone risk eu-sr`: the EU CRM supply risk (2017 guidelines) from a published table of its
// inputs (--table) or from Annex-7-format country shares with WGI (--shares/--sourcing/--params).
// Parses the arguments, calls risk::EuSrFromTable / risk::EuSrFromShares and prints; the method
// lives in src/risk/eu_crm.cpp.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "commands.hpp"
#include "lodestone/data/loader.hpp"
#include "lodestone/data/reference.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/model/value.hpp"
#include "lodestone/risk/eu_crm.hpp"
#include "lodestone/risk/serialize.hpp"

namespace lodestone::cli {

namespace {

constexpr const char* kMethodName = risk::kEuSrMethodName;
constexpr const char* kMethodSource = risk::kEuSrMethodSource;

constexpr const char* kDescription =
    "EU CRM supply risk per stage: SR = [HHI_GS*IR/2 + HHI_sourcing*(1-IR/2)] * (1-EOL_RIR) * SI_SR (or GS only / EUS "
    "only),\n"
    "HHI_WGI,t = sum share^2 * (2.5 - mean WGI)*2 * t; material SR = highest stage SR; critical when SR >= 1 and EI >= "
    "2.8.";

constexpr const char* kFooter = R"(Inputs:
  --table FILE     a table like tests/validation/eu_crm/eu_crm_2017_sr.csv (material, stage, supply_data_used,
                   HHI_WGI_t_GS, HHI_WGI_t_EU28, IR_pct, EOL_RIR_pct, SI_SR; SR_published is compared when present)
  --shares FILE    global-supply country shares in the EU Annex 7 format (Material, Stage, Country, Share, t)
  --sourcing FILE  the consumer's sourcing shares, same format (any consumer; label it with --consumer)
  --params FILE    material, stage, ir_pct, eol_rir_pct, si_sr, supply_data_used
  WGI from the dataset's governance table (2023 by default) or --wgi FILE (World Bank format).
Shares printed '<0.1%' count at half the bound; countries without WGI count anywhere on 0..10 and the SR is
withheld when that moves it by more than 0.05. Missing figures print as an empty cell (CSV) with the reason on
stderr. Examples:
  lodestone risk eu-sr --table tests/validation/eu_crm/eu_crm_2017_sr.csv
  lodestone risk eu-sr --shares ../shared/data/eu_crm_2023/eu_crm_2023_annex7_global_supply_shares_t.csv \
      --sourcing ../shared/data/eu_crm_2023/eu_crm_2023_annex7_eu_sourcing_shares_t.csv --params params.csv \
      --wgi ../shared/data/wgi/raw/wgi_2023_official_format_semicolon.csv --format csv
Details and validation: docs/methods/eu_crm.md)";

constexpr std::string_view kInsufficient = "insufficient data";

struct Args {
  std::string table, shares, sourcing, params, wgi, dataset, ref, consumer = "EU";
  std::optional<int> wgi_year;
  Format format = Format::Table;
};

std::string Show2(const std::optional<double>& x) { return x ? fmt::format("{:.2f}", *x) : "-"; }

void PrintWarnings(const model::Diagnostics& d) {
  if (d.WarningCount() > 0 || d.ErrorCount() > 0) std::cerr << d.Format();
}

std::string BottleneckText(const risk::MaterialBottleneck& m) {
  const auto& b = m.bottleneck;
  if (!b.sr) return b.note;
  const auto& stage = m.stages[*b.stage].stage;
  if (!b.complete) return fmt::format(">= {:.2f} at {} ({})", *b.sr, stage, b.note);
  return fmt::format("{:.2f} at {}", *b.sr, stage);
}

int RunTable(const Args& a) {
  const auto result = risk::EuSrFromTable(a.table);
  PrintWarnings(result.warnings);
  if (a.format == Format::Csv) {
    for (const auto& r : result.rows) {
      if (!r.sr.sr)
        std::cerr << fmt::format("{}:{}: {} ({}): {}\n", result.file, r.line, r.material, r.stage, r.sr.insufficient);
    }
    PrintCsvRows(std::cout, risk::ToCsv(result));
    return 0;
  }
  if (a.format == Format::Json) {
    std::cout << risk::ToJson(result).dump(2) << '\n';
    return 0;
  }
  const auto agreement = risk::CompareWithPublished(result);
  std::cout << fmt::format("{}\ninputs: {}\n\n", kMethodName, result.file);
  TextTable t{
      {"material", "stage", "supply data", "SR", "published", "|diff|"}, {false, false, false, true, true, true}, {}};
  for (const auto& r : result.rows) {
    std::string diff = "-";
    if (r.sr.sr && r.sr_published) diff = fmt::format("{:.2f}", std::abs(*r.sr.sr - *r.sr_published));
    t.rows.push_back({r.material, r.stage, std::string(risk::SupplyDataUsedName(r.supply_data_used)),
                      r.sr.sr ? Show2(r.sr.sr) : std::string(kInsufficient), Show2(r.sr_published), diff});
  }
  PrintTable(std::cout, t);
  const bool several_stages = std::any_of(result.materials.begin(), result.materials.end(),
                                          [](const risk::MaterialBottleneck& m) { return m.stages.size() > 1; });
  if (several_stages) {
    std::cout << "\nMaterial SR (bottleneck stage):\n";
    for (const auto& m : result.materials) std::cout << fmt::format("  {}: {}\n", m.material, BottleneckText(m));
  }
  bool header = false;
  for (const auto& r : result.rows) {
    if (r.sr.sr) continue;
    if (!header) std::cout << "\nNotes:\n";
    header = true;
    std::cout << fmt::format("  line {}: {} ({}): {}\n", r.line, r.material, r.stage, r.sr.insufficient);
  }
  if (agreement) {
    std::cout << fmt::format(
        "\nAgreement with SR_published: {} rows, mean |SR - published| = {:.3f}, max {:.2f} ({})\n",
        agreement->compared, agreement->mean_abs_diff, agreement->max_abs_diff, agreement->worst);
  }
  std::cout << fmt::format("\nMethod: {}\n", kMethodSource);
  return 0;
}

int RunShares(const Args& a) {
  WorkspaceArgs args;
  args.dataset = a.dataset;
  auto paths = ResolvePaths(args);
  if (!a.ref.empty()) paths.reference = a.ref;
  app::Workspace ws(paths);
  const auto& reference = ws.reference();
  risk::WgiTable wgi;
  if (!a.wgi.empty()) {
    wgi = risk::WgiFromFile(a.wgi, reference, a.wgi_year);
  } else {
    wgi = risk::WgiFromDataset(ws.dataset(), a.wgi_year.value_or(risk::kEuDefaultWgiYear));
  }
  risk::EuSrSharesOptions options;
  options.consumer = a.consumer;
  const auto result = risk::EuSrFromShares(a.shares, a.sourcing, a.params, wgi, reference, options);
  PrintWarnings(result.warnings);
  auto hhi = [](const std::optional<risk::HhiEstimate>& h) {
    return h ? std::optional<double>(h->value) : std::optional<double>();
  };
  if (a.format == Format::Csv) {
    for (const auto& r : result.rows) {
      if (!r.sr.sr) std::cerr << fmt::format("{} ({}): {}\n", r.material, r.stage, r.sr.insufficient);
    }
    PrintCsvRows(std::cout, risk::ToCsv(result));
    return 0;
  }
  if (a.format == Format::Json) {
    std::cout << risk::ToJson(result).dump(2) << '\n';
    return 0;
  }
  std::cout << fmt::format("{}, sourcing of {}\n\n", kMethodName, result.consumer);
  TextTable t{{"material", "stage", "supply data", "HHI_WGI,t GS", "listed", "HHI_WGI,t " + result.consumer, "listed",
               "SR", "SR bounds"},
              {false, false, false, true, true, true, true, true, false},
              {}};
  for (const auto& r : result.rows) {
    auto listed = [](const std::optional<risk::HhiEstimate>& h) { return h ? Percent(h->coverage) : "-"; };
    t.rows.push_back({r.material, r.stage, std::string(risk::SupplyDataUsedName(r.supply_data_used)),
                      Show2(hhi(r.hhi_gs)), listed(r.hhi_gs), Show2(hhi(r.hhi_sourcing)), listed(r.hhi_sourcing),
                      r.sr.sr ? Show2(r.sr.sr) : std::string(kInsufficient),
                      r.sr.sr ? fmt::format("{:.2f}..{:.2f}", r.sr_low, r.sr_high) : ""});
  }
  PrintTable(std::cout, t);
  std::cout << "\nMaterial SR (bottleneck stage):\n";
  for (const auto& m : result.materials) std::cout << fmt::format("  {}: {}\n", m.material, BottleneckText(m));
  bool header = false;
  for (const auto& r : result.rows) {
    if (r.notes.empty() && r.sr.sr) continue;
    if (!header) std::cout << "\nNotes:\n";
    header = true;
    if (!r.sr.sr) std::cout << fmt::format("  {} ({}): {}\n", r.material, r.stage, r.sr.insufficient);
    for (const auto& n : r.notes) {
      if (r.sr.insufficient.find(n) != std::string::npos) continue;  // already in the reason
      std::cout << fmt::format("  {} ({}): {}\n", r.material, r.stage, n);
    }
  }
  std::cout << fmt::format(
      "\nSources:\n  shares: {} (global supply){}\n  params: {}\n  governance: {}\n  method: {}\n", a.shares,
      a.sourcing.empty() ? std::string() : fmt::format(", {} ({} sourcing)", a.sourcing, result.consumer), a.params,
      result.wgi_source, kMethodSource);
  return 0;
}

int Run(const Args& a) {
  if (a.table.empty() == a.shares.empty()) {
    throw Error::InvalidRequest("give either --table FILE or --shares FILE with --params FILE (see --help)");
  }
  if (!a.table.empty()) {
    if (!a.sourcing.empty() || !a.params.empty() || !a.wgi.empty()) {
      throw Error::InvalidRequest("--sourcing, --params and --wgi go with --shares, not with --table");
    }
    return RunTable(a);
  }
  if (a.params.empty())
    throw Error::InvalidRequest(
        "--shares needs --params FILE (material, stage, ir_pct, eol_rir_pct, si_sr, supply_data_used)");
  return RunShares(a);
}

}  // namespace

void AddRiskEuSrCommand(CLI::App* risk, int& exit_code) {
  auto* cmd = risk->add_subcommand("eu-sr", kDescription);
  cmd->footer(kFooter);
  static Args args;
  cmd->add_option("--table", args.table, "Published SR inputs (format of tests/validation/eu_crm/eu_crm_2017_sr.csv)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--shares", args.shares, "Global-supply country shares, EU Annex 7 format")->check(CLI::ExistingFile);
  cmd->add_option("--sourcing", args.sourcing, "The consumer's sourcing shares, EU Annex 7 format")
      ->check(CLI::ExistingFile);
  cmd->add_option("--params", args.params, "Per material and stage: ir_pct, eol_rir_pct, si_sr, supply_data_used")
      ->check(CLI::ExistingFile);
  cmd->add_option("--wgi", args.wgi, "World Bank WGI file (official long format or DataBank export)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--wgi-year", args.wgi_year, "WGI year (default: 2023 from the dataset; the latest in --wgi FILE)");
  cmd->add_option("--dataset", args.dataset,
                  "Dataset whose governance table gives the WGI; default: the shipped dataset");
  cmd->add_option("--ref", args.ref, "Reference directory (country names); default: the shipped data/reference");
  cmd->add_option("--consumer", args.consumer, "Label of the sourcing side (EU, JPN, USA+JPN ...)")
      ->capture_default_str();
  AddFormatOption(cmd, args.format);
  cmd->callback([&exit_code] { exit_code = RunGuarded([] { return Run(args); }); });
}

}  // namespace lodestone::cli
