// Shared helpers of the registry tests: temporary databases, valid projects, file snapshots.
#pragma once

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include <unistd.h>

#include "lodestone/invest/registry.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/store/database.hpp"
#include "lodestone/store/sqlite_project_store.hpp"

namespace lodestone::invest::testing {

// A directory of this test process: several checkouts may run the suite at once on one machine.
inline std::filesystem::path TempDir() {
  static const auto dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("lodestone_test_registry_" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

inline std::filesystem::path TempDb(const std::string& name) {
  auto dir = TempDir();
  auto p = dir / (name + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p.string() + suffix);
  return p;
}

// The kind of the lodestone::Error `f` throws; nullopt when it throws none.
template <typename F>
std::optional<ErrorKind> KindOf(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  return std::nullopt;
}

inline std::filesystem::path TempFile(const std::string& name, const std::string& text) {
  auto p = TempDir() / name;
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

inline const ReferenceCodes& Codes() {
  static const ReferenceCodes codes =
      ReferenceCodes::Load(std::filesystem::path(LODESTONE_SOURCE_DIR) / "data/reference");
  return codes;
}

inline Project MakeProject(const std::string& id, double capacity = 1000) {
  Project p;
  p.id = id;
  p.name = "Project " + id;
  p.mineral = "gallium";
  p.stage = Stage::Refining;
  p.country = "AUS";
  p.capacity_t = model::Value::Of(capacity);
  p.capacity_basis = "t/yr gallium metal";
  p.capex_musd = model::Value::Of(250.5);
  p.first_output = "2027-06";
  p.development_stage = DevelopmentStage::Feasibility;
  p.sponsors = {"Sponsor A", "Sponsor B"};
  p.source = "test source";
  p.capital_stack = {{Instrument::Loan, Funder::JapanPublic, model::Value::Of(100), "2026-03-31", "JBIC", "loan"},
                     {Instrument::Equity, Funder::Private, model::Value::Missing(model::ValueStatus::NotAvailable), "",
                      "", "sponsor equity"}};
  return p;
}

inline std::string FileBytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::int64_t Scalar(store::Database& db, const std::string& sql) {
  auto st = db.Prepare(sql);
  st.Step();
  return st.Int(0);
}

inline std::string ProjectsCsv(const std::vector<Project>& v) {
  std::ostringstream out;
  WriteProjectsCsv(out, v);
  return out.str();
}

inline std::string StackCsv(const std::vector<Project>& v) {
  std::ostringstream out;
  WriteCapitalStackCsv(out, v);
  return out.str();
}

}  // namespace lodestone::invest::testing
