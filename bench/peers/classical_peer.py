#!/usr/bin/python3
"""The classical Hopfield network as a numpy (or PyTorch) user writes it.

Ops:
  classical_async  the textbook asynchronous sweep: W = X X^T / N with a zero diagonal, then for
                   each neuron i of a permutation, h = W[i] @ s and s[i] = sign(h) (a tie keeps
                   s[i], the library's rule). One sweep, in the library's own visiting order.
  classical_sync   one synchronous step for a batch: S <- sign(W @ S), ties keeping S.
Building W is not timed (a user builds it once). Binary results must match the library's exactly.
"""

import common

OPS = ("classical_async", "classical_sync")


def main():
    args, np = common.setup(__doc__, OPS, backends=("numpy", "torch"))
    n = common.meta(args.inputs)["classical"]["N"]
    x = common.load(np, args.inputs, "classical_patterns")  # N x M, +-1 float32
    queries = common.load(np, args.inputs, "classical_queries")  # N x B
    order = common.load(np, args.inputs, "classical_async_order")
    s0 = np.ascontiguousarray(queries[:, 0])
    expected = {
        "classical_async": common.load(np, args.inputs, "classical_async_library")[:, 0],
        "classical_sync": common.load(np, args.inputs, "classical_sync_library"),
    }
    w = (x @ x.T) / np.float32(n)
    np.fill_diagonal(w, 0)

    def async_sweep():
        s = s0.copy()
        for i in order:
            h = w[i] @ s
            if h > 0:
                s[i] = 1
            elif h < 0:
                s[i] = -1
        return s

    if args.backend == "torch":
        try:
            import torch
        except ImportError:
            for op in args.ops:
                common.emit(op, "torch", args.threads, [], float("nan"), 0, note="not installed")
            return
        torch.set_num_threads(args.threads)
        impl = f"torch {torch.__version__}"
        tw, ts = torch.from_numpy(w), torch.from_numpy(queries)
        one, minus_one = torch.tensor(1.0), torch.tensor(-1.0)

        def sync_step():
            with torch.inference_mode():
                h = tw @ ts
                return torch.where(h > 0, one, torch.where(h < 0, minus_one, ts)).numpy()

        ops = {"classical_sync": sync_step}
        skipped = [op for op in args.ops if op not in ops]
        for op in skipped:  # a Python loop over torch scalars is no one's choice
            common.emit(op, impl, args.threads, [], float("nan"), 0, note="not a torch operation")
        args.ops = [op for op in args.ops if op in ops]
    else:
        impl = f"numpy {np.__version__}"

        def sync_step():
            h = w @ queries
            return np.where(h > 0, np.float32(1), np.where(h < 0, np.float32(-1), queries))

        ops = {"classical_async": async_sweep, "classical_sync": sync_step}

    default_reps = {"classical_async": 7, "classical_sync": 7}
    for op in args.ops:
        result = ops[op]()
        max_diff, mismatches = common.compare(np, result, expected[op], 0.5)
        times = [] if args.check_only else common.time_op(ops[op], args.reps or default_reps[op])
        common.emit(op, impl, args.threads, times, max_diff, mismatches)


if __name__ == "__main__":
    main()
