"""Formula injection in exported CSVs (item 9), identifiers de-identification missed (item 13), absolute paths in
headings and footers (item 12), and the Low items on `run --param` names and bundled notebooks. SYNTHETIC data."""

from __future__ import annotations

import csv
import os

import pandas as pd
import pytest

from cm_research.data import load_table
from cm_research.data.writing import formula_safe, unescape_formula_cell, write_csv
from tests.conftest import PARTICIPANTS_HEADER

FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1"]


def test_exported_cells_never_start_a_formula(tmp_path):
    frame = pd.DataFrame({"quote": FORMULAS, "value": [-3, 4.5, -1, 0, 2], "text_number": ["-3", "+4.5", "-1",
                                                                                          "1", "2"]})
    path = write_csv(frame, tmp_path / "quotes.csv")
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert all(r["quote"].startswith("'") for r in rows)
    assert [r["value"] for r in rows] == ["-3.0", "4.5", "-1.0", "0.0", "2.0"]  # numbers stay numbers
    assert [r["text_number"] for r in rows] == ["-3", "+4.5", "-1", "1", "2"]
    assert [unescape_formula_cell(r["quote"]) for r in rows] == FORMULAS  # our readers get the text back
    # a lone carriage return would start a new row in every reader: it is written as a line break (and a formula
    # after it is still text: round 3)
    lone = write_csv(pd.DataFrame({"quote": ["\r=1+1", "a\rb"]}), tmp_path / "cr.csv")
    with open(lone, newline="", encoding="utf-8") as handle:
        assert [r["quote"] for r in csv.DictReader(handle)] == ["'\n=1+1", "a\nb"]


def test_the_quarantine_file_is_formula_safe(write_file, tmp_path):
    row = "=1+1,Testshire,2023/24,8,KS3,looked_after,,,comparison,,,"
    result = load_table(write_file("participants.csv", [PARTICIPANTS_HEADER, row]), "participants")
    out = result.write_quarantine(tmp_path / "restricted")
    text = out.read_text(encoding="utf-8")
    assert "'=1+1" in text and ",=1+1" not in text


def test_coding_review_round_trip_keeps_the_text(tmp_path):
    from cm_research.qual.coding import _read_csv

    frame = pd.DataFrame({"transcript": ["t1"], "quote": ["=cmd"], "decision": ["accept"]})
    write_csv(frame, tmp_path / "review.csv")
    _, rows = _read_csv(tmp_path / "review.csv")
    assert rows[0][1]["quote"] == "=cmd"
    assert formula_safe(frame)["quote"].iloc[0] == "'=cmd"


def test_deidentification_catches_what_survived(tmp_path):
    # item 13: nicknames, diacritics, a school's short name, a spelt-out email and a lower-case address
    from cm_research.privacy.deidentify import deidentify_text

    register = pd.DataFrame({"name": ["Katherine Lowe", "Priyanka Shah", "Zoë Adams", "Oakfield Academy",
                                      "Jamie Price", "Tyler Brooks"],
                             "role": ["mentee", "mentor", "mentee", "school", "mentee", "mentee"]})
    text = ("Mentor: Kay said Priya and Zoe met at Oakfield.\nCarer: Email jamie dot price at gmail dot com, "
            "I live at 14 station road. Ty came too.\n")
    result = deidentify_text(text, register)
    for leaked in ("Kay", "Priya", "Zoe", "Oakfield", "jamie dot price", "station road", "Ty "):
        assert leaked not in result.text, (leaked, result.text)
    assert result.text.count("\n") == text.count("\n")  # lines kept for the thematic analysis
    assert "[Mentee-2] met at [School]" in result.text and "[Address]. " in result.text
    assert set(result.flags.loc[result.flags["word"].isin(["Kay", "Priya", "Ty"]), "reason"]) == {
        "nickname_of_register_name"}


def test_a_site_named_like_a_folder_stays_a_name(tmp_path, monkeypatch):
    # item 12: `site: northshire` beside a folder `northshire/`
    from cm_research.batch import config as batch_config
    from cm_research.batch.config import build_config

    monkeypatch.setattr(batch_config, "notebook_parameters", lambda nb: {"site": {}, "transcripts_dir": {}})
    (tmp_path / "northshire").mkdir()
    (tmp_path / "transcripts").mkdir()
    doc = {"notebooks": ["03_thematic_analysis"], "sites": [{"site": "northshire", "transcripts_dir": "transcripts"}]}
    config = build_config(doc, tmp_path)
    params = config.sites[0].parameters
    assert params["site"] == "northshire"
    assert os.path.isabs(params["transcripts_dir"])  # a path parameter is still resolved


def test_footers_name_files_not_where_they_sit(tmp_path):
    from cm_research.batch.provenance import footer_html

    footer = footer_html({"site": "Northshire", "transcripts_dir": str(tmp_path / "secret" / "transcripts"),
                          "coding_file": str(tmp_path / "secret" / "coding.csv")}, {}, "2024-01-01")
    assert str(tmp_path) not in footer and "coding.csv" in footer and "transcripts" in footer


@pytest.mark.parametrize("name", ["x;import os;os.system('touch pwned');y", "__import__('os').system('id')",
                                  "1abc", "class", "a b"])
def test_a_parameter_name_is_never_code(name, tmp_path):
    import argparse

    from cm_research.batch.execute import check_parameter_names
    from cm_research.cli import _parse_param
    from cm_research.errors import ParameterError

    with pytest.raises(argparse.ArgumentTypeError, match="is not a parameter name"):
        _parse_param(f"{name}=1")
    with pytest.raises(ParameterError, match="cannot be used"):
        check_parameter_names({name: 1})
    assert not (tmp_path / "pwned").exists()


def test_a_file_in_the_current_folder_does_not_replace_a_bundled_notebook(tmp_path, monkeypatch):
    from cm_research.batch.execute import NOTEBOOKS_DIR, notebook_path

    monkeypatch.chdir(tmp_path)
    for planted in ("01_data_quality", "01_data_quality.ipynb"):
        (tmp_path / planted).write_text("{}", encoding="utf-8")
        assert notebook_path(planted) == NOTEBOOKS_DIR / "01_data_quality.ipynb"
    # a local copy still runs when asked for by path
    assert notebook_path("./01_data_quality.ipynb").resolve() == (tmp_path / "01_data_quality.ipynb").resolve()


@pytest.mark.parametrize("cell", ["\uff1d1+1", "\uff0bcmd|' /C calc'!A0", "\uff0d2+3", "\uff20SUM(1+1)",
                                  " =HYPERLINK(\"http://evil.example\")", "\n=1+1", "\u00a0=1+1", "\u3000=1+1"])
def test_full_width_and_space_led_formulas_are_text_too(tmp_path, cell):
    # round 3: a full-width ＝ is read as = by Excel with an East Asian keyboard, and LibreOffice's "trim spaces"
    # import makes " =1+1" a formula
    path = write_csv(pd.DataFrame({"quote": [cell, "-3", " -3", "plain"]}), tmp_path / "quotes.csv")
    with open(path, newline="", encoding="utf-8") as handle:
        written = [r["quote"] for r in csv.DictReader(handle)]
    assert written == ["'" + cell, "-3", " -3", "plain"]
    assert [unescape_formula_cell(v) for v in written] == [cell, "-3", " -3", "plain"]


def test_a_site_named_like_a_formula_is_text_in_the_synthesis_tables(tmp_path):
    from cm_research.report.synthesis import synthesise, write_synthesis

    sites = pd.DataFrame({"measure": ["sdq_total"] * 2, "scale": ["difference"] * 2, "estimate": [-2.0, -0.5],
                          "se": [1.0, 0.8], "site": ['=HYPERLINK("http://evil.example","A")', "+cmd|' /C calc'!A0"]})
    write_synthesis(synthesise(sites, method="DL", hartung_knapp=False), tmp_path)
    for name in ("site_effects.csv", "forest_sdq_total_data.csv"):
        with open(tmp_path / name, newline="", encoding="utf-8") as handle:
            cells = [v for row in csv.reader(handle) for v in row]
        assert '=HYPERLINK("http://evil.example","A")' not in cells and "+cmd|' /C calc'!A0" not in cells, name
        assert "'=HYPERLINK(\"http://evil.example\",\"A\")" in cells


def test_the_disclosure_findings_file_is_formula_safe(tmp_path):
    from cm_research.privacy.scan import record_disclosure_check

    findings = pd.DataFrame({"file": ["a.html"], "location": ["line 1"], "kind": ["email"],
                             "text": ["=cmd|' /C calc'!A0 jo@example.org"]})
    record_disclosure_check(tmp_path, findings)
    text = (tmp_path / "restricted" / "disclosure_findings.csv").read_text(encoding="utf-8")
    assert ",'=cmd" in text and ",=cmd" not in text


@pytest.mark.parametrize("site, slug", [("Con", "con-site"), ("NUL", "nul-site"), ("com1", "com1-site"),
                                        ("LPT9", "lpt9-site"), ("Console", "console"), ("Aux Valley", "aux-valley")])
def test_a_site_named_like_a_windows_device_gets_a_folder_windows_can_make(site, slug):
    # round 3: a run folder named con/ or nul/ cannot be created, opened or deleted on Windows
    from cm_research.batch.config import slugify

    assert slugify(site) == slug


@pytest.mark.parametrize("name, kept", [("CON.csv", "CON_.csv"), ("nul.backup.csv", "nul_.backup.csv"),
                                        ("com1 .csv", "com1_.csv"), ("console.csv", "console.csv")])
def test_an_upload_named_like_a_windows_device_is_kept_under_a_name_windows_can_make(name, kept):
    from cm_research.app.uploads import safe_upload_name

    assert safe_upload_name(name, "data") == kept
