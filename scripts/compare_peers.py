#!/usr/bin/python3
"""The library against numpy and PyTorch, side by side, in one run (issue 7).

    /usr/bin/python3 scripts/compare_peers.py            # build, check, time, write docs/benchmarks.md
    /usr/bin/python3 scripts/compare_peers.py --no-write --output-json /tmp/fresh.json   # for check_ratios.py

Steps:
  1. builds bench_peers_compare in build/peers (Eigen's products) and build/peers-blas
     (-DHOPFIELD_USE_BLAS=ON -DBLA_VENDOR=OpenBLAS: EIGEN_USE_BLAS, our programs only);
  2. `bench_peers_compare --export DIR` writes the seeded inputs and the library's results; every
     peer (bench/peers/*.py) recomputes them and reports max |peer - library|, and the BLAS build's
     results are compared with the Eigen build's;
  3. R rounds, interleaved: the library's benchmarks (Eigen build, then BLAS build), then each
     peer at 1 and 2 threads; every figure is the median over rounds of a per-round median;
  4. writes the "## Against numpy and PyTorch" section of docs/benchmarks.md between
     <!-- peers:begin --> and <!-- peers:end --> (nothing else in the file changes) and records the
     speed-ups in bench/peers/recorded_ratios.json for scripts/check_ratios.py.
Python: /usr/bin/python3 with numpy (python3-torch optional: its rows say "not installed").
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / "bench" / "peers"
DOCS = ROOT / "docs" / "benchmarks.md"
RECORD = PEERS / "recorded_ratios.json"
PYTHON = "/usr/bin/python3"
BEGIN, END = "<!-- peers:begin -->", "<!-- peers:end -->"
SECTION = "## Against numpy and PyTorch"

# Peer processes per round: (script, backend, threads, ops).
PEER_RUNS = [
    ("modern_peer.py", "numpy", 1, "modern_batched,modern_single"),
    ("modern_peer.py", "numpy", 2, "modern_batched,modern_single"),
    ("modern_peer.py", "torch", 1, "modern_batched,modern_single"),
    ("modern_peer.py", "torch", 2, "modern_batched,modern_single"),
    ("classical_peer.py", "numpy", 1, "classical_async,classical_sync"),
    ("classical_peer.py", "numpy", 2, "classical_sync"),
    ("classical_peer.py", "torch", 1, "classical_sync"),
    ("classical_peer.py", "torch", 2, "classical_sync"),
    ("dense_peer.py", "numpy", 1, "dense_async,dense_async_cached"),
    ("dense_peer.py", "numpy", 2, "dense_async"),
    ("network_peer.py", "numpy", 1, "network_euler"),
    ("network_peer.py", "numpy", 2, "network_euler"),
]

# Rows of the comparison: library benchmark (Eigen build) against one peer measurement.
# peer = (op, backend, threads); target = required speed-up (peer time / library time) or None.
ROWS = [
    ("modern_batched", "modern update, batched", "N=128, M=65536, B=256", "modern_batched/threads:1", ("modern_batched", "numpy", 1), 1.5),
    ("modern_batched", "modern update, batched", "N=128, M=65536, B=256", "modern_batched/threads:2", ("modern_batched", "numpy", 2), 1.5),
    ("modern_batched", "modern update, batched", "N=128, M=65536, B=256", "modern_batched/threads:1", ("modern_batched", "torch", 1), 2.0),
    ("modern_batched", "modern update, batched", "N=128, M=65536, B=256", "modern_batched/threads:2", ("modern_batched", "torch", 2), 2.0),
    ("modern_single", "modern update, one query", "N=128, M=65536, B=1", "modern_single/threads:1", ("modern_single", "numpy", 1), 2.0),
    ("modern_single", "modern update, one query", "N=128, M=65536, B=1", "modern_single/threads:2", ("modern_single", "numpy", 2), 2.0),
    ("modern_single", "modern update, one query", "N=128, M=65536, B=1", "modern_single/threads:1", ("modern_single", "torch", 1), None),
    ("modern_single", "modern update, one query", "N=128, M=65536, B=1", "modern_single/threads:2", ("modern_single", "torch", 2), None),
    ("classical_async", "classical asynchronous sweep", "N=4096, M=410", "classical_async", ("classical_async", "numpy", 1), 30.0),
    ("classical_async", "classical asynchronous sweep, sweep only", "N=4096, M=410", "classical_async_sweep_only", ("classical_async", "numpy", 1), None),
    ("classical_sync", "classical synchronous step", "N=4096, M=410, B=256", "classical_sync/threads:1", ("classical_sync", "numpy", 1), None),
    ("classical_sync", "classical synchronous step", "N=4096, M=410, B=256", "classical_sync/threads:2", ("classical_sync", "numpy", 2), None),
    ("classical_sync", "classical synchronous step", "N=4096, M=410, B=256", "classical_sync/threads:1", ("classical_sync", "torch", 1), None),
    ("classical_sync", "classical synchronous step", "N=4096, M=410, B=256", "classical_sync/threads:2", ("classical_sync", "torch", 2), None),
    ("dense_async", "dense asynchronous sweep", "N=1024, M=4096, rectified n=3", "dense_async", ("dense_async", "numpy", 1), 100.0),
    ("dense_async", "dense asynchronous sweep", "N=1024, M=4096, rectified n=3", "dense_async", ("dense_async", "numpy", 2), 100.0),
    ("dense_async", "dense asynchronous sweep", "N=1024, M=4096, rectified n=3", "dense_async", ("dense_async_cached", "numpy", 1), None),
    ("dense_async", "dense asynchronous sweep, sweep only", "N=1024, M=4096, rectified n=3", "dense_async_sweep_only", ("dense_async", "numpy", 1), None),
    ("network_euler", "model B Euler retrieval to convergence", "N_f=256, N_h=1024, B=64", "network_euler/threads:1", ("network_euler", "numpy", 1), None),
    ("network_euler", "model B Euler retrieval to convergence", "N_f=256, N_h=1024, B=64", "network_euler/threads:2", ("network_euler", "numpy", 2), None),
]

# Eigen's products against OpenBLAS's (EIGEN_USE_BLAS), and the library's batched sweeps.
BLAS_BENCHES = ["modern_batched", "modern_single", "classical_sync", "gemm"]
THREADED = ["modern_batched", "modern_single", "classical_sync", "classical_async_batch", "dense_async_batch", "gemm",
            "network_euler"]
LABELS = {
    "modern_batched": "modern update, batched (N=128, M=65536, B=256)",
    "modern_single": "modern update, one query (N=128, M=65536)",
    "classical_sync": "classical synchronous step (N=4096, M=410, B=256)",
    "classical_async_batch": "classical asynchronous sweep, 8 queries (N=4096, M=410)",
    "dense_async_batch": "dense asynchronous sweep, 8 queries (N=1024, M=4096)",
    "gemm": "float GEMM X^T Q (65536 x 128 x 256)",
    "network_euler": "model B Euler retrieval to convergence (N_f=256, N_h=1024, B=64)",
}


def log(message):
    print(f"[compare_peers] {message}", file=sys.stderr, flush=True)


def run(cmd, env=None, capture=True):
    result = subprocess.run(cmd, cwd=ROOT, env=env, text=True, capture_output=capture)
    if result.returncode != 0:
        sys.stderr.write(result.stdout or "")
        sys.stderr.write(result.stderr or "")
        raise SystemExit(f"command failed ({result.returncode}): {' '.join(map(str, cmd))}")
    return result


def build(build_dir, blas):
    cache = build_dir / "CMakeCache.txt"
    if not cache.exists():
        args = ["cmake", "-S", str(ROOT), "-B", str(build_dir), "-DCMAKE_BUILD_TYPE=Release",
                "-DHOPFIELD_WARNINGS_AS_ERRORS=ON", "-DHOPFIELD_BUILD_TESTS=OFF", "-DHOPFIELD_BUILD_EXAMPLES=OFF",
                f"-DHOPFIELD_USE_BLAS={'ON' if blas else 'OFF'}"]
        if blas:
            args.append("-DBLA_VENDOR=OpenBLAS")
        log(f"configuring {build_dir}")
        run(args)
    log(f"building bench_peers_compare in {build_dir}")
    run(["cmake", "--build", str(build_dir), "-j2", "--target", "bench_peers_compare"])
    return build_dir / "bench" / "bench_peers_compare"


def library_round(binary, bench_filter, min_time):
    """{"wall": {name: s}, "cpu": {name: s}}: medians of 3 repetitions in one process."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    try:
        cmd = [str(binary), f"--benchmark_min_time={min_time}", "--benchmark_repetitions=3",
               "--benchmark_report_aggregates_only=true", f"--benchmark_out={out}", "--benchmark_out_format=json"]
        if bench_filter:
            cmd.append(f"--benchmark_filter={bench_filter}")
        run(cmd)
        with open(out, encoding="utf-8") as handle:
            data = json.load(handle)
    finally:
        os.unlink(out)
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    times = {"wall": {}, "cpu": {}}
    for bench in data["benchmarks"]:
        if bench.get("aggregate_name") != "median":
            continue
        name = bench["run_name"].replace("/real_time", "")
        times["wall"][name] = bench["real_time"] * scale[bench["time_unit"]]
        times["cpu"][name] = bench["cpu_time"] * scale[bench["time_unit"]]
    return times, data.get("context", {})


def peer_round(inputs, script, backend, threads, ops, check_only=False):
    cmd = [PYTHON, str(PEERS / script), "--inputs", str(inputs), "--backend", backend,
           "--threads", str(threads), "--ops", ops]
    if check_only:
        cmd.append("--check-only")
    result = run(cmd, env=dict(os.environ))
    sys.stderr.write(result.stderr)
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def blas_agreement(eigen_dir, blas_dir):
    """max |BLAS build - Eigen build| over the exported library results."""
    import numpy as np

    worst = 0.0
    for name in ("modern_batched_library", "modern_single_library", "classical_sync_library",
                 "classical_async_library", "dense_async_library", "network_euler_library"):
        a = np.load(eigen_dir / f"{name}.npy").astype(np.float64)
        b = np.load(blas_dir / f"{name}.npy").astype(np.float64)
        worst = max(worst, float(np.max(np.abs(a - b))))
    return worst


def machine_line():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    flags = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            flags = f.read()
    except OSError:
        pass
    isa = "AVX-512" if "avx512f" in flags else ("AVX2" if "avx2" in flags else "SSE")
    mem = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            kib = int(f.readline().split()[1])
            mem = f", {kib / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    gxx = subprocess.run(["g++", "-dumpfullversion"], text=True, capture_output=True).stdout.strip()
    return f"{os.cpu_count()} cores ({model}, {isa}){mem}, {platform.system()} {platform.release()}, g++ {gxx}"


def name_threads(name):
    """Threads of a library benchmark: its threads:T argument, else 1 (one query's sweep)."""
    return int(name.rsplit("threads:", 1)[1]) if "threads:" in name else 1


def load_average():
    try:
        with open("/proc/loadavg", encoding="utf-8") as f:
            return float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def fmt_time(seconds):
    if seconds is None:
        return "n/a"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.0f} us"


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def row_id(row):
    key, _, _, lib, (op, backend, threads), _ = row
    return f"{lib} vs {op}/{backend}/threads:{threads}"


def main():
    # libgomp's idle threads spin at barriers; on a shared 2-core machine that turns every
    # 2-thread region into a scheduler slice. Passive waiting is what a shared machine wants.
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--min-time", type=float, default=0.1, help="Google Benchmark min time per repetition")
    parser.add_argument("--build-dir", default="build/peers")
    parser.add_argument("--blas-build-dir", default="build/peers-blas")
    parser.add_argument("--no-blas", action="store_true", help="skip the OpenBLAS build")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch peers")
    parser.add_argument("--no-write", action="store_true", help="leave docs/benchmarks.md and the record alone")
    parser.add_argument("--output-json", help="also write the run's figures here")
    args = parser.parse_args()
    started = time.monotonic()
    load_before = load_average()

    eigen_bin = build(ROOT / args.build_dir, blas=False)
    blas_bin = None if args.no_blas else build(ROOT / args.blas_build_dir, blas=True)
    torch_installed = subprocess.run([PYTHON, "-c", "import torch"], capture_output=True).returncode == 0
    peer_runs = [r for r in PEER_RUNS if r[1] != "torch" or (torch_installed and not args.no_torch)]

    work = Path(tempfile.mkdtemp(prefix="hopfield-peers-"))
    try:
        inputs = work / "eigen"
        log(f"exporting inputs to {inputs}")
        run([str(eigen_bin), "--export", str(inputs)])
        blas_diff = None
        if blas_bin is not None:
            run([str(blas_bin), "--export", str(work / "blas")])
            blas_diff = blas_agreement(inputs, work / "blas")
            log(f"max |OpenBLAS build - Eigen build| over the library's results: {blas_diff:.3g}")

        lib_times = {b: {"wall": {}, "cpu": {}} for b in ("eigen", "blas")}
        peer_times, peer_info = {"wall": {}, "cpu": {}}, {}
        context = {}
        for rnd in range(args.rounds):
            log(f"round {rnd + 1}/{args.rounds}: library (Eigen products)")
            times, context = library_round(eigen_bin, "", args.min_time)
            for clock, per in times.items():
                for name, t in per.items():
                    lib_times["eigen"][clock].setdefault(name, []).append(t)
            if blas_bin is not None:
                log(f"round {rnd + 1}/{args.rounds}: library (OpenBLAS products)")
                times, _ = library_round(blas_bin, "|".join(BLAS_BENCHES), args.min_time)
                for clock, per in times.items():
                    for name, t in per.items():
                        lib_times["blas"][clock].setdefault(name, []).append(t)
            for script, backend, threads, ops in peer_runs:
                log(f"round {rnd + 1}/{args.rounds}: {script} {backend} threads={threads}")
                for rec in peer_round(inputs, script, backend, threads, ops):
                    key = (rec["op"], backend, rec["threads"])
                    peer_times["wall"].setdefault(key, []).append(rec["median"])
                    peer_times["cpu"].setdefault(key, []).append(rec["cpu_median"])
                    peer_info[key] = rec
    finally:
        shutil.rmtree(work, ignore_errors=True)

    lib_all = {b: {clock: {name: median(ts) for name, ts in per.items()} for clock, per in clocks.items()}
               for b, clocks in lib_times.items()}
    peers_all = {clock: {key: median(ts) for key, ts in per.items()} for clock, per in peer_times.items()}
    # One-thread rows compare CPU times (steady on a shared machine), two-thread rows wall times.
    lib = {b: {name: (clocks["cpu"] if name_threads(name) == 1 else clocks["wall"])[name]
               for name in clocks["wall"]} for b, clocks in lib_all.items()}
    coretype = os.environ.get("OPENBLAS_CORETYPE", "(unset)")
    today = datetime.date.today().isoformat()

    rows = []
    for row in ROWS:
        key, what, sizes, lib_name, peer_key, target = row
        op, backend, threads = peer_key
        lib_threads = name_threads(lib_name)
        clock = "cpu" if threads == 1 and lib_threads == 1 else "wall"
        lib_t = lib_all["eigen"][clock].get(lib_name)
        info = peer_info.get(peer_key)
        installed = backend != "torch" or (torch_installed and not args.no_torch)
        peer_t = peers_all[clock].get(peer_key)
        speedup = peer_t / lib_t if (peer_t and lib_t) else None
        rows.append({
            "id": row_id(row), "what": what, "sizes": sizes, "library": lib_name, "library_s": lib_t,
            "peer": f"{backend}" + (" (cached overlaps)" if op.endswith("_cached") else ""),
            "peer_impl": info["impl"] if info else ("not installed" if not installed else backend),
            "threads": threads, "library_threads": lib_threads, "clock": clock, "peer_s": peer_t, "speedup": speedup, "target": target,
            "met": (speedup >= target) if (speedup is not None and target is not None) else None,
            "max_diff": info["max_diff"] if info else None, "agrees": info["agrees"] if info else None,
            "installed": installed,
        })
    result = {
        "date": today, "machine": machine_line(), "openblas_coretype": coretype, "rounds": args.rounds,
        "rows": rows, "library": lib, "library_all_clocks": lib_all, "blas_max_diff": blas_diff,
        "load_average": [load_before, load_average()], "seconds": time.monotonic() - started,
        "torch": torch_installed, "benchmark_context": context,
    }
    if args.output_json:
        Path(args.output_json).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(render(result))
    if not args.no_write:
        write_docs(render(result))
        RECORD.write_text(json.dumps({"date": today, "machine": result["machine"], "openblas_coretype": coretype,
                                      "speedups": {r["id"]: r["speedup"] for r in rows}}, indent=1) + "\n",
                          encoding="utf-8")
        log(f"wrote {DOCS.relative_to(ROOT)} and {RECORD.relative_to(ROOT)}")
    log(f"done in {result['seconds']:.0f} s")


def render(result):
    import numpy

    lines = [
        f"Generated by `/usr/bin/python3 scripts/compare_peers.py` on {result['date']} "
        f"({result['seconds'] / 60:.1f} min). Machine: {result['machine']}; numpy {numpy.__version__} "
        f"on OpenBLAS; PyTorch {'present' if result['torch'] else 'not installed'}. "
        f"`OPENBLAS_CORETYPE={result['openblas_coretype']}` (set by this machine: it selects OpenBLAS's "
        "AVX2 kernels for numpy, PyTorch and the `HOPFIELD_USE_BLAS` build alike); "
        f"`OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset)')}`.",
        "",
        f"Method: {result['rounds']} interleaved rounds (the library's Google Benchmarks, then every peer "
        "at 1 and 2 threads, in turn); each figure is the median over rounds of a per-round median "
        "(library: 3 repetitions; peers: several calls after a warm-up). One-thread rows compare "
        "process CPU times, two-thread rows wall times: the machine is shared (1-minute load average "
        f"{result['load_average'][0]} at the start, {result['load_average'][1]} at the end), so wall times "
        "of one thread measure the neighbours as much as the code, and two-thread figures are only "
        "indicative. Float everywhere. The peers "
        "(`bench/peers/`) compute the same results on the same seeded inputs, exported by "
        "`bench_peers_compare --export`; the last column is max |peer - library|. Speed-up = peer "
        "time / library time (library/peer time ratio = 1 / speed-up). The library's asynchronous "
        "rows time `retrieve(s, {.max_steps = 1})` (overlaps, one sweep, final energy); the peers time "
        "the sweep alone, in the library's visiting order.",
        "",
        "Threads: library / peer where they differ (an asynchronous sweep of one query is sequential). "
        "Rows marked \"sweep only\" time the library's first sweep through the policy API "
        "(`init_context` + `asynchronous_update::sweep`), showing what `retrieve` adds.",
        "",
        "| Operation | Sizes | Threads | Library | Peer | Peer time | Speed-up | Target | max diff |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result["rows"]:
        r = dict(r)
        if r["library_threads"] != r["threads"]:
            r["threads"] = f"{r['library_threads']} / {r['threads']}"
        if not r["installed"]:
            lines.append(f"| {r['what']} | {r['sizes']} | {r['threads']} | {fmt_time(r['library_s'])} | "
                         f"{r['peer']} | not installed | n/a | "
                         f"{'>= %gx' % r['target'] if r['target'] else '-'} | n/a |")
            continue
        target = "-"
        if r["target"] is not None:
            verdict = "n/a" if r["met"] is None else ("met" if r["met"] else "**MISSED**")
            target = f">= {r['target']:g}x: {verdict}"
        speed = f"{r['speedup']:.2f}x" if r["speedup"] is not None else "n/a"
        diff = "n/a" if r["max_diff"] is None else f"{r['max_diff']:.2g}" + ("" if r["agrees"] else " (DIFFERS)")
        lines.append(f"| {r['what']} | {r['sizes']} | {r['threads']} | {fmt_time(r['library_s'])} | "
                     f"{r['peer_impl']}{' (cached overlaps)' if '(cached' in r['peer'] else ''} | "
                     f"{fmt_time(r['peer_s'])} | {speed} | {target} | {diff} |")

    eigen, blas = result["library"]["eigen"], result["library"]["blas"]
    if blas:
        lines += ["", "Eigen's own products against OpenBLAS (`-DHOPFIELD_USE_BLAS=ON -DBLA_VENDOR=OpenBLAS`, "
                  "build/peers-blas; our programs only, never consumers). Ratio = Eigen time / OpenBLAS time "
                  "(CPU times at 1 thread, wall times at 2). "
                  f"max |OpenBLAS build - Eigen build| over the exported results: {result['blas_max_diff']:.2g}.",
                  "", "| Operation | Threads | Eigen | OpenBLAS | Eigen / OpenBLAS |", "|---|---|---|---|---|"]
        for name in BLAS_BENCHES:
            for t in (1, 2):
                key = f"{name}/threads:{t}"
                e, b = eigen.get(key), blas.get(key)
                ratio = f"{e / b:.2f}" if (e and b) else "n/a"
                lines.append(f"| {LABELS[name]} | {t} | {fmt_time(e)} | {fmt_time(b)} | {ratio} |")

    wall = result["library_all_clocks"]["eigen"]["wall"]
    lines += ["", "Thread scaling of the library's batched and streaming paths (Eigen build, wall times "
              "for both columns; speed-up from the second thread = 1 thread / 2 threads):", "",
              "| Operation | 1 thread | 2 threads | 1 / 2 |", "|---|---|---|---|"]
    for name in THREADED:
        one, two = wall.get(f"{name}/threads:1"), wall.get(f"{name}/threads:2")
        ratio = f"{one / two:.2f}" if (one and two) else "n/a"
        lines.append(f"| {LABELS[name]} | {fmt_time(one)} | {fmt_time(two)} | {ratio} |")

    missed = [r for r in result["rows"] if r["met"] is False]
    lines += ["", "Targets missed in this run: " + (", ".join(f"{r['what']} vs {r['peer_impl']} at {r['threads']} peer "
                                                             f"thread(s) ({r['speedup']:.2f}x < {r['target']:g}x)"
                                                             for r in missed) if missed else "none") + "."]
    lines += ["", "Check a fresh run against these ratios: `/usr/bin/python3 scripts/check_ratios.py` "
              "(flags rows whose speed-up fell by more than 20%; a report, never a failure)."]
    return "\n".join(lines)


def write_docs(body):
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    block = f"{BEGIN}\n{body}\n{END}"
    if BEGIN in text and END in text:
        start, stop = text.index(BEGIN), text.index(END) + len(END)
        text = text[:start] + block + text[stop:]
    elif SECTION in text:  # the section without markers: the block goes right under its heading
        at = text.index(SECTION) + len(SECTION)
        text = text[:at] + "\n\n" + block + text[at:]
    else:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\n{block}\n"
    DOCS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
