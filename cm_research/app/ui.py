"""The app's widgets: one panel per step, laid out with ipywidgets. Every action calls the package
(:mod:`~cm_research.app.uploads`, :mod:`~cm_research.app.cycle_form`, :mod:`~cm_research.app.review`,
:mod:`~cm_research.app.reports`); this module only places controls, passes values and shows results.

Accessibility (WCAG 2.1 AA, as the reports): every control has a visible label (``description``, which
ipywidgets renders as a ``<label for=...>``) or its text; status messages are live regions; the focus is
always visible; colours meet 4.5:1; everything is reachable with the keyboard in reading order.
"""

from __future__ import annotations

import functools
import html as _html
import os
from collections.abc import Callable
from pathlib import Path

import ipywidgets as w
import pandas as pd
from IPython.display import Javascript, display

from cm_research.app import cycle_form, reports, review, uploads
from cm_research.app.errors import DownloadRefused
from cm_research.app.html import download_link, esc, field_problems_html, message_html, suggestion_html, table_html
from cm_research.app.html import accessibility_script, connection_script, upload_limit_script
from cm_research.app.project import Project
from cm_research.errors import CMResearchError

PROJECT_ENV = "CM_RESEARCH_APP_PROJECT"
STYLE = """<style>
body, .jp-Notebook, .voila-body { color: #1b1b1b; background: #ffffff; font-size: 16px; }
.cm-app h1 { font-size: 1.8em; margin: 0.3em 0; } .cm-app h2 { font-size: 1.4em; margin: 1.2em 0 0.3em; }
.cm-app h3 { font-size: 1.15em; }
:focus-visible, .jupyter-widgets :focus, .widget-upload:focus, button:focus, input:focus, textarea:focus,
select:focus, a:focus { outline: 3px solid #0b57d0 !important; outline-offset: 2px; }
.jupyter-button { color: #ffffff !important; background: #0b57d0 !important; font-size: 15px; }
.jupyter-button.mod-danger { background: #a40000 !important; }
.jupyter-button:disabled { background: #595959 !important; }
.widget-label, .widget-label-basic { color: #1b1b1b !important; }
.cm-msg { border-left: 5px solid #0b57d0; padding: 0.4em 0.8em; margin: 0.4em 0; background: #eef3fd; }
.cm-error { border-left-color: #a40000; background: #fde8e8; }
.cm-ok { border-left-color: #146c2e; background: #e6f4ea; }
.cm-table { border-collapse: collapse; margin: 0.5em 0; } .cm-table caption { text-align: left; font-weight: bold; }
.cm-table th, .cm-table td { border: 1px solid #767676; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
a.cm-download { color: #0b57d0; font-weight: bold; margin-right: 1.2em; }
.cm-quote { font-size: 1.15em; border-left: 4px solid #5e5e5e; padding-left: 0.8em; }
.cm-frame { width: 100%; height: 600px; border: 1px solid #767676; }
</style>"""


#: said beside a download about individual young people (on a shared computer the browser keeps it in Downloads)
KEEP_SAFE = ("This report describes individual young people: save it to your organisation's secure storage, not "
             "in this computer's Downloads folder (on a shared computer, the next person could open it there), "
             "and delete it from Downloads if the browser put it there.")


def _fit() -> w.Layout:
    """Buttons as wide as their text (a full-width button reads as a banner)."""
    return w.Layout(width="fit-content", min_width="12em")


def _label(text: str) -> dict:
    return {"description": text, "style": {"description_width": "initial"}, "layout": w.Layout(width="auto")}


def _heading(text: str, level: int = 2, anchor: str = "") -> w.HTML:
    ident = f' id="{esc(anchor)}"' if anchor else ""
    return w.HTML(f'<h{level}{ident}>{esc(text)}</h{level}>')


def _bytes(item) -> bytes:
    content = item["content"] if isinstance(item, dict) else item.content
    return content.tobytes() if hasattr(content, "tobytes") else bytes(content)


def _live() -> w.HTML:
    """A box for the app's messages: a live region from the start, so each new message is announced
    (:func:`cm_research.app.html.accessibility_script`)."""
    return w.HTML().add_class("cm-live")


def _name(item) -> str:
    return item["name"] if isinstance(item, dict) else item.name


class App:
    """The five steps of the practitioners' app on one page, for the project folder ``project``."""

    def __init__(self, project: Project):
        self.project = project
        self.checks: dict[str, uploads.UploadCheck] = {}
        self.session: review.ReviewSession | None = None
        self.runs: list[reports.ReportRun] = []
        self.site_choice: w.Dropdown | None = None  # the reports' site list, refreshed when participants change
        self._templates()

    @classmethod
    def from_environment(cls) -> "App":
        """The app for the folder ``cm-research app --project`` passed (``CM_RESEARCH_APP_PROJECT``)."""
        return cls(Project.open(os.environ.get(PROJECT_ENV) or "my-evaluation"))

    def _guarded(self, out: w.HTML, doing: str) -> Callable[[Callable], Callable]:
        """A decorator for a widget callback: whatever goes wrong in it is said in ``out`` in plain English
        (:meth:`~cm_research.app.project.Project.failure`). Voilà shows no tracebacks and an exception raised in a
        callback reaches no one, so without this a failure would leave the page silent. Nothing runs once the
        project folder has gone (it is not made again, empty, behind the user's back)."""
        def decorate(action: Callable) -> Callable:
            @functools.wraps(action)
            def guarded(*args, **kwargs):
                try:
                    if not self.project.missing():
                        return action(*args, **kwargs)
                    out.value = message_html(self.project.missing(), "error")
                except Exception as exc:  # said to the user, in their words
                    out.value = message_html(self.project.failure(exc, doing), "error")
                return None
            return guarded
        return decorate

    # --- templates -------------------------------------------------------------------------------------------
    def _templates(self) -> None:
        from cm_research.interop import write_template, write_template_folder

        folder = self.project.path("templates")
        missing = [t for t in uploads.DATA_TABLES if not (folder / f"{t}.xlsx").exists()]
        if missing:
            write_template_folder(missing, folder)
        if not (folder / "survey.xlsx").exists():
            write_template(list(uploads.SURVEY_TABLES), folder / "survey.xlsx")

    # --- step 1 ----------------------------------------------------------------------------------------------
    def project_step(self) -> w.Widget:
        return w.VBox([w.HTML(STYLE + '<div class="cm-app"><h1>Your evaluation: start here</h1>'
                              "<p>Work through the steps in order, or use any step on its own. Nothing you do here "
                              "is sent anywhere: the app runs on this computer only.</p></div>"),
                       _heading("1. Your project", anchor="step-project"),
                       w.HTML(message_html(self.project.describe(), "ok")),
                       w.HTML('<p>When you have finished, <a href="/logout">log out</a> (always, on a computer '
                              "others use): nothing left in the browser then opens the app again.</p>")])

    # --- step 2 ----------------------------------------------------------------------------------------------
    def data_step(self) -> w.Widget:
        folder = self.project.path("templates")
        links = " ".join(download_link(folder / f"{t}.xlsx", f"{t}.xlsx", f"Download the {t} template (Excel)")
                         for t in uploads.DATA_TABLES)
        table = w.Dropdown(options=[("Work it out from the file name", "")] + [(t, t) for t in uploads.DATA_TABLES],
                           **_label("Which table does the file hold?"))
        upload = w.FileUpload(accept=".xlsx,.csv", multiple=False, description="Upload a workbook or CSV",
                              layout=_fit())
        result = _live()
        history = w.HTML(self._uploads_html())

        @self._guarded(result, "checking the upload")
        def on_upload(change) -> None:
            for item in change["new"]:
                result.value = message_html(f"Checking {_name(item)}…")  # a large file takes a while
                result.value = self._check_upload(_name(item), _bytes(item), "data", table.value)
            history.value = self._uploads_html()

        upload.observe(on_upload, names="value")
        return w.VBox([_heading("2. Data", anchor="step-data"),
                       w.HTML(f"<p>Fill in the templates in Excel (one workbook per table), then upload them. "
                              f"Every upload is kept with its time; a corrected file never replaces the old one.</p>"
                              f"<p>{links}</p>"),
                       table, upload, result, history])

    def _uploads_html(self) -> str:
        return table_html(uploads.uploads_table(self.project), "Files uploaded so far (newest last)")

    def _check_upload(self, name: str, content: bytes, kind: str, table: str) -> str:
        tables = uploads.DATA_TABLES if kind == "data" else uploads.SURVEY_TABLES
        table = table or uploads.guess_table(name, tables) or ""
        if not table:
            return message_html(f"{name}: choose which table the file holds ({', '.join(tables)}) and upload it "
                                "again", "error")
        try:
            stored = uploads.store_upload(self.project, name, content, kind, table)
            previous = self.checks.get(table) or uploads.previous_check(self.project, kind, table, stored)
            check = uploads.check_table_upload(self.project, stored, table, original_name=name)
        except CMResearchError as exc:
            return message_html(str(exc), "error")
        parts = [message_html(check.summary(), "error" if check.n_errors else "ok")]
        if previous is not None:
            diff = uploads.compare_checks(previous, check)
            parts.append(message_html(uploads.difference_sentence(diff)))
            parts.append(table_html(diff, f"What changed since {previous.file}"))
        parts.append(table_html(check.problems.drop(columns="severity"), f"Problems in {check.file}"))
        parts.append(table_html(check.blanked, "Cells left blank (the row is kept)"))
        parts.append(table_html(check.held_back, "Rows held back from the reports until corrected"))
        self.checks[table] = check
        if table == "participants" and self.site_choice is not None:
            self.site_choice.options = reports.sites_in_data(self.project)
        return "".join(parts)

    # --- step 3 ----------------------------------------------------------------------------------------------
    def cycle_step(self) -> w.Widget:
        L = cycle_form.LABELS
        text = {k: w.Text(placeholder="2024-09-02" if k in ("start", "end") else "", **_label(L[k]))
                for k in ("partnership", "cycle", "start", "end")}
        area = {k: w.Textarea(rows=3, **_label(L[k] + (" (one point a line)" if k in ("observations", "reflection",
                                                                                         "next_cycle") else "")))
                for k in ("question", "context", "baseline", "observations", "reflection", "next_cycle")}
        for box in area.values():
            box.layout = w.Layout(width="90%")
        actions = w.VBox()
        problems = w.HTML()  # not a live region: it changes at every key pressed
        saved = _live()
        history = w.HTML(table_html(cycle_form.earlier_cycles(self.project), "Cycles saved so far (newest first)"))

        @self._guarded(problems, "adding an action")
        def add_action(_=None) -> None:
            n = len(actions.children) + 1
            row = w.HBox([w.Text(placeholder="2024-10-07", **_label(f"Action {n} date")),
                          w.Text(**_label(f"Action {n} who")), w.Text(**_label(f"Action {n}: what was done"))])
            for box in row.children:
                box.observe(check, names="value")
            actions.children = (*actions.children, row)

        def form() -> cycle_form.CycleForm:
            values = {k: box.value for k, box in {**text, **area}.items()}
            values["actions"] = [cycle_form.Action(date=row.children[0].value, who=row.children[1].value,
                                                   action=row.children[2].value) for row in actions.children]
            return cycle_form.CycleForm(**values)

        @self._guarded(problems, "checking the form")
        def check(_=None) -> None:
            found = cycle_form.form_problems(form(), self.project)
            shown = {k: box.description for k, box in {**text, **area}.items()}  # each field's label, as shown
            problems.value = (message_html("The form is complete: it can be saved.", "ok") if not found else
                              field_problems_html([(shown.get(f, L.get(f, f)), m) for f, m in found],
                                                  "Still to do before saving"))

        @self._guarded(saved, "saving the cycle record")
        def save(_=None) -> None:
            try:
                kept = cycle_form.save_cycle(form(), self.project)
            except CMResearchError as exc:
                saved.value = message_html(str(exc), "error")
                return
            saved.value = message_html(f"Saved as {kept.relative_to(self.project.root)}; the action-research report "
                                       "will use it.", "ok")
            history.value = table_html(cycle_form.earlier_cycles(self.project), "Cycles saved so far (newest first)")

        for box in (*text.values(), *area.values()):
            box.observe(check, names="value")
        add_button = w.Button(description="Add an action", layout=_fit())
        add_button.on_click(add_action)
        save_button = w.Button(description="Save the cycle record", layout=_fit())
        save_button.on_click(save)
        add_action()
        check()

        survey_link = download_link(self.project.path("templates", "survey.xlsx"), "survey.xlsx",
                                    "Download the barriers survey template (Excel)")
        survey_upload = w.FileUpload(accept=".xlsx,.csv", multiple=True, description="Upload survey answers",
                                     layout=_fit())
        survey_result = _live()

        @self._guarded(survey_result, "checking the survey answers")
        def on_survey(change) -> None:
            try:
                uploads.check_count([_name(item) for item in change["new"]])
            except CMResearchError as exc:
                survey_result.value = message_html(str(exc), "error")
                return
            survey_result.value = message_html("Checking " + ", ".join(_name(item) for item in change["new"]) + "…")
            out = []
            for item in change["new"]:
                name, content = _name(item), _bytes(item)
                tables = (uploads.SURVEY_TABLES if name.lower().endswith(".xlsx") and not uploads.guess_table(name)
                          else [uploads.guess_table(name, uploads.SURVEY_TABLES) or ""])
                out += [self._check_upload(name, content, "survey", t) for t in tables]
            survey_result.value = "".join(out)

        survey_upload.observe(on_survey, names="value")
        return w.VBox([_heading("3. Our cycle", anchor="step-cycle"),
                       w.HTML("<p>Write up this action-research cycle. The form is checked as you type; dates are "
                              "written 2024-10-07 or 07/10/2024.</p>"),
                       *text.values(), area["question"], area["context"], area["baseline"],
                       _heading("What was done", 3), actions, add_button,
                       area["observations"], area["reflection"], area["next_cycle"],
                       problems, save_button, saved, history,
                       _heading("The barriers survey", 3), w.HTML(f"<p>{survey_link}</p>"), survey_upload,
                       survey_result])

    # --- step 4 ----------------------------------------------------------------------------------------------
    def interviews_step(self) -> w.Widget:
        upload = w.FileUpload(accept=".txt,.docx,.vtt,.srt", multiple=True, description="Upload transcripts",
                              layout=_fit())
        uploaded = _live()
        suggest = w.Button(description="Suggest codes", layout=_fit())
        status = _live()
        quote = _live()
        accept = w.Button(description="Accept", layout=_fit())
        reject = w.Button(description="Reject", button_style="danger", layout=_fit())
        recode_to = w.Dropdown(options=[], **_label("Recode as"))
        recode = w.Button(description="Recode", layout=_fit())
        previous = w.Button(description="Previous quote", layout=_fit())
        following = w.Button(description="Next quote", layout=_fit())
        sheet = w.HTML()
        sheet_upload = w.FileUpload(accept=".csv", multiple=False, description="Upload a reviewed sheet",
                                    layout=_fit())
        themes_button = w.Button(description="Show themes by role", layout=_fit())
        themes = w.HTML()
        panel = w.VBox([quote, w.HBox([accept, reject]), w.HBox([recode_to, recode]), w.HBox([previous, following]),
                        sheet], layout=w.Layout(display="none"))

        def show(current: dict | None = None) -> None:
            if self.session is None:
                return
            current = current or self.session.current()
            quote.value = suggestion_html(current, self.session.counts())
            if current["code"] in {code for _, code in recode_to.options}:
                recode_to.value = current["code"]  # recode starts from the suggested code
            sheet.value = ("<p>Or review in Excel: " + download_link(self.session.path, review.REVIEW_FILE,
                                                                     "Download the review sheet (CSV)")
                           + ", write accept or reject in its decision column, and upload it back.</p>"
                           + message_html(KEEP_SAFE.replace("This report", "The sheet")))
            panel.layout.display = "flex"

        def open_session() -> None:
            self.session = review.ReviewSession(self.project)
            recode_to.options = self.session.codes
            show()

        if review.review_path(self.project).exists():
            try:
                open_session()
            except CMResearchError as exc:
                status.value = message_html(str(exc), "error")

        @self._guarded(uploaded, "keeping the transcripts")
        def on_upload(change) -> None:
            try:
                uploads.check_count([_name(item) for item in change["new"]])
            except CMResearchError as exc:
                uploaded.value = message_html(str(exc), "error")
                return
            out = []
            for item in change["new"]:
                try:
                    stored = uploads.store_upload(self.project, _name(item), _bytes(item), "interviews")
                    current = self.project.path("interviews", stored.name.split("__")[-1])
                    replaced = current.exists()
                    current.write_bytes(stored.read_bytes())
                    out.append(message_html(
                        f"{_name(item)} uploaded" + (f"; it replaces the earlier {current.name} in the interviews "
                                                     "analysed (the earlier file is still kept in uploads/interviews)"
                                                     if replaced else "") + ".", "ok"))
                except CMResearchError as exc:
                    out.append(message_html(str(exc), "error"))
            uploaded.value = "".join(out)

        @self._guarded(status, "suggesting codes")
        def on_suggest(_=None) -> None:
            status.value = message_html("Suggesting codes…")
            try:
                run = review.run_suggested_coding(self.project)
            except CMResearchError as exc:
                status.value = message_html(str(exc), "error")
                return
            problems = run.problems[["file", "line", "message"]] if len(run.problems) else pd.DataFrame()
            status.value = message_html(run.summary(), "ok") + table_html(problems, "Transcripts not read")
            try:
                open_session()
            except CMResearchError as exc:  # e.g. no sentence matched any code
                panel.layout.display = "none"
                status.value += message_html(str(exc), "error")

        @self._guarded(status, "saving the decision")
        def decide(decision: str, code: str | None = None) -> None:
            try:
                show(self.session.decide(decision, code))
            except CMResearchError as exc:
                status.value = message_html(str(exc), "error")
                show()  # the sheet as it is now (another tab may have changed it)

        @self._guarded(status, "checking the review sheet")
        def on_sheet(change) -> None:
            for item in change["new"]:
                try:
                    stored = uploads.store_upload(self.project, _name(item), _bytes(item), "review")
                    counts = review.load_reviewed_upload(self.project, stored)
                except CMResearchError as exc:
                    status.value = message_html(str(exc), "error")
                    continue
                status.value = message_html(f"{_name(item)}: {counts['accepted']} accepted, {counts['rejected']} "
                                            f"rejected, {counts['undecided']} undecided.", "ok")
                try:
                    open_session()
                except CMResearchError as exc:
                    status.value += message_html(str(exc), "error")

        @self._guarded(themes, "finding the themes")
        def on_themes(_=None) -> None:
            try:
                basis, table, quotes = review.themes_by_role(self.project)
            except (CMResearchError, ValueError) as exc:
                themes.value = message_html(str(exc), "error")
                return
            themes.value = (message_html(f"Counts rest on: {basis}. For your review, not for publication.")
                            + table_html(table, "Themes and the roles whose views generated them")
                            + table_html(quotes, "Quotes by theme and role (names taken out)"))

        upload.observe(on_upload, names="value")
        suggest.on_click(on_suggest)
        accept.on_click(lambda _: decide("accept"))
        reject.on_click(lambda _: decide("reject"))
        recode.on_click(lambda _: decide("accept", recode_to.value))
        previous.on_click(self._guarded(status, "showing the quote")(lambda _: show(self.session.move(-1))))
        following.on_click(self._guarded(status, "showing the quote")(lambda _: show(self.session.move(1))))
        sheet_upload.observe(on_sheet, names="value")
        themes_button.on_click(on_themes)
        return w.VBox([_heading("4. Interviews", anchor="step-interviews"),
                       w.HTML("<p>Upload interview transcripts (.txt, .docx, .vtt, .srt), then let the app suggest "
                              "codes and review each one: accept, reject, or recode it.</p>"),
                       upload, uploaded, suggest, status, panel, sheet_upload, themes_button, themes])

    # --- step 5 ----------------------------------------------------------------------------------------------
    def reports_step(self) -> w.Widget:
        choices = {k: w.Checkbox(value=k != "thematic", indent=False, **_label(title))
                   for k, (_, title) in reports.REPORTS.items()}
        audience = w.RadioButtons(options=[("For publication (checked for disclosure)", True),
                                           ("Internal: not for publication", False)],
                                  **_label("Who is it for?"))
        site = self.site_choice = w.Dropdown(options=reports.sites_in_data(self.project), **_label("Site"))
        run_button = w.Button(description="Run the reports", layout=_fit())
        bar = w.FloatProgress(value=0, min=0, max=1, description="Progress", style={"description_width": "initial"})
        status = _live()
        results = w.VBox()
        viewer = w.HTML()

        def show_runs() -> None:
            rows = []
            for run in self.runs:
                rows.append(self._run_panel(run, viewer))
            results.children = tuple(rows)

        @self._guarded(status, "running the reports")
        def on_run(_=None) -> None:
            kinds = [k for k, box in choices.items() if box.value]
            if not kinds:
                status.value = message_html("Tick at least one report.", "error")
                return
            run_button.disabled = True
            bar.value = 0
            done, failed = [], []
            try:
                for i, kind in enumerate(kinds):
                    def progress(fraction: float, message: str, i=i) -> None:
                        bar.value = (i + fraction) / len(kinds)
                        status.value = message_html(f"{message} ({i + 1} of {len(kinds)})" + (
                            "" if fraction >= 1 else ". A report can take several minutes: keep this page open "
                            "until it says Finished (the app does nothing else meanwhile; if the page is closed, the "
                            "report does not finish)."))
                    try:
                        done.append(reports.run_report(self.project, kind, publication=audience.value,
                                                       site=site.value, progress=progress))
                    except CMResearchError as exc:  # kept to the end: "Finished" must not hide it
                        failed.append(message_html(str(exc), "error"))
                bar.value = 1
                status.value = message_html(f"Finished: {len(done)} report(s) run"
                                            + (f", {len(failed)} could not be run (below)." if failed else "."),
                                            "error" if failed else "ok") + "".join(failed)
            finally:
                run_button.disabled = False
            self.runs = done + self.runs
            show_runs()

        run_button.on_click(on_run)
        self.runs = reports.earlier_runs(self.project)[:6]
        show_runs()
        return w.VBox([_heading("5. Reports", anchor="step-reports"),
                       w.HTML("<p>Make the reports from the data, cycle record and interviews above. A report for "
                              "publication is checked for anything that could identify a young person; it can be "
                              "downloaded only when the check passes.</p>"),
                       *choices.values(), audience, site, run_button, bar, status, results, viewer])

    def _run_panel(self, run: reports.ReportRun, viewer: w.HTML) -> w.Widget:
        kind = "ok" if run.can_download else "error"
        when = run.run_dir.name.split("__")[0]
        parts = [f"<h3>{esc(run.title)}, {esc(run.audience)} (run {esc(when[:15])})</h3>",
                 message_html(run.verdict(), kind)]
        links = []
        for what in ("html", "docx"):
            try:
                path, name = reports.download_file(run, what)
            except DownloadRefused as exc:
                if what == "html" or run.html is None:
                    links.append(message_html(f"Download refused: {exc}", "error"))
                continue
            label = f"Download {run.title} ({'Word .docx' if what == 'docx' else 'HTML'})"
            links.append(download_link(path, name, label))
        parts.append("<p>" + " ".join(dict.fromkeys(links)) + "</p>")
        if run.can_download and not run.publication:  # the browser keeps a download in Downloads, for anyone
            parts.append(message_html(KEEP_SAFE))
        box = [w.HTML("".join(parts))]
        if run.html is not None:
            view = w.Button(description=f"View the {run.title.lower()} here", layout=_fit())

            @self._guarded(viewer, "showing the report")
            def on_view(_=None, run=run) -> None:
                page = run.html.read_text(encoding="utf-8")
                viewer.value = (f"<h3>{esc(run.title)}</h3><iframe class=\"cm-frame\" sandbox "
                                f"title=\"{esc(run.title)} ({esc(run.audience)})\" "
                                f"srcdoc=\"{_html.escape(page, quote=True)}\"></iframe>")

            view.on_click(on_view)
            box.append(view)
        return w.VBox(box)


def show_step(app: App, step: str) -> None:
    """Display one step (the notebook calls this once per step). The first step also installs, in the page, the
    refusal of a file over the upload limit before it is sent (:func:`cm_research.app.html.upload_limit_script`)."""
    if step == "project":
        display(Javascript(upload_limit_script(uploads.MAX_UPLOAD_BYTES, uploads.MAX_FILES)
                           + accessibility_script() + connection_script()))
    display(getattr(app, f"{step}_step")())


def project_from(path: str | Path | None) -> Project:
    """The project folder ``path``, else the one ``cm-research app`` passed, else ``./my-evaluation``."""
    return Project.open(path or os.environ.get(PROJECT_ENV) or "my-evaluation")
