"""Matching on the LaLonde (1986) / Dehejia-Wahba (1999) data against R's MatchIt, run in the test.

For each specification R's MatchIt chooses the matches, R computes the balance table
(``summary.matchit``) and the ATT with its cluster-robust SE (``lm`` + ``sandwich::vcovCL`` +
``lmtest::coeftest``), as MatchIt's documentation recommends; we compare every match, weight, balance
statistic and the ATT row. See reference/matchit.R for why MatchIt is given distance matrices.
Tolerances: 1e-6 relative on statistics (our logistic regression and R's glm agree to ~1e-9 on the
propensity scores), exact equality on the matched pairs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cm_research.stats.matching import match_groups, matched_effect

from .conftest import LALONDE_COVARIATES, read_scalars, run_rscript

pytestmark = pytest.mark.r
SPEC = dict(between="treat", treated=1.0, control=0.0, subject="id", warn=False)
SPECS = {
    "ps": dict(distance="propensity"),
    "mahalanobis": dict(distance="mahalanobis"),
    "caliper": dict(distance="propensity", ratio=2, caliper=0.2, exact=["nodegree"]),
    "replace": dict(distance="propensity", ratio=3, replace=True),
    "exact": dict(distance=None, exact=["educ", "black", "hisp", "marr", "nodegree"]),
}


@pytest.fixture(scope="module")
def reference(lalonde_cps, tmp_path_factory):
    """Our matchings of every specification, and R's results for the same data."""
    io_dir = tmp_path_factory.mktemp("matchit")
    lalonde_cps.to_csv(io_dir / "lalonde.csv", index=False)
    ours = {name: match_groups(lalonde_cps, LALONDE_COVARIATES, **SPEC, **spec) for name, spec in SPECS.items()}
    ours["replace"].data.to_csv(io_dir / "ours_replace.csv", index=False)
    run_rscript("matchit.R", io_dir)
    return ours, io_dir, read_scalars(io_dir / "out_scalars.csv")


def _pairs(frame: pd.DataFrame, treated: str, control: str) -> set[tuple[str, str]]:
    return set(zip(frame[treated], frame[control]))


def _weights(ours, io_dir, name) -> tuple[pd.Series, pd.Series]:
    r = pd.read_csv(io_dir / f"out_weights_{name}.csv").set_index("id")["weight"]
    mine = ours[name].data.set_index("id")["weight"].reindex(r.index, fill_value=0.0)
    return mine, r


def _check_balance(matching, io_dir, name, which, columns=("mean_treated", "mean_control", "smd", "var_ratio")):
    r = pd.read_csv(io_dir / f"out_balance_{name}_{which}.csv").set_index("covariate")
    sample = "after matching" if which == "matched" else "before matching"
    mine = matching.balance[matching.balance["sample"] == sample].set_index("covariate").loc[r.index]
    for column in columns:
        np.testing.assert_allclose(mine[column], r[column], rtol=1e-6, atol=1e-9, err_msg=f"{name} {which} {column}")


def _check_att(matching, r, se="cluster"):
    row = matched_effect(matching, "re78", se=se).iloc[0]
    for ours_key, r_key in (("estimate", "estimate"), ("se", "se"), ("ci_low", "ci_low"), ("ci_high", "ci_high"),
                            ("statistic", "t"), ("p_val", "p"), ("dof", "df")):
        assert row[ours_key] == pytest.approx(r[r_key], rel=1e-6), ours_key


def test_propensity_scores_match_glm(reference):
    ours, io_dir, _ = reference
    r = pd.read_csv(io_dir / "out_ps.csv").set_index("id")["ps"]
    mine = ours["ps"].data.set_index("id")["distance"]
    np.testing.assert_allclose(mine, r.loc[mine.index], rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize("name", ["ps", "mahalanobis", "caliper"])
def test_same_matches_weights_balance_and_att_as_matchit(reference, name):
    ours, io_dir, scalars = reference
    m = ours[name]
    r_pairs = pd.read_csv(io_dir / f"out_pairs_{name}.csv")
    assert _pairs(m.pairs, "treated_id", "control_id") == _pairs(r_pairs, "treated", "control")
    mine, r = _weights(ours, io_dir, name)
    np.testing.assert_allclose(mine, r, rtol=1e-12, atol=1e-12)
    for which in ("all", "matched"):
        _check_balance(m, io_dir, name, which)
    _check_att(m, scalars[name])


def test_caliper_leaves_the_same_treated_unmatched(reference):
    ours, io_dir, scalars = reference
    m = ours["caliper"]
    assert m.settings["caliper_absolute"] == pytest.approx(scalars["caliper"]["caliper_abs"], rel=1e-7)
    r_pairs = pd.read_csv(io_dir / "out_pairs_caliper.csv")
    treated = set(m.data.loc[m.data["treat"] == 1, "id"]) | set(m.unmatched["id"])
    assert set(m.unmatched["id"]) == treated - set(r_pairs["treated"])
    assert len(m.unmatched) > 0, "the specification is meant to leave someone unmatched"
    # with 1:2 matching and a caliper some treated get only one match: weights then differ from 1
    assert (r_pairs.groupby("treated").size() == 1).any()


def test_with_replacement_same_nearest_distances_and_balance(reference, lalonde_cps):
    ours, io_dir, scalars = reference
    m = ours["replace"]
    r_pairs = pd.read_csv(io_dir / "out_pairs_replace.csv")
    ps = pd.read_csv(io_dir / "out_ps.csv").set_index("id")["ps"]
    r_pairs["d"] = (ps.loc[r_pairs["treated"]].to_numpy() - ps.loc[r_pairs["control"]].to_numpy())
    r_d = r_pairs.assign(d=r_pairs["d"].abs()).groupby("treated")["d"].apply(sorted)
    mine_d = m.pairs.groupby("treated_id")["match_distance"].apply(sorted)
    for t in r_d.index:
        np.testing.assert_allclose(mine_d[t], r_d[t], rtol=1e-6, atol=1e-9)
    # Tied comparison units have identical covariates, so the means cannot depend on which was taken.
    # (The weighted variance can: one unit taken twice has weight 2, two identical units weight 1 each,
    # which changes the Σw² term, so variance ratios are not compared here.)
    covs = lalonde_cps.set_index("id")[LALONDE_COVARIATES]
    for t in r_d.index:
        r_rows = covs.loc[r_pairs.loc[r_pairs["treated"] == t, "control"]].sort_values(LALONDE_COVARIATES).to_numpy()
        our_rows = covs.loc[m.pairs.loc[m.pairs["treated_id"] == t, "control_id"]].sort_values(LALONDE_COVARIATES).to_numpy()
        np.testing.assert_array_equal(our_rows, r_rows)
    _check_balance(m, io_dir, "replace", "matched", columns=("mean_treated", "mean_control", "smd"))
    # HC1 standard error: R's vcovHC on our own matched sample
    _check_att(m, scalars["replace_ours"], se="robust")


def test_exact_matching_weights_and_balance(reference):
    ours, io_dir, scalars = reference
    m = ours["exact"]
    mine, r = _weights(ours, io_dir, "exact")
    np.testing.assert_allclose(mine, r, rtol=1e-12, atol=1e-12)
    _check_balance(m, io_dir, "exact", "matched")
    _check_att(m, scalars["exact"])
