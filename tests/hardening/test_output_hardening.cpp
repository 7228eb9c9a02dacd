// Output injection: terminal escape sequences in table cells, spreadsheet formulas in CSV cells.
#include <gtest/gtest.h>

#include <sstream>

#include "output.hpp"

namespace lodestone::cli {
namespace {

TEST(OutputHardening, TableShowsControlCharactersAsVisibleEscapes) {
  TextTable t;
  t.columns = {"country", "note"};
  t.right = {false, false};
  t.rows = {{"CHN", "\x1b]0;pwned\x07\x1b[2J"},
            {"USA", "tab\there"},
            {"JPN",
             "c1 \xc2\x9b"
             "31m"}};
  std::ostringstream out;
  PrintTable(out, t);
  std::string s = out.str();
  EXPECT_EQ(s.find('\x1b'), std::string::npos) << s;
  EXPECT_EQ(s.find('\x07'), std::string::npos) << s;
  EXPECT_EQ(s.find("\xc2\x9b"), std::string::npos) << s;
  EXPECT_NE(s.find("\\x1b]0;pwned\\x07\\x1b[2J"), std::string::npos) << s;
  EXPECT_NE(s.find("tab\\x09here"), std::string::npos) << s;
  EXPECT_NE(s.find("c1 \\u009b31m"), std::string::npos) << s;
  // Plain UTF-8 text is untouched, and columns stay aligned on the escaped text.
  EXPECT_EQ(EscapeControl("Côte d’Ivoire"), "Côte d’Ivoire");
}

TEST(OutputHardening, CsvNeutralisesFormulasButNotNumbers) {
  TextTable t;
  t.columns = {"name", "value"};
  t.rows = {{"=HYPERLINK(\"http://x\")", "-12.5"},
            {"+1+2", "+3"},
            {"-2+3", "-"},
            {"@SUM(A1)", "1e3"},
            {"\tx", "\rcmd"},
            {"plain", "=1"}};
  std::ostringstream out;
  PrintCsv(out, t);
  EXPECT_EQ(out.str(),
            "name,value\n"
            "\"'=HYPERLINK(\"\"http://x\"\")\",-12.5\n"
            "'+1+2,+3\n"
            "'-2+3,-\n"
            "'@SUM(A1),1e3\n"
            "'\tx,\"'\rcmd\"\n"
            "plain,'=1\n");
}

TEST(OutputHardening, CsvRowsFollowTheSameRules) {
  model::CsvRows rows;
  rows.columns = {"id", "note"};
  rows.rows = {{"p1", "=cmd|' /C calc'!A0"}, {"p2", "NA"}};
  std::ostringstream out;
  PrintCsvRows(out, rows);
  EXPECT_EQ(out.str(), "id,note\np1,'=cmd|' /C calc'!A0\np2,NA\n");
}

}  // namespace
}  // namespace lodestone::cli
