"""The app's logic without a browser (issue 26): project folder, uploads, cycle form, review, report downloads.

SYNTHETIC data only (tests/app/builders.py). The browser path is in test_app_browser.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from cm_research.app import cycle_form, reports, review, uploads
from cm_research.app.errors import CycleFormError, DownloadRefused, ProjectFolderError, ReviewError, UploadError
from cm_research.app.html import download_link, table_html
from cm_research.app.project import Project
from tests.app import builders


# --- project folder ------------------------------------------------------------------------------------------
def test_project_is_made_on_first_start_with_its_folders(tmp_path):
    project = Project.open(tmp_path / "my-evaluation")
    assert sorted(p.name for p in project.root.iterdir() if p.is_dir()) == sorted(
        ["templates", "uploads", "data", "cycles", "interviews", "review", "reports"])
    assert str(project.root) in project.describe()


@pytest.mark.parametrize("part", ["../outside.txt", "/etc/passwd", "data/../../x", "a\x00b"])
def test_no_path_outside_the_project(project, part):
    with pytest.raises(ProjectFolderError):
        project.path(part)


def test_a_symlink_project_folder_is_refused(tmp_path):
    real = tmp_path / "elsewhere"
    real.mkdir()
    os.symlink(real, tmp_path / "link")
    with pytest.raises(ProjectFolderError, match="symbolic link"):
        Project.open(tmp_path / "link")
    with pytest.raises(ProjectFolderError, match="symbolic link"):
        Project.open(tmp_path / "link" / "inside")


def test_a_symlink_inside_the_project_pointing_out_is_not_followed(project, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not yours")
    os.symlink(secret, project.root / "data" / "leak.txt")
    with pytest.raises(ProjectFolderError):
        project.path("data", "leak.txt")


# --- uploads -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, kept", [("../../etc/passwd.csv", "passwd.csv"), ("/etc/cron.d/x.csv", "x.csv"),
                                        ("..\\..\\windows\\evil.csv", "evil.csv"), ("C:\\Users\\me\\a b.csv", "a b.csv"),
                                        ("<script>.csv", "_script_.csv")])
def test_upload_names_keep_only_the_last_part(name, kept):
    assert uploads.safe_upload_name(name, "data") == kept


@pytest.mark.parametrize("name", ["a\x00.csv", "", "..", "x.exe", "participants.xlsm", "notes.html", ".csv"])
def test_bad_upload_names_are_refused(name):
    with pytest.raises(UploadError):
        uploads.safe_upload_name(name, "data")


def test_oversize_wrong_type_and_empty_uploads_are_refused_and_nothing_kept(project):
    with pytest.raises(UploadError, match="MB"):
        uploads.store_upload(project, "big.csv", b"a" * (uploads.MAX_UPLOAD_BYTES + 1), "data", "participants")
    with pytest.raises(UploadError, match="not a real .xlsx"):
        uploads.store_upload(project, "participants.xlsx", b"participant_id\nX-1\n", "data", "participants")
    with pytest.raises(UploadError, match="not a text file"):
        uploads.store_upload(project, "participants.csv", b"\x7fELF\x00\x00", "data", "participants")
    with pytest.raises(UploadError, match="empty"):
        uploads.store_upload(project, "participants.csv", b"", "data", "participants")
    assert not any((project.root / "uploads").rglob("*.*"))


def test_uploads_are_kept_with_their_time_and_never_overwritten(project):
    first = uploads.store_upload(project, "participants.csv", b"a\n1\n", "data", "participants")
    second = uploads.store_upload(project, "participants.csv", b"a\n2\n", "data", "participants")
    assert first != second and first.read_bytes() == b"a\n1\n" and second.read_bytes() == b"a\n2\n"
    assert [p.name for p in uploads.uploads_of(project, "data", "participants")] == [first.name, second.name]
    table = uploads.uploads_table(project)
    assert list(table["file"]) == ["participants.csv", "participants.csv"]
    assert table["uploaded"].str.match(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d").all()


def test_upload_with_three_mistakes_then_corrected(project, filled):
    stored = uploads.store_upload(project, "participants.xlsx", filled("participants", True), "data", "participants")
    check = uploads.check_table_upload(project, stored, "participants")
    # the three mistakes, by sheet, Excel row and column: two optional cells blanked, one row held back
    found = set(zip(check.problems["row"].astype(int), check.problems["column"]))
    assert found == set(builders.MISTAKES)
    assert (check.problems["sheet"] == "participants").all()
    assert list(check.blanked["row"]) == [4, 8] and list(check.held_back["row"]) == [6]
    assert (check.n_read, check.n_valid) == (builders.N, builders.N - 1)
    assert "1 held back" in check.summary() and "2 with a cell left blank" in check.summary()
    assert (project.data_dir / "participants.xlsx").read_bytes() == stored.read_bytes()

    again = uploads.store_upload(project, "participants.xlsx", filled("participants"), "data", "participants")
    corrected = uploads.check_table_upload(project, again, "participants")
    assert corrected.problems.empty and corrected.n_valid == builders.N
    diff = uploads.compare_checks(check, corrected)
    assert list(diff["status"]) == ["fixed"] * 3 and list(diff["row"]) == ["4", "6", "8"]
    assert "3 problem(s) fixed, 0 still there, 0 new" in uploads.difference_sentence(diff)
    assert stored.exists() and again.exists()  # the first upload is still there


def test_outcomes_are_checked_against_the_current_participants(project, filled):
    for table in ("participants", "outcomes"):
        stored = uploads.store_upload(project, f"{table}.xlsx", filled(table, table == "participants"), "data", table)
        check = uploads.check_table_upload(project, stored, table)
    # SYN-RV-005 is held back in participants (row 6), so its 4 outcome rows are held back too
    assert check.n_valid == builders.N * 4 - 4
    assert set(check.held_back["row"]) == {18, 19, 20, 21}


def test_markup_in_cells_is_shown_as_text(project, filled):
    stored = uploads.store_upload(project, "participants.xlsx", filled("participants", True), "data", "participants")
    shown = table_html(uploads.check_table_upload(project, stored, "participants").problems, "Problems")
    assert "<script>" not in shown and "<img" not in shown and "&lt;script&gt;" in shown


def test_guess_table():
    assert uploads.guess_table("Outcomes (v2).xlsx") == "outcomes"
    assert uploads.guess_table("survey_comments.csv") == "survey_comments"
    assert uploads.guess_table("notes.xlsx") is None


def test_download_link_is_a_data_uri_with_an_escaped_name():
    import base64
    import re

    link = download_link(b"abc", 'x"><script>.csv', "Download")
    assert "<script>" not in link
    href = re.search(r'href="data:text/csv;base64,([^"]+)"', link).group(1)
    assert base64.b64decode(href) == b"abc"


# --- the cycle form ------------------------------------------------------------------------------------------
def _form(**changes) -> cycle_form.CycleForm:
    values = {**builders.CYCLE, **changes}
    actions = [cycle_form.Action(d, a, w) for d, w, a in builders.ACTIONS]
    return cycle_form.CycleForm(**values, actions=actions)


def test_cycle_form_problems_name_the_field(project):
    blank = cycle_form.form_problems(cycle_form.CycleForm(), project)
    assert {f for f, _ in blank} == {"question", "context", "baseline", "actions", "observations", "reflection",
                                     "next_cycle"}
    bad = cycle_form.form_problems(_form(start="31/02/2025", end="2024-01-01"), project)
    assert ("start", "'31/02/2025' is not a date (write 2024-09-02 or 02/09/2024)") in bad
    late = _form()
    late.actions.append(cycle_form.Action("2026-01-05", "after the end", "us"))
    problems = cycle_form.form_problems(late, project)
    assert problems == [("actions", "action 3: 2026-01-05 is outside the cycle's period (2024-09-02 to 2025-07-18)")]
    assert not list(project.path("cycles").iterdir())  # the draft is removed


def test_cycle_form_saves_the_file_notebook_07_reads(project):
    from cm_research.surveys.cycle import load_cycle

    with pytest.raises(CycleFormError):
        cycle_form.save_cycle(_form(question=""), project)
    kept = cycle_form.save_cycle(_form(), project)
    cycle = load_cycle(project.data_dir / "action_research_cycle.yaml")
    assert cycle.question == builders.CYCLE["question"]
    assert str(cycle.start) == "2024-09-02" and str(cycle.end) == "2025-07-18"
    assert list(cycle.actions["action"]) == ["Weekly sessions began", "Carers' evening"]
    assert list(cycle.actions["who"]) == ["dance company", "Virtual School"]
    assert cycle.observations == ["Attendance at sessions was high.", "Carers asked for more sessions."]
    assert cycle.reflection == [builders.CYCLE["reflection"]]
    second = cycle_form.save_cycle(_form(cycle="2"), project)
    earlier = cycle_form.earlier_cycles(project)
    assert list(earlier["cycle"]) == ["2", "1"] and kept.exists() and second.exists()
    assert cycle_form.form_from_file(kept).actions[1].date == "07/01/2025"


# --- review --------------------------------------------------------------------------------------------------
def _interviews(project):
    for name in builders.TRANSCRIPTS:
        builders.write_transcript(project.path("interviews"), name)


def test_review_accept_reject_recode_is_read_back_by_the_thematic_reader(project):
    from cm_research.qual.codebook import load_codebook
    from cm_research.qual.coding import read_review_csv
    from cm_research.qual.transcripts import read_transcripts

    with pytest.raises(ReviewError):
        review.ReviewSession(project)
    _interviews(project)
    run = review.run_suggested_coding(project)
    assert run.n_transcripts == 3 and run.n_suggestions > 3
    session = review.ReviewSession(project)
    first = session.current()
    assert first["n"] == 1 and first["decision"] == ""
    session.decide("accept")
    session.decide("reject")
    other = next(code for _, code in session.codes if code != session.current()["code"])
    session.decide("reject", code=other)  # a recode is an acceptance under the new code
    with pytest.raises(ReviewError):
        session.decide("maybe")
    read = read_review_csv(review.review_path(project), read_transcripts(project.path("interviews")),
                           load_codebook())
    assert list(read["decision"][:3]) == ["accept", "reject", "accept"]
    assert read["code"].iloc[2] == other and session.counts()["accepted"] == 2
    # a new session starts at the first undecided suggestion
    assert review.ReviewSession(project).current()["n"] == 4
    basis, themes, quotes = review.themes_by_role(project)
    assert "2 reviewed suggestions accepted; 1 rejected" in basis
    assert not themes.empty and set(quotes.columns) == {"theme", "role", "quote"}


def test_an_uploaded_review_sheet_with_a_bad_decision_is_refused(project):
    from cm_research.qual.errors import CodingImportError

    _interviews(project)
    review.run_suggested_coding(project)
    sheet = pd.read_csv(review.review_path(project), dtype=str, keep_default_na=False)
    sheet.loc[0, "decision"] = "perhaps"
    path = project.path("uploads", "bad.csv")
    sheet.to_csv(path, index=False)
    with pytest.raises(CodingImportError, match="perhaps"):
        review.load_reviewed_upload(project, path)
    sheet.loc[0, "decision"] = "yes"
    sheet.to_csv(path, index=False)
    assert review.load_reviewed_upload(project, path)["accepted"] == 1


# --- report downloads ----------------------------------------------------------------------------------------
def _run(tmp_path: Path, publication: bool, passed: bool) -> reports.ReportRun:
    html = tmp_path / "06_site_report.html"
    html.write_text("<html></html>")
    html.with_suffix(".docx").write_bytes(b"PK")
    return reports.ReportRun("site", "Site report", tmp_path / "20250101-000000-000000__site", publication, "ok",
                             passed, {} if passed else {"small_count": 2}, html=html, docx=html.with_suffix(".docx"))


def test_a_published_report_whose_check_failed_is_not_downloaded(tmp_path):
    refused = _run(tmp_path, publication=True, passed=False)
    assert not refused.can_download and "FAILED (2 small count)" in refused.verdict()
    with pytest.raises(DownloadRefused, match="may not be published"):
        reports.download_file(refused, "docx")
    internal = _run(tmp_path, publication=False, passed=False)
    path, name = reports.download_file(internal, "docx")
    assert name.endswith("-INTERNAL-NOT-FOR-PUBLICATION.docx") and "NOT FOR PUBLICATION" in internal.verdict()
    assert reports.download_file(_run(tmp_path, True, True), "docx")[1] == "site-report-20250101-000000.docx"


def test_report_parameters_point_at_the_project(project):
    _interviews(project)
    params = reports.report_parameters(project, "site", site="Riverside")
    assert params == {"data_dir": str(project.data_dir), "site": "Riverside",
                      "transcripts_dir": str(project.path("interviews"))}
    assert reports.report_parameters(project, "action_research") == {"data_dir": str(project.data_dir)}


# --- the server and what the page shows ----------------------------------------------------------------------
def test_voila_is_configured_for_loopback_a_token_and_no_files():
    import re

    from cm_research.app.server import HOST, voila_config

    c = voila_config(8999, "secret-token")
    assert HOST == "127.0.0.1" and c.Voila.ip == "127.0.0.1" and c.Voila.token == "secret-token"
    assert c.Voila.port_retries == 0 and c.VoilaConfiguration.show_tracebacks is False
    for path in ("Start here.ipynb", "a.png", "../../etc/passwd", "data/participants.xlsx"):
        assert not any(re.fullmatch(p, path) for p in c.VoilaConfiguration.file_allowlist)
        assert any(re.fullmatch(p, path) for p in c.VoilaConfiguration.file_denylist)
    assert c.Voila.tornado_settings["websocket_max_message_size"] > uploads.MAX_UPLOAD_BYTES


def test_cm_research_app_refuses_a_project_folder_that_is_a_symlink_out(tmp_path, capsys):
    from cm_research.cli import main

    os.symlink(tmp_path, tmp_path.parent / f"{tmp_path.name}-link")
    assert main(["app", "--no-browser", "--project", str(tmp_path.parent / f"{tmp_path.name}-link")]) == 2
    assert "symbolic link" in capsys.readouterr().err


def test_transcript_text_under_review_is_shown_as_text():
    from cm_research.app.html import suggestion_html

    shown = suggestion_html({"n": 1, "total": 2, "decision": "", "negated": False, "quote": builders.HOSTILE,
                             "code_label": "<b>x</b>", "role": "mentee", "transcript": "t"},
                            {"accepted": 0, "rejected": 0})
    assert "<script>" not in shown and "<img" not in shown and "<b>x" not in shown
    assert "&lt;script&gt;window.__cmPwned=1&lt;/script&gt;" in shown


def test_a_failed_check_read_from_a_run_manifest_refuses_the_download_in_the_app(project):
    """A run folder as run_batch leaves it (manifest.json with publication and disclosure_check): the app reads
    the verdict from it and shows the refusal, with no download link."""
    import json

    import ipywidgets as w

    from cm_research.app.ui import App

    run = project.path("reports", "20250101-000000-000000__site")
    (run / "site").mkdir(parents=True)
    (run / "site" / "06_site_report.html").write_text("<html><body>report</body></html>")
    (run / "site" / "06_site_report.docx").write_bytes(b"PK")
    (run / "manifest.json").write_text(json.dumps({
        "publication": True, "jobs": [{"status": "ok"}],
        "disclosure_check": {"passed": False, "findings": 3, "kinds": {"small_count": 2, "identifier": 1}}}))
    [found] = reports.earlier_runs(project)
    assert found.publication and found.passed is False and not found.can_download
    panel = App(project)._run_panel(found, w.HTML())
    shown = panel.children[0].value
    assert "Download refused" in shown and "2 small count, 1 identifier" in shown and "data:" not in shown
    manifest = json.loads((run / "manifest.json").read_text())
    manifest["publication"] = False
    (run / "manifest.json").write_text(json.dumps(manifest))
    internal = reports.earlier_runs(project)[0]
    shown = App(project)._run_panel(internal, w.HTML()).children[0].value
    assert "INTERNAL-NOT-FOR-PUBLICATION.docx" in shown and "NOT FOR PUBLICATION" in shown


def test_the_difference_is_shown_after_a_restart_from_the_kept_uploads(project, filled):
    first = uploads.store_upload(project, "participants.xlsx", filled("participants", True), "data", "participants")
    uploads.check_table_upload(project, first, "participants")
    second = uploads.store_upload(project, "participants.xlsx", filled("participants"), "data", "participants")
    before = uploads.previous_check(project, "data", "participants", second)  # the app restarted: nothing in memory
    assert before is not None and before.stored == first
    assert (project.data_dir / "participants.xlsx").read_bytes() == first.read_bytes()  # not made current again
    after = uploads.check_table_upload(project, second, "participants")
    assert list(uploads.compare_checks(before, after)["status"]) == ["fixed"] * 3
    assert uploads.previous_check(project, "data", "participants", first) is None


def test_every_step_builds_on_a_new_project_and_with_an_empty_review_sheet(project):
    from cm_research.app.ui import App

    app = App(project)
    steps = [getattr(app, f"{s}_step")() for s in ("project", "data", "cycle", "interviews", "reports")]
    assert len(steps) == 5 and (project.root / "templates" / "survey.xlsx").exists()
    review.review_path(project).write_text(",".join(["suggestion_id", "decision", "code", "text"]) + "\n")
    assert App(project).interviews_step() is not None  # says there is nothing to review, does not fail


def test_the_review_sheet_saved_by_the_app_runs_no_formula(project):
    """An uploaded sheet from another tool may carry a quote typed as a formula; when the app saves a decision
    the sheet is written as every other export is, with such a cell kept as text (a leading apostrophe)."""
    _interviews(project)
    review.run_suggested_coding(project)
    path = review.review_path(project)
    sheet = pd.read_csv(path, dtype=str, keep_default_na=False)
    sheet.loc[1, "quote"] = '=HYPERLINK("http://example.invalid","open")'
    sheet.to_csv(path, index=False)
    review.ReviewSession(project).decide("accept")
    saved = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert saved.loc[1, "quote"] == '\'=HYPERLINK("http://example.invalid","open")'
    assert saved.loc[0, "decision"] == "accept" and len(saved) == len(sheet)


@pytest.mark.parametrize("encoding, bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-le", b""), ("utf-16-be", b""),
                                           ("utf-32-le", b"\xff\xfe\x00\x00")])
def test_a_unicode_text_csv_from_excel_is_taken_and_read(project, encoding, bom):
    # hostile input round 2: its NUL bytes (half of every Latin letter) made the app refuse it as binary,
    # though the reader reads it
    text = "participant_id,measure,timepoint,date,value\nT-001,sdq_total,baseline,01/10/2023,12\n"
    stored = uploads.store_upload(project, "outcomes.csv", bom + text.encode(encoding), "data", "outcomes")
    check = uploads.check_table_upload(project, stored, "outcomes")
    assert (check.n_read, check.n_valid) == (1, 1)
    with pytest.raises(UploadError, match="holds binary data"):
        uploads.check_content("outcomes.csv", b"\xff\xfe" + b"\x00\x00\x00\x01" * 8)  # still refused: not text
