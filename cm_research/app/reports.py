"""Reports from the app: the site report, the action-research report and the thematic report, each run as a
one-site batch (:func:`cm_research.batch.run_batch`), so every run is marked published or internal exactly as a
batch marks it (``manifest.json`` ``publication``, ``NOT_FOR_PUBLICATION.txt``) and carries the batch's
disclosure check (:func:`cm_research.privacy.audit.audit_run`) and its verdict.

Each run gets its own folder ``reports/<time>__<kind>/`` (never overwritten). A report run for publication
whose disclosure check failed may not be downloaded: :func:`download_file` raises
:class:`~cm_research.app.errors.DownloadRefused` saying what the check found.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cm_research.app.errors import DownloadRefused
from cm_research.app.project import Project, timestamp

#: kind -> (notebook, title)
REPORTS: dict[str, tuple[str, str]] = {
    "site": ("06_site_report", "Site report"),
    "action_research": ("07_action_research", "Action-research report"),
    "thematic": ("03_thematic_analysis", "Thematic report"),
}
Progress = Callable[[float, str], None]


@dataclass
class ReportRun:
    """One report run: where it is, whether it is for publication, and the disclosure check's verdict."""

    kind: str
    title: str
    run_dir: Path
    publication: bool
    status: str  # ok or failed
    passed: bool | None  # the disclosure check found nothing (None: not run)
    findings: dict[str, int] = field(default_factory=dict)  # kind of finding -> how many
    error: str = ""
    details: str = ""  # the disclosure check's list of findings, relative to the run folder (restricted/)
    html: Path | None = None
    docx: Path | None = None

    @property
    def audience(self) -> str:
        return "for publication" if self.publication else "internal: NOT FOR PUBLICATION"

    def verdict(self) -> str:
        """The disclosure check's verdict in plain English, as shown beside the download buttons."""
        if self.status != "ok":
            return f"The report could not be made: {self.error}"
        if self.passed:
            return ("Disclosure check passed: no identifiers, small counts or single-person quotes found."
                    + ("" if self.publication else " This run is internal all the same: NOT FOR PUBLICATION."))
        found = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in self.findings.items()) or "possible identifiers"
        listed = f" The findings are listed in {self.run_dir / self.details}." if self.details else ""
        if self.publication:
            return (f"Disclosure check FAILED ({found}): this report may not be published or downloaded for "
                    f"publication. Correct the data, or run it as an internal report.{listed}")
        return f"Disclosure check found {found}: internal report, NOT FOR PUBLICATION."

    @property
    def can_download(self) -> bool:
        return self.status == "ok" and (not self.publication or bool(self.passed))


def _has_transcripts(project: Project) -> bool:
    from cm_research.qual.transcripts import TRANSCRIPT_SUFFIXES

    return any(p.suffix.lower() in TRANSCRIPT_SUFFIXES for p in project.path("interviews").iterdir())


def _reviewed_coding(project: Project) -> str | None:
    from cm_research.app.review import review_path

    path = review_path(project)
    if not path.exists():
        return None
    decisions = pd.read_csv(path, dtype=str, keep_default_na=False)["decision"].str.strip().str.lower()
    return str(path) if (decisions == "accept").any() else None


def sites_in_data(project: Project) -> list[str]:
    """The sites named in the current participants file (the site report is made for one of them)."""
    from cm_research.data import load_table
    from cm_research.data.loading import find_table_file

    try:
        project.refuse_links()
        data = load_table(find_table_file(project.data_dir, "participants"), "participants").data
    except Exception:  # no participants file yet, or unreadable: the Data step shows why
        return []
    return sorted(data["site"].dropna().astype(str).unique())


def report_parameters(project: Project, kind: str, site: str | None = None) -> dict:
    """The notebook's parameters for this project (its data folder, interviews, reviewed coding)."""
    coding = _reviewed_coding(project)
    transcripts = str(project.path("interviews")) if _has_transcripts(project) else ""
    if kind == "site":
        params = {"data_dir": str(project.data_dir), "site": site or (sites_in_data(project) or [""])[0],
                  "transcripts_dir": transcripts}
        if transcripts and coding:
            params["coding_file"] = coding
        return params
    if kind == "action_research":
        return {"data_dir": str(project.data_dir)}
    if kind == "thematic":
        return {"transcripts_dir": transcripts, "coding": coding or "suggestions",
                **({"coder": "practitioner"} if coding else {})}
    raise KeyError(f"unknown report {kind!r}; the reports are {', '.join(REPORTS)}")


def run_report(project: Project, kind: str, publication: bool = True, site: str | None = None,
               progress: Progress | None = None) -> ReportRun:
    """Run one report as a one-site batch into ``reports/<time>__<kind>/`` and return what happened."""
    from cm_research.batch import run_batch
    from cm_research.batch.config import BatchConfig, SiteEntry

    notebook, title = REPORTS[kind]
    project.refuse_links()
    params = report_parameters(project, kind, site)
    if kind == "thematic" and not params["transcripts_dir"]:
        return ReportRun(kind, title, project.path("reports"), publication, "failed", None,
                         error="there are no interviews yet: upload transcripts in step 4 first")
    run_dir = project.path("reports", f"{timestamp()}__{kind}")
    config = BatchConfig(run=f"{title} ({'publication' if publication else 'internal'})", notebooks=[notebook],
                         sites=[SiteEntry(site=params.get("site") or "partnership", slug=kind, parameters=params)],
                         publication=publication)
    if progress:
        progress(0.1, f"{title}: running the analysis")
    run = run_batch(config, run_dir=run_dir, n_jobs=1, progress=False, publication=publication)
    if progress:
        progress(1.0, f"{title}: done")
    return _read_run(run_dir, kind)


def _read_run(run_dir: Path, kind: str) -> ReportRun:
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    notebook, title = REPORTS[kind]
    job = (manifest.get("jobs") or [{}])[0]
    check = manifest.get("disclosure_check") or {}
    html = run_dir / kind / f"{notebook}.html"
    # run_batch writes the manifest before the disclosure check and, for an internal run, before anything runs:
    # without the check's verdict the run was stopped part-way (the app stopped, the browser closed)
    finished = bool(manifest.get("jobs")) and "disclosure_check" in manifest
    ok = finished and job.get("status") in ("ok", "skipped (up to date)") and html.exists()
    error = (job.get("error") or "").strip().splitlines()
    if not finished:
        error = ["the run did not finish (the app was stopped, or the browser closed, while it ran): nothing in "
                 "it may be used; run the report again"]
    return ReportRun(kind=kind, title=title, run_dir=run_dir, publication=manifest.get("publication", True) is not False,
                     status="ok" if ok else "failed", passed=check.get("passed"),
                     findings=dict(check.get("kinds") or {}), details=str(check.get("details") or ""),
                     error=error[-1] if error else f"the notebook stopped without saying why (see {run_dir})",
                     html=html if ok else None,
                     docx=html.with_suffix(".docx") if ok and html.with_suffix(".docx").exists() else None)


def earlier_runs(project: Project) -> list[ReportRun]:
    """Every report run in ``reports/``, newest first."""
    runs = []
    for folder in sorted(project.path("reports").iterdir(), reverse=True):
        kind = folder.name.split("__")[-1]
        if kind in REPORTS and (folder / "manifest.json").is_file():
            runs.append(_read_run(folder, kind))
    return runs


def runs_table(runs: list[ReportRun]) -> pd.DataFrame:
    """The runs as a table: run (time), report, audience, status, disclosure check (passed, failed, not run)."""
    return pd.DataFrame([{"run": r.run_dir.name.split("__")[0], "report": r.title, "audience": r.audience,
                          "status": r.status, "disclosure check": "passed" if r.passed else "failed"
                          if r.passed is False else "not run"} for r in runs],
                        columns=["run", "report", "audience", "status", "disclosure check"])


def download_file(run: ReportRun, what: str) -> tuple[Path, str]:
    """The file (``html`` or ``docx``) of ``run`` and the name to download it as. Raises DownloadRefused when
    the run is for publication and its disclosure check failed, and when the file does not exist."""
    if run.status != "ok":
        why = f" ({run.error})" if run.error else ""  # which notebook failed, and where its copy is
        raise DownloadRefused(f"{run.title}: the report could not be made{why}, so there is nothing to download")
    if run.publication and not run.passed:
        raise DownloadRefused(f"{run.title} is not downloaded: {run.verdict()}")
    path = run.html if what == "html" else run.docx
    if path is None or not path.exists():
        raise DownloadRefused(f"{run.title} has no {what} copy")
    marker = "" if run.publication else "-INTERNAL-NOT-FOR-PUBLICATION"
    return path, f"{run.kind.replace('_', '-')}-report-{run.run_dir.name.split('__')[0][:15]}{marker}{path.suffix}"
