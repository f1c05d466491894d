"""File and folder names made from names people typed (site names, uploaded files) that Windows can create.

Windows reserves the device names CON, PRN, AUX, NUL, COM1-COM9 and LPT1-LPT9 (and COM¹-³, LPT¹-³), in any case
and with any extension: a site called "Con" or an upload named ``nul.csv`` would give a folder or file that
cannot be created, opened or deleted there (Microsoft, "Naming Files, Paths, and Namespaces"). A project folder
made on Linux is often copied to a council laptop, so such names are changed wherever they are made.
"""

from __future__ import annotations

import re

_RESERVED = re.compile(r"^(?:con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])$", re.IGNORECASE)


def windows_reserved(name: str) -> bool:
    """Whether Windows reserves ``name`` as a device: its part before the first dot, spaces trimmed, is one of the
    device names, whatever the case (``CON``, ``nul.csv``, ``Com1 .txt``)."""
    return bool(_RESERVED.match(name.split(".", 1)[0].rstrip(" ")))
