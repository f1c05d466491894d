"""Data-quality tables on a small evaluation whose answers are worked out by hand."""

import pandas as pd

from cm_research import quality
from cm_research.data import load_evaluation

from conftest import OUTCOMES_HEADER, PARTICIPANTS_HEADER, VALID_OUTCOMES, VALID_PARTICIPANTS


def small_evaluation(write_file, tmp_path, extra_outcomes=()):
    write_file("participants.csv", [PARTICIPANTS_HEADER, *VALID_PARTICIPANTS])
    write_file("outcomes.csv", [OUTCOMES_HEADER, *VALID_OUTCOMES, *extra_outcomes])
    return load_evaluation(tmp_path)


def test_counts_by_cohort_and_group(write_file, tmp_path):
    ev = small_evaluation(write_file, tmp_path)
    table = quality.counts_by_group(ev.participants.data)
    # T-001, T-003 mentored 2023/24; T-002 comparison 2023/24; T-004 comparison 2022/23
    assert table.values.tolist() == [["2022/23", 0, 1, 1], ["2023/24", 2, 1, 3], ["total", 2, 2, 4]]


def test_missingness_counts_people_expected_at_each_timepoint(write_file, tmp_path):
    ev = small_evaluation(write_file, tmp_path)
    m = quality.missingness(ev.outcomes.data, ev.participants.data)
    got = {(r.measure, r.timepoint, r.group): (r.n_expected, r.n_recorded, r.n_missing) for r in m.itertuples()}
    # attendance: T-001 (mentored) has both; T-002 (comparison) has baseline only.
    # SDQ: T-002 (comparison) baseline only; T-003 (mentored) both.
    assert got == {
        ("attendance_pct", "baseline", "comparison"): (1, 1, 0),
        ("attendance_pct", "baseline", "mentored"): (1, 1, 0),
        ("attendance_pct", "post", "comparison"): (1, 0, 1),
        ("attendance_pct", "post", "mentored"): (1, 1, 0),
        ("sdq_total", "baseline", "comparison"): (1, 1, 0),
        ("sdq_total", "baseline", "mentored"): (1, 1, 0),
        ("sdq_total", "post", "comparison"): (1, 0, 1),
        ("sdq_total", "post", "mentored"): (1, 1, 0),
    }
    assert m.loc[(m.measure == "sdq_total") & (m.timepoint == "post") & (m.group == "comparison"), "pct_recorded"].item() == 0


def test_attrition_from_baseline_to_post(write_file, tmp_path):
    ev = small_evaluation(write_file, tmp_path, ["T-004,attendance_pct,baseline,,88", "T-004,attendance_pct,post,,92"])
    a = quality.attrition(ev.outcomes.data, ev.participants.data).set_index(["measure", "group"])
    assert a.loc[("attendance_pct", "comparison"), ["n_baseline", "n_both", "n_lost"]].tolist() == [2, 1, 1]
    assert a.loc[("attendance_pct", "comparison"), "pct_retained"] == 50.0
    assert a.loc[("sdq_total", "mentored"), ["n_baseline", "n_both", "n_lost"]].tolist() == [1, 1, 0]


def test_redaction_hides_ids_in_values_and_messages(write_file, tmp_path):
    ev = small_evaluation(write_file, tmp_path, ["T-001,attendance_pct,post,,93", "T-404,sdq_total,post,,3"])
    redacted = quality.redact_problems(ev.problems, quality.identifier_values(ev) | {"T-404"})
    text = " ".join(redacted["message"]) + " ".join(redacted["value"])
    assert "T-001" not in text and "T-404" not in text
    assert "participant_id=[id]" in text and "'[id]' is not in the participants table" in text
    # the unredacted table still holds the values, for whoever corrects the data
    assert "T-404" in " ".join(ev.problems["message"])


def test_problem_summary_counts_by_rule(write_file, tmp_path):
    ev = small_evaluation(write_file, tmp_path, ["T-001,sdq_total,post,,44", "T-002,sdq_total,post,,x", "T-002,swemwbs,post,,99"])
    s = quality.problem_summary(ev.problems)
    got = {(r.rule, r.column): r.n_problems for r in s.itertuples()}
    assert got == {("maximum", "value"): 2, ("type", "value"): 1}


def test_write_quality_tables(write_file, tmp_path):
    ev = small_evaluation(write_file, tmp_path, ["T-001,sdq_total,post,,44"])
    tables = quality.write_quality_tables(ev, tmp_path / "out")
    for name in ("overview", "counts_by_cohort", "missingness", "attrition", "problem_summary"):
        written = pd.read_csv(tmp_path / "out" / f"{name}.csv")
        assert len(written) == len(tables[name]), name
    # row-level files name rows and values: they go to restricted/, never beside the published tables
    assert len(pd.read_csv(tmp_path / "out" / "restricted" / "problems.csv")) == 1
    assert (tmp_path / "out" / "restricted" / "quarantine_outcomes.csv").exists()
    assert not (tmp_path / "out" / "problems.csv").exists()
    # the exact counts are restricted; the published overview hides the 1 row held back (and 7 - 6 with it)
    overview = pd.read_csv(tmp_path / "out" / "restricted" / "overview.csv").set_index("table")
    assert overview.loc["outcomes", ["rows_read", "rows_valid", "rows_quarantined"]].tolist() == [7, 6, 1]
    assert tables["overview"].set_index("table").loc["outcomes", "rows_quarantined"] == "c"


def test_published_counts_are_suppressed_by_default_and_switching_off_is_recorded(write_file, tmp_path):
    ev = small_evaluation(write_file, tmp_path)
    on = quality.write_quality_tables(ev, tmp_path / "on")
    written = pd.read_csv(tmp_path / "on" / "counts_by_cohort.csv", dtype=str)
    # every count here is 1-5 (or a total that would reveal one): nothing but zeros may show
    assert set(written[["mentored", "comparison", "total"]].to_numpy().ravel()) <= {"c", "0"}
    assert on["counts_by_cohort"].attrs["disclosure_control"]["suppression"] == "on"
    off = quality.write_quality_tables(ev, tmp_path / "off", suppress=False)
    assert off["counts_by_cohort"][["mentored", "comparison", "total"]].astype(int).values.tolist() == [[0, 1, 1], [2, 1, 3], [2, 2, 4]]
    assert "OFF" in off["counts_by_cohort"].attrs["disclosure_control"]["note"]


def test_every_table_in_the_folder_is_checked_and_its_bad_rows_quarantined(write_file, tmp_path):
    # sessions of an unknown young person and of a quarantined one, a match naming an unknown mentor, and a
    # waiting list (a participants table) with a care status that is not in the dictionary
    write_file("participants.csv", [PARTICIPANTS_HEADER, *VALID_PARTICIPANTS,
                                    "T-005,Testshire,2023/24,8,KS3,fostered,,,comparison,,,"])
    write_file("outcomes.csv", [OUTCOMES_HEADER, *VALID_OUTCOMES])
    write_file("sessions.csv", ["participant_id,session_date,minutes,activity,setting,attended",
                                "T-001,18/09/2023,60,music,school,yes",
                                "T-009,25/09/2023,60,music,school,yes",
                                "T-005,25/09/2023,60,music,school,yes"])
    write_file("mentors.csv", ["mentor_id,site,interests,available", "M-01,Testshire,music,yes"])
    write_file("matches.csv", ["match_id,participant_id,mentor_id,match_start,match_end",
                               "X1,T-001,M-01,11/09/2023,19/07/2024", "X2,T-003,M-07,02/10/2023,"])
    write_file("waiting_list.csv", [PARTICIPANTS_HEADER, "W-001,Testshire,2024/25,6,KS2,in care,,,mentored,,,"])
    ev = load_evaluation(tmp_path, all_tables=True)
    tables = quality.write_quality_tables(ev, tmp_path / "out")
    overview = pd.read_csv(tmp_path / "out" / "restricted" / "overview.csv").set_index("table")  # exact counts
    assert overview.loc["sessions", ["rows_read", "rows_valid", "rows_quarantined"]].tolist() == [3, 1, 2]
    assert overview.loc["matches", ["rows_read", "rows_valid", "rows_quarantined"]].tolist() == [2, 1, 1]
    assert overview.loc["mentors", ["rows_read", "rows_valid"]].tolist() == [1, 1]
    assert overview.loc["waiting_list", "rows_quarantined"] == 1
    problems = ev.problems.set_index(["file", "row"])
    assert "quarantined" in problems.loc[("sessions.csv", 4), "message"]  # T-005's participants row has problems
    assert problems.loc[("matches.csv", 3), "column"] == "mentor_id"
    restricted = tmp_path / "out" / "restricted"
    for name in ("participants", "sessions", "matches", "waiting_list"):
        assert (restricted / f"quarantine_{name}.csv").exists(), name
    assert "T-009" not in tables["problems_redacted"]["message"].str.cat()  # ids hidden in the report's copy
