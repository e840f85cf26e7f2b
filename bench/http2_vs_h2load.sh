#!/usr/bin/env bash
# karga-http --http2 beside h2load against nginx (h2c and TLS with ALPN h2) on
# loopback, in one run; nginx's access log counts every request ($msec each).
#   bash bench/http2_vs_h2load.sh [SECONDS] [ROUNDS]     (after `bash build.sh run`)
# 1. closed loop, equal connections and streams: 1 thread (-c 4 -m 32; client on
#    CPU 0, one nginx worker on CPU 1) and 2 threads (-c 8 -m 32: karga-http's
#    --connections is per thread, so 4 each; two nginx workers, nothing pinned);
#    karga-http and h2load alternating, ROUNDS each, medians of nginx-counted
#    requests/s (requests logged over the span between the first and last stamp);
# 2. open model at 5,000/s and 20,000/s over one h2c connection (client on CPU 0,
#    one nginx worker on CPU 1): the client's CPU seconds (user + sys) per 100,000
#    requests, median of ROUNDS, the most requests nginx logged in any 10 ms window,
#    and the count logged (it must equal the requests asked). h2load's --rps is per
#    client: one client, given the whole rate.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
rounds=${2:-5}
karga=${KARGA_HTTP:-build/tools/karga-http}
[[ -x $karga ]] || { echo "build first: bash build.sh run" >&2; exit 2; }
need=()
for p in nginx-light nghttp2-client openssl python3; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ((${#need[@]})); then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; fi

dir=$(mktemp -d)
source tests/loopback.sh
h2c_port=$(free_port)
tls_port=$(free_port)
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
# nginx_conf NAME WORKERS AFFINITY: an h2c server and a TLS one, connections kept.
nginx_conf() {
  cat >"$dir/$1.conf" <<CONF
worker_processes $2;
worker_cpu_affinity $3;
pid $dir/$1.pid;
error_log $dir/$1.error.log;
events { worker_connections 4096; }
http {
  log_format stamp '\$msec';
  access_log $dir/access.log stamp buffer=256k flush=100ms;
  keepalive_requests 100000000;
  server {
    listen 127.0.0.1:$h2c_port http2;
    location / { return 200 "hello\n"; }
  }
  server {
    listen 127.0.0.1:$tls_port ssl http2;
    ssl_certificate $dir/cert.pem;
    ssl_certificate_key $dir/key.pem;
    location / { return 200 "hello\n"; }
  }
}
CONF
}
nginx_conf one 1 10
nginx_conf two 2 auto
current=""
serve() {  # serve NAME: nginx with that configuration, started once
  [[ $current == "$1" ]] && return
  if [[ -n $current ]]; then
    nginx -c "$dir/$current.conf" -s stop 2>/dev/null || true
    for _ in $(seq 50); do [[ -e $dir/$current.pid ]] || break; sleep 0.1; done
  fi
  current=$1
  nginx -c "$dir/$current.conf"
  sleep 0.5
}
trap '[[ -n $current ]] && nginx -c "$dir/$current.conf" -s stop 2>/dev/null; rm -rf "$dir"' EXIT

# logged COMMAND...: runs it; prints "requests/s count most-in-10ms cpu-s" from what
# nginx logged meanwhile and the command's user + sys time.
logged() {
  local before TIMEFORMAT="%U %S"
  before=$(wc -l <"$dir/access.log")
  { time "$@" >"$dir/out" 2>&1; } 2>"$dir/time"
  sleep 0.4  # nginx's log buffer is flushed every 100 ms
  tail -n +"$((before + 1))" "$dir/access.log" >"$dir/run.log"
  python3 - "$dir/run.log" "$dir/time" <<'PY'
import sys
stamps = sorted(float(line) for line in open(sys.argv[1]))
user, sys_ = map(float, open(sys.argv[2]).read().split()[-2:])
span = stamps[-1] - stamps[0] if len(stamps) > 1 else float("nan")
ms = [round(t * 1000) for t in stamps]
most, j = 0, 0
for i in range(len(ms)):  # requests in [ms[i], ms[i] + 10 ms)
    while j < len(ms) and ms[j] < ms[i] + 10:
        j += 1
    most = max(most, j - i)
print(f"{len(stamps) / span:.0f} {len(stamps)} {most} {user + sys_:.3f}")
PY
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
field() { awk -v f="$1" '{print $f}'; }

echo "HTTP/2 closed loop against nginx on $(nproc) cores, ${secs} s per run, nginx-counted requests/s, medians of $rounds"
printf '| %-5s | %-22s | %10s | %10s | %6s |\n' server "threads, conns × streams" karga-http h2load ratio
printf '|%s|%s|%s|%s|%s|\n' ------- ------------------------ ------------ ------------ --------
for scheme in h2c tls; do
  if [[ $scheme == h2c ]]; then url=http://127.0.0.1:$h2c_port/; tls=(); else url=https://127.0.0.1:$tls_port/; tls=(--cacert "$dir/cert.pem"); fi
  for t in 1 2; do
    if [[ $t == 1 ]]; then serve one; pin=(taskset -c 0); else serve two; pin=(); fi
    conns=$((4 * t))
    k=() h=()
    for _ in $(seq "$rounds"); do
      k+=("$(logged "${pin[@]}" "$karga" "$url" "${tls[@]}" --http2 --threads "$t" --connections 4 --streams 32 \
        --duration "${secs}s" -q | field 1)")
      h+=("$(logged "${pin[@]}" h2load -t "$t" -c "$conns" -m 32 -D "$secs" "$url" | field 1)")
    done
    km=$(printf '%s\n' "${k[@]}" | median)
    hm=$(printf '%s\n' "${h[@]}" | median)
    printf '| %-5s | %-22s | %10s | %10s | %6s |\n' "$scheme" "$t, $conns × 32" "$km" "$hm" \
      "$(awk -v a="$km" -v b="$hm" 'BEGIN {printf "%.2f", a / b}')"
    echo "  rounds: karga-http ${k[*]} | h2load ${h[*]}" >&2
  done
done

echo
echo "HTTP/2 open model, one h2c connection, 10 s per run, medians of $rounds"
printf '| %-36s | %12s | %14s | %12s |\n' tool "CPU s / 100k" "most in 10 ms" "nginx count"
printf '|%s|%s|%s|%s|\n' -------------------------------------- -------------- ---------------- --------------
serve one
url=http://127.0.0.1:$h2c_port/
for rate in 5000 20000; do
  for tool in karga h2load; do
    cpu=() most=() count=()
    for _ in $(seq "$rounds"); do
      if [[ $tool == karga ]]; then
        read -r _ n m c < <(logged taskset -c 0 "$karga" "$url" --http2 --rate "$rate" --duration 10s -q)
        name="karga-http --http2 --rate $rate"
      else
        read -r _ n m c < <(logged taskset -c 0 h2load -c 1 -m 100 --rps "$rate" -D 10 "$url")
        name="h2load -c 1 -m 100 --rps $rate"
      fi
      cpu+=("$(awk -v c="$c" -v n="$n" 'BEGIN {printf "%.3f", c * 100000 / n}')")
      most+=("$m")
      count+=("$n")
    done
    printf '| %-36s | %12s | %14s | %12s |\n' "$name" "$(printf '%s\n' "${cpu[@]}" | median)" \
      "$(printf '%s\n' "${most[@]}" | median)" "$(printf '%s\n' "${count[@]}" | median)"
  done
done
