"""Benchmark: nearest-neighbour matching of 10,000 treated among 600,000 comparison pupils on 3 covariates.

Times cm_research's matcher (k-d tree for Mahalanobis, binary search on the sorted propensity score)
against a naive all-pairs matcher that builds the full treated × comparison distance matrix and takes
the row minimum for each treated unit in turn. The naive one is run on sizes it can handle and its
time and memory are extrapolated (both grow with n_treated × n_control); the two are checked to give
the same matches there. Prints times, the ratio and peak memory (tracemalloc, which sees numpy's
allocations). Synthetic data, seeded.

    python benchmarks/bench_matching.py            # full size (about a minute in all)
    python benchmarks/bench_matching.py --quick    # smaller, for a smoke run
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
import pandas as pd

from cm_research.stats.matching import match_groups

COVARIATES = ["ks2", "attendance", "fsm_years"]


def synthetic(n_treated: int, n_control: int, seed: int = 2024) -> pd.DataFrame:
    """A synthetic national year group: prior attainment, attendance and years on free school meals."""
    rng = np.random.default_rng(seed)
    n = n_treated + n_control
    treated = np.zeros(n, dtype=bool)
    treated[:n_treated] = True
    ks2 = rng.normal(100, 15, n) - 6 * treated
    attendance = np.clip(rng.normal(94, 5, n) - 4 * treated, 40, 100)
    fsm_years = rng.gamma(2, 1.5, n) + 1.5 * treated
    return pd.DataFrame({"participant_id": [f"SYN-{i:07d}" for i in range(n)],
                         "group": np.where(treated, "mentored", "comparison"),
                         "ks2": ks2, "attendance": attendance, "fsm_years": fsm_years})


def naive_mahalanobis(data: pd.DataFrame) -> dict[int, int]:
    """All pairs: full distance matrix, then greedy 1:1 without replacement in data order."""
    x = data[COVARIATES].to_numpy(float)
    t = (data["group"] == "mentored").to_numpy()
    centred = x.copy()
    centred[t] -= x[t].mean(0)
    centred[~t] -= x[~t].mean(0)
    inv = np.linalg.inv(centred.T @ centred / (len(x) - 2))
    xt, xc = x[t], x[~t]
    diff_sq = np.zeros((len(xt), len(xc)))
    for i in range(x.shape[1]):  # (xt - xc) inv (xt - xc)' accumulated term by term
        for j in range(x.shape[1]):
            diff_sq += inv[i, j] * (xt[:, i, None] - xc[None, :, i]) * (xt[:, j, None] - xc[None, :, j])
    dist = np.sqrt(diff_sq)
    free = np.ones(len(xc), dtype=bool)
    out = {}
    for r in range(len(xt)):
        row = np.where(free, dist[r], np.inf)
        c = int(np.argmin(row))
        out[r] = c
        free[c] = False
    return out


def timed(fn, *args):
    """Result and wall-clock seconds (measured without tracing, which would slow Python code down)."""
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def peak_memory(fn, *args) -> int:
    """Peak bytes allocated while running fn (tracemalloc; a separate run from the timing)."""
    tracemalloc.start()
    fn(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def ours(data: pd.DataFrame, distance: str):
    return match_groups(data, COVARIATES, distance=distance, warn=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes for a smoke run")
    args = parser.parse_args()
    big = (1_000, 60_000) if args.quick else (10_000, 600_000)
    small = [(250, 15_000), (500, 30_000)] if args.quick else [(500, 30_000), (1_000, 60_000)]

    print(f"naive all-pairs matcher (Mahalanobis, 1:1 without replacement) on sizes it can handle:")
    per_pair = []
    for n_t, n_c in small:
        data = synthetic(n_t, n_c)
        naive, seconds = timed(naive_mahalanobis, data)
        peak = peak_memory(naive_mahalanobis, data) if (n_t, n_c) == small[0] else None
        m = ours(data, "mahalanobis")
        ours_pairs = {int(t[4:]): int(c[4:]) - n_t for t, c in zip(m.pairs["treated_id"], m.pairs["control_id"])}
        same = sum(ours_pairs.get(k) == v for k, v in naive.items()) / len(naive)
        per_pair.append((seconds / (n_t * n_c), None if peak is None else peak / (n_t * n_c)))
        memory = f"peak {peak / 2**20:9.1f} MiB" if peak is not None else "(memory measured at the first size)"
        print(f"  {n_t:>6,} x {n_c:>9,}: {seconds:8.2f} s, {memory}; same matches as ours: {same:.1%}")
    sec_per_pair = per_pair[-1][0]
    bytes_per_pair = per_pair[0][1]
    n_t, n_c = big
    naive_seconds = sec_per_pair * n_t * n_c
    naive_bytes = bytes_per_pair * n_t * n_c
    print(f"  extrapolated to {n_t:,} x {n_c:,}: {naive_seconds:,.0f} s, {naive_bytes / 2**30:,.1f} GiB "
          "(time and memory grow with n_treated x n_control)")

    data = synthetic(n_t, n_c)
    print(f"\ncm_research.stats.match_groups on {n_t:,} treated among {n_c:,} comparison pupils, 3 covariates:")
    for distance in ("mahalanobis", "propensity"):
        m, seconds = timed(ours, data, distance)
        peak = peak_memory(ours, data, distance)
        print(f"  {distance:<12}: {seconds:6.2f} s, peak {peak / 2**20:8.1f} MiB, {len(m.pairs):,} pairs, "
              f"{len(m.unmatched)} unmatched")
        if distance == "mahalanobis":
            print(f"  ratio naive (extrapolated) / ours, Mahalanobis: {naive_seconds / seconds:,.0f}x faster, "
                  f"{naive_bytes / peak:,.0f}x less memory")


if __name__ == "__main__":
    main()
