// libFuzzer harness for the projects CSV (invest::LoadProjectsCsv): the input's first byte chooses
// which file it replaces, projects.csv (even) or capital_stack.csv (odd), in a scratch copy of the
// shipped sample (data/projects); the rest is the file's content. Codes are checked against the
// shipped reference tables.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "lodestone/invest/project.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static lodestone::fuzz::Scratch scratch(lodestone::fuzz::SourceDir() / "data" / "projects", "projects");
  static const lodestone::invest::ReferenceCodes codes =
      lodestone::invest::ReferenceCodes::Load(lodestone::fuzz::SourceDir() / "data" / "reference");
  const std::string name = lodestone::fuzz::Select(data, size, 2) == 0 ? "projects.csv" : "capital_stack.csv";
  const std::string original = scratch.Original(name);
  lodestone::fuzz::WriteBytes(scratch / name, std::string_view(reinterpret_cast<const char*>(data), size));
  lodestone::fuzz::Guard([&] {
    auto r = lodestone::invest::LoadProjectsCsv(scratch / "projects.csv", scratch / "capital_stack.csv", codes);
    if (r.diagnostics.HasErrors() && !r.projects.empty()) {
      std::fprintf(stderr, "fuzz finding: LoadProjectsCsv returned projects with errors\n");
      std::abort();
    }
  });
  lodestone::fuzz::WriteBytes(scratch / name, original);
  return 0;
}
