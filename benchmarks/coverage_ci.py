"""Benchmark: do the confidence intervals we ship reach their nominal 95% at a Virtual School's sample sizes?

For each interval family, draws seeded synthetic samples from a population whose true value is known, computes
the interval with the public function, and counts how often it covers the truth. Group sizes are those of a
Virtual School (5 to 60 per group). With R replications a coverage of 0.95 has a Monte Carlo SE of
sqrt(0.95·0.05/R) (0.007 at R = 1000), so a figure below 0.92 is below nominal beyond simulation noise.
Intervals that return no limits (e.g. a ratio with no events in either group) are counted apart, in `undefined`,
not as misses. Synthetic data only.

    python benchmarks/coverage_ci.py              # 1000 replications per cell (a few minutes on one core)
    python benchmarks/coverage_ci.py --reps 200   # a quick look
    python benchmarks/coverage_ci.py --only kappa # families whose name contains "kappa"
"""

from __future__ import annotations

import argparse
import math
import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from cm_research.qual.agreement_kappa import gwet_ac1, kappa_two_coders, weighted_kappa
from cm_research.stats import (compare_groups, compare_proportions, hazard_ratio, paired_change, proportion_interval,
                               random_effects, rate_ratio, survival_at)

SIZES = (5, 10, 20, 60)


def two_groups(x: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"group": ["mentored"] * len(x) + ["comparison"] * len(y), "y": np.r_[x, y]})


def row(table: pd.DataFrame, method_starts: str) -> pd.Series:
    return table[table["method"].str.startswith(method_starts)].iloc[0]


# Each family: (name, truth, draw(rng, n) -> (ci_low, ci_high)); n is the size of each group (or of the sample).
def welch(rng, n):
    t = compare_groups(two_groups(rng.normal(0.5, 1, n), rng.normal(0, 2, n)), "y")
    r = row(t, "Welch")
    return r["ci_low"], r["ci_high"]


def hedges_g(rng, n):
    t = compare_groups(two_groups(rng.normal(0.5, 1, n), rng.normal(0, 1, n)), "y")
    r = row(t, "Welch")
    return r["hedges_g_ci_low"], r["hedges_g_ci_high"]


def _pairs(rng, n, shift=0.4, rho=0.5):
    before = rng.normal(0, 1, n)
    after = rho * before + math.sqrt(1 - rho ** 2) * rng.normal(0, 1, n) + shift
    return pd.DataFrame({"participant_id": np.r_[np.arange(n), np.arange(n)],
                         "timepoint": ["baseline"] * n + ["post"] * n, "value": np.r_[before, after]})


def paired_t(rng, n):
    r = paired_change(_pairs(rng, n), n_boot=20).iloc[0]
    return r["ci_low"], r["ci_high"]


def paired_dz(rng, n):
    r = paired_change(_pairs(rng, n), n_boot=20).iloc[0]
    return r["d_z_ci_low"], r["d_z_ci_high"]


def _skewed(rng, n):
    changes = rng.exponential(1.0, n)
    return pd.DataFrame({"participant_id": np.r_[np.arange(n), np.arange(n)],
                         "timepoint": ["baseline"] * n + ["post"] * n, "value": np.r_[np.zeros(n), changes]})


def paired_t_skewed(rng, n):
    r = paired_change(_skewed(rng, n), n_boot=20).iloc[0]
    return r["ci_low"], r["ci_high"]


def bca(rng, n):
    # skewed changes (exponential, mean 1) are where the bootstrap is meant to help
    changes = rng.exponential(1.0, n)
    data = pd.DataFrame({"participant_id": np.r_[np.arange(n), np.arange(n)],
                         "timepoint": ["baseline"] * n + ["post"] * n, "value": np.r_[np.zeros(n), changes]})
    r = paired_change(data, n_boot=999, seed=int(rng.integers(1 << 31))).iloc[2]
    return r["ci_low"], r["ci_high"]


def wilson(p):
    def draw(rng, n):
        r = proportion_interval(int(rng.binomial(n, p)), n).iloc[0]
        return r["ci_low"], r["ci_high"]
    return draw


def _binary(rng, n, p1=0.5, p0=0.3):
    return two_groups(rng.binomial(1, p1, n).astype(float), rng.binomial(1, p0, n).astype(float))


def two_by_two(method: str):
    def draw(rng, n):
        r = row(compare_proportions(_binary(rng, n), "y"), method)
        return r["ci_low"], r["ci_high"]
    return draw


def counts(model: str, overdispersed: bool):
    def draw(rng, n):
        mu1, mu0 = 1.5 * 2.0, 2.0  # rate ratio 1.5
        if overdispersed:  # NB2 with alpha = 0.5 (variance mu + 0.5 mu²)
            x = rng.negative_binomial(2, 2 / (2 + mu1), n)
            y = rng.negative_binomial(2, 2 / (2 + mu0), n)
        else:
            x, y = rng.poisson(mu1, n), rng.poisson(mu0, n)
        r = rate_ratio(two_groups(x.astype(float), y.astype(float)), "y", model=model).iloc[0]
        return r["ci_low"], r["ci_high"]
    return draw


# coders' joint distribution over 3 ordered labels; the truth is the population (weighted) kappa
JOINT = np.array([[0.30, 0.06, 0.02], [0.05, 0.25, 0.05], [0.01, 0.06, 0.20]])


def population_kappa(weights: np.ndarray) -> float:
    rows, cols = JOINT.sum(1), JOINT.sum(0)
    p_o, p_e = float(np.sum(weights * JOINT)), float(np.sum(weights * np.outer(rows, cols)))
    return (p_o - p_e) / (1 - p_e)


def _codings(rng, n):
    cells = rng.choice(9, n, p=JOINT.ravel())
    a, b = np.divmod(cells, 3)
    return pd.DataFrame({"unit": np.r_[np.arange(n), np.arange(n)], "coder": ["a"] * n + ["b"] * n,
                         "value": np.r_[a, b] + 1})


def kappa(rng, n):
    r = kappa_two_coders(_codings(rng, n), categories=[1, 2, 3]).iloc[0]
    return r["ci_low"], r["ci_high"]


def wkappa(weights: str):
    def draw(rng, n):
        r = weighted_kappa(_codings(rng, n), weights=weights, categories=[1, 2, 3]).iloc[0]
        return r["ci_low"], r["ci_high"]
    return draw


def population_ac1() -> float:
    pi = (JOINT.sum(1) + JOINT.sum(0)) / 2
    p_o, p_e = float(np.trace(JOINT)), float(np.sum(pi * (1 - pi))) / 2
    return (p_o - p_e) / (1 - p_e)


def ac1(rng, n):
    r = gwet_ac1(_codings(rng, n), categories=[1, 2, 3]).iloc[0]
    return r["ci_low"], r["ci_high"]


def _matches(rng, n, hr=0.6):
    # exponential times to a match ending, rate 1/300 days (control) and hr/300 (treated); censored at 365 days
    t1, t0 = rng.exponential(300 / hr, n), rng.exponential(300, n)
    time_ = np.minimum(np.r_[t1, t0], 365)
    return pd.DataFrame({"group": ["mentored"] * n + ["comparison"] * n, "days": np.ceil(time_),
                         "ended": (np.r_[t1, t0] <= 365).astype(int)})


def cox(rng, n):
    r = hazard_ratio(_matches(rng, n), "days", "ended", "group").iloc[0]
    return r["ci_low"], r["ci_high"]


def km_at_180(rng, n):
    data = _matches(rng, n)
    r = survival_at(data[data["group"] == "comparison"], "days", "ended", [180]).iloc[0]
    return r["ci_low"], r["ci_high"]


def meta(hartung_knapp: bool, method: str = "REML"):
    def draw(rng, k):  # k sites, true mean 0.2, tau 0.15, site SEs of groups of 10-60 children
        se = np.sqrt(2 / rng.integers(10, 61, k) * 2)
        effects = 0.2 + rng.normal(0, 0.15, k) + rng.normal(0, se)
        r = random_effects(effects, se ** 2, method=method, hartung_knapp=hartung_knapp).summary.iloc[0]
        return r["ci_low"], r["ci_high"]
    return draw


FAMILIES: list[tuple[str, float, Callable]] = [
    ("Welch mean difference (sd 1 vs 2)", 0.5, welch),
    ("Hedges' g, noncentral t (delta 0.5)", 0.5 * 1.0, hedges_g),
    ("paired t mean change", 0.4, paired_t),
    ("paired d_z, noncentral t", 0.4 / math.sqrt(2 - 2 * 0.5), paired_dz),
    ("bootstrap BCa mean change (exponential)", 1.0, bca),
    ("paired t mean change (exponential)", 1.0, paired_t_skewed),
    ("Wilson proportion p = 0.1", 0.1, wilson(0.1)),
    ("Wilson proportion p = 0.5", 0.5, wilson(0.5)),
    ("risk difference, Newcombe (0.5 vs 0.3)", 0.2, two_by_two("Risk difference")),
    ("risk ratio, Katz log", 0.5 / 0.3, two_by_two("Risk ratio")),
    ("odds ratio, Woolf log", (0.5 / 0.5) / (0.3 / 0.7), two_by_two("Odds ratio")),
    ("rate ratio, Poisson GLM", 1.5, counts("poisson", False)),
    ("rate ratio, exact conditional", 1.5, counts("exact", False)),
    ("rate ratio, auto, overdispersed counts", 1.5, counts("auto", True)),
    ("rate ratio, Poisson GLM, overdispersed counts", 1.5, counts("poisson", True)),
    ("rate ratio, negative binomial, overdispersed counts", 1.5, counts("negative_binomial", True)),
    ("Cohen's kappa, FCE SE (units)", population_kappa(np.eye(3)), kappa),
    ("weighted kappa linear (units)", population_kappa(1 - np.abs(np.subtract.outer(range(3), range(3))) / 2),
     wkappa("linear")),
    ("weighted kappa quadratic (units)",
     population_kappa(1 - np.subtract.outer(range(3), range(3)) ** 2 / 4), wkappa("quadratic")),
    ("Gwet's AC1 (units)", population_ac1(), ac1),
    ("Cox hazard ratio (HR 0.6)", 0.6, cox),
    ("Kaplan-Meier S(180), log CI", math.exp(-180 / 300), km_at_180),
    ("random effects REML, Wald (k sites)", 0.2, meta(False)),
    ("random effects REML, Knapp-Hartung (k sites)", 0.2, meta(True)),
    ("random effects DL, Wald (k sites)", 0.2, meta(False, "DL")),
]


def coverage(truth: float, draw: Callable, n: int, reps: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    hit = miss_low = miss_high = undefined = 0
    for _ in range(reps):
        try:
            low, high = draw(rng, n)
        except Exception:  # an input the function refuses (e.g. a group with no variation) counts as undefined
            undefined += 1
            continue
        if not (np.isfinite(low) and np.isfinite(high)):
            undefined += 1
        elif truth < low:
            miss_low += 1
        elif truth > high:
            miss_high += 1
        else:
            hit += 1
    defined = reps - undefined
    return {"coverage": hit / defined if defined else math.nan, "below": miss_low / max(defined, 1),
            "above": miss_high / max(defined, 1), "undefined": undefined}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    rows = []
    for i, (name, truth, draw) in enumerate(FAMILIES):
        if args.only and args.only.lower() not in name.lower():
            continue
        sizes = (3, 5, 10, 20) if "k sites" in name else SIZES
        reps = max(args.reps // 3, 100) if "bootstrap" in name else args.reps
        for j, n in enumerate(sizes):
            start = time.perf_counter()
            result = coverage(truth, draw, n, reps, args.seed + 1000 * i + j)
            rows.append({"interval": name, "n": n, "reps": reps, **result,
                         "seconds": round(time.perf_counter() - start, 1)})
            print(f"{name:48s} n={n:3d} coverage {result['coverage']:.3f} (truth below CI {result['below']:.3f}, "
                  f"above {result['above']:.3f}, undefined {result['undefined']})", flush=True)
    table = pd.DataFrame(rows)
    print()
    print(table.pivot(index="interval", columns="n", values="coverage").round(3).to_string())
    low = table[table["coverage"] < 0.92]
    if len(low):
        print("\nBelow 0.92:")
        print(low.to_string(index=False))


if __name__ == "__main__":
    main()
