"""Likert items: reverse scoring, percentages, median CIs (by hand and with R's qbinom), change between waves (R)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cm_research.surveys import (LEVEL_LABELS, SurveyDataError, keyed_responses, likert_distribution, likert_items,
                                 median_ci, reverse_score, wave_change)

from .conftest import long_answers


def test_reverse_score_swaps_the_ends_and_keeps_the_middle_and_missing():
    out = reverse_score(pd.Series([1, 2, 3, 4, 5, np.nan]))
    assert out.tolist()[:5] == [5, 4, 3, 2, 1] and math.isnan(out.iloc[5])
    assert reverse_score(7, low=1, high=7) == 1


def test_keyed_responses_reverse_only_the_items_marked_so():
    catalogue = pd.DataFrame({"item": ["a", "b"], "reverse_scored": [False, True]})
    data = pd.DataFrame({"item": ["a", "b", "b"], "response": [2, 2, None]})
    out = keyed_responses(data, catalogue)
    assert out["scored"].tolist()[:2] == [2, 4] and math.isnan(out["scored"].iloc[2])
    with pytest.raises(SurveyDataError, match="item\\(s\\) c are not in the item catalogue"):
        keyed_responses(pd.DataFrame({"item": ["c"], "response": [1]}), catalogue)


def test_median_ci_of_ten_values_by_hand():
    # n = 10: P(B <= 1) = 11/1024 = 0.0107 <= 0.025 < P(B <= 2) = 56/1024, so r = 2, s = 9 (Conover 1999, 3.2).
    x = [5, 1, 4, 2, 3, 3, 4, 4, 2, 5]  # sorted: 1 2 2 3 3 4 4 4 5 5
    row = median_ci(x).iloc[0]
    assert row["estimate"] == 3.5
    assert (row["rank_low"], row["rank_high"]) == (2, 9)
    assert (row["ci_low"], row["ci_high"]) == (2, 5)
    assert row["coverage"] == pytest.approx(1 - 2 * 11 / 1024, abs=1e-12)


def test_median_ci_needs_six_values_at_95_percent():
    # 0.5^5 = 0.03125 > 0.025 but 0.5^6 = 0.0156 <= 0.025: with 6 values the CI is [min, max].
    assert math.isnan(median_ci([1, 2, 3, 4, 5]).iloc[0]["ci_low"])
    assert "no distribution-free 95% CI" in median_ci([1, 2, 3, 4, 5]).iloc[0]["note"]
    row = median_ci([3, 1, 2, 5, 4, 6]).iloc[0]
    assert (row["ci_low"], row["ci_high"], row["coverage"]) == (1, 6, pytest.approx(1 - 2 / 64))


@pytest.mark.r
def test_median_ci_order_statistics_match_r_qbinom(r_run):
    rng = np.random.default_rng(7)
    cases = [(n, conf) for n in (6, 7, 10, 13, 20, 25, 38, 40, 61) for conf in (0.9, 0.95, 0.99)]
    cases = [(n, c) for n, c in cases if 0.5**n <= (1 - c) / 2]
    reference = r_run(
        """
        out <- do.call(rbind, lapply(seq_len(nrow(cases)), function(i) {
          n <- cases$n[i]; a <- (1 - cases$conf[i]) / 2
          r <- qbinom(a, n, 0.5)                      # smallest k with P(B <= k) >= a
          if (pbinom(r, n, 0.5) <= a) r <- r + 1      # then P(B <= r - 1) <= a < P(B <= r)
          data.frame(n = n, conf = cases$conf[i], r = r, s = n - r + 1, coverage = 1 - 2 * pbinom(r - 1, n, 0.5))
        }))
        write.csv(out, stdout(), row.names = FALSE)
        """,
        {"cases": pd.DataFrame(cases, columns=["n", "conf"])},
    )
    for ref in reference.itertuples():
        x = rng.integers(1, 6, size=int(ref.n))
        row = median_ci(x, confidence=ref.conf).iloc[0]
        assert (row["rank_low"], row["rank_high"]) == (ref.r, ref.s), (ref.n, ref.conf)
        xs = np.sort(x)
        assert (row["ci_low"], row["ci_high"]) == (xs[int(ref.r) - 1], xs[int(ref.s) - 1])
        assert row["coverage"] == pytest.approx(ref.coverage, abs=1e-12)


def test_percent_agree_neutral_disagree_by_hand_with_dont_know_left_out():
    rows = [(f"r{i}", "carer", "baseline", "cost", v, "") for i, v in enumerate([1, 2, 2, 3, 4, 4, 4, 5])]
    rows += [("r8", "carer", "baseline", "cost", None, True), ("r9", "carer", "baseline", "cost", None, None)]
    out = likert_items(long_answers(rows)).iloc[0]
    # 8 valid answers: 3 disagree (1, 2, 2), 1 neutral, 4 agree; one don't know, one skipped.
    assert (out["n"], out["n_dont_know"], out["n_missing"]) == (8, 1, 1)
    assert out["pct_disagree"] == pytest.approx(100 * 3 / 8)
    assert out["pct_neutral"] == pytest.approx(100 * 1 / 8)
    assert out["pct_agree"] == pytest.approx(100 * 4 / 8)
    assert out["median"] == 3.5  # sorted 1 2 2 3 4 4 4 5: the 4th and 5th values are 3 and 4


def test_distribution_counts_every_level_and_adds_to_100():
    rows = [(f"r{i}", "mentor", w, "cost", v, "") for i, (w, v) in enumerate(
        [("baseline", 1), ("baseline", 5), ("baseline", 5), ("end", 3)])]
    dist = likert_distribution(long_answers(rows))
    base = dist[dist["wave"] == "baseline"]
    assert base["level"].tolist() == [1, 2, 3, 4, 5] and base["n"].tolist() == [1, 0, 0, 0, 2]
    assert base["pct"].sum() == pytest.approx(100)
    assert base["level_label"].tolist() == [LEVEL_LABELS[k] for k in range(1, 6)]


def test_answers_outside_the_scale_are_refused_with_the_row():
    data = long_answers([("r1", "carer", "end", "cost", 6, "")])
    with pytest.raises(SurveyDataError, match="whole numbers from 1 to 5; row\\(s\\) 0 hold 6"):
        likert_items(data)


def _paired_item(before, after, item="cost"):
    rows = []
    for i, (b, a) in enumerate(zip(before, after)):
        rows += [(f"p{i}", "carer", "baseline", item, b, ""), (f"p{i}", "carer", "end", item, a, "")]
    return rows


@pytest.mark.r
def test_wave_change_counts_by_hand_and_wilcoxon_as_r(r_run):
    before = [4, 5, 4, 3, 5, 4, 4, 2, 5, 3, 4, 4]
    after = [3, 3, 4, 2, 4, 2, 3, 2, 4, 3, 5, 2]
    rows = _paired_item(before, after) + [("solo", "carer", "baseline", "cost", 4, "")]
    catalogue = pd.DataFrame({"item": ["cost"], "reverse_scored": [False]})
    out = wave_change(long_answers(rows), catalogue=catalogue).iloc[0]
    diff = np.subtract(after, before)
    assert (out["n_pairs"], out["n_dropped"]) == (12, 1)
    assert (out["n_higher"], out["n_same"], out["n_lower"]) == (1, 3, 8)
    assert out["median_change"] == np.median(diff)
    assert out["reading"] == "towards fewer barriers"  # cost is a barrier statement: less agreement is fewer
    ref = r_run(
        """
        w <- wilcox.test(d$after, d$before, paired = TRUE, exact = FALSE, correct = TRUE)
        write.csv(data.frame(V = unname(w$statistic), p = w$p.value), stdout(), row.names = FALSE)
        """,
        {"d": pd.DataFrame({"before": before, "after": after})},
    ).iloc[0]
    assert out["statistic"] == pytest.approx(ref["V"])
    assert out["p_val"] == pytest.approx(ref["p"], rel=1e-9)
    assert "normal approximation" in out["method"]


def test_wave_change_reading_follows_reverse_scoring_and_warns_when_few_changed():
    rows = _paired_item([2, 2, 3, 3, 2, 3], [3, 4, 3, 3, 2, 3], item="carers_know")
    catalogue = pd.DataFrame({"item": ["carers_know"], "reverse_scored": [True]})
    out = wave_change(long_answers(rows), catalogue=catalogue).iloc[0]
    assert out["median_change"] == 0.0 and out["reading"] == "no change in the median"
    assert "only 2 respondent(s) changed their answer" in out["note"]
    rows = _paired_item([2, 2, 2, 3, 1, 2, 2], [3, 4, 3, 4, 3, 3, 2], item="carers_know")
    out = wave_change(long_answers(rows), catalogue=catalogue).iloc[0]
    assert out["reading"] == "towards fewer barriers"  # more agreement that carers know: fewer barriers


def test_wave_change_item_answered_once_only_and_missing_wave():
    rows = [("a", "carer", "baseline", "cost", 3, ""), ("b", "carer", "end", "cost", 4, ""),
            ("a", "carer", "baseline", "info", 3, ""), ("a", "carer", "end", "info", 4, "")]
    out = wave_change(long_answers(rows)).set_index("item")
    assert out.loc["cost", "n_pairs"] == 0 and "no respondent answered this item at both" in out.loc["cost", "note"]
    with pytest.raises(SurveyDataError, match="wave 'post' does not occur"):
        wave_change(long_answers(rows), post="post")
