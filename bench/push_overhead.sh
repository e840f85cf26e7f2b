#!/usr/bin/env bash
# What a push costs the load, and what a hostile endpoint costs it: karga-http at
# 5,000/s for 10 s against nginx, with no push, with live pushes to a working
# InfluxDB-style receiver and remote-write receiver, and with every push aimed at an
# endpoint that never answers, resets, answers 500, or answers 10 s late; rounds
# alternate, medians of 3. For each: start lag p99 and latency from the intended
# start p99 (karga's report), nginx's fewest and most requests in a whole second, and
# karga-http's CPU seconds.
#   bench/push_overhead.sh [KARGA_HTTP]
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
karga=${1:-$root/build/tools/karga-http}
rounds=3 rate=5000 seconds=10
dir=$(mktemp -d)
source "$root/tests/loopback.sh"
pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; done; wait 2>/dev/null; stop_nginx "$dir"; rm -rf "$dir"' EXIT
start_nginx_logged "$dir"
url=http://127.0.0.1:$port/
ok=$(free_port) never=$(free_port) reset=$(free_port) err=$(free_port) slow=$(free_port)
mkdir -p "$dir/received"
python3 "$root/tests/push_endpoints.py" receive $ok "$dir/received" & pids+=($!)
python3 "$root/tests/push_endpoints.py" never $never & pids+=($!)
python3 "$root/tests/push_endpoints.py" reset $reset & pids+=($!)
python3 "$root/tests/push_endpoints.py" status500 $err & pids+=($!)
python3 "$root/tests/push_endpoints.py" slow $slow 10 & pids+=($!)
sleep 1

declare -A args=(
  [none]=""
  [working]="--live influxdb=http://127.0.0.1:$ok/write --live prometheus-rw=http://127.0.0.1:$ok/api/v1/write --push json=http://127.0.0.1:$ok/"
  [never]="--live influxdb=http://127.0.0.1:$never/write --live prometheus-rw=http://127.0.0.1:$never/api/v1/write"
  [reset]="--live influxdb=http://127.0.0.1:$reset/write --live prometheus-rw=http://127.0.0.1:$reset/api/v1/write"
  [status500]="--live influxdb=http://127.0.0.1:$err/write --live prometheus-rw=http://127.0.0.1:$err/api/v1/write"
  [slow]="--live influxdb=http://127.0.0.1:$slow/write --live prometheus-rw=http://127.0.0.1:$slow/api/v1/write"
)
cases=(none working never reset status500 slow)
for round in $(seq $rounds); do
  for c in "${cases[@]}"; do
    nginx -c "$dir/nginx.conf" -s reopen
    sleep 0.2
    : >"$dir/access.log"
    /usr/bin/time -f "%U %S %e" -o "$dir/$c.$round.time" \
      "$karga" "$url" --rate $rate --duration ${seconds}s -q --out json="$dir/$c.$round.json" ${args[$c]} >"$dir/$c.$round.out" 2>&1
    sleep 0.3
    cp "$dir/access.log" "$dir/$c.$round.log"
  done
done

python3 - "$dir" $rounds $rate $seconds "${cases[@]}" <<'PY'
import datetime, json, math, pathlib, statistics, sys
d, rounds, rate, seconds, cases = pathlib.Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]
print(f"karga-http --rate {rate} --duration {seconds}s against nginx, medians of {rounds}")
print(f"{'pushes to':<11} {'start lag p99':>13} {'intended p99':>12} {'nginx/s min':>11} {'max':>6} {'CPU s':>6} {'wall s':>6}  exit, what karga said")
for c in cases:
    lag, rt, lo, hi, cpu, wall = [], [], [], [], [], []
    said = ""
    for r in range(1, rounds + 1):
        rep = json.load(open(d / f"{c}.{r}.json"))
        lag.append(rep["start_lag_ns"]["p99"] / 1e3)
        rt.append(rep["response_time_ns"]["p99"] / 1e3)
        start = datetime.datetime.fromisoformat(rep["started_at"].replace("Z", "+00:00")).timestamp()
        per = [0] * (seconds + 2)
        for line in open(d / f"{c}.{r}.log"):
            t, status = line.split()
            per[min(max(0, math.ceil(float(t) - start) - 1), seconds + 1)] += 1
        lo.append(min(per[:seconds])); hi.append(max(per[:seconds]))
        u, s, e = map(float, open(d / f"{c}.{r}.time").read().split()[-3:])
        cpu.append(u + s); wall.append(e)
        said = "; ".join(l.strip() for l in open(d / f"{c}.{r}.out") if "push" in l)
    m = statistics.median
    print(f"{c:<11} {m(lag):>10.0f} us {m(rt):>9.0f} us {m(lo):>11.0f} {m(hi):>6.0f} {m(cpu):>6.2f} {m(wall):>6.1f}  {said[:160]}")
PY
