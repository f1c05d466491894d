"""compare_groups and ancova against R (t.test, wilcox.test, effectsize, lm) and edge cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cm_research.stats import InsufficientDataError, ancova, compare_groups

CASES = {
    # attendance %, no ties: exact Mann-Whitney p
    "attendance": {
        "treated": [91.2, 86.5, 94.0, 78.3, 88.9, 95.6, 83.1, 90.4, 87.7],
        "control": [84.0, 79.5, 88.2, 72.6, 81.9, 90.3, 76.4, 85.5, 69.8, 82.7, 80.1],
        "wilcox_exact": [1],
    },
    # SDQ totals with ties: normal approximation
    "sdq_ties": {
        "treated": [14, 17, 12, 17, 20, 11, 14, 16],
        "control": [18, 21, 15, 22, 17, 19, 14, 23, 18, 20],
        "wilcox_exact": [0],
    },
    # very unequal SDs and sizes: Welch and pooled t differ clearly here
    "unequal_spread": {
        "treated": [60, 95, 72, 99, 55, 88],
        "control": [80, 82, 79, 81, 83, 78, 80, 84, 79, 81, 82, 80, 83, 77],
        "wilcox_exact": [0],
    },
    # edge cases, each judged by R (tests/reference/groups.R, also run with wilcox.test's default `exact`):
    # two per group: Welch with 2 values a side, exact Mann-Whitney p = 1/3
    "two_per_group": {"treated": [12, 15], "control": [9, 10], "wilcox_exact": [1]},
    # three against two, no ties
    "three_vs_two": {"treated": [3.1, 4.7, 5.2], "control": [6.0, 7.4], "wilcox_exact": [1]},
    # one group constant (SD 0): Welch's SE comes from the other group alone; ties, so approximate p
    "one_group_constant": {"treated": [10, 10, 10, 10], "control": [8, 9, 12, 11, 7], "wilcox_exact": [0]},
    # 50 and 52, no ties: exact is not R's default once a group has 50 values
    "fifty_no_ties": {"treated": [round(50 + 0.37 * i, 2) for i in range(50)],
                      "control": [round(45.05 + 0.41 * i, 2) for i in range(52)], "wilcox_exact": [0]},
    # huge values (the attendance case shifted by 1e9): every statistic is shift-free, so must equal R's here
    "huge": {"treated": [1e9 + v for v in [91.2, 86.5, 94.0, 78.3, 88.9, 95.6, 83.1, 90.4, 87.7]],
             "control": [1e9 + v for v in [84.0, 79.5, 88.2, 72.6, 81.9, 90.3, 76.4, 85.5, 69.8, 82.7, 80.1]],
             "wilcox_exact": [1]},
}
ANCOVA = {
    "sdq_ancova": {
        "post_t": [14, 17, 12, 20, 9, 15, 18, 11, 16, 13],
        "base_t": [18, 20, 15, 23, 14, 17, 24, 16, 19, 15],
        "post_c": [18, 21, 15, 22, 17, 19, 12, 23, 16, 20],
        "base_c": [19, 22, 16, 24, 17, 18, 13, 25, 18, 21],
    },
    # edge case: three and two young people, one residual degree of freedom left
    "ancova_three_two": {"post_t": [14, 17, 12], "base_t": [18, 20, 17], "post_c": [18, 21], "base_c": [19, 23]},
}


def two_groups(treated, control, dv="score") -> pd.DataFrame:
    return pd.DataFrame({"group": ["mentored"] * len(treated) + ["comparison"] * len(control),
                         dv: list(treated) + list(control)})


def ancova_frame(case) -> pd.DataFrame:
    c = ANCOVA[case]
    return pd.DataFrame({
        "group": ["mentored"] * len(c["post_t"]) + ["comparison"] * len(c["post_c"]),
        "sdq_post": c["post_t"] + c["post_c"],
        "sdq_baseline": c["base_t"] + c["base_c"],
    })


def row(result: pd.DataFrame, method_start: str) -> pd.Series:
    matches = result[result["method"].str.startswith(method_start)]
    assert len(matches) == 1, result["method"].tolist()
    return matches.iloc[0]


@pytest.fixture(scope="module")
def r_ref(r_reference):
    return r_reference("groups.R", {**CASES, **ANCOVA})


@pytest.mark.r
@pytest.mark.parametrize("case", list(CASES))
def test_welch_matches_r_t_test(r_ref, case):
    # Reference: R t.test(treated, control) (Welch by default). Relative tolerance 1e-9.
    ref = r_ref[case]
    t = row(compare_groups(two_groups(CASES[case]["treated"], CASES[case]["control"]), "score"), "Welch")
    assert t["estimate"] == pytest.approx(ref["t_estimate"], rel=1e-9)
    assert t["se"] == pytest.approx(ref["t_se"], rel=1e-9)  # t.test()$stderr
    assert [t["ci_low"], t["ci_high"]] == pytest.approx([ref["t_ci_1"], ref["t_ci_2"]], rel=1e-9)
    assert t["statistic"] == pytest.approx(ref["t_statistic"], rel=1e-9)
    assert t["dof"] == pytest.approx(ref["t_df"], rel=1e-9)
    assert t["p_val"] == pytest.approx(ref["t_p"], rel=1e-9)


@pytest.mark.r
@pytest.mark.parametrize("case", list(CASES))
def test_hedges_g_matches_effectsize(r_ref, case):
    # Reference: effectsize::hedges_g(treated, control): pooled SD, exact J, noncentral-t CI.
    # Point: relative 1e-9. CI: absolute 1e-5 (effectsize solves for the noncentrality with
    # optim to about 1e-6; we use brentq to 1e-12).
    ref = r_ref[case]
    t = row(compare_groups(two_groups(CASES[case]["treated"], CASES[case]["control"]), "score"), "Welch")
    assert t["hedges_g"] == pytest.approx(ref["hedges_g"], rel=1e-9)
    assert [t["hedges_g_ci_low"], t["hedges_g_ci_high"]] == pytest.approx(
        [ref["hedges_g_ci_1"], ref["hedges_g_ci_2"]], abs=1e-5)


@pytest.mark.r
@pytest.mark.parametrize("case", list(CASES))
def test_mann_whitney_p_is_r_default_choice(r_ref, case):
    # Reference: R wilcox.test(treated, control) with R's defaults (exact = NULL: exact only when both groups have
    # fewer than 50 values and there are no ties; correct = TRUE): p to relative 1e-9, including 2 per group, a
    # constant group and 50 v 52 without ties (where R's default is the normal approximation).
    u = row(compare_groups(two_groups(CASES[case]["treated"], CASES[case]["control"]), "score"), "Mann-Whitney")
    assert u["p_val"] == pytest.approx(r_ref[case]["wilcox_default_p"], rel=1e-9)


@pytest.mark.r
@pytest.mark.parametrize("case", list(CASES))
def test_mann_whitney_matches_r_wilcox_test(r_ref, case):
    # Reference: R wilcox.test(treated, control, correct = TRUE), exact = TRUE without ties,
    # FALSE with ties; effectsize::rank_biserial. W exactly; p and r to relative 1e-9.
    ref = r_ref[case]
    u = row(compare_groups(two_groups(CASES[case]["treated"], CASES[case]["control"]), "score"), "Mann-Whitney")
    assert u["method"].endswith("(exact)" if CASES[case]["wilcox_exact"][0] else "continuity correction)")
    assert u["statistic"] == ref["wilcox_W"]
    assert math.isnan(u["se"])  # a difference in medians has no standard error here
    assert u["p_val"] == pytest.approx(ref["wilcox_p"], rel=1e-9)
    assert u["rank_biserial"] == pytest.approx(ref["rank_biserial"], rel=1e-9)
    # its CI: effectsize::rank_biserial(ci = 0.95) (Fisher z), to 1e-9; none (with a note) where r = ±1
    if abs(u["rank_biserial"]) < 1:
        assert [u["rank_biserial_ci_low"], u["rank_biserial_ci_high"]] == pytest.approx(
            [ref["rank_biserial_ci_1"], ref["rank_biserial_ci_2"]], rel=1e-9)
    else:
        assert math.isnan(u["rank_biserial_ci_low"]) and "complete separation" in u["note"]


def test_lakens_2013_published_two_group_example():
    # Lakens (2013), Frontiers in Psychology 4:863: the same ratings as two independent groups of 10 give
    # t(18) = 2.52 (equal n, so Welch's t equals Student's; only the df differ) and Hedges' g_s = 1.08
    # (d_s = 1.13), published to 2 decimals: tolerance half a unit in the last place.
    movie_1, movie_2 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9], [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]
    t = row(compare_groups(two_groups(movie_1, movie_2), "score"), "Welch")
    assert abs(t["statistic"] - 2.52) < 0.005 and abs(t["hedges_g"] - 1.08) < 0.005


def test_welch_is_not_the_pooled_t():
    # Guard against pingouin's correction='auto' trap: with unequal spread the pooled-variance
    # t has 18 df; Welch's has far fewer. Hand: s1²/n1 = 343.77/6 = 57.294, s2²/n2 = 4.0934/14
    # = 0.29239; df = (57.294 + 0.292)² / (57.294²/5 + 0.292²/13) = 5.0511.
    c = CASES["unequal_spread"]
    t = row(compare_groups(two_groups(c["treated"], c["control"]), "score"), "Welch")
    assert t["dof"] == pytest.approx(5.0511, abs=1e-4)
    assert t["se"] == pytest.approx(math.sqrt(57.294 + 0.29239), abs=1e-3)  # sqrt(s1²/n1 + s2²/n2) = 7.5886


@pytest.mark.r
@pytest.mark.parametrize("case", list(ANCOVA))
def test_ancova_matches_r_lm(r_ref, case):
    # Reference: R lm(post ~ treat + baseline) with treat = 1 for mentored: coefficient,
    # confint, t, p, residual df, baseline slope; relative 1e-9. g_adj: WWC formula
    # (1 - 3/(4N - 9)) b / s_p evaluated in R with effectsize::sd_pooled; relative 1e-9.
    ref = r_ref[case]
    a = ancova(ancova_frame(case), "sdq_post", "group", "sdq_baseline").iloc[0]
    assert a["estimate"] == pytest.approx(ref["coef"], rel=1e-9)
    assert a["se"] == pytest.approx(ref["se"], rel=1e-9)  # summary(lm)$coefficients["treat", "Std. Error"]
    assert [a["ci_low"], a["ci_high"]] == pytest.approx([ref["ci_1"], ref["ci_2"]], rel=1e-9)
    assert a["statistic"] == pytest.approx(ref["t"], rel=1e-9)
    assert a["p_val"] == pytest.approx(ref["p"], rel=1e-9)
    assert a["dof"] == ref["df"]
    assert a["slope"] == pytest.approx(ref["slope"], rel=1e-9)
    assert a["sd_pooled"] == pytest.approx(ref["sd_pooled"], rel=1e-9)
    assert a["hedges_g_adj"] == pytest.approx(ref["g_adj"], rel=1e-9)


@pytest.mark.r
def test_ancova_far_from_zero_matches_r_lm_on_the_same_data_unshifted(r_ref):
    # Outcome and covariate shifted by 1e9: the adjusted difference cannot change. R's lm on the shifted data
    # drops the covariate as collinear with the intercept (QR tolerance 1e-7) and prints the unadjusted
    # difference; the old code called the covariate constant and gave NaN. R on the unshifted data is the
    # judge; 1e-6 relative (the shifted values carry ~1e-7 of rounding from float64's 16 digits).
    ref = r_ref["sdq_ancova"]
    data = ancova_frame("sdq_ancova")
    data[["sdq_post", "sdq_baseline"]] = data[["sdq_post", "sdq_baseline"]].astype(float) + 1e9
    a = ancova(data, "sdq_post", "group", "sdq_baseline").iloc[0]
    assert [a["estimate"], a["se"], a["slope"], a["p_val"]] == pytest.approx(
        [ref["coef"], ref["se"], ref["slope"], ref["p"]], rel=1e-6)


def test_ancova_group_labels_do_not_depend_on_row_order():
    data = ancova_frame("sdq_ancova")
    forward = ancova(data, "sdq_post", "group", "sdq_baseline")
    backward = ancova(data.iloc[::-1], "sdq_post", "group", "sdq_baseline")
    assert forward.loc[0, "estimate"] == pytest.approx(backward.loc[0, "estimate"], rel=1e-12)
    swapped = ancova(data, "sdq_post", "group", "sdq_baseline", treated="comparison", control="mentored")
    assert swapped.loc[0, "estimate"] == pytest.approx(-forward.loc[0, "estimate"], rel=1e-12)


def test_ancova_missing_values_counted():
    data = ancova_frame("sdq_ancova")
    data.loc[0, "sdq_baseline"] = np.nan
    data.loc[15, "sdq_post"] = np.nan
    a = ancova(data, "sdq_post", "group", "sdq_baseline").iloc[0]
    assert (a["n_treated"], a["n_control"], a["n_dropped"]) == (9, 9, 2)
    assert "2 row(s) dropped for missing `sdq_post` or `sdq_baseline`" in a["note"]


def test_ancova_constant_covariate_gives_note():
    data = ancova_frame("sdq_ancova").assign(sdq_baseline=20)
    a = ancova(data, "sdq_post", "group", "sdq_baseline").iloc[0]
    assert math.isnan(a["estimate"]) and "does not vary" in a["note"]


def test_ancova_too_few_rows():
    data = ancova_frame("sdq_ancova").iloc[[0, 1, 10]]
    with pytest.raises(InsufficientDataError, match="at least 4 participants"):
        ancova(data, "sdq_post", "group", "sdq_baseline")


def test_missing_values_and_other_groups_are_reported():
    c = CASES["attendance"]
    data = two_groups(c["treated"], c["control"])
    extra = pd.DataFrame({"group": ["mentored", "withdrawn", "withdrawn"], "score": [np.nan, 50.0, 60.0]})
    res = compare_groups(pd.concat([data, extra], ignore_index=True), "score")
    clean = compare_groups(data, "score")
    assert (res["n_dropped"] == 1).all() and (res["n_treated"] == 9).all()
    assert res["note"].str.contains("2 row\\(s\\) in other groups \\('withdrawn'\\) not used").all()
    assert res["note"].str.contains("1 row\\(s\\) dropped for missing `score`").all()
    pd.testing.assert_series_equal(res["p_val"], clean["p_val"])


def test_group_of_one():
    res = compare_groups(two_groups([16], [18, 21, 15, 22]), "score")
    t = row(res, "Welch")
    assert math.isnan(t["p_val"]) and "at least 2 values in each group" in t["note"]
    assert np.isfinite(t["hedges_g"])  # the pooled SD exists (3 df from the comparison group)
    # Exact Mann-Whitney p for n = 1 vs 4 with U = 1: P(U <= 1) = 2/5, two-sided 0.8 (hand).
    u = row(res, "Mann-Whitney")
    assert u["statistic"] == 1.0 and u["p_val"] == pytest.approx(0.8, abs=1e-12)


def test_constant_groups_give_reasons():
    res = compare_groups(two_groups([15, 15, 15], [18, 18]), "score")
    t, u = row(res, "Welch"), row(res, "Mann-Whitney")
    assert t["estimate"] == -3
    assert math.isnan(t["statistic"]) and "SD 0 in both groups" in t["note"]
    assert math.isnan(t["hedges_g"]) and "pooled SD is 0" in t["note"]
    assert u["rank_biserial"] == -1.0 and np.isfinite(u["p_val"])


def test_all_values_identical_mann_whitney():
    u = row(compare_groups(two_groups([12, 12], [12, 12, 12]), "score"), "Mann-Whitney")
    assert math.isnan(u["p_val"]) and "every value is the same" in u["note"]


def test_empty_group_is_an_error_naming_the_groups():
    with pytest.raises(InsufficientDataError, match=r"group 'comparison' .* Groups present: 'mentored', 'control'"):
        compare_groups(pd.DataFrame({"group": ["mentored", "control"], "score": [1.0, 2.0]}), "score")


def test_missing_column_lists_columns():
    with pytest.raises(InsufficientDataError, match=r"no column `attendance`.*group, score"):
        compare_groups(two_groups([1, 2], [3, 4]), "attendance")


def test_hedges_g_ci_for_a_very_large_comparison_group():
    # scipy's noncentral t CDF returns NaN at 16,000 df with t about -12 (LaLonde's CPS-1 sizes);
    # the normal approximation takes over. Reference: the large-sample SE of g,
    # sqrt((n1 + n2) / (n1 n2) + g^2 / (2 (n1 + n2))) (Hedges & Olkin 1985), worked here by hand.
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(5)
    treated = rng.normal(-0.9, 1.0, 185)
    control = rng.normal(0.0, 1.0, 15992)
    data = pd.DataFrame({"group": ["mentored"] * 185 + ["comparison"] * 15992, "score": np.r_[treated, control]})
    g_row = row(compare_groups(data, "score"), "Welch")
    g = g_row["hedges_g"]
    n1, n2 = 185, 15992
    se = np.sqrt((n1 + n2) / (n1 * n2) + g ** 2 / (2 * (n1 + n2)))
    assert g_row["hedges_g_ci_low"] == pytest.approx(g - 1.959964 * se, abs=2e-3)
    assert g_row["hedges_g_ci_high"] == pytest.approx(g + 1.959964 * se, abs=2e-3)
