"""Red team of the practitioners' app (app3): hostile file names and careless use, driven through the app's own
widgets as the page drives them (a ``FileUpload`` value set, a button clicked), without a browser.

Each test is a hole found by attacking the running app; the attacks that found nothing are listed in the
branch's report. SYNTHETIC data only (tests/app/builders.py).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil

import ipywidgets as w
import pytest

from cm_research.app import reports, review, uploads
from cm_research.app.errors import ProjectFolderError
from cm_research.app.project import Project
from cm_research.app.ui import App
from tests.app import builders


def _upload(widget: w.FileUpload, *files: tuple[str, bytes]) -> None:
    """What the page sends when files are chosen: the widget's value, as ipywidgets 8 holds it."""
    widget.value = tuple({"name": name, "type": "", "size": len(content), "content": memoryview(content),
                          "last_modified": dt.datetime(2025, 6, 10, tzinfo=dt.timezone.utc)} for name, content in files)


def _all(box: w.Widget, kind: type) -> list:
    """Every widget of ``kind`` in ``box``, depth first."""
    found = []

    def walk(widget):
        if isinstance(widget, kind):
            found.append(widget)
        for child in getattr(widget, "children", ()):
            walk(child)

    walk(box)
    return found


def _find(box: w.Widget, kind: type, n: int = 0) -> w.Widget:
    return _all(box, kind)[n]


def _transcript(name: str) -> bytes:
    pseudonym, role, turns = builders.TRANSCRIPTS[name]
    lines = ["# SYNTHETIC INTERVIEW for the app's tests", f"Pseudonym: {pseudonym}", f"Role: {role}",
             f"Site: {builders.SITE}", "Date: 2025-06-10", "---", *(f"{pseudonym}: {t}" for t in turns)]
    return ("\n".join(lines) + "\n").encode()


# --- hostile names ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, kept", [("site1__mentee.txt", "site1_mentee.txt"), ("CON.txt", "CON_.txt"),
                                        ("nul.txt", "nul_.txt"), ("com1.backup.txt", "com1_.backup.txt"),
                                        ("LPT9 .txt", "LPT9_.txt"), ("console.txt", "console.txt")])
def test_upload_names_hold_no_double_underscore_and_no_windows_device_name(name, kept):
    # "__" separates time, table and name in uploads/: "site1__mentee.txt" was kept as interviews/mentee.txt,
    # so "site2__mentee.txt" replaced it without a word; CON, NUL, COM1, LPT9 are devices on Windows, not files
    assert uploads.safe_upload_name(name, "interviews") == kept


def test_two_interviews_whose_names_differ_before_a_double_underscore_are_both_kept(project):
    step = App(project).interviews_step()
    _upload(_find(step, w.FileUpload), ("site1__mentee.txt", _transcript("riverside_mentee.txt")),
            ("site2__mentee.txt", _transcript("riverside_carer.txt")))
    kept = sorted(p.name for p in project.path("interviews").iterdir())
    assert kept == ["site1_mentee.txt", "site2_mentee.txt"]


def test_an_interview_uploaded_again_under_the_same_name_says_it_replaces_the_earlier_one(project):
    step = App(project).interviews_step()
    upload, shown = _find(step, w.FileUpload), _find(step, w.HTML, 2)
    _upload(upload, ("mentee.txt", _transcript("riverside_mentee.txt")))
    assert "replaces" not in shown.value
    _upload(upload, ("mentee.txt", _transcript("riverside_carer.txt")))
    assert "replaces the earlier mentee.txt" in shown.value and "uploads/interviews" in shown.value
    assert len(list(project.path("uploads", "interviews").iterdir())) == 2  # the earlier one is still kept


def test_a_hostile_file_name_is_shown_as_text_everywhere_the_page_echoes_it(project):
    app = App(project)
    data, interviews = app.data_step(), app.interviews_step()
    name = builders.HOSTILE.replace("/", "") + ".csv"
    _upload(_find(data, w.FileUpload), (name, b"participant_id,site\nSYN-1,Riverside\n"))
    _upload(_find(interviews, w.FileUpload), (name[:-4] + ".txt", _transcript("riverside_mentee.txt")),
            ("evil.exe", b"MZ"))
    shown = "".join(h.value for box in (data, interviews) for h in _all(box, w.HTML))
    assert "<script" not in shown and "<img" not in shown and "&lt;script&gt;" in shown



def test_an_html_report_downloads_as_a_file_never_opens_as_a_page():
    # a data:text/html link opened in a new tab would render the report (and any markup in it) as a page
    from cm_research.app.html import download_link

    link = download_link(b"<script>window.__cmPwned=1</script>", "site-report.html", "Download")
    assert 'href="data:application/octet-stream;base64,' in link and 'download="site-report.html"' in link
    assert "data:text/html" not in link


# --- careless use ----------------------------------------------------------------------------------------------
def test_the_project_folder_deleted_while_the_app_runs_is_explained_and_not_made_again(project, filled):
    step = App(project).data_step()
    shutil.rmtree(project.root)
    _upload(_find(step, w.FileUpload), ("participants.xlsx", filled("participants")))
    shown = _find(step, w.HTML, 2).value
    assert f"The project folder {project.root} is no longer there" in shown and 'role="alert"' in shown
    assert not project.root.exists()  # not silently made again, empty, somewhere the user did not choose


def test_a_read_only_project_folder_is_explained_in_plain_english(project, filled, monkeypatch):
    # the tests run as root, for whom nothing is read-only: the refusal the operating system gives is raised here
    target = project.path("uploads", "data")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(target))

    monkeypatch.setattr(uploads, "store_upload", refuse)
    step = App(project).data_step()
    _upload(_find(step, w.FileUpload), ("participants.xlsx", filled("participants")))
    shown = _find(step, w.HTML, 2).value
    assert f"may not write to {target}" in shown and "read-only" in shown and "Traceback" not in shown


def test_a_report_run_that_fails_half_way_is_explained_and_the_button_works_again(project, monkeypatch):
    def half_way(project, kind, **kwargs):
        kwargs["progress"](0.1, "Site report: running the analysis")
        raise OSError(28, "No space left on device", str(project.path("reports")))

    monkeypatch.setattr(reports, "run_report", half_way)
    step = App(project).reports_step()
    button = next(b for b in _all(step, w.Button) if b.description == "Run the reports")
    button.click()
    shown = " ".join(h.value for h in _all(step, w.HTML))
    assert "No space left on device" in shown and "Could not finish running the reports" in shown
    assert "running the analysis (1 of" not in shown and not button.disabled


def test_a_run_stopped_before_its_disclosure_check_says_so_and_is_not_downloaded(project):
    # the browser closed (or the app stopped) mid-run: run_batch had written manifest.json without its check
    run = project.path("reports", "20250101-000000-000000__site")
    (run / "site").mkdir(parents=True)
    (run / "site" / "06_site_report.html").write_text("<html><body>report</body></html>")
    (run / "manifest.json").write_text(json.dumps({"publication": True, "jobs": [{"status": "ok"}]}))
    internal = project.path("reports", "20250101-000001-000000__action_research")
    internal.mkdir()
    (internal / "manifest.json").write_text(json.dumps({"publication": False, "jobs": []}))
    stopped, published = reports.earlier_runs(project)
    for found in (stopped, published):
        assert not found.can_download and "did not finish" in found.verdict()
    assert "FAILED" not in published.verdict()


def test_two_browser_tabs_reviewing_at_once_keep_each_others_decisions(project):
    folder = project.path("interviews")
    for name in builders.TRANSCRIPTS:
        builders.write_transcript(folder, name)
    review.run_suggested_coding(project)
    first, second = review.ReviewSession(project), review.ReviewSession(project)  # two tabs, one sheet
    first.decide("accept")  # suggestion 1, in the first tab
    second.move(1)
    second.decide("reject")  # suggestion 2, in the second tab, which still holds the sheet as it was
    saved = review.ReviewSession(project).table["decision"].tolist()
    assert saved[:3] == ["accept", "reject", ""]
    assert second.counts() == {"accepted": 1, "rejected": 1, "undecided": len(saved) - 2}
    # the other tab replaced the sheet (an uploaded one, fewer rows): a decision on the old sheet is refused
    sheet = review.ReviewSession(project).table
    sheet.iloc[1:].to_csv(review.review_path(project), index=False)
    with pytest.raises(review.ReviewError, match="changed in another window"):
        first.decide("accept")
    assert review.ReviewSession(project).table["decision"].tolist() == saved[1:]  # nothing recorded
    assert first.current()["suggestion_id"] == sheet.iloc[2]["suggestion_id"]  # the first undecided, as it is now


def test_a_large_upload_says_it_is_being_checked_before_the_check_ends(project, filled):
    step = App(project).data_step()
    result, seen = _find(step, w.HTML, 2), []
    result.observe(lambda change: seen.append(change["new"]), names="value")
    _upload(_find(step, w.FileUpload), ("participants.xlsx", filled("participants")))
    assert "Checking participants.xlsx" in seen[0] and 'role="status"' in seen[0]
    assert "40 rows read" in seen[-1]


def test_a_link_in_the_project_folder_to_a_file_outside_is_never_read(project, tmp_path):
    # a link left in data/ (a synced or shared drive, an unpacked archive) pointing at someone else's file: the
    # site list, the check of an upload and a report run would all read that file through it
    outside = builders.write_csv(tmp_path / "elsewhere.csv", ["participant_id", "site"], [["SYN-X-1", "Elsewhere"]])
    (project.data_dir / "participants.csv").symlink_to(outside)
    with pytest.raises(ProjectFolderError, match="symbolic link"):
        Project.open(project.root)
    assert reports.sites_in_data(project) == []
    with pytest.raises(ProjectFolderError, match="participants.csv is a symbolic link"):
        reports.run_report(project, "site")
    stored = uploads.store_upload(project, "outcomes.csv", b"participant_id,measure,timepoint,date,value\n",
                                  "data", "outcomes")
    with pytest.raises(ProjectFolderError, match="symbolic link"):
        uploads.check_table_upload(project, stored, "outcomes")
    assert not list(project.path("reports").iterdir())


def test_a_second_app_on_a_port_in_use_says_so_and_opens_no_other_app(tmp_path, capsys):
    # before: it printed "The app is at http://127.0.0.1:PORT/?token=..." with its own token, then Voila's "no
    # available port could be found"; the browser it opened showed the first app's login page
    import socket

    from cm_research.app.errors import PortInUseError
    from cm_research.app.server import HOST, serve

    with socket.socket() as first:
        first.bind((HOST, 0))
        first.listen()
        port = first.getsockname()[1]
        with pytest.raises(PortInUseError, match=f"port {port} .*already in use.*--port {port + 1}"):
            serve(tmp_path / "my-evaluation", port=port, open_browser=False)
    assert "The app is at" not in capsys.readouterr().out


def test_a_review_sheet_uploaded_with_a_formula_is_kept_as_text(project):
    # the sheet uploaded back was copied byte for byte to review/, and "Download the review sheet" handed the
    # formula to Excel; it is now written as every export is (a formula-like cell kept as text)
    for name in builders.TRANSCRIPTS:
        builders.write_transcript(project.path("interviews"), name)
    review.run_suggested_coding(project)
    sheet = review.ReviewSession(project).table
    sheet.loc[1, "quote"] = '=HYPERLINK("http://example.invalid","open")'
    sheet.loc[0, "decision"] = "accept"
    upload = uploads.store_upload(project, "reviewed.csv", sheet.to_csv(index=False).encode(), "review")
    assert review.load_reviewed_upload(project, upload)["accepted"] == 1
    current = review.ReviewSession(project).table
    assert current.loc[1, "quote"] == '\'=HYPERLINK("http://example.invalid","open")'
    assert list(current["decision"]) == list(sheet["decision"]) and len(current) == len(sheet)
