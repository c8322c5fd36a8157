#!/usr/bin/python3
"""Compares a fresh side-by-side run with the speed-ups recorded in bench/peers/recorded_ratios.json
and flags every row whose speed-up (peer time / library time) fell by more than 20%.

    /usr/bin/python3 scripts/check_ratios.py                      # runs scripts/compare_peers.py --no-write
    /usr/bin/python3 scripts/check_ratios.py --fresh run.json     # a run saved with --output-json
    /usr/bin/python3 scripts/check_ratios.py --rounds 1 --no-blas # other arguments go to compare_peers.py

A report, not a gate: timings on this shared machine are noisy, so it always exits 0 (2 only for
unusable input). Rows are matched by id ("<library benchmark> vs <op>/<peer>/threads:<T>").
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "bench" / "peers" / "recorded_ratios.json"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fresh", help="a run written by compare_peers.py --output-json (default: run one now)")
    parser.add_argument("--record", default=str(RECORD), help="recorded speed-ups (default: %(default)s)")
    parser.add_argument("--threshold", type=float, default=0.20, help="flag a fall larger than this fraction")
    args, passthrough = parser.parse_known_args()

    try:
        recorded = json.loads(Path(args.record).read_text(encoding="utf-8"))["speedups"]
    except (OSError, ValueError, KeyError) as error:
        print(f"check_ratios: cannot read the record {args.record}: {error}", file=sys.stderr)
        return 2

    if args.fresh:
        fresh_path = Path(args.fresh)
    else:
        fresh_path = Path(tempfile.mkdtemp(prefix="hopfield-ratios-")) / "fresh.json"
        cmd = ["/usr/bin/python3", str(ROOT / "scripts" / "compare_peers.py"), "--no-write",
               "--output-json", str(fresh_path), *passthrough]
        print("check_ratios: running " + " ".join(cmd), file=sys.stderr, flush=True)
        if subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL).returncode != 0:
            print("check_ratios: the fresh run failed; nothing compared", file=sys.stderr)
            return 2
    try:
        fresh_run = json.loads(fresh_path.read_text(encoding="utf-8"))
        fresh = {row["id"]: row["speedup"] for row in fresh_run["rows"]}
    except (OSError, ValueError, KeyError) as error:
        print(f"check_ratios: cannot read the fresh run {fresh_path}: {error}", file=sys.stderr)
        return 2

    flagged = 0
    width = max((len(k) for k in recorded), default=10)
    print(f"{'row':<{width}}  recorded    fresh   change")
    for row_id, before in recorded.items():
        after = fresh.get(row_id)
        if before is None or after is None:
            print(f"{row_id:<{width}}  {fmt(before):>8} {fmt(after):>8}   (not comparable)")
            continue
        change = after / before - 1
        fell = change < -args.threshold
        flagged += fell
        print(f"{row_id:<{width}}  {fmt(before):>8} {fmt(after):>8}  {change:+6.0%}" + ("  FELL" if fell else ""))
    for row_id in fresh.keys() - recorded.keys():
        print(f"{row_id:<{width}}  {'-':>8} {fmt(fresh[row_id]):>8}   (new row)")
    print(f"\n{flagged} row(s) fell by more than {args.threshold:.0%} against the record "
          f"({json.loads(Path(args.record).read_text(encoding='utf-8')).get('date', '?')}); "
          "a report only: re-run before acting, timings here are noisy.")
    return 0


def fmt(value):
    return "n/a" if value is None else f"{value:.2f}x"


if __name__ == "__main__":
    sys.exit(main())
