"""Intraclass correlations against R's psych::ICC (one Rscript run for the module) and Shrout & Fleiss (1979).

psych::ICC with ``lmer = FALSE`` (the ANOVA, as ours) is the judge of every estimate, F, df, p and CI, to
1e-9 relative; with psych's default ``lmer = TRUE`` (REML variance components) the estimates agree too where no
variance component sits at its boundary 0 (checked on the cases where that holds).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cm_research.measures import icc

SHROUT_FLEISS = pd.DataFrame({"J1": [9, 6, 8, 7, 10, 6], "J2": [2, 1, 4, 1, 5, 2], "J3": [5, 3, 6, 2, 6, 4],
                              "J4": [8, 2, 8, 6, 9, 7]})


def _synthetic(seed: int, n: int, k: int, bias: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    true = rng.normal(20, 4, n)
    shifts = np.linspace(-bias, bias, k)
    return pd.DataFrame({f"r{j + 1}": np.round(true + shifts[j] + rng.normal(0, 2, n), 1) for j in range(k)})


CASES = {
    "shrout_fleiss": SHROUT_FLEISS,
    "thirty_three": _synthetic(7, 30, 3, 1.5),       # synthetic: 30 targets, 3 raters, one rater higher
    "two_by_two": pd.DataFrame({"a": [3.0, 7.0], "b": [4.0, 9.0]}),  # the minimum: 2 targets, 2 raters
    "huge": _synthetic(3, 12, 4, 0.5) * 1e6 + 1e9,  # huge values: the ICC is scale and shift free
}
PSYCH_TYPES = ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]


@pytest.fixture(scope="module")
def r_icc(r_tables):
    out = r_tables("icc.R", {f"ratings_{k}": v for k, v in CASES.items()})["icc"]
    return out


@pytest.mark.r
@pytest.mark.parametrize("case", list(CASES))
def test_every_form_matches_psych_icc_anova(r_icc, case):
    ref = r_icc[(r_icc["case"] == case) & ~r_icc["lmer"]].set_index("type").loc[PSYCH_TYPES]
    got = icc(CASES[case]).set_index("type").loc[PSYCH_TYPES]
    for ours, theirs in (("estimate", "ICC"), ("statistic", "F"), ("dof", "df1"), ("dof_den", "df2"),
                         ("p_val", "p"), ("ci_low", "lower"), ("ci_high", "upper")):
        assert got[ours].to_numpy(float) == pytest.approx(ref[theirs].to_numpy(float), rel=1e-9, abs=1e-12), ours


@pytest.mark.r
@pytest.mark.parametrize("case", ["shrout_fleiss", "thirty_three"])
def test_estimates_match_psych_default_lmer_where_no_component_is_zero(r_icc, case):
    ref = r_icc[(r_icc["case"] == case) & r_icc["lmer"]].set_index("type").loc[PSYCH_TYPES]
    got = icc(CASES[case]).set_index("type").loc[PSYCH_TYPES]
    # REML is iterative (lme4's default tolerance): 1e-5 absolute
    assert got["estimate"].to_numpy(float) == pytest.approx(ref["ICC"].to_numpy(float), abs=1e-5)


def test_shrout_fleiss_1979_table_4_as_printed():
    # Shrout & Fleiss (1979), Table 4: ICC(1,1) .17, ICC(2,1) .29, ICC(3,1) .71, ICC(1,4) .44, ICC(2,4) .62,
    # ICC(3,4) .91
    got = icc(SHROUT_FLEISS).set_index("type")["estimate"]
    assert [round(float(got[t]), 2) for t in PSYCH_TYPES] == [0.17, 0.29, 0.71, 0.44, 0.62, 0.91]


def test_degenerate_and_incomplete_ratings_say_why():
    # every rating equal: R's aov gives ICC ≈ -8e-16 with F = 1 from rounding noise; we refuse to guess
    same = icc(pd.DataFrame({"a": [5.0, 5.0, 5.0], "b": [5.0, 5.0, 5.0]}))
    assert same["estimate"].isna().all() and "every rating is the same" in same.loc[0, "note"]
    # raters agreeing exactly on varied targets: R gives ICC 1, CI (1, 1), F ≈ 7.7e30 (rounding); so do we, F = inf
    exact = icc(pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0, 3.0]}))
    assert (exact[["estimate", "ci_low", "ci_high"]] == 1.0).all().all() and "perfect agreement" in exact.loc[0, "note"]
    shifted = icc(pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [2.0, 3.0, 4.0]})).set_index("type")
    assert shifted.loc["ICC3", "estimate"] == 1.0 and math.isnan(shifted.loc["ICC2", "estimate"])
    one = icc(pd.DataFrame({"a": [1.0, 2.0, 3.0]}))
    assert one["estimate"].isna().all() and "at least 2 targets" in one.loc[0, "note"]
    gaps = SHROUT_FLEISS.astype(float).copy()
    gaps.loc[2, "J3"] = np.nan  # R (lmer = FALSE) stops; we leave the target out and say so
    res = icc(gaps)
    assert (res["n"] == 5).all() and (res["n_dropped"] == 1).all() and "left out" in res.loc[0, "note"]
    assert res.set_index("type").loc["ICC3", "estimate"] == pytest.approx(
        icc(SHROUT_FLEISS.drop(index=2)).set_index("type").loc["ICC3", "estimate"], rel=1e-14)
    assert not math.isnan(res.loc[0, "estimate"])
