"""Interest tags, the Jaccard shared-interest score (checked by hand) and the ranking of mentors for one young person."""

import pandas as pd
import pytest

from cm_research.errors import CMResearchError
from cm_research.mentors import (
    MentorDataError,
    NotEnoughPlacesError,
    free_places,
    jaccard,
    normalise_tag,
    parse_tags,
    rank_mentors,
    shared_tags,
)


def test_tags_are_lower_cased_trimmed_and_spaces_collapsed():
    assert normalise_tag("  Board   Games ") == "board games"
    assert parse_tags("Football;  drawing ;;MUSIC; ") == {"football", "drawing", "music"}
    assert parse_tags(("Football", " music")) == {"football", "music"}
    for missing in (None, float("nan"), pd.NA, "", " ; ", ()):
        assert parse_tags(missing) == frozenset()
    # no automatic plural stripping; variants merge only through an explicit mapping
    assert parse_tags("films") == {"films"}
    assert parse_tags("Films; footie", synonyms={"films": "film", "Footie": "Football"}) == {"film", "football"}


def test_jaccard_by_hand():
    # A = {football, music}, B = {music, drawing, football}: A∩B = {football, music} (2), A∪B has 3 tags -> 2/3
    assert jaccard("football; music", "music; drawing; Football") == pytest.approx(2 / 3)
    # A = {cooking}, B = {cooking, baking, animals, dance}: 1 shared of 4 -> 1/4
    assert jaccard({"cooking"}, ["cooking", "baking", "animals", "dance"]) == pytest.approx(0.25)
    assert jaccard("film", "film") == 1.0
    assert jaccard("film", "music") == 0.0
    assert jaccard("", "music") == 0.0  # |A∩B| = 0, |A∪B| = 1
    assert jaccard(None, "") == 0.0  # stated convention for two empty sets
    assert jaccard("a; b", "b; a") == jaccard("b; a", "a; b")  # symmetric
    assert shared_tags("Music; film", "film; music; art") == ["film", "music"]


MENTORS = pd.DataFrame({
    "mentor_id": ["M1", "M2", "M3", "M4", "M5", "M6"],
    "site": ["Northshire"] * 5 + ["Easton"],
    "occupation": ["planner", "librarian", "engineer", "ranger", "archivist", "analyst"],
    "interests": ["football; music", "music", "drawing; music; football; film", "cooking", "music; gaming",
                  "football; music"],
    "available": ["yes", "yes", "yes", "yes", "no", "yes"],
    "capacity": [1, 1, 2, pd.NA, 1, 1],
})


def test_ranking_order_ties_and_reasons_by_hand():
    # mentee {football, music}
    # M1 {football, music}: 2/2 = 1       M2 {music}: 1/2          M3 {drawing, music, football, film}: 2/4 = 1/2
    # M4 {cooking}: 0/3 = 0                M5 unavailable: left out  M6 (Easton) {football, music}: 1
    ranked = rank_mentors("Music; football", MENTORS, site="Northshire")
    assert ranked["mentor_id"].tolist() == ["M1", "M3", "M2", "M4"]  # M3 before M2: same score, more tags shared
    assert ranked["rank"].tolist() == [1, 2, 2, 4]  # equal scores share a rank, the next rank is skipped
    assert ranked["shared_interest"].tolist() == pytest.approx([1, 0.5, 0.5, 0])
    assert ranked["n_shared"].tolist() == [2, 2, 1, 0]
    assert ranked["shared_interests"].tolist() == ["football; music", "football; music", "music", ""]
    assert ranked["places"].tolist() == [1, 2, 1, 1]  # empty capacity means 1
    assert ranked["occupation"].tolist() == ["planner", "engineer", "librarian", "ranger"]
    assert "not a decision" in ranked.attrs["notice"]


def test_ties_keep_the_order_of_the_mentors_table():
    tied = pd.DataFrame({"mentor_id": ["B", "A", "C"], "interests": ["film", "film", "film"], "available": [True] * 3})
    ranked = rank_mentors("film; music", tied)
    assert ranked["mentor_id"].tolist() == ["B", "A", "C"] and ranked["rank"].tolist() == [1, 1, 1]
    assert rank_mentors("film", tied.iloc[::-1])["mentor_id"].tolist() == ["C", "A", "B"]


def test_top_keeps_mentors_tied_with_the_last_one():
    ranked = rank_mentors("music; football", MENTORS, site="Northshire", top=2)
    assert ranked["mentor_id"].tolist() == ["M1", "M3", "M2"]


def test_places_taken_by_running_matches():
    matches = pd.DataFrame({"mentor_id": ["M1", "M3", "M2"], "match_start": ["01/09/2023"] * 3,
                            "match_end": [None, None, "01/12/2023"]})
    places = free_places(MENTORS, matches)
    assert places.to_dict() == {"M1": 0, "M2": 1, "M3": 1, "M4": 1, "M5": 0, "M6": 1}
    # as of 01/11/2023 M2's match was still going
    assert free_places(MENTORS, matches, as_of="2023-11-01")["M2"] == 0
    ranked = rank_mentors("music; football", MENTORS, matches=matches, site="Northshire")
    assert ranked["mentor_id"].tolist() == ["M3", "M2", "M4"]


def test_ranking_refuses_clearly():
    with pytest.raises(MentorDataError, match="no interests are recorded"):
        rank_mentors("", MENTORS)
    with pytest.raises(NotEnoughPlacesError, match="no mentor at Westbury has a free place"):
        rank_mentors("music", MENTORS, site="Westbury")
    with pytest.raises(MentorDataError, match="no column `available`"):
        rank_mentors("music", MENTORS.drop(columns="available"))
    with pytest.raises(MentorDataError, match="M1 more than once"):
        rank_mentors("music", pd.concat([MENTORS, MENTORS.iloc[[0]]]))
    with pytest.raises(MentorDataError, match="must be yes or no.*'maybe'"):
        rank_mentors("music", MENTORS.assign(available=["maybe"] * 6))
    assert issubclass(MentorDataError, CMResearchError) and issubclass(NotEnoughPlacesError, CMResearchError)


def test_suggestions_for_each_young_person_worked_by_hand():
    from cm_research.mentors.ranking import suggestions_for_each

    mentors = pd.DataFrame({"mentor_id": ["M1", "M2", "M3"], "site": ["A", "A", "B"],
                            "interests": ["football; music", "drawing", "football"], "available": [True] * 3})
    mentees = pd.DataFrame({"participant_id": ["P1", "P2", "P3"], "site": ["A", "A", "B"],
                            "interests": ["football", "drawing; music", None]})
    out = suggestions_for_each(mentees, mentors, top=1)
    # P1 {football}: M1 |{football}|/|{football, music}| = 1/2, M2 0 -> M1 (M3 is at another site)
    # P2 {drawing, music}: M1 1/3, M2 1/2 -> M2; P3: no interests, listed with a note, not dropped
    assert out["participant_id"].tolist() == ["P1", "P2", "P3"]
    assert out["mentor_id"].tolist()[:2] == ["M1", "M2"] and pd.isna(out["mentor_id"].iloc[2])
    assert out["shared_interest"].tolist()[:2] == [pytest.approx(1 / 2), pytest.approx(1 / 2)]
    assert "no interests" in out["note"].iloc[2] and "not a decision" in out.attrs["notice"]


def test_mentor_places_subtracts_running_matches_and_formats_tags():
    from cm_research.mentors.ranking import mentor_places

    mentors = pd.DataFrame({"mentor_id": ["M1", "M2"], "site": ["A", "B"], "interests": [("film", "music"), ("art",)],
                            "capacity": [2, 1], "available": [True, True]})
    matches = pd.DataFrame({"match_id": ["X"], "participant_id": ["P"], "mentor_id": ["M1"],
                            "match_start": [pd.Timestamp("2024-01-01")], "match_end": [pd.NaT]})
    out = mentor_places(mentors, matches, as_of="2024-09-01", site="a")
    assert out["mentor_id"].tolist() == ["M1"] and out["places"].tolist() == [1]  # 2 places, 1 taken
    assert out["interests"].tolist() == ["film; music"]
