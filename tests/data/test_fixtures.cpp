// Shared test fixtures (see test_fixtures.hpp).
#include "data/test_fixtures.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace lodestone::testing {

std::filesystem::path SourceDir() { return LODESTONE_SOURCE_DIR; }
std::filesystem::path ReferenceDir() { return SourceDir() / "data" / "reference"; }
std::filesystem::path ShippedDataDir() { return SourceDir() / "data" / "starter"; }

std::filesystem::path PublishedFile(std::string_view rel) {
  const char* env = std::getenv("LODESTONE_PUBLISHED");
  const std::filesystem::path dir =
      env && *env ? std::filesystem::path(env) : SourceDir().parent_path() / "shared" / "data";
  const std::filesystem::path file = dir / rel;
  if (!std::filesystem::exists(file)) {
    ADD_FAILURE() << "published file " << file.string()
                  << " not found: tests read the raw published files from ../shared/data beside the repository "
                     "(or $LODESTONE_PUBLISHED)";
  }
  return file;
}

TempDir::TempDir() {
  std::random_device rd;
  std::mt19937_64 gen(rd());
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto p = std::filesystem::temp_directory_path() / ("lodestone-test-" + std::to_string(gen()));
    if (std::filesystem::create_directory(p)) {
      path_ = p;
      return;
    }
  }
  throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void WriteFile(const std::filesystem::path& path, std::string_view content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

bool HasError(const model::Diagnostics& d, std::size_t line, std::size_t column, std::string_view text) {
  for (const auto& x : d.Items()) {
    if (x.severity == model::Severity::Error && x.line == line && x.column == column &&
        x.message.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace lodestone::testing
