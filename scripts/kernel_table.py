#!/usr/bin/python3
"""Runs bench_kernels and prints the kernel table of docs/benchmarks.md (medians of repetitions).

    /usr/bin/python3 scripts/kernel_table.py [--binary build/release/bench/bench_kernels] [--repetitions 5]

Columns: softmax, lse, the bare Eigen exp pass, a plain copy and the naive loop (microseconds),
then softmax / exp pass, lse / exp pass, exp pass / copy and naive / softmax.
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
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--min-time", default="0.2")
    args = parser.parse_args()

    cmd = [args.binary, f"--benchmark_repetitions={args.repetitions}", "--benchmark_report_aggregates_only=true",
           f"--benchmark_min_time={args.min_time}", "--benchmark_format=json"]
    try:
        run = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    except (OSError, subprocess.CalledProcessError, ValueError) as error:
        print(f"kernel_table: cannot run {args.binary}: {error}", file=sys.stderr)
        return 2

    scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
    median = {}
    for row in run["benchmarks"]:
        if row.get("aggregate_name") != "median":
            continue
        match = re.match(r"(\w+)/rows:(\d+)/cols:(\d+)", row["run_name"])
        if match:
            key = (int(match[2]), int(match[3]))
            median.setdefault(key, {})[match[1]] = row["real_time"] * scale[row["time_unit"]]

    print("| rows | cols | softmax (µs) | lse (µs) | exp pass (µs) | copy (µs) | naive (µs) "
          "| softmax / exp pass | lse / exp pass | exp pass / copy | naive / softmax |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (rows, cols), t in sorted(median.items()):
        soft, lse, exp, copy, naive = (t[k] for k in ("column_softmax", "column_logsumexp", "bare_exp_pass",
                                                       "bare_copy", "naive_softmax"))
        print(f"| {rows} | {cols} | {soft:.3g} | {lse:.3g} | {exp:.3g} | {copy:.3g} | {naive:.3g} "
              f"| {soft / exp:.2f}x | {lse / exp:.2f}x | {exp / copy:.2f}x | {naive / soft:.1f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
