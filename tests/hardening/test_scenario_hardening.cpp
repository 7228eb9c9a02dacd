// Hostile and careless scenario and register files: limits, unknown and duplicate keys, a
// fractional year, stacked demand shocks, and a large register that must load in linear time.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "lodestone/model/error.hpp"
#include "lodestone/sim/scenario.hpp"

namespace lodestone::sim {
namespace {

std::string Shock(const std::string& extra = "") {
  return "{\"kind\": \"outage\", \"country\": \"COD\", \"stage\": \"mining\", \"minerals\": [\"cobalt\"], "
         "\"fraction\": 0.5, \"months\": 3, \"source\": \"s\"" +
         extra + "}";
}

std::string ScenarioText(const std::string& top, const std::string& shocks) {
  return "{\"format\": \"lodestone-scenario/1\", \"id\": \"x\", \"title\": \"t\", " + top + "\"shocks\": [" + shocks +
         "]}";
}

// The message of the InvalidData error `f` throws, or a failure.
template <class F>
std::string ErrorOf(F f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidData) << e.what();
    return e.diagnostics().Format();
  }
  ADD_FAILURE() << "expected an error";
  return "";
}

TEST(ScenarioHardening, DeepNestingIsRejectedWithoutOverflowingTheStack) {
  std::string text =
      "{\"format\": \"lodestone-scenario/1\", \"x\": " + std::string(50000, '[') + std::string(50000, ']') + "}";
  auto msg = ErrorOf([&] { ParseScenario(text, "deep.json"); });
  EXPECT_NE(msg.find("deep.json:1:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("nested more than 64 levels"), std::string::npos) << msg;
}

TEST(ScenarioHardening, DepthWithinTheLimitStillParses) {
  // 60 levels of arrays under an unknown key: rejected for the key, not for the depth.
  std::string text =
      ScenarioText("\"year\": 2025, \"notes\": " + std::string(60, '[') + std::string(60, ']') + ", ", Shock());
  auto msg = ErrorOf([&] { ParseScenario(text, "s.json"); });
  EXPECT_EQ(msg.find("nested"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown key 'notes'"), std::string::npos) << msg;
}

TEST(ScenarioHardening, BracketsInsideStringsDoNotCountAsDepth) {
  std::string text = ScenarioText("\"year\": 2025, \"description\": \"" + std::string(100, '[') + "\", ", Shock());
  EXPECT_NO_THROW(ParseScenario(text, "s.json"));
}

TEST(ScenarioHardening, OversizedFileIsRejectedBeforeParsing) {
  std::string text =
      ScenarioText("\"year\": 2025, \"description\": \"" + std::string(kMaxJsonBytes, 'a') + "\", ", Shock());
  auto msg = ErrorOf([&] { ParseScenario(text, "big.json"); });
  EXPECT_NE(msg.find("big.json"), std::string::npos) << msg;
  EXPECT_NE(msg.find("larger than the limit of 16777216 bytes"), std::string::npos) << msg;
}

TEST(ScenarioHardening, MisspeltOptionalKeyIsRejectedWithItsPath) {
  auto msg =
      ErrorOf([&] { ParseScenario(ScenarioText("\"year\": 2025, \"horizon_month\": 24, ", Shock()), "s.json"); });
  EXPECT_NE(msg.find("s.json:1:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("/horizon_month: unknown key 'horizon_month' (did you mean 'horizon_months'?)"), std::string::npos)
      << msg;
  msg = ErrorOf([&] { ParseScenario(ScenarioText("\"year\": 2025, ", Shock(", \"start_moth\": 2")), "s.json"); });
  EXPECT_NE(msg.find("/shocks/0/start_moth: unknown key"), std::string::npos) << msg;
}

TEST(ScenarioHardening, DuplicateKeysAreRejected) {
  auto msg = ErrorOf([&] { ParseScenario(ScenarioText("\"year\": 2025, \"year\": 2030, ", Shock()), "d.json"); });
  EXPECT_NE(msg.find("/year: duplicate key"), std::string::npos) << msg;
  // The same key spelt with an escape is the same key.
  msg = ErrorOf([&] { ParseScenario(ScenarioText("\"year\": 2025, \"ye\\u0061r\": 2030, ", Shock()), "d.json"); });
  EXPECT_NE(msg.find("/year: duplicate key"), std::string::npos) << msg;
}

TEST(ScenarioHardening, FractionalYearIsRejected) {
  auto msg = ErrorOf([&] { ParseScenario(ScenarioText("\"year\": 2025.5, ", Shock()), "y.json"); });
  EXPECT_NE(msg.find("/year: expected a whole number between 1900 and 2100, found 2025.5"), std::string::npos) << msg;
}

TEST(ScenarioHardening, NumberTooLargeForADoubleIsInvalidData) {
  auto msg = ErrorOf([&] { ParseScenario(ScenarioText("\"year\": 1e400, ", Shock()), "n.json"); });
  EXPECT_NE(msg.find("n.json"), std::string::npos) << msg;
}

TEST(ScenarioHardening, StackedDemandShocksThatWouldOverflowAreRejected) {
  std::string demand =
      "{\"kind\": \"demand\", \"minerals\": [\"cobalt\"], \"factor\": 100, \"months\": 12, \"source\": \"s\"}";
  std::string shocks;
  for (int i = 0; i < 200; ++i) shocks += (i ? ", " : "") + demand;
  auto msg = ErrorOf([&] { ParseScenario(ScenarioText("\"year\": 2025, ", shocks), "stack.json"); });
  EXPECT_NE(msg.find("/shocks/3/factor: demand shocks on cobalt stack to a factor above 1e+06"), std::string::npos)
      << msg;
  // Three of them (a factor of a million) are still accepted.
  EXPECT_NO_THROW(ParseScenario(ScenarioText("\"year\": 2025, ", demand + ", " + demand + ", " + demand), "ok.json"));
}

std::string RegisterText(std::size_t events) {
  std::string text = "{\"format\": \"lodestone-register/1\", \"id\": \"r\", \"year\": 2025, \"events\": [\n";
  for (std::size_t i = 0; i < events; ++i) {
    text += (i ? ",\n" : "") + std::string("{\"id\": \"e") + std::to_string(i) +
            "\", \"probability\": 0.01, \"source\": \"s\", \"shock\": {\"kind\": \"outage\", \"country\": \"COD\", "
            "\"stage\": \"mining\", \"minerals\": [\"cobalt\"], \"fraction\": {\"dist\": \"uniform\", \"min\": 0.1, "
            "\"max\": 0.5}, \"months\": 6}}";
  }
  return text + "]}";
}

TEST(ScenarioHardening, LargeRegisterLoads) {
  auto start = std::chrono::steady_clock::now();
  Register reg = ParseRegister(RegisterText(20000), "big-register.json");
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(reg.events.size(), 20000u);
  EXPECT_EQ(reg.events[19999].id, "e19999");
  EXPECT_EQ(reg.events[19999].shock.line, 20001u);
  RecordProperty("load_ms", static_cast<int>(ms));
}

TEST(ScenarioHardening, DuplicateEventIdsAreStillReported) {
  std::string text = RegisterText(3);
  text.replace(text.find("\"e2\""), 4, "\"e0\"");
  auto msg = ErrorOf([&] { ParseRegister(text, "r.json"); });
  EXPECT_NE(msg.find("/events/2/id: duplicate event id 'e0'"), std::string::npos) << msg;
}

TEST(ScenarioHardening, UnknownKeyInARegisterDistributionIsRejected) {
  std::string text = RegisterText(1);
  text.replace(text.find("\"max\": 0.5"), 10, "\"maxi\": 0.5, \"max\": 0.5");
  auto msg = ErrorOf([&] { ParseRegister(text, "r.json"); });
  EXPECT_NE(msg.find("/events/0/shock/fraction/maxi: unknown key 'maxi' (did you mean 'max'?)"), std::string::npos)
      << msg;
}

}  // namespace
}  // namespace lodestone::sim

namespace lodestone::sim {
namespace {

TEST(ScenarioHardening, MismatchedBracketsAreASyntaxErrorNotAHang) {
  for (const char* text : {"[}", "{\"a\": [}]}", "[[}", "{\"a\": [1, }"}) {
    auto msg = ErrorOf([&] { ParseScenario(text, "m.json"); });
    EXPECT_NE(msg.find("not valid JSON"), std::string::npos) << text << "\n" << msg;
  }
}

}  // namespace
}  // namespace lodestone::sim
