"""Mentor and mentee profiles: shared-interest scores, mentor suggestions, proposed pairings, match analysis.

Everything here is an aid for the Virtual School when a young person chooses a mentor, never a decision.
"""

from importlib import import_module

#: public name -> the module defining it; imported on first use, so that ``cm_research.mentors.cli`` (loaded by
#: every ``cm-research`` command to build its parser) does not pull in statsmodels and pandas at start-up
_SOURCES = {
    **dict.fromkeys(["INTEREST_GROUPS", "interest_group_summary", "interests_and_length", "interests_and_outcome",
                     "match_table", "spearman"], "analysis"),
    **dict.fromkeys(["PairingProposal", "propose_pairings"], "assignment"),
    **dict.fromkeys(["MentorDataError", "NotEnoughPlacesError"], "errors"),
    **dict.fromkeys(["format_tags", "is_recorded", "jaccard", "normalise_tag", "parse_tags", "shared_tags"],
                    "profiles"),
    **dict.fromkeys(["free_places", "rank_mentors"], "ranking"),
}


def __getattr__(name: str):
    if name in _SOURCES:
        return getattr(import_module(f"cm_research.mentors.{_SOURCES[name]}"), name)
    raise AttributeError(f"module 'cm_research.mentors' has no attribute {name!r}")


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
