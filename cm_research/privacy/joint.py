"""Joint suppression: the published tables of one report are protected together, so that a count hidden in one
table cannot be worked out from another.

Per-table suppression (:func:`cm_research.privacy.suppression.suppress_counts`) protects each table against its
own totals. A report publishes several tables about the same children, and the same number often appears in two
of them under different names -- the young people measured at baseline are a cell of the missingness table
(``n_recorded`` at ``baseline``) and a margin of the attrition table (``n_baseline``). A hidden cell of one table
is then given away by the other: the ONS calls this *disclosure by differencing* or *linked tables*, and its
*Disclosure Control Policy for Tables* (and NHS Digital's *Disclosure control method*, and the DfE's practice for
children-looked-after statistics) require secondary suppression to consider every table released from the same
records together.

:class:`JointSuppression` registers every table of a report with its own relations (row totals, total rows,
blocks) and the *links* between tables (cell A of one table equals cell B of another), then runs one round of
primary suppression, secondary suppression and the linear-programming audit of
:mod:`~cm_research.privacy.suppression` over all of them at once: a link is one more published relation
(A - B = 0), so a hidden cell whose twin is shown gets the twin hidden too, and the audit proves that no hidden
cell's value is pinned down by all the published tables together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from cm_research.privacy.contract import SuppressedTable
from cm_research.privacy.errors import SuppressionError
from cm_research.privacy.suppression import (DEFAULT_THRESHOLD, Line, _apply, _as_count, _check_lines,
                                             _total_row_positions, build_lines, suppress_counts,
                                             suppression_pattern)

CellRef = tuple[str, Mapping[str, object], str]  # (table name, {column: value} picking one row, column)


@dataclass
class _Entry:
    table: pd.DataFrame
    columns: list[str]
    totals: dict[str, list[str]]
    total_rows: Mapping[str, object] | None
    within: Sequence[str] | None
    percentages: Mapping[str, tuple[str, str]] | None
    keep: Sequence[tuple[int, str]] = ()


@dataclass
class JointSuppression:
    """Suppress several published tables of one report together (see the module docstring).

    >>> a = pd.DataFrame({"group": ["mentored", "comparison"], "n_recorded": [3, 20], "n_missing": [9, 8],
    ...                   "n_expected": [12, 28]})
    >>> b = pd.DataFrame({"group": ["mentored", "comparison"], "n_baseline": [3, 20]})
    >>> joint = JointSuppression()
    >>> joint.add("missingness", a, ["n_recorded", "n_missing"], totals="n_expected")
    >>> joint.add("attrition", b, ["n_baseline"])
    >>> joint.link_columns("missingness", "attrition", on=["group"], columns={"n_recorded": "n_baseline"})
    2
    >>> tables = joint.run()
    >>> tables["attrition"]["n_baseline"].tolist()
    ['c', 20]
    """

    threshold: int = DEFAULT_THRESHOLD
    suppress: bool = True
    entries: dict[str, _Entry] = field(default_factory=dict)
    links: list[tuple[tuple[str, int, str], tuple[str, int, str]]] = field(default_factory=list)

    def add(self, name: str, table: pd.DataFrame, count_columns: Sequence[str], *,
            totals: Mapping[str, Sequence[str]] | str | None = None, total_rows: Mapping[str, object] | None = None,
            within: Sequence[str] | None = None,
            percentages: Mapping[str, tuple[str, str]] | None = None,
            published_elsewhere: Mapping[str, Sequence[bool]] | None = None) -> None:
        """Register a table, with the arguments :func:`~cm_research.privacy.suppression.suppress_counts` takes.

        ``published_elsewhere``: ``{column: [True/False per row]}``, cells another report of the run shows anyway
        (e.g. a group's analysed n, beside its statistics): secondary suppression hides them only as a last resort
        (``keep`` of :func:`~cm_research.privacy.suppression.suppression_pattern`)."""
        if name in self.entries:
            raise SuppressionError(f"joint suppression: a table named {name!r} is already registered")
        count_columns = list(count_columns)
        if isinstance(totals, str):
            totals = {totals: [c for c in count_columns if c != totals]}
        totals = {k: list(v) for k, v in (totals or {}).items()}
        columns = list(dict.fromkeys([*count_columns, *totals, *(p for ps in totals.values() for p in ps)]))
        missing = [c for c in [*columns, *(percentages or {}), *(c for pair in (percentages or {}).values()
                                                                   for c in pair)] if c not in table.columns]
        if missing:
            raise SuppressionError(f"{name}: no column {', '.join(map(repr, dict.fromkeys(missing)))}; the columns "
                                   f"are {', '.join(map(str, table.columns))}")
        keep = [(pos, column) for column, flags in (published_elsewhere or {}).items()
                for pos, flag in enumerate(flags) if flag]
        if any(column not in columns for _, column in keep):
            raise SuppressionError(f"{name}: published_elsewhere names a column that is not a count column")
        self.entries[name] = _Entry(pd.DataFrame(table).reset_index(drop=True), columns, totals, total_rows,
                                    within, percentages, keep)

    def _row(self, name: str, where: Mapping[str, object]) -> int:
        entry = self.entries.get(name)
        if entry is None:
            raise SuppressionError(f"joint suppression: no table named {name!r} is registered")
        mask = pd.Series(True, index=entry.table.index)
        for column, value in where.items():
            mask &= entry.table[column].astype(str) == str(value)
        rows = list(entry.table.index[mask])
        if len(rows) != 1:
            raise SuppressionError(f"{name}: expected one row where {dict(where)}, found {len(rows)}")
        return int(rows[0])

    def link(self, a: CellRef, b: CellRef) -> None:
        """Declare that cell ``a`` and cell ``b`` (each ``(table, {column: value}, column)``) are the same count."""
        cells = []
        for name, where, column in (a, b):
            if column not in self.entries.get(name, _Entry(pd.DataFrame(), [], {}, None, None, None)).columns:
                raise SuppressionError(f"joint suppression: `{column}` is not a count column of table {name!r}")
            cells.append((name, self._row(name, where), column))
        self.links.append((cells[0], cells[1]))

    def link_columns(self, a: str, b: str, on: Sequence[str], columns: Mapping[str, str],
                     where_a: Mapping[str, object] | None = None, where_b: Mapping[str, object] | None = None) -> int:
        """Link, for every row of ``a`` (restricted to ``where_a``) whose ``on`` values pick one row of ``b``
        (restricted to ``where_b``), each column ``columns`` names in ``a`` to its partner in ``b``. Returns the
        number of links made. Rows with no partner are not linked (nothing to derive them from)."""
        ta, tb = self.entries[a].table, self.entries[b].table
        made = 0
        for _, row in ta.iterrows():
            if any(str(row[k]) != str(v) for k, v in (where_a or {}).items()):
                continue
            key = {k: row[k] for k in on}
            mask = pd.Series(True, index=tb.index)
            for column, value in {**key, **(where_b or {})}.items():
                mask &= tb[column].astype(str) == str(value)
            if mask.sum() != 1:
                continue
            for col_a, col_b in columns.items():
                self.link((a, {**key, **(where_a or {})}, col_a), (b, {**key, **(where_b or {})}, col_b))
                made += 1
        return made

    def run(self) -> dict[str, SuppressedTable]:
        """Every registered table, suppressed jointly (one SuppressedTable per name)."""
        values: dict[tuple[str, int, str], int] = {}
        lines: list[Line] = []
        margins: set[tuple[str, int, str]] = set()
        keep = {(name, pos, col) for name, e in self.entries.items() for pos, col in e.keep}
        for name, e in self.entries.items():
            local = {(pos, col): _as_count(e.table[col].iloc[pos], f"{name}, row {pos}, column `{col}`")
                     for col in e.columns for pos in range(len(e.table))}
            table_lines = build_lines(e.table, e.columns, e.totals, e.total_rows, e.within, name)
            _check_lines(table_lines, local, e.table, name)
            values.update({(name, pos, col): v for (pos, col), v in local.items()})
            lines += [Line(tuple(((name, *cell), coef) for cell, coef in line.coefficients)) for line in table_lines]
            total_positions = set(_total_row_positions(e.table, e.total_rows, e.within, name))
            margins |= {(name, pos, col) for (pos, col) in local if col in e.totals or pos in total_positions}
        for a, b in self.links:
            if values[a] != values[b]:
                raise SuppressionError(f"joint suppression: {a[0]} row {a[1]} `{a[2]}` ({values[a]}) and {b[0]} row "
                                       f"{b[1]} `{b[2]}` ({values[b]}) were linked as the same count but differ")
            lines.append(Line(((a, 1), (b, -1))))
        names = ", ".join(self.entries)
        if not self.suppress:
            return {name: suppress_counts(e.table, e.columns, threshold=self.threshold, totals=e.totals or None,
                                          total_rows=e.total_rows, within=e.within, percentages=e.percentages,
                                          suppress=False, name=name) for name, e in self.entries.items()}
        primary, secondary = suppression_pattern(values, lines, self.threshold, margins, keep=keep)
        out = {}
        for name, e in self.entries.items():
            mine_p = {(pos, col) for (n, pos, col) in primary if n == name}
            mine_s = {(pos, col) for (n, pos, col) in secondary if n == name}
            table = _apply(e.table.copy(), e.columns, mine_p, mine_s, self.threshold, e.percentages)
            table.disclosure["jointly_with"] = [n for n in self.entries if n != name]
            if len(self.entries) > 1:
                table.disclosure["note"] += (f" Suppressed together with the other tables of this report ({names}), "
                                             "so a hidden count cannot be worked out from another table.")
            table.attrs["disclosure_control"] = table.disclosure
            out[name] = table
        return out
