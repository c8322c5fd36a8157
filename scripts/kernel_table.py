#!/usr/bin/python3
"""Runs bench_kernels and prints the kernel table of docs/benchmarks.md.

Repetitions run randomly interleaved, and each time is the fastest repetition: on a shared,
noisy machine the noise only ever adds time, so the minimum is the steadiest estimate of what the
code costs and ratios of minima compare like with like.

    /usr/bin/python3 scripts/kernel_table.py [--binary build/release/bench/bench_kernels] [--repetitions 10]

Columns: softmax, lse, the bare Eigen exp pass, the same pass with the library's own packet
exponential, a plain copy and the naive loop (microseconds), then softmax / exp pass,
softmax / own exp pass, lse / exp pass, exp pass / copy and naive / softmax.
"""

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=str(ROOT / "build" / "release" / "bench" / "bench_kernels"))
    parser.add_argument("--repetitions", type=int, default=10)
    parser.add_argument("--min-time", default="0.2")
    args = parser.parse_args()

    cmd = [args.binary, f"--benchmark_repetitions={args.repetitions}",
           f"--benchmark_min_time={args.min_time}", "--benchmark_format=json",
           "--benchmark_enable_random_interleaving=true"]
    try:
        run = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    except (OSError, subprocess.CalledProcessError, ValueError) as error:
        print(f"kernel_table: cannot run {args.binary}: {error}", file=sys.stderr)
        return 2

    scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
    fastest = {}
    for row in run["benchmarks"]:
        if row.get("run_type") != "iteration":
            continue
        match = re.match(r"(\w+)/rows:(\d+)/cols:(\d+)", row["run_name"])
        if match:
            times = fastest.setdefault((int(match[2]), int(match[3])), {})
            time = row["real_time"] * scale[row["time_unit"]]
            times[match[1]] = min(times.get(match[1], time), time)

    print("| rows | cols | softmax (µs) | lse (µs) | exp pass (µs) | own exp pass (µs) | copy (µs) | naive (µs) "
          "| softmax / exp pass | softmax / own exp pass | lse / exp pass | exp pass / copy | naive / softmax |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (rows, cols), t in sorted(fastest.items()):
        soft, lse, exp, own, copy, naive = (t[k] for k in ("column_softmax", "column_logsumexp", "bare_exp_pass",
                                                            "kernel_exp_pass", "bare_copy", "naive_softmax"))
        print(f"| {rows} | {cols} | {soft:.3g} | {lse:.3g} | {exp:.3g} | {own:.3g} | {copy:.3g} | {naive:.3g} "
              f"| {soft / exp:.2f}x | {soft / own:.2f}x | {lse / exp:.2f}x | {exp / copy:.2f}x | {naive / soft:.1f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
