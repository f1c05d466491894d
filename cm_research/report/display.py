"""Display helpers for notebooks: tables without the index, captions, a synthetic-data banner.

These are where the package turns data into HTML or Markdown, so text is escaped here: a cell, column heading,
caption or site name holding ``<script>`` or ``<img onerror=...>`` shows as those characters and never runs
(see ``cm_research.report.sanitise`` for the second layer, applied to whole reports).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Markdown, display


#: ``table.attrs[ROW_HEADER]`` names the column that says what each row is (e.g. ``case`` in a framework matrix)
ROW_HEADER = "row_header"
_FIRST_CELL = re.compile(r"(<tr>\s*)<td\b([^>]*)>(.*?)</td>", re.DOTALL)
_BODY_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.DOTALL | re.IGNORECASE)
_CELL = re.compile(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", re.DOTALL | re.IGNORECASE)


def row_headers(page: str) -> str:
    """``page`` (one table's HTML) with the first cell of each body row made its row header, ``<th scope="row">``
    (WCAG 1.3.1: a screen reader then says the case, e.g. "mentee 2", with every cell of a wide matrix). A blank
    first cell (a published table that withholds the case) stays a data cell: an empty header names nothing."""
    def header(m: re.Match) -> str:
        if not m.group(3).strip():
            return m.group(0)
        return f'{m.group(1)}<th scope="row"{m.group(2)}>{m.group(3)}</th>'

    head, tbody, rest = page.partition("<tbody>")
    return head + tbody + _FIRST_CELL.sub(header, rest)


def first_column_labels_rows(page: str) -> bool:
    """Whether the first column of ``page`` (one table's HTML, its rows in a ``<tbody>``) labels the rows, judged
    on the cells' text as shown by :func:`cm_research.report.tables.labels_rows`, the Word copy's rule."""
    from cm_research.report.tables import labels_rows

    _, tbody, rest = page.partition("<tbody>")
    if not tbody:
        return False
    rows = [_CELL.findall(m.group(1)) for m in _BODY_ROW.finditer(rest.partition("</tbody>")[0])]
    rows = [r for r in rows if r]
    first = [html.unescape(re.sub(r"<[^>]+>", "", r[0])) for r in rows]
    return bool(rows) and labels_rows(first, max(len(r) for r in rows))


def labelled_row_headers(page: str) -> str:
    """``page`` (one table's HTML) with its first column as row headers (:func:`row_headers`) when that column
    labels the rows (:func:`first_column_labels_rows`); otherwise unchanged."""
    return row_headers(page) if first_column_labels_rows(page) else page


def show_table(table: pd.DataFrame, caption: str = "", decimals: int = 1) -> None:
    """Show a tidy table in the notebook without its index, numbers rounded for reading, headings in words,
    counts whole and a note common to every row once beneath it (:func:`cm_research.report.tables.readable_table`).
    A table whose ``attrs["row_header"]`` names a column shows that column first, as row headers
    (:func:`row_headers`); otherwise the first column heads the rows when it labels them (not numbers, withheld
    counts or blanks: :func:`labelled_row_headers`, the Word copy's rule)."""
    from cm_research.report.tables import readable_table

    key = table.attrs.get(ROW_HEADER)
    key = key if key in table.columns else None
    if key is not None:
        table = table[[key, *[c for c in table.columns if c != key]]]
    table, notes = readable_table(table)
    styler = (table.style.hide(axis="index").format(precision=decimals, na_rep="", escape="html")
              .format_index(escape="html", axis="columns"))
    text_columns = [c for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])]
    if text_columns:
        styler = styler.set_properties(subset=text_columns, **{"text-align": "left"})
    if caption:
        styler = styler.set_caption(html.escape(caption, quote=False))
    page = styler.to_html()
    display(HTML(row_headers(page) if key is not None else labelled_row_headers(page)))
    if notes:
        show_markdown("\n\n".join(f"*Note:* {note}" for note in notes))


def show_markdown(text: str) -> None:
    """Show Markdown; anything in ``text`` that could start an HTML tag is escaped (``<`` becomes ``&lt;``), so
    values from data files show as typed. Use ``IPython.display.HTML`` for deliberate HTML."""
    from cm_research.report.sanitise import escape_markup

    display(Markdown(escape_markup(text)))


def synthetic_banner(data_dir: str | Path) -> str:
    """A Markdown warning when ``data_dir`` (or a parent) holds the SYNTHETIC.txt marker; else ''."""
    folder = Path(data_dir).resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / "SYNTHETIC.txt").exists():
            return ("> **Synthetic data.** Every young person and number in this report was invented by "
                    "`cm_research.datasets` to demonstrate the analysis. None of it is evidence about any programme.")
    return ""
