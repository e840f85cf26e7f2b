#!/usr/bin/env bash
# karga-http's outputs, read by readers nobody here wrote, against a real nginx:
# Python's json and xml parsers, HdrHistogram's Java HistogramLogProcessor; the
# time series against nginx's access log second by second; thresholds and their
# exit status against a server answering 10 % 503s; the progress line on a terminal.
#   outputs_test.sh KARGA_HTTP
set -uo pipefail
karga=$1
for tool in nginx python3; do
  command -v $tool >/dev/null || { echo "SKIP: $tool is not installed"; exit 0; }
done
dir=$(mktemp -d)
source "$(dirname "${BASH_SOURCE[0]}")/loopback.sh"
trap 'stop_nginx "$dir"; rm -rf "$dir"' EXIT
start_nginx "$dir" <<'HTTP'
  log_format stamp '$msec $status $request_uri';
  access_log @DIR@/access.log stamp;
  split_clients "$request_id" $bucket { 10% bad; * good; }
  server {
    listen 127.0.0.1:@PORT@;
    location / { return 200 "hello\n"; }
    location /mixed {
      if ($bucket = bad) { return 503; }
      return 200 "hello\n";
    }
  }
HTTP
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
url=http://127.0.0.1:$port

# 1. Thresholds against 10 % 503s: error_rate < 1% fails (exit 99, one failed JUnit
#    case), error_rate < 20% passes (exit 0, although requests failed).
"$karga" "$url/mixed" --rate 1000 --duration 2s --threshold 'error_rate<1%' --threshold 'p(99)<1s' \
  --out junit="$dir/fail.xml" --out json="$dir/fail.json" -q >"$dir/fail.out" 2>&1
code=$?
[[ $code == 99 ]] || fail "error_rate<1% against 10 % 503s exited $code, not 99: $(cat "$dir/fail.out")"
python3 - "$dir/fail.xml" <<'PY' || fail "the JUnit file of the failing run"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = root.findall(".//testcase")
failed = [c.get("name") for c in cases if c.find("failure") is not None]
assert len(cases) == 2, cases
assert failed == ["threshold error_rate<1%"], failed
assert root.get("failures") == "1"
PY
"$karga" "$url/mixed" --rate 1000 --duration 2s --threshold 'error_rate<20%' --out junit="$dir/pass.xml" -q >"$dir/pass.out" 2>&1
code=$?
[[ $code == 0 ]] || fail "error_rate<20% against 10 % 503s exited $code, not 0: $(cat "$dir/pass.out")"
python3 -c "import sys, xml.etree.ElementTree as ET; r = ET.parse(sys.argv[1]).getroot(); assert r.get('failures') == '0'" \
  "$dir/pass.xml" || fail "the JUnit file of the passing run"
python3 - "$dir/fail.json" <<'PY' || fail "the JSON report of the failing run"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["scheduled"] == r["ok"] + r["failed"] + r["dropped"] + r["interrupted"] == 2000, r
assert 100 <= r["http"]["statuses"]["503"] <= 300, r["http"]
assert r["thresholds_passed"] is False
assert [t["passed"] for t in r["thresholds"]] == [False, True]
assert len(r["series"]["intervals"]) == 2
PY

# 2. 2,000/s for 10 s: ten rows of CSV, each second's starts as nginx logged them.
: >"$dir/access.log"
nginx -c "$dir/nginx.conf" -s reopen
sleep 0.2
"$karga" "$url/" --rate 2000 --duration 10s --out csv="$dir/s.csv" --out json="$dir/s.json" --out hlog="$dir/s.hlog" \
  --out md="$dir/s.md" -q >"$dir/s.out" 2>&1 || fail "the 10 s run exited $?: $(cat "$dir/s.out")"
sleep 0.5
python3 - "$dir/s.csv" "$dir/s.json" "$dir/access.log" <<'PY' || fail "the time series against nginx's access log"
import csv, datetime, json, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
report = json.load(open(sys.argv[2]))
assert len(rows) == 10, f"{len(rows)} rows"
assert all(int(r["scheduled"]) == 2000 for r in rows), [r["scheduled"] for r in rows]
start = datetime.datetime.fromisoformat(report["started_at"].replace("Z", "+00:00")).timestamp()
logged = [0] * 12
for line in open(sys.argv[3]):
    msec, status, uri = line.split()
    if uri == "/" and status == "200":
        k = max(0, math.ceil(float(msec) - start) - 1)
        logged[min(k, 11)] += 1
assert sum(logged) == 20000, f"nginx logged {sum(logged)}"
for k, r in enumerate(rows):
    started = int(r["started"])
    # A second's edges are ±1 ms apart between the two clocks: within 1 %.
    assert abs(started - logged[k]) <= 0.01 * started, f"second {k}: karga {started}, nginx {logged[k]}"
print("per second, karga / nginx:", [(int(r["started"]), logged[k]) for k, r in enumerate(rows)])
PY
grep -q "| \`" "$dir/s.md" && fail "a threshold table without thresholds"
grep -q "### karga: karga-http" "$dir/s.md" || fail "the Markdown summary: $(cat "$dir/s.md")"

# 3. The interval log, read by HdrHistogram's own HistogramLogProcessor.
jar=$(ls /usr/share/java/hdrhistogram.jar /usr/share/java/HdrHistogram.jar 2>/dev/null | head -n 1)
if [[ -z $jar ]] || ! command -v java >/dev/null; then
  echo "SKIP: Java's HdrHistogram (libhdrhistogram-java, default-jre-headless) is not installed: the .hlog is not checked"
else
  java -cp "$jar" org.HdrHistogram.HistogramLogProcessor -i "$dir/s.hlog" -o "$dir/s.hgrm-out" -outputValueUnitRatio 1 \
    >/dev/null 2>&1 ||
    fail "HistogramLogProcessor could not read the .hlog"
  python3 - "$dir/s.hgrm-out.hgrm" "$dir/s.json" <<'PY' || fail "HistogramLogProcessor's percentiles against karga's"
import json, sys
values = {}
total = None
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) == 4 and not line.startswith("#"):
        try:
            values[round(float(parts[1]), 6)] = float(parts[0])  # ns
        except ValueError:
            pass
    if "Total count" in line:
        total = int(line.split("=")[2].split(",")[0].split("]")[0])
r = json.load(open(sys.argv[2]))
assert total == r["ok"] + r["failed"], (total, r["ok"])
for p, key in ((0.5, "p50"), (0.9, "p90")):
    java, karga = values[p], r["response_time_ns"][key]
    # 2 significant digits in the log (Java reports a bucket's top), 3 in karga's report.
    assert abs(java - karga) <= 0.01 * karga + 1, (p, java, karga)
    print(f"p{int(p*100)}: HistogramLogProcessor {java/1e3:.1f} µs, karga {karga/1e3:.1f} µs")
PY
fi

# 4. The progress line on a terminal (script gives karga-http a pty): the bar,
#    updated in place, then the summary.
if command -v script >/dev/null; then
  script -qfec "$karga $url/ --rate 200 --duration 2500ms" "$dir/tty.txt" >/dev/null 2>&1
  grep -q $'\r\x1b\[2K\[' "$dir/tty.txt" || fail "no progress bar on a terminal: $(cat -v "$dir/tty.txt" | head -5)"
  grep -q "(done)" "$dir/tty.txt" || fail "the progress line did not end"
  grep -q "scheduled       500 arrivals" "$dir/tty.txt" || fail "no summary after the progress line"
  "$karga" "$url/" --rate 200 --duration 2500ms 2>"$dir/notty.txt" >/dev/null
  [[ ! -s $dir/notty.txt ]] || fail "a progress line when stderr is not a terminal, without --progress"
fi

((failures == 0)) && echo "outputs: JSON, JUnit, CSV, Markdown and .hlog read back; thresholds exit 99 and 0 as they should"
exit $((failures != 0))
