"""Shared helpers for the tests of instruments and individual change.

``r_tables`` runs an R script of tests/measures/reference on data frames (written as CSV files) and
returns the CSV files it writes, so reference values are computed by R at test time. Tests using it
are marked ``r`` and skip, saying why, when Rscript or an R package the script needs is missing.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import rscript


REFERENCE = Path(__file__).resolve().parent / "reference"


def run_r_tables(script: str, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """:func:`rscript.run_r_tables` of ``reference/<script>`` (beside this file)."""
    return rscript.run_r_tables(REFERENCE / script, tables)


@pytest.fixture(scope="session")
def r_tables():
    return run_r_tables
