"""Error types: one class per kind of problem, each with a message a practitioner can act on."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas only when a problems table is made: the command line starts without it
    import pandas as pd


class CMResearchError(Exception):
    """Base class for every error cm_research raises on purpose."""


class DictionaryError(CMResearchError):
    """The data dictionary itself is malformed (a schema file is missing, unreadable or inconsistent)."""


class DataValidationError(CMResearchError):
    """A data file cannot be loaded at all: it is empty, unreadable, or lacks a required column.

    ``problems`` is a tidy table (file, row, column, value, rule, message) of everything found.
    """

    def __init__(self, message: str, problems: pd.DataFrame | None = None):
        super().__init__(message)
        if problems is None:
            import pandas as pd

            problems = pd.DataFrame()
        self.problems = problems


class NotebookExecutionError(CMResearchError):
    """A notebook failed while running under papermill; the message names the notebook and the cell."""


class ParameterError(CMResearchError):
    """A notebook parameter cannot be passed: its name is not a plain Python name (papermill writes each
    parameter into the notebook as ``name = value``, so a name must never carry code)."""
