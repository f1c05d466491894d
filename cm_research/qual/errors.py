"""Errors of the qualitative analysis, one class per kind of problem.

Each carries ``problems``, a tidy table naming the file and the line (or row) of every problem found, so an
analyst can correct them all at once.
"""

from __future__ import annotations

import pandas as pd

from cm_research.errors import CMResearchError

PROBLEM_COLUMNS = ["file", "line", "column", "value", "message"]


def problems_table(rows: list[dict] | None = None) -> pd.DataFrame:
    """A problems table with the standard columns (file, line, column, value, message)."""
    frame = pd.DataFrame(rows or [], columns=PROBLEM_COLUMNS)
    return frame.astype({"line": "Int64"}) if not frame.empty else frame


class _ProblemsError(CMResearchError):
    def __init__(self, message: str, problems: pd.DataFrame | None = None):
        super().__init__(message)
        self.problems = problems if problems is not None else problems_table()

    @classmethod
    def from_problems(cls, rows: list[dict], what: str) -> "_ProblemsError":
        """One error for many problems; the message lists each as 'file, line N: message'."""
        lines = []
        for r in rows:
            where = r.get("file", "")
            if r.get("line") is not None and not pd.isna(r.get("line")):
                where += f", line {int(r['line'])}"
            if r.get("column"):
                where += f", column `{r['column']}`"
            lines.append(f"{where}: {r['message']}")
        head = f"{len(rows)} problem{'s' if len(rows) != 1 else ''} in {what}:\n  " if len(rows) > 1 else ""
        return cls(head + "\n  ".join(lines), problems_table(rows))


class TranscriptError(_ProblemsError):
    """A transcript cannot be read: empty, undecodable, no header or no speaker labels, an unknown role."""


class CodebookError(_ProblemsError):
    """The codebook is malformed: duplicate names, empty definitions, a code in two themes, a bad pattern."""


class CodingImportError(_ProblemsError):
    """A coding or review CSV cannot be used: missing columns, unknown codes or transcripts, bad offsets."""


class AgreementError(CMResearchError):
    """Agreement cannot be computed: not exactly two coders, or no unit coded by both."""
