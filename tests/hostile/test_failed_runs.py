"""A notebook that fails in a run for publication (hostile input, round 3, item 5). All data SYNTHETIC.

The executed notebook of a failed job is kept for whoever investigates, but it was never scrubbed of paths and its
traceback may quote the data. In a run for publication it is kept in the site's ``restricted/`` folder, and the
failure names the notebook and where its copy is, instead of the disclosure check refusing the run for "absolute
paths" in a file nobody meant to publish.
"""

from __future__ import annotations

import sys

import nbformat
import pytest

from cm_research.batch.runner import Job, run_jobs, write_run_index
from cm_research.privacy.scan import check_disclosure

pytestmark = [pytest.mark.notebook,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked kernels are tested on Linux")]


def test_a_failed_notebook_of_a_publication_run_is_kept_restricted_and_named(tmp_path, monkeypatch):
    monkeypatch.setenv("CM_RESEARCH_KERNEL_PRELOAD", "pathlib")  # the kernel's template: only what the cells need
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("data_dir = '.'\noutput_dir = '.'", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("raise ValueError('participants.csv: no such column')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "broken.ipynb")
    (tmp_path / "data").mkdir()
    run_dir = tmp_path / "run"
    job = Job(site="Northshire", notebook=str(tmp_path / "broken.ipynb"), output_dir=run_dir / "northshire",
              parameters={"data_dir": str(tmp_path / "data")}, publication=True)
    [result] = run_jobs([job], n_jobs=1, progress=False)
    assert result.status == "failed"
    kept = run_dir / "northshire" / "restricted" / "broken.failed.ipynb"
    assert kept.exists() and not (run_dir / "northshire" / "broken.failed.ipynb").exists()
    assert str(kept) in result.error and "broken" in result.error and "restricted" in result.error
    assert "no such column" in result.error
    index = write_run_index(run_dir, "run", [result]).read_text(encoding="utf-8")
    assert "restricted/broken.failed.ipynb" not in index.split("is at")[0]  # no link into restricted/
    assert 'href="northshire/restricted' not in index
    findings = check_disclosure(run_dir)
    assert findings.empty, findings  # what is refused is the failure, not the paths of a file never published
    assert "northshire/restricted/broken.failed.ipynb" in findings.attrs["skipped"]


def test_the_app_says_why_a_failed_report_cannot_be_downloaded(tmp_path):
    from cm_research.app.errors import DownloadRefused
    from cm_research.app.reports import ReportRun, download_file

    error = ("06_site_report.ipynb failed in cell 3 with DataValidationError: participants.csv: required column "
             "`participant_id` missing (the notebook as far as it ran, with its error, is at "
             "reports/site/restricted/06_site_report.failed.ipynb)")
    run = ReportRun("site", "Site report", tmp_path, True, "failed", None, error=error)
    with pytest.raises(DownloadRefused) as refused:
        download_file(run, "html")
    assert "participant_id" in str(refused.value) and "06_site_report.failed.ipynb" in str(refused.value)
