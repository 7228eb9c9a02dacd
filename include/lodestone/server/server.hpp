// `lodestone serve`: the JSON API under /v1 (and the dashboard's files) over one Workspace. The
// server is a thin layer: it authenticates, limits and routes a request to its service
// (src/server/services.cpp), which calls one library façade. docs/server.md.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "lodestone/app/workspace.hpp"

namespace lodestone::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (Bind returns it)
  // TLS: both or neither. Without TLS the server listens on loopback only, unless
  // allow_insecure_remote (behind a TLS-terminating reverse proxy on the same host, say).
  std::filesystem::path tls_cert, tls_key;
  bool allow_insecure_remote = false;
  // API keys (lodestone keys create). With no active key the server is in local mode: loopback
  // only, every caller an admin named "local" (one person on their own machine, who could
  // use the CLI on the same files anyway).
  std::filesystem::path keys;
  // The dashboard's built files (web/dist); when missing, / says how to build them.
  std::filesystem::path web;
  std::size_t max_body_bytes = 1u << 20;
  // Per key (per address in local mode): a bucket of `rate_burst` requests refilled at
  // `rate_per_second`.
  double rate_per_second = 50, rate_burst = 100;
  std::string cors_origin;  // empty: no cross-origin access
  int threads = 8;          // connection threads
  std::size_t cache_entries = 256;
  // One line per request (method, path, status, milliseconds, caller name); never keys or bodies.
  std::function<void(std::string_view)> log;
};

class Server {
 public:
  // Checks the options (InvalidRequest: TLS files, a remote host without TLS, limits) and loads
  // the key file (InvalidData when it is not one).
  Server(app::Workspace& ws, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the socket; returns the port (Storage error when it cannot bind).
  int Bind();
  // Serves until Stop(); Bind() first.
  void Run();
  void Stop();
  // Whether the server answers without a key (no active key in the key file).
  bool local_mode() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lodestone::server
