// Scenario and register files: JSON parsed with nlohmann::json; a small scan of the text maps each
// value's JSON pointer to its line and column so that a wrong value is reported where it stands.
//
// Limits, checked by a linear scan before anything else is built: a file of at most kMaxJsonBytes
// and values nested at most kMaxJsonDepth deep (the parsers below recurse once per level). The
// position index is a tree with one node per value, so its memory grows with the size of the
// text, not with the square of the depth. Duplicate keys and keys the format does not define are
// errors: a misspelt optional key would otherwise silently leave its default in place.
#include "lodestone/sim/scenario.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>
#include <unordered_map>

#include "lodestone/data/encoding.hpp"
#include "lodestone/model/diagnostics.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/model/json_limits.hpp"

namespace lodestone::sim {

namespace {

using nlohmann::json;

// Throws InvalidData when `text` is larger than kMaxJsonBytes or nests deeper than kMaxJsonDepth.
void CheckLimits(const std::string& text, const std::string& file) {
  model::CheckJsonLimits(text, file, kMaxJsonBytes, kMaxJsonDepth, "a scenario or register file");
}

// Positions (1-based line, column) of every value in a JSON text, as a tree mirroring the
// document. Also notes duplicate keys (nlohmann::json keeps the last one silently). Call only on
// text that passed CheckLimits: it recurses once per nesting level.
class PositionIndex {
 public:
  struct Duplicate {
    std::string pointer;
    std::size_t line, column;
  };
  explicit PositionIndex(const std::string& text) : t_(text) {
    SkipWs();
    Value();
  }
  std::pair<std::size_t, std::size_t> At(const std::string& pointer) const {
    if (nodes_.empty()) return {1, 1};
    // The closest enclosing value that exists (a missing key is reported at its object).
    std::size_t n = 0;
    std::size_t start = pointer.empty() ? std::string::npos : 1;
    while (start != std::string::npos && start <= pointer.size()) {
      auto end = pointer.find('/', start);
      std::string token = Unescape(pointer.substr(start, end == std::string::npos ? std::string::npos : end - start));
      const Node& node = nodes_[n];
      std::size_t child = kNone;
      if (node.is_array) {
        char* stop = nullptr;
        unsigned long long i = std::strtoull(token.c_str(), &stop, 10);
        if (!token.empty() && *stop == '\0' && i < node.items.size()) child = node.items[i];
      } else {
        auto it = node.keys.find(token);
        if (it != node.keys.end()) child = it->second;
      }
      if (child == kNone) break;
      n = child;
      start = end == std::string::npos ? std::string::npos : end + 1;
    }
    return {nodes_[n].line, nodes_[n].column};
  }
  const std::vector<Duplicate>& duplicates() const { return duplicates_; }

 private:
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  struct Node {
    std::size_t line = 1, column = 1;
    bool is_array = false;
    std::vector<std::size_t> items;                     // array elements
    std::unordered_map<std::string, std::size_t> keys;  // object members
  };
  static std::string Unescape(const std::string& token) {
    std::string out;
    for (std::size_t i = 0; i < token.size(); ++i) {
      if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
        out += token[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        out += token[i];
      }
    }
    return out;
  }
  static std::string Escape(const std::string& key) {
    std::string out;
    for (char c : key) {
      if (c == '~')
        out += "~0";
      else if (c == '/')
        out += "~1";
      else
        out += c;
    }
    return out;
  }
  void SkipWs() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r')) Advance();
  }
  void Advance() {
    if (t_[i_] == '\n') {
      ++line_;
      col_ = 1;
    } else if ((static_cast<unsigned char>(t_[i_]) & 0xC0) != 0x80) {
      ++col_;
    }
    ++i_;
  }
  static void AppendUtf8(std::string& s, unsigned cp) {
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      s += static_cast<char>(0xE0 | (cp >> 12));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      s += static_cast<char>(0xF0 | (cp >> 18));
      s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  unsigned Hex4() {
    unsigned v = 0;
    for (int k = 0; k < 4 && i_ < t_.size(); ++k) {
      char h = t_[i_];
      v = v * 16 + static_cast<unsigned>(h >= '0' && h <= '9'   ? h - '0'
                                         : h >= 'a' && h <= 'f' ? h - 'a' + 10
                                         : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                                                : 0);
      Advance();
    }
    return v;
  }
  // A string value, decoded as JSON decodes it (so that "a" and "\u0061" are the same key).
  std::string String() {
    std::string s;
    Advance();  // opening quote
    while (i_ < t_.size() && t_[i_] != '"') {
      if (t_[i_] == '\\' && i_ + 1 < t_.size()) {
        Advance();
        char e = t_[i_];
        Advance();
        switch (e) {
          case 'n': s += '\n'; break;
          case 't': s += '\t'; break;
          case 'r': s += '\r'; break;
          case 'b': s += '\b'; break;
          case 'f': s += '\f'; break;
          case 'u': {
            unsigned cp = Hex4();
            if (cp >= 0xD800 && cp < 0xDC00 && i_ + 1 < t_.size() && t_[i_] == '\\' && t_[i_ + 1] == 'u') {
              Advance();
              Advance();
              unsigned lo = Hex4();
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            AppendUtf8(s, cp);
            break;
          }
          default: s += e;
        }
        continue;
      }
      s += t_[i_];
      Advance();
    }
    if (i_ < t_.size()) Advance();
    return s;
  }
  std::size_t Value() {
    std::size_t id = nodes_.size();
    nodes_.emplace_back();
    nodes_[id].line = line_;
    nodes_[id].column = col_;
    if (i_ >= t_.size()) return id;
    char c = t_[i_];
    if (c == '{') {
      Advance();
      SkipWs();
      while (i_ < t_.size() && t_[i_] != '}') {
        if (t_[i_] != '"') return id;
        std::size_t key_line = line_, key_col = col_;
        std::string key = String();
        SkipWs();
        if (i_ < t_.size() && t_[i_] == ':') Advance();
        SkipWs();
        path_.push_back(Escape(key));
        std::size_t child = Value();
        if (!nodes_[id].keys.emplace(key, child).second) {
          std::string pointer;
          for (const auto& part : path_) pointer += "/" + part;
          duplicates_.push_back({pointer, key_line, key_col});
        }
        path_.pop_back();
        SkipWs();
        if (i_ < t_.size() && t_[i_] == ',') Advance();
        SkipWs();
      }
      if (i_ < t_.size()) Advance();
    } else if (c == '[') {
      nodes_[id].is_array = true;
      Advance();
      SkipWs();
      while (i_ < t_.size() && t_[i_] != ']') {
        path_.push_back(std::to_string(nodes_[id].items.size()));
        const std::size_t before = i_;
        std::size_t child = Value();
        path_.pop_back();
        nodes_[id].items.push_back(child);
        SkipWs();
        if (i_ == before && (i_ >= t_.size() || t_[i_] != ',')) break;  // "[}": no progress; the parser reports it
        if (i_ < t_.size() && t_[i_] == ',') Advance();
        SkipWs();
      }
      if (i_ < t_.size()) Advance();
    } else if (c == '"') {
      String();
    } else {
      while (i_ < t_.size() && t_[i_] != ',' && t_[i_] != '}' && t_[i_] != ']' && t_[i_] != ' ' && t_[i_] != '\n' &&
             t_[i_] != '\r' && t_[i_] != '\t') {
        Advance();
      }
    }
    return id;
  }
  const std::string& t_;
  std::size_t i_ = 0, line_ = 1, col_ = 1;
  std::vector<Node> nodes_;
  std::vector<Duplicate> duplicates_;
  std::vector<std::string> path_;  // escaped keys and indices down to the value being read
};

// Edit distance of two short keys, for "did you mean" hints.
std::size_t Distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

const std::string& Checked(const std::string& text, const std::string& file) {
  CheckLimits(text, file);
  return text;
}

// Reads typed fields of one JSON document, collecting every problem with its position.
class Reader {
 public:
  Reader(const std::string& text, std::string file) : file_(std::move(file)), index_(Checked(text, file_)) {
    try {
      doc_ = json::parse(text);
    } catch (const json::parse_error& e) {
      // nlohmann reports the 1-based byte offset of the error; turn it into line and column.
      const auto [line, col] = model::LineColumnAt(text, e.byte > 0 ? e.byte - 1 : 0);
      std::string what = e.what();
      auto p = what.find("syntax error");
      throw Error::InvalidData(file_, line, col, "not valid JSON: " + (p == std::string::npos ? what : what.substr(p)));
    } catch (const json::exception& e) {
      // For example a number too large for a double ("1e400").
      throw Error::InvalidData(file_, 0, 0, fmt::format("not valid JSON: {}", e.what()));
    }
    for (const auto& dup : index_.duplicates()) {
      diags_.Error(file_, dup.line, dup.column, fmt::format("{}: duplicate key", dup.pointer));
    }
  }
  const json& doc() const { return doc_; }
  void Error(const std::string& ptr, std::string msg) {
    auto [l, c] = index_.At(ptr);
    diags_.Error(file_, l, c, fmt::format("{}: {}", ptr.empty() ? "/" : ptr, msg));
  }
  // Reports every key of `obj` that is not in `known` (a misspelt optional key would otherwise be
  // ignored and its default used).
  void Known(const json& obj, const std::string& ptr, std::initializer_list<const char*> known) {
    if (!obj.is_object()) return;
    for (const auto& item : obj.items()) {
      const std::string& key = item.key();  // not a structured binding: clang 14 cannot capture one
      if (std::any_of(known.begin(), known.end(), [&](const char* k) { return key == k; })) continue;
      std::string hint;
      std::size_t best = 3;
      for (const char* k : known) {
        auto d = Distance(key, k);
        if (d < best) {
          best = d;
          hint = fmt::format(" (did you mean '{}'?)", k);
        }
      }
      std::string list;
      for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      Error(ptr + "/" + key, fmt::format("unknown key '{}'{}: expected one of {}", key, hint, list));
    }
  }
  const json* Find(const json& obj, const std::string& ptr, const char* key, bool required) {
    if (!obj.is_object()) return nullptr;
    auto it = obj.find(key);
    if (it == obj.end()) {
      if (required) Error(ptr, fmt::format("missing key '{}'", key));
      return nullptr;
    }
    return &*it;
  }
  std::string Str(const json& obj, const std::string& ptr, const char* key, bool required, std::string def = "") {
    const json* v = Find(obj, ptr, key, required);
    if (!v) return def;
    if (!v->is_string()) {
      Error(ptr + "/" + key, "expected a string");
      return def;
    }
    return v->get<std::string>();
  }
  double Num(const json& obj, const std::string& ptr, const char* key, bool required, double def, double lo,
             double hi) {
    const json* v = Find(obj, ptr, key, required);
    if (!v) return def;
    if (!v->is_number()) {
      Error(ptr + "/" + key, fmt::format("expected a number between {} and {}", lo, hi));
      return def;
    }
    double x = v->get<double>();
    if (!std::isfinite(x) || x < lo || x > hi) {
      Error(ptr + "/" + key, fmt::format("expected a number between {} and {}, found {}", lo, hi, x));
      return def;
    }
    return x;
  }
  int Int(const json& obj, const std::string& ptr, const char* key, bool required, int def, int lo, int hi) {
    const json* v = Find(obj, ptr, key, required);
    if (v && v->is_number() && std::isfinite(v->get<double>()) && v->get<double>() != std::floor(v->get<double>())) {
      Error(ptr + "/" + key,
            fmt::format("expected a whole number between {} and {}, found {}", lo, hi, v->get<double>()));
      return def;
    }
    return static_cast<int>(Num(obj, ptr, key, required, def, lo, hi));
  }
  Distribution Dist(const json& obj, const std::string& ptr, const char* key, bool required, double def, double lo,
                    double hi) {
    Distribution d;
    d.min = def;
    const json* v = Find(obj, ptr, key, required);
    if (!v) return d;
    std::string p = ptr + "/" + key;
    if (v->is_number()) {
      d.min = Num(obj, ptr, key, true, def, lo, hi);
      return d;
    }
    if (!v->is_object()) {
      Error(p, "expected a number or {\"dist\": \"uniform\" | \"triangular\", ...}");
      return d;
    }
    std::string kind = Str(*v, p, "dist", true);
    d.min = Num(*v, p, "min", true, def, lo, hi);
    d.max = Num(*v, p, "max", true, def, lo, hi);
    if (kind == "uniform") {
      d.kind = Distribution::Kind::Uniform;
      Known(*v, p, {"dist", "min", "max"});
    } else if (kind == "triangular") {
      d.kind = Distribution::Kind::Triangular;
      d.mode = Num(*v, p, "mode", true, def, lo, hi);
      if (d.mode < d.min || d.mode > d.max) Error(p + "/mode", "expected min <= mode <= max");
      Known(*v, p, {"dist", "min", "mode", "max"});
    } else {
      Error(p + "/dist", fmt::format("unknown distribution '{}': expected uniform or triangular", kind));
    }
    if (d.max < d.min) Error(p + "/max", "expected min <= max");
    return d;
  }
  std::vector<std::string> StrList(const json& obj, const std::string& ptr, const char* key, bool required) {
    std::vector<std::string> out;
    const json* v = Find(obj, ptr, key, required);
    if (!v) return out;
    if (!v->is_array()) {
      Error(ptr + "/" + key, "expected an array of strings");
      return out;
    }
    for (std::size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string()) {
        Error(fmt::format("{}/{}/{}", ptr, key, i), "expected a string");
      } else {
        out.push_back((*v)[i].get<std::string>());
      }
    }
    return out;
  }
  std::vector<ScenarioSource> Sources(const json& obj) {
    std::vector<ScenarioSource> out;
    const json* v = Find(obj, "", "sources", false);
    if (!v) return out;
    if (!v->is_array()) {
      Error("/sources", "expected an array of {id, citation, url, licence}");
      return out;
    }
    for (std::size_t i = 0; i < v->size(); ++i) {
      std::string p = fmt::format("/sources/{}", i);
      ScenarioSource s{Str((*v)[i], p, "id", true), Str((*v)[i], p, "citation", true), Str((*v)[i], p, "url", false),
                       Str((*v)[i], p, "licence", false)};
      Known((*v)[i], p, {"id", "citation", "url", "licence"});
      out.push_back(std::move(s));
    }
    return out;
  }
  // A shock; in a register, numeric fields may be distributions (returned in `dists`).
  Shock ReadShock(const json& s, const std::string& p, bool allow_dist, RegisterEvent* ev) {
    Shock k;
    k.file = file_;
    std::tie(k.line, k.column) = index_.At(p);
    if (!s.is_object()) {
      Error(p, "expected an object with 'kind'");
      return k;
    }
    std::string kind = Str(s, p, "kind", true);
    auto dist = [&](const char* key, bool required, double def, double lo, double hi, Distribution* out) {
      if (allow_dist) {
        *out = Dist(s, p, key, required, def, lo, hi);
        return out->min;
      }
      return Num(s, p, key, required, def, lo, hi);
    };
    Distribution scratch;
    Distribution* fr = ev ? &ev->fraction : &scratch;
    Distribution* mo = ev ? &ev->months : &scratch;
    Distribution* fa = ev ? &ev->factor : &scratch;
    Distribution* st = ev ? &ev->start_month : &scratch;
    if (kind == "outage" || kind == "export_control") {
      k.kind = kind == "outage" ? ShockKind::Outage : ShockKind::ExportControl;
      k.country = Str(s, p, "country", true);
      std::string stage = Str(s, p, "stage", true);
      if (stage == "mining") {
        k.stage = SimStage::Mining;
      } else if (stage == "refining") {
        k.stage = SimStage::Refining;
      } else if (stage == "component") {
        k.stage = SimStage::Component;
      } else if (!stage.empty()) {
        Error(p + "/stage", fmt::format("unknown stage '{}': expected mining, refining or component", stage));
      }
      k.minerals = StrList(s, p, "minerals", true);
      if (k.minerals.empty() && s.contains("minerals")) Error(p + "/minerals", "expected at least one mineral");
      k.fraction = dist("fraction", true, 0, 0, 1, fr);
      if (k.kind == ShockKind::ExportControl) {
        const json* t = Find(s, p, "targets", false);
        if (t) {
          if (t->is_string()) {
            if (t->get<std::string>() != "all")
              Error(p + "/targets", "expected \"all\", {\"all_but\": [...]} or {\"only\": [...]}");
          } else if (t->is_object() && t->contains("all_but")) {
            k.targets.kind = Targets::Kind::AllBut;
            k.targets.codes = StrList(*t, p + "/targets", "all_but", true);
            Known(*t, p + "/targets", {"all_but"});
          } else if (t->is_object() && t->contains("only")) {
            k.targets.kind = Targets::Kind::Only;
            k.targets.codes = StrList(*t, p + "/targets", "only", true);
            Known(*t, p + "/targets", {"only"});
          } else {
            Error(p + "/targets", "expected \"all\", {\"all_but\": [...]} or {\"only\": [...]}");
          }
        }
        Known(s, p,
              {"kind", "country", "stage", "minerals", "fraction", "targets", "start_month", "months", "source",
               "basis"});
      } else {
        Known(s, p, {"kind", "country", "stage", "minerals", "fraction", "start_month", "months", "source", "basis"});
      }
    } else if (kind == "chokepoint") {
      k.kind = ShockKind::Chokepoint;
      k.chokepoint = Str(s, p, "chokepoint", true);
      k.minerals = StrList(s, p, "minerals", false);
      k.fraction = dist("fraction", false, 1, 0, 1, fr);
      if (s.contains("reroutable")) k.reroutable = Num(s, p, "reroutable", true, 0, 0, 1);
      Known(s, p,
            {"kind", "chokepoint", "minerals", "fraction", "reroutable", "start_month", "months", "source", "basis"});
    } else if (kind == "demand") {
      k.kind = ShockKind::Demand;
      k.consumer = Str(s, p, "consumer", false, "*");
      k.sector = Str(s, p, "sector", false, "*");
      k.minerals = StrList(s, p, "minerals", true);
      k.factor = dist("factor", true, 1, 0, 100, fa);
      Known(s, p, {"kind", "consumer", "sector", "minerals", "factor", "start_month", "months", "source", "basis"});
    } else if (!kind.empty()) {
      Error(p + "/kind",
            fmt::format("unknown shock kind '{}': expected outage, export_control, chokepoint or demand", kind));
    }
    k.start_month = dist("start_month", false, 0, 0, 1200, st);
    k.months = dist("months", true, 12, 0, 1200, mo);
    k.source = Str(s, p, "source", !allow_dist);
    k.basis = Str(s, p, "basis", false);
    return k;
  }
  // Demand shocks multiply demand and stack: the product of the largest factors of every demand
  // shock on one mineral must stay within kMaxDemandMultiplier, or demand could reach inf (and the
  // simulator would report no shortfall). Checked over all shocks whatever their timing: a
  // conservative bound that no plausible scenario comes near.
  void DemandStack(const std::vector<std::pair<std::string, const Shock*>>& shocks,
                   const std::vector<double>& max_factor) {
    std::map<std::string, double> product;
    std::map<std::string, bool> reported;
    for (std::size_t i = 0; i < shocks.size(); ++i) {
      const auto& [ptr, shock] = shocks[i];
      if (shock->kind != ShockKind::Demand) continue;
      for (const auto& m : shock->minerals) {
        auto [it, fresh] = product.emplace(m, 1.0);
        it->second *= max_factor[i];
        if (it->second > kMaxDemandMultiplier && !reported[m]) {
          reported[m] = true;
          Error(ptr + "/factor",
                fmt::format("demand shocks on {} stack to a factor above {:g} (the limit): demand would overflow", m,
                            kMaxDemandMultiplier));
        }
      }
    }
  }
  void Finish() {
    if (diags_.HasErrors()) throw Error::InvalidData(std::move(diags_));
  }

 private:
  std::string file_;
  PositionIndex index_;
  json doc_;
  model::Diagnostics diags_;
};

std::string ReadText(const std::filesystem::path& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxJsonBytes) {
    throw Error::InvalidData(path.string(), 0, 0,
                             fmt::format("file of {} bytes is larger than the limit of {} bytes for a scenario or "
                                         "register",
                                         size, kMaxJsonBytes));
  }
  std::string text = data::ReadFileBytes(path);
  if (auto p = data::CheckUtf8(text)) throw Error::InvalidData(path.string(), p->line, p->column, p->message);
  return text;
}

}  // namespace

const char* ShockKindName(ShockKind k) {
  switch (k) {
    case ShockKind::Outage: return "outage";
    case ShockKind::ExportControl: return "export_control";
    case ShockKind::Chokepoint: return "chokepoint";
    case ShockKind::Demand: return "demand";
  }
  return "?";
}

double Distribution::Sample(double u) const {
  switch (kind) {
    case Kind::Fixed: return min;
    case Kind::Uniform: return min + (max - min) * u;
    case Kind::Triangular: {
      double w = max - min;
      if (w <= 0) return min;
      double f = (mode - min) / w;
      if (u < f) return min + std::sqrt(u * w * (mode - min));
      return max - std::sqrt((1 - u) * w * (max - mode));
    }
  }
  return min;
}

Scenario ParseScenario(const std::string& text, const std::string& file) {
  Reader r(text, file);
  const json& d = r.doc();
  Scenario sc;
  if (!d.is_object()) {
    r.Error("", "expected a JSON object with \"format\": \"lodestone-scenario/1\"");
    r.Finish();
  }
  std::string format = r.Str(d, "", "format", true);
  if (!format.empty() && format != "lodestone-scenario/1") {
    r.Error("/format", fmt::format("unsupported format '{}': expected lodestone-scenario/1", format));
  }
  r.Known(d, "", {"format", "id", "title", "description", "year", "horizon_months", "sources", "shocks"});
  sc.id = r.Str(d, "", "id", true);
  sc.title = r.Str(d, "", "title", true);
  sc.description = r.Str(d, "", "description", false);
  sc.year = r.Int(d, "", "year", true, 2025, 1900, 2100);
  sc.horizon_months = r.Num(d, "", "horizon_months", false, 12, 1, 120);
  sc.sources = r.Sources(d);
  const json* shocks = r.Find(d, "", "shocks", true);
  if (shocks && !shocks->is_array()) r.Error("/shocks", "expected an array of shocks");
  if (shocks && shocks->is_array()) {
    for (std::size_t i = 0; i < shocks->size(); ++i) {
      sc.shocks.push_back(r.ReadShock((*shocks)[i], fmt::format("/shocks/{}", i), false, nullptr));
    }
  }
  std::vector<std::pair<std::string, const Shock*>> stack;
  std::vector<double> max_factor;
  for (std::size_t i = 0; i < sc.shocks.size(); ++i) {
    stack.emplace_back(fmt::format("/shocks/{}", i), &sc.shocks[i]);
    max_factor.push_back(sc.shocks[i].factor);
  }
  r.DemandStack(stack, max_factor);
  r.Finish();
  return sc;
}

Register ParseRegister(const std::string& text, const std::string& file) {
  Reader r(text, file);
  const json& d = r.doc();
  Register reg;
  if (!d.is_object()) {
    r.Error("", "expected a JSON object with \"format\": \"lodestone-register/1\"");
    r.Finish();
  }
  std::string format = r.Str(d, "", "format", true);
  if (!format.empty() && format != "lodestone-register/1") {
    r.Error("/format", fmt::format("unsupported format '{}': expected lodestone-register/1", format));
  }
  r.Known(d, "", {"format", "id", "title", "description", "year", "horizon_months", "sources", "events"});
  reg.id = r.Str(d, "", "id", true);
  reg.title = r.Str(d, "", "title", false);
  reg.year = r.Int(d, "", "year", true, 2025, 1900, 2100);
  reg.horizon_months = r.Num(d, "", "horizon_months", false, 12, 1, 120);
  reg.sources = r.Sources(d);
  const json* events = r.Find(d, "", "events", true);
  if (events && !events->is_array()) r.Error("/events", "expected an array of events");
  if (events && events->is_array()) {
    std::unordered_map<std::string, std::size_t> seen;  // event id -> index (a hash: linear in the events)
    reg.events.reserve(events->size());
    for (std::size_t i = 0; i < events->size(); ++i) {
      const json& e = (*events)[i];
      std::string p = fmt::format("/events/{}", i);
      RegisterEvent ev;
      ev.id = r.Str(e, p, "id", true);
      ev.probability = r.Num(e, p, "probability", true, 0, 0, 1);
      ev.source = r.Str(e, p, "source", true);
      ev.basis = r.Str(e, p, "basis", false);
      r.Known(e, p, {"id", "probability", "source", "basis", "shock"});
      const json* s = r.Find(e, p, "shock", true);
      if (s) {
        ev.shock = r.ReadShock(*s, p + "/shock", true, &ev);
        if (ev.shock.source.empty()) ev.shock.source = ev.source;
      }
      if (!seen.emplace(ev.id, i).second) r.Error(p + "/id", fmt::format("duplicate event id '{}'", ev.id));
      reg.events.push_back(std::move(ev));
    }
  }
  std::vector<std::pair<std::string, const Shock*>> stack;
  std::vector<double> max_factor;
  for (std::size_t i = 0; i < reg.events.size(); ++i) {
    stack.emplace_back(fmt::format("/events/{}/shock", i), &reg.events[i].shock);
    max_factor.push_back(reg.events[i].factor.Max());
  }
  r.DemandStack(stack, max_factor);
  r.Finish();
  return reg;
}

Scenario LoadScenario(const std::filesystem::path& path) { return ParseScenario(ReadText(path), path.string()); }
Register LoadRegister(const std::filesystem::path& path) { return ParseRegister(ReadText(path), path.string()); }

}  // namespace lodestone::sim
