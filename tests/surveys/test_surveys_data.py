"""Survey tables: defined in the data dictionary, loaded through load_table, checked across rows; the bundled
synthetic partnership is what its seeded generator writes."""

from __future__ import annotations

import filecmp

import pandas as pd
import pytest

from cm_research.data import load_table
from cm_research.datasets import dataset_path, list_datasets
from cm_research.datasets.action_research import ACTION_RESEARCH_SEED, partnership_dir, write_action_research
from cm_research.dictionary import catalogue, load_schema, measures_catalogue, to_markdown
from cm_research.errors import DictionaryError
from cm_research.surveys import load_survey, respondents_by_role, survey_catalogue

HEADER = "respondent_id,respondent_role,wave,item,response,dont_know"


def test_tables_are_in_the_dictionary_with_keys_and_identifiers():
    responses = load_schema("survey_responses")
    assert responses.primary_key == ("respondent_id", "wave", "item")
    assert responses.identifier_fields == ["respondent_id"]
    assert responses.field("respondent_role").enum == ("young_person", "carer", "mentor", "teacher",
                                                       "social_worker", "other")
    assert responses.field("wave").enum == ("baseline", "end")
    assert (responses.field("response").minimum, responses.field("response").maximum) == (1, 5)
    assert load_schema("survey_comments").identifier_fields == ["respondent_id"]
    for table in ("survey_responses", "survey_comments", "survey_items"):
        for field in load_schema(table).fields:
            assert len(field.description.split()) >= 3, f"{table}.{field.name}"


def test_item_catalogue_rows_obey_their_own_schema(tmp_path):
    items = catalogue("survey_items")
    assert items.index.name == "item" and len(items) >= 8 and items["reverse_scored"].any()
    path = tmp_path / "survey_items.csv"
    items.assign(reverse_scored=items["reverse_scored"].map({True: "yes", False: "no"})).to_csv(path, index=False)
    loaded = load_table(path, "survey_items")
    assert loaded.errors.empty and len(loaded.data) == len(items)
    assert measures_catalogue().index.name == "measure"  # the refactored loader serves measures as before
    with pytest.raises(DictionaryError, match="no rows for this table"):
        catalogue("survey_responses")


def test_rendered_dictionary_shows_the_item_catalogue():
    text = to_markdown()
    assert "| item | label | text | scale | reverse_scored |" in text
    assert "| carers_know | Carers know what is on |" in text


def test_bundled_tables_load_without_errors():
    site = partnership_dir()
    responses = load_table(site / "survey_responses.csv", "survey_responses",
                           references={"survey_items": survey_catalogue()})
    assert responses.errors.empty and len(responses.data) == responses.n_read
    comments = load_table(site / "survey_comments.csv", "survey_comments",
                          references={"survey_responses": responses.data})
    assert comments.errors.empty and 40 <= len(comments.data) <= 60
    assert responses.data["respondent_id"].str.startswith("SYN-").all()
    assert responses.data["dont_know"].fillna(False).sum() > 0
    per_wave = responses.data.groupby("wave")["respondent_id"].nunique()
    assert 35 <= per_wave["baseline"] <= 45 and 30 <= per_wave["end"] <= 45
    assert 8 <= responses.data["item"].nunique() <= 10


def test_bundled_partnership_is_what_the_generator_writes(tmp_path):
    fresh = write_action_research(tmp_path / "ar", seed=ACTION_RESEARCH_SEED)
    bundled = partnership_dir()
    for name in ("survey_responses.csv", "survey_comments.csv", "action_research_cycle.yaml", "SYNTHETIC.txt"):
        assert filecmp.cmp(fresh / name, bundled / name, shallow=False), name
    assert "SYNTHETIC DATA" in (dataset_path("action_research") / "SYNTHETIC.txt").read_text()
    assert list_datasets().set_index("name").loc["action_research", "synthetic"]


def test_row_problems_are_reported_and_held_back(tmp_path):
    rows = [
        "EA-01,carer,baseline,cost_stops,4,",
        "EA-01,carer,baseline,info_easy,6,",              # row 3: above the maximum
        "EA-02,mentor,baseline,favourite_colour,3,",      # row 4: not an item of the catalogue
        "EA-02,mentor,baseline,cost_stops,2,yes",         # row 5: an answer and don't know
        "EA-03,carer,baseline,cost_stops,,don't know",    # row 6: fine (don't know)
        "EA-03,teacher,end,cost_stops,3,",                # row 7: EA-03 has two roles
    ]
    (tmp_path / "survey_responses.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    (tmp_path / "survey_comments.csv").write_text(
        "respondent_id,wave,question,answer\nEA-01,baseline,barriers,Too far.\nEA-09,end,barriers,Cost.\n",
        encoding="utf-8")
    survey = load_survey(tmp_path)
    problems = survey.responses.problems.set_index("row")
    assert len(survey.problems) == len(survey.responses.problems) + len(survey.comments.problems)
    # `response` is optional (empty for "don't know"): an answer out of range is blanked, listed, the row kept
    assert problems.loc[3, "rule"] == "blanked_maximum" and problems.loc[3, "severity"] == "warning"
    assert problems.loc[4, "rule"] == "foreign_key"
    assert problems.loc[5, "rule"] == "consistency" and "both an answer (2) and don't know" in problems.loc[5, "message"]
    assert "respondent EA-03 has more than one role (carer, teacher)" in problems.loc[7, "message"]
    assert sorted(survey.responses.data.index) == [2, 3] and pd.isna(survey.responses.data.loc[3, "response"])
    assert sorted(survey.responses.quarantine["row"].astype(int)) == [4, 5, 6, 7]
    comment_problems = survey.comments.problems
    assert comment_problems.loc[comment_problems["row"] == 3, "rule"].tolist() == ["foreign_key"]


def test_respondents_by_role_by_hand():
    data = pd.DataFrame({
        "respondent_id": [f"y{i}" for i in range(7)] * 2 + ["c1", "c2"],
        "respondent_role": ["young_person"] * 14 + ["carer"] * 2,
        "wave": ["baseline"] * 7 + ["end"] * 7 + ["baseline", "end"],
    })
    data = data.drop(index=[13])  # y6 answered at baseline only
    raw = respondents_by_role(data, suppress=False).set_index("role")
    assert raw.loc["young people"].tolist() == [7, 6, 6]
    assert raw.loc["carers"].tolist() == [1, 1, 0]
    assert raw.loc["all respondents"].tolist() == [8, 7, 6]
    published = respondents_by_role(data).set_index("role")
    assert published.loc["carers", "baseline"] == "c"
    assert published.loc["young people", "baseline"] == "c"  # secondary: else 8 - 7 gives the carers away
