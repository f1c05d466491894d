"""The table contract (cm_research.contract): one critical value, one required-columns check."""

from __future__ import annotations

import pandas as pd
import pytest

from cm_research.contract import InsufficientDataError, critical_value, require_columns, tidy
from cm_research.stats.matching import MatchingError


@pytest.mark.parametrize("confidence, dof, expected", [
    # printed tables: z 0.975 = 1.959964, z 0.95 = 1.644854, z 0.995 = 2.575829; t 0.975 with 5 df = 2.570582,
    # with 30 df = 2.042272 (e.g. NIST/SEMATECH e-Handbook, tables 1.3.6.7.1 and 1.3.6.7.2)
    (0.95, None, 1.959964), (0.90, None, 1.644854), (0.99, None, 2.575829), (0.95, 5, 2.570582), (0.95, 30, 2.042272),
])
def test_critical_value_matches_the_printed_tables(confidence, dof, expected):
    assert critical_value(confidence, dof) == pytest.approx(expected, abs=5e-7)


@pytest.mark.parametrize("confidence", [0, 1, 95, -0.5])
def test_critical_value_refuses_a_level_outside_zero_to_one(confidence):
    with pytest.raises(ValueError, match="between 0 and 1"):
        critical_value(confidence)


def test_required_columns_are_all_named_with_the_callers_error():
    data = pd.DataFrame({"site": ["a"], "score": [1]})
    with pytest.raises(InsufficientDataError, match=r"there is no column `group`, `value` in the data. "
                                                    r"The columns are: site, score."):
        require_columns(data, ["site", "group", None, "value"], "compare_groups")
    with pytest.raises(MatchingError, match="match_groups: there is no column `x`"):
        require_columns(data, ["x"], "match_groups", error=MatchingError)
    with pytest.raises(TypeError, match="must be a pandas DataFrame, not list"):
        require_columns([1, 2], ["x"], "compare_groups")
    require_columns(data, ["site", "score"], "compare_groups")  # nothing missing: no error


def test_tidy_puts_se_right_after_the_estimate():
    # the house order: ids, measure, method, counts, estimate, se, ci_low, ci_high, statistic, dof, p_val, the rest,
    # note; a row without a standard error (here the second) holds NaN
    rows = [{"extra": 1.0, "p_val": 0.5, "ci_low": 0.0, "se": 0.1, "estimate": 0.2, "n": 10, "method": "m"},
            {"estimate": 0.3, "method": "m2", "note": "no se"}]
    table = tidy(rows)
    assert list(table.columns) == ["method", "n", "estimate", "se", "ci_low", "p_val", "extra", "note"]
    assert pd.isna(table.loc[1, "se"]) and table.loc[0, "se"] == 0.1
