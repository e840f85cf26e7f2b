#!/usr/bin/env bash
# karga-fs from the command line: bad input is exit status 2 and one line; a run's
# counts and bytes are exact (the file's size says so); errors the system gives
# (EFBIG past `ulimit -f`, EACCES for a file another user may not write) are counted
# by name, the rest still measured; the JSON report reads with Python's json; two
# segments' results files merge into the whole run.
#   fs_cli.sh KARGA_FS KARGA_MERGE
set -uo pipefail
karga=$1
merge=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
expect() {  # expect MESSAGE ARG...
  local message=$1
  shift
  local out code
  out=$(timeout 20 "$karga" "$@" 2>&1 >/dev/null)
  code=$?
  if [[ $code != 2 || $(wc -l <<<"$out") != 1 || $out != *"$message"* ]]; then
    fail "karga-fs $* -> exit $code, \"$out\" (wanted exit 2 and \"$message\")"
  fi
}
expect '--op is required' --file "$work/x"
expect '--op: "randrw" is not an operation' --op randrw --file "$work/x"
expect '--bs: "4q": unknown unit "q"' --op read --file "$work/x" --bs 4q
expect '--engine: "aio" is not an engine: sync or uring' --op read --file "$work/x" --engine aio
expect '--depth: io_uring needs at least 1 entry' --op read --file "$work/x" --engine uring --depth 0
expect 'does not exist: give a size to make it' --op randread --file "$work/missing"
expect 'is smaller than one block of 65536' --op randread --file "$work/small" --size 4k --bs 64k
expect 'create needs a directory' --op create --file "$work/x"
expect '--rate needs --duration' --op stat --file "$work/x" --rate 10

# Exact: 2,000 appends of 4 KiB by 4 workers on 2 threads, through io_uring.
out=$("$karga" --op append --file "$work/log" --bs 4k --iterations 2000 --connections 4 --threads 2 --engine uring -q)
code=$?
[[ $code == 0 ]] || fail "append run: exit $code"
[[ $(stat -c %s "$work/log") == $((2000 * 4096)) ]] || fail "the file is $(stat -c %s "$work/log") bytes, not 2000 × 4096"
grep -q "ok 2000  failed 0" <<<"$out" || fail "append run: not ok 2000: $out"
grep -Eq "append +2000 " <<<"$out" || fail "append run: no append row: $out"

# EFBIG: a file limit of 1 MiB (ulimit -f counts 1 KiB blocks); 300 appends of 4 KiB,
# 256 fit. The other 44 fail by name; the process goes on (SIGXFSZ is ignored).
out=$(ulimit -f 1024; "$karga" --op append --file "$work/capped" --bs 4k --iterations 300 --connections 1 -q --out json="$work/capped.json")
code=$?
[[ $code == 1 ]] || fail "EFBIG run: exit $code, wanted 1 (some operations failed)"
grep -q "ok 256  failed 44" <<<"$out" || fail "EFBIG run: not ok 256 failed 44: $out"
grep -q "EFBIG×44" <<<"$out" || fail "EFBIG run: no EFBIG×44: $out"
python3 - "$work/capped.json" <<'PY' || fail "EFBIG run: the JSON report"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["fs"]["errors"]["EFBIG"]["count"] == 44, r["fs"]["errors"]
assert "File too large" in r["fs"]["errors"]["EFBIG"]["first_message"]
assert r["fs"]["operations"]["append"]["count"] == 300
assert r["fs"]["operations"]["append"]["bytes"] == 256 * 4096
PY

# EACCES: a file its owner (root) may write, written by another user.
as_nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
chmod 755 "$work"
if [[ $(id -u) == 0 ]] && id nobody >/dev/null 2>&1 && "${as_nobody[@]}" test -x "$karga" -a -r "$work"; then
  head -c 65536 /dev/zero >"$work/theirs"
  chmod 644 "$work/theirs"
  out=$("${as_nobody[@]}" "$karga" --op write --file "$work/theirs" --iterations 50 -q)
  code=$?
  [[ $code == 1 ]] || fail "EACCES run: exit $code, wanted 1"
  grep -q "EACCES×50" <<<"$out" || fail "EACCES run: no EACCES×50: $out"
  grep -q "first EACCES: Permission denied ($work/theirs)" <<<"$out" || fail "EACCES run: no first message: $out"
else
  echo "skipped: EACCES needs root, and a karga-fs that nobody may run"
fi

# The open model: 2,000 stats at 1,000/s, achieved as scheduled.
out=$("$karga" --op stat --file "$work/log" --rate 1000 --duration 2s -q)
grep -q "ok 2000  failed 0  dropped 0" <<<"$out" || fail "open model: $out"

# Two segments of one open-model run, merged: every arrival once, the errors added.
for i in 0 1; do
  "$karga" --op stat --dir "$work/seg" --files 10 --rate 2000 --duration 1s --segment $i/2 -q \
    --out results="$work/seg-$i.karga" >/dev/null
done
out=$("$merge" "$work/seg-0.karga" "$work/seg-1.karga" --threshold 'errors(ENOENT)==0' --out json="$work/merged.json")
code=$?
[[ $code == 0 ]] || fail "merge: exit $code: $out"
grep -q "2 results merged" <<<"$out" || fail "merge: $out"
grep -q "ok 2000  failed 0" <<<"$out" || fail "merge: not ok 2000: $out"
grep -Eq "stat +2000 " <<<"$out" || fail "merge: no stat row of 2000: $out"
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert r['fs']['operations']['stat']['count'] == 2000" \
  "$work/merged.json" || fail "merge: the JSON report"

((failures == 0)) && echo "karga-fs: usage errors, exact counts, EFBIG, EACCES, JSON and merged segments as expected"
exit $((failures != 0))
