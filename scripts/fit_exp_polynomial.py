#!/usr/bin/python3
"""Derives the polynomial of the float packet exponential (include/hopfield/detail/exp_packet.hpp).

exp(r) = 1 + r + r^2 p(r) on |r| <= ln(2)/2, p of degree 4, fitted for the smallest relative error
of exp by Lawson's iteratively reweighted least squares on Chebyshev nodes (it converges to the
minimax fit). Prints the coefficients rounded to float and the relative error they leave.

    /usr/bin/python3 scripts/fit_exp_polynomial.py
"""

import numpy as np

HALF_LN2 = np.log(2.0) / 2
NODES = 4000
DEGREE = 4


def fit():
    k = np.arange(NODES)
    r = HALF_LN2 * np.cos(np.pi * (k + 0.5) / NODES)
    target = (np.expm1(r) - r) / r**2  # the part of exp(r) that p(r) carries
    weight = r**2 / np.exp(r)  # an error in p moves exp(r) by r^2 (error), relative to exp(r)
    basis = np.vander(r, DEGREE + 1, increasing=True)
    lawson = np.ones(NODES)
    for _ in range(200):
        w = weight * np.sqrt(lawson)
        coefficients, *_ = np.linalg.lstsq(basis * w[:, None], target * w, rcond=None)
        error = np.abs((basis @ coefficients - target) * weight)
        lawson = lawson * error
        lawson /= lawson.sum()
    return coefficients.astype(np.float32)


def main():
    c = fit()
    r = np.linspace(-HALF_LN2, HALF_LN2, 200001)
    approx = 1 + r + r**2 * np.polyval(c[::-1].astype(np.float64), r)
    print("coefficients of r^0..r^4 in p:", ", ".join(f"{x:.10e}f" for x in c))
    print(f"max relative error of exp with these float coefficients: {np.max(np.abs(approx / np.exp(r) - 1)):.2e}")


if __name__ == "__main__":
    main()
