"""Fixtures for the interop tests: the synthetic demo evaluation, and R (foreign / haven) as an independent
reader and writer of SPSS and Stata files."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import pytest
from rscript import rscript

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


@pytest.fixture(scope="session")
def easton():
    """The synthetic demo's Easton site, loaded and validated (its deliberately bad rows are quarantined)."""
    from cm_research.data import load_evaluation
    from cm_research.datasets import demo_site_dir

    return load_evaluation(demo_site_dir("Easton"))


def run_rscript(script: str, *args: str) -> subprocess.CompletedProcess:
    """Run tests/interop/reference/<script>; skip (saying which package to install) when R or a package is absent."""
    return rscript(REFERENCE_DIR / script, *args, timeout=120)


def read_with_r(path: Path, reader: str, date_variables: list[str], tmp_path: Path) -> dict:
    """Labels and values of a .sav (R foreign) or .dta (R haven) file, as R reads them.

    Returns {"variable_label": {var: label}, "value_label": {var: {code: label}}, "value": {var: [text]}}.
    """
    out = tmp_path / f"r_{path.stem}_{reader}.csv"
    run_rscript("read_labelled.R", str(path), reader, str(out), ",".join(date_variables))
    found: dict = {"variable_label": {}, "value_label": {}, "value": {}}
    with open(out, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            kind, var, key, value = row["kind"], row["variable"], row["key"], row["value"]
            if kind == "variable_label":
                found[kind][var] = value
            elif kind == "value_label":
                found[kind].setdefault(var, {})[float(key)] = value
            else:
                found[kind].setdefault(var, []).append(value)
    return found
