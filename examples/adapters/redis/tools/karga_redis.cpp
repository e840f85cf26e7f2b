// karga-redis: Redis under karga's load models, in redis-benchmark's words (-t is
// --command, -r is --keyspace, -d is --value-size, -P is --pipeline, -c is
// --connections), with every option karga's own commands share (karga::cli).
//
// Exit status: 0 every command got a reply that is no error (with thresholds: every
// threshold passed); 1 some did not; 2 usage; 99 a threshold failed; 128 + N signal N.
#include <karga_redis.hpp>

#include <karga/cli.hpp>
#include <karga/karga.hpp>

#include <cstdio>
#include <string>

namespace {
using results_type = karga::series_aggregate<karga_redis::aggregate>;
using report_type = karga::report_with_series<karga_redis::report>;
} // namespace

int main(int argc, char** argv) try {
  karga::cli::command cmd{"karga-redis",
                          "karga-redis: Redis commands under a load model. With --rate or --stage, an open model\n"
                          "(commands start on a schedule whatever the server does); without, a closed loop of\n"
                          "--connections × --pipeline users per thread, like redis-benchmark.",
                          KARGA_REDIS_VERSION};
  std::string server = "127.0.0.1:6379";
  karga_redis::workload_options work;
  unsigned pipeline = 1;
  CLI::App& app = cmd.app();
  app.add_option("--server", server, "HOST:PORT of the Redis server (default 127.0.0.1:6379)")->type_name("HOST:PORT");
  std::string names;
  for (const auto& k : karga_redis::command_kinds) names += (names.empty() ? "" : "|") + std::string(k.name);
  app.add_option("--command", work.command, "what each action sends (default ping): " + names)->type_name("NAME");
  app.add_option_function<std::string>("--keyspace", [&work](const std::string& s) {
       work.keyspace = karga::cli::parse_count(s, "--keyspace", 1, std::uint64_t{1} << 40);
     }, "keys key:0 … key:<N-1>, taken in turn (default 1)")->type_name("N");
  app.add_option_function<std::string>("--value-size", [&work](const std::string& s) {
       work.value_size = karga::cli::parse_count(s, "--value-size", 0, std::uint64_t{512} << 20, "512 MiB, as Redis takes");
     }, "bytes of the value SET, LPUSH, RPUSH and HSET send (default 3)")->type_name("BYTES");
  app.add_option_function<std::string>("--pipeline", [&pipeline](const std::string& s) {
       pipeline = static_cast<unsigned>(karga::cli::parse_count(s, "--pipeline", 1, 4096));
     }, "commands in flight per connection (default 1)")->type_name("N");
  karga::cli::load_options<report_type, results_type> load;
  load.add_to(cmd);
  cmd.parse(argc, argv);
  load.streams_per_connection = pipeline;  // users = connections × pipeline × threads
  load.check(cmd);

  const auto colon = server.rfind(':');
  if (colon == std::string::npos) cmd.usage_error("--server: \"" + server + "\" is not HOST:PORT");
  const karga_redis::workload action = [&] {
    try {
      karga_redis::options o;
      o.host = server.substr(0, colon);
      o.port = static_cast<std::uint16_t>(karga::cli::parse_count(server.substr(colon + 1), "--server", 1, 65535, "65535 (a TCP port)"));
      o.connections = static_cast<unsigned>(load.connections.value_or(1));
      o.pipeline = pipeline;
      return karga_redis::workload(work, karga_redis::client(o));
    } catch (const karga::error& e) {
      cmd.usage_error(e.message());
    }
  }();
  const std::string target = "redis " + server + " " + std::string(action.kind().verb);
  if (load.find_max) return load.find_max_rate<karga_redis::aggregate>(target, action);
  return load.run_and_report(cmd, action, "karga-redis",
                             target + " (" + std::to_string(load.connections.value_or(1)) + " connections × pipeline " +
                                 std::to_string(pipeline) + " per thread)");
} catch (const karga::error& e) {
  std::fprintf(stderr, "karga-redis: %s\n", e.message().c_str());
  return karga::cli::exit_usage;
}
