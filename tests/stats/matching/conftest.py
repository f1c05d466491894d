"""Shared fixtures of the matching, meta-analysis and reproduction tests.

R is run at test time on data written by the test, so the reference values are computed
independently of our code; tests needing R are marked ``r`` and skip, saying why, when Rscript or an
R package is missing.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from rscript import rscript


REFERENCE = Path(__file__).resolve().parent / "reference"
LALONDE_COVARIATES = ["age", "educ", "black", "hisp", "marr", "nodegree", "re74", "re75"]


def run_rscript(script: str, io_dir: Path) -> None:
    """Run tests/stats/matching/reference/<script> on `io_dir`; skip when R or a package is missing."""
    rscript(REFERENCE / script, str(io_dir), timeout=600)


def read_scalars(path: Path) -> dict[str, dict[str, float]]:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    out: dict[str, dict[str, float]] = {}
    special = {"NA": math.nan, "NaN": math.nan, "Inf": math.inf, "-Inf": -math.inf}
    for row in table.itertuples():
        text = row.value.strip()
        out.setdefault(row.spec, {})[row.key] = special[text] if text in special else float(text)
    return out


@pytest.fixture(scope="session")
def lalonde_cps() -> pd.DataFrame:
    """The Dehejia-Wahba NSW treated men (185) with LaLonde's CPS-1 comparison group (15,992),
    from the PyPI package causaldata (public research data; no personal data of children)."""
    causaldata = pytest.importorskip("causaldata", reason="the LaLonde data come from the PyPI package causaldata")
    nsw = causaldata.nsw_mixtape.load_pandas().data
    cps = causaldata.cps_mixtape.load_pandas().data
    data = pd.concat([nsw[nsw["treat"] == 1], cps], ignore_index=True).drop(columns="data_id").astype(float)
    data.insert(0, "id", [f"U{i}" for i in range(len(data))])
    return data
