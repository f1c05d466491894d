"""Match analysis data (durations, censoring, shared interests) by hand; Spearman's rho and p against R's
cor.test, its Fisher-z / Bonett-Wright interval by hand."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rscript import rscript

from cm_research.mentors import (
    INTEREST_GROUPS,
    MentorDataError,
    interest_group_summary,
    interests_and_length,
    interests_and_outcome,
    match_table,
    spearman,
)
from cm_research.stats import InsufficientDataError

REFERENCE = Path(__file__).resolve().parent / "reference"

PARTICIPANTS = pd.DataFrame({"participant_id": ["P1", "P2", "P3"], "site": ["Northshire"] * 3,
                             "interests": [("football", "music"), "drawing", None]})
MENTORS = pd.DataFrame({"mentor_id": ["M1", "M2", "M3"],
                        "interests": ["football; music; film", "cooking", "drawing"]})
MATCHES = pd.DataFrame({
    "match_id": ["m1", "m2", "m3", "m4"],
    "participant_id": ["P1", "P2", "P2", "P3"],
    "mentor_id": ["M1", "M2", "M3", "M1"],
    "match_start": ["01/09/2023", "01/10/2023", "01/01/2024", "01/02/2024"],
    "match_end": ["01/12/2023", "15/11/2023", None, "15/04/2024"],
    "ended_early": ["no", "yes", None, None],
    "end_reason": ["planned_ending", "young_person_chose", None, None],
})


def test_match_table_by_hand():
    table = match_table(MATCHES, PARTICIPANTS, MENTORS, as_of="2024-03-01").set_index("match_id")
    # m1: 01/09 -> 01/12/2023 = 30 (Sep) + 31 (Oct) + 30 (Nov) = 91 days, ended.
    # m2: 01/10 -> 15/11/2023 = 31 + 14 = 45 days, ended early.
    # m3: 01/01/2024, no end: censored at as_of 01/03/2024 = 31 (Jan) + 29 (Feb, leap year) = 60 days.
    # m4: ends 15/04/2024, after as_of: still going then, censored at 29 days (01/02 -> 01/03/2024).
    assert table["duration_days"].tolist() == [91, 45, 60, 29]
    assert table["event"].tolist() == [1, 1, 0, 0]
    assert table["ended_early"].tolist() == [False, True, False, False]
    assert table["end_reason"].tolist()[:2] == ["planned_ending", "young_person_chose"]
    assert table["end_reason"].iloc[2:].isna().all()
    assert table["match_number"].tolist() == [1, 1, 2, 1]  # P2's second mentor
    # P1 {football, music} vs M1 {football, music, film}: 2 shared of 3 -> 2/3
    # P2 {drawing} vs M2 {cooking}: 0/2 = 0;  P2 vs M3 {drawing}: 1/1 = 1;  P3: interests not recorded
    assert table["n_shared"].tolist()[:3] == [2, 0, 1] and pd.isna(table.loc["m4", "n_shared"])
    assert table["shared_interest"].iloc[:3].tolist() == pytest.approx([2 / 3, 0, 1])
    assert math.isnan(table.loc["m4", "shared_interest"])
    assert table["shared_interests"].tolist() == ["football; music", "", "drawing", ""]
    assert table["interest_group"].tolist() == ["2 or more shared interests", "no shared interests",
                                                "1 shared interest", "interests not recorded"]
    assert list(table["interest_group"].cat.categories) == list(INTEREST_GROUPS)
    assert (table["site"] == "Northshire").all() and (table["as_of"] == pd.Timestamp(2024, 3, 1)).all()


@pytest.mark.parametrize("change, message", [
    ({"mentor_id": ["M1", "M9", "M3", "M1"]}, r"matches m2: `mentor_id` M9 not in the mentors table"),
    ({"match_start": ["01/09/2023", "01/10/2023", "01/04/2024", "01/02/2024"]},
     r"matches m3 start after the as_of date 01/03/2024"),
    ({"ended_early": ["no", "yes", "yes", None]}, r"matches m3 are recorded as ended early but have no `match_end`"),
    ({"match_id": ["m1", "m1", "m3", "m4"]}, r"lists m1 more than once"),
    ({"match_end": ["01/08/2023", "15/11/2023", None, None]}, r"matches m1 end before they start"),
])
def test_match_table_refuses_inconsistent_matches(change, message):
    with pytest.raises(MentorDataError, match=message):
        match_table(MATCHES.assign(**change), PARTICIPANTS, MENTORS, as_of="2024-03-01")


def test_interest_group_summary_counts_and_suppression():
    table = match_table(MATCHES, PARTICIPANTS, MENTORS, as_of="2024-03-01")
    raw = interest_group_summary(table, suppress=False).set_index("interest_group")
    assert raw.loc["no shared interests", ["n_matches", "n_ended", "n_ended_early"]].tolist() == [1, 1, 1]
    assert raw.loc["interests not recorded", ["n_matches", "n_running"]].tolist() == [1, 1]
    assert raw.loc["no shared interests", "median_days_ended"] == 45
    published = interest_group_summary(table)  # every count here is 0 or 1: shown as c (0 stays 0)
    assert (published["n_matches"] == "c").all()
    assert published.set_index("interest_group").loc["no shared interests", "median_days_ended"] == "c"
    assert "disclosure_control" in published.attrs


def test_spearman_interval_by_hand_and_small_sample_note():
    data = pd.DataFrame({"x": [1, 2, 3, 4, 5], "y": [1, 2, 3, 5, 4]})
    # rho = 1 - 6 Σd² / (n(n² - 1)) = 1 - 6·2 / (5·24) = 0.9
    # z = atanh(0.9) = 1.4722195; SE = sqrt((1 + 0.9²/2) / (5 - 3)) = sqrt(0.7025) = 0.8381527
    # z ± 1.959964·SE = -0.1705297 and 3.1149687; tanh -> -0.1688957 and 0.9960686
    # S = (n³ - n)(1 - rho)/6 = 120·0.1/6 = 2; t = 0.9·sqrt(3 / 0.19) = 3.5762, p = 2·P(t₃ > 3.5762)
    row = spearman(data, "x", "y").iloc[0]
    assert row["estimate"] == pytest.approx(0.9)
    assert row["ci_low"] == pytest.approx(-0.1688957, abs=1e-6)
    assert row["ci_high"] == pytest.approx(0.9960686, abs=1e-6)
    assert row["statistic"] == pytest.approx(2.0) and row["dof"] == 3 and row["n"] == 5
    assert row["p_val"] == pytest.approx(0.0374, abs=1e-4)
    assert "too imprecise" in row["note"]
    wide = spearman(pd.DataFrame({"x": range(12), "y": range(12)}), "x", "y").iloc[0]
    assert "too imprecise" not in wide["note"]


def test_spearman_refuses_too_few_and_flags_constant():
    with pytest.raises(InsufficientDataError, match="at least 3 complete rows; there are 2"):
        spearman(pd.DataFrame({"x": [1, 2, None], "y": [1, 2, 3]}), "x", "y")
    flat = spearman(pd.DataFrame({"x": [1, 2, 3, 4], "y": [5, 5, 5, 5]}), "x", "y").iloc[0]
    assert math.isnan(flat["estimate"]) and "single value" in flat["note"]


def _r_spearman(cases: dict[str, pd.DataFrame], tmp_path: Path) -> pd.DataFrame:
    pd.concat([d.assign(case=c) for c, d in cases.items()])[["case", "x", "y"]].to_csv(
        tmp_path / "input.csv", index=False, float_format="%.17g")
    rscript(REFERENCE / "spearman.R", str(tmp_path), timeout=120)
    return pd.read_csv(tmp_path / "output.csv").set_index("case")


@pytest.mark.r
def test_spearman_rho_s_and_p_match_r(tmp_path):
    rng = np.random.default_rng(11)
    score = rng.choice([0, 0.2, 0.25, 1 / 3, 0.5, 2 / 3], size=30)  # Jaccard-like scores: many ties
    cases = {
        "ties": pd.DataFrame({"x": score, "y": np.round(120 + 200 * score + rng.normal(0, 60, 30))}),
        "negative": pd.DataFrame({"x": np.arange(15.0), "y": -np.arange(15.0) + rng.normal(0, 4, 15)}),
        "weak": pd.DataFrame({"x": rng.normal(size=40), "y": rng.integers(0, 6, size=40).astype(float)}),
        "small": pd.DataFrame({"x": [0.5, 0, 1 / 3, 1, 0.25, 0.5], "y": [210, 45, 91, 260, 60, 120.0]}),
    }
    ref = _r_spearman(cases, tmp_path)
    for case, data in cases.items():
        row = spearman(data, "x", "y").iloc[0]
        assert row["estimate"] == pytest.approx(ref.loc[case, "rho"], abs=1e-12), case
        assert row["statistic"] == pytest.approx(ref.loc[case, "S"], rel=1e-10), case
        assert row["p_val"] == pytest.approx(ref.loc[case, "p"], rel=1e-8, abs=1e-14), case


def test_interests_and_length_uses_ended_matches_only():
    table = pd.DataFrame({"shared_interest": [0, 0.25, 0.5, 1, 0.2, 0.4, 0.9, 0.1, 0.3, 0.6, 0.7, 0.8],
                          "duration_days": [40, 90, 120, 250, 60, 100, 210, 80, 85, 200, 180, 30],
                          "event": [1] * 10 + [0, 0]})
    result = interests_and_length(table).iloc[0]
    expected = spearman(table[table["event"] == 1], "shared_interest", "duration_days").iloc[0]
    assert result["n"] == 10 and result["estimate"] == pytest.approx(expected["estimate"])
    assert result["note"].startswith("2 match(es) still going")


def test_interests_and_outcome_takes_first_matches_and_post_minus_baseline():
    table = match_table(MATCHES, PARTICIPANTS.assign(interests=["music; film", "drawing", "cooking"]),
                        MENTORS.assign(interests=["music; film", "drawing; film", "drawing"]), as_of="2024-06-01")
    outcomes = pd.DataFrame({"participant_id": ["P1", "P1", "P2", "P2", "P3", "P3"], "measure": "attendance_pct",
                             "timepoint": ["baseline", "post"] * 3, "value": [80, 90, 70, 65, 60, 75]})
    # first matches: P1-M1 J = 2/2 = 1 (change 90 - 80 = +10), P2-M2 J = 1/2 (-5), P3-M1 J = 0/3 = 0 (+15);
    # P2's second match (M3) is not used. Ranks of J: 3, 2, 1; of change: 2, 1, 3; d = 1, 1, -2, Σd² = 6;
    # rho = 1 - 6·6 / (3·8) = -0.5
    result = interests_and_outcome(table, outcomes, "attendance_pct").iloc[0]
    assert result["n"] == 3 and result["y"] == "attendance_pct_change"
    assert result["estimate"] == pytest.approx(-0.5)
    assert "1 later match(es)" in result["note"] and "too imprecise" in result["note"]
    with pytest.raises(InsufficientDataError, match="no outcome rows for measure 'sdq_total'"):
        interests_and_outcome(table, outcomes, "sdq_total")
