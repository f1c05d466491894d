"""The lifetime of a batch's processes: one batch per output folder, workers that end with their coordinator,
and no unfinished staging folder left behind.

- **Run lock.** A batch holds ``.RUN.batch.lock`` beside ``RUN`` (an OS file lock, via ``filelock``) while it
  writes; a second batch on the same folder is refused at once with :class:`RunLockedError` instead of both
  writing and the last writer silently winning each file. The OS releases the lock when the holder dies, even by SIGKILL.
- **Workers die with the coordinator.** Each worker process asks the kernel to send it SIGTERM when its parent
  ends (``PR_SET_PDEATHSIG`` on Linux) and also watches its parent id (elsewhere); on either it removes the
  staging folder of the job it was running and exits; its kernel template sees its lifeline close and kills the
  kernels it forked. An ordinary kernel notices its parent has gone within a second (ipykernel's parent poller).
- **Stale staging folders.** A job writes into ``SITE/.staging-*`` and moves its files out only when complete; a
  killed batch can leave such folders. The next batch on the folder (holding the lock, so no live batch owns them)
  removes them and says which.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from cm_research.errors import CMResearchError

LOCK_NAME = ".batch.lock"
STAGING_GLOB = ".staging-*"


class RunLockedError(CMResearchError):
    """Another batch is writing to the same output folder."""


@contextmanager
def run_lock(run_dir: Path) -> Iterator[Path]:
    """Hold the run folder's lock for the block; RunLockedError at once if another batch holds it."""
    from filelock import FileLock, Timeout

    run_dir = Path(run_dir)
    # beside the run folder, not in it: everything in a run folder is published (and must pass the disclosure scan)
    path = run_dir.parent / f".{run_dir.name}{LOCK_NAME}"
    lock = FileLock(str(path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise RunLockedError(
            f"another batch is already writing to {run_dir} (it holds {path}); wait for it to finish, or write "
            "this batch to a different folder with --output") from None
    try:
        yield path
    finally:
        lock.release()


def stale_staging_folders(run_dir: Path) -> list[Path]:
    """Staging folders under ``run_dir`` (``SITE/.staging-*``): unfinished jobs of a batch that was killed."""
    return sorted(p for p in Path(run_dir).glob(f"*/{STAGING_GLOB}") if p.is_dir())


def remove_stale_staging(run_dir: Path) -> list[str]:
    """Remove the staging folders a killed batch left (call only while holding the run lock); return them,
    relative to ``run_dir``, for the report."""
    removed = []
    for folder in stale_staging_folders(run_dir):
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder.relative_to(run_dir).as_posix())
    return removed


# --- workers -----------------------------------------------------------------------------------------------------

_current_staging: Path | None = None


def set_current_staging(folder: Path | None) -> None:
    """The staging folder of the job this process is running (removed if the process is told to stop)."""
    global _current_staging
    _current_staging = folder


def _stop(*_args) -> None:
    """The coordinator has gone: remove our unfinished job's staging folder and exit. Our kernel template reads
    end-of-file on its lifeline when we are gone, and kills the kernels it forked. (No lock is taken here: the
    signal may arrive while this thread holds one, e.g. while the template is starting.)"""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the parent watch may signal again: never re-enter
    try:
        if _current_staging is not None:
            shutil.rmtree(_current_staging, ignore_errors=True)
    finally:
        os._exit(1)


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGTERM)
            return


def init_worker() -> None:
    """Initializer of every batch worker process: end with the coordinator, however it ends."""
    signal.signal(signal.SIGTERM, _stop)
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the coordinator died before we got here
        _stop()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="cm-research-parent-watch").start()
    # a pool worker ends through multiprocessing (atexit does not run there): end our template then, and wait for
    # it, so that its kernels' CPU time is counted in ours
    from multiprocessing.util import Finalize

    from cm_research.batch.kernel import stop_fork_server

    Finalize(None, stop_fork_server, exitpriority=10)
