"""Inter-coder agreement with standard errors against R and published examples.

* Cohen's kappa, its Fleiss-Cohen-Everitt (1969) variance and CI: R ``psych::cohen.kappa`` (tests/reference/
  agreement.R, one Rscript run for the module), including its edge cases: one label throughout (R: NA), a coder
  who never uses a label, missing labels (R drops the unit), perfect agreement, n = 2, a CI beyond ±1 (R cuts it).
* The z test of kappa = 0: statsmodels' ``cohens_kappa`` (an independent implementation of the same paper).
* PABAK, prevalence and bias indices: Byrt, Bishop & Carlin (1993) formulas worked by hand below.
* Fleiss' kappa: the 10-subject, 14-rater example of the Wikipedia article "Fleiss' kappa" (P̄ = 0.378,
  P̄_e = 0.213, kappa = 0.210), statsmodels' ``fleiss_kappa`` on random labels, and the null SE worked by hand.
* Weighted kappa (linear and quadratic): Cohen's (1968) worked example (kappa 0.492, kappa_w 0.348) and Fleiss,
  Cohen & Everitt's (1969) (kappa_w 0.507); the estimate against ``psych::cohen.kappa(w =, levels =)``; its FCE
  variance against psych where psych's is right (k = 2) and against statsmodels' ``cohens_kappa`` for k >= 3, where
  psych's ``var.weighted`` takes rs_i·sum_j w_ij for sum_i p_i. w_ij (a deliberate difference, see the test).
* Gwet's AC1: hand-worked (estimate and SE) on a 4-unit table; its SE against the jackknife variance of the
  estimate on 3,000 units (an independent, formula-free estimate of the same variance); the kappa paradox table.
(irr and irrCAC, the usual references for kappa2 / kappam.fleiss / gwet.ac1, are not in Debian.)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cm_research.qual.agreement_kappa import fleiss_kappa, gwet_ac1, kappa_two_coders, weighted_kappa
from cm_research.qual.errors import AgreementError

_rng = np.random.default_rng(20261206)
_truth = _rng.integers(0, 3, 40)
CASES = {  # (coder a, coder b), -1 = no label
    "three_labels": (_truth, np.where(_rng.random(40) < 0.7, _truth, _rng.integers(0, 3, 40))),
    "binary": ([1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1],
               [1, 0, 0, 0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1]),
    "never_uses": ([1, 0, 0, 1, 0, 0, 0, 1, 0, 0], [0] * 10),  # coder b never applies the code
    "missing": ([0, 1, 2, -1, 1, 2, 0, 0, 1, 2, 2, -1], [0, 1, 1, 2, -1, 2, 0, 1, 1, 2, 0, 0]),
    "perfect": ([0, 1, 1, 0, 1, 0], [0, 1, 1, 0, 1, 0]),
    "n_two": ([0, 1], [1, 0]),
    "ci_beyond_one": ([0, 0, 1, 1, 1], [0, 0, 1, 1, 0]),
}

# ordinal ratings 1..k for weighted kappa (-1 = no label), with k; "unused_level" declares a level nobody used
_ord = _rng.integers(1, 6, 50)
WEIGHTED = {
    "five_point": (_ord, np.clip(_ord + _rng.choice([-2, -1, 0, 0, 0, 1], 50), 1, 5), 5),
    "unused_level": ([1, 2, 2, 3, 1, 3, 2, 1, 3, 3, -1], [1, 2, 3, 3, 2, 3, 2, 1, 1, 3, 2], 4),
    "two_levels": (np.add(CASES["binary"][0], 1), np.add(CASES["binary"][1], 1), 2),
}


def tidy_labels(a, b) -> pd.DataFrame:
    rows = [(u, c, v) for c, labels in (("a", a), ("b", b)) for u, v in enumerate(labels) if v != -1]
    return pd.DataFrame(rows, columns=["unit", "coder", "value"])


@pytest.fixture(scope="module")
def r_ref(r_reference):
    cases = {k: dict(a=np.asarray(a, float), b=np.asarray(b, float)) for k, (a, b) in CASES.items()}
    cases.update({f"w_{k}": dict(a=np.asarray(a, float), b=np.asarray(b, float), k=[levels])
                  for k, (a, b, levels) in WEIGHTED.items()})
    return r_reference("agreement.R", cases)


@pytest.mark.r
@pytest.mark.parametrize("case", list(CASES))
def test_cohen_kappa_and_its_ci_match_psych(r_ref, case):
    ref = r_ref[case]
    got = kappa_two_coders(tidy_labels(*CASES[case])).iloc[0]
    assert got["n_units"] == ref["n"]
    assert got["estimate"] == pytest.approx(ref["kappa"], abs=1e-12)
    assert got["se"] ** 2 == pytest.approx(ref["var"], abs=1e-13)
    assert [got["ci_low"], got["ci_high"]] == pytest.approx([ref["ci_1"], ref["ci_2"]], abs=1e-12)


def test_edge_cases_say_what_happened():
    missing = kappa_two_coders(tidy_labels(*CASES["missing"])).iloc[0]
    assert missing["n_dropped"] == 3 and "3 unit(s) labelled by only one" in missing["note"]
    beyond = kappa_two_coders(tidy_labels(*CASES["ci_beyond_one"])).iloc[0]
    assert beyond["ci_high"] == 1.0 and "cut there" in beyond["note"]
    perfect = kappa_two_coders(tidy_labels(*CASES["perfect"])).iloc[0]
    assert perfect["estimate"] == 1.0 and perfect["se"] == 0.0 and "a point" in perfect["note"]
    one = kappa_two_coders(tidy_labels([0] * 6, [0] * 6)).iloc[0]  # R: kappa NA ("no variance")
    assert math.isnan(one["estimate"]) and "single label" in one["note"] and one["pct_agreement"] == 100
    never = kappa_two_coders(tidy_labels(*CASES["never_uses"])).iloc[0]
    assert never["estimate"] == pytest.approx(0.0, abs=1e-15)  # p_o = p_e = 0.7: no agreement beyond chance
    with pytest.raises(AgreementError, match="exactly two coders"):
        kappa_two_coders(pd.DataFrame({"unit": [1, 1, 1], "coder": ["a", "b", "c"], "value": [0, 0, 1]}))
    with pytest.raises(AgreementError, match="more than one label"):
        kappa_two_coders(pd.DataFrame({"unit": [1, 1, 1], "coder": ["a", "a", "b"], "value": [0, 1, 1]}))
    short = kappa_two_coders(tidy_labels([1, -1], [1, 0])).iloc[0]
    assert math.isnan(short["estimate"]) and "fewer than two units" in short["note"]


@pytest.mark.parametrize("case", ["three_labels", "binary", "missing"])
def test_z_test_matches_statsmodels(case):
    from statsmodels.stats.inter_rater import cohens_kappa

    a, b = (np.asarray(x) for x in CASES[case])
    keep = (a != -1) & (b != -1)
    labels = sorted(set(a[keep]) | set(b[keep]))
    table = np.array([[np.sum((a[keep] == i) & (b[keep] == j)) for j in labels] for i in labels])
    ref = cohens_kappa(table)
    got = kappa_two_coders(tidy_labels(a, b)).iloc[0]
    assert got["estimate"] == pytest.approx(ref.kappa, rel=1e-12)
    assert got["se"] == pytest.approx(ref.std_kappa, rel=1e-10)
    assert got["statistic"] == pytest.approx(ref.z_value, rel=1e-10)
    assert got["p_val"] == pytest.approx(ref.pvalue_two_sided, rel=1e-9)


def test_pabak_prevalence_and_bias_by_hand():
    # "binary": a = both 1 = 8, d = both 0 = 13, b (a=1, b=0) = 2, c (a=0, b=1) = 2; n = 25
    # p_o = 21/25 = 0.84; PABAK = 2 p_o - 1 = 0.68; prevalence |8 - 13| / 25 = 0.2; bias |2 - 2| / 25 = 0
    got = kappa_two_coders(tidy_labels(*CASES["binary"])).iloc[0]
    assert got["pct_agreement"] == pytest.approx(84.0, abs=1e-12)
    assert got["pabak"] == pytest.approx(0.68, abs=1e-12)
    assert got["prevalence_index"] == pytest.approx(0.2, abs=1e-12)
    assert got["bias_index"] == pytest.approx(0.0, abs=1e-12)
    # a code neither coder used, with its two possible labels declared: p_o = 1, PABAK = 1, kappa undefined
    unused = kappa_two_coders(tidy_labels([0] * 5, [0] * 5), categories=[0, 1]).iloc[0]
    assert unused["pabak"] == 1.0 and unused["prevalence_index"] == 1.0 and math.isnan(unused["estimate"])
    # three labels: PABAK = (3 p_o - 1) / 2; "missing" keeps 9 units, 6 agreements -> (2 - 1) / 2 = 0.5
    three = kappa_two_coders(tidy_labels(*CASES["missing"])).iloc[0]
    assert three["pabak"] == pytest.approx(0.5, abs=1e-12) and math.isnan(three["bias_index"])


WIKIPEDIA_FLEISS = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
                    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]


def from_counts(counts) -> pd.DataFrame:
    """Tidy labels from a units x categories table of counts (coders numbered within each unit)."""
    rows = []
    for u, row in enumerate(counts):
        labels = [j for j, n in enumerate(row) for _ in range(n)]
        rows += [(u, f"c{i}", label) for i, label in enumerate(labels)]
    return pd.DataFrame(rows, columns=["unit", "coder", "value"])


def test_fleiss_kappa_published_example():
    got = fleiss_kappa(from_counts(WIKIPEDIA_FLEISS)).iloc[0]
    assert (got["n_units"], got["n_coders"], got["n_categories"]) == (10, 14, 5)
    assert round(got["estimate"], 3) == 0.210
    # P̄ = 0.378 and P̄_e = 0.213 as printed: kappa = (0.378 - 0.213) / (1 - 0.213) to their rounding
    assert got["estimate"] == pytest.approx((0.378 - 0.213) / (1 - 0.213), abs=2e-3)


@pytest.mark.parametrize("seed", [1, 2])
def test_fleiss_kappa_matches_statsmodels_on_random_labels(seed):
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

    rng = np.random.default_rng(seed)
    counts = np.array([np.bincount(rng.choice(4, 5, p=[0.4, 0.3, 0.2, 0.1]), minlength=4) for _ in range(30)])
    got = fleiss_kappa(from_counts(counts)).iloc[0]
    assert got["estimate"] == pytest.approx(sm_fleiss(counts, method="fleiss"), rel=1e-12)


def test_fleiss_null_se_by_hand_and_edge_cases():
    # units (x, x, x), (x, y, y), (y, y, y): P_i = 1, 1/3, 1 -> P̄ = 7/9; p = (4/9, 5/9) -> P̄_e = 41/81;
    # kappa = (7/9 - 41/81) / (40/81) = 22/40 = 0.55. With two labels sum p q (q - p) = 0, so
    # se_0 = sqrt(2) / sqrt(N m (m - 1)) = sqrt(2 / 18) = 1/3 and z = 0.55 × 3 = 1.65.
    data = from_counts([[3, 0], [1, 2], [0, 3]])
    got = fleiss_kappa(data).iloc[0]
    assert got["estimate"] == pytest.approx(0.55, abs=1e-12)
    assert got["se"] == pytest.approx(1 / 3, abs=1e-12) and got["statistic"] == pytest.approx(1.65, abs=1e-12)
    assert got["p_val"] == pytest.approx(2 * (1 - 0.95053), abs=1e-5)  # Φ(1.65) = 0.95053 (normal table)
    # a unit one coder left unlabelled is left out and counted
    short = pd.concat([data, pd.DataFrame({"unit": [9, 9], "coder": ["c0", "c1"], "value": [0, 1]})])
    res = fleiss_kappa(short).iloc[0]
    assert res["n_dropped"] == 1 and res["estimate"] == pytest.approx(0.55) and "left out" in res["note"]
    one = fleiss_kappa(from_counts([[3], [3]])).iloc[0]
    assert math.isnan(one["estimate"]) and "single label" in one["note"]
    with pytest.raises(AgreementError, match="at least two coders"):
        fleiss_kappa(pd.DataFrame({"unit": [1, 2], "coder": ["a", "a"], "value": [0, 1]}))


def test_per_code_table_has_pabak_prevalence_and_bias_by_hand():
    from cm_research.qual.agreement import _pair_stats

    # a rarely used code: both 2, a only 1, b only 3, neither 34 (n = 40)
    a = np.array([1] * 2 + [1] * 1 + [0] * 3 + [0] * 34, dtype=bool)
    b = np.array([1] * 2 + [0] * 1 + [1] * 3 + [0] * 34, dtype=bool)
    got = _pair_stats(a, b)
    # p_o = 36/40 = 0.9 -> PABAK 0.8; prevalence |2 - 34| / 40 = 0.8; bias |1 - 3| / 40 = 0.05
    assert got["pabak"] == pytest.approx(0.8, abs=1e-12)
    assert got["prevalence_index"] == pytest.approx(0.8, abs=1e-12)
    assert got["bias_index"] == pytest.approx(0.05, abs=1e-12)
    # kappa by hand: p_e = (3/40)(5/40) + (37/40)(35/40) = 1310/1600; (0.9 - 0.81875) / 0.18125 = 0.448276
    assert got["kappa"] == pytest.approx((0.9 - 1310 / 1600) / (1 - 1310 / 1600), abs=1e-12)
    same = kappa_two_coders(tidy_labels(a.astype(int), b.astype(int))).iloc[0]
    assert (same["pabak"], same["prevalence_index"], same["bias_index"]) == pytest.approx(
        (got["pabak"], got["prevalence_index"], got["bias_index"]), abs=1e-12)


def from_table(table, labels=None) -> pd.DataFrame:
    """Tidy labels from a k x k table of counts (first coder by row, second by column)."""
    labels = labels or list(range(len(table)))
    pairs = [(labels[i], labels[j]) for i, row in enumerate(table) for j, n in enumerate(row) for _ in range(n)]
    return tidy_labels([a for a, _ in pairs], [b for _, b in pairs])


# Cohen (1968): proportions of 200 units; disagreement weights v (0 on the diagonal)
COHEN_1968 = [[88, 14, 18], [10, 40, 10], [2, 6, 12]]
COHEN_V = np.array([[0, 1, 3], [1, 0, 6], [3, 6, 0]])


def test_weighted_kappa_published_examples():
    data = from_table(COHEN_1968)
    assert round(kappa_two_coders(data).loc[0, "estimate"], 3) == 0.492  # Cohen (1968): kappa = .492
    got = weighted_kappa(data, weights=1 - COHEN_V / 6).iloc[0]
    # by hand: sum v p_o = (14 + 10 + 3·20 + 6·16) / 200 = 180/200; chance sum v p_i. p_.j = 0.552;
    # kappa_w = 1 - 0.9 / 1.38 = 8/23 = 0.3478 (Cohen reports .348)
    assert got["estimate"] == pytest.approx(8 / 23, abs=1e-12) and round(got["estimate"], 3) == 0.348
    # any rescaling of the disagreement weights gives the same kappa_w and the same SE (psych's SE changes)
    other = weighted_kappa(data, weights=1 - COHEN_V / 9).iloc[0]
    assert (other["estimate"], other["se"]) == pytest.approx((got["estimate"], got["se"]), rel=1e-12)
    # Fleiss, Cohen & Everitt (1969): similarity weights 4/9 and 2/3; they report kappa_w = .507
    fce = weighted_kappa(from_table([[106, 10, 4], [22, 28, 10], [2, 12, 6]]),
                         weights=[[1, 0, 4 / 9], [0, 1, 2 / 3], [4 / 9, 2 / 3, 1]]).iloc[0]
    assert round(fce["estimate"], 3) == 0.507


@pytest.mark.r
@pytest.mark.parametrize("case", list(WEIGHTED))
@pytest.mark.parametrize("weights", ["linear", "quadratic"])
def test_weighted_kappa_matches_psych(r_ref, case, weights):
    ref = r_ref[f"w_{case}"]
    a, b, k = WEIGHTED[case]
    got = weighted_kappa(tidy_labels(a, b), weights=weights, categories=list(range(1, k + 1))).iloc[0]
    assert got["n_categories"] == k
    assert got["estimate"] == pytest.approx(ref[f"{weights}_kappa"], abs=1e-12)
    if k == 2:  # with two levels both weightings are the identity, where psych's var.weighted is right
        assert got["se"] ** 2 == pytest.approx(ref[f"{weights}_var"], abs=1e-13)
        assert got["se"] ** 2 == pytest.approx(ref["var"], abs=1e-13)  # and equals unweighted kappa's variance
    else:  # psych's var.weighted uses rs_i·sum_j w_ij where FCE (1969) has sum_i p_i. w_ij: it differs
        assert abs(got["se"] ** 2 - ref[f"{weights}_var"]) > 1e-6


@pytest.mark.parametrize("case", list(WEIGHTED))
@pytest.mark.parametrize("weights", ["linear", "quadratic"])
def test_weighted_kappa_se_and_z_match_statsmodels(case, weights):
    from statsmodels.stats.inter_rater import cohens_kappa

    a, b, k = (np.asarray(x) for x in WEIGHTED[case])
    keep = (a != -1) & (b != -1)
    table = np.array([[np.sum((a[keep] == i) & (b[keep] == j)) for j in range(1, k + 1)] for i in range(1, k + 1)])
    ref = cohens_kappa(table, wt=weights)
    got = weighted_kappa(tidy_labels(a, b), weights=weights, categories=list(range(1, k + 1))).iloc[0]
    assert got["estimate"] == pytest.approx(ref.kappa, rel=1e-12)
    assert got["se"] == pytest.approx(ref.std_kappa, rel=1e-10)
    assert got["statistic"] == pytest.approx(ref.z_value, rel=1e-10)
    half = 1.959963984540054 * ref.std_kappa  # the CI is cut at ±1, as psych does
    assert [got["ci_low"], got["ci_high"]] == pytest.approx(
        [max(ref.kappa - half, -1), min(ref.kappa + half, 1)], rel=1e-10)


def test_weighted_kappa_edge_cases_say_what_happened():
    # numeric labels are put in numeric order (10 after 9, not after 1)
    numeric = weighted_kappa(tidy_labels([1, 9, 10, 10], [1, 10, 10, 9])).iloc[0]
    ordered = weighted_kappa(tidy_labels([1, 9, 10, 10], [1, 10, 10, 9]), categories=[1, 9, 10]).iloc[0]
    assert numeric["estimate"] == pytest.approx(ordered["estimate"], abs=1e-15)
    with pytest.raises(AgreementError, match="categories in order"):
        weighted_kappa(tidy_labels(["low", "high"], ["low", "low"]))
    with pytest.raises(AgreementError, match="1 on the diagonal"):
        weighted_kappa(from_table(COHEN_1968), weights=COHEN_V)  # disagreement weights, not agreement
    with pytest.raises(AgreementError, match="'linear', 'quadratic'"):
        weighted_kappa(from_table(COHEN_1968), weights="squared")
    one = weighted_kappa(tidy_labels([2] * 5, [2] * 5)).iloc[0]  # R: kappa NA
    assert math.isnan(one["estimate"]) and "undefined" in one["note"]
    perfect = weighted_kappa(tidy_labels([1, 2, 3, 3], [1, 2, 3, 3])).iloc[0]
    assert perfect["estimate"] == 1.0 and perfect["se"] == 0.0 and "a point" in perfect["note"]
    # k = 3, linear weights, by hand: table rows (1,0,0), (0,0,1), (0,1,1) of 4 units -> p_o(w) = (1 + 0.5·2 + 1)/4
    # = 0.75; margins rows (1, 1, 2)/4, cols (1, 1, 2)/4; p_e(w) = 0.5625... see the docstring example: 0.4286
    example = weighted_kappa(tidy_labels([1, 2, 3, 3], [1, 3, 3, 2]), weights="linear").iloc[0]
    p_e = sum((1 - abs(i - j) / 2) * r * c for i, r in enumerate([.25, .25, .5]) for j, c in enumerate([.25, .25, .5]))
    assert p_e == pytest.approx(0.5625) and example["estimate"] == pytest.approx((0.75 - p_e) / (1 - p_e), abs=1e-12)


def test_gwet_ac1_by_hand():
    # a: x, x, y, y; b: x, y, y, y -> p_o = 0.75; pi = ((0.5 + 0.25) / 2, (0.5 + 0.75) / 2) = (0.375, 0.625);
    # p_e = 2 · 0.375 · 0.625 = 0.46875 (q - 1 = 1); AC1 = 0.28125 / 0.53125 = 0.529412
    got = gwet_ac1(tidy_labels(["x", "x", "y", "y"], ["x", "y", "y", "y"])).iloc[0]
    assert got["estimate"] == pytest.approx(0.28125 / 0.53125, abs=1e-12)
    # var = [0.1875 - 4 (1 - AC1)(0.34375 - 0.3515625) + 4 (1 - AC1)² (0.23046875 - 0.46875²)] / (4 · 0.53125²)
    ac1 = 0.28125 / 0.53125
    var = (0.1875 - 4 * (1 - ac1) * (0.34375 - 0.3515625) + 4 * (1 - ac1) ** 2 * (0.23046875 - 0.46875 ** 2)) / (
        4 * 0.53125 ** 2)
    assert got["se"] == pytest.approx(math.sqrt(var), abs=1e-12) and round(got["se"], 4) == 0.4331
    assert got["brennan_prediger"] == pytest.approx(0.5) and got["ci_high"] == 1.0 and "cut" in got["note"]


def test_gwet_ac1_se_agrees_with_the_jackknife():
    # 3,000 units from a 3 x 3 joint distribution; leaving one unit out changes the table in one of 9 cells, so
    # the jackknife variance (n - 1)/n sum (AC1_(i) - mean)² needs 9 fits. Agreement within 3% (both estimate
    # the same large-sample variance; they differ at order 1/n).
    joint = np.array([[0.30, 0.06, 0.02], [0.05, 0.25, 0.05], [0.01, 0.06, 0.20]])
    table = np.random.default_rng(5).multinomial(3000, joint.ravel()).reshape(3, 3)
    n = table.sum()
    full = gwet_ac1(from_table(table.tolist())).iloc[0]
    loo, weights = [], []
    for i in range(3):
        for j in range(3):
            if table[i, j]:
                less = table.copy()
                less[i, j] -= 1
                loo.append(gwet_ac1(from_table(less.tolist())).iloc[0]["estimate"])
                weights.append(table[i, j])
    loo, weights = np.array(loo), np.array(weights)
    mean = np.sum(weights * loo) / n
    jackknife = (n - 1) / n * np.sum(weights * (loo - mean) ** 2)
    assert full["se"] ** 2 == pytest.approx(jackknife, rel=0.03)


def test_gwet_ac1_stays_near_agreement_where_kappa_collapses():
    # the kappa paradox: of 100 segments both coders left 94 uncoded, each coded 3 the other did not, and they
    # never coded the same one: 94% agreement, kappa below 0
    table = [[94, 3], [3, 0]]
    kappa = kappa_two_coders(from_table(table)).iloc[0]
    ac1 = gwet_ac1(from_table(table)).iloc[0]
    assert kappa["pct_agreement"] == 94.0 and kappa["estimate"] < 0  # p_o 0.94 < p_e 0.9418
    # pi = (0.97, 0.03): p_e = 2 · 0.97 · 0.03 = 0.0582; AC1 = (0.94 - 0.0582) / 0.9418 = 0.93629
    assert ac1["estimate"] == pytest.approx((0.94 - 0.0582) / 0.9418, abs=1e-12)
    one = gwet_ac1(tidy_labels([1, 1, 1], [1, 1, 1])).iloc[0]
    assert math.isnan(one["estimate"]) and "undefined" in one["note"]


def test_nominal_alpha_refuses_two_values_from_one_coder_for_a_unit():
    # coder a gave unit 1 both 0 and 1: alpha counted the second value as a third coder's (alpha 0.5, no note)
    from cm_research.qual.agreement import nominal_alpha

    data = pd.DataFrame({"unit": [1, 1, 1, 2, 2, 3, 3], "coder": ["a", "a", "b", "a", "b", "a", "b"],
                         "value": [0, 1, 1, 0, 0, 1, 1]})
    with pytest.raises(AgreementError, match="unit 1 has more than one value from coder 'a'"):
        nominal_alpha(data)
