"""A kernel manager that talks to the notebook kernel over local IPC sockets instead of TCP.

Batches start hundreds of kernels; over IPC each kernel needs no network port, nothing is exposed
beyond this user's temporary folder, and ipykernel does not warn about unencrypted TCP on every run.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager


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


def kernel_manager_class():
    """IPC where the platform has Unix sockets; the default TCP manager on Windows."""
    return None if sys.platform.startswith("win") else IPCKernelManager
