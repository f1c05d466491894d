"""Holm's step-down adjustment (compare_outcomes' p_holm) and ``adjust_p``'s other methods (Hochberg, Bonferroni,
Benjamini-Hochberg, Benjamini-Yekutieli) against R's p.adjust(method = ...)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from cm_research.stats import adjust_p, holm

CASES = {
    # five outcomes, one clearly below the others
    "five": [0.004, 0.030, 0.012, 0.410, 0.049],
    # tied p-values
    "ties": [0.02, 0.02, 0.6, 0.01],
    # products above 1 are capped at 1 (3 x 0.4 = 1.2)
    "cap": [0.4, 0.5, 0.6],
    # missing p-values (measures not analysed) stay missing and do not count in m
    "missing": [0.01, math.nan, 0.04, 0.03, math.nan],
    # a single p-value is unchanged
    "one": [0.037],
    # BH's step-up minimum matters: 0.048 x 4/3 = 0.064 > 0.05 x 4/4, so the third takes 0.05
    "step_up": [0.001, 0.048, 0.05, 0.049],
}


@pytest.fixture(scope="module")
def r_ref(r_reference):
    return r_reference("holm.R", {name: {"p": p} for name, p in CASES.items()})


@pytest.mark.r
@pytest.mark.parametrize("case", list(CASES))
def test_holm_matches_r_p_adjust(r_ref, case):
    # Reference: R p.adjust(p, "holm") (NA kept, m = number of non-missing): relative 1e-12.
    got = holm(pd.Series(CASES[case])).tolist()
    want = [r_ref[case][f"holm_{i + 1}"] if len(CASES[case]) > 1 else r_ref[case]["holm"]
            for i in range(len(CASES[case]))]
    assert [math.isnan(v) for v in got] == [math.isnan(v) for v in want]
    assert [v for v in got if not math.isnan(v)] == pytest.approx([v for v in want if not math.isnan(v)], rel=1e-12)


def test_holm_by_hand():
    # sorted 0.01, 0.02, 0.02, 0.6 times 4, 3, 2, 1 = 0.04, 0.06, 0.04, 0.6; running maximum 0.04, 0.06, 0.06, 0.6
    assert holm(pd.Series(CASES["ties"])).tolist() == pytest.approx([0.06, 0.06, 0.6, 0.04], rel=1e-12)


@pytest.mark.r
@pytest.mark.parametrize("method", ["holm", "hochberg", "bonferroni", "BH", "BY"])
@pytest.mark.parametrize("case", list(CASES))
def test_adjust_p_matches_r_p_adjust(r_ref, case, method):
    # Reference: R p.adjust(p, method) (NA kept, m = number of non-missing): relative 1e-12.
    got = adjust_p(CASES[case], method).tolist()
    want = [r_ref[case][f"{method}_{i + 1}"] if len(CASES[case]) > 1 else r_ref[case][method]
            for i in range(len(CASES[case]))]
    assert [math.isnan(v) for v in got] == [math.isnan(v) for v in want]
    assert [v for v in got if not math.isnan(v)] == pytest.approx([v for v in want if not math.isnan(v)], rel=1e-12)


def test_benjamini_hochberg_by_hand_and_bad_input():
    # sorted 0.001, 0.048, 0.049, 0.05 (m = 4): p m / i = 0.004, 0.096, 0.0653, 0.05; monotone from the top:
    # 0.05, 0.05, 0.05 for the last three, 0.004 for the first
    assert adjust_p(CASES["step_up"], "BH").tolist() == pytest.approx([0.004, 0.05, 0.05, 0.05], abs=1e-15)
    with pytest.raises(ValueError, match="between 0 and 1"):
        adjust_p([0.2, 1.3])
    with pytest.raises(ValueError, match="p.adjust"):
        adjust_p([0.2], "fdr")
