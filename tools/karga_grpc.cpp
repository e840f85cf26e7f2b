// karga-grpc: a gRPC load test, in the spirit of ghz, with the load models and
// outputs every karga command shares (load_options.hpp). Calls go over karga's own
// HTTP/2 client, on each shard's thread; `karga-grpc --help` lists the options and
// docs/grpc.md shows them at work.
//
// Exit status, as karga-http's:
//   0        without thresholds: every call ended OK; with thresholds: every threshold passed
//   1        without thresholds: some calls did not end OK, were dropped or interrupted
//   2        usage: a bad option or value, a target that does not resolve
//   3        a --push or --live push failed
//   99       a threshold failed, at the end or live with abort
//   128 + N  stopped early by signal N (130: SIGINT, 143: SIGTERM): never a pass
#include "header.hpp"
#include "placeholders.hpp"

#include <karga/cli/command.hpp>
#include <karga/cli/load_options.hpp>
#include <karga/cli/parse.hpp>
#include <karga/grpc.hpp>
#include <karga/karga.hpp>
#ifdef KARGA_GRPC_SCHEMA
#include "grpc_schema.hpp"
#endif

#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace {

using results_type = karga::series_aggregate<karga::grpc::aggregate>;
using report_type = karga::report_with_series<karga::grpc::report>;

// What karga-grpc adds to the shared options: the call and how it is made.
struct grpc_options {
  std::string target, method, stream;
  std::vector<std::string> data;  // request messages, as bytes
  karga::grpc::channel_options channel;
  karga::grpc::call_options call;
  std::optional<std::uint64_t> stream_messages;
  std::optional<karga::clock::duration> stream_interval;
  std::vector<std::string> protos, includes;
  std::string protoset;
  bool reflect = false;

  void add_to(karga::cli::command& cmd) {
    using namespace karga::cli;
    CLI::App& app = cmd.app();
    app.add_option("target", target, "host:port or http://host:port (h2c), https://host:port (TLS)")->required();
    app.add_option("--call", method, "the method: package.Service/Method")->required()->type_name("METHOD");
    app.add_option("--stream", stream,
                   "the method's kind when it streams: server, client or bidi (default: unary)")
        ->type_name("server|client|bidi");
    app.add_option_function<std::vector<std::string>>(
           "-d,--data", [this](const std::vector<std::string>& v) { data.insert(data.end(), v.begin(), v.end()); },
           "a request message (repeatable: calls take them in turn, a client or bidi stream sends\n"
           "them in order): with --proto or --protoset, JSON (an object, or an array of objects);\n"
           "without, its bytes as given; {n} (the call's number), {shard} and {uuid} are filled in\n"
           "for each call")
        ->type_name("MESSAGE");
#ifdef KARGA_GRPC_SCHEMA
    app.add_option("--proto", protos, "a .proto file with the method's service (repeatable); the method's\n"
                                      "kind comes from it, and -d is JSON")->type_name("FILE");
    app.add_option("-I,--import-path", includes, "where --proto files and their imports are looked for\n"
                                                 "(repeatable; default: each file's directory)")->type_name("DIR");
    app.add_option("--protoset", protoset, "a FileDescriptorSet (protoc --include_imports --descriptor_set_out)\n"
                                           "in place of --proto")->type_name("FILE");
    app.add_flag("--reflect", reflect, "read the schema from the server's reflection service (grpc.reflection.v1,\n"
                                       "else v1alpha) in place of --proto");
#endif
    app.add_option_function<std::vector<std::string>>(
           "--data-file",
           [this](const std::vector<std::string>& v) {
             for (const auto& f : v) {
               std::ifstream in(f, std::ios::binary);
               if (!in) bad("--data-file", f, "cannot be read");
               data.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
             }
           },
           "a file holding one request message, a serialized protobuf say (repeatable, as -d)")
        ->type_name("FILE");
    app.add_option_function<std::vector<std::string>>(
           "-m,--metadata",
           [this](const std::vector<std::string>& v) {
             for (const auto& m : v) {
               auto [name, value] = karga_tools::parse_header(m);
               for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
               call.metadata.emplace_back(name, value);
             }
           },
           "'name: value' sent with each call (repeatable; {n}, {shard} and {uuid} as in -d)")
        ->type_name("METADATA");
    app.add_option_function<std::string>(
           "--deadline",
           [this](const std::string& s) { call.deadline = karga::schedule::to_duration(parse_duration(s, "--deadline").count()); },
           "each call's deadline, sent as grpc-timeout; past it the call ends DEADLINE_EXCEEDED\n"
           "(default: none sent, as gRPC's clients do)")
        ->type_name("DURATION");
    app.add_option_function<std::string>(
           "--timeout",
           [this](const std::string& s) { channel.timeout = karga::schedule::to_duration(parse_duration(s, "--timeout").count()); },
           "without --deadline: the longest a call may take before it ends DEADLINE_EXCEEDED (default 30s)")
        ->type_name("DURATION");
    app.add_option_function<std::string>(
           "--stream-messages",
           [this](const std::string& s) { stream_messages = parse_count(s, "--stream-messages", 1, 1u << 24); },
           "client and bidi streams: messages sent per call, taken in turn from -d (default: each -d once)")
        ->type_name("N");
    app.add_option_function<std::string>(
           "--stream-interval",
           [this](const std::string& s) {
             stream_interval = karga::schedule::to_duration(parse_duration(s, "--stream-interval").count());
           },
           "client and bidi streams: the pause between one message and the next, written as the\n"
           "call goes (default: all at once); the gaps between the answers show the server's pace")
        ->type_name("DURATION");
    app.add_flag("--gzip", call.compress, "compress each request message (grpc-encoding: gzip)");
    app.add_option_function<std::string>(
           "--max-receive",
           [this](const std::string& s) { call.max_receive = parse_count(s, "--max-receive", 0, 1ull << 31); },
           "the longest answer message taken, in bytes (default 4194304); a longer one ends the call\n"
           "RESOURCE_EXHAUSTED")
        ->type_name("BYTES");
    app.add_option_function<std::string>(
           "--max-send",
           [this](const std::string& s) { call.max_send = parse_count(s, "--max-send", 0, 1ull << 31); },
           "the longest request message sent, in bytes, as it goes on the wire (default: no limit); a -d\n"
           "longer is refused before the run")
        ->type_name("BYTES");
    app.add_option_function<std::string>(
           "--streams",
           [this](const std::string& s) {
             channel.streams = static_cast<std::uint32_t>(parse_count(s, "--streams", 1, 1u << 20, "HTTP/2 stream ids run out"));
           },
           "calls at once per connection (default 100, fewer if the server says so)")
        ->type_name("N");
    app.add_option("--cacert", channel.ca_file, "https: a PEM file of certificates to trust")->type_name("FILE");
    app.add_flag_function("-k,--insecure", [this](std::int64_t) { channel.verify_peer = false; },
                          "https: do not verify the server's certificate");
    app.add_option_function<std::string>(
           "--connect-timeout",
           [this](const std::string& s) {
             channel.connect_timeout = karga::schedule::to_duration(parse_duration(s, "--connect-timeout").count());
           },
           "connect and TLS handshake timeout (default 5s)")
        ->type_name("DURATION");
  }

  karga::grpc::call_kind kind(const karga::cli::command& cmd) const {
    using karga::grpc::call_kind;
    if (stream.empty()) return call_kind::unary;
    if (stream == "server") return call_kind::server_streaming;
    if (stream == "client") return call_kind::client_streaming;
    if (stream == "bidi") return call_kind::bidi_streaming;
    cmd.usage_error("--stream: \"" + stream + "\" is not a kind of stream: server, client or bidi");
  }
};

// The request messages and metadata of each call, from -d and -m. Made once when
// nothing in them varies; else for each call, {n}, {shard} and {uuid} filled in.
struct call_source {
  call_source(karga::grpc::call_kind k, std::string m, karga::grpc::call_options o,
              std::function<std::vector<std::string>(const std::string&)> e, const std::vector<std::string>& d,
              std::uint64_t per_stream)
      : kind(k), method(std::move(m)), base(std::move(o)), encode(std::move(e)), stream_messages(per_stream) {
    for (const auto& one : d) data.emplace_back(one);
    for (const auto& h : base.metadata) metadata.emplace_back(h.value);
  }

  karga::grpc::call_kind kind;
  std::string method;
  karga::grpc::call_options base;
  std::function<std::vector<std::string>(const std::string&)> encode;
  std::vector<karga_tools::placeholder_text> data;  // each -d
  std::vector<karga_tools::placeholder_text> metadata;  // each -m's value
  std::uint64_t stream_messages;  // a client or bidi stream's; 0: each message once
  // Unary and server-streaming calls take the messages in turn: (the -d, its message).
  std::vector<std::pair<std::size_t, std::size_t>> order;

  bool streams_out() const {
    return kind == karga::grpc::call_kind::client_streaming || kind == karga::grpc::call_kind::bidi_streaming;
  }
  bool varies() const {
    for (const auto& d : data)
      if (d.varies()) return true;
    for (const auto& m : metadata)
      if (m.varies()) return true;
    return false;
  }
  // How many messages each -d holds (a JSON array holds several); throws for a -d
  // that is not the method's message.
  void count_messages() {
    const karga::context first;
    for (std::size_t d = 0; d < data.size(); ++d) {
      const std::size_t n = encode(data[d].render(first)).size();
      for (std::size_t j = 0; j < n; ++j) order.emplace_back(d, j);
    }
    if (order.empty()) karga::detail::throw_error("-d: an empty array gives no message to send");
  }
  std::size_t turns() const { return order.size(); }

  // The messages of the call `c`, the `turn`th (unary and server streams take turns).
  std::vector<std::string> messages(const karga::context& c, std::uint64_t turn) const {
    if (!streams_out()) {
      const auto [d, j] = order[turn % order.size()];
      auto all = encode(data[d].render(c));
      if (j >= all.size()) karga::detail::throw_error("-d: a message went missing when its placeholders were filled in");
      return {std::move(all[j])};
    }
    std::vector<std::string> all;
    for (const auto& d : data)
      for (auto& m : encode(d.render(c))) all.push_back(std::move(m));
    if (stream_messages == 0) return all;
    std::vector<std::string> out;
    for (std::uint64_t i = 0; i < stream_messages; ++i) out.push_back(all[i % all.size()]);
    return out;
  }
  // The call's settings, its metadata filled in.
  karga::grpc::call_options options(const karga::context& c) const {
    karga::grpc::call_options o = base;
    for (std::size_t i = 0; i < metadata.size(); ++i) o.metadata[i].value = metadata[i].render(c);
    return o;
  }
};

} // namespace

int main(int argc, char** argv) try {
  karga::cli::command cmd{"karga-grpc",
                           "karga-grpc: a gRPC load test. With --rate or --stage, an open model (calls start on a\n"
                           "schedule whatever the server does); without, a closed loop of --connections × --streams\n"
                           "callers per thread."};
  grpc_options grpc;
  karga::cli::load_options<report_type, results_type> load;
  grpc.add_to(cmd);
  load.add_to(cmd);
#ifdef KARGA_GRPC_SCHEMA
  const char* one_schema = "--proto, --protoset and --reflect are three ways to give the schema: take one";
  cmd.excludes({"--proto"}, {"--protoset", "--reflect"}, one_schema);
  cmd.excludes({"--protoset"}, {"--reflect"}, one_schema);
  cmd.excludes({"--stream"}, {"--proto", "--protoset", "--reflect"}, "--stream: with a schema, the method says how it streams");
  cmd.needs({"--import-path"}, {"--proto"}, "--import-path goes with --proto");
#endif
  cmd.parse(argc, argv);
  auto kind = grpc.kind(cmd);
  grpc.channel.connections = load.connections.value_or(1);
  load.streams_per_connection = grpc.channel.streams;
  load.check(cmd);

  const karga::grpc::channel channel = [&] {
    try {
      return karga::grpc::channel(grpc.target, grpc.channel);
    } catch (const karga::error& e) {
      cmd.usage_error(e.message());
    }
  }();
  // How a -d becomes request messages: its bytes, or with a schema its JSON encoded.
  std::function<std::vector<std::string>(const std::string&)> encode = [](const std::string& d) {
    return std::vector<std::string>{d};
  };
#ifdef KARGA_GRPC_SCHEMA
  // With a schema: the method's kind from it, and each -d (JSON) as its messages.
  if (!grpc.protos.empty() || !grpc.protoset.empty() || grpc.reflect) {
    try {
      std::shared_ptr<const karga_tools::grpc_schema> schema =
          grpc.reflect ? karga_tools::grpc_schema::from_reflection(channel, grpc.method.substr(0, grpc.method.rfind('/')))
          : grpc.protoset.empty() ? karga_tools::grpc_schema::from_proto(grpc.protos, grpc.includes)
                                  : karga_tools::grpc_schema::from_protoset(grpc.protoset);
      const auto* method = &schema->method(grpc.method);
      kind = karga_tools::grpc_schema::kind(*method);
      encode = [schema, method](const std::string& d) { return schema->encode(*method, d); };
      if (grpc.data.empty()) grpc.data.emplace_back("{}");
    } catch (const karga::error& e) {
      cmd.usage_error(e.message());
    }
  }
#endif
  const bool streams_out = kind == karga::grpc::call_kind::client_streaming || kind == karga::grpc::call_kind::bidi_streaming;
  if (grpc.stream_messages && !streams_out)
    cmd.usage_error("--stream-messages goes with a client or bidi stream (--stream client or --stream bidi)");
  if (grpc.stream_interval && !streams_out)
    cmd.usage_error("--stream-interval goes with a client or bidi stream (--stream client or --stream bidi)");
  if (grpc.data.empty()) grpc.data.emplace_back();  // one empty message (an empty protobuf)

  auto source = std::make_shared<call_source>(kind, grpc.method, grpc.call, std::move(encode), grpc.data,
                                              grpc.stream_messages.value_or(0));
  // Every -d and -m as the first call would have them: what is wrong is said now.
  std::vector<karga::grpc::prepared_call> calls;
  try {
    source->count_messages();
    const karga::context first;
    for (std::size_t turn = 0; turn < (streams_out ? 1 : source->turns()); ++turn) {
      const auto messages = source->messages(first, turn);
      const std::vector<std::string_view> views(messages.begin(), messages.end());
      calls.push_back(channel.prepare(kind, grpc.method, views, source->options(first)));
    }
  } catch (const karga::error& e) {
    cmd.usage_error(e.message());
  }
  const std::string heading = grpc.target + " " + grpc.method;
  auto run = [&](auto action) {
    if (load.find_max) return load.find_max_rate<karga::grpc::aggregate>(heading, action);
    return load.run_and_report(cmd, action, "karga-grpc", heading);
  };
  if (grpc.stream_interval) {
    // A stream written at a pace: each message --stream-interval after the one before.
    // Its messages and settings made once, unless placeholders make them per call.
    const auto fixed = std::make_shared<const std::pair<std::vector<std::string>, karga::grpc::call_options>>(
        source->messages(karga::context{}, 0), source->options(karga::context{}));
    return run([channel, source, fixed, interval = *grpc.stream_interval](const karga::context& c)
                   -> boost::asio::awaitable<karga::grpc::metric> {
      std::optional<std::pair<std::vector<std::string>, karga::grpc::call_options>> made;
      if (source->varies()) made.emplace(source->messages(c, 0), source->options(c));
      const auto& [messages, options] = made ? *made : *fixed;
      auto call = co_await channel.open(source->kind, source->method, options);
      boost::asio::steady_timer pause(co_await boost::asio::this_coro::executor);
      for (std::size_t i = 0; i < messages.size() && !call.ended(); ++i) {
        if (i != 0) {
          pause.expires_after(interval);
          co_await pause.async_wait(boost::asio::use_awaitable);
        }
        co_await call.write(messages[i]);
      }
      co_return karga::grpc::to_metric(co_await call.finish());
    });
  }
  if (source->varies()) {
    // {n}, {shard} or {uuid}: each call made afresh, its placeholders filled in.
    return run([channel, source](const karga::context& c) -> boost::asio::awaitable<karga::grpc::metric> {
      const auto messages = source->messages(c, c.arrival);
      const std::vector<std::string_view> views(messages.begin(), messages.end());
      const auto call = channel.prepare(source->kind, source->method, views, source->options(c));
      co_return karga::grpc::to_metric(co_await channel.call(call));
    });
  }
  // The calls prepared once: a unary or server-streaming call per message, taken in
  // turn; one client or bidi stream.
  auto shared = std::make_shared<const std::vector<karga::grpc::prepared_call>>(std::move(calls));
  return run([channel, shared, next = std::size_t{0}]() mutable -> boost::asio::awaitable<karga::grpc::metric> {
    const auto& call = (*shared)[next++ % shared->size()];
    co_return karga::grpc::to_metric(co_await channel.call(call));
  });
} catch (const karga::error& e) {
  std::fprintf(stderr, "karga-grpc: %s\n", e.message().c_str());
  return karga::cli::exit_usage;
}
