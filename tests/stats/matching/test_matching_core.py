"""Matching without R: a simulation with confounding and a known effect, brute-force checks of the
greedy search, hand-worked weights and balance, the pair bootstrap, and clear errors and warnings."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from cm_research.stats.matching import (
    MatchingError,
    PoorBalanceWarning,
    UnmatchedTreatedWarning,
    balance_table,
    match_groups,
    matched_effect,
)

TRUE_EFFECT = 2.0


def confounded(seed: int, n: int = 6000) -> pd.DataFrame:
    """Synthetic young people: prior attainment and attendance drive both referral to mentoring and
    the outcome, so the naive difference is biased; the effect of mentoring is exactly TRUE_EFFECT."""
    rng = np.random.default_rng(seed)
    ks2 = rng.normal(100, 15, n)
    attendance = np.clip(rng.normal(90, 6, n), 50, 100)
    exclusion = rng.binomial(1, 0.2, n)
    logit = -2.5 - 0.06 * (ks2 - 100) - 0.08 * (attendance - 90) + 1.0 * exclusion
    mentored = rng.random(n) < 1 / (1 + np.exp(-logit))
    outcome = 10 + 0.3 * (ks2 - 100) + 0.5 * (attendance - 90) - 3 * exclusion + TRUE_EFFECT * mentored + rng.normal(0, 3, n)
    return pd.DataFrame({
        "participant_id": [f"SYN-{i:05d}" for i in range(n)],
        "group": np.where(mentored, "mentored", "comparison"),
        "ks2": ks2, "attendance": attendance, "exclusion": exclusion, "gcse_points": outcome,
    })


COVS = ["ks2", "attendance", "exclusion"]


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("spec", [
    dict(distance="logit", caliper=0.2),
    dict(distance="mahalanobis", replace=True),
    dict(distance="propensity", ratio=2, caliper=0.2),
])
def test_matching_recovers_a_known_effect_under_confounding(seed, spec):
    data = confounded(seed)
    treated = data["group"] == "mentored"
    naive = data.loc[treated, "gcse_points"].mean() - data.loc[~treated, "gcse_points"].mean()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnmatchedTreatedWarning)
        m = match_groups(data, COVS, **spec)
    res = matched_effect(m, "gcse_points").iloc[0]
    assert abs(naive - TRUE_EFFECT) > 10 * res["se"], "the simulation must be confounded"
    # within 3 SE (a 95% CI misses 1 time in 20 by design; 3 SE misses about 1 in 370)
    assert abs(res["estimate"] - TRUE_EFFECT) < 3 * res["se"]
    assert abs(res["estimate"] - TRUE_EFFECT) < 0.1 * abs(naive - TRUE_EFFECT)  # >= 90% of the bias removed
    after = m.balance[m.balance["sample"] == "after matching"]
    assert (after["smd"].abs() < 0.1).all()


def _brute_force_greedy(dist: np.ndarray, order: list[int], caliper: float | None) -> dict[int, int]:
    """Greedy 1:1 matching without replacement from a full distance matrix (ties: first column)."""
    free = np.ones(dist.shape[1], dtype=bool)
    out = {}
    for t in order:
        d = np.where(free, dist[t], np.inf)
        c = int(np.argmin(d))
        if np.isfinite(d[c]) and (caliper is None or d[c] <= caliper):
            out[t] = c
            free[c] = False
    return out


@pytest.mark.parametrize("distance", ["score", "mahalanobis"])
def test_greedy_search_equals_brute_force_on_a_full_distance_matrix(distance):
    rng = np.random.default_rng(7)
    n_t, n_c = 60, 400
    x = np.vstack([rng.normal(0.5, 1, (n_t, 2)), rng.normal(0, 1, (n_c, 2))])
    data = pd.DataFrame({"participant_id": [f"SYN-{i}" for i in range(n_t + n_c)],
                         "group": ["mentored"] * n_t + ["comparison"] * n_c,
                         "a": x[:, 0], "b": np.round(x[:, 1], 1)})  # rounding creates tied values
    data["score"] = np.round(data["a"] + 0.5 * data["b"], 2)
    if distance == "score":
        m = match_groups(data, ["a", "b"], distance="score", caliper=0.05, warn=False)
        s = data["score"].to_numpy()
        dist = np.abs(s[:n_t, None] - s[None, n_t:])
        order = list(np.argsort(-s[:n_t], kind="stable"))
        caliper = 0.05 * np.std(s, ddof=1)
    else:
        m = match_groups(data, ["a", "b"], distance="mahalanobis", warn=False)
        xs = data[["a", "b"]].to_numpy()
        centred = xs.copy()
        centred[:n_t] -= xs[:n_t].mean(0)
        centred[n_t:] -= xs[n_t:].mean(0)
        inv = np.linalg.inv(centred.T @ centred / (len(xs) - 2))
        diff = xs[:n_t, None, :] - xs[None, n_t:, :]
        dist = np.sqrt(np.einsum("ijk,kl,ijl->ij", diff, inv, diff))
        dist = np.round(dist, 9)  # equal in exact arithmetic -> tie -> first in the data
        order, caliper = list(range(n_t)), None
    expected = _brute_force_greedy(dist, order, caliper)
    got = {int(t[4:]): int(c[4:]) - n_t for t, c in zip(m.pairs["treated_id"], m.pairs["control_id"])}
    assert got == expected
    assert len(m.unmatched) == n_t - len(expected)


def test_weights_and_balance_worked_by_hand():
    # A matched to C and D (1:2), B matched to E only (caliper): control weights 1/2, 1/2, 1,
    # scaled to sum to 3 comparison units: 0.75, 0.75, 1.5.
    data = pd.DataFrame({"participant_id": list("ABCDEF"),
                         "group": ["mentored"] * 2 + ["comparison"] * 4,
                         "score": [0.50, 0.80, 0.49, 0.52, 0.81, 0.10],
                         "x": [1.0, 3.0, 0.0, 2.0, 4.0, 9.0]})
    m = match_groups(data, ["x"], distance="score", ratio=2, caliper=0.2, warn=False)
    # caliper = 0.2 * SD(score) = 0.2 * 0.2657... = 0.0531: E (0.81) is B's only unit within it
    w = m.data.set_index("participant_id")["weight"]
    assert w.to_dict() == pytest.approx({"A": 1, "B": 1, "C": 0.75, "D": 0.75, "E": 1.5})
    after = m.balance[m.balance["sample"] == "after matching"].iloc[0]
    # weighted control mean (0.75*0 + 0.75*2 + 1.5*4) / 3 = 2.5; treated mean 2; SD of treated x
    # before matching = sqrt(2) -> SMD = -0.5 / sqrt(2)
    assert after["mean_control"] == pytest.approx(2.5)
    assert after["smd"] == pytest.approx(-0.5 / math.sqrt(2))
    # weighted variances (w normalised, divided by 1 - Σw²): treated 2 / (1 - 0.5) = ... by hand
    wt = np.array([0.25, 0.25, 0.5])
    xc = np.array([0.0, 2.0, 4.0])
    var_c = np.sum(wt * (xc - 2.5) ** 2) / (1 - np.sum(wt**2))
    assert after["var_ratio"] == pytest.approx(2.0 / var_c)


def test_binary_covariate_uses_p_times_one_minus_p():
    data = pd.DataFrame({"group": ["mentored"] * 4 + ["comparison"] * 4, "excluded": [1, 1, 0, 0, 1, 0, 0, 0]})
    row = balance_table(data, ["excluded"]).iloc[0]
    assert row["type"] == "binary" and math.isnan(row["var_ratio"])
    assert row["smd"] == pytest.approx((0.5 - 0.25) / math.sqrt(0.25))


def test_pair_bootstrap_matches_an_independent_resampling_of_matched_sets():
    data = confounded(3, n=1500)
    m = match_groups(data, COVS, distance="logit", caliper=0.2, warn=False)
    res = matched_effect(m, "gcse_points", se="bootstrap", n_boot=300, seed=99).iloc[0]
    # independent: resample subclasses with the same generator and average within groups (1:1 pairs)
    sets = m.data.groupby("subclass")
    ids = sorted(sets.groups)
    diff = {sc: g.loc[g["group"] == "mentored", "gcse_points"].mean() - g.loc[g["group"] == "comparison", "gcse_points"].mean()
            for sc, g in sets}
    draws = np.random.default_rng(99).integers(0, len(ids), size=(300, len(ids)))
    replicates = np.array([np.mean([diff[ids[i]] for i in draw]) for draw in draws])
    assert res["se"] == pytest.approx(np.std(replicates, ddof=1), rel=1e-9)
    assert res["estimate"] == pytest.approx(np.mean(list(diff.values())), rel=1e-12)
    # and it estimates the same sampling variability as the cluster-robust SE
    cluster = matched_effect(m, "gcse_points").iloc[0]
    assert res["se"] == pytest.approx(cluster["se"], rel=0.25)


def test_warnings_name_unmatched_young_people_and_poor_balance():
    data = pd.DataFrame({"participant_id": ["SYN-A", "SYN-B", "SYN-C", "SYN-D", "SYN-E"],
                         "group": ["mentored", "mentored", "comparison", "comparison", "comparison"],
                         "ks2": [100.0, 140.0, 101.0, 99.0, 60.0]})
    with pytest.warns(UnmatchedTreatedWarning, match=r"1 of 2 treated .*SYN-B"):
        m = match_groups(data, ["ks2"], distance="mahalanobis", caliper=0.5)
    assert m.unmatched.to_dict("records") == [{"id": "SYN-B", "reason": "no comparison unit within the caliper"}]
    with pytest.warns(PoorBalanceWarning, match="ks2"):
        match_groups(data, ["ks2"], distance="mahalanobis")


def test_missing_covariates_are_reported_not_dropped_silently():
    data = pd.DataFrame({"participant_id": list("ABCDEFG"), "group": ["mentored"] * 2 + ["comparison"] * 5,
                         "ks2": [100.0, np.nan, 101.0, np.nan, 95.0, 99.0, 104.0]})
    m = match_groups(data, ["ks2"], warn=False)
    assert m.unmatched.to_dict("records") == [{"id": "B", "reason": "missing value in `ks2`"}]
    assert any("1 comparison row(s) with a missing covariate" in n for n in m.notes)


@pytest.mark.parametrize("kwargs, message", [
    (dict(covariates=["nope"]), "no column `nope`"),
    (dict(covariates=["site"]), "column `site` must hold numbers.*exact="),
    (dict(covariates=["ks2"], distance="euclid"), "`distance` must be one of"),
    (dict(covariates=["ks2"], ratio=0), "`ratio` must be a whole number"),
    (dict(covariates=["ks2"], caliper=-1.0), "`caliper` must be a positive number"),
    (dict(covariates=["ks2"], distance=None), "needs `exact=`"),
])
def test_bad_specifications_say_what_is_wrong(kwargs, message):
    data = pd.DataFrame({"participant_id": ["A", "B", "C"], "group": ["mentored", "comparison", "comparison"],
                         "ks2": [1.0, 2.0, 3.0], "site": ["X", "Y", "X"]})
    with pytest.raises(MatchingError, match=message):
        match_groups(data, **kwargs)


def test_duplicated_ids_and_separation_are_errors():
    data = pd.DataFrame({"participant_id": ["A", "A", "C"], "group": ["mentored", "comparison", "comparison"],
                         "ks2": [1.0, 2.0, 3.0]})
    with pytest.raises(MatchingError, match="id 'A' appears in more than one row"):
        match_groups(data, ["ks2"])
    separated = pd.DataFrame({"participant_id": list("ABCDEF"), "group": ["mentored"] * 3 + ["comparison"] * 3,
                              "ks2": [10.0, 11.0, 12.0, 1.0, 2.0, 3.0]})
    with pytest.raises(MatchingError, match="separate the two groups"):
        match_groups(separated, ["ks2"], distance="propensity")


def test_cluster_se_is_refused_after_matching_with_replacement():
    m = match_groups(confounded(4, n=800), COVS, distance="mahalanobis", replace=True, warn=False)
    with pytest.raises(MatchingError, match="se='robust'"):
        matched_effect(m, "gcse_points", se="cluster")
    assert matched_effect(m, "gcse_points").loc[0, "se_type"].startswith("heteroscedasticity-robust")
