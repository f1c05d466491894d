"""Errors raised by cm_research.interop: one class per kind of problem."""

from __future__ import annotations

from cm_research.errors import CMResearchError, DataValidationError


class TemplateError(CMResearchError):
    """A data-entry template cannot be made: a table is unknown or is a catalogue, or the file is not .xlsx."""


class ExportError(CMResearchError):
    """A table cannot be written as SPSS or Stata: a column is not in the dictionary, a value is not one of
    its allowed values, or a name or label breaks the format's limits. The message names the column
    (and the row, for a value)."""


class UnknownVariableError(DataValidationError):
    """An SPSS or Stata file has variables the data dictionary does not define for the table.

    ``variables`` lists them; ``problems`` is the usual tidy table (file, row, column, value, rule, message).
    """

    def __init__(self, message: str, variables: list[str], problems=None):
        super().__init__(message, problems)
        self.variables = variables
