"""Where the package's non-Python folders are: the data dictionary and the notebooks.

In a source checkout (and an editable install, as ``make`` makes) they sit beside the package, at the top of
the repository. A wheel installs them under ``<prefix>/share/cm_research/`` (``data-files`` in
pyproject.toml), because they are meant to be read and edited as files, not imported.
"""

from __future__ import annotations

import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
SHARE = Path(sys.prefix) / "share" / "cm_research"
#: the folders shipped this way
FOLDERS = ("data_dictionary", "notebooks")


def resource_dir(name: str) -> Path:
    """The folder ``name`` (one of :data:`FOLDERS`): the checkout's when there is one, else the installed copy.
    When neither exists the checkout path is returned, so the error that follows names where it was looked for."""
    if name not in FOLDERS:
        raise ValueError(f"unknown resource folder {name!r}; known: {', '.join(FOLDERS)}")
    for candidate in (CHECKOUT / name, SHARE / name):
        if candidate.is_dir():
            return candidate
    return CHECKOUT / name
