// The server's endpoints, one service each: a service parses its request (query and body), calls
// one library façade and serialises the result with the library's serialisers. No method here,
// and nothing about HTTP connections (that is server.cpp).
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "jobs.hpp"
#include "lodestone/app/workspace.hpp"
#include "lodestone/invest/project.hpp"
#include "lodestone/server/keys.hpp"

namespace lodestone::server {

struct Caller {
  std::string name = "anonymous";  // the key's name (audit log), or "anonymous" in open mode
  std::string key_id;
  Role role = Role::Viewer;
  std::string partner;
  bool local = false;  // open mode on loopback with no keys: the local user, who sees everything
};

// Whose confidential project terms the caller may see: the local user all, a key its partner's.
invest::Viewer ViewerOf(const Caller& caller);

struct Request {
  std::string method;
  std::string path;
  std::map<std::string, std::string> query;
  std::vector<std::string> params;  // the path's {parameters}, in order
  std::string body;
};

struct Reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  bool cacheable = false;  // the same request gives the same bytes until the server restarts
};

struct Context {
  app::Workspace& ws;
  JobQueue& jobs;
  std::size_t max_body_bytes;
  // Serialises writes to the project registry from this process (the store has its own locks).
  std::mutex registry_mutex;
};

// What an endpoint answers with on success, as its OpenAPI document promises (and the tests check
// against real responses): JSON, an object or an array of objects with at least these keys, or
// HTML.
struct Shape {
  enum Kind { Object, Array, Html } kind = Object;
  std::vector<std::string> keys;
};

struct Endpoint {
  std::string method;
  std::string pattern;  // OpenAPI form: /v1/projects/{id}
  Role role;            // the least role allowed
  std::string summary;
  std::vector<std::string> query;  // the query parameters it takes (any other is refused)
  std::string body;                // what the body is, empty when it takes none
  int status;                      // success status
  Shape returns;
  std::function<Reply(Context&, const Request&, const Caller&)> run;
};

// Every endpoint of /v1, in the order the OpenAPI document lists them.
const std::vector<Endpoint>& Endpoints();

// The OpenAPI 3 document of Endpoints() (paths, parameters, error body).
std::string OpenApiDocument();

// A JSON error body in the library's shape ({"error": {"code", "status", "message", ...}}) for
// the server's own refusals (unauthorized, forbidden, rate_limited, payload_too_large,
// not_found for an unknown path, method_not_allowed).
std::string ServerErrorBody(int status, std::string_view code, std::string_view message);

}  // namespace lodestone::server
