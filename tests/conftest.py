import os
import sys
import warnings

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


@pytest.fixture(scope="session")
def shared_demo_run(tmp_path_factory):
    """The whole synthetic demo (`make demo`), run once per test session; tests must copy it before changing it.

    Under pytest-xdist (`make test` runs two workers) every worker has its own session, so the first worker to
    need the demo builds it, under a file lock, in a folder all workers share; the others wait for it and read
    it. A failed build is recorded there too, so the other workers fail with its message rather than build again.
    """
    from filelock import FileLock

    from cm_research.batch import run_demo

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # pytest-of-user/pytest-N/ is shared; each worker's own basetemp is popen-gwN/ in it
    folder = base / "shared-demo"
    root, done, failed = folder / "demo", folder / "built", folder / "failed"
    folder.mkdir(exist_ok=True)
    with FileLock(str(base / "shared-demo.lock")):
        if not done.exists() and not failed.exists():
            try:
                _, results = run_demo(root, n_jobs=2, progress=False)
                errors = [r.error for r in results if not r.ok]
            except Exception as exc:  # noqa: BLE001 - recorded for the other workers, then raised here
                failed.write_text(f"the shared demo run raised {exc!r}", encoding="utf-8")
                raise
            (failed if errors else done).write_text("\n".join(map(str, errors)), encoding="utf-8")
    assert not failed.exists(), f"the shared demo run failed: {failed.read_text(encoding='utf-8')}"
    return root
