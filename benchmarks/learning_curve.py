"""How the suggested coder learns: site cross-validation F1, precision and recall against the number of training sites.

For each size n in ``--sizes``, ``--repeats`` random subsets of n training sites are drawn (seeded) from the
gold set's training sites (every split but :data:`cm_research.qual.crossval.BLIND_SPLITS`, whose transcripts are
never opened); a coder is fitted on each subset exactly as the shipped one is (stem vocabulary, hints' records,
the check and the threshold all chosen inside the subset, :func:`cm_research.qual.crossval.train_model`) and
scored on every site outside it (:func:`cm_research.qual.crossval.cross_validate` with that one fold). The
table gives, per n, the mean and standard deviation over the subsets of the hybrid's pooled precision, recall
and F1 on the left-out sites, and the model's own suggestions' (without the hint rules).

A learning curve y(n) = a − b · n^(−c) (an inverse power law, the usual shape of learning curves; Cortes et
al. 1994, *Learning curves: asymptotic values and rate of convergence*; Figueroa et al. 2012, BMC Medical
Informatics and Decision Making 12:8, who fit it to predict how much annotated data a classifier needs) is
fitted to every subset's figure by non-linear least squares (:func:`fit_power_law`), and its uncertainty found
by refitting to bootstrap resamples of the subsets within each size (``--boot``). The n at which the curve
reaches a target is n* = (b / (a − target))^(1/c) when a > target; when the asymptote a is below the target the
curve flattens under it, and more data of the same kind will not reach it. A log-linear fit y = α + β · ln n,
which never flattens, is printed beside it as the optimistic reading (n* = exp((target − α) / β)).

The gold set is synthetic (hand-written interviews, ``tests/qual/gold``). Seeded: the same arguments give the
same table.

Usage: ``python benchmarks/learning_curve.py [--sizes 6 9 12 16 20 24 28] [--repeats 5] [--seed 17]
[--boot 1000] [--jobs 1] [--plot outputs/learning_curve.png]``
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

GOLD = Path(__file__).resolve().parents[1] / "tests" / "qual" / "gold"
#: the issue's targets: precision 0.80 and recall 0.75, so F1 2 · 0.8 · 0.75 / 1.55
TARGETS = {"precision": 0.80, "recall": 0.75, "f1": 2 * 0.80 * 0.75 / (0.80 + 0.75)}

_DATA = None


def site_subsets(sites: list[str], sizes: list[int], repeats: int, seed: int) -> list[tuple[int, int, list[str]]]:
    """(n, repeat, training sites) for each size and repeat: ``repeats`` subsets of n sites drawn without
    replacement from ``sites`` (sorted first) by one seeded generator, in the order of ``sizes``."""
    rng = np.random.default_rng(seed)
    names = sorted(sites)
    out = []
    for n in sizes:
        if not 1 <= n < len(names):
            raise SystemExit(f"a training subset of {n} sites leaves no site out of {len(names)} to test on")
        for r in range(repeats):
            out.append((n, r, sorted(rng.choice(names, size=n, replace=False).tolist())))
    return out


def _load():
    global _DATA
    if _DATA is None:
        from cm_research.qual.codebook import load_codebook
        from cm_research.qual.crossval import gold_data

        _DATA = gold_data(GOLD, load_codebook())
    return _DATA


def score_subset(task: tuple[int, int, list[str]]) -> dict:
    """The hybrid's and the model's pooled figures on the sites outside one training subset."""
    from cm_research.qual.crossval import cross_validate

    n, r, train_sites = task
    data = _load()
    inside = np.isin(data.sites, train_sites)
    fold = [(f"n={n} #{r}", np.flatnonzero(inside), np.flatnonzero(~inside))]
    t0 = time.process_time()
    overall, _, _ = cross_validate(data, folds=fold)
    m = overall["model_only"]
    (threshold, check), = overall["thresholds"].values()
    return {"n_sites": n, "repeat": r, "test_sites": len(set(data.sites[~inside])), "n_gold": overall["n_gold"],
            "precision": overall["precision"], "recall": overall["recall"], "f1": overall["f1"],
            "model_precision": m["precision"], "model_recall": m["recall"], "model_f1": m["f1"],
            "threshold": threshold, "cut": check[3] if check else 0.0, "cpu_s": time.process_time() - t0,
            "train_sites": ", ".join(train_sites)}


def power_law(n: np.ndarray, a: float, b: float, c: float) -> np.ndarray:
    """y(n) = a − b · n^(−c)."""
    return a - b * np.power(n, -c)


def fit_power_law(n: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """(a, b, c) of y = a − b · n^(−c) by least squares (``scipy.optimize.curve_fit``), with a in [0, 1],
    b ≥ 0 and c in [0.05, 3] so that the curve rises and flattens."""
    from scipy.optimize import curve_fit

    p0 = (min(float(np.max(y)) + 0.05, 1.0), 1.0, 0.5)
    params, _ = curve_fit(power_law, np.asarray(n, float), np.asarray(y, float), p0=p0,
                          bounds=([0.0, 0.0, 0.05], [1.0, 50.0, 3.0]), maxfev=20000)
    return tuple(float(v) for v in params)


def sites_needed(a: float, b: float, c: float, target: float) -> float:
    """n* with a − b · n*^(−c) = target: (b / (a − target))^(1/c); infinity when the asymptote a ≤ target."""
    if a <= target:
        return float("inf")
    return float((b / (a - target)) ** (1.0 / c))


def extrapolate(results: pd.DataFrame, column: str, target: float, boot: int, seed: int) -> dict:
    """The curve fitted to every subset's ``column``, and a bootstrap over the subsets (resampled within each
    size): the asymptote a with its 95% percentile interval, the sites n* the curve needs to reach ``target``
    (median and 95% interval over the resamples) and the share of resamples whose asymptote is below it."""
    n, y = results["n_sites"].to_numpy(float), results[column].to_numpy(float)
    a, b, c = fit_power_law(n, y)
    rng = np.random.default_rng(seed)
    groups = [np.flatnonzero(n == v) for v in np.unique(n)]
    asym, need, log_need = [], [], []
    for _ in range(boot):
        idx = np.concatenate([rng.choice(g, size=len(g), replace=True) for g in groups])
        slope, icept = np.polyfit(np.log(n[idx]), y[idx], 1)
        log_need.append(float(np.exp((target - icept) / slope)) if slope > 0 else float("inf"))
        try:
            ab, bb, cb = fit_power_law(n[idx], y[idx])
        except RuntimeError:  # no fit found for this resample: leave it out
            continue
        asym.append(ab)
        need.append(sites_needed(ab, bb, cb, target))
    asym, need = np.array(asym), np.array(need)
    beta, alpha = np.polyfit(np.log(n), y, 1)  # highest power first

    def q(v, p):  # no interpolation, so that "never" (infinity) stays infinite
        return float(np.quantile(v, p, method="inverted_cdf"))

    return {"measure": column, "target": target, "a": a, "b": b, "c": c,
            "a_low": q(asym, 0.025), "a_high": q(asym, 0.975),
            "n_needed": sites_needed(a, b, c, target),
            "n_needed_median": q(need, 0.5), "n_needed_low": q(need, 0.025), "n_needed_high": q(need, 0.975),
            "share_never": float(np.mean(~np.isfinite(need))), "resamples": int(len(asym)),
            "log_alpha": float(alpha), "log_beta": float(beta),
            "log_n_needed": float(np.exp((target - alpha) / beta)) if beta > 0 else float("inf"),
            "log_n_low": q(log_need, 0.025), "log_n_high": q(log_need, 0.975)}


def summarise(results: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation over the subsets, per number of training sites."""
    cols = ["precision", "recall", "f1", "model_precision", "model_recall", "model_f1"]
    g = results.groupby("n_sites")
    table = g[cols].mean().add_suffix("_mean").join(g[cols].std(ddof=1).add_suffix("_sd"))
    table.insert(0, "subsets", g.size())
    table.insert(1, "test_sites_mean", g["test_sites"].mean())
    return table.reset_index()


def plot(results: pd.DataFrame, fits: list[dict], path: Path) -> None:
    """Precision, recall and F1 of every subset against n, with the fitted curves and the targets (seaborn)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    long = results.melt(id_vars="n_sites", value_vars=["precision", "recall", "f1"], var_name="measure")
    fig, ax = plt.subplots(figsize=(7, 4.5))
    sns.lineplot(data=long, x="n_sites", y="value", hue="measure", style="measure", markers=True,
                 errorbar="sd", ax=ax)
    grid = np.linspace(long["n_sites"].min(), 80, 200)
    for fit in fits:
        ax.plot(grid, power_law(grid, fit["a"], fit["b"], fit["c"]), linestyle=":", color="grey", linewidth=1)
        ax.axhline(fit["target"], color="black", linewidth=0.6, linestyle="--")
        ax.annotate(f"{fit['measure']} target {fit['target']:.2f}", (grid[-1], fit["target"]),
                    ha="right", va="bottom", fontsize=8)
    ax.set(xlabel="training sites (4 interviews each)", ylabel="on the sites left out",
           title="Suggested coder: learning curve by site (synthetic gold set)", ylim=(0.3, 0.9))
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[6, 9, 12, 16, 20, 24, 28])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--boot", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=1, help="processes (the subsets are independent)")
    parser.add_argument("--csv", type=Path, default=None, help="also write every subset's figures here")
    parser.add_argument("--from-csv", type=Path, default=None, help="summarise and fit a CSV written before")
    parser.add_argument("--plot", type=Path, default=None, help="a PNG of the curve (seaborn)")
    args = parser.parse_args(argv)
    pd.set_option("display.width", 200)
    t0 = time.perf_counter()
    if args.from_csv:
        results = pd.read_csv(args.from_csv)
    else:
        sites = sorted(set(_load().sites))
        tasks = site_subsets(sites, args.sizes, args.repeats, args.seed)
        print(f"{len(sites)} training sites; {len(tasks)} subsets ({args.repeats} per size), seed {args.seed}",
              flush=True)
        rows = []
        if args.jobs > 1:
            with ProcessPoolExecutor(args.jobs) as pool:
                for row in pool.map(score_subset, tasks):
                    rows.append(row)
                    print(f"  n={row['n_sites']:2d} #{row['repeat']}: F1 {row['f1']:.3f}", flush=True)
        else:
            for task in tasks:
                rows.append(score_subset(task))
                print(f"  n={task[0]:2d} #{task[1]}: F1 {rows[-1]['f1']:.3f} ({rows[-1]['cpu_s']:.0f} CPU s)",
                      flush=True)
        results = pd.DataFrame(rows)
        if args.csv:
            results.to_csv(args.csv, index=False)
    print("\nhybrid (rules + model) and the model's own suggestions, pooled over the sites left out; mean (sd) "
          "over the subsets")
    print(summarise(results).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    fits = [extrapolate(results, m, t, args.boot, args.seed) for m, t in TARGETS.items()]
    print("\ncurve y = a − b·n^(−c) fitted to every subset; bootstrap over the subsets within each size")
    def sites(v):
        return "never" if not np.isfinite(v) else f"{v:.0f}"

    for f in fits:
        print(f"  {f['measure']}: a {f['a']:.3f} (95% {f['a_low']:.3f} to {f['a_high']:.3f}), b {f['b']:.3f}, "
              f"c {f['c']:.3f}; sites to reach the target {f['target']:.3f}: {sites(f['n_needed'])} (bootstrap "
              f"median {sites(f['n_needed_median'])}, 95% {sites(f['n_needed_low'])} to "
              f"{sites(f['n_needed_high'])}; never, the asymptote below the target, in {f['share_never']:.0%} of "
              f"{f['resamples']} resamples)")
    print("log-linear y = α + β·ln n (never flattens: the optimistic reading)")
    for f in fits:
        print(f"  {f['measure']}: α {f['log_alpha']:.3f}, β {f['log_beta']:.4f} per ln(site); "
              f"+{f['log_beta'] * np.log(2):.3f} per doubling of the sites; target {f['target']:.3f} at "
              f"{sites(f['log_n_needed'])} sites (bootstrap 95% {sites(f['log_n_low'])} to "
              f"{sites(f['log_n_high'])})")
    if args.plot:
        plot(results, fits, args.plot)
        print(f"wrote {args.plot}")
    print(f"({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
