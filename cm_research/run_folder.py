"""Which run an output folder belongs to, and whether that run is for publication.

A run (``cm-research batch``, the demo) writes ``manifest.json`` at its top; an internal run writes it with
``"publication": false`` before anything runs. Both the batch (:mod:`cm_research.batch.audience`) and analyses that
decide what their output may hold (:mod:`cm_research.qual.framework`) ask this one question, so it lives below both.
"""

from __future__ import annotations

import json
from pathlib import Path


def run_publication(folder: str | Path) -> tuple[Path, bool] | None:
    """The run ``folder`` belongs to (itself or the nearest parent with a ``manifest.json``) and whether it is for
    publication (a manifest without ``publication`` predates the setting: runs were all for publication); None
    when the folder is in no run."""
    folder = Path(folder).resolve()
    for candidate in (folder, *folder.parents):
        manifest = candidate / "manifest.json"
        if manifest.is_file():
            try:
                publication = json.loads(manifest.read_text(encoding="utf-8")).get("publication", True)
            except (OSError, ValueError):
                publication = True  # unreadable: assume the safer case for internal output
            return candidate, publication is not False
    return None
