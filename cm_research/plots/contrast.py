"""Contrast of a figure's marks and words against what they are drawn on (WCAG 2.1 success criteria 1.4.3 and
1.4.11): text needs 4.5:1, the bars, lines and points a reader must see to understand a chart need 3:1.

Notes
-----
Relative luminance of an sRGB colour: each channel c in [0, 1] becomes c / 12.92 when c <= 0.04045, else
((c + 0.055) / 1.055) ** 2.4; L = 0.2126 R + 0.7152 G + 0.0722 B. The contrast ratio of two colours is
(L_lighter + 0.05) / (L_darker + 0.05), from 1:1 to 21:1.

A filled mark (a bar, a point) passes when its fill *or* its outline reaches 3:1 against the panel's background:
a pale bar with a dark outline is seen. Shaded confidence bands and heat-map cells (whose numbers are printed on
them) are not checked here.

References
----------
W3C (2018). Web Content Accessibility Guidelines 2.1, definitions of "relative luminance" and "contrast ratio";
Understanding success criterion 1.4.11, Non-text contrast.
"""

from __future__ import annotations

import colorsys

import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
from matplotlib.collections import PathCollection
from matplotlib.patches import Rectangle

TEXT_MINIMUM = 4.5  # 1.4.3, text smaller than 18 pt (14 pt bold)
LARGE_TEXT_MINIMUM = 3.0
GRAPHIC_MINIMUM = 3.0  # 1.4.11


def relative_luminance(colour) -> float:
    """WCAG relative luminance of any matplotlib colour (name, hex, grey level string, RGB(A) tuple)."""
    r, g, b = mcolors.to_rgb(colour)

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast_ratio(a, b) -> float:
    """WCAG contrast ratio of two colours, (L1 + 0.05) / (L2 + 0.05) with L1 the lighter (1.0 to 21.0)."""
    la, lb = relative_luminance(a), relative_luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def darkened(colour, background="white", minimum: float = GRAPHIC_MINIMUM) -> tuple[float, float, float]:
    """``colour`` with its lightness lowered (hue and saturation kept) until it reaches ``minimum`` contrast
    against ``background``; unchanged when it already does. For the Okabe-Ito orange on white (2.0:1), a
    darker orange that still reads as the same series."""
    r, g, b = mcolors.to_rgb(colour)
    h, lightness, s = colorsys.rgb_to_hls(r, g, b)
    while contrast_ratio((r, g, b), background) < minimum and lightness > 0:
        lightness = max(0.0, lightness - 0.01)
        r, g, b = colorsys.hls_to_rgb(h, lightness, s)
    return (r, g, b)


def _visible(artist) -> bool:
    return artist.get_visible() and (artist.get_alpha() is None or artist.get_alpha() > 0)


def _is_large(text) -> bool:
    size = text.get_fontsize()
    return size >= 18 or (size >= 14 and str(text.get_fontweight()) in ("bold", "heavy", "700", "800", "900"))


def _background(ax: plt.Axes):
    face = mcolors.to_rgba(ax.get_facecolor())
    return face[:3] if face[3] > 0 else mcolors.to_rgb(ax.figure.get_facecolor())


def figure_contrast_problems(fig: plt.Figure) -> list[str]:
    """What in ``fig`` falls short of WCAG contrast against its panel's background, one line each
    (empty when nothing does): text (titles, axis labels, tick labels, annotations, legend entries) below 4.5:1
    (3:1 when large), and bars, lines and points whose colour and outline are both below 3:1."""
    problems: list[str] = []
    for ax in fig.axes:
        background = _background(ax)
        texts = [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label, *ax.texts,
                 *ax.get_xticklabels(), *ax.get_yticklabels()]
        legend = ax.get_legend()
        if legend is not None:
            texts += [*legend.get_texts(), legend.get_title()]
        for text in texts:
            if not text.get_text().strip() or not _visible(text):
                continue
            need = LARGE_TEXT_MINIMUM if _is_large(text) else TEXT_MINIMUM
            ratio = contrast_ratio(text.get_color(), background)
            if ratio < need:
                problems.append(f"text {text.get_text()!r}: {ratio:.2f}:1, needs {need}:1")
        for patch in ax.patches:
            if not isinstance(patch, Rectangle) or not _visible(patch) or patch.get_width() == 0 \
                    or patch.get_height() == 0 or mcolors.to_rgba(patch.get_facecolor())[3] == 0:
                continue
            face = contrast_ratio(patch.get_facecolor()[:3], background)
            edge = (contrast_ratio(patch.get_edgecolor()[:3], background)
                    if patch.get_linewidth() > 0 and patch.get_edgecolor()[3] > 0 else 0.0)
            if max(face, edge) < GRAPHIC_MINIMUM:
                problems.append(f"bar {patch.get_label() or patch.get_gid() or ''}: fill {face:.2f}:1 and outline "
                                f"{edge:.2f}:1, one needs {GRAPHIC_MINIMUM}:1")
        for line in ax.lines:
            if not _visible(line) or len(line.get_xdata()) == 0:
                continue
            drawn = line.get_linestyle() not in ("None", "none", "", " ") and line.get_linewidth() > 0
            colour = line.get_color() if drawn else line.get_markeredgecolor()
            ratio = contrast_ratio(colour, background)
            if (drawn or line.get_marker() not in (None, "None", "none", "")) and ratio < GRAPHIC_MINIMUM:
                problems.append(f"line {line.get_label()!r}: {ratio:.2f}:1, needs {GRAPHIC_MINIMUM}:1")
        for points in ax.collections:
            if not isinstance(points, PathCollection) or not _visible(points) or len(points.get_offsets()) == 0:
                continue
            faces, edges, widths = points.get_facecolors(), points.get_edgecolors(), points.get_linewidths()
            for k, face in enumerate(faces):
                edge = edges[k % len(edges)] if len(edges) else (0, 0, 0, 0)
                width = widths[k % len(widths)] if len(widths) else 0
                best = max(contrast_ratio(face[:3], background),
                           contrast_ratio(edge[:3], background) if width > 0 and edge[3] > 0 else 0.0)
                if best < GRAPHIC_MINIMUM:
                    problems.append(f"points {points.get_label()!r}: {best:.2f}:1, needs {GRAPHIC_MINIMUM}:1")
                    break
    return problems
