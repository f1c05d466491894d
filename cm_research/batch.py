"""Execute parameterised notebooks with papermill and render them as HTML reports.

One (site, notebook) pair is a *job*. ``run_jobs`` runs many in worker processes; one failing job never
stops the others, and each failure is reported with the cell and error that failed.
"""

from __future__ import annotations

import os
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from cm_research.errors import NotebookExecutionError
from cm_research.report.html import IndexEntry, notebook_to_html, write_index

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"


def notebook_path(name: str | Path) -> Path:
    """A notebook by path, or by name in the project's ``notebooks/`` folder ("01_data_quality")."""
    path = Path(name)
    if path.exists():
        return path
    candidate = NOTEBOOKS_DIR / (path.name if path.suffix == ".ipynb" else f"{path.name}.ipynb")
    if candidate.exists():
        return candidate
    known = ", ".join(sorted(p.stem for p in NOTEBOOKS_DIR.glob("*.ipynb")))
    raise FileNotFoundError(f"no notebook {str(name)!r}; the project's notebooks are: {known}")


def run_notebook(notebook: str | Path, output_ipynb: str | Path, parameters: dict[str, Any],
                 html: bool = True, cwd: str | Path | None = None) -> Path:
    """Execute ``notebook`` with ``parameters`` into ``output_ipynb`` (and an HTML rendering beside it).

    Raises NotebookExecutionError naming the notebook, the failing cell and the error.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    source = notebook_path(notebook)
    output_ipynb = Path(output_ipynb)
    output_ipynb.parent.mkdir(parents=True, exist_ok=True)
    try:
        pm.execute_notebook(str(source), str(output_ipynb), parameters=parameters, progress_bar=False,
                            kernel_name="python3", cwd=str(cwd) if cwd else None)
    except PapermillExecutionError as exc:
        raise NotebookExecutionError(
            f"{source.name} failed in cell {exc.exec_count} with {exc.ename}: {exc.evalue} "
            f"(the executed notebook, with the error, is at {output_ipynb})"
        ) from None
    if html:
        notebook_to_html(output_ipynb)
    return output_ipynb


@dataclass
class Job:
    site: str
    notebook: str
    output_dir: Path
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def output_ipynb(self) -> Path:
        return self.output_dir / Path(notebook_path(self.notebook)).name


@dataclass
class JobResult:
    job: Job
    ok: bool
    error: str = ""


def _run_job(job: Job) -> JobResult:
    try:
        run_notebook(job.notebook, job.output_ipynb, job.parameters)
        return JobResult(job, True)
    except NotebookExecutionError as exc:
        return JobResult(job, False, str(exc))
    except Exception as exc:  # a worker must report every failure, never die silently
        return JobResult(job, False, f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}")


def run_jobs(jobs: list[Job], n_jobs: int | None = None, progress: bool = True) -> list[JobResult]:
    """Run every job, ``n_jobs`` at a time in worker processes (default: the number of cores)."""
    n_jobs = max(1, min(n_jobs or os.cpu_count() or 1, len(jobs)))
    results: list[JobResult] = []
    bar = tqdm(total=len(jobs), desc="notebooks", unit="run", disable=not progress)
    if n_jobs == 1:
        for job in jobs:
            results.append(_run_job(job))
            bar.update()
    else:
        with ProcessPoolExecutor(max_workers=n_jobs) as pool:
            futures = [pool.submit(_run_job, job) for job in jobs]
            for future in as_completed(futures):
                results.append(future.result())
                bar.update()
                bar.set_postfix(failed=sum(not r.ok for r in results))
    bar.close()
    return results


def write_run_index(run_dir: str | Path, title: str, results: list[JobResult], synthetic: bool = False) -> Path:
    run_dir = Path(run_dir)
    entries = []
    for r in results:
        ipynb = r.job.output_ipynb
        html = ipynb.with_suffix(".html")
        entries.append(IndexEntry(
            site=r.job.site,
            notebook=ipynb.stem,
            status="ok" if r.ok else "failed",
            html=html.relative_to(run_dir).as_posix() if r.ok and html.exists() else None,
            ipynb=ipynb.relative_to(run_dir).as_posix() if ipynb.exists() else None,
            error=r.error.splitlines()[0] if r.error else "",
        ))
    return write_index(run_dir, title, entries, synthetic=synthetic)


DEMO_NOTEBOOKS = ("01_data_quality", "02_outcomes")


def run_demo(output_root: str | Path = "outputs/demo", n_jobs: int | None = None, progress: bool = True,
             notebooks: tuple[str, ...] = DEMO_NOTEBOOKS):
    """Run the site notebooks for each synthetic demo site and write ``index.html``.

    Returns (index path, job results).
    """
    from cm_research.datasets import DEMO_SITES, dataset_path

    output_root = Path(output_root).resolve()
    demo = dataset_path("demo")
    jobs = [
        Job(site=spec.site, notebook=notebook, output_dir=output_root / spec.slug,
            parameters={"data_dir": str(demo / spec.slug), "site": spec.site,
                        "output_dir": str(output_root / spec.slug)})
        for spec in DEMO_SITES
        for notebook in notebooks
    ]
    results = run_jobs(jobs, n_jobs=n_jobs, progress=progress)
    index = write_run_index(output_root, "cm_research demo", results, synthetic=True)
    return index, results
