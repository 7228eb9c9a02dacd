// Encoding checks and conversions for text input.
#include "lodestone/data/encoding.hpp"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lodestone/model/diagnostics.hpp"
#include "lodestone/model/error.hpp"

namespace lodestone::data {
namespace {

EncodingProblem ProblemAt(std::string_view text, std::size_t offset, std::string message) {
  EncodingProblem p;
  p.line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++p.line;
      line_start = i + 1;
    }
  }
  p.column = offset - line_start + 1;
  p.message = std::move(message);
  return p;
}

// Length of the valid UTF-8 sequence at s[i], or 0 when invalid (RFC 3629: no overlongs,
// no surrogates, nothing above U+10FFFF).
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const std::size_t n = s.size();
  unsigned char c = b(i);
  auto cont = [&](std::size_t k) { return k < n && (b(k) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c == 0xE0) return (i + 1 < n && b(i + 1) >= 0xA0 && b(i + 1) <= 0xBF && cont(i + 2)) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return (cont(i + 1) && cont(i + 2)) ? 3 : 0;
  if (c == 0xED) return (i + 1 < n && b(i + 1) >= 0x80 && b(i + 1) <= 0x9F && cont(i + 2)) ? 3 : 0;
  if (c == 0xF0) {
    return (i + 1 < n && b(i + 1) >= 0x90 && b(i + 1) <= 0xBF && cont(i + 2) && cont(i + 3)) ? 4 : 0;
  }
  if (c >= 0xF1 && c <= 0xF3) return (cont(i + 1) && cont(i + 2) && cont(i + 3)) ? 4 : 0;
  if (c == 0xF4) {
    return (i + 1 < n && b(i + 1) >= 0x80 && b(i + 1) <= 0x8F && cont(i + 2) && cont(i + 3)) ? 4 : 0;
  }
  return 0;
}

}  // namespace

std::optional<EncodingProblem> CheckUtf8(std::string_view text) {
  const std::size_t n = text.size();
  if (n >= 2) {
    auto b0 = static_cast<unsigned char>(text[0]);
    auto b1 = static_cast<unsigned char>(text[1]);
    if ((b0 == 0xFF && b1 == 0xFE) || (b0 == 0xFE && b1 == 0xFF)) {
      return EncodingProblem{1, 1, "file is UTF-16 (byte-order mark found); expected UTF-8"};
    }
  }
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  constexpr std::uint64_t kLow = 0x0101010101010101ULL;
  std::size_t i = 0;
  while (i < n) {
#if defined(__SSE2__)
    // Fast path: sixteen ASCII bytes with no NUL.
    if (i + 16 <= n) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
      const int high = _mm_movemask_epi8(v);
      const int zero = _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128()));
      if ((high | zero) == 0) {
        i += 16;
        continue;
      }
    }
#endif
    // Fast path: eight ASCII bytes with no NUL.
    if (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, text.data() + i, 8);
      bool has_high = (w & kHigh) != 0;
      bool has_zero = ((w - kLow) & ~w & kHigh) != 0;
      if (!has_high && !has_zero) {
        i += 8;
        continue;
      }
    }
    auto c = static_cast<unsigned char>(text[i]);
    if (c == 0) {
      return ProblemAt(text, i, "NUL byte: this is binary data, not CSV text");
    }
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = Utf8SequenceLength(text, i);
    if (len == 0) {
      return ProblemAt(text, i,
                       fmt::format("invalid UTF-8 byte 0x{:02X}: the file must be UTF-8 "
                                   "(convert Windows-1252 or Latin-1 input first)",
                                   c));
    }
    i += len;
  }
  return std::nullopt;
}

std::string Cp1252ToUtf8(std::string_view text) {
  // Code points of bytes 0x80..0x9F in Windows-1252.
  static constexpr std::array<std::uint16_t, 32> kHigh = {
      0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
      0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    std::uint32_t cp = c;
    if (c < 0x80) {
      out += ch;
      continue;
    }
    if (c < 0xA0) cp = kHigh[c - 0x80];
    if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

std::string ReadFileBytes(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw Error::NotFound(fmt::format("{}: file not found", path.string()));
  }
  if (std::filesystem::is_directory(path, ec)) {
    throw Error::InvalidData(path.string(), 0, 0, "is a directory, expected a file");
  }
  // Opened without blocking and checked with fstat on the descriptor itself: a FIFO, device or
  // socket planted under a data file's name is refused, never read (reading a FIFO would hang).
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw Error::InvalidData(path.string(), 0, 0, "cannot open file for reading");
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw Error::InvalidData(path.string(), 0, 0, "cannot determine file size");
  if (!S_ISREG(st.st_mode)) {
    throw Error::InvalidData(path.string(), 0, 0, "not a regular file (a FIFO, device or socket): refusing to read it");
  }
  std::string data(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t done = 0;
  while (done < data.size()) {
    auto n = ::read(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error::InvalidData(path.string(), 0, 0, "read error");
    if (n == 0) break;  // the file shrank while being read: keep what was there
    done += static_cast<std::size_t>(n);
  }
  data.resize(done);
  return data;
}

std::string ReadTextAsUtf8(const std::filesystem::path& path, model::Diagnostics& diags) {
  std::string text = ReadFileBytes(path);
  auto problem = CheckUtf8(text);
  if (!problem) return text;
  const bool utf16_bom =
      text.size() >= 2 &&
      ((static_cast<unsigned char>(text[0]) == 0xFF && static_cast<unsigned char>(text[1]) == 0xFE) ||
       (static_cast<unsigned char>(text[0]) == 0xFE && static_cast<unsigned char>(text[1]) == 0xFF));
  if (utf16_bom || text.find('\0') != std::string::npos) {
    throw Error::InvalidData(path.string(), problem->line, problem->column, problem->message);
  }
  diags.Warning(
      path.string(), problem->line, 0,
      fmt::format("not UTF-8 ({} at byte {} of the line): read as Windows-1252", problem->message, problem->column));
  return Cp1252ToUtf8(text);
}

namespace {
// Below this size a plain read is as fast as mapping and simpler.
constexpr std::size_t kMapThreshold = std::size_t{1} << 20;
}  // namespace

TextBuffer TextBuffer::FromFile(const std::filesystem::path& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec || size < kMapThreshold) return TextBuffer(ReadFileBytes(path));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return TextBuffer(ReadFileBytes(path));  // reports the reason
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) return TextBuffer(ReadFileBytes(path));
  ::madvise(p, size, MADV_SEQUENTIAL);
  TextBuffer b;
  b.map_ = static_cast<char*>(p);
  b.map_size_ = size;
  return b;
}

void TextBuffer::Release() {
  if (map_) ::munmap(map_, map_size_);
  map_ = nullptr;
  map_size_ = 0;
}

TextBuffer::~TextBuffer() { Release(); }

TextBuffer::TextBuffer(TextBuffer&& other) noexcept
    : owned_(std::move(other.owned_)), map_(other.map_), map_size_(other.map_size_) {
  other.map_ = nullptr;
  other.map_size_ = 0;
}

TextBuffer& TextBuffer::operator=(TextBuffer&& other) noexcept {
  if (this != &other) {
    Release();
    owned_ = std::move(other.owned_);
    map_ = other.map_;
    map_size_ = other.map_size_;
    other.map_ = nullptr;
    other.map_size_ = 0;
  }
  return *this;
}

}  // namespace lodestone::data
