#!/usr/bin/env bash
# karga-http --prometheus, scraped by a real Prometheus server every second while it
# loads a real nginx that answers 10 % of requests with 503: after the run,
# Prometheus's query API returns the report's totals exactly (outcomes, statuses),
# and the rate it recorded during the steady part is within 2 % of the target.
# Every query of docs/grafana-dashboard.json runs on it and returns data.
#   prometheus_test.sh KARGA_HTTP SOURCE_DIR
set -uo pipefail
karga=$1
src=$2
for tool in nginx prometheus python3; do
  command -v $tool >/dev/null || { echo "SKIP: $tool is not installed"; exit 0; }
done
dir=$(mktemp -d)
source "$(dirname "${BASH_SOURCE[0]}")/loopback.sh"
prometheus_pid=
trap '[[ -n $prometheus_pid ]] && kill $prometheus_pid 2>/dev/null; wait 2>/dev/null; stop_nginx "$dir"; rm -rf "$dir"' EXIT
start_nginx_with_503s "$dir"
target_port=$port
metrics_port=$(free_port)
api_port=$(free_port)
cat >"$dir/prometheus.yml" <<CONF
global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: karga
    static_configs:
      - targets: ['127.0.0.1:$metrics_port']
CONF
prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
  --web.listen-address="127.0.0.1:$api_port" >"$dir/prometheus.log" 2>&1 &
prometheus_pid=$!
for _ in $(seq 200); do
  python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$api_port/-/ready', timeout=1)" 2>/dev/null && break
  sleep 0.1
done

# Prometheus takes up a new target a few seconds after it starts: the run starts
# once it scrapes the endpoint (empty until the first sample).
rate=1000 seconds=8
start_at=$(python3 -c 'import time; print(f"{time.time() + 8:.3f}")')
"$karga" "http://127.0.0.1:$target_port/" --rate $rate --duration ${seconds}s --prometheus "127.0.0.1:$metrics_port" \
  --start-at "$start_at" --out json="$dir/report.json" -q >"$dir/karga.out" 2>&1
code=$?
[[ $code == 1 ]] || { echo "FAIL: karga-http exited $code (1 expected: 503s): $(cat "$dir/karga.out")"; exit 1; }

python3 - "$dir/report.json" "127.0.0.1:$api_port" "$rate" "$src/docs/grafana-dashboard.json" <<'PY'
import json, sys, time, urllib.parse, urllib.request
report = json.load(open(sys.argv[1]))
api, rate = sys.argv[2], float(sys.argv[3])
dashboard = json.load(open(sys.argv[4]))

def query(expr):
    url = f"http://{api}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    body = json.load(urllib.request.urlopen(url, timeout=5))
    assert body["status"] == "success", body
    return body["data"]["result"]

def last(expr):
    # The last scraped value (the endpoint is gone: instant queries see stale series).
    result = query(f"last_over_time({expr}[5m])")
    assert len(result) == 1, f"{expr}: {result}"
    return float(result[0]["value"][1])

time.sleep(1.5)  # the last scrape is written
failures = []
def check(name, scraped, reported):
    if scraped != reported:
        failures.append(f"{name}: Prometheus has {scraped}, the report {reported}")

assert last('karga_finished{scenario="karga-http"}') == 1, "the final values were not scraped"
check("started", last('karga_started_total'), report["started"])
for outcome, key in [("ok", "ok"), ("failed", "failed"), ("dropped", "dropped"), ("interrupted", "interrupted")]:
    check(outcome, last(f'karga_actions_total{{outcome="{outcome}"}}'), report[key])
statuses = {int(code): n for code, n in report["http"]["statuses"].items() if code != "other"}
for code in (200, 503):
    check(f"status {code}", last(f'karga_http_responses_total{{status="{code}"}}'), statuses.get(code, 0))
check("latency count", last('karga_latency_seconds_count'), report["response_time_ns"]["count"])
check("scheduled", last('karga_scheduled_total'), report["scheduled"])

# The rate during the steady part, from pairs of scrapes: counts over karga's own
# elapsed time, both of one sample.
end = time.time()
def series(expr):
    result = query(f"{expr}[2m]")
    assert len(result) == 1, result
    return [(float(t), float(v)) for t, v in result[0]["values"]]
started = dict(series('karga_started_total'))
elapsed = dict(series('karga_elapsed_seconds'))
points = sorted((elapsed[t], started[t]) for t in started if t in elapsed)
steady = [(e, n) for e, n in points if 1.5 <= e <= 7.5]
assert len(steady) >= 4, f"too few scrapes in the steady part: {points}"
(e0, n0), (e1, n1) = steady[0], steady[-1]
measured = (n1 - n0) / (e1 - e0)
if abs(measured - rate) > 0.02 * rate:
    failures.append(f"rate {measured:.1f}/s from Prometheus, target {rate}")
# The gauge, per interval: a stall on a busy machine moves starts from one interval
# to the next, so their mean is held to 2 %, not each one.
gauges = [v for t, v in series('karga_achieved_rate') if 1.5 <= elapsed.get(t, 0) <= 7.5]
if not gauges or abs(sum(gauges) / len(gauges) - rate) > 0.02 * rate:
    failures.append(f"achieved_rate samples average more than 2 % off {rate}: {gauges}")

# The dashboard's queries, as Grafana would send them, over the run.
queries = 0
for panel in dashboard["panels"]:
    for target in panel["targets"]:
        expr = target["expr"].replace("$scenario", "karga-http").replace("$__rate_interval", "4s")
        url = f"http://{api}/api/v1/query_range?" + urllib.parse.urlencode(
            {"query": expr, "start": end - 90, "end": end, "step": "1"})
        body = json.load(urllib.request.urlopen(url, timeout=5))
        if body["status"] != "success" or not body["data"]["result"]:
            if "http_errors" not in expr:  # no request failed without a response
                failures.append(f"dashboard panel {panel['title']!r}: {expr} returned {body}")
        queries += 1

if failures:
    print("FAIL:", *failures, sep="\n  ")
    sys.exit(1)
print(f"Prometheus: started {report['started']}, ok {report['ok']}, failed {report['failed']} as the report; "
      f"{measured:.1f}/s in the steady part ({len(steady)} scrapes), target {rate:.0f}/s; "
      f"{queries} dashboard queries answered")
PY
