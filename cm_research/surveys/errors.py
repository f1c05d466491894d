"""Errors raised by cm_research.surveys: one class per kind of problem, each naming the file and what to fix."""

from __future__ import annotations

import pandas as pd

from cm_research.errors import CMResearchError

CYCLE_PROBLEM_COLUMNS = ["file", "line", "key", "message"]


class CycleFileError(CMResearchError):
    """An ``action_research_cycle.yaml`` file is missing, not valid YAML, or does not follow the format.

    ``problems`` is a tidy table (file, line, key, message) of everything found, so all can be fixed at once.
    """

    def __init__(self, message: str, problems: pd.DataFrame | None = None):
        super().__init__(message)
        self.problems = problems if problems is not None else pd.DataFrame(columns=CYCLE_PROBLEM_COLUMNS)

    @classmethod
    def from_problems(cls, problems: list[dict], file: str) -> CycleFileError:
        table = pd.DataFrame(problems, columns=CYCLE_PROBLEM_COLUMNS)
        lines = []
        for p in problems[:15]:
            where = [p["file"]] + ([f"line {p['line']}"] if p.get("line") else []) + (
                [f"key `{p['key']}`"] if p.get("key") else [])
            lines.append(f"{', '.join(where)}: {p['message']}")
        more = f"\n... and {len(problems) - 15} more" if len(problems) > 15 else ""
        n = len(problems)
        return cls(f"{file} has {n} problem{'s' if n != 1 else ''} with the action-research cycle format:\n"
                   + "\n".join(lines) + more, table)


class SurveyDataError(CMResearchError, ValueError):
    """Survey answers cannot be analysed as asked: a column, item, wave or scale is missing or inconsistent.

    The message says what was expected, what was found and where.
    """
