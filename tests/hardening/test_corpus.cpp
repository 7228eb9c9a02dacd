// The broken-input corpus (tests/corpus/, written by tests/corpus/generate.py and described in
// tests/corpus/README.md): every table of the dataset and every importer's format, each with its
// structural and value faults. Each case states its exact outcome in tests/corpus/cases.csv: the
// input loads ("ok"), or fails with an error at file:line:column whose message contains a
// fragment ("error"), or loads with such a warning ("warning"). Cases the current code gets
// wrong are marked expected_after_fix:<finding> and skipped, naming the finding, until the fix is
// merged; every other case is asserted.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "data/test_fixtures.hpp"
#include "lodestone/data/importers.hpp"
#include "lodestone/data/loader.hpp"
#include "lodestone/data/reference.hpp"
#include "lodestone/model/error.hpp"

using namespace lodestone;
using lodestone::testing::ReadFile;
using lodestone::testing::TempDir;
using lodestone::testing::WriteFile;

namespace {

std::filesystem::path CorpusDir() { return std::filesystem::path(LODESTONE_SOURCE_DIR) / "tests" / "corpus"; }

struct Case {
  std::string format;     // "dataset" or "import:<kind>"
  std::string file;       // relative to tests/corpus
  std::string target;     // the file name the case is read under
  std::string expect;     // ok | error | warning
  std::string diag_file;  // the file the expected diagnostic names (its last path component)
  std::size_t line = 0, column = 0;
  std::string message;
  std::string status;  // "asserted" or "expected_after_fix:<finding>"
};

// gtest prints a case by its file.
void PrintTo(const Case& c, std::ostream* os) { *os << c.file; }

// Splits one line of cases.csv (fields may be quoted, with "" for a quote).
std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

std::vector<Case> LoadCases() {
  std::vector<Case> cases;
  std::ifstream in(CorpusDir() / "cases.csv");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto f = SplitCsvLine(line);
    if (f.size() != 11) {
      ADD_FAILURE() << "cases.csv: expected 11 fields: " << line;
      continue;
    }
    Case c;
    c.format = f[0];
    c.file = f[1];
    c.target = f[2];
    c.expect = f[5];
    c.diag_file = f[6];
    c.line = f[7].empty() ? 0 : std::stoul(f[7]);
    c.column = f[8].empty() ? 0 : std::stoul(f[8]);
    c.message = f[9];
    c.status = f[10];
    cases.push_back(std::move(c));
  }
  return cases;
}

// The case's bytes, with the huge-line marker expanded (2 MiB in one cell).
std::string CaseBytes(const Case& c) {
  std::string bytes = ReadFile(CorpusDir() / c.file);
  const std::string marker = "@@HUGE@@";
  auto p = bytes.find(marker);
  if (p != std::string::npos) bytes.replace(p, marker.size(), std::string(std::size_t{1} << 21, 'x'));
  return bytes;
}

const data::Reference& Ref() {
  static const data::Reference ref =
      data::Reference::Load(std::filesystem::path(LODESTONE_SOURCE_DIR) / "data" / "reference");
  return ref;
}

struct Outcome {
  bool loaded = false;  // a dataset (or an import) came out
  model::Diagnostics errors;
  model::Diagnostics warnings;
};

Outcome RunCase(const Case& c, const TempDir& tmp) {
  Outcome out;
  const std::string bytes = CaseBytes(c);
  if (c.format == "dataset") {
    for (const auto& e : std::filesystem::directory_iterator(CorpusDir() / "dataset" / "base")) {
      std::filesystem::copy_file(e.path(), tmp / e.path().filename().string());
    }
    WriteFile(tmp / c.target, bytes);
    auto r = data::LoadDataset(tmp.path());
    out.loaded = r.dataset.has_value();
    for (const auto& d : r.diagnostics.Items()) {
      (d.severity == model::Severity::Error ? out.errors : out.warnings).Error(d.file, d.line, d.column, d.message);
    }
    return out;
  }
  // An importer, as `lodestone data import KIND FILE --out NEW_DIR` runs it.
  const std::string kind = c.format.substr(std::string("import:").size());
  std::filesystem::create_directories(tmp / "in");
  WriteFile(tmp / "in" / c.target, bytes);
  try {
    auto result = data::RunImporter(kind, {tmp / "in" / c.target}, Ref());
    for (const auto& d : result.diagnostics.Items()) {
      if (d.severity == model::Severity::Warning) out.warnings.Error(d.file, d.line, d.column, d.message);
    }
    (void)data::ApplyImport(result, tmp / "out", Ref());
    out.loaded = true;
  } catch (const lodestone::Error& e) {
    out.errors = e.diagnostics();
  }
  return out;
}

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The last path component ("" for a diagnostic about no file).
std::string BaseName(const std::string& file) {
  auto p = file.find_last_of('/');
  return p == std::string::npos ? file : file.substr(p + 1);
}

bool Matches(const model::Diagnostics& d, const Case& c) {
  for (const auto& item : d.Items()) {
    if (BaseName(item.file) == c.diag_file && item.line == c.line && item.column == c.column &&
        item.message.find(c.message) != std::string::npos) {
      return true;
    }
  }
  return false;
}

// "outcome<TAB>file<TAB>line<TAB>column<TAB>message" of the first diagnostic about the case's file (or the
// first at all), for LODESTONE_CORPUS_RECORD: how cases.csv expectations are first drafted.
std::string Describe(const Outcome& o, const Case& c) {
  const model::Diagnostics& d = o.loaded ? o.warnings : o.errors;
  const char* kind = o.loaded ? (d.Items().empty() ? "ok" : "warning") : "error";
  const model::Diagnostic* pick = nullptr;
  for (const auto& item : d.Items()) {
    if (EndsWith(item.file, "/" + c.target)) {
      pick = &item;
      break;
    }
  }
  if (!pick && !d.Items().empty()) pick = &d.Items().front();
  std::ostringstream s;
  s << kind << '\t' << (pick ? BaseName(pick->file) : "") << '\t' << (pick ? pick->line : 0) << '\t'
    << (pick ? pick->column : 0) << '\t' << (pick ? pick->message : "");
  return s.str();
}

class Corpus : public ::testing::TestWithParam<Case> {};

TEST_P(Corpus, GivesItsExactOutcome) {
  const Case& c = GetParam();
  // LODESTONE_CORPUS_ALL=1 runs the cases marked expected_after_fix too: how to check a fix
  // before flipping its cases to asserted.
  const bool pending = c.status.rfind("expected_after_fix", 0) == 0;
  if (pending && std::getenv("LODESTONE_CORPUS_ALL") == nullptr) {
    GTEST_SKIP() << c.file << ": " << c.status;
  }
  TempDir tmp;
  Outcome o = RunCase(c, tmp);
  if (const char* rec = std::getenv("LODESTONE_CORPUS_RECORD")) {
    std::ofstream(rec, std::ios::app) << c.file << '\t' << Describe(o, c) << '\n';
  }
  ASSERT_TRUE(pending || c.status == "asserted") << "cases.csv: unknown status for " << c.file;
  if (c.expect == "ok") {
    EXPECT_TRUE(o.loaded) << c.file << " was rejected:\n" << o.errors.Format();
  } else if (c.expect == "error") {
    ASSERT_FALSE(o.loaded) << c.file << " was accepted";
    EXPECT_TRUE(Matches(o.errors, c)) << "expected " << c.diag_file << ":" << c.line << ":" << c.column << ": "
                                      << c.message << "\ngot:\n"
                                      << o.errors.Format();
  } else if (c.expect == "warning") {
    ASSERT_TRUE(o.loaded) << c.file << " was rejected:\n" << o.errors.Format();
    EXPECT_TRUE(Matches(o.warnings, c)) << "expected a warning " << c.diag_file << ":" << c.line << ":" << c.column
                                        << ": " << c.message << "\ngot:\n"
                                        << o.warnings.Format();
  } else {
    FAIL() << "cases.csv: unknown expectation '" << c.expect << "' for " << c.file;
  }
}

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  std::string name;
  for (char ch : info.param.file) name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(BrokenInputs, Corpus, ::testing::ValuesIn(LoadCases()), CaseName);

// Every table of the dataset and every importer has cases, so that a new table or importer
// cannot go without them.
TEST(CorpusCoverage, EveryTableAndImporterHasCases) {
  std::map<std::string, int> seen;
  for (const auto& c : LoadCases()) ++seen[c.format == "dataset" ? c.target : c.format];
  for (const auto& e : std::filesystem::directory_iterator(CorpusDir() / "dataset" / "base")) {
    EXPECT_GE(seen[e.path().filename().string()], 9) << "too few cases for " << e.path().filename();
  }
  for (const auto& kind : data::ImporterNames()) EXPECT_GE(seen["import:" + kind], 9) << "too few cases for " << kind;
}

}  // namespace
