import gc
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

# OpenBLAS threads that wait for work spin for up to 2**28 CPU cycles before sleeping (its default). With two
# pytest-xdist workers on two cores, and the kernels, R and Chromium the tests start, each worker's spinning
# threads take the cores the other needs: the learned-coder tests took four times as long. 2**4 cycles makes
# them sleep at once; the number of threads, and so every result, is unchanged. Set before numpy loads, and
# inherited by every kernel and subprocess the tests start.
# (Some test modules import this file again by name; by then the variable is set and numpy loaded, rightly.)
if "OPENBLAS_THREAD_TIMEOUT" not in os.environ:
    if "numpy" in sys.modules:  # a plugin imported it first: this process keeps the default, subprocesses do not
        warnings.warn("numpy was imported before tests/conftest.py set OPENBLAS_THREAD_TIMEOUT", stacklevel=1)
    os.environ["OPENBLAS_THREAD_TIMEOUT"] = "4"

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import pytest  # noqa: E402

PARTICIPANTS_HEADER = ("participant_id,site,cohort,year_group,education_stage,care_status,referral_reasons,"
                       "programme,group,start_date,end_date,match_ended_early")
VALID_PARTICIPANTS = [
    "T-001,Testshire,2023/24,8,KS3,looked_after,anxiety_mental_health,creative_mentoring,mentored,11/09/2023,19/07/2024,no",
    "T-002,Testshire,2023/24,9,KS3,looked_after,,,comparison,,,",
    "T-003,Testshire,2023/24,10,KS4,previously_looked_after,school_avoidance; poor_engagement,creative_mentoring,mentored,02/10/2023,,no",
    "T-004,Testshire,2022/23,7,KS3,looked_after,,,comparison,,,",
]
OUTCOMES_HEADER = "participant_id,measure,timepoint,date,value"
VALID_OUTCOMES = [
    "T-001,attendance_pct,baseline,01/10/2023,81.5",
    "T-001,attendance_pct,post,15/07/2024,90",
    "T-002,attendance_pct,baseline,01/10/2023,77",
    "T-002,sdq_total,baseline,01/10/2023,18",
    "T-003,sdq_total,baseline,01/10/2023,21",
    "T-003,sdq_total,post,15/07/2024,16",
]


@pytest.fixture
def write_file(tmp_path):
    """Write lines (or bytes) to a file in tmp_path and return its path."""

    def write(name: str, lines, encoding: str = "utf-8"):
        path = tmp_path / name
        if isinstance(lines, bytes):
            path.write_bytes(lines)
        else:
            path.write_text("\n".join(lines) + "\n", encoding=encoding)
        return path

    return write


@pytest.fixture
def participants_csv(write_file):
    return write_file("participants.csv", [PARTICIPANTS_HEADER, *VALID_PARTICIPANTS])


def _shared_demo_folder(config) -> Path:
    """Where the shared demo is built: a folder every pytest-xdist worker of this session sees (each worker's
    own basetemp is pytest-of-user/pytest-N/popen-gwN/; the folder is beside them), or the basetemp itself."""
    base = config._tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    return base / "shared-demo"


def build_shared_demo(folder: Path, started: Path | None = None) -> None:
    """Build the demo into ``folder``/demo unless a process has already (under ``folder``'s file lock), and
    record the outcome there: ``built``, or ``failed`` with the errors. ``started`` is written once the lock is
    held, for the process that started this one in the background to know it may go on."""
    from filelock import FileLock

    from cm_research.batch import run_demo

    folder.mkdir(parents=True, exist_ok=True)
    root, done, failed = folder / "demo", folder / "built", folder / "failed"
    with FileLock(str(folder.parent / "shared-demo.lock")):
        if started is not None:
            started.write_text(str(os.getpid()), encoding="utf-8")
        if not done.exists() and not failed.exists():
            try:
                _, results = run_demo(root, n_jobs=2, progress=False)
                errors = [r.error for r in results if not r.ok]
            except BaseException as exc:  # noqa: BLE001 - recorded for the other workers, then raised here
                failed.write_text(f"the shared demo run raised {exc!r}", encoding="utf-8")
                raise
            (failed if errors else done).write_text("\n".join(map(str, errors)), encoding="utf-8")


#: modules without notebooks that hold single long computations (the learned coder's fits and its site
#: cross-validation: about 15 s of CPU in one test); a module joins this list when --durations shows it
COSTLY_MODULES = ("tests/qual/test_qual_gold.py", "tests/qual/test_qual_learned.py")


def pytest_collection_modifyitems(session, config, items):
    """Run the costly modules first, a module's tests together and in their own order: the modules that execute
    notebooks without the shared demo, then the long computations of COSTLY_MODULES, then those that read the
    shared demo (built in the background meanwhile), then the rest, many short tests that even out the
    workers' last minutes (a long test handed out last would set the wall time alone). pytest-xdist's
    ``--dist loadscope`` hands out modules in this order when run with ``--no-loadscope-reorder`` (the
    Makefile's test target); its own reordering, by number of tests, would leave the longest modules, which
    have few tests, for the end. The order is the same in every worker (xdist requires it)."""
    modules: dict[str, list] = {}
    for item in items:
        modules.setdefault(item.nodeid.split("::", 1)[0], []).append(item)

    def rank(module_items: list) -> int:
        if any("shared_demo_run" in getattr(i, "fixturenames", ()) for i in module_items):
            return 2
        if any(i.get_closest_marker("notebook") for i in module_items):
            return 0
        return 1 if module_items[0].nodeid.split("::", 1)[0] in COSTLY_MODULES else 3

    ordered = sorted(modules.values(), key=rank)  # stable: collection order within a rank
    items[:] = [item for module_items in ordered for item in module_items]


_BACKGROUND: list[subprocess.Popen] = []


def pytest_collection_finish(session):
    """Freeze what collection imported (see _freeze_collected), and start the shared demo's background build."""
    _start_shared_demo_build(session)
    _freeze_collected()


def _freeze_collected() -> None:
    """Move every object alive after collection (the imported stack, cm_research, the test modules) out of the
    garbage collector's reach: they live until the session ends anyway. Each full collection then walks only
    what the tests have made since, not the whole heap again. statsmodels' Holm adjustment (``multipletests``)
    calls ``gc.collect()`` on every call, and Python runs full collections of its own as the heap grows: on
    four report and statistics modules the collector's CPU time went from 4.2 s to 0.2 s (of 13.9 s). Nothing
    a test computes changes: a collection only frees memory."""
    gc.collect()
    gc.freeze()


def _start_shared_demo_build(session) -> None:
    """When a selected test needs the shared demo, start building it now in a background process, so the
    workers run other tests meanwhile instead of one of them building it while the other waits. The first
    worker to get here starts it (file lock and a marker: at most one build a session); the fixture below
    then waits for it, or builds the demo itself if the background build never got going."""
    config = session.config
    if os.environ.get("CM_TEST_DEMO_IN_BACKGROUND", "1") == "0" or config.option.collectonly:
        return
    if not any("shared_demo_run" in getattr(item, "fixturenames", ()) for item in session.items):
        return
    from filelock import FileLock

    folder = _shared_demo_folder(config)
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder.parent / "shared-demo-start.lock")):
        claimed = folder / "background"
        if claimed.exists():
            return
        claimed.write_text(str(os.getpid()), encoding="utf-8")
    started = folder / "background-started"
    log = (folder / "background.log").open("w", encoding="utf-8")
    here = str(Path(__file__).parent)
    code = f"import sys; sys.path.insert(0, {here!r}); import conftest; conftest.build_shared_demo("
    code += f"conftest.Path({str(folder)!r}), conftest.Path({str(started)!r}))"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    _BACKGROUND.append(proc)
    deadline = time.monotonic() + 60  # until it holds the lock (else the fixture may take the lock first)
    while not started.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)


def pytest_sessionfinish(session, exitstatus):
    """This process waits for the background build it started (another worker may still need it), unless the
    session was interrupted or is stopping at a first failure (-x): then the build is stopped with it."""
    stopping = exitstatus == pytest.ExitCode.INTERRUPTED or session.shouldstop or session.shouldfail
    for proc in _BACKGROUND:
        if not stopping:
            try:
                proc.wait(timeout=900)
            except subprocess.TimeoutExpired:
                pass
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def shared_demo_run(pytestconfig):
    """The whole synthetic demo (`make demo`), run once per test session; tests must copy it before changing it.

    Under pytest-xdist (`make test` runs two workers) every worker has its own session, so the demo is built
    once, under a file lock, in a folder all workers share: in a background process started as soon as the
    tests are collected (see pytest_collection_finish), or else by the first worker to need it; the others
    wait for it and read it. A failed build is recorded there too, so the other workers fail with its message
    rather than build again.
    """
    folder = _shared_demo_folder(pytestconfig)
    build_shared_demo(folder)
    failed = folder / "failed"
    assert not failed.exists(), f"the shared demo run failed: {failed.read_text(encoding='utf-8')}"
    return folder / "demo"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """A test that sets CM_RESEARCH_KERNEL_PRELOAD (a small template for its own tiny notebook) and runs a batch
    with one worker starts this process's kernel template, which lives on for the rest of the session: every
    later one-worker batch here would then fork kernels that import the whole stack again, per notebook. Such a
    template is stopped when its test ends, while the test's environment is still in place."""
    kernel = sys.modules.get("cm_research.batch.kernel")
    before = getattr(kernel, "_server", None)
    yield
    kernel = sys.modules.get("cm_research.batch.kernel")
    if kernel is not None and os.environ.get("CM_RESEARCH_KERNEL_PRELOAD") is not None \
            and kernel._server is not None and kernel._server is not before:
        kernel.stop_fork_server()
