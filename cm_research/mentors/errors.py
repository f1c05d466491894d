"""Error types of the mentor matching helpers, each with a message a practitioner can act on."""

from __future__ import annotations

from cm_research.errors import CMResearchError


class MentorDataError(CMResearchError):
    """A mentors, mentees or matches table cannot be used as given: a column is missing, an id is repeated or
    unknown, a date is impossible, or a young person has no interests recorded where they are needed."""


class NotEnoughPlacesError(CMResearchError):
    """More young people wait for a mentor than available mentors have places.

    ``n_mentees``, ``n_places`` and ``n_missing`` say by how much.
    """

    def __init__(self, message: str, n_mentees: int, n_places: int):
        super().__init__(message)
        self.n_mentees = n_mentees
        self.n_places = n_places
        self.n_missing = max(n_mentees - n_places, 0)
