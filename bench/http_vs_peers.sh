#!/usr/bin/env bash
# karga-http beside wrk, hey and h2load against one nginx on loopback, in one run.
#   bash bench/http_vs_peers.sh [seconds-per-run]     (after `bash build.sh run`)
# 1. closed loop at the server's pace: 1 thread/32 connections (client on CPU 0,
#    one nginx worker on CPU 1, so the two do not fight over a core) and 2 threads/64
#    (two nginx workers, nothing pinned), wrk and karga-http alternating, 5 rounds
#    each (medians reported), then hey and h2load once each;
# 2. a fixed rate: karga-http --rate 20000 --duration 10s, counted in nginx's access
#    log ($msec per request): the total and each whole second.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
karga=build/tools/karga-http
[[ -x $karga ]] || { echo "build first: bash build.sh run" >&2; exit 2; }

need=()
for p in nginx-light wrk hey nghttp2-client; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ((${#need[@]})); then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; fi

dir=$(mktemp -d)
port=18090
# nginx_conf NAME WORKERS AFFINITY: one server on its own port.
nginx_conf() {
  cat > "$dir/$1.conf" <<CONF
worker_processes $2;
worker_cpu_affinity $3;
pid $dir/$1.pid;
error_log $dir/$1.error.log;
events { worker_connections 4096; }
http {
  log_format stamp '\$msec';
  access_log off;
  server {
    listen 127.0.0.1:$port;
    keepalive_requests 100000000;
    location / { return 200 "hello\n"; }
    location /logged { access_log $dir/access.log stamp; return 200 "hello\n"; }
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
url=http://127.0.0.1:$port/

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
wrk_rps() { $pin wrk -t"$1" -c"$2" -d"${secs}s" "$url" | awk '/Requests\/sec/ {printf "%d\n", $2}'; }
karga_rps() { $pin $karga "$url" --threads "$1" --connections "$2" --duration "${secs}s" -q | awk '/^  started / {gsub(/[(\/s)]/, " "); printf "%d\n", $NF}'; }

echo "closed loop against nginx on $(nproc) cores, ${secs} s per run, requests/s"
printf '%-22s %10s %10s %8s %10s %10s\n' "threads/connections" wrk karga-http ratio hey h2load
for tc in "1 32" "2 64"; do
  set -- $tc
  if [[ $1 == 1 ]]; then serve one; pin="taskset -c 0"; else serve two; pin=""; fi
  w=(); k=()
  for round in 1 2 3 4 5; do
    w+=("$(wrk_rps "$1" "$2")")
    k+=("$(karga_rps "$1" "$2")")
  done
  wm=$(printf '%s\n' "${w[@]}" | median)
  km=$(printf '%s\n' "${k[@]}" | median)
  hey_rps=$($pin hey -z "${secs}s" -c "$2" "$url" | awk '/Requests\/sec/ {printf "%d", $2}')
  h2_rps=$($pin h2load --h1 -t "$1" -c "$2" -D "$secs" "$url" 2>/dev/null | awk '/^finished in/ {gsub(/,/, ""); printf "%d", $4}')
  printf '%-22s %10s %10s %8s %10s %10s\n' "$1/$2" "$wm" "$km" "$(awk -v a="$km" -v b="$wm" 'BEGIN {printf "%.2f", a / b}')" "$hey_rps" "$h2_rps"
  echo "  rounds: wrk ${w[*]} | karga-http ${k[*]}"
done

echo
echo "fixed rate: karga-http --rate 20000 --duration 10s, counted by nginx"
serve two
: > "$dir/access.log"
$karga "${url}logged" --rate 20000 --duration 10s --threads 1 | sed -n '2,4p'
sleep 0.5
awk 'NR == 1 {t0 = $1} {n++; s = int($1 - t0); if (s > 9) s = 9; c[s]++}
     END {printf "  access log: %d requests (%+.3f %% of 200000)\n  per second:", n, (n - 200000) / 2000;
          for (i = 0; i <= 9; i++) printf " %d", c[i]; printf "\n"}' "$dir/access.log"
