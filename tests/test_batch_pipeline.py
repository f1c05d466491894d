"""Rendering off the critical path: while the coordinator renders one pair's HTML, the next pair is already
executing; a pair whose report cannot be rendered fails alone, and nothing of it is published or vouched for."""

import sys
import time
from pathlib import Path

import nbformat
import pytest

from cm_research.batch import runner
from cm_research.batch.runner import Job, is_up_to_date, run_jobs

pytestmark = [pytest.mark.notebook,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked kernels are tested on Linux")]

# the notebook notes (in a folder outside the run; a dot file, so not one of its inputs) the moment it starts
# executing, then writes a small table
STAMP = """
import pathlib, time
pathlib.Path(stamps, '.' + site + '.started').write_text(repr(time.time()))
pathlib.Path(output_dir, 'table.csv').write_text('site\\n' + site + '\\n')
"""


def make_jobs(tmp_path: Path, sites=("a", "b", "c")) -> list[Job]:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("site = ''\nstamps = '.'\noutput_dir = '.'",
                                          metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(STAMP)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "stamp.ipynb")
    (tmp_path / "stamps").mkdir()
    return [Job(site=s, notebook=str(tmp_path / "stamp.ipynb"), output_dir=tmp_path / "run" / s,
                parameters={"site": s, "stamps": str(tmp_path / "stamps")}) for s in sites]


def test_the_next_pair_executes_while_the_previous_one_is_rendered(tmp_path, monkeypatch):
    """One worker (this process): the renderer thread, given pair a, waits until pair b has started executing
    before it renders a. Were rendering on the critical path (render a, then execute b) it would wait in vain."""
    jobs = make_jobs(tmp_path)
    stamps = tmp_path / "stamps"
    seen: dict[str, dict] = {}
    real = runner.notebook_to_html

    def slow_render(notebook, *args, **kwargs):
        site = Path(notebook).parent.parent.name  # SITE/.staging-*/stamp.ipynb
        nxt = {"a": "b", "b": "c"}.get(site)
        deadline = time.monotonic() + 60
        while nxt and not (stamps / f".{nxt}.started").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        seen[site] = {"next_started_first": bool(nxt) and (stamps / f".{nxt}.started").exists(),
                      "render_started": time.time()}
        return real(notebook, *args, **kwargs)

    monkeypatch.setattr(runner, "notebook_to_html", slow_render)
    results = run_jobs(jobs, n_jobs=1, progress=False)
    assert [r.status for r in results] == ["ok", "ok", "ok"], [r.error for r in results]
    assert seen["a"]["next_started_first"] and seen["b"]["next_started_first"], seen
    # b's notebook really ran before a's report was made (its cell's own clock, not the renderer's)
    assert float((stamps / ".b.started").read_text()) < seen["a"]["render_started"]
    for job in jobs:  # every pair published and vouched for, as when rendering was inline
        assert (job.output_dir / "stamp.html").exists() and (job.output_dir / "table.csv").exists()
        assert is_up_to_date(job)
    assert not list((tmp_path / "run").glob("*/.staging-*"))


def test_a_render_failure_fails_only_its_own_pair(tmp_path, monkeypatch):
    """Two worker processes execute; the coordinator cannot render b's report: b is failed (its notebook kept as
    stamp.failed.ipynb, nothing published, no record, so --resume runs it again); a and c are complete."""
    jobs = make_jobs(tmp_path)
    real = runner.notebook_to_html

    def failing_render(notebook, *args, **kwargs):
        if Path(notebook).parent.parent.name == "b":
            raise OSError("disk full (simulated)")
        return real(notebook, *args, **kwargs)

    monkeypatch.setattr(runner, "notebook_to_html", failing_render)
    monkeypatch.setenv("CM_RESEARCH_KERNEL_PRELOAD", "pathlib")  # the workers' templates: only what the cell needs
    results = run_jobs(jobs, n_jobs=2, progress=False)
    assert [r.status for r in results] == ["ok", "failed", "ok"], [r.error for r in results]
    error = results[1].error
    assert "stamp for b ran, but its report could not be made (OSError: disk full (simulated))" in error, error
    assert str(tmp_path / "run" / "b" / "stamp.failed.ipynb") in error
    b = tmp_path / "run" / "b"
    assert (b / "stamp.failed.ipynb").exists()
    assert not (b / "table.csv").exists() and not (b / "stamp.html").exists() and not jobs[1].record_path.exists()
    assert not is_up_to_date(jobs[1])
    for job in (jobs[0], jobs[2]):
        assert (job.output_dir / "stamp.html").exists() and is_up_to_date(job)
        assert (job.output_dir / "table.csv").read_text() == f"site\n{job.site}\n"
    assert not list((tmp_path / "run").glob("*/.staging-*"))
