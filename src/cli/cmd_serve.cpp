// `lodestone serve` (the HTTP API and the dashboard) and `lodestone keys` (its API keys): options
// become ServerOptions or one KeyFile call; the server itself is the library's (server/).
#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <ctime>
#include <iostream>
#include <thread>

#include "commands.hpp"
#include "lodestone/server/keys.hpp"
#include "lodestone/server/server.hpp"
#include "lodestone/store/registry_store.hpp"

namespace lodestone::cli {
namespace {

server::Server* g_server = nullptr;

void OnSignal(int) {
  if (g_server) g_server->Stop();
}

std::string NowUtc() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The key file: --keys, else lodestone-keys.json beside the SQLite database (in the current
// directory for a PostgreSQL registry).
std::string KeysPath(const std::string& given, const app::WorkspacePaths& paths) {
  if (!given.empty()) return given;
  if (store::IsPostgresUrl(paths.database.string())) return "lodestone-keys.json";
  const auto db =
      paths.database.empty() ? std::filesystem::path("lodestone.db") : store::SqlitePath(paths.database.string());
  return (db.parent_path() / "lodestone-keys.json").string();
}

struct ServeArgs {
  WorkspaceArgs ws;
  std::string keys, web, tls_cert, tls_key, cors;
  std::string host = "127.0.0.1";
  int port = 8080, threads = 8;
  std::size_t max_body = 1u << 20;
  double rate = 50, burst = 100;
  bool insecure_remote = false, quiet = false;
};

int Serve(const ServeArgs& a) {
  auto paths = ResolvePaths(a.ws);
  if (paths.database.empty()) paths.database = "lodestone.db";
  server::ServerOptions o;
  o.host = a.host;
  o.port = a.port;
  o.tls_cert = a.tls_cert;
  o.tls_key = a.tls_key;
  o.allow_insecure_remote = a.insecure_remote;
  o.keys = KeysPath(a.keys, paths);
  o.web = a.web.empty() ? std::filesystem::path(LODESTONE_ROOT_DIR) / "web" / "dist" : std::filesystem::path(a.web);
  o.max_body_bytes = a.max_body;
  o.rate_per_second = a.rate;
  o.rate_burst = a.burst;
  o.cors_origin = a.cors;
  o.threads = a.threads;
  if (!a.quiet) o.log = [](std::string_view line) { std::cerr << line << "\n"; };
  app::Workspace ws(paths);
  (void)ws.dataset();  // a dataset that does not load is reported now, not on the first request
  server::Server srv(ws, o);
  const int port = srv.Bind();
  const bool tls = !a.tls_cert.empty();
  std::cerr << fmt::format("lodestone serve: {}://{}:{}/ (API under /v1, document /v1/openapi.json)\n",
                           tls ? "https" : "http", a.host, port);
  std::cerr << fmt::format("  dataset {}, projects {}, keys {}\n", paths.dataset.string(),
                           store::RedactUrl(paths.database.string()), o.keys.string());
  if (srv.local_mode()) {
    std::cerr << "  local mode: no API key yet, so every caller on this machine has every right; "
                 "`lodestone keys create` turns keys on\n";
  }
  g_server = &srv;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  srv.Run();
  g_server = nullptr;
  std::cerr << "lodestone serve: stopped\n";
  return 0;
}

}  // namespace

void AddServeCommands(CLI::App& app, int& exit_code) {
  static ServeArgs a;
  auto* cmd = app.add_subcommand("serve", "The HTTP API (JSON under /v1) and the dashboard, over the shipped data");
  cmd->add_option("--host", a.host, "Address to listen on; beyond loopback only with TLS or --allow-insecure-remote")
      ->capture_default_str();
  cmd->add_option("--port", a.port, "Port (0: any free port)")->capture_default_str()->check(CLI::Range(0, 65535));
  cmd->add_option("--db", a.ws.database,
                  "Project registry: a SQLite file or a postgresql:// URL; default: $LODESTONE_DB, else lodestone.db");
  cmd->add_option("--keys", a.keys, "API key file; default: lodestone-keys.json beside the database");
  cmd->add_option("--web", a.web, "Dashboard files; default: web/dist of the source tree");
  cmd->add_option("--tls-cert", a.tls_cert, "TLS certificate (PEM)");
  cmd->add_option("--tls-key", a.tls_key, "TLS private key (PEM)");
  cmd->add_flag("--allow-insecure-remote", a.insecure_remote,
                "Listen beyond loopback without TLS (only behind a TLS-terminating proxy)");
  cmd->add_option("--cors-origin", a.cors, "Allow this origin cross-site (default: no CORS)");
  cmd->add_option("--threads", a.threads, "Connection threads")->capture_default_str()->check(CLI::Range(1, 256));
  cmd->add_option("--max-body", a.max_body, "Largest request body in bytes")->capture_default_str();
  cmd->add_option("--rate", a.rate, "Requests per second per key (sustained)")->capture_default_str();
  cmd->add_option("--burst", a.burst, "Requests per key in a burst")->capture_default_str();
  cmd->add_flag("--quiet", a.quiet, "No request log on stderr");
  AddWorkspaceOptions(cmd, a.ws);
  cmd->callback([&exit_code] { exit_code = RunGuarded([] { return Serve(a); }); });

  static std::string db, keys_file, name, role = "viewer", partner, id;
  static Format format = Format::Table;
  auto* keys = app.add_subcommand("keys", "API keys of the server: create, list, revoke (stored hashed)");
  keys->require_subcommand(1);
  keys->add_option("--keys", keys_file, "API key file; default: lodestone-keys.json beside the database");
  keys->add_option("--db", db, "Project registry whose folder holds the key file by default");
  auto file = [] {
    WorkspaceArgs w;
    w.database = db;
    return KeysPath(keys_file, ResolvePaths(w));
  };
  auto* create = keys->add_subcommand("create", "Create a key and print it once (only its hash is stored)");
  create->add_option("NAME", name, "Who holds it, as the audit log will name them")->required();
  create->add_option("--role", role, "viewer, analyst or admin")->capture_default_str();
  create->add_option("--partner", partner, "Partner the key belongs to (USA, JPN)");
  create->callback([&exit_code, file] {
    exit_code = RunGuarded([&] {
      server::KeyFile kf(file());
      auto k = kf.Create(name, server::ParseRole(role), partner, NowUtc());
      std::cerr << fmt::format("created key {} ({}, {}{}) in {}; it is shown once:\n", k.key.id, k.key.name,
                               server::Name(k.key.role), k.key.partner.empty() ? "" : ", " + k.key.partner,
                               kf.path().string());
      std::cout << k.token << "\n";
      return 0;
    });
  });
  auto* list = keys->add_subcommand("list", "List keys (never their secrets)");
  AddFormatOption(list, format);
  list->callback([&exit_code, file] {
    exit_code = RunGuarded([&] {
      server::KeyFile kf(file());
      TextTable t{{"id", "name", "role", "partner", "created", "revoked"}, {}, {}};
      for (const auto& k : kf.Keys()) {
        t.rows.push_back(
            {k.id, k.name, std::string(server::Name(k.role)), k.partner, k.created, k.revoked.value_or("")});
      }
      if (format == Format::Json) {
        std::cout << server::KeysJson(kf.Keys());
      } else if (format == Format::Csv) {
        PrintCsv(std::cout, t);
      } else {
        PrintTable(std::cout, t);
      }
      return 0;
    });
  });
  auto* revoke = keys->add_subcommand("revoke", "Revoke a key: a running server refuses it at once");
  revoke->add_option("ID", id, "The key's id (8 hex digits, as `keys list` shows)")->required();
  revoke->callback([&exit_code, file] {
    exit_code = RunGuarded([&] {
      server::KeyFile kf(file());
      kf.Revoke(id, NowUtc());
      std::cerr << fmt::format("revoked key {} in {}\n", id, kf.path().string());
      return 0;
    });
  });
}

}  // namespace lodestone::cli
