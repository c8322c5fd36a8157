#!/usr/bin/env python3
"""The thread targets of the modern update in one benchmark run (docs/benchmarks.md, "Threads").

Runs bench_modern's threads/ group (the update with the default thread setting and with one
thread; one plain read of the same array with two threads and with one), repetitions randomly
interleaved, and prints per shape: the update's speed as a share of the two-thread read, and the
second thread's speed-up against the read's own speed-up. Fastest repetition of each.

    /usr/bin/python3 scripts/thread_table.py [build/release/bench/bench_modern] [repetitions]
"""
import json
import subprocess
import sys

binary = sys.argv[1] if len(sys.argv) > 1 else "build/release/bench/bench_modern"
repetitions = sys.argv[2] if len(sys.argv) > 2 else "10"
out = subprocess.run(
    [binary, "--benchmark_filter=threads/", f"--benchmark_repetitions={repetitions}",
     "--benchmark_enable_random_interleaving=true", "--benchmark_report_aggregates_only=true",
     "--benchmark_format=json"],
    check=True, capture_output=True, text=True).stdout
times = {}
for b in json.loads(out)["benchmarks"]:
    if b.get("aggregate_name") == "min":
        times[b["run_name"]] = b["real_time"]  # microseconds


def t(kind, n, m, b, threads):
    if kind == "update":
        return times[f"threads/update/{n}/{m}/{b}/{threads}/0/real_time"]
    return times[f"threads/read/{n}/{m}/{b}/{threads}/real_time"]


print("| shape | update, default (us) | update, 1 thread (us) | read, 2 threads (us) | read, 1 thread (us) |"
      " update / read speed (2 threads) | speed-up: update / read |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for m, mib in ((65536, 32), (262144, 128)):
    u2, u1 = t("update", 128, m, 1, 0), t("update", 128, m, 1, 1)
    r2, r1 = t("read", 128, m, 1, 2), t("read", 128, m, 1, 1)
    print(f"| one query, 128 x {m} ({mib} MiB) | {u2:.0f} | {u1:.0f} | {r2:.0f} | {r1:.0f} | {r2 / u2:.0%} |"
          f" {u1 / u2:.2f}x / {r1 / r2:.2f}x = {(u1 / u2) / (r1 / r2):.0%} |")
u2, u1 = t("update", 128, 65536, 256, 0), t("update", 128, 65536, 256, 1)
print(f"| batch, 128 x 65536 x 256 | {u2:.0f} | {u1:.0f} | | | | {u1 / u2:.2f}x |")
