#!/usr/bin/python3
"""The modern Hopfield update as a numpy or PyTorch user writes it: X @ softmax(beta * X.T @ Q).

Ops: modern_batched (Q is N x B, softmax over the M scores of each column) and modern_single
(one query vector). Inputs and the library's results come from `bench_peers_compare --export`.
"""

import common

OPS = ("modern_batched", "modern_single")


def numpy_softmax(np, z):
    # Column-wise and shifted by the max, as every tutorial writes it.
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def main():
    args, np = common.setup(__doc__, OPS, backends=("numpy", "torch"))
    sizes = common.meta(args.inputs)["modern"]
    beta = np.float32(sizes["beta"])
    x = common.load(np, args.inputs, "modern_patterns")  # N x M, float32
    queries = common.load(np, args.inputs, "modern_queries")  # N x B
    q = np.ascontiguousarray(queries[:, 0])
    expected = {
        "modern_batched": common.load(np, args.inputs, "modern_batched_library"),
        "modern_single": common.load(np, args.inputs, "modern_single_library")[:, 0],
    }

    if args.backend == "torch":
        try:
            import torch
        except ImportError:
            for op in args.ops:
                common.emit(op, "torch", args.threads, [], float("nan"), 0, note="not installed")
            return
        torch.set_num_threads(args.threads)
        impl = f"torch {torch.__version__}"
        tx, tq, tv = torch.from_numpy(x), torch.from_numpy(queries), torch.from_numpy(q)

        def batched():
            return tx @ torch.softmax(beta * (tx.T @ tq), dim=0)

        def single():
            return tx @ torch.softmax(beta * (tx.T @ tv), dim=0)

        def run(fn):
            with torch.inference_mode():
                return fn().numpy()

        ops = {"modern_batched": lambda: run(batched), "modern_single": lambda: run(single)}
    else:
        impl = f"numpy {np.__version__}"

        def batched():
            return x @ numpy_softmax(np, beta * (x.T @ queries))

        def single():
            return x @ numpy_softmax(np, beta * (x.T @ q))

        ops = {"modern_batched": batched, "modern_single": single}

    default_reps = {"modern_batched": 7, "modern_single": 41}
    for op in args.ops:
        result = ops[op]()
        max_diff, mismatches = common.compare(np, result, expected[op], 1e-4)
        times = []
        if not args.check_only:
            times = common.time_op(ops[op], args.reps or default_reps[op])
        common.emit(op, impl, args.threads, times, max_diff, mismatches)


if __name__ == "__main__":
    main()
