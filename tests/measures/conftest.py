"""Shared helpers for the tests of instruments and individual change.

``r_tables`` runs an R script of tests/measures/reference on data frames (written as CSV files) and
returns the CSV files it writes, so reference values are computed by R at test time. Tests using it
are marked ``r`` and skip, saying why, when Rscript or an R package the script needs is missing.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pandas as pd
import pytest


REFERENCE = Path(__file__).resolve().parent / "reference"


def run_r_tables(script: str, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Write ``tables`` to <tmp>/<name>.csv, run ``Rscript reference/<script> <tmp>`` and return every
    CSV the script wrote to <tmp>/out/, by file stem. Exit status 3 means an R package is missing."""
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript not found: install R (apt-get install r-base-core) to compare with R")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "out").mkdir()
        for name, table in tables.items():
            table.to_csv(folder / f"{name}.csv", index=False)
        proc = subprocess.run(["Rscript", "--vanilla", str(REFERENCE / script), str(folder)],
                              capture_output=True, text=True, timeout=300)
        if proc.returncode == 3:
            pytest.skip(f"{script}: {proc.stderr.strip()}")
        if proc.returncode != 0:
            raise RuntimeError(f"Rscript {script} failed:\n{proc.stderr}")
        return {p.stem: pd.read_csv(p) for p in sorted((folder / "out").glob("*.csv"))}


@pytest.fixture(scope="session")
def r_tables():
    return run_r_tables
