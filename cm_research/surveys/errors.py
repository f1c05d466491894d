"""Errors raised by cm_research.surveys: one class per kind of problem, each naming the file and what to fix."""

from __future__ import annotations

from cm_research.errors import (KEY_PROBLEM_COLUMNS, PROBLEM_COLUMNS, CMResearchError, DataValidationError,
                               ProblemsError, problem_location, problems_table)


class CycleFileError(ProblemsError):
    """An ``action_research_cycle.yaml`` file is missing, not valid YAML, or does not follow the format.

    ``problems`` is a tidy table (file, line, key, message) of everything found, so all can be fixed at once.
    """

    problem_columns = KEY_PROBLEM_COLUMNS

    @classmethod
    def from_problems(cls, problems: list[dict], file: str) -> CycleFileError:
        table = problems_table(problems, KEY_PROBLEM_COLUMNS)
        lines = [f"{problem_location(p)}: {p['message']}" for p in problems[:15]]
        more = f"\n... and {len(problems) - 15} more" if len(problems) > 15 else ""
        n = len(problems)
        return cls(f"{file} has {n} problem{'s' if n != 1 else ''} with the action-research cycle format:\n"
                   + "\n".join(lines) + more, table)


class SurveyDataError(CMResearchError, ValueError):
    """Survey answers cannot be analysed as asked: a column, item, wave or scale is missing or inconsistent.

    The message says what was expected, what was found and where.
    """


class SurveyExportError(DataValidationError):
    """A survey tool's export cannot be read as survey answers: an old layout, no column for the respondent's
    id, no column answering a catalogue item, or an export saved where the ``survey_responses`` table was
    expected. The message names the program, the file and what to export or do instead; ``problems`` is the
    usual table (file, row, column, value, rule, message, severity)."""

    problem_columns = PROBLEM_COLUMNS
