// The EU Critical Raw Materials supply-risk method (European Commission 2017 guidelines, used in
// the 2017, 2020 and 2023 assessments): governance- and trade-weighted concentration HHI_WGI,t,
// supply risk SR of a stage with the three supply-data variants, the material's SR at its
// bottleneck stage, economic importance EI, and the criticality rule (SR >= 1 and EI >= 2.8).
// Two validation entry points read published tables: the study's inputs and outputs
// (EuSrFromTable) and Annex-7-format country shares with WGI estimates (EuSrFromShares).
// Missing inputs give "insufficient data" with a reason, never a number. Formulas, sources and
// every decision: docs/methods/eu_crm.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lodestone/model/dataset.hpp"
#include "lodestone/model/diagnostics.hpp"

namespace lodestone::data {
class Reference;
}

namespace lodestone::risk {

// WGI estimates lie on about -2.5 .. 2.5 (higher = better governance); the method rescales their
// mean to 0..10 with 10 the worst.
inline constexpr double kEuWgiUpper = 2.5;
inline constexpr double kEuScaledWgiMax = 10.0;
// The trade factor t when none is given (the method's default for a country without an export
// restriction or trade agreement).
inline constexpr double kEuDefaultTradeFactor = 1.0;
// Criticality thresholds of the EU assessments.
inline constexpr double kEuCriticalSr = 1.0;
inline constexpr double kEuCriticalEi = 2.8;
// EI is scaled to 0..10: the sector-weighted value added over the largest sector's, times 10.
inline constexpr double kEuEiScale = 10.0;
// The method's name and source, as results cite them.
inline constexpr const char* kEuSrMethodName = "EU CRM supply risk (European Commission 2017 guidelines)";
inline constexpr const char* kEuSrMethodSource =
    "European Commission (2017), Methodology for establishing the EU list of critical raw materials: guidelines; "
    "formulas and decisions in docs/methods/eu_crm.md";
inline constexpr const char* kEuSrMethodId = "eu-crm-sr";
inline constexpr int kEuSrMethodVersion = 1;

// --- building blocks -------------------------------------------------------------------------

// (2.5 - mean of the six WGI estimates) * 2, clipped to 0..10 (a mean above 2.5 or below -2.5
// would leave the method's scale). Throws an InvalidRequest error when not finite.
double ScaledWgi(double mean_of_six);

struct HhiWgiTTerm {
  double share = 0;       // fraction of the stage's supply (or of the consumer's sourcing), 0..1
  double wgi_scaled = 0;  // 0..10, 10 = worst governance
  double t = kEuDefaultTradeFactor;
};

// HHI_WGI,t = sum of share^2 * WGI_scaled * t. Throws an InvalidRequest error on a negative or
// non-finite term.
double HhiWgiT(std::span<const HhiWgiTTerm> terms);

// Which concentration the SR formula uses ("supply data used" in the EU studies).
enum class SupplyDataUsed : std::uint8_t {
  GsAndEus,  // "GS + EUS": global supply and the consumer's sourcing, weighted by import reliance
  GsOnly,    // "GS only"
  EusOnly,   // "EUS only"
};

// "GS + EUS", "GS only", "EUS only" (case, spaces and a "GS+EU" spelling tolerated).
std::optional<SupplyDataUsed> ParseSupplyDataUsed(std::string_view text);
std::string_view SupplyDataUsedName(SupplyDataUsed v);

struct SupplyRiskInputs {
  SupplyDataUsed supply_data_used = SupplyDataUsed::GsAndEus;
  std::optional<double> hhi_gs;           // (HHI_WGI,t) of global supply
  std::optional<double> hhi_sourcing;     // (HHI_WGI,t) of the consumer's sourcing (EU sourcing in the studies)
  std::optional<double> import_reliance;  // fraction, at most 1; negative (net exporter) counts as 0
  std::optional<double> eol_rir;          // end-of-life recycling input rate, fraction 0..1
  std::optional<double> si_sr;            // substitution index for supply risk, 0..1
};

// An SR, or why there is none.
struct SupplyRiskResult {
  std::optional<double> sr;
  std::string insufficient;  // set exactly when sr is empty: "insufficient data: ..."
};

// SR of one stage:
//   GS + EUS: [HHI_GS * IR/2 + HHI_sourcing * (1 - IR/2)] * (1 - EOL_RIR) * SI_SR
//   GS only:  HHI_GS * (1 - EOL_RIR) * SI_SR
//   EUS only: HHI_sourcing * (1 - EOL_RIR) * SI_SR
// An input the variant needs that is missing gives insufficient data naming it; inputs the
// variant does not use may be missing. Throws an InvalidRequest error on out-of-range figures
// (negative HHI, IR above 1, EOL_RIR or SI_SR outside 0..1, non-finite).
SupplyRiskResult SupplyRisk(const SupplyRiskInputs& in);

struct StageSupplyRisk {
  std::string stage;  // "Extraction", "Processing" ...
  SupplyRiskResult result;
};

struct BottleneckResult {
  std::optional<std::size_t> stage;  // index of the bottleneck stage; empty when no stage has an SR
  std::optional<double> sr;          // its SR: the material's SR
  bool complete = false;             // every stage has an SR; otherwise sr is only a lower bound
  std::string note;                  // which stages lack an SR, and why
};

// The material's SR is the SR of its bottleneck stage: the highest SR of its stages (ties: the
// first in the given order). When some stage has no SR the highest known one is a lower bound
// (complete = false), reported as such, never as the material's SR.
BottleneckResult Bottleneck(std::span<const StageSupplyRisk> stages);

// One end use of the material: its share A_s allocated to a NACE Rev. 2 two-digit sector and that
// sector's value added Q_s (any currency unit, the same for all sectors).
struct EndUse {
  std::string sector;      // e.g. "C29"
  double share = 0;        // A_s, fraction 0..1
  double value_added = 0;  // Q_s
};

// EI = sum_s(A_s * Q_s) / Q_max * 10 * SI_EI, where Q_max is the value added of the largest
// NACE-2 manufacturing sector of the economy (not only of the sectors this material reaches), so
// EI lies on 0..10. Throws an InvalidRequest error on shares outside 0..1 or summing above 1
// (beyond rounding), negative value added, Q_max not positive or below a sector's Q_s, SI_EI
// outside 0..1.
double EconomicImportance(std::span<const EndUse> uses, double largest_sector_value_added, double si_ei);

// Critical when SR >= 1 and EI >= 2.8, on the figures as given. The EU studies apply the
// thresholds to figures rounded to one decimal: pass RoundToOneDecimal(x) to reproduce them.
bool IsCritical(double sr, double ei);
double RoundToOneDecimal(double x);  // half away from zero

// --- validation entry point a: the published table ------------------------------------------

struct EuSrTableRow {
  std::size_t line = 0;  // line in the file
  std::string material;
  std::string stage;
  SupplyDataUsed supply_data_used = SupplyDataUsed::GsAndEus;
  SupplyRiskResult sr;
  std::optional<double> sr_published;  // SR_published when the table has it and it is given
};

struct MaterialBottleneck {
  std::string material;
  std::vector<StageSupplyRisk> stages;
  BottleneckResult bottleneck;
};

struct EuSrTableResult {
  std::string file;
  std::vector<EuSrTableRow> rows;             // one per data row, in file order
  std::vector<MaterialBottleneck> materials;  // in order of first appearance
  model::Diagnostics warnings;
};

// Reads a table in the format of tests/validation/eu_crm/eu_crm_2017_sr.csv: columns found by
// name (case-insensitive), needed: material, stage, supply_data_used, HHI_WGI_t_GS, the sourcing
// concentration (HHI_WGI_t_EU28, or HHI_WGI_t_EU27 / HHI_WGI_t_EU / HHI_WGI_t_sourcing),
// IR_pct, EOL_RIR_pct, SI_SR; SR_published when present; other columns ignored. "N/A", "NA",
// "n.a." and blank cells are missing. Throws an InvalidData error with every problem (file, line,
// column) on a missing column, an unparseable or out-of-range number or an unknown
// supply_data_used.
EuSrTableResult EuSrFromTable(const std::filesystem::path& path);

struct PublishedAgreement {
  std::size_t compared = 0;  // rows with both an SR and SR_published
  double mean_abs_diff = 0;
  double max_abs_diff = 0;
  std::string worst;  // "material (stage)" of the largest difference
};

// |SR - SR_published| over the rows that have both; nullopt when none has.
std::optional<PublishedAgreement> CompareWithPublished(const EuSrTableResult& result);

// --- validation entry point b: country shares and WGI ---------------------------------------

// Mean of the six WGI estimates of one country and year.
struct WgiCountry {
  double mean = 0;
  int estimates = 6;  // how many of the six the mean is over (territories lack some)
};

struct WgiTable {
  std::map<std::string, WgiCountry, std::less<>> by_country;  // ISO alpha-3
  int year = 0;
  std::string source;           // citation and where it was read, for the output
  model::Diagnostics warnings;  // warnings of reading a WGI file (e.g. its encoding)
};

// The WGI year used when none is asked for with the shipped dataset.
inline constexpr int kEuDefaultWgiYear = 2023;

// From a dataset's governance table. Throws an InvalidRequest error when the year has no rows.
WgiTable WgiFromDataset(const model::Dataset& ds, int year = kEuDefaultWgiYear);
// From a World Bank WGI file (official long format or DataBank export) read by data::ImportWgi;
// `year` defaults to the latest year in the file. Throws InvalidData for a bad file,
// InvalidRequest for a year the file does not hold.
WgiTable WgiFromFile(const std::filesystem::path& file, const data::Reference& ref,
                     std::optional<int> year = std::nullopt);

// A concentration computed from country shares, with the bounds its unresolved inputs allow.
struct HhiEstimate {
  double value = 0;     // "<x" shares at x/2; a country without WGI at the scale's midpoint (5)
  double low = 0;       // "<x" shares at 0; countries without WGI at 0
  double high = 0;      // "<x" shares at x; countries without WGI at 10
  double coverage = 0;  // sum of the shares counted ("<x" at x/2): below 1 when the table lists
                        // only part of the supply, the rest ("other countries") is not counted
  std::size_t countries = 0;
  std::vector<std::string> without_wgi;  // "Narnia 2%" ...: countries counted with bounded WGI
};

struct EuSrSharesRow {
  std::string material;  // as in the params file
  std::string stage;     // "Extraction" or "Processing"
  SupplyDataUsed supply_data_used = SupplyDataUsed::GsAndEus;
  std::optional<HhiEstimate> hhi_gs;        // empty when the global file has no shares for it
  std::optional<HhiEstimate> hhi_sourcing;  // empty when the sourcing file has none
  SupplyRiskResult sr;
  double sr_low = 0, sr_high = 0;  // SR over the HHI bounds (when sr is set)
  std::vector<std::string> notes;  // coverage, countries without WGI, defaults used
};

struct EuSrSharesOptions {
  std::string consumer = "EU";  // label of the sourcing side (any consumer: "JPN", "USA+JPN" ...)
  // A row whose SR bounds (from "<x" shares and countries without WGI) are further apart than
  // this is insufficient data: half the published rounding step (SRs are printed to 0.1).
  double max_unresolved_sr = 0.05;
  // Below this listed share a distribution is flagged as partial (its HHI may be understated).
  double min_coverage = 0.9;
};

struct EuSrSharesResult {
  std::string global_file, sourcing_file, params_file;  // the inputs as given
  std::vector<EuSrSharesRow> rows;                      // one per params row, in its order
  std::vector<MaterialBottleneck> materials;            // bottleneck per material
  std::string consumer;
  std::string wgi_source;
  model::Diagnostics warnings;
};

// SR per (material, stage) of `params_file` (columns material, stage, ir_pct, eol_rir_pct,
// si_sr, supply_data_used; found by name; stage E/P or Extraction/Processing) from country shares
// in the EU Annex 7 format: `global_file` (world supply) and `sourcing_file` (the consumer's
// sourcing; empty path when there is none), with `wgi` for governance. Materials match case- and
// punctuation-insensitively. Country names the reference does not know are warnings: the
// country is counted with bounded WGI like a country without WGI. Throws an InvalidData error with
// every problem of the files.
EuSrSharesResult EuSrFromShares(const std::filesystem::path& global_file, const std::filesystem::path& sourcing_file,
                                const std::filesystem::path& params_file, const WgiTable& wgi,
                                const data::Reference& ref, const EuSrSharesOptions& options = {});

}  // namespace lodestone::risk
