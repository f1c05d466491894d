"""The published-vs-ours table, p-value formatting and warning collection used by the reproduction notebooks."""

from __future__ import annotations

import warnings

import pytest

from cm_research.report.reproduction import collect_warnings, compare_with_published, format_p, published_inputs


def test_default_tolerance_is_half_a_unit_in_the_last_published_decimal():
    table = compare_with_published([
        {"figure": "a", "published": 0.17, "ours": 0.1749, "decimals": 2, "reason": "rounded to 2 decimals"},
        {"figure": "b", "published": 0.17, "ours": 0.1751, "decimals": 2, "reason": "rounded to 2 decimals"},
        {"figure": "c", "published": 1582, "ours": 1827, "decimals": 0, "tolerance": 1069, "reason": "one SE"},
    ]).set_index("figure")
    assert table.loc["a", "tolerance"] == pytest.approx(0.005) and table.loc["a", "agrees"]
    assert not table.loc["b", "agrees"]  # 0.1751 rounds to 0.18
    assert table.loc["c", "agrees"] and table.loc["c", "difference"] == 245
    assert table.loc["a", "ours_rounded"] == 0.17


def test_a_row_without_a_reason_is_refused():
    with pytest.raises(ValueError, match="no reason"):
        compare_with_published([{"figure": "x", "published": 1, "ours": 1, "decimals": 0}])


def test_inputs_have_no_ours_column():
    table = published_inputs([{"figure": "54% in 2013-14", "value": 0.54, "source": "report"}])
    assert list(table.columns) == ["figure", "value", "source"]


@pytest.mark.parametrize("p, text", [(0.0, "< 0.001"), (0.00049, "< 0.001"), (0.001, "0.001"), (0.0079, "0.008"),
                                     (float("nan"), "")])
def test_p_values_are_never_shown_as_zero(p, text):
    assert format_p(p) == text


def test_warnings_are_collected_as_messages_without_paths():
    with collect_warnings() as messages:
        warnings.warn("poor balance on age")
        warnings.warn("poor balance on age")
        warnings.warn("few matches", RuntimeWarning)
    assert messages == ["poor balance on age", "few matches"]
