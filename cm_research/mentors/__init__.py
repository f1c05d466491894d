"""Mentor and mentee profiles: shared-interest scores, mentor suggestions, proposed pairings, match analysis.

Everything here is an aid for the Virtual School when a young person chooses a mentor, never a decision.
"""

from cm_research.mentors.analysis import (
    INTEREST_GROUPS,
    interest_group_summary,
    interests_and_length,
    interests_and_outcome,
    match_table,
    spearman,
)
from cm_research.mentors.assignment import PairingProposal, propose_pairings
from cm_research.mentors.errors import MentorDataError, NotEnoughPlacesError
from cm_research.mentors.profiles import format_tags, is_recorded, jaccard, normalise_tag, parse_tags, shared_tags
from cm_research.mentors.ranking import free_places, rank_mentors

__all__ = [
    "INTEREST_GROUPS",
    "MentorDataError",
    "NotEnoughPlacesError",
    "PairingProposal",
    "format_tags",
    "free_places",
    "interest_group_summary",
    "interests_and_length",
    "interests_and_outcome",
    "is_recorded",
    "jaccard",
    "match_table",
    "normalise_tag",
    "parse_tags",
    "propose_pairings",
    "rank_mentors",
    "shared_tags",
    "spearman",
]
