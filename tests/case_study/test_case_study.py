"""The case-study timeline of one young person: its data checked by hand on a small made-up evaluation, the RCI
marks against the Jacobson & Truax formula and ``reliable_change``, the figure's panels and that no id or name
appears in any text it draws."""

import math

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.text import Text

from cm_research.report.case_study import (CaseStudyError, attendance_by_period, case_study, case_study_figure,
                                           case_tables, describe_case, figure_alt)
from cm_research.stats.change import reliable_change


def test_attendance_percent_is_attended_over_possible_per_period(evaluation):
    data, _ = evaluation
    case = case_study("T-001", data)
    a = case.attendance
    assert a["period_start"].tolist() == [pd.Timestamp(2023, 9, 4), pd.Timestamp(2023, 10, 30),
                                          pd.Timestamp(2024, 1, 3)]
    # 45 / 60 = 75 %, 63 / 70 = 90 %, and no session possible: no percentage
    assert a["attendance_pct"].iloc[:2].tolist() == [75.0, 90.0] and math.isnan(a["attendance_pct"].iloc[2])
    assert a["suspension_days"].iloc[:2].tolist() == [2.0, 0.0] and math.isnan(a["suspension_days"].iloc[2])
    assert attendance_by_period(pd.DataFrame({"period_start": [pd.Timestamp(2024, 1, 1)],
                                              "period_end": [pd.Timestamp(2024, 1, 31)], "sessions_possible": [8],
                                              "sessions_attended": [3], "suspension_days": [0]}))[
        "attendance_pct"].iloc[0] == 37.5


def test_sessions_and_mentoring_dates_are_this_young_persons(evaluation):
    data, _ = evaluation
    case = case_study("T-001", data)
    assert case.sessions["session_date"].tolist() == [pd.Timestamp(2023, 10, 2), pd.Timestamp(2023, 10, 9),
                                                      pd.Timestamp(2023, 10, 16)]
    assert case.sessions["attended"].tolist() == [True, False, True]
    assert case.mentoring == (pd.Timestamp(2023, 10, 2), pd.Timestamp(2024, 3, 15))
    lines = describe_case(case)
    assert "3 sessions were planned and 2 attended (2.5 hours)" in " ".join(lines)  # 60 + 90 minutes
    assert all("T-001" not in line and "Sam" not in line for line in lines)


def test_reliable_change_marks_follow_jacobson_truax_and_reliable_change(evaluation):
    data, _ = evaluation
    # SDQ parent total difficulties: r = 0.82 (Goodman 2001), SD = 5.8 (UK norms), both in data_dictionary/instruments
    s_diff = math.sqrt(2) * 5.8 * math.sqrt(1 - 0.82)  # = 3.480 by hand
    expected = {"T-001": ((12 - 22) / s_diff, "reliable improvement"),     # -2.87: down is better on the SDQ
                "T-003": ((22 - 14) / s_diff, "reliable deterioration"),   # +2.30
                "T-004": ((13 - 15) / s_diff, "no reliable change")}       # -0.57
    outcomes = pd.read_csv(data / "outcomes.csv")
    reference = reliable_change(outcomes[outcomes["measure"] == "sdq_total"], reliability=0.82, sd=5.8,
                                better="lower").set_index("participant_id")
    for pid, (rci, category) in expected.items():
        row = case_study(pid, data).reliable_change.set_index("measure").loc["sdq_total"]
        assert row["rci"] == pytest.approx(rci, rel=1e-12)
        assert row["reliable_change"] == category == reference.loc[pid, "reliable_change"]
        assert row["threshold"] == pytest.approx(1.959964 * s_diff, rel=1e-6)


def test_a_measure_without_a_baseline_says_why_there_is_no_mark(evaluation):
    data, _ = evaluation
    (data / "outcomes.csv").write_text((data / "outcomes.csv").read_text().replace(
        "T-004,sdq_total,baseline,01/10/2023,15\n", ""))
    row = case_study("T-004", data).reliable_change.iloc[0]
    assert pd.isna(row["reliable_change"]) and row["note"] == ("not measured at baseline, so reliable change "
                                                               "cannot be judged")


def test_the_figure_has_four_panels_marks_and_no_identifier(evaluation):
    data, interviews = evaluation
    case = case_study("T-001", data, interviews)
    fig = case_study_figure(case)
    try:
        titles = [ax.get_title() for ax in fig.axes]
        assert titles == ["Attendance per period", "Suspension days per period", "Mentoring sessions, by activity",
                          "Questionnaire scores (reliable change from baseline to post)"]
        # the improvement is drawn with the ▲ marker at the post score (12), the legend explains it
        score_ax = fig.axes[3]
        marked = [c for c in score_ax.collections if len(c.get_offsets())
                  and c.get_offsets()[0][1] == 12 and c.get_paths()]
        assert marked, "no mark at the post score"
        legend = [t.get_text() for t in score_ax.get_legend().get_texts()]
        assert {"reliable improvement", "reliable deterioration", "no reliable change"} <= set(legend)
        assert {"music", "visual art", "missed"} <= {t.get_text() for t in fig.axes[2].get_legend().get_texts()}
        fig.canvas.draw()  # tick labels exist once drawn
        texts = [t.get_text() for t in fig.findobj(Text)]
        assert any("this young person" in t for t in texts)
        for text in texts:
            assert "T-001" not in text and "Sam" not in text and "Carter" not in text, text
        assert "T-001" not in figure_alt(case)
    finally:
        plt.close(fig)


def test_quotes_are_the_young_persons_own_words_de_identified(evaluation):
    data, interviews = evaluation
    case = case_study("T-001", data, interviews)
    quotes = case.quotes["quote"].tolist()
    assert quotes, "the mentee's words were coded by the starter codebook's suggestions"
    joined = " ".join(quotes)
    assert "Alex" not in joined and "Sam" not in joined and "[Mentor]" in joined
    # only the mentee's turns (never the interviewer's, never the mentor's interview)
    own = ["[Mentor] listened to me and I felt safe in the sessions with [Mentor] every week.",
           "I go to school more now because I want to, and I feel proud of my music."]
    assert set(quotes) <= set(own)
    assert "suggested codes" in case.quotes["basis"].iloc[0]
    assert all("T-001" not in str(v) for v in case_tables(case)["quotes"].to_numpy().ravel())


def test_no_interview_means_no_quotes_and_a_note(evaluation):
    data, interviews = evaluation
    case = case_study("T-003", data, interviews)
    assert case.quotes.empty and any("No interview" in n for n in case.notes)


def test_an_unknown_id_is_a_clear_error_naming_nothing_else(evaluation):
    data, _ = evaluation
    with pytest.raises(CaseStudyError) as err:
        case_study("T-999", data)
    message = str(err.value)
    assert message.startswith("T-999 is not in participants.csv")
    assert not any(pid in message for pid in ("T-001", "T-002", "T-003", "T-004"))


def test_a_quarantined_participant_row_is_named_as_such(evaluation):
    data, _ = evaluation
    path = data / "participants.csv"
    path.write_text(path.read_text().replace("T-002,Testshire,2023/24,9,looked_after", "T-002,Testshire,2023/24,9,fostered"))
    with pytest.raises(CaseStudyError, match="T-002 is in participants.csv but its row has problems"):
        case_study("T-002", data)


def test_without_an_attendance_table_the_case_says_so(evaluation):
    data, _ = evaluation
    (data / "attendance.csv").unlink()
    case = case_study("T-001", data)
    assert case.attendance.empty and any("no attendance table" in n for n in case.notes)
    plt.close(case_study_figure(case))
