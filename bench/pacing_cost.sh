#!/usr/bin/env bash
# The cost of a fixed rate: karga-http (with pacing slots of 0 to 5 ms) beside h2load
# (the rate spread over many clients, and all on one) and hey, each sending RATE
# requests/s for SECONDS to one nginx worker on loopback (the client on CPU 0, nginx
# on CPU 1), in one run:
#   - CPU seconds (user + sys) of the client per 100,000 requests, median of ROUNDS;
#   - pacing: the most requests nginx logged in any 10 ms window ($msec), and the
#     count nginx logged (it must equal the requests asked);
#   - system calls and context switches per request (perf stat, one shorter run each).
#   bash bench/pacing_cost.sh [RATE] [SECONDS] [ROUNDS]   (after `bash build.sh build`)
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-5000}
secs=${2:-20}
rounds=${3:-3}
karga=${KARGA_HTTP:-build/tools/karga-http}
source bench/common.sh
install_missing nginx-light nghttp2-client hey linux-perf python3

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
total=$((rate * secs))
clients=$((rate / 100))

# run NAME COMMAND...: one run pinned to CPU 0; prints "cpu_s count max_10ms".
run() {
  local name=$1
  shift
  local before
  before=$(wc -l <"$dir/access.log")
  local TIMEFORMAT="%U %S"
  { time taskset -c 0 "$@" >"$dir/$name.out" 2>&1; } 2>"$dir/$name.time"
  sleep 0.5
  tail -n +"$((before + 1))" "$dir/access.log" >"$dir/$name.log"
  python3 - "$dir/$name.time" "$dir/$name.log" <<'PY'
import sys
user, sys_ = map(float, open(sys.argv[1]).read().split()[-2:])
stamps = sorted(round(float(line) * 1000) for line in open(sys.argv[2]))
most, j = 0, 0
for i in range(len(stamps)):  # requests in [stamps[i], stamps[i] + 10 ms)
    while j < len(stamps) and stamps[j] < stamps[i] + 10:
        j += 1
    most = max(most, j - i)
print(f"{user + sys_:.3f} {len(stamps)} {most}")
PY
}

declare -A tools=(
  ["karga-http, slot 0 (a wake per request)"]="$karga $url --rate $rate --duration ${secs}s --pacing-slot 0ms -q"
  ["karga-http, slot 500us (default)"]="$karga $url --rate $rate --duration ${secs}s -q"
  ["karga-http, slot 1ms"]="$karga $url --rate $rate --duration ${secs}s --pacing-slot 1ms -q"
  ["karga-http, slot 2ms"]="$karga $url --rate $rate --duration ${secs}s --pacing-slot 2ms -q"
  ["karga-http, slot 5ms"]="$karga $url --rate $rate --duration ${secs}s --pacing-slot 5ms -q"
  ["h2load --h1 -c $clients --rps 100"]="h2load --h1 -c $clients --rps 100 -D $secs $url"
  ["h2load --h1 -c 1 --rps $rate"]="h2load --h1 -c 1 --rps $rate -D $secs $url"
  ["hey -q 100 -c $clients"]="hey -q 100 -c $clients -z ${secs}s $url"
)
order=("karga-http, slot 0 (a wake per request)" "karga-http, slot 500us (default)" "karga-http, slot 1ms"
       "karga-http, slot 2ms" "karga-http, slot 5ms" "h2load --h1 -c $clients --rps 100"
       "h2load --h1 -c 1 --rps $rate" "hey -q 100 -c $clients")

echo "$rate requests/s for ${secs}s against one nginx worker, client on CPU 0; medians of $rounds rounds"
printf '| %-42s | %14s | %18s | %16s |\n' tool "CPU s / 100k" "most in 10 ms" "nginx count"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..44})" "$(printf -- '-%.0s' {1..16})" "$(printf -- '-%.0s' {1..20})" "$(printf -- '-%.0s' {1..18})"
for name in "${order[@]}"; do
  cpu=() most=() count=()
  for round in $(seq "$rounds"); do
    read -r c n m < <(run bench ${tools[$name]})
    cpu+=("$(awk -v c="$c" -v n="$n" 'BEGIN {printf "%.2f", n ? c / n * 100000 : 0}')")
    most+=("$m")
    count+=("$n")
  done
  med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  printf '| %-42s | %14s | %18s | %16s |\n' "$name" "$(med "${cpu[@]}")" "$(med "${most[@]}") (ideal $((rate / 100)))" \
    "$(printf '%s ' "${count[@]}")"
done

echo
# (karga-http reads with recvmsg, which takes the receive stamps, after an epoll_ctl.)
echo "per request, ${rate}/s for 5s (perf stat): epoll_wait, sendto, recvfrom, recvmsg, epoll_ctl, write, read, timerfd_settime, context switches"
events=syscalls:sys_enter_epoll_wait,syscalls:sys_enter_sendto,syscalls:sys_enter_recvfrom,syscalls:sys_enter_recvmsg,syscalls:sys_enter_epoll_ctl,syscalls:sys_enter_write,syscalls:sys_enter_read,syscalls:sys_enter_timerfd_settime,context-switches
for name in "karga-http, slot 0" "karga-http, slot 500us" "karga-http, slot 1ms" "karga-http, slot 5ms" "h2load"; do
  case $name in
    *"slot 0") cmd="$karga $url --rate $rate --duration 5s --pacing-slot 0ms -q" ;;
    *500us) cmd="$karga $url --rate $rate --duration 5s -q" ;;
    *1ms) cmd="$karga $url --rate $rate --duration 5s --pacing-slot 1ms -q" ;;
    *5ms) cmd="$karga $url --rate $rate --duration 5s --pacing-slot 5ms -q" ;;
    h2load) cmd="h2load --h1 -c $clients --rps 100 -D 5 $url" ;;
  esac
  perf stat -x, -e "$events" -o "$dir/stat.txt" taskset -c 0 $cmd >/dev/null 2>&1
  awk -F, -v n="$((rate * 5))" -v name="$name" '/^[0-9]/ {v = v sprintf(" %6.2f", $1 / n)} END {printf "  %-24s%s\n", name, v}' "$dir/stat.txt"
done
