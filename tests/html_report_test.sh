#!/usr/bin/env bash
# karga-http --out html=FILE after a run against a real nginx answering 10 % 503s,
# opened by headless Chromium with every host name unresolvable (a request to any
# network would be a console error): no console error, the rendered page holds the
# four charts with their lines and the tables, and it renders to a screenshot (light
# and dark) and prints to PDF.
#   html_report_test.sh KARGA_HTTP [KEEP_DIR]   (KEEP_DIR: where to leave the files)
set -uo pipefail
karga=$1
keep=${2:-}
chromium=$(command -v chromium || command -v chromium-browser)
for tool in nginx python3 "$chromium"; do
  command -v "$tool" >/dev/null || { echo "SKIP: ${tool:-chromium} is not installed"; exit 0; }
done
dir=$(mktemp -d)
source "$(dirname "${BASH_SOURCE[0]}")/loopback.sh"
trap 'stop_nginx "$dir"; rm -rf "$dir"' EXIT
start_nginx_with_503s "$dir"
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

"$karga" "http://127.0.0.1:$port/" --stage 1s:200 --stage 2s:1000 --stage 1s:1000 --threshold 'error_rate<1%' \
  --out html="$dir/report.html" --out json="$dir/report.json" -q >"$dir/karga.out" 2>&1
[[ -s $dir/report.html ]] || { echo "FAIL: no report: $(cat "$dir/karga.out")"; exit 1; }

browse() {
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$dir/profile" --host-resolver-rules="MAP * ~NOTFOUND" \
    --enable-logging=stderr --v=0 "$@" "file://$dir/report.html"
}
browse --dump-dom >"$dir/dom.html" 2>"$dir/console.log" || fail "chromium --dump-dom exited $?"
grep -E "CONSOLE|Uncaught|Failed to load" "$dir/console.log" && fail "console messages while loading the report"
browse --screenshot="$dir/light.png" --window-size=1100,2700 >/dev/null 2>&1 || fail "no screenshot"
browse --screenshot="$dir/dark.png" --window-size=1100,2700 --force-dark-mode --blink-settings=preferredColorScheme=0 \
  >/dev/null 2>&1 || fail "no dark screenshot"
browse --print-to-pdf="$dir/report.pdf" --no-pdf-header-footer >/dev/null 2>&1 || fail "no PDF"

python3 - "$dir" <<'PY' || fail "the rendered page"
import html.parser, json, os, sys
d = sys.argv[1]
report = json.load(open(os.path.join(d, "report.json")))

class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.charts, self.chart, self.cells, self.cell = {}, None, [], None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg" and "chart" in a.get("class", ""):
            self.chart = a["id"]
            self.charts[self.chart] = []
        elif tag == "polyline" and self.chart:
            self.charts[self.chart].append(len(a.get("points", "").split()))
        elif tag == "td":
            self.cell = ""
    def handle_endtag(self, tag):
        if tag == "svg":
            self.chart = None
        elif tag == "td" and self.cell is not None:
            self.cells.append(self.cell)
            self.cell = None
    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data

page = Page()
page.feed(open(os.path.join(d, "dom.html")).read())
seconds = len(report["series"]["intervals"])
assert set(page.charts) == {"rate", "latency-intended", "latency-own", "spectrum"}, page.charts
assert page.charts["rate"] == [seconds, seconds], page.charts["rate"]            # achieved, target
assert page.charts["latency-intended"] == [seconds] * 4, page.charts
assert page.charts["latency-own"] == [seconds] * 4, page.charts
assert len(page.charts["spectrum"]) == 2 and min(page.charts["spectrum"]) > 20, page.charts["spectrum"]
cells = page.cells
for name, key in [("ok", "ok"), ("failed", "failed"), ("interrupted", "interrupted")]:
    assert cells[cells.index(name) + 1] == str(report[key]), (name, cells[cells.index(name) + 1], report[key])
for code, n in report["http"]["statuses"].items():
    assert cells[cells.index(code) + 1] == str(n), (code, n)
assert "fail" in cells, "the failing threshold"
for shot in ("light.png", "dark.png"):
    size = os.path.getsize(os.path.join(d, shot))
    assert size > 50_000, f"{shot}: {size} bytes"
assert open(os.path.join(d, "report.pdf"), "rb").read(5) == b"%PDF-"
print(f"charts {sorted(page.charts)}, {seconds} intervals, report {os.path.getsize(os.path.join(d, 'report.html'))} bytes")
PY
[[ -n $keep ]] && cp "$dir"/report.html "$dir"/light.png "$dir"/dark.png "$dir"/report.pdf "$keep"/
((failures == 0)) && echo "Chromium renders the HTML report: no console error, every chart drawn"
exit $((failures != 0))
