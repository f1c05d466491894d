"""Proposed pairings: optimal on small cases worked out by hand, capacity, and clear refusal when places are short."""

import itertools
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from cm_research.mentors import NotEnoughPlacesError, propose_pairings


def frame(ids, tags, id_column="participant_id", **extra):
    return pd.DataFrame({id_column: ids, "interests": tags, **extra})


def pairs_of(proposal):
    return {p: None if pd.isna(m) else m for p, m in zip(proposal.pairs["participant_id"], proposal.pairs["mentor_id"])}


def test_optimal_pairing_beats_greedy_worked_by_hand():
    mentees = frame(["A", "B", "C"], ["football; music; gaming", "drawing", "music"])
    mentors = frame(["X", "Y", "Z"], ["drawing", "football; music", "football"], "mentor_id", available=[True] * 3)
    # Jaccard scores |A∩B| / |A∪B|:
    #            X {drawing}   Y {football, music}   Z {football}
    #   A {football, music, gaming}   0/4 = 0    2/3                   1/3
    #   B {drawing}                   1/1 = 1    0/3 = 0               0/2 = 0
    #   C {music}                     0/2 = 0    1/2                   0/2 = 0
    # Greedy (best pair first): B-X (1), then A-Y (2/3), then C-Z (0): total 5/3.
    # All six pairings: AX BY CZ = 0; AX BZ CY = 1/2; AY BX CZ = 5/3; AY BZ CX = 2/3;
    #                   AZ BX CY = 1/3 + 1 + 1/2 = 11/6 (the best); AZ BY CX = 1/3.
    proposal = propose_pairings(mentees, mentors)
    assert pairs_of(proposal) == {"A": "Z", "B": "X", "C": "Y"}
    assert proposal.total_score == pytest.approx(11 / 6)
    assert proposal.pairs["shared_interest"].tolist() == pytest.approx([1 / 3, 1, 1 / 2])
    assert proposal.pairs["shared_interests"].tolist() == ["football", "drawing", "music"]
    assert proposal.unmatched == [] and proposal.n_places == 3
    assert "Proposal for discussion with the young person" in proposal.notice
    assert proposal.pairs["note"].str.contains("not a decision").all()
    assert str(proposal).startswith("Proposal for discussion with the young person")


def test_capacity_repeats_a_mentor_worked_by_hand():
    mentees = frame(["P", "Q", "R"], ["music", "music; film", "film"])
    mentors = frame(["X", "Y"], ["music", "film"], "mentor_id", available=["yes", "yes"], capacity=[2, 1])
    # X offers two places, Y one. Scores: P: X 1, Y 0; Q: X 1/2, Y 1/2; R: X 0, Y 1.
    # Y's single place goes to P: 0 + 1/2 + 0 = 1/2; to Q: 1/2 + 1 + 0 = 3/2; to R: 1 + 1 + 1/2 = 5/2 (best).
    proposal = propose_pairings(mentees, mentors)
    assert pairs_of(proposal) == {"P": "X", "Q": "X", "R": "Y"}
    assert proposal.total_score == pytest.approx(2.5) and proposal.n_places == 3


def test_more_young_people_than_places_is_refused_with_the_shortfall():
    mentees = frame(["P", "Q", "R"], ["music", "music; film", "film"])
    mentors = frame(["X", "Y", "Z"], ["music", "film", "film"], "mentor_id", available=["yes", "yes", "no"])
    with pytest.raises(NotEnoughPlacesError) as info:
        propose_pairings(mentees, mentors)
    err = info.value
    assert (err.n_mentees, err.n_places, err.n_missing) == (3, 2, 1)
    assert "3 young people are waiting but available mentors have only 2 places: 1 place is missing" in str(err)
    assert "allow_unmatched=True" in str(err)


def test_allow_unmatched_leaves_the_lowest_benefit_out_and_lists_them():
    mentees = frame(["R", "P", "Q"], ["cooking", "music", "film"])
    mentors = frame(["X", "Y"], ["music", "film"], "mentor_id", available=[True, True])
    # P-X = 1 and Q-Y = 1 (total 2); R shares nothing with anyone, so pairing R would lower the total.
    proposal = propose_pairings(mentees, mentors, allow_unmatched=True)
    assert proposal.pairs["participant_id"].tolist() == ["R", "P", "Q"]  # nobody dropped, order kept
    assert pairs_of(proposal) == {"R": None, "P": "X", "Q": "Y"}
    assert proposal.unmatched == ["R"] and proposal.total_score == pytest.approx(2)
    assert proposal.pairs.set_index("participant_id").loc["R", "status"] == "unmatched: not enough places"
    assert "Left without a proposed mentor (not enough places): R" in str(proposal)


def test_among_equally_good_proposals_earlier_rows_are_matched():
    mentors = frame(["X"], ["music"], "mentor_id", available=[True])
    first = propose_pairings(frame(["P1", "P2"], ["music", "music"]), mentors, allow_unmatched=True)
    assert first.unmatched == ["P2"]
    second = propose_pairings(frame(["P2", "P1"], ["music", "music"]), mentors, allow_unmatched=True)
    assert second.unmatched == ["P1"]


def test_status_says_when_a_pair_shares_nothing_or_interests_are_missing():
    mentees = frame(["P", "Q"], ["music", None])
    mentors = frame(["X", "Y"], ["film", "film"], "mentor_id", available=[True, True])
    status = propose_pairings(mentees, mentors).pairs["status"].tolist()
    assert status == ["proposed: no shared interests",
                      "proposed: no interests recorded for the young person, so not based on shared interests"]


def _jaccard(a, b):
    union = a | b
    return Fraction(len(a & b), len(union)) if union else Fraction(0)


@pytest.mark.parametrize("seed", range(12))
def test_total_equals_exhaustive_search_on_random_small_cases(seed):
    # independent reference: try every way of giving distinct places to the young people (exact fractions)
    rng = np.random.default_rng(seed)
    tags = ["football", "music", "film", "drawing", "cooking", "dance"]
    n_mentees, n_mentors = int(rng.integers(2, 5)), int(rng.integers(2, 4))
    pick = lambda: set(rng.choice(tags, size=int(rng.integers(1, 4)), replace=False))  # noqa: E731
    mentee_tags = [pick() for _ in range(n_mentees)]
    mentor_tags = [pick() for _ in range(n_mentors)]
    capacity = [int(rng.integers(1, 3)) for _ in range(n_mentors)]
    slots = [j for j in range(n_mentors) for _ in range(capacity[j])]
    allow = n_mentees > len(slots)
    best = Fraction(0)
    k = min(n_mentees, len(slots))
    for people in itertools.combinations(range(n_mentees), k):
        for places in itertools.permutations(range(len(slots)), k):
            best = max(best, sum((_jaccard(mentee_tags[i], mentor_tags[slots[p]]) for i, p in zip(people, places)),
                                 Fraction(0)))
    proposal = propose_pairings(
        frame([f"P{i}" for i in range(n_mentees)], ["; ".join(sorted(t)) for t in mentee_tags]),
        frame([f"M{j}" for j in range(n_mentors)], ["; ".join(sorted(t)) for t in mentor_tags], "mentor_id",
              available=[True] * n_mentors, capacity=capacity),
        allow_unmatched=allow)
    assert proposal.total_score == pytest.approx(float(best), abs=1e-12)
    used = proposal.pairs["mentor_id"].dropna().value_counts()
    assert all(used.get(f"M{j}", 0) <= capacity[j] for j in range(n_mentors))
    assert len(proposal.pairs) == n_mentees and len(proposal.unmatched) == n_mentees - k
