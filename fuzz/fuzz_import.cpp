// libFuzzer harness for one importer of a published format, chosen at build time
// (LODESTONE_FUZZ_IMPORTER = a name of data::ImporterNames(); LODESTONE_FUZZ_FILE = the file name
// the input is written under, which some importers read: EU Annex 7 tells its two tables apart by
// name). The input is the whole file. When the importer yields rows they are (for one input in
// eight) merged into a fresh dataset (data::ApplyImport), so that the rows an importer produces
// also meet the dataset's validation. Built by fuzz/CMakeLists.txt once per importer: fuzz_import_<name>.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <system_error>

#include "fuzz_common.hpp"
#include "lodestone/data/importers.hpp"
#include "lodestone/data/reference.hpp"

namespace {

const lodestone::data::Reference& Ref() {
  static const lodestone::data::Reference ref =
      lodestone::data::Reference::Load(lodestone::fuzz::SourceDir() / "data" / "reference");
  return ref;
}

// FNV-1a of the input.
std::uint64_t Hash(const std::uint8_t* data, std::size_t size) {
  std::uint64_t h = 1469598103934665603ULL;
  for (std::size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 1099511628211ULL;
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static lodestone::fuzz::Scratch scratch({}, LODESTONE_FUZZ_IMPORTER);
  const auto file = scratch / LODESTONE_FUZZ_FILE;
  const auto out = scratch / "dataset";
  lodestone::fuzz::WriteBytes(file, std::string_view(reinterpret_cast<const char*>(data), size));
  lodestone::fuzz::Guard([&] {
    auto result = lodestone::data::RunImporter(LODESTONE_FUZZ_IMPORTER, {file}, Ref());
    std::size_t rows = 0;
    for (const auto& [name, table] : result.tables) rows += table.rows.size();
    // Merging writes and validates a whole dataset, a hundred times slower than the import:
    // done for one input in eight, chosen by the input's bytes so that a run is reproducible.
    if (rows > 0 && Hash(data, size) % 8 == 0) (void)lodestone::data::ApplyImport(result, out, Ref());
  });
  std::error_code ec;
  std::filesystem::remove_all(out, ec);
  return 0;
}
