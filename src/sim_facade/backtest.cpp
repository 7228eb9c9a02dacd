// Back-tests of the simulator against observed episodes (see backtest.hpp): the episode files'
// loader, the model figures, the error arithmetic and the serialisers.
#include "lodestone/sim_facade/backtest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "lodestone/model/date.hpp"
#include "lodestone/model/diagnostics.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/model/json_limits.hpp"
#include "lodestone/model/text.hpp"
#include "lodestone/sim_facade/simulate.hpp"

namespace lodestone::facade {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxEpisodeBytes = 1 << 20;
constexpr std::size_t kMaxEpisodeDepth = 32;

const std::set<std::string>& Metrics() {
  static const std::set<std::string> m = {"consumer_delivered_change_pct", "consumer_shortfall_pct",
                                          "supplier_delivered_change_pct"};
  return m;
}

// Line and column (1-based) of every value of a JSON text that nlohmann::json has accepted, by
// JSON pointer, and the pointers of duplicate keys. One pass; recursion depth bounded by
// CheckJsonLimits.
class Positions {
 public:
  explicit Positions(const std::string& text) : t_(text) {
    Ws();
    Value("");
  }
  std::pair<std::size_t, std::size_t> At(std::string pointer) const {
    // The closest enclosing value that exists: a missing key is reported at its object.
    for (;;) {
      auto it = pos_.find(pointer);
      if (it != pos_.end()) return it->second;
      if (pointer.empty()) return {1, 1};
      pointer.erase(pointer.rfind('/'));
    }
  }
  struct Duplicate {
    std::string pointer;
    std::size_t line, column;
  };
  const std::vector<Duplicate>& duplicates() const { return duplicates_; }

 private:
  void Advance() {
    if (t_[i_] == '\n') {
      ++line_;
      col_ = 1;
    } else if ((static_cast<unsigned char>(t_[i_]) & 0xC0) != 0x80) {
      ++col_;
    }
    ++i_;
  }
  void Ws() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r')) Advance();
  }
  // The raw text of a string (escapes kept: keys of episode files are plain ASCII names).
  std::string String() {
    std::string s;
    Advance();  // opening quote
    while (i_ < t_.size() && t_[i_] != '"') {
      if (t_[i_] == '\\') {
        s += t_[i_];
        Advance();
      }
      if (i_ < t_.size()) {
        s += t_[i_];
        Advance();
      }
    }
    if (i_ < t_.size()) Advance();  // closing quote
    return s;
  }
  static std::string Escape(const std::string& key) {
    std::string out;
    for (char c : key) out += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
    return out;
  }
  void Value(const std::string& pointer) {
    if (i_ >= t_.size()) return;
    if (!pos_.emplace(pointer, std::make_pair(line_, col_)).second) duplicates_.push_back({pointer, line_, col_});
    char c = t_[i_];
    if (c == '{') {
      Advance();
      Ws();
      while (i_ < t_.size() && t_[i_] != '}') {
        std::string key = String();
        Ws();
        Advance();  // ':'
        Ws();
        Value(pointer + "/" + Escape(key));
        Ws();
        if (i_ < t_.size() && t_[i_] == ',') {
          Advance();
          Ws();
        }
      }
      if (i_ < t_.size()) Advance();
    } else if (c == '[') {
      Advance();
      Ws();
      std::size_t n = 0;
      while (i_ < t_.size() && t_[i_] != ']') {
        Value(pointer + "/" + std::to_string(n++));
        Ws();
        if (i_ < t_.size() && t_[i_] == ',') {
          Advance();
          Ws();
        }
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
  std::vector<Duplicate> duplicates_;
};

// Reads fields of one episode document, collecting every problem with its place.
class Reader {
 public:
  Reader(std::string file, const std::string& text) : file_(std::move(file)), pos_(text) {
    for (const auto& d : pos_.duplicates()) diags_.Error(file_, d.line, d.column, d.pointer + ": duplicate key");
  }
  void Problem(const std::string& pointer, const std::string& message) {
    auto [line, col] = pos_.At(pointer);
    diags_.Error(file_, line, col, fmt::format("{}: {}", pointer.empty() ? "/" : pointer, message));
  }
  // Keys the format does not define are errors: a misspelt optional key would silently be ignored.
  bool Object(const json& j, const std::string& pointer, std::initializer_list<const char*> keys) {
    if (!j.is_object()) {
      Problem(pointer, "expected an object");
      return false;
    }
    for (const auto& item : j.items()) {
      const std::string& k = item.key();
      if (std::none_of(keys.begin(), keys.end(), [&](const char* x) { return k == x; })) {
        Problem(pointer + "/" + k, fmt::format("unknown key '{}'", k));
      }
    }
    return true;
  }
  std::string Text(const json& obj, const std::string& pointer, const char* key, bool required = true) {
    auto it = obj.find(key);
    if (it == obj.end()) {
      if (required) Problem(pointer, fmt::format("missing key '{}'", key));
      return {};
    }
    const std::string at = pointer + "/" + key;
    if (!it->is_string()) {
      Problem(at, "expected a string");
      return {};
    }
    auto s = it->get<std::string>();
    if (model::HasControlChar(s)) {
      Problem(at, "control characters are not allowed");
      return {};
    }
    if (required && model::Trim(s).empty()) Problem(at, "expected a non-empty string");
    return s;
  }
  double Number(const json& obj, const std::string& pointer, const char* key) {
    auto it = obj.find(key);
    if (it == obj.end()) {
      Problem(pointer, fmt::format("missing key '{}'", key));
      return 0;
    }
    if (!it->is_number() || !std::isfinite(it->get<double>())) {
      Problem(pointer + "/" + key, "expected a number");
      return 0;
    }
    return it->get<double>();
  }
  std::string Day(const json& obj, const std::string& pointer, const char* key) {
    auto s = Text(obj, pointer, key);
    if (!s.empty() && !model::Date::ParseDay(s)) {
      Problem(pointer + "/" + key, fmt::format("expected a date YYYY-MM-DD, found '{}'", s));
    }
    return s;
  }
  const json* Array(const json& obj, const std::string& pointer, const char* key, bool required) {
    auto it = obj.find(key);
    if (it == obj.end()) {
      if (required) Problem(pointer, fmt::format("missing key '{}'", key));
      return nullptr;
    }
    if (!it->is_array()) {
      Problem(pointer + "/" + key, "expected an array");
      return nullptr;
    }
    return &*it;
  }
  const model::Diagnostics& diags() const { return diags_; }
  const std::string& file() const { return file_; }
  std::pair<std::size_t, std::size_t> At(const std::string& pointer) const { return pos_.At(pointer); }

 private:
  std::string file_;
  Positions pos_;
  model::Diagnostics diags_;
};

std::vector<BackTestParameter> ReadParameters(Reader& r, const json& doc, const std::string& pointer, const char* key,
                                              bool calibrates) {
  std::vector<BackTestParameter> out;
  const json* arr = r.Array(doc.at("calibration"), pointer, key, false);
  if (!arr) return out;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const std::string at = fmt::format("{}/{}/{}", pointer, key, i);
    const json& p = (*arr)[i];
    if (calibrates ? !r.Object(p, at, {"parameter", "value", "basis"})
                   : !r.Object(p, at, {"parameter", "value", "calibrated_on"})) {
      continue;
    }
    BackTestParameter q;
    q.id = r.Text(p, at, "parameter");
    q.value = r.Number(p, at, "value");
    if (calibrates) {
      q.basis = r.Text(p, at, "basis");
    } else {
      q.calibrated_on = r.Text(p, at, "calibrated_on");
    }
    out.push_back(std::move(q));
  }
  return out;
}

std::string MarketText(const sim::MarketParams& m) {
  if (m.rule != sim::MarketRule::Market) return "pooled-rules";
  return fmt::format("market (contracts {:g} for {:g} months, then {:g}; leakage {:g})", m.contract_share_initial,
                     m.contract_hold_months, m.contract_share_later, m.leakage);
}

// Fixed notation for the table: one decimal, "-0.0" written as "0.0".
std::string OneDecimal(double x) {
  auto s = fmt::format("{:.1f}", x);
  return s == "-0.0" ? "0.0" : s;
}

// A table cell: '|' escaped, line breaks as spaces.
std::string Cell(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
  return out;
}

}  // namespace

BackTestEpisode LoadEpisode(const std::filesystem::path& path) {
  const std::string file = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!std::filesystem::is_regular_file(path) || !in) {
    throw Error::NotFound(fmt::format("episode file {} not found", file));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  model::CheckJsonLimits(text, file, kMaxEpisodeBytes, kMaxEpisodeDepth, "an episode file");
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    // nlohmann reports the 1-based byte offset of the error.
    const auto [line, col] = model::LineColumnAt(text, e.byte > 0 ? e.byte - 1 : 0);
    throw Error::InvalidData(file, line, col, "not valid JSON");
  }
  Reader r(file, text);
  BackTestEpisode ep;
  ep.file = file;
  if (r.Object(doc, "",
               {"format", "id", "title", "description", "scenario_file", "dates", "calibration", "figures", "notes"})) {
    auto format = r.Text(doc, "", "format");
    if (!format.empty() && format != "lodestone-episode/1") {
      r.Problem("/format", fmt::format("expected \"lodestone-episode/1\", found \"{}\"", format));
    }
    ep.id = r.Text(doc, "", "id");
    ep.title = r.Text(doc, "", "title");
    ep.description = r.Text(doc, "", "description");
    ep.scenario_file = r.Text(doc, "", "scenario_file");
    if (!ep.scenario_file.empty()) {
      auto p = std::filesystem::path(ep.scenario_file);
      if (p.is_absolute() || p.has_parent_path()) {
        r.Problem("/scenario_file", "expected a file name in the episode's directory");
      } else if (!std::filesystem::is_regular_file(path.parent_path() / p)) {
        r.Problem("/scenario_file", fmt::format("scenario file {} not found", (path.parent_path() / p).string()));
      }
    }
    if (auto it = doc.find("dates"); it == doc.end()) {
      r.Problem("", "missing key 'dates'");
    } else if (r.Object(*it, "/dates", {"announced", "in_force", "window_start", "window_end"})) {
      ep.announced = r.Day(*it, "/dates", "announced");
      ep.in_force = r.Day(*it, "/dates", "in_force");
      ep.window_start = r.Day(*it, "/dates", "window_start");
      ep.window_end = r.Day(*it, "/dates", "window_end");
      auto a = model::Date::ParseDay(ep.announced), f = model::Date::ParseDay(ep.in_force);
      auto s = model::Date::ParseDay(ep.window_start), e = model::Date::ParseDay(ep.window_end);
      if (a && f && *f < *a) r.Problem("/dates/in_force", "expected a date on or after 'announced'");
      if (s && e && *e < *s) r.Problem("/dates/window_end", "expected a date on or after 'window_start'");
    }
    if (auto it = doc.find("calibration"); it == doc.end()) {
      r.Problem("", "missing key 'calibration'");
    } else if (r.Object(*it, "/calibration", {"calibrates", "uses"})) {
      ep.calibrates = ReadParameters(r, doc, "/calibration", "calibrates", true);
      for (auto& p : ep.calibrates) p.calibrated_on = ep.id;
      ep.uses = ReadParameters(r, doc, "/calibration", "uses", false);
    }
    if (const json* notes = r.Array(doc, "", "notes", false)) {
      for (std::size_t i = 0; i < notes->size(); ++i) {
        if (!(*notes)[i].is_string()) {
          r.Problem(fmt::format("/notes/{}", i), "expected a string");
        } else {
          ep.notes.push_back((*notes)[i].get<std::string>());
        }
      }
    }
    const json* figs = r.Array(doc, "", "figures", true);
    if (figs && figs->empty()) r.Problem("/figures", "expected at least one observed figure");
    std::set<std::string> ids;
    for (std::size_t i = 0; figs && i < figs->size(); ++i) {
      const std::string at = fmt::format("/figures/{}", i);
      const json& f = (*figs)[i];
      if (!r.Object(f, at,
                    {"id", "quantity", "period", "basis", "observed", "unit", "role", "sources", "note", "model"})) {
        continue;
      }
      BackTestFigure g;
      g.id = r.Text(f, at, "id");
      if (!g.id.empty() && !ids.insert(g.id).second)
        r.Problem(at + "/id", fmt::format("duplicate figure id '{}'", g.id));
      g.quantity = r.Text(f, at, "quantity");
      g.period = r.Text(f, at, "period");
      g.basis = r.Text(f, at, "basis");
      g.observed = r.Number(f, at, "observed");
      g.unit = r.Text(f, at, "unit");
      if (!g.unit.empty() && g.unit != "%") {
        r.Problem(at + "/unit",
                  fmt::format("expected \"%\" (every model figure is a percentage), found \"{}\"", g.unit));
      }
      g.role = r.Text(f, at, "role");
      if (!g.role.empty() && g.role != "validation" && g.role != "calibration") {
        r.Problem(at + "/role", fmt::format("expected \"validation\" or \"calibration\", found \"{}\"", g.role));
      }
      g.note = r.Text(f, at, "note", false);
      const json* srcs = r.Array(f, at, "sources", true);
      if (srcs && srcs->empty()) r.Problem(at + "/sources", "expected at least one source");
      for (std::size_t k = 0; srcs && k < srcs->size(); ++k) {
        const std::string sat = fmt::format("{}/sources/{}", at, k);
        if (!r.Object((*srcs)[k], sat, {"citation", "url", "date", "licence"})) continue;
        BackTestSource s;
        s.citation = r.Text((*srcs)[k], sat, "citation");
        s.url = r.Text((*srcs)[k], sat, "url");
        s.date = r.Text((*srcs)[k], sat, "date");
        if (!s.date.empty() && !model::Date::Parse(s.date)) {
          r.Problem(sat + "/date", fmt::format("expected a date YYYY, YYYY-MM or YYYY-MM-DD, found '{}'", s.date));
        }
        s.licence = r.Text((*srcs)[k], sat, "licence");
        g.sources.push_back(std::move(s));
      }
      if (auto m = f.find("model"); m == f.end()) {
        // A calibration figure may fix a parameter directly, with no model figure beside it.
        if (g.role != "calibration") r.Problem(at, "missing key 'model' (only a calibration figure may omit it)");
      } else if (r.Object(*m, at + "/model", {"metric", "mineral", "consumer", "supplier"})) {
        g.model_metric.metric = r.Text(*m, at + "/model", "metric");
        if (!g.model_metric.metric.empty() && !Metrics().count(g.model_metric.metric)) {
          std::string known;
          for (const auto& x : Metrics()) known += (known.empty() ? "" : ", ") + x;
          r.Problem(at + "/model/metric", fmt::format("unknown metric '{}' (known: {})", g.model_metric.metric, known));
        }
        g.model_metric.mineral = r.Text(*m, at + "/model", "mineral");
        g.model_metric.consumer = r.Text(*m, at + "/model", "consumer");
        if (g.model_metric.metric == "supplier_delivered_change_pct") {
          g.model_metric.supplier = r.Text(*m, at + "/model", "supplier");
        }
      }
      ep.figures.push_back(std::move(g));
    }
    // The calibration rule within the episode: a parameter calibrated here is not also taken from
    // elsewhere, and one taken from elsewhere does not name this episode.
    for (std::size_t i = 0; i < ep.uses.size(); ++i) {
      if (!ep.id.empty() && ep.uses[i].calibrated_on == ep.id) {
        r.Problem(fmt::format("/calibration/uses/{}/calibrated_on", i),
                  fmt::format("parameter '{}' is calibrated on this episode, which therefore cannot validate it: "
                              "list it under 'calibrates'",
                              ep.uses[i].id));
      }
      for (const auto& c : ep.calibrates) {
        if (c.id == ep.uses[i].id) {
          r.Problem(fmt::format("/calibration/uses/{}/parameter", i),
                    fmt::format("parameter '{}' is both calibrated on this episode and taken from another", c.id));
        }
      }
    }
    bool validates =
        std::any_of(ep.figures.begin(), ep.figures.end(), [](const auto& g) { return g.role == "validation"; });
    if (!ep.calibrates.empty() && validates) {
      r.Problem("/calibration/calibrates",
                "an episode that calibrates parameters has only 'calibration' figures: parameters calibrated on an "
                "episode are not validated on it");
    }
  }
  if (r.diags().HasErrors()) throw Error::InvalidData(r.diags());
  return ep;
}

std::vector<BackTestEpisode> LoadEpisodes(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir)) {
    throw Error::NotFound(fmt::format("episode directory {} not found", dir.string()));
  }
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const auto name = e.path().filename().string();
    if (!e.is_regular_file() || e.path().extension() != ".json") continue;
    if (name.size() >= 14 && name.ends_with(".scenario.json")) continue;
    files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) throw Error::NotFound(fmt::format("no episode files (*.json) in {}", dir.string()));
  std::vector<BackTestEpisode> eps;
  model::Diagnostics diags;
  for (const auto& f : files) {
    try {
      eps.push_back(LoadEpisode(f));
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::InvalidData) throw;
      diags.Append(e.diagnostics());
    }
  }
  if (diags.HasErrors()) throw Error::InvalidData(diags);
  // Across episodes: unique ids; each used parameter calibrated, with the same value, where it says.
  std::map<std::string, const BackTestEpisode*> by_id;
  for (const auto& ep : eps) {
    if (!by_id.emplace(ep.id, &ep).second) {
      diags.Error(ep.file, 0, 0, fmt::format("episode id '{}' is also the id of {}", ep.id, by_id[ep.id]->file));
    }
  }
  for (const auto& ep : eps) {
    for (const auto& u : ep.uses) {
      auto it = by_id.find(u.calibrated_on);
      const BackTestParameter* cal = nullptr;
      if (it != by_id.end()) {
        for (const auto& c : it->second->calibrates) {
          if (c.id == u.id) cal = &c;
        }
      }
      if (!cal) {
        diags.Error(ep.file, 0, 0,
                    fmt::format("parameter '{}' is said to be calibrated on episode '{}', which does not calibrate it",
                                u.id, u.calibrated_on));
      } else if (cal->value != u.value) {
        diags.Error(ep.file, 0, 0,
                    fmt::format("parameter '{}' = {:g}, but episode '{}' calibrates it to {:g}", u.id, u.value,
                                u.calibrated_on, cal->value));
      }
    }
  }
  if (diags.HasErrors()) throw Error::InvalidData(diags);
  return eps;
}

std::optional<double> ModelFigure(const sim::ScenarioResult& result, const BackTestMetric& metric) {
  const sim::ScenarioRow* row = nullptr;
  for (const auto& r : result.rows) {
    if (r.mineral == metric.mineral && r.consumer == metric.consumer && r.sector == "total") row = &r;
  }
  if (!row) {
    throw Error::InvalidData(
        "", 0, 0,
        fmt::format("scenario '{}' gives no result for {} in {} (a mineral no shock touches, or a consumer the "
                    "network does not have)",
                    result.scenario.id, metric.mineral, metric.consumer));
  }
  if (!row->demand_known || !(row->flows.demand > 0)) return std::nullopt;
  if (metric.metric == "consumer_shortfall_pct") return row->shortfall_pct;
  if (metric.metric == "consumer_delivered_change_pct") {
    return 100.0 * (row->flows.delivered - row->flows.demand) / row->flows.demand;
  }
  throw Error::InvalidRequest(fmt::format("unknown metric '{}'", metric.metric));
}

// The change, after against before, of the refined tonnes one supplier country delivers to one
// consumer in the scenario's flows (refining:SUPPLIER -> consumer:CONSUMER); none when the baseline
// has no such link.
std::optional<double> SupplierLinkChange(const sim::FlowsResult& flows, const BackTestMetric& metric) {
  const std::string from = "refining:" + metric.supplier;
  const std::string to = "consumer:" + metric.consumer;
  auto sum = [&](const std::vector<sim::FlowLink>& links) {
    double t = 0;
    for (const auto& l : links) {
      if (l.source == from && l.target == to) t += l.tonnes;
    }
    return t;
  };
  const double before = sum(flows.before);
  if (!(before > 0)) return std::nullopt;
  return 100.0 * (sum(flows.after) - before) / before;
}

BackTestsResult RunBackTests(const app::Workspace& ws, const std::filesystem::path& dir) {
  BackTestsResult out;
  out.episodes = LoadEpisodes(dir);
  for (auto& ep : out.episodes) {
    SimulateRequest rq;
    rq.scenario_files = {std::filesystem::path(ep.file).parent_path() / ep.scenario_file};
    auto sim = Simulate(ws, rq);
    LODESTONE_ASSERT(sim.scenarios.size() == 1, "one scenario file gives one result");
    const auto& res = sim.scenarios.front();
    ep.scenario_id = res.scenario.id;
    ep.baseline_year = res.year;
    ep.market = MarketText(res.market);
    double sum = 0;
    int n = 0;
    for (auto& f : ep.figures) {
      if (f.model_metric.metric.empty()) continue;  // a parameter read off the observation
      if (f.model_metric.metric == "supplier_delivered_change_pct") {
        FlowsRequest fr;
        fr.mineral = f.model_metric.mineral;
        fr.scenario_file = rq.scenario_files.front();
        f.model = SupplierLinkChange(SimulateFlows(ws, fr), f.model_metric);
      } else {
        f.model = ModelFigure(res, f.model_metric);
      }
      if (f.model) f.error = *f.model - f.observed;
      if (f.error && f.role == "validation") {
        sum += std::fabs(*f.error);
        ++n;
      }
    }
    if (n > 0) ep.mean_abs_error = sum / n;
  }
  return out;
}

app::Json ToJson(const BackTestsResult& r) {
  app::Json eps = app::Json::array();
  for (const auto& ep : r.episodes) {
    app::Json figs = app::Json::array();
    for (const auto& f : ep.figures) {
      app::Json srcs = app::Json::array();
      for (const auto& s : f.sources) {
        srcs.push_back({{"citation", s.citation}, {"url", s.url}, {"date", s.date}, {"licence", s.licence}});
      }
      figs.push_back(
          {{"id", f.id},
           {"quantity", f.quantity},
           {"period", f.period},
           {"basis", f.basis},
           {"unit", f.unit},
           {"role", f.role},
           {"observed", f.observed},
           {"model", app::Optional(f.model)},
           {"error", app::Optional(f.error)},
           {"model_metric", f.model_metric.metric.empty() ? app::Json(nullptr)
                                                          : app::Json{{"metric", f.model_metric.metric},
                                                                      {"mineral", f.model_metric.mineral},
                                                                      {"consumer", f.model_metric.consumer},
                                                                      {"supplier", f.model_metric.supplier}}},
           {"note", f.note},
           {"sources", srcs}});
    }
    auto params = [](const std::vector<BackTestParameter>& ps) {
      app::Json a = app::Json::array();
      for (const auto& p : ps) {
        app::Json o = {{"parameter", p.id}, {"value", p.value}, {"calibrated_on", p.calibrated_on}};
        if (!p.basis.empty()) o["basis"] = p.basis;
        a.push_back(o);
      }
      return a;
    };
    eps.push_back({{"id", ep.id},
                   {"title", ep.title},
                   {"file", std::filesystem::path(ep.file).filename().string()},
                   {"scenario_file", ep.scenario_file},
                   {"scenario_id", ep.scenario_id},
                   {"dates",
                    {{"announced", ep.announced},
                     {"in_force", ep.in_force},
                     {"window_start", ep.window_start},
                     {"window_end", ep.window_end}}},
                   {"baseline_year", ep.baseline_year},
                   {"market", ep.market},
                   {"calibrates", params(ep.calibrates)},
                   {"uses", params(ep.uses)},
                   {"mean_abs_error", app::Optional(ep.mean_abs_error)},
                   {"figures", figs},
                   {"notes", ep.notes}});
  }
  return {{"method", r.method},
          {"error_definition", "model - observed, in the observed unit (percentage points)"},
          {"episodes", eps}};
}

std::string ToMarkdown(const BackTestsResult& r) {
  std::string s;
  s += "| episode | figure | period | observed (%) | model (%) | error (pp) | role |\n";
  s += "|---|---|---|---:|---:|---:|---|\n";
  for (const auto& ep : r.episodes) {
    for (const auto& f : ep.figures) {
      s += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", Cell(ep.id), Cell(f.quantity + " (" + f.basis + ")"),
                       Cell(f.period), OneDecimal(f.observed), f.model ? OneDecimal(*f.model) : "NA",
                       f.error ? OneDecimal(*f.error) : "NA", f.role);
    }
  }
  s += "\n";
  for (const auto& ep : r.episodes) {
    s += fmt::format("- `{}` (scenario `{}`, baseline {}, {}): mean absolute error over validation figures {}\n", ep.id,
                     ep.scenario_id, ep.baseline_year, ep.market,
                     ep.mean_abs_error ? OneDecimal(*ep.mean_abs_error) + " pp" : std::string("NA (calibration only)"));
  }
  return s;
}

}  // namespace lodestone::facade
