// A program that found karga::http through find_package(karga COMPONENTS http
// results): a run against the test server, its results file read back.
#include <karga/http.hpp>
#include <karga/http/testing/embedded_server.hpp>

using namespace std::chrono_literals;

int main() {
  karga::http::embedded_server server;
  const karga::http::client client{server.url()};
  auto results = karga::scenario<karga::http::aggregate>::builder()
                     .action([client]() -> boost::asio::awaitable<karga::http::metric> {
                       const auto start = karga::clock::now();
                       auto res = co_await client.get("/");
                       co_return karga::http::to_metric(res, karga::clock::now() - start);
                     })
                     .executor(karga::stage_executor::builder().start_rate(100).stage(100ms, 100.0).build())
                     .build()
                     .run();
  karga::stdout_reporter{}.report(karga::http::report{results});
  const auto back = karga::decode_results<karga::http::aggregate>(karga::encode_results(results));
  return results.status_count(200) == 10 && back == results ? 0 : 1;
}
