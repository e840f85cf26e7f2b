#!/usr/bin/env bash
# karga-http on Asio's io_uring backend beside the same karga-http on epoll, in one
# run, against one nginx worker on loopback (the client on CPU 0, nginx on CPU 1):
#   1. open model, RATE requests/s for SECS, with the default 500 µs pacing slot and
#      with a 5 ms one, the two backends alternating for ROUNDS rounds (medians):
#      CPU seconds (user + sys) per 100,000 requests, the requests nginx counted, the
#      most it logged in any 10 ms window, and karga's start lag p99;
#   2. per request, RATE/s for 5 s (perf stat): the system calls each backend makes
#      (io_uring_enter, epoll_wait, sendto, recvfrom, timerfd_settime) and context
#      switches;
#   3. closed loop, 1 thread and 32 connections, alternating: requests/s.
#   bash bench/io_uring_backend.sh [RATE] [SECS] [ROUNDS]
# The io_uring build: cmake -S . -B build-uring -G Ninja -DCMAKE_BUILD_TYPE=Release
#   -DKARGA_ASIO_IO_URING=ON && cmake --build build-uring --target karga-http
# (KARGA_HTTP and KARGA_HTTP_URING name other binaries).
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-5000}
secs=${2:-10}
rounds=${3:-3}
epoll=${KARGA_HTTP:-build/tools/karga-http}
uring=${KARGA_HTTP_URING:-build-uring/tools/karga-http}
for b in "$epoll" "$uring"; do [[ -x $b ]] || { echo "no $b: build it first (see the comment above)" >&2; exit 2; }; done
source bench/common.sh
install_missing nginx-light linux-perf python3

dir=$(mktemp -d)
source tests/loopback.sh
trap 'stop_nginx "$dir"; rm -rf "$dir"' EXIT
start_nginx "$dir" 4096 <<'HTTP'
  log_format stamp '$msec';
  access_log @DIR@/access.log stamp;
  server {
    listen 127.0.0.1:@PORT@;
    keepalive_requests 100000000;
    location / { return 200 "hello\n"; }
  }
HTTP
pin_nginx_workers "$dir" 1  # one worker, on CPU 1
url=http://127.0.0.1:$port/

# open BINARY SLOT: one open-model run pinned to CPU 0; prints "cpu_s count max_10ms lag_p99_us".
open() {
  local before TIMEFORMAT="%U %S"
  before=$(wc -l <"$dir/access.log")
  { time taskset -c 0 "$1" "$url" --rate "$rate" --duration "${secs}s" --pacing-slot "$2" -q \
      --out json="$dir/r.json" >/dev/null 2>&1; } 2>"$dir/time"
  sleep 0.5
  tail -n +"$((before + 1))" "$dir/access.log" >"$dir/run.log"
  python3 - "$dir/time" "$dir/run.log" "$dir/r.json" <<'PY'
import json, sys
user, sys_ = map(float, open(sys.argv[1]).read().split()[-2:])
stamps = sorted(round(float(line) * 1000) for line in open(sys.argv[2]))
most, j = 0, 0
for i in range(len(stamps)):
    while j < len(stamps) and stamps[j] < stamps[i] + 10:
        j += 1
    most = max(most, j - i)
lag = json.load(open(sys.argv[3]))["start_lag_ns"]["p99"] / 1000
print(f"{user + sys_:.3f} {len(stamps)} {most} {lag:.0f}")
PY
}
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "1. $rate requests/s for ${secs}s, one nginx worker, client on CPU 0; medians of $rounds rounds, backends alternating"
printf '| %-28s | %12s | %13s | %12s | %15s |\n' "karga-http" "CPU s / 100k" "most in 10 ms" "start lag p99" "nginx count"
printf '|%s|%s|%s|%s|%s|\n' "------------------------------" "--------------" "---------------" "--------------" "-----------------"
for slot in 500us 5ms; do
  declare -A cpu=() most=() lag=() count=()
  for round in $(seq "$rounds"); do
    for backend in epoll io_uring; do
      bin=$epoll
      [[ $backend == io_uring ]] && bin=$uring
      read -r c n m l < <(open "$bin" "$slot")
      cpu[$backend]+="$(awk -v c="$c" -v n="$n" 'BEGIN {printf "%.2f", n ? c / n * 100000 : 0}') "
      most[$backend]+="$m " lag[$backend]+="$l " count[$backend]+="$n "
    done
  done
  for backend in epoll io_uring; do
    # shellcheck disable=SC2086
    printf '| %-28s | %12s | %13s | %9s µs | %15s |\n' "$backend, slot $slot" "$(med ${cpu[$backend]})" \
      "$(med ${most[$backend]})" "$(med ${lag[$backend]})" "${count[$backend]}"
  done
  unset cpu most lag count
done

echo
echo "2. per request, ${rate}/s for 5s, default slot (perf stat)"
events=syscalls:sys_enter_io_uring_enter,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_sendto,syscalls:sys_enter_recvfrom,syscalls:sys_enter_timerfd_settime,context-switches
printf '  %-10s %15s %11s %7s %9s %16s %17s\n' backend io_uring_enter epoll_wait sendto recvfrom timerfd_settime "context switches"
for backend in epoll io_uring; do
  bin=$epoll
  [[ $backend == io_uring ]] && bin=$uring
  perf stat -x, -e "$events" -o "$dir/stat.txt" taskset -c 0 "$bin" "$url" --rate "$rate" --duration 5s -q >/dev/null 2>&1
  awk -F, -v n="$((rate * 5))" -v name="$backend" \
    '/^[0-9]/ {v[++i] = $1 / n} END {printf "  %-10s %15.2f %11.2f %7.2f %9.2f %16.2f %17.2f\n", name, v[1], v[2], v[3], v[4], v[5], v[6]}' "$dir/stat.txt"
done

echo
echo "3. closed loop, 1 thread, 32 connections, ${secs}s a round, alternating (requests/s)"
declare -A rps=()
for round in $(seq "$rounds"); do
  for backend in epoll io_uring; do
    bin=$epoll
    [[ $backend == io_uring ]] && bin=$uring
    taskset -c 0 "$bin" "$url" --connections 32 --threads 1 --duration "${secs}s" -q --out json="$dir/c.json" >/dev/null 2>&1
    rps[$backend]+="$(python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["achieved_rate"]))' "$dir/c.json") "
  done
done
for backend in epoll io_uring; do
  # shellcheck disable=SC2086
  echo "  $backend: median $(med ${rps[$backend]}) (rounds: ${rps[$backend]})"
done
