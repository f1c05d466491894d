"""The site report notebook on a demo site: one self-contained page with alt text, a contents list that
works, a provenance footer, nothing identifying; and it renders in a real (headless Chromium) browser."""

import logging
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cm_research.batch.execute import run_notebook
from cm_research.batch.provenance import footer_html, input_hashes
from cm_research.datasets import dataset_path, demo_site_dir, load_dataset
from cm_research.privacy import check_disclosure
from cm_research.report.html import notebook_to_html

pytestmark = pytest.mark.notebook
CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser")) if p), None)


@pytest.fixture(scope="module")
def westbury(tmp_path_factory):
    root = tmp_path_factory.mktemp("site_report")
    params = {"data_dir": str(demo_site_dir("westbury")), "site": "Westbury", "n_boot": 200,
              "output_dir": str(root / "tables")}
    run_notebook("06_site_report", root / "06_site_report.ipynb", params,
                 footer=footer_html(params, input_hashes(params), "2026-01-01"))
    return root, (root / "06_site_report.html").read_text(encoding="utf-8")


def test_every_figure_is_embedded_with_alt_text(westbury):
    _, page = westbury
    images = re.findall(r"<img\b[^>]*>", page)
    assert len(images) >= 4
    for tag in images:
        assert re.search(r'src="data:image/png;base64,', tag), tag[:80]  # embedded: the file can be emailed
        alt = re.search(r'alt="([^"]*)"', tag)
        assert alt and len(alt.group(1).split()) >= 5, tag[:120]
    assert page.count("<figcaption>") == len(images)
    assert not re.search(r'<link[^>]+href="https?:', page)  # no external stylesheet


def test_the_exporter_finds_no_image_without_alt_text(westbury, caplog):
    root, _ = westbury
    with caplog.at_level(logging.WARNING):
        notebook_to_html(root / "06_site_report.ipynb", root / "again.html")
    assert "Alternative text is missing" not in caplog.text


def test_contents_links_reach_their_sections_and_code_is_hidden(westbury):
    _, page = westbury
    targets = re.findall(r'href="#([a-z-]+)"', page)
    assert {"who-took-part", "matches", "what-changed", "what-people-said", "joint-display", "evidence-by-outcome",
            "cost"} <= set(targets)
    for target in targets:
        assert f'id="{target}"' in page, target
    assert "site_report(" not in page and "import " not in page  # inputs are hidden


def test_banner_footer_and_no_identifiers(westbury):
    root, page = westbury
    assert "Synthetic data." in page
    assert "participants.csv" in page and re.search(r"[0-9a-f]{12}", page)  # provenance footer with hashes
    ids = load_dataset("demo")["participants"]["participant_id"].tolist()
    assert not re.search(r"SYN-[A-Z]{2}-\d{4}", page)
    findings = check_disclosure(root, ids)
    # run here outside a batch, the executed notebook keeps papermill's record of its parameters (the data folder's
    # absolute path); a batch run for publication rewrites them. The check must find those and nothing else.
    assert set(findings["kind"]) == {"absolute_path"}, findings.to_string()
    assert set(findings["file"]) == {"06_site_report.ipynb"}, findings.to_string()


def test_cost_sentence_matches_a_hand_calculation_from_the_files(westbury):
    _, page = westbury
    folder = dataset_path("demo") / "westbury"
    costs = pd.read_csv(folder / "costs.csv")
    people = pd.read_csv(folder / "participants.csv")
    n = (people["group"] == "mentored").sum()
    total = costs["amount"].sum()
    assert f"£{total:,.0f} for {n} mentored young people: £{total / n:,.0f} per young person" in page


def test_match_and_referral_tables_recount_from_the_files(westbury):
    root, page = westbury
    folder = dataset_path("demo") / "westbury"
    matches = pd.read_csv(folder / "matches.csv")
    people = pd.read_csv(folder / "participants.csv", dtype=str, keep_default_na=False)
    published = pd.read_csv(root / "tables" / "match_survival.csv", dtype=str).set_index("group")
    assert published.loc["all matches", "matches"] == str(len(matches))  # 24 matches: large enough to show
    mentored = people[people["group"] == "mentored"]
    sessions = pd.read_csv(folder / "sessions.csv", dtype=str)
    attended = sessions[sessions["attended"].str.lower().isin(["yes", "true", "1"])]
    first = pd.to_datetime(attended["session_date"], dayfirst=True).groupby(attended["participant_id"]).min()
    first_session = mentored["participant_id"].map(first).fillna(pd.to_datetime(mentored["start_date"], dayfirst=True))
    waits = (first_session - pd.to_datetime(mentored["referral_date"], dayfirst=True)).dt.days
    spread = pd.read_csv(root / "tables" / "referrals_spread.csv").set_index("quantity")
    # the wait runs from the referral to the first session attended
    assert spread.loc["days from referral to first session", "median"] == pytest.approx(waits.median())
    assert "Kaplan" in page and "Every Child Matters" in page
    evidence = pd.read_csv(root / "tables" / "evidence_by_outcome.csv")
    assert evidence["outcome"].tolist() == ["be_healthy", "stay_safe", "enjoy_and_achieve",
                                            "make_a_positive_contribution", "achieve_economic_wellbeing"]


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian package `chromium`)")
def test_the_report_renders_in_headless_chromium(westbury, tmp_path):
    root, page = westbury
    artefacts = Path(os.environ.get("CM_TEST_ARTEFACTS", tmp_path))
    artefacts.mkdir(parents=True, exist_ok=True)
    # a copy of the page with a probe that records, once loaded, script errors and whether every image decoded
    # and occupies space on the page; the report itself carries no such script
    probe = """<script>
var cmErrors = [];
window.addEventListener('error', function (e) { if (e.message) cmErrors.push(e.message); });
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.filter(function (i) { var r = i.getBoundingClientRect();
    return i.complete && i.naturalWidth > 0 && r.width > 50 && r.height > 50
           && getComputedStyle(i).visibility !== 'hidden' && getComputedStyle(i).display !== 'none'; });
  document.body.setAttribute('data-images', imgs.length);
  document.body.setAttribute('data-images-visible', ok.length);
  document.body.setAttribute('data-errors', cmErrors.join(' | '));
});
</script>"""
    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("<head>", "<head>" + probe, 1), encoding="utf-8")
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=8000",
             "--window-size=1280,3000"]
    dom = subprocess.run([*flags, "--dump-dom", probed.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    body = re.search(r"<body[^>]*>", dom.stdout).group(0)
    n_images = int(re.search(r'data-images="(\d+)"', body).group(1))
    visible = int(re.search(r'data-images-visible="(\d+)"', body).group(1))
    errors = re.search(r'data-errors="([^"]*)"', body).group(1)
    assert n_images == len(re.findall(r"<img\b", page)) and n_images >= 4
    assert visible == n_images
    # the report links no remote scripts (report/html.py drops nbconvert's require.js and MathJax): no errors at all
    assert '<script src="http' not in page
    assert not [e for e in errors.split(" | ") if e], errors
    shot = artefacts / "site_report_westbury.png"
    run = subprocess.run([*flags, f"--screenshot={shot}", (root / "06_site_report.html").as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and shot.exists(), run.stderr[-2000:]
    import matplotlib.image as mpimg

    pixels = mpimg.imread(shot)
    assert pixels.shape[1] == 1280 and pixels[..., :3].std() > 0.05  # not a blank page
