"""Evidence by outcome on a small hand-made input: a four-outcome framework, three comparisons, six coded
segments. Every number below is counted by hand from the input written out in this file."""

import math
import textwrap

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from cm_research.frameworks import read_framework  # noqa: E402
from cm_research.qual import load_codebook  # noqa: E402
from cm_research.report.frameworks import (code_evidence, describe_evidence, evidence_by_outcome,  # noqa: E402
                                           evidence_figure_alt, evidence_heatmap, evidence_matrix,
                                           measure_evidence)

TOY = """\
id: toy
title: Toy framework
source: Written for this test.
outcomes:
  - {id: a, title: Outcome A, description: First.}
  - {id: b, title: Outcome B, description: Second.}
  - {id: c, title: Outcome C, description: Third.}
  - {id: d, title: Outcome D, description: Fourth.}
"""

# a: two measures, one code; b: one measure (withheld), two codes; c: a measure not measured and a code nobody
# used; d: nothing tagged.
TAGS = pd.DataFrame(
    [("toy", "a", "measure", "attendance_pct", "Attendance (%)", "", "m"),
     ("toy", "a", "measure", "sdq_total", "SDQ total difficulties", "", "m"),
     ("toy", "b", "measure", "suspensions", "Suspensions", "", "m"),
     ("toy", "c", "measure", "destination_eet", "In education, employment or training", "", "m"),
     ("toy", "a", "code", "trust", "Trust", "relationship", "cb"),
     ("toy", "b", "code", "attending", "Attending school", "school", "cb"),
     ("toy", "b", "code", "future", "Future plans", "aspirations", "cb"),
     ("toy", "c", "code", "unused", "Unused", "other", "cb")],
    columns=["framework", "outcome", "kind", "item", "label", "theme", "source"])

COMPARISONS = pd.DataFrame([
    dict(measure="attendance_pct", title="Attendance (%)", kind="continuous", better="higher",
         analysis="post adjusted for baseline (ANCOVA)", n_treated=20, n_control=18, estimate=4.0, ci_low=1.0,
         ci_high=7.0, null=0.0, effect_size_name="hedges_g_adj", effect_size=0.5, favours="mentored", note=""),
    dict(measure="sdq_total", title="SDQ total difficulties", kind="continuous", better="lower",
         analysis="post adjusted for baseline (ANCOVA)", n_treated=20, n_control=18, estimate=-1.0, ci_low=-3.0,
         ci_high=1.0, null=0.0, effect_size_name="hedges_g_adj", effect_size=-0.2, favours="unclear", note=""),
    dict(measure="suspensions", title="Suspensions", kind="count", better="lower",
         analysis="withheld (small-number suppression)", n_treated="c", n_control="c", estimate=math.nan,
         ci_low=math.nan, ci_high=math.nan, null=1.0, effect_size_name="rate_ratio", effect_size=math.nan,
         favours="withheld", note="withheld: a group has between 1 and 5 young people"),
])

# T1, T2 mentees; T3 a mentor; T4 the VSH. The interviewer's "trust" in T4 must not count.
CODED = pd.DataFrame(
    [("T1", "mentee", "trust", False), ("T1", "mentee", "trust", False), ("T3", "mentor", "trust", False),
     ("T2", "mentee", "attending", False), ("T3", "mentor", "attending", False), ("T3", "mentor", "future", False),
     ("T4", "vsh", "future", False), ("T4", "vsh", "trust", True)],
    columns=["transcript", "role", "code", "is_interviewer"])


@pytest.fixture
def toy(tmp_path):
    path = tmp_path / "toy.yaml"
    path.write_text(textwrap.dedent(TOY), encoding="utf-8")
    return read_framework(path)


def _table(toy, **kwargs):
    return evidence_by_outcome(toy, COMPARISONS, coded=CODED, tags=TAGS, **kwargs).set_index("outcome")


def test_counts_by_outcome_counted_by_hand(toy):
    t = _table(toy, threshold=1)
    assert t["measures_tagged"].tolist() == [2, 1, 1, 0]
    assert t["measures_analysed"].tolist() == [2, 0, 0, 0]  # suspensions withheld, destination not measured
    assert t[["favours_mentored", "unclear", "favours_comparison"]].values.tolist() == [[1, 1, 0], [0, 0, 0],
                                                                                        [0, 0, 0], [0, 0, 0]]
    assert t["codes_tagged"].tolist() == [1, 2, 1, 0]
    assert t["codes_mentioned"].tolist() == [1, 2, 0, 0]
    # a: trust in T1 and T3 (T4's is the interviewer's); b: attending in T2, T3 and future in T3, T4
    assert t["interviews"].tolist() == [2, 3, 0, 0]
    assert t["roles"].tolist() == ["mentee; mentor", "mentee; mentor; VSH", "", ""]
    assert t["evidence"].tolist() == ["measures and interviews", "interviews only", "none", "none"]
    assert t.loc["b", "without_result"] == "Suspensions (withheld)"
    assert t.loc["c", "without_result"] == "In education, employment or training (not measured)"
    assert t.loc["a", "note"] == "" and t.loc["b", "note"] == ""
    assert "no evidence about this outcome" in t.loc["c", "note"]
    assert "no interview was coded with its codes" in t.loc["c", "note"]
    assert t.loc["d", "note"].startswith("No measure or interview code of this evaluation is tagged to “Outcome D”")


def test_results_in_words_carry_direction_size_and_interval(toy):
    t = _table(toy, threshold=1)
    assert t.loc["a", "quantitative"] == (
        "Attendance (%): the mentored group's average 4.0 higher (95% CI 1.0 to 7.0; Hedges' g 0.50): the whole "
        "interval favours the mentored group; SDQ total difficulties: the mentored group's average 1.0 lower "
        "(95% CI −3.0 to 1.0; Hedges' g −0.20): the interval includes no difference, so the groups cannot be "
        "told apart")
    assert t.loc["b", "qualitative"] == "Attending school (mentee; mentor); Future plans (mentor; VSH)"
    assert t.loc["c", "qualitative"] == "no tagged code was coded in any interview"


def test_interview_counts_of_five_or_fewer_are_suppressed(toy):
    t = _table(toy)  # default threshold 5
    assert t["interviews"].tolist() == ["c", "c", 0, 0]
    codes = code_evidence(toy, coded=CODED, tags=TAGS).set_index("code")
    assert codes["interviews"].tolist() == ["c", "c", "c", 0]
    assert code_evidence(toy, coded=CODED, tags=TAGS, threshold=1)["interviews"].tolist() == [2, 2, 2, 0]


def test_measure_statuses(toy):
    m = measure_evidence(toy, COMPARISONS, tags=TAGS).set_index("measure")
    assert m["status"].to_dict() == {"attendance_pct": "analysed", "sdq_total": "analysed",
                                     "suspensions": "withheld", "destination_eet": "not measured"}
    assert m.loc["attendance_pct", ["estimate", "ci_low", "ci_high"]].tolist() == [4.0, 1.0, 7.0]


def test_without_interviews_the_table_says_so(toy):
    t = evidence_by_outcome(toy, COMPARISONS, tags=TAGS).set_index("outcome")
    assert t["qualitative"].tolist() == ["no interview was analysed"] * 3 + ["no code is tagged to this outcome"]
    assert t["evidence"].tolist() == ["measures only", "none", "none", "none"]
    assert "no interview was analysed" in t.loc["b", "note"]


def test_sentences_are_honest(toy):
    sentences = describe_evidence(_table(toy).reset_index())
    text = " ".join(sentences)
    assert "significant" not in text.lower()
    assert sentences[0].startswith("Outcome A: 2 of the 2 measures tagged to it could be compared between the groups")
    assert "5 or fewer interviews (the number is not shown" in sentences[1]
    assert "with mentee, mentor and VSH" in sentences[1]
    assert sentences[1].count("none of the 1 measures tagged to it could be compared") == 1
    assert "no evidence about this outcome" in sentences[2] and "no evidence about this outcome" in sentences[3]
    assert "not an effect of mentoring" in sentences[-1]


def test_bundled_framework_with_the_starter_codebook():
    coded = pd.DataFrame([("T1", "mentee", "anxiety_and_calm", False), ("T2", "carer", "care_stigma", False)],
                         columns=["transcript", "role", "code", "is_interviewer"])
    t = evidence_by_outcome("every_child_matters", COMPARISONS, coded=coded, codebook=load_codebook(),
                            suppress=False).set_index("outcome")
    assert t.index.tolist() == ["be_healthy", "stay_safe", "enjoy_and_achieve", "make_a_positive_contribution",
                                "achieve_economic_wellbeing"]
    assert t.loc["be_healthy", "favours_mentored":"unclear"].tolist() == [0, 0, 1]  # SDQ total, from measures.yaml
    assert t.loc["enjoy_and_achieve", "favours_mentored"] == 1  # attendance
    assert t.loc["stay_safe", ["measures_tagged", "interviews", "roles"]].tolist() == [0, 1, "carer"]
    assert t.loc["be_healthy", "roles"] == "mentee"


def test_matrix_and_figure(toy):
    table = _table(toy).reset_index()
    matrix = evidence_matrix(table)
    assert matrix.values.tolist() == [[1, 1, 0, 0, 1], [0, 0, 0, 1, 2], [0, 0, 0, 1, 0], [0, 0, 0, 0, 0]]
    ax = evidence_heatmap(table)
    assert isinstance(ax, plt.Axes)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Outcome A", "Outcome B", "Outcome C", "Outcome D"]
    alt, caption = evidence_figure_alt(table)
    assert "Outcome A: 2 of 2 measures compared (1 favouring the mentored group), 1 of 1 interview codes" in alt
    plt.close(ax.figure)
