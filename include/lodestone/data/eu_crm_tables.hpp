// Readers of the EU CRM method's tables, as plain rows for the method (risk/eu_crm): the 2017
// table of supply-risk inputs (tests/validation/eu_crm/eu_crm_2017_sr.csv) and the parameters of
// the Annex-7 path (material, stage, IR, EOL-RIR, SI, supply data used). Columns are
// found by name (case-insensitive, with the spellings the EU has used); every problem is reported
// with file, line and column.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lodestone/data/eu_annex7.hpp"
#include "lodestone/model/diagnostics.hpp"

namespace lodestone::data {

// One row of a table of SR inputs. Percentages as printed (0..100); missing cells ("N/A", "NA",
// "n.a.", blank) are nullopt.
struct EuSrInputRow {
  std::size_t line = 0;
  std::string material;
  std::string stage;
  std::string supply_data_used;        // as written ("GS + EUS", "GS only", "EUS only")
  std::optional<double> hhi_gs;        // HHI_WGI_t_GS
  std::optional<double> hhi_sourcing;  // HHI_WGI_t_EU28 (or _EU27, _EU, _sourcing)
  std::optional<double> ir_pct;        // may be negative (a net exporter)
  std::optional<double> eol_rir_pct;
  std::optional<double> si_sr;
  std::optional<double> sr_published;  // when the table has the column
};

struct EuSrInputTable {
  std::string file;
  std::vector<EuSrInputRow> rows;  // the valid rows, in file order
  model::Diagnostics warnings;
};

// Reads a table of SR inputs: material, stage, supply_data_used, HHI_WGI_t_GS, the sourcing
// concentration, IR_pct, EOL_RIR_pct, SI_SR; SR_published when present; other columns ignored.
// `supply_data_used_ok` says whether a supply_data_used cell names a variant of the method, so
// that its problems are reported in file order with the others. Throws NotFound for a missing
// file and InvalidData with every problem otherwise.
EuSrInputTable ReadEuSrInputTable(const std::filesystem::path& path,
                                  const std::function<bool(std::string_view)>& supply_data_used_ok);

// "E", "P", "Extraction", "Processing" (any case) -> the Annex 7 stage.
std::optional<Annex7Stage> ParseAnnex7Stage(std::string_view text);
std::string_view Annex7StageName(Annex7Stage stage);  // "Extraction" or "Processing"

// One row of the parameters of the Annex-7 path. Percentages as printed (0..100); missing cells
// are nullopt.
struct EuSrParamsRow {
  std::size_t line = 0;
  std::string material;
  std::string material_key;  // data::NormaliseName(material), for matching the share tables
  Annex7Stage stage = Annex7Stage::Extraction;
  std::string supply_data_used;  // as written
  std::optional<double> ir_pct;  // may be negative (a net exporter)
  std::optional<double> eol_rir_pct;
  std::optional<double> si_sr;
};

// Reads the parameters file (columns material, stage, ir_pct, eol_rir_pct, si_sr,
// supply_data_used, found by name). Problems go to `diags` with file, line and column (a
// (material, stage) given twice too); the valid rows are returned. Throws NotFound for a missing
// file.
std::vector<EuSrParamsRow> ReadEuSrParams(const std::filesystem::path& path,
                                          const std::function<bool(std::string_view)>& supply_data_used_ok,
                                          model::Diagnostics& diags);

}  // namespace lodestone::data
