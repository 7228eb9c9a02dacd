// The HTTP API end to end: a real server on a loopback port, a real client. Every endpoint is
// called and its answer checked against the shape the OpenAPI document promises; the same bytes
// as the library's façades (and so the CLI); bad input, auth, roles, limits and jobs.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "data/test_fixtures.hpp"
#include "lodestone/invest/project.hpp"
#include "lodestone/invest/registry.hpp"
#include "lodestone/server/keys.hpp"
#include "lodestone/server/server.hpp"
#include "lodestone/sim_facade/simulate.hpp"
#include "lodestone/store/sqlite_project_store.hpp"

namespace lodestone {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
const fs::path kRoot = LODESTONE_SOURCE_DIR;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// A server over the shipped data and a registry holding the shipped sample of projects.
class Api : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    auto store = store::SqliteProjectStore::Open(*dir_ / "registry.db");
    invest::Registry reg(*store, invest::ReferenceCodes::Load(kRoot / "data/reference"));
    reg.Import(invest::LoadProjectsCsvOrThrow(kRoot / "data/projects/projects.csv",
                                              kRoot / "data/projects/capital_stack.csv", reg.codes()),
               "test");
    auto paths = app::WorkspacePaths::UnderRoot(kRoot);
    paths.database = *dir_ / "registry.db";
    ws_ = new app::Workspace(paths);
  }
  static void TearDownTestSuite() {
    delete ws_;
    delete dir_;
  }

  // Starts a server with `opt` (port 0) on a thread; stops it with the fixture.
  httplib::Client& Start(server::ServerOptions opt = {}) {
    opt.port = 0;
    if (opt.keys.empty()) opt.keys = *dir_ / "no-keys.json";
    srv_ = std::make_unique<server::Server>(*ws_, opt);
    port_ = srv_->Bind();
    thread_ = std::thread([this] { srv_->Run(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(120, 0);
    return *client_;
  }
  void TearDown() override {
    if (srv_) srv_->Stop();
    if (thread_.joinable()) thread_.join();
  }

  static json Body(const httplib::Result& r) { return json::parse(r->body); }
  static std::string Code(const httplib::Result& r) { return Body(r)["error"]["code"].get<std::string>(); }

  static testing::TempDir* dir_;
  static app::Workspace* ws_;
  std::unique_ptr<server::Server> srv_;
  std::thread thread_;
  int port_ = 0;
  std::unique_ptr<httplib::Client> client_;
};
testing::TempDir* Api::dir_ = nullptr;
app::Workspace* Api::ws_ = nullptr;

void ExpectKeys(const json& j, const json& required, const std::string& where) {
  ASSERT_TRUE(j.is_object()) << where;
  for (const auto& k : required) EXPECT_TRUE(j.contains(k.get<std::string>())) << where << ": no key " << k;
}

TEST_F(Api, EveryEndpointAnswersAsItsOpenApiDocumentSays) {
  auto& c = Start();
  auto doc_r = c.Get("/v1/openapi.json");
  ASSERT_TRUE(doc_r);
  ASSERT_EQ(doc_r->status, 200);
  const auto doc = nlohmann::ordered_json::parse(doc_r->body);  // in the document's order
  EXPECT_EQ(doc["openapi"], "3.0.3");
  const std::string scenario = ReadAll(kRoot / "scenarios/cn-2025-10-ree-controls.json");
  // One real call per operation of the document (ids of a real project and a real job).
  auto job = c.Post("/v1/jobs/monte-carlo?runs=500&seed=7", "", "application/json");
  ASSERT_TRUE(job);
  ASSERT_EQ(job->status, 202) << job->body;
  const std::string job_id = Body(job)["id"];
  for (int i = 0; i < 600; ++i) {
    if (Body(c.Get("/v1/jobs/" + job_id))["state"] == "done") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::map<std::string, std::function<httplib::Result()>> calls = {
      {"GET /v1/health", [&] { return c.Get("/v1/health"); }},
      {"GET /v1/openapi.json", [&] { return c.Get("/v1/openapi.json"); }},
      {"GET /v1/dataset", [&] { return c.Get("/v1/dataset"); }},
      {"GET /v1/countries", [&] { return c.Get("/v1/countries"); }},
      {"GET /v1/supply", [&] { return c.Get("/v1/supply?mineral=cobalt,lithium&top=3"); }},
      {"GET /v1/risk", [&] { return c.Get("/v1/risk?mineral=gallium"); }},
      {"POST /v1/simulate", [&] { return c.Post("/v1/simulate", scenario, "application/json"); }},
      {"GET /v1/simulate/default", [&] { return c.Get("/v1/simulate/default"); }},
      {"GET /v1/flows", [&] { return c.Get("/v1/flows?mineral=rare_earths"); }},
      {"POST /v1/flows", [&] { return c.Post("/v1/flows?mineral=rare_earths", scenario, "application/json"); }},
      {"POST /v1/jobs/monte-carlo", [&] { return c.Post("/v1/jobs/monte-carlo?runs=100", "", "application/json"); }},
      {"GET /v1/jobs", [&] { return c.Get("/v1/jobs"); }},
      {"GET /v1/jobs/{id}", [&] { return c.Get("/v1/jobs/" + job_id); }},
      {"GET /v1/jobs/{id}/result", [&] { return c.Get("/v1/jobs/" + job_id + "/result"); }},
      {"DELETE /v1/jobs/{id}", [&] { return c.Delete("/v1/jobs/" + job_id); }},
      {"GET /v1/outlook", [&] { return c.Get("/v1/outlook?mineral=lithium&runs=50"); }},
      {"GET /v1/projects", [&] { return c.Get("/v1/projects?mineral=gallium"); }},
      {"POST /v1/projects",
       [&] {
         return c.Post("/v1/projects",
                       R"({"project": {"id": "test_new_mine", "name": "A test mine", "mineral": "lithium",
                           "stage": "mining", "country": "AUS", "capacity_t": "1000", "source": "usgs_mcs2026"},
                           "reason": "endpoint test"})",
                       "application/json");
       }},
      {"GET /v1/projects/{id}", [&] { return c.Get("/v1/projects/alcoa_wagerup_gallium"); }},
      {"PATCH /v1/projects/{id}",
       [&] {
         return c.Patch("/v1/projects/test_new_mine", R"({"changes": {"capacity_t": "1200"}, "reason": "revised"})",
                        "application/json");
       }},
      {"GET /v1/projects/{id}/history", [&] { return c.Get("/v1/projects/alcoa_wagerup_gallium/history"); }},
      {"DELETE /v1/projects/{id}", [&] { return c.Delete("/v1/projects/test_new_mine?reason=done"); }},
      {"POST /v1/projects/{id}/evaluate",
       [&] { return c.Post("/v1/projects/alcoa_wagerup_gallium/evaluate", R"({"runs": 200})", "application/json"); }},
      {"POST /v1/portfolio",
       [&] {
         return c.Post("/v1/portfolio", R"({"budget_us": 500, "budget_jp": 300, "runs": 200})", "application/json");
       }},
      {"GET /v1/reports/{mineral}", [&] { return c.Get("/v1/reports/gallium"); }},
  };
  std::size_t checked = 0;
  // In the document's order, so that the project is created before it is edited and removed.
  for (const auto& [path, ops] : doc["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      std::string m = method;
      for (auto& ch : m) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      const std::string name = m + " " + path;
      auto it = calls.find(name);
      ASSERT_NE(it, calls.end()) << "no test call for " << name;
      auto r = it->second();
      ASSERT_TRUE(r) << name;
      const auto& responses = op["responses"];
      const std::string status = std::to_string(r->status);
      ASSERT_TRUE(responses.contains(status)) << name << " answered " << r->status << ": " << r->body;
      const auto& content = responses[status]["content"];
      if (content.contains("text/html")) {
        EXPECT_NE(r->get_header_value("Content-Type").find("text/html"), std::string::npos) << name;
        EXPECT_NE(r->body.find("<html"), std::string::npos) << name;
      } else {
        const auto& schema = content["application/json"]["schema"];
        const json body = Body(r);
        if (schema["type"] == "array") {
          ASSERT_TRUE(body.is_array()) << name;
          ASSERT_FALSE(body.empty()) << name;
          for (const auto& item : body) ExpectKeys(item, schema["items"]["required"], name);
        } else {
          ExpectKeys(body, schema["required"], name);
        }
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, calls.size());
}

TEST_F(Api, ResultsAreTheFacadesBytes) {
  auto& c = Start();
  // One scenario: the same bytes as the library (which the CLI prints).
  const auto file = kRoot / "scenarios/cn-2025-10-widened-ga-ge-graphite.json";
  auto r = c.Post("/v1/simulate", ReadAll(file), "application/json");
  ASSERT_TRUE(r);
  facade::SimulateRequest req;
  req.scenario_files = {file};
  EXPECT_EQ(r->body, facade::ToJson(facade::Simulate(*ws_, req)).dump(2) + "\n");
  // Flows: the default scenario (GET) and a body (POST), the façade's bytes.
  facade::FlowsRequest freq;
  freq.mineral = "gallium";
  EXPECT_EQ(c.Get("/v1/flows?mineral=gallium")->body, sim::ToJson(facade::SimulateFlows(*ws_, freq)).dump(2) + "\n");
  freq.scenario_file = file;
  EXPECT_EQ(c.Post("/v1/flows?mineral=gallium", ReadAll(file), "application/json")->body,
            sim::ToJson(facade::SimulateFlows(*ws_, freq)).dump(2) + "\n");
  // A Monte Carlo job, run in chunks: the same bytes as the one-shot run.
  auto job = c.Post("/v1/jobs/monte-carlo?runs=3000&seed=11", "", "application/json");
  ASSERT_EQ(job->status, 202);
  const std::string id = Body(job)["id"];
  json status;
  for (int i = 0; i < 1200; ++i) {
    status = Body(c.Get("/v1/jobs/" + id));
    if (status["state"] == "done") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(status["state"], "done") << status.dump();
  EXPECT_EQ(status["runs_done"], 3000);
  facade::SimulateRequest mc;
  mc.monte_carlo = true;
  mc.runs = 3000;
  mc.seed = 11;
  EXPECT_EQ(c.Get("/v1/jobs/" + id + "/result")->body, facade::ToJson(facade::Simulate(*ws_, mc)).dump(2) + "\n");
  // A second identical GET is served from the cache, with the same bytes.
  auto a = c.Get("/v1/risk?mineral=cobalt");
  auto b = c.Get("/v1/risk?mineral=cobalt");
  EXPECT_EQ(a->body, b->body);
  EXPECT_EQ(b->get_header_value("X-Cache"), "hit");
}

// The dashboard's world map joins world-atlas features (ISO numeric ids) on this table.
TEST_F(Api, CountriesCarryIsoNumericCodesForMaps) {
  auto& c = Start();
  auto r = c.Get("/v1/countries");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  const auto j = Body(r);
  EXPECT_EQ(j["countries"].size(), ws_->dataset()->countries.size());
  std::map<std::string, json> by_iso3;
  for (const auto& x : j["countries"]) by_iso3[x["iso3"].get<std::string>()] = x;
  EXPECT_EQ(by_iso3.at("FJI")["iso_num"], 242);
  EXPECT_EQ(by_iso3.at("COD")["iso_num"], 180);
  EXPECT_EQ(by_iso3.at("CHN")["name"], "China");
  EXPECT_EQ(by_iso3.at("CHN")["kind"], "country");
  EXPECT_TRUE(by_iso3.at("WLD")["iso_num"].is_null());
  EXPECT_EQ(by_iso3.at("WLD")["kind"], "aggregate");
}

TEST_F(Api, BadRequestsGetTheLibrarysErrorBody) {
  server::ServerOptions opt;
  opt.max_body_bytes = 4096;
  auto& c = Start(opt);
  // Malformed JSON in a scenario: 422 with the place in the body.
  auto r = c.Post("/v1/simulate", "{\"format\": \"lodestone-scenario/1\",\n  \"id\": ", "application/json");
  EXPECT_EQ(r->status, 422);
  EXPECT_EQ(Code(r), "invalid_data");
  EXPECT_EQ(Body(r)["error"]["diagnostics"][0]["file"], "request body");
  // The same for flows; no body, no mineral or an unknown one are the request's errors.
  r = c.Post("/v1/flows?mineral=rare_earths", "{\"format\": \"lodestone-scenario/1\",\n  \"id\": ", "application/json");
  EXPECT_EQ(r->status, 422);
  EXPECT_EQ(Code(r), "invalid_data");
  EXPECT_EQ(Body(r)["error"]["diagnostics"][0]["file"], "request body");
  r = c.Post("/v1/flows?mineral=rare_earths", "", "application/json");
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(Code(r), "invalid_request");
  r = c.Get("/v1/flows");
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(Body(r)["error"]["message"].get<std::string>().find("mineral"), std::string::npos);
  r = c.Get("/v1/flows?mineral=unobtainium");
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(Code(r), "not_found");
  EXPECT_NE(Body(r)["error"]["message"].get<std::string>().find("rare_earths"), std::string::npos);
  // Wrong types.
  r = c.Post("/v1/portfolio", R"({"budget_us": "a lot", "budget_jp": 1})", "application/json");
  EXPECT_EQ(r->status, 422);
  EXPECT_NE(Body(r)["error"]["message"].get<std::string>().find("budget_us"), std::string::npos);
  r = c.Post("/v1/portfolio", R"({"budget_us": 1, "budget_jp": 1, "budgets": 3})", "application/json");
  EXPECT_EQ(r->status, 422);
  EXPECT_NE(Body(r)["error"]["message"].get<std::string>().find("'budgets' is not known"), std::string::npos);
  // A number beyond a double is invalid data, not a crash (found by fuzz_http_body).
  r = c.Post("/v1/portfolio", R"({"budget_us": 1E2025, "budget_jp": 1})", "application/json");
  EXPECT_EQ(r->status, 422);
  EXPECT_EQ(Code(r), "invalid_data");
  // A body over the limit: 413 in the same shape.
  r = c.Post("/v1/simulate", std::string(5000, ' '), "application/json");
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(Code(r), "payload_too_large");
  // Nesting beyond the limit is refused before parsing.
  r = c.Post("/v1/portfolio", std::string(100, '[') + std::string(100, ']'), "application/json");
  EXPECT_EQ(r->status, 422);
  EXPECT_NE(r->body.find("nested more than"), std::string::npos);
  // Unknown things.
  EXPECT_EQ(c.Get("/v1/projects/no_such_project")->status, 404);
  EXPECT_EQ(c.Get("/v1/jobs/mc-999")->status, 404);
  EXPECT_EQ(c.Get("/v1/nothing")->status, 404);
  EXPECT_EQ(c.Get("/v1/supply?mineral=unobtainium")->status, 400);
  r = c.Get("/v1/supply?mineral=cobalt&tops=3");
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(Body(r)["error"]["message"].get<std::string>().find("'tops'"), std::string::npos);
  EXPECT_EQ(c.Get("/v1/supply?mineral=cobalt&top=-1")->status, 400);
  EXPECT_EQ(c.Put("/v1/projects", "{}", "application/json")->status, 405);
  EXPECT_EQ(Code(c.Get("/v1/jobs/mc-1/result")), "not_found");
  // A duplicate project is a conflict.
  r = c.Post("/v1/projects", R"({"project": {"id": "alcoa_wagerup_gallium", "name": "x", "mineral": "gallium",
              "stage": "refining", "country": "AUS", "source": "usgs_mcs2026"}})",
             "application/json");
  EXPECT_EQ(r->status, 409) << r->body;
}

TEST_F(Api, KeysRolesAndTheAuditLog) {
  const auto keys_path = *dir_ / "keys.json";
  server::KeyFile kf(keys_path);
  const auto viewer = kf.Create("jp-viewer", server::Role::Viewer, "JPN", "2026-12-06T00:00:00Z");
  const auto analyst = kf.Create("us-analyst", server::Role::Analyst, "USA", "2026-12-06T00:00:00Z");
  const auto revoked = kf.Create("gone", server::Role::Admin, "USA", "2026-12-06T00:00:00Z");
  kf.Revoke(revoked.key.id, "2026-12-06T00:00:01Z");
  // Only hashes are stored, in a file nobody else may read.
  const std::string stored = ReadAll(keys_path);
  EXPECT_EQ(stored.find(analyst.token.substr(13)), std::string::npos);
  struct stat st {};
  ASSERT_EQ(::stat(keys_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);

  server::ServerOptions opt;
  opt.keys = keys_path;
  auto& c = Start(opt);
  EXPECT_FALSE(srv_->local_mode());
  EXPECT_EQ(c.Get("/v1/health")->status, 200);  // open
  auto r = c.Get("/v1/supply?mineral=cobalt");
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(Code(r), "unauthorized");
  auto as = [&](const server::NewKey& k) { return httplib::Headers{{"Authorization", "Bearer " + k.token}}; };
  EXPECT_EQ(c.Get("/v1/supply?mineral=cobalt", as(viewer))->status, 200);
  EXPECT_EQ(c.Get("/v1/supply?mineral=cobalt", as(revoked))->status, 401);
  std::string wrong = viewer.token;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(c.Get("/v1/supply?mineral=cobalt", httplib::Headers{{"Authorization", "Bearer " + wrong}})->status, 401);
  // A viewer may not run models or write.
  r = c.Post("/v1/projects/alcoa_wagerup_gallium/evaluate", as(viewer), "{}", "application/json");
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(Code(r), "forbidden");
  // An analyst may edit; the audit log names the key's holder; removing needs an admin.
  r = c.Patch("/v1/projects/alcoa_wagerup_gallium", as(analyst), R"({"changes": {"capacity_t": "101"}})",
              "application/json");
  ASSERT_EQ(r->status, 200) << r->body;
  auto history = Body(c.Get("/v1/projects/alcoa_wagerup_gallium/history", as(viewer)));
  EXPECT_EQ(history.back()["actor"], "us-analyst");
  EXPECT_EQ(history.back()["new_value"], "101");
  EXPECT_EQ(c.Delete("/v1/projects/alcoa_wagerup_gallium", as(analyst))->status, 403);
  c.Patch("/v1/projects/alcoa_wagerup_gallium", as(analyst), R"({"changes": {"capacity_t": "100"}})",
          "application/json");
  // A key revoked while the server runs stops working at once.
  server::KeyFile(keys_path).Revoke(viewer.key.id, "2026-12-06T00:00:02Z");
  EXPECT_EQ(c.Get("/v1/supply?mineral=cobalt", as(viewer))->status, 401);
}

// Partner isolation: a project with US-confidential terms; every operation of the OpenAPI
// document is called with a Japanese key and no answer (success or error, history included)
// holds any confidential value; the US key sees them; the Japanese key cannot write them.
TEST_F(Api, AKeyOfOnePartnerNeverSeesAnothersConfidentialTerms) {
  const auto keys_path = *dir_ / "partner-keys.json";
  server::KeyFile kf(keys_path);
  const auto us = kf.Create("us-analyst", server::Role::Admin, "USA", "2026-12-06T00:00:00Z");
  const auto jp = kf.Create("jp-admin", server::Role::Admin, "JPN", "2026-12-06T00:00:00Z");
  const auto nobody = kf.Create("ops-admin", server::Role::Admin, "", "2026-12-06T00:00:00Z");
  server::ServerOptions opt;
  opt.keys = keys_path;
  opt.rate_burst = 1000;
  auto& c = Start(opt);
  auto as = [&](const server::NewKey& k) { return httplib::Headers{{"Authorization", "Bearer " + k.token}}; };
  const json project = json::parse(c.Get("/v1/projects/alcoa_wagerup_gallium", as(us))->body);
  ASSERT_TRUE(project["confidential"]["owner"].is_null());

  // The US key writes its terms through the API (audited with the key's name).
  const std::vector<std::string> secrets = {"987.654321", "3.14159", "23.456", "USA:0.37;JPN:0.21",
                                            "side letter Zephyr-7Q"};
  auto r = c.Patch("/v1/projects/alcoa_wagerup_gallium", as(us),
                   R"({"changes": {"confidential_owner": "USA", "financing_committed_musd": "987.654321",
                       "financing_instrument": "guarantee", "financing_rate_pct": "3.14159",
                       "financing_tenor_years": "23.456", "offtake": "USA:0.37;JPN:0.21",
                       "partner_notes": "side letter Zephyr-7Q"}, "reason": "terms agreed"})",
                   "application/json");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Body(r)["fields_changed"], 7);
  for (const auto& s : secrets) EXPECT_NE(r->body.find(s), std::string::npos) << s;
  // A second edit, so that the history holds old and new confidential values.
  r = c.Patch("/v1/projects/alcoa_wagerup_gallium", as(us), R"({"changes": {"partner_notes": "Zephyr-7Q signed"}})",
              "application/json");
  ASSERT_EQ(r->status, 200) << r->body;
  const std::vector<std::string> all_secrets = [&] {
    auto v = secrets;
    v.push_back("Zephyr");
    return v;
  }();
  auto history = Body(c.Get("/v1/projects/alcoa_wagerup_gallium/history", as(us)));
  EXPECT_EQ(history.back()["actor"], "us-analyst");
  EXPECT_EQ(history.back()["old_value"], "side letter Zephyr-7Q");
  EXPECT_EQ(history.back()["new_value"], "Zephyr-7Q signed");

  // The Japanese key writes nothing confidential of a US project, and is not told the values.
  for (const std::string& body : {std::string(R"({"changes": {"partner_notes": "jp attempt Kestrel-9"}})"),
                                  std::string(R"({"changes": {"financing_rate_pct": "not a rate Kestrel-9"}})"),
                                  std::string(R"({"changes": {"confidential_owner": "JPN"}})"),
                                  std::string(R"({"changes": {"confidential_owner": ""}})")}) {
    r = c.Patch("/v1/projects/alcoa_wagerup_gallium", as(jp), body, "application/json");
    EXPECT_EQ(r->status, 403) << body << ": " << r->body;
    EXPECT_EQ(r->body.find("Kestrel"), std::string::npos) << r->body;
    for (const auto& s : all_secrets) EXPECT_EQ(r->body.find(s), std::string::npos) << s;
  }
  // Nor a key without a partner, nor a new project owned by another partner.
  r = c.Patch("/v1/projects/alcoa_wagerup_gallium", as(nobody), R"({"changes": {"offtake": "JPN:0.1"}})",
              "application/json");
  EXPECT_EQ(r->status, 403) << r->body;
  r = c.Post("/v1/projects", as(jp),
             R"({"project": {"id": "jp_fake_us", "name": "x", "mineral": "lithium", "stage": "mining",
                 "country": "AUS", "confidential_owner": "USA", "offtake": "USA:0.5"}})",
             "application/json");
  EXPECT_EQ(r->status, 403) << r->body;
  EXPECT_EQ(r->body.find("USA:0.5"), std::string::npos);

  // Every operation of the document, called by the Japanese key.
  const std::string scenario = ReadAll(kRoot / "scenarios/cn-2025-10-ree-controls.json");
  auto job = c.Post("/v1/jobs/monte-carlo?runs=300&seed=7", as(jp), "", "application/json");
  ASSERT_EQ(job->status, 202) << job->body;
  const std::string job_id = Body(job)["id"];
  for (int i = 0; i < 600; ++i) {
    if (Body(c.Get("/v1/jobs/" + job_id, as(jp)))["state"] == "done") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const std::string id = "alcoa_wagerup_gallium";
  const httplib::Headers h = as(jp);
  const std::map<std::string, std::vector<std::function<httplib::Result()>>> jp_calls = {
      {"GET /v1/health", {[&] { return c.Get("/v1/health", h); }}},
      {"GET /v1/openapi.json", {[&] { return c.Get("/v1/openapi.json", h); }}},
      {"GET /v1/dataset", {[&] { return c.Get("/v1/dataset", h); }}},
      {"GET /v1/supply", {[&] { return c.Get("/v1/supply?mineral=gallium", h); }}},
      {"GET /v1/risk", {[&] { return c.Get("/v1/risk?mineral=gallium", h); }}},
      {"POST /v1/simulate", {[&] { return c.Post("/v1/simulate", h, scenario, "application/json"); }}},
      {"GET /v1/simulate/default", {[&] { return c.Get("/v1/simulate/default", h); }}},
      {"POST /v1/jobs/monte-carlo",
       {[&] { return c.Post("/v1/jobs/monte-carlo?runs=50", h, "", "application/json"); }}},
      {"GET /v1/jobs", {[&] { return c.Get("/v1/jobs", h); }}},
      {"GET /v1/jobs/{id}", {[&] { return c.Get("/v1/jobs/" + job_id, h); }}},
      {"GET /v1/jobs/{id}/result", {[&] { return c.Get("/v1/jobs/" + job_id + "/result", h); }}},
      {"DELETE /v1/jobs/{id}", {[&] { return c.Delete("/v1/jobs/no_such_job", h); }}},
      {"GET /v1/outlook", {[&] { return c.Get("/v1/outlook?mineral=gallium&runs=50", h); }}},
      {"GET /v1/projects",
       {[&] { return c.Get("/v1/projects", h); }, [&] { return c.Get("/v1/projects?mineral=gallium", h); }}},
      {"POST /v1/projects", {[&] {
         return c.Post("/v1/projects", h, R"({"project": {"id": ")" + id + R"(", "name": "again"}})",
                       "application/json");
       }}},
      {"GET /v1/projects/{id}", {[&] { return c.Get("/v1/projects/" + id, h); }}},
      {"PATCH /v1/projects/{id}",
       {[&] { return c.Patch("/v1/projects/" + id, h, R"({"changes": {"capacity_t": "102"}})", "application/json"); },
        [&] { return c.Patch("/v1/projects/" + id, h, R"({"changes": {"capacity_t": "-5"}})", "application/json"); }}},
      {"GET /v1/projects/{id}/history", {[&] { return c.Get("/v1/projects/" + id + "/history", h); }}},
      {"DELETE /v1/projects/{id}", {[&] { return c.Delete("/v1/projects/no_such_project", h); }}},
      {"POST /v1/projects/{id}/evaluate",
       {[&] { return c.Post("/v1/projects/" + id + "/evaluate", h, R"({"runs": 100})", "application/json"); }}},
      {"POST /v1/portfolio", {[&] {
         return c.Post("/v1/portfolio", h, R"({"budget_us": 500, "budget_jp": 300, "runs": 100})", "application/json");
       }}},
      {"GET /v1/reports/{mineral}", {[&] { return c.Get("/v1/reports/gallium", h); }}},
      {"GET /v1/countries", {[&] { return c.Get("/v1/countries", h); }}},
      {"GET /v1/flows", {[&] { return c.Get("/v1/flows?mineral=gallium", h); }}},
      {"POST /v1/flows", {[&] { return c.Post("/v1/flows?mineral=rare_earths", h, scenario, "application/json"); }}},
  };
  const auto doc = json::parse(c.Get("/v1/openapi.json")->body);
  std::size_t operations = 0;
  for (const auto& [path, ops] : doc["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      std::string m = method;
      for (auto& ch : m) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      const std::string name = m + " " + path;
      auto it = jp_calls.find(name);
      ASSERT_NE(it, jp_calls.end()) << "no partner test call for " << name;
      for (auto& call : it->second) {
        auto res = call();
        ASSERT_TRUE(res) << name;
        EXPECT_LT(res->status, 500) << name << ": " << res->body;
        EXPECT_NE(res->status, 401) << name;  // the key is used, so the answer is a real one
        if (res->status == 403) EXPECT_EQ(Code(res), "forbidden") << name;
        for (const auto& s : all_secrets) EXPECT_EQ(res->body.find(s), std::string::npos) << name << " shows " << s;
      }
      ++operations;
    }
  }
  EXPECT_EQ(operations, jp_calls.size());

  // What the Japanese key is shown instead: the owner, and that the terms are withheld.
  auto shown = Body(c.Get("/v1/projects/" + id, as(jp)));
  EXPECT_EQ(shown["confidential"]["owner"], "USA");
  EXPECT_EQ(shown["confidential"]["withheld"], true);
  EXPECT_TRUE(shown["confidential"]["financing"]["instrument"].is_null());
  history = Body(c.Get("/v1/projects/" + id + "/history", as(jp)));
  std::size_t redacted = 0;
  for (const auto& e : history) redacted += e["field"] == "partner_notes" && e["new_value"] == "confidential";
  EXPECT_EQ(redacted, 2u);
  // A key without a partner sees no partner's terms either.
  auto none = c.Get("/v1/projects/" + id, as(nobody));
  for (const auto& s : all_secrets) EXPECT_EQ(none->body.find(s), std::string::npos) << s;
  // The US key still sees its own terms, in the project, the list and the history, after the
  // Japanese key's edit of a public field.
  for (const auto& path :
       {"/v1/projects/" + id, std::string("/v1/projects?mineral=gallium"), "/v1/projects/" + id + "/history"}) {
    auto mine = c.Get(path, as(us));
    ASSERT_EQ(mine->status, 200) << path;
    for (const auto& s : secrets) {
      if (s == "side letter Zephyr-7Q" && path.find("history") == std::string::npos) continue;  // replaced since
      EXPECT_NE(mine->body.find(s), std::string::npos) << path << " hides " << s;
    }
  }
  EXPECT_EQ(Body(c.Get("/v1/projects/" + id, as(us)))["capacity_t"], 102);
  // A cached answer is never served to another partner.
  EXPECT_NE(c.Get("/v1/dataset", as(us))->get_header_value("X-Cache"), "hit");
  EXPECT_EQ(c.Get("/v1/dataset", as(us))->get_header_value("X-Cache"), "hit");
  EXPECT_NE(c.Get("/v1/dataset", as(nobody))->get_header_value("X-Cache"), "hit");
}

TEST_F(Api, RateLimitPerCaller) {
  server::ServerOptions opt;
  opt.rate_per_second = 0.001;
  opt.rate_burst = 5;
  auto& c = Start(opt);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(c.Get("/v1/dataset")->status, 200) << i;
  auto r = c.Get("/v1/dataset");
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(Code(r), "rate_limited");
  EXPECT_EQ(r->get_header_value("Retry-After"), "1");
}

TEST_F(Api, AJobCanBeCancelled) {
  auto& c = Start();
  auto r = c.Post("/v1/jobs/monte-carlo?runs=50000000", "", "application/json");
  ASSERT_EQ(r->status, 202) << r->body;
  const std::string id = Body(r)["id"];
  EXPECT_EQ(c.Delete("/v1/jobs/" + id)->status, 200);
  json s;
  for (int i = 0; i < 600; ++i) {
    s = Body(c.Get("/v1/jobs/" + id));
    if (s["state"] == "cancelled") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(s["state"], "cancelled");
  EXPECT_LT(s["runs_done"].get<std::uint64_t>(), 50000000u);
  EXPECT_EQ(c.Get("/v1/jobs/" + id + "/result")->status, 409);
  // Bad job requests are refused at once, not queued.
  EXPECT_EQ(c.Post("/v1/jobs/monte-carlo?runs=0", "", "application/json")->status, 400);
  EXPECT_EQ(c.Post("/v1/jobs/monte-carlo?sector_rule=whoever", "", "application/json")->status, 400);
}

TEST(ServerOptions, RefusesToListenBeyondLoopbackWithoutTlsOrKeys) {
  testing::TempDir dir;
  app::Workspace ws(app::WorkspacePaths::UnderRoot(kRoot));
  server::ServerOptions opt;
  opt.keys = dir / "keys.json";
  opt.host = "0.0.0.0";
  try {
    server::Server s(ws, opt);
    ADD_FAILURE() << "expected a refusal";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidRequest);
    EXPECT_NE(std::string(e.what()).find("without TLS"), std::string::npos) << e.what();
  }
  // With the explicit flag, still no: there is no key, so anyone could write.
  opt.allow_insecure_remote = true;
  try {
    server::Server s(ws, opt);
    ADD_FAILURE() << "expected a refusal";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no API key"), std::string::npos) << e.what();
  }
  opt.tls_cert = dir / "missing.pem";
  EXPECT_THROW(server::Server(ws, opt), Error);  // a key without a certificate
}

TEST(ApiKeys, TokensAreVerifiedOnlyWhole) {
  testing::TempDir dir;
  server::KeyFile kf(dir / "k.json");
  auto k = kf.Create("a", server::Role::Admin, "", "t");
  EXPECT_EQ(k.token.size(), 56u);
  ASSERT_TRUE(kf.Verify(k.token));
  EXPECT_EQ(kf.Verify(k.token)->name, "a");
  EXPECT_FALSE(kf.Verify(""));
  EXPECT_FALSE(kf.Verify(k.token.substr(0, 55)));
  EXPECT_FALSE(kf.Verify(k.token + "x"));
  EXPECT_THROW(kf.Create("", server::Role::Viewer, "", "t"), Error);
  EXPECT_THROW(kf.Create("bad\x1bname", server::Role::Viewer, "", "t"), Error);
  EXPECT_THROW(kf.Revoke("00000000", "t"), Error);
  testing::WriteFile(dir / "bad.json", "{\"keys\": 3}");
  EXPECT_THROW(server::KeyFile(dir / "bad.json"), Error);
}

}  // namespace
}  // namespace lodestone
