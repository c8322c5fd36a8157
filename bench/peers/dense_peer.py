#!/usr/bin/python3
"""Krotov & Hopfield's asynchronous Dense Associative Memory update, vectorised per neuron in numpy.

For neuron i (in the library's visiting order), with F(x) = max(x, 0)^n:
    s_i <- sign( sum_mu [ F(x_i^mu + sum_{j != i} x_j^mu s_j) - F(-x_i^mu + sum_{j != i} x_j^mu s_j) ] )
a tie keeping s_i. One sweep over all neurons.

Ops:
  dense_async         the formula as written: the sums over j != i (X^T s minus neuron i's term)
                      are recomputed for every neuron, numpy over the M patterns: O(N M) per
                      neuron. This is what published DAM code does.
  dense_async_cached  a careful numpy user keeping the overlaps m = X^T s and updating them
                      after each flip (O(M) per neuron, the library's algorithm), for reference.
"""

import common

OPS = ("dense_async", "dense_async_cached")


def main():
    args, np = common.setup(__doc__, OPS)
    sizes = common.meta(args.inputs)["dense"]
    degree = int(sizes["degree"])
    x = common.load(np, args.inputs, "dense_patterns")  # N x M, +-1 float32; row i = neuron i
    s0 = np.ascontiguousarray(common.load(np, args.inputs, "dense_queries")[:, 0])
    order = common.load(np, args.inputs, "dense_async_order")
    library = common.load(np, args.inputs, "dense_async_library")[:, 0]

    def interaction(z):
        return np.maximum(z, 0) ** degree

    def decide(s, i, total):
        if total > 0:
            s[i] = 1
        elif total < 0:
            s[i] = -1

    def literal_sweep():
        s = s0.copy()
        for i in order:
            rest = x.T @ s - x[i] * s[i]  # sum_{j != i} x_j^mu s_j, all mu
            decide(s, i, np.sum(interaction(x[i] + rest) - interaction(rest - x[i])))
        return s

    def cached_sweep():
        s = s0.copy()
        overlaps = x.T @ s
        for i in order:
            rest = overlaps - x[i] * s[i]
            old = s[i]
            decide(s, i, np.sum(interaction(x[i] + rest) - interaction(rest - x[i])))
            if s[i] != old:
                overlaps += (2 * s[i]) * x[i]
        return s

    ops = {"dense_async": literal_sweep, "dense_async_cached": cached_sweep}
    notes = {"dense_async": "overlaps recomputed per neuron", "dense_async_cached": "overlaps cached"}
    default_reps = {"dense_async": 1, "dense_async_cached": 5}
    impl = f"numpy {np.__version__}"
    for op in args.ops:
        result = ops[op]()
        max_diff, mismatches = common.compare(np, result, library, 0.5)
        # The check above already warmed the caches; the literal sweep is too slow to repeat much.
        times = [] if args.check_only else common.time_op(ops[op], args.reps or default_reps[op], warmup=0)
        common.emit(op, impl, args.threads, times, max_diff, mismatches, note=notes[op])


if __name__ == "__main__":
    main()
