"""Red team of the practitioners' app, round 4 (app4): what the app's own work exposes, driven through its widgets
as the page drives them, without a browser. The server's headers, the login and log-out, and the upload limits
in the page are tested against the running app in test_app_browser.py. SYNTHETIC data only."""

from __future__ import annotations

import ipywidgets as w

from cm_research.app import uploads
from cm_research.app.ui import App
from tests.app.test_app_red_team import _all, _find, _transcript, _upload


def test_more_files_than_the_app_takes_at_once_are_refused_and_nothing_is_kept(project):
    # 5,000 transcripts chosen together were each kept and listed one by one while the page waited without a
    # word; the page refuses more than MAX_FILES before sending, and the kernel checks again
    app = App(project)
    interviews, cycle = app.interviews_step(), app.cycle_step()
    content = _transcript("riverside_mentee.txt")
    too_many = [(f"mentee{i}.txt", content) for i in range(uploads.MAX_FILES + 1)]
    _upload(_find(interviews, w.FileUpload), *too_many)
    survey = next(u for u in _all(cycle, w.FileUpload) if u.description == "Upload survey answers")
    _upload(survey, *((f"survey_responses{i}.csv", b"a,b\n1,2\n") for i in range(uploads.MAX_FILES + 1)))
    shown = " ".join(h.value for box in (interviews, cycle) for h in _all(box, w.HTML))
    assert shown.count(f"{uploads.MAX_FILES + 1} files were chosen; the app takes up to {uploads.MAX_FILES} "
                       "files at a time") == 2 and shown.count('role="alert"') >= 2
    assert not any(project.path("interviews").iterdir()) and not project.path("uploads", "interviews").exists()
    assert not project.path("uploads", "survey").exists()
    _upload(_find(interviews, w.FileUpload), *too_many[:uploads.MAX_FILES])  # the limit itself is taken
    assert len(list(project.path("interviews").iterdir())) == uploads.MAX_FILES


def test_a_publication_refused_by_the_disclosure_check_says_where_the_findings_are_as_the_cli_does(project):
    # the CLI says "NOT FOR PUBLICATION: ... details in <run>/restricted"; the app said only how many of each kind
    import json

    from cm_research.app import reports

    run = project.path("reports", "20250101-000000-000000__site")
    (run / "site").mkdir(parents=True)
    (run / "site" / "06_site_report.html").write_text("<html><body>report</body></html>")
    (run / "manifest.json").write_text(json.dumps({
        "publication": True, "jobs": [{"status": "ok"}],
        "disclosure_check": {"passed": False, "findings": 1, "kinds": {"identifier": 1},
                             "details": "restricted/disclosure_findings.csv"}}))
    [found] = reports.earlier_runs(project)
    shown = App(project)._run_panel(found, w.HTML()).children[0].value
    where = run / "restricted" / "disclosure_findings.csv"
    assert "Download refused" in shown and f"The findings are listed in {where}" in shown and "data:" not in shown


def test_a_report_run_says_while_it_runs_that_it_takes_minutes_and_the_page_must_stay_open(project, monkeypatch):
    # a report ran for minutes under "Site report: running the analysis (1 of 2)" and a bar at 5 %, while the
    # page answered nothing: a practitioner closed it, and the run was lost
    from cm_research.app import reports
    from cm_research.app.errors import DownloadRefused

    seen = []

    def slow(project, kind, **kwargs):
        kwargs["progress"](0.1, f"{kind}: running the analysis")
        seen.append(" ".join(h.value for h in _all(step, w.HTML)))
        raise DownloadRefused("stopped here for the test")

    monkeypatch.setattr(reports, "run_report", slow)
    step = App(project).reports_step()
    next(b for b in _all(step, w.Button) if b.description == "Run the reports").click()
    assert len(seen) == 2 and "site: running the analysis (1 of 2)" in seen[0]
    for shown in seen:
        assert "can take several minutes" in shown and "keep this page open" in shown and 'role="status"' in shown
    finished = " ".join(h.value for h in _all(step, w.HTML))
    assert "Finished: 0 report(s) run, 2 could not be run" in finished and "several minutes" not in finished


def test_a_download_about_individual_young_people_says_not_to_leave_it_in_downloads(project):
    # on a shared council PC the browser saves a download in the Downloads folder, where the next user finds it;
    # an internal report describes individual young people, a report for publication does not
    import json

    from cm_research.app import reports

    for n, publication in enumerate((False, True)):
        run = project.path("reports", f"2025010{n + 1}-000000-000000__site")
        (run / "site").mkdir(parents=True)
        (run / "site" / "06_site_report.html").write_text("<html><body>report</body></html>")
        (run / "manifest.json").write_text(json.dumps({"publication": publication, "jobs": [{"status": "ok"}],
                                                       "disclosure_check": {"passed": True}}))
    published, internal = reports.earlier_runs(project)
    warning = "Downloads folder (on a shared computer, the next person could open it there)"
    shown = App(project)._run_panel(internal, w.HTML()).children[0].value
    assert "data:" in shown and warning in shown
    assert warning not in App(project)._run_panel(published, w.HTML()).children[0].value
