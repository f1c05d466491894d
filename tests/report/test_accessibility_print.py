"""WCAG 2.1 AA beyond what axe checks, on the demo's published reports (the session's shared run) and on tiny pages:
print to A4 without losing a column, reflow at 320 CSS pixels, text spacing, keyboard access to wide tables and a
visible focus ring, a skip link, header cells with a scope, named tables, headings in order, and contrast of the
figures' marks and words.

The browser checks run in headless Chromium (Selenium and chromedriver, as the app's browser tests do) and skip,
saying why, where either is missing. A4 is 210 mm wide; the print stylesheet's margins are 12 mm each side, so
the printable width is 186 mm = 186 / 25.4 * 96 = 703 CSS pixels; a table too wide for it prints on landscape A4
pages, 273 mm = 1032 CSS pixels.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from headless_chrome import emulate_view

from cm_research.plots.contrast import contrast_ratio, darkened, figure_contrast_problems
from cm_research.report.html import PRINT_CSS, IndexEntry, accessible_structure, mark_wide_tables, write_index

A4_PRINTABLE_PX = round((210 - 2 * 12) / 25.4 * 96)  # 703
A4_LANDSCAPE_PX = round((297 - 2 * 12) / 25.4 * 96)  # 1032: a wide table's landscape pages
#: one report of each kind (the other sites' copies are made by the same notebooks)
KINDS = ["easton/01_data_quality.html", "easton/02_outcomes.html", "easton/06_site_report.html",
         "all-sites/03_thematic_analysis.html", "all-sites/04_cross_site_synthesis.html",
         "all-sites/07_action_research.html"]
#: WCAG 1.4.12's test: line height 1.5, paragraph spacing 2 em, letter spacing 0.12 em, word spacing 0.16 em
TEXT_SPACING = ("* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }"
                " p { margin-bottom: 2em !important; }")


def _pages(run: Path) -> dict[Path, BeautifulSoup]:
    return {p: BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
            for p in sorted(run.rglob("*.html")) if p.with_suffix(".ipynb").exists() and "restricted" not in p.parts}


# --- structure, without a browser ------------------------------------------------------------------------------

TINY = """<html><head><title>t</title></head><body class="jp-Notebook">
<main>
<h1 id="T">Title<a class="anchor-link" href="#T">¶</a></h1>
<h2 id="Files">Files <em>read</em><a class="anchor-link" href="#Files">¶</a></h2>
<table tabindex="0"><thead><tr><th>key</th><th>what</th></tr></thead><tbody><tr><td>a</td><td>b</td></tr></tbody></table>
<table tabindex="0"><caption>By site</caption><thead><tr><th class="blank"></th><th>n</th></tr></thead>
<tbody><tr><th class="row_heading">Easton</th><td>4</td></tr></tbody></table>
</main></body></html>"""


def test_header_cells_get_a_scope_and_a_table_without_caption_its_heading():
    soup = BeautifulSoup(accessible_structure(TINY), "html.parser")
    first, second = soup.find_all("table")
    assert first["aria-label"] == "Table: Files read" and not second.has_attr("aria-label")
    # a Markdown table's first column of labels ("a") heads its rows, as show_table's do (display.labelled_row_headers)
    assert [(th.get_text(), th["scope"]) for th in first.find_all("th")] == [("key", "col"), ("what", "col"), ("a", "row")]
    assert [th["scope"] for th in second.find_all("th")] == ["col", "col", "row"]  # the index cell heads its row
    skip = soup.body.find("a")
    assert skip["href"] == "#main-content" and skip.get_text() == "Skip to the report"
    assert soup.find("main")["id"] == "main-content"
    for link in soup.find_all("a", class_="anchor-link"):
        assert link["aria-hidden"] == "true" and link["tabindex"] == "-1"
    again = accessible_structure(accessible_structure(TINY))  # exported once, but never doubled if run twice
    assert again.count("Skip to the report") == 1 and again.count('scope="col"') == 4


@pytest.mark.notebook
def test_every_demo_report_has_a_skip_link_scopes_named_tables_and_headings_in_order(shared_demo_run):
    pages = _pages(shared_demo_run)
    assert len(pages) == 12  # three reports for each of three sites, three across the sites
    for path, soup in pages.items():
        where = path.relative_to(shared_demo_run)
        assert soup.html["lang"] == "en", where
        skip = soup.body.find("a")  # the first link on the page, so the first Tab reaches it
        assert skip["href"] == "#main-content" and soup.find(id="main-content").name == "main", where
        for table in soup.find_all("table"):
            caption = table.find("caption")
            assert (caption is not None and caption.get_text(strip=True)) or table.get("aria-label"), (where, table)
            assert table.get("tabindex") == "0", where
            for section, scope in (("thead", "col"), ("tbody", "row")):
                for th in table.find(section).find_all("th") if table.find(section) else []:
                    assert th.get("scope") == scope, (where, th)
        levels = [int(h.name[1]) for h in soup.find_all(re.compile(r"^h[1-6]$"))]
        assert levels.count(1) == 1 and levels[0] == 1, (where, levels)
        skipped = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
        assert not skipped, (where, skipped)
        for link in soup.find_all("a", class_="anchor-link"):
            assert link.get("tabindex") == "-1" and link.get("aria-hidden") == "true", where
        css = "".join(s.get_text() for s in soup.find_all("style"))
        assert "@page { size: A4" in css and "thead { display: table-header-group; }" in css, where


# --- in the browser ---------------------------------------------------------------------------------------------

_view = emulate_view


#: every table: [name, right edge, scroll width, client width, tabindex, is its own scroller]
TABLES_JS = """return [...document.querySelectorAll('table')].map(t => {
  const cap = t.querySelector('caption');
  return [cap ? cap.textContent.trim() : (t.getAttribute('aria-label') || ''), t.getBoundingClientRect().right,
          t.scrollWidth, t.clientWidth, t.getAttribute('tabindex'), getComputedStyle(t).overflowX !== 'visible'];
});"""
#: text cut off by a box that hides its overflow
CLIPPED_JS = """return [...document.querySelectorAll('main *, footer')].filter(e => {
  const cs = getComputedStyle(e);
  return (cs.overflowX === 'hidden' || cs.overflowX === 'clip' || cs.overflowY === 'hidden') && e.innerText.trim()
    && (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1);
}).map(e => e.tagName + '.' + e.className + ': ' + e.innerText.slice(0, 60));"""
PAGE_WIDTH_JS = "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];"
WIDE_TABLES_JS = TABLES_JS.replace("querySelectorAll('table')", "querySelectorAll('.cm-print-wide table')")
#: words split across two lines inside a table cell, as [table's name, word]: a word is each run of characters
#: between spaces, hyphens, dashes and slashes (a line may end after a hyphen or a slash); it is split when its
#: text is drawn on more than one line. arguments[0]: check the tables printed landscape (true) or the others
SPLIT_WORDS_JS = """const wide = arguments[0], out = [];
for (const t of document.querySelectorAll('table')) {
  if (!!t.closest('.cm-print-wide') !== wide || !t.offsetParent) continue;
  const cap = t.querySelector('caption');
  const name = cap ? cap.textContent.trim() : (t.getAttribute('aria-label') || '');
  const walker = document.createTreeWalker(t, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement.closest('th, td')) continue;
    for (const m of node.data.matchAll(/[^\\s\\-\u2010\u2013\u2014\\/]{2,}/g)) {
      const r = document.createRange(); r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length);
      if (new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top))).size > 1)
        out.push([name.slice(0, 60), m[0]]);
    }
  }
}
return out;"""


@pytest.mark.notebook
def test_demo_reports_print_on_a4_reflow_at_320px_and_survive_text_spacing(shared_demo_run, browser):
    wide = []
    for kind in KINDS:
        page = shared_demo_run / kind
        # on paper nothing scrolls: every table is laid out within the printable width, no column beyond it; a
        # table marked wide is printed on landscape pages of its own (the named page "wide"), which media
        # emulation does not apply: it is checked at the landscape width, the rest with it left out, at portrait's
        _view(browser, A4_LANDSCAPE_PX, "print")
        browser.get(page.as_uri())
        for name, right, scroll_width, client_width, _, _ in browser.execute_script(WIDE_TABLES_JS):
            assert right <= A4_LANDSCAPE_PX + 1 and scroll_width <= client_width + 1, (kind, "landscape", name)
            wide.append(name)
        assert browser.execute_script(SPLIT_WORDS_JS, True) == [], (kind, "landscape: words split")
        _view(browser, A4_PRINTABLE_PX, "print")
        browser.execute_script("const s = document.createElement('style'); s.textContent = arguments[0];"
                               "document.head.appendChild(s);", ".cm-print-wide { display: none !important; }")
        scroll, client = browser.execute_script(PAGE_WIDTH_JS)
        assert scroll <= client == A4_PRINTABLE_PX, (kind, scroll)
        for name, right, scroll_width, client_width, _, _ in browser.execute_script(TABLES_JS):
            assert right <= A4_PRINTABLE_PX + 1 and scroll_width <= client_width + 1, (kind, "print", name)
        assert browser.execute_script(SPLIT_WORDS_JS, False) == [], (kind, "portrait: words split")  # WCAG 1.3.2
        assert browser.execute_script(CLIPPED_JS) == [], kind
        browser.get(page.as_uri())  # the wide tables back, for the screen checks
        # 320 CSS pixels (WCAG 1.4.10): the page never scrolls sideways; a data table wider than the screen (the
        # criterion's exception for two-dimensional content) scrolls inside itself, and can be reached by Tab
        _view(browser, 320)
        scroll, client = browser.execute_script(PAGE_WIDTH_JS)
        assert scroll <= client, (kind, "the page scrolls sideways at 320 px", scroll, client)
        for name, right, scroll_width, client_width, tabindex, scrolls in browser.execute_script(TABLES_JS):
            assert right <= client + 1, (kind, name)
            if scroll_width > client_width + 1:
                assert scrolls and tabindex == "0" and name, (kind, name)
        assert browser.execute_script(CLIPPED_JS) == [], kind
        # WCAG 1.4.12's spacing, still at 320 pixels: nothing is cut off
        browser.execute_script("const s = document.createElement('style'); s.textContent = arguments[0];"
                               "document.head.appendChild(s);", TEXT_SPACING)
        assert browser.execute_script(CLIPPED_JS) == [], (kind, "text spacing")
        assert browser.execute_script(PAGE_WIDTH_JS)[0] <= client, (kind, "text spacing")
    assert any(name.startswith("Framework matrix overview") for name in wide), wide  # its 17 columns go landscape
    _view(browser, A4_PRINTABLE_PX, "print")  # the run's index too: on screen its cells may break anywhere (320 px)
    browser.get((shared_demo_run / "index.html").as_uri())
    assert browser.execute_script(SPLIT_WORDS_JS, False) == [], "index: words split"


def _print_page(path: Path, tables: str) -> Path:
    """A page of ``tables`` laid out as a report prints them (PRINT_CSS, wide ones marked for landscape)."""
    path.write_text(f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title>{PRINT_CSS}</head>'
                    f"<body><main>{mark_wide_tables(tables)}</main></body></html>", encoding="utf-8")
    return path


def test_a_portrait_table_prints_without_splitting_a_word(tmp_path, browser):
    # a results table that fits portrait A4 with every word whole (its longest words: "attendance_pct",
    # "Northshire", "Estimate": about 430 of 703 pixels), beside a column of notes: breaking "anywhere" let the
    # notes take the room and split "attend / ance_pct" and "0.8 / 74" in the narrow columns (WCAG 1.3.2: a
    # split name or number reads as two)
    note = ("paired t-test on the change from baseline to post; d_z is the mean change divided by the standard "
            "deviation of the change, with a noncentral t interval; few young people, so read the interval")
    head = "".join(f"<th>{h}</th>" for h in ("Measure", "Site", "Timepoint", "n", "Estimate", "CI low", "CI high",
                                             "dof", "p", "Note"))
    rows = "".join(f"<tr><td>attendance_pct</td><td>Northshire</td><td>baseline</td><td>{n}</td><td>0.874</td>"
                   f"<td>-0.262</td><td>1.953</td><td>{n - 1}</td><td>0.118</td><td>{note}</td></tr>"
                   for n in (8, 12, 30))
    table = f"<table><caption>Paired change</caption><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    assert "cm-print-wide" not in mark_wide_tables(table)  # it is meant to fit portrait
    _view(browser, A4_PRINTABLE_PX, "print")
    browser.get(_print_page(tmp_path / "p.html", table).as_uri())
    ((_, right, scroll_width, client_width, _, _),) = browser.execute_script(TABLES_JS)
    assert right <= A4_PRINTABLE_PX + 1 and scroll_width <= client_width + 1
    assert browser.execute_script(SPLIT_WORDS_JS, False) == []


def test_a_word_too_long_for_even_a_landscape_page_is_broken_rather_than_a_column_lost(tmp_path, browser):
    # the last resort: a 300-character fingerprint is 1,806 pixels wide at 7.5 pt and 1,445 at 6 pt, more than a
    # landscape page's 1,032; only here may a word break anywhere, so that the table's other column still prints
    table = ("<table><caption>Files</caption><thead><tr><th>File</th><th>Fingerprint</th></tr></thead><tbody>"
             f"<tr><td>outcomes.csv</td><td>{'0123456789abcdef' * 18 + 'abcdefghijkl'}</td></tr></tbody></table>")
    marked = mark_wide_tables(table)
    assert 'class="cm-print-wide cm-print-smaller cm-print-break-words"' in marked
    _view(browser, A4_LANDSCAPE_PX, "print")
    browser.get(_print_page(tmp_path / "p.html", table).as_uri())
    ((_, right, scroll_width, client_width, _, _),) = browser.execute_script(TABLES_JS)
    assert right <= A4_LANDSCAPE_PX + 1 and scroll_width <= client_width + 1


def _rgb(css: str) -> tuple[float, float, float]:
    r, g, b = (int(v) / 255 for v in re.findall(r"\d+", css)[:3])
    return r, g, b


@pytest.mark.notebook
def test_keyboard_reaches_the_report_and_scrolls_a_wide_table(shared_demo_run, browser):
    from selenium.webdriver.common.keys import Keys

    _view(browser, 320)
    browser.get((shared_demo_run / "easton" / "02_outcomes.html").as_uri())
    body = browser.find_element("tag name", "body")
    body.send_keys(Keys.TAB)  # the first Tab stop is the skip link, shown when focused
    first = browser.switch_to.active_element
    assert first.text == "Skip to the report" and first.is_displayed() and first.size["width"] > 50
    first.send_keys(Keys.ENTER)
    assert browser.execute_script("return document.activeElement.id") == "main-content"
    # Tab on from the main content reaches the first wide table, which draws a focus ring of 3:1 or more
    for _ in range(40):
        browser.switch_to.active_element.send_keys(Keys.TAB)
        if browser.execute_script("return document.activeElement.tagName") == "TABLE":
            break
    table = browser.switch_to.active_element
    assert table.tag_name == "table"
    style, width, colour = browser.execute_script(
        "const cs = getComputedStyle(document.activeElement); return [cs.outlineStyle, cs.outlineWidth, cs.outlineColor];")
    assert style == "solid" and float(width.rstrip("px")) >= 2 and contrast_ratio(_rgb(colour), "white") >= 3
    assert browser.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth", table)
    table.send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    deadline = time.monotonic() + 3
    while browser.execute_script("return arguments[0].scrollLeft", table) == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert browser.execute_script("return arguments[0].scrollLeft", table) > 0  # the arrow keys scroll it
    table.send_keys(Keys.TAB)  # and Tab leaves it: no keyboard trap
    assert browser.switch_to.active_element != table


def test_the_run_index_reflows_at_320px_with_a_captioned_table(tmp_path, browser):
    entries = [IndexEntry(site=f"Site number {k}", notebook=f"0{k}_a_long_notebook_file_name_for_a_report",
                          status="ok", html=f"site-{k}/0{k}_a_long_notebook_file_name_for_a_report.html",
                          ipynb=f"site-{k}/0{k}_a_long_notebook_file_name_for_a_report.ipynb",
                          title="Site report: mentoring outcomes, voices and costs", docx="x.docx")
               for k in range(3)]
    page = write_index(tmp_path, "cm_research: demo", entries, synthetic=True, manifest="manifest.json")
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    assert soup.find("caption").get_text() and all(th["scope"] == "col" for th in soup.thead.find_all("th"))
    assert [th["scope"] for th in soup.tbody.find_all("th")] == ["row"] * 3  # each report's row headed by its site
    _view(browser, 320)
    browser.get(page.as_uri())
    scroll, client = browser.execute_script(PAGE_WIDTH_JS)
    assert scroll <= client


# --- figures ----------------------------------------------------------------------------------------------------

def test_contrast_ratio_matches_the_wcag_reference_values():
    # WCAG 2.x: black on white is 21:1; #767676 is the lightest grey with 4.5:1 on white (4.54:1), #777777 just
    # fails (4.48:1); the Okabe-Ito orange #E69F00 on white is 2.0:1 by the same formula worked by hand:
    # R=230 -> 0.7912, G=159 -> 0.3467, B=0 -> 0; L = 0.2126*0.7912 + 0.7152*0.3467 = 0.4162; 1.05/0.4662 = 2.25
    assert contrast_ratio("black", "white") == pytest.approx(21.0)
    assert contrast_ratio("#767676", "white") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#E69F00", "white") == pytest.approx(2.25, abs=0.01)
    assert contrast_ratio("white", "white") == pytest.approx(1.0)
    assert contrast_ratio(darkened("#E69F00", minimum=4.5), "white") >= 4.5
    assert darkened("#0072B2") == pytest.approx((0.0, 0x72 / 255, 0xB2 / 255))  # already 5.0:1: unchanged


def test_the_checker_catches_a_pale_bar_a_pale_line_and_pale_text():
    fig, ax = plt.subplots()
    ax.bar([0, 1], [3, 4], color="#F0E442")  # Okabe-Ito yellow, 1.2:1 on white
    ax.plot([0, 1], [1, 2], color="#E69F00")
    ax.set_title("pale", color="0.7")
    problems = figure_contrast_problems(fig)
    assert sum(p.startswith("bar") for p in problems) == 2 and any(p.startswith("line") for p in problems)
    assert any(p.startswith("text 'pale'") for p in problems)
    plt.close(fig)
    fig, ax = plt.subplots()
    ax.bar([0, 1], [3, 4], color="#F0E442", edgecolor="0.2", linewidth=0.8)  # outlined: seen
    assert figure_contrast_problems(fig) == []
    plt.close(fig)


def test_the_published_figures_meet_the_contrast_minimums():
    from cm_research.plots.bars import sessions_barplot
    from cm_research.plots.likert import diverging_stacked_bars
    from cm_research.plots.outcomes import proportion_bars
    from cm_research.plots.published import agreement_figure, category_plot, group_means_plot, proportion_plot
    from cm_research.plots.survival import kaplan_meier_plot
    from cm_research.stats.survival import kaplan_meier

    rng = np.random.default_rng(20261206)  # synthetic
    activities = ["music", "film", "clay", "wood", "drama", "poetry", "photography", "stories", "dance", "craft"]
    figures = {"sessions_barplot": sessions_barplot(pd.DataFrame(
        {"activity": activities, "sessions": [5, 7, "c", 3, 4, 2, 9, 8, 6, 2]}), x="sessions", y="activity").figure}
    means = pd.DataFrame({"group": ["mentored"] * 2 + ["comparison"] * 2, "timepoint": ["baseline", "post"] * 2,
                          "young_people": [10, 10, 12, 12], "mean": [14.0, 12.0, 15.0, 14.5],
                          "ci_low": [12.0, 10.0, 13.0, 12.5], "ci_high": [16.0, 14.0, 17.0, 16.5]})
    figures["group_means_plot"] = group_means_plot(means, "SDQ total").figure
    figures["proportion_plot"] = proportion_plot(pd.DataFrame({"group": ["mentored", "comparison"],
                                                               "pct_with_outcome": [40.0, 30.0]}), "EET").figure
    figures["category_plot"] = category_plot({"improved": 7, "no_change": "c"}, ["improved", "no change"], "RC").figure
    summary = pd.DataFrame({"wave": ["baseline"] * 2, "item": ["a", "b"], "label": ["A", "B"],
                            "pct_disagree": [20, 30], "pct_neutral": [30, 30], "pct_agree": [50, 40]})
    figures["agreement_figure"] = agreement_figure(summary, ["baseline"])
    eet = pd.DataFrame({"group": ["mentored"] * 4 + ["comparison"] * 4, "eet": [1, 1, 1, 0, 1, 0, 0, 1]})
    figures["proportion_bars"] = proportion_bars(eet, "eet").figure
    matches = pd.DataFrame({"days": rng.integers(10, 400, 60), "ended": rng.integers(0, 2, 60),
                            "programme": ["creative"] * 20 + ["volunteer"] * 20 + ["learning"] * 20})
    figures["kaplan_meier_plot"] = kaplan_meier_plot(kaplan_meier(matches, "days", "ended", "programme"),
                                                     suppress=False).figure
    answers = pd.DataFrame({"item": np.repeat(["a", "b", "c"], 20), "response": rng.integers(1, 6, 60)})
    figures["diverging_stacked_bars"] = diverging_stacked_bars(answers).figure
    try:
        failing = {name: problems for name, fig in figures.items() if (problems := figure_contrast_problems(fig))}
    finally:
        plt.close("all")
    assert failing == {}
