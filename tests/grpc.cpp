// gRPC's wire pieces in karga::grpc, exactly: message framing across any split of
// the bytes, grpc-timeout, grpc-message, the status codes and their mappings, gzip,
// the aggregate's counts and merge, the results codec, the report's JSON. The calls
// themselves, against a server on the official gRPC core, are in grpc_test.sh; so is
// karga-grpc, whose placeholders ({n}, {shard}, {uuid}) are filled in exactly here.
#include "catch.hpp"
#include "error_message.hpp"

#include <karga/grpc.hpp>
#include <karga/http.hpp>
#include <karga/karga.hpp>

#include "../tools/placeholders.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace grpc = karga::grpc;
using namespace std::chrono_literals;

// Every message `reader` completes from `pieces`, with its flag.
std::vector<std::pair<std::string, bool>> read_all(grpc::message_reader& reader, const std::vector<std::string>& pieces) {
  std::vector<std::pair<std::string, bool>> out;
  for (const auto& p : pieces) reader.feed(p, [&](std::string_view m, bool c) { out.emplace_back(std::string(m), c); });
  reader.finish();
  return out;
}

} // namespace

TEST_CASE("grpc framing: a prefix of flag and big-endian length, then the bytes", "[grpc]") {
  std::string wire;
  grpc::append_message(wire, "hi");
  grpc::append_message(wire, std::string(300, 'x'), true);
  grpc::append_message(wire, "");
  REQUIRE(wire.size() == 5 + 2 + 5 + 300 + 5);
  CHECK(wire.substr(0, 7) == std::string("\0\0\0\0\x02hi", 7));
  CHECK(wire.substr(7, 5) == std::string("\x01\0\0\x01\x2c", 5));
  CHECK(wire.substr(312) == std::string(5, '\0'));

  // Every split of the bytes into two pieces, and byte by byte: the same three messages.
  const std::vector<std::pair<std::string, bool>> want{{"hi", false}, {std::string(300, 'x'), true}, {"", false}};
  for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
    grpc::message_reader r;
    CHECK(read_all(r, {wire.substr(0, cut), wire.substr(cut)}) == want);
    CHECK(r.error() == grpc::framing_error::none);
    CHECK(r.messages() == 3);
  }
  std::vector<std::string> bytes;
  for (char c : wire) bytes.emplace_back(1, c);
  grpc::message_reader r;
  CHECK(read_all(r, bytes) == want);
}

TEST_CASE("grpc framing: too large, a bad flag, cut short", "[grpc]") {
  std::string wire;
  grpc::append_message(wire, "ok");
  grpc::append_message(wire, std::string(11, 'y'));
  grpc::message_reader small(10);
  CHECK(read_all(small, {wire}).size() == 1);  // the first, then the refusal; nothing after
  CHECK(small.error() == grpc::framing_error::too_large);
  CHECK(small.refused_length() == 11);
  grpc::message_reader exact(11);
  CHECK(read_all(exact, {wire}).size() == 2);
  CHECK(exact.error() == grpc::framing_error::none);

  grpc::message_reader flag;
  CHECK(read_all(flag, {std::string("\x02\0\0\0\0", 5)}).empty());
  CHECK(flag.error() == grpc::framing_error::bad_flag);

  for (std::size_t cut : {1u, 4u, 5u, 8u}) {  // in the prefix, at its end, within the bytes
    grpc::message_reader cutr;
    CHECK(read_all(cutr, {wire.substr(0, 7 + cut)}).size() == 1);
    CHECK(cutr.error() == grpc::framing_error::truncated);
  }
  // 4 GiB - 1 announced: refused at the prefix, nothing buffered.
  grpc::message_reader huge;
  CHECK(read_all(huge, {std::string("\0\xff\xff\xff\xff", 5)}).empty());
  CHECK(huge.error() == grpc::framing_error::too_large);
  CHECK(huge.refused_length() == 0xffffffffu);
}

TEST_CASE("grpc-timeout: at most 8 digits, the finest unit, rounded up", "[grpc]") {
  CHECK(grpc::encode_timeout(0ns) == "0n");
  CHECK(grpc::encode_timeout(1ns) == "1n");
  CHECK(grpc::encode_timeout(99'999'999ns) == "99999999n");
  CHECK(grpc::encode_timeout(100'000'000ns) == "100000u");
  CHECK(grpc::encode_timeout(100'000'001ns) == "100001u");  // up, never shorter
  CHECK(grpc::encode_timeout(30s) == "30000000u");
  CHECK(grpc::encode_timeout(300s) == "300000m");
  CHECK(grpc::encode_timeout(100'000s) == "100000S");
  CHECK(grpc::encode_timeout(std::chrono::hours(24 * 365 * 100)) == "52560000M");
  CHECK(grpc::encode_timeout(std::chrono::nanoseconds::max()) == "2562048H");
  CHECK(grpc::encode_timeout(-5s) == "0n");
  for (std::chrono::nanoseconds d : {1ns, 999'000'000ns, 30'000'000'000ns, 5'400'000'000'000ns, 100'000'001ns})
    CHECK(grpc::decode_timeout(grpc::encode_timeout(d)) >= d);
  CHECK(grpc::decode_timeout("5S") == 5s);
  CHECK(grpc::decode_timeout("99999999H") == std::chrono::nanoseconds::max());  // past what a duration holds
  CHECK(grpc::decode_timeout("2562047H") == std::chrono::hours(2562047));
  CHECK(grpc::decode_timeout("123456789S") == -1ns);  // 9 digits
  CHECK(grpc::decode_timeout("5s") == -1ns);
  CHECK(grpc::decode_timeout("S") == -1ns);
}

TEST_CASE("grpc-message: percent-decoded, a stray percent kept", "[grpc]") {
  CHECK(grpc::decode_grpc_message("no%20such%20user") == "no such user");
  CHECK(grpc::decode_grpc_message("%E2%9C%93 done") == "\xE2\x9C\x93 done");
  CHECK(grpc::decode_grpc_message("100%") == "100%");
  CHECK(grpc::decode_grpc_message("50%zz") == "50%zz");
  CHECK(grpc::decode_grpc_message("%4") == "%4");
  CHECK(grpc::decode_grpc_message("") == "");
}

TEST_CASE("grpc status: 17 codes by name and number, and the mappings", "[grpc]") {
  CHECK(grpc::status_count == 17);
  CHECK(grpc::to_string(grpc::status_code::ok) == "OK");
  CHECK(grpc::to_string(grpc::status_code::deadline_exceeded) == "DEADLINE_EXCEEDED");
  CHECK(grpc::to_string(grpc::status_code::unauthenticated) == "UNAUTHENTICATED");
  for (std::size_t i = 0; i < grpc::status_count; ++i) {
    const auto c = static_cast<grpc::status_code>(i);
    CHECK(grpc::status_named(grpc::to_string(c)) == c);
    CHECK(grpc::status_named(std::to_string(i)) == c);
    CHECK(grpc::parse_grpc_status(std::to_string(i)) == c);
  }
  CHECK(grpc::status_named("unavailable") == grpc::status_code::unavailable);
  CHECK(!grpc::status_named("17"));
  CHECK(!grpc::status_named("TIMEOUT"));
  CHECK(grpc::parse_grpc_status("99") == grpc::status_code::unknown);  // a code gRPC does not define
  CHECK(!grpc::parse_grpc_status(""));
  CHECK(!grpc::parse_grpc_status("1x"));

  CHECK(grpc::from_http_status(400) == grpc::status_code::internal);
  CHECK(grpc::from_http_status(401) == grpc::status_code::unauthenticated);
  CHECK(grpc::from_http_status(403) == grpc::status_code::permission_denied);
  CHECK(grpc::from_http_status(404) == grpc::status_code::unimplemented);
  for (unsigned s : {429u, 502u, 503u, 504u}) CHECK(grpc::from_http_status(s) == grpc::status_code::unavailable);
  CHECK(grpc::from_http_status(500) == grpc::status_code::unknown);
  CHECK(grpc::from_stream_reset(NGHTTP2_REFUSED_STREAM) == grpc::status_code::unavailable);
  CHECK(grpc::from_stream_reset(NGHTTP2_CANCEL) == grpc::status_code::cancelled);
  CHECK(grpc::from_stream_reset(NGHTTP2_ENHANCE_YOUR_CALM) == grpc::status_code::resource_exhausted);
  CHECK(grpc::from_stream_reset(NGHTTP2_INADEQUATE_SECURITY) == grpc::status_code::permission_denied);
  CHECK(grpc::from_stream_reset(NGHTTP2_PROTOCOL_ERROR) == grpc::status_code::internal);
  CHECK(grpc::from_transport(karga::http::error_kind::timeout) == grpc::status_code::deadline_exceeded);
  CHECK(grpc::from_transport(karga::http::error_kind::refused) == grpc::status_code::unavailable);
  CHECK(grpc::from_transport(karga::http::error_kind::goaway) == grpc::status_code::unavailable);
}

TEST_CASE("grpc gzip: a member round-trips, and cut, foreign or too long is refused", "[grpc]") {
  const std::string text = std::string(10000, 'a') + "tail";
  const std::string z = grpc::gzip_compress(text);
  CHECK(z.size() < 200);
  CHECK(static_cast<unsigned char>(z[0]) == 0x1f);  // gzip's magic
  CHECK(static_cast<unsigned char>(z[1]) == 0x8b);
  std::string out;
  CHECK(grpc::gzip_decompress(z, out, text.size()));
  CHECK(out == text);
  CHECK(!grpc::gzip_decompress(z, out, text.size() - 1));
  CHECK(!grpc::gzip_decompress(z.substr(0, z.size() / 2), out, 1 << 20));
  CHECK(!grpc::gzip_decompress("not gzip at all", out, 1 << 20));
  CHECK(grpc::gzip_decompress(grpc::gzip_compress(""), out, 0));
  CHECK(out.empty());
}

TEST_CASE("grpc channel: targets and methods refused with a sentence", "[grpc]") {
  CHECK(error_message([] { grpc::channel("ftp://127.0.0.1:1"); }) ==
        "karga: a gRPC target is host:port, http://host:port or https://host:port, not \"ftp://127.0.0.1:1\"");
  const grpc::channel ch("127.0.0.1:9");
  const std::string_view one[] = {"x"};
  CHECK(error_message([&] { ch.prepare(grpc::call_kind::unary, "NoSlash", one); }) ==
        "karga: a gRPC method is \"package.Service/Method\", not \"NoSlash\"");
  CHECK(error_message([&] { ch.prepare(grpc::call_kind::unary, "/a.B/", one); }) ==
        "karga: a gRPC method is \"package.Service/Method\", not \"a.B/\"");
  CHECK(error_message([&] { ch.prepare(grpc::call_kind::unary, "a.B/C", {}); }) ==
        "karga: a unary call sends exactly one message, not 0");
  grpc::call_options o;
  o.metadata.emplace_back("te", "gzip");
  CHECK(error_message([&] { ch.prepare(grpc::call_kind::unary, "a.B/C", one, o); }) ==
        "karga: metadata \"te\" is set by the call itself");
  o.metadata = {{"x-token", "abc\r\nInjected: 1"}};
  CHECK(error_message([&] { ch.prepare(grpc::call_kind::unary, "a.B/C", one, o); }) != "no error");
  grpc::call_options small;
  small.max_send = 1;
  CHECK(error_message([&] { ch.prepare(grpc::call_kind::unary, "a.B/C", one, small); }) == "no error");  // "x": 1 byte
  const std::string_view longer[] = {"x", "xy"};
  CHECK(error_message([&] { ch.prepare(grpc::call_kind::client_streaming, "a.B/C", longer, small); }) ==
        "karga: a request message of 2 bytes is over the send limit of 1");

  // What goes on the wire: the method's path, gRPC's fields, the framed messages.
  grpc::call_options z;
  z.compress = true;
  z.deadline = 250ms;
  z.metadata.emplace_back("x-tenant", "7");
  const std::string_view two[] = {"first", "second"};
  const auto p = ch.prepare(grpc::call_kind::client_streaming, "/pkg.Svc/Up", two, z);
  CHECK(p.path() == "/pkg.Svc/Up");
  CHECK(p.messages() == 2);
  std::vector<std::string> fields;
  for (const auto& f : p.request().h2_form().fields) fields.push_back(f.name + ": " + f.value);
  for (const char* want : {":method: POST", ":path: /pkg.Svc/Up", "content-type: application/grpc", "te: trailers",
                           "grpc-timeout: 250000u", "grpc-encoding: gzip", "x-tenant: 7"})
    CHECK(std::find(fields.begin(), fields.end(), want) != fields.end());
  // No deadline, no grpc-timeout (a server arms a timer for each call that has one).
  const auto plain = ch.prepare(grpc::call_kind::unary, "a.B/C", one);
  for (const auto& f : plain.request().h2_form().fields) CHECK(f.name != "grpc-timeout");
  grpc::message_reader r;
  std::vector<std::string> sent;
  r.feed(p.request().h2_form().body, [&](std::string_view m, bool compressed) {
    CHECK(compressed);
    std::string plain;
    CHECK(grpc::gzip_decompress(m, plain, 100));
    sent.push_back(plain);
  });
  CHECK(sent == std::vector<std::string>{"first", "second"});
}

TEST_CASE("grpc stream_call: written as it goes, a message over max_send ends it RESOURCE_EXHAUSTED, misuse says so", "[grpc]") {
  // Nothing listens on port 9: the stream never opens, so what the call comes to is
  // decided here, exactly.
  boost::asio::io_context io;
  const grpc::channel ch("127.0.0.1:9");
  grpc::call_options o;
  o.max_send = 4;
  std::optional<grpc::call_result> over, refused;
  std::optional<std::string> read_after_end{"not read"};
  std::string write_after_done, after_finish;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        auto call = co_await ch.open(grpc::call_kind::bidi_streaming, "a.B/C", o);
        co_await call.write("abcd");   // 4 bytes: taken
        co_await call.write("abcde");  // 5: over, and the call ends
        co_await call.write("ab");     // after the end: not sent
        CHECK(call.ended());
        over = co_await call.finish();
        after_finish = error_message([&] { call.writes_done(); });

        auto plain = co_await ch.open(grpc::call_kind::client_streaming, "a.B/C");
        co_await plain.write("hello");
        plain.writes_done();
        try {
          co_await plain.write("late");
        } catch (const karga::error& e) {
          write_after_done = e.what();
        }
        read_after_end = co_await plain.read();  // the answer never came: none
        refused = co_await plain.finish();
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run();
  REQUIRE(over);
  CHECK(over->code == grpc::status_code::resource_exhausted);
  CHECK(over->message == "a request message of 5 bytes is over the send limit of 4");
  CHECK(over->messages_sent == 1);
  CHECK(after_finish == "karga: stream_call::writes_done after finish (or on a moved-from call)");
  REQUIRE(refused);
  CHECK(refused->code == grpc::status_code::unavailable);
  CHECK(refused->messages_sent == 1);
  CHECK(refused->messages_received == 0);
  CHECK(write_after_done == "karga: stream_call::write after writes_done");
  CHECK(!read_after_end);
}

TEST_CASE("grpc aggregate: calls by status, messages, first-message times and gaps, merged and in results files", "[grpc][results]") {
  grpc::aggregate a, b;
  a.consume(grpc::metric{2ms, grpc::status_code::ok, 1, 3, 30, 1ms, {100us, 300us}, {}});
  a.consume(grpc::metric{5ms, grpc::status_code::unavailable, 1, 0, 0, -1ns, {}, "Connection refused"});
  b.consume(grpc::metric{1ms, grpc::status_code::unavailable, 1, 0, 0, -1ns, {}, "later"});
  b.consume(grpc::metric{3ms, grpc::status_code::deadline_exceeded, 4, 1, 10, 2ms, {}, "the deadline passed (3ms)"});
  a.merge(b);
  CHECK(a.code_count(grpc::status_code::ok) == 1);
  CHECK(a.code_count(grpc::status_code::unavailable) == 2);
  CHECK(a.first_message_of(grpc::status_code::unavailable) == "Connection refused");
  CHECK(a.errors_named("UNAVAILABLE") == 2);
  CHECK(a.errors_named("deadline_exceeded") == 1);
  CHECK(!a.errors_named("timeout"));
  CHECK(a.messages_sent() == 7);
  CHECK(a.messages_received() == 4);
  CHECK(a.time_to_first_message().count() == 2);
  CHECK(a.time_to_first_message().min() == 1'000'000);
  CHECK(a.message_gaps().count() == 2);
  CHECK(a.message_gaps().max() == 300'000);
  CHECK(a.basic().ok() == 1);
  CHECK(a.basic().failed() == 3);

  const grpc::report r(a);
  REQUIRE(r.codes.size() == 3);
  CHECK(r.codes[0] == std::pair{grpc::status_code::ok, std::uint64_t{1}});
  CHECK(r.codes[1] == std::pair{grpc::status_code::deadline_exceeded, std::uint64_t{1}});
  CHECK(r.codes[2] == std::pair{grpc::status_code::unavailable, std::uint64_t{2}});
  const std::string text = format_report(r);
  CHECK(text.find("grpc status     OK×1 DEADLINE_EXCEEDED×1 UNAVAILABLE×2") != std::string::npos);
  CHECK(text.find("first UNAVAILABLE: Connection refused") != std::string::npos);
  const std::string json = karga::format_json(r);
  CHECK(json.find(R"("grpc":{"statuses":{"OK":1,"DEADLINE_EXCEEDED":1,"UNAVAILABLE":2})") != std::string::npos);

  // Thresholds: calls by status, and the answers' timing by name.
  const std::vector<karga::threshold> slo{
      karga::threshold::parse("errors(UNAVAILABLE) == 2"), karga::threshold::parse("msg.p(99) < 200us"),
      karga::threshold::parse("msg.max <= 300us"), karga::threshold::parse("first_msg.min == 1ms"),
      karga::threshold::parse("first_msg.p(50) < 1ms"), karga::threshold::parse("rows.p(99) < 1s"),
      karga::threshold::parse("status(UNAVAILABLE) == 2"), karga::threshold::parse("status( ok ) == 1"),
      karga::thresholds::status("Deadline_Exceeded") == 0, karga::threshold::parse("status(NOPE) == 0")};
  const auto verdicts = karga::evaluate(slo, a);
  REQUIRE(verdicts.size() == 10);
  CHECK(verdicts[0].passed);
  CHECK(!verdicts[1].passed);  // the gaps' p99 is the 300 µs one
  CHECK(verdicts[1].expression == "msg.p(99) < 200us");  // as written
  CHECK(verdicts[1].observed == Approx(300'000).epsilon(0.001));
  CHECK(verdicts[2].passed);
  CHECK(verdicts[3].passed);
  CHECK(!verdicts[4].passed);
  CHECK(verdicts[5].observed_text == "not measured by this run");
  CHECK(verdicts[6].passed);
  CHECK(verdicts[7].passed);
  CHECK(verdicts[7].expression == "status( ok ) == 1");
  CHECK(!verdicts[8].passed);  // one call ended DEADLINE_EXCEEDED
  CHECK(verdicts[8].expression == "status(Deadline_Exceeded) == 0");
  CHECK(verdicts[8].observed == 1);
  CHECK(verdicts[9].observed_text == "not measured by this run");  // no status of that name
  CHECK(error_message([] { karga::threshold::parse("msg.ok < 3"); }) ==
        "karga: bad threshold \"msg.ok < 3\": msg. goes with a latency: msg.p(99), msg.max");
  // A named latency with nothing in it (unary calls have no gaps) is not measured, not passed.
  grpc::aggregate unary;
  unary.consume(grpc::metric{2ms, grpc::status_code::ok, 1, 1, 3, 1ms, {}, {}});
  CHECK(karga::evaluate({karga::threshold::parse("msg.p(99) < 1s")}, unary)[0].observed_text == "not measured by this run");
  // An aggregate without named latencies does not measure them.
  CHECK(!karga::threshold::parse("msg.p(99) < 1s").observe(karga::basic_aggregate{}));
  CHECK(karga::threshold::parse("p(99.9) < 1.5s").expression() == "p(99.9) < 1.5s");

  CHECK(karga::decode_results<grpc::aggregate>(karga::encode_results(a)) == a);
  // Figures that do not add up are refused, not merged.
  auto bytes = karga::encode_results(a);
  CHECK(error_message([&] { karga::decode_results<karga::http::aggregate>(bytes); }).find("karga.grpc.aggregate") !=
        std::string::npos);
}

namespace {

TEST_CASE("karga-grpc placeholders: {n}, {shard} and {uuid} filled in, any other brace kept", "[grpc]") {
  using karga_tools::placeholder_text;
  karga::context c;
  c.arrival = 42;
  c.shard = 1;
  CHECK(placeholder_text("{n}-{shard}").render(c) == "42-1");
  CHECK(placeholder_text(R"({"id": {n}, "tag": "s{shard}"})").render(c) == R"({"id": 42, "tag": "s1"})");
  CHECK(placeholder_text("{n").render(c) == "{n");
  CHECK(placeholder_text("{x}{}{{n}}").render(c) == "{x}{}{42}");
  CHECK(placeholder_text("").render(c).empty());
  CHECK_FALSE(placeholder_text(R"({"name": "ada"})").varies());
  CHECK(placeholder_text("a{uuid}").varies());
  // A version 4 UUID, a new one each time.
  const placeholder_text id("{uuid}");
  const std::string a = id.render(c), b = id.render(c);
  REQUIRE(a.size() == 36);
  CHECK(a[8] == '-');
  CHECK(a[13] == '-');
  CHECK(a[14] == '4');
  CHECK(std::string_view("89ab").find(a[19]) != std::string_view::npos);
  CHECK(a != b);
}

} // namespace
