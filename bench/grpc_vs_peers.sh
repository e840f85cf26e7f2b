#!/usr/bin/env bash
# karga-grpc beside h2load and a hand-written libgrpc++ client, in one run, against the
# gRPC C++ library's own server (tests/grpc_probe_server.cpp) on loopback. The server
# runs on CPU 1, each client on CPU 0; the server counts the calls it served.
#   bash bench/grpc_vs_peers.sh [SECONDS] [ROUNDS]     (after `bash build.sh test`, or
#   cmake --build build --target karga-grpc grpc_probe_server grpc_client)
# Closed loop of unary calls (a 5-byte message, echoed), connections × streams in
# flight: 1 × 32 and 4 × 32. The three clients alternate, ROUNDS each; medians of
# server-counted calls/s, of the client's CPU time (user + sys) per call, and of p50
# and p99 latency as the client measured it (h2load gives no percentiles). h2load
# sends the same framed request (-d, content-type application/grpc, te: trailers).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
rounds=${2:-5}
karga=build/tools/karga-grpc server=build/tests/grpc_probe_server client=build/bench/grpc_client
for b in "$karga" "$server" "$client"; do [[ -x $b ]] || { echo "build $b first" >&2; exit 2; }; done
command -v h2load >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nghttp2-client; }
py=/usr/bin/python3
dir=$(mktemp -d)
source tests/loopback.sh
port=$(free_port)
taskset -c 1 "$server" "$dir/port" --port "$port" >"$dir/server.log" 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do [[ -s $dir/port ]] && break; sleep 0.05; done
printf '\0\0\0\0\5hello' >"$dir/request.bin"
served() { $py tests/grpc_server.py --counters "$port" | $py -c "import json,sys; print(json.load(sys.stdin)['methods'].get('Unary', {}).get('calls', 0))"; }

# one TOOL CONNECTIONS STREAMS: prints "calls/s cpu-µs-per-call p50-µs p99-µs"
one() {
  local before after TIMEFORMAT="%U %S" p50=- p99=-
  $py tests/grpc_server.py --reset "$port" >/dev/null
  case $1 in
    karga)
      { time taskset -c 0 "$karga" "127.0.0.1:$port" --call test.Probe/Unary -d hello --connections "$2" --streams "$3" \
          --duration "${secs}s" --out json="$dir/k.json" >/dev/null 2>&1; } 2>"$dir/time"
      read -r p50 p99 < <($py -c "import json,sys; r=json.load(open(sys.argv[1]))['latency_ns']; print(r['p50']/1e3, r['p99']/1e3)" "$dir/k.json") ;;
    h2load)
      { time taskset -c 0 h2load -c "$2" -m "$3" -D "$secs" -d "$dir/request.bin" -H 'content-type: application/grpc' \
          -H 'te: trailers' "http://127.0.0.1:$port/test.Probe/Unary" >/dev/null 2>&1; } 2>"$dir/time" ;;
    libgrpc++)
      { time taskset -c 0 "$client" "127.0.0.1:$port" /test.Probe/Unary hello "$2" "$3" "$secs" >"$dir/c.out"; } 2>"$dir/time"
      read -r _ _ _ p50 p99 <"$dir/c.out"
      p50=$(awk -v v="$p50" 'BEGIN {print v / 1e3}') p99=$(awk -v v="$p99" 'BEGIN {print v / 1e3}') ;;
  esac
  local n cpu
  n=$(served)
  cpu=$(awk '{print $1 + $2}' "$dir/time")
  awk -v n="$n" -v s="$secs" -v c="$cpu" -v a="$p50" -v b="$p99" \
    'BEGIN {printf "%.0f %.2f %s %s\n", n / s, c * 1e6 / n, (a == "-" ? "-" : sprintf("%.0f", a)), (b == "-" ? "-" : sprintf("%.0f", b))}'
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "gRPC unary, closed loop, against libgrpc++'s server on CPU 1 (clients on CPU 0), ${secs} s per run, medians of $rounds"
printf '| %-9s | %-7s | %9s | %12s | %8s | %8s | %11s |\n' client "c × m" "calls/s" "CPU µs/call" "p50 µs" "p99 µs" "karga ÷ it"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' ----------- --------- ----------- -------------- ---------- ---------- -------------
for cm in "1 32" "4 32"; do
  read -r c m <<<"$cm"
  declare -A rate=() cpu=() p50=() p99=()
  for _ in $(seq "$rounds"); do
    for tool in karga h2load libgrpc++; do
      read -r r u a b < <(one "$tool" "$c" "$m")
      rate[$tool]+="$r " cpu[$tool]+="$u " p50[$tool]+="$a " p99[$tool]+="$b "
    done
  done
  for tool in karga h2load libgrpc++; do
    med() { tr ' ' '\n' <<<"$1" | grep -v '^$' | median; }
    rm=$(med "${rate[$tool]}")
    [[ $tool == karga ]] && karga_rate=$rm
    printf '| %-9s | %-7s | %9s | %12s | %8s | %8s | %11s |\n' "$tool" "$c × $m" "$rm" "$(med "${cpu[$tool]}")" \
      "$(med "${p50[$tool]}")" "$(med "${p99[$tool]}")" "$(awk -v a="$karga_rate" -v b="$rm" 'BEGIN {printf "%.2f×", a / b}')"
    echo "  rounds $tool $c×$m: calls/s ${rate[$tool]}| CPU µs/call ${cpu[$tool]}" >&2
  done
  unset rate cpu p50 p99
done
