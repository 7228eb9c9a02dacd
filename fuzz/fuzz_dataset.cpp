// libFuzzer harness for the dataset loader (data::LoadDataset): a scratch copy of the tiny test
// dataset (tests/data/mini) in which one file is replaced by the input. The input's first byte
// chooses the file (modulo the number of files, in name order: see fuzz/make_corpus.sh); the rest
// is its content. Every table and dataset.json are reachable.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.hpp"
#include "lodestone/data/loader.hpp"

namespace {

std::filesystem::path Base() { return lodestone::fuzz::SourceDir() / "tests" / "data" / "mini"; }

std::vector<std::string> Files() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(Base())) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static lodestone::fuzz::Scratch scratch(Base(), "dataset");
  static const std::vector<std::string> files = Files();
  const std::string& name = files[lodestone::fuzz::Select(data, size, files.size())];
  const std::string original = scratch.Original(name);
  lodestone::fuzz::WriteBytes(scratch / name, std::string_view(reinterpret_cast<const char*>(data), size));
  lodestone::fuzz::Guard([&] {
    auto r = lodestone::data::LoadDataset(scratch.dir());
    // A load either gives a dataset or at least one error, never neither nor both.
    if (r.dataset.has_value() == r.diagnostics.HasErrors()) {
      std::fprintf(stderr, "fuzz finding: LoadDataset gave dataset=%d with %zu errors\n", r.dataset.has_value() ? 1 : 0,
                   r.diagnostics.ErrorCount());
      std::abort();
    }
  });
  lodestone::fuzz::WriteBytes(scratch / name, original);
  return 0;
}
