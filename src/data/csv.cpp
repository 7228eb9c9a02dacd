// CsvReader: a strict, allocation-free-per-row RFC 4180 reader.
#include "lodestone/data/csv.hpp"

#include <fmt/format.h>

#include <cstring>
#include <map>

#include "lodestone/model/text.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace lodestone::data {

CsvReader::CsvReader(std::string text, std::string file, model::Diagnostics* diags, CsvOptions opt)
    : CsvReader(TextBuffer(std::move(text)), std::move(file), diags, opt) {}

CsvReader::CsvReader(TextBuffer text, std::string file, model::Diagnostics* diags, CsvOptions opt)
    : text_(std::move(text)), file_(std::move(file)), diags_(diags), opt_(opt) {
  special_.fill(false);
  for (char c : {opt_.delimiter, '\n', '\r', '"'}) special_[static_cast<unsigned char>(c)] = true;
  const char* t = text_.data();
  if (text_.size() >= 3 && static_cast<unsigned char>(t[0]) == 0xEF && static_cast<unsigned char>(t[1]) == 0xBB &&
      static_cast<unsigned char>(t[2]) == 0xBF) {
    pos_ = 3;
  }
}

void CsvReader::ReportTooMany(std::size_t field_count) {
  malformed_ = true;
  if (diags_) {
    diags_->Error(file_, record_line_, opt_.max_fields + 1,
                  fmt::format("{} fields on one line; at most {} are read", field_count, opt_.max_fields));
  }
}

bool CsvReader::NextFast(std::vector<std::string_view>& fields) {
  char* data = text_.data();
  const std::size_t n = text_.size();
  const char* begin = data + pos_;
  const auto* nl = static_cast<const char*>(std::memchr(begin, '\n', n - pos_));
  const char* end = nl ? nl : data + n;
  if (nl && end > begin && end[-1] == '\r') --end;  // CRLF line end
  // One pass over the line. With SSE2, 16 bytes are compared at once against the delimiter, the
  // quote and CR, and only the positions found are visited; the tail goes byte by byte.
  std::size_t field_count = 0;
  const char* field = begin;
  auto on_special = [&](const char* p) {
    if (*p != opt_.delimiter) return false;  // a quote or a stray CR: the general path
    ++field_count;
    if (fields.size() < opt_.max_fields) fields.emplace_back(field, static_cast<std::size_t>(p - field));
    field = p + 1;
    return true;
  };
  const char* p = begin;
#if defined(__SSE2__)
  const __m128i delim = _mm_set1_epi8(opt_.delimiter);
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i cr = _mm_set1_epi8('\r');
  for (; end - p >= 16; p += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hit =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, delim), _mm_cmpeq_epi8(v, quote)), _mm_cmpeq_epi8(v, cr));
    auto mask = static_cast<unsigned>(_mm_movemask_epi8(hit));
    while (mask != 0) {
      if (!on_special(p + __builtin_ctz(mask))) return false;
      mask &= mask - 1;
    }
  }
#endif
  for (; p < end; ++p) {
    if (special_[static_cast<unsigned char>(*p)] && !on_special(p)) return false;
  }
  ++field_count;
  if (fields.size() < opt_.max_fields) fields.emplace_back(field, static_cast<std::size_t>(end - field));
  if (field_count > opt_.max_fields) ReportTooMany(field_count);
  if (nl) {
    pos_ = static_cast<std::size_t>(nl - data) + 1;
    ++line_;
  } else {
    pos_ = n;
    unterminated_ = true;
  }
  return true;
}

bool CsvReader::Next(std::vector<std::string_view>& fields) {
  fields.clear();
  malformed_ = false;
  unterminated_ = false;
  const std::size_t n = text_.size();
  if (pos_ >= n) return false;
  record_line_ = line_;
  if (NextFast(fields)) return true;
  fields.clear();
  char* data = text_.data();
  const char delim = opt_.delimiter;
  std::size_t field_count = 0;
  bool too_many_reported = false;

  auto push = [&](std::size_t begin, std::size_t end) {
    ++field_count;
    if (fields.size() < opt_.max_fields) {
      fields.emplace_back(data + begin, end - begin);
    } else if (!too_many_reported) {
      too_many_reported = true;
      malformed_ = true;
    }
  };

  while (true) {
    if (pos_ < n && data[pos_] == '"') {
      // Quoted field: unescape "" in place, writing at w.
      const std::size_t quote_line = line_;
      std::size_t start = ++pos_;
      std::size_t w = start;
      bool closed = false;
      while (pos_ < n) {
        char c = data[pos_];
        if (c == '"') {
          if (pos_ + 1 < n && data[pos_ + 1] == '"') {
            data[w++] = '"';
            pos_ += 2;
            continue;
          }
          ++pos_;
          closed = true;
          break;
        }
        if (c == '\n') ++line_;
        data[w++] = c;
        ++pos_;
      }
      if (!closed) {
        if (diags_) {
          diags_->Error(file_, quote_line, field_count + 1,
                        "unterminated quoted field (file truncated or a stray '\"')");
        }
        malformed_ = true;
        push(start, w);
        unterminated_ = true;
        return true;
      }
      push(start, w);
      if (pos_ >= n) {
        unterminated_ = true;
        return true;
      }
      char c = data[pos_];
      if (c == delim) {
        ++pos_;
        continue;
      }
      if (c == '\n' || c == '\r') {
        pos_ += (c == '\r' && pos_ + 1 < n && data[pos_ + 1] == '\n') ? 2 : 1;
        ++line_;
        break;
      }
      if (diags_) {
        diags_->Error(file_, line_, field_count, fmt::format("unexpected character '{}' after a closing quote", c));
      }
      malformed_ = true;
      // Skip to the next delimiter or line end to resynchronise.
      while (pos_ < n && data[pos_] != delim && data[pos_] != '\n') ++pos_;
      if (pos_ < n && data[pos_] == delim) {
        ++pos_;
        continue;
      }
      if (pos_ < n) {
        ++pos_;
        ++line_;
      }
      break;
    }
    // Unquoted field: skip ordinary bytes with one table lookup each.
    std::size_t start = pos_;
    while (pos_ < n) {
      if (!special_[static_cast<unsigned char>(data[pos_])]) {
        ++pos_;
        continue;
      }
      char c = data[pos_];
      if (c == delim || c == '\n' || c == '\r') break;
      if (c == '"' && !malformed_) {
        if (diags_) {
          diags_->Error(file_, line_, field_count + 1,
                        "quote inside an unquoted field (quote the whole field and double inner quotes)");
        }
        malformed_ = true;
      }
      ++pos_;
    }
    push(start, pos_);
    if (pos_ >= n) {
      unterminated_ = true;
      break;
    }
    char c = data[pos_];
    if (c == delim) {
      ++pos_;
      if (pos_ >= n) {  // a trailing delimiter at end of input: one more empty field
        push(pos_, pos_);
        unterminated_ = true;
        break;
      }
      continue;
    }
    pos_ += (c == '\r' && pos_ + 1 < n && data[pos_ + 1] == '\n') ? 2 : 1;
    ++line_;
    break;
  }
  if (too_many_reported) ReportTooMany(field_count);
  return true;
}

std::vector<std::string> SplitCsvLine(std::string_view line, char delimiter) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          cur += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == delimiter) {
      out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(std::move(cur));
  return out;
}

std::string QuoteCsvField(std::string_view field, char delimiter) {
  bool needs = false;
  for (char c : field) {
    if (c == delimiter || c == '"' || c == '\n' || c == '\r') {
      needs = true;
      break;
    }
  }
  if (!needs) return std::string(field);
  std::string out;
  out.reserve(field.size() + 2);
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

bool CheckUniqueColumns(const std::vector<std::string>& names, const std::string& file, model::Diagnostics& diags) {
  std::map<std::string_view, std::size_t> first;  // name -> its 1-based column
  bool ok = true;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) continue;
    auto [it, fresh] = first.emplace(names[i], i + 1);
    if (!fresh) {
      constexpr std::size_t kShown = 80;
      const std::string shown = names[i].size() > kShown ? names[i].substr(0, kShown) + "..." : names[i];
      diags.Error(file, 1, i + 1, fmt::format("column '{}' appears twice (first as column {})", shown, it->second));
      ok = false;
    }
  }
  return ok;
}

bool CheckNoControlChars(const std::vector<std::string_view>& fields, const std::string& file, std::size_t line,
                         model::Diagnostics& diags) {
  bool ok = true;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (!model::HasControlChar(fields[i])) continue;
    diags.Error(file, line, i + 1,
                "control character in the text (a line break inside a quoted cell counts): expected printable "
                "text on one line");
    ok = false;
  }
  return ok;
}

}  // namespace lodestone::data
