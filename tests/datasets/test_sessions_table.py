"""The sessions table: documented in the dictionary, validated with exact row and column for bad cells, and the
bundled demo sessions are exactly what the seeded generator writes."""

import filecmp

import pandas as pd
import pytest

from cm_research.data import load_evaluation
from cm_research.data.loading import load_table
from cm_research.datasets import DEMO_SEED, DEMO_SITES, dataset_path
from cm_research.datasets.sessions import write_demo_sessions
from cm_research.dictionary import load_schema

PEOPLE = pd.DataFrame({"participant_id": ["YP-01", "YP-02"]})


def test_schema_has_the_design_fields_keys_and_enums():
    schema = load_schema("sessions")
    assert schema.field_names == ["participant_id", "session_date", "minutes", "activity", "setting", "attended"]
    assert schema.primary_key == ("participant_id", "session_date", "activity")
    assert [(fk.fields, fk.resource) for fk in schema.foreign_keys] == [(("participant_id",), "participants")]
    assert schema.identifier_fields == ["participant_id"]
    assert set(schema.required_fields) == {"participant_id", "session_date", "activity"}
    assert (schema.field("minutes").minimum, schema.field("minutes").maximum) == (0, 600)
    assert schema.field("activity").enum == ("film", "drama", "music", "poetry", "photography", "stories",
                                             "visual_art", "clay", "wood", "dance", "sport", "conversation", "other")
    assert schema.field("setting").enum == ("home", "school", "community", "online")
    assert schema.field("attended").type == "boolean" and schema.field("session_date").type == "date"
    for field in schema.fields:
        assert field.title.strip() and len(field.description.split()) >= 6, field.name


def test_a_good_file_loads_typed(tmp_path):
    path = tmp_path / "sessions.csv"
    path.write_text("participant_id,session_date,minutes,activity,setting,attended\n"
                    "YP-01,05/10/2023,60,music,home,yes\nYP-01,12/10/2023,0,Music,school,no\n"
                    "YP-02,05/10/2023,,visual_art,,\n")
    loaded = load_table(path, "sessions", references={"participants": PEOPLE})
    assert loaded.problems.empty, loaded.problems.to_string()
    data = loaded.data
    assert data["session_date"].tolist() == [pd.Timestamp(2023, 10, 5), pd.Timestamp(2023, 10, 12),
                                            pd.Timestamp(2023, 10, 5)]
    assert data["activity"].tolist() == ["music", "music", "visual_art"]  # case put right
    assert data["attended"].tolist()[:2] == [True, False] and pd.isna(data["attended"].iloc[2])
    assert data["minutes"].iloc[0] == 60 and pd.isna(data["minutes"].iloc[2])


def test_bad_rows_are_named_by_row_and_column(tmp_path):
    path = tmp_path / "sessions.csv"
    path.write_text("participant_id,session_date,minutes,activity,setting,attended\n"
                    "YP-01,05/10/2023,60,music,home,yes\n"        # row 2: fine
                    "YP-01,12/10/2023,45,juggling,home,yes\n"     # row 3: not an activity
                    "YP-02,19/10/2023,900,film,community,yes\n"   # row 4: 900 minutes > 600
                    "YP-99,19/10/2023,30,film,online,yes\n"       # row 5: no such young person
                    "YP-01,05/10/2023,30,music,school,yes\n")     # row 6: same person, date and activity as row 2
    loaded = load_table(path, "sessions", references={"participants": PEOPLE})
    found = {(int(r.row), r.column, r.rule) for r in loaded.problems.itertuples()}
    assert found == {(3, "activity", "enum"), (4, "minutes", "blanked_maximum"), (5, "participant_id", "foreign_key"),
                     (2, "activity", "primary_key"), (6, "activity", "primary_key")}
    assert (loaded.problems["file"] == "sessions.csv").all()
    # an optional field's bad value (row 4's minutes) blanks the cell and keeps the row; the rest hold it back
    assert (loaded.problems["severity"] == "error").sum() == 4 and loaded.problems.set_index("row").at[4, "severity"] == "warning"
    messages = loaded.problems.set_index("row")["message"]
    assert "'YP-99' is not in the participants table" in messages[5]
    assert "600" in messages[4]
    assert set(loaded.data.index).isdisjoint({2, 3, 5, 6}) and pd.isna(loaded.data.loc[4, "minutes"])
    assert sorted(loaded.quarantine["row"]) == [2, 3, 5, 6]
    assert loaded.blanked["row"].tolist() == [4] and loaded.blanked.at[0, "minutes"] == "900"


def test_bundled_demo_sessions_are_what_the_generator_writes(tmp_path):
    write_demo_sessions(tmp_path, DEMO_SEED)
    for spec in DEMO_SITES:
        assert filecmp.cmp(tmp_path / spec.slug / "sessions.csv", dataset_path("demo") / spec.slug / "sessions.csv",
                           shallow=False), spec.slug


def test_another_seed_gives_other_sessions(tmp_path):
    write_demo_sessions(tmp_path / "a", 1, DEMO_SITES[2:])
    write_demo_sessions(tmp_path / "b", 2, DEMO_SITES[2:])
    a, b = (tmp_path / x / "westbury" / "sessions.csv" for x in ("a", "b"))
    assert a.read_text() != b.read_text()


@pytest.mark.parametrize("spec", DEMO_SITES, ids=lambda s: s.slug)
def test_demo_sessions_are_valid_weekly_and_within_each_mentees_dates(spec):
    folder = dataset_path("demo") / spec.slug
    people = load_evaluation(folder).participants.data.set_index("participant_id")
    loaded = load_table(folder / "sessions.csv", "sessions", references={"participants": people.reset_index()})
    assert loaded.problems.empty, loaded.problems.head().to_string()
    s = loaded.data.join(people[["group", "start_date", "end_date"]], on="participant_id")
    assert (s["group"] == "mentored").all()
    assert (s["session_date"] >= s["start_date"]).all()
    assert (s["end_date"].isna() | (s["session_date"] <= s["end_date"])).all()
    gaps = s.sort_values(["participant_id", "session_date"]).groupby("participant_id")["session_date"].diff().dropna()
    assert gaps.dt.days.between(1, 9).all()  # weekly, give or take a day
    assert ((s["minutes"] == 0) == ~s["attended"].astype(bool)).all()
