"""Free-text comments: the barriers codebook validates, codes are suggestions, counts are suppressed, quotes are
de-identified."""

from __future__ import annotations

import pandas as pd
import pytest

from cm_research.qual.codebook import load_codebook
from cm_research.qual.suggest import SUGGESTION_STATUS
from cm_research.surveys import (BARRIERS_CODEBOOK, SurveyDataError, code_counts_by_role, comment_quotes,
                                 comment_segments, load_barriers_codebook, suggest_comment_codes)


def test_barriers_codebook_validates_and_covers_the_brief():
    book = load_codebook(BARRIERS_CODEBOOK)
    assert {"cost", "transport", "not_for_people_like_me", "confidence", "placement_moves", "carers_awareness",
            "timing_clashes", "access_needs", "free_or_funded_places"} <= set(book.code_names)
    assert "what_helped" in [t.name for t in book.themes]
    for code in book.codes:
        assert code.definition and code.use_when and code.not_when and code.example and code.hints, code.name


def _comments():
    comments = pd.DataFrame({
        "respondent_id": ["Y1", "Y1", "C1", "C2", "M1"],
        "wave": ["baseline", "end", "baseline", "baseline", "end"],
        "question": ["barriers", "what_helped", "barriers", "barriers", "what_helped"],
        "answer": ["We can't afford the tickets.", "The free tickets meant I could go.",
                   "It's not the cost, there is one bus an hour.", "Tickets are too expensive for us.",
                   "Happy to talk, ring me on 07700 900123 about the free places."],
    })
    roles = pd.Series({"Y1": "young_person", "C1": "carer", "C2": "carer", "M1": "mentor"})
    return comments, roles


def test_segments_carry_no_respondent_id_in_their_ids_and_need_a_role():
    comments, roles = _comments()
    seg = comment_segments(comments, roles)
    assert seg["segment_id"].tolist() == ["C001", "C002", "C003", "C004", "C005"]
    assert seg["role"].tolist() == ["young_person", "young_person", "carer", "carer", "mentor"]
    assert (seg["end"] == seg["text"].str.len()).all()
    with pytest.raises(SurveyDataError, match="1 commenter\\(s\\) have no role"):
        comment_segments(comments, roles.drop("M1"))


def test_suggestions_are_labelled_as_such_and_negation_is_flagged():
    comments, roles = _comments()
    seg = comment_segments(comments, roles)
    sug = suggest_comment_codes(seg, load_barriers_codebook())
    assert set(sug["status"]) == {SUGGESTION_STATUS} and set(sug["source"]) == {"suggestion"}
    cost = sug[sug["code"] == "cost"].set_index("segment_id")
    assert not cost.loc["C001", "negated"] and cost.loc["C003", "negated"]  # "not the cost"
    assert cost.loc["C003", "negation_cue"] == "not"
    assert set(sug.loc[sug["segment_id"] == "C003", "code"]) >= {"transport"}
    assert {"wave", "question"} <= set(sug.columns)


def test_counts_by_role_count_respondents_and_are_suppressed():
    comments, roles = _comments()
    book = load_barriers_codebook()
    seg = comment_segments(comments, roles)
    sug = suggest_comment_codes(seg, book)
    raw = code_counts_by_role(sug, seg, book, suppress=False).set_index("code")
    # cost, not negated: Y1 (young person) and C2 (carer); C1's "not the cost" is left out.
    assert raw.loc["cost", ["young people", "carers", "mentors", "all respondents"]].tolist() == [1, 1, 0, 2]
    # free places: Y1 and M1, each once although Y1 has two comments in all.
    assert raw.loc["free_or_funded_places", "all respondents"] == 2
    assert len(raw) == len(book.code_names)
    published = code_counts_by_role(sug, seg, book).set_index("code")
    assert published.loc["cost", "young people"] == "c" and published.loc["cost", "mentors"] == 0
    assert "Counts from 1 to 5 are shown as c" in published.attrs["disclosure_control"]["note"]
    assert "suggested codes" in published.attrs["basis"]
    grouped = code_counts_by_role(sug, seg, book, suppress=False,
                                  groups={"young_person": "young people", "carer": "adults", "mentor": "adults"})
    assert grouped.set_index("code").loc["cost", ["young people", "adults"]].tolist() == [1, 1]
    with pytest.raises(SurveyDataError, match="role\\(s\\) mentor"):
        code_counts_by_role(sug, seg, book, groups={"young_person": "yp", "carer": "adults"})


def test_quotes_are_deidentified_and_flagged_comments_are_skipped():
    comments, roles = _comments()
    comments.loc[3, "answer"] = "The tickets for Kayden are too expensive."  # a name no register covers
    book = load_barriers_codebook()
    seg = comment_segments(comments, roles)
    sug = suggest_comment_codes(seg, book)
    quotes = comment_quotes(sug, seg, book, max_quotes=10, per_code=3)
    text = " ".join(quotes["comment"])
    assert "07700" not in text and "[Phone]" in text
    assert "Kayden" not in text and quotes.attrs["n_skipped_flagged"] == 1
    assert set(quotes["role"]) <= {"young people", "carers", "mentors"}
    register = pd.DataFrame({"name": ["Kayden Moss"], "role": ["mentee"]})
    named = comment_quotes(sug, seg, book, register=register, max_quotes=10, per_code=3)
    assert any("[Mentee-1]" in c for c in named["comment"]) and named.attrs["n_skipped_flagged"] == 0
