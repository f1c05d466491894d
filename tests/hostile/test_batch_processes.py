"""Issue 22, item 11: a batch coordinator killed with SIGKILL takes its workers and kernels with it; the staging
folders it leaves are removed (and named) by the next batch on the folder; a second batch on a folder that a
batch is writing is refused with a plain message instead of both writing."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
import yaml

pytestmark = [pytest.mark.notebook,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the processes")]

CLI = Path(sys.executable).parent / "cm-research"


def slow_batch(tmp_path: Path, sites=("a", "b", "c"), pause: float = 120) -> Path:
    """A batch whose notebook writes a partial file into its staging folder, then sleeps for ``pause`` s."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("data_dir = ''\nsite = ''\noutput_dir = '.'\npause = 0",
                                          metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("import pathlib, time\npathlib.Path(output_dir, 'partial.csv').write_text('x')"
                                          "\ntime.sleep(pause)")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "slow.ipynb")
    for s in sites:
        (tmp_path / "data" / s).mkdir(parents=True, exist_ok=True)
    doc = {"run": "slow", "notebooks": [str(tmp_path / "slow.ipynb")], "parameters": {"pause": pause},
           "sites": [{"site": s, "data_dir": str(tmp_path / "data" / s)} for s in sites]}
    path = tmp_path / f"batch-{len(sites)}.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (workers, kernel templates, kernels), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def test_killed_coordinator_takes_its_workers_with_it_and_a_second_batch_is_refused(tmp_path):
    batch = slow_batch(tmp_path)
    run = tmp_path / "run"
    env = {**os.environ, "CM_RESEARCH_KERNEL_PRELOAD": "pathlib"}  # the notebook needs no scientific stack
    coordinator = subprocess.Popen([str(CLI), "batch", str(batch), "--output", str(run), "--jobs", "2"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        # both workers are inside a notebook: each has written a partial file into its staging folder
        wait_for(lambda: len(list(run.glob("*/.staging-*/partial.csv"))) == 2, 120, "two notebooks to start")

        second = subprocess.run([str(CLI), "batch", str(batch), "--output", str(run), "--jobs", "1"],
                                capture_output=True, text=True, timeout=60, env=env)
        assert second.returncode != 0
        assert f"another batch is already writing to {run}" in second.stderr
        assert "Traceback" not in second.stderr

        below = descendants(coordinator.pid)
        assert len(below) >= 4, below  # two workers, and under each a kernel template and a kernel
        os.kill(coordinator.pid, signal.SIGKILL)
        coordinator.wait(timeout=10)
        wait_for(lambda: not any(alive(p) for p in below), 15, f"processes {sorted(below)} to end")
    finally:
        if coordinator.poll() is None:
            coordinator.kill()
    # nothing ran on: no site got further than the two that had started, and none was published
    assert not list(run.glob("*/slow.ipynb")) and not list(run.glob("*/partial.csv"))


def test_the_next_batch_removes_and_names_the_staging_folders_a_killed_one_left(tmp_path, capsys):
    from cm_research.cli import main

    batch = slow_batch(tmp_path, sites=("a",), pause=0)
    run = tmp_path / "run"
    left = run / "a" / ".staging-slow-deadbeef"  # what a batch killed with its workers (e.g. power cut) leaves
    left.mkdir(parents=True)
    (left / "slow.ipynb").write_text("{")
    assert main(["batch", str(batch), "--output", str(run)]) == 0
    err = capsys.readouterr().err
    assert "removed 1 unfinished staging folder(s)" in err and "a/.staging-slow-deadbeef" in err
    assert not left.exists() and (run / "a" / "slow.html").exists()
