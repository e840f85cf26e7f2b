#!/usr/bin/env python3
"""karga-redis beside redis-benchmark, in one run, against one redis-server of its own:
a closed loop of GETs at equal connections (50) and pipelining (-P 1 and -P 16),
rounds alternating, medians of 5. For each: operations per second (the server's own
count of GET calls over each tool's elapsed time, and each tool's own figure) and the
client's CPU seconds per million operations (getrusage of the child).

    bench/redis_vs_redis_benchmark.py [KARGA_REDIS]

KARGA_REDIS defaults to the build of examples/adapters/redis that karga's tests make
(build/tests/adapter_redis/build/karga-redis). Needs redis-server and redis-tools.
"""
import json
import os
import pathlib
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time

root = pathlib.Path(__file__).resolve().parent.parent
karga = sys.argv[1] if len(sys.argv) > 1 else str(root / "build/tests/adapter_redis/build/karga-redis")
connections, seconds, rounds = 50, 5, 5

s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
workdir = tempfile.mkdtemp()
server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                           "--logfile", "/dev/null", "--dir", workdir])


def cli(*args):
    return subprocess.run(["redis-cli", "-p", str(port), *args], capture_output=True, text=True).stdout.strip()


for _ in range(200):
    if cli("PING") == "PONG":
        break
    time.sleep(0.05)
cli("SET", "key:__rand_int__", "xxx")  # redis-benchmark's key
cli("SET", "key:0", "xxx")             # karga-redis's (--keyspace 1)


def get_calls():
    for line in cli("INFO", "commandstats").splitlines():
        if line.startswith("cmdstat_get:calls="):
            return int(line.split("=")[1].split(",")[0])
    return 0


def measured(cmd):
    """Runs cmd; returns (server-counted GETs, elapsed s, child CPU s, stdout)."""
    before_calls = get_calls()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    elapsed = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return get_calls() - before_calls, elapsed, cpu, out


rows = []
for pipeline in (1, 16):
    figures = {"karga-redis": [], "redis-benchmark": []}
    # redis-benchmark runs a number of requests: about `seconds` worth, from a short first run.
    _, e, _, _ = measured(["redis-benchmark", "-p", str(port), "-c", str(connections), "-P", str(pipeline),
                           "-n", "100000", "-t", "get", "-q"])
    n = int(100000 / e * seconds)
    for r in range(rounds):
        order = ["karga-redis", "redis-benchmark"] if r % 2 == 0 else ["redis-benchmark", "karga-redis"]
        for tool in order:
            if tool == "redis-benchmark":
                calls, elapsed, cpu, out = measured(["redis-benchmark", "-p", str(port), "-c", str(connections), "-P",
                                                     str(pipeline), "-n", str(n), "-t", "get", "--csv"])
                own = float(out.strip().splitlines()[-1].split(",")[1].strip('"'))
            else:
                report = os.path.join(workdir, "r.json")
                calls, elapsed, cpu, _ = measured([karga, "--server", f"127.0.0.1:{port}", "--command", "get",
                                                   "--connections", str(connections), "--pipeline", str(pipeline),
                                                   "--duration", f"{seconds}s", "-q", "--out", f"json={report}"])
                r_json = json.load(open(report))
                own = r_json["ok"] / r_json["elapsed_s"]
                assert r_json["ok"] == calls, (r_json["ok"], calls)  # the report counts what the server ran
            figures[tool].append((own, calls, cpu))
    k = figures["karga-redis"]
    b = figures["redis-benchmark"]
    med = lambda xs: statistics.median(xs)
    k_ops, b_ops = med([f[0] for f in k]), med([f[0] for f in b])
    k_cpu = med([f[2] / f[1] * 1e6 for f in k])
    b_cpu = med([f[2] / f[1] * 1e6 for f in b])
    rows.append((pipeline, k_ops, b_ops, k_ops / b_ops, k_cpu, b_cpu))
    print(f"-P {pipeline}: karga-redis {k_ops:,.0f}/s (rounds {[round(f[0]) for f in k]}), "
          f"redis-benchmark {b_ops:,.0f}/s (rounds {[round(f[0]) for f in b]})", flush=True)

server.terminate()
server.wait()
print(f"\nGET, {connections} connections, closed loop, medians of {rounds} alternating rounds (ops/s: each tool's own)")
print("| pipeline | karga-redis ops/s | redis-benchmark ops/s | ratio | karga-redis CPU s / M ops | redis-benchmark CPU s / M ops |")
print("|---|---|---|---|---|---|")
for p, k_ops, b_ops, ratio, k_cpu, b_cpu in rows:
    print(f"| {p} | {k_ops:,.0f} | {b_ops:,.0f} | {ratio:.2f} | {k_cpu:.2f} | {b_cpu:.2f} |")
