"""A batch on a real Dask cluster (``distributed.LocalCluster`` on 127.0.0.1, two worker processes): a worker
killed in the middle of a pair leaves no half-written output, the pair is reported, ``--resume`` completes the
run, and the results equal a local run's. Workers run their notebooks in forked kernels."""

import filecmp
import os
import signal
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest
import yaml

from cm_research.batch import load_batch, run_batch
from cm_research.datasets import dataset_path

distributed = pytest.importorskip("distributed")
pytestmark = [pytest.mark.notebook,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the worker")]

COUNT = """
import os, pathlib, time
import pandas as pd
if marker and not pathlib.Path(marker).exists():  # the first attempt stops half-way, for the test to kill it
    pathlib.Path(output_dir, 'counts.csv').write_text('half-written')
    pathlib.Path(marker).write_text(str(os.getpid()))
    time.sleep(300)
counts = pd.read_csv(pathlib.Path(data_dir, 'participants.csv')).groupby(['cohort', 'group']).size()
counts.rename('n').to_csv(pathlib.Path(output_dir, 'counts.csv'))
"""


def make_batch(tmp_path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("data_dir = ''\nsite = ''\noutput_dir = '.'\nmarker = ''",
                                          metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(COUNT)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "count.ipynb")
    sites = [{"site": "Northshire", "data_dir": str(dataset_path("demo") / "northshire")},
             {"site": "Westbury", "data_dir": str(dataset_path("demo") / "westbury"),
              "parameters": {"marker": str(tmp_path / "started.txt")}}]
    path = tmp_path / "batch.yaml"
    path.write_text(yaml.safe_dump({"run": "dask", "notebooks": [str(tmp_path / "count.ipynb")], "sites": sites}))
    return path


def parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_a_worker_killed_mid_pair_leaves_nothing_half_written_and_resume_completes(tmp_path, monkeypatch):
    import dask

    config = load_batch(make_batch(tmp_path))
    run_dir, marker = tmp_path / "run", tmp_path / "started.txt"
    (tmp_path / "started.txt").write_text("")  # the local reference run does not stop half-way
    local = run_batch(config, run_dir=tmp_path / "local", n_jobs=1, progress=False)
    assert not local.failed
    marker.unlink()
    # the workers' kernel templates load only what this notebook imports: the test is about the cluster
    monkeypatch.setenv("CM_RESEARCH_KERNEL_PRELOAD", "pandas")
    outcome = {}
    # no retry on another worker: the lost pair must be reported (the default, 3 retries, would re-run it)
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                     dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        with distributed.Client(cluster) as client:
            workers = set(client.run(os.getpid).values())
        assert len(workers) == 2
        batch = threading.Thread(target=lambda: outcome.update(run=run_batch(
            config, run_dir=run_dir, scheduler=cluster.scheduler_address, progress=False)))
        batch.start()
        deadline = time.monotonic() + 120
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        kernel = int(marker.read_text())
        template = parent(kernel)
        assert b"cm_research.batch.forkserver" in Path(f"/proc/{template}/cmdline").read_bytes()
        worker = parent(template)
        assert worker in workers, (worker, workers)
        os.kill(worker, signal.SIGKILL)
        batch.join(timeout=120)
        first = outcome["run"]
        status = {r.job.site: r.status for r in first.results}
        assert status == {"Northshire": "ok", "Westbury": "failed"}
        lost = next(r for r in first.results if r.status == "failed")
        assert "Dask worker running count for Westbury was lost" in lost.error and "--resume" in lost.error
        assert not (run_dir / "westbury" / "counts.csv").exists(), "nothing half-written is published"
        assert not list(run_dir.glob("*/.staging-*"))

        second = run_batch(config, run_dir=run_dir, scheduler=cluster.scheduler_address, progress=False,
                           resume=True)
    assert {r.job.site: r.status for r in second.results} == {"Northshire": "skipped", "Westbury": "ok"}
    for site in ("northshire", "westbury"):
        ours = run_dir / site / "counts.csv"
        assert ours.read_text().startswith("cohort,group,n")
        assert filecmp.cmp(ours, tmp_path / "local" / site / "counts.csv", shallow=False), site
