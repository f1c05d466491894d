"""Small-number suppression for published tables, with secondary suppression so totals give nothing away.

Conventions (UK official statistics, as the Department for Education applies them to children looked after):
a suppressed cell shows ``c`` ("confidential"), a zero is shown as 0 because it was 0, and further cells are
suppressed where a suppressed one could otherwise be worked out by arithmetic from the totals.

**Default threshold: 5** -- counts from 1 to 5 are suppressed. This is the rule DfE's statistics on children
looked after have long used ("numbers from 1 to 5 inclusive have been suppressed", with further figures
suppressed when a suppressed one could be calculated from the others), the lower end of the 5-10 range UK
producers use. Evaluation tables for one site are small -- a few dozen children -- so a higher default would
blank most of them; raise ``threshold`` (e.g. to 10, as some health and local-authority publications do) when
tables are cut finely or linked to other published figures.

Method
------
1. *Primary suppression*: every count ``1 <= n <= threshold`` becomes ``c``.
2. *Secondary suppression*: every published relation -- a row's parts and its total column, a column's rows
   and its total row -- is a *line*. A line with exactly one ``c`` gives it away (total minus the rest), so the
   smallest non-zero published cell of that line is suppressed too (DfE: "the next smallest"), until every
   line has none or at least two.
3. *Audit*: lines can combine (and a ``c`` is known to be at least 1, since zeros are shown), so for every
   suppressed cell the smallest and largest value consistent with everything published is found by linear
   programming (scipy's HiGHS). A cell whose range holds a single whole number is disclosed: one more cell of
   one of its lines is suppressed and steps 2-3 repeat.
4. A percentage is suppressed when its numerator or denominator is.
5. *Group disclosure*: a line whose one hidden part sits beside zeros only (``matches c, ended c, still going
   0``) tells that everyone in the group has that part's value, however few they are; one of its zeros is shown
   as ``c`` as well. So a ``c`` is usually 1 to the threshold, or a larger count hidden to protect one, and
   occasionally a 0 hidden for this reason (the table's note says so).

Suppression is on by default. ``suppress=False`` switches it off; the returned table then carries a note
saying so (``suppression_note``), for the report to show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cm_research.privacy.contract import SuppressedTable, make_suppressed
from cm_research.privacy.errors import SuppressionError

DEFAULT_THRESHOLD = 5
SUPPRESSED = "c"

Cell = tuple[int, str]  # (row position, column)


@dataclass(frozen=True)
class Line:
    """A published relation: sum of coefficient x cell = 0 (parts +1, their total -1)."""

    coefficients: tuple[tuple[Cell, int], ...]

    @property
    def cells(self) -> list[Cell]:
        return [cell for cell, _ in self.coefficients]


def _as_count(value: object, where: str) -> int:
    shown = repr(value) if isinstance(value, str) else str(value.item() if isinstance(value, np.generic) else value)
    refusal = SuppressionError(f"{where}: {shown} is not a count (a whole number, 0 or more)")
    if isinstance(value, (bool, np.bool_)) or value is None or (not isinstance(value, str) and pd.isna(value)):
        raise refusal
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise refusal from None
    if number < 0 or number != int(number):
        raise refusal
    return int(number)


def _total_row_positions(table: pd.DataFrame, total_rows: Mapping[str, object] | None,
                         within: Sequence[str] | None, name: str) -> dict[int, list[int]]:
    """Total row position -> positions of the rows it totals."""
    if not total_rows:
        return {}
    is_total = np.ones(len(table), dtype=bool)
    for column, value in total_rows.items():
        if column not in table:
            raise SuppressionError(f"{name}: total_rows names column `{column}`, which the table does not have")
        is_total &= (table[column].astype(str) == str(value)).to_numpy()
    keys = ([tuple(r) for r in table[list(within)].astype(str).itertuples(index=False)] if within
            else [()] * len(table))
    blocks: dict[tuple, list[int]] = {}
    for pos, key in enumerate(keys):
        blocks.setdefault(key, []).append(pos)
    out = {}
    for key, positions in blocks.items():
        totals = [p for p in positions if is_total[p]]
        if len(totals) != 1:
            where = f" for {dict(zip(within, key))}" if within else ""
            raise SuppressionError(f"{name}: expected one total row{where} matching {dict(total_rows)}, "
                                   f"found {len(totals)}")
        out[totals[0]] = [p for p in positions if p != totals[0]]
    return out


def build_lines(table: pd.DataFrame, columns: Sequence[str], totals: Mapping[str, Sequence[str]],
                total_rows: Mapping[str, object] | None, within: Sequence[str] | None,
                name: str = "table") -> list[Line]:
    """Every published relation of the table (see the module docstring)."""
    lines = []
    for pos in range(len(table)):
        for total, parts in totals.items():
            lines.append(Line(tuple(((pos, p), 1) for p in parts) + (((pos, total), -1),)))
    for total_pos, members in _total_row_positions(table, total_rows, within, name).items():
        for column in columns:
            lines.append(Line(tuple(((p, column), 1) for p in members) + (((total_pos, column), -1),)))
    return lines


def _check_lines(lines: list[Line], values: dict[Cell, int], table: pd.DataFrame, name: str) -> None:
    for line in lines:
        if sum(coef * values[cell] for cell, coef in line.coefficients) != 0:
            total = next(cell for cell, coef in line.coefficients if coef < 0)
            parts = [cell for cell, coef in line.coefficients if coef > 0]
            got = sum(values[c] for c in parts)
            raise SuppressionError(
                f"{name}, row {table.index[total[0]]!r}, column `{total[1]}`: the total {values[total]} is not the sum "
                f"of its {len(parts)} parts ({got}); fix the table or leave this total out of `totals`/`total_rows`")


def _choice(values: dict[Cell, int], margins: set[Cell], keep: set[Cell]):
    """The order in which secondary cells are picked: a cell published elsewhere in the run (``keep``) last, then
    the smallest, an inner cell before a margin."""
    return lambda c: (c in keep, values[c], c in margins, c)


def _fill_lines(lines: list[Line], values: dict[Cell, int], suppressed: set[Cell], margins: set[Cell],
                keep: set[Cell] = frozenset()) -> None:
    """Step 2: until no line has exactly one suppressed cell, suppress the smallest non-zero other cell (one not
    in ``keep`` where the line has one)."""
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [c for c in line.cells if c in suppressed]
            if len(hidden) != 1:
                continue
            candidates = [c for c in line.cells if c not in suppressed and values[c] > 0]
            if candidates:
                suppressed.add(min(candidates, key=_choice(values, margins, keep)))
                changed = True


def _protect_groups(lines: list[Line], values: dict[Cell, int], suppressed: set[Cell],
                    whole_groups: bool = False) -> bool:
    """Group disclosure: a line whose only hidden part sits beside zeros says that everyone in the group (the
    total) has that part's value -- "1 to 5 matches, 0 still going" says every one of them ended. One zero of
    each such line is hidden too (ONS *Disclosure Control Policy for Tables*: group disclosure). With
    ``whole_groups`` (the parts are values of a sensitive attribute, such as an outcome), a shown part beside
    zeros is hidden with one of them as well, whatever the group's size ("18 of 18 in education" tells each of
    the 18's outcome). True if any cell was added."""
    changed = False
    memberships: dict[Cell, int] = {}
    for line in lines:
        for cell in line.cells:
            memberships[cell] = memberships.get(cell, 0) + 1
    for line in lines:
        total = next(cell for cell, coef in line.coefficients if coef < 0)
        parts = [cell for cell, coef in line.coefficients if coef > 0]
        hidden = [c for c in parts if c in suppressed]
        zeros = [c for c in parts if c not in suppressed and values[c] == 0]
        if whole_groups and not hidden and zeros and len(zeros) == len(parts) - 1 and values[total] > 0:
            hidden = [c for c in parts if c not in zeros]
            suppressed.update(hidden)
        if len(hidden) == 1 and zeros and len(zeros) == len(parts) - 1 and values[total] > 0:
            # the zero in the fewest other relations: one that another line pins down protects nothing
            suppressed.add(min(zeros, key=lambda c: (memberships[c], c)))
            changed = True
    return changed


def feasible_ranges(lines: list[Line], values: dict[Cell, int], suppressed: set[Cell]) -> dict[Cell, tuple[float, float]]:
    """For each suppressed cell in some line, the (min, max) it could take given everything published and
    every suppressed cell being at least 1 (a hidden zero at least 0; ``inf`` when unbounded). Linear programming
    with scipy's HiGHS."""
    from scipy.optimize import linprog

    unknown = sorted({c for line in lines for c in line.cells if c in suppressed})
    if not unknown:
        return {}
    index = {c: i for i, c in enumerate(unknown)}
    rows, rhs = [], []
    for line in lines:
        if not any(c in index for c in line.cells):
            continue
        row = np.zeros(len(unknown))
        known = 0.0
        for cell, coef in line.coefficients:
            if cell in index:
                row[index[cell]] += coef
            else:
                known += coef * values[cell]
        rows.append(row)
        rhs.append(-known)
    a_eq, b_eq = np.array(rows), np.array(rhs)
    # a hidden zero (group disclosure, :func:`_protect_groups`) may be 0; every other hidden count is at least 1
    lower = [(0 if values[c] == 0 else 1, None) for c in unknown]
    ranges = {}
    for cell, i in index.items():
        bounds = []
        for sign in (1, -1):
            objective = np.zeros(len(unknown))
            objective[i] = sign
            result = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=lower, method="highs")
            if result.status == 3:  # unbounded
                bounds.append(np.inf)
            elif result.status != 0:
                raise SuppressionError(f"the suppression audit failed ({result.message})")
            else:
                bounds.append(sign * result.fun)
        ranges[cell] = (bounds[0], bounds[1])
    return ranges


def _disclosed(ranges: dict[Cell, tuple[float, float]]) -> list[Cell]:
    return [cell for cell, (low, high) in ranges.items() if np.floor(high + 1e-6) - np.ceil(low - 1e-6) < 1]


def suppression_pattern(values: dict[Cell, int], lines: list[Line], threshold: int,
                        margins: set[Cell] = frozenset(), whole_groups: bool = False,
                        keep: set[Cell] = frozenset()) -> tuple[set[Cell], set[Cell]]:
    """(primary, secondary) cells to suppress so that no suppressed cell can be recovered (steps 1-3).

    ``keep``: cells another part of the run publishes anyway (a group's analysed n, which its degrees of freedom
    and confidence interval give back): secondary suppression picks them only when a line has no other cell,
    since hiding a count here that is shown there protects nothing (the whole-run audit's ``linked_count``)."""
    primary = {c for c, v in values.items() if 1 <= v <= threshold}
    suppressed = set(primary)
    while True:
        _fill_lines(lines, values, suppressed, margins, keep)
        if _protect_groups(lines, values, suppressed, whole_groups):
            continue
        exposed = _disclosed(feasible_ranges(lines, values, suppressed))
        if not exposed:
            return primary, suppressed - primary
        # One more cell at a time, then audit again: protecting one exposed cell often protects the others.
        for cell in exposed:
            candidates = [c for line in lines if cell in line.cells for c in line.cells
                          if c not in suppressed and values[c] > 0]
            if not candidates and values[cell] == 0:  # a hidden zero pinned by zeros: hide one of those too
                candidates = [c for line in lines if cell in line.cells for c in line.cells if c not in suppressed]
            if candidates:
                suppressed.add(min(candidates, key=_choice(values, margins, keep)))
                break
        else:
            raise SuppressionError("a suppressed cell cannot be protected by suppressing more cells")


def suppress_counts(table: pd.DataFrame, count_columns: Sequence[str], *, threshold: int = DEFAULT_THRESHOLD,
                    totals: Mapping[str, Sequence[str]] | str | None = None,
                    total_rows: Mapping[str, object] | None = None, within: Sequence[str] | None = None,
                    percentages: Mapping[str, tuple[str, str]] | None = None, suppress: bool = True,
                    name: str = "table", whole_groups: bool = False) -> pd.DataFrame:
    """The table to publish: small counts shown as ``c``, with secondary suppression (see the module docstring).

    Parameters
    ----------
    table : a tidy table of counts.
    count_columns : the columns holding counts of children (whole numbers, 0 or more).
    threshold : counts from 1 to ``threshold`` are suppressed; default 5 (why: module docstring).
    totals : row totals: ``{"total": ["mentored", "comparison"]}``, or the name of a column that is the sum of the
        other ``count_columns``.
    total_rows : how to recognise rows that total the others, e.g. ``{"cohort": "total"}``.
    within : columns that split the table into blocks, each with its own total row (e.g. ``["measure"]``).
    percentages : ``{"pct_recorded": ("n_recorded", "n_expected")}``: each percentage is suppressed when its
        numerator or denominator is.
    suppress : False switches suppression off; the result's note then says so. Never publish such a table.
    name : the table's name in error messages.
    whole_groups : the parts of each total are values of a sensitive attribute (an outcome): where all of a
        group share one value ("18 of 18", "0 of 18"), that count and a zero are hidden too (group disclosure).

    Returns
    -------
    SuppressedTable
        A copy (a DataFrame of the disclosure-contract type, :mod:`cm_research.privacy.contract`) in which
        suppressed cells of count and percentage columns hold ``"c"`` (those columns become object dtype).
        ``.disclosure`` (also ``attrs["disclosure_control"]``) records: suppression ("on"/"off"), threshold,
        n_primary, n_secondary, note, count_columns.

    Examples
    --------
    >>> t = pd.DataFrame({"cohort": ["2022/23", "2023/24", "total"], "mentored": [3, 20, 23],
    ...                   "comparison": [12, 14, 26], "total": [15, 34, 49]})
    >>> suppress_counts(t, ["mentored", "comparison"], totals="total", total_rows={"cohort": "total"})
    ... # doctest: +NORMALIZE_WHITESPACE
        cohort mentored comparison total
    0  2022/23        c          c    15
    1  2023/24        c          c    34
    2    total       23         26    49
    """
    count_columns = list(count_columns)
    if isinstance(totals, str):
        totals = {totals: [c for c in count_columns if c != totals]}
    totals = {k: list(v) for k, v in (totals or {}).items()}
    columns = list(dict.fromkeys([*count_columns, *totals, *(p for parts in totals.values() for p in parts)]))
    missing = [c for c in columns + [c for pair in (percentages or {}).values() for c in pair] + list(percentages or {})
               if c not in table.columns]
    if missing:
        raise SuppressionError(f"{name}: no column {', '.join(map(repr, dict.fromkeys(missing)))}; "
                               f"the columns are {', '.join(map(str, table.columns))}")
    values = {(pos, col): _as_count(table[col].iloc[pos], f"{name}, row {table.index[pos]!r}, column `{col}`")
              for col in columns for pos in range(len(table))}
    lines = build_lines(table, columns, totals, total_rows, within, name)
    _check_lines(lines, values, table, name)

    out = pd.DataFrame(table).copy()
    out.attrs.update({k: v for k, v in table.attrs.items() if k != "disclosure_control"})
    if not suppress:
        return make_suppressed(out, {
            "suppression": "off", "threshold": threshold, "n_primary": 0, "n_secondary": 0,
            "count_columns": columns,
            "note": (f"Small-number suppression was switched OFF for this table (suppress=False): counts from 1 to "
                     f"{threshold} are shown. Do not publish it."),
        })

    total_positions = set(_total_row_positions(table, total_rows, within, name))
    margins = {c for c in values if c[1] in totals or c[0] in total_positions}
    primary, secondary = suppression_pattern(values, lines, threshold, margins, whole_groups)
    return _apply(out, columns, primary, secondary, threshold, percentages)


def _apply(out: pd.DataFrame, columns: list[str], primary: set[Cell], secondary: set[Cell], threshold: int,
           percentages: Mapping[str, tuple[str, str]] | None) -> SuppressedTable:
    """``out`` with the hidden cells (and percentages of them) shown as ``c``, as a SuppressedTable."""
    hidden = primary | secondary
    zeros = sum(1 for pos, col in secondary if _as_count(out[col].iloc[pos], col) == 0)
    for col in columns:
        out[col] = [SUPPRESSED if (pos, col) in hidden else _as_count(out[col].iloc[pos], col)
                    for pos in range(len(out))]
    for pct, (numerator, denominator) in (percentages or {}).items():
        cells = out[pct].astype(object).tolist()
        for pos in range(len(out)):
            if (pos, numerator) in hidden or (pos, denominator) in hidden:
                cells[pos] = SUPPRESSED
        out[pct] = pd.Series(cells, index=out.index, dtype=object)
    return make_suppressed(out, {
        "suppression": "on", "threshold": threshold, "n_primary": len(primary), "n_secondary": len(secondary),
        "count_columns": columns,
        "note": (f"Counts from 1 to {threshold} are shown as c, as are {len(secondary)} further cell"
                 f"{'s' if len(secondary) != 1 else ''} that would let them be worked out from totals, and "
                 "percentages of suppressed counts. "
                 + (f"{zeros} zero{'s' if zeros != 1 else ''} beside a small group {'are' if zeros != 1 else 'is'} "
                    "shown as c too, since it would show that everyone in the group had the same answer; every "
                    "other 0 is a true zero." if zeros else "A 0 is a true zero.")
                 if primary else f"No count was from 1 to {threshold}, so nothing was suppressed."),
    })


def suppression_note(table: pd.DataFrame) -> str:
    """The sentence a report shows under a published table: how it was protected, or that it was not."""
    control = table.attrs.get("disclosure_control")
    if control is None:
        return "This table has not been through small-number suppression: do not publish it."
    return control["note"]


def certify(table: pd.DataFrame, count_columns: Sequence[str], *, threshold: int = DEFAULT_THRESHOLD,
            suppress: bool = True, name: str = "table", reason: str = "",
            not_people: Sequence[str] = ()) -> SuppressedTable:
    """A table whose counts were protected another way (results withheld for small groups; no counts of
    children at all), checked and made publishable.

    Every cell of ``count_columns`` must be ``c``, blank, 0 or more than ``threshold``; otherwise
    SuppressionError names the row and column (the table must go through :func:`suppress_counts` instead).
    ``count_columns`` may be empty for a table with no counts of people (say why in ``reason``: it is recorded
    in ``.disclosure``). ``not_people``: columns named like counts of people that are not (an n-gram's length, a
    number of sentences), so the whole-run audit leaves them alone. This checks the primary rule only; a table whose counts add up to published totals
    belongs in :func:`suppress_counts` or :class:`~cm_research.privacy.joint.JointSuppression`.
    """
    frame = pd.DataFrame(table).copy()
    frame.attrs.update({k: v for k, v in table.attrs.items() if k != "disclosure_control"})
    missing = [c for c in count_columns if c not in frame.columns]
    if missing:
        raise SuppressionError(f"{name}: no column {', '.join(map(repr, missing))}; the columns are "
                               f"{', '.join(map(str, frame.columns))}")
    if suppress:
        for column in count_columns:
            for pos, value in enumerate(frame[column].tolist()):
                if isinstance(value, str) and value == SUPPRESSED:
                    continue
                if value is None or (not isinstance(value, str) and pd.isna(value)):
                    continue
                number = _as_count(value, f"{name}, row {frame.index[pos]!r}, column `{column}`")
                if 1 <= number <= threshold:
                    raise SuppressionError(
                        f"{name}, row {frame.index[pos]!r}, column `{column}`: {number} is a count from 1 to "
                        f"{threshold}, which cannot be published; suppress the table with suppress_counts()")
    note = (reason or f"Counts from 1 to {threshold} are not shown (results for such small groups are withheld)."
            if suppress else f"Small-number suppression was switched OFF for this table: do not publish it.")
    return make_suppressed(frame, {"suppression": "certified" if suppress else "off", "threshold": threshold,
                                   "n_primary": 0, "n_secondary": 0, "count_columns": list(count_columns),
                                   "not_people": list(not_people), "note": note})
