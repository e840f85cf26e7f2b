// karga-redis's tests: RESP parsed exactly (every split of every reply), and runs
// against a real redis-server, whose own counts (INFO commandstats) must equal the
// report's, under the closed and the open model, with error replies, a refused
// connection and a server killed mid-run, and the results codec's round trip.
#include <karga_redis.hpp>

#include <karga/karga.hpp>
#include <karga/results.hpp>

#include <catch2/catch.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/detached.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using karga_redis::reply;

namespace {

// A port nothing listens on now.
std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// What a command prints.
std::string output_of(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  while (const std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ::pclose(p);
  return out;
}

// A redis-server of the test's own, on a loopback port, with nothing saved to disk.
class redis_server {
public:
  redis_server() : port_(free_port()) {
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string port = std::to_string(port_);
      ::execl(REDIS_SERVER, "redis-server", "--port", port.c_str(), "--bind", "127.0.0.1", "--save", "", "--appendonly",
              "no", "--logfile", "/dev/null", "--dir", "/tmp", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 200 && cli("PING") != "PONG\n"; ++i) std::this_thread::sleep_for(25ms);
    REQUIRE(cli("PING") == "PONG\n");
  }
  ~redis_server() { stop(); }
  redis_server(const redis_server&) = delete;
  redis_server& operator=(const redis_server&) = delete;

  std::uint16_t port() const { return port_; }
  void pause() { ::kill(pid_, SIGSTOP); }  // connections still open (the kernel's backlog); nothing answers
  void resume() { ::kill(pid_, SIGCONT); }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  std::string cli(const std::string& args) const {
    return output_of(std::string(REDIS_CLI) + " -p " + std::to_string(port_) + " " + args + " 2>&1");
  }
  // How many times the server ran `command` (lower case), by its own count.
  std::uint64_t calls(const std::string& command) const {
    const std::string stats = cli("INFO commandstats");
    const std::string key = "cmdstat_" + command + ":calls=";
    const auto at = stats.find(key);
    return at == std::string::npos ? 0 : std::stoull(stats.substr(at + key.size()));
  }

private:
  std::uint16_t port_;
  pid_t pid_ = -1;
};

karga_redis::client client_of(const redis_server& s, unsigned connections, unsigned pipeline) {
  karga_redis::options o;
  o.port = s.port();
  o.connections = connections;
  o.pipeline = pipeline;
  return karga_redis::client(o);
}

// `n` iterations of `w` by `users` users on `threads` shards.
karga_redis::aggregate closed_run(const karga_redis::workload& w, std::uint64_t users, std::uint64_t n, unsigned threads) {
  return karga::scenario<karga_redis::aggregate>::builder()
      .action(w)
      .executor(karga::shared_iterations_executor::builder().vus(users).iterations(n).threads(threads).build())
      .build()
      .run();
}

} // namespace

TEST_CASE("RESP: commands are encoded as Redis reads them", "[resp]") {
  std::string out;
  const std::string_view args[] = {"SET", "key:1", ""};
  karga_redis::encode(out, args);
  CHECK(out == "*3\r\n$3\r\nSET\r\n$5\r\nkey:1\r\n$0\r\n\r\n");
}

TEST_CASE("RESP: each kind of reply, whole only when all of it has arrived", "[resp]") {
  struct expected {
    std::string wire;
    reply::kind kind;
    std::string text;
    std::int64_t integer;
  };
  const std::vector<expected> cases = {
      {"+OK\r\n", reply::kind::simple, "OK", 0},
      {"-WRONGTYPE Operation against a key\r\n", reply::kind::error, "WRONGTYPE Operation against a key", 0},
      {":-42\r\n", reply::kind::integer, "", -42},
      {"$5\r\nhe\r\no\r\n", reply::kind::bulk, "", 0},
      {"$0\r\n\r\n", reply::kind::bulk, "", 0},
      {"$-1\r\n", reply::kind::null, "", 0},
      {"*-1\r\n", reply::kind::null, "", 0},
      {"*0\r\n", reply::kind::array, "", 0},
      {"*3\r\n:1\r\n*2\r\n+a\r\n$1\r\nb\r\n$-1\r\n", reply::kind::array, "", 3},
  };
  for (const auto& c : cases) {
    INFO(c.wire);
    for (std::size_t cut = 0; cut < c.wire.size(); ++cut) {
      reply r;
      CHECK_FALSE(karga_redis::parse(std::string_view(c.wire).substr(0, cut), r));
    }
    reply r;
    const std::string two = c.wire + "+next\r\n";  // a reply ends where it ends
    const auto size = karga_redis::parse(two, r);
    REQUIRE(size);
    CHECK(*size == c.wire.size());
    CHECK(r.bytes == c.wire.size());
    CHECK(r.type == c.kind);
    CHECK(r.text == c.text);
    CHECK(r.integer == c.integer);
  }
}

TEST_CASE("RESP: bytes that are no reply are refused with a sentence", "[resp]") {
  for (const std::string bad : {"!x\r\n", ":12a\r\n", ":\r\n", "$-2\r\n", "$3\r\nabcd\r\n", "*-5\r\n", "$999999999999\r\n",
                                "*1\r\n?\r\n"}) {
    INFO(bad);
    reply r;
    CHECK_THROWS_AS(karga_redis::parse(bad, r), karga_redis::protocol_error);
  }
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "*1\r\n";
  reply r;
  CHECK_THROWS_AS(karga_redis::parse(deep + ":1\r\n", r), karga_redis::protocol_error);
}

TEST_CASE("redis: a closed loop, pipelined, on two shards: the server counts what the report counts", "[redis]") {
  redis_server server;
  karga_redis::workload_options w;
  w.command = "set";
  w.keyspace = 100;
  const karga_redis::workload set{w, client_of(server, 2, 4)};
  const auto a = closed_run(set, 2 * 2 * 4, 20000, 2);
  CHECK(a.basic().ok() == 20000);
  CHECK(a.basic().failed() == 0);
  REQUIRE(a.commands().count("SET") == 1);
  CHECK(a.commands().at("SET").count == 20000);
  CHECK(server.calls("set") == 20000);
  CHECK(server.cli("DBSIZE") == "100\n");
}

TEST_CASE("redis: the open model: every arrival is one command the server ran", "[redis]") {
  redis_server server;
  karga_redis::workload_options w;
  w.command = "incr";
  const karga_redis::workload incr{w, client_of(server, 1, 8)};
  const auto a = karga::scenario<karga_redis::aggregate>::builder()
                     .action(incr)
                     .executor(karga::stage_executor::builder().stages({{2s, 1000.0}}).start_rate(1000).build())
                     .build()
                     .run();
  CHECK(a.basic().ok() == 2000);
  CHECK(a.basic().dropped() == 0);
  CHECK(server.calls("incr") == 2000);
  CHECK(server.cli("GET counter:0") == "2000\n");
  CHECK(karga_redis::report(a).commands.at(0).name == "INCR");
}

TEST_CASE("redis: error replies are counted by name, and thresholds read them", "[redis]") {
  redis_server server;
  REQUIRE(server.cli("SET mylist:0 text") == "OK\n");
  karga_redis::workload_options w;
  w.command = "lpop";
  const karga_redis::workload lpop{w, client_of(server, 1, 1)};
  const auto a = closed_run(lpop, 1, 100, 1);
  CHECK(a.basic().failed() == 100);
  CHECK(a.errors_named("WRONGTYPE") == 100);
  CHECK(a.errors_named("ERR") == 0);
  CHECK(a.errors().at("WRONGTYPE").first_message.starts_with("WRONGTYPE Operation against a key"));
  const auto verdicts = karga::evaluate({karga::threshold::parse("errors(WRONGTYPE)==0")}, a);
  REQUIRE(verdicts.size() == 1);
  CHECK_FALSE(verdicts[0].passed);
  CHECK(server.calls("lpop") == 100);
}

TEST_CASE("redis: a refused connection is a counted failure, never a hang", "[redis]") {
  karga_redis::options o;
  o.port = free_port();  // nothing listens
  karga_redis::workload_options w;
  const karga_redis::workload ping{w, karga_redis::client(o)};
  const auto a = closed_run(ping, 1, 50, 1);
  CHECK(a.basic().failed() == 50);
  CHECK(a.errors_named("connect") == 50);
  CHECK_FALSE(a.errors().at("connect").first_message.empty());
}

TEST_CASE("redis: a server killed mid-run: every command is ok or failed, none lost", "[redis]") {
  redis_server server;
  karga_redis::workload_options w;
  w.command = "get";
  const karga_redis::workload get{w, client_of(server, 2, 4)};
  std::thread killer([&] {
    std::this_thread::sleep_for(300ms);
    server.stop();
  });
  const auto a = karga::scenario<karga_redis::aggregate>::builder()
                     .action(get)
                     .executor(karga::constant_vus_executor::builder().vus(8).duration(1s).build())
                     .build()
                     .run();
  killer.join();
  const auto& b = a.basic();
  CHECK(b.ok() > 0);
  CHECK(b.failed() > 0);
  CHECK(b.started() == b.ok() + b.failed() + b.interrupted());
  std::uint64_t counted = 0;
  for (const auto& [name, e] : a.errors()) {
    CHECK((name == "closed" || name == "connect"));
    counted += e.count;
  }
  CHECK(counted == b.failed());
}

TEST_CASE("redis: a server that never answers: the grace period's cancellation ends every command", "[redis]") {
  redis_server server;
  server.pause();
  karga_redis::workload_options w;
  w.command = "get";
  const karga_redis::workload get{w, client_of(server, 2, 8)};
  const auto start = std::chrono::steady_clock::now();
  const auto a = karga::scenario<karga_redis::aggregate>::builder()
                     .action(get)
                     .executor(karga::stage_executor::builder()
                                   .stages({{500ms, 200.0}})
                                   .start_rate(200)
                                   .grace_period(200ms)
                                   .build())
                     .build()
                     .run();
  const auto took = std::chrono::steady_clock::now() - start;
  server.resume();
  const auto& b = a.basic();
  CHECK(b.ok() == 0);
  CHECK(b.started() == 100);
  CHECK(b.interrupted() == 100);
  CHECK(took < 30s);
}

TEST_CASE("redis: a cancelled command completes at once as cancelled, sent or waiting", "[redis]") {
  redis_server server;
  server.pause();
  boost::asio::io_context io;
  const karga_redis::client client = client_of(server, 1, 1);  // one in the pipeline, one waiting
  boost::asio::cancellation_signal sent, waiting;
  std::vector<std::string> answers;
  auto ask = [&]() -> boost::asio::awaitable<void> {
    const std::string_view args[] = {"PING"};
    const auto a = co_await client.command(args);
    answers.push_back(karga_redis::to_string(a.error));
  };
  boost::asio::co_spawn(io, ask(), boost::asio::bind_cancellation_slot(sent.slot(), boost::asio::detached));
  boost::asio::co_spawn(io, ask(), boost::asio::bind_cancellation_slot(waiting.slot(), boost::asio::detached));
  io.run_for(200ms);
  CHECK(answers.empty());  // the server is stopped: nothing came back
  waiting.emit(boost::asio::cancellation_type::terminal);
  sent.emit(boost::asio::cancellation_type::terminal);
  io.run_for(200ms);
  CHECK(answers == std::vector<std::string>{"cancelled", "cancelled"});
  server.resume();
}

TEST_CASE("redis: the aggregate goes through a results file unchanged", "[redis]") {
  redis_server server;
  REQUIRE(server.cli("SET mylist:0 text") == "OK\n");
  karga_redis::workload_options w;
  w.command = "rpop";
  const auto a = closed_run(karga_redis::workload{w, client_of(server, 1, 2)}, 2, 300, 1);
  karga_redis::aggregate b = closed_run(karga_redis::workload{{}, client_of(server, 1, 2)}, 2, 200, 1);
  b.merge(a);
  const std::string path = "/tmp/karga-redis-test-" + std::to_string(::getpid()) + ".results";
  karga::write_results(path, b);
  const auto back = karga::read_results<karga_redis::aggregate>(path);
  std::remove(path.c_str());
  CHECK(back == b);
  CHECK(back.commands().at("PING").count == 200);
  CHECK(back.errors_named("WRONGTYPE") == 300);
}
