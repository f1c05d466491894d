"""Runs for publication never hold the internal case study; internal output is always marked and kept apart."""

import json
import shutil

import nbformat
import pandas as pd
import pytest
import yaml

from cm_research.batch import (BatchConfigError, PublicationError, internal_run_dir, is_internal, load_batch,
                               notebook_audience, run_batch, run_notebook)
from cm_research.batch.audience import NOT_FOR_PUBLICATION
from cm_research.batch.execute import NOTEBOOKS_DIR
from cm_research.datasets import DEMO_SITES, dataset_path
from cm_research.datasets.attendance import write_site_attendance
from cm_research.privacy.scan import check_disclosure


def write_batch(tmp_path, notebooks, **extra):
    data = tmp_path / "data" / "easton"
    if not data.exists():
        shutil.copytree(dataset_path("demo") / "easton", data)
        write_site_attendance(data, next(s for s in DEMO_SITES if s.slug == "easton"))
    doc = {"run": "case", "notebooks": list(notebooks), "sites": [{"site": "Easton", "data_dir": str(data)}],
           **extra}
    path = tmp_path / "batch.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


INTERNAL_NOTEBOOKS = ("05_single_case", "08_case_study", "09_mentor_matching")  # 05: one child's case lines


def test_only_the_case_study_single_case_series_and_mentor_suggestions_are_marked_internal():
    for name in INTERNAL_NOTEBOOKS:
        assert notebook_audience(name) == "internal"
        assert nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4).metadata["cm_research"] == {
            "audience": "internal"}
    others = [p.stem for p in NOTEBOOKS_DIR.glob("*.ipynb") if p.stem not in INTERNAL_NOTEBOOKS]
    assert others and not any(is_internal(nb) for nb in others)


@pytest.mark.parametrize("key", ["notebooks", "summary_notebooks"])
def test_a_run_for_publication_refuses_the_case_study_up_front(tmp_path, key):
    extra = {"summary_notebooks": ["08_case_study"]} if key == "summary_notebooks" else {}
    path = write_batch(tmp_path, ["01_data_quality"] if extra else ["08_case_study"], **extra)
    with pytest.raises(BatchConfigError) as err:
        load_batch(path)  # publication defaults to true
    text = str(err.value)
    assert "'08_case_study' is for internal use only" in text and "`publication: false`" in text


def test_an_internal_config_run_as_publication_is_refused_before_anything_is_written(tmp_path):
    config = load_batch(write_batch(tmp_path, ["08_case_study"], publication=False))
    assert config.publication is False
    with pytest.raises(BatchConfigError, match="cannot be part of a run for publication"):
        run_batch(config, run_dir=tmp_path / "run", publication=True, progress=False)
    assert not (tmp_path / "run").exists()


def test_publication_must_be_true_or_false(tmp_path):
    with pytest.raises(BatchConfigError, match="`publication:` must be true"):
        load_batch(write_batch(tmp_path, ["01_data_quality"], publication="maybe"))


@pytest.mark.parametrize("manifest", [{"publication": True}, {"run": "an older run, before the setting"}])
def test_the_case_study_cannot_write_into_a_published_run(tmp_path, manifest):
    published = tmp_path / "outputs" / "demo"
    (published / "northshire").mkdir(parents=True)
    (published / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(PublicationError, match="part of the run for publication"):
        run_notebook("08_case_study", published / "northshire" / "08_case_study.ipynb", {})
    assert not (published / "northshire" / "08_case_study.ipynb").exists()
    assert not (published / "northshire" / NOT_FOR_PUBLICATION).exists()


def test_a_published_run_cannot_go_into_an_internal_runs_folder(tmp_path):
    internal = tmp_path / "outputs" / "demo-internal"
    internal.mkdir(parents=True)
    (internal / "manifest.json").write_text(json.dumps({"publication": False}))
    config = load_batch(write_batch(tmp_path, ["01_data_quality"]))
    with pytest.raises(PublicationError, match="holds an internal run"):
        run_batch(config, run_dir=internal, progress=False)


def test_internal_run_dir_is_a_sibling_of_the_published_run(tmp_path):
    assert internal_run_dir(tmp_path / "outputs" / "demo") == (tmp_path / "outputs" / "demo-internal").resolve()


@pytest.mark.notebook
def test_an_internal_run_executes_the_case_study_and_is_marked_not_for_publication(tmp_path):
    config = load_batch(write_batch(tmp_path, ["08_case_study"], publication=False))
    run = run_batch(config, run_dir=tmp_path / "internal", n_jobs=1, progress=False, synthetic=True)
    assert [r.status for r in run.results] == ["ok"], [r.error for r in run.results]
    folder = run.run_dir / "easton"
    assert (run.run_dir / NOT_FOR_PUBLICATION).read_text().startswith("NOT FOR PUBLICATION: internal output")
    assert (folder / NOT_FOR_PUBLICATION).exists()
    assert json.loads(run.manifest.read_text())["publication"] is False
    index = run.index.read_text(encoding="utf-8")
    assert "<title>cm_research: case (internal, NOT FOR PUBLICATION)</title>" in index
    assert (folder / "case_study_timeline.png").stat().st_size > 20_000
    page = (folder / "08_case_study.html").read_text(encoding="utf-8")
    assert "NOT FOR PUBLICATION" in page and "Synthetic data." in page
    assert "Attendance was" in page and "In their own words" in page and "[Mentor]" in page
    # the id is only ever the notebook's parameter: the scan finds it in the parameter cells' source and nowhere else
    findings = check_disclosure(run.run_dir, ["SYN-EA-0003", "Kai", "Tom"])
    # (an internal run keeps its inputs' paths in its manifest and records: absolute_path findings, rightly)
    findings = findings[findings["kind"] == "register"]
    assert set(findings["file"]) == {"easton/08_case_study.ipynb"}
    assert set(findings["text"]) == {"SYN-EA-0003"} and findings["location"].str.contains("source").all()
    nb = nbformat.read(folder / "08_case_study.ipynb", as_version=4)
    cells = {int(loc.split()[1].rstrip(",")) - 1 for loc in findings["location"]}
    assert all({"parameters", "injected-parameters"} & set(nb.cells[i].metadata.get("tags", [])) for i in cells)


@pytest.mark.notebook
def test_the_demo_puts_the_case_study_beside_the_published_run_never_in_it(shared_demo_run):
    published = shared_demo_run
    internal = internal_run_dir(published)
    assert (internal / "easton" / "08_case_study.html").exists()
    assert (internal / "all-sites" / "09_mentor_matching.html").exists()
    proposal = pd.read_csv(internal / "all-sites" / "pairing_proposal.csv")
    waiting = pd.read_csv(dataset_path("demo") / "westbury" / "waiting_list.csv")
    assert sorted(proposal["participant_id"]) == sorted(waiting["participant_id"])  # everyone listed, none lost
    assert proposal["shared_interest"].sum() == pytest.approx(_best_total_by_brute_force(waiting))
    assert (internal / NOT_FOR_PUBLICATION).exists()
    assert json.loads((internal / "manifest.json").read_text())["publication"] is False
    assert json.loads((published / "manifest.json").read_text())["publication"] is True
    assert not list(published.rglob("08_case_study*")) and not (published / NOT_FOR_PUBLICATION).exists()
    assert not list(published.rglob("09_mentor_matching*")) and not list(published.rglob("pairing_proposal*"))
    index = (published / "index.html").read_text(encoding="utf-8")
    assert "08_case_study" not in index and "internal" not in index
    # individual-level figures (one point a young person) stay in the internal run, never in the published one
    scatter = "young people measured both times:"  # the reliable-change scatter's alt text (plots.findings)
    assert scatter in (internal / "easton" / "02_outcomes.html").read_text(encoding="utf-8")
    assert not any(scatter in p.read_text(encoding="utf-8") for p in published.rglob("*.html"))


def test_cm_research_run_refuses_an_internal_notebook_inside_a_published_run(tmp_path, capsys):
    from cm_research.cli import main

    published = tmp_path / "demo"
    published.mkdir()
    (published / "manifest.json").write_text(json.dumps({"publication": True}))
    code = main(["run", "08_case_study", "--output-dir", str(published / "case")])
    assert code == 2 and "is for internal use only" in capsys.readouterr().err
    assert not (published / "case").exists()


def _best_total_by_brute_force(waiting):
    """The highest total Jaccard score over every way of giving the waiting young people distinct free places,
    computed from the demo files with set arithmetic and exhaustive search (no cm_research code)."""
    import itertools

    folder = dataset_path("demo") / "westbury"
    mentors = pd.read_csv(folder / "mentors.csv", dtype=str, keep_default_na=False)
    matches = pd.read_csv(folder / "matches.csv", dtype=str, keep_default_na=False)
    as_of = pd.Timestamp("2024-09-01")
    start = pd.to_datetime(matches["match_start"], dayfirst=True)
    end = pd.to_datetime(matches["match_end"].replace("", None), dayfirst=True)
    running = matches[(start <= as_of) & (end.isna() | (end > as_of))]["mentor_id"].value_counts()
    tags = lambda text: {t.strip() for t in text.split(";") if t.strip()}  # noqa: E731
    slots = []
    for m in mentors.itertuples():
        capacity = int(m.capacity or 1) if m.available == "yes" else 0
        slots += [tags(m.interests)] * max(capacity - int(running.get(m.mentor_id, 0)), 0)
    people = [tags(i) for i in waiting["interests"]]
    assert len(slots) >= len(people)
    score = [[len(a & b) / len(a | b) for b in slots] for a in people]
    return max(sum(score[i][j] for i, j in enumerate(choice))
               for choice in itertools.permutations(range(len(slots)), len(people)))
