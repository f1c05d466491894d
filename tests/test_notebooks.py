"""Notebooks are executed with papermill on synthetic data, and what they wrote is checked."""

import json
import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import papermill as pm
import pytest

from cm_research.batch import NOTEBOOKS_DIR, run_notebook

from conftest import OUTCOMES_HEADER, PARTICIPANTS_HEADER, VALID_OUTCOMES, VALID_PARTICIPANTS

pytestmark = pytest.mark.notebook
NOTEBOOKS = sorted(NOTEBOOKS_DIR.rglob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebooks_are_clean_and_parameterised(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: clear outputs before committing"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name} needs exactly one cell tagged 'parameters'"
    assert pm.inspect_notebook(str(path)), f"{path.name}: papermill finds no parameters"


def _code_cell_sources(nb_path: Path) -> list[str]:
    return [c.source for c in nbformat.read(nb_path, as_version=4).cells if c.cell_type == "code"]


def test_data_quality_notebook_on_a_small_site(write_file, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "participants.csv").write_text("\n".join([PARTICIPANTS_HEADER, *VALID_PARTICIPANTS]) + "\n")
    rows = [*VALID_OUTCOMES, "T-002,attendance_pct,post,15/07/2024,104"]  # row 8 is impossible
    (data / "outcomes.csv").write_text("\n".join([OUTCOMES_HEADER, *rows]) + "\n")
    out = tmp_path / "report"
    ipynb = run_notebook("01_data_quality", out / "01_data_quality.ipynb",
                         {"data_dir": str(data), "site": "Testshire", "output_dir": str(out),
                          "suppress_small_counts": False})

    counts = pd.read_csv(out / "counts_by_cohort.csv", dtype={"cohort": str})
    assert counts.values.tolist() == [["2022/23", 0, 1, 1], ["2023/24", 2, 1, 3], ["total", 2, 2, 4]]
    problems = pd.read_csv(out / "restricted" / "problems.csv")
    assert problems[["file", "row", "column", "rule"]].values.tolist() == [["outcomes.csv", 8, "value", "maximum"]]
    quarantined = pd.read_csv(out / "restricted" / "quarantine_outcomes.csv", dtype=str)
    assert quarantined[["row", "participant_id", "value"]].values.tolist() == [["8", "T-002", "104"]]
    attrition = pd.read_csv(out / "attrition.csv").set_index(["measure", "group"])
    assert attrition.loc[("attendance_pct", "comparison"), "n_lost"] == 1  # its post value was quarantined
    assert (out / "completeness.png").stat().st_size > 5_000

    html = (out / "01_data_quality.html").read_text(encoding="utf-8")
    assert "Testshire" in html and "Young people by cohort and group" in html
    assert "load_evaluation(" not in html, "code cells must be hidden"
    assert "<script src=\"http" not in html, "a report is one self-contained file: no remote scripts"
    assert "<img" in html, "the completeness figure is embedded"
    assert not re.search(r"T-00\d", html), "the report must not show participant ids"
    assert "104 is above the maximum of 100 for attendance_pct" in html
    assert "switched OFF" in html, "a report made without suppression must say so"

    executed = nbformat.read(ipynb, as_version=4)
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []


def test_failing_notebook_names_the_cell(tmp_path):
    from cm_research.errors import NotebookExecutionError

    with pytest.raises(NotebookExecutionError, match=r"01_data_quality.ipynb failed in cell \d+ with DataValidationError"):
        run_notebook("01_data_quality", tmp_path / "nb.ipynb",
                     {"data_dir": str(tmp_path), "site": "Nowhere", "output_dir": str(tmp_path)})


def test_demo_writes_the_reports_and_an_index(shared_demo_run):
    run = shared_demo_run
    manifest = json.loads((run / "manifest.json").read_text())
    assert [j["status"] for j in manifest["jobs"]] == ["ok"] * 12  # 05 single case is internal (issue 15)
    page = (run / "index.html").read_text(encoding="utf-8")
    for slug in ("northshire", "easton", "westbury"):
        for name in ("01_data_quality", "02_outcomes", "06_site_report"):
            report = run / slug / f"{name}.html"
            assert report.exists() and (run / slug / f"{name}.ipynb").exists()
            assert f'href="{slug}/{name}.html"' in page
            text = report.read_text(encoding="utf-8")
            assert "Synthetic data." in text
            assert "SYN-" not in text, f"{slug}/{name}: a participant id leaked into the report"
    assert "Synthetic data." in page and "12 reports, 0 failed" in page
    assert 'href="all-sites/04_cross_site_synthesis.html"' in page
    assert "05_single_case" not in page  # one child's case lines: internal only (issue 15)
    assert 'href="all-sites/07_action_research.html"' in page
    assert 'href="all-sites/03_thematic_analysis.html"' in page
    pooled = pd.read_csv(run / "all-sites" / "pooled_effects.csv").set_index("measure")
    assert pooled.loc["sdq_total", "k"] == 3
    missing = pd.read_csv(run / "westbury" / "missingness.csv", dtype=str)
    assert "c" in set(missing["n_missing"]), "small counts are suppressed by default"
    assert "Disclosure check passed" in page
    easton = pd.read_csv(run / "easton" / "restricted" / "problems.csv")
    assert {"unique", "type", "enum", "maximum", "foreign_key"} <= set(easton["rule"])


def test_outcomes_notebook_on_a_small_site(tmp_path):
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(3)
    data = tmp_path / "data"
    data.mkdir()
    people, rows = [], []
    for i in range(30):
        pid, group = f"Q-{i:03d}", ("mentored" if i < 14 else "comparison")
        people.append((pid, "Testshire", "2023/24", "looked_after", group))
        base = int(rng.integers(5, 30))
        rows += [(pid, "sdq_total", "baseline", base),
                 (pid, "sdq_total", "post", int(np.clip(base - (3 if group == "mentored" else 0) + rng.integers(-4, 5), 0, 40)))]
    pd.DataFrame(people, columns=["participant_id", "site", "cohort", "care_status", "group"]).to_csv(data / "participants.csv", index=False)
    pd.DataFrame(rows, columns=["participant_id", "measure", "timepoint", "value"]).to_csv(data / "outcomes.csv", index=False)
    out = tmp_path / "report"
    run_notebook("02_outcomes", out / "02_outcomes.ipynb",
                 {"data_dir": str(data), "site": "Testshire", "output_dir": str(out), "n_boot": 500, "seed": 11})

    raw = pd.read_csv(data / "outcomes.csv").pivot(index="participant_id", columns="timepoint", values="value")
    raw["treated"] = raw.index.str[2:].astype(int) < 14
    fit = smf.ols("post ~ treated + baseline", data=raw.astype(float)).fit()
    comparisons = pd.read_csv(out / "comparisons.csv").set_index("measure")
    assert comparisons.loc["sdq_total", "estimate"] == pytest.approx(fit.params["treated"], rel=1e-9)
    assert comparisons.loc["sdq_total", ["n_treated", "n_control"]].tolist() == [14, 16]
    change = pd.read_csv(out / "change_within_mentored.csv")
    t_row = change[change["method"] == "Paired t-test"].iloc[0]
    mentored = raw[raw["treated"]]
    assert t_row["estimate"] == pytest.approx((mentored["post"] - mentored["baseline"]).mean(), rel=1e-12)
    assert (change["seed"].dropna() == 11).all()
    assert (out / "sdq_total.png").exists() and (out / "forest_standardised.png").exists()
    html = (out / "02_outcomes.html").read_text(encoding="utf-8")
    assert "among 14 mentored and 16 comparison young people" in html
    assert f"{abs(fit.params['treated']):.1f} lower" in html or f"{abs(fit.params['treated']):.1f} higher" in html
    assert "Q-0" not in html
