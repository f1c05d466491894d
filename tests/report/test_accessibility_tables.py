"""The framework matrix in HTML (participants down, themes or codes across) is a data table a screen reader and a
keyboard can use, and that survives a narrow screen and an A4 print (WCAG 2.1 1.3.1, 2.1.1, 1.4.10):

- each participant's row is headed by its case label, ``<th scope="row">`` (so every cell is read with "mentee 2"),
  its column headers carry ``scope="col"``, the table has a caption and is a Tab stop;
- at 320 CSS pixels the page does not scroll sideways, the wide matrix scrolls inside itself;
- printed on A4 (Chromium's own PDF, read back with ``pdftotext -layout``) no column is lost: every case, every
  code's heading and every quote's reference is on paper;
- a matrix too wide for portrait A4 is printed on landscape A4 pages (``pdfinfo``'s page sizes), its header row on
  each, every cell's words whole, while the prose around it stays portrait.

The internal matrix, with its quotes, is built here from invented (synthetic) sentences and put through the real
exporter (:func:`cm_research.report.html.notebook_to_html`); the published overview is read from the demo run.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from headless_chrome import emulate_view

from cm_research.report import display as display_module
from cm_research.report.display import show_table
from cm_research.report.html import mark_wide_tables, notebook_to_html, table_print_widths

A4_PRINTABLE_PX = round((210 - 2 * 12) / 25.4 * 96)  # 703: A4 less the print stylesheet's 12 mm margins
CODES = ["Trusting the mentor", "Being listened to", "Shared interests", "Confidence", "Making things",
         "Back in school", "Hopes for later", "Endings"]


def _matrix() -> pd.DataFrame:
    """A framework matrix for one theme, as :func:`cm_research.qual.framework.framework_matrix` lays it out, from
    invented sentences: 10 cases, the summary slot, 8 code columns of quotes with their references."""
    rows = []
    for k in range(1, 11):
        row = {"case": f"mentee {k}" if k <= 6 else f"mentor {k - 6}", "role": "mentee" if k <= 6 else "mentor",
               "site": "Easton", "Summary (for the analyst to write)": ""}
        for j, code in enumerate(CODES, start=1):
            row[code] = (f"[{k}.{j}] \u201cSynthetic sentence number {k * 10 + j} about {code.lower()}, long "
                         f"enough to wrap in a narrow column of the printed page.\u201d") if (k + j) % 3 else ""
        rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs["row_header"] = "case"  # as cm_research.qual.workflow.framework_section marks it
    return table


def _shown(table: pd.DataFrame, caption: str, monkeypatch) -> str:
    shown = []
    monkeypatch.setattr(display_module, "display", lambda obj: shown.append(obj))
    show_table(table, caption, decimals=0)
    return "".join(o.data for o in shown if hasattr(o, "data"))


def test_a_table_marked_with_a_row_header_heads_each_row_with_it(monkeypatch):
    table = _matrix()
    moved = table[["role", "site", "case", *CODES]].copy()
    moved.attrs = dict(table.attrs)
    soup = BeautifulSoup(_shown(moved, "Framework matrix: Relationship", monkeypatch), "html.parser")
    body_rows = soup.find("tbody").find_all("tr")
    heads = [tr.find(["th", "td"]) for tr in body_rows]
    assert [h.name for h in heads] == ["th"] * 10 and {h["scope"] for h in heads} == {"row"}
    assert [h.get_text() for h in heads] == list(table["case"])  # the case column first, whatever its place
    assert all(len(tr.find_all("th")) == 1 for tr in body_rows)  # only the case heads the row
    plain = BeautifulSoup(_shown(pd.DataFrame({"a": [1]}), "x", monkeypatch), "html.parser")
    assert plain.find("tbody").find("th") is None  # an unmarked table is left as it was


    blank = _matrix().assign(case="")
    soup = BeautifulSoup(_shown(blank, "Published: cases withheld", monkeypatch), "html.parser")
    assert soup.find("tbody").find("th") is None  # a withheld (blank) case is no header: an empty th names nothing


@pytest.mark.notebook
def test_the_demo_framework_overview_heads_rows_with_the_case_or_leaves_no_empty_header(shared_demo_run):
    soup = BeautifulSoup((shared_demo_run / "all-sites" / "03_thematic_analysis.html").read_text(encoding="utf-8"),
                         "html.parser")
    table = next(t for t in soup.find_all("table")
                 if t.caption and t.caption.get_text().startswith("Framework matrix overview"))
    assert table["tabindex"] == "0"
    assert all(th.get("scope") == "col" for th in table.thead.find_all("th"))
    first = [tr.find(["th", "td"]) for tr in table.tbody.find_all("tr")]
    assert len(first) >= 10
    for cell in first:  # a case label heads its row; where publication withholds it, the cell is left a td
        text = cell.get_text(strip=True)
        assert (cell.name == "th" and cell["scope"] == "row" and text) or (cell.name == "td" and not text), cell


@pytest.fixture(scope="module")
def matrix_page(tmp_path_factory):
    """A tiny report holding the internal framework matrix, exported as the batch exports a notebook."""
    return _exported(tmp_path_factory.mktemp("matrix") / "matrix.ipynb", _matrix(),
                     "Framework matrix: Relationship and trust (synthetic)",
                     "# Framework matrix (synthetic)\n\nInvented sentences, to test layout.")


def _exported(path, table: pd.DataFrame, caption: str, before: str, after: str | None = None):
    """`table` shown by show_table between two Markdown cells of a notebook at `path`, exported to HTML as the
    batch exports a notebook; returns the page's path."""
    mp = pytest.MonkeyPatch()
    html = _shown(table, caption, mp)
    mp.undo()
    nb = nbformat.v4.new_notebook()
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(before),
                nbformat.v4.new_code_cell("show_table(matrix)", outputs=[nbformat.v4.new_output(
                    "display_data", data={"text/html": html, "text/plain": "<table>"})])]
    if after is not None:
        nb.cells.append(nbformat.v4.new_markdown_cell(after))
    nbformat.write(nb, str(path))
    return notebook_to_html(path)


_view = emulate_view


TABLE_JS = """const t = document.querySelector('table'); const cs = getComputedStyle(t);
return [t.getBoundingClientRect().right, t.scrollWidth, t.clientWidth, cs.overflowX,
        document.documentElement.scrollWidth, document.documentElement.clientWidth];"""


def test_the_internal_matrix_reflows_at_320px_and_prints_on_a4_with_every_column(matrix_page, browser, tmp_path):
    soup = BeautifulSoup(matrix_page.read_text(encoding="utf-8"), "html.parser")
    table = soup.find("table")
    assert table["tabindex"] == "0" and table.caption.get_text().startswith("Framework matrix")
    assert [th.get("scope") for th in table.tbody.find_all("th")] == ["row"] * 10
    browser.get(matrix_page.as_uri())
    # 320 px: the page itself never scrolls sideways; the matrix (two-dimensional content) scrolls in its own box
    _view(browser, 320)
    right, scroll, client, overflow, page_scroll, page_client = browser.execute_script(TABLE_JS)
    assert page_scroll <= page_client and right <= page_client + 1
    assert scroll > client and overflow in ("auto", "scroll")
    # print media at A4's printable width: the matrix is laid out within the page, nothing beyond its edge
    _view(browser, A4_PRINTABLE_PX, "print")
    right, scroll, client, _, page_scroll, _ = browser.execute_script(TABLE_JS)
    assert right <= A4_PRINTABLE_PX + 1 and scroll <= client + 1 and page_scroll <= A4_PRINTABLE_PX
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is needed to read the printed page back")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})  # print with the page's print media
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"paperWidth": 210 / 25.4, "paperHeight": 297 / 25.4,
                                                      "preferCSSPageSize": True})
    path = tmp_path / "matrix.pdf"
    path.write_bytes(base64.b64decode(pdf["data"]))
    printed = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True,
                             check=True).stdout
    flat = re.sub(r"[\s\u00ad-]+", "", printed)  # words wrapped in narrow columns are split across lines
    references = [f"[{k}.{j}]" for k in range(1, 11) for j in range(1, 9) if (k + j) % 3]
    lost = [r for r in references if r not in flat]
    assert not lost, lost  # every quote's reference, so every code column of every case, is on paper
    for word in ["mentee6", "mentor4", *[c.replace(" ", "") for c in CODES]]:
        assert word in flat, word
    # each row's header reads as a word: "mentee 3" is not squeezed into a column one letter wide ("m en te e 3")
    # (the print stylesheet breaks other cells anywhere, so that twelve columns fit the page's width)
    headers = re.findall(r"^(mentee|mentor)\s*\n?\s*(\d+)\b", printed, re.MULTILINE)
    assert len(headers) == 10, printed[:1500]


# --- a wide table prints on landscape pages, its words whole ------------------------------------------------------

#: invented themes for a participants-by-themes matrix: with the case, role and site, 13 columns whose longest words
#: (up to 10 letters) squeezed onto A4 portrait's 703 CSS pixels broke inside themselves ("me / ntor")
THEMES = ["Trust", "Listening", "Interests", "Confidence", "Making", "Attendance", "Futures", "Endings",
          "Belonging", "Friends"]
SITES = ["Northshire", "Westbridge", "Easton"]
ROLES = ["mentee", "mentor", "carer", "teacher"]


def test_a_table_is_marked_wide_from_its_estimated_print_width_or_its_writers_class():
    # by hand, at 6 px a character and 6 px padding a cell: column 1's longest word "hello" is 5 characters and
    # its longest cell "hello world" 11 (under 16, so all of it is wanted); column 2 holds "x"
    small = "<table><tr><th>a</th><th>b</th></tr><tr><td>hello world</td><td>x</td></tr></table>"
    assert table_print_widths(small) == (11 * 6 + 6 + 1 * 6 + 6, 5 * 6 + 6 + 1 * 6 + 6)  # (84, 48)
    assert mark_wide_tables(small) == small  # narrow content stays on portrait pages
    # 8 columns of 16-character readable text: 8 * (16 * 6 + 6) = 816 > 703 (portrait); longest word "sentence"
    row = "<tr>" + "<td>words of a sentence long enough</td>" * 8 + "</tr>"
    wide = f"<table>{row}</table>"
    assert table_print_widths(wide) == (816, 8 * (8 * 6 + 6))
    marked = mark_wide_tables(f"<p>before</p>{wide}<p>after</p>")
    assert marked == f'<p>before</p><div class="cm-print-wide">{wide}</div><p>after</p>'
    assert mark_wide_tables(marked) == marked  # never wrapped twice
    # the writer's class marks a narrow table; a table whose words alone need more than landscape's 1032 pixels
    # (30 columns of a 10-letter word: 30 * 66 = 1980) is also printed in smaller type
    chosen = small.replace("<table>", '<table class="cm-print-wide">')
    assert mark_wide_tables(chosen) == f'<div class="cm-print-wide">{chosen}</div>'
    widest = "<table><tr>" + "<td>Attendance</td>" * 30 + "</tr></table>"
    assert mark_wide_tables(widest).startswith('<div class="cm-print-wide cm-print-smaller cm-print-break-words">')
    # ... and, as its words need 1980 * 6 / 7.5 = 1584 pixels even in 6 pt type, its words may break; 15 columns
    # need 990 pixels at 7.5 pt, whole words only: 15 * 66 = 990 <= 1032, so on landscape pages in ordinary type
    assert mark_wide_tables(widest.replace("<td>Attendance</td>" * 30, "<td>Attendance</td>" * 15)).startswith(
        '<div class="cm-print-wide"><table>')
    # 20 columns: 1320 pixels at 7.5 pt, 1056 at 6 pt: still more than 1032, so it breaks; 19: 1003 at 6 pt, whole
    twenty, nineteen = (widest.replace("<td>Attendance</td>" * 30, "<td>Attendance</td>" * n) for n in (20, 19))
    assert mark_wide_tables(twenty).startswith('<div class="cm-print-wide cm-print-smaller cm-print-break-words">')
    assert mark_wide_tables(nineteen).startswith('<div class="cm-print-wide cm-print-smaller"><table>')


def _wide_matrix() -> pd.DataFrame:
    """Participants (40, so the table runs over more than one page) by themes, with their role and site; every cell
    invented: a short phrase naming the theme, e.g. "Confidence grew steadily"."""
    rows = []
    for k in range(1, 41):
        row = {"case": f"case {k}", "role": ROLES[k % 4], "site": SITES[k % 3]}
        row.update({theme: f"{theme} {['grew', 'held', 'wavered'][(k + j) % 3]} steadily"
                    for j, theme in enumerate(THEMES)})
        rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs["row_header"] = "case"
    return table


@pytest.fixture(scope="module")
def wide_pdf(tmp_path_factory, browser):
    """The invented wide matrix after a paragraph of prose, exported as the batch exports a notebook and printed
    by Chromium (its own print-to-PDF, the page size taken from the stylesheet)."""
    folder = tmp_path_factory.mktemp("wide")
    page = _exported(folder / "wide.ipynb", _wide_matrix(), "Framework matrix: every theme (synthetic)",
                     "# Wide matrix (synthetic)\n\nPortraitprose before the table.", "Portraitprose after the table.")
    browser.get(page.as_uri())
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"paperWidth": 210 / 25.4, "paperHeight": 297 / 25.4,
                                                      "preferCSSPageSize": True})
    out = folder / "wide.pdf"
    out.write_bytes(base64.b64decode(pdf["data"]))
    return page, out


def _page_sizes(pdf) -> list[tuple[float, float]]:
    """Each page's (width, height) in points, from ``pdfinfo`` (A4 is 595 x 842 points)."""
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info, re.M)]


def _page_text(pdf, number: int) -> str:
    return subprocess.run(["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def test_a_wide_matrix_prints_on_landscape_pages_with_whole_words_and_prose_stays_portrait(wide_pdf):
    if shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        pytest.skip("pdftotext and pdfinfo (Debian poppler-utils) are needed to read the printed pages back")
    _, pdf = wide_pdf
    sizes = _page_sizes(pdf)
    texts = [_page_text(pdf, n) for n in range(1, len(sizes) + 1)]
    landscape = [n for n, (w, h) in enumerate(sizes) if w > h]
    portrait = [n for n, (w, h) in enumerate(sizes) if w < h]
    # A4 is 210 x 297 mm = 595 x 842 points, either way round
    assert all(sorted((round(w), round(h))) == [595, 842] for w, h in sizes), sizes
    assert len(landscape) >= 2, sizes  # the 40 rows run over more than one landscape page
    # the prose around the table stays on portrait pages
    prose = [n for n, text in enumerate(texts) if "Portraitprose" in text]
    assert prose and all(n in portrait for n in prose), (sizes, prose)
    words = re.findall(r"\S+", "\n".join(texts[n] for n in landscape))
    counts = {w: words.count(w) for w in set(words)}
    # every cell's words are whole: each word is on paper as often as the matrix holds it (a word broken
    # inside itself, "Northsh / ire", is counted under neither half)
    table = _wide_matrix()
    expected: dict[str, int] = {}
    for value in table.to_numpy().ravel():
        for word in str(value).split():
            expected[word] = expected.get(word, 0) + 1
    short = {w: (counts.get(w, 0), n) for w, n in expected.items() if counts.get(w, 0) < n and not w.isdigit()}
    assert not short, short
    # the header row repeats on each landscape page: every theme's heading is on each of them
    for n in landscape:
        heading_line = next((line for line in texts[n].splitlines() if "Listening" in line and "Belonging" in line),
                            "")
        assert all(theme in heading_line.split() for theme in THEMES), (n, texts[n][:600])
