// libFuzzer harness for the simulator's JSON files: a scenario (sim::ParseScenario) or, built as
// fuzz_register, the risk register (sim::ParseRegister). The input is the whole file.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.hpp"
#include "lodestone/sim/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  lodestone::fuzz::Guard([&] {
#ifdef LODESTONE_FUZZ_REGISTER
    (void)lodestone::sim::ParseRegister(text, "fuzz-register.json");
#else
    (void)lodestone::sim::ParseScenario(text, "fuzz-scenario.json");
#endif
  });
  return 0;
}
