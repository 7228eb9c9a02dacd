// Text helpers shared by every reader: one definition of whitespace, case and list splitting.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lodestone::model {

// ASCII whitespace: space, tab, CR, LF, FF, VT. Non-ASCII bytes are never trimmed.
bool IsSpace(char c);
// Without leading and trailing ASCII whitespace.
std::string_view Trim(std::string_view s);
// ASCII letters lowered; other bytes unchanged.
std::string ToLower(std::string_view s);
// "USA, JPN;;KOR" -> {"USA", "JPN", "KOR"}: split on any of `separators`, each part trimmed,
// empty parts dropped.
std::vector<std::string> SplitList(std::string_view s, std::string_view separators = ",");
// True when `s` holds a control character (C0 other than tab, DEL, or C1 in UTF-8) that must not
// reach a terminal or a report unescaped.
bool HasControlChar(std::string_view s);

}  // namespace lodestone::model
