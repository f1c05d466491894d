"""Errors of the qualitative analysis, one class per kind of problem.

Each carries ``problems``, a tidy table naming the file and the line (or row) of every problem found, so an
analyst can correct them all at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cm_research.errors import LINE_PROBLEM_COLUMNS, CMResearchError, ProblemsError
from cm_research.errors import problems_table as _problems_table

if TYPE_CHECKING:
    import pandas as pd


def problems_table(rows: list[dict] | None = None) -> pd.DataFrame:
    """A problems table with the columns of a text file's problems (file, line, column, value, message)."""
    return _problems_table(rows, LINE_PROBLEM_COLUMNS)


class _ProblemsError(ProblemsError):
    problem_columns = LINE_PROBLEM_COLUMNS


class TranscriptError(_ProblemsError):
    """A transcript cannot be read: empty, undecodable, no header or no speaker labels, an unknown role."""


class CodebookError(_ProblemsError):
    """The codebook is malformed: duplicate names, empty definitions, a code in two themes, a bad pattern."""


class CodingImportError(_ProblemsError):
    """A coding or review CSV cannot be used: missing columns, unknown codes or transcripts, bad offsets."""


class AgreementError(CMResearchError):
    """Agreement cannot be computed: not exactly two coders, or no unit coded by both."""
