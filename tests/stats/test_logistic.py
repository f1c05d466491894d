"""logistic_regression against R's glm(binomial): the odds ratio, its SE, Wald z and p, confint.default (Wald)
and confint (profile likelihood) limits, all from tests/reference/logistic.R (one Rscript run for the module);
separation judged by R's own warning; the unadjusted odds ratio by hand (ad / bc)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cm_research.contract import InsufficientDataError
from cm_research.stats import logistic_regression

_rng = np.random.default_rng(20261206)
_x = _rng.normal(100, 15, 60)
_g = np.r_[np.ones(30), np.zeros(30)]
_y = _rng.binomial(1, 1 / (1 + np.exp(-(-0.3 + 0.7 * _g + 0.04 * (_x - 100))))).astype(float)
CASES = {
    # attainment-adjusted destinations of 30 mentored and 30 comparison children
    "adjusted": dict(y=_y, g=_g, x=_x),
    "unadjusted": dict(y=_y, g=_g),
    # few events: 3 of 8 and 1 of 7 (the Wald and profile limits differ most here)
    "few_events": dict(y=[1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0], g=[1] * 8 + [0] * 7),
    # values near 1e9: a covariate in pence rather than pounds (R is the judge on the same numbers)
    "huge_covariate": dict(y=_y, g=_g, x=_x * 1e7),
    # separation: every mentored child in education, employment or training
    "zero_cell": dict(y=[1, 1, 1, 1, 1, 0, 1, 0, 0, 1], g=[1] * 5 + [0] * 5),
    # quasi-separation by the covariate: every child above 105 had the outcome
    "covariate_separates": dict(y=(_x > 105).astype(float), g=_g, x=_x),
}


def frame(case) -> pd.DataFrame:
    c = CASES[case]
    data = pd.DataFrame({"group": np.where(np.asarray(c["g"]) == 1, "mentored", "comparison"), "eet": c["y"]})
    if "x" in c:
        data["ks2"] = c["x"]
    return data


def fit(case) -> pd.Series:
    return logistic_regression(frame(case), "eet", covariates=["ks2"] if "x" in CASES[case] else []).iloc[0]


@pytest.fixture(scope="module")
def r_ref(r_reference):
    return r_reference("logistic.R", {k: {v: np.asarray(x, float) for v, x in c.items()} for k, c in CASES.items()})


@pytest.mark.r
@pytest.mark.parametrize("case", ["adjusted", "unadjusted", "few_events", "huge_covariate"])
def test_odds_ratio_matches_glm(r_ref, case):
    ref, got = r_ref[case], fit(case)
    assert ref["separation_warning"] == 0
    assert math.log(got["estimate"]) == pytest.approx(ref["b"], rel=1e-7)
    assert got["se"] == pytest.approx(ref["se"], rel=1e-6)
    assert got["statistic"] == pytest.approx(ref["z"], rel=1e-6)
    assert got["p_val"] == pytest.approx(ref["p"], rel=1e-6)
    assert [got["ci_low"], got["ci_high"]] == pytest.approx([ref["wald_1"], ref["wald_2"]], rel=1e-6)
    # the profile limits: R solving their defining equation with uniroot (1e-7 relative), and R's confint,
    # which interpolates the profile on a grid (MASS's profile.glm + spline): 1e-3 on the log scale
    assert [got["profile_ci_low"], got["profile_ci_high"]] == pytest.approx(
        [ref["profile_exact_1"], ref["profile_exact_2"]], rel=1e-7)
    assert np.log([got["profile_ci_low"], got["profile_ci_high"]]) == pytest.approx(
        np.log([ref["profile_1"], ref["profile_2"]]), abs=1e-3)


@pytest.mark.r
@pytest.mark.parametrize("case", ["zero_cell", "covariate_separates"])
def test_separation_gives_no_number_where_glm_warns(r_ref, case):
    assert r_ref[case]["separation_warning"] == 1 or abs(r_ref[case]["b"]) > 10  # R: a huge, meaningless estimate
    got = fit(case)
    assert math.isnan(got["estimate"]) and math.isnan(got["ci_low"]) and "separation" in got["note"]


def test_unadjusted_odds_ratio_by_hand_and_notes():
    # few_events: mentored 3 of 8 (odds 3/5), comparison 1 of 7 (odds 1/6): OR = (3/5) / (1/6) = 3.6;
    # se = sqrt(1/3 + 1/5 + 1/1 + 1/6) (Woolf; the ML fit of one binary predictor gives exactly this)
    got = fit("few_events")
    assert got["estimate"] == pytest.approx(3.6, rel=1e-9)
    assert got["se"] == pytest.approx(math.sqrt(1 / 3 + 1 / 5 + 1 + 1 / 6), rel=1e-6)
    assert "fewer than 10" in got["note"]
    assert got["profile_ci_high"] > got["ci_high"]  # the profile interval is skewed to the right here


def test_missing_values_are_counted_and_bad_input_named():
    data = frame("adjusted")
    data.loc[[3, 40], "ks2"] = np.nan
    got = logistic_regression(data, "eet", covariates=["ks2"]).iloc[0]
    assert got["n"] == 58 and got["n_dropped"] == 2 and "2 row(s) dropped" in got["note"]
    with pytest.raises(ValueError, match="yes/no outcome coded 1/0"):
        logistic_regression(data.assign(eet=data["eet"] * 2), "eet")
    with pytest.raises(InsufficientDataError, match="do not vary independently"):
        logistic_regression(data.assign(ks2=1.0), "eet", covariates=["ks2"])
    same = logistic_regression(data.assign(eet=1.0), "eet").iloc[0]
    assert math.isnan(same["estimate"]) and "same outcome" in same["note"]
