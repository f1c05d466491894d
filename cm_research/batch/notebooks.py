"""Where the project's notebooks are, and which file a notebook name means.

Its own module so that both :mod:`cm_research.batch.execute` (which runs notebooks) and
:mod:`cm_research.batch.audience` (which reads a notebook's audience) can find a notebook without importing
each other.
"""

from __future__ import annotations

from pathlib import Path

from cm_research.resources import resource_dir

NOTEBOOKS_DIR = resource_dir("notebooks")


def notebook_path(name: str | Path) -> Path:
    """A notebook by name in the project's ``notebooks/`` folder ("01_data_quality"), or by path.

    A bare name of a bundled notebook always means the bundled one, even when the current folder holds a file of
    that name (a stray or planted copy must not run instead of it); give a path (``./01_data_quality.ipynb``) to
    run a local copy."""
    path = Path(name)
    candidate = NOTEBOOKS_DIR / (path.name if path.suffix == ".ipynb" else f"{path.name}.ipynb")
    bare = len(path.parts) == 1 and not str(name).startswith(".")
    if bare and candidate.exists():
        return candidate
    if path.exists():
        return path
    if candidate.exists():
        return candidate
    if not path.is_absolute() and ".." not in path.parts:
        # "notebooks/reproductions/x.ipynb" as the README writes it, run from outside the checkout, or
        # "reproductions/x": the bundled file of that name
        nested = path if path.suffix == ".ipynb" else path.with_name(f"{path.name}.ipynb")
        for bundled in (NOTEBOOKS_DIR.parent / nested, NOTEBOOKS_DIR / nested):
            if bundled.is_file():
                return bundled
    known = ", ".join(sorted(p.stem for p in NOTEBOOKS_DIR.glob("*.ipynb")))
    reproductions = ", ".join(sorted(p.stem for p in NOTEBOOKS_DIR.glob("reproductions/*.ipynb")))
    raise FileNotFoundError(f"no notebook {str(name)!r}; the project's notebooks are: {known}"
                            + (f"; and reproductions/<name>: {reproductions}" if reproductions else ""))
