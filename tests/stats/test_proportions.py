"""Binary outcomes against published values (Newcombe 1998; Fagerland et al. 2015), R
(prop.test, fisher.test, chisq.test, metafor::escalc) and hand-worked examples."""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest

from cm_research.stats import (
    InsufficientDataError,
    compare_proportions,
    compare_proportions_two_periods,
    proportion_interval,
    proportion_table,
    wilson_interval,
)
from cm_research.deprecation import CMResearchDeprecationWarning

# (events treated, n treated, events control, n control)
TABLES = {
    "eet": (9, 10, 3, 10),
    "any_suspension": (12, 40, 21, 38),
    "zero_cell": (0, 15, 6, 17),
    "fagerland": (7, 34, 1, 34),
    "all_events_treated": (10, 10, 4, 12),
    "two_periods": (120, 140, 65, 120),
    # edge cases judged by R: a zero cell in the control group, everyone in the control group, very large counts
    "zero_control": (5, 12, 0, 11),
    "all_events_control": (3, 9, 8, 8),
    # (9 000 a side: the conditional odds ratio's exact CI takes ~4 s at 90 000, too slow for the suite)
    "large_counts": (900, 9000, 780, 9100),
}


def binary_frame(a, n1, c, n2, dv="eet") -> pd.DataFrame:
    return pd.DataFrame({
        "group": ["mentored"] * n1 + ["comparison"] * n2,
        dv: [1] * a + [0] * (n1 - a) + [1] * c + [0] * (n2 - c),
    })


@functools.lru_cache(maxsize=None)  # each table once per option: the large one takes ~0.4 s (tests only read it)
def compare(case, **kwargs) -> pd.DataFrame:
    return compare_proportions(binary_frame(*TABLES[case]), "eet", **kwargs)


def row(result: pd.DataFrame, method_start: str) -> pd.Series:
    matches = result[result["method"].str.startswith(method_start)]
    assert len(matches) == 1, result["method"].tolist()
    return matches.iloc[0]


@pytest.fixture(scope="module")
def r_ref(r_reference):
    return r_reference("proportions.R", {k: dict(a=[v[0]], n1=[v[1]], c=[v[2]], n2=[v[3]]) for k, v in TABLES.items()})


# Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10 (hybrid score),
# 95% limits for p1 - p2, published to 4 decimals: tolerance 5e-5 (half a unit in the last place).
NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("table", "limits"), NEWCOMBE_TABLE_II)
def test_risk_difference_matches_newcombe_1998_table_ii(table, limits):
    rd = row(compare_proportions(binary_frame(*table), "eet"), "Risk difference")
    a, n1, c, n2 = table
    assert rd["estimate"] == pytest.approx(a / n1 - c / n2, abs=1e-12)
    assert [rd["ci_low"], rd["ci_high"]] == pytest.approx(list(limits), abs=5e-5)


# Newcombe (1998), "Two-sided confidence intervals for the single proportion", Statistics in
# Medicine 17:857-872: Wilson score limits without continuity correction, 4 decimals (tol 5e-5).
@pytest.mark.parametrize(("events", "n", "limits"), [
    (81, 263, (0.2553, 0.3662)), (15, 148, (0.0624, 0.1605)), (0, 20, (0.0, 0.1611)), (1, 29, (0.0061, 0.1718)),
])
def test_wilson_matches_newcombe_single_proportion(events, n, limits):
    res = proportion_interval(events, n)
    assert len(res) == 1 and list(res.columns) == ["method", "n", "events", "estimate", "ci_low", "ci_high", "note"]
    got = res.iloc[0]
    assert (got["n"], got["events"]) == (n, events)
    assert got["estimate"] == pytest.approx(events / n, abs=1e-12)
    assert [got["ci_low"], got["ci_high"]] == pytest.approx(list(limits), abs=5e-5)


def test_wilson_interval_is_a_deprecated_alias_of_the_same_limits():
    with pytest.warns(CMResearchDeprecationWarning, match="proportion_interval"):
        limits = wilson_interval(81, 263)
    assert isinstance(limits, tuple)  # the old return type, for one release
    assert list(limits) == pytest.approx(list(proportion_interval(81, 263).loc[0, ["ci_low", "ci_high"]]), abs=0)


def test_fagerland_2015_worked_example():
    # Fagerland, Lydersen & Laake (2015), Stat Methods Med Res 24:224-254, example 7/34 vs 1/34:
    # Newcombe hybrid score 0.019 to 0.34; Katz log RR 0.91 to 54; Woolf logit OR 0.99 to 74.
    # Tolerance: half a unit in the last published digit.
    res = compare("fagerland")
    rd, rr, or_ = row(res, "Risk difference"), row(res, "Risk ratio"), row(res, "Odds ratio")
    assert rd["ci_low"] == pytest.approx(0.019, abs=5e-4) and rd["ci_high"] == pytest.approx(0.34, abs=5e-3)
    assert rr["ci_low"] == pytest.approx(0.91, abs=5e-3) and rr["ci_high"] == pytest.approx(54, abs=0.5)
    assert or_["ci_low"] == pytest.approx(0.99, abs=5e-3) and or_["ci_high"] == pytest.approx(74, abs=0.5)


@pytest.mark.r
@pytest.mark.parametrize("case", list(TABLES))
def test_wilson_matches_r_prop_test(r_ref, case):
    # Reference: R prop.test(x, n, correct = FALSE)$conf.int (Wilson, closed form): absolute 1e-12.
    a, n1, c, n2 = TABLES[case]
    table = proportion_table(binary_frame(a, n1, c, n2), "eet").set_index("group")
    for group, key in (("mentored", "wilson_treated"), ("comparison", "wilson_control")):
        got = table.loc[group, ["ci_low", "ci_high"]].tolist()
        assert got == pytest.approx([r_ref[case][f"{key}_1"], r_ref[case][f"{key}_2"]], abs=1e-12)


@pytest.mark.r
@pytest.mark.parametrize("case", list(TABLES))
def test_clopper_pearson_matches_r_binom_test(r_ref, case):
    # Reference: R binom.test(x, n)$conf.int (Clopper-Pearson, from qbeta): relative 1e-10. The cases include
    # 0 events (lower limit exactly 0), all events (upper limit exactly 1) and 9 000 observations.
    a, n1, c, n2 = TABLES[case]
    for events, n, key in ((a, n1, "cp_treated"), (c, n2, "cp_control")):
        got = proportion_interval(events, n, method="clopper-pearson").iloc[0]
        assert got["method"] == "Clopper-Pearson exact interval"
        assert [got["ci_low"], got["ci_high"]] == pytest.approx([r_ref[case][f"{key}_1"], r_ref[case][f"{key}_2"]],
                                                                rel=1e-10, abs=1e-15)
        assert (got["ci_low"] == 0) == (events == 0) and (got["ci_high"] == 1) == (events == n)


def test_clopper_pearson_hand_worked_and_bad_method():
    # 0 of 10: the upper limit solves (1 - p)^10 = 0.025, p = 1 - 0.025^(1/10) = 0.308496 (Clopper & Pearson 1934).
    got = proportion_interval(0, 10, method="clopper-pearson").iloc[0]
    assert got["ci_low"] == 0 and got["ci_high"] == pytest.approx(1 - 0.025 ** 0.1, rel=1e-12)
    with pytest.raises(ValueError, match="clopper-pearson"):
        proportion_interval(3, 10, method="exact")


@pytest.mark.r
@pytest.mark.parametrize("case", list(TABLES))
def test_ratios_match_metafor(r_ref, case):
    # Reference: metafor::escalc("RR"/"OR") (Katz / Woolf variances; 1/2 added to all cells of a
    # table with a zero cell, add = 1/2, to = "only0"), CI exp(yi ± z sqrt(vi)) in R: relative 1e-10.
    res, ref = compare(case), r_ref[case]
    for method, key in (("Risk ratio", "RR"), ("Odds ratio", "OR")):
        got = row(res, method)
        assert got["estimate"] == pytest.approx(ref[key], rel=1e-10)
        assert got["se"] == pytest.approx(ref[f"{key}_se"], rel=1e-10)  # SE of the log ratio, the CI's scale
        assert [got["ci_low"], got["ci_high"]] == pytest.approx([ref[f"{key}_ci_1"], ref[f"{key}_ci_2"]], rel=1e-10)
        has_zero = min(TABLES[case][0], TABLES[case][1] - TABLES[case][0],
                       TABLES[case][2], TABLES[case][3] - TABLES[case][2]) == 0
        assert ("0.5 added to all four cells" in got["note"]) == has_zero


@pytest.mark.r
@pytest.mark.parametrize("case", list(TABLES))
def test_fisher_matches_r(r_ref, case):
    # Reference: R fisher.test. p-value: relative 1e-9. Conditional MLE and exact CI: R's own
    # defining equations solved to 1e-12 in tests/reference/proportions.R (relative 1e-7), and
    # fisher.test's rounded solution (uniroot at its default tolerance) to relative 1e-2.
    res, ref = compare(case), r_ref[case]
    f = row(res, "Fisher")
    assert f["p_val"] == pytest.approx(ref["fisher_p"], rel=1e-9)
    if math.isfinite(ref["cond_mle"]) and ref["cond_mle"] > 0:
        assert f["estimate"] == pytest.approx(ref["cond_mle"], rel=1e-7)
        assert [f["ci_low"], f["ci_high"]] == pytest.approx([ref["cond_ci_1"], ref["cond_ci_2"]], rel=1e-7)
        assert [f["estimate"], f["ci_low"], f["ci_high"]] == pytest.approx(
            [ref["fisher_or"], ref["fisher_ci_1"], ref["fisher_ci_2"]], rel=1e-2)
    else:  # a zero cell: R gives 0 or Inf and a one-sided-open interval
        assert f["estimate"] == ref["fisher_or"]
        assert "0 or infinite" in f["note"]
    if min(TABLES[case][0], TABLES[case][1] - TABLES[case][0], TABLES[case][2], TABLES[case][3] - TABLES[case][2]) == 0:
        # the finite limit of the one-sided-open interval: relative 1e-7 to the tight solution, 1e-3 to fisher.test
        assert f["estimate"] == ref["cond_mle"]
        assert [f["ci_low"], f["ci_high"]] == pytest.approx([ref["cond_ci_1"], ref["cond_ci_2"]], rel=1e-7)
        assert [f["ci_low"], f["ci_high"]] == pytest.approx([ref["fisher_ci_1"], ref["fisher_ci_2"]], rel=1e-3)


@pytest.mark.r
@pytest.mark.parametrize("case", list(TABLES))
@pytest.mark.parametrize("yates", [False, True])
def test_chi_square_matches_r(r_ref, case, yates):
    # Reference: R chisq.test(matrix, correct = yates) (and prop.test's X² without correction):
    # relative 1e-10.
    chi = row(compare(case, yates=yates), "Pearson chi-square")
    stat, p = r_ref[case][f"chisq_{str(yates).upper()}_1"], r_ref[case][f"chisq_{str(yates).upper()}_2"]
    assert chi["statistic"] == pytest.approx(stat, rel=1e-10)
    assert chi["p_val"] == pytest.approx(p, rel=1e-10)
    assert chi["method"].endswith("(Yates continuity correction)" if yates else "(no continuity correction)")
    if not yates:
        assert chi["statistic"] == pytest.approx(r_ref[case]["prop_test_X2"], rel=1e-10)


def test_two_periods_hand_worked():
    # MCR Pathways-style figures: 54% of 120 (2013-14) vs 86% of 140 (2016-17), independent cohorts.
    # Events: 0.54 x 120 = 64.8 → 65; 0.86 x 140 = 120.4 → 120. RD = 120/140 - 65/120 = 53/168
    # = 0.315476. Wilson (z = 1.959964): 120/140 → centre 0.847610 ± 0.057976 = (0.789630, 0.905580);
    # 65/120 → 0.540374 ± 0.087765 = (0.452610, 0.628139). Newcombe:
    # lower = 0.315476 - sqrt(0.067513² + 0.086472²) = 0.205770,
    # upper = 0.315476 + sqrt(0.048437² + 0.089057²) = 0.416853. Tolerance 2e-6 (6-decimal hand work).
    res = compare_proportions_two_periods(0.54, 120, 0.86, 140, before="2013-14", after="2016-17")
    rd = row(res, "Risk difference")
    assert (rd["events_treated"], rd["n_treated"], rd["events_control"], rd["n_control"]) == (120, 140, 65, 120)
    assert rd["measure"] == "2016-17 vs 2013-14"
    assert [rd["estimate"], rd["ci_low"], rd["ci_high"]] == pytest.approx([0.315476, 0.205770, 0.416853], abs=2e-6)
    assert "65/120 (2013-14)" in rd["note"] and "120/140 (2016-17)" in rd["note"]
    # RR = (120/140) / (65/120) = 1.582418 (hand)
    assert row(res, "Risk ratio")["estimate"] == pytest.approx(1.582418, abs=1e-6)


@pytest.mark.r
def test_two_periods_equals_counts_analysis_checked_by_r(r_ref):
    # The two-period helper must give the same table as compare_proportions on the reconstructed
    # counts, whose chi-square R computed (case two_periods): relative 1e-10.
    res = compare_proportions_two_periods(0.54, 120, 0.86, 140)
    chi = row(res, "Pearson chi-square")
    assert chi["statistic"] == pytest.approx(r_ref["two_periods"]["chisq_FALSE_1"], rel=1e-10)


def test_two_periods_rejects_percentages():
    with pytest.raises(ValueError, match="give 54% as 0.54"):
        compare_proportions_two_periods(54, 120, 86, 140)
    with pytest.raises(InsufficientDataError, match="n_before must be a whole number above 0"):
        compare_proportions_two_periods(0.5, 0, 0.6, 10)


def test_no_events_anywhere_gives_reasons_not_nan_silence():
    res = compare_proportions(binary_frame(0, 10, 0, 10), "eet")
    rd = row(res, "Risk difference")
    assert rd["estimate"] == 0 and [rd["ci_low"], rd["ci_high"]] == pytest.approx([-0.2775, 0.2775], abs=5e-5)
    for method in ("Risk ratio", "Odds ratio", "Pearson chi-square"):
        r = row(res, method)
        assert "no one had the event" in r["note"]
    assert row(res, "Fisher")["p_val"] == 1.0


def test_everyone_had_the_event():
    res = compare_proportions(binary_frame(12, 12, 9, 9), "eet")
    assert row(res, "Risk difference")["estimate"] == 0
    assert "everyone had the event" in row(res, "Odds ratio")["note"]
    assert math.isnan(row(res, "Odds ratio")["estimate"])


def test_no_rows_with_nan_estimate_lack_a_note():
    # In every edge case, a NaN in estimate/p_val of a row that should have it carries a note.
    for table in [(0, 10, 0, 10), (5, 5, 5, 5), (0, 1, 1, 1), (1, 1, 0, 1)]:
        res = compare_proportions(binary_frame(*table), "eet")
        for _, r in res.iterrows():
            expected = "p_val" if r["method"].startswith(("Pearson", "Fisher")) else "estimate"
            if math.isnan(r[expected]):
                assert r["note"], (table, r["method"])


def test_small_expected_counts_flagged():
    chi = row(compare("eet"), "Pearson chi-square")
    assert "expected count(s) below 5" in chi["note"]


def test_missing_values_and_bool_outcome():
    data = binary_frame(9, 10, 3, 10)
    data["eet"] = data["eet"].astype(object)
    data.loc[0, "eet"] = None
    data.loc[15, "eet"] = np.nan
    res = compare_proportions(data.assign(eet=data["eet"].map({1: True, 0: False, None: None})), "eet")
    rd = row(res, "Risk difference")
    assert (rd["events_treated"], rd["n_treated"], rd["events_control"], rd["n_control"], rd["n_dropped"]) == (
        8, 9, 3, 9, 2)
    assert "2 row(s) dropped" in rd["note"]


def test_non_binary_outcome_is_refused():
    data = binary_frame(2, 4, 1, 4)
    data.loc[3, "eet"] = 2
    with pytest.raises(ValueError, match="`eet` must be a yes/no outcome coded 1/0.*2"):
        compare_proportions(data, "eet")


def test_proportion_table_counts_and_missing():
    data = binary_frame(3, 5, 1, 4)
    data.loc[0, "eet"] = np.nan
    table = proportion_table(data, "eet").set_index("group")
    assert table.loc["mentored", ["n", "events", "n_dropped"]].tolist() == [4, 2, 1]
    assert table.loc["mentored", "estimate"] == 0.5
    assert "1 row(s) with `eet` missing" in table.loc["mentored", "note"]


def test_two_periods_a_count_exactly_half_way_is_rounded_up_and_said():
    # 50% of 5 gives p × n = 2.5 and 29% of 50 gives 14.5 (0.29 × 50 is 14.499999999999998 in binary floating
    # point): halves go up, to 3 and 15, by an explicit rule (Python's round() gives 2 and 14: halves to even,
    # and the float error). 54% of 120 = 64.8 is not a half and rounds to 65 as before.
    res = compare_proportions_two_periods(0.29, 50, 0.5, 5)
    rd = row(res, "Risk difference")
    assert (rd["events_treated"], rd["events_control"]) == (3, 15)
    assert "half-way" in rd["note"] and "rounded up" in rd["note"]
    plain = row(compare_proportions_two_periods(0.54, 120, 0.86, 140), "Risk difference")
    assert (plain["events_treated"], plain["events_control"]) == (120, 65) and "half-way" not in plain["note"]
