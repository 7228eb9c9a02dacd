#include "services.hpp"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "lodestone/data/serialize.hpp"
#include "lodestone/data/summary.hpp"
#include "lodestone/data/supply.hpp"
#include "lodestone/invest/plan.hpp"
#include "lodestone/invest/project_store.hpp"
#include "lodestone/invest/registry.hpp"
#include "lodestone/invest/serialize.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/model/json_limits.hpp"
#include "lodestone/model/text.hpp"
#include "lodestone/outlook/serialize.hpp"
#include "lodestone/risk/assess.hpp"
#include "lodestone/risk/serialize.hpp"
#include "lodestone/sim_facade/outlook.hpp"
#include "lodestone/sim_facade/report.hpp"
#include "lodestone/sim_facade/risk.hpp"
#include "lodestone/sim_facade/simulate.hpp"
#include "lodestone/store/registry_store.hpp"

namespace lodestone::server {
namespace {

constexpr const char* kBody = "request body";
constexpr std::size_t kMaxBodyDepth = 32;

Reply JsonReply(const app::Json& j, int status = 200, bool cacheable = false) {
  return {status, "application/json", j.dump(2) + "\n", cacheable};
}

// Query parameters, parsed with a clear message.
class Query {
 public:
  // The server has checked the names against the endpoint's list (CheckQuery).
  explicit Query(const Request& r) : q_(r.query) {}
  std::optional<std::string> Text(const char* name) const {
    auto it = q_.find(name);
    if (it == q_.end()) return std::nullopt;
    return it->second;
  }
  std::string Text(const char* name, std::string def) const { return Text(name).value_or(std::move(def)); }
  std::vector<std::string> List(const char* name, std::vector<std::string> def) const {
    auto t = Text(name);
    return t ? model::SplitList(*t) : def;
  }
  template <class T>
  std::optional<T> Integer(const char* name, T lo, T hi) const {
    auto t = Text(name);
    if (!t) return std::nullopt;
    T v{};
    auto [p, ec] = std::from_chars(t->data(), t->data() + t->size(), v);
    if (ec != std::errc() || p != t->data() + t->size() || v < lo || v > hi) {
      throw Error::InvalidRequest(
          fmt::format("query parameter '{}' = '{}': expected an integer from {} to {}", name, *t, lo, hi));
    }
    return v;
  }

 private:
  const std::map<std::string, std::string>& q_;
};

nlohmann::json ParseBody(const std::string& body) {
  model::CheckJsonLimits(body, kBody, 1u << 20, kMaxBodyDepth, "a request body");
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error::InvalidData(kBody, 0, e.byte, fmt::format("not valid JSON: {}", e.what()));
  } catch (const nlohmann::json::exception& e) {  // a number too large for a double, say
    throw Error::InvalidData(kBody, 0, 0, fmt::format("not valid JSON: {}", e.what()));
  }
}

// Fields of a JSON object body, each read once with its type checked; unknown fields refused.
class Body {
 public:
  Body(const std::string& text, std::initializer_list<const char*> allowed) {
    if (text.empty()) {
      j_ = nlohmann::json::object();
    } else {
      j_ = ParseBody(text);
    }
    if (!j_.is_object()) throw Error::InvalidData(kBody, 0, 0, "expected a JSON object");
    for (const auto& [k, v] : j_.items()) {
      bool ok = false;
      for (const char* a : allowed) ok = ok || k == a;
      if (!ok) throw Error::InvalidData(kBody, 0, 0, fmt::format("field '{}' is not known here", k));
    }
  }
  std::optional<double> Number(const char* name, double lo, double hi) const {
    if (!j_.contains(name) || j_[name].is_null()) return std::nullopt;
    const auto& v = j_[name];
    if (!v.is_number() || !(v.get<double>() >= lo && v.get<double>() <= hi)) {
      throw Error::InvalidData(kBody, 0, 0, fmt::format("field '{}': expected a number from {} to {}", name, lo, hi));
    }
    return v.get<double>();
  }
  std::optional<std::uint64_t> Count(const char* name, std::uint64_t lo, std::uint64_t hi) const {
    if (!j_.contains(name) || j_[name].is_null()) return std::nullopt;
    const auto& v = j_[name];
    if (!v.is_number_unsigned() || v.get<std::uint64_t>() < lo || v.get<std::uint64_t>() > hi) {
      throw Error::InvalidData(kBody, 0, 0, fmt::format("field '{}': expected an integer from {} to {}", name, lo, hi));
    }
    return v.get<std::uint64_t>();
  }
  std::optional<std::string> Text(const char* name) const {
    if (!j_.contains(name) || j_[name].is_null()) return std::nullopt;
    if (!j_[name].is_string())
      throw Error::InvalidData(kBody, 0, 0, fmt::format("field '{}': expected a string", name));
    return j_[name].get<std::string>();
  }
  std::optional<bool> Flag(const char* name) const {
    if (!j_.contains(name) || j_[name].is_null()) return std::nullopt;
    if (!j_[name].is_boolean())
      throw Error::InvalidData(kBody, 0, 0, fmt::format("field '{}': expected true or false", name));
    return j_[name].get<bool>();
  }
  // An object of string values (field -> value).
  std::vector<std::pair<std::string, std::string>> Strings(const char* name) const {
    std::vector<std::pair<std::string, std::string>> out;
    if (!j_.contains(name)) return out;
    const auto& o = j_[name];
    if (!o.is_object()) throw Error::InvalidData(kBody, 0, 0, fmt::format("field '{}': expected an object", name));
    for (const auto& [k, v] : o.items()) {
      if (!v.is_string()) {
        throw Error::InvalidData(kBody, 0, 0, fmt::format("field '{}.{}': expected a string", name, k));
      }
      out.emplace_back(k, v.get<std::string>());
    }
    return out;
  }

 private:
  nlohmann::json j_;
};

// The registry of the workspace's database (a SQLite file or a PostgreSQL URL), opened per request:
// a connection is not shared between threads.
struct OpenRegistry {
  std::unique_ptr<store::RegistryStore> store;
  invest::Registry registry;
};
OpenRegistry Open(const app::Workspace& ws) {
  if (ws.paths().database.empty()) throw Error::NotFound("the server was started without a project database");
  auto s = store::OpenProjectStore(ws.paths().database.string());
  auto& ref = *s;
  return {std::move(s), invest::Registry(ref, invest::ReferenceCodes::Load(ws.paths().reference))};
}

const invest::Project& Existing(const std::optional<invest::Project>& p, const std::string& id) {
  if (!p) throw Error::NotFound(fmt::format("no project '{}'", id));
  return *p;
}

app::Json JobJson(const JobStatus& s) {
  app::Json j;
  j["id"] = s.id;
  j["state"] = std::string(Name(s.state));
  j["owner"] = s.owner;
  j["runs"] = s.runs;
  j["runs_done"] = s.runs_done;
  j["progress"] = s.runs ? static_cast<double>(s.runs_done) / static_cast<double>(s.runs) : 0.0;
  j["created"] = s.created;
  j["finished"] = s.finished.empty() ? app::Json(nullptr) : app::Json(s.finished);
  j["result_url"] = s.state == JobState::Done ? app::Json("/v1/jobs/" + s.id + "/result") : app::Json(nullptr);
  j["error"] = s.error ? *s.error : app::Json(nullptr);
  return j;
}

// --- the services

Reply Health(Context& c, const Request& r, const Caller&) {
  Query q(r);
  const auto& m = c.ws.dataset()->manifest;
  app::Json j;
  j["status"] = "ok";
  j["service"] = "lodestone";
  j["api"] = "v1";
  j["dataset"] = {{"name", m.name}, {"version", m.version}, {"date", m.date}};
  return JsonReply(j);
}

Reply DatasetInfo(Context& c, const Request& r, const Caller&) {
  Query q(r);
  return JsonReply(data::ToJson(data::DescribeDataset(c.ws.dataset())), 200, true);
}

Reply Countries(Context& c, const Request& r, const Caller&) {
  Query q(r);
  return JsonReply(data::CountriesJson(c.ws.dataset()), 200, true);
}

Reply Supply(Context& c, const Request& r, const Caller&) {
  Query q(r);
  data::SupplyRequest req;
  req.minerals = q.List("mineral", {});
  if (req.minerals.empty()) throw Error::InvalidRequest("query parameter 'mineral' is required (e.g. mineral=cobalt)");
  req.year = q.Integer<int>("year", 1900, 2200);
  req.top = q.Integer<int>("top", 1, 1000).value_or(req.top);
  return JsonReply(data::ToJson(data::Supply(c.ws.dataset(), req)), 200, true);
}

Reply Risk(Context& c, const Request& r, const Caller&) {
  Query q(r);
  risk::AssessRequest req;
  req.minerals = q.List("mineral", {});
  req.consumer = q.List("consumer", req.consumer);
  req.partners = q.Text("partners", req.partners);
  req.as_of = q.Text("as_of", req.as_of);
  if (auto m = q.Text("method")) req.methods = risk::ParseMethodsOrThrow(*m);
  return JsonReply(risk::ToJson(facade::AssessRisk(c.ws, req)), 200, true);
}

facade::SimulateRequest SimRequest(const Query& q) {
  facade::SimulateRequest req;
  req.year = q.Integer<int>("year", 1900, 2200);
  req.sector_rule = q.Text("sector_rule", req.sector_rule);
  return req;
}

// The body is a scenario in the scenario file format (docs/scenarios.md); errors point into the
// body by line and column.
Reply Simulate(Context& c, const Request& r, const Caller&) {
  Query q(r);
  auto req = SimRequest(q);
  if (r.body.empty()) {
    throw Error::InvalidRequest(
        "the body must be a scenario (docs/scenarios.md); GET /v1/simulate/default runs the "
        "default scenarios");
  }
  req.scenario_texts.emplace_back(kBody, r.body);
  return JsonReply(facade::ToJson(facade::Simulate(c.ws, req)), 200, true);
}

Reply SimulateDefault(Context& c, const Request& r, const Caller&) {
  Query q(r);
  return JsonReply(facade::ToJson(facade::Simulate(c.ws, SimRequest(q))), 200, true);
}

// One mineral's flows before and after a scenario: the body's (POST), else the default one (GET).
Reply Flows(Context& c, const Request& r, const Caller&) {
  Query q(r);
  facade::FlowsRequest req;
  req.mineral = q.Text("mineral", "");
  req.year = q.Integer<int>("year", 1900, 2200);
  req.sector_rule = q.Text("sector_rule", req.sector_rule);
  if (r.method == "POST") {
    if (r.body.empty()) {
      throw Error::InvalidRequest(
          "the body must be a scenario (docs/scenarios.md); GET /v1/flows uses the default scenario");
    }
    req.scenario_text.emplace(kBody, r.body);
  }
  return JsonReply(sim::ToJson(facade::SimulateFlows(c.ws, req)), 200, true);
}

Reply SubmitJob(Context& c, const Request& r, const Caller& who) {
  Query q(r);
  auto req = SimRequest(q);
  req.monte_carlo = true;
  req.runs = q.Integer<std::uint64_t>("runs", 1, 100'000'000).value_or(req.runs);
  req.seed = q.Integer<std::uint64_t>("seed", 0, UINT64_MAX).value_or(req.seed);
  req.threads = 1;  // one core computes; the other keeps answering requests
  auto s = c.jobs.Submit(req, who.name);
  return JsonReply(JobJson(s), 202);
}

Reply ListJobs(Context& c, const Request& r, const Caller&) {
  Query q(r);
  app::Json j = app::Json::array();
  for (const auto& s : c.jobs.List()) j.push_back(JobJson(s));
  return JsonReply({{"jobs", j}});
}

Reply JobStatusOf(Context& c, const Request& r, const Caller&) {
  Query q(r);
  auto s = c.jobs.Status(r.params[0]);
  if (!s) throw Error::NotFound(fmt::format("no job '{}'", r.params[0]));
  return JsonReply(JobJson(*s));
}

Reply CancelJob(Context& c, const Request& r, const Caller&) {
  Query q(r);
  return JsonReply(JobJson(c.jobs.Cancel(r.params[0])));
}

Reply JobResult(Context& c, const Request& r, const Caller&) {
  Query q(r);
  auto text = c.jobs.Result(r.params[0]);
  if (!text)
    throw Error::Conflict(fmt::format("job '{}' has no result (yet): see /v1/jobs/{}", r.params[0], r.params[0]));
  return {200, "application/json", *text, false};
}

Reply Outlook(Context& c, const Request& r, const Caller&) {
  Query q(r);
  facade::OutlookRunRequest req;
  auto& o = req.outlook;
  o.mineral = q.Text("mineral", "");
  if (o.mineral.empty()) throw Error::InvalidRequest("query parameter 'mineral' is required (e.g. mineral=lithium)");
  o.scenario = q.Text("scenario", "");
  o.consumer = q.List("consumer", o.consumer);
  o.stage = q.Text("stage", "");
  o.runs = q.Integer<int>("runs", 1, 100000).value_or(o.runs);
  o.seed = q.Integer<std::uint64_t>("seed", 0, UINT64_MAX).value_or(o.seed);
  return JsonReply(outlook::ToJson(facade::RunOutlook(c.ws, req).result), 200, true);
}

// Projects leave the server only through these two: redacted for the caller (invest::Redact).
app::Json ProjectJson(const invest::Project& p, const Caller& who) {
  return invest::ToJson(invest::Redact(p, ViewerOf(who)));
}

// A 403 when the request writes confidential fields the caller may not write: only a key of the
// owning partner writes them, and it cannot hand the terms to another partner (the local user of
// the CLI can). The values are never quoted back.
std::optional<Reply> RefuseConfidentialWrite(const Caller& who, const std::string& project_id,
                                             const std::string& current_owner,
                                             const std::vector<std::pair<std::string, std::string>>& fields) {
  bool touches = false;
  std::optional<std::string> new_owner;
  for (const auto& [f, v] : fields) {
    if (f == "confidential_owner") new_owner = v;
    touches = touches || f == "confidential_owner" || invest::IsConfidentialValue(f);
  }
  if (!touches || ViewerOf(who).sees_all) return std::nullopt;
  auto refuse = [](const std::string& message) {
    return Reply{403, "application/json", ServerErrorBody(403, "forbidden", message), false};
  };
  if (who.partner.empty()) {
    return refuse("this key belongs to no partner: it cannot write a project's confidential fields");
  }
  if (!current_owner.empty() && current_owner != who.partner) {
    return refuse(fmt::format(
        "project '{}' has confidential terms of another partner: this key may not write its confidential fields",
        project_id));
  }
  if (new_owner.value_or(current_owner) != who.partner) {
    return refuse(fmt::format(
        "confidential fields are written by keys of the owning partner: set confidential_owner to this key's partner "
        "({}); a key cannot give the terms to another partner",
        who.partner));
  }
  return std::nullopt;
}

Reply ListProjects(Context& c, const Request& r, const Caller& who) {
  Query q(r);
  invest::ProjectFilter f;
  f.mineral = q.Text("mineral", "");
  f.country = q.Text("country", "");
  f.stage = q.Text("stage", "");
  auto o = Open(c.ws);
  return JsonReply(invest::ToJson(invest::Redact(o.registry.List(f), ViewerOf(who))));
}

Reply ShowProject(Context& c, const Request& r, const Caller& who) {
  Query q(r);
  auto o = Open(c.ws);
  return JsonReply(ProjectJson(Existing(o.registry.Get(r.params[0]), r.params[0]), who));
}

Reply ProjectHistory(Context& c, const Request& r, const Caller& who) {
  Query q(r);
  auto o = Open(c.ws);
  const auto found = o.registry.Get(r.params[0]);
  const auto& p = Existing(found, r.params[0]);
  return JsonReply(
      invest::ToJson(invest::RedactHistory(o.registry.History(r.params[0]), p.confidential.owner, ViewerOf(who))));
}

Reply CreateProject(Context& c, const Request& r, const Caller& who) {
  Query q(r);
  Body b(r.body, {"project", "reason"});
  auto fields = b.Strings("project");
  if (fields.empty()) throw Error::InvalidData(kBody, 0, 0, "field 'project': expected the project's fields");
  if (auto refused = RefuseConfidentialWrite(who, "", "", fields)) return *refused;
  auto o = Open(c.ws);
  invest::Project p;
  model::Diagnostics diags;
  for (const auto& [f, v] : fields) {
    bool known = f == "id";
    for (const auto& col : invest::EditableFields()) known = known || col == f;
    if (!known) {
      diags.Error(kBody, 0, 0, fmt::format("project.{}: not a project field", f));
    } else if (auto e = invest::SetField(p, f, v, o.registry.codes())) {
      diags.Error(kBody, 0, 0, fmt::format("project.{} '{}': {}", f, v, *e));
    }
  }
  if (diags.HasErrors()) throw Error::InvalidData(std::move(diags));
  std::lock_guard lock(c.registry_mutex);
  o.registry.Add(p, who.name, b.Text("reason").value_or(""));
  return JsonReply(ProjectJson(Existing(o.registry.Get(p.id), p.id), who), 201);
}

Reply EditProject(Context& c, const Request& r, const Caller& who) {
  Query q(r);
  Body b(r.body, {"changes", "reason"});
  auto changes = b.Strings("changes");
  if (changes.empty()) throw Error::InvalidData(kBody, 0, 0, "field 'changes': expected {\"field\": \"value\", ...}");
  auto o = Open(c.ws);
  std::lock_guard lock(c.registry_mutex);
  // The owner read under this process's write lock (another process writing in between could
  // change it; the server is the registry's only writer with keys).
  const auto found = o.registry.Get(r.params[0]);
  const auto& current = Existing(found, r.params[0]);
  if (auto refused = RefuseConfidentialWrite(who, current.id, current.confidential.owner, changes)) return *refused;
  const auto logged = o.registry.Edit(r.params[0], changes, who.name, b.Text("reason").value_or(""));
  app::Json j;
  j["fields_changed"] = logged;
  j["project"] = ProjectJson(Existing(o.registry.Get(r.params[0]), r.params[0]), who);
  return JsonReply(j);
}

Reply RemoveProject(Context& c, const Request& r, const Caller& who) {
  Query q(r);
  auto o = Open(c.ws);
  std::lock_guard lock(c.registry_mutex);
  o.registry.Remove(r.params[0], who.name, q.Text("reason", ""));
  return JsonReply({{"removed", r.params[0]}});
}

invest::EvaluationSettings Settings(const Body& b) {
  invest::EvaluationSettings s;
  s.runs = b.Count("runs", 1, 1'000'000).value_or(s.runs);
  s.seed = b.Count("seed", 0, UINT64_MAX).value_or(s.seed);
  if (auto p = b.Text("partners")) s.partners = model::SplitList(*p);
  s.as_of = b.Text("as_of").value_or(s.as_of);
  s.threads = 1;
  return s;
}

invest::ProjectSourceRequest DatabaseSource() {
  invest::ProjectSourceRequest s;
  s.database_explicit = true;
  return s;
}

Reply EvaluateProject(Context& c, const Request& r, const Caller& who) {
  Query q(r);
  Body b(r.body, {"runs", "seed", "partners", "as_of"});
  invest::ProjectEvaluationRequest req;
  req.source = DatabaseSource();
  req.source.viewer = ViewerOf(who);
  req.evaluation = Settings(b);
  req.project_id = r.params[0];
  return JsonReply(invest::ToJson(invest::EvaluateOneProject(c.ws, req)));
}

Reply Portfolio(Context& c, const Request& r, const Caller& who) {
  Query q(r);
  Body b(r.body, {"runs", "seed", "partners", "as_of", "budget_us", "budget_jp", "later_budget_us", "later_budget_jp",
                  "deadline", "min_private", "max_country_share", "esg_threshold", "allow_unknown_esg", "method"});
  invest::PortfolioPlanRequest req;
  req.source = DatabaseSource();
  req.source.viewer = ViewerOf(who);
  req.evaluation = Settings(b);
  auto& bo = req.budgets;
  const auto us = b.Number("budget_us", 0, 1e6), jp = b.Number("budget_jp", 0, 1e6);
  if (!us || !jp) throw Error::InvalidData(kBody, 0, 0, "fields 'budget_us' and 'budget_jp' (M USD) are required");
  bo.us_budget_musd = *us;
  bo.jp_budget_musd = *jp;
  bo.later_us_budget_musd = b.Number("later_budget_us", 0, 1e6).value_or(0);
  bo.later_jp_budget_musd = b.Number("later_budget_jp", 0, 1e6).value_or(0);
  bo.decision_deadline = b.Text("deadline").value_or(bo.decision_deadline);
  bo.min_private_share = b.Number("min_private", 0, 1).value_or(0);
  bo.max_country_public_share = b.Number("max_country_share", 0, 1);
  if (auto t = b.Number("esg_threshold", 0, 1)) bo.esg_threshold = t;
  bo.allow_unknown_esg = b.Flag("allow_unknown_esg").value_or(false);
  req.method = b.Text("method").value_or(req.method);
  return JsonReply(invest::ToJson(invest::PlanPortfolio(c.ws, req)));
}

Reply Report(Context& c, const Request& r, const Caller&) {
  Query q(r);
  facade::ReportRequest req;
  req.mineral = r.params[0];
  req.consumer = q.List("consumer", req.consumer);
  req.seed = q.Integer<std::uint64_t>("seed", 0, UINT64_MAX).value_or(req.seed);
  auto dossiers = facade::BuildReports(c.ws, req);
  return {200, "text/html; charset=utf-8", dossiers.front().html, true};
}

Reply OpenApi(Context&, const Request& r, const Caller&) {
  Query q(r);
  return {200, "application/json", OpenApiDocument(), true};
}

}  // namespace

invest::Viewer ViewerOf(const Caller& caller) {
  return caller.local ? invest::Viewer::Local() : invest::Viewer::Partner(caller.partner);
}

const std::vector<Endpoint>& Endpoints() {
  using K = Shape::Kind;
  const Shape job{
      K::Object,
      {"id", "state", "owner", "runs", "runs_done", "progress", "created", "finished", "result_url", "error"}};
  const Shape project{K::Object,
                      {"id", "name", "mineral", "stage", "country", "capacity_t", "capex_musd", "development_stage",
                       "status", "source", "capital_stack"}};
  static const std::vector<Endpoint> all = {
      {"GET",
       "/v1/health",
       Role::Viewer,
       "Liveness and the dataset served",
       {},
       "",
       200,
       {K::Object, {"status", "service", "api", "dataset"}},
       Health},
      {"GET",
       "/v1/openapi.json",
       Role::Viewer,
       "This API's OpenAPI 3 document",
       {},
       "",
       200,
       {K::Object, {"openapi", "info", "paths", "components"}},
       OpenApi},
      {"GET",
       "/v1/dataset",
       Role::Viewer,
       "The dataset: tables, minerals, years, sources",
       {},
       "",
       200,
       {K::Object, {"name", "version", "date", "minerals", "tables", "sources"}},
       DatasetInfo},
      {"GET",
       "/v1/countries",
       Role::Viewer,
       "The dataset's countries: ISO alpha-3 and numeric codes, names, regions (for maps)",
       {},
       "",
       200,
       {K::Object, {"countries", "source"}},
       Countries},
      {"GET",
       "/v1/supply",
       Role::Viewer,
       "Supply by stage and country of minerals, with sources",
       {"mineral", "year", "top"},
       "",
       200,
       {K::Array, {"mineral", "stage", "year", "unit", "countries", "method", "provenance"}},
       Supply},
      {"GET",
       "/v1/risk",
       Role::Viewer,
       "The risk table: every method per mineral and stage",
       {"mineral", "consumer", "partners", "as_of", "method"},
       "",
       200,
       {K::Object, {"consumer", "partners", "as_of", "rows", "method", "provenance"}},
       Risk},
      {"POST",
       "/v1/simulate",
       Role::Analyst,
       "Run one scenario (the body: a scenario file, docs/scenarios.md)",
       {"year", "sector_rule"},
       "a scenario in the scenario file format (JSON)",
       200,
       {K::Object, {"scenario", "rows", "notes", "sources", "method", "provenance"}},
       Simulate},
      {"GET",
       "/v1/simulate/default",
       Role::Viewer,
       "The default scenarios: China's October 2025 controls, as announced and widened",
       {"year", "sector_rule"},
       "",
       200,
       {K::Array, {"scenario", "rows", "notes", "sources", "method", "provenance"}},
       SimulateDefault},
      {"GET",
       "/v1/flows",
       Role::Viewer,
       "One mineral's flows by stage before and after the default scenario, for a Sankey chart",
       {"mineral", "year", "sector_rule"},
       "",
       200,
       {K::Object, {"mineral", "unit", "year", "scenario", "basis", "nodes", "before", "after", "sources", "notes"}},
       Flows},
      {"POST",
       "/v1/flows",
       Role::Analyst,
       "One mineral's flows by stage before and after a scenario (the body: a scenario file, docs/scenarios.md)",
       {"mineral", "year", "sector_rule"},
       "a scenario in the scenario file format (JSON)",
       200,
       {K::Object, {"mineral", "unit", "year", "scenario", "basis", "nodes", "before", "after", "sources", "notes"}},
       Flows},
      {"POST",
       "/v1/jobs/monte-carlo",
       Role::Analyst,
       "Start a Monte Carlo run of the risk register as a job",
       {"runs", "seed", "year", "sector_rule"},
       "",
       202,
       job,
       SubmitJob},
      {"GET", "/v1/jobs", Role::Viewer, "Jobs and their progress", {}, "", 200, {K::Object, {"jobs"}}, ListJobs},
      {"GET", "/v1/jobs/{id}", Role::Viewer, "One job's state and progress", {}, "", 200, job, JobStatusOf},
      {"DELETE", "/v1/jobs/{id}", Role::Analyst, "Cancel a job", {}, "", 200, job, CancelJob},
      {"GET",
       "/v1/jobs/{id}/result",
       Role::Viewer,
       "A finished job's result (409 until it is done)",
       {},
       "",
       200,
       {K::Object, {"register", "runs", "seed", "rows", "events", "method", "provenance"}},
       JobResult},
      {"GET",
       "/v1/outlook",
       Role::Viewer,
       "Demand against supply to 2050 for a mineral, with its band",
       {"mineral", "scenario", "consumer", "stage", "runs", "seed"},
       "",
       200,
       {K::Object, {"mineral", "scenario", "unit", "stage", "years", "sources", "method", "provenance"}},
       Outlook},
      {"GET",
       "/v1/projects",
       Role::Viewer,
       "Projects of the registry",
       {"mineral", "country", "stage"},
       "",
       200,
       {K::Array, project.keys},
       ListProjects},
      {"POST",
       "/v1/projects",
       Role::Analyst,
       "Add a project (audited)",
       {},
       "{\"project\": {field: text, ...} in the columns of projects.csv, \"reason\": text}",
       201,
       project,
       CreateProject},
      {"GET",
       "/v1/projects/{id}",
       Role::Viewer,
       "One project with its capital stack",
       {},
       "",
       200,
       project,
       ShowProject},
      {"PATCH",
       "/v1/projects/{id}",
       Role::Analyst,
       "Edit fields of a project (audited)",
       {},
       "{\"changes\": {field: text, ...}, \"reason\": text}",
       200,
       {K::Object, {"fields_changed", "project"}},
       EditProject},
      {"DELETE",
       "/v1/projects/{id}",
       Role::Admin,
       "Remove a project (audited)",
       {"reason"},
       "",
       200,
       {K::Object, {"removed"}},
       RemoveProject},
      {"GET",
       "/v1/projects/{id}/history",
       Role::Viewer,
       "A project's audit history",
       {},
       "",
       200,
       {K::Array, {"id", "at", "actor", "action", "project_id", "field", "old_value", "new_value", "reason"}},
       ProjectHistory},
      {"POST",
       "/v1/projects/{id}/evaluate",
       Role::Analyst,
       "Evaluate one project against the risk register",
       {},
       "{\"runs\", \"seed\", \"partners\", \"as_of\"} (all optional)",
       200,
       {K::Object, {"id", "evaluable", "added_supply", "partner_shortfall", "runs", "seed", "provenance"}},
       EvaluateProject},
      {"POST",
       "/v1/portfolio",
       Role::Analyst,
       "Choose and finance a portfolio under budgets and rules",
       {},
       "{\"budget_us\", \"budget_jp\" (M USD, required), \"later_budget_us\", \"later_budget_jp\", \"deadline\", "
       "\"min_private\", \"max_country_share\", \"esg_threshold\", \"allow_unknown_esg\", \"method\", \"runs\", "
       "\"seed\", \"partners\", \"as_of\"}",
       200,
       {K::Object, {"budgets", "method", "outcome", "chosen", "totals", "objective", "explanations", "provenance"}},
       Portfolio},
      {"GET",
       "/v1/reports/{mineral}",
       Role::Viewer,
       "The mineral's dossier as HTML",
       {"consumer", "seed"},
       "",
       200,
       {K::Html, {}},
       Report},
  };
  return all;
}

std::string ServerErrorBody(int status, std::string_view code, std::string_view message) {
  nlohmann::ordered_json j;
  j["error"] = {
      {"code", code}, {"status", status}, {"message", message}, {"diagnostics", nlohmann::ordered_json::array()}};
  return j.dump(2) + "\n";
}

}  // namespace lodestone::server
