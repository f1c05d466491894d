"""The reproduction notebooks run under papermill; each says which kind it is; the published figures of every
"reproduced from data" notebook are asserted here, with a stated tolerance and its reason, against numbers
computed in the test (through the package, or independently by hand); "re-derived" notebooks compare nothing
with itself.

Each notebook is executed once (two at a time); the figures of the three meta-analyses are also recomputed here
directly through cm_research.stats, which is what the assertions are about.
"""

from __future__ import annotations

import math
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import papermill as pm
import pytest
from scipy import stats

from cm_research.batch import run_notebook
from cm_research.datasets import load_published
from cm_research.stats import meta_analysis, meta_regression

from .conftest import run_rscript

pytestmark = pytest.mark.notebook
FOLDER = Path(__file__).resolve().parents[3] / "notebooks" / "reproductions"
REPRODUCED = {
    "lalonde": "lalonde_dehejia_wahba",
    "bcg": "bcg_meta_analysis",
    "teacher": "teacher_expectancy_raudenbush1985",
    "writing": "writing_to_learn_bangertdrowns2004",
    "calendars": "school_calendars_konstantopoulos2011",
}
REDERIVED = {
    "nfer": "nfer_2004_learning_mentors",
    "mcr": "mcr_pathways_glasgow_2018",
    "derbyshire": "derbyshire_cabinet_2022_costs",
}
NOTEBOOKS = {**REPRODUCED, **REDERIVED}
Z = stats.norm.isf(0.025)


def _execute(args: tuple[str, str]) -> str:
    name, out = args
    run_notebook(FOLDER / f"{name}.ipynb", Path(out) / f"{name}.ipynb", {"output_dir": out}, html=False)
    return out


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Every reproduction notebook executed once with its default parameters (two at a time)."""
    pytest.importorskip("causaldata", reason="the LaLonde notebook needs the PyPI package causaldata")
    root = tmp_path_factory.mktemp("reproductions")
    jobs = [(nb, str(root / key)) for key, nb in NOTEBOOKS.items()]
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(_execute, jobs))
    return {key: root / key for key in NOTEBOOKS}


def _key(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "key_figures.csv").set_index("figure")


def _assert_published(figures: dict[str, tuple[float, float, float]]) -> None:
    """figure: (published, ours, tolerance) — |ours − published| ≤ tolerance."""
    for name, (published, ours, tolerance) in figures.items():
        assert abs(ours - published) <= tolerance, f"{name}: ours {ours} vs published {published} (± {tolerance})"


@pytest.mark.parametrize("name", NOTEBOOKS.values())
def test_committed_reproductions_are_clean_parameterised_and_say_their_kind(name):
    path = FOLDER / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{name}: clear outputs before committing"
    assert len([c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]) == 1
    assert "output_dir" in pm.inspect_notebook(str(path))
    first = nb.cells[0].source
    kind = "Reproduced from data" if name in REPRODUCED.values() else "Re-derived from published figures"
    assert first.startswith(f"# {kind}: "), f"{name}: the title must say it is '{kind}'"
    assert f"**Kind: {kind.lower()}.**" in first
    assert "Source" in first and "ublished figure" in first, "the first cell states sources and published figures"
    if name in REDERIVED.values():
        assert "**Assumptions**" in first, "a re-derivation lists its assumptions"
    assert "Reproduction:" not in first
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert f'"{kind}: ' in code, f"{name}: its comparison or derived tables must name the kind in their caption"


def test_no_notebook_compares_a_number_with_itself(executed):
    """Re-derived notebooks write no published-vs-ours table unless 'ours' is computed from other published
    numbers (Derbyshire: the sum of the printed lines against the printed totals); reproduced ones agree within
    their stated tolerances."""
    assert not (executed["nfer"] / "key_figures.csv").exists()
    assert not (executed["mcr"] / "key_figures.csv").exists()
    for key in REPRODUCED:
        table = _key(executed[key])
        assert {"published", "ours", "tolerance", "agrees", "reason"} <= set(table.columns)
        assert table["reason"].str.len().gt(10).all(), f"{key}: every tolerance has a reason"
        expected_disagreements = set()
        assert set(table.index[~table["agrees"]]) == expected_disagreements, key


def test_executed_notebooks_print_no_raw_warnings_or_zero_p_values(executed):
    for key, name in NOTEBOOKS.items():
        nb = nbformat.read(executed[key] / f"{name}.ipynb", as_version=4)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                assert output.output_type != "stream", f"{name}: raw {output.get('name')}: {output.get('text')}"
                assert output.output_type != "error", name
                html = output.get("data", {}).get("text/html", "")
                # a p-value column shown as 0 (or 0.000) instead of "< 0.001"
                assert not re.search(r"p_val</th>(?:(?!</tr>).)*?<td[^>]*>0(?:\.0+)?</td>", html, re.S), name


# --- reproduced from data -----------------------------------------------------------------------------------

def test_teacher_expectancy_equals_raudenbush_bryk_1985(executed):
    """Raudenbush & Bryk (1985), pp. 83-86 and 90-92 (as transcribed in metafor's test suite). Tolerance: half a
    unit in the last published decimal (the paper rounds), except Q and Q_E, printed as 35.85 and 16.58 where the
    listed (2-decimal) effect sizes give 35.83 and 16.57: allowed 0.03 and 0.02."""
    d = load_published("teacher_expectancy").assign(weeks_capped=lambda x: x["weeks"].clip(upper=3))
    re_ = meta_analysis(d, "smd", variance="variance", study="study").summary.iloc[0]
    reg = meta_regression(d, "smd", ["weeks_capped"], variance="variance")
    b0, b1 = reg.coefficients.iloc[0], reg.coefficients.iloc[1]
    _assert_published({
        "tau2": (0.019, re_["tau2"], 0.0005), "average": (0.08, re_["estimate"], 0.005),
        "z": (1.62, re_["statistic"], 0.005), "Q": (35.85, re_["q"], 0.03),
        "intercept": (0.407, b0["estimate"], 0.0005), "slope": (-0.157, b1["estimate"], 0.0005),
        "z intercept": (4.68, b0["statistic"], 0.005), "z slope": (-4.39, b1["statistic"], 0.005),
        "residual tau2": (0.0, reg.summary.loc[0, "tau2"], 0.0005), "Q_E": (16.58, reg.summary.loc[0, "qe"], 0.02),
    })
    key = _key(executed["teacher"])
    assert len(key) == 10 and key["agrees"].all()
    assert key.loc["slope per week of prior contact", "ours"] == pytest.approx(b1["estimate"], rel=1e-12)
    assert (executed["teacher"] / "forest_plot.png").stat().st_size > 5_000


def test_writing_to_learn_equals_bangert_drowns_2004(executed):
    """Bangert-Drowns et al. (2004): 48 studies, 36 positive, weighted average d = 0.17. Tolerance for d: 0.01
    (published to 2 decimals; the bundled d are bias-corrected with equal-group variances, which can move the
    average by a few thousandths). The four moderators: the published direction."""
    d = load_published("writing_to_learn")
    common = meta_analysis(d, "smd", variance="variance", study="study", method="EE").summary.iloc[0]
    assert len(d) == 48 and int((d["smd"] > 0).sum()) == 36
    _assert_published({"weighted average d": (0.17, common["estimate"], 0.01)})
    # the common-effect average by hand: Σ y/v / Σ 1/v
    assert common["estimate"] == pytest.approx((d["smd"] / d["variance"]).sum() / (1 / d["variance"]).sum())
    d["middle_school"] = (d["grade"] == 2).astype(float)
    for moderator, sign in {"meta": 1, "length": 1, "middle_school": -1, "minutes": -1}.items():
        usable = d.dropna(subset=[moderator])
        slope = meta_regression(usable, "smd", [moderator], variance="variance").coefficients.iloc[1]
        assert np.sign(slope["estimate"]) == sign, moderator
    assert _key(executed["writing"])["agrees"].all()
    moderators = pd.read_csv(executed["writing"] / "moderators.csv")
    assert moderators["agrees"].all() and len(moderators) == 4


def test_school_calendars_equal_konstantopoulos_2011_table_4(executed):
    """Konstantopoulos (2011), Table 4, p. 70 (as transcribed in metafor's test suite). Tolerance: half a unit in
    the third decimal, except the intercept's SE (printed 0.043, REML and metafor 0.0440: 0.0011) and the residual
    τ² with year (printed 0.088, REML and metafor 0.0889: 0.001)."""
    d = load_published("school_calendars")
    d["year_centred"] = d["year"] - d["year"].mean()
    re_ = meta_analysis(d, "smd", variance="variance", study="study").summary.iloc[0]
    reg = meta_regression(d, "smd", ["year_centred"], variance="variance")
    b0, b1 = reg.coefficients.iloc[0], reg.coefficients.iloc[1]
    _assert_published({
        "average": (0.128, re_["estimate"], 0.0005), "SE": (0.044, re_["se"], 0.0005),
        "tau2": (0.088, re_["tau2"], 0.0005), "SE tau2": (0.020, re_["tau2_se"], 0.0005),
        "intercept": (0.126, b0["estimate"], 0.0005), "SE intercept": (0.043, b0["se"], 0.0011),
        "slope": (0.005, b1["estimate"], 0.0005), "SE slope": (0.004, b1["se"], 0.0005),
        "residual tau2": (0.088, reg.summary.loc[0, "tau2"], 0.001),
    })
    key = _key(executed["calendars"])
    assert len(key) == 9 and key["agrees"].all()


def test_bcg_pooled_estimate_equals_viechtbauer_2010(executed):
    key = _key(executed["bcg"])
    published = {"estimate": -0.7145, "se": 0.1798, "ci_low": -1.0669, "ci_high": -0.3622, "tau2": 0.3132,
                 "i2": 92.22, "h2": 12.86, "q": 152.233}
    for figure, value in published.items():
        assert key.loc[figure, "published"] == value
        assert key.loc[figure, "ours_rounded"] == value, figure
    assert (executed["bcg"] / "forest_plot.png").stat().st_size > 5_000


@pytest.mark.r
def test_bcg_trials_typed_in_the_notebook_equal_metadat(executed, tmp_path):
    pd.DataFrame({"case": ["x", "x"], "yi": [0.1, 0.2], "vi": [0.1, 0.1]}).to_csv(tmp_path / "cases.csv", index=False)
    run_rscript("metafor.R", tmp_path)
    reference = pd.read_csv(tmp_path / "out_bcg.csv")
    ours = pd.read_csv(executed["bcg"] / "trials.csv")
    columns = ["trial", "year", "tpos", "tneg", "cpos", "cneg"]
    pd.testing.assert_frame_equal(ours[columns], reference[columns], check_dtype=False)
    assert ours["author"].tolist() == reference["author"].tolist()


def _lalonde():
    from causaldata import cps_mixtape, nsw_mixtape

    nsw = nsw_mixtape.load_pandas().data.drop(columns="data_id").astype(float)
    cps = cps_mixtape.load_pandas().data.drop(columns="data_id").astype(float)
    return nsw, cps


def test_lalonde_experimental_and_naive_figures_equal_dehejia_wahba(executed):
    """Dehejia & Wahba (1999), Table 3: $1,794 and −$8,498, to the dollar (the same differences in means)."""
    nsw, cps = _lalonde()
    key = _key(executed["lalonde"])
    trainees = nsw.loc[nsw["treat"] == 1, "re78"]
    experimental = trainees.mean() - nsw.loc[nsw["treat"] == 0, "re78"].mean()
    naive = trainees.mean() - cps["re78"].mean()
    row = key.loc["experimental estimate ($)"]
    assert row["ours"] == pytest.approx(experimental, rel=1e-12) and round(experimental) == row["published"] == 1794
    row = key.loc["trainees - CPS-1, unadjusted ($)"]
    assert row["ours"] == pytest.approx(naive, rel=1e-12) and round(naive) == row["published"] == -8498
    assert (executed["lalonde"] / "love_plot.png").stat().st_size > 5_000


def test_lalonde_matched_estimates_against_dehejia_wahba_table_3(executed):
    """Each matched figure recomputed from scratch (statsmodels' logistic regression and a full distance matrix,
    nearest on the logit, with replacement). Dehejia & Wahba (1999, Table 3, CPS-1, matching) publish $1,582: with
    their printed CPS score less `nodegree` it must agree to the dollar (same sample, score and rule give the same
    matches); with the printed score, or our simpler one, the matches differ, so only agreement within one
    published SE ($1,069) is asserted (matching estimates move by hundreds of dollars with the specification,
    Smith & Todd 2005)."""
    import statsmodels.api as sm

    nsw, cps = _lalonde()
    d = pd.concat([nsw[nsw["treat"] == 1], cps], ignore_index=True)
    d = d.assign(age2=d["age"] ** 2, age3=d["age"] ** 3, educ2=d["educ"] ** 2, u74=(d["re74"] == 0) * 1.0,
                 u75=(d["re75"] == 0) * 1.0, educ_re74=d["educ"] * d["re74"])
    printed = ["age", "age2", "age3", "educ", "educ2", "marr", "nodegree", "black", "hisp", "re74", "re75", "u74",
               "u75", "educ_re74"]
    specifications = {  # figure: (covariates, tolerance around the published 1,582)
        "matched, printed specification without no degree ($)": ([c for c in printed if c != "nodegree"], 0.5),
        "matched, printed specification ($)": (printed, 1069),
        "matched, our simpler specification ($)": (["age", "age2", "educ", "educ2", "black", "hisp", "marr",
                                                    "nodegree", "re74", "re75", "u74", "u75"], 1069),
    }
    key = _key(executed["lalonde"])
    t = d["treat"].to_numpy() == 1
    y = d["re78"].to_numpy()
    for figure, (covs, tolerance) in specifications.items():
        fit = sm.Logit(d["treat"], sm.add_constant(d[covs])).fit(disp=0, method="newton", maxiter=100, tol=1e-12)
        logit = fit.fittedvalues.to_numpy()
        nearest = np.argmin(np.abs(logit[t][:, None] - logit[~t][None, :]), axis=1)  # ties: first in the data
        att = y[t].mean() - y[~t][nearest].mean()
        row = key.loc[figure]
        assert row["ours"] == pytest.approx(att, abs=0.5), figure
        assert row["published"] == 1582 and row["tolerance"] == tolerance and row["agrees"]
        _assert_published({figure: (1582, att, tolerance)})


# --- re-derived from published figures ---------------------------------------------------------------------

def test_derbyshire_lines_add_up_and_costs_per_child_year(executed):
    key = _key(executed["derbyshire"])
    # the report's printed lines, summed by hand: service delivery + DCC management + educational psychology
    by_hand = {"2019/20": 191087 + 10000 + 10000, "2020/21": 164391 + 10000 + 10000, "2021/22": 162600 + 10000 + 10000}
    printed = {"2019/20": 211087, "2020/21": 184391, "2021/22": 182600}
    for year, total in by_hand.items():
        row = key.loc[f"total {year} (£)"]
        assert row["ours"] == total and row["published"] == printed[year] and row["agrees"]
    derived = pd.read_csv(executed["derbyshire"] / "derived.csv").set_index("years")
    per_child_year = derived["cost_per_child_year_at_most"]
    assert per_child_year[["2019/20", "2020/21", "2021/22"]].tolist() == pytest.approx([2110.87, 1843.91, 1826.00])
    assert per_child_year["2019/20, 2020/21, 2021/22"] == pytest.approx(578078 / 300)
    assert per_child_year["proposed contract (3 years)"] == pytest.approx(600000 / (3 * 100))
    assert derived["child_years_assumed"].tolist() == [100, 100, 100, 300, 300]


def test_nfer_implied_figures_by_hand(executed):
    implied = pd.read_csv(executed["nfer"] / "implied.csv").iloc[0]
    # by hand, with the notebook's stated assumptions: 20% of 300 comparison pupils, 30% of 300 mentored
    a, n1, c, n2 = 90, 300, 60, 300
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    expected = (1.5 * math.exp(-Z * se), 1.5 * math.exp(Z * se))
    assert (implied["rr_ci_low"], implied["rr_ci_high"]) == pytest.approx(expected)
    assert implied["odds_ratio"] == pytest.approx((a / (n1 - a)) / (c / (n2 - c)))  # 1.714
    assert implied["risk_difference"] == pytest.approx(0.1) and implied["number_needed"] == pytest.approx(10)


def _wilson(x, n):
    p = x / n
    centre, half = p + Z**2 / (2 * n), Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    return (centre - half) / (1 + Z**2 / n), (centre + half) / (1 + Z**2 / n)


def test_mcr_interval_for_the_assumed_cohorts_is_newcombe(executed):
    derived = pd.read_csv(executed["mcr"] / "derived.csv").iloc[0]
    # Newcombe (1998) method 10 by hand for the assumed cohorts: 54/100 and 86/100
    (l1, u1), (l2, u2) = _wilson(86, 100), _wilson(54, 100)
    low = 0.32 - math.sqrt((0.86 - l1) ** 2 + (u2 - 0.54) ** 2)
    high = 0.32 + math.sqrt((u1 - 0.86) ** 2 + (0.54 - l2) ** 2)
    assert (derived["ci_low"], derived["ci_high"]) == pytest.approx((100 * low, 100 * high))
    sensitivity = pd.read_csv(executed["mcr"] / "sensitivity.csv")
    widths = (sensitivity["ci_high"] - sensitivity["ci_low"]).tolist()
    assert widths == sorted(widths, reverse=True), "larger assumed cohorts give narrower intervals"
