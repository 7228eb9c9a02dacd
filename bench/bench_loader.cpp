// Loader benchmark: a generated dataset of N trade rows (default 10 million, or
// $LODESTONE_BENCH_ROWS) is loaded by the validating columnar loader and, in the same run, by a
// naive reader (getline + stringstream + std::stod + std::map), and its bytes are read raw as
// the I/O floor. Reports rows/s and bytes/s (MB/s); peak memory is measured per process by
// bench/run_loader_bench.sh.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "lodestone/data/encoding.hpp"
#include "lodestone/data/loader.hpp"

namespace fs = std::filesystem;

namespace {

std::size_t Rows() {
  if (const char* env = std::getenv("LODESTONE_BENCH_ROWS")) return std::stoull(env);
  return 10'000'000;
}

// Writes a valid dataset with `rows` trade rows in key order, streaming (no table in memory).
// Deterministic: same rows, same bytes.
fs::path Generate(std::size_t rows) {
  auto dir = fs::temp_directory_path() / fmt::format("lodestone-bench-{}", rows);
  if (fs::exists(dir / "dataset.json")) return dir;
  fs::create_directories(dir);
  const fs::path ref = fs::path(LODESTONE_SOURCE_DIR) / "data" / "reference";
  fs::copy_file(ref / "countries.csv", dir / "countries.csv", fs::copy_options::overwrite_existing);
  fs::copy_file(ref / "minerals.csv", dir / "minerals.csv", fs::copy_options::overwrite_existing);
  std::vector<std::string> countries;
  {
    std::ifstream in(ref / "countries.csv");
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      auto code = line.substr(0, 3);
      if (code != "WLD" && code != "XOT") countries.push_back(code);
    }
  }
  const std::vector<std::pair<std::string, std::string>> minerals = {
      {"cobalt", "t Co"}, {"copper", "t Cu"}, {"graphite", "t"}, {"lithium", "t Li"}, {"nickel", "t Ni"}};
  const std::vector<std::string> products = {"260300", "283691", "740311", "810520"};
  std::ofstream out(dir / "trade.csv", std::ios::binary);
  out << "mineral,stage,product,exporter,importer,year,quantity,unit,value_usd,source\n";
  std::size_t n = 0;
  std::uint64_t x = 88172645463325252ULL;  // xorshift: deterministic figures
  std::string line;
  for (const auto& [mineral, unit] : minerals) {
    for (const auto& product : products) {
      for (const auto& ex : countries) {
        for (const auto& im : countries) {
          if (ex == im) continue;
          for (int year = 2000; year < 2024 && n < rows; ++year) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            double q = static_cast<double>(x % 10'000'000) / 100.0;
            line = fmt::format("{},refining,{},{},{},{},{},{},{},cepii_baci\n", mineral, product, ex, im, year, q, unit,
                               static_cast<std::uint64_t>(q * 1234.5));
            out << line;
            ++n;
          }
        }
      }
    }
  }
  out.close();
  std::ofstream manifest(dir / "dataset.json");
  manifest << fmt::format(
      R"({{"name": "bench", "version": "1", "date": "2026-11-27", "description": "generated",
 "sources": [{{"id": "cepii_baci", "kind": "published", "citation": "generated", "licence": "none", "url": ""}}],
 "tables": {{"countries.csv": {{"rows": {}}}, "minerals.csv": {{"rows": 17}}, "trade.csv": {{"rows": {}}}}}}})",
      countries.size() + 2, n);
  if (n != rows) throw std::runtime_error(fmt::format("generator made {} rows, asked for {}", n, rows));
  return dir;
}

const fs::path& Dataset() {
  static const fs::path dir = Generate(Rows());
  return dir;
}

void Report(benchmark::State& state, std::size_t bytes, std::size_t rows) {
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes * state.iterations()));
  state.SetItemsProcessed(static_cast<std::int64_t>(rows * state.iterations()));
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["MB"] = static_cast<double>(bytes) / 1e6;
}

// The validating loader: encoding, syntax, codes, numbers, units, duplicate keys.
void BM_LoadDataset(benchmark::State& state) {
  const auto& dir = Dataset();
  const auto bytes = fs::file_size(dir / "trade.csv");
  std::size_t rows = 0;
  for (auto _ : state) {
    auto r = lodestone::data::LoadDataset(dir);
    if (!r.dataset) {
      state.SkipWithError(r.diagnostics.Format().c_str());
      return;
    }
    rows = (*r.dataset)->trade.size();
    benchmark::DoNotOptimize(rows);
  }
  Report(state, bytes, rows);
}

// The naive path: getline, split with a stringstream, std::stod, std::map interning.
void BM_NaiveLoad(benchmark::State& state) {
  const auto& dir = Dataset();
  const auto bytes = fs::file_size(dir / "trade.csv");
  std::size_t rows = 0;
  for (auto _ : state) {
    std::ifstream in(dir / "trade.csv");
    std::string line, field;
    std::getline(in, line);
    std::map<std::string, int> ids;
    std::vector<int> mineral, exporter, importer;
    std::vector<double> quantity, value;
    while (std::getline(in, line)) {
      std::stringstream ss(line);
      std::vector<std::string> f;
      while (std::getline(ss, field, ',')) f.push_back(field);
      auto id = [&](const std::string& s) { return ids.emplace(s, static_cast<int>(ids.size())).first->second; };
      mineral.push_back(id(f[0]));
      exporter.push_back(id(f[3]));
      importer.push_back(id(f[4]));
      quantity.push_back(std::stod(f[6]));
      value.push_back(std::stod(f[8]));
    }
    rows = mineral.size();
    benchmark::DoNotOptimize(rows);
  }
  Report(state, bytes, rows);
}

// The floor: reading the bytes into memory.
void BM_ReadBytes(benchmark::State& state) {
  const auto& dir = Dataset();
  const auto bytes = fs::file_size(dir / "trade.csv");
  for (auto _ : state) {
    auto text = lodestone::data::ReadFileBytes(dir / "trade.csv");
    benchmark::DoNotOptimize(text.data());
  }
  Report(state, bytes, 0);
}

}  // namespace

BENCHMARK(BM_ReadBytes)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_LoadDataset)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_NaiveLoad)->Unit(benchmark::kMillisecond)->Iterations(1);

BENCHMARK_MAIN();
