"""What a figure draws, read back from its artists: a published figure may not draw a count from 1 to the threshold.

A chart is a release of the numbers it draws (ONS, *Disclosure Control Policy for Tables*): a bar of length 3 on an
axis of young people is the count 3, whatever the table beside it shows. The tables of a run for publication are
suppressed before they are drawn (:mod:`cm_research.plots.published`), so this is the check that the drawing kept
to them: :func:`figure_findings` reads every bar (``ax.patches``) of every panel whose value axis counts people
(its label names young people, participants, interviewees, matches ...) and reports each whole-number length from
1 to the threshold as a ``figure_small_count`` finding, in the columns of the whole-run audit
(:mod:`cm_research.privacy.audit`). :func:`require_safe_figure` raises for any, and the report code calls it on
every figure it publishes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from cm_research.privacy.contract import DisclosureContractError
from cm_research.privacy.suppression import DEFAULT_THRESHOLD

#: an axis label that says its numbers are people (not percentages, hours, codes or sentences)
PEOPLE_AXIS = re.compile(r"\b(young people|children|pupils|participants|interviewees|respondents|matches|people|"
                         r"mentees|mentors|carers)\b", re.I)
#: ... unless it says they are shares or amounts of something else
NOT_A_COUNT = re.compile(r"%|\bshare\b|\bproportion\b|\bpercent|\bhours\b|\bmean\b|\bcodes\b|\bsentences\b", re.I)


def _counts_people(label: str) -> bool:
    return bool(PEOPLE_AXIS.search(label)) and not NOT_A_COUNT.search(label)


def figure_findings(fig: Figure, name: str = "figure", threshold: int = DEFAULT_THRESHOLD
                    ) -> Iterator[tuple[str, str, str, str]]:
    """``figure_small_count`` findings (file, location, kind, text): bars of a whole-number length from 1 to
    ``threshold`` on a panel whose value axis counts people. A bar's length is its height, or its width for a
    horizontal bar (the y axis holds the categories)."""
    for number, ax in enumerate(fig.axes, start=1):
        horizontal = _counts_people(ax.get_xlabel()) and not _counts_people(ax.get_ylabel())
        label = ax.get_xlabel() if horizontal else ax.get_ylabel()
        if not _counts_people(label):
            continue
        for bar in (p for p in ax.patches if isinstance(p, Rectangle)):
            length = abs(bar.get_width() if horizontal else bar.get_height())
            if length != length:  # NaN: nothing drawn
                continue
            if abs(length - round(length)) < 1e-9 and 1 <= round(length) <= threshold:
                where = f"panel {number}" + (f" ({ax.get_title()})" if ax.get_title() else "")
                yield (name, where, "figure_small_count",
                       f"a bar of {round(length)} on the axis '{label}' (a count from 1 to {threshold} drawn)")


def require_safe_figure(fig: Figure, name: str = "figure", threshold: int = DEFAULT_THRESHOLD) -> None:
    """Raise :class:`~cm_research.privacy.contract.DisclosureContractError` if ``fig`` draws a count of people
    from 1 to ``threshold`` (:func:`figure_findings`)."""
    found = list(figure_findings(fig, name, threshold))
    if found:
        raise DisclosureContractError(
            f"{name}: a figure for publication draws what its table hides: {found[0][1]}, {found[0][3]}. Draw it "
            "from the suppressed table (cm_research.plots.published): a suppressed bar is not drawn.")
