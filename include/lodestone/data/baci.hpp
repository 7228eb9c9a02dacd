// CEPII BACI's published CSV layout (t,i,j,k,v,q: year, exporter, importer, HS6 product, value in
// thousands of current USD, quantity in tonnes), read as a stream: a file of ten million lines is
// read a chunk at a time, never whole. Shared by the importer (`lodestone data import baci`) and
// the GeoPolRisk sweep (risk/geopolrisk_sweep.hpp): the line reader, the header check and the
// field parsers, with the same messages in both.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "lodestone/model/diagnostics.hpp"

namespace lodestone::data::baci {

inline constexpr std::size_t kFieldCount = 6;
inline constexpr std::array<std::string_view, kFieldCount> kHeader = {"t", "i", "j", "k", "v", "q"};
inline constexpr std::size_t kColYear = 0, kColExporter = 1, kColImporter = 2, kColProduct = 3, kColValue = 4,
                             kColQuantity = 5;
inline constexpr std::size_t kHs6Digits = 6;
inline constexpr std::size_t kCountryCodes = 1000;  // BACI codes are at most three digits
inline constexpr int kMinYear = 1900;
inline constexpr int kMaxYear = 2155;  // the loader's year range

using Fields = std::array<std::string_view, kFieldCount>;

// Reads a file line by line, one chunk at a time. The view a call returns is valid until the
// next call. A trailing '\r' is dropped.
class LineReader {
 public:
  explicit LineReader(const std::filesystem::path& path);
  bool is_open() const { return in_.is_open(); }
  bool failed() const { return in_.bad(); }
  std::size_t line() const { return line_; }
  // True once the last line was returned without a line end (the file may be cut short).
  bool unterminated() const { return unterminated_; }
  bool Next(std::string_view& out);

 private:
  bool Emit(std::string_view& out);

  std::ifstream in_;
  std::string buf_;
  std::size_t pos_ = 0;
  std::size_t line_ = 0;
  bool eof_ = false;
  bool unterminated_ = false;
};

// Field text as it may appear in a diagnostic: bounded length, no control or non-ASCII bytes.
std::string Clip(std::string_view s);
// Whitespace around the field, then one pair of surrounding quotes (some exports quote k).
std::string_view CleanField(std::string_view s);
// Splits on commas into `f` (at most kFieldCount kept) and returns the number of fields.
std::size_t Split(std::string_view line, Fields& f);
bool AllDigits(std::string_view s);
// At most 18 decimal digits, nothing else.
bool ParseUnsigned(std::string_view s, std::uint64_t& out);
// A finite number >= 0.
bool ParseNonNegative(std::string_view s, double& out);
// Six characters, digits and capitals with at least one letter: BACI's "9999AA" (not an HS6 code).
bool IsNonHsCode(std::string_view k);
// The first line of a BACI file (a UTF-8 byte-order mark removed): every field that differs from
// t,i,j,k,v,q is an error in `diags` at line 1. True when the header is BACI's.
bool CheckHeader(const std::string& label, std::string_view line, model::Diagnostics& diags);

}  // namespace lodestone::data::baci
