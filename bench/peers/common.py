"""Plumbing shared by the peers: arguments, thread settings, inputs, timing and the JSON lines.

Every peer is run as

    /usr/bin/python3 bench/peers/<peer>.py --inputs DIR [--threads T] [--backend numpy|torch]
                                           [--reps R] [--check-only] [--ops a,b]

where DIR holds the inputs and the library's results written by
`bench_peers_compare --export DIR`. A peer prints one JSON object per line and operation:

    {"op": ..., "impl": ..., "threads": T, "times": [wall seconds, ...], "cpu_times": [...],
     "median": s, "cpu_median": s, "max_diff": d, "mismatches": k, "agrees": bool, "note": ...}

`max_diff` is the largest |peer - library| over the result on the shared inputs, so the times are
of the same work. Thread counts must be fixed before numpy is imported (OpenBLAS reads its
environment once), so `setup()` runs first and imports numpy itself.
"""

import argparse
import json
import os
import statistics
import sys
import time


def setup(description, ops, backends=("numpy",)):
    """Parses the command line, pins BLAS/OpenMP threads, and returns (args, numpy)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--inputs", required=True, help="directory written by bench_peers_compare --export")
    parser.add_argument("--threads", type=int, default=1, help="BLAS / torch threads (default 1)")
    parser.add_argument("--backend", choices=backends, default=backends[0])
    parser.add_argument("--reps", type=int, default=0, help="timed repetitions (0: the peer's default)")
    parser.add_argument("--check-only", action="store_true", help="only compare with the library's results")
    parser.add_argument("--ops", default=",".join(ops), help="comma-separated subset of: " + ", ".join(ops))
    args = parser.parse_args()
    args.ops = [op for op in args.ops.split(",") if op]
    unknown = [op for op in args.ops if op not in ops]
    if unknown:
        parser.error("unknown ops: " + ", ".join(unknown))
    threads = str(args.threads)
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = threads
    import numpy  # noqa: E402  (after the thread settings, on purpose)

    return args, numpy


def blas_library(np):
    """The BLAS shared library numpy's products run on, read from this process's memory map after
    one product (numpy loads it at import; Debian picks it through update-alternatives), e.g.
    "libopenblas.so.0" or "libblas.so.3" (the reference BLAS). None when it cannot be told."""
    a = np.ones((64, 64), dtype=np.float32)
    (a @ a).sum()
    try:
        with open("/proc/self/maps", encoding="utf-8") as f:
            paths = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
    except OSError:
        return None
    for path in sorted(paths):
        if "openblas" in path.lower():
            return path.rsplit("/", 1)[-1] + " (OpenBLAS)"
    return sorted(paths)[0].rsplit("/", 1)[-1] if paths else None


def load(np, inputs, name, dtype=None):
    """An exported array, C-contiguous (as a user's own array would be)."""
    array = np.load(os.path.join(inputs, name + ".npy"))
    array = np.ascontiguousarray(array)
    return array.astype(dtype) if dtype is not None else array


def meta(inputs):
    with open(os.path.join(inputs, "meta.json"), encoding="utf-8") as f:
        return json.load(f)


def time_op(fn, reps, warmup=1):
    """(wall times, process CPU times) of `reps` calls after `warmup` untimed ones. On a shared
    machine the CPU time of a one-thread run is the steadier measure of the work itself."""
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(reps):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    return wall, cpu


def compare(np, peer_result, library_result, tolerance):
    """(max |difference|, entries differing by more than tolerance * max(1, max|library|))."""
    peer = np.asarray(peer_result, dtype=np.float64).reshape(-1)
    lib = np.asarray(library_result, dtype=np.float64).reshape(-1)
    if peer.shape != lib.shape:
        return float("inf"), max(peer.size, lib.size)
    diff = np.abs(peer - lib)
    scale = max(1.0, float(np.max(np.abs(lib)))) if lib.size else 1.0
    return float(diff.max()) if diff.size else 0.0, int(np.count_nonzero(diff > tolerance * scale))


def emit(op, impl, threads, times, max_diff, mismatches, note=""):
    wall, cpu = times if times else ([], [])
    record = {
        "op": op,
        "impl": impl,
        "threads": threads,
        "times": wall,
        "cpu_times": cpu,
        "median": statistics.median(wall) if wall else None,
        "cpu_median": statistics.median(cpu) if cpu else None,
        "max_diff": max_diff,
        "mismatches": mismatches,
        "agrees": mismatches == 0,
        "note": note,
    }
    print(json.dumps(record), flush=True)
    status = "agrees" if mismatches == 0 else f"DIFFERS in {mismatches} entries"
    timing = (f"median {record['median'] * 1e3:.3f} ms wall, {record['cpu_median'] * 1e3:.3f} ms CPU of {len(wall)}"
              if wall else "not timed")
    print(f"# {op:<22} {impl:<22} threads={threads}  max |peer - library| = {max_diff:.3g} ({status}); {timing}",
          file=sys.stderr, flush=True)
