"""The attendance table: its dictionary entry, the cross-field rule (sessions attended not more than sessions
possible, the dictionary's ``notAbove``), and the seeded synthetic attendance of the demo sites."""

import numpy as np
import pandas as pd
import pytest

from cm_research.data import load_evaluation
from cm_research.data.loading import load_table
from cm_research.datasets import DEMO_SITES, dataset_path
from cm_research.datasets.attendance import demo_attendance, half_terms, school_sessions, write_site_attendance
from cm_research.datasets.synthetic import generate_site
from cm_research.dictionary import load_schema, to_markdown

PEOPLE = pd.DataFrame({"participant_id": ["YP-01", "YP-02"]})
HEADER = "participant_id,period_start,period_end,sessions_possible,sessions_attended,suspension_days\n"


def test_schema_keys_and_rules():
    schema = load_schema("attendance")
    assert schema.field_names[:6] == ["participant_id", "period_start", "period_end", "sessions_possible",
                                      "sessions_attended", "suspension_days"]
    assert {"authorised_absence", "unauthorised_absence"} <= set(schema.field_names)
    assert schema.primary_key == ("participant_id", "period_start")
    assert [(fk.fields, fk.resource) for fk in schema.foreign_keys] == [(("participant_id",), "participants")]
    assert schema.identifier_fields == ["participant_id"]
    assert schema.field("period_end").not_before == "period_start"
    assert schema.field("sessions_attended").not_above == "sessions_possible"
    assert "not more than `sessions_possible`" in to_markdown()


def test_attended_above_possible_and_an_end_before_the_start_are_named_by_row_and_column(tmp_path):
    path = tmp_path / "attendance.csv"
    path.write_text(HEADER + "YP-01,04/09/2023,20/10/2023,70,64,0\n"   # row 2: fine
                    "YP-01,30/10/2023,20/12/2023,70,71,0\n"           # row 3: 71 attended of 70 possible
                    "YP-02,20/10/2023,04/09/2023,70,60,1.5\n"         # row 4: ends before it starts
                    "YP-02,03/01/2024,09/02/2024,,50,\n")             # row 5: possible missing (required)
    loaded = load_table(path, "attendance", references={"participants": PEOPLE})
    found = {(int(r.row), r.column, r.rule) for r in loaded.problems.itertuples()}
    assert found == {(3, "sessions_attended", "not_above"), (4, "period_end", "not_before"),
                     (5, "sessions_possible", "required")}
    message = loaded.problems.set_index("rule").loc["not_above", "message"]
    assert message == "71 is more than `sessions_possible` (70)"
    assert loaded.data.index.tolist() == [2] and sorted(loaded.quarantine["row"]) == [3, 4, 5]


def test_school_sessions_are_two_per_weekday():
    # 4 Sep 2023 (a Monday) to 20 Oct 2023 (a Friday): 7 whole weeks, 35 weekdays, 70 sessions
    assert school_sessions(pd.Timestamp(2023, 9, 4), pd.Timestamp(2023, 10, 20)) == 70
    # Saturday 6 Jan 2024 to Tuesday 9 Jan 2024: Monday and Tuesday only
    assert school_sessions(pd.Timestamp(2024, 1, 6), pd.Timestamp(2024, 1, 9)) == 4
    terms = half_terms(2023)
    assert len(terms) == 6 and terms[0][0] == pd.Timestamp(2023, 9, 4) and terms[-1][1] == pd.Timestamp(2024, 7, 19)


def test_demo_attendance_is_valid_seeded_and_follows_the_measured_attendance(tmp_path):
    spec = next(s for s in DEMO_SITES if s.slug == "northshire")
    first = write_site_attendance(tmp_path / "a", spec)
    again = write_site_attendance(tmp_path / "b", spec)
    assert first.read_bytes() == again.read_bytes(), "the same seed writes the same file"
    evaluation = load_evaluation(dataset_path("demo") / "northshire")
    loaded = load_table(first, "attendance", references={"participants": evaluation.participants.data})
    assert loaded.problems.empty, loaded.problems.to_string()
    table = loaded.data
    assert (table.groupby("participant_id").size() == 6).all()
    assert set(table["participant_id"]) == set(evaluation.participants.data["participant_id"])
    # first half-term near the baseline attendance, last near the post value (suspended days aside)
    pct = 100 * table["sessions_attended"] / table["sessions_possible"]
    outcomes = evaluation.outcomes.data
    att = outcomes[outcomes["measure"] == "attendance_pct"].pivot(index="participant_id", columns="timepoint",
                                                                  values="value")
    by_person = pct.groupby(table["participant_id"])
    calm = table.groupby("participant_id")["suspension_days"].sum() == 0
    gap_first = (by_person.first() - att["baseline"]).abs()[calm]
    gap_last = (by_person.last() - att["post"]).abs()[calm].dropna()
    assert gap_first.median() < 2 and gap_last.median() < 2
    assert (gap_first < 6).mean() > 0.9


def test_demo_attendance_uses_only_valid_participants_and_sane_values():
    spec = next(s for s in DEMO_SITES if s.slug == "easton")  # the site with planted mistakes
    tables = generate_site(spec)
    rows = demo_attendance(tables["participants"], tables["outcomes"], np.random.default_rng(1))
    assert "SYN-EA-0006" not in set(rows["participant_id"]), "a duplicated id is not a valid participant"
    attended = rows["sessions_attended"].astype(int)
    assert (attended <= rows["sessions_possible"].astype(int)).all() and (attended >= 0).all()
    absent = rows["authorised_absence"].astype(int) + rows["unauthorised_absence"].astype(int)
    assert (absent + attended == rows["sessions_possible"].astype(int)).all()


def test_bundled_demo_attendance_is_what_the_generator_writes(tmp_path):
    for spec in DEMO_SITES:
        bundled = dataset_path("demo") / spec.slug / "attendance.csv"
        if not bundled.exists():
            pytest.skip("the demo data has no attendance.csv yet (write_demo_attendance is not in its generation)")
        assert bundled.read_bytes() == write_site_attendance(tmp_path / spec.slug, spec).read_bytes(), spec.slug
