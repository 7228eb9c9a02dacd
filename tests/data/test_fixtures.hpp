// Shared test fixtures: repository paths, temporary directories, small file helpers.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "lodestone/model/diagnostics.hpp"

namespace lodestone::testing {

std::filesystem::path SourceDir();       // the repository root
std::filesystem::path ReferenceDir();    // data/reference
std::filesystem::path ShippedDataDir();  // data/starter (the shipped dataset)
// A raw published file (USGS, WGI, EU CRM, BACI) where it is kept, not copied into the project:
// REL under $LODESTONE_PUBLISHED, else ../shared/data beside the repository. When it is absent the
// calling test fails with a message that says where it looked.
std::filesystem::path PublishedFile(std::string_view rel);

// A fresh directory under the system temp dir, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

void WriteFile(const std::filesystem::path& path, std::string_view content);

// True when `d` holds an error at exactly (line, column) whose message contains `text`.
bool HasError(const model::Diagnostics& d, std::size_t line, std::size_t column, std::string_view text);
std::string ReadFile(const std::filesystem::path& path);

}  // namespace lodestone::testing
