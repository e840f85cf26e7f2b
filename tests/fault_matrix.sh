#!/usr/bin/env bash
# karga-http against real loopback servers that misbehave: each case checks that
# every scheduled request has exactly one outcome (scheduled = ok + failed + dropped
# + interrupted), the errors are of the right kind, and the exit status.
#   fault_matrix.sh KARGA_HTTP KARGA_TARGET
set -uo pipefail
karga=$1
target=$2
dir=$(mktemp -d)
source "$(dirname "${BASH_SOURCE[0]}")/loopback.sh"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
failures=0
fail() {
  echo "FAIL [$case]: $*"
  failures=$((failures + 1))
}

# start_target NAME ARGS...: starts karga_target, sets $url.
start_target() {
  local name=$1
  shift
  "$target" "$@" >"$dir/$name.out" &
  pids+=($!)
  for _ in $(seq 100); do
    url=$(head -n 1 "$dir/$name.out" 2>/dev/null)
    [[ -n $url ]] && return
    sleep 0.05
  done
  echo "karga_target did not start"
  exit 1
}

# run WANTED_EXIT ARGS...: runs karga-http, checks the exit status and the outcome
# identity; leaves the report in $out.
run() {
  local wanted=$1
  shift
  out=$("$karga" "$@" 2>&1)
  local code=$?
  [[ $code == "$wanted" ]] || fail "exit $code, wanted $wanted: $out"
  check_identity
}

check_identity() {
  local scheduled ok failed dropped interrupted
  scheduled=$(sed -n 's/.*scheduled *\([0-9]*\) arrivals.*/\1/p; s/.*started *\([0-9]*\) iterations.*/\1/p' <<<"$out" | head -n 1)
  read -r ok failed dropped interrupted < <(sed -n 's/.*ok \([0-9]*\)  failed \([0-9]*\)  dropped \([0-9]*\)  interrupted \([0-9]*\).*/\1 \2 \3 \4/p' <<<"$out")
  if [[ -z $scheduled || -z $ok ]]; then
    fail "no report: $out"
    return
  fi
  ((scheduled == ok + failed + dropped + interrupted)) ||
    fail "scheduled $scheduled != ok $ok + failed $failed + dropped $dropped + interrupted $interrupted"
}
has() { grep -q -- "$1" <<<"$out" || fail "no \"$1\" in: $out"; }

start_target main
base=$url

case=healthy
run 0 "$base/" --rate 500 --duration 1s
has "ok 500  failed 0  dropped 0  interrupted 0"

case="never answers"
run 1 "$base/delay/100000" --rate 50 --duration 500ms --timeout 200ms
has "timeout×25"

case="answers late"
run 0 "$base/delay/300" --rate 50 --duration 500ms --timeout 2s
has "ok 25  failed 0"

case=resets
run 1 "$base/close" --rate 100 --duration 500ms
has "reset×50"

case=malformed
run 1 "$base/garbage" --rate 100 --duration 500ms
has "protocol×50"

case="cut short"
run 1 "$base/truncate" --rate 100 --duration 500ms
has "reset×50"

case=HEAD
run 0 "$base/" -m HEAD --rate 100 --duration 1s --timeout 2s
has "ok 100  failed 0"
has "status          200×100"

case="closed model"
run 0 "$base/" --connections 4 --duration 500ms
has "iterations in"

case="idle-closing keep-alive"
start_target idle --idle-timeout 20
run 0 "$url/delay/5" --stage 0s:2000 --stage 100ms:2000 --stage 0s:0 --stage 300ms:0 --stage 0s:2000 --stage 100ms:2000
has "ok 400  failed 0"

case=IPv6
start_target ipv6 --ipv6
[[ $url == http://\[::1\]:* ]] || fail "not an IPv6 URL: $url"
run 0 "$url/" --rate 200 --duration 500ms
has "ok 100  failed 0"

case="killed and restarted mid-run"
port=$(free_port)
start_target restart1 --port $port
( sleep 1; kill "${pids[-1]}" ) &
( sleep 2; "$target" --port $port >"$dir/restart2.out" ) &
pids+=($!)
run 1 "http://127.0.0.1:$port/" --rate 200 --duration 3s --timeout 500ms
has "refused×"
ok=$(sed -n 's/.*ok \([0-9]*\)  failed.*/\1/p' <<<"$out")
((ok >= 200)) || fail "only $ok ok around the restart"
pkill -f "$target --port $port" 2>/dev/null

case="HTTP/2: healthy"
run 0 "$base/" --http2 --rate 500 --duration 1s
has "ok 500  failed 0  dropped 0  interrupted 0"
has "protocol        HTTP/2"

case="HTTP/2: never answers"
run 1 "$base/never" --http2 --rate 50 --duration 500ms --timeout 200ms
has "timeout×25"

case="HTTP/2: the server resets every stream"
run 1 "$base/reset" --http2 --rate 100 --duration 500ms
has "stream_reset×50"
has "first stream_reset: stream reset: INTERNAL_ERROR"

case="HTTP/2: the server refuses every other stream (sent again)"
run 0 "$base/refuse" --http2 --rate 100 --duration 500ms
has "ok 50  failed 0"

case="HTTP/2: killed and restarted mid-run"
port=$(free_port)
start_target h2restart1 --port $port
( sleep 1; kill "${pids[-1]}" ) &
( sleep 2; "$target" --port $port >"$dir/h2restart2.out" ) &
pids+=($!)
run 1 "http://127.0.0.1:$port/" --http2 --rate 200 --duration 3s --timeout 500ms --connect-timeout 200ms
has "refused×"
ok=$(sed -n 's/.*ok \([0-9]*\)  failed.*/\1/p' <<<"$out")
((ok >= 200)) || fail "only $ok ok around the restart"
pkill -f "$target --port $port" 2>/dev/null

case="Ctrl-C (SIGINT)"
"$karga" "$base/" --rate 100 --duration 30s >"$dir/int.out" 2>&1 &
k=$!
sleep 1
kill -INT $k
wait $k
code=$?
out=$(cat "$dir/int.out")
[[ $code == 130 ]] || fail "exit $code, wanted 130"
has "stopped early by a signal (SIGINT)"
check_identity

case=SIGTERM
"$karga" "$base/" --connections 2 --duration 30s >"$dir/term.out" 2>&1 &
k=$!
sleep 1
kill -TERM $k
wait $k
code=$?
out=$(cat "$dir/term.out")
[[ $code == 143 ]] || fail "exit $code, wanted 143"
has "stopped early by a signal (SIGTERM)"
check_identity

case="--find-max-rate against one worker of 1 ms (1000/s)"
out=$("$karga" "$base/queue/1000" --find-max-rate --rate 250 --settle 250ms --measure 750ms --threshold 'p(99)<50ms' 2>&1)
code=$?
[[ $code == 0 ]] || fail "exit $code, wanted 0: $out"
highest=$(sed -n 's/.*highest rate within the SLO: \([0-9]*\)\/s.*/\1/p' <<<"$out")
[[ -n $highest ]] && ((highest >= 900 && highest <= 1100)) || fail "highest passing \"$highest\", wanted 1000 ± 10%: $out"

case="--find-max-rate stopped by Ctrl-C"
"$karga" "$base/" --find-max-rate --rate 100 --settle 1s --measure 5s >"$dir/find.out" 2>&1 &
k=$!
sleep 1
kill -INT $k
wait $k
code=$?
[[ $code == 130 ]] || fail "exit $code, wanted 130: $(cat "$dir/find.out")"

((failures == 0)) && echo "fault matrix: every case accounted for, with the right exit status"
exit $((failures != 0))
