// Scenario and register files: JSON parsed with nlohmann::json; a small scan of the text maps each
// value's JSON pointer to its line and column so that a wrong value is reported where it stands.
#include "lodestone/sim/scenario.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "lodestone/data/encoding.hpp"
#include "lodestone/model/diagnostics.hpp"

namespace lodestone::sim {

namespace {

using nlohmann::json;

// Positions (1-based line, column) of every value in a JSON text, by JSON pointer.
class PositionIndex {
 public:
  explicit PositionIndex(const std::string& text) : t_(text) {
    SkipWs();
    Value("");
  }
  std::pair<std::size_t, std::size_t> At(const std::string& pointer) const {
    auto it = pos_.find(pointer);
    if (it != pos_.end()) return it->second;
    // The closest enclosing value that exists (a missing key is reported at its object).
    std::string p = pointer;
    while (!p.empty()) {
      p = p.substr(0, p.rfind('/'));
      it = pos_.find(p);
      if (it != pos_.end()) return it->second;
    }
    return {1, 1};
  }

 private:
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
  std::string String() {
    std::string s;
    Advance();  // opening quote
    while (i_ < t_.size() && t_[i_] != '"') {
      if (t_[i_] == '\\' && i_ + 1 < t_.size()) {
        Advance();
        s += t_[i_] == '/' ? '/' : t_[i_];
      } else {
        s += t_[i_];
      }
      Advance();
    }
    if (i_ < t_.size()) Advance();
    return s;
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
  void Value(const std::string& ptr) {
    if (i_ >= t_.size()) return;
    pos_[ptr] = {line_, col_};
    char c = t_[i_];
    if (c == '{') {
      Advance();
      SkipWs();
      while (i_ < t_.size() && t_[i_] != '}') {
        if (t_[i_] != '"') return;
        std::string key = String();
        SkipWs();
        if (i_ < t_.size() && t_[i_] == ':') Advance();
        SkipWs();
        Value(ptr + "/" + Escape(key));
        SkipWs();
        if (i_ < t_.size() && t_[i_] == ',') Advance();
        SkipWs();
      }
      if (i_ < t_.size()) Advance();
    } else if (c == '[') {
      Advance();
      SkipWs();
      for (int n = 0; i_ < t_.size() && t_[i_] != ']'; ++n) {
        Value(ptr + "/" + std::to_string(n));
        SkipWs();
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
  }
  const std::string& t_;
  std::size_t i_ = 0, line_ = 1, col_ = 1;
  std::map<std::string, std::pair<std::size_t, std::size_t>> pos_;
};

// Reads typed fields of one JSON document, collecting every problem with its position.
class Reader {
 public:
  Reader(const std::string& text, std::string file) : file_(std::move(file)), index_(text) {
    try {
      doc_ = json::parse(text);
    } catch (const json::parse_error& e) {
      // nlohmann reports a byte offset; turn it into line and column.
      std::size_t line = 1, col = 1;
      for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
        if (text[i] == '\n') {
          ++line;
          col = 1;
        } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
          ++col;
        }
      }
      std::string what = e.what();
      auto p = what.find("syntax error");
      throw model::InputError(file_, line, col, "not valid JSON: " + (p == std::string::npos ? what : what.substr(p)));
    }
  }
  const json& doc() const { return doc_; }
  void Error(const std::string& ptr, std::string msg) {
    auto [l, c] = index_.At(ptr);
    diags_.Error(file_, l, c, fmt::format("{}: {}", ptr.empty() ? "/" : ptr, msg));
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
    } else if (kind == "triangular") {
      d.kind = Distribution::Kind::Triangular;
      d.mode = Num(*v, p, "mode", true, def, lo, hi);
      if (d.mode < d.min || d.mode > d.max) Error(p + "/mode", "expected min <= mode <= max");
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
      } else if (!stage.empty()) {
        Error(p + "/stage", fmt::format("unknown stage '{}': expected mining or refining", stage));
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
          } else if (t->is_object() && t->contains("only")) {
            k.targets.kind = Targets::Kind::Only;
            k.targets.codes = StrList(*t, p + "/targets", "only", true);
          } else {
            Error(p + "/targets", "expected \"all\", {\"all_but\": [...]} or {\"only\": [...]}");
          }
        }
      }
    } else if (kind == "chokepoint") {
      k.kind = ShockKind::Chokepoint;
      k.chokepoint = Str(s, p, "chokepoint", true);
      k.minerals = StrList(s, p, "minerals", false);
      k.fraction = dist("fraction", false, 1, 0, 1, fr);
      if (s.contains("reroutable")) k.reroutable = Num(s, p, "reroutable", true, 0, 0, 1);
    } else if (kind == "demand") {
      k.kind = ShockKind::Demand;
      k.consumer = Str(s, p, "consumer", false, "*");
      k.sector = Str(s, p, "sector", false, "*");
      k.minerals = StrList(s, p, "minerals", true);
      k.factor = dist("factor", true, 1, 0, 100, fa);
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
  void Finish() {
    if (diags_.HasErrors()) throw model::InputError(std::move(diags_));
  }

 private:
  std::string file_;
  PositionIndex index_;
  json doc_;
  model::Diagnostics diags_;
};

std::string ReadText(const std::filesystem::path& path) {
  std::string text = data::ReadFileBytes(path);
  if (auto p = data::CheckUtf8(text)) throw model::InputError(path.string(), p->line, p->column, p->message);
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
  sc.id = r.Str(d, "", "id", true);
  sc.title = r.Str(d, "", "title", true);
  sc.description = r.Str(d, "", "description", false);
  sc.year = static_cast<int>(r.Num(d, "", "year", true, 2025, 1900, 2100));
  sc.horizon_months = r.Num(d, "", "horizon_months", false, 12, 1, 120);
  sc.sources = r.Sources(d);
  const json* shocks = r.Find(d, "", "shocks", true);
  if (shocks && !shocks->is_array()) r.Error("/shocks", "expected an array of shocks");
  if (shocks && shocks->is_array()) {
    for (std::size_t i = 0; i < shocks->size(); ++i) {
      sc.shocks.push_back(r.ReadShock((*shocks)[i], fmt::format("/shocks/{}", i), false, nullptr));
    }
  }
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
  reg.id = r.Str(d, "", "id", true);
  reg.title = r.Str(d, "", "title", false);
  reg.year = static_cast<int>(r.Num(d, "", "year", true, 2025, 1900, 2100));
  reg.horizon_months = r.Num(d, "", "horizon_months", false, 12, 1, 120);
  reg.sources = r.Sources(d);
  const json* events = r.Find(d, "", "events", true);
  if (events && !events->is_array()) r.Error("/events", "expected an array of events");
  if (events && events->is_array()) {
    for (std::size_t i = 0; i < events->size(); ++i) {
      const json& e = (*events)[i];
      std::string p = fmt::format("/events/{}", i);
      RegisterEvent ev;
      ev.id = r.Str(e, p, "id", true);
      ev.probability = r.Num(e, p, "probability", true, 0, 0, 1);
      ev.source = r.Str(e, p, "source", true);
      ev.basis = r.Str(e, p, "basis", false);
      const json* s = r.Find(e, p, "shock", true);
      if (s) {
        ev.shock = r.ReadShock(*s, p + "/shock", true, &ev);
        if (ev.shock.source.empty()) ev.shock.source = ev.source;
      }
      for (const auto& prev : reg.events) {
        if (prev.id == ev.id) r.Error(p + "/id", fmt::format("duplicate event id '{}'", ev.id));
      }
      reg.events.push_back(std::move(ev));
    }
  }
  r.Finish();
  return reg;
}

Scenario LoadScenario(const std::filesystem::path& path) { return ParseScenario(ReadText(path), path.string()); }
Register LoadRegister(const std::filesystem::path& path) { return ParseRegister(ReadText(path), path.string()); }

}  // namespace lodestone::sim
