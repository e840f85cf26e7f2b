#!/usr/bin/env bash
# karga-http against a real nginx on loopback: the count nginx logs equals what
# karga-http reports (open model, closed model of shared iterations), statuses are
# counted, and a failing run exits 1.
#   nginx_test.sh KARGA_HTTP
set -euo pipefail
karga=$1
dir=$(mktemp -d)
source "$(dirname "${BASH_SOURCE[0]}")/loopback.sh"
trap 'stop_nginx "$dir"; rm -rf "$dir"' EXIT
start_nginx "$dir" <<'HTTP'
  log_format stamp '$msec $status';
  access_log @DIR@/access.log stamp;
  server {
    listen 127.0.0.1:@PORT@;
    location / { return 200 "hello\n"; }
    location /unavailable { return 503; }
  }
HTTP
fail() { echo "FAIL: $*"; exit 1; }

out=$("$karga" "http://127.0.0.1:$port/" --rate 500 --duration 1s) || fail "a clean run exited non-zero: $out"
grep -q "ok 500  failed 0  dropped 0  interrupted 0" <<<"$out" || fail "expected 500 ok: $out"
grep -q "status          200×500" <<<"$out" || fail "expected 500 × status 200: $out"
sleep 0.2
logged=$(grep -c " 200$" "$dir/access.log")
[[ $logged == 500 ]] || fail "nginx logged $logged requests, not 500"

set +e
out=$("$karga" "http://127.0.0.1:$port/unavailable" --connections 4 --duration 300ms)
code=$?
set -e
[[ $code == 1 ]] || fail "a run of 503s exited $code, not 1"
sent=$(sed -n "s/.*503×\([0-9]*\).*/\1/p" <<<"$out")
sleep 0.2
logged=$(grep -c " 503$" "$dir/access.log")
[[ -n $sent && $sent == "$logged" ]] || fail "karga-http counted ${sent:-no} 503s, nginx logged $logged"

# --iterations: 777 requests in all over 6 users, each logged once by nginx.
before=$(grep -c " 200$" "$dir/access.log")
out=$("$karga" "http://127.0.0.1:$port/" --iterations 777 --connections 6 --threads 2) || fail "--iterations exited non-zero: $out"
grep -q "started         777 iterations" <<<"$out" || fail "expected 777 iterations: $out"
grep -q "scenario        karga-http: 777 iterations shared by 6 users" <<<"$out" || fail "the model: $out"
sleep 0.2
shared=$(($(grep -c " 200$" "$dir/access.log") - before))
[[ $shared == 777 ]] || fail "nginx logged $shared requests of --iterations 777"

# An --out file in a directory that does not exist: exit 2 before any request.
before=$(wc -l <"$dir/access.log")
set +e
out=$("$karga" "http://127.0.0.1:$port/" --rate 100 --duration 1s --out json=/no/such/dir/r.json 2>&1)
code=$?
set -e
[[ $code == 2 && $out == "karga-http: --out json=/no/such/dir/r.json: the directory /no/such/dir does not exist" ]] ||
  fail "--out in a missing directory: exit $code, $out"
sleep 0.2
[[ $(wc -l <"$dir/access.log") == "$before" ]] || fail "requests reached nginx before the --out path was refused"
echo "nginx: 500 of 500 at 500/s, $sent of $logged 503s counted, 777 of 777 shared iterations, a bad --out refused first"
