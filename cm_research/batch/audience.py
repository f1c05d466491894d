"""Who a notebook's output is for: publication (the default) or internal use only.

A notebook whose metadata holds ``{"cm_research": {"audience": "internal"}}`` (e.g. ``08_case_study``, a
case study of one young person) makes output that must never be published:

- a run *for publication* (``batch.yaml`` ``publication: true``, the default) refuses it up front with a
  :class:`~cm_research.batch.config.BatchConfigError` saying how to run it instead (we refuse rather than skip:
  a skipped notebook is easily missed in a long batch, and nobody should think a published run holds it);
- wherever it runs (``cm-research run``, an internal batch), its folder gets ``NOT_FOR_PUBLICATION.txt``, and it
  may not write into a folder that belongs to a published run (a folder, or one inside a folder, whose
  ``manifest.json`` does not say ``"publication": false``): :class:`PublicationError`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from cm_research.batch.notebooks import notebook_path
from cm_research.errors import CMResearchError
from cm_research.run_folder import run_publication  # noqa: F401  (it was defined here; batch.runner imports it)

PUBLICATION, INTERNAL = "publication", "internal"
AUDIENCES = (PUBLICATION, INTERNAL)
NOT_FOR_PUBLICATION = "NOT_FOR_PUBLICATION.txt"  # the same marker as the disclosure check's
INTERNAL_NOTICE = (
    "NOT FOR PUBLICATION: internal output for the Virtual School ({what}).\n"
    "It describes individual young people. Keep it on the Virtual School's secure systems; do not publish it,\n"
    "share it outside the team supporting the young person, or copy it into a published run.\n"
)


class PublicationError(CMResearchError):
    """Internal-only output was directed into a run for publication (or a published run into an internal one)."""


@lru_cache(maxsize=None)
def _audience(path: str, mtime: float) -> str:
    import nbformat

    meta = nbformat.read(path, as_version=4).metadata.get("cm_research", {}) or {}
    audience = str(meta.get("audience", PUBLICATION)).strip().lower()
    if audience not in AUDIENCES:
        raise PublicationError(f"{Path(path).name}: metadata cm_research.audience is {audience!r}; expected "
                               f"{' or '.join(AUDIENCES)}")
    return audience


def notebook_audience(notebook: str | Path) -> str:
    """``"internal"`` or ``"publication"`` from the notebook's metadata (``cm_research.audience``; default publication)."""
    path = notebook_path(notebook)
    return _audience(str(path.resolve()), path.stat().st_mtime)


def is_internal(notebook: str | Path) -> bool:
    """True when the notebook's output is for internal use only."""
    return notebook_audience(notebook) == INTERNAL


def check_internal_output(folder: str | Path, notebook: str | Path) -> None:
    """Raise PublicationError when ``folder`` lies inside a run for publication."""
    found = run_publication(folder)
    if found and found[1]:
        run, _ = found
        beside = run.parent / f"{run.name}-internal"
        raise PublicationError(
            f"{Path(str(notebook)).stem} is for internal use only and cannot write into {folder}: that folder is part "
            f"of the run for publication at {run}. Choose an output folder outside it (e.g. {beside}), or run it in "
            "an internal batch (publication: false).")


def write_internal_marker(folder: str | Path, what: str, extra: str = "") -> Path:
    """Write ``folder/NOT_FOR_PUBLICATION.txt`` saying the folder is internal (plus ``extra`` lines)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / NOT_FOR_PUBLICATION
    marker.write_text(INTERNAL_NOTICE.format(what=what) + (f"\n{extra.strip()}\n" if extra.strip() else ""),
                      encoding="utf-8")
    return marker
