#!/usr/bin/env bash
# karga-http's pushes, read by the real servers they are for, each on loopback:
# - one run at 2,000/s for 10 s with every push at once: InfluxDB 1.x (the series by
#   interval equals --out csv; the last live point equals the report), Prometheus
#   (remote write: its totals equal the report's), a Pushgateway (the final figures
#   equal the report's), a JSON receiver (the report once, equal to --out json);
# - 4 processes (--segment I/4) × 1,000/s for 10 s remote-writing to one Prometheus:
#   sum(karga_actions_total{outcome="ok"}) is 40,000, and equals karga-merge's report;
#   every query of docs/grafana-dashboard.json returns data from the remote-written series;
# - hostile endpoints (never answers, resets, 500, 10× too slow) at 5,000/s for 10 s:
#   nginx sees 50,000 requests, each whole second 5,000 ± 1 %; the samples not
#   delivered are said; the exit status is 3.
#   push_test.sh KARGA_HTTP KARGA_MERGE SOURCE_DIR
set -uo pipefail
karga=$1
merge=$2
src=$3
here=$(dirname "${BASH_SOURCE[0]}")
for tool in nginx influxd prometheus prometheus-pushgateway python3; do
  command -v $tool >/dev/null || [[ -x /usr/sbin/$tool ]] || { echo "SKIP: $tool is not installed"; exit 0; }
done
dir=$(mktemp -d)
source "$here/loopback.sh"
pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; done; wait 2>/dev/null; stop_nginx "$dir"; rm -rf "$dir"' EXIT
start_nginx_logged "$dir"
url=http://127.0.0.1:$port/
failures=0
fail() {
  echo "FAIL [$case]: $*"
  failures=$((failures + 1))
}
wait_http() {  # URL: until it answers
  for _ in $(seq 300); do
    python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "FAIL: $1 never answered"
  exit 1
}

# The servers.
influx_port=$(free_port) influx_rpc=$(free_port)
mkdir -p "$dir/influx"
cat >"$dir/influx.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$influx_rpc"
[meta]
  dir = "$dir/influx/meta"
[data]
  dir = "$dir/influx/data"
  wal-dir = "$dir/influx/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:$influx_port"
  log-enabled = false
CONF
influxd -config "$dir/influx.conf" >"$dir/influx.log" 2>&1 &
pids+=($!)
prom_port=$(free_port)
printf 'global:\n  scrape_interval: 1m\n' >"$dir/prometheus.yml"
prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/prom" --web.enable-remote-write-receiver \
  --web.listen-address="127.0.0.1:$prom_port" >"$dir/prometheus.log" 2>&1 &
pids+=($!)
gw_port=$(free_port)
prometheus-pushgateway --web.listen-address="127.0.0.1:$gw_port" >"$dir/pushgateway.log" 2>&1 &
pids+=($!)
json_port=$(free_port)
mkdir -p "$dir/received"
python3 "$here/push_endpoints.py" receive $json_port "$dir/received" &
pids+=($!)
wait_http "http://127.0.0.1:$influx_port/ping"
wait_http "http://127.0.0.1:$prom_port/-/ready"
wait_http "http://127.0.0.1:$gw_port/-/ready"
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$json_port") 2>/dev/null && break; sleep 0.1; done
curl_post() { python3 -c "import urllib.request,sys; urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=sys.argv[2].encode()), timeout=5)" "$@"; }
curl_post "http://127.0.0.1:$influx_port/query" "q=CREATE DATABASE karga" || { echo "FAIL: cannot create the InfluxDB database"; exit 1; }

case="every push, 2,000/s for 10 s"
"$karga" "$url" --rate 2000 --duration 10s -q --out json="$dir/report.json" --out csv="$dir/series.csv" \
  --live "influxdb=http://127.0.0.1:$influx_port/write?db=karga" \
  --live "prometheus-rw=http://127.0.0.1:$prom_port/api/v1/write" \
  --push "pushgateway=http://127.0.0.1:$gw_port" \
  --push "json=http://pusher:secret@127.0.0.1:$json_port/reports?run=1" --push-header "X-Team: load" >"$dir/all.out" 2>&1
code=$?
cat "$dir/all.out"
[[ $code == 0 ]] || fail "karga-http exited $code"
python3 - "$dir" "$influx_port" "$prom_port" "$gw_port" <<'PY' || fail "what the servers hold against the report"
import base64, csv, json, pathlib, re, sys, time, urllib.parse, urllib.request
d = pathlib.Path(sys.argv[1])
influx, prom, gw = sys.argv[2:5]
report = json.load(open(d / "report.json"))
get = lambda u: urllib.request.urlopen(u, timeout=10).read().decode()

# The JSON receiver: one POST, equal to --out json, with the headers asked for.
bodies = sorted(d.glob("received/*.body"))
assert len(bodies) == 1, f"{len(bodies)} JSON pushes received"
assert json.loads(bodies[0].read_bytes()) == report, "the pushed report differs from --out json"
head = (d / "received/1.head").read_text()
assert head.startswith("POST /reports?run=1\n"), head
assert "Content-Type: application/json" in head, head
assert "X-Team: load" in head, head
assert "Authorization: Basic " + base64.b64encode(b"pusher:secret").decode() in head, head
print("json: the report, once, as --out json wrote it")

# InfluxDB: the series by interval equals the CSV; the last live point equals the report.
def influx_query(q):
    body = json.loads(get(f"http://127.0.0.1:{influx}/query?" + urllib.parse.urlencode({"db": "karga", "q": q})))
    series = body["results"][0].get("series")
    assert series, f"{q}: {body}"
    return series[0]["values"]
rows = list(csv.DictReader(open(d / "series.csv")))
values = influx_query("SELECT started, ok, failed, dropped FROM karga_series")
assert len(values) == len(rows), f"{len(values)} InfluxDB intervals, {len(rows)} CSV rows"
for k, (v, row) in enumerate(zip(values, rows)):
    assert [v[1], v[2], v[3], v[4]] == [int(row["started"]), int(row["ok"]), int(row["failed"]), int(row["dropped"])], \
        f"interval {k}: InfluxDB {v[1:]}, CSV {row}"
live = influx_query("SELECT last(ok), last(started), last(failed), count(ok) FROM karga")[0]
assert live[1:4] == [report["ok"], report["started"], report["failed"]], f"live {live}, report ok {report['ok']}"
assert live[4] >= 10, f"only {live[4]} live points"
print(f"influxdb: {len(rows)} intervals equal to the CSV; {live[4]} live points, the last equal to the report")

# Prometheus (remote write): the totals equal the report's.
def prom_query(q):
    body = json.loads(get(f"http://127.0.0.1:{prom}/api/v1/query?" + urllib.parse.urlencode({"query": q})))
    assert body["status"] == "success", body
    return body["data"]["result"]
for outcome in ("ok", "failed", "dropped", "interrupted"):
    r = prom_query(f'karga_actions_total{{outcome="{outcome}"}}')
    assert len(r) == 1 and float(r[0]["value"][1]) == report[outcome], f"{outcome}: {r}"
r = prom_query("karga_started_total")
assert float(r[0]["value"][1]) == report["started"], r
assert "instance" in r[0]["metric"], r[0]["metric"]
r = prom_query('karga_http_responses_total{status="200"}')
assert float(r[0]["value"][1]) == report["ok"], r
n = prom_query("count_over_time(karga_started_total[5m])")
print(f"prometheus: remote-written totals equal the report ({n[0]['value'][1]} samples of karga_started_total)")

# The Pushgateway: the final figures equal the report's.
text = get(f"http://127.0.0.1:{gw}/metrics")
def gw_value(name, extra=""):
    m = re.search(r"^" + name + r"\{[^}]*job=\"karga\"[^}]*" + extra + r"[^}]*\} (\S+)$", text, re.M)
    assert m, f"{name} {extra} not in the Pushgateway's metrics"
    return float(m.group(1))
assert gw_value("karga_actions_total", 'outcome="ok"') == report["ok"]
assert gw_value("karga_actions_total", 'outcome="failed"') == report["failed"]
assert gw_value("karga_started_total") == report["started"]
assert gw_value("karga_finished") == 1
print("pushgateway: the final figures equal the report")
PY

case="4 processes x 1,000/s remote-writing to one Prometheus"
prom2_port=$(free_port)
prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/prom2" --web.enable-remote-write-receiver \
  --web.listen-address="127.0.0.1:$prom2_port" >"$dir/prometheus2.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$prom2_port/-/ready"
start_at=$(python3 -c 'import time; print(f"{time.time() + 1.5:.3f}")')
seg_pids=()
for i in 0 1 2 3; do
  "$karga" "$url" --rate 4000 --duration 10s --segment $i/4 --start-at "$start_at" -q \
    --live "prometheus-rw=http://127.0.0.1:$prom2_port/api/v1/write" --out results="$dir/part-{segment}.kres" >"$dir/seg$i.out" 2>&1 &
  seg_pids+=($!)
done
for i in 0 1 2 3; do wait ${seg_pids[$i]} || fail "segment $i exited $?: $(cat "$dir/seg$i.out")"; done
"$merge" "$dir"/part-*.kres --out json="$dir/merged.json" >"$dir/merge.out" 2>&1 || fail "karga-merge exited $?"
python3 - "$dir/merged.json" "$prom2_port" "$src/docs/grafana-dashboard.json" <<'PY' || fail "Prometheus's sums against karga-merge"
import json, sys, time, urllib.parse, urllib.request
merged, prom = json.load(open(sys.argv[1])), sys.argv[2]
dashboard = json.load(open(sys.argv[3]))
def q(expr):
    body = json.load(urllib.request.urlopen(f"http://127.0.0.1:{prom}/api/v1/query?" + urllib.parse.urlencode({"query": expr}), timeout=10))
    assert body["status"] == "success", body
    return body["data"]["result"]
ok = q('sum(karga_actions_total{outcome="ok"})')
assert float(ok[0]["value"][1]) == 40000 == merged["ok"], f"Prometheus {ok}, karga-merge {merged['ok']}"
started = q("sum(karga_started_total)")
assert float(started[0]["value"][1]) == merged["started"], started
segments = q("count by (segment) (karga_started_total)")
assert sorted(r["metric"]["segment"] for r in segments) == ["0", "1", "2", "3"], segments
# The dashboard's queries, as Grafana would send them, over the run.
end = time.time()
queries = 0
for panel in dashboard["panels"]:
    for target in panel["targets"]:
        expr = target["expr"].replace("$scenario", "karga-http").replace("$__rate_interval", "4s")
        body = json.load(urllib.request.urlopen(f"http://127.0.0.1:{prom}/api/v1/query_range?" + urllib.parse.urlencode(
            {"query": expr, "start": end - 60, "end": end, "step": "1"}), timeout=10))
        assert body["status"] == "success", body
        assert body["data"]["result"] or "http_errors" in expr, f"dashboard panel {panel['title']!r}: {expr} returned nothing"
        queries += 1
print(f"prometheus: sum over 4 segments = 40000 = karga-merge's ok; {queries} dashboard queries answered")
PY

case="hostile endpoints at 5,000/s"
# The real servers are done with: stopped, so that their background work (compaction,
# garbage collection) does not share the 2 cores with this run.
for p in "${pids[@]}"; do kill $p 2>/dev/null; done
wait "${pids[@]}" 2>/dev/null
pids=()
never=$(free_port) reset=$(free_port) err=$(free_port) slow=$(free_port)
python3 "$here/push_endpoints.py" never $never & pids+=($!)
python3 "$here/push_endpoints.py" reset $reset & pids+=($!)
python3 "$here/push_endpoints.py" status500 $err & pids+=($!)
python3 "$here/push_endpoints.py" slow $slow 10 & pids+=($!)
for p in $never $reset $err $slow; do
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break; sleep 0.1; done
done
: >"$dir/access.log"
nginx -c "$dir/nginx.conf" -s reopen
sleep 0.3
: >"$dir/access.log"
"$karga" "$url" --rate 5000 --duration 10s -q --out json="$dir/hostile.json" --push-timeout 1s \
  --live "influxdb=http://127.0.0.1:$never/write?db=karga" --live "prometheus-rw=http://127.0.0.1:$reset/api/v1/write" \
  --push "json=http://127.0.0.1:$err/" --push "pushgateway=http://127.0.0.1:$slow" >"$dir/hostile.out" 2>&1
code=$?
cat "$dir/hostile.out"
[[ $code == 3 ]] || fail "karga-http exited $code (3 expected: the pushes failed)"
grep -q "influxdb http://127.0.0.1:$never/write?db=karga: .* samples not delivered" "$dir/hostile.out" || fail "no word of the dead InfluxDB"
grep -q "prometheus-rw http://127.0.0.1:$reset/api/v1/write: .* samples not delivered" "$dir/hostile.out" || fail "no word of the resets"
grep -q "push json to http://127.0.0.1:$err/: failed after 3 attempts: HTTP 500: the store is down" "$dir/hostile.out" || fail "no word of the 500s"
grep -q "pushgateway http://127.0.0.1:$slow/metrics/job/karga/instance/.*: 1 of 1 samples not delivered" "$dir/hostile.out" || fail "no word of the slow Pushgateway"
sleep 0.5
python3 - "$dir/hostile.json" "$dir/access.log" <<'PY' || fail "nginx's count beside the hostile endpoints"
import datetime, json, math, sys
report = json.load(open(sys.argv[1]))
rate, seconds = 5000, 10
assert report["ok"] == rate * seconds, report["ok"]
stamps = sorted(float(line.split()[0]) for line in open(sys.argv[2]) if line.split()[1] == "200")
assert len(stamps) == rate * seconds, f"nginx logged {len(stamps)}"
start = datetime.datetime.fromisoformat(report["started_at"].replace("Z", "+00:00")).timestamp()
per_second = [0] * (seconds + 2)
for t in stamps:
    per_second[min(max(0, math.ceil(t - start) - 1), seconds + 1)] += 1
print("nginx per second:", per_second[:seconds], f"start lag p99 {report['start_lag_ns']['p99'] / 1e3:.0f} us")
for k in range(seconds):
    assert abs(per_second[k] - rate) <= 0.01 * rate, f"second {k}: {per_second[k]}"
PY

[[ $failures == 0 ]] || { echo "$failures failures"; exit 1; }
echo "PASS"
