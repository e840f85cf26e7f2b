#!/usr/bin/env python3
"""karga-fs beside fio, in one run, on the same files (bench/README.md has figures).

    python3 bench/fs_vs_fio.py [ROUNDS] [DIR] [FILES]     (after `bash build.sh build`)

1. Closed loop: 4 KiB random reads of a 1 GiB file in the page cache, 4 workers:
   fio psync numjobs=4 beside karga-fs --engine sync (calls on the shards' threads,
   --threads 4 --connections 4), and fio io_uring iodepth=4 (one job) beside
   karga-fs --engine uring --depth 4 (one thread, 4 workers); each 5 s, alternating,
   ROUNDS each: median IOPS and CPU microseconds (user + sys) per operation.
2. Open model: 20,000 reads/s for 10 s. karga-fs --rate (arrivals on a schedule,
   latency from the intended start) beside fio --rate_iops (a throttle: fio waits
   before it issues, so its latency starts when the read does). Achieved rate and
   p50/p99/p99.9 of each; karga's own latency beside its latency from intended, at
   the default pacing slot (500 us: a timer wake starts what is due by then) and at 0
   (a wake per read).
3. Metadata: create, stat and unlink of FILES files (default 20,000) in a directory,
   one worker, once each: karga-fs --op create|stat|unlink beside fio's filecreate,
   filestat and filedelete engines: operations per second. (fio's rate falls as
   nrfiles grows, 9,000/s at 2,000 files, 1,000/s at 20,000: at 100,000 one run
   takes minutes.)
"""
import json
import os
import pathlib
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile

root = pathlib.Path(__file__).resolve().parent.parent
karga = os.environ.get("KARGA_FS", str(root / "build/tools/karga-fs"))
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
work = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="karga-fs-bench-", dir="/var/tmp"))
work.mkdir(parents=True, exist_ok=True)
n = int(sys.argv[3]) if len(sys.argv) > 3 else 20_000
if not shutil.which("fio"):
    sys.exit("fio is missing: apt-get install -y fio")
if not os.access(karga, os.X_OK):
    sys.exit("build first: bash build.sh build")


def timed(cmd):
    """Runs cmd; returns its stdout and the CPU seconds (user + sys) it used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return out, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def karga_run(args):
    report = work / "karga.json"
    _, cpu = timed([karga, *args, "-q", "--out", f"json={report}"])
    return json.loads(report.read_text()), cpu


def fio_run(args):
    out, cpu = timed(["fio", "--output-format=json", *args])
    return json.loads(out), cpu


data = work / "data-1g"
print(f"# karga-fs beside fio {subprocess.run(['fio', '--version'], capture_output=True, text=True).stdout.strip()}, "
      f"{os.cpu_count()} CPUs, files in {work}")
# Made by karga-fs (its pattern), then read once so that it is in the page cache.
subprocess.run([karga, "--op", "read", "--file", str(data), "--size", "1G", "--bs", "1M", "--iterations", "1024",
                "--connections", "1", "-q"], check=True, capture_output=True)

# 1. Closed loop.
print("\n## closed loop, 4 KiB random reads of 1 GiB in the page cache, 4 workers, 5 s each")
fio_common = ["--name=r", f"--filename={data}", "--rw=randread", "--bs=4k", "--size=1g", "--time_based",
              "--runtime=5", "--group_reporting", "--invalidate=0"]
pairs = {
    "psync numjobs=4 / sync, 4 threads": (
        lambda: fio_run(fio_common + ["--ioengine=psync", "--numjobs=4", "--thread"]),
        lambda: karga_run(["--op", "randread", "--file", str(data), "--engine", "sync", "--threads", "4",
                           "--connections", "4", "--duration", "5s"])),
    "io_uring iodepth=4 / uring, depth 4": (
        lambda: fio_run(fio_common + ["--ioengine=io_uring", "--iodepth=4"]),
        lambda: karga_run(["--op", "randread", "--file", str(data), "--engine", "uring", "--depth", "4",
                           "--connections", "4", "--duration", "5s"])),
}
print("| engines (fio, karga-fs) | fio IOPS | karga-fs IOPS | ratio | fio CPU µs/op | karga-fs CPU µs/op |")
print("|---|---|---|---|---|---|")
for name, (fio, kf) in pairs.items():
    f_iops, k_iops, f_cpu, k_cpu = [], [], [], []
    for _ in range(rounds):
        r, cpu = fio()
        ops = r["jobs"][0]["read"]["total_ios"]
        f_iops.append(r["jobs"][0]["read"]["iops"])
        f_cpu.append(cpu / ops * 1e6)
        r, cpu = kf()
        ops = r["fs"]["operations"]["randread"]["count"]
        k_iops.append(ops / r["elapsed_s"])
        k_cpu.append(cpu / ops * 1e6)
    fm, km = statistics.median(f_iops), statistics.median(k_iops)
    print(f"| {name} | {fm:,.0f} | {km:,.0f} | {km / fm:.2f} | {statistics.median(f_cpu):.2f} | "
          f"{statistics.median(k_cpu):.2f} |", flush=True)

# 2. Open model.
print("\n## 20,000 random 4 KiB reads/s for 10 s (psync / sync on one thread)")
r, _ = fio_run(["--name=r", f"--filename={data}", "--rw=randread", "--bs=4k", "--size=1g", "--time_based",
                "--runtime=10", "--invalidate=0", "--ioengine=psync", "--rate_iops=20000"])
read = r["jobs"][0]["read"]
pct = read["clat_ns"]["percentile"]
print("| tool | achieved/s | p50 | p99 | p99.9 | what the latency counts |")
print("|---|---|---|---|---|---|")
print(f"| fio --rate_iops=20000 | {read['iops']:,.0f} | {pct['50.000000'] / 1e3:.1f} µs | {pct['99.000000'] / 1e3:.1f} µs | "
      f"{pct['99.900000'] / 1e3:.1f} µs | from issue (completion latency) |")
for slot in ("500us", "0s"):
    r, _ = karga_run(["--op", "randread", "--file", str(data), "--rate", "20000", "--duration", "10s",
                      "--pacing-slot", slot])
    own, intended = r["latency_ns"], r["response_time_ns"]
    print(f"| karga-fs --rate 20000 --pacing-slot {slot} | {r['achieved_rate']:,.0f} ({r['ok']:,} of {r['scheduled']:,}) | "
          f"{own['p50'] / 1e3:.1f} µs | {own['p99'] / 1e3:.1f} µs | {own['p99_9'] / 1e3:.1f} µs | the read itself |")
    print(f"| the same, from intended | | {intended['p50'] / 1e3:.1f} µs | {intended['p99'] / 1e3:.1f} µs | "
          f"{intended['p99_9'] / 1e3:.1f} µs | from when the read was due |")

# 3. Metadata.
print(f"\n## {n:,} files: create, stat, unlink (one worker)")
print("| operation | fio ops/s | karga-fs ops/s | ratio |")
print("|---|---|---|---|")
for op, engine in (("create", "filecreate"), ("stat", "filestat"), ("unlink", "filedelete")):
    fdir, kdir = work / "fio-names", work / "karga-names"
    fdir.mkdir(exist_ok=True)
    f_rates, k_rates = [], []
    for _ in range(1):
        if op != "create":  # fio's filestat and filedelete need the files its filecreate makes
            fio_run(["--name=m", f"--directory={fdir}", "--ioengine=filecreate", f"--nrfiles={n}", "--filesize=4k",
                     "--openfiles=1", "--bs=4k", "--fallocate=none", "--create_on_open=1"])
        r, _ = fio_run(["--name=m", f"--directory={fdir}", f"--ioengine={engine}", f"--nrfiles={n}", "--filesize=4k",
                        "--openfiles=1", "--bs=4k", "--fallocate=none", "--create_on_open=1"])
        ops = r["jobs"][0]["read"]["total_ios"] + r["jobs"][0]["write"]["total_ios"]
        runtime = (r["jobs"][0]["read"]["runtime"] + r["jobs"][0]["write"]["runtime"]) / 1000
        f_rates.append(ops / runtime if runtime else 0)
        shutil.rmtree(fdir)
        fdir.mkdir()
        if op == "unlink":
            subprocess.run([karga, "--op", "create", "--dir", str(kdir), "--files", str(n), "--iterations", str(n),
                            "--connections", "1", "-q"], check=True, capture_output=True)
        r, _ = karga_run(["--op", op, "--dir", str(kdir), "--files", str(n), "--iterations", str(n),
                          "--connections", "1"])
        k_rates.append(r["fs"]["operations"][op]["count"] / r["elapsed_s"])
        if op != "stat":
            shutil.rmtree(kdir, ignore_errors=True)
    fm, km = statistics.median(f_rates), statistics.median(k_rates)
    print(f"| {op} ({engine}) | {fm:,.0f} | {km:,.0f} | {km / fm:.2f} |", flush=True)
shutil.rmtree(work, ignore_errors=True)
