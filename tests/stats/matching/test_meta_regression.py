"""Mixed-effects meta-regression against R's metafor rma(mods = ...), run in the test, on the three published
datasets bundled for the reproductions and on a synthetic two-moderator case; plus a hand-worked fixed-effects
case and the errors.

Tolerance: every statistic must agree with metafor (run to a tight convergence threshold) to 1e-7 relative
(1e-9 absolute for values near 0): both solve the same equations, so only floating-point error may differ.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cm_research.datasets import list_datasets, load_published, published_source
from cm_research.stats import MetaAnalysisError, meta_regression, moderator_slopes

from .conftest import read_scalars, run_rscript


def _cases() -> dict[str, pd.DataFrame]:
    teacher = load_published("teacher_expectancy")
    calendars = load_published("school_calendars")
    writing = load_published("writing_to_learn").dropna(subset=["meta", "length"])
    minutes = load_published("writing_to_learn").dropna(subset=["minutes"])
    rng = np.random.default_rng(20261206)  # synthetic sites: two moderators, unequal precision
    x1, x2 = rng.normal(size=12), rng.integers(0, 2, size=12).astype(float)
    v = rng.uniform(0.01, 0.08, size=12)
    synthetic = pd.DataFrame({"yi": 0.2 + 0.1 * x1 - 0.15 * x2 + rng.normal(0, 0.25, 12), "vi": v, "x1": x1, "x2": x2})
    return {
        "teacher": pd.DataFrame({"yi": teacher["smd"], "vi": teacher["variance"], "x1": teacher["weeks"].clip(upper=3),
                                 "x2": np.nan}),
        "calendars": pd.DataFrame({"yi": calendars["smd"], "vi": calendars["variance"],
                                   "x1": calendars["year"] - calendars["year"].mean(), "x2": np.nan}),
        "writing": pd.DataFrame({"yi": writing["smd"], "vi": writing["variance"], "x1": writing["meta"],
                                 "x2": writing["length"]}),
        "synthetic": synthetic,
        # one moderator that only half the studies report (rows without it dropped here, as R's na.omit would)
        "minutes": pd.DataFrame({"yi": minutes["smd"], "vi": minutes["variance"], "x1": minutes["minutes"],
                                 "x2": np.nan}),
    }


@pytest.fixture(scope="module")
def metafor(tmp_path_factory):
    io_dir = tmp_path_factory.mktemp("metafor_mods")
    cases = _cases()
    pd.concat([c.assign(case=name) for name, c in cases.items()]).to_csv(io_dir / "cases.csv", index=False)
    run_rscript("metafor_mods.R", io_dir)
    return read_scalars(io_dir / "out_scalars.csv"), io_dir


@pytest.mark.r
@pytest.mark.parametrize("case", ["teacher", "calendars", "writing", "synthetic", "minutes"])
@pytest.mark.parametrize("method, test", [("REML", "z"), ("REML", "knha"), ("DL", "z"), ("DL", "knha"), ("EE", "z")])
def test_every_statistic_agrees_with_metafor(metafor, case, method, test):
    ref = metafor[0][f"{case}_{method}_{test}"]
    data = _cases()[case]
    mods = ["x1"] if data["x2"].isna().all() else ["x1", "x2"]
    res = meta_regression(data, "yi", mods, variance="vi", method=method, hartung_knapp=(test == "knha"))
    coefficients, summary = res.coefficients, res.summary.iloc[0]
    for key in ("estimate", "se", "ci_low", "ci_high", "statistic", "p_val"):
        for j in range(len(mods) + 1):
            assert coefficients.loc[j, key] == pytest.approx(ref[f"{key}_{j}"], rel=1e-7, abs=1e-9), (key, j)
    for key in ("tau2", "tau2_se", "i2", "h2", "r2", "qe", "qe_p_val", "qm", "qm_p_val"):
        if math.isnan(ref[key]):
            assert math.isnan(summary[key]), key
        else:
            assert summary[key] == pytest.approx(ref[key], rel=1e-7, abs=1e-9), key


@pytest.mark.r
@pytest.mark.parametrize("name, metadat, renamed", [
    ("teacher_expectancy", "raudenbush1985", {"n1i": "n_treated", "n2i": "n_control", "yi": "smd", "vi": "variance"}),
    ("writing_to_learn", "bangertdrowns2004", {"id": "study", "ni": "n_total", "yi": "smd", "vi": "variance"}),
    ("school_calendars", "konstantopoulos2011", {"yi": "smd", "vi": "variance"}),
])
def test_bundled_published_data_equal_metadat(metafor, name, metadat, renamed):
    reference = pd.read_csv(metafor[1] / f"metadat_{metadat}.csv").rename(columns=renamed)
    ours = load_published(name)
    assert list(ours.columns) == list(reference.columns)
    pd.testing.assert_frame_equal(ours, reference, check_dtype=False)


def test_published_datasets_are_indexed_with_their_source():
    index = list_datasets().set_index("name")
    for name in ("teacher_expectancy", "writing_to_learn", "school_calendars"):
        assert not index.loc[name, "synthetic"]
        source = published_source(name)
        assert "Source" in source and "doi.org" in source and "not synthetic" in source
        assert load_published(name).attrs["source"] == source


def test_fixed_effects_regression_by_hand():
    # y = (0, 1, 3), v = (1, 1, 1), x = (0, 1, 2): ordinary least squares, slope 1.5, intercept -1/6,
    # residuals (1/6, -1/3, 1/6) so Q_E = 1/6; Var(slope) = 1 / Sxx = 1/2
    data = pd.DataFrame({"y": [0.0, 1.0, 3.0], "v": [1.0, 1.0, 1.0], "x": [0.0, 1.0, 2.0]})
    res = meta_regression(data, "y", ["x"], variance="v", method="EE")
    slope = res.coefficients.iloc[1]
    assert (res.coefficients.loc[0, "estimate"], slope["estimate"]) == pytest.approx((-1 / 6, 1.5))
    assert slope["se"] == pytest.approx(math.sqrt(0.5))
    assert res.summary.loc[0, "qe"] == pytest.approx(1 / 6)
    assert res.summary.loc[0, "qm"] == pytest.approx(1.5**2 / 0.5)
    # the moment estimator: Q_E = 1/6 < k - p = 1, so tau2 is truncated at 0
    assert meta_regression(data, "y", ["x"], variance="v", method="DL").summary.loc[0, "tau2"] == 0


@pytest.mark.parametrize("frame, kwargs, message", [
    (pd.DataFrame({"y": [0.1, 0.2, 0.3], "v": [0.1, 0.1, 0.1], "x": [1, 1, 1]}), dict(variance="v"), "collinear"),
    (pd.DataFrame({"y": [0.1, 0.2], "v": [0.1, 0.1], "x": [1, 2]}), dict(variance="v"), "cannot estimate"),
    (pd.DataFrame({"y": [0.1, 0.2, 0.3], "v": [0.1, 0.1, 0.1], "x": [1, None, 2], "s": ["A", "B", "C"]}),
     dict(variance="v", study="s"), "study 'B' \\(row 1\\) has no usable number in `x`"),
    (pd.DataFrame({"y": [0.1, 0.2, 0.3], "v": [0.1, 0.1, 0.1], "x": [1, 2, 3]}), dict(), "exactly one of"),
    (pd.DataFrame({"y": [0.1, 0.2, 0.3], "v": [0.1, 0.1, 0.1], "x": [1, 2, 3]}), dict(variance="w"), "no column `w`"),
])
def test_bad_input_says_what_is_wrong(frame, kwargs, message):
    with pytest.raises(MetaAnalysisError, match=message):
        meta_regression(frame, "y", ["x"], **kwargs)


@pytest.mark.r
def test_one_regression_per_moderator_on_the_studies_that_report_it(metafor):
    """moderator_slopes on the writing-to-learn data: the `minutes` row (24 of 48 studies report it) equals
    metafor's rma(mods = ~ minutes) on those 24; the other rows use the studies reporting their moderator."""
    ref = metafor[0]["minutes_REML_z"]
    d = load_published("writing_to_learn")
    table = moderator_slopes(d, "smd", ["minutes", "meta", "grade"], variance="variance", study="study")
    row = table.set_index("moderator").loc["minutes"]
    assert row["k"] == 24 and row["note"].startswith("24 of 48 studies do not report `minutes`")
    for key in ("estimate", "se", "ci_low", "ci_high", "statistic", "p_val"):
        assert row[key] == pytest.approx(ref[f"{key}_1"], rel=1e-7), key
    assert row["tau2"] == pytest.approx(ref["tau2"], rel=1e-7, abs=1e-9)
    assert table.set_index("moderator").loc["meta", "k"] == 46
    assert table.set_index("moderator").loc["grade", "note"] == ""
