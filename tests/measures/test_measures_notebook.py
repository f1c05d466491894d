"""The bundled synthetic single-case series, and notebooks/05_single_case.ipynb run with papermill."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from cm_research.batch import run_notebook
from cm_research.datasets.single_case import (
    SERIES_FILE,
    SINGLE_CASE_SEED,
    generate_series,
    load_series,
    write_series,
)
from cm_research.stats.single_case import SingleCaseDataError, single_case_effects


def test_bundled_series_is_what_its_seed_generates_and_is_labelled_synthetic():
    on_disk = pd.read_csv(SERIES_FILE)
    pd.testing.assert_frame_equal(on_disk, generate_series(SINGLE_CASE_SEED), check_dtype=False)
    notice = (SERIES_FILE.parent / "SYNTHETIC.txt").read_text()
    assert (SERIES_FILE.parent.parent / "SYNTHETIC.txt").read_text() == notice
    assert "SYNTHETIC DATA" in notice and str(SINGLE_CASE_SEED) in notice
    assert on_disk["case_id"].str.startswith("SYN-").all()
    assert not generate_series(SINGLE_CASE_SEED + 1).equals(on_disk)


def test_load_series_hides_ids_and_names_bad_rows(tmp_path):
    series = load_series()
    assert "case_id" not in series and series["case"].unique().tolist() == ["Case 1", "Case 2", "Case 3"]
    bad = generate_series().astype({"value": object})
    bad.loc[4, "value"] = "lots"
    path = write_series(tmp_path)
    bad.to_csv(path, index=False)
    with pytest.raises(SingleCaseDataError, match=r"series.csv, row 6, column `value`: 'lots' is not a number"):
        load_series(path)  # data row 4 is spreadsheet row 6 (header is row 1, first data row 2)


@pytest.mark.notebook
def test_single_case_notebook_on_bundled_series(tmp_path):
    out = tmp_path / "report"
    run_notebook("05_single_case", out / "05_single_case.ipynb", {"output_dir": str(out)})
    effects = pd.read_csv(out / "single_case_effects.csv")
    expected = single_case_effects(load_series(), by=["case", "measure"], better_from="better")
    pd.testing.assert_frame_equal(effects[["case", "measure", "method", "estimate"]],
                                  expected[["case", "measure", "method", "estimate"]], check_dtype=False)
    assert len(effects) == 3 * 2 * 4
    assert (out / "phase_plots.png").stat().st_size > 20_000
    html = (out / "05_single_case.html").read_text(encoding="utf-8")
    assert "Synthetic data." in html and "Non-overlap effect sizes" in html and "<img" in html
    assert not re.search(r"SYN-SC", html), "the report must not show case ids"
    assert "single_case_effects(" not in html, "code cells must be hidden"


@pytest.mark.notebook
def test_single_case_notebook_on_a_file_of_ones_own(tmp_path):
    # Parker, Vannest & Davis (2011) example as a partnership's file: NAP 38.5/42 must come out.
    a, b = [20, 20, 26, 25, 22, 23], [28, 25, 24, 27, 30, 30, 29]
    data = pd.DataFrame({"case_id": "YP-7", "measure": "attendance_pct", "better": "higher",
                         "phase": ["A"] * 6 + ["B"] * 7, "week": range(1, 14), "value": a + b})
    path = tmp_path / "my_series.csv"
    data.to_csv(path, index=False)
    out = tmp_path / "report"
    run_notebook("05_single_case", out / "nb.ipynb", {"data_path": str(path), "site": "Testshire",
                                                      "output_dir": str(out)}, html=True)
    effects = pd.read_csv(out / "single_case_effects.csv").set_index("method")
    assert effects.loc["NAP (Newcombe score CI)", "estimate"] == pytest.approx(38.5 / 42)
    assert effects.loc["PND", "estimate"] == pytest.approx(5 / 7)
    html = (out / "nb.html").read_text(encoding="utf-8")
    assert "Testshire" in html and "YP-7" not in html and "Synthetic data." not in html
