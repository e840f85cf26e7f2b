// karga-http: an HTTP load test from the command line, built only on the public
// library.
//
//   karga-http URL --rate R --duration D      a constant rate (open model)
//   karga-http URL --stage DUR:RPS ...        stages, as in stage_executor (repeatable)
//   karga-http URL [--duration D]             as fast as the server answers (closed
//                                             model, like wrk): --connections users
//   options: --connections N (closed: users, default 10; open: most requests in
//            flight), --threads N, --timeout D, -m METHOD, -H "Name: value", -d BODY,
//            --grace D
// Durations: 500ms, 10s, 2m. Exit status: 0 all ok, 1 some failed/dropped, 2 usage.
#include <karga/http.hpp>
#include <karga/karga.hpp>

#include <boost/beast/http/verb.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace {

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "karga-http: %s\n"
               "usage: karga-http URL [--rate R] [--duration D] [--stage DUR:RPS ...] [--connections N]\n"
               "       [--threads N] [--timeout D] [--grace D] [-m METHOD] [-H 'Name: value'] [-d BODY]\n",
               why.c_str());
  std::exit(2);
}

double number(const std::string& s, const std::string& what) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    usage("bad " + what + ": \"" + s + "\"");
  }
  if (used != s.size()) usage("bad " + what + ": \"" + s + "\"");
  return v;
}

std::chrono::duration<double> duration(const std::string& s) {
  std::size_t digits = s.find_first_not_of("0123456789.");
  if (digits == 0 || digits == std::string::npos) usage("bad duration \"" + s + "\" (use 500ms, 10s, 2m)");
  const double v = number(s.substr(0, digits), "duration");
  const std::string unit = s.substr(digits);
  if (unit == "ms") return std::chrono::duration<double>(v / 1000);
  if (unit == "s") return std::chrono::duration<double>(v);
  if (unit == "m") return std::chrono::duration<double>(v * 60);
  usage("bad duration unit in \"" + s + "\" (use ms, s or m)");
}

} // namespace

int main(int argc, char** argv) try {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::optional<std::string> url;
  std::optional<double> rate;
  std::optional<std::chrono::duration<double>> total;
  std::vector<karga::stage> stages;
  std::optional<std::uint64_t> connections;
  unsigned threads = 1;
  std::chrono::duration<double> grace{5.0};
  karga::http::options options;
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) usage(a + " needs a value");
      return args[++i];
    };
    if (a == "--rate") rate = number(value(), "rate");
    else if (a == "--duration") total = duration(value());
    else if (a == "--stage") {
      const std::string& v = value();
      const auto colon = v.find(':');
      if (colon == std::string::npos) usage("bad stage \"" + v + "\" (use DUR:RPS, e.g. 10s:100)");
      stages.push_back({duration(v.substr(0, colon)), number(v.substr(colon + 1), "stage rate")});
    } else if (a == "--threads") threads = static_cast<unsigned>(number(value(), "thread count"));
    else if (a == "--connections") connections = static_cast<std::uint64_t>(number(value(), "connection count"));
    else if (a == "--grace") grace = duration(value());
    else if (a == "--timeout") options.request_timeout = karga::schedule::to_duration(duration(value()).count());
    else if (a == "-m") {
      method = boost::beast::http::string_to_verb(value());
      if (method == boost::beast::http::verb::unknown) usage("unknown method \"" + args[i] + "\"");
    } else if (a == "-H") {
      const std::string& v = value();
      const auto colon = v.find(':');
      if (colon == std::string::npos) usage("bad header \"" + v + "\" (use 'Name: value')");
      const auto value_start = std::min(v.size(), v.find_first_not_of(' ', colon + 1));
      headers.emplace_back(v.substr(0, colon), v.substr(value_start));
    } else if (a == "-d") body = value();
    else if (!a.empty() && a[0] == '-') usage("unknown option " + a);
    else if (url) usage("more than one URL");
    else url = a;
  }
  if (!url) usage("no URL");
  if (connections && *connections == 0) usage("--connections must be at least 1");
  if (rate) {
    if (!total) usage("--rate needs --duration");
    if (!stages.empty()) usage("give either --rate/--duration or --stage");
    stages = {{std::chrono::duration<double>(0), *rate}, {*total, *rate}};
  }

  const karga::http::client client{*url, options};
  const auto request = client.make_request(method, "", body, headers);  // built once, sent many times
  auto action = [client, request]() -> boost::asio::awaitable<karga::http::metric> {
    const auto start = karga::clock::now();
    auto res = co_await client.send(request);
    co_return karga::http::to_metric(res, karga::clock::now() - start);
  };
  auto run = [&](const auto& executor) {
    return karga::scenario<karga::http::aggregate>::builder().name("karga-http").action(action).executor(executor).build().run();
  };
  karga::http::aggregate results;
  if (stages.empty()) {  // closed model, at the server's pace
    results = run(karga::constant_vus_executor::builder()
                      .vus(connections.value_or(10))
                      .duration(total.value_or(std::chrono::duration<double>(10.0)))
                      .threads(threads)
                      .grace_period(grace)
                      .build());
  } else {
    results = run(karga::stage_executor::builder()
                      .stages(stages)
                      .threads(threads)
                      .max_in_flight(connections ? (*connections + threads - 1) / threads : 0)
                      .grace_period(grace)
                      .build());
  }
  const karga::http::report report{results};
  std::printf("%s\n", url->c_str());
  karga::stdout_reporter{}.report(report);
  return report.failed == 0 && report.dropped == 0 && report.interrupted == 0 ? 0 : 1;
} catch (const karga::error& e) {
  std::fprintf(stderr, "%s\n", e.what());
  return 2;
}
