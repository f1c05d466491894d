"""paired_change against R (t.test, wilcox.test, effectsize, boot) and hand-worked edge cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cm_research.deprecation import CMResearchDeprecationWarning
from cm_research.stats import InsufficientDataError, paired_change, signed_rank_test
from cm_research.stats.paired import signed_rank
from cm_research.resampling import resample_indices

SEED, N_BOOT = 2024, 2000

# SDQ total difficulties (0-40) and attendance %, synthetic. Changes = after - before.
CASES = {
    # 12 distinct non-zero |changes|: R and we use the exact signed-rank p.
    "sdq_no_ties": {
        "before": [24, 19, 28, 15, 22, 30, 17, 26, 21, 18, 25, 23],
        "after": [19, 17, 19, 16, 18, 19, 20, 19, 15, 26, 15, 11],
        "wilcox_exact": [1],
    },
    # tied |changes| (3, 3, 3; 2, 2) and two zero changes: normal approximation.
    "sdq_ties_zeros": {
        "before": [18, 22, 15, 27, 20, 16, 24, 19, 21, 25],
        "after": [15, 22, 12, 22, 22, 16, 21, 18, 23, 19],
        "wilcox_exact": [0],
    },
    "attendance": {
        "before": [62.5, 71.0, 80.2, 55.4, 90.1, 68.3, 74.8, 83.6, 59.9],
        "after": [70.1, 76.4, 81.0, 68.2, 89.5, 79.9, 75.3, 88.8, 72.6],
        "wilcox_exact": [1],
    },
    "two_pairs": {"before": [20, 14], "after": [17, 13], "wilcox_exact": [1]},
    # edge cases, each judged by R (tests/reference/paired.R, also run with wilcox.test's default `exact`):
    # three pairs with tied |changes| (2, 2): normal approximation even at n = 3
    "three_pairs_ties": {"before": [10, 12, 15], "after": [12, 14, 14], "wilcox_exact": [0]},
    # four zero changes and one non-zero: n_nonzero = 1, z = 0 after the continuity correction, p = 1
    "one_nonzero_change": {"before": [5, 6, 7, 8, 9], "after": [5, 6, 7, 10, 9], "wilcox_exact": [0]},
    # 55 distinct non-zero |changes|: no ties, but n >= 50, so R's default is the normal approximation
    "fifty_five_no_ties": {"before": [40.0 + (7 * i) % 23 for i in range(55)],
                           "after": [40.0 + (7 * i) % 23 + round(0.7 * i - 12.05, 2) for i in range(55)],
                           "wilcox_exact": [0]},
}
# sdq_ties_zeros: whole-number changes, so many replicates equal the estimate (BCa counts those strictly below)
BOOT_CASES = ("sdq_no_ties", "attendance", "sdq_ties_zeros")


def long_form(before, after, ids=None) -> pd.DataFrame:
    ids = ids or [f"p{i:02d}" for i in range(len(before))]
    return pd.DataFrame({
        "participant_id": ids * 2,
        "timepoint": ["baseline"] * len(ids) + ["post"] * len(ids),
        "value": list(before) + list(after),
    })


def run(case: str, **kwargs) -> pd.DataFrame:
    data = long_form(CASES[case]["before"], CASES[case]["after"])
    return paired_change(data, "value", "timepoint", "participant_id", "baseline", "post", seed=SEED,
                         n_boot=N_BOOT, **kwargs)


def row(result: pd.DataFrame, method_start: str) -> pd.Series:
    matches = result[result["method"].str.startswith(method_start)]
    assert len(matches) == 1, result["method"].tolist()
    return matches.iloc[0]


@pytest.fixture(scope="module")
def r_ref(r_reference):
    cases = {name: dict(vars_) for name, vars_ in CASES.items()}
    for name in BOOT_CASES:
        n = len(CASES[name]["before"])
        cases[name]["boot_idx"] = resample_indices(n, N_BOOT, SEED).ravel().tolist()
        cases[name]["n_boot"] = [N_BOOT]
    return r_reference("paired.R", cases)


@pytest.mark.r
@pytest.mark.parametrize("case", list(CASES))
def test_paired_t_matches_r_t_test(r_ref, case):
    # Reference: R t.test(after, before, paired = TRUE). Closed form: relative tolerance 1e-9.
    ref, t = r_ref[case], row(run(case), "Paired t-test")
    assert t["n_pairs"] == len(CASES[case]["before"])
    assert t["estimate"] == pytest.approx(ref["t_estimate"], rel=1e-9)
    assert t["se"] == pytest.approx(ref["t_se"], rel=1e-9)
    assert [t["ci_low"], t["ci_high"]] == pytest.approx([ref["t_ci_1"], ref["t_ci_2"]], rel=1e-9)
    assert t["statistic"] == pytest.approx(ref["t_statistic"], rel=1e-9)
    assert t["dof"] == ref["t_df"]
    assert t["p_val"] == pytest.approx(ref["t_p"], rel=1e-9)


@pytest.mark.r
@pytest.mark.parametrize("case", list(CASES))
def test_signed_rank_matches_r_wilcox_test(r_ref, case):
    # Reference: R wilcox.test(after, before, paired = TRUE, correct = TRUE) with exact = TRUE
    # where there are no ties or zeros, exact = FALSE otherwise. V exactly, p to relative 1e-9.
    ref, w = r_ref[case], row(run(case), "Wilcoxon signed-rank")
    expected = "(exact)" if CASES[case]["wilcox_exact"][0] else "(normal approximation, continuity correction)"
    assert w["method"].endswith(expected)
    assert w["statistic"] == ref["wilcox_V"]
    assert w["p_val"] == pytest.approx(ref["wilcox_p"], rel=1e-9)
    assert w["estimate"] == ref["median_change"]
    if "rank_biserial" in ref:  # effectsize's paired rank-biserial (no zero changes) and its CI (Fisher z)
        assert w["rank_biserial"] == pytest.approx(ref["rank_biserial"], rel=1e-9)
        if abs(w["rank_biserial"]) < 1:
            assert [w["rank_biserial_ci_low"], w["rank_biserial_ci_high"]] == pytest.approx(
                [ref["rank_biserial_ci_1"], ref["rank_biserial_ci_2"]], rel=1e-9)
        else:
            assert math.isnan(w["rank_biserial_ci_low"]) and "complete separation" in w["note"]


@pytest.mark.r
@pytest.mark.parametrize("case", list(CASES))
def test_signed_rank_p_is_r_default_choice(r_ref, case):
    # Reference: R wilcox.test(after, before, paired = TRUE) with R's defaults (exact = NULL: exact only for fewer
    # than 50 non-zero changes without ties or zeros; correct = TRUE). Our method name must say the same choice
    # R made, and p must equal R's to relative 1e-9 (n = 3 with ties, n_nonzero = 1, n = 55 without ties included).
    ref, w = r_ref[case], row(run(case), "Wilcoxon signed-rank")
    assert w["method"].endswith("(exact)") == bool(ref["wilcox_default_exact"])
    assert w["p_val"] == pytest.approx(ref["wilcox_default_p"], rel=1e-9)


@pytest.mark.r
@pytest.mark.parametrize("case", list(CASES))
def test_signed_rank_test_alone_matches_r_wilcox_test(r_ref, case):
    # The same references as above (R wilcox.test, effectsize), for the one-row tidy table of the changes alone.
    ref = r_ref[case]
    changes = np.asarray(CASES[case]["after"], dtype=float) - np.asarray(CASES[case]["before"], dtype=float)
    res = signed_rank_test(changes)
    assert len(res) == 1
    assert list(res.columns)[:2] == ["method", "n_nonzero"] and list(res.columns)[-1] == "note"
    w = res.iloc[0]
    assert w["statistic"] == ref["wilcox_V"]
    assert w["p_val"] == pytest.approx(ref["wilcox_p"], rel=1e-9)
    assert w["estimate"] == ref["median_change"]
    if "rank_biserial" in ref:
        assert w["rank_biserial"] == pytest.approx(ref["rank_biserial"], rel=1e-9)


def test_signed_rank_is_a_deprecated_alias_returning_the_old_dict():
    # two_pairs: changes -3, -1, no ties: V = 0, exact p = 2 * P(V <= 0) = 2 * 1/4 = 0.5 (hand-worked)
    with pytest.warns(CMResearchDeprecationWarning, match="signed_rank_test"):
        old = signed_rank(np.array([-3.0, -1.0]))
    assert isinstance(old, dict)
    assert (old["statistic"], old["p_val"]) == (0.0, pytest.approx(0.5, abs=1e-12))
    new = signed_rank_test([-3, -1]).iloc[0]
    same = [key for key in old if key != "p_val" and not (pd.isna(old[key]) and pd.isna(new[key]))]
    assert {key: new[key] for key in same} == {key: old[key] for key in same}


def test_signed_rank_notes_ties_and_zeros():
    w = row(run("sdq_ties_zeros"), "Wilcoxon signed-rank")
    assert w["n_nonzero"] == 8
    assert "2 zero change(s) dropped" in w["note"]
    assert "ties and zero changes" in w["note"]


@pytest.mark.r
@pytest.mark.parametrize("case", ["sdq_no_ties", "sdq_ties_zeros", "attendance", "two_pairs"])
def test_d_z_matches_effectsize(r_ref, case):
    # Reference: effectsize::cohens_d(after, before, paired = TRUE): d_z with noncentral-t CI.
    # Point: relative 1e-9. CI: effectsize finds the noncentrality limits with optim
    # (Nelder-Mead, abstol 1e-9 on the tail probabilities), we with brentq to 1e-12; R's
    # optimiser limits agreement to about 1e-6 here, so the tolerance is absolute 1e-5.
    ref, t = r_ref[case], row(run(case), "Paired t-test")
    assert t["d_z"] == pytest.approx(ref["d_z"], rel=1e-9)
    assert [t["d_z_ci_low"], t["d_z_ci_high"]] == pytest.approx([ref["d_z_ci_1"], ref["d_z_ci_2"]], abs=1e-5)


# Lakens (2013), "Calculating and reporting effect sizes to facilitate cumulative science", Frontiers in
# Psychology 4:863, Table 1: ten people rate two movies (movie 1 = post, movie 2 = baseline here).
LAKENS_MOVIE_1 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
LAKENS_MOVIE_2 = [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]


def test_lakens_2013_published_paired_example():
    # Published to 2 decimals (tolerance half a unit in the last place): M 8.7 and 7.7, r = 0.726 (3 decimals),
    # t(9) = 4.74, d_z = 1.50. His g_av is not compared: he averages the two SDs arithmetically and corrects with
    # 2(n - 1) df, where we follow Cumming (2012), sqrt((s1² + s2²)/2) and J(n - 1), as the docstring says.
    t = row(paired_change(long_form(LAKENS_MOVIE_2, LAKENS_MOVIE_1), n_boot=200), "Paired t-test")
    assert abs(np.corrcoef(LAKENS_MOVIE_1, LAKENS_MOVIE_2)[0, 1] - 0.726) < 5e-4
    assert t["estimate"] == pytest.approx(8.7 - 7.7, abs=1e-12)
    assert t["dof"] == 9 and abs(t["statistic"] - 4.74) < 0.005 and abs(t["d_z"] - 1.50) < 0.005


def test_d_z_ci_for_a_huge_effect_solves_the_noncentral_t_equations():
    # Everyone improved by 5 points give or take 0.1: t = 205 on 7 df, λ limits near 100 and 310, beyond the
    # ncp (about 37.62) up to which R documents pt(ncp =) as accurate, so effectsize (31.95, 107.96) is not the
    # judge here. Reference: the definition of the noncentral t CDF, integrated numerically here,
    # P(T <= t | λ) = ∫ Φ(t sqrt(u/ν) - λ) f_χ²(ν)(u) du, which must be 0.975 at the lower limit and 0.025 at the
    # upper (absolute 1e-9), independently of the scipy.stats.nct routine the code uses.
    from scipy import integrate, stats
    before = [10, 12, 15, 11, 14, 13, 16, 9]
    after = [b + 5 + e for b, e in zip(before, [0.1, -0.1, 0.05, 0, 0.02, -0.03, 0.08, -0.06])]
    t = row(paired_change(long_form(before, after), n_boot=200), "Paired t-test")
    nu, n = 7, 8

    def cdf(lam: float) -> float:
        integrand = lambda u: stats.norm.cdf(t["statistic"] * math.sqrt(u / nu) - lam) * stats.chi2.pdf(u, nu)  # noqa: E731
        peak = nu * (lam / t["statistic"]) ** 2
        return integrate.quad(integrand, 0, 200, points=[peak], limit=500, epsabs=1e-14, epsrel=1e-12)[0]

    assert t["statistic"] == pytest.approx(205.1951, abs=1e-4)
    assert cdf(t["d_z_ci_low"] * math.sqrt(n)) == pytest.approx(0.975, abs=1e-9)
    assert cdf(t["d_z_ci_high"] * math.sqrt(n)) == pytest.approx(0.025, abs=1e-9)
    assert t["d_z_ci_low"] > 35 and t["d_z_ci_high"] > 109  # effectsize's (31.95, 107.96) fails the equations


@pytest.mark.r
@pytest.mark.parametrize("case", ["sdq_no_ties", "sdq_ties_zeros", "attendance"])
def test_hedges_g_av_and_ci(r_ref, case):
    # Reference, computed in R: g_av = J m / s_av with J(n-1) taken from effectsize (ratio of its
    # paired g to its paired d), s_av = sqrt((var(before) + var(after)) / 2); CI = effectsize's
    # d_z limits x J sd(change) / s_av (Algina & Keselman 2003). Point: relative 1e-9;
    # CI: absolute 1e-5, inherited from the d_z limits (see above).
    ref, t = r_ref[case], row(run(case), "Paired t-test")
    assert t["hedges_g_av"] == pytest.approx(ref["g_av"], rel=1e-9)
    assert [t["hedges_g_av_ci_low"], t["hedges_g_av_ci_high"]] == pytest.approx(
        [ref["g_av_ci_1"], ref["g_av_ci_2"]], abs=1e-5)


def test_g_av_hand_worked():
    # Hand-worked (Lakens 2013 definitions): before 10, 12, 14, 16 (mean 13, SS 20, var 20/3);
    # after 13, 14, 18, 19 (mean 16, SS 26, var 26/3); changes 3, 2, 4, 3, mean 3.
    # s_av = sqrt((20/3 + 26/3) / 2) = sqrt(23/3) = 2.768875; d_av = 3 / 2.768875 = 1.083473;
    # J(3) = Γ(1.5) / (sqrt(1.5) Γ(1)) = 0.886227 / 1.224745 = 0.723601; g_av = 0.784002.
    res = paired_change(long_form([10, 12, 14, 16], [13, 14, 18, 19]))
    assert row(res, "Paired t-test")["hedges_g_av"] == pytest.approx(0.784002, abs=1e-6)


@pytest.mark.r
@pytest.mark.parametrize("case", BOOT_CASES)
@pytest.mark.parametrize("method", ["bca", "percentile"])
def test_bootstrap_matches_r_boot_ci(r_ref, case, method):
    # Reference: R boot::boot.ci(type = "bca" / "perc") on the same resamples (indices from
    # our seeded generator, replicate means recomputed in R) with jackknife influence values
    # from boot::empinf. Same replicates and the same published conventions, so the limits
    # must agree to absolute 1e-9.
    res = row(run(case, bootstrap=method), "Bootstrap")
    key = "boot_bca" if method == "bca" else "boot_perc"
    assert [res["ci_low"], res["ci_high"]] == pytest.approx(
        [r_ref[case][f"{key}_1"], r_ref[case][f"{key}_2"]], abs=1e-9)
    assert res["seed"] == SEED and res["n_boot"] == N_BOOT


def test_bootstrap_is_reproducible_and_seed_matters():
    first = row(run("attendance"), "Bootstrap")
    again = row(run("attendance"), "Bootstrap")
    other = row(paired_change(long_form(CASES["attendance"]["before"], CASES["attendance"]["after"]),
                              seed=SEED + 1, n_boot=N_BOOT), "Bootstrap")
    assert (first["ci_low"], first["ci_high"]) == (again["ci_low"], again["ci_high"])
    assert (first["ci_low"], first["ci_high"]) != (other["ci_low"], other["ci_high"])
    assert other["seed"] == SEED + 1


def test_missing_values_are_counted_and_left_out():
    before = CASES["attendance"]["before"] + [70.0, np.nan]
    after = CASES["attendance"]["after"] + [np.nan, 80.0]
    data = long_form(before, after)
    data = data[~((data["participant_id"] == "p09") & (data["timepoint"] == "post"))]  # p09: no post row
    res = paired_change(data)
    complete = run("attendance")
    assert (res["n_pairs"] == 9).all() and (res["n_dropped"] == 2).all()
    assert res["note"].str.contains("2 participant\\(s\\) without a value at both").all()
    pd.testing.assert_series_equal(res["estimate"], complete["estimate"])
    pd.testing.assert_series_equal(res["p_val"], complete["p_val"])


def test_one_pair_gives_notes_not_a_crash():
    res = paired_change(long_form([20], [17]))
    t = row(res, "Paired t-test")
    assert t["estimate"] == -3 and t["n_pairs"] == 1
    assert math.isnan(t["p_val"]) and math.isnan(t["hedges_g_av"])
    assert "only 1 pair" in t["note"]
    assert row(res, "Wilcoxon")["p_val"] == 1.0  # exact: 2 min(P(V <= 0), P(V >= 0)) = 1 for n = 1
    assert "bootstrap CI not computed" in row(res, "Bootstrap")["note"]


def test_two_pairs_g_av_is_nan_with_reason():
    t = row(run("two_pairs"), "Paired t-test")
    assert math.isnan(t["hedges_g_av"]) and "at least 3 pairs" in t["note"]
    assert t["dof"] == 1 and np.isfinite(t["p_val"])


def test_identical_change_for_everyone():
    # Everyone improves by exactly 2: the SD of change is 0, so t, d_z and their CIs are
    # undefined (R's t.test stops with "data are essentially constant"); g_av still exists.
    res = paired_change(long_form([10, 14, 20, 25], [12, 16, 22, 27]))
    t = row(res, "Paired t-test")
    assert t["estimate"] == 2
    assert math.isnan(t["statistic"]) and math.isnan(t["d_z"]) and math.isnan(t["hedges_g_av_ci_low"])
    assert "SD of change is 0" in t["note"]
    assert np.isfinite(t["hedges_g_av"])
    w = row(res, "Wilcoxon")
    assert "ties" in w["note"] and np.isfinite(w["p_val"])


def test_all_values_identical():
    res = paired_change(long_form([15, 15, 15], [15, 15, 15]))
    t, w = row(res, "Paired t-test"), row(res, "Wilcoxon")
    assert t["estimate"] == 0
    assert math.isnan(t["hedges_g_av"]) and "identical at both timepoints" in t["note"]
    assert math.isnan(w["p_val"]) and "every change is zero" in w["note"]
    assert "every resample would give the same value" in row(res, "Bootstrap")["note"]


def test_missing_column_names_the_column_and_lists_columns():
    data = long_form([1, 2], [3, 4]).rename(columns={"value": "sdq_total"})
    with pytest.raises(InsufficientDataError, match=r"no column `value`.*participant_id, timepoint, sdq_total"):
        paired_change(data)


def test_absent_timepoint_is_named():
    with pytest.raises(InsufficientDataError, match=r"timepoint 'follow-up' does not occur.*'baseline', 'post'"):
        paired_change(long_form([1, 2], [3, 4]), post="follow-up")


def test_no_complete_pair():
    data = long_form([10, np.nan], [np.nan, 12])
    with pytest.raises(InsufficientDataError, match="no participant has a value"):
        paired_change(data)


def test_duplicate_rows_are_refused():
    data = pd.concat([long_form([10, 11], [12, 13]), long_form([9], [9], ids=["p00"])])
    with pytest.raises(ValueError, match="p00 have more than one row"):
        paired_change(data)


def test_non_numeric_value_is_reported():
    data = long_form([10, 11], [12, 13]).astype({"value": object})
    data.loc[1, "value"] = "eleven"
    with pytest.raises(ValueError, match="`value` must hold numbers.*'eleven'"):
        paired_change(data)
