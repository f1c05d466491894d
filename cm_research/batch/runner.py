"""Run every (site, notebook) pair of a batch: in parallel, resumable, atomically, with provenance.

Each job executes into a private staging folder; only when the notebook and its HTML are complete are
its files moved into the site's folder and a job record written. A crash therefore never leaves a
report that looks complete, and ``resume`` re-runs a job unless its record's fingerprint (notebook,
parameters, content of every input file, package version) still matches and its outputs exist.

Rendering is off the critical path: a worker executes a notebook (in a kernel forked ahead for it) and hands it
back; the coordinator's renderer thread makes its HTML, publishes its files and writes its record while the worker
already runs the next pair. A render failure is reported against its own pair only.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import time
import traceback
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from cm_research.batch.audience import PublicationError, run_publication, write_internal_marker
from cm_research.batch.config import BatchConfig, check_audience, slugify
from cm_research.batch.execute import notebook_parameters, notebook_path, run_notebook
from cm_research.batch.processes import init_worker, remove_stale_staging, run_lock, set_current_staging
from cm_research.batch.provenance import (cached_sha256, environment, fingerprint, footer_html, input_hashes,
                                         published_parameters)
from cm_research.batch.published import FULL_RECORDS, published_record, replacements, scrub_notebook
from cm_research.errors import NotebookExecutionError
from cm_research.report.html import IndexEntry, notebook_to_html, relative_paths, title_of, write_index

SUMMARY_SLUG = "all-sites"
#: a run for publication's full manifest (input names and paths): restricted, never published
RESTRICTED_MANIFEST = Path("restricted") / "manifest.json"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@dataclass
class Job:
    """One notebook for one site (or, for a summary notebook, for the whole run)."""

    site: str
    notebook: str
    output_dir: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    extra_inputs: list[str] = field(default_factory=list)  # files read besides those named in parameters
    publication: bool = False  # in a run for publication: no input file names or paths in what it publishes

    @property
    def stem(self) -> str:
        return notebook_path(self.notebook).stem

    @property
    def output_ipynb(self) -> Path:
        return self.output_dir / f"{self.stem}.ipynb"

    @property
    def record_path(self) -> Path:
        return self.output_dir / ".jobs" / f"{self.stem}.json"

    @property
    def failed_ipynb(self) -> Path:
        """Where the notebook of a failed run is kept, as far as it got: beside the reports, or, in a run for
        publication, in the site's ``restricted/`` folder (it is not scrubbed of paths, and its traceback may
        quote the data), which is never published nor scanned."""
        folder = self.output_dir / "restricted" if self.publication else self.output_dir
        return folder / f"{self.stem}.failed.ipynb"

    @property
    def full_record_path(self) -> Path:
        """Where a publication job keeps its record with paths (restricted); others keep it in ``record_path``."""
        return self.output_dir / FULL_RECORDS / f"{self.stem}.json" if self.publication else self.record_path

    def inputs(self) -> dict[str, str]:
        hashes = input_hashes(self.parameters)
        hashes.update({p: cached_sha256(p) for p in self.extra_inputs if Path(p).exists()})
        return hashes

    def fingerprint(self) -> tuple[str, dict[str, str]]:
        hashes = self.inputs()
        return fingerprint(notebook_path(self.notebook), self.parameters, hashes), hashes


@dataclass
class JobResult:
    job: Job
    status: str  # "ok", "failed" or "skipped" (up to date, with --resume)
    error: str = ""
    started: str = ""
    finished: str = ""
    seconds: float = 0.0
    fingerprint: str = ""
    inputs: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # what the job published, relative to its output folder

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "skipped")


def is_up_to_date(job: Job) -> bool:
    """True when the job's record matches its current fingerprint and its outputs are all there."""
    if not (job.record_path.exists() and job.output_ipynb.exists() and job.output_ipynb.with_suffix(".html").exists()):
        return False
    try:
        record = json.loads(job.record_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    return record.get("status") == "ok" and record.get("fingerprint") == job.fingerprint()[0]


def _write_json(path: Path, content: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(json.dumps(content, indent=2, sort_keys=True, default=str), encoding="utf-8")
    tmp.replace(path)


def _publish(staging: Path, target: Path, previous: list[str]) -> list[str]:
    """Move every file from ``staging`` into ``target`` (same sub-folders), each by an atomic rename, and delete
    files this job published last time that it no longer writes (e.g. a quarantine file whose rows are fixed)."""
    published = []
    for item in sorted(p for p in staging.rglob("*") if p.is_file()):
        relative = item.relative_to(staging)
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        os.replace(item, target / relative)
        published.append(relative.as_posix())
    for stale in set(previous) - set(published):
        (target / stale).unlink(missing_ok=True)
    return published


def _previous_files(job: Job) -> list[str]:
    try:
        return list(json.loads(job.record_path.read_text(encoding="utf-8")).get("files", []))
    except (OSError, json.JSONDecodeError):
        return []


@dataclass
class Executed:
    """A pair whose notebook has run into its staging folder: what :func:`finish_pair` needs to render, publish
    and record it (while the worker that ran it goes on to the next pair)."""

    job: Job
    staging: Path
    started: str
    seconds: float  # executing the notebook
    fingerprint: str
    inputs: dict[str, str]
    previous: list[str]  # what the job published last time (its record is removed before it runs)


def prepare(job: Job) -> tuple[str, dict[str, str]] | None:
    """The job's fingerprint and input hashes, computed by the coordinator while workers execute other pairs
    (None when they cannot be computed: the worker computes them again and reports the error against the pair)."""
    try:
        return job.fingerprint()
    except Exception:  # noqa: BLE001 -- reported by execute_pair, against its pair
        return None


def _failed_notebook(job: Job, staging: Path, message: str) -> str:
    """Keep the notebook as far as it got (with its traceback) as ``STEM.failed.ipynb`` for whoever investigates;
    return ``message`` naming it there."""
    failed = staging / f"{job.stem}.ipynb"
    if failed.exists():
        job.failed_ipynb.parent.mkdir(parents=True, exist_ok=True)
        os.replace(failed, job.failed_ipynb)
        message = message.replace(str(failed), str(job.failed_ipynb))
        if str(job.failed_ipynb) not in message:
            message = f"{message.rstrip()} (the notebook as far as it ran, with its error, is at {job.failed_ipynb})"
        if job.publication:
            message += (" (this is a run for publication: the failed notebook is kept in restricted/, never "
                        "published; correct the problem and run the batch again with --resume)")
    return message


def execute_pair(job: Job, prepared: tuple[str, dict[str, str]] | None = None) -> Executed | JobResult:
    """Run one job's notebook into a staging folder (no HTML): an :class:`Executed` when it completes, else the
    failed :class:`JobResult` (its staging folder removed). Never raises."""
    started, clock = _now(), time.perf_counter()
    staging = job.output_dir / f".staging-{job.stem}-{uuid.uuid4().hex[:8]}"
    fp, hashes = "", {}
    handed_over = False
    try:
        fp, hashes = prepared or job.fingerprint()
        previous = _previous_files(job)
        job.record_path.unlink(missing_ok=True)  # from now on the old outputs are not vouched for
        staging.mkdir(parents=True)
        set_current_staging(staging)
        params = {**job.parameters, "output_dir": str(staging)}
        run_notebook(job.notebook, staging / f"{job.stem}.ipynb", params, html=False)
        handed_over = True
        return Executed(job, staging, started, round(time.perf_counter() - clock, 3), fp, hashes, previous)
    except Exception as exc:  # a worker reports every failure; one job never sinks the others
        message = str(exc) if isinstance(exc, NotebookExecutionError) else (
            f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=4)}")
        message = _failed_notebook(job, staging, message)
        return JobResult(job, "failed", error=message, started=started, finished=_now(), fingerprint=fp,
                         inputs=hashes, seconds=round(time.perf_counter() - clock, 3))
    finally:
        set_current_staging(None)
        if not handed_over:
            shutil.rmtree(staging, ignore_errors=True)


def finish_pair(executed: Executed | JobResult) -> JobResult:
    """Render an executed pair's notebook as HTML (with its provenance footer), move its files from staging into
    the site's folder and write its record. A failure here is reported against this pair only. Never raises."""
    if isinstance(executed, JobResult):
        return executed
    job, staging, clock = executed.job, executed.staging, time.perf_counter()
    common = dict(started=executed.started, fingerprint=executed.fingerprint, inputs=executed.inputs)
    try:
        if job.publication:  # no input's name or absolute path in the notebook or its HTML
            scrub_notebook(staging / f"{job.stem}.ipynb",
                           replacements(job.parameters, executed.inputs, staging, job.output_dir),
                           published_parameters(job.parameters, executed.inputs))
        notebook_to_html(staging / f"{job.stem}.ipynb",
                         footer=footer_html(job.parameters, executed.inputs, executed.started[:10],
                                            publication=job.publication))
        files = _publish(staging, job.output_dir, executed.previous)
        result = JobResult(job, "ok", finished=_now(), files=files, **common)
    except Exception as exc:  # noqa: BLE001 -- reported against its pair
        message = (f"{job.stem} for {job.site} ran, but its report could not be made ({type(exc).__name__}: {exc}); "
                   f"the executed notebook is at {staging / f'{job.stem}.ipynb'}\n{traceback.format_exc(limit=4)}")
        result = JobResult(job, "failed", error=_failed_notebook(job, staging, message), finished=_now(), **common)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    result.seconds = round(executed.seconds + time.perf_counter() - clock, 3)
    if result.status == "ok":
        (job.output_dir / f"{job.stem}.failed.ipynb").unlink(missing_ok=True)
        job.failed_ipynb.unlink(missing_ok=True)
        _write_record(result)
    return result


def _write_record(result: JobResult) -> None:
    """The job's record in ``.jobs/``; in a run for publication that one names no input (labels, SHA-256 and
    sizes) and the full record goes to the site's ``restricted/provenance/``."""
    job = result.job
    _write_json(job.full_record_path, _record(result))
    if job.publication:
        _write_json(job.record_path, _published_record(result))


def _published_record(result: JobResult) -> dict:
    job = result.job
    return published_record(_record(result), job.parameters, result.inputs,
                            replacements(job.parameters, result.inputs, job.output_dir, job.output_dir))


def execute_job(job: Job) -> JobResult:
    """Run one job into a staging folder and publish its files only if it completes (executing, rendering and
    publishing one after another, in this process). Never raises."""
    return finish_pair(execute_pair(job))


def _record(result: JobResult) -> dict:
    return {
        "site": result.job.site,
        "notebook": result.job.stem,
        "status": result.status,
        "parameters": {k: v for k, v in result.job.parameters.items()},
        "inputs": result.inputs,
        "fingerprint": result.fingerprint,
        "started": result.started,
        "finished": result.finished,
        "seconds": result.seconds,
        "error": result.error,
        "files": result.files,
    }


#: executed pairs waiting to be rendered, at most, per worker; beyond that no further pair is started until the
#: renderer catches up (the staging folders of executed pairs do not pile up)
RENDER_BACKLOG = 2


def _pipeline(todo: list[Job], workers: int, done) -> None:
    """Execute ``todo`` in ``workers`` worker processes (or, with one worker, in this thread) while one renderer
    thread here renders, publishes and records each executed pair: a worker starts its next notebook (in the kernel
    forked for it meanwhile) as soon as one has run, instead of after its HTML is made. Fingerprints (input hashes)
    are computed here too, as each pair is handed to a worker."""
    queue = iter(todo)
    backlog = RENDER_BACKLOG * workers
    rendering: set[Future] = set()
    renderer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cm-research-render")
    try:
        def collect(block: bool) -> None:
            finished, _ = wait(rendering, timeout=None if block else 0, return_when=FIRST_COMPLETED)
            for future in finished:
                rendering.discard(future)
                done(future.result())

        if workers <= 1:
            for job in queue:
                while len(rendering) >= backlog:
                    collect(block=True)
                executed = execute_pair(job, prepare(job))
                if isinstance(executed, Executed):
                    rendering.add(renderer.submit(finish_pair, executed))
                else:
                    done(executed)
                collect(block=False)
        else:
            # the pool forks its workers at its first submit, before the renderer thread exists
            with ProcessPoolExecutor(max_workers=workers, initializer=init_worker) as pool:
                running: dict[Future, Job] = {}

                def submit() -> bool:
                    job = next(queue, None)
                    if job is not None:
                        running[pool.submit(execute_pair, job, prepare(job))] = job
                    return job is not None

                while len(running) < 2 * workers and submit():  # one queued behind each running pair
                    pass
                while running or rendering:
                    finished, _ = wait([*running, *rendering], return_when=FIRST_COMPLETED)
                    for future in finished:
                        if future in rendering:
                            rendering.discard(future)
                            done(future.result())
                            continue
                        del running[future]
                        executed = future.result()
                        if isinstance(executed, Executed):
                            rendering.add(renderer.submit(finish_pair, executed))
                        else:
                            done(executed)
                    while len(running) < 2 * workers and len(rendering) < backlog and submit():
                        pass
        while rendering:
            collect(block=True)
    except BaseException:  # e.g. Ctrl-C: render nothing more; their staging folders go with the next run
        renderer.shutdown(wait=True, cancel_futures=True)
        raise
    renderer.shutdown(wait=True)


def run_jobs(jobs: list[Job], n_jobs: int | None = None, progress: bool = True, resume: bool = False,
             scheduler: str | None = None) -> list[JobResult]:
    """Run ``jobs`` ``n_jobs`` at a time in worker processes (default: one per core), rendering each executed
    notebook's HTML in this process while the workers go on (:func:`_pipeline`); or as tasks on the Dask cluster at
    ``scheduler`` (``tcp://host:port``), where each task executes, renders and publishes its pair on its worker.
    With ``resume``, up-to-date jobs are skipped."""
    results: list[JobResult] = []
    todo = []
    for job in jobs:
        if resume and is_up_to_date(job):
            results.append(JobResult(job, "skipped", fingerprint=job.fingerprint()[0]))
        else:
            todo.append(job)
    bar = tqdm(total=len(jobs), initial=len(results), desc="notebooks", unit="run", disable=not progress)

    def done(result: JobResult) -> None:
        results.append(result)
        bar.update()
        bar.set_postfix(failed=sum(r.status == "failed" for r in results),
                        running=len(jobs) - len(results), refresh=False)

    if not todo:
        pass
    elif scheduler:
        from dask.distributed import Client
        from dask.distributed import as_completed as dask_completed

        with Client(scheduler) as client:
            futures = client.map(execute_job, todo, pure=False)
            job_of = {future.key: job for future, job in zip(futures, todo)}
            for future in dask_completed(futures):
                try:
                    done(future.result())
                except Exception as exc:  # e.g. KilledWorker: the worker died (more times than the cluster retries)
                    job = job_of[future.key]
                    done(JobResult(job, "failed", error=f"the Dask worker running {job.stem} for {job.site} "
                                   f"was lost ({type(exc).__name__}: {exc}); run the batch again with --resume",
                                   finished=_now()))
    else:
        _pipeline(todo, min(n_jobs or os.cpu_count() or 1, len(todo)), done)
    bar.close()
    for folder in {job.output_dir for job in todo}:  # a worker killed mid-job (its job retried) leaves one
        for stale in folder.glob(".staging-*"):
            shutil.rmtree(stale, ignore_errors=True)
    order = {(str(job.output_dir), job.notebook): i for i, job in enumerate(jobs)}  # results come back pickled
    return sorted(results, key=lambda r: order[(str(r.job.output_dir), r.job.notebook)])


def site_jobs(config: BatchConfig, run_dir: Path, publication: bool | None = None) -> list[Job]:
    """One job per (site, notebook); each notebook receives only the parameters it declares."""
    publication = config.publication if publication is None else publication
    jobs = []
    for site in config.sites:
        for nb in config.notebooks:
            declared = set(notebook_parameters(nb))
            params = {k: v for k, v in site.parameters.items() if k in declared}
            jobs.append(Job(site=site.site, notebook=nb, output_dir=run_dir / site.slug, parameters=params,
                            publication=publication))
    return jobs


def summary_jobs(config: BatchConfig, run_dir: Path, publication: bool | None = None) -> list[Job]:
    """Summary notebooks run once for the whole run. Each receives the shared parameters it declares, its own
    parameters from the batch file (transcripts, survey folders...; their files are its inputs), and ``run_dir``
    when it declares it -- then the sites' effect_sizes.csv are its inputs, not the whole run folder."""
    publication = config.publication if publication is None else publication
    jobs = []
    for nb in config.summary_notebooks:
        declared = set(notebook_parameters(nb))
        params = config.summary_job_parameters(nb, declared)
        if "run_dir" in declared:
            params["run_dir"] = str(run_dir)
        inputs = (sorted(str(p) for p in run_dir.glob("*/effect_sizes.csv") if p.parent.name != SUMMARY_SLUG)
                  if "run_dir" in declared else [])
        jobs.append(Job(site="all sites", notebook=nb, output_dir=run_dir / SUMMARY_SLUG, parameters=params,
                        extra_inputs=inputs, publication=publication))
    return jobs


@dataclass
class BatchRun:
    run_dir: Path
    results: list[JobResult]
    manifest: Path
    index: Path
    disclosure: Any = None  # findings of the disclosure scan (empty DataFrame when it passed)

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status == "failed"]


def write_manifest(run_dir: Path, config: BatchConfig, results: list[JobResult],
                   disclosure: dict | None = None, publication: bool | None = None) -> Path:
    """``run_dir/manifest.json``: whether the run is for publication, the environment, and for every job its
    parameters, input hashes, times, status.

    In a run for publication, ``manifest.json`` lists each job's inputs by label, SHA-256 and size (no names or
    paths) and the full manifest goes to ``run_dir/restricted/manifest.json``, which is never published."""
    publication = config.publication if publication is None else publication
    full, shown = [], []
    for r in results:
        if r.status == "skipped" and r.job.record_path.exists():
            entry = json.loads(r.job.record_path.read_text(encoding="utf-8"))
            if r.job.full_record_path.exists():
                full_entry = json.loads(r.job.full_record_path.read_text(encoding="utf-8"))
            else:  # a record from before full records were kept apart: made again from the job
                full_entry = _record(JobResult(r.job, "skipped", fingerprint=r.fingerprint, inputs=r.job.inputs()))
            entry["status"] = full_entry["status"] = "skipped (up to date)"
        else:
            full_entry = _record(r)
            entry = _published_record(r) if publication else full_entry
        full.append(full_entry)
        shown.append(entry if publication else full_entry)
    manifest = {
        "run": config.run,
        "publication": publication,
        "batch_file": str(config.source) if config.source else None,
        "written": _now(),
        "environment": environment(),
        "disclosure_check": disclosure,
        "jobs": full,
    }
    path = run_dir / "manifest.json"
    if publication:
        _write_json(run_dir / RESTRICTED_MANIFEST, manifest)
        manifest = {**manifest, "jobs": shown,
                    "batch_file": ({"label": "batch file", "sha256": cached_sha256(config.source)}
                                   if config.source and Path(config.source).is_file() else None),
                    "inputs": "each job's inputs by label, SHA-256 and size; their file names and paths are in "
                              f"{RESTRICTED_MANIFEST.as_posix()}, which is not published"}
    _write_json(path, manifest)
    return path


def write_run_index(run_dir: Path, title: str, results: list[JobResult], synthetic: bool = False,
                    banner_html: str = "") -> Path:
    """Write the run's ``index.html`` linking each pair's report (or saying why it failed); return its path."""
    entries = []
    for r in results:
        ipynb = r.job.output_ipynb
        html = ipynb.with_suffix(".html")
        failed_nb = r.job.failed_ipynb
        shown_nb = ipynb if r.ok else failed_nb
        entries.append(IndexEntry(
            site=r.job.site,
            notebook=r.job.stem,
            status="ok" if r.ok else "failed",
            html=html.relative_to(run_dir).as_posix() if r.ok and html.exists() else None,
            ipynb=(shown_nb.relative_to(run_dir).as_posix() if shown_nb.exists()
                   and "restricted" not in shown_nb.relative_to(run_dir).parts else None),  # never link restricted/
            error=relative_paths(r.error.splitlines()[0], run_dir) if r.error else "",
            title=title_of(ipynb) if r.ok and ipynb.exists() else title_of(notebook_path(r.job.notebook)),
            reused=r.status == "skipped",
            docx=(html.with_suffix(".docx").relative_to(run_dir).as_posix()
                  if r.ok and html.with_suffix(".docx").exists() else None),
        ))
    # run_batch writes manifest.json right after the index
    return write_index(run_dir, title, entries, synthetic=synthetic, banner_html=banner_html,
                       manifest="manifest.json")


def register_of_ids(config: BatchConfig) -> tuple[list[str], list[str]]:
    """Every participant id in the sites' participants files (what the disclosure scan must never find),
    and the sites whose participants file could not be read for it (reported in the manifest)."""
    from cm_research.data.loading import find_table_file
    from cm_research.errors import CMResearchError
    from cm_research.privacy.scan import load_scan_register

    ids: list[str] = []
    gaps: list[str] = []
    for site in config.sites:
        data_dir = site.parameters.get("data_dir")
        if not data_dir:
            continue
        try:
            ids.extend(load_scan_register(find_table_file(data_dir, "participants")))
        except (CMResearchError, OSError, ValueError, KeyError) as exc:
            gaps.append(f"{site.site}: {str(exc).splitlines()[0]}")
    return ids, gaps


def disclosure_check(run_dir: Path, config: BatchConfig):
    """Audit the run (identifiers and small numbers: :func:`cm_research.privacy.audit.audit_run`); record the
    findings (restricted/) and a NOT_FOR_PUBLICATION.txt marker when there are any."""
    from cm_research.privacy.audit import audit_run
    from cm_research.privacy.scan import record_disclosure_check

    ids, gaps = register_of_ids(config)
    findings = audit_run(run_dir, register=ids)
    findings.attrs["register_gaps"] = gaps
    record_disclosure_check(run_dir, findings)
    return findings


INTERNAL_BANNER = ('<p class="banner" style="border-left-color:#a40000;background:#fde8e8"><strong>NOT FOR '
                   "PUBLICATION.</strong> An internal run for the Virtual School: its reports describe individual "
                   "young people. Keep it on secure systems; never publish it or link to it from a published "
                   "run.</p>")


def _check_run_folder(run_dir: Path, publication: bool) -> None:
    """A run for publication may not go into (or inside) an internal run's folder, nor an internal run into a
    published one: each keeps its own folder."""
    found = run_publication(run_dir)
    if found and found[1] != publication:
        folder, published = found
        kind = "a run for publication" if published else "an internal run (NOT FOR PUBLICATION)"
        wanted = "a run for publication" if publication else "an internal run"
        raise PublicationError(f"{run_dir} is in {folder}, which holds {kind}; write {wanted} to a separate folder "
                               f"(e.g. {folder.parent / (folder.name + ('-public' if publication else '-internal'))})")


def run_batch(config: BatchConfig, output_root: str | Path = "outputs", n_jobs: int | None = None,
              resume: bool = False, scheduler: str | None = None, progress: bool = True,
              run_dir: str | Path | None = None, synthetic: bool = False,
              publication: bool | None = None) -> BatchRun:
    """Run every site job, then the summary notebooks, and write manifest.json and index.html.

    ``publication`` (default: the batch file's ``publication:``, itself true by default) says whether the run is
    for publication. A run for publication refuses notebooks marked for internal use (BatchConfigError, before
    anything runs); an internal run gets NOT_FOR_PUBLICATION.txt, a manifest saying ``"publication": false``
    and an index titled and bannered as internal.
    """
    publication = config.publication if publication is None else bool(publication)
    check_audience(config, publication)
    run_dir = Path(run_dir) if run_dir else Path(output_root) / slugify(config.run)
    run_dir = run_dir.resolve()
    _check_run_folder(run_dir, publication)
    run_dir.mkdir(parents=True, exist_ok=True)
    with run_lock(run_dir):  # one batch per folder: a second one is refused (RunLockedError), not interleaved
        stale = remove_stale_staging(run_dir)
        if stale:
            print(f"removed {len(stale)} unfinished staging folder(s) left in {run_dir} by a batch that was "
                  f"stopped: {', '.join(stale)}", file=sys.stderr)
        return _run_batch_locked(config, run_dir, n_jobs, resume, scheduler, progress, synthetic, publication)


def _run_batch_locked(config: BatchConfig, run_dir: Path, n_jobs: int | None, resume: bool, scheduler: str | None,
                      progress: bool, synthetic: bool, publication: bool) -> BatchRun:
    """The body of :func:`run_batch`, run while holding the run folder's lock."""
    if not publication:  # marked before anything is written, so even a crashed run is marked
        write_internal_marker(run_dir, f"internal run {config.run!r}")
        write_manifest(run_dir, config, [], publication=False)  # the folder is internal from the start
    if synthetic:
        from cm_research.datasets.synthetic import DEMO_SEED, SYNTHETIC_NOTICE

        (run_dir / "SYNTHETIC.txt").write_text(SYNTHETIC_NOTICE.format(seed=DEMO_SEED), encoding="utf-8")
    results = run_jobs(site_jobs(config, run_dir, publication), n_jobs=n_jobs, progress=progress, resume=resume,
                       scheduler=scheduler)
    if config.summary_notebooks:
        results += run_jobs(summary_jobs(config, run_dir, publication), n_jobs=n_jobs, progress=False, resume=resume,
                            scheduler=scheduler)
    from cm_research.privacy.scan import disclosure_banner

    title = f"cm_research: {config.run}" + ("" if publication else " (internal, NOT FOR PUBLICATION)")
    internal_banner = "" if publication else INTERNAL_BANNER
    write_run_index(run_dir, title, results, synthetic=synthetic, banner_html=internal_banner)
    write_manifest(run_dir, config, results, publication=publication)  # checked with the rest
    findings = disclosure_check(run_dir, config)  # after the index: its error lines come from notebooks
    if not publication:  # the disclosure check removes a marker when it finds nothing: an internal run keeps one
        marker = run_dir / "NOT_FOR_PUBLICATION.txt"
        found = marker.read_text(encoding="utf-8") if marker.exists() else ""
        write_internal_marker(run_dir, f"internal run {config.run!r}", extra=found)
    index = write_run_index(run_dir, title, results, synthetic=synthetic,
                            banner_html=internal_banner + disclosure_banner(findings))
    manifest = write_manifest(run_dir, config, results, publication=publication, disclosure={
        "passed": findings.empty, "findings": int(len(findings)),
        "kinds": {str(k): int(n) for k, n in findings["kind"].value_counts().items()},
        "ids_not_registered_for": findings.attrs.get("register_gaps", []),
        "details": "restricted/disclosure_findings.csv"})
    return BatchRun(run_dir=run_dir, results=results, manifest=manifest, index=index, disclosure=findings)
