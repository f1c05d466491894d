"""Tables for people who read reports: headings in words, whole-number counts, p-values as a reader expects them,
and a technical note shown once under the table rather than on every row.

The CSV files keep the tidy snake_case columns (``estimate, ci_low, ci_high, p_val, note``) that code and other
tools read; only what a report shows goes through :func:`readable_table`.

Headings come from the data dictionary first (a column named like a field shows the field's ``title``), then
from :data:`HEADINGS` for the result columns the package computes, and otherwise from the name itself
(``pct_of_mentored`` -> "% of mentored", ``mentor_fees`` -> "Mentor fees").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import pandas as pd

from cm_research.contract import HEADINGS  # kept with the table contract: the audit of Word tables reads it too
from cm_research.report.wording import KEEP
from cm_research.report.wording import format_p as _format_p


#: columns that hold counts of people, rows or answers: shown as whole numbers whatever their dtype
COUNT_PATTERN = re.compile(r"^(n|k|total|young_people|mentored|comparison)$|^n_|^rows_|^cells_|_count$|^count_"
                           r"|^warnings$")
P_VALUE_PATTERN = re.compile(r"(^|_)p_(val|holm|adj|value)$|^p$")
#: a first-column cell that names no row: a number, a withheld count "c", or blank
_NOT_A_LABEL = re.compile(r"^[-+\u2212]?[\d.,]+%?$|^c$|^$")


def labels_rows(first_column: Iterable[object], width: int) -> bool:
    """Whether a table's first column labels its rows, so that its cells are the rows' headers (WCAG 2.1 1.3.1,
    info and relationships): the table has more than one column, and at least one body cell of the first column
    (as shown, e.g. "Attendance (%)", "2022/23", "mentee 2") is not a number, a withheld count ``c`` or blank.

    The one rule for both copies of a report: the HTML tables (:func:`cm_research.report.display.row_headers`,
    ``<th scope="row">``) and the Word tables (:func:`cm_research.report.word._word_table`, "First Column")."""
    return width > 1 and any(not _NOT_A_LABEL.match(str(value).strip()) for value in first_column)


@lru_cache(maxsize=1)
def _dictionary_titles() -> dict[str, str]:
    from cm_research.dictionary import load_schemas

    titles: dict[str, str] = {}
    for schema in load_schemas().values():
        for f in schema.fields:
            titles.setdefault(f.name, f.title)
    return titles


def column_heading(name: object) -> str:
    """The heading a reader sees for column ``name`` (see the module docstring for the order of sources)."""
    if not isinstance(name, str):
        return str(name)
    if name in HEADINGS:
        return HEADINGS[name]
    titles = _dictionary_titles()
    if name in titles:
        return titles[name]
    if not re.fullmatch(r"[a-z0-9_]+", name):  # already written for people ("% agree", "median (CI)")
        return name
    words = name.replace("_", " ")
    words = re.sub(r"^pct ", "% ", words)
    words = re.sub(r" pct$", " (%)", words)
    words = re.sub(r"^n ", "number of ", words)
    return words[:1].upper() + words[1:]


def format_p(p: object) -> object:
    """A p-value as reports print it: "< 0.001" below a thousandth, otherwise three decimals (never "0.00");
    anything else (a missing value, a suppressed ``c``) as it is (:func:`cm_research.report.wording.format_p`)."""
    return _format_p(p, missing=KEEP)


def _whole(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def readable_table(table: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """(table for display, notes to print once beneath it).

    Counts become whole numbers (a suppressed ``c`` stays ``c``), p-values read "< 0.001" or 0.012, a ``note``
    column whose text repeats across rows is lifted out as notes (a column of distinct per-row notes stays), and
    headings are put in words (:func:`column_heading`)."""
    shown = table.copy()
    for column in shown.columns:
        if not isinstance(column, str):
            continue
        if COUNT_PATTERN.search(column):
            numeric = pd.to_numeric(shown[column], errors="coerce")
            whole = numeric.dropna()
            if len(whole) and (whole == whole.round()).all():
                shown[column] = shown[column].map(_whole).astype(object)
        elif P_VALUE_PATTERN.search(column):
            shown[column] = shown[column].map(format_p).astype(object)
    notes: list[str] = []
    if "note" in shown.columns:
        texts = shown["note"].dropna().astype(str).str.strip()
        texts = texts[texts != ""]
        distinct = list(dict.fromkeys(texts))
        if len(distinct) == 1 and len(texts) > 1:  # the same note on every row that has one: say it once
            notes = distinct
            shown = shown.drop(columns=["note"])
    headings: list[str] = []
    both = {"measure", "title"} <= set(shown.columns)  # the measure's name and its title: say which is which
    for column in shown.columns:
        heading = "Measure (short name)" if both and column == "measure" else column_heading(column)
        headings.append(heading if heading not in headings else str(column))
    shown.columns = headings
    return shown, notes
