// A strict RFC 4180 CSV reader over an in-memory buffer: quoted fields, doubled quotes, CRLF or
// LF line ends, a UTF-8 byte-order mark. Fields are views into the buffer, which the reader owns
// (quoted fields are unescaped in place), so reading allocates nothing per row.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "lodestone/data/encoding.hpp"
#include "lodestone/model/diagnostics.hpp"

namespace lodestone::data {

struct CsvOptions {
  char delimiter = ',';
  // A record with more fields than this is reported and its extra fields skipped, so a line
  // of a million separators costs one scan and one message, not a million strings.
  std::size_t max_fields = 4096;
};

class CsvReader {
 public:
  // `file` labels diagnostics. Problems (unterminated quote, stray quote) go to `diags`.
  CsvReader(std::string text, std::string file, model::Diagnostics* diags, CsvOptions opt = {});
  CsvReader(TextBuffer text, std::string file, model::Diagnostics* diags, CsvOptions opt = {});

  // Reads the next record. Returns false at the end of input. A blank line yields a record
  // with one empty field (callers decide whether that is an error).
  bool Next(std::vector<std::string_view>& fields);

  // Line number (1-based) on which the record last returned by Next starts.
  std::size_t line() const { return record_line_; }
  // True when the record last returned had a syntax problem (already reported).
  bool record_malformed() const { return malformed_; }
  // True when the last record ended at end of input without a line terminator.
  bool record_unterminated() const { return unterminated_; }
  const std::string& file() const { return file_; }
  std::size_t bytes() const { return text_.size(); }

 private:
  // A record without quotes or carriage returns before its line feed: split with memchr.
  bool NextFast(std::vector<std::string_view>& fields);
  void ReportTooMany(std::size_t field_count);

 public:
 private:
  TextBuffer text_;
  std::string file_;
  model::Diagnostics* diags_;
  CsvOptions opt_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t record_line_ = 0;
  bool malformed_ = false;
  bool unterminated_ = false;
  std::array<bool, 256> special_{};  // bytes that end or quote an unquoted field
};

// Splits one line of text (no line terminator) on a delimiter, honouring quotes. For small
// inputs such as header lines of published files.
std::vector<std::string> SplitCsvLine(std::string_view line, char delimiter = ',');

// Reports, at line 1 and the column of its second occurrence, every header name that appears
// more than once; `names` as the reader compares them (trimmed, and lowered by readers that ignore
// case). A reader looks a column up by name, so with two columns of one name it would read one and
// ignore the other without a word. Empty names are never looked up and may repeat. Returns false
// when one was reported.
bool CheckUniqueColumns(const std::vector<std::string>& names, const std::string& file, model::Diagnostics& diags);

// Reports, at `line` and the field's column, every field holding a control character
// (model::HasControlChar: C0 other than tab, DEL, C1): an importer's text reaches the dataset and
// from there a terminal or a report, where such bytes would act rather than show. Returns false
// when one was reported.
bool CheckNoControlChars(const std::vector<std::string_view>& fields, const std::string& file, std::size_t line,
                         model::Diagnostics& diags);

// Quotes a field for writing when it contains the delimiter, a quote or a line break.
std::string QuoteCsvField(std::string_view field, char delimiter = ',');

}  // namespace lodestone::data
