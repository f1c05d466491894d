"""What a figure shows, in words and as a table: the text alternative of a chart (WCAG 2.1 success criterion 1.1.1).

A plotting function that knows what its data say records it on the Axes it returns with :func:`attach`: a
``finding`` (one or two plain sentences with the numbers, e.g. "Outcome data were recorded for 62% to 100% of
young people ...") and the ``data`` it drew (the published, suppressed table). :func:`cm_research.report.figures.
show_figure` then writes the finding as the image's alt text and puts the data in a "Data for this figure" table
beside it. Suppressed values are never said as a number: "not shown, to protect counts of fewer than 6"
(a ``c`` is a count of 1 to 5, or a larger one withheld so that such a count cannot be worked out).
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cm_research.privacy.suppression import DEFAULT_THRESHOLD

SUPPRESSED = "c"
#: how a suppressed count is said in words: a count from 1 to the threshold is "fewer than threshold + 1"
FEWER_THAN = f"fewer than {DEFAULT_THRESHOLD + 1}"
#: why a cell is withheld, true of both kinds: a small count, or a larger one withheld so that a small count in
#: the same row or column cannot be worked out from a total (secondary suppression)
PROTECTED = f"to protect counts of {FEWER_THAN}"
#: a withheld cell in a "Data for this figure" table
NOT_SHOWN = "not shown"


def is_suppressed(value) -> bool:
    """True for the published table's suppression mark ``c``."""
    return isinstance(value, str) and value.strip() == SUPPRESSED


def say(value, fmt: str = "{:.0f}") -> str:
    """``value`` in words for alt text: ``fmt`` of the number, or "not shown" for a suppressed ``c`` (a count of
    fewer than 6, or one withheld to protect it: never said as a number)."""
    return NOT_SHOWN if is_suppressed(value) else fmt.format(float(value))


def attach(ax: Axes, finding: str = "", data: pd.DataFrame | None = None) -> Axes:
    """Record on ``ax`` the ``finding`` (sentences for the alt text) and the ``data`` drawn (for the data table)."""
    if finding:
        ax.cm_finding = finding
    if data is not None:
        ax.cm_data = data.reset_index(drop=True)
    return ax


def findings(fig: Figure) -> str:
    """The findings recorded on the figure's panels, in order ("" when none was recorded)."""
    return " ".join(getattr(ax, "cm_finding", "") for ax in fig.axes if getattr(ax, "cm_finding", "")).strip()


def figure_data(fig: Figure) -> pd.DataFrame | None:
    """The data recorded on the figure's panels (one table, panels stacked), or None when none was recorded;
    suppressed cells (``c``) read "not shown"."""
    tables = [ax.cm_data for ax in fig.axes if getattr(ax, "cm_data", None) is not None]
    if not tables:
        return None
    table = pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0]
    return table.map(lambda v: NOT_SHOWN if is_suppressed(v) else v)
