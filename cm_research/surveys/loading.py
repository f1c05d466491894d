"""Load a partnership's survey (answers and comments) from its data folder, validated against the dictionary.

The tables are read by :func:`cm_research.data.load_table`, so every problem is reported with its file, row and
column and no row is dropped without a word. On top of the dictionary's rules this checks what a single row
cannot show: one role per respondent, and no answer given together with "don't know".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cm_research.data import TableLoad, find_table_file, load_table
from cm_research.errors import PROBLEM_COLUMNS, DataValidationError
from cm_research.dictionary import catalogue

__all__ = ["Survey", "load_survey", "survey_catalogue"]


def survey_catalogue() -> pd.DataFrame:
    """The survey items of the data dictionary (``survey_items.yaml``): item, label, text, scale, reverse_scored."""
    items = catalogue("survey_items").reset_index(drop=True)
    items["reverse_scored"] = items["reverse_scored"].astype(bool)
    return items


@dataclass
class Survey:
    """A partnership's survey: ``responses`` and (when the file exists) ``comments``, each a TableLoad whose
    ``data`` holds the valid rows, plus the item catalogue used."""

    responses: TableLoad
    comments: TableLoad | None
    items: pd.DataFrame

    @property
    def problems(self) -> pd.DataFrame:
        tables = [self.responses.problems] + ([self.comments.problems] if self.comments is not None else [])
        return pd.concat(tables, ignore_index=True)

    @property
    def roles(self) -> pd.Series:
        """Each respondent's role, indexed by respondent id."""
        data = self.responses.data
        return data.drop_duplicates("respondent_id").set_index("respondent_id")["respondent_role"]


def _hold_back(load: TableLoad, rows: dict[int, tuple[str, str]]) -> None:
    """Record a problem for each row (row -> (column, message)) and move the row from ``data`` to
    ``quarantine``, as the loader does for the dictionary's own rules: nothing is silently dropped."""
    if not rows:
        return
    data = load.data
    extra = pd.DataFrame([{"file": load.path.name, "row": row, "column": column,
                           "value": "" if pd.isna(data.at[row, column]) else str(data.at[row, column]),
                           "rule": "consistency", "message": message, "severity": "error"}
                          for row, (column, message) in rows.items()], columns=PROBLEM_COLUMNS)
    extra["row"] = extra["row"].astype("Int64")
    load.problems = pd.concat([load.problems, extra], ignore_index=True)
    held = data.loc[list(rows)].astype(object).reset_index()
    held.insert(0, "problems", [rows[r][1] for r in held["row"]])
    held.insert(0, "file", load.path.name)
    load.quarantine = pd.concat([load.quarantine, held], ignore_index=True)
    load.data = data.drop(index=list(rows))


def _check_responses(load: TableLoad) -> None:
    """One role per respondent; never an answer together with don't know."""
    data = load.data
    rows: dict[int, tuple[str, str]] = {}
    roles = data.groupby("respondent_id")["respondent_role"].agg(lambda r: sorted(set(r.dropna())))
    for respondent, found in roles[roles.map(len) > 1].items():
        for row in data.index[data["respondent_id"] == respondent]:
            rows[row] = ("respondent_role", f"respondent {respondent} has more than one role ({', '.join(found)}); "
                                            "give the same respondent_role on every row")
    both = data["response"].notna() & data["dont_know"].fillna(False).astype(bool)
    for row in data.index[both]:
        rows.setdefault(row, ("dont_know", f"has both an answer ({data.at[row, 'response']}) and don't know; keep "
                                           "one of them (leave response empty for don't know)"))
    _hold_back(load, rows)


def load_survey(folder: str | Path, comments: bool = True) -> Survey:
    """Load ``survey_responses`` (and ``survey_comments`` when present and ``comments``) from ``folder``.

    Items must be in the dictionary's survey_items catalogue; commenters must appear in the survey responses.
    Raises :class:`cm_research.errors.DataValidationError` when a file is missing, unreadable or lacks a
    required column; problems inside rows are returned in ``problems`` and the rows held back.
    """
    folder = Path(folder)
    items = survey_catalogue()
    path = find_table_file(folder, "survey_responses")
    try:
        responses = load_table(path, "survey_responses", references={"survey_items": items})
    except DataValidationError as exc:  # a survey tool's export saved under the table's name: say so
        from cm_research.surveys.errors import SurveyExportError
        from cm_research.surveys.tool_layouts import export_advice

        if (advice := export_advice(path)) is None:
            raise
        raise SurveyExportError(f"{path.name}: {advice}", exc.problems) from exc
    _check_responses(responses)
    comment_load = None
    has_comments = any((folder / f"survey_comments{ext}").exists() for ext in (".csv", ".xlsx"))
    if comments and has_comments:
        comment_load = load_table(find_table_file(folder, "survey_comments"), "survey_comments",
                                  references={"survey_responses": responses.data})
    return Survey(responses=responses, comments=comment_load, items=items)
