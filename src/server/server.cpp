// The HTTP layer: cpp-httplib (the only file that includes it), authentication, roles, limits,
// CORS, the response cache and the mapping of library errors to HTTP statuses (docs/errors.md).
#include "lodestone/server/server.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <chrono>
#include <list>
#include <mutex>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "jobs.hpp"
#include "lodestone/app/json.hpp"
#include "lodestone/model/error.hpp"
#include "services.hpp"

namespace lodestone::server {
namespace {

bool IsLoopback(const std::string& host) { return host == "127.0.0.1" || host == "::1" || host == "localhost"; }

// Splits a request path against an OpenAPI pattern; the {parameters} go to `params`.
bool Match(const std::string& pattern, const std::string& path, std::vector<std::string>& params) {
  params.clear();
  std::size_t i = 0, j = 0;
  while (i < pattern.size() && j < path.size()) {
    if (pattern[i] == '{') {
      const auto close = pattern.find('}', i);
      const auto slash = path.find('/', j);
      const std::string value = path.substr(j, slash == std::string::npos ? std::string::npos : slash - j);
      if (value.empty()) return false;
      params.push_back(value);
      i = close + 1;
      j = slash == std::string::npos ? path.size() : slash;
    } else {
      if (pattern[i] != path[j]) return false;
      ++i;
      ++j;
    }
  }
  return i == pattern.size() && j == path.size();
}

struct Bucket {
  double tokens = 0;
  std::chrono::steady_clock::time_point at;
};

}  // namespace

struct Server::Impl {
  app::Workspace& ws;
  ServerOptions opt;
  KeyFile keys;
  JobQueue jobs;
  Context ctx;
  std::unique_ptr<httplib::Server> http;
  bool local = false;

  std::mutex rate_mutex;
  std::unordered_map<std::string, Bucket> buckets;

  // Least recently used responses of cacheable requests.
  std::mutex cache_mutex;
  std::list<std::pair<std::string, Reply>> lru;
  std::unordered_map<std::string, std::list<std::pair<std::string, Reply>>::iterator> cache;

  Impl(app::Workspace& w, ServerOptions o)
      : ws(w), opt(std::move(o)), keys(opt.keys), jobs(w, 16, 8), ctx{w, jobs, opt.max_body_bytes, {}} {}

  bool TakeToken(const std::string& who) {
    std::lock_guard lock(rate_mutex);
    const auto now = std::chrono::steady_clock::now();
    auto [it, fresh] = buckets.try_emplace(who, Bucket{opt.rate_burst, now});
    auto& b = it->second;
    if (!fresh) {
      const double dt = std::chrono::duration<double>(now - b.at).count();
      b.tokens = std::min(opt.rate_burst, b.tokens + dt * opt.rate_per_second);
      b.at = now;
    }
    if (buckets.size() > 100000) buckets.clear();  // bounded under a flood of distinct callers
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  std::optional<Reply> Cached(const std::string& key) {
    std::lock_guard lock(cache_mutex);
    auto it = cache.find(key);
    if (it == cache.end()) return std::nullopt;
    lru.splice(lru.begin(), lru, it->second);
    return it->second->second;
  }

  void Store(const std::string& key, const Reply& r) {
    if (opt.cache_entries == 0 || r.body.size() > (8u << 20)) return;
    std::lock_guard lock(cache_mutex);
    if (cache.count(key)) return;
    lru.emplace_front(key, r);
    cache[key] = lru.begin();
    while (lru.size() > opt.cache_entries) {
      cache.erase(lru.back().first);
      lru.pop_back();
    }
  }

  static void Send(httplib::Response& res, int status, const std::string& body, const std::string& type) {
    res.status = status;
    res.set_content(body, type.c_str());
  }

  static void SendError(httplib::Response& res, int status, std::string_view code, std::string_view message) {
    Send(res, status, ServerErrorBody(status, code, message), "application/json");
  }

  // The caller of a request, or nullopt after answering 401.
  std::optional<Caller> Authenticate(const httplib::Request& req, httplib::Response& res) {
    if (local) {
      Caller c;
      c.name = "local";
      c.role = Role::Admin;
      c.local = true;
      return c;
    }
    std::string token;
    const auto auth = req.get_header_value("Authorization");
    if (auth.rfind("Bearer ", 0) == 0) {
      token = auth.substr(7);
    } else if (req.has_header("X-API-Key")) {
      token = req.get_header_value("X-API-Key");
    }
    if (token.empty()) {
      res.set_header("WWW-Authenticate", "Bearer");
      SendError(res, 401, "unauthorized", "an API key is required: Authorization: Bearer <key>");
      return std::nullopt;
    }
    auto key = keys.Verify(token);
    if (!key) {
      res.set_header("WWW-Authenticate", "Bearer");
      SendError(res, 401, "unauthorized", "the API key is not valid (unknown, revoked or mistyped)");
      return std::nullopt;
    }
    Caller c;
    c.name = key->name;
    c.key_id = key->id;
    c.role = key->role;
    c.partner = key->partner;
    return c;
  }

  void Handle(const httplib::Request& req, httplib::Response& res) {
    const auto t0 = std::chrono::steady_clock::now();
    std::string who = "-";
    HandleInner(req, res, who);
    if (!opt.cors_origin.empty()) {
      res.set_header("Access-Control-Allow-Origin", opt.cors_origin);
      res.set_header("Vary", "Origin");
    }
    if (opt.log) {
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      opt.log(fmt::format("{} {} {} {:.1f} ms {}", req.method, req.path, res.status, ms, who));
    }
  }

  void HandleInner(const httplib::Request& req, httplib::Response& res, std::string& who) {
    // Route first: an unknown path is 404 and a known path with another method 405, whoever asks.
    const Endpoint* ep = nullptr;
    bool path_known = false;
    Request r;
    for (const auto& e : Endpoints()) {
      if (!Match(e.pattern, req.path, r.params)) continue;
      path_known = true;
      if (e.method == req.method) {
        ep = &e;
        break;
      }
    }
    if (!path_known) return SendError(res, 404, "not_found", fmt::format("no endpoint {}", req.path));
    if (!ep) return SendError(res, 405, "method_not_allowed", fmt::format("{} does not take {}", req.path, req.method));
    const bool open = ep->pattern == "/v1/health" || ep->pattern == "/v1/openapi.json";
    Caller caller;
    if (!open) {
      auto c = Authenticate(req, res);
      if (!c) return;
      caller = *c;
    }
    who = caller.name;
    if (!TakeToken(caller.key_id.empty() ? req.remote_addr : caller.key_id)) {
      res.set_header("Retry-After", "1");
      return SendError(res, 429, "rate_limited", "too many requests: slow down and retry after a second");
    }
    if (!Allows(caller.role, ep->role)) {
      return SendError(res, 403, "forbidden",
                       fmt::format("{} {} needs the role {} (this key is {})", ep->method, ep->pattern, Name(ep->role),
                                   Name(caller.role)));
    }
    r.method = req.method;
    r.path = req.path;
    // The query string only: httplib also puts a form-encoded body's fields in req.params.
    httplib::Params query;
    if (const auto q = req.target.find('?'); q != std::string::npos) {
      httplib::detail::parse_query_text(req.target.substr(q + 1), query);
    }
    for (const auto& [k, v] : query) {
      bool known = false;
      for (const auto& q : ep->query) known = known || q == k;
      if (!known) {
        std::string names;
        for (const auto& q : ep->query) names += (names.empty() ? "" : ", ") + q;
        return SendError(res, 400, "invalid_request",
                         fmt::format("query parameter '{}' is not known by {} {}; expected {}", k, ep->method,
                                     ep->pattern, names.empty() ? "none" : names));
      }
      if (r.query.count(k)) {
        return SendError(res, 400, "invalid_request", fmt::format("query parameter '{}' is given twice", k));
      }
      r.query[k] = v;
    }
    if (ep->body.empty() && !req.body.empty()) {
      return SendError(res, 400, "invalid_request", fmt::format("{} {} takes no body", ep->method, ep->pattern));
    }
    r.body = req.body;
    // Cache key: the request's meaning (endpoint, parameters in order, body) and whose
    // confidential terms the caller sees (a cached answer for one partner is never served to
    // another), never the key itself.
    std::string key = ep->method + ' ' + req.path;
    key += caller.local ? std::string("\nviewer:local") : "\nviewer:partner=" + caller.partner;
    for (const auto& [k, v] : r.query) key += '\n' + k + '=' + v;
    key += '\n' + r.body;
    if (auto hit = Cached(key)) {
      res.set_header("X-Cache", "hit");
      return Send(res, hit->status, hit->body, hit->content_type);
    }
    try {
      Reply reply = ep->run(ctx, r, caller);
      if (reply.cacheable) Store(key, reply);
      Send(res, reply.status, reply.body, reply.content_type);
    } catch (const Error& e) {
      Send(res, HttpStatus(e.kind()), app::ErrorJson(e).dump(2) + "\n", "application/json");
    } catch (const std::exception& e) {
      Send(res, 500, app::ErrorJson(Error::Internal(e.what())).dump(2) + "\n", "application/json");
    }
  }
};

Server::Server(app::Workspace& ws, ServerOptions options) {
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    throw Error::InvalidRequest("give both --tls-cert and --tls-key, or neither");
  }
  const bool tls = !options.tls_cert.empty();
  for (const auto& f : {options.tls_cert, options.tls_key}) {
    if (tls && !std::filesystem::is_regular_file(f)) throw Error::NotFound(fmt::format("{}: no such file", f.string()));
  }
  if (!tls && !IsLoopback(options.host) && !options.allow_insecure_remote) {
    throw Error::InvalidRequest(fmt::format(
        "refusing to listen on {} without TLS: give --tls-cert and --tls-key, or --allow-insecure-remote behind a "
        "TLS-terminating proxy",
        options.host));
  }
  if (options.max_body_bytes == 0 || options.threads < 1 || options.threads > 256 || !(options.rate_per_second > 0) ||
      !(options.rate_burst >= 1)) {
    throw Error::InvalidRequest("server limits: body size, threads (1-256) and rates must be positive");
  }
  impl_ = std::make_unique<Impl>(ws, std::move(options));
  auto& o = impl_->opt;
  impl_->local = impl_->keys.ActiveCount() == 0;
  if (impl_->local && !IsLoopback(o.host)) {
    throw Error::InvalidRequest(fmt::format(
        "no API key in {}: create one with `lodestone keys create` before listening beyond loopback", o.keys.string()));
  }
  if (tls) {
    impl_->http = std::make_unique<httplib::SSLServer>(o.tls_cert.c_str(), o.tls_key.c_str());
    if (!impl_->http->is_valid()) throw Error::InvalidRequest("the TLS certificate or key could not be loaded");
  } else {
    impl_->http = std::make_unique<httplib::Server>();
  }
  auto& h = *impl_->http;
  const int threads = o.threads;
  h.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
  // Without TCP_NODELAY a response written in two parts (headers, then body) waits for the
  // client's delayed ACK (about 40 ms on Linux) before its second part: every answer on a
  // keep-alive connection took 40-50 ms however little work it was.
  h.set_tcp_nodelay(true);
  h.set_payload_max_length(o.max_body_bytes);
  h.set_read_timeout(10, 0);
  h.set_write_timeout(30, 0);
  Impl* impl = impl_.get();
  auto handler = [impl](const httplib::Request& req, httplib::Response& res) { impl->Handle(req, res); };
  h.Get("/v1/.*", handler);
  h.Post("/v1/.*", handler);
  h.Patch("/v1/.*", handler);
  h.Delete("/v1/.*", handler);
  h.Put("/v1/.*", handler);
  h.Options("/v1/.*", [impl](const httplib::Request&, httplib::Response& res) {
    if (impl->opt.cors_origin.empty()) {
      res.status = 204;
      return;
    }
    res.set_header("Access-Control-Allow-Origin", impl->opt.cors_origin);
    res.set_header("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE");
    res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, X-API-Key");
    res.status = 204;
  });
  // httplib answers some requests itself (a body over the limit: 413; a bad request line: 400);
  // they get the same JSON error body as ours.
  h.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 413) {
      Impl::SendError(res, 413, "payload_too_large", "the request body is larger than the server's limit");
    } else if (res.status == 404) {
      Impl::SendError(res, 404, "not_found", "no such page");
    } else {
      Impl::SendError(res, res.status, "invalid_request", "the request could not be read");
    }
  });
  if (!o.web.empty() && std::filesystem::is_directory(o.web)) {
    h.set_mount_point("/", o.web.string());
  } else {
    const std::string where = o.web.empty() ? std::string("web/dist") : o.web.string();
    h.Get("/", [where](const httplib::Request&, httplib::Response& res) {
      res.set_content(
          "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Lodestone</title></head><body>"
          "<h1>Lodestone</h1><p>The dashboard's files are not built (looked for " +
              where +
              "). The API is here: <a href=\"/v1/openapi.json\">/v1/openapi.json</a>, "
              "<a href=\"/v1/health\">/v1/health</a>.</p></body></html>",
          "text/html; charset=utf-8");
    });
  }
}

Server::~Server() {
  if (impl_ && impl_->http) impl_->http->stop();
}

int Server::Bind() {
  auto& o = impl_->opt;
  int port = o.port;
  if (port == 0) {
    port = impl_->http->bind_to_any_port(o.host);
    if (port < 0) throw Error::Storage(fmt::format("cannot bind {}", o.host));
  } else if (!impl_->http->bind_to_port(o.host, port)) {
    throw Error::Storage(fmt::format("cannot bind {}:{} (in use, or not allowed)", o.host, port));
  }
  return port;
}

void Server::Run() { impl_->http->listen_after_bind(); }

void Server::Stop() { impl_->http->stop(); }

bool Server::local_mode() const { return impl_->local; }

}  // namespace lodestone::server
