"""Kernel managers for batches: kernels over local IPC sockets, and kernels forked from a warm template.

:class:`IPCKernelManager` talks to the notebook kernel over local IPC sockets instead of TCP: batches start
hundreds of kernels; over IPC each kernel needs no network port, nothing is exposed beyond this user's temporary
folder, and ipykernel does not warn about unencrypted TCP on every run.

:class:`ForkedKernelManager` does the same but, instead of starting ``python -m ipykernel_launcher`` (0.8 s) which
then imports the scientific stack (2.5 s), asks this process's fork server (:mod:`cm_research.batch.forkserver`)
for a forked child of a template that has imported it already. papermill and nbclient drive it like any kernel
manager: only the provisioner's ``launch_kernel`` differs, and the process it returns answers ``poll``, ``wait``,
``kill`` and ``send_signal`` like a ``Popen``. Where fork is unavailable or unsafe (Windows; macOS, where forking
a process that has loaded system frameworks is unsafe; a template that ends up multi-threaded; a kernel command
that is not this interpreter's ipykernel) it starts an ordinary kernel, and says so once.

Overlap: as soon as one forked kernel is launched, the next one (a "spare", with its own connection file) is forked
and initialises while the notebook runs; the next kernel manager in this process adopts it. Settings (environment):
``CM_RESEARCH_KERNELS=ordinary`` starts every kernel the ordinary way; ``CM_RESEARCH_SPARE_KERNEL=0`` forks no spare;
``CM_RESEARCH_KERNEL_PRELOAD=mod1,mod2`` sets what the template imports (default: the notebooks' stack).
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

#: set CM_RESEARCH_KERNELS=ordinary to start every kernel the ordinary way (e.g. to compare outputs)
KERNELS_ENV = "CM_RESEARCH_KERNELS"
START_TIMEOUT = 120.0  # seconds for the template to import the stack on a loaded machine


class IPCKernelManager(AsyncKernelManager):
    """Kernel sockets are files in a private temporary folder, removed when the kernel is cleaned up."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._socket_dir = Path(tempfile.mkdtemp(prefix="cm-research-kernel-"))
        self.transport = "ipc"
        self.ip = str(self._socket_dir / "kernel")

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._socket_dir, ignore_errors=True)


class ForkUnavailable(RuntimeError):
    """The fork server cannot be used here; ordinary kernels are started instead."""


def fork_unavailable_reason() -> str:
    """Why forked kernels are not used on this platform/configuration ('' when they are)."""
    if os.environ.get(KERNELS_ENV, "").lower() == "ordinary":
        return f"{KERNELS_ENV}=ordinary"
    if not hasattr(os, "fork") or sys.platform.startswith("win"):
        return "this platform has no fork()"
    if sys.platform == "darwin":
        return "fork() is unsafe on macOS once system frameworks are loaded"
    return ""


class ForkServer:
    """This process's template (started on first use, one per process; ends when this process ends)."""

    def __init__(self) -> None:
        self.owner = os.getpid()
        self._dir = Path(tempfile.mkdtemp(prefix="cm-research-fork-"))
        self.address = str(self._dir / "fork.sock")
        env = dict(os.environ)
        from cm_research.batch.forkserver import PINNED_THREADS

        env.update(PINNED_THREADS)
        # stdin is our lifeline: the template exits when it reads end-of-file, i.e. when this process is gone
        self.process = subprocess.Popen([sys.executable, "-m", "cm_research.batch.forkserver", self.address],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                        start_new_session=True)
        line = _readline(self.process.stdout, START_TIMEOUT)
        try:
            status = json.loads(line)
        except ValueError:
            self.close()
            raise ForkUnavailable("the kernel template did not start") from None
        if not status.get("ok"):
            self.close()
            raise ForkUnavailable(f"the kernel template is not safe to fork ({status.get('threads')} threads "
                                  "after importing the stack)")
        self.pid = int(status["pid"])

    def fork(self, argv: list[str], env: dict[str, str], cwd: str | None) -> int:
        request = json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode() + b"\n"
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(30)
            conn.connect(self.address)
            conn.sendall(request)
            reply = b""
            while not reply.endswith(b"\n"):
                chunk = conn.recv(4096)
                if not chunk:
                    raise ForkUnavailable("the kernel template closed the connection")
                reply += chunk
        return int(json.loads(reply)["pid"])

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self, wait: float = 5.0) -> None:
        """End the template (it kills the kernels it forked) and remove its socket folder."""
        if self.process.poll() is None and self.process.stdin:
            try:
                self.process.stdin.close()
                self.process.wait(timeout=wait)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
        shutil.rmtree(self._dir, ignore_errors=True)


def _readline(stream, timeout: float) -> bytes:
    """One line from ``stream``, or b'' after ``timeout`` seconds."""
    box: list[bytes] = []
    reader = threading.Thread(target=lambda: box.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return box[0] if box else b""


_server: ForkServer | None = None
_failed: str = ""
_lock = threading.Lock()


def fork_server() -> ForkServer | None:
    """This process's fork server, started on first use; None (with one warning) where fork cannot be used."""
    global _server, _failed
    with _lock:
        if _server is not None and (_server.owner != os.getpid() or not _server.alive()):
            _server = None
        if _server is None and not _failed:
            _failed = fork_unavailable_reason()
            if not _failed:
                try:
                    _server = ForkServer()
                    atexit.register(stop_fork_server)
                except (ForkUnavailable, OSError) as exc:
                    _failed = str(exc)
            if _failed:
                _say_fallback(_failed)
        return _server


_said = False


def _say_fallback(reason: str) -> None:
    """Say once per process that kernels start the ordinary way, and why (not when the user asked for it)."""
    global _said
    if not _said and os.environ.get(KERNELS_ENV, "").lower() != "ordinary":
        _said = True
        warnings.warn(f"cm_research: starting ordinary notebook kernels ({reason}); each notebook pays the kernel "
                      "start and the imports", RuntimeWarning, stacklevel=3)


def stop_fork_server(wait: float = 5.0) -> None:
    """End this process's template (and every kernel it forked); the next forked kernel starts a new one."""
    global _server, _spare
    with _lock:
        if _spare is not None and _spare.owner == os.getpid():
            shutil.rmtree(_spare.socket_dir, ignore_errors=True)  # the template kills it with the others
        _spare = None
        if _server is not None and _server.owner == os.getpid():
            _server.close(wait)
        _server = None


def _forget_after_fork() -> None:
    """A process forked from this one (a batch worker) must start its own template, and must not keep ours
    alive by holding its lifeline open."""
    global _server, _lock, _spare
    _lock = threading.Lock()
    _spare = None
    if _server is not None:
        try:  # /dev/null in place of our copy of the lifeline (the file object may still close its number later)
            if _server.process.stdin:
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, _server.process.stdin.fileno())
                os.close(null)
        except OSError:
            pass
        _server = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


class ForkedProcess:
    """A forked kernel seen from its kernel manager: the ``Popen`` methods jupyter_client uses.

    The kernel is the template's child, not ours, so we cannot wait for it; it is alive while its pid exists and
    is not a zombie (the template collects its children as they end)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self.stdin = self.stdout = self.stderr = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
                with open(f"/proc/{self.pid}/stat", "rb") as stat:  # ended, not yet collected by the template
                    if stat.read().rsplit(b")", 1)[1].split()[0] == b"Z":
                        self.returncode = 0
            except ProcessLookupError:
                self.returncode = 0
            except OSError:  # no /proc here, or not ours to signal: the pid exists
                pass
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.02)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _is_our_ipykernel(cmd: list[str]) -> bool:
    """The kernel command is this interpreter's ``-m ipykernel_launcher -f FILE`` (what the template can become)."""
    if len(cmd) < 5 or cmd[1:3] != ["-m", "ipykernel_launcher"]:
        return False
    try:
        return os.path.samefile(cmd[0], sys.executable)  # jupyter_client has put sys.executable for "python"
    except OSError:
        return False


def _stable_env(env: dict[str, str]) -> dict[str, str]:
    """The environment minus what jupyter_client sets per kernel (compared when a spare kernel is adopted)."""
    return {k: v for k, v in env.items() if not k.startswith("JPY_")}


class SpareKernel:
    """A kernel forked ahead of time, with its own connection file, while the previous notebook runs (overlap):
    the next kernel manager adopts its connection details and its process instead of forking and waiting."""

    def __init__(self, server: ForkServer, cmd: list[str], env: dict[str, str], cwd: str | None,
                 kernel_name: str, signature_scheme: str) -> None:
        import uuid

        from jupyter_client.connect import write_connection_file

        self.server_pid, self.owner = server.pid, os.getpid()
        self.kernel_name, self.cwd, self.env = kernel_name, cwd, _stable_env(env)
        self.socket_dir = Path(tempfile.mkdtemp(prefix="cm-research-kernel-"))
        fname, self.info = write_connection_file(str(self.socket_dir / "kernel.json"), transport="ipc",
                                                 ip=str(self.socket_dir / "kernel"), key=uuid.uuid4().hex.encode(),
                                                 signature_scheme=signature_scheme, kernel_name=kernel_name)
        argv = list(cmd)
        argv[argv.index("-f") + 1] = fname
        self.process = ForkedProcess(server.fork(argv, env, cwd))

    def matches(self, kernel_name: str, cwd: str | None, server: ForkServer | None) -> bool:
        return (server is not None and server.pid == self.server_pid and self.owner == os.getpid()
                and kernel_name == self.kernel_name and cwd == self.cwd and self.process.poll() is None)

    def discard(self, keep_sockets: bool = False) -> None:
        """Kill the spare; remove its socket folder unless a kernel manager has adopted it."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except OSError:
            pass
        if not keep_sockets:
            shutil.rmtree(self.socket_dir, ignore_errors=True)


_spare: SpareKernel | None = None


def _take_spare(kernel_name: str, cwd: str | None) -> SpareKernel | None:
    global _spare
    with _lock:  # a Dask worker may run notebooks in several threads
        spare, _spare = _spare, None
    if spare is not None and not spare.matches(kernel_name, cwd, _server):
        if spare.owner == os.getpid():
            spare.discard()
        spare = None
    return spare


class ForkProvisioner(LocalProvisioner):
    """Launches the kernel by asking the fork server for a child (or adopting the spare forked while the previous
    notebook ran, then forking the next spare); otherwise exactly the local provisioner."""

    forked = False

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        global _spare
        server = fork_server() if _is_our_ipykernel(cmd) else None
        spare: SpareKernel | None = getattr(self.parent, "_spare", None)
        if self.parent is not None:
            self.parent._spare = None
        if server is None:
            if spare is not None:
                spare.discard(keep_sockets=True)
            return await super().launch_kernel(cmd, **kwargs)
        env = {str(k): str(v) for k, v in dict(kwargs.get("env") or os.environ).items()}
        cwd = str(kwargs["cwd"]) if kwargs.get("cwd") else None
        try:
            if spare is not None and spare.env == _stable_env(env) and spare.process.poll() is None:
                pid = spare.process.pid
            else:
                if spare is not None:  # not what this kernel needs: a fresh child with the same connection details
                    spare.discard(keep_sockets=True)
                    spare.process.wait(timeout=10)  # its sockets are free before the new child binds them
                pid = server.fork(cmd, env, cwd)
            if self.parent is not None and os.environ.get("CM_RESEARCH_SPARE_KERNEL", "1") != "0":
                spare = SpareKernel(server, cmd, env, cwd, self.parent.kernel_name,
                                    self.parent.session.signature_scheme)
                with _lock:
                    spare, _spare = _spare, spare
                if spare is not None:  # another thread's spare, not taken: one is enough
                    spare.discard()
        except (OSError, ForkUnavailable, ValueError, subprocess.TimeoutExpired):
            stop_fork_server()  # a broken template: the next kernel starts a new one; this one starts normally
            return await super().launch_kernel(cmd, **kwargs)
        self.process = ForkedProcess(pid)  # type: ignore[assignment]
        self.pid = self.pgid = pid  # the child started its own session: its pid is its process group
        self.cwd = cwd or os.getcwd()
        self.forked = True
        return self.connection_info


class ForkedKernelManager(IPCKernelManager):
    """An IPC kernel manager whose kernels are forked from the warm template (see the module docstring)."""

    _spare: SpareKernel | None = None

    async def _async_pre_start_kernel(self, **kw: Any):
        if self.provisioner is None:
            import uuid

            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = ForkProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
            cwd = str(kw["cwd"]) if kw.get("cwd") else None
            spare = _take_spare(self.kernel_name, cwd)
            if spare is not None:  # talk to the spare: its sockets, its key (written again as our connection file)
                self.load_connection_info(spare.info)
                shutil.rmtree(self._socket_dir, ignore_errors=True)
                self._socket_dir = spare.socket_dir
                self._spare = spare
        return await super()._async_pre_start_kernel(**kw)


def kernel_manager_class():
    """Forked kernels where fork is safe, IPC kernels elsewhere on Unix, the default TCP manager on Windows."""
    reason = fork_unavailable_reason()
    if reason:
        _say_fallback(reason)
    if sys.platform.startswith("win"):
        return None
    return IPCKernelManager if reason else ForkedKernelManager
