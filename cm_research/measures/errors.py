"""Errors raised by cm_research.measures: one class per kind of problem."""

from __future__ import annotations

from cm_research.errors import CELL_PROBLEM_COLUMNS, CMResearchError, ProblemsError


class InstrumentDefinitionError(CMResearchError):
    """An instrument file in ``data_dictionary/instruments/`` is missing, unreadable or inconsistent.

    The message names the file and the entry at fault.
    """


class UnknownInstrumentError(CMResearchError, KeyError):
    """No instrument (or version of it) has the name asked for; the message lists the known ones."""

    def __str__(self) -> str:  # KeyError would wrap the message in quotes
        return str(self.args[0]) if self.args else ""


class ItemResponseError(ProblemsError, ValueError):
    """Item responses cannot be scored: a column is missing, or cells are not allowed answers.

    ``problems`` is a tidy table (file, row, column, value, rule, message) of every bad cell, so a
    practitioner can correct them all at once; ``row`` is the row label of the data (for data read with
    cm_research.data, the row number Excel shows).
    """

    problem_columns = CELL_PROBLEM_COLUMNS


class MissingReliabilityError(CMResearchError, LookupError):
    """A measure has no reliability and normative SD in the instrument files, so its reliable change
    cannot be computed; the message lists the measures that have them."""
