// GeoPolRisk sweep benchmark: the full grid of the performance model (201 importers x 53
// materials x 5 years = 53,265 results, geopolrisk-py's 39-minute run) on generated tables of
// realistic shape, computed (1) by risk::SweepGeoPolRisk, which precomputes HHI and import sums
// in one pass per table, and (2) by a naive path that recomputes every result from the row lists
// (filter production, filter trade, compute), as a per-result query does. The naive path runs on
// a fixed sample of results (the whole grid would take an hour); both report results/s. A third
// benchmark starts from CSV files in geopolrisk-py's format (read + sweep), and a fourth runs the
// package's reference case from tests/validation/geopolrisk/.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <vector>

#include "lodestone/risk/geopolrisk.hpp"

namespace fs = std::filesystem;
using namespace lodestone;

namespace {

constexpr int kImporters = 201;
constexpr int kMaterials = 53;
constexpr int kFirstYear = 2018;
constexpr int kYears = 5;
constexpr std::size_t kNaiveSample = 64;  // results per naive iteration, spread over the grid
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// xorshift64: the same tables on every run.
struct Rng {
  std::uint64_t x = 88172645463325252ULL;
  std::uint64_t Next() {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  }
  int Int(int lo, int hi) { return lo + static_cast<int>(Next() % static_cast<std::uint64_t>(hi - lo + 1)); }
  double Real() { return static_cast<double>(Next() >> 11) / static_cast<double>(1ULL << 53); }
};

// Every country is an importer; each material has 5..40 producers; each (importer, material,
// year) imports from 5..40 partners (about 1.2 million trade rows), 2% of them without g.
const risk::GeoPolRiskTables& Tables() {
  static const risk::GeoPolRiskTables tables = [] {
    risk::GeoPolRiskTables t;
    Rng rng;
    for (int c = 0; c < kImporters; ++c) {
      t.countries.push_back(4 + c * 4);
      t.country_iso3.push_back(fmt::format("C{:02}", c % 100));
    }
    for (int m = 0; m < kMaterials; ++m) {
      t.materials.push_back(fmt::format("material-{}", m));
      t.material_hs.push_back(fmt::format("{}", 250000 + m * 10));
    }
    for (int y = 0; y < kYears; ++y) t.production_years.push_back(kFirstYear + y);
    for (int m = 0; m < kMaterials; ++m) {
      const int producers = rng.Int(5, 40);
      for (int p = 0; p < producers; ++p) {
        const auto country = static_cast<std::uint32_t>(rng.Int(0, kImporters - 1));
        const double base = 1000.0 * std::exp(8.0 * rng.Real());
        for (int y = 0; y < kYears; ++y) {
          t.production.push_back(
              {static_cast<std::uint32_t>(m), country, kFirstYear + y, base * (0.8 + 0.4 * rng.Real())});
        }
      }
    }
    for (int i = 0; i < kImporters; ++i) {
      for (int m = 0; m < kMaterials; ++m) {
        for (int y = 0; y < kYears; ++y) {
          const int partners = rng.Int(5, 40);
          for (int p = 0; p < partners; ++p) {
            risk::GprTradeRow r;
            r.material = static_cast<std::uint32_t>(m);
            r.exporter = static_cast<std::uint32_t>(rng.Int(0, kImporters - 1));
            r.importer = static_cast<std::uint32_t>(i);
            r.year = kFirstYear + y;
            r.quantity_t = 100.0 * std::exp(6.0 * rng.Real());
            r.value_kusd = r.quantity_t * (0.2 + 20.0 * rng.Real());
            r.g = rng.Int(0, 49) == 0 ? kNaN : rng.Real();
            t.trade.push_back(r);
          }
        }
      }
    }
    return t;
  }();
  return tables;
}

risk::GeoPolRiskSweepRequest FullGrid() {
  risk::GeoPolRiskSweepRequest req;
  for (std::uint32_t c = 0; c < kImporters; ++c) req.importers.push_back({fmt::format("c{}", c), {c}});
  for (std::uint32_t m = 0; m < kMaterials; ++m) req.materials.push_back(m);
  for (int y = 0; y < kYears; ++y) req.years.push_back(kFirstYear + y);
  return req;
}

// The naive path: one result from the full row lists, nothing precomputed or indexed.
risk::GeoPolRiskFigures NaiveResult(const risk::GeoPolRiskTables& t, std::uint32_t importer, std::uint32_t material,
                                    int year) {
  std::vector<double> producers;
  double domestic = 0;
  for (const auto& p : t.production) {
    if (p.material != material || p.year != year) continue;
    producers.push_back(p.quantity_t);
    if (p.country == importer) domestic += p.quantity_t;
  }
  std::vector<risk::GprImport> imports;
  for (const auto& r : t.trade) {
    if (r.material != material || r.year != year || r.importer != importer) continue;
    imports.push_back({r.quantity_t, r.value_kusd, r.g, r.exporter == importer});
  }
  return risk::ComputeGeoPolRisk(producers, imports, domestic);
}

struct Combo {
  std::uint32_t importer, material;
  int year;
};

std::vector<Combo> NaiveSample() {
  std::vector<Combo> out;
  const std::size_t grid = static_cast<std::size_t>(kImporters) * kMaterials * kYears;
  for (std::size_t k = 0; k < kNaiveSample; ++k) {
    const std::size_t idx = (k * 7919 + 13) % grid;  // spread over the grid
    out.push_back({static_cast<std::uint32_t>(idx / (kMaterials * kYears)),
                   static_cast<std::uint32_t>(idx / kYears % kMaterials), kFirstYear + static_cast<int>(idx % kYears)});
  }
  return out;
}

// Both paths must agree before either is timed.
void CheckAgreement() {
  static const bool checked = [] {
    const auto& t = Tables();
    const auto sweep = risk::SweepGeoPolRisk(t, FullGrid());
    for (const auto& c : NaiveSample()) {
      const auto naive = NaiveResult(t, c.importer, c.material, c.year);
      const auto& fast = sweep.At(c.importer, c.material, static_cast<std::size_t>(c.year - kFirstYear));
      if (naive.cf.has_value() != fast.cf.has_value() ||
          (naive.cf && std::abs(*naive.cf - *fast.cf) > 1e-12 * std::abs(*naive.cf))) {
        throw std::runtime_error("sweep and naive path disagree");
      }
    }
    return true;
  }();
  (void)checked;
}

void BM_GeoPolRiskSweep(benchmark::State& state) {
  const auto& t = Tables();
  CheckAgreement();
  const auto req = FullGrid();
  std::size_t results = 0;
  for (auto _ : state) {
    auto sweep = risk::SweepGeoPolRisk(t, req);
    results += sweep.figures.size();
    benchmark::DoNotOptimize(sweep.figures.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(results));
  state.counters["results"] = static_cast<double>(req.importers.size() * req.materials.size() * req.years.size());
  state.counters["trade_rows"] = static_cast<double>(t.trade.size());
}
BENCHMARK(BM_GeoPolRiskSweep)->Unit(benchmark::kMillisecond);

void BM_GeoPolRiskNaive(benchmark::State& state) {
  const auto& t = Tables();
  CheckAgreement();
  const auto sample = NaiveSample();
  std::size_t results = 0;
  for (auto _ : state) {
    for (const auto& c : sample) {
      auto f = NaiveResult(t, c.importer, c.material, c.year);
      benchmark::DoNotOptimize(f.cf);
      ++results;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(results));
  state.counters["results"] = static_cast<double>(sample.size());
}
BENCHMARK(BM_GeoPolRiskNaive)->Unit(benchmark::kMillisecond);

// The same grid as CSV files in the validation format, written once into the temp directory.
struct GeneratedFiles {
  fs::path production, trade, wgi;
};

const GeneratedFiles& Files() {
  static const GeneratedFiles files = [] {
    const auto& t = Tables();
    const auto dir = fs::temp_directory_path() / "lodestone-bench-geopolrisk";
    fs::create_directories(dir);
    GeneratedFiles f{dir / "production.csv", dir / "trade.csv", dir / "wgi.csv"};
    if (fs::exists(f.trade)) return f;
    {
      std::ofstream out(f.wgi, std::ios::binary);
      out << "Country/Territory,Code,country_code";
      for (int y = 0; y < kYears; ++y) out << ',' << kFirstYear + y;
      out << '\n';
      Rng rng;
      for (std::size_t c = 0; c < t.countries.size(); ++c) {
        out << "Country " << c << ",," << t.countries[c] << ".0";
        for (int y = 0; y < kYears; ++y) out << ',' << rng.Real();
        out << '\n';
      }
    }
    {
      std::ofstream out(f.production, std::ios::binary);
      out << "rawMaterial,Country,Country_Code,Country_ISO";
      for (int y = 0; y < kYears; ++y) out << ',' << kFirstYear + y;
      out << ",unit,data_source\n";
      // One row per (material, country): producers drawn twice for a material are summed.
      std::vector<double> wide;
      for (int m = 0; m < kMaterials; ++m) {
        wide.assign(t.countries.size() * kYears, -1.0);
        for (const auto& p : t.production) {
          if (p.material != static_cast<std::uint32_t>(m)) continue;
          auto& cell = wide[p.country * kYears + static_cast<std::size_t>(p.year - kFirstYear)];
          cell = (cell < 0 ? 0 : cell) + p.quantity_t;
        }
        for (std::size_t c = 0; c < t.countries.size(); ++c) {
          if (wide[c * kYears] < 0) continue;
          out << t.materials[static_cast<std::size_t>(m)] << ",Country " << c << ',' << t.countries[c] << ',';
          for (int y = 0; y < kYears; ++y)
            out << ',' << fmt::format("{}", wide[c * kYears + static_cast<std::size_t>(y)]);
          out << ",metr. t,r\n";
        }
      }
    }
    {
      std::ofstream out(f.trade, std::ios::binary);
      out << "Year,Exporting Country,Importing Country,rawMaterial,Resource HSCODE,Trade Value (1000 USD),"
             "Quantity (mTonnes),WGI,QUANTITY * WGI\n";
      for (const auto& r : t.trade) {
        out << fmt::format("{},{},{},{},{},{},{},{},{}\n", r.year, t.countries[r.exporter], t.countries[r.importer],
                           t.materials[r.material], t.material_hs[r.material], r.value_kusd, r.quantity_t,
                           std::isnan(r.g) ? std::string() : fmt::format("{}", r.g),
                           std::isnan(r.g) ? std::string() : fmt::format("{}", r.g * r.quantity_t));
      }
    }
    return f;
  }();
  return files;
}

void BM_GeoPolRiskFilesReadAndSweep(benchmark::State& state) {
  const auto& f = Files();
  std::size_t results = 0;
  std::uintmax_t bytes = fs::file_size(f.production) + fs::file_size(f.trade) + fs::file_size(f.wgi);
  for (auto _ : state) {
    auto read = risk::ReadGeoPolRiskTables(f.production, f.trade, f.wgi);
    risk::GeoPolRiskSweepRequest req;
    for (std::uint32_t c = 0; c < read.tables.countries.size(); ++c) req.importers.push_back({"", {c}});
    for (std::uint32_t m = 0; m < read.tables.materials.size(); ++m) req.materials.push_back(m);
    req.years = read.tables.production_years;
    auto sweep = risk::SweepGeoPolRisk(read.tables, req);
    results += sweep.figures.size();
    benchmark::DoNotOptimize(sweep.figures.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(results));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes * state.iterations()));
}
BENCHMARK(BM_GeoPolRiskFilesReadAndSweep)->Unit(benchmark::kMillisecond);

// The package's reference case end to end (three small files, one importer, all materials).
void BM_GeoPolRiskValidationCase(benchmark::State& state) {
  const fs::path dir = fs::path(LODESTONE_SOURCE_DIR) / "tests" / "validation" / "geopolrisk";
  std::size_t results = 0;
  for (auto _ : state) {
    auto r = risk::GeoPolRiskFromFiles(dir / "production_2018_2022.csv", dir / "trade_data_USA_2022.csv",
                                       dir / "wgi_pv_normalized.csv", "USA", 2022);
    results += r.rows.size();
    benchmark::DoNotOptimize(r.rows.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(results));
}
BENCHMARK(BM_GeoPolRiskValidationCase)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
