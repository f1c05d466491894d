"""The one way the tests run R: ``rscript(script, *args, requires=...)``.

R computes the reference values independently of our code, at test time. A test that needs R skips, saying what
to install, when Rscript is absent, when one of the R packages it names in ``requires`` is not installed (checked
before running, so each case names only the packages it needs), or when the script itself exits with status 3
(``need()`` in tests/reference/_io.R: a package the whole script needs is missing). Any other failure of R is an
error, not a skip.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest

#: R packages that are not in Debian (install from CRAN); every other is r-cran-<name> in lower case
NOT_IN_DEBIAN = {"SingleCaseES", "irr", "effsize", "exact2x2", "meta"}


def install_hint(packages: Iterable[str]) -> str:
    """How to install R packages here: the Debian package, or CRAN for those Debian does not have."""
    debian = [f"r-cran-{p.lower()}" for p in packages if p not in NOT_IN_DEBIAN]
    cran = [p for p in packages if p in NOT_IN_DEBIAN]
    hints = ([f"apt-get install {' '.join(debian)}"] if debian else []) + (
        [f"install.packages(c({', '.join(repr(p) for p in cran)})) from CRAN (not in Debian)"] if cran else [])
    return "; ".join(hints)


@lru_cache(maxsize=None)
def missing_r_packages(packages: tuple[str, ...]) -> tuple[str, ...]:
    """The packages of ``packages`` R cannot load (one Rscript call per distinct set, cached)."""
    if not packages:
        return ()
    code = ("p <- c(" + ", ".join(f'"{p}"' for p in packages) + "); "
            "cat(p[!vapply(p, requireNamespace, logical(1), quietly = TRUE)], sep = '\\n')")
    proc = subprocess.run(["Rscript", "--vanilla", "-e", code], capture_output=True, text=True, timeout=120)
    return tuple(line for line in proc.stdout.split() if line)


def require_r(*packages: str) -> None:
    """Skip the calling test when Rscript or one of ``packages`` is missing, saying what to install."""
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript not found: install R (apt-get install r-base-core) to compare with R")
    missing = missing_r_packages(tuple(sorted(set(packages))))
    if missing:
        pytest.skip(f"R package(s) {', '.join(missing)} not installed ({install_hint(missing)})")


def rscript(script: str | Path, *args: str, requires: Iterable[str] = (), timeout: int = 300,
            input_text: str | None = None) -> subprocess.CompletedProcess:
    """Run ``Rscript --vanilla script args…`` and return the finished process (stdout and stderr as text)."""
    require_r(*requires)
    proc = subprocess.run(["Rscript", "--vanilla", str(script), *args], capture_output=True, text=True,
                          timeout=timeout, input=input_text)
    if proc.returncode == 3:
        pytest.skip(f"{Path(script).name}: {proc.stderr.strip()}")
    if proc.returncode != 0:
        raise RuntimeError(f"Rscript {Path(script).name} failed:\n{proc.stderr}")
    return proc


def run_r_tables(script: str | Path, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Write ``tables`` to <tmp>/<name>.csv, run ``Rscript script <tmp>`` and return every CSV the script wrote
    to <tmp>/out/, by file stem."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "out").mkdir()
        for name, table in tables.items():
            table.to_csv(folder / f"{name}.csv", index=False)
        rscript(script, str(folder))
        return {p.stem: pd.read_csv(p) for p in sorted((folder / "out").glob("*.csv"))}
