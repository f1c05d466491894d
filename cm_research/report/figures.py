"""Figures in notebooks with a text alternative: ``show_figure(fig, alt)`` instead of ``plt.show()``.

A figure shown by ``plt.show()`` or ``display(fig)`` reaches the HTML report as an image without alt text (nbconvert
then writes "No description has been provided for this image", which fails WCAG 2.1 success criterion 1.1.1).
``show_figure`` embeds the figure as a ``<figure>`` with alt text and an optional caption. When no alt text is
given, :func:`describe_figure` writes one: the finding the plotting function recorded from its data
(:mod:`cm_research.plots.findings`), or else what the figure itself draws (the kind of chart, its title, its axes
and the categories on them), so that the description can never belong to another plot. Every figure is followed
by its numbers, as a "Data for this figure" table in a ``<details>`` element (WCAG 2.1 1.1.1: a complex image
needs a long text alternative), or a link to its CSV when ``data_href`` is given.
"""

from __future__ import annotations

import html

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.collections import PathCollection, PolyCollection, QuadMesh
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle

from cm_research.plots.findings import NOT_SHOWN, PROTECTED, figure_data, findings, lead_with_finding
from cm_research.report.html import plain_alt_text
from cm_research.report.render import figure_html

MAX_CATEGORIES = 12


def _kind(ax: plt.Axes) -> str:
    if any(isinstance(c, QuadMesh) for c in ax.collections) or any(isinstance(i, AxesImage) for i in ax.images):
        return "heat map"
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() > 0 and p.get_height() > 0]
    if bars:
        return "bar chart"
    if any(isinstance(c, PathCollection) and len(c.get_offsets()) > 0 for c in ax.collections):
        return "scatter plot" if not ax.lines else "dot plot with lines"
    if any(isinstance(c, PolyCollection) for c in ax.collections) and ax.lines:
        return "line chart with shaded bands"
    if ax.lines:
        return "line chart"
    return "chart"


def _labels(ticks) -> list[str]:
    return [" ".join(t.get_text().split()) for t in ticks if t.get_text().strip()]


def _is_numeric(labels: list[str]) -> bool:
    def number(text: str) -> bool:
        try:
            float(text.replace("−", "-").replace("%", "").replace(",", ""))
            return True
        except ValueError:
            return False

    return all(number(t) for t in labels)


def describe_axes(ax: plt.Axes) -> str:
    """One sentence about one panel: '<kind> titled "<title>"; horizontal axis <label> (<categories>); ...'."""
    parts = [_kind(ax).capitalize()]
    if ax.get_title():
        parts[0] += f' titled "{ax.get_title()}"'
    for name, label, ticks in (("horizontal", ax.get_xlabel(), ax.get_xticklabels()),
                               ("vertical", ax.get_ylabel(), ax.get_yticklabels())):
        categories = _labels(ticks)
        text = label
        if categories and not _is_numeric(categories):
            shown = categories[:MAX_CATEGORIES]
            more = f" and {len(categories) - len(shown)} more" if len(categories) > len(shown) else ""
            text = (f"{label}: " if label else "") + ", ".join(shown) + more
        if text:
            parts.append(f"{name} axis {text}")
    legend = ax.get_legend()
    if legend is not None:
        entries = [t.get_text() for t in legend.get_texts() if t.get_text().strip()]
        if entries:
            title = legend.get_title().get_text()
            parts.append(f"legend{' ' + title if title else ''}: {', '.join(entries)}")
    return "; ".join(parts) + "."


def describe_figure(fig: plt.Figure) -> str:
    """Alt text: the finding recorded by the plotting function (:func:`cm_research.plots.findings.attach`) after
    the kind of chart and its title, e.g. 'Heat map titled "Outcome data recorded (%)": Outcome data were
    recorded for between 62% and 100% ...'; else written from the figure's own content (panels with something
    drawn; colour bars left out)."""
    panels = [ax for ax in fig.axes if ax.has_data() and ax.get_label() != "<colorbar>"]
    heading = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) is not None else ""
    finding = findings(fig)
    if finding:
        first = panels[0] if panels else (fig.axes[0] if fig.axes else None)
        title = heading or (first.get_title() if first is not None else "")
        if not title and not panels:  # nothing drawn (e.g. every bar suppressed): the finding says why
            return finding
        kind = getattr(first, "cm_kind", "") or (_kind(first) if first is not None and first.has_data() else "figure")
        kind = kind[:1].upper() + kind[1:]  # "Kaplan-Meier curves" keeps its capitals
        if len(panels) > 1:
            kind = f"{len(panels)}-panel {kind.lower()}"
        return f'{kind}{f" titled {chr(34)}{title}{chr(34)}" if title else ""}: {finding}'
    sentences = [describe_axes(ax) for ax in panels]
    if len(panels) > 1:
        sentences.insert(0, f"{len(panels)} panels.")
    if heading:
        sentences.insert(0, f"{heading}.")
    if not sentences:  # nothing drawn: say what the figure says instead (e.g. why every bar is suppressed)
        words = [a.get_title() for a in fig.axes] + [x.get_text() for a in fig.axes for x in a.texts]
        words = [w.strip() for w in words if w.strip()]
        if words:
            sentences = [f"A figure with nothing drawn, which reads: {'; '.join(words)}."]
    return " ".join(sentences) or "An empty figure."


def drawn_data(fig: plt.Figure) -> pd.DataFrame:
    """The numbers a figure draws, read from its artists, for a figure whose plotting function recorded no data:
    one row per bar (its category and length) and per point of a labelled line (x, y), by panel."""
    rows = []
    for ax in [a for a in fig.axes if a.has_data() and a.get_label() != "<colorbar>"]:
        panel = ax.get_title()
        for bar in [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() > 0 and p.get_height() > 0]:
            horizontal = bar.get_height() < bar.get_width() and ax.get_yticklabels()
            centre = bar.get_y() + bar.get_height() / 2 if horizontal else bar.get_x() + bar.get_width() / 2
            ticks, labels = ((ax.get_yticks(), ax.get_yticklabels()) if horizontal
                             else (ax.get_xticks(), ax.get_xticklabels()))
            near = [t.get_text() for v, t in zip(ticks, labels) if abs(v - centre) < 0.5]
            label = bar.get_label() if not bar.get_label().startswith("_") else ""
            rows.append({"panel": panel, "series": label, "category": near[0] if near else f"{centre:g}",
                         "value": round(float(bar.get_width() if horizontal else bar.get_height()), 2)})
        # labelled lines in data coordinates (an axvline marking a point spans the axes, and holds no data)
        for line in [l for l in ax.lines if not l.get_label().startswith("_") and l.get_transform() == ax.transData]:
            for x, y in zip(line.get_xdata(), line.get_ydata()):
                rows.append({"panel": panel, "series": line.get_label(), "category": f"{x:g}" if isinstance(
                    x, (int, float)) else str(x), "value": round(float(y), 2)})
    return pd.DataFrame(rows, columns=["panel", "series", "category", "value"])


def data_details(fig: plt.Figure, alt: str) -> str:
    """A ``<details>`` element "Data for this figure" holding the figure's numbers as a table (the data its
    plotting function recorded, else :func:`drawn_data`); "" when the figure draws no numbers."""
    table = figure_data(fig)
    if table is None:
        table = drawn_data(fig)
        table = table[[c for c in table.columns if (table[c].astype(str) != "").any()]]  # e.g. no panel titles
    if table.empty:
        return ""
    withheld = (table.astype(str) == NOT_SHOWN).any().any()
    note = f" (not shown: withheld {PROTECTED})" if withheld else ""
    name = alt.split(":")[0] if len(alt.split(":")[0]) <= 120 else alt[:117] + "..."
    from cm_research.report.display import labelled_row_headers

    body = labelled_row_headers(table.to_html(index=False, na_rep="", border=0, escape=True))  # WCAG 1.3.1
    body = body.replace('<table class="dataframe">', f'<table class="dataframe"><caption>Data for this figure: '
                        f'{html.escape(name + note)}</caption>', 1)
    return f'<details class="cm-figure-data"><summary>Data for this figure</summary>{body}</details>'


def show_figure(fig: plt.Figure, alt: str | None = None, caption: str = "", data_href: str | None = None) -> None:
    """Show ``fig`` in the notebook as an embedded image with alt text (``alt``, or :func:`describe_figure`) and
    ``caption`` (with a link to ``data_href``, the CSV of the numbers behind it; without one, the figure is
    followed by its numbers in a "Data for this figure" table, :func:`data_details`), then close it so it is not
    shown a second time without one."""
    from IPython.display import HTML, display

    alt = alt or describe_figure(fig)
    page = figure_html(fig, alt, caption, data_href=data_href)
    if not data_href:
        page = page.replace("</figure>", data_details(fig, alt) + "</figure>")
    display(HTML(page))
    plt.close(fig)


def outcome_figure_alts(analysis) -> dict[str, tuple[str, str]]:
    """(alt, caption) for each figure of an :class:`~cm_research.report.outcomes.OutcomeAnalysis`, written from
    the numbers it shows (the same texts the site report uses)."""
    from cm_research.report.site_report import _alt_texts

    out = {}
    for name, (alt, caption) in _alt_texts(analysis).items():
        alt = lead_with_finding(alt, analysis.figures.get(name))  # the finding first, then every number drawn
        out[name] = (plain_alt_text(alt), caption)
    return out
