"""HTML and figure helpers the reports share: an embedded, captioned figure with alt text, the report's CSS, and
the colour-blind-safe palette.

Figures are embedded as base64 PNG ``<img>`` elements with alt text and a caption (:func:`figure_html`), so an
exported HTML report is one self-contained file that passes the accessibility checks (WCAG 2.1 AA).
"""

from __future__ import annotations

import base64
import html
import io

import matplotlib.pyplot as plt
import seaborn as sns

from cm_research.plots.bars import PALETTE

__all__ = ["PALETTE", "REPORT_CSS", "figure_html", "report_style", "use_colour_blind_palette"]


def use_colour_blind_palette() -> list[tuple[float, float, float]]:
    """Make seaborn's colour-blind-safe palette the default for every later figure; returns its colours."""
    sns.set_palette(PALETTE)
    return sns.color_palette(PALETTE)


def figure_html(fig: plt.Figure, alt: str, caption: str = "", dpi: int = 110, data_href: str | None = None) -> str:
    """A ``<figure>`` holding ``fig`` as an embedded PNG with ``alt`` text and a ``<figcaption>``.

    Embedding (data URI) keeps the report one file that can be emailed; ``max-width:100%`` fits the page.
    ``data_href``: the CSV of the numbers behind the figure (written beside the report), linked in the caption;
    it serves screen-reader users too.
    """
    if not alt.strip():
        raise ValueError("figure_html: alt text is required (it is what a screen reader says instead of the figure)")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    link = (f' <a href="{html.escape(data_href, quote=True)}">The numbers behind this figure (CSV)</a>'
            if data_href else "")
    cap = f"<figcaption>{html.escape(caption)}{link}</figcaption>" if caption or link else ""
    return (f'<figure class="cm-figure"><img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}" '
            f'style="max-width:100%;height:auto">{cap}</figure>')


REPORT_CSS = """<style>
.jp-OutputArea-output table, .output_html table {max-width:100%; display:block; overflow-x:auto; font-size:0.9em}
.jp-OutputArea-output td, .jp-OutputArea-output th {white-space:normal; max-width:28rem}
figure.cm-figure {margin:1rem 0} figure.cm-figure figcaption {font-size:0.9em; color:#444; margin-top:0.3rem}
.cm-limits {border-left:4px solid #0072B2; padding:0.2rem 0.8rem; background:#f3f8fc}
</style>"""


def report_style() -> str:
    """CSS for the exported page: tables scroll inside the page instead of overflowing, captions read small."""
    return REPORT_CSS
