"""Error types: one class per kind of problem, each with a message a practitioner can act on.

Problems tables
---------------
An error that reports many problems at once carries them in ``problems``, a tidy table with one row a problem.
Every such table takes its columns from one schema, :data:`PROBLEM_SCHEMA`, in that order; each kind of problem
uses the columns that fit it: a cell of a table has a ``row``, a line of a text file a ``line``, an entry of a
YAML file a ``key``. The layouts in use are named below (:data:`PROBLEM_COLUMNS` for tables read through the data
dictionary). :class:`ProblemsError` is the one base class that carries such a table; :func:`problems_table`
makes one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:  # pandas only when a problems table is made: the command line starts without it
    import pandas as pd

#: every column a problems table may have, in the order they stand in it
PROBLEM_SCHEMA = ("file", "row", "line", "key", "column", "value", "rule", "message", "severity")
#: a table read through the data dictionary (``cm_research.data``), and its pseudonymised ids
PROBLEM_COLUMNS = ["file", "row", "column", "value", "rule", "message", "severity"]
#: a table whose cells are checked without severities (item responses of an instrument)
CELL_PROBLEM_COLUMNS = ["file", "row", "column", "value", "rule", "message"]
#: a line of a text file (transcripts, codebooks, coding exports)
LINE_PROBLEM_COLUMNS = ["file", "line", "column", "value", "message"]
#: an entry of a YAML file (an action-research cycle)
KEY_PROBLEM_COLUMNS = ["file", "line", "key", "message"]


def problems_table(rows: Iterable[dict] | None = None, columns: Sequence[str] = PROBLEM_COLUMNS) -> pd.DataFrame:
    """A problems table of ``rows`` with ``columns`` (a subset of :data:`PROBLEM_SCHEMA`, in its order); a ``line``
    column holds whole numbers or nothing (``Int64``)."""
    import pandas as pd

    unknown = [c for c in columns if c not in PROBLEM_SCHEMA]
    order = [PROBLEM_SCHEMA.index(c) for c in columns if c in PROBLEM_SCHEMA]
    if unknown or order != sorted(order):
        raise ValueError(f"problems table columns {list(columns)} are not a subset of {list(PROBLEM_SCHEMA)} "
                         "in its order")
    frame = pd.DataFrame(list(rows or []), columns=list(columns))
    return frame.astype({"line": "Int64"}) if "line" in frame and not frame.empty else frame


def problem_location(row: dict[str, Any]) -> str:
    """Where a problem is, for a message: ``file, line 3, column `x`, key `y```` (whatever the row says)."""
    import pandas as pd

    where = [str(row.get("file") or "")]
    for place in ("row", "line"):
        if row.get(place) is not None and not pd.isna(row.get(place)):
            where.append(f"{place} {int(row[place])}")
    where += [f"{kind} `{row[kind]}`" for kind in ("column", "key") if row.get(kind)]
    return ", ".join(where)


class CMResearchError(Exception):
    """Base class for every error cm_research raises on purpose."""


class ProblemsError(CMResearchError):
    """An error that carries a problems table (``problems``), so all the problems can be corrected at once.

    A subclass names its layout in ``problem_columns`` (an empty tuple: an empty table with no columns).
    """

    problem_columns: ClassVar[Sequence[str]] = PROBLEM_COLUMNS

    def __init__(self, message: str, problems: pd.DataFrame | None = None):
        super().__init__(message)
        if problems is None:
            import pandas as pd

            problems = problems_table(columns=self.problem_columns) if self.problem_columns else pd.DataFrame()
        self.problems = problems

    @classmethod
    def from_problems(cls, rows: list[dict], what: str) -> ProblemsError:
        """One error for many problems; the message lists each as 'file, line N: message'."""
        lines = [f"{problem_location(r)}: {r['message']}" for r in rows]
        head = f"{len(rows)} problem{'s' if len(rows) != 1 else ''} in {what}:\n  " if len(rows) > 1 else ""
        return cls(head + "\n  ".join(lines), problems_table(rows, cls.problem_columns))


class DictionaryError(CMResearchError):
    """The data dictionary itself is malformed (a schema file is missing, unreadable or inconsistent)."""


class DataValidationError(ProblemsError):
    """A data file cannot be loaded at all: it is empty, unreadable, or lacks a required column.

    ``problems`` is a tidy table (file, row, column, value, rule, message) of everything found.
    """

    problem_columns = ()  # made by cm_research.data; none given: an empty table


class NotebookExecutionError(CMResearchError):
    """A notebook failed while running under papermill; the message names the notebook and the cell."""


class ParameterError(CMResearchError):
    """A notebook parameter cannot be passed: its name is not a plain Python name (papermill writes each
    parameter into the notebook as ``name = value``, so a name must never carry code)."""
