// A scenario that reads responses: each iteration is a new user who logs in, takes
// the token from the answer, and calls the API with it (and the session cookie the
// login set). Only the API call is timed; a failed login is a failed iteration.
//
//   login         against an embedded server on a loopback port of its own
//   login URL     against URL (it must serve POST /login and GET /api/me)
#include <karga/http.hpp>
#include <karga/http/testing/embedded_server.hpp>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

using namespace std::chrono_literals;
namespace http = karga::http;

// The value of "token" in a small JSON answer: {"token":"…"}.
std::string token_from(std::string_view json) {
  const std::string_view key = "\"token\":\"";
  const auto at = json.find(key);
  if (at == std::string_view::npos) return {};
  const auto end = json.find('"', at + key.size());
  return end == std::string_view::npos ? std::string() : std::string(json.substr(at + key.size(), end - at - key.size()));
}

int main(int argc, char** argv) try {
  std::unique_ptr<http::embedded_server> server;
  std::string url = argc > 1 ? argv[1] : "";
  if (url.empty()) {
    server = std::make_unique<http::embedded_server>();
    url = server->url();
  }
  const http::client client{url};
  auto results = karga::scenario<http::aggregate>::builder()
                     .name("log in, then call the API")
                     .action([client]() -> boost::asio::awaitable<http::metric> {
                       http::session user{client};  // a new user each iteration, as in k6
                       auto login = co_await user.post("/login", R"({"user":"ann"})",
                                                       http::header("Content-Type", "application/json"));
                       const std::string token = login ? token_from(login->body) : std::string();
                       if (!login || login->status() != 200 || token.empty())
                         co_return http::to_metric(login, karga::clock::duration{});
                       user.set_header("Authorization", "Bearer " + token);
                       const auto start = karga::clock::now();
                       auto me = co_await user.get("/api/me");
                       co_return http::to_metric(me, karga::clock::now() - start);
                     })
                     .executor(karga::stage_executor::builder().start_rate(100).stage(2s, 100.0).build())
                     .build()
                     .run();
  const http::report report{results};
  karga::stdout_reporter{}.report(report);
  return report.all_ok() && results.status_count(200) == report.scheduled ? 0 : 1;
} catch (const karga::error& e) {
  std::fprintf(stderr, "%s\n", e.what());
  return 2;
}
