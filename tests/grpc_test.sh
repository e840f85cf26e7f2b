#!/usr/bin/env bash
# karga-grpc against gRPC servers built on the official implementations, on
# loopback: one on the gRPC C++ library (tests/grpc_probe_server.cpp, Debian's
# libgrpc++) and one on Python's grpcio (tests/grpc_server.py), serving the same
# methods with the same meaning; every case below runs against each. The server counts
# what it serves; karga's report must equal it:
# - unary at 2,000/s for 5 s, starting on a whole second: the server counts exactly
#   10,000 calls, and up to the end of each whole second 2,000 a second ± 1 %;
# - a server stream of 100 messages × 1,000 calls: 100,000 messages on both sides;
#   client streams (5 messages) and bidi streams (7) likewise, sent at once or written
#   at a pace (--stream-interval: the answers' gaps are the pace);
# - {n} in a message, {uuid} in metadata, filled in for each call;
# - a method answering each of the 17 status codes in turn, 17 × 20 calls: each
#   count exact, by name; a deadline passed, a message over the limit, a method the
#   server lacks, a refused port, gzip, TLS with and without the certificate trusted;
# - the server killed 2 s into a 6 s run and restarted 2 s later: every call is
#   accounted for, ok or UNAVAILABLE, and the server served no more than karga saw ok;
# - two processes (--segment I/2) merged by karga-merge: the statuses add up;
# - a server on python3-h2 answering wrongly (tests/grpc_faults.py): a bad prefix, a
#   message cut short, no grpc-status, HTTP 503, HTML, RST_STREAM, GOAWAY, never
#   answering, two messages to a unary call: each its status and its sentence.
# - --proto, --protoset and --reflect (libgrpc++'s reflection service, v1alpha; the
#   Python server's, v1 alone): JSON in, the greeter's protobuf on the wire, counted by
#   name at the server; a symbol the service lacks is named with the server's answer;
# - examples/grpc.cpp (--quick) against the Python server's greeter: every call OK.
#   grpc_test.sh KARGA_GRPC KARGA_MERGE SOURCE_DIR [--cpp-server PATH] [--example PATH]
set -uo pipefail
karga=$1
merge=$2
src=$3
shift 3
cpp_server= example=
while (($#)); do
  case $1 in
    --cpp-server) cpp_server=$2 ;;
    --example) example=$2 ;;
  esac
  shift 2
done
py=/usr/bin/python3
$py -c "import grpc, h2" 2>/dev/null || { echo "SKIP: Debian's python3-grpcio or python3-h2 is not installed"; exit 0; }
dir=$(mktemp -d)
source "$src/tests/loopback.sh"
server_pid=
trap '[[ -n $server_pid ]] && kill $server_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
failures=0
fail() {
  echo "FAIL [$impl $case]: $*"
  failures=$((failures + 1))
}
impl=
start_server() {  # [ARGS...]: the server of $impl on $port
  rm -f "$dir/port"
  if [[ $impl == c++ ]]; then
    "$cpp_server" "$dir/port" "$@" >>"$dir/server.log" 2>&1 &
  else
    $py "$src/tests/grpc_server.py" "$dir/port" "$@" >>"$dir/server.log" 2>&1 &
  fi
  server_pid=$!
  for _ in $(seq 200); do
    [[ -s $dir/port ]] && { port=$(cat "$dir/port"); return 0; }
    sleep 0.05
  done
  echo "FAIL: the gRPC server did not start: $(cat "$dir/server.log")"
  exit 1
}
stop_server() {
  kill "$server_pid" 2>/dev/null
  wait "$server_pid" 2>/dev/null
  server_pid=
}
counters() { $py "$src/tests/grpc_server.py" --counters "$port"; }
reset() { $py "$src/tests/grpc_server.py" --reset "$port" >/dev/null; }
# json FILE EXPRESSION: EXPRESSION of the JSON report `r` (and `s`, the server's counts)
json() {
  $py -c "import json,sys; r=json.load(open(sys.argv[1])); s=json.loads(sys.argv[2]); print($2)" "$1" "${3:-{\}}"
}
run() {  # ARGS...: karga-grpc, its JSON report in $dir/r.json, its exit status in $code
  "$karga" "127.0.0.1:$port" --out json="$dir/r.json" "$@" >"$dir/out" 2>&1
  code=$?
}

case="usage"
expect() {  # MESSAGE ARG...: exit status 2 and one line saying MESSAGE
  local message=$1 out code
  shift
  out=$(timeout 10 "$karga" "$@" 2>&1 >/dev/null)
  code=$?
  [[ $code == 2 && $(wc -l <<<"$out") == 1 && $out == *"$message"* ]] ||
    fail "karga-grpc $* -> exit $code, \"$out\" (wanted exit 2 and \"$message\")"
}
expect 'a gRPC method is "package.Service/Method", not "Unary"' 127.0.0.1:9 --call Unary
expect 'a gRPC method is "package.Service/Method", not "a/b/c"' 127.0.0.1:9 --call a/b/c
expect '--call is required' 127.0.0.1:9
expect '--stream: "both" is not a kind of stream: server, client or bidi' 127.0.0.1:9 --call a.B/C --stream both
expect '--stream-messages goes with a client or bidi stream (--stream client or --stream bidi)' 127.0.0.1:9 --call a.B/C --stream-messages 3
expect '--stream-interval goes with a client or bidi stream (--stream client or --stream bidi)' 127.0.0.1:9 --call a.B/C --stream server --stream-interval 1ms
expect 'a gRPC target is host:port, http://host:port or https://host:port, not "ftp://x:1"' ftp://x:1 --call a.B/C
expect 'metadata "grpc-timeout" is set by the call itself' 127.0.0.1:9 --call a.B/C -m 'grpc-timeout: 1S'
expect '--data-file: "/nonexistent" cannot be read' 127.0.0.1:9 --call a.B/C --data-file /nonexistent
expect 'a request message of 5 bytes is over the send limit of 4' 127.0.0.1:9 --call a.B/C -d hello --max-send 4
expect 'a request message of 5 bytes is over the send limit of 4' 127.0.0.1:9 --call a.B/C --stream bidi -d a -d hello \
  --max-send 4 --stream-interval 1ms
expect 'cannot resolve "no-such-host.invalid"' no-such-host.invalid:50051 --call a.B/C

# Every case against the server of $impl.
server_cases() {
start_server --port "$(free_port)"

case="unary 2000/s"
reset
at=$(($(date +%s) + 2))
run --call test.Probe/Unary -d hello --rate 2000 --duration 5s --start-at $at
s=$(counters)
[[ $code == 0 ]] || fail "exit status $code: $(cat "$dir/out")"
[[ $(json "$dir/r.json" "s['methods']['Unary']['calls'], r['ok'], r['grpc']['statuses'].get('OK')" "$s") == "10000 10000 10000" ]] ||
  fail "server and karga disagree: $(json "$dir/r.json" "s['methods'], r['ok'], r['grpc']" "$s")"
seconds=$(json "$dir/r.json" "' '.join(str(s['seconds'].get(str($at + i), 0)) for i in range(5))" "$s")
# Counted at the server, as it reads them: a server that stalls (a busy machine) moves
# calls from one second to the next, so the check is on the calls up to each second's
# end, within 1 % of 2,000 a second.
total=0 k=0
for n in $seconds; do
  total=$((total + n)) k=$((k + 1))
  ((total * 100 >= 2000 * k * 99 && total * 100 <= 2000 * k * 101)) ||
    fail "the first $k s held $total calls, not $((2000 * k)) ± 1 %: $seconds"
done
echo "$impl unary: 10,000 calls on both sides; each whole second at the server: $seconds"

case="server stream"
reset
run --call test.Probe/ServerStream --stream server -d 100 --iterations 1000 --connections 2 --streams 8
s=$(counters)
[[ $code == 0 ]] || fail "exit status $code: $(cat "$dir/out")"
[[ $(json "$dir/r.json" "s['methods']['ServerStream']['calls'], s['methods']['ServerStream']['sent'], r['grpc']['messages']['received'], r['grpc']['message_gaps_ns']['count'], r['grpc']['time_to_first_message_ns']['count']" "$s") == "1000 100000 100000 99000 1000" ]] ||
  fail "$(json "$dir/r.json" "s['methods'], r['grpc']['messages'], r['grpc']['message_gaps_ns']['count']" "$s")"

case="client stream"
reset
run --call test.Probe/ClientStream --stream client -d a -d b --stream-messages 5 --iterations 200
s=$(counters)
[[ $(json "$dir/r.json" "r['ok'], s['methods']['ClientStream']['received'], r['grpc']['messages']['sent'], r['grpc']['messages']['received']" "$s") == "200 1000 1000 200" ]] ||
  fail "$(json "$dir/r.json" "s['methods'], r['grpc']['messages']" "$s")"

case="bidi stream"
reset
run --call test.Probe/Bidi --stream bidi -d a --stream-messages 7 --iterations 200
s=$(counters)
[[ $(json "$dir/r.json" "r['ok'], s['methods']['Bidi']['received'], s['methods']['Bidi']['sent'], r['grpc']['messages']['sent'], r['grpc']['messages']['received']" "$s") == "200 1400 1400 1400 1400" ]] ||
  fail "$(json "$dir/r.json" "s['methods'], r['grpc']['messages']" "$s")"

case="streams written at a pace"
# --stream-interval: each message 20 ms after the one before, on an open stream. The
# server echoes each as it comes, so the answers' gaps are the pace (they bunch up,
# microseconds apart, if the messages were held back), and a call lasts at least the
# four pauses. Two callers, ten calls each: what a call writes before its connection
# is open goes at once, so only the first two may bunch up on a slow start.
reset
run --call test.Probe/Bidi --stream bidi -d a -d b --stream-messages 5 --stream-interval 20ms --iterations 20 --connections 1 \
  --streams 2 --threads 1
s=$(counters)
[[ $(json "$dir/r.json" "r['ok'], s['methods']['Bidi']['received'], s['methods']['Bidi']['sent'], r['grpc']['messages']['sent'], r['grpc']['messages']['received'], r['grpc']['message_gaps_ns']['count']" "$s") == "20 100 100 100 100 80" ]] ||
  fail "$(json "$dir/r.json" "s['methods'], r['grpc']['messages']" "$s")"
[[ $(json "$dir/r.json" "r['grpc']['message_gaps_ns']['p50'] >= 10e6 and r['latency_ns']['min'] >= 80e6") == True ]] ||
  fail "not at the pace: $(json "$dir/r.json" "r['grpc']['message_gaps_ns'], r['latency_ns']['min']")"
reset
run --call test.Probe/ClientStream --stream client -d a --stream-messages 4 --stream-interval 10ms --iterations 10
s=$(counters)
[[ $(json "$dir/r.json" "r['ok'], s['methods']['ClientStream']['received'], r['grpc']['messages']['sent'], r['grpc']['messages']['received'], r['latency_ns']['min'] >= 30e6" "$s") == "10 40 40 10 True" ]] ||
  fail "$(json "$dir/r.json" "s['methods'], r['grpc']['messages'], r['latency_ns']['min']" "$s")"

case="placeholders"
# {n}: Big answers as many bytes as its request says, and one caller makes calls 0 to 9
# in turn, so the answers hold 0 + 1 + … + 9 = 45 bytes; {uuid} in metadata.
reset
run --call test.Probe/Big -d '{n}' -m 'x-request-id: {uuid}' --iterations 10 --connections 1 --streams 1 --threads 1
[[ $(json "$dir/r.json" "r['ok'], r['bytes']") == "10 45" ]] || fail "$(json "$dir/r.json" "r['ok'], r['bytes'], r['grpc']")"

case="17 statuses"
reset
run --call test.Probe/Status --iterations 340 --connections 2
names="OK CANCELLED UNKNOWN INVALID_ARGUMENT DEADLINE_EXCEEDED NOT_FOUND ALREADY_EXISTS PERMISSION_DENIED RESOURCE_EXHAUSTED FAILED_PRECONDITION ABORTED OUT_OF_RANGE UNIMPLEMENTED INTERNAL UNAVAILABLE DATA_LOSS UNAUTHENTICATED"
got=$(json "$dir/r.json" "' '.join(f'{k}={v}' for k, v in r['grpc']['statuses'].items())")
want=$(for n in $names; do printf '%s=20 ' "$n"; done)
[[ "$got " == "$want" ]] || fail "statuses: $got"
[[ $(json "$dir/r.json" "r['grpc']['first_messages']['DATA_LOSS']") == "status 15" ]] || fail "first message of DATA_LOSS"
[[ $code == 1 ]] || fail "exit status $code, not 1 (calls failed)"
grep -q "grpc status     OK×20 CANCELLED×20" "$dir/out" || fail "the summary: $(cat "$dir/out")"
# status(NAME) and errors(NAME) thresholds count calls by status.
run --call test.Probe/Status --iterations 34 --connections 1 --threshold "status(UNAVAILABLE) == 2" \
  --threshold "status(OK) == 2" --threshold "errors(deadline_exceeded) < 2"
[[ $code == 99 ]] || fail "exit status $code, not 99 (errors(deadline_exceeded) < 2 fails)"
[[ $(json "$dir/r.json" "[t['passed'] for t in r['thresholds']]") == "[True, True, False]" ]] || fail "$(json "$dir/r.json" "r['thresholds']")"

case="deadline"
# The server knows the deadline too (grpc-timeout): on a busy machine its own timer may
# end the call first, with its words; either way the call ends DEADLINE_EXCEEDED.
run --call test.Probe/Sleep -d 400 --deadline 100ms --iterations 10 --connections 10
[[ $(json "$dir/r.json" "r['grpc']['statuses'], r['grpc']['first_messages']['DEADLINE_EXCEEDED'] in ('the deadline passed (100ms)', 'Deadline Exceeded')") == "{'DEADLINE_EXCEEDED': 10} True" ]] ||
  fail "$(json "$dir/r.json" "r['grpc']")"
[[ $(json "$dir/r.json" "r['latency_ns']['max'] < 300e6") == True ]] || fail "a call outlived its deadline"
run --call test.Probe/Sleep -d 400 --timeout 100ms --iterations 3 --connections 3
[[ $(json "$dir/r.json" "r['grpc']['statuses'], r['grpc']['first_messages']") == "{'DEADLINE_EXCEEDED': 3} {'DEADLINE_EXCEEDED': \"no answer within the channel's timeout (100ms)\"}" ]] ||
  fail "$(json "$dir/r.json" "r['grpc']")"

case="message too large"
run --call test.Probe/Big -d 5000 --max-receive 4000 --iterations 3
[[ $(json "$dir/r.json" "r['grpc']['statuses'], r['grpc']['first_messages']") == "{'RESOURCE_EXHAUSTED': 3} {'RESOURCE_EXHAUSTED': 'an answer message of 5000 bytes is over the limit of 4000'}" ]] ||
  fail "$(json "$dir/r.json" "r['grpc']")"
run --call test.Probe/Big -d 4000 --max-receive 4000 --iterations 3
[[ $(json "$dir/r.json" "r['grpc']['statuses'], r['bytes']") == "{'OK': 3} 12000" ]] || fail "$(json "$dir/r.json" "r['grpc'], r['bytes']")"

case="no such method"
run --call test.Probe/Absent --iterations 3
[[ $(json "$dir/r.json" "r['grpc']['statuses']") == "{'UNIMPLEMENTED': 3}" ]] || fail "$(json "$dir/r.json" "r['grpc']")"

case="reflection"
if "$karga" --help | grep -q -- --reflect; then
  if [[ $impl == c++ ]]; then  # libgrpc++'s reflection service (v1alpha) describes its greeter
    reset
    run --call helloworld.Greeter/SayHello --reflect -d '[{"name": "ref"}, {"name": "lex"}]' --iterations 6
    [[ $(counters) == *'"SayHello lex": {"calls": 3, '*'"SayHello ref": {"calls": 3, '* ]] || fail "$(counters)"
    expect "is no method of the schema given's service helloworld.Greeter" "127.0.0.1:$port" --call helloworld.Greeter/Nope --reflect
    expect "--reflect: the server's reflection service has no symbol nowhere.Service: NOT_FOUND: Symbol not found." \
      "127.0.0.1:$port" --call nowhere.Service/Method --reflect
  else  # grpcio without its reflection package
    expect "--reflect: the server's reflection service answered UNIMPLEMENTED" "127.0.0.1:$port" \
      --call helloworld.Greeter/SayHello --reflect
  fi
fi

case="gzip"
reset
run --call test.Probe/Unary --gzip -d "$(head -c 3000 /dev/zero | tr '\0' z)" --iterations 20
s=$(counters)
[[ $(json "$dir/r.json" "r['grpc']['statuses'], s['methods']['Unary']['calls']" "$s") == "{'OK': 20} 20" ]] ||
  fail "$(json "$dir/r.json" "r['grpc'], s" "$s")"

case="refused"
"$karga" "127.0.0.1:$(free_port)" --call test.Probe/Unary --iterations 3 --out json="$dir/r.json" >/dev/null 2>&1
[[ $(json "$dir/r.json" "r['grpc']['statuses'], r['grpc']['first_messages']") == "{'UNAVAILABLE': 3} {'UNAVAILABLE': 'Connection refused'}" ]] ||
  fail "$(json "$dir/r.json" "r['grpc']")"

case="server restarted"
reset
"$karga" "127.0.0.1:$port" --out json="$dir/r.json" --call test.Probe/Unary -d x --rate 200 --duration 6s \
  --deadline 1s >"$dir/out" 2>&1 &
karga_pid=$!
sleep 2
stop_server
sleep 2
start_server --port "$port"
wait $karga_pid
code=$?
s=$(counters)
read -r started ok unavailable other served < <(json "$dir/r.json" "r['started'], r['ok'], r['grpc']['statuses'].get('UNAVAILABLE', 0), sum(v for k, v in r['grpc']['statuses'].items() if k not in ('OK', 'UNAVAILABLE')), s['methods'].get('Unary', {}).get('calls', 0)" "$s" | tr -d '(),')
[[ $code == 1 ]] || fail "exit status $code, not 1"
((started == 1200 && ok + unavailable == 1200 && other == 0)) ||
  fail "started $started: ok $ok + UNAVAILABLE $unavailable (+ $other others) do not account for every call"
((unavailable >= 200 && ok >= 200 && served <= ok)) || fail "ok $ok, UNAVAILABLE $unavailable, the restarted server served $served"
echo "$impl restart: $ok ok, $unavailable UNAVAILABLE of 1,200; the restarted server served $served"

case="segments"
for i in 0 1; do
  "$karga" "127.0.0.1:$port" --call test.Probe/Status --rate 170 --duration 1s --segment $i/2 \
    --out results="$dir/seg$i.karga" >/dev/null 2>&1
done
"$merge" "$dir/seg0.karga" "$dir/seg1.karga" --out json="$dir/m.json" >"$dir/merge.out" 2>&1
[[ $(json "$dir/m.json" "r['started'], sum(r['grpc']['statuses'].values()), len(r['grpc']['statuses'])") == "170 170 17" ]] ||
  fail "merged: $(cat "$dir/merge.out")"

case="tls"
stop_server
start_server --tls "$dir/cert.pem" "$dir/key.pem"
"$karga" "https://127.0.0.1:$port" --cacert "$dir/cert.pem" --call test.Probe/Unary -d hi --iterations 50 \
  --out json="$dir/r.json" >"$dir/out" 2>&1
[[ $(json "$dir/r.json" "r['grpc']['statuses']") == "{'OK': 50}" ]] || fail "trusted: $(cat "$dir/out")"
"$karga" "https://127.0.0.1:$port" --call test.Probe/Unary --iterations 2 --out json="$dir/r.json" >"$dir/out" 2>&1
[[ $(json "$dir/r.json" "r['grpc']['statuses']") == "{'UNAVAILABLE': 2}" ]] || fail "untrusted: $(cat "$dir/out")"
grep -q "certificate verify failed" "$dir/out" || fail "untrusted, the reason: $(cat "$dir/out")"
stop_server
}

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/key.pem" -out "$dir/cert.pem" -days 1 -subj /CN=127.0.0.1 \
  -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1
if [[ -n $cpp_server ]]; then
  impl=c++
  server_cases
else
  echo "(no server on the gRPC C++ library was given: Debian's libgrpc++-dev was not there at configure time)"
fi
impl=python
server_cases

# --proto and --protoset: JSON in, the greeter's protobuf on the wire.
if "$karga" --help | grep -q -- --proto; then
  case="proto"
  start_server
  reset
  run --call helloworld.Greeter/SayHello --proto "$src/tests/greeter.proto" -d '[{"name": "ada"}, {"name": "bob"}]' \
    -d '{"name": "cy", "times": 3}' --iterations 30 --connections 1 --streams 1
  s=$(counters)
  [[ $(json "$dir/r.json" "r['ok'], s['methods']['SayHello ada']['calls'], s['methods']['SayHello bob']['calls'], s['methods']['SayHello cy']['calls']" "$s") == "30 10 10 10" ]] ||
    fail "$(json "$dir/r.json" "r['grpc'], s['methods']" "$s")"
  if command -v protoc >/dev/null; then
    protoc -I "$src/tests" --include_imports --descriptor_set_out="$dir/greeter.protoset" "$src/tests/greeter.proto"
    reset
    run --call helloworld.Greeter/SayHello --protoset "$dir/greeter.protoset" -d '{"name": "dee"}' --iterations 5
    [[ $(counters) == *'"SayHello dee": {"calls": 5'* ]] || fail "protoset: $(counters)"
    # Reflection v1 (grpcio serving grpc.reflection.v1 alone): karga asks v1 first.
    case="reflection v1"
    stop_server
    start_server --reflect-v1 "$dir/greeter.protoset"
    run --call helloworld.Greeter/SayHello --reflect -d '{"name": "vee"}' --iterations 4
    s=$(counters)
    [[ $code == 0 && $(json "$dir/r.json" "s['methods']['SayHello vee']['calls'], s['methods']['ServerReflectionInfo v1']['calls'] >= 1" "$s") == "4 True" ]] ||
      fail "exit $code: $(cat "$dir/out"); $s"
    expect "is no method of the schema given's service helloworld.Greeter" "127.0.0.1:$port" --call helloworld.Greeter/Nope --reflect
    expect "--reflect: the server's reflection service has no symbol nowhere.Service: NOT_FOUND" "127.0.0.1:$port" \
      --call nowhere.Service/Method --reflect
  else
    fail "protoc is not installed (Debian: protobuf-compiler)"
  fi
  expect '-d: {"nom": "x"} is not a helloworld.HelloRequest' 127.0.0.1:9 --call helloworld.Greeter/SayHello \
    --proto "$src/tests/greeter.proto" -d '{"nom": "x"}'
  expect '--call: "helloworld.Greeter/SayBye" is no method of the schema given'"'"'s service helloworld.Greeter' 127.0.0.1:9 \
    --call helloworld.Greeter/SayBye --proto "$src/tests/greeter.proto"
  expect '--proto /nonexistent.proto: ' 127.0.0.1:9 --call a.B/C --proto /nonexistent.proto
  expect '--stream: with a schema, the method says how it streams' 127.0.0.1:9 --call a.B/C --proto x.proto --stream server
  printf 'syntax = "proto3";\nmessage A { strin x = 1; }\n' >"$dir/bad.proto"
  expect 'bad.proto:2:' 127.0.0.1:9 --call a.B/C --proto "$dir/bad.proto"
  stop_server
fi

if [[ -n $example ]]; then
  case="example"
  start_server
  out=$("$example" "127.0.0.1:$port" --quick 2>&1)
  code=$?
  [[ $code == 0 && $out == *"ok 375  failed 0"* && $out == *"grpc status     OK×375"* ]] ||
    fail "examples/grpc --quick: exit $code: $out"
  [[ $(counters) == *'"SayHello": {"calls": 375, "received": 375, "sent": 375}'* ]] || fail "the greeter counted $(counters)"
  stop_server
fi

case="faults"
impl=python-h2
rm -f "$dir/port"
$py "$src/tests/grpc_faults.py" "$dir/port" >>"$dir/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 200); do [[ -s $dir/port ]] && break; sleep 0.05; done
port=$(cat "$dir/port")
while IFS='|' read -r method status sentence; do
  run --call faults.F/$method --iterations 4 --connections 2 --deadline 300ms
  got=$(json "$dir/r.json" "r['grpc']['statuses'], r['grpc']['first_messages'].get('$status', '')")
  [[ $got == "{'$status': 4} $sentence" ]] || fail "$method: $got"
done <<'FAULTS'
Ok|OK|
NeverAnswers|DEADLINE_EXCEEDED|the deadline passed (300ms)
BadPrefix|INTERNAL|a message prefix whose flag is neither 0 nor 1
Truncated|INTERNAL|the stream ended within a message
NoStatus|INTERNAL|the answer ended without grpc-status
Http503|UNAVAILABLE|HTTP status 503
Html|UNKNOWN|the answer's content-type is "text/html", not application/grpc
Cancel|CANCELLED|stream reset: CANCEL
Calm|RESOURCE_EXHAUSTED|stream reset: ENHANCE_YOUR_CALM
GoAway|UNAVAILABLE|the server closed the connection
TwoMessages|INTERNAL|the answer to a call of one response carried 2 messages
Message|FAILED_PRECONDITION|not now: try later
FAULTS

((failures == 0)) || exit 1
echo "karga-grpc: every case passed"
