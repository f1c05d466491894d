"""Kernels forked from the warm template: each notebook starts from a clean state, a crash fails only its own
pair, and the demo's tables are byte-identical to those made by ordinary kernels."""

import filecmp
import json
import os
import sys

import nbformat
import pytest

from cm_research.batch import run_notebook
from cm_research.batch.kernel import ForkedKernelManager, fork_server, fork_unavailable_reason, kernel_manager_class
from cm_research.batch.runner import Job, run_jobs

pytestmark = [pytest.mark.notebook,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked kernels are tested on Linux")]


def notebook(path, *cells, parameters="out = ''"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}),
                *(nbformat.v4.new_code_cell(c) for c in cells)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


PROBE = """
import json, os
import numpy as np, pandas as pd, matplotlib, cm_research
json.dump({"pid": os.getpid(), "ppid": os.getppid(), "leaked_global": "leak" in globals(),
           "linewidth": matplotlib.rcParams["lines.linewidth"], "max_rows": pd.get_option("display.max_rows"),
           "patched": getattr(cm_research, "__version__", None), "draw": float(np.random.rand())}, open(out, "w"))
"""

POLLUTE = """
import numpy as np, pandas as pd, matplotlib, cm_research
leak = 1
matplotlib.rcParams["lines.linewidth"] = 7.0
pd.set_option("display.max_rows", 3)
cm_research.__version__ = "monkeypatched"
np.random.seed(123)
"""


def test_state_set_by_one_notebook_is_not_seen_by_the_next(tmp_path):
    assert kernel_manager_class() is ForkedKernelManager, fork_unavailable_reason()
    template = fork_server().pid
    probe = notebook(tmp_path / "probe.ipynb", PROBE)
    polluter = notebook(tmp_path / "pollute.ipynb", POLLUTE, PROBE)

    run_notebook(polluter, tmp_path / "a.ipynb", {"out": str(tmp_path / "a.json")}, html=False)
    run_notebook(probe, tmp_path / "b.ipynb", {"out": str(tmp_path / "b.json")}, html=False)
    run_notebook(probe, tmp_path / "c.ipynb", {"out": str(tmp_path / "c.json")}, html=False)
    a, b, c = (json.loads((tmp_path / f"{n}.json").read_text()) for n in "abc")

    # the polluter really changed its own state...
    assert a["leaked_global"] and a["linewidth"] == 7.0 and a["max_rows"] == 3 and a["patched"] == "monkeypatched"
    # ...in a kernel forked from the template, as were the next ones: three processes, one parent
    assert a["ppid"] == b["ppid"] == c["ppid"] == template and len({a["pid"], b["pid"], c["pid"]}) == 3
    import cm_research
    import pandas as pd

    for after in (b, c):
        assert not after["leaked_global"]
        assert after["linewidth"] == 1.5  # matplotlib's default
        assert after["max_rows"] == pd.get_option("display.max_rows")
        assert after["patched"] == cm_research.__version__
    # every child is reseeded from the OS: no two kernels draw the same "random" numbers
    assert len({a["draw"], b["draw"], c["draw"]}) == 3


def test_a_kernel_that_dies_fails_only_its_own_pair(tmp_path):
    nb = notebook(tmp_path / "crash.ipynb",
                  "import os, pathlib\nif crash:\n    os._exit(1)\npathlib.Path(output_dir, 'done.txt').write_text(site)",
                  parameters="crash = False\nsite = ''\noutput_dir = '.'")
    jobs = [Job(site=s, notebook=str(nb), output_dir=tmp_path / s, parameters={"site": s, "crash": s == "b"})
            for s in ("a", "b", "c")]
    results = run_jobs(jobs, n_jobs=1, progress=False)  # one process, one template, one after another
    assert [r.status for r in results] == ["ok", "failed", "ok"]
    assert "crash.ipynb: the kernel running it died" in results[1].error, results[1].error
    assert (tmp_path / "c" / "done.txt").read_text() == "c"
    assert not (tmp_path / "b" / "done.txt").exists() and not list(tmp_path.glob("*/.staging-*"))
    assert fork_server() is not None and fork_server().alive()  # the template survives its child's crash


def test_demo_tables_are_byte_identical_to_ordinary_kernels(shared_demo_run, tmp_path, monkeypatch):
    """One demo site's data-quality and outcomes notebooks, re-run with ordinary kernels, write the same tables
    (every CSV and the JSON summaries) as the shared demo run made with forked kernels. HTML and .ipynb files are
    not compared: they hold run times, kernel ids and the run folder's path."""
    from cm_research.batch import demo_config, run_batch

    monkeypatch.setenv("CM_RESEARCH_KERNELS", "ordinary")
    assert kernel_manager_class() is not ForkedKernelManager
    config = demo_config(notebooks=("01_data_quality", "02_outcomes"), summary_notebooks=())
    config.sites = config.sites[:1]
    run = run_batch(config, run_dir=tmp_path / "ordinary", n_jobs=2, progress=False)
    assert not run.failed, [r.error for r in run.failed]
    slug = config.sites[0].slug
    ours = tmp_path / "ordinary" / slug
    tables = sorted(p.relative_to(ours) for p in ours.rglob("*") if p.suffix in (".csv", ".json")
                    and ".jobs" not in p.parts and "provenance" not in p.parts)  # job records: paths and times
    assert len(tables) >= 5, tables
    different = [t for t in tables if not filecmp.cmp(ours / t, shared_demo_run / slug / t, shallow=False)]
    assert not different
    assert os.environ["CM_RESEARCH_KERNELS"] == "ordinary"
