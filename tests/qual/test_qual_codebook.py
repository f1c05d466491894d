"""Codebook loading, validation (every problem with its line) and export."""

from __future__ import annotations

import textwrap

import pytest

from cm_research.qual import CodebookError, load_codebook
from cm_research.qual.codebook import STARTER_CODEBOOK, write_codebook_exports

STARTER_THEMES = {"relationship_and_trust", "being_listened_to", "matching_and_shared_interests",
                  "confidence_and_self_esteem", "creative_expression", "reengagement_with_education",
                  "aspirations_and_careers", "stigma_and_identity", "corporate_parenting", "support_for_mentors",
                  "endings_and_transitions"}


def _write(tmp_path, text: str):
    path = tmp_path / "codebook.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


GOOD = """\
name: Test
themes:
  - name: t1
    definition: Theme one.
    codes:
      - name: a
        definition: Code a.
        hints:
          words: [trust, "open up"]
      - name: b
        definition: Code b.
  - name: t2
    definition: Theme two.
    codes:
      - name: c
        definition: Code c.
        hints:
          regex: ['\\bfelt (?:so )?safe\\b']
"""


def test_starter_codebook_has_the_issue_themes_and_complete_codes():
    cb = load_codebook()
    assert STARTER_THEMES <= {t.name for t in cb.themes}
    for code in cb.codes:
        assert code.definition and code.use_when and code.not_when and code.example and code.hints, code.name
    assert len(cb.code_names) == len(set(cb.code_names))
    assert cb.source == STARTER_CODEBOOK.name


def test_a_good_codebook_loads(tmp_path):
    cb = load_codebook(_write(tmp_path, GOOD))
    assert cb.code_names == ["a", "b", "c"]
    assert cb.themes_of("c") == ("t2",)
    a = cb.codes[0]
    assert a.hints.words == ("trust",) and a.hints.phrases == ("open up",)  # a word hint with a space is a phrase
    assert a.label == "A" and a.line == 6
    assert cb.table()[["theme", "code"]].values.tolist() == [["t1", "a"], ["t1", "b"], ["t2", "c"]]


@pytest.mark.parametrize("text, expected", [
    ("""\
     themes:
       - name: t1
         definition: One.
         codes:
           - name: a
             definition: A.
       - name: t1
         definition: Again.
         codes:
           - name: b
             definition: B.
     """, [(7, "theme 't1' is defined twice (also at line 2)")]),
    ("""\
     themes:
       - name: t1
         definition: One.
         codes:
           - name: a
             definition: A.
           - name: a
             definition: A again.
     """, [(7, "code 'a' appears twice in theme 't1' (also at line 5)")]),
    ("""\
     themes:
       - name: t1
         definition: One.
         codes:
           - name: a
             definition: A.
       - name: t2
         definition: Two.
         codes:
           - name: a
             definition: A too.
     """, [(10, "code 'a' is in two themes, 't1' (line 5) and 't2'")]),
    ("""\
     themes:
       - name: t1
         definition: ""
         codes:
           - name: a
             definition: "  "
             colour: red
             hints:
               regex: ['(unclosed']
               words: [""]
     """, [(2, "theme 't1' has an empty definition"), (5, "unknown field 'colour'"),
           (5, "code 'a' has an empty definition"), (5, "regular expression '(unclosed' does not compile"),
           (5, "hints.words has an empty entry")]),
    ("""\
     themes:
       - name: t1
         definition: One.
         codes:
           - name: a
             definition: A.
             hints:
               questions: [fit it around your job]
               negation: sometimes
     """, [(5, "hints.negation must be flag or evidence, not 'sometimes'")]),
])
def test_validation_names_every_problem_and_line(tmp_path, text, expected):
    with pytest.raises(CodebookError) as err:
        load_codebook(_write(tmp_path, text))
    found = list(zip(err.value.problems["line"], err.value.problems["message"]))
    assert len(found) == len(expected), found
    for line, message in expected:
        assert any(l == line and message in m for l, m in found), (line, message, found)
    assert "codebook.yaml, line" in str(err.value)


def test_shared_codes_allowed_when_declared(tmp_path):
    text = """\
    allow_shared_codes: true
    themes:
      - name: t1
        definition: One.
        codes:
          - name: a
            definition: A.
      - name: t2
        definition: Two.
        codes:
          - name: a
            definition: A in two.
    """
    cb = load_codebook(_write(tmp_path, text))
    assert cb.themes_of("a") == ("t1", "t2")
    assert cb.code_theme_table()[["code", "theme"]].values.tolist() == [["a", "t1"], ["a", "t2"]]


def test_duplicate_yaml_key_and_bad_yaml(tmp_path):
    with pytest.raises(CodebookError, match=r"line 4, column `definition`: field 'definition' is given twice"):
        load_codebook(_write(tmp_path, "themes:\n  - name: t\n    definition: x\n    definition: y\n    codes: []\n"))
    with pytest.raises(CodebookError, match=r"line \d+: not valid YAML"):
        load_codebook(_write(tmp_path, "themes: [\n  - name: t\n"))
    with pytest.raises(CodebookError, match="empty or is not a YAML mapping"):
        load_codebook(_write(tmp_path, ""))


def test_exports_hold_every_code_and_say_hints_are_suggestions(tmp_path):
    cb = load_codebook()
    paths = write_codebook_exports(cb, tmp_path)
    md = paths["markdown"].read_text(encoding="utf-8")
    html = paths["html"].read_text(encoding="utf-8")
    for code in cb.codes:
        assert f"(`{code.name}`)" in md and f"<code>{code.name}</code>" in html
    assert "only to *suggest* codes" in md and "<em>suggest</em>" in html
    assert md.count("## Theme: ") == len(cb.themes)
