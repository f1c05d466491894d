"""Round 5: what figures draw, the negative cases and the saturation curve of a run for publication.

Each attack reads the published output as a reader would (rows counted, bars measured from matplotlib's
artists, a table's columns read), not through the package's own summaries. All data synthetic (seeded or by hand).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from cm_research.privacy.audit import audit_table  # noqa: E402
from cm_research.privacy.contract import DisclosureContractError, write_table  # noqa: E402

C = "c"


# ----------------------------------------------------------------------------------- negative cases, by theme

def _negative_rows() -> pd.DataFrame:
    """The demo's negative cases as round 4 published them, rebuilt by hand: 3 interviewees against
    "Relationship and trust" (1 sentence each), 6 against "Confidence and self-esteem"; with who they are and
    what they said, as the unpublished table holds them."""
    trust = [("relationship_and_trust", "Relationship and trust", f"mentee {i}", "mentee", "Easton", f, 1, "mixed",
              f"I never felt listened to ({i})") for i, f in ((1, 10), (2, 4), (3, 4))]
    esteem = [("confidence_and_self_esteem", "Confidence and self-esteem", f"mentor {i}", "mentor", "Westbury", f, 1,
               "against only" if i == 6 else "mixed", f"I did not feel confident ({i})")
              for i, f in ((1, 8), (2, 8), (3, 8), (4, 7), (5, 4), (6, 0))]
    from cm_research.qual.cases import NEGATIVE_COLUMNS

    return pd.DataFrame(trust + esteem, columns=NEGATIVE_COLUMNS)


def _result(tables: dict[str, pd.DataFrame]):
    from cm_research.qual.workflow import ThematicResult

    empty = pd.DataFrame()
    return ThematicResult(corpus=None, codebook=None, segments=empty, suggestions=empty, coding=empty, coded=empty,
                          basis="human coding (synthetic)", analysed_coder="A", roles=[], min_participants=1,
                          min_share=0.5, tables=tables)


def test_negative_cases_are_published_one_row_per_theme_with_small_counts_hidden(tmp_path):
    from cm_research.qual.publish import anonymous_cases, publish_thematic

    raw = _negative_rows()
    # the round-4 copy: anonymous rows, but counting a theme's rows counts the people against it (3: a count
    # of 1 to 5 that every people-count column of the thematic tables hides)
    round4 = anonymous_cases(raw.drop(columns="quotes_against"))
    assert round4.groupby("theme", sort=False).size().to_dict() == {"relationship_and_trust": 3,
                                                                    "confidence_and_self_esteem": 6}
    round4.to_csv(tmp_path / "negative_cases.csv", index=False)
    found = [f for f in audit_table(tmp_path / "negative_cases.csv") if f[2] == "row_count"]
    assert len(found) == 1 and "3 row(s) for theme relationship_and_trust" in found[0][3]

    published = publish_thematic(_result({"negative_cases": raw})).tables["negative_cases"]
    # by hand: trust 3 people (hidden, and its 3 sentences with it: 3 sentences bound 3 people); esteem 6 people,
    # 1 against only (hidden), so 5 mixed is hidden too (6 - 5 would give the 1 back)
    assert published[["theme", "interviewees_against", "against_only", "mixed", "sentences_against"]].values.tolist() \
        == [["relationship_and_trust", C, C, C, C], ["confidence_and_self_esteem", 6, C, C, 6]]
    assert not {"case", "role", "site", "quotes_against", "n_for"} & set(published.columns)
    write_table(published, tmp_path / "negative_cases.csv")
    assert list(audit_table(tmp_path / "negative_cases.csv")) == []


def test_the_full_negative_cases_and_saturation_curve_go_to_restricted_only(tmp_path):
    from cm_research.qual.publish import publish_thematic
    from cm_research.qual.workflow import negative_cases_display, write_outputs

    raw = _negative_rows()
    result = publish_thematic(_result({"negative_cases": raw, "saturation_curve": _curve()}))
    assert result.restricted["negative_cases"] is raw
    # write_outputs' restricted loop, without the framework and docx writers (they need a corpus)
    from cm_research.privacy.contract import SuppressedTable

    assert isinstance(result.tables["negative_cases"], SuppressedTable)
    shown = negative_cases_display(result, tmp_path)
    assert "quotes_against" not in shown and len(shown) == 2
    with pytest.raises(KeyError, match="framework_entries"):  # no corpus: stops after the tables and copies
        write_outputs(result, tmp_path)
    assert "quotes_against" not in pd.read_csv(tmp_path / "negative_cases.csv").columns
    full = pd.read_csv(tmp_path / "restricted" / "negative_cases.csv")
    assert full["quotes_against"].str.contains("never felt listened").sum() == 3
    assert "new_codes" in pd.read_csv(tmp_path / "restricted" / "saturation_curve.csv").columns
    assert "new_codes" not in pd.read_csv(tmp_path / "saturation_curve.csv").columns


# ------------------------------------------------------------------------------------------ saturation curve

def _curve() -> pd.DataFrame:
    """A new-codes curve of 6 interviews as :func:`cm_research.qual.saturation.new_codes_curve` makes it; the
    4th interview (the only VSH, known from the interview schedule) is the only one to raise council_as_parent."""
    codes = [["trust", "art", "voice"], ["trust", "art", "stigma"], ["art", "voice"],
             ["trust", "council_as_parent"], ["art"], ["trust", "voice"]]
    rows, seen = [], set()
    for k, held in enumerate(codes, start=1):
        new = sorted(set(held) - seen)
        seen |= set(held)
        rows.append((k, f"0{k}_site_role", f"case {k}", "vsh" if k == 4 else "mentee", f"2024-0{k}-01", len(held),
                     len(new), "; ".join(new), len(seen)))
    from cm_research.qual.saturation import CURVE_COLUMNS

    return pd.DataFrame(rows, columns=CURVE_COLUMNS)


def test_the_published_saturation_curve_is_its_shape_and_draws_nothing_else():
    from cm_research.qual.publish import publish_thematic
    from cm_research.qual.saturation import assess_saturation, plot_saturation
    from cm_research.report.figures import describe_figure, drawn_data

    curve = _curve()
    # the attack on the round-4 copy: with the schedule, row 4 is the VSH, and its new codes are what they raised
    assert curve.loc[curve["order"] == 4, "new_codes"].item() == "council_as_parent"
    published = publish_thematic(_result({"saturation_curve": curve})).tables["saturation_curve"]
    assert not {"new_codes", "n_codes"} & set(published.columns)
    assert published[["order", "n_new", "cumulative"]].values.tolist() == [[1, 3, 3], [2, 1, 4], [3, 0, 4],
                                                                            [4, 1, 5], [5, 0, 5], [6, 0, 5]]
    assert set(published[["transcript", "case", "role", "date"]].stack()) == {""}
    # Guest et al.'s summary still follows from the shape: base 4 has 5 codes; run 5-6 adds 0 (0% <= 5%)
    assessment = assess_saturation(published, base_size=4, run_length=2)
    assert assessment["reached"] and assessment["saturation_point"] == 4 and assessment["base_codes"] == 5
    # the figure, read back from its artists: bars are the new codes, the line the codes so far, and no code
    # name is written anywhere on it or in its alt text
    ax = plot_saturation(published, assessment)
    bars = [p.get_height() for p in ax.containers[0]]  # the bar container (the shaded base is a patch too)
    assert bars == [3, 1, 0, 1, 0, 0]
    line = next(l for l in ax.lines if l.get_label() == "distinct codes so far")
    assert list(line.get_ydata()) == [3, 4, 4, 5, 5, 5]
    words = " ".join([t.get_text() for t in ax.texts] + [t.get_text() for t in ax.get_xticklabels()]
                     + [describe_figure(ax.figure)] + drawn_data(ax.figure).astype(str).stack().tolist())
    assert not any(code in words for code in ("council_as_parent", "stigma", "trust", "voice"))
    plt.close(ax.figure)


# ---------------------------------------------------------------------------------- figures, read back

def test_a_published_figure_may_not_draw_a_count_its_table_hides():
    from cm_research.plots.bars import sessions_barplot
    from cm_research.plots.published import category_plot
    from cm_research.privacy.figures import figure_findings, require_safe_figure
    from cm_research.privacy.suppression import suppress_counts

    raw = pd.DataFrame({"measure": ["sdq_total"], "reliable_improvement": [3], "no_reliable_change": [20],
                        "reliable_deterioration": [9], "total": [32]})
    categories = ["reliable improvement", "no reliable change", "reliable deterioration"]
    # a bar of 3 on an axis of young people is the count 3: the figure of the raw row gives it back
    ax = category_plot(raw.iloc[0], categories, "SDQ: reliable change")
    lengths = sorted(p.get_width() for p in ax.patches if isinstance(p, Rectangle))
    assert lengths == [3, 9, 20]
    found = list(figure_findings(ax.figure, "reliable_change_sdq_total"))
    assert [f[2] for f in found] == ["figure_small_count"] and "a bar of 3" in found[0][3]
    with pytest.raises(DisclosureContractError, match="reliable_change_sdq_total"):
        require_safe_figure(ax.figure, "reliable_change_sdq_total")
    plt.close(ax.figure)
    # drawn from the published row: 3 is c, and 20 + 9 = 29 of 32 would give it back, so one more is hidden
    published = suppress_counts(raw, [c.replace(" ", "_") for c in categories], totals="total")
    ax = category_plot(published.iloc[0], categories, "SDQ: reliable change")
    drawn = sorted(p.get_width() for p in ax.patches if isinstance(p, Rectangle))
    shown = sorted(int(v) for v in published.iloc[0][[c.replace(" ", "_") for c in categories]] if v != C)
    assert drawn == shown and 3 not in drawn and len(drawn) == 1
    assert list(figure_findings(ax.figure)) == []
    plt.close(ax.figure)
    # hours are not people: a short bar of hours is no count (and percentages are not either)
    hours = pd.DataFrame({"activity": ["clay", "film", "total"], "hours": [4.0, 2.0, 6.0]})
    ax = sessions_barplot(hours, "hours", "activity")
    assert list(figure_findings(ax.figure)) == []
    plt.close(ax.figure)
    people = pd.DataFrame({"wait": ["under 4 weeks", "4 weeks or more", "total"], "young_people": [2, 30, 32]})
    from cm_research.report.referrals import profile_barplot

    ax = profile_barplot(people, "wait")
    assert [f[3] for f in figure_findings(ax.figure)] == ["a bar of 2 on the axis 'Young people' (a count from 1 "
                                                          "to 5 drawn)"]
    plt.close(ax.figure)


def test_the_published_demo_run_shows_negative_cases_by_theme_and_the_curve_without_codes(shared_demo_run):
    qual = shared_demo_run / "all-sites"
    cases = pd.read_csv(qual / "negative_cases.csv", dtype=str, keep_default_na=False)
    assert "case" not in cases and cases["theme"].is_unique  # one row a theme: rows count no one
    full = pd.read_csv(qual / "restricted" / "negative_cases.csv", dtype=str, keep_default_na=False)
    assert "quotes_against" in full and set(full["theme"]) <= set(cases["theme"])
    for theme, shown in zip(cases["theme"], cases["interviewees_against"]):  # every theme, 0 where nobody
        people = int((full["theme"] == theme).sum())
        assert shown == (C if 1 <= people <= 5 else str(people)), theme
    curve = pd.read_csv(qual / "saturation_curve.csv", dtype=str, keep_default_na=False)
    assert not {"new_codes", "n_codes"} & set(curve.columns)
    assert "new_codes" in pd.read_csv(qual / "restricted" / "saturation_curve.csv").columns


# ------------------------------------------------------------- sentences beside a hidden count of the people

def test_one_coded_sentence_beside_a_hidden_count_of_people_is_withheld(tmp_path):
    from cm_research.qual.publish import publish_thematic

    # as the demo's code_counts_by_role was published: the people hidden, their coded sentences shown; each
    # person said at least one sentence, so 1 sentence is exactly 1 person and 3 sentences are 1 to 3 people
    raw = pd.DataFrame({"theme": ["trust"] * 4, "theme_label": ["Trust"] * 4, "code": ["trusting"] * 4,
                        "code_label": ["Trusting"] * 4, "role": ["carer", "mentor", "vsh", "mentee"],
                        "n_segments": [1, 3, 9, 14], "n_participants": [1, 2, 1, 8],
                        "n_role_participants": [3, 4, 1, 12], "share_participants": [1 / 3, 0.5, 1.0, 8 / 12]})
    shown = raw.assign(n_participants=[C, C, C, 8], n_role_participants=[C, C, C, 12],
                       share_participants=[C, C, C, 8 / 12])
    shown.to_csv(tmp_path / "code_counts_by_role.csv", index=False)
    found = [f for f in audit_table(tmp_path / "code_counts_by_role.csv") if f[2] == "derived_count"]
    assert [f[1] for f in found] == ["line 2, column `n_segments`", "line 3, column `n_segments`"]
    assert "exactly 1" in found[0][3] and "1 to 3" in found[1][3]
    published = publish_thematic(_result({"code_counts_by_role": raw})).tables["code_counts_by_role"]
    # 9 sentences of a hidden count say no more than c (1 to 5) does; 14 of 8 shown people are not hidden
    assert published["n_segments"].tolist() == [C, C, 9, 14]
    assert published["n_participants"].tolist() == [C, C, C, 8]
    write_table(published, tmp_path / "code_counts_by_role.csv")
    assert list(audit_table(tmp_path / "code_counts_by_role.csv")) == []
