"""The fork server: one warm "template" process that has imported the scientific stack and forks a fresh
ipykernel for each notebook.

Starting a kernel and importing pandas, scipy, statsmodels, pingouin, seaborn and cm_research costs about 3 s a
notebook. The template pays it once: it is started with ``python -m cm_research.batch.forkserver SOCKET`` (a fresh
interpreter, so it inherits no threads, sockets or event loops from whoever started it), pins the BLAS/OpenMP
thread pools to one thread *before* numpy loads (a pool's threads would not survive ``fork``), imports the stack,
checks that it is still single-threaded, and then waits on a Unix socket. Each request forks a child which

- starts its own session (so the kernel manager can signal its process group) and dies with the template
  (``PR_SET_PDEATHSIG`` on Linux; the template kills its children when it exits);
- restores default signal handling, takes the environment and working folder the kernel manager asked for,
  reseeds ``random`` and ``numpy.random`` from the OS (otherwise every child would draw the same numbers);
- runs ``ipykernel`` exactly as ``python -m ipykernel_launcher -f CONNECTION_FILE`` would.

The child is a new process: the notebook's namespace is empty and every module is as the template left it (the
template runs no notebook code), so nothing one notebook does is visible to the next. The template exits when its
parent closes the pipe on its standard input (i.e. when the process that started it ends, however it ends).

Matplotlib: the template sets ``MPLBACKEND`` to the inline backend exactly as ipykernel does, but does not load it;
pyplot resolves the backend lazily in the child, where the kernel's shell exists, so figures display as in an
ordinary kernel.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import sys

#: thread-pool sizes fixed before numpy loads: pools started in the template would be lost in the forked child
PINNED_THREADS = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                          "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")}
# pyarrow (which pandas loads for its string columns) starts jemalloc's background purging thread on import;
# without it the template stays single-threaded and safe to fork
PINNED_THREADS["JE_ARROW_MALLOC_CONF"] = "background_thread:false"
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"  # what ipykernel sets when MPLBACKEND is unset

#: a comma-separated list of modules to load in the template instead of STACK (e.g. what your own notebooks use)
PRELOAD_ENV = "CM_RESEARCH_KERNEL_PRELOAD"
#: what the notebooks import (the first cell of each bundled notebook), loaded once in the template
STACK = ("numpy", "pandas", "scipy.stats", "statsmodels.api", "statsmodels.formula.api", "pingouin",
         "matplotlib", "matplotlib.pyplot", "seaborn", "nltk", "IPython", "ipykernel.kernelapp",
         "cm_research", "cm_research.data", "cm_research.report", "cm_research.stats", "cm_research.quality",
         "cm_research.qual", "cm_research.privacy", "cm_research.measures", "cm_research.report.outcomes")


def os_threads() -> int:
    """Threads of this process as the OS sees them (Python's ``threading`` misses those started by C libraries)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        import threading

        return threading.active_count()


def _warm_up() -> list[str]:
    """Import the stack; return the modules that could not be imported (the notebooks will import them late)."""
    import importlib
    import warnings

    missing = []
    chosen = os.environ.get(PRELOAD_ENV)
    stack = [m.strip() for m in chosen.split(",") if m.strip()] if chosen is not None else STACK
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in stack:
            try:
                importlib.import_module(name)
            except Exception:  # a missing optional module only costs its import time in the child
                missing.append(name)
    return missing


def _die_with_parent() -> None:
    """Linux: ask the kernel to SIGKILL this process when the thread that forked it (the template) ends."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _run_kernel(request: dict) -> None:
    """In the forked child: become the kernel asked for (never returns)."""
    code = 1
    try:
        os.setsid()
        _die_with_parent()
        for sig in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        env = dict(request["env"])
        env["JPY_PARENT_PID"] = str(os.getppid())  # ipykernel's poller watches its real parent, the template
        os.environ.clear()
        os.environ.update(env)
        cwd = request.get("cwd") or os.getcwd()
        os.chdir(cwd)
        sys.path[0] = cwd  # as `python -m ipykernel_launcher` run in cwd has it (the launcher removes it again)
        import random

        import numpy as np

        random.seed()
        np.random.seed()  # fresh OS entropy, as a newly started interpreter would have
        # ipykernel read JPY_PARENT_PID when the template imported it (unset then): say it again on the command line
        sys.argv = [request["argv"][0], *request["argv"][3:], f"--IPKernelApp.parent_handle={os.getppid()}"]
        import runpy

        runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:  # the kernel manager sees the child die; say why on stderr
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


_children: set[int] = set()


def _reap(*_signal) -> None:
    """SIGCHLD: collect every ended child at once (so a kernel manager polling its pid sees it gone, and the
    children's CPU time is added to ours, hence to whoever waits for us)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _children.discard(pid)


def serve(path: str) -> None:
    """Warm up, report readiness on stdout (one JSON line), then fork a kernel per request until stdin closes."""
    for name, value in PINNED_THREADS.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    missing = _warm_up()
    import gc

    gc.collect()
    gc.freeze()  # the children's garbage collector skips what the template loaded, so it does not copy its pages
    threads = os_threads()
    status = {"pid": os.getpid(), "threads": threads, "missing": missing,
              "ok": threads == 1 and "matplotlib_inline.backend_inline" not in sys.modules}
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(16)
    sys.stdout.write(json.dumps(status) + "\n")
    sys.stdout.flush()
    os.dup2(2, 1)  # nobody reads the pipe after this line: a kernel writing to its fd 1 must not fill it and block
    if not status["ok"]:
        return
    signal.signal(signal.SIGCHLD, _reap)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C in the terminal is for the batch, which stops us
    children = _children
    try:
        while True:
            ready, _, _ = select.select([listener, sys.stdin], [], [], 1.0)
            if sys.stdin in ready and not os.read(sys.stdin.fileno(), 4096):
                return  # whoever started us has gone: so do we, and our kernels
            if listener not in ready:
                continue
            conn, _ = listener.accept()
            with conn:
                data = b""
                while not data.endswith(b"\n"):
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                if not data.endswith(b"\n"):
                    continue
                request = json.loads(data)
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})  # record the child before reaping it
                pid = os.fork()
                if pid == 0:
                    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
                    listener.close()
                    conn.close()
                    _run_kernel(request)
                children.add(pid)
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
                conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
    finally:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for pid in children:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
        for pid in list(children):
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


if __name__ == "__main__":
    serve(sys.argv[1])
