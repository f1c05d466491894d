"""Render executed notebooks as HTML with the code hidden, and write a run's index page."""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat


#: Printing on A4 (issue 18: a 23-page print lost 6 of 11 columns of a wide table, and printed a scrollbar).
#: On screen a wide table scrolls inside the page; on paper nothing can scroll, so every table is laid out at the
#: page's width with small type and cells that wrap between words, headings repeat on each page, rows, figures and
#: headings are not split, and no scrollbar is drawn.
#: A table too wide for portrait A4 (:func:`mark_wide_tables`: the framework matrix, the 17-column overview) is
#: printed on landscape A4 pages of its own (a CSS named page, ``wide``). Words are kept whole (WCAG 1.3.2):
#: ``overflow-wrap: anywhere`` lets a column of sentences take the room and squeeze the narrow columns below their
#: longest word, which split names and numbers ("attend / ance_pct", "North / shire", "0.8 / 74") in 8 demo tables;
#: ``break-word`` breaks a word only when it alone is wider than the page (then ``mark_wide_tables`` has already sent
#: the table landscape), and a word too long even for a landscape page in 6 pt type (a fingerprint) is broken
#: anywhere, the last resort, so that no column is lost (``cm-print-break-words``).
PRINT_CSS = """<style media="print">
@page { size: A4; margin: 14mm 12mm; }
@page wide { size: A4 landscape; margin: 14mm 12mm; }
html, body { background: #fff !important; }
* { overflow: visible !important; }
::-webkit-scrollbar { display: none !important; }
.jp-Cell, .jp-Cell-outputWrapper, .jp-OutputArea, .jp-OutputArea-child, .jp-OutputArea-output, .jp-RenderedHTMLCommon,
.jp-RenderedHTML, main, body { max-width: 100% !important; width: auto !important; min-width: 0 !important;
  margin-left: 0 !important; margin-right: 0 !important; padding-left: 0 !important; padding-right: 0 !important; }
.jp-OutputPrompt, .jp-InputPrompt { display: none !important; }
table, .jp-OutputArea-output table, .output_html table, .jp-RenderedHTMLCommon table {
  display: table !important; table-layout: auto !important; width: 100% !important; max-width: 100% !important;
  font-size: 7.5pt !important; border-collapse: collapse !important; margin: 0.4em 0 !important; }
th, td, .jp-RenderedHTMLCommon th, .jp-RenderedHTMLCommon td, .jp-OutputArea-output th, .jp-OutputArea-output td {
  white-space: normal !important; overflow-wrap: break-word !important; word-break: normal !important;
  hyphens: manual !important; max-width: none !important; min-width: 0 !important; padding: 2px 3px !important;
  text-align: left; }
/* a wide table: on landscape pages, words wrap only at spaces; still wider than landscape, in smaller type; a
   word wider than even that (a fingerprint), broken anywhere rather than a column lost */
div.cm-print-wide { page: wide; }
div.cm-print-wide th, div.cm-print-wide td { overflow-wrap: normal !important; word-break: normal !important; }
div.cm-print-smaller table { font-size: 6pt !important; }
div.cm-print-break-words th, div.cm-print-break-words td { overflow-wrap: anywhere !important; }
thead { display: table-header-group; }
tr, img, figure, .cm-limits { break-inside: avoid; page-break-inside: avoid; }
h1, h2, h3, h4, h5, h6, caption { break-after: avoid; page-break-after: avoid; }
p, li { orphans: 2; widows: 2; }
img { max-width: 100% !important; height: auto !important; }
body { font-size: 10pt; }
.cm-skip-link, a.anchor-link { display: none !important; }
footer { overflow-wrap: anywhere; }
</style>"""

#: Keyboard and narrow screens (WCAG 2.4.1, 2.4.7, 1.4.10): a skip link to the report's main content, shown when it
#: has focus; a focus ring that is seen on every control and on each table (a wide table scrolls with the arrow
#: keys once it has focus), drawn at 3:1 or more against the page (#0b57d0 on white: 6.6:1); a footer whose long
#: fingerprints wrap instead of making a 320-pixel-wide page scroll sideways; and each table its own scrolling
#: region (JupyterLab's narrow-screen layout turns an output into a table row, which cannot scroll, inside a box
#: that hides what overflows: at 320 pixels the right-hand columns of a wide table were cut off and unreachable).
ACCESS_CSS = """<style>
.cm-skip-link { position: absolute; left: -10000px; top: auto; width: 1px; height: 1px; overflow: hidden; }
.cm-skip-link:focus { position: static; width: auto; height: auto; display: inline-block; margin: 0.4rem;
  padding: 0.4rem 0.8rem; background: #fff; color: #0b57d0; text-decoration: underline; }
:focus-visible, table[tabindex]:focus { outline: 3px solid #0b57d0 !important; outline-offset: 2px; }
table[tabindex]:focus { outline-offset: -3px; }  /* inside the table's box: the output area clips what is outside */
main:focus { outline: none !important; }
footer { overflow-wrap: anywhere; }
@media screen {
  .jp-RenderedHTMLCommon table { display: block; max-width: 100%; overflow-x: auto; }
  .jp-RenderedHTMLCommon p, .jp-RenderedHTMLCommon li, .jp-RenderedHTMLCommon code { overflow-wrap: anywhere; }
}
</style>"""

SKIP_LINK = '<a class="cm-skip-link" href="#main-content">Skip to the report</a>'

#: Links inside sentences and captions are underlined, not told apart by colour alone (WCAG 1.4.1; axe's
#: link-in-text-block): the exporter's theme removes the underline.
LINK_CSS = """<style>
.jp-RenderedHTMLCommon a, .jp-RenderedHTMLCommon a:link, .jp-RenderedHTMLCommon a:visited, figcaption a {
  text-decoration: underline !important; }
</style>"""

_REMOTE_SCRIPT = re.compile(r'<script[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>\s*', re.IGNORECASE)


def notebook_to_html(notebook_path: str | Path, html_path: str | Path | None = None, footer: str | None = None) -> Path:
    """Render an executed notebook to HTML with code cells and prompts hidden (outputs and prose only);
    ``footer`` (HTML) is placed at the end of the page, e.g. a provenance note."""
    from nbconvert import HTMLExporter

    notebook_path = Path(notebook_path)
    html_path = Path(html_path) if html_path else notebook_path.with_suffix(".html")
    from cm_research.report.sanitise import sanitise_notebook

    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    nb = nbformat.read(notebook_path, as_version=4)
    sanitise_notebook(nb)  # data-derived text in outputs can never become a live script in the report
    plain_alt_texts(nb)  # before both exports, so the Word copy's alt texts are the page's
    nb.metadata["title"] = report_title(nb)  # the page's <title>, instead of nbconvert's "Notebook"
    body, _ = exporter.from_notebook_node(nb)
    description = html.escape(report_description(nb), quote=True)
    body = body.replace("<title>", f'<meta name="description" content="{description}"/>\n<title>', 1)
    body = body.replace("</head>", LINK_CSS + "\n" + ACCESS_CSS + "\n" + PRINT_CSS + "\n</head>", 1)
    # a wide table scrolls sideways on screen: keyboard users must be able to reach it (WCAG 2.1.1; axe's
    # scrollable-region-focusable)
    body = re.sub(r"<table(?![^>]*\btabindex=)", '<table tabindex="0"', body)
    body = accessible_structure(body)
    body = mark_wide_tables(body)  # printed on landscape pages (PRINT_CSS)
    # Reports are single files that open offline (and behind council firewalls): drop the exporter's remote
    # scripts (require.js, MathJax); figures are embedded PNGs and tables plain HTML, so nothing needs them.
    body = _REMOTE_SCRIPT.sub("", body)
    if footer:
        body = body.replace("</body>", f"{footer}\n</body>", 1)
    tmp = html_path.with_suffix(".html.partial")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(html_path)  # a crash never leaves a half-written report under the final name
    if nb.metadata.get("cm_research", {}).get("word_copy"):  # e.g. the site report: partnerships edit Word files
        from cm_research.report.word import notebook_to_docx

        notebook_to_docx(nb, html_path.with_suffix(".docx"), title=nb.metadata["title"],
                         description=report_description(nb))
    return html_path


_ALT = re.compile(r'(<img\b[^>]*?\balt=")([^"]*)(")', re.IGNORECASE)
_BARE_C = re.compile(r"(?<= )c(?=[;.,])")  # a withheld value written "c" inside a sentence: "improvement: c;"
_C_KEY = re.compile(r"\s*\(c: from 1 to \d+, not shown\)")


def plain_alt_text(alt: str) -> str:
    """``alt`` with each withheld value ``c`` said in words ("not shown"), and why, once: "Values not shown are
    withheld to protect counts of fewer than 6." (a ``c`` may be a larger count withheld so that a small one
    cannot be worked out, so it is never called "fewer than 6" itself). WCAG 1.1.1: a screen reader says "c"."""
    from cm_research.plots.findings import NOT_SHOWN, PROTECTED

    if not _BARE_C.search(alt):
        return alt
    return _C_KEY.sub("", _BARE_C.sub(NOT_SHOWN, alt)) + f" Values not shown are withheld {PROTECTED}."


def plain_alt_texts(nb) -> None:
    """:func:`plain_alt_text` on the alt text of every figure in the notebook's HTML outputs, in place."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/html" in data:
                text = "".join(data["text/html"]) if isinstance(data["text/html"], list) else data["text/html"]
                data["text/html"] = _ALT.sub(lambda m: m.group(1) + plain_alt_text(m.group(2)) + m.group(3), text)


_SECTION = re.compile(r"<(thead|tbody|tfoot)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
_WHOLE_TABLE = re.compile(r"<table\b.*?</table>", re.DOTALL | re.IGNORECASE)
_BARE_TH = re.compile(r"<th(?![^>]*\bscope=)(?=[\s>])", re.IGNORECASE)
_HEADING_OR_TABLE = re.compile(r"<h[1-6]\b[^>]*>(?P<heading>.*?)</h[1-6]>|<table\b(?P<attrs>[^>]*)>(?P<next>\s*<caption)?",
                               re.DOTALL | re.IGNORECASE)
_ANCHOR_LINK = re.compile(r'<a class="anchor-link"(?![^>]*aria-hidden)')


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).replace("\u00b6", "").split())


def accessible_structure(body: str) -> str:
    """The exported page with what WCAG asks beyond axe's checks (1.3.1, 2.4.1, 4.1.2):

    - every header cell says what it heads: ``scope="col"`` in a table's head, ``scope="row"`` in its body
      (pandas writes the index there);
    - a table whose first column labels its rows (a Markdown table in the prose; ``show_table`` has done its own)
      has that column as row headers (:func:`cm_research.report.display.labelled_row_headers`);
    - a table without a ``<caption>`` (a Markdown table in the prose) is named after the heading above it
      (``aria-label``), so a screen reader that lists the page's tables, and a keyboard user who tabs to one,
      hears what it holds;
    - the exporter's "¶" links beside headings are taken out of the tab order and hidden from screen readers
      (fifteen stops that each say "pilcrow");
    - a skip link, first on the page, moves focus to ``<main>``.
    """
    from cm_research.report.display import labelled_row_headers

    body = _WHOLE_TABLE.sub(lambda m: labelled_row_headers(m.group(0)), body)
    body = _SECTION.sub(lambda m: _BARE_TH.sub(
        f'<th scope="{"row" if m.group(1).lower() == "tbody" else "col"}"', m.group(0)), body)
    heading = ""

    def name_table(m: re.Match) -> str:
        nonlocal heading
        if m.group("heading") is not None:
            heading = _text(m.group("heading"))
            return m.group(0)
        if m.group("next") or "aria-label" in m.group("attrs") or not heading:
            return m.group(0)
        label = html.escape(f"Table: {heading}", quote=True)
        return f'<table aria-label="{label}"{m.group("attrs")}>'

    body = _HEADING_OR_TABLE.sub(name_table, body)
    body = _ANCHOR_LINK.sub('<a class="anchor-link" aria-hidden="true" tabindex="-1"', body)
    if "<main>" in body and SKIP_LINK not in body:
        body = re.sub(r"(<body\b[^>]*>)", lambda m: m.group(1) + "\n" + SKIP_LINK, body, count=1)
        body = body.replace("<main>", '<main id="main-content" tabindex="-1">', 1)
    return body


#: A4's printable width in CSS pixels (96 to the inch) inside PRINT_CSS's 12 mm side margins: portrait 186 mm,
#: landscape 273 mm
A4_PORTRAIT_PX = round((210 - 2 * 12) / 25.4 * 96)  # 703
A4_LANDSCAPE_PX = round((297 - 2 * 12) / 25.4 * 96)  # 1032
#: the print size of table text (7.5 pt = 10 CSS pixels) makes a character about 6 pixels wide (DejaVu Sans, Debian's
#: default, averages 0.6 em; a little generous, so a doubtful table goes landscape); each cell adds 6 pixels padding
PRINT_CHAR_PX = 6.0
PRINT_PT, SMALLER_PT = 7.5, 6.0  # PRINT_CSS's table type, and ``cm-print-smaller``'s
CELL_PADDING_PX = 6.0
#: a column of sentences needs room for a few words a line to be read: up to 16 characters
READABLE_CHARS = 16
WIDE_CLASS = "cm-print-wide"
_TABLE = re.compile(r'(?P<before><div class="cm-print-wide[^"]*">\s*)?(?P<table><table\b(?P<attrs>[^>]*)>.*?</table>)',
                    re.DOTALL | re.IGNORECASE)
_ROW = re.compile(r"<tr\b.*?</tr>", re.DOTALL | re.IGNORECASE)
_CELL = re.compile(r"<t([hd])\b[^>]*>(.*?)</t\1>", re.DOTALL | re.IGNORECASE)


def table_print_widths(table_html: str) -> tuple[float, float]:
    """Estimated widths, in CSS pixels, of one table printed at PRINT_CSS's type size: (readable, narrowest).

    Each column needs its longest word (words are never broken, so no column is narrower) and, to be read, up to
    ``READABLE_CHARS`` characters of its longest cell: ``narrowest = sum over columns of (longest word * PRINT_CHAR_PX
    + CELL_PADDING_PX)`` and ``readable`` the same with ``max(longest word, min(longest cell, READABLE_CHARS))``.
    Columns are counted by position in each row (a cell spanning columns counts as one)."""
    word: dict[int, int] = {}
    cell: dict[int, int] = {}
    for row in _ROW.findall(table_html):
        for i, (_, content) in enumerate(_CELL.findall(row)):
            text = _text(content)
            word[i] = max(word.get(i, 0), max((len(w) for w in text.split()), default=0))
            cell[i] = max(cell.get(i, 0), len(text))
    narrowest = sum(w * PRINT_CHAR_PX + CELL_PADDING_PX for w in word.values())
    readable = sum(max(word[i], min(cell[i], READABLE_CHARS)) * PRINT_CHAR_PX + CELL_PADDING_PX for i in word)
    return readable, narrowest


def mark_wide_tables(body: str) -> str:
    """``body`` with each table too wide for portrait A4 wrapped in ``<div class="cm-print-wide">``, which PRINT_CSS
    prints on landscape A4 pages (the named page ``wide``) with words broken only at spaces; narrow content stays
    portrait. A table is wide when its readable width (:func:`table_print_widths`) is more than A4_PORTRAIT_PX, or
    when its writer gave the ``<table>`` the class ``cm-print-wide``; one whose narrowest width is more than even
    A4_LANDSCAPE_PX is also given ``cm-print-smaller`` (6 pt type), and one whose narrowest width in 6 pt type is
    more than that too ``cm-print-break-words`` (words broken anywhere), so that no column is lost off the page.
    A table already wrapped is left as it is."""
    def wrap(m: re.Match) -> str:
        if m.group("before"):
            return m.group(0)
        readable, narrowest = table_print_widths(m.group("table"))
        marked = re.search(r'\bclass="[^"]*\bcm-print-wide\b', m.group("attrs")) is not None
        if not marked and readable <= A4_PORTRAIT_PX:
            return m.group(0)
        classes = WIDE_CLASS + (" cm-print-smaller" if narrowest > A4_LANDSCAPE_PX else "")
        classes += " cm-print-break-words" if narrowest * SMALLER_PT / PRINT_PT > A4_LANDSCAPE_PX else ""
        return f'<div class="{classes}">{m.group("table")}</div>'

    return _TABLE.sub(wrap, body)


_HEADING = re.compile(r"^#\s+(.+?)\s*$", re.MULTILINE)
_MARKUP = re.compile(r"[*`]|(?<!\w)_|_(?!\w)|\[([^\]]*)\]\([^)]*\)")  # emphasis and links; cm_research keeps its _


def _plain(text: str) -> str:
    return " ".join(_MARKUP.sub(lambda m: m.group(1) or "", text).split())


def report_title(nb) -> str:
    """A report's title for readers: its first ``# heading``, and the site it was run for (papermill's
    ``site`` parameter), e.g. "Data quality: Northshire". Falls back to the notebook's file name."""
    heading = ""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found = _HEADING.search(cell.source)
            if found:
                heading = _plain(found.group(1))
                break
    site = str(nb.metadata.get("papermill", {}).get("parameters", {}).get("site") or "")
    heading = heading or str(nb.metadata.get("papermill", {}).get("input_path", "report")).rsplit("/", 1)[-1]
    return f"{heading}: {site}" if site and site.lower() not in heading.lower() else heading


def report_description(nb, limit: int = 300) -> str:
    """The first paragraph of prose after the title (what the report is for), as plain text for
    ``<meta name="description">``, cut at a word boundary near ``limit`` characters."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for paragraph in cell.source.split("\n\n"):
            paragraph = paragraph.strip()
            if paragraph and not paragraph.startswith(("#", "|", "-", ">")):
                text = _plain(paragraph)
                return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"
    return report_title(nb)


def title_of(ipynb: str | Path) -> str:
    """:func:`report_title` of an executed notebook file ("" when it cannot be read)."""
    try:
        return report_title(nbformat.read(str(ipynb), as_version=4))
    except (OSError, ValueError):
        return ""


@dataclass
class IndexEntry:
    site: str
    notebook: str
    status: str  # "ok" or "failed"
    html: str | None  # relative link
    ipynb: str | None
    error: str = ""
    title: str = ""  # the report's title (its first heading), shown instead of the notebook's file name
    reused: bool = False  # True when --resume kept the report from an earlier run (inputs unchanged)
    docx: str | None = None  # relative link to the editable Word copy, when the report has one


_ABSOLUTE_PATH = re.compile(r"(?<![\w.])/(?:[^\s'\"/]+/)+([^\s'\"/]+)")


def relative_paths(text: str, run_dir: str | Path) -> str:
    """``text`` with paths inside ``run_dir`` made relative to it and any other absolute path cut to its file
    name, so that an index or a failure message shows no one's local folders."""
    root = str(Path(run_dir).resolve())
    text = text.replace(root + "/", "").replace(root, ".")
    return _ABSOLUTE_PATH.sub(lambda m: m.group(1), text)


_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #ddd}
.failed{color:#a40000;font-weight:600}.ok{color:#176b00}.banner{background:#fff4ce;border-left:4px solid #e0a800;padding:.6rem 1rem}
small{color:#666}caption{text-align:left;font-weight:600;padding:.4rem 0}td,tbody th{overflow-wrap:anywhere}
@media print{td,tbody th{overflow-wrap:break-word}}
:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
"""


def write_index(run_dir: str | Path, title: str, entries: list[IndexEntry], synthetic: bool = False,
                banner_html: str = "", manifest: str | None = None) -> Path:
    """``run_dir/index.html``: each site's status, then one row per (site, report) with the report's title, whether
    it was made in this run or reused unchanged by ``--resume``, links to the HTML report and the notebook
    (relative to the run), and a link to ``manifest`` (the run's provenance) when given."""
    run_dir = Path(run_dir)
    rows = []
    for e in sorted(entries, key=lambda e: (e.site, e.notebook)):
        links = " · ".join(
            f'<a href="{html.escape(href)}">{label}</a>' for label, href in (("report", e.html), ("Word", e.docx), ("notebook", e.ipynb)) if href
        )
        label = "failed" if e.status != "ok" else ("reused (inputs unchanged)" if e.reused else "made in this run")
        status = f'<span class="{e.status}">{label}</span>'
        if e.error:
            status += f"<br><small>{html.escape(e.error)}</small>"
        name = html.escape(e.title or e.notebook) + (f"<br><small>{html.escape(e.notebook)}</small>" if e.title else "")
        rows.append(f"<tr><th scope=\"row\">{html.escape(e.site)}</th><td>{name}</td><td>{status}</td><td>{links}</td></tr>")
    sites: dict[str, list[IndexEntry]] = {}
    for e in entries:
        sites.setdefault(e.site, []).append(e)
    site_items = []
    for site, found in sorted(sites.items()):
        bad = sum(e.status != "ok" for e in found)
        reused = sum(e.reused for e in found)
        state = f'<span class="failed">{bad} failed</span>' if bad else '<span class="ok">all ready</span>'
        site_items.append(f"<li>{html.escape(site)}: {len(found) - bad} of {len(found)} report"
                          f"{'s' if len(found) != 1 else ''} ready, {state}"
                          + (f"; {reused} reused unchanged" if reused else "") + "</li>")
    provenance = (f' The run\'s provenance (inputs, parameters, versions): <a href="{html.escape(manifest)}">'
                  "manifest.json</a>.") if manifest else ""
    banner = ('<p class="banner"><strong>Synthetic data.</strong> These reports were made from invented data '
              "to demonstrate cm_research; they are not evidence about any programme.</p>") if synthetic else ""
    failed = sum(e.status != "ok" for e in entries)
    n_reused = sum(e.reused for e in entries)
    reused_text = (f", {n_reused} reused unchanged by --resume and {len(entries) - n_reused - failed} made again"
                   if n_reused else "")
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>{_STYLE}</style></head>
<body><h1>{html.escape(title)}</h1>{banner}{banner_html}
<p>{len(entries)} report{'s' if len(entries) != 1 else ''}, {failed} failed{reused_text}. Made {stamp} by cm_research.{provenance}</p>
<h2>Sites</h2>
<ul>{"".join(site_items)}</ul>
<h2>Reports</h2>
<table><caption>Every report of the run, by site</caption>
<thead><tr><th scope="col">Site</th><th scope="col">Report</th><th scope="col">Status</th><th scope="col">Open</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""
    out = run_dir / "index.html"
    out.write_text(page, encoding="utf-8")
    return out
