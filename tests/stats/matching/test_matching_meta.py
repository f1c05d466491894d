"""Random-effects meta-analysis against R's metafor rma(), run in the test on the BCG vaccine trials
(metadat's dat.bcg) and on synthetic sets of site effects; plus the tidy-table entry point and errors.

Tolerances: the BCG estimate, SE, τ² and I² must equal metafor's defaults to 4 decimal places
(the issue's requirement; |difference| < 5e-5), and every statistic must agree to 1e-7 relative
with metafor run to a tight convergence threshold.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cm_research.stats.meta import MetaAnalysisError, meta_analysis, random_effects

from .conftest import read_scalars, run_rscript

CASES = {
    # heterogeneous site effects (Hedges' g) with unequal precision
    "sites": ([0.12, 0.45, -0.05, 0.30, 0.62, 0.18], [0.020, 0.045, 0.031, 0.012, 0.080, 0.026]),
    # homogeneous: the REML and DL estimates of tau^2 are truncated at 0
    "homogeneous": ([0.20, 0.22, 0.19, 0.21], [0.01, 0.02, 0.015, 0.03]),
    # only three sites
    "three": ([-0.4, 0.1, 0.5], [0.05, 0.04, 0.09]),
    # k = 2, far apart: tau^2 > 0 from two studies (REML and DL differ; Hartung-Knapp on 1 df)
    "two": ([-0.10, 0.55], [0.02, 0.03]),
    # k = 2, close together: tau^2 = 0 at the boundary for REML and DL, so they equal the common-effect model
    "two_homogeneous": ([0.30, 0.32], [0.04, 0.05]),
}


@pytest.fixture(scope="module")
def metafor(tmp_path_factory):
    io_dir = tmp_path_factory.mktemp("metafor")
    rows = [{"case": c, "yi": y, "vi": v} for c, (ys, vs) in CASES.items() for y, v in zip(ys, vs)]
    pd.DataFrame(rows).to_csv(io_dir / "cases.csv", index=False)
    run_rscript("metafor.R", io_dir)
    return read_scalars(io_dir / "out_scalars.csv"), pd.read_csv(io_dir / "out_bcg.csv")


def _inputs(case, bcg):
    if case == "bcg":
        return bcg["yi"].to_numpy(), bcg["vi"].to_numpy()
    return CASES[case]


@pytest.mark.r
def test_bcg_reproduces_metafor_defaults_to_four_decimals(metafor):
    ref, bcg = metafor
    res = random_effects(bcg["yi"], bcg["vi"]).summary.iloc[0]
    for key in ("estimate", "se", "tau2", "i2"):
        assert abs(res[key] - ref["bcg_default"][key]) < 5e-5, key
    # the figures Viechtbauer (2010, J. Stat. Softw. 36(3)) prints for this model: -0.7145, 0.1798, 0.3132, 92.22%
    assert (round(res["estimate"], 4), round(res["se"], 4), round(res["tau2"], 4), round(res["i2"], 2)) == (
        -0.7145, 0.1798, 0.3132, 92.22)


@pytest.mark.r
@pytest.mark.parametrize("case", ["bcg", *CASES])
@pytest.mark.parametrize("method, test", [("REML", "z"), ("REML", "knha"), ("DL", "z"), ("DL", "knha"), ("EE", "z")])
def test_every_statistic_agrees_with_metafor(metafor, case, method, test):
    ref, bcg = metafor
    expected = ref[f"{case}_{method}_{test}"]
    y, v = _inputs(case, bcg)
    res = random_effects(y, v, method=method, hartung_knapp=(test == "knha")).summary.iloc[0]
    for key, value in expected.items():
        if math.isnan(value):
            assert math.isnan(res[key]), key
        else:
            assert res[key] == pytest.approx(value, rel=1e-7, abs=1e-10), key


@pytest.mark.r
def test_per_trial_risk_ratios_from_compare_proportions_equal_escalc(metafor):
    """The BCG notebook gets each trial's log RR and variance from compare_proportions' Katz CI."""
    from cm_research.stats import compare_proportions_two_periods

    _, bcg = metafor
    rows = []
    for t in bcg.itertuples():
        n1, n2 = t.tpos + t.tneg, t.cpos + t.cneg
        res = compare_proportions_two_periods(t.cpos / n2, int(n2), t.tpos / n1, int(n1), before="control", after="BCG")
        rr = res[res["method"].str.startswith("Risk ratio")].iloc[0]
        rows.append({"trial": t.trial, "rr": rr["estimate"], "low": rr["ci_low"], "high": rr["ci_high"]})
    table = pd.DataFrame(rows)
    res = meta_analysis(table, "rr", ci_low="low", ci_high="high", study="trial", ratio=True)
    np.testing.assert_allclose(res.studies["estimate"], bcg["yi"], rtol=1e-10)
    np.testing.assert_allclose(res.studies["se"] ** 2, bcg["vi"], rtol=1e-8)


def test_dersimonian_laird_by_hand():
    # y = (0, 1), v = (1, 1): ȳ = 0.5, Q = 0.5, Q < k - 1 so τ² = 0; SE = sqrt(1/2)
    res = random_effects([0.0, 1.0], [1.0, 1.0], method="DL").summary.iloc[0]
    assert (res["tau2"], res["q"], res["estimate"], res["se"]) == pytest.approx((0.0, 0.5, 0.5, math.sqrt(0.5)))
    # y = (0, 4), v = (1, 1): Q = 8, τ² = (8 - 1) / (2 - 1) = 7, weights 1/8 each, SE = 2
    res = random_effects([0.0, 4.0], [1.0, 1.0], method="DL").summary.iloc[0]
    assert (res["tau2"], res["se"], res["i2"]) == pytest.approx((7.0, 2.0, 100 * 7 / 8))


def test_tidy_table_accepts_se_variance_or_ci():
    sites = pd.DataFrame({"site": ["A", "B", "C"], "g": [0.1, 0.4, 0.25], "se": [0.15, 0.2, 0.1]})
    sites["var"] = sites["se"] ** 2
    sites["lo"], sites["hi"] = sites["g"] - 1.959963984540054 * sites["se"], sites["g"] + 1.959963984540054 * sites["se"]
    a = meta_analysis(sites, "g", se="se").summary
    b = meta_analysis(sites, "g", variance="var").summary
    c = meta_analysis(sites, "g", ci_low="lo", ci_high="hi").summary
    for other in (b, c):
        assert other.loc[0, "estimate"] == pytest.approx(a.loc[0, "estimate"], rel=1e-9)
        assert other.loc[0, "tau2"] == pytest.approx(a.loc[0, "tau2"], rel=1e-6, abs=1e-12)
    assert list(a.columns[:4]) == ["method", "k", "estimate", "se"]


@pytest.mark.parametrize("frame, kwargs, message", [
    (pd.DataFrame({"site": ["A", "B"], "g": [0.1, 0.2], "se": [0.1, 0.0]}), dict(se="se"), "study 'B'.*positive"),
    (pd.DataFrame({"site": ["A", "B"], "g": [0.1, None], "se": [0.1, 0.2]}), dict(se="se"), "site 'B' \\(row 1\\) has no number in `g`"),
    (pd.DataFrame({"site": ["A"], "g": [0.1], "se": [0.1]}), dict(se="se"), "at least 2 studies"),
    (pd.DataFrame({"site": ["A", "B"], "g": [0.1, 0.2], "se": [0.1, 0.2]}), dict(), "exactly one of"),
    (pd.DataFrame({"site": ["A", "B"], "g": [0.5, -0.2], "se": [0.1, 0.2]}), dict(se="se", ratio=True), "above 0"),
    (pd.DataFrame({"site": ["A", "B"], "g": [0.1, 0.2], "se": [0.1, 0.2]}), dict(se="se", method="PM"), "`method`"),
])
def test_bad_input_names_the_site_and_column(frame, kwargs, message):
    with pytest.raises(MetaAnalysisError, match=message):
        meta_analysis(frame, "g", **kwargs)
