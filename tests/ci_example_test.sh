#!/usr/bin/env bash
# The load-test step of docs/examples/github-actions.yml, run here as the workflow
# runs it, against a local nginx: it passes against a healthy server (every output
# written, the summary appended), and fails the job (exit 99) against one that
# answers 503.
#   ci_example_test.sh KARGA_HTTP SOURCE_DIR
set -uo pipefail
karga=$1
src=$2
command -v nginx >/dev/null || { echo "SKIP: nginx is not installed"; exit 0; }
dir=$(mktemp -d)
source "$(dirname "${BASH_SOURCE[0]}")/loopback.sh"
trap 'stop_nginx "$dir"; rm -rf "$dir"' EXIT
start_nginx "$dir" <<'HTTP'
  access_log off;
  server {
    listen 127.0.0.1:@PORT@;
    location / { return 200 "hello\n"; }
    location /down { return 503; }
  }
HTTP
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
export KARGA_HTTP=$karga RATE=200 DURATION=2s
TARGET_URL=http://127.0.0.1:$port/ OUT_DIR=$dir/ok GITHUB_STEP_SUMMARY=$dir/summary.md \
  bash "$src/docs/examples/load-test.sh" >"$dir/ok.log" 2>&1
code=$?
[[ $code == 0 ]] || fail "a healthy server: exit $code: $(cat "$dir/ok.log")"
for f in report.json seconds.csv latency.hlog junit.xml run.karga report.html; do
  [[ -s $dir/ok/$f ]] || fail "no $f"
done
grep -q "p(99) < 250ms" "$dir/summary.md" || fail "no thresholds in the job summary"
TARGET_URL=http://127.0.0.1:$port/down OUT_DIR=$dir/down GITHUB_STEP_SUMMARY=$dir/summary.md \
  bash "$src/docs/examples/load-test.sh" >"$dir/down.log" 2>&1
code=$?
[[ $code == 99 ]] || fail "a server answering 503: exit $code, not 99: $(cat "$dir/down.log")"
grep -q "❌ \*\*fail\*\*" "$dir/summary.md" || fail "the failing threshold is not in the job summary"
((failures == 0)) && echo "the CI example passes against a healthy server and fails the job against a failing one"
exit $((failures != 0))
