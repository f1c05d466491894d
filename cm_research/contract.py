"""The table contract: how every analysis checks the tables it is given and shapes the tables it returns.

Inputs are checked here, once, at the public boundary (:func:`require_columns`, :func:`as_numeric`,
:func:`split_two_groups`); the error messages are written for a practitioner and say which column or group is the
problem and what the data hold instead. Results are assembled by :func:`tidy` in the standard column order
(``estimate, se, ci_low, ci_high, statistic, dof, p_val, note``; ``se``, the standard error of the estimate, only
where the estimator has one); :func:`ci_quantile` checks a confidence level.
Used by ``stats``, ``measures``, ``surveys``, ``mentors``, ``plots`` and ``report`` alike (it was
``cm_research.stats._checks``, which stays as a deprecated re-export for one release).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cm_research.errors import CMResearchError


#: result columns of the package's tables, in words: the headings reports show for them
#: (:func:`cm_research.report.tables.column_heading`), read backwards by the disclosure audit of Word tables
#: (:func:`cm_research.privacy.office_tables.source_column`)
HEADINGS = {
    "estimate": "Estimate", "ci_low": "CI low", "ci_high": "CI high", "statistic": "Test statistic",
    "dof": "Degrees of freedom", "p_val": "p", "p_holm": "p (Holm-adjusted)", "note": "Note",
    "n": "n", "n_treated": "Mentored", "n_control": "Comparison", "n_pairs": "Measured twice",
    "n_dropped": "Left out", "n_nonzero": "Changed", "n_items": "Statements", "n_dont_know": "Don't know",
    "title": "Measure", "measure": "Measure", "analysis": "Analysis", "method": "Method", "favours": "Favours",
    "effect_size": "Effect size", "effect_size_name": "Effect size measure",
    "effect_size_ci_low": "Effect size CI low", "effect_size_ci_high": "Effect size CI high",
    "d_z": "d (z)", "hedges_g_av": "g (av)", "rank_biserial": "Rank-biserial r",
    "table": "Table", "file": "File", "rows_read": "Rows read", "rows_valid": "Rows valid",
    "rows_quarantined": "Rows held back", "blank_rows_skipped": "Blank rows skipped",
    "cells_blanked": "Cells blanked", "warnings": "Warnings", "encoding": "Encoding",
    "n_expected": "Expected", "n_recorded": "Recorded", "n_missing": "Missing", "pct_recorded": "% recorded",
    "n_baseline": "At baseline", "n_both": "At baseline and post", "n_lost": "Lost",
    "pct_retained": "% retained", "rule": "Rule", "column": "Column", "severity": "Severity",
    "n_problems": "Problems", "n_rows": "Rows", "row": "Row", "message": "Problem", "value": "Value",
    "mentored": "Mentored", "comparison": "Comparison", "total": "Total", "young_people": "Young people",
    "smallest_reliable_change": "Smallest reliable change", "reliable_improvement": "Reliable improvement",
    "no_reliable_change": "No reliable change", "reliable_deterioration": "Reliable deterioration",
    "mde_d": "Smallest detectable d", "power": "Power", "tau2": "τ²", "i2": "I² (%)",
    "q_p_val": "p (heterogeneity)", "n_intervention": "Intervention points", "n_segments": "Segments",
    "pi_low": "Prediction interval low", "pi_high": "Prediction interval high", "k": "Sites",
}

class InsufficientDataError(CMResearchError, ValueError):
    """A comparison is impossible with the data given (a missing column, an
    empty group, too few values).

    The message says what was expected and what was found, in plain English.
    It is a ValueError too, so callers catching ValueError keep working.
    """


# Column order shared by every result table; columns a function does not
# produce are simply absent, columns it adds go between these and `note`.
LEADING = ["measure", "method"]
STANDARD = ["estimate", "se", "ci_low", "ci_high", "statistic", "dof", "p_val"]


def require_columns(data: pd.DataFrame, columns: Iterable[str | None], where: str,
                    error: type[Exception] = InsufficientDataError) -> None:
    """Raise if `data` is not a DataFrame (TypeError) or lacks any of `columns` (None is skipped): ``error``,
    naming every missing column and the columns there are. Each analysis passes its own kind of error."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{where}: `data` must be a pandas DataFrame, not {type(data).__name__}.")
    missing = [c for c in dict.fromkeys(columns) if c is not None and c not in data.columns]
    if missing:
        raise error(f"{where}: there is no column {', '.join(f'`{c}`' for c in missing)} in the data. "
                    f"The columns are: {', '.join(str(c) for c in data.columns) or '(none)'}.")


def as_numeric(values: pd.Series, column: str, where: str, error: type[Exception] = ValueError,
               hint: str = "") -> pd.Series:
    """Return `values` as floats (missing values stay missing); raise ``error`` naming the column and the first
    entries that are not numbers, followed by ``hint`` (what to do instead), if any."""
    converted = pd.to_numeric(values, errors="coerce")
    bad = values[converted.isna() & values.notna()]
    if len(bad):
        shown = ", ".join(repr(v) for v in bad.head(3))
        raise error(
            f"{where}: column `{column}` must hold numbers, but row(s) "
            f"{', '.join(str(i) for i in bad.index[:3])} hold {shown}." + (f" {hint}" if hint else "")
        )
    return converted.astype(float)


def reject_infinite(values: pd.Series, column: str, where: str, error: type[Exception] = InsufficientDataError) -> None:
    """Raise ``error`` naming the rows of `values` that are infinite (R's ``t.test`` stops on them; a figure
    built on one would look fine and mean nothing), most often a division by zero in a spreadsheet."""
    bad = values[np.isinf(values.to_numpy(dtype=float))]
    if len(bad):
        raise error(f"{where}: column `{column}` holds an infinite value ({', '.join(repr(float(v)) for v in bad[:3])}) "
                    f"in row(s) {', '.join(str(i) for i in bad.index[:5])}; every value must be a finite number. "
                    "Check how it was calculated (a division by zero?), correct it or leave it blank.")


def split_two_groups(
    data: pd.DataFrame,
    columns: Sequence[str],
    between: str,
    treated: object,
    control: object,
    where: str,
) -> tuple[pd.DataFrame, pd.DataFrame, int, list[str]]:
    """Split `data` into the treated and control rows that are complete on `columns`.

    Returns the two groups (numeric columns converted to float), the number of
    rows dropped for missing values, and notes saying what was left out.
    Raises InsufficientDataError when a group has no usable rows.
    """
    require_columns(data, [between, *columns], where)
    labels = data[between]
    in_study = labels.isin([treated, control])
    notes = []
    others = labels[~in_study]
    if len(others):
        kinds = ", ".join(repr(v) for v in pd.unique(others)[:5])
        notes.append(f"{len(others)} row(s) in other groups ({kinds}) not used")
    subset = data.loc[in_study, [between, *columns]].copy()
    for column in columns:
        subset[column] = as_numeric(subset[column], column, where)
        reject_infinite(subset[column], column, where)
    complete = subset.dropna(subset=list(columns))
    n_dropped = len(subset) - len(complete)
    if n_dropped:
        notes.append(f"{n_dropped} row(s) dropped for missing {' or '.join(f'`{c}`' for c in columns)}")
    groups = []
    for label in (treated, control):
        rows = complete[complete[between] == label]
        if rows.empty:
            found = ", ".join(repr(v) for v in pd.unique(labels.dropna())[:10])
            raise InsufficientDataError(
                f"{where}: group {label!r} in column `{between}` has no rows with a value for "
                f"{' and '.join(f'`{c}`' for c in columns)}. Groups present: {found or '(none)'}."
            )
        groups.append(rows)
    return groups[0], groups[1], n_dropped, notes


def join_notes(*notes: str | Iterable[str] | None) -> str:
    """Join non-empty notes with '; ' (the empty string when there is nothing to say)."""
    flat: list[str] = []
    for note in notes:
        if note is None:
            continue
        if isinstance(note, str):
            flat.append(note)
        else:
            flat.extend(n for n in note if n)
    return "; ".join(n for n in flat if n)


def tidy(rows: list[dict], ids: Sequence[str] = ()) -> pd.DataFrame:
    """Assemble result rows into a DataFrame with the shared column order.

    Order: `ids`, measure, method, any count columns, the standard estimate / CI /
    test columns, the remaining columns in first-seen order, then `note`.
    """
    frame = pd.DataFrame(rows)
    if "note" not in frame:
        frame["note"] = ""
    frame["note"] = frame["note"].fillna("")
    first = [c for c in dict.fromkeys([*ids, *LEADING]) if c in frame]  # an id may also be a leading column
    counts = [c for c in frame if _is_count(c) and c != "n_boot" and c not in first]
    standard = [c for c in STANDARD if c in frame]
    rest = [c for c in frame if c not in {*first, *counts, *standard, "note"}]
    frame = frame[[*first, *counts, *standard, *rest, "note"]].reset_index(drop=True)
    for column in frame:
        # Counts and seeds stay whole numbers even where a row leaves them empty.
        if (_is_count(column) or column == "seed") and pd.api.types.is_numeric_dtype(frame[column]):
            values = frame[column]
            if np.all(np.isnan(values.to_numpy(dtype=float)) | (values.to_numpy(dtype=float) % 1 == 0)):
                frame[column] = values.astype("Int64")
    return frame


def _is_count(column: str) -> bool:
    return column in {"n", "events"} or column.startswith(("n_", "events_"))


def critical_value(confidence: float, dof: float | None = None) -> float:
    """The two-sided critical value of a ``confidence`` interval: z = Φ⁻¹(1 − α/2) of the standard normal, or
    with ``dof`` the t quantile t(1 − α/2; dof); α = 1 − confidence. Computed from the upper tail (``isf``),
    which keeps its precision for small α. E.g. 1.959964 for 95% (normal), 2.570582 for 95% with 5 degrees of freedom.

    >>> round(critical_value(0.95), 6), round(critical_value(0.95, 5), 6)
    (1.959964, 2.570582)
    """
    from scipy import stats

    tail = ci_quantile(confidence)
    return float(stats.norm.isf(tail) if dof is None else stats.t.isf(tail, dof))


def ci_quantile(confidence: float) -> float:
    """Check `confidence` and return the two-sided tail probability alpha/2."""
    if not 0 < confidence < 1:
        raise ValueError(f"`confidence` must be between 0 and 1 (e.g. 0.95), not {confidence!r}.")
    return (1 - confidence) / 2



def write_records(frame: pd.DataFrame, path: str | Path, **kwargs) -> Path:
    """Write a table as CSV the one way the package does: no index, UTF-8, ``\\n`` line endings on every system
    (so a file made on Windows has the same bytes as on Linux); other ``to_csv`` options pass through.

    A table for a *published* run goes through :func:`cm_research.privacy.contract.write_table` instead, which
    refuses a table whose counts of people were not protected; a table read back into a spreadsheet by people
    goes through :func:`cm_research.data.writing.write_csv`, which also keeps text from running as a formula.
    """
    kwargs.setdefault("index", False)
    kwargs.setdefault("lineterminator", "\n")
    frame.to_csv(path, **kwargs)
    return Path(path)
