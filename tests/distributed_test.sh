#!/usr/bin/env bash
# One test run by 4 processes against one nginx, merged by karga-merge: first 4
# plain processes given --segment I/4 and one --start-at, then (where Open MPI is
# installed) `mpirun -np 4`, the processes finding their segments in its
# environment. Each time: the merged count equals the one-process schedule exactly,
# every request has one outcome, and nginx's access log sees the rate in each whole
# second within 1 %.
#   distributed_test.sh KARGA_HTTP KARGA_MERGE
set -uo pipefail
karga=$1
merge=$2
for tool in nginx python3; do
  command -v $tool >/dev/null || { echo "SKIP: $tool is not installed"; exit 0; }
done
dir=$(mktemp -d)
source "$(dirname "${BASH_SOURCE[0]}")/loopback.sh"
trap 'stop_nginx "$dir"; rm -rf "$dir"' EXIT
start_nginx_logged "$dir"
failures=0
fail() {
  echo "FAIL [$case]: $*"
  failures=$((failures + 1))
}
url=http://127.0.0.1:$port/

# check RATE SECONDS: the merged report and nginx's log of the run.
check() {
  local rate=$1 seconds=$2
  "$merge" "$dir"/part-*.kres --out json="$dir/merged.json" >"$dir/merge.out" 2>&1 || fail "karga-merge exited $?: $(cat "$dir/merge.out")"
  sleep 0.5
  python3 - "$dir/merged.json" "$dir/access.log" "$rate" "$seconds" <<'PY' || fail "the merged report against nginx's log"
import datetime, json, math, sys
report = json.load(open(sys.argv[1]))
rate, seconds = int(sys.argv[3]), int(sys.argv[4])
total = rate * seconds
assert report["scheduled"] == total, f"merged scheduled {report['scheduled']}, one process would schedule {total}"
assert report["ok"] == total, f"ok {report['ok']} of {total}"
assert report["scheduled"] == report["ok"] + report["failed"] + report["dropped"] + report["interrupted"]
assert report["threads"] == 4, report["threads"]
stamps = sorted(float(line.split()[0]) for line in open(sys.argv[2]) if line.split()[1] == "200")
assert len(stamps) == total, f"nginx logged {len(stamps)}"
start = datetime.datetime.fromisoformat(report["started_at"].replace("Z", "+00:00")).timestamp()
per_second = [0] * (seconds + 2)
for t in stamps:
    per_second[min(max(0, math.ceil(t - start) - 1), seconds + 1)] += 1
print("nginx per second:", per_second[:seconds])
for k in range(seconds):
    assert abs(per_second[k] - rate) <= 0.01 * rate, f"second {k}: {per_second[k]}"
PY
}

case="4 plain processes, --segment I/4, --start-at"
start_at=$(python3 -c 'import time; print(f"{time.time() + 1.5:.3f}")')
pids=()
for i in 0 1 2 3; do
  "$karga" "$url" --rate 4000 --duration 5s --segment $i/4 --start-at "$start_at" \
    --out results="$dir/part-{segment}.kres" -q >"$dir/p$i.out" 2>&1 &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "a process exited $?"; done
for i in 0 1 2 3; do
  grep -q "segment $i/4 (from --segment)" "$dir/p$i.out" || fail "process $i: $(cat "$dir/p$i.out")"
  skew=$(sed -n 's/.*start skew *\([-+0-9.]*\)ms.*/\1/p' "$dir/p$i.out")
  python3 -c "import sys; sys.exit(0 if abs(float('$skew')) < 50 else 1)" 2>/dev/null || fail "process $i started ${skew} ms from --start-at"
done
check 4000 5

if command -v mpirun >/dev/null; then
  case="mpirun -np 4, segments from Open MPI's environment"
  rm -f "$dir"/part-*.kres
  : >"$dir/access.log"
  nginx -c "$dir/nginx.conf" -s reopen 2>/dev/null
  sleep 0.3
  root=()
  [[ $(id -u) == 0 ]] && root=(--allow-run-as-root)
  start_at=$(python3 -c 'import time; print(f"{time.time() + 3:.3f}")')
  mpirun -np 4 --oversubscribe "${root[@]}" "$karga" "$url" --rate 4000 --duration 10s --start-at "$start_at" \
    --out results="$dir/part-{segment}.kres" -q >"$dir/mpi.out" 2>&1 || fail "mpirun exited $?: $(cat "$dir/mpi.out")"
  [[ $(grep -c "(from OMPI_COMM_WORLD_RANK/OMPI_COMM_WORLD_SIZE)" "$dir/mpi.out") == 4 ]] || fail "segments: $(cat "$dir/mpi.out")"
  check 4000 10
else
  echo "SKIP: Open MPI (openmpi-bin) is not installed: mpirun is not tried"
fi

case="karga-merge refuses what is not a results file"
echo "not results" >"$dir/bad.kres"
out=$("$merge" "$dir/bad.kres" 2>&1)
code=$?
# The whole line: the file named once, then what is wrong with it.
[[ $code == 2 && $out == "karga-merge: $dir/bad.kres: bad results file: it does not start with KARGARES: not a karga results file" ]] ||
  fail "exit $code: $out"
# Results of another test (a closed model) are refused, naming both files.
"$karga" "$url" --connections 2 --duration 300ms --out results="$dir/closed.kres" -q >/dev/null 2>&1
out=$("$merge" "$dir/part-0.kres" "$dir/closed.kres" 2>&1)
code=$?
[[ $code == 2 && $out == "karga-merge: $dir/part-0.kres and $dir/closed.kres hold results of different tests: open (karga-http: "*") and closed (karga-http: 2 users for 300ms)" ]] ||
  fail "an open and a closed run merged: exit $code, $out"
out=$("$merge" "$dir/missing.kres" 2>&1)
code=$?
[[ $code == 2 && $out == "karga-merge: cannot read $dir/missing.kres" ]] || fail "exit $code: $out"

((failures == 0)) && echo "distributed: 4 processes merged exactly"
exit $((failures != 0))
