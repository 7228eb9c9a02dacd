// libFuzzer harness for the models' input tables beside the dataset, read through
// data::NamedTable by their loaders: the outlook's tables (outlook::LoadOutlookData, which also
// reads ../sim/refining.csv and ../sim/sources.csv) and, built as fuzz_sim_inputs, the simulator's
// (sim::LoadSimInputs). Scratch copies of data/outlook and data/sim are checked against the
// shipped dataset; the input's first byte chooses the CSV file it replaces (modulo the number of
// files, in name order: see fuzz/make_corpus.sh), the rest is its content.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.hpp"
#include "lodestone/data/loader.hpp"
#ifdef LODESTONE_FUZZ_SIM
#include "lodestone/sim/inputs.hpp"
#else
#include "lodestone/outlook/data.hpp"
#endif

namespace {

#ifdef LODESTONE_FUZZ_SIM
constexpr const char* kTarget = "sim";
#else
constexpr const char* kTarget = "outlook";
#endif

std::vector<std::string> CsvFiles(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".csv") names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const lodestone::model::Dataset dataset =
      lodestone::data::LoadDatasetOrThrow(lodestone::fuzz::SourceDir() / "data" / "starter");
  static lodestone::fuzz::Scratch scratch({}, kTarget);
  static const bool copied = [] {
    scratch.CopyFiles(lodestone::fuzz::SourceDir() / "data" / "outlook", "outlook");
    scratch.CopyFiles(lodestone::fuzz::SourceDir() / "data" / "sim", "sim");
    return true;
  }();
  (void)copied;
  static const std::vector<std::string> files = CsvFiles(scratch / kTarget);
  const std::string name = std::string(kTarget) + "/" + files[lodestone::fuzz::Select(data, size, files.size())];
  const std::string original = scratch.Original(name);
  lodestone::fuzz::WriteBytes(scratch / name, std::string_view(reinterpret_cast<const char*>(data), size));
  lodestone::fuzz::Guard([&] {
#ifdef LODESTONE_FUZZ_SIM
    (void)lodestone::sim::LoadSimInputs(scratch / "sim", dataset);
#else
    (void)lodestone::outlook::LoadOutlookData(scratch / "outlook", dataset);
#endif
  });
  lodestone::fuzz::WriteBytes(scratch / name, original);
  return 0;
}
