"""WEMWBS and SWEMWBS totals, and SWEMWBS's published raw-to-metric conversion."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cm_research.measures import (
    ItemResponseError,
    score_instrument,
    score_swemwbs,
    score_wemwbs,
    scores_wide,
    swemwbs_metric,
    to_outcomes,
)

# SWEMWBS conversion table (Stewart-Brown et al. 2009; Warwick Medical School), raw 7..35 -> metric.
# Typed from the published table; an independent copy is danlewer/aow_adolescent_mh swemwbs_metric_lookup.csv.
PUBLISHED_METRIC = [7.00, 9.51, 11.25, 12.40, 13.33, 14.08, 14.75, 15.32, 15.84, 16.36, 16.88, 17.43, 17.98, 18.59,
                    19.25, 19.98, 20.73, 21.54, 22.35, 23.21, 24.11, 25.03, 26.02, 27.03, 28.13, 29.31, 30.70,
                    32.55, 35.00]
SWEMWBS_ITEMS = ["optimistic", "useful", "relaxed", "dealing_with_problems", "thinking_clearly", "close_to_others",
                 "own_mind"]
WEMWBS_ITEMS = ["optimistic", "useful", "relaxed", "interested_in_people", "energy", "dealing_with_problems",
                "thinking_clearly", "good_about_self", "close_to_others", "confident", "own_mind", "loved",
                "interested_in_new_things", "cheerful"]


def test_conversion_matches_the_published_table_for_every_raw_score():
    assert swemwbs_metric(range(7, 36)).tolist() == PUBLISHED_METRIC


def test_scored_forms_give_raw_and_metric():
    forms = pd.DataFrame([
        dict(zip(SWEMWBS_ITEMS, [3, 3, 3, 3, 3, 3, 3])),   # raw 21
        dict(zip(SWEMWBS_ITEMS, [5, 4, 4, 4, 4, 4, 3])),   # raw 28
        dict(zip(SWEMWBS_ITEMS, [1, 1, 1, 1, 1, 1, 1])),   # raw 7
    ])
    wide = scores_wide(score_swemwbs(forms))
    assert wide["raw"].tolist() == [21, 28, 7]
    assert wide["metric"].tolist() == [PUBLISHED_METRIC[21 - 7], PUBLISHED_METRIC[28 - 7], 7.00]


def test_incomplete_swemwbs_is_not_scored_nor_converted():
    form = dict(zip(SWEMWBS_ITEMS, [3, 3, 3, 3, 3, 3, np.nan]))
    long = score_swemwbs(pd.DataFrame([form])).set_index("score")
    assert math.isnan(long.loc["raw", "value"]) and math.isnan(long.loc["metric", "value"])
    assert "6 of 7 items answered, 7 needed (missing: own_mind)" in long.loc["raw", "note"]
    assert long.loc["metric", "note"] == "no raw score to convert"


def test_wemwbs_total_is_the_sum_of_fourteen_items():
    forms = pd.DataFrame([dict(zip(WEMWBS_ITEMS, [4] * 7 + [3] * 7)), dict(zip(WEMWBS_ITEMS, [5] * 14))])
    assert scores_wide(score_wemwbs(forms))["total"].tolist() == [49, 70]


def test_answers_outside_one_to_five_are_refused():
    forms = pd.DataFrame([dict(zip(WEMWBS_ITEMS, [0] + [3] * 13))])
    with pytest.raises(ItemResponseError, match=r"row 0, column `optimistic`: 0 is not an allowed answer"):
        score_wemwbs(forms)


def test_metric_conversion_refuses_impossible_totals():
    assert math.isnan(swemwbs_metric([None]).iloc[0])
    with pytest.raises(ValueError, match=r"not convertible: 1: 6, 2: 21.5"):
        swemwbs_metric([21, 6, 21.5])


def test_scores_become_outcome_rows_for_mapped_measures():
    forms = pd.DataFrame([dict(zip(SWEMWBS_ITEMS, [3] * 7)), dict(zip(SWEMWBS_ITEMS, [4] * 7))])
    forms.insert(0, "participant_id", ["SYN-1", "SYN-1"])
    forms.insert(1, "timepoint", ["baseline", "post"])
    rows = to_outcomes(score_swemwbs(forms), "swemwbs")
    # raw maps to the measure swemwbs; the metric score has no outcomes measure, so it is not emitted
    assert rows.values.tolist() == [["SYN-1", "swemwbs", "baseline", 21.0], ["SYN-1", "swemwbs", "post", 28.0]]


def test_likert_mean_score_with_prorating_rule_of_the_file():
    habits = ["imaginative", "inquisitive", "persistent", "collaborative", "disciplined"]
    forms = pd.DataFrame([dict(zip(habits, [4, 5, 3, 4, np.nan])), dict(zip(habits, [4, np.nan, 3, 4, np.nan]))])
    long = score_instrument(forms, "creative_habits").set_index("row")
    assert long.loc[0, "value"] == pytest.approx(4.0) and long.loc[0, "note"] == "mean of 4 of 5 items"
    assert math.isnan(long.loc[1, "value"])  # only 3 answered, the file asks for 4
