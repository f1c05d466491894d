"""Hand memory freed by a large load back to the operating system.

pyarrow's allocator keeps freed blocks for reuse by the thread that freed them, and glibc's ``malloc`` keeps
freed heap below its threshold for returning pages; after a national extract's column is converted, hundreds of
megabytes of temporaries stay counted against the process that way. Called between the steps of a large load,
:func:`release_memory` keeps the peak near what is really in use. It is a no-op where neither applies.
"""

from __future__ import annotations

import ctypes
import gc


def release_memory(collect: bool = False) -> None:
    """Return pyarrow's and glibc's freed memory to the system (after a garbage collection if ``collect``)."""
    if collect:
        gc.collect()
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except (ImportError, AttributeError):
        pass
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
