// Shared pieces of the libFuzzer harnesses: the repository paths, a scratch copy of a directory
// in which one file is replaced by the fuzz input, and the oracle every harness applies.
//
// The oracle: a parser given any bytes either returns or throws lodestone::Error of a kind other
// than Internal. A crash, a sanitizer report, an Internal error (a LODESTONE_ASSERT that input
// reached) or any other exception escaping the library is a finding and aborts the run.
#pragma once

#include <unistd.h>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "lodestone/model/error.hpp"

namespace lodestone::fuzz {

inline std::filesystem::path SourceDir() { return LODESTONE_SOURCE_DIR; }

inline void WriteBytes(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::fprintf(stderr, "fuzz harness: cannot write %s\n", path.c_str());
    std::abort();
  }
}

// A private copy of `base` (its regular files) in a fresh temporary directory, removed at exit.
// Harnesses write the fuzz input over one file of the copy and put the original back afterwards,
// so that each execution sees the base directory with exactly one file changed.
class Scratch {
 public:
  explicit Scratch(const std::filesystem::path& base, std::string_view name) {
    std::string templ =
        (std::filesystem::temp_directory_path() / ("lodestone-fuzz-" + std::string(name) + "-XXXXXX")).string();
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) == nullptr) {
      std::perror("fuzz harness: mkdtemp");
      std::abort();
    }
    dir_ = buf.data();
    if (!base.empty()) CopyFiles(base, "");
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  // Copies the regular files of `from` into the subdirectory `sub` of the copy ("" for its top).
  void CopyFiles(const std::filesystem::path& from, const std::string& sub) {
    const auto to = sub.empty() ? dir_ : dir_ / sub;
    std::filesystem::create_directories(to);
    for (const auto& e : std::filesystem::directory_iterator(from)) {
      if (e.is_regular_file()) std::filesystem::copy_file(e.path(), to / e.path().filename());
    }
  }

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path operator/(std::string_view name) const { return dir_ / name; }

  // The original bytes of `name` in the copy ("" when there is none).
  std::string Original(const std::string& name) const {
    std::ifstream in(dir_ / name, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

 private:
  std::filesystem::path dir_;
};

// Runs `parse` under the oracle described at the top of this file.
template <typename F>
void Guard(F&& parse) {
  try {
    parse();
  } catch (const lodestone::Error& e) {
    if (e.kind() == lodestone::ErrorKind::Internal) {
      std::fprintf(stderr, "fuzz finding: internal error reached from input: %s\n", e.what());
      std::abort();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz finding: exception other than lodestone::Error escaped: %s\n", e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "fuzz finding: non-standard exception escaped\n");
    std::abort();
  }
}

// Splits an input into a selector (its first byte, reduced modulo `n`) and the rest, so that one
// harness can drive several files of a directory. Seed files carry the selector byte (see
// fuzz/make_corpus.sh).
inline std::size_t Select(const std::uint8_t*& data, std::size_t& size, std::size_t n) {
  if (size == 0) return 0;
  std::size_t s = data[0] % n;
  ++data;
  --size;
  return s;
}

}  // namespace lodestone::fuzz
