// BACI's CSV layout: the streaming line reader and field parsers (see baci.hpp).
#include "lodestone/data/baci.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "import_common.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::data::baci {

namespace {
// Files are read in chunks of this size: a BACI year is about 10 million lines and several
// hundred megabytes, which need not sit in memory at once.
constexpr std::size_t kChunkBytes = std::size_t{1} << 20;
constexpr std::size_t kClipChars = 40;
constexpr std::size_t kMaxDigits = 18;
}  // namespace

LineReader::LineReader(const std::filesystem::path& path) : in_(path, std::ios::binary) {}

bool LineReader::Next(std::string_view& out) {
  while (true) {
    const char* begin = buf_.data() + pos_;
    const std::size_t avail = buf_.size() - pos_;
    const void* nl = avail > 0 ? std::memchr(begin, '\n', avail) : nullptr;
    if (nl != nullptr) {
      auto len = static_cast<std::size_t>(static_cast<const char*>(nl) - begin);
      out = std::string_view(begin, len);
      pos_ += len + 1;
      return Emit(out);
    }
    if (eof_) {
      if (avail == 0) return false;
      out = std::string_view(begin, avail);
      pos_ = buf_.size();
      unterminated_ = true;
      return Emit(out);
    }
    buf_.erase(0, pos_);
    pos_ = 0;
    const std::size_t old = buf_.size();
    buf_.resize(old + kChunkBytes);
    in_.read(buf_.data() + old, static_cast<std::streamsize>(kChunkBytes));
    const auto got = static_cast<std::size_t>(in_.gcount());
    buf_.resize(old + got);
    if (got < kChunkBytes) eof_ = true;
  }
}

bool LineReader::Emit(std::string_view& out) {
  if (!out.empty() && out.back() == '\r') out.remove_suffix(1);
  ++line_;
  return true;
}

std::string Clip(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < kClipChars; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    out += (c >= 0x20 && c < 0x7F) ? static_cast<char>(c) : '?';
  }
  if (s.size() > kClipChars) out += "...";
  return out;
}

std::string_view CleanField(std::string_view s) {
  s = detail::Trim(s);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = detail::Trim(s.substr(1, s.size() - 2));
  return s;
}

std::size_t Split(std::string_view line, Fields& f) {
  std::size_t n = 0, start = 0;
  while (true) {
    const auto p = line.find(',', start);
    if (n < kFieldCount) f[n] = line.substr(start, p == std::string_view::npos ? line.npos : p - start);
    ++n;
    if (p == std::string_view::npos) return n;
    start = p + 1;
  }
}

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool ParseUnsigned(std::string_view s, std::uint64_t& out) {
  if (s.empty() || s.size() > kMaxDigits || !AllDigits(s)) return false;
  out = 0;
  for (char c : s) out = out * 10 + static_cast<std::uint64_t>(c - '0');
  return true;
}

bool ParseNonNegative(std::string_view s, double& out) {
  return model::ParseDouble(s, out) && std::isfinite(out) && out >= 0.0;
}

bool IsNonHsCode(std::string_view k) {
  if (k.size() != kHs6Digits) return false;
  bool letter = false;
  for (char c : k) {
    if (c >= 'A' && c <= 'Z') {
      letter = true;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return letter;
}

bool CheckHeader(const std::string& label, std::string_view line, model::Diagnostics& diags) {
  if (line.size() >= 3 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
  Fields f;
  const std::size_t n = Split(line, f);
  bool ok = true;
  for (std::size_t i = 0; i < std::min(n, kFieldCount); ++i) {
    if (CleanField(f[i]) != kHeader[i]) {
      diags.Error(label, 1, i + 1,
                  fmt::format("header field '{}' where BACI has '{}': expected the header t,i,j,k,v,q",
                              Clip(CleanField(f[i])), kHeader[i]));
      ok = false;
    }
  }
  if (n != kFieldCount) {
    diags.Error(label, 1, std::min(n, kFieldCount) + 1,
                fmt::format("header has {} fields: expected the 6 of t,i,j,k,v,q", n));
    ok = false;
  }
  return ok;
}

}  // namespace lodestone::data::baci
