"""Run the R reference scripts of tests/reference from the tests.

Each test module sends its data to one Rscript call (a module-scoped fixture),
so the reference values are computed by R, independently of our code, at test
time. Tests using them are marked ``r`` and skip, saying why, when Rscript or an
R package is missing.
"""

from __future__ import annotations

import csv
import math
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from rscript import install_hint, rscript


REFERENCE_DIR = Path(__file__).resolve().parents[1] / "reference"


@pytest.fixture(scope="session")
def r_reference():
    """The function `run_r`, for module-scoped fixtures that batch a module's R computations."""
    return run_r


class RReference(dict):
    """{case: {key: value}} computed by R, knowing which optional R packages were missing."""

    def require(self, *packages: str) -> None:
        """Skip the calling test when R lacked one of `packages`."""
        missing = sorted(set(packages) & set(self.get("_missing", {})))
        if missing:
            pytest.skip(f"R package(s) {', '.join(missing)} not installed ({install_hint(missing)})")


def run_r(script: str, cases: Mapping[str, Mapping[str, Sequence[float]]]) -> RReference:
    """Run tests/reference/<script> on `cases` ({case: {var: numbers}}); return {case: {key: value}}."""
    with tempfile.TemporaryDirectory() as tmp:
        with open(Path(tmp) / "input.csv", "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["case", "var", "value"])
            for case, variables in cases.items():
                for var, values in variables.items():
                    for value in values:
                        writer.writerow([case, var, repr(float(value))])
        rscript(REFERENCE_DIR / script, tmp)
        out = RReference()
        with open(Path(tmp) / "output.csv", newline="") as handle:
            for row in csv.DictReader(handle):
                text = row["value"].strip()
                value = {"NA": math.nan, "NaN": math.nan, "Inf": math.inf, "-Inf": -math.inf}.get(text)
                out.setdefault(row["case"], {})[row["key"]] = float(text) if value is None else value
        return out
