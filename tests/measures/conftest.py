"""Shared helpers for the tests of instruments and individual change.

``r_tables`` runs an R script of tests/measures/reference on data frames (written as CSV files) and
returns the CSV files it writes, so reference values are computed by R at test time. Tests using it
are marked ``r`` and skip, saying why, when Rscript or an R package the script needs is missing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from rscript import rscript


REFERENCE = Path(__file__).resolve().parent / "reference"


def run_r_tables(script: str, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Write ``tables`` to <tmp>/<name>.csv, run ``Rscript reference/<script> <tmp>`` and return every
    CSV the script wrote to <tmp>/out/, by file stem. Exit status 3 means an R package is missing."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "out").mkdir()
        for name, table in tables.items():
            table.to_csv(folder / f"{name}.csv", index=False)
        rscript(REFERENCE / script, str(folder))
        return {p.stem: pd.read_csv(p) for p in sorted((folder / "out").glob("*.csv"))}


@pytest.fixture(scope="session")
def r_tables():
    return run_r_tables
