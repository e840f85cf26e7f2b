#!/usr/bin/env bash
# Kernel receive timestamps in karga-http (the default) beside timing each response
# when it is read (--no-receive-timestamps), against one nginx worker on loopback (the
# client on CPU 0, nginx on CPU 1):
#   0. reading at once: bench/stamp_check polls one connection's socket without
#      sleeping, so it reads each response as it comes; beside each read, the stamp
#      of the same response (the p50s must agree within 20 µs);
#   then runs alternating, ROUNDS of each, medians:
#   1. an idle reader: one connection, and an open model at 1,000/s (the client sleeps
#      until each response wakes it);
#   2. a busy reader: 32 connections in a closed loop, where responses wait in their
#      sockets while the client handles others: p50 by stamp and by read, and what
#      the stamps cost (requests/s; system calls per request, perf stat, one run each).
#   bash bench/receive_timestamps.sh [SECONDS] [ROUNDS]   (after `bash build.sh build`)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-3}
rounds=${2:-5}
karga=${KARGA_HTTP:-build/tools/karga-http}
check=${STAMP_CHECK:-build/bench/stamp_check}
[[ -x $karga && -x $check ]] || { echo "build first: bash build.sh test (or ninja -C build karga-http stamp_check)" >&2; exit 2; }
source bench/common.sh
install_missing nginx-light linux-perf python3

dir=$(mktemp -d)
source tests/loopback.sh
trap 'stop_nginx "$dir"; rm -rf "$dir"' EXIT
start_nginx "$dir" 4096 <<'HTTP'
  access_log off;
  server {
    listen 127.0.0.1:@PORT@;
    keepalive_requests 100000000;
    location / { return 200 "hello\n"; }
  }
HTTP
pin_nginx_workers "$dir" 1  # one worker, on CPU 1
url=http://127.0.0.1:$port/

# p50 and rate of one karga-http run's report: "p50_us rate".
summary() {
  python3 -c '
import re, sys
text = sys.stdin.read()
unit = {"ns": 1e-3, "µs": 1.0, "ms": 1e3, "s": 1e6}
lat = text.split("  latency", 1)[1]
v, u = re.search(r"p50\s+([0-9.]+)(ns|µs|ms|s)\b", lat).groups()
rate = re.search(r"started\s+\d+ \w+ in [0-9.]+s \(([0-9.]+)/s\)", text) or re.search(r"achieved ([0-9.]+)/s", text)
print(f"{float(v) * unit[u]:.1f} {float(rate.group(1)):.0f}")'
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# compare NAME ARGS...: alternating runs with and without stamps; one line of medians.
compare() {
  local name=$1
  shift
  local s_p50=() r_p50=() s_rate=() r_rate=()
  for _ in $(seq "$rounds"); do
    read -r p rt < <(taskset -c 0 "$karga" "$url" "$@" --duration "${secs}s" -q | summary)
    s_p50+=("$p") s_rate+=("$rt")
    read -r p rt < <(taskset -c 0 "$karga" "$url" "$@" --duration "${secs}s" -q --no-receive-timestamps | summary)
    r_p50+=("$p") r_rate+=("$rt")
  done
  local sp rp sr rr
  sp=$(printf '%s\n' "${s_p50[@]}" | median) rp=$(printf '%s\n' "${r_p50[@]}" | median)
  sr=$(printf '%s\n' "${s_rate[@]}" | median) rr=$(printf '%s\n' "${r_rate[@]}" | median)
  printf '%-34s %10s %10s %8s %10s %10s %7s\n' "$name" "$sp" "$rp" "$(awk -v a="$sp" -v b="$rp" 'BEGIN {printf "%+.1f", a - b}')" \
    "$sr" "$rr" "$(awk -v a="$sr" -v b="$rr" 'BEGIN {printf "%.3f", a / b}')"
  echo "  rounds p50 µs: stamped ${s_p50[*]} | read ${r_p50[*]}; req/s: stamped ${s_rate[*]} | read ${r_rate[*]}"
}

echo "a polling reader (stamp_check) on CPU 0, one nginx worker on CPU 1, 3 runs of 30,000 requests"
for _ in 1 2 3; do taskset -c 0 "$check" 127.0.0.1 "$port" 30000 | sed 's/^/  /'; done
echo
echo "karga-http on CPU 0, one nginx worker on CPU 1, ${secs} s per run, medians of ${rounds}"
printf '%-34s %10s %10s %8s %10s %10s %7s\n' "load" "p50 stamp" "p50 read" "Δ µs" "req/s st." "req/s rd." "ratio"
compare "closed, 1 connection (idle reader)" --connections 1
compare "open, 1000/s (idle reader)" --rate 1000
compare "closed, 32 connections (busy)" --connections 32

echo
echo "system calls per request, closed loop of 32 connections, one ${secs} s run each (perf stat)"
for mode in stamped read; do
  flag=()
  [[ $mode == read ]] && flag=(--no-receive-timestamps)
  perf stat -x, -e raw_syscalls:sys_enter,context-switches -o "$dir/perf.$mode" \
    taskset -c 0 "$karga" "$url" --connections 32 --duration "${secs}s" -q "${flag[@]}" >"$dir/out.$mode"
  requests=$(awk '/^  started / {print $2}' "$dir/out.$mode")
  awk -F, -v n="$requests" -v m="$mode" '/raw_syscalls/ {s=$1} /context-switches/ {c=$1}
    END {printf "  %-8s %d requests, %.2f system calls and %.3f context switches per request\n", m, n, s / n, c / n}' "$dir/perf.$mode"
done
