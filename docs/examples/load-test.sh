#!/usr/bin/env bash
# The load test step of docs/examples/github-actions.yml: a fixed rate against the
# service, thresholds that fail the job, the outputs a CI job keeps.
#   KARGA_HTTP=path/to/karga-http TARGET_URL=http://127.0.0.1:8080/ OUT_DIR=results \
#   GITHUB_STEP_SUMMARY=summary.md bash load-test.sh
set -uo pipefail
: "${KARGA_HTTP:=karga-http}" "${TARGET_URL:?the URL to test}" "${OUT_DIR:=karga-results}"
mkdir -p "$OUT_DIR"
"$KARGA_HTTP" "$TARGET_URL" --rate "${RATE:-200}" --duration "${DURATION:-10s}" \
  --threshold 'p(99) < 250ms' --threshold 'error_rate < 1%' --threshold 'achieved >= 99%' \
  --out json="$OUT_DIR/report.json" --out csv="$OUT_DIR/seconds.csv" --out hlog="$OUT_DIR/latency.hlog" \
  --out junit="$OUT_DIR/junit.xml" --out results="$OUT_DIR/run.karga" --out html="$OUT_DIR/report.html" \
  ${GITHUB_STEP_SUMMARY:+--out md="$GITHUB_STEP_SUMMARY"}
status=$?
# 0: thresholds passed; 99: one failed; 2: usage; 128+N: stopped by a signal.
echo "karga-http exited $status"
exit $status
