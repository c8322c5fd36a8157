#!/usr/bin/python3
"""Model B of Krotov & Hopfield (2021) integrated by explicit Euler in numpy, as a user writes it.

Two layers: feature currents v (N_f, quadratic Lagrangian, so the output is v itself) and memory
currents h (N_h, log-sum-exp Lagrangian, output softmax(beta h)), the memories xi the stored
patterns as rows (N_h x N_f). Per step, for the batch of states still moving:

    f     = softmax(beta * h)                      (column-wise, shifted by the column max)
    dv/dt = (xi.T @ f - v) / tau_f
    dh/dt = (xi @ v - h) / tau_h
    v, h  = v + dt * dv/dt, h + dt * dh/dt

a state stopping once max |dx/dt| over both layers is at most the tolerance (the library's rule:
each state stops on its own; the others go on). The start is the exported queries with the
memory currents at rest, h = xi @ v0. Sizes, beta, time constants, dt and tolerance come from
meta.json ("network"), written by `bench_peers_compare --export` from bench/network_case.hpp.

Op: network_euler (the whole retrieval of the batch to convergence). The result compared with
the library's is the final feature currents v (N_f x B).
"""

import sys

import common

OPS = ("network_euler",)


def main():
    args, np = common.setup(__doc__, OPS)
    blas = common.blas_library(np)
    if blas is None or "OpenBLAS" not in blas:
        # The comparison is against numpy as installed for speed; the reference BLAS would be
        # about 10x slower and flatter the library (scripts/install-deps.sh installs OpenBLAS).
        print(f"network_peer: numpy is not running on OpenBLAS (BLAS: {blas}); install libopenblas0-pthread",
              file=sys.stderr)
        for op in args.ops:
            common.emit(op, f"numpy {np.__version__}", args.threads, [], float("nan"), 1,
                        note=f"not on OpenBLAS ({blas})")
        return
    sizes = common.meta(args.inputs)["network"]
    f32 = np.float32
    beta, tau_f, tau_h = f32(sizes["beta"]), f32(sizes["tau_f"]), f32(sizes["tau_h"])
    dt, tol, max_steps = f32(sizes["dt"]), float(sizes["tolerance"]), int(sizes["max_steps"])
    patterns = common.load(np, args.inputs, "network_patterns")  # N_f x N_h, float32
    xi = np.ascontiguousarray(patterns.T)  # the memories as rows, as a user holds them
    queries = common.load(np, args.inputs, "network_queries")  # N_f x B
    library = common.load(np, args.inputs, "network_euler_library")  # final v, N_f x B
    library_steps = common.load(np, args.inputs, "network_euler_library_steps")[0]

    def softmax(z):
        e = np.exp(z - z.max(axis=0, keepdims=True))
        return e / e.sum(axis=0, keepdims=True)

    def retrieve():
        v = queries.copy()
        h = xi @ v  # memory currents at rest
        steps = np.zeros(v.shape[1], dtype=np.int64)
        active = np.arange(v.shape[1])
        for _ in range(max_steps):
            if active.size == 0:
                break
            va, ha = v[:, active], h[:, active]
            dv = (xi.T @ softmax(beta * ha) - va) / tau_f
            dh = (xi @ va - ha) / tau_h
            v[:, active] = va + dt * dv
            h[:, active] = ha + dt * dh
            steps[active] += 1
            rate = np.maximum(np.abs(dv).max(axis=0), np.abs(dh).max(axis=0))
            active = active[rate > tol]
        return v, steps

    result, steps = retrieve()
    max_diff, mismatches = common.compare(np, result, library, 1e-3)
    note = f"steps mean {steps.mean():.1f} max {steps.max()} (library mean {library_steps.mean():.1f} max " \
           f"{library_steps.max():.0f}); {blas}"
    times = []
    if not args.check_only:
        times = common.time_op(lambda: retrieve(), args.reps or 5)
    common.emit("network_euler", f"numpy {np.__version__}", args.threads, times, max_diff, mismatches, note=note)


if __name__ == "__main__":
    main()
