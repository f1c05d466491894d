"""Helpers for the survey tests: a small R runner (skips when Rscript is missing) and tiny survey tables."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from rscript import require_r, rscript


def run_r(code: str, tables: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Run R ``code`` with each table available as a data frame of that name (read from CSV); the code must
    ``write.csv(<result>, stdout(), row.names = FALSE)``. Skips the test when Rscript or a package is missing."""
    require_r()
    with tempfile.TemporaryDirectory() as tmp:
        lines = []
        for name, table in (tables or {}).items():
            path = Path(tmp) / f"{name}.csv"
            table.to_csv(path, index=False)
            lines.append(f'{name} <- read.csv("{path.as_posix()}")')
        script = Path(tmp) / "reference.R"
        script.write_text("\n".join(lines + [code]) + "\n", encoding="utf-8")
        try:
            proc = rscript(script, timeout=120)
        except RuntimeError as exc:
            if "there is no package called" in str(exc):
                pytest.skip(f"R package missing: {exc}")
            raise
    return pd.read_csv(io.StringIO(proc.stdout))


@pytest.fixture(scope="session")
def r_run():
    return run_r


def long_answers(rows: list[tuple]) -> pd.DataFrame:
    """(respondent_id, role, wave, item, response, dont_know) tuples as a survey_responses-like table."""
    return pd.DataFrame(rows, columns=["respondent_id", "respondent_role", "wave", "item", "response", "dont_know"])
