"""The action-research cycle file: the bundled one loads; every mistake is named with file, line and key."""

from __future__ import annotations

import datetime as dt

import pytest

from cm_research.datasets.action_research import partnership_dir
from cm_research.surveys import CYCLE_FIELDS, CycleFileError, cycle_fields_table, cycle_markdown, load_cycle

VALID = """\
partnership: Testshire Arts
period: {start: 2024-09-02, end: 2025-05-30}
question: Can free tickets help?
context: An arts centre and a Virtual School.
baseline: Cost was the main barrier.
actions:
  - {date: 2024-10-07, action: Free tickets began}
  - {date: 01/12/2024, action: Carers' evening, who: partnership}
observations: Bookings rose.
reflection: [Cost moved, transport did not]
next_cycle: Try a travel budget.
"""


def _write(tmp_path, text, name="action_research_cycle.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_cycle_loads_and_renders():
    cycle = load_cycle(partnership_dir() / "action_research_cycle.yaml")
    assert cycle.partnership == "Easton Arts Partnership" and len(cycle.actions) >= 4
    assert cycle.actions["date"].is_monotonic_increasing
    text = cycle_markdown(cycle)
    for heading in ("**Question.**", "**Context.**", "**Baseline.**", "**What was done.**", "**What was observed.**",
                    "**Reflection.**", "**Next cycle.**"):
        assert heading in text
    assert "7 October 2024: Free ticket scheme" in text


def test_valid_file_with_both_date_forms(tmp_path):
    cycle = load_cycle(_write(tmp_path, VALID))
    assert cycle.actions["date"].tolist() == [dt.date(2024, 10, 7), dt.date(2024, 12, 1)]
    assert cycle.reflection == ["Cost moved", "transport did not"] and cycle.observations == ["Bookings rose."]
    assert (cycle.start, cycle.end) == (dt.date(2024, 9, 2), dt.date(2025, 5, 30))


def test_missing_key_names_file_and_key(tmp_path):
    path = _write(tmp_path, VALID.replace("baseline: Cost was the main barrier.\n", ""))
    with pytest.raises(CycleFileError, match=r"action_research_cycle.yaml, line 1, key `baseline`: `baseline` is "
                                             r"required but missing") as info:
        load_cycle(path)
    assert info.value.problems[["key"]].values.ravel().tolist() == ["baseline"]


def test_every_problem_is_listed_with_its_line(tmp_path):
    text = (VALID.replace("{date: 01/12/2024, action: Carers' evening, who: partnership}",
                          "{date: 31/13/2024, action: Carers' evening, place: hall}")
                 .replace("  - {date: 2024-10-07, action: Free tickets began}", "  - {date: 2023-01-01, action: Early}")
                 .replace("next_cycle: Try a travel budget.", "next_cycle: Try a travel budget.\nreflections: typo"))
    with pytest.raises(CycleFileError) as info:
        load_cycle(_write(tmp_path, text))
    problems = info.value.problems.set_index("key")
    assert problems.loc["actions[2].date", "line"] == 8 and "'31/13/2024' is not a date" in problems.loc["actions[2].date", "message"]
    assert problems.loc["actions[2].place", "line"] == 8
    assert problems.loc["actions[1].date", "line"] == 7 and "outside the cycle's period" in problems.loc["actions[1].date", "message"]
    assert problems.loc["reflections", "line"] == 12 and "unknown key 'reflections'" in problems.loc["reflections", "message"]
    assert str(info.value).startswith("action_research_cycle.yaml has 4 problems")


def test_wrong_kinds_and_empty_values(tmp_path):
    text = VALID.replace("question: Can free tickets help?", "question: [a, b]").replace(
        "actions:\n  - {date: 2024-10-07, action: Free tickets began}\n  - {date: 01/12/2024, action: Carers' evening, who: partnership}",
        "actions: Free tickets").replace("observations: Bookings rose.", "observations:")
    with pytest.raises(CycleFileError) as info:
        load_cycle(_write(tmp_path, text))
    messages = dict(zip(info.value.problems["key"], info.value.problems["message"]))
    assert messages["question"] == "`question` must be text, not a list"
    assert "`actions` must be a list of entries" in messages["actions"]
    assert "`observations` is required but empty" in messages["observations"]


def test_unreadable_and_absent_files(tmp_path):
    with pytest.raises(CycleFileError, match="line 2: not valid YAML"):
        load_cycle(_write(tmp_path, "question: a\n  - b: [\n"))
    with pytest.raises(CycleFileError, match="no action-research cycle file at .*nowhere.yaml"):
        load_cycle(tmp_path / "nowhere.yaml")
    with pytest.raises(CycleFileError, match="expected keys such as question"):
        load_cycle(_write(tmp_path, "- just a list\n"))


def test_format_table_lists_every_key_and_the_notebook_documents_them():
    import nbformat

    from cm_research.batch import notebook_path

    table = cycle_fields_table()
    assert table["key"].tolist() == list(CYCLE_FIELDS)
    intro = nbformat.read(notebook_path("07_action_research"), as_version=4).cells[0].source
    for key, required in zip(table["key"], table["required"]):
        assert f"| `{key}` | {required} |" in intro
