"""Framework files and tags: the bundled Every Child Matters file, user-declared frameworks, and clear errors
for malformed files and for tags naming unknown frameworks or outcomes."""

import textwrap

import pandas as pd
import pytest

from cm_research.dictionary import measures_catalogue
from cm_research.frameworks import (FrameworkError, FrameworkTagError, framework_tags, load_framework,
                                    load_frameworks, parse_tags, read_framework, tags_text)
from cm_research.qual import CodebookError, load_codebook

ECM = ["be_healthy", "stay_safe", "enjoy_and_achieve", "make_a_positive_contribution", "achieve_economic_wellbeing"]

TOY = """\
id: toy
title: Toy framework
source: Written for this test.
outcomes:
  - {id: a, title: Outcome A, description: First.}
  - {id: b, title: Outcome B, description: Second.}
"""


def _write(folder, name, text):
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_every_child_matters_has_the_five_outcomes_and_its_source():
    ecm = load_frameworks()["every_child_matters"]
    assert ecm.outcome_ids == ECM
    assert "2003" in ecm.source and "Children Act 2004" in ecm.source
    assert all(o.title and len(o.description.split()) >= 5 for o in ecm.outcomes)
    assert ecm.table()["outcome"].tolist() == ECM


def test_a_user_declared_framework_loads_beside_the_bundled_ones(tmp_path):
    path = _write(tmp_path, "toy.yaml", TOY)
    for given in (path, tmp_path):  # a file, or a folder of files
        known = load_frameworks(given)
        assert set(known) == {"every_child_matters", "toy"}
        assert known["toy"].outcome_ids == ["a", "b"]
    assert load_framework(path).id == "toy"
    assert load_framework("toy", tmp_path).outcome("b").title == "Outcome B"
    with pytest.raises(FrameworkTagError, match="no framework 'outcomes_star'.*every_child_matters"):
        load_framework("outcomes_star")


@pytest.mark.parametrize("text, expected", [
    ("id: toy\ntitle: T\nsource: S\n", r"toy\.yaml: no 'outcomes' list"),
    ("title: T\nsource: S\noutcomes: [{id: a, title: A}]\n", r"toy\.yaml: no 'id'"),
    ("id: Toy Framework\ntitle: T\nsource: S\noutcomes: [{id: a, title: A}]\n", "id 'Toy Framework' must be lower case"),
    ("id: toy\ntitle: T\nsource: S\noutcomes: [{id: a, title: A}, {id: a, title: B}]\n", "outcome id 'a' is given twice"),
    ("id: toy\ntitle: T\nsource: S\noutcomes: [{id: a}]\n", "outcome a has no title"),
    ("id: toy\ntitle: [unclosed\n", r"toy\.yaml: not valid YAML"),
])
def test_a_malformed_framework_file_is_named_with_its_problem(tmp_path, text, expected):
    with pytest.raises(FrameworkError, match=expected):
        read_framework(_write(tmp_path, "toy.yaml", text))


def test_two_files_with_one_id_name_both_files(tmp_path):
    first = _write(tmp_path, "toy.yaml", TOY)
    second = _write(tmp_path, "toy_copy.yaml", TOY)
    with pytest.raises(FrameworkError, match=f"'toy' is declared twice: in {first}.* and in {second}"):
        load_frameworks(tmp_path)


def test_tags_read_the_same_from_a_mapping_or_from_text():
    expected = {"every_child_matters": ("enjoy_and_achieve", "be_healthy"), "toy": ()}
    assert parse_tags({"every_child_matters": ["enjoy_and_achieve", "be_healthy"], "toy": []}) == expected
    assert parse_tags("every_child_matters: enjoy_and_achieve, be_healthy; toy:") == expected
    assert parse_tags(tags_text(expected)) == expected
    assert parse_tags(None) == {} and parse_tags(float("nan")) == {}
    with pytest.raises(FrameworkTagError, match="should be written framework: outcome"):
        parse_tags("enjoy_and_achieve", "measure `x`")
    with pytest.raises(FrameworkTagError, match="must map a framework id"):
        parse_tags(["enjoy_and_achieve"])
    with pytest.raises(FrameworkTagError, match="'Be Healthy' under 'every_child_matters' is not an outcome id"):
        parse_tags({"every_child_matters": ["Be Healthy"]})


def test_an_unknown_outcome_names_the_file_the_measure_and_the_known_ids():
    catalogue = pd.DataFrame({"measure": ["attendance_pct", "sdq_total"], "title": ["Attendance", "SDQ"],
                              "frameworks": ["every_child_matters: enjoy_and_achieve",
                                             "every_child_matters: be_healthy, feel_happy"]})
    with pytest.raises(FrameworkTagError) as caught:
        framework_tags(measures=catalogue)
    message = str(caught.value)
    assert "measure `sdq_total`" in message and "'feel_happy' is not an outcome of every_child_matters" in message
    assert "every_child_matters.yaml" in message and ", ".join(ECM) in message
    catalogue.loc[1, "frameworks"] = "outcomes_star: feel_happy"
    with pytest.raises(FrameworkTagError, match="measure `sdq_total`: no framework 'outcomes_star'"):
        framework_tags(measures=catalogue)


def test_a_codebook_tag_is_checked_with_its_file_line_and_code(tmp_path):
    cb = load_codebook(_write(tmp_path, "codebook.yaml", """\
        name: Test
        themes:
          - name: t1
            definition: Theme one.
            codes:
              - name: a
                definition: Code a.
                frameworks: {every_child_matters: [enjoy_and_achieve]}
              - name: b
                definition: Code b.
                frameworks: {every_child_matters: [be_happy], toy: [a]}
        """))
    assert cb.codes[0].framework_tags == {"every_child_matters": ("enjoy_and_achieve",)}
    with pytest.raises(FrameworkTagError) as caught:
        framework_tags(codebook=cb, include_measures=False)
    message = str(caught.value)
    assert message.startswith("2 outcome-framework tags cannot be used")
    assert "codebook.yaml, line 9, code `b`: 'be_happy' is not an outcome of every_child_matters" in message
    assert "codebook.yaml, line 9, code `b`: no framework 'toy'" in message
    toy = _write(tmp_path, "toy.yaml", TOY)
    with pytest.raises(FrameworkTagError, match="be_happy"):  # declaring toy fixes one problem, not the other
        framework_tags(load_frameworks(toy), codebook=cb, include_measures=False)
    good = load_codebook(_write(tmp_path, "ok.yaml", """\
        name: Test
        themes:
          - name: t1
            definition: Theme one.
            codes:
              - name: b
                definition: Code b.
                frameworks: "toy: a, b"
        """))
    tags = framework_tags(load_frameworks(toy), codebook=good, include_measures=False)
    assert tags[["framework", "outcome", "kind", "item", "theme", "source"]].values.tolist() == [
        ["toy", "a", "code", "b", "t1", "ok.yaml"], ["toy", "b", "code", "b", "t1", "ok.yaml"]]


def test_a_malformed_codebook_tag_is_a_codebook_problem_with_its_line(tmp_path):
    path = _write(tmp_path, "codebook.yaml", """\
        name: Test
        themes:
          - name: t1
            definition: Theme one.
            codes:
              - name: a
                definition: Code a.
                frameworks: [enjoy_and_achieve]
        """)
    with pytest.raises(CodebookError, match=r"codebook\.yaml, line 6, column `frameworks`: code 'a': frameworks must map"):
        load_codebook(path)


def test_every_measure_of_the_dictionary_is_tagged_with_known_outcomes():
    catalogue = measures_catalogue()
    tags = framework_tags()  # raises if any tag is unknown
    ecm = tags[tags["framework"] == "every_child_matters"]
    assert set(ecm["item"]) == set(catalogue.index)
    assert set(ecm["outcome"]) <= set(ECM)
    assert set(tags.loc[tags["item"] == "attendance_pct", "outcome"]) == {"enjoy_and_achieve"}
    assert set(tags.loc[tags["item"] == "sdq_total", "outcome"]) == {"be_healthy"}
    assert set(tags.loc[tags["item"] == "destination_eet", "outcome"]) == {"achieve_economic_wellbeing"}


def test_every_starter_code_is_tagged_with_known_outcomes_or_marked_as_about_none():
    cb = load_codebook()
    for code in cb.codes:
        assert "every_child_matters" in code.framework_tags, f"{code.name} has no every_child_matters tag"
    tags = framework_tags(codebook=cb, include_measures=False)  # raises if any tag is unknown
    assert set(tags["outcome"]) == set(ECM)  # every outcome has at least one code
    about_none = {c.name for c in cb.codes if c.framework_tags["every_child_matters"] == ()}
    assert {"training_and_supervision", "time_and_workload", "matching_by_interests"} <= about_none
    assert set(tags.loc[tags["item"] == "anxiety_and_calm", "outcome"]) == {"be_healthy"}


def test_codebook_exports_carry_the_tags(tmp_path):
    cb = load_codebook()
    table = cb.table().set_index("code")
    assert table.loc["future_plans", "frameworks"] == "every_child_matters: achieve_economic_wellbeing"
    assert table.loc["joined_up_working", "frameworks"] == "every_child_matters:"
    assert "**Outcome frameworks.** every_child_matters: be_healthy" in cb.to_markdown()
    assert "<dt>Outcome frameworks</dt><dd>every_child_matters: stay_safe</dd>" in cb.to_html()
