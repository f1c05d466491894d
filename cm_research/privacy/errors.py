"""Errors of ``cm_research.privacy``: one class per kind of problem, each saying what to do about it."""

from __future__ import annotations

from cm_research.errors import PROBLEM_COLUMNS, CMResearchError, ProblemsError


class PrivacyError(CMResearchError):
    """Base class of the privacy errors."""


class MissingKeyError(PrivacyError):
    """No pseudonymisation key was found; the message says how to make one (``cm-research keygen``)."""


class KeyFileError(PrivacyError):
    """A key file is unreadable, malformed, inside a repository, or would overwrite an existing key."""


class InvalidUPNError(PrivacyError, ProblemsError):
    """One or more Unique Pupil Numbers are malformed or have the wrong check letter.

    ``problems`` is a tidy table (file, row, column, value, rule, message, severity); ``value`` is masked
    so that the error can be shown without repeating the pupil number.
    """

    problem_columns = PROBLEM_COLUMNS


class PseudonymCollisionError(PrivacyError):
    """Two different identifiers were given the same pseudonym (use longer pseudonyms)."""


class RegisterError(PrivacyError, ProblemsError):
    """The register of names and identifiers is malformed; ``problems`` names file, row and column."""

    problem_columns = ()  # none given: an empty table


class SuppressionError(PrivacyError):
    """A table cannot be protected as asked: counts are not whole numbers, or a total is not the sum of its parts."""


class DisclosureScanError(PrivacyError):
    """The pre-publication scan cannot run (the run folder is missing or a file cannot be read)."""


class MappingLocationError(PrivacyError):
    """The file mapping placeholders back to names would be written where reports or analyses read."""
