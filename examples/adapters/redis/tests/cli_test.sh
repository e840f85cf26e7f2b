#!/usr/bin/env bash
# karga-redis from the command line: --version, usage errors in one line (exit 2),
# and a pipelined run whose report (--out json) and exit status agree with the
# server's own counts.
#   cli_test.sh KARGA_REDIS REDIS_SERVER REDIS_CLI VERSION
set -uo pipefail
karga=$1 server_bin=$2 cli=$3 version=$4
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$server_bin" --port "$port" --bind 127.0.0.1 --save "" --appendonly no --logfile /dev/null --dir "$dir" &
server=$!
trap 'kill -9 $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 200); do [[ $("$cli" -p "$port" PING 2>/dev/null) == PONG ]] && break; sleep 0.05; done
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

out=$("$karga" --version) || fail "--version exit $?"
[[ $out =~ ^karga-redis\ $version\ \(karga\ [0-9]+\.[0-9]+\.[0-9]+\)$ ]] || fail "--version said \"$out\""

usage() {  # usage MESSAGE ARG...
  local message=$1
  shift
  local err code
  err=$("$karga" "$@" 2>&1 >/dev/null)
  code=$?
  [[ $code == 2 && $(wc -l <<<"$err") == 1 && $err == *"$message"* ]] ||
    fail "karga-redis $* -> exit $code, \"$err\" (wanted exit 2 and \"$message\")"
}
usage '"fetch" is not a command this workload sends (ping, set, get' --command fetch --iterations 1
usage '--pipeline: "0" must be at least 1' --pipeline 0
usage '--server: "6379" is not HOST:PORT' --server 6379
usage 'cannot resolve the Redis server "no.such.host.invalid"' --server no.such.host.invalid:6379 --iterations 1
usage '--rate needs --duration' --rate 100

"$karga" --server 127.0.0.1:"$port" --command incr --iterations 5000 --connections 4 --pipeline 8 --threads 2 \
  --out json="$dir/r.json" >"$dir/out.txt"
code=$?
[[ $code == 0 ]] || fail "the run exited $code: $(cat "$dir/out.txt")"
[[ $("$cli" -p "$port" GET counter:0) == 5000 ]] || fail "the counter is $("$cli" -p "$port" GET counter:0), not 5000"
calls=$("$cli" -p "$port" INFO commandstats | tr -d '\r' | sed -n 's/^cmdstat_incr:calls=\([0-9]*\),.*/\1/p')
[[ $calls == 5000 ]] || fail "the server ran INCR $calls times, not 5000"
python3 - "$dir/r.json" <<'PY' || fail "the JSON report: $(cat "$dir/r.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["ok"] == 5000 and r["failed"] == 0, r
assert r["redis"]["commands"]["INCR"]["count"] == 5000, r["redis"]
assert r["karga"]["version"], r["karga"]
PY

"$karga" --server 127.0.0.1:"$port" --command lpop --iterations 10 --threshold 'errors(WRONGTYPE)==0' >"$dir/out.txt"
[[ $? == 0 ]] || fail "lpop on an empty list (nil replies) did not pass: $(cat "$dir/out.txt")"
"$cli" -p "$port" SET mylist:0 text >/dev/null
"$karga" --server 127.0.0.1:"$port" --command lpop --iterations 10 --threshold 'errors(WRONGTYPE)==0' >"$dir/out.txt"
code=$?
[[ $code == 99 ]] || fail "a failed threshold exited $code, not 99"
grep -q "10 × WRONGTYPE" "$dir/out.txt" || fail "the report does not count the WRONGTYPE replies: $(cat "$dir/out.txt")"

((failures == 0)) && echo "karga-redis: version, usage errors, counts equal to the server's"
exit $((failures != 0))
