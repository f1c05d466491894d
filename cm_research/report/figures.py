"""Figures in notebooks with a text alternative: ``show_figure(fig, alt)`` instead of ``plt.show()``.

A figure shown by ``plt.show()`` or ``display(fig)`` reaches the HTML report as an image without alt text (nbconvert
then writes "No description has been provided for this image", which fails WCAG 2.1 success criterion 1.1.1).
``show_figure`` embeds the figure as a ``<figure>`` with alt text and an optional caption. When no alt text is
given, :func:`describe_figure` writes one from what the figure itself draws: the kind of chart, its title, its
axes and the categories on them, so that the description can never belong to another plot.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.collections import PathCollection, PolyCollection, QuadMesh
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle

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
    """Alt text written from the figure's own content (panels with something drawn; colour bars left out)."""
    panels = [ax for ax in fig.axes if ax.has_data() and ax.get_label() != "<colorbar>"]
    heading = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) is not None else ""
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


def show_figure(fig: plt.Figure, alt: str | None = None, caption: str = "", data_href: str | None = None) -> None:
    """Show ``fig`` in the notebook as an embedded image with alt text (``alt``, or :func:`describe_figure`) and
    ``caption`` (with a link to ``data_href``, the CSV of the numbers behind it), then close it so it is not shown
    a second time without one."""
    from IPython.display import HTML, display

    display(HTML(figure_html(fig, alt or describe_figure(fig), caption, data_href=data_href)))
    plt.close(fig)


def outcome_figure_alts(analysis) -> dict[str, tuple[str, str]]:
    """(alt, caption) for each figure of an :class:`~cm_research.report.outcomes.OutcomeAnalysis`, written from
    the numbers it shows (the same texts the site report uses)."""
    from cm_research.report.site_report import _alt_texts

    return _alt_texts(analysis)
