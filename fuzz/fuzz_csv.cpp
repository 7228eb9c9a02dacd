// libFuzzer harness for the text parsers on untrusted input: the UTF-8 check, the CSV reader
// (both paths, any delimiter) and the dataset value-cell grammar. Build and run (fuzz/README.md):
//   cmake --preset fuzz && cmake --build --preset fuzz
//   build/fuzz/fuzz/fuzz_csv -max_total_time=60 build/fuzz/work/fuzz_csv fuzz/corpus/fuzz_csv
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "lodestone/data/csv.hpp"
#include "lodestone/data/encoding.hpp"
#include "lodestone/model/value.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  (void)lodestone::data::CheckUtf8(text);
  (void)lodestone::data::Cp1252ToUtf8(text);
  lodestone::data::CsvOptions options;
  options.delimiter = size > 0 && (data[0] & 1) ? ';' : ',';
  options.max_fields = 64;
  lodestone::model::Diagnostics diags;
  lodestone::data::CsvReader reader(text, "fuzz.csv", &diags, options);
  std::vector<std::string_view> fields;
  std::size_t records = 0;
  while (reader.Next(fields)) {
    if (fields.size() > options.max_fields) __builtin_trap();
    for (auto f : fields) {
      lodestone::model::Value v;
      if (lodestone::model::ParseValueCell(f, true, v) == lodestone::model::ValueParse::Ok) {
        // Printing and parsing again must give the same value.
        lodestone::model::Value back;
        if (lodestone::model::ParseValueCell(lodestone::model::FormatValueCell(v), true, back) !=
                lodestone::model::ValueParse::Ok ||
            !(back == v)) {
          __builtin_trap();
        }
      }
    }
    if (++records > size + 1) __builtin_trap();  // every record consumes input
  }
  return 0;
}
