"""Batches: validation of batch.yaml, one broken site never sinks the others, resume, provenance,
byte-for-byte reproducibility (the Dask cluster: test_batch_dask.py)."""

import filecmp
import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml

from cm_research.batch import BatchConfigError, load_batch, run_batch
from cm_research.cli import main
from cm_research.datasets import dataset_path

pytestmark = pytest.mark.notebook


def make_batch(tmp_path, sites=("northshire", "westbury"), notebooks=("01_data_quality",), **extra):
    data = tmp_path / "data"
    for slug in sites:
        if not (data / slug).exists():
            shutil.copytree(dataset_path("demo") / slug, data / slug)
    doc = {"run": "test run", "notebooks": list(notebooks), "parameters": {},
           "sites": [{"site": slug.title(), "data_dir": f"data/{slug}"} for slug in sites], **extra}
    path = tmp_path / "batch.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_batch_file_problems_are_all_listed(tmp_path):
    path = make_batch(tmp_path)
    doc = yaml.safe_load(path.read_text())
    doc["notebooks"].append("99_missing")
    doc["sites"].append({"site": "Nowhere", "data_dir": "data/nowhere"})
    doc["sites"].append({"site": "Westbury", "data_dir": "data/westbury", "parameters": {"colour": "red"}})
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(BatchConfigError) as err:
        load_batch(path)
    text = str(err.value)
    assert "unknown notebook '99_missing'" in text
    assert "site 'Nowhere': data folder" in text and "does not exist" in text
    assert "site 'Westbury' appears twice" in text
    assert "no notebook declares parameter(s) colour" in text


def test_a_broken_site_fails_alone_and_resume_reruns_only_it(tmp_path, capsys):
    path = make_batch(tmp_path, sites=("northshire", "westbury", "easton"))
    broken = tmp_path / "data" / "westbury" / "participants.csv"
    good = broken.read_text()
    broken.write_text(good.replace("participant_id,", "pupil,", 1))  # required column renamed

    code = main(["batch", str(path), "--output", str(tmp_path / "run"), "--jobs", "2"])
    captured = capsys.readouterr()
    assert code == 1
    assert "FAILED Westbury / 01_data_quality" in captured.err and "participant_id" in captured.err
    run = tmp_path / "run"
    assert (run / "northshire" / "01_data_quality.html").exists() and (run / "easton" / "01_data_quality.html").exists()
    assert not (run / "westbury" / "01_data_quality.html").exists(), "a failed job must not leave a report"
    assert (run / "westbury" / "restricted" / "01_data_quality.failed.ipynb").exists()  # a run for publication
    assert not list(run.glob("*/.staging-*")), "staging folders are cleaned up"
    index = (run / "index.html").read_text()
    assert "3 reports, 1 failed" in index and 'class="failed"' in index
    manifest = json.loads((run / "manifest.json").read_text())
    assert [j["status"] for j in manifest["jobs"]] == ["ok", "failed", "ok"]

    broken.write_text(good)
    before = (run / "northshire" / ".jobs" / "01_data_quality.json").read_text()
    assert main(["batch", str(path), "--output", str(run), "--resume"]) == 0
    manifest = json.loads((run / "manifest.json").read_text())
    assert [j["status"] for j in manifest["jobs"]] == ["skipped (up to date)", "ok", "skipped (up to date)"]
    assert (run / "northshire" / ".jobs" / "01_data_quality.json").read_text() == before
    assert (run / "westbury" / "01_data_quality.html").exists()
    assert not (run / "westbury" / "restricted" / "01_data_quality.failed.ipynb").exists()


def test_same_inputs_same_tables_and_a_changed_input_reruns_only_its_site(tmp_path, shared_demo_run):
    path = make_batch(tmp_path, notebooks=("01_data_quality", "02_outcomes"))
    config = load_batch(path)
    # one worker process (one kernel template, ~5 s of CPU, instead of two); the shared demo it is compared with
    # ran two at a time, so equal tables also show that the schedule does not matter
    first = run_batch(config, run_dir=tmp_path / "a", n_jobs=1, progress=False)
    assert not first.failed
    tables = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").glob("*/*.csv"))
    assert len(tables) > 10
    # the second run with the same inputs is the shared demo: the same notebooks on the same sites' files, run
    # in another process, another folder and another batch (and at another path of the data)
    for table in tables:
        assert filecmp.cmp(tmp_path / "a" / table, shared_demo_run / table, shallow=False), table

    # provenance: the manifest's hashes are the files' SHA-256, and each report has a footer
    # (a run for publication: paths in the restricted manifest, labels, hashes and sizes in the published one)
    manifest = json.loads((tmp_path / "a" / "restricted" / "manifest.json").read_text())
    job = manifest["jobs"][0]
    for file, digest in job["inputs"].items():
        assert hashlib.sha256(Path(file).read_bytes()).hexdigest() == digest
    shown = json.loads(first.manifest.read_text())["jobs"][0]["inputs"]
    assert [i["sha256"] for i in shown] == list(job["inputs"].values())
    assert manifest["environment"]["dependencies"]["pandas"]
    assert job["parameters"]["site"] == "Northshire" and job["started"] <= job["finished"]
    html = (tmp_path / "a" / "northshire" / "02_outcomes.html").read_text()
    assert "Made by cm_research" in html and "input files (inputs digest, SHA-256: " in html
    assert "outcomes.csv (" not in html

    outcomes = tmp_path / "data" / "westbury" / "outcomes.csv"
    outcomes.write_text(outcomes.read_text().replace(",post,15/07/", ",post,16/07/", 1))
    third = run_batch(config, run_dir=tmp_path / "a", resume=True, n_jobs=1, progress=False)
    status = {(r.job.site, r.job.stem): r.status for r in third.results}
    assert status == {("Northshire", "01_data_quality"): "skipped", ("Northshire", "02_outcomes"): "skipped",
                      ("Westbury", "01_data_quality"): "ok", ("Westbury", "02_outcomes"): "ok"}


def test_a_batch_file_that_expands_to_a_billion_values_is_refused_at_once(tmp_path):
    """YAML anchors nested eight deep (a 'billion laughs' file of a few hundred bytes) would expand to 10**8
    values when the parameters are written into each notebook; the reader refuses it, naming the file."""
    items = ['&a0 ["x","x","x","x","x","x","x","x","x","x"]']
    items += [f"&a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 8)]
    path = tmp_path / "bomb.yaml"
    path.write_text("notebooks: [02_outcomes.ipynb]\nparameters:\n  seed: [" + ", ".join(items) + "]\n"
                    "sites:\n  - site: North\n", encoding="utf-8")
    assert path.stat().st_size < 1000
    with pytest.raises(BatchConfigError, match=r"bomb\.yaml.*more than"):
        load_batch(path)
