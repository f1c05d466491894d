"""Propose a whole set of mentor-mentee pairings that maximises the total shared-interest score.

This is the assignment problem (Kuhn 1955; Munkres 1957), solved exactly with
``scipy.optimize.linear_sum_assignment`` (Crouse 2016). The result is a proposal for the Virtual School to
discuss with each young person, who chooses; it is never an automatic decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from cm_research.mentors._inputs import require_columns, require_unique
from cm_research.mentors.errors import NotEnoughPlacesError
from cm_research.mentors.profiles import format_tags, is_recorded, jaccard, parse_tags
from cm_research.mentors.ranking import free_places

NOTICE = ("Proposal for discussion with the young person: pairings suggested by shared interests, "
          "not a decision. Each young person sees the profiles and chooses.")
#: Scores are compared to 1e-6 when breaking ties (see propose_pairings, Notes).
_RESOLUTION = 10**6
#: above this many young people the tie-break bonus could exceed float precision and is not used
_MAX_TIE_BREAK = 1500


@dataclass
class PairingProposal:
    """A proposed set of pairings.

    pairs : one row per young person, in the order given: ``participant_id``, ``mentor_id`` (empty when
        unmatched), ``n_shared``, ``shared_interest`` (Jaccard), ``shared_interests``, ``status``, ``note``.
    unmatched : ids of the young people left without a proposed mentor (only with ``allow_unmatched=True``).
    total_score : the sum of ``shared_interest`` over the proposed pairs (the quantity maximised).
    n_places : places offered by available mentors.
    notice : "Proposal for discussion with the young person ..." - show it wherever the pairs are shown.
    """

    pairs: pd.DataFrame
    unmatched: list[str]
    total_score: float
    n_places: int
    notice: str = field(default=NOTICE)

    def __str__(self) -> str:
        lines = [self.notice, f"{_people(len(self.pairs) - len(self.unmatched))} paired, "
                 f"{_places(self.n_places)} offered; total shared-interest score {self.total_score:.3f}."]
        if self.unmatched:
            lines.append("Left without a proposed mentor (not enough places): " + ", ".join(self.unmatched))
        return "\n".join(lines + ["", self.pairs.drop(columns="note").to_string(index=False)])


def _people(n: int) -> str:
    return f"{n} young {'person' if n == 1 else 'people'}"


def _places(n: int) -> str:
    return f"{n} place{'' if n == 1 else 's'}"


def _status(matched: bool, n_shared: int, recorded: bool) -> str:
    if not matched:
        return "unmatched: not enough places"
    if not recorded:
        return "proposed: no interests recorded for the young person, so not based on shared interests"
    if n_shared == 0:
        return "proposed: no shared interests"
    return "proposed"


def propose_pairings(
    mentees: pd.DataFrame,
    mentors: pd.DataFrame,
    *,
    mentee_id: str = "participant_id",
    interests: str = "interests",
    matches: pd.DataFrame | None = None,
    as_of: object | None = None,
    allow_unmatched: bool = False,
    synonyms: Mapping[str, str] | None = None,
) -> PairingProposal:
    """Pair young people with available mentors so that the total shared-interest score is as high as possible.

    Parameters
    ----------
    mentees : one row per young person waiting for a mentor, with ``mentee_id`` and ``interests`` columns.
        List them in order of priority (e.g. longest waiting first): see Notes.
    mentors : the mentors table (``mentor_id``, ``interests``, ``available``, optional ``capacity``).
    matches, as_of : the matches table, so that places already taken are not offered
        (see :func:`cm_research.mentors.ranking.free_places`).
    allow_unmatched : when there are more young people than places, False (the default) raises
        :class:`NotEnoughPlacesError`; True proposes pairings for as many as there are places and lists the
        others, explicitly, as unmatched.
    synonyms : tag variants to merge (see :mod:`cm_research.mentors.profiles`).

    Returns
    -------
    PairingProposal
        ``pairs`` lists every young person given, matched or not: nobody is dropped.

    Notes
    -----
    The score of a pair is the Jaccard index J = |A ∩ B| / |A ∪ B| of their interest tags. A mentor with
    capacity k (minus places taken) is offered as k identical columns of the score matrix, and the
    assignment maximising the sum of J over pairs is found exactly (Hungarian-type algorithm). Greedy
    choice (best pair first) is not optimal in general; this is.

    Several proposals can have the same total. Ties are broken in favour of the young people listed first:
    scores are rounded to 1e-6 and a bonus smaller than that resolution rewards matching earlier rows, so
    the total score is maximised first and, among equally good proposals, those listed first are matched.
    With ``allow_unmatched=True`` the young people left unmatched are therefore those whose inclusion
    would add least to the total (the lowest benefit), and among equals the ones listed last. Whether that
    is fair is for the Virtual School to judge: the list is a proposal.

    References
    ----------
    Kuhn, H. W. (1955). The Hungarian method for the assignment problem. Naval Research Logistics Quarterly, 2, 83-97.
    Crouse, D. F. (2016). On implementing 2D rectangular assignment algorithms. IEEE Transactions on Aerospace
    and Electronic Systems, 52(4), 1679-1696.
    """
    require_columns(mentees, [mentee_id, interests], "mentees")
    require_columns(mentors, ["mentor_id", "interests", "available"], "mentors")
    require_unique(mentees[mentee_id], mentee_id, "mentees")
    places = free_places(mentors, matches, as_of=as_of)
    slots = np.repeat(places.index.to_numpy(), places.to_numpy())  # one column per place
    n, m = len(mentees), len(slots)
    if n > m and not allow_unmatched:
        raise NotEnoughPlacesError(
            f"{_people(n)} {'is' if n == 1 else 'are'} waiting but available mentors have only {_places(m)}: "
            f"{_places(n - m)} {'is' if n - m == 1 else 'are'} missing. Recruit or free up mentors, or pass "
            "allow_unmatched=True (command line: --allow-unmatched) to propose pairings for "
            f"{m} and list the other {n - m} as unmatched.",
            n_mentees=n, n_places=m)

    mentor_tags = {mid: parse_tags(t, synonyms)
                   for mid, t in zip(mentors["mentor_id"].astype(str), mentors["interests"])}
    mentee_tags = [parse_tags(t, synonyms) for t in mentees[interests]]
    score = np.array([[jaccard(a, mentor_tags[s]) for s in slots] for a in mentee_tags]).reshape(n, m)

    if n and m:
        if n <= _MAX_TIE_BREAK:
            # lexicographic objective, exact in float64 (n**3 * 1e6 < 2**53): total score first (to 1e-6),
            # then earlier rows; the bonus summed over matched rows is at most n * n < n * n + 1
            bonus = np.arange(n, 0, -1, dtype=float)[:, None]
            value = np.round(score * _RESOLUTION) * (n * n + 1) + bonus
        else:
            value = score
        rows, cols = linear_sum_assignment(value, maximize=True)
    else:
        rows, cols = np.array([], dtype=int), np.array([], dtype=int)
    chosen = dict(zip(rows.tolist(), cols.tolist()))

    records = []
    for i, (pid, tags, raw) in enumerate(zip(mentees[mentee_id].astype(str), mentee_tags, mentees[interests])):
        j = chosen.get(i)
        mid = slots[j] if j is not None else None
        common = sorted(tags & mentor_tags[mid]) if mid is not None else []
        records.append({
            mentee_id: pid,
            "mentor_id": mid,
            "n_shared": len(common) if mid is not None else pd.NA,
            "shared_interest": score[i, j] if j is not None else np.nan,
            "shared_interests": format_tags(common),
            "status": _status(j is not None, len(common), is_recorded(raw)),
            "note": NOTICE,
        })
    pairs = pd.DataFrame(records, columns=[mentee_id, "mentor_id", "n_shared", "shared_interest",
                                           "shared_interests", "status", "note"])
    pairs["n_shared"] = pairs["n_shared"].astype("Int64")
    pairs["mentor_id"] = pairs["mentor_id"].astype("string")
    unmatched = pairs.loc[pairs["mentor_id"].isna(), mentee_id].tolist()
    total = float(score[rows, cols].sum()) if len(rows) else 0.0
    return PairingProposal(pairs=pairs, unmatched=unmatched, total_score=total, n_places=m)
