"""Cronbach's alpha and McDonald's omega against R, at test time.

References (tests/measures/reference/reliability.R): psych::alpha (raw_alpha and its Feldt CI);
base R's factanal for the one-factor ML fit, omega computed from its loadings; boot::boot.ci (perc, bca)
on the same bootstrap resamples.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cm_research.measures import ItemResponseError, cronbach_alpha, mcdonald_omega, scale_reliability
from cm_research.resampling import resample_indices

SEED, N_BOOT = 7, 300


def likert(n: int, loadings: list[float], low: int, high: int, seed: int) -> pd.DataFrame:
    """Synthetic answers: a common factor plus noise, rounded and clipped to the response range."""
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=n)
    mid = (low + high) / 2
    return pd.DataFrame({f"item{j + 1}": np.clip(np.round(mid + lam * trait + rng.normal(size=n)), low, high)
                         for j, lam in enumerate(loadings)})


CASES = {
    "five_habits": likert(120, [0.6, 0.8, 1.0, 0.9, 0.7], 1, 5, 1),
    "sdq_like": likert(80, [0.5, 0.7, 0.4, 0.6], 0, 2, 2),
    "wemwbs_like": likert(200, [0.9, 1.1, 0.8, 1.2, 1.0, 0.7, 0.9], 1, 5, 3),
    # one item on a 0-30 scale beside four 1-5 items: raw-total and standardized omega part company
    "unequal_sd": likert(150, [0.9, 1.0, 0.8, 0.7, 0.6], 1, 5, 4).assign(item5=lambda d: 6 * d["item5"]),
}
BOOT_CASES = ("five_habits",)


@pytest.fixture(scope="module")
def r_ref(r_tables):
    tables = {f"items_{name}": data for name, data in CASES.items()}
    for name in BOOT_CASES:
        idx = resample_indices(len(CASES[name]), N_BOOT, SEED)
        tables[f"boot_{name}"] = pd.DataFrame(idx)
    out = r_tables("reliability.R", tables)["reliability"]
    return {case: dict(zip(g["key"], g["value"])) for case, g in out.groupby("case")}


@pytest.mark.r
@pytest.mark.parametrize("case", list(CASES))
def test_alpha_and_feldt_ci_match_psych(r_ref, case):
    res = cronbach_alpha(CASES[case]).iloc[0]
    ref = r_ref[case]
    assert res["estimate"] == pytest.approx(ref["alpha"], abs=1e-10)
    assert res["ci_low"] == pytest.approx(ref["alpha_ci_low"], abs=1e-8)
    assert res["ci_high"] == pytest.approx(ref["alpha_ci_high"], abs=1e-8)
    assert res["n"] == len(CASES[case]) and res["n_items"] == CASES[case].shape[1]


@pytest.mark.r
@pytest.mark.parametrize("case", list(CASES))
def test_omega_matches_factanal(r_ref, case):
    # factanal stops at a looser tolerance than our optimiser: agreement to 1e-5.
    res = mcdonald_omega(CASES[case], n_boot=20, bootstrap="percentile").iloc[0]
    assert res["estimate"] == pytest.approx(r_ref[case]["omega"], abs=1e-5)


@pytest.mark.r
@pytest.mark.parametrize("case", list(CASES))
def test_standardized_omega_is_psych_omega_tot(r_ref, case):
    res = mcdonald_omega(CASES[case], n_boot=20, bootstrap="percentile").iloc[0]
    # same ML fit (factanal's tolerance): 1e-5; psych's default minres fit differs in about the 4th decimal
    assert res["omega_standardized"] == pytest.approx(r_ref[case]["omega_psych_ml"], abs=1e-5)
    assert res["omega_standardized"] == pytest.approx(r_ref[case]["omega_psych_minres"], abs=2e-3)
    if case == "unequal_sd":  # the raw-total omega (estimate) is deliberately not psych's figure
        assert abs(res["estimate"] - r_ref[case]["omega_psych_ml"]) > 0.01


@pytest.mark.r
@pytest.mark.parametrize("method, keys, tol", [("percentile", ("perc_low", "perc_high"), 1e-5),
                                               ("bca", ("bca_low", "bca_high"), 2e-4)])
def test_omega_bootstrap_ci_matches_boot_ci(r_ref, method, keys, tol):
    # Same resamples, same conventions (Davison & Hinkley 1997). The replicates differ only by the
    # optimisers' tolerance (about 1e-6); BCa's acceleration and interpolation magnify that to ~1e-4.
    res = mcdonald_omega(CASES["five_habits"], n_boot=N_BOOT, seed=SEED, bootstrap=method).iloc[0]
    ref = r_ref["five_habits"]
    assert res["ci_low"] == pytest.approx(ref[keys[0]], abs=tol)
    assert res["ci_high"] == pytest.approx(ref[keys[1]], abs=tol)
    assert res["n_boot"] == N_BOOT and res["seed"] == SEED


def test_alpha_hand_worked():
    # Items a, b: variance 2/3 each; c: 1/3. Totals 3, 5, 6, 8: variance 13/3.
    # alpha = 3/2 * (1 - (5/3) / (13/3)) = 12/13.
    items = pd.DataFrame({"a": [1, 2, 2, 3], "b": [1, 2, 2, 3], "c": [1, 1, 2, 2]})
    assert cronbach_alpha(items).iloc[0]["estimate"] == pytest.approx(12 / 13, abs=1e-12)


def test_missing_answers_are_left_out_listwise_and_counted():
    data = CASES["five_habits"].copy()
    data.iloc[[3, 10], 1] = np.nan
    alpha = cronbach_alpha(data).iloc[0]
    assert alpha["n"] == 118 and alpha["n_dropped"] == 2 and "2 respondent(s)" in alpha["note"]
    assert alpha["estimate"] == pytest.approx(cronbach_alpha(data.dropna()).iloc[0]["estimate"], abs=1e-12)


def test_omega_of_an_exact_one_factor_structure():
    # Columns z_k centred, uncorrelated, variance 1 in the sample (QR of centred noise), and
    # x_j = lambda_j z_0 + z_j: the sample covariance is exactly lambda lambda' + I, so the ML fit is exact
    # and omega = (sum lambda)^2 / ((sum lambda)^2 + 3) = 2.4^2 / (2.4^2 + 3).
    rng = np.random.default_rng(5)
    noise = rng.normal(size=(400, 4))
    q, _ = np.linalg.qr(noise - noise.mean(axis=0))
    z = q * math.sqrt(399)
    lam = np.array([0.9, 0.8, 0.7])
    x = z[:, :1] * lam + z[:, 1:4]
    expected = 2.4**2 / (2.4**2 + 3)
    res = mcdonald_omega(pd.DataFrame(x), n_boot=20, bootstrap="percentile").iloc[0]
    assert res["estimate"] == pytest.approx(expected, abs=1e-6)


def test_degenerate_inputs_give_reasons_not_crashes():
    constant = CASES["sdq_like"].assign(item1=1.0)
    res = mcdonald_omega(constant, n_boot=20, bootstrap="percentile").iloc[0]
    assert math.isnan(res["estimate"]) and "same answer for everyone" in res["note"]
    two = mcdonald_omega(CASES["sdq_like"][["item1", "item2"]], n_boot=20, bootstrap="percentile").iloc[0]
    assert math.isnan(two["estimate"]) and "at least 3 items" in two["note"]
    one = cronbach_alpha(CASES["sdq_like"][["item1"]]).iloc[0]
    assert math.isnan(one["estimate"]) and "at least 2 items" in one["note"]


def test_negative_loading_is_flagged():
    data = CASES["five_habits"].copy()
    data["item3"] = 6 - data["item3"]  # an item left un-reversed
    assert "loading negatively" in mcdonald_omega(data, n_boot=20, bootstrap="percentile").iloc[0]["note"]


def test_omega_ci_is_reproducible_and_contains_estimate():
    a = mcdonald_omega(CASES["sdq_like"], n_boot=100, seed=3).iloc[0]
    b = mcdonald_omega(CASES["sdq_like"], n_boot=100, seed=3).iloc[0]
    assert (a["ci_low"], a["ci_high"]) == (b["ci_low"], b["ci_high"])
    assert a["ci_low"] < a["estimate"] < a["ci_high"]


def test_scale_reliability_reverse_keys_from_the_instrument():
    # SDQ conduct scale: 'obeys' is reverse-scored. Answers as ticked: obeys ticked against the others.
    rng = np.random.default_rng(11)
    trait = rng.normal(size=150)
    ticks = {name: np.clip(np.round(1 + 0.7 * trait + rng.normal(scale=0.8, size=150)), 0, 2)
             for name in ["tantrum", "fights", "lies", "steals"]}
    ticks["obeys"] = np.clip(np.round(1 - 0.7 * trait + rng.normal(scale=0.8, size=150)), 0, 2)
    forms = pd.DataFrame(ticks)
    res = scale_reliability(forms, "sdq", "conduct", version="parent", n_boot=20, bootstrap="percentile")
    keyed = forms.assign(obeys=2 - forms["obeys"])[["tantrum", "obeys", "fights", "lies", "steals"]]
    assert res["measure"].tolist() == ["sdq_parent.conduct"] * 2
    assert res.iloc[0]["estimate"] == pytest.approx(cronbach_alpha(keyed).iloc[0]["estimate"], abs=1e-12)
    assert "loading negatively" not in res.iloc[1]["note"]


def test_scale_reliability_checks_cells():
    forms = pd.DataFrame({h: [3, 4, 9] for h in ["imaginative", "inquisitive", "persistent", "collaborative",
                                                 "disciplined"]})
    with pytest.raises(ItemResponseError, match="row 2, column `imaginative`: 9 is not an allowed answer"):
        scale_reliability(forms, "creative_habits")


def test_one_factor_omega_is_a_deprecated_alias_of_the_helper_behind_mcdonald_omega():
    from cm_research.deprecation import CMResearchDeprecationWarning
    from cm_research.measures.reliability import _one_factor_omega, one_factor_omega

    # the exact one-factor structure of test_omega_of_an_exact_one_factor_structure: omega = 2.4^2 / (2.4^2 + 3)
    rng = np.random.default_rng(5)
    noise = rng.normal(size=(400, 4))
    q, _ = np.linalg.qr(noise - noise.mean(axis=0))
    z = q * math.sqrt(399)
    x = z[:, :1] * np.array([0.9, 0.8, 0.7]) + z[:, 1:4]
    with pytest.warns(CMResearchDeprecationWarning, match="mcdonald_omega"):
        old = one_factor_omega(x)
    assert isinstance(old, dict)  # the old return type, for one release
    assert old["omega"] == _one_factor_omega(x)["omega"] == pytest.approx(2.4**2 / (2.4**2 + 3), abs=1e-6)


def test_an_item_without_variance_is_counted_and_named_where_psych_deletes_it():
    # a: 1..5 (variance 2.5), b: 2, 2, 3, 5, 5 (2.3), c: 3 throughout (0); totals 6, 7, 9, 12, 13 (variance 9.3)
    items = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [3, 3, 3, 3, 3]})
    res = cronbach_alpha(items).iloc[0]
    assert res["estimate"] == pytest.approx(3 / 2 * (1 - 4.8 / 9.3), abs=1e-12)  # k = 3: 0.7258
    # R: psych::alpha(items)$total$raw_alpha = 0.9677419 ("Item = c had no variance and was deleted"),
    # i.e. 2 (1 - 4.8 / 9.3) on a and b alone: we keep the k = 3 figure and give psych's in the note
    assert "`c` have no variance" in res["note"] and "without them alpha is 0.968" in res["note"]
    assert round(2 * (1 - 4.8 / 9.3), 7) == 0.9677419
