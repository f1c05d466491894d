"""Pre-publication scan: it passes the clean synthetic demo run and finds identifiers planted in it."""

import json
import shutil

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from cm_research.datasets import load_dataset
from cm_research.privacy.errors import DisclosureScanError, RegisterError
from cm_research.privacy.scan import (
    NOT_FOR_PUBLICATION,
    check_disclosure,
    disclosure_banner,
    format_findings,
    load_scan_register,
    png_text_chunks,
    record_disclosure_check,
)


@pytest.fixture(scope="module")
def demo_run(shared_demo_run):
    """A clean synthetic demo run: the whole demo, built once for the suite (``shared_demo_run`` in
    tests/conftest.py, which is always there)."""
    return shared_demo_run


@pytest.fixture(scope="module")
def demo_ids():
    """The demo's participant ids (synthetic, SYN-..) serve as the register."""
    return load_dataset("demo")["participants"]["participant_id"].tolist()


def copy_run(demo_run, tmp_path):
    target = tmp_path / "run"
    shutil.copytree(demo_run, target)
    return target


def rows(findings):
    return [tuple(r) for r in findings[["file", "location", "kind", "text"]].itertuples(index=False)]


@pytest.mark.notebook
def test_the_clean_demo_run_passes(demo_run, demo_ids):
    assert len(demo_ids) > 200 and all(i.startswith("SYN-") for i in demo_ids)
    findings = check_disclosure(demo_run, demo_ids)
    assert findings.empty, format_findings(findings)
    scanned = {p.suffix for p in demo_run.rglob("*") if p.is_file()}
    assert {".html", ".ipynb", ".csv", ".png"} <= scanned
    assert findings.attrs["n_files"] >= 10
    # the data-correction files name rows on purpose: they are skipped as restricted, and said to be
    assert "easton/restricted/problems.csv" in findings.attrs["skipped"]
    assert "easton/restricted/quarantine_outcomes.csv" in findings.attrs["skipped"]


@pytest.mark.notebook
def test_the_register_does_see_the_demo_ids_when_a_restricted_file_is_published(demo_run, demo_ids, tmp_path):
    run = copy_run(demo_run, tmp_path)
    (run / "easton" / "restricted" / "problems.csv").rename(run / "easton" / "problems_for_the_appendix.csv")
    findings = check_disclosure(run, demo_ids)
    assert set(findings["file"]) == {"easton/problems_for_the_appendix.csv"}
    text = (run / "easton" / "problems_for_the_appendix.csv").read_text(encoding="utf-8")
    named = {i for i in demo_ids if i in text}  # the ids of the rows the demo plants with problems
    assert named and set(findings["text"]) == named and set(findings["kind"]) == {"register"}
    assert len(findings) == sum(text.count(i) for i in named)


@pytest.mark.notebook
def test_finds_an_identifier_planted_in_an_html_report(demo_run, demo_ids, tmp_path):
    run = copy_run(demo_run, tmp_path)
    report = run / "northshire" / "01_data_quality.html"
    lines = report.read_text(encoding="utf-8").split("\n")
    body = next(i for i, line in enumerate(lines) if line.startswith("<body"))
    lines.insert(body + 1, "<p>Case study: SYN-NS-0007 was excluded twice.</p>")
    report.write_text("\n".join(lines), encoding="utf-8")
    findings = check_disclosure(run, demo_ids)
    assert rows(findings) == [("northshire/01_data_quality.html", f"line {body + 2}", "register", "SYN-NS-0007")]


@pytest.mark.notebook
def test_finds_an_identifier_planted_in_a_notebook_output(demo_run, demo_ids, tmp_path):
    run = copy_run(demo_run, tmp_path)
    path = run / "westbury" / "01_data_quality.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    number = next(i for i, c in enumerate(nb["cells"], start=1) if c["cell_type"] == "code" and c["outputs"])
    cell = nb["cells"][number - 1]
    cell["outputs"].append({"output_type": "display_data", "metadata": {},
                            "data": {"text/html": ["<table>\n", "<tr><td>SYN-WB-0012</td><td>12</td></tr>\n", "</table>"],
                                     "text/plain": ["<table of 1 row>"]}})
    cell["outputs"].append({"output_type": "stream", "name": "stdout", "text": ["checked\n", "ask jo@example.org\n"]})
    path.write_text(json.dumps(nb), encoding="utf-8")
    findings = check_disclosure(run, demo_ids)
    n = len(cell["outputs"])
    assert rows(findings) == [
        ("westbury/01_data_quality.ipynb", f"cell {number} output {n - 1} (text/html), line 2", "register", "SYN-WB-0012"),
        ("westbury/01_data_quality.ipynb", f"cell {number} output {n} (stdout), line 2", "email", "jo@example.org"),
    ]


def test_alt_text_tables_images_and_other_files(tmp_path):
    run = tmp_path / "run"
    (run / "site" / "restricted").mkdir(parents=True)
    blob = "iVBORw0KGgoSW1A1AAde221ab" * 20  # base64 image data: never read as text
    (run / "site" / "report.html").write_text(
        "<html><body>\n"
        f'<img alt="Jamie Okoro at the gallery" src="data:image/png;base64,{blob}">\n'
        f"<script>var img = '{blob}';</script>\n"
        "<table><tr><th>Date of birth</th><th>n</th></tr></table>\n"
        "</body></html>\n", encoding="utf-8")
    (run / "site" / "notes.csv").write_text(
        "measure,note\nsdq,lives at DE22 1AB\nswemwbs,DOB 03/04/2011\n", encoding="utf-8")
    (run / "site" / "rows.csv").write_text("participant_id,value\nP-7K3M9Q2XTB,4\n", encoding="utf-8")
    fig, ax = plt.subplots()
    ax.plot([0, 1])
    fig.savefig(run / "site" / "figure.png", metadata={"Title": "Attendance of Jamie Okoro"})
    plt.close(fig)
    (run / "site" / "appendix.pdf").write_bytes(b"%PDF-1.4")
    (run / "site" / "restricted" / "mapping.csv").write_text("original\nJamie Okoro\n", encoding="utf-8")

    register = pd.DataFrame({"name": ["Jamie Okoro"], "role": ["mentee"]})
    findings = check_disclosure(run, register)
    assert rows(findings) == [
        ("site/appendix.pdf", "whole file", "unscanned_file", ".pdf: cannot be checked, so cannot be published"),
        ("site/figure.png", "image metadata `Title`", "register", "Jamie Okoro"),
        ("site/notes.csv", "row 2, column `note`", "postcode", "DE22 1AB"),
        ("site/notes.csv", "row 3, column `note`", "date_of_birth", "03/04/2011"),
        ("site/report.html", "line 2", "register", "Jamie Okoro"),  # the image's alt text
        ("site/report.html", "line 4", "identifier_column", "Date of birth"),
        ("site/rows.csv", "row 1 (header)", "identifier_column", "participant_id"),
    ]
    assert findings.attrs["skipped"] == ["site/restricted/mapping.csv"]


def test_png_text_chunks_are_read(tmp_path):
    fig, ax = plt.subplots()
    fig.savefig(tmp_path / "f.png", metadata={"Title": "T", "Description": "D"})
    plt.close(fig)
    chunks = dict(png_text_chunks(tmp_path / "f.png"))
    assert chunks["Title"] == "T" and chunks["Description"] == "D" and "Software" in chunks


def test_recording_the_result_marks_a_run_not_for_publication(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "table.csv").write_text("n,note\n3,call 07700 900123\n", encoding="utf-8")
    findings = check_disclosure(run)
    assert rows(findings) == [("table.csv", "row 2, column `note`", "phone", "07700 900123")]
    marker = record_disclosure_check(run, findings)
    assert marker == run / NOT_FOR_PUBLICATION
    text = marker.read_text()
    assert "NOT FOR PUBLICATION" in text and "table.csv: 1 x phone" in text and "07700" not in text
    assert "07700 900123" in (run / "restricted" / "disclosure_findings.csv").read_text()
    assert "NOT FOR PUBLICATION" in disclosure_banner(findings) and "07700" not in disclosure_banner(findings)
    assert format_findings(findings) == "table.csv: row 2, column `note`: phone: 07700 900123"

    (run / "table.csv").write_text("n,note\n3,fine\n", encoding="utf-8")
    again = check_disclosure(run)  # the marker and the restricted folder do not fail the next check
    assert again.empty
    assert record_disclosure_check(run, again) is None and not marker.exists()
    assert "passed" in disclosure_banner(again)


def test_registers_for_the_scan(tmp_path):
    participants = tmp_path / "participants.csv"
    participants.write_text("participant_id,site\nSYN-T-001,Testshire\nSYN-T-002,Testshire\n", encoding="utf-8")
    assert load_scan_register(participants) == ["SYN-T-001", "SYN-T-002"]
    people = pd.DataFrame({"name": ["Hope Whitaker", "Jamie Okoro"], "role": ["carer", "mentee"],
                           "participant_id": ["", "SYN-T-003"]})
    ids = load_scan_register(people)
    assert {"Hope Whitaker", "Jamie Okoro", "Whitaker", "Okoro", "Jamie", "SYN-T-003"} <= set(ids)
    assert "Hope" not in ids  # a given name that is also a word would flag every "Hope" in the prose
    bad = tmp_path / "bad.csv"
    bad.write_text("colour\nred\n", encoding="utf-8")
    with pytest.raises(RegisterError, match="bad.csv: a register for the scan needs"):
        load_scan_register(bad)


def test_a_missing_run_folder_is_an_error(tmp_path):
    with pytest.raises(DisclosureScanError, match="no such run folder"):
        check_disclosure(tmp_path / "nowhere")
