"""Display helpers for notebooks: tables without the index, captions, a synthetic-data banner.

These are where the package turns data into HTML or Markdown, so text is escaped here: a cell, column heading,
caption or site name holding ``<script>`` or ``<img onerror=...>`` shows as those characters and never runs
(see ``cm_research.report.sanitise`` for the second layer, applied to whole reports).
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Markdown, display


def show_table(table: pd.DataFrame, caption: str = "", decimals: int = 1) -> None:
    """Show a tidy table in the notebook without its index, numbers rounded for reading, headings in words,
    counts whole and a note common to every row once beneath it (:func:`cm_research.report.tables.readable_table`)."""
    from cm_research.report.tables import readable_table

    table, notes = readable_table(table)
    styler = (table.style.hide(axis="index").format(precision=decimals, na_rep="", escape="html")
              .format_index(escape="html", axis="columns"))
    text_columns = [c for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])]
    if text_columns:
        styler = styler.set_properties(subset=text_columns, **{"text-align": "left"})
    if caption:
        styler = styler.set_caption(html.escape(caption, quote=False))
    display(HTML(styler.to_html()))
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
