"""Adversarial inputs where our estimators once gave a number R does not (round 3 of the R checks).

* An infinite outcome: R's ``t.test`` stops ("missing value where TRUE/FALSE needed" from its constancy check);
  we gave a mean difference of inf with 1 degree of freedom and no note. Now an error naming the column and row.
* A missing change in ``signed_rank_test``: R's ``wilcox.test`` leaves out NA (V = 8.5, p = 0.2693 for
  1, 2, NA, -1, 3); we returned NaN for everything. The R figures are worked by hand below.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cm_research.contract import InsufficientDataError
from cm_research.stats import ancova, compare_groups, paired_change, rate_ratio, signed_rank_test


def two_groups(x, y, **extra) -> pd.DataFrame:
    return pd.DataFrame({"group": ["mentored"] * len(x) + ["comparison"] * len(y), "y": list(x) + list(y), **extra})


@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_an_infinite_outcome_is_an_error_naming_row_and_column(value):
    with pytest.raises(InsufficientDataError, match=r"column `y` holds an infinite value .* row\(s\) 1"):
        compare_groups(two_groups([3, value, 4], [1, 2, 5]), "y")
    with pytest.raises(InsufficientDataError, match="column `pre` holds an infinite value"):
        ancova(two_groups([3, 4, 5], [1, 2, 5], pre=[1, 2, value, 1, 2, 3]), "y", "group", "pre")
    with pytest.raises(InsufficientDataError, match="column `days` holds an infinite value"):
        rate_ratio(two_groups([1, 2, 0], [3, 1, 2], days=[1, value, 2, 1, 1, 1]), "y", exposure="days")
    long = pd.DataFrame({"participant_id": [1, 2, 3] * 2, "timepoint": ["baseline"] * 3 + ["post"] * 3,
                         "value": [1, 2, 3, 2, value, 4]})
    with pytest.raises(InsufficientDataError, match=r"column `value` holds an infinite value .* row\(s\) 4"):
        paired_change(long, n_boot=20)


def test_signed_rank_leaves_out_a_missing_change_as_r_does():
    got = signed_rank_test([1, 2, np.nan, -1, 3]).iloc[0]
    # changes 1, 2, -1, 3: |d| ranks 1.5, 3, 1.5, 4 -> V = 1.5 + 3 + 4 = 8.5; a tie, so normal approximation:
    # E V = 4·5/4 = 5, var = 4·5·9/24 - (2³ - 2)/48 = 7.375, z = (8.5 - 5 - 0.5) / sqrt(7.375)
    z = 3 / math.sqrt(7.375)
    assert got["statistic"] == 8.5
    assert got["p_val"] == pytest.approx(2 * stats.norm.sf(z), rel=1e-12)
    assert round(got["p_val"], 4) == 0.2693  # R: wilcox.test(c(1, 2, NA, -1, 3))$p.value = 0.2692941
    assert "1 missing change(s) left out" in got["note"]
    # an infinite change is a value for R (it ranks highest): V = 8.5, p = 0.2693 for 1, 2, Inf, -1
    inf = signed_rank_test([1, 2, np.inf, -1]).iloc[0]
    assert inf["statistic"] == 8.5 and round(inf["p_val"], 4) == 0.2693


def test_ancova_that_fits_exactly_gives_no_t_where_r_warns():
    # post = pre + 1 in both groups: the adjusted difference is 0 and the residuals are 0. R's summary.lm warns
    # "essentially perfect fit: summary may be unreliable" and prints t = 1.03, p = 0.378 from rounding noise
    # (SE 1.8e-16); we printed t = -0.75, p = 0.51. Now: no SE, CI, t or p, and a note.
    data = two_groups([2, 3, 4], [2, 3, 4], pre=[1, 2, 3, 1, 2, 3])
    got = ancova(data, "y", "group", "pre").iloc[0]
    assert got["estimate"] == pytest.approx(0, abs=1e-12)
    assert all(math.isnan(got[c]) for c in ("se", "ci_low", "ci_high", "statistic", "p_val"))
    assert "fits the data exactly" in got["note"]
    # a fit that is merely very good is still reported: R's lm gives SE 8.164966e-08 for the group here
    near = data.assign(y=data["y"] + 1e-7 * np.array([1, -1, 0, 0, 1, -1]))
    close = ancova(near, "y", "group", "pre").iloc[0]
    assert close["se"] == pytest.approx(8.164966e-08, rel=1e-6) and close["note"] == ""


@pytest.mark.parametrize("weights, message", [([1, 1, 1, -1, 2, 1], "0 or more"), ([1, 1, 1, np.nan, 1, 1], "0 or more"),
                                              ([1, 1, 1, 0, 0, 0], "every weight in group 'comparison' is 0")])
def test_balance_weights_that_are_negative_missing_or_all_zero_are_errors(weights, message):
    # R's weighted.mean gives NaN for all-zero weights and a meaningless mean for negative ones; we did the same
    # silently (a negative weight gave a plausible-looking comparison mean of 4.0)
    from cm_research.stats import MatchingError, balance_table

    data = two_groups([1, 2, 3], [2, 3, 4], w=weights)
    with pytest.raises(MatchingError, match=message):
        balance_table(data, ["y"], weights="w")
    # a zero weight for some units is fine: they count as unmatched (n_control counts positive weights)
    ok = balance_table(data.assign(w=[1, 1, 1, 0, 1, 1]), ["y"], weights="w").iloc[0]
    assert ok["n_control"] == 2 and ok["mean_control"] == 3.5
