"""The site report's match section: counts and Kaplan-Meier medians worked out by hand, one round of suppression
that cannot be undone from the totals, no curve or log-rank test for small groups, and sentences that stay
honest (no 'significant', no causal claim, no count that would undo the suppression)."""

import re

import numpy as np
import pandas as pd
import pytest

from cm_research.report.matches import MIN_MATCHES_FOR_CURVE, SHARED_GROUPS, analyse_matches, match_summary

NONE, SOME = SHARED_GROUPS


def _table():
    """A: 12 matches with shared interests lasting 10, 20, ..., 120 days, all ended, the first two early.
    B: 11 with none in common lasting 15, 25, ..., 115 days, the last still going. C: 4 with no interests recorded."""
    a = pd.DataFrame({"shared_group": SOME, "duration_days": np.arange(10, 121, 10), "event": 1,
                      "ended_early": [True, True] + [False] * 10})
    b = pd.DataFrame({"shared_group": NONE, "duration_days": np.arange(15, 116, 10), "event": [1] * 10 + [0],
                      "ended_early": False})
    c = pd.DataFrame({"shared_group": None, "duration_days": [30, 60, 90, 100], "event": 1, "ended_early": False})
    return pd.concat([a, b, c], ignore_index=True)


def test_counts_and_medians_by_hand_without_suppression():
    s = match_summary(_table(), suppress=False).set_index("group")
    assert s.loc["all matches", ["matches", "ended", "still_going", "ended_early"]].tolist() == [27, 26, 1, 2]
    assert s.loc[SOME, ["matches", "ended", "still_going", "ended_early"]].tolist() == [12, 12, 0, 2]
    assert s.loc[SOME, "pct_ended_early"] == pytest.approx(100 * 2 / 12)
    # A: S falls by 1/12 at each ending and is exactly 0.5 from day 60 to day 70, so the median is their
    # midpoint, 65 (the convention of R's print.survfit). B: S falls by 1/11; after the 6th ending (day 65) it is
    # 5/11 < 0.5, so the median is 65 too.
    assert s.loc[SOME, "median_days"] == pytest.approx(65)
    assert s.loc[NONE, "median_days"] == pytest.approx(65)
    # B's upper confidence band never falls to 0.5 (R's survfit reports NA): the table says so in words
    assert s.loc[NONE, "median_ci_high"] == "not reached"
    assert s.loc["interests not recorded", "matches"] == 4


def test_one_round_of_suppression_that_the_totals_cannot_undo():
    s = match_summary(_table()).set_index("group")
    groups = s.drop(index="all matches")
    # 4 matches without interests recorded, and 1 match still going, are small
    assert s.loc["interests not recorded", "matches"] == "c" and s.loc[NONE, "still_going"] == "c"
    # and neither comes back by subtraction: within each row matches = ended + still going, and down each
    # column the groups add up to "all matches"
    for _, row in s.iterrows():
        cells = [row["matches"], row["ended"], row["still_going"]]
        assert cells.count("c") != 1, row
    for column in ("matches", "ended", "still_going"):
        hidden = (groups[column] == "c").sum()
        assert hidden != 1 or s.loc["all matches", column] == "c", column
    # a median of fewer than MIN_MATCHES_FOR_CURVE matches is withheld, however it is computed
    assert s.loc["interests not recorded", "median_days"] == "c" and 4 < MIN_MATCHES_FOR_CURVE


def _inputs(n_none: int, n_some: int):
    """Participants, mentors and matches: mentor M1 likes chess; M2 likes football. Young people in the
    'none' group like drawing, the others football."""
    rows, people = [], []
    for i in range(n_none + n_some):
        pid = f"SYN-T-{i:04d}"
        people.append({"participant_id": pid, "interests": ("drawing",) if i < n_none else ("football",)})
        start = pd.Timestamp("2023-09-01")
        end = start + pd.Timedelta(days=40 + 7 * i) if i % 7 else pd.NaT  # every seventh still going
        rows.append({"match_id": f"X{i}", "participant_id": pid, "mentor_id": "M1" if i < n_none else "M2",
                     "match_start": start, "match_end": end, "ended_early": False, "end_reason": None})
    mentors = pd.DataFrame({"mentor_id": ["M1", "M2"], "interests": [("chess",), ("football", "music")]})
    return pd.DataFrame(rows), pd.DataFrame(people), mentors


def test_no_log_rank_or_curve_for_a_small_group():
    matches, people, mentors = _inputs(n_none=6, n_some=14)
    result = analyse_matches(matches, people, mentors, "2024-09-01")
    assert result.logrank is None
    assert any("not compared" in s for s in result.sentences)
    assert result.figure is not None and NONE in result.figure_alt[1]  # only the large group is drawn
    labels = [line.get_label() for line in result.figure.axes[0].get_lines() if line.get_gid() == "survival_curve"]
    assert labels == [SOME]


def test_log_rank_and_sentences_with_two_large_groups():
    matches, people, mentors = _inputs(n_none=12, n_some=14)
    result = analyse_matches(matches, people, mentors, "2024-09-01")
    assert result.logrank is not None and result.logrank.iloc[0]["dof"] == 1
    text = " ".join(result.sentences)
    assert not re.search(r"significan|caused|because of", text, re.I)
    assert "association" in text and "01 September 2024" in text
    # still going: ids 0, 7, 14, 21 -> 4 matches, so "ended" is hidden too and the correlation's n is left out
    assert "how many had ended" in text and not re.search(r"; \d+ matches\)", text)
    shared = result.matches.set_index("participant_id")
    assert shared.loc["SYN-T-0000", "shared_interest"] == 0  # drawing vs chess
    assert shared.loc["SYN-T-0013", "shared_interest"] == pytest.approx(1 / 2)  # {football} vs {football, music}


def test_no_curve_starts_from_a_count_the_table_hides():
    """4 matches with no shared interest, 14 with: the table hides the 4 and so, by secondary suppression, the 14
    (18 = 4 + 14). A curve for the 14 would start at 14 at risk on day 0 and give back 18 - 14 = 4."""
    matches, people, mentors = _inputs(n_none=4, n_some=14)
    result = analyse_matches(matches, people, mentors, "2024-09-01")
    s = result.survival.set_index("group")
    assert s.loc["all matches", "matches"] == 18 and s.loc[NONE, "matches"] == "c" and s.loc[SOME, "matches"] == "c"
    assert result.figure is None and result.figure_data is None
    # and in general: every curve drawn starts from a group size the table publishes
    for n_none, n_some in [(6, 14), (12, 14), (0, 14)]:
        result = analyse_matches(*_inputs(n_none=n_none, n_some=n_some), "2024-09-01")
        shown = result.survival.set_index("group")["matches"]
        for group, curve in result.figure_data.groupby("group"):
            assert shown[group] != "c" and curve["n_risk"].iloc[0] == shown[group], (n_none, n_some, group)
