"""Reliable Change Index (Jacobson & Truax 1991) against hand calculations worked out here.

SDQ parent total difficulties: r_xx = 0.82, SD = 5.8, so SE = 5.8 sqrt(0.18) = 2.460732,
S_diff = sqrt(2) SE = 3.480000 (to 6 decimals), and a change is reliable beyond 1.96 x 3.48 = 6.8208 points.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from cm_research.measures import MissingReliabilityError
from cm_research.stats import InsufficientDataError
from cm_research.stats.change import CATEGORIES, reliable_change, reliable_change_table

S_DIFF = math.sqrt(2) * 5.8 * math.sqrt(1 - 0.82)


def long_form(before: dict, after: dict, measure: str = "sdq_total") -> pd.DataFrame:
    rows = [(pid, measure, "baseline", v) for pid, v in before.items()]
    rows += [(pid, measure, "post", v) for pid, v in after.items()]
    return pd.DataFrame(rows, columns=["participant_id", "measure", "timepoint", "value"])


def test_s_diff_hand_worked():
    assert S_DIFF == pytest.approx(3.48, abs=1e-6)
    res = reliable_change(long_form({"a": 22}, {"a": 14}), reliability=0.82, sd=5.8, better="lower")
    assert res.attrs["s_diff"] == pytest.approx(3.48, abs=1e-6)
    assert res.attrs["reliable_change_threshold"] == pytest.approx(1.959964 * 3.48, abs=1e-5)
    assert res["rci"].iloc[0] == pytest.approx(-8 / 3.48, abs=1e-6)  # -2.2989


@pytest.mark.parametrize("before, after, category", [
    (22, 14, "reliable improvement"),     # change -8: RCI -2.30
    (22, 15, "reliable improvement"),     # change -7: RCI -2.01
    (22, 16, "no reliable change"),       # change -6: RCI -1.72
    (10, 16, "no reliable change"),       # change +6
    (10, 17, "reliable deterioration"),   # change +7: RCI +2.01
])
def test_lower_is_better_classification(before, after, category):
    res = reliable_change(long_form({"a": before}, {"a": after}), reliability=0.82, sd=5.8, better="lower")
    assert res["reliable_change"].iloc[0] == category


def test_higher_is_better_flips_the_direction():
    # WEMWBS: r = 0.91, SD = 8.79 -> S_diff = sqrt(2) * 8.79 * 0.3 = 3.7291; 1.96 S_diff = 7.309.
    data = long_form({"a": 40, "b": 55, "c": 50}, {"a": 48, "b": 47, "c": 55}, "wemwbs")
    res = reliable_change(data, reliability=0.91, sd=8.79, better="higher").set_index("participant_id")
    assert res.loc["a", "rci"] == pytest.approx(8 / (math.sqrt(2) * 8.79 * 0.3), abs=1e-6)
    assert res["reliable_change"].to_dict() == {"a": "reliable improvement", "b": "reliable deterioration",
                                                "c": "no reliable change"}


def test_criterion_follows_confidence():
    # change -6: RCI -1.724 is reliable at 90% (z = 1.645) but not at 95%.
    data = long_form({"a": 22}, {"a": 16})
    assert reliable_change(data, reliability=0.82, sd=5.8, better="lower", confidence=0.90)[
        "reliable_change"].iloc[0] == "reliable improvement"


def test_clinically_significant_change_needs_reliable_improvement_out_of_the_clinical_range():
    before = {"rec": 22, "stay": 25, "small": 18, "outside": 12, "worse": 15}
    after = {"rec": 14, "stay": 17, "small": 16, "outside": 4, "worse": 24}
    res = reliable_change(long_form(before, after), reliability=0.82, sd=5.8, better="lower",
                          clinical_cutoff=17).set_index("participant_id")
    # rec: 22 -> 14, reliable and leaves >=17: clinically significant.
    # stay: 25 -> 17, reliable (RCI -2.30) but still at the cut-off: not.
    # small: 18 -> 16, leaves the range but not reliably: not.
    # outside: started below 17: not applicable (NA).
    significant = res["clinically_significant"]
    assert str(significant.dtype) == "boolean"
    assert significant.dropna().astype(bool).to_dict() == {"rec": True, "small": False, "stay": False}
    assert significant.isna().sum() == 2 and significant.isna()[["outside", "worse"]].all()
    assert res.loc["outside", "note"] == "started outside the clinical range"
    assert res.loc["worse", "clinical_after"] and not res.loc["worse", "clinical_before"]


def test_cutoff_when_higher_is_better():
    res = reliable_change(long_form({"a": 38}, {"a": 50}, "wemwbs"), reliability=0.91, sd=8.79, better="higher",
                          clinical_cutoff=40)
    assert bool(res["clinical_before"].iloc[0]) and not bool(res["clinical_after"].iloc[0])
    assert bool(res["clinically_significant"].iloc[0])


def test_bad_parameters_are_refused():
    data = long_form({"a": 1}, {"a": 2})
    with pytest.raises(ValueError, match="reliability"):
        reliable_change(data, reliability=1.2, sd=5.8, better="lower")
    with pytest.raises(ValueError, match="sd"):
        reliable_change(data, reliability=0.8, sd=0, better="lower")
    with pytest.raises(ValueError, match="better"):
        reliable_change(data, reliability=0.8, sd=5, better="down")


# ------------------------------------------------------------------ the table for the outcomes notebook


def test_table_uses_instrument_metadata_and_catalogue_direction():
    data = long_form({"a": 22, "b": 15, "c": 10, "d": 18, "e": 30}, {"a": 14, "b": 13, "c": 17, "d": 12})
    table = reliable_change_table(data, "sdq_total")
    assert table.people["participant_id"].tolist() == ["a", "b", "c", "d"]
    assert table.people["reliable_change"].tolist() == ["reliable improvement", "no reliable change",
                                                        "reliable deterioration", "no reliable change"]
    assert table.summary["category"].tolist()[:3] == list(CATEGORIES)
    assert table.summary["n"].tolist() == [1, 2, 1, 1]
    # clinically significant: a (22 -> 14); eligible: a and d (>= 17 at baseline)
    assert table.summary.iloc[3][["n", "of"]].tolist() == [1, 2]
    assert table.summary["percent"].iloc[0] == pytest.approx(25.0)
    params = table.parameters.iloc[0]
    assert params["reliability"] == 0.82 and "Goodman" in params["reliability_source"]
    assert params["normative_sd"] == 5.8 and params["s_diff"] == pytest.approx(3.48, abs=1e-6)
    assert params["better"] == "lower" and params["clinical_cutoff"] == 17
    assert params["n"] == 4 and params["n_dropped"] == 1 and "1 participant(s)" in table.note
    assert "Jacobson & Truax" in params["se_method"]


def test_measure_without_reliability_metadata():
    data = long_form({"a": 21}, {"a": 28}, "swemwbs")
    with pytest.raises(MissingReliabilityError, match="no reliability and normative SD.*sdq_total, wemwbs"):
        reliable_change_table(data, "swemwbs")
    table = reliable_change_table(data, "swemwbs", on_missing="note")
    assert table.empty and table.summary.empty and "no reliable change for 'swemwbs'" in table.note
    assert reliable_change_table(data, "attendance_pct", on_missing="note").empty


def test_measure_absent_from_the_data_gives_an_empty_table_with_a_note():
    table = reliable_change_table(long_form({"a": 21}, {"a": 28}, "wemwbs"), "sdq_total")
    assert table.empty and "no rows for measure 'sdq_total'" in table.note


def test_nobody_with_both_timepoints():
    data = long_form({"a": 21, "b": 20}, {}, "sdq_total")
    data.loc[len(data)] = ["c", "sdq_total", "post", 12]
    table = reliable_change_table(data, "sdq_total")
    assert table.empty and "no participant has a value" in table.note


def test_missing_columns_are_named():
    with pytest.raises(InsufficientDataError, match="no column `timepoint`"):
        reliable_change_table(pd.DataFrame({"participant_id": [], "measure": [], "value": []}), "sdq_total")


def test_clinical_cutoffs_a_b_c_hand_worked():
    from cm_research.stats import clinical_cutoffs

    # lower is better (e.g. SDQ total difficulties): clinical sample 20 ± 5, functional 8 ± 4.
    # a = 20 - 2 × 5 = 10; b = 8 + 2 × 4 = 16; c = (5 × 8 + 4 × 20) / (5 + 4) = 120 / 9 = 13.333...
    got = clinical_cutoffs(20.0, 5.0, 8.0, 4.0, better="lower").set_index("criterion")["estimate"]
    assert got.tolist() == pytest.approx([10.0, 16.0, 120 / 9], abs=1e-12)
    # c is as many clinical SDs from the clinical mean as functional SDs from the functional mean
    assert (20 - got["c"]) / 5 == pytest.approx((got["c"] - 8) / 4, abs=1e-12)
    # higher is better (e.g. SWEMWBS): clinical 18 ± 3, functional 24 ± 3 -> a = 24, b = 18, c = 21 (midpoint)
    up = clinical_cutoffs(18.0, 3.0, 24.0, 3.0, better="higher").set_index("criterion")["estimate"]
    assert up.tolist() == pytest.approx([24.0, 18.0, 21.0], abs=1e-12)
    only_a = clinical_cutoffs(18.0, 3.0, better="higher").set_index("criterion")
    assert only_a.loc["a", "estimate"] == 24.0 and math.isnan(only_a.loc["c", "estimate"])
    assert "no functional" in only_a.loc["c", "note"]
    apart = clinical_cutoffs(30.0, 2.0, 5.0, 2.0, better="lower").set_index("criterion")
    assert "prefer b" in apart.loc["c", "note"]  # a = 26 lies far beyond b = 9: no overlap
    with pytest.raises(ValueError, match="must be below"):
        clinical_cutoffs(8.0, 4.0, 20.0, 5.0, better="lower")
    with pytest.raises(ValueError, match="positive"):
        clinical_cutoffs(20.0, 0.0, 8.0, 4.0, better="lower")


def test_rci_published_worked_example():
    # Wodrich, "How to calculate reliable change indexes (RCIs)", appendix E of an open textbook (University of
    # Arizona): Piers-Harris-2 total score, SEM 3.07 from its manual (Piers & Herzberg 2002); S_diff
    # = sqrt(2 × 3.07²) = 4.34; reliable change needs more than 1.96 × 4.34 = 8.51 points; a pupil going from 24
    # to 35 (+11) changed reliably. The total is a T score (SD 10), so SEM 3.07 means r_xx = 1 - 0.307².
    data = pd.DataFrame({"participant_id": ["p", "p"], "timepoint": ["baseline", "post"], "value": [24, 35]})
    res = reliable_change(data, reliability=1 - 0.307**2, sd=10.0, better="higher")
    assert round(res.attrs["s_diff"], 2) == 4.34
    assert round(res.attrs["reliable_change_threshold"], 2) == 8.51
    assert res.loc[0, "rci"] == pytest.approx(11 / (math.sqrt(2) * 3.07), rel=1e-12)
    assert res.loc[0, "reliable_change"] == "reliable improvement"
