"""Joint display: change categories worked out by hand, theme counts per category counted by hand, and
small counts suppressed so no young person can be picked out."""

import pandas as pd
import pytest

from cm_research.report.joint_display import (NOT_MEASURED, OWN, JointDisplayError, change_categories,
                                              describe_joint_display, interview_themes, joint_display)


def _outcomes(rows):
    return pd.DataFrame(rows, columns=["participant_id", "measure", "timepoint", "value"])


PEOPLE = pd.DataFrame({"participant_id": ["a", "b", "c", "d", "z"],
                       "group": ["mentored", "mentored", "mentored", "mentored", "comparison"]})


def test_reliable_change_categories_far_from_the_threshold():
    # SDQ total (lower is better): 30 -> 5 improves by 25 points and 5 -> 30 worsens by 25, far beyond any
    # reliable-change threshold for a 0-40 scale; 10 -> 11 is one point, far within it. d has no post value.
    o = _outcomes([("a", "sdq_total", "baseline", 30), ("a", "sdq_total", "post", 5),
                   ("b", "sdq_total", "baseline", 10), ("b", "sdq_total", "post", 11),
                   ("c", "sdq_total", "baseline", 5), ("c", "sdq_total", "post", 30),
                   ("d", "sdq_total", "baseline", 12), ("z", "sdq_total", "baseline", 30),
                   ("z", "sdq_total", "post", 2)])
    got = dict(change_categories(o, PEOPLE, "sdq_total").values.tolist())
    assert got == {"a": "reliable improvement", "b": "no reliable change", "c": "reliable deterioration",
                   "d": NOT_MEASURED}  # the comparison young person z is not categorised


def test_direction_categories_follow_the_measures_better_direction():
    # attendance: higher is better; suspensions: lower is better
    o = _outcomes([("a", "attendance_pct", "baseline", 80), ("a", "attendance_pct", "post", 90),
                   ("b", "attendance_pct", "baseline", 80), ("b", "attendance_pct", "post", 80),
                   ("c", "attendance_pct", "baseline", 80), ("c", "attendance_pct", "post", 70),
                   ("a", "suspensions", "baseline", 3), ("a", "suspensions", "post", 1)])
    assert dict(change_categories(o, PEOPLE, "attendance_pct").values.tolist()) == {
        "a": "improved", "b": "no change", "c": "worsened", "d": NOT_MEASURED}
    assert dict(change_categories(o, PEOPLE, "suspensions").values.tolist())["a"] == "improved"
    with pytest.raises(JointDisplayError, match="'shoe_size' is not in the measures catalogue"):
        change_categories(o, PEOPLE, "shoe_size")


def _linked_themes():
    transcripts = pd.DataFrame({"transcript": ["t1", "t2", "t3"], "participant": ["a", "b", "site|mentor|Sam"],
                                "role": ["mentee", "mentee", "mentor"]})
    coded = pd.DataFrame({"transcript": ["t1", "t1", "t1", "t2", "t3"],
                          "code": ["heard", "heard_again", "art", "art", "heard"]})
    codebook = pd.DataFrame({"code": ["heard", "heard_again", "art"],
                             "theme_label": ["Being listened to", "Being listened to", "Creative expression"]})
    return transcripts, coded, codebook


def test_interview_themes_link_own_interviews_and_linked_adults():
    transcripts, coded, codebook = _linked_themes()
    own = interview_themes(coded, transcripts, codebook)
    # two codes of one theme in t1 count once; the mentor's interview is not linked to anyone
    assert sorted(map(tuple, own.values.tolist())) == [("a", OWN, "Being listened to"), ("a", OWN, "Creative expression"),
                                                       ("b", OWN, "Creative expression")]
    linked = interview_themes(coded, transcripts, codebook, links=pd.DataFrame({"transcript": ["t3"],
                                                                                "participant_id": ["b"]}))
    assert ("b", "mentor", "Being listened to") in set(map(tuple, linked.values.tolist()))
    with pytest.raises(JointDisplayError, match="no transcript called 't9'"):
        interview_themes(coded, transcripts, codebook, links=pd.DataFrame({"transcript": ["t9"],
                                                                           "participant_id": ["b"]}))


def _many(n_improved, n_same):
    """n_improved + n_same interviewed young people; every improver and every other non-improver mentions
    being listened to; everyone mentions art."""
    ids = [f"i{k}" for k in range(n_improved)] + [f"s{k}" for k in range(n_same)]
    categories = pd.DataFrame({"participant_id": ids,
                               "category": ["reliable improvement"] * n_improved + ["no reliable change"] * n_same})
    rows = [(p, OWN, "Creative expression") for p in ids]
    rows += [(p, OWN, "Being listened to") for k, p in enumerate(ids) if p.startswith("i") or k % 2 == 0]
    return categories, pd.DataFrame(rows, columns=["participant_id", "source", "theme_label"])


def test_counts_are_the_hand_counts_without_suppression():
    categories, themes = _many(8, 12)
    table = joint_display(categories, themes, suppress=False).set_index("theme")
    # 12 non-improvers s0..s11 have positions 8..19 overall; the even positions are 8,10,...,18: six of them
    assert table.loc["(interviewed)", ["reliable improvement", "no reliable change", "total"]].tolist() == [8, 12, 20]
    assert table.loc["Being listened to", ["reliable improvement", "no reliable change", "total"]].tolist() == [8, 6, 14]
    assert table.loc["Creative expression", "total"] == 20
    sentences = describe_joint_display(joint_display(categories, themes), "SDQ total")
    assert sentences[0].startswith("20 young people interviewed")
    assert "“Being listened to” came up in the own interviews of 8 of the 8 in “reliable improvement”, and 6 of the " \
           "12 in “no reliable change”." in sentences
    assert any("not effects of mentoring" in s for s in sentences)


def test_sentences_change_when_the_data_change():
    a = describe_joint_display(joint_display(*_many(8, 12)), "SDQ total")
    b = describe_joint_display(joint_display(*_many(9, 14)), "SDQ total")
    assert a != b and b[0].startswith("23 young people interviewed")


def test_small_counts_are_suppressed_so_no_child_is_identifiable():
    categories, themes = _many(3, 12)  # only three improvers: every cell about them is small
    table = joint_display(categories, themes)
    assert (table["reliable improvement"].isin(["c", 0])).all()
    for _, row in table.iterrows():  # a row never has exactly one hidden cell next to a published total
        cells = [row["reliable improvement"], row["no reliable change"], row["total"]]
        assert sum(c == "c" for c in cells) != 1, row.to_dict()
    sentences = describe_joint_display(table, "SDQ total")
    assert not any("of the 3 " in s for s in sentences)
    assert "c" in set(table.astype(str).to_numpy().ravel())


def test_two_interviewed_young_people_publish_nothing():
    table = joint_display(*_many(1, 1))
    counts = table[["reliable improvement", "no reliable change", "total"]]
    assert counts.isin(["c", 0]).all().all() and (counts["total"] == "c").all()  # a true zero stays 0
    assert describe_joint_display(table, "SDQ total")[0].startswith("Too few interviewed young people")
