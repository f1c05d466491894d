"""Issue 18 on the demo run (the session's shared run, not a new one): every figure's alt text is there and
describes that figure, every report has a real title and description, the index reads for people, and an A4
print of the widest report (headless Chromium --print-to-pdf) loses no column of any table."""

from __future__ import annotations

import re
import shutil
import subprocess

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from cm_research.dictionary import measures_catalogue

pytestmark = pytest.mark.notebook
CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser")) if p), None)
NBCONVERT_DEFAULT = "No description has been provided for this image"


def _pages(run):
    """Every notebook report of the run (pages written by notebooks, beside their .ipynb)."""
    return {p: BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
            for p in sorted(run.rglob("*.html")) if p.with_suffix(".ipynb").exists() and "restricted" not in p.parts}


def test_every_figure_of_the_demo_has_an_alt_text_that_describes_it(shared_demo_run):
    titles = measures_catalogue()["title"]
    pages = _pages(shared_demo_run)
    n_images = 0
    for path, soup in pages.items():
        alts = [img.get("alt", "") for img in soup.find_all("img")]
        n_images += len(alts)
        for alt in alts:
            assert alt.strip() and alt != NBCONVERT_DEFAULT and len(alt.split()) >= 5, (path.name, alt)
        assert len(set(alts)) == len(alts), f"{path}: two figures share one description"
        if path.name != "02_outcomes.html":
            continue
        # each outcome figure saved as <measure>.png is described by an alt text naming that measure, in the
        # words of the kind of chart it is (a yes/no outcome is a bar chart of proportions, not a before/after)
        comparisons = pd.read_csv(path.parent / "comparisons.csv").set_index("measure")
        for measure in [m for m in comparisons.index if (path.parent / f"{m}.png").exists()]:
            title = titles[measure]
            own = [a for a in alts if a.startswith(f"{title}:")]
            assert len(own) == 1, (path, measure, alts)
            if comparisons.at[measure, "kind"] == "binary":
                assert "proportion" in own[0] or "percentage" in own[0], own[0]
                assert "before and after" not in own[0], own[0]
            else:
                assert "before" in own[0], own[0]
        if (path.parent / "forest_standardised.png").exists():
            forest = [a for a in alts if a.startswith("Forest plot")]
            assert len(forest) == 1 and all(titles[m] in forest[0] for m in comparisons.index
                                            if comparisons.at[m, "kind"] == "continuous"
                                            and pd.notna(comparisons.at[m, "effect_size"]))
        for png in path.parent.glob("reliable_change_*.png"):
            measure = png.stem.removeprefix("reliable_change_")
            assert sum(titles[measure] in a and "reliable" in a.lower() for a in alts) == 1, (measure, alts)
        completeness = pages.get(path.parent / "01_data_quality.html")
        if completeness is not None:  # drawn by plot_completeness, titled "Outcome data recorded (%)"
            alt = completeness.find("img")["alt"]
            assert alt.startswith('Heat map titled "Outcome data recorded (%)": Outcome data were recorded for'), alt
    assert n_images >= 20


def _has_number(alt: str) -> bool:
    return bool(re.search(r"\d", alt.replace("fewer than 6", "fewer than six"))) or "fewer than 6" in alt


def test_every_figure_states_a_number_and_is_followed_by_its_data(shared_demo_run):
    """WCAG 2.1 1.1.1: the alt text states what the figure finds (with a number, or "fewer than 6" where the
    numbers are suppressed, never a withheld count), and each figure links to its numbers: a CSV linked in its
    caption, or a "Data for this figure" table in a <details> element inside the <figure>."""
    n = 0
    for path, soup in _pages(shared_demo_run).items():
        for img in soup.find_all("img"):
            n += 1
            alt = img.get("alt", "")
            assert _has_number(alt), (path.name, alt)
            assert not re.search(r"(?<= )c(?=[;.])", alt.split("(c:")[0]), (path.name, alt)  # a bare "c" value
            figure = img.find_parent("figure")
            assert figure is not None, (path.name, alt)
            caption_link = figure.figcaption is not None and figure.figcaption.find("a", href=True) is not None
            details = figure.find("details")
            table = details.find("table") if details is not None else None
            assert caption_link or (details.summary.get_text() == "Data for this figure" and table is not None
                                    and table.find("td") is not None), (path.name, alt)
            if caption_link:
                href = figure.figcaption.find("a", href=True)["href"]
                assert (path.parent / href).exists(), (path.name, href)
    assert n >= 20


def test_every_report_has_a_title_and_a_description(shared_demo_run):
    for path, soup in _pages(shared_demo_run).items():
        title = soup.title.get_text()
        assert title != "Notebook" and ":" in title or path.parent.name == "all-sites", (path, title)
        site_folder = path.parent.name
        if site_folder not in ("all-sites",):
            assert site_folder.replace("-", " ") in title.lower(), (path, title)
        description = soup.find("meta", attrs={"name": "description"})
        assert description is not None and len(description["content"].split()) >= 8, path


def test_the_index_names_reports_and_links_the_manifest_with_relative_paths(shared_demo_run):
    page = (shared_demo_run / "index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    assert soup.find("a", href="manifest.json") is not None
    assert "Site report: mentoring outcomes, voices and costs" in page and "Data quality" in page
    assert str(shared_demo_run) not in page and "/tmp/" not in page
    sites = [li.get_text() for li in soup.find_all("li")]
    assert any(s.startswith("Easton: 3 of 3 reports ready") for s in sites), sites
    for a in soup.find_all("a"):
        assert not a["href"].startswith("/"), a["href"]


@pytest.mark.skipif(CHROMIUM is None or shutil.which("pdftotext") is None,
                    reason="needs Chromium and pdftotext (Debian packages chromium, poppler-utils)")
def test_an_a4_print_of_the_widest_report_loses_no_column(shared_demo_run, tmp_path):
    page = shared_demo_run / "easton" / "06_site_report.html"  # matches, evidence by outcome: the widest tables
    pdf = tmp_path / "report.pdf"
    done = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                           "--disable-background-networking", "--disable-component-update", "--no-first-run",
                           f"--user-data-dir={tmp_path / 'profile'}", f"--print-to-pdf={pdf}", page.as_uri()],
                          capture_output=True, text=True, timeout=180)
    assert pdf.exists(), done.stderr[-2000:]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"Page size:\s+59[45]\.\d+ x 841\.\d+ pts \(A4\)", info), info
    # Chromium paints a table row cell by cell, so `pdftotext -raw` gives each row's cells in order: every row of
    # every table must be found whole (whitespace aside). Without the print stylesheet, the evidence table loses
    # its right-hand columns here, and this fails.
    printed = re.sub(r"\s+", "", subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True,
                                                text=True, check=True).stdout)
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    rows = [[re.sub(r"\s+", "", cell.get_text()) for cell in tr.find_all(["th", "td"])]
            for table in soup.find_all("table") for tr in table.find_all("tr")]
    assert len(rows) >= 40 and max(len(r) for r in rows) >= 10
    lost = ["".join(r) for r in rows if "".join(r) not in printed]
    assert not lost, lost[:5]
    assert "::-webkit-scrollbar" in page.read_text(encoding="utf-8")  # no scrollbar drawn on paper


def test_the_site_report_word_copy_holds_what_the_page_shows(shared_demo_run):
    from docx import Document

    page = shared_demo_run / "easton" / "06_site_report.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    doc = Document(str(page.with_suffix(".docx")))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "Site report: mentoring outcomes, voices and costs"
    assert {"1. Who took part", "6. Evidence by outcome", "7. Cost"} <= set(headings)
    assert doc.core_properties.title == soup.title.get_text() == "Site report: mentoring outcomes, voices and costs: Easton"
    # every table, cell for cell (so the suppressed c cells are the page's), and every figure with its alt text
    page_tables = [[[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])] for tr in t.find_all("tr")]
                   for t in soup.find_all("table")]
    word_tables = [[[cell.text for cell in row.cells] for row in t.rows] for t in doc.tables]
    assert word_tables == [[r for r in t if r] for t in page_tables]
    assert any("c" in row for t in word_tables for row in t), "the demo's suppressed cells reach the Word copy"
    alts = [img["alt"] for img in soup.find_all("img")]
    word_alts = [shape._inline.docPr.get("descr") for shape in doc.inline_shapes]
    assert word_alts == alts and len(alts) >= 4
    assert "SYN-" not in "\n".join(p.text for p in doc.paragraphs)
