"""The data dictionary is complete, internally consistent and renders for people."""

import re

import pytest

from cm_research.dictionary import load_schema, load_schemas, measures_catalogue, to_markdown
from cm_research.errors import DictionaryError


def test_participants_and_outcomes_are_defined():
    schemas = load_schemas()
    assert {"participants", "outcomes", "measures"} <= set(schemas)
    assert load_schema("participants").primary_key == ("participant_id",)
    assert load_schema("outcomes").primary_key == ("participant_id", "measure", "timepoint")


@pytest.mark.parametrize("table", ["participants", "outcomes", "measures"])
def test_every_field_is_documented_for_a_practitioner(table):
    for field in load_schema(table).fields:
        assert field.title.strip(), field.name
        assert len(field.description.split()) >= 3, f"{table}.{field.name} needs a real description"
        assert field.type in {"string", "integer", "number", "boolean", "date", "list"}


def test_issue_fields_are_present():
    participants = set(load_schema("participants").field_names)
    assert {"participant_id", "site", "cohort", "year_group", "education_stage", "care_status", "referral_reasons",
            "programme", "start_date", "end_date", "match_ended_early", "group"} <= participants
    assert set(load_schema("outcomes").field_names) == {"participant_id", "measure", "timepoint", "value", "date"}
    assert load_schema("participants").field("group").enum == ("mentored", "comparison")


def test_measures_catalogue_has_unit_range_and_direction():
    cat = measures_catalogue()
    assert {"attendance_pct", "suspensions", "permanent_exclusion", "sdq_total", "swemwbs", "attainment8",
            "destination_eet"} <= set(cat.index)
    assert cat["better"].isin(["higher", "lower"]).all()
    assert cat["kind"].isin(["continuous", "count", "binary"]).all()
    assert (cat["minimum"] <= cat["maximum"]).all()
    assert cat.loc["attendance_pct", ["minimum", "maximum"]].tolist() == [0, 100]
    assert cat.loc["sdq_total", ["minimum", "maximum", "better"]].tolist() == [0, 40, "lower"]
    binary = cat[cat["kind"] == "binary"]
    assert (binary["minimum"] == 0).all() and (binary["maximum"] == 1).all()
    for pattern in [load_schema("measures").field("measure").pattern]:
        assert all(re.fullmatch(pattern, m) for m in cat.index)


def test_markdown_lists_every_table_and_field():
    text = to_markdown()
    for schema in load_schemas().values():
        assert f"(`{schema.name}`)" in text
        for field in schema.fields:
            assert f"| `{field.name}` |" in text
    assert "| attendance_pct | Attendance (%) | percent | continuous | 0 | 100 | higher |" in text


def test_unknown_table_names_the_known_ones():
    with pytest.raises(DictionaryError, match="unknown table 'pupils'.*participants"):
        load_schema("pupils")


def test_malformed_schema_is_reported(tmp_path):
    (tmp_path / "bad.yaml").write_text("name: bad\nfields:\n  - name: x\n    type: text\n    title: X\n    description: an x\n")
    with pytest.raises(DictionaryError, match="bad.yaml, field 'x': type 'text'"):
        load_schemas(tmp_path)


def test_rendered_dictionary_in_the_repository_is_up_to_date():
    from pathlib import Path

    committed = Path(__file__).resolve().parents[1] / "data_dictionary" / "README.md"
    assert committed.read_text(encoding="utf-8") == to_markdown() + "\n", "run `make dictionary` and commit"


@pytest.mark.parametrize("fields", ["fields:\n  - participant_id\n", "fields: participant_id\n", "fields:\n  - [a, b]\n"])
def test_a_fields_list_that_is_not_a_list_of_mappings_gets_a_plain_error(tmp_path, fields):
    """A careless dictionary (fields written as bare names, or one name) names the file and the field number,
    instead of failing inside the parser with AttributeError."""
    (tmp_path / "participants.yaml").write_text("name: participants\n" + fields, encoding="utf-8")
    with pytest.raises(DictionaryError, match=r"participants\.yaml.*field 1"):
        load_schema("participants", folder=tmp_path)
