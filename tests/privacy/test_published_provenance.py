"""A run for publication names no input file and shows no absolute path (manifest.json, .jobs records, report
footers, executed notebooks, skipped_files.csv); its full provenance stays in restricted/; the disclosure check
refuses a published folder that names an input file or holds an absolute path."""

import hashlib
import json
import re
from pathlib import Path

import pytest

from cm_research.batch.provenance import inputs_digest
from cm_research.privacy.audit import audit_run
from cm_research.privacy.paths import absolute_paths, distinctive_names
from cm_research.privacy.scan import check_disclosure, is_restricted

#: absolute paths written the ways a published file could hold them (plain, JSON-escaped on Windows)
_ABSOLUTE = re.compile(r"(?<![\w.:/~<>-])/(?:home|root|tmp|work|Users|usr|opt|var|mnt|srv|data)/[\w.-]+")


def _published_files(run: Path):
    return [p for p in sorted(run.rglob("*")) if p.is_file() and not is_restricted(p.relative_to(run))]


@pytest.mark.notebook
def test_the_published_demo_names_no_input_file_and_holds_no_absolute_path(shared_demo_run):
    run = shared_demo_run
    full = json.loads((run / "restricted" / "manifest.json").read_text())
    paths = {p for job in full["jobs"] for p in job["inputs"]}
    # the restricted manifest keeps every input with its path, as an internal run's manifest does
    assert any(p.endswith("synthetic_04_northshire_vsh.txt") for p in paths)
    assert all(Path(p).is_absolute() for p in paths)
    names = {Path(p).name for p in paths}
    # the transcripts (role and site in their names) and the coding file are the names that identify
    telling = {n for n in names if n.startswith("synthetic_")}
    assert len(telling) >= 13, telling
    stems = {Path(n).stem for n in telling}
    found = []
    for path in _published_files(run):
        text = path.read_bytes().decode("utf-8", "replace")
        found += [(path.relative_to(run).as_posix(), n) for n in telling | stems if n in text]
        found += [(path.relative_to(run).as_posix(), m.group()) for m in _ABSOLUTE.finditer(text)]
    assert not found, found[:20]

    # published provenance: each input by label with its SHA-256 and size, and the footer's digest matches
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["publication"] is True and manifest["disclosure_check"]["passed"] is True
    site_report = next(j for j in manifest["jobs"] if j["site"] == "Northshire" and j["notebook"] == "06_site_report")
    full_report = next(j for j in full["jobs"] if j["site"] == "Northshire" and j["notebook"] == "06_site_report")
    assert len(site_report["inputs"]) == len(full_report["inputs"]) >= 20
    tables = {"participants", "outcomes", "sessions", "costs", "matches", "mentors", "attendance", "waiting_list"}
    for k, (shown, (path, digest)) in enumerate(zip(site_report["inputs"], full_report["inputs"].items()), start=1):
        assert shown["sha256"] == digest == hashlib.sha256(Path(path).read_bytes()).hexdigest()
        assert shown["bytes"] == Path(path).stat().st_size
        # a table file is labelled by the table it is read as, any other input by its number
        assert shown["label"] == (Path(path).stem if Path(path).stem in tables else f"input {k}"), (shown, path)
    # the digest, recomputed by hand from the published list: SHA-256 of the sorted "<sha256> <bytes>" lines
    lines = "\n".join(sorted(f"{i['sha256']} {i['bytes']}" for i in site_report["inputs"]))
    assert site_report["inputs_digest"] == hashlib.sha256(lines.encode()).hexdigest()
    footer = re.search(r"<footer.*?</footer>", (run / "northshire" / "06_site_report.html").read_text(), re.S).group()
    assert f"{len(site_report['inputs'])} input files" in footer and site_report["inputs_digest"] in footer
    assert "synthetic_" not in footer and "SHA-256" in footer
    # the job's record in .jobs is the published one; the full one is restricted
    record = json.loads((run / "northshire" / ".jobs" / "06_site_report.json").read_text())
    assert record["inputs"] == site_report["inputs"]
    kept = json.loads((run / "northshire" / "restricted" / "provenance" / "06_site_report.json").read_text())
    assert kept["inputs"] == full_report["inputs"]
    # skipped_files.csv names files: restricted in a run for publication
    assert not (run / "all-sites" / "skipped_files.csv").exists()
    assert (run / "all-sites" / "restricted" / "skipped_files.csv").exists()


@pytest.mark.notebook
def test_the_internal_demo_keeps_full_provenance_for_the_evaluator(shared_demo_run):
    internal = shared_demo_run.parent / f"{shared_demo_run.name}-internal"
    manifest = json.loads((internal / "manifest.json").read_text())
    assert manifest["publication"] is False
    inputs = [p for job in manifest["jobs"] for p in job["inputs"]]
    assert inputs and all(Path(p).is_absolute() for p in inputs)
    html = (internal / "easton" / "02_outcomes.html").read_text()
    assert "participants.csv (" in html  # names and short hashes, as before


def test_the_check_refuses_an_input_file_name_and_an_absolute_path(tmp_path):
    run = tmp_path / "run"
    (run / "restricted").mkdir(parents=True)
    (run / "site").mkdir()
    transcript = "/home/ann.smith/interviews/07_easton_carer.txt"
    (run / "restricted" / "manifest.json").write_text(json.dumps({"jobs": [{"inputs": {
        transcript: "ab" * 32, "/home/ann.smith/data/participants.csv": "cd" * 32}}]}))
    (run / "site" / "coverage.csv").write_text("source,n\n07_easton_carer,c\n")
    (run / "site" / "report.html").write_text("<p>Read from <code>07_easton_carer.txt</code></p>"
                                              "<p>participants.csv was read</p>")
    (run / "site" / "log.txt").write_text("warning at C:\\Users\\asmith\\cm\\plots.py line 4\n")
    (run / "manifest.json").write_text(json.dumps({"batch_file": "/home/ann.smith/batch.yaml"}))
    found = check_disclosure(run)
    got = {(r.file, r.kind, r.text) for r in found.itertuples()}
    assert got == {
        ("site/coverage.csv", "input_file_name", "07_easton_carer"),  # the stem names the interview too
        ("site/report.html", "input_file_name", "07_easton_carer.txt"),
        ("site/log.txt", "absolute_path", "C:\\Users\\asmith\\cm\\plots.py"),
        ("manifest.json", "absolute_path", "/home/ann.smith/batch.yaml"),
    }  # participants.csv is a data-dictionary table's file: it names nobody
    where = found.set_index("file").loc["site/coverage.csv"]
    assert where["location"] == "row 2, column `source`"
    assert set(audit_run(run)["kind"]) == {"input_file_name", "absolute_path"}  # the whole-run audit too


def test_what_is_and_is_not_an_absolute_path():
    paths = [p for _, p in absolute_paths(
        "/srv/data/x.csv; and/or; 5/8; https://doi.org/10.1037/a0012345; 1/2/2024; </p></div>; "
        "cm_research/plots/a.py; <venv>/lib/python3.11/x.py; ~/data/y; D:/Evaluation/kids.xlsx; "
        "\\\\server\\share\\x; iVBOR+/abc/def")]
    assert paths == ["/srv/data/x.csv", "D:/Evaluation/kids.xlsx", "\\\\server\\share\\x"]
    assert distinctive_names(["/a/mentee.txt", "/a/04_vsh.txt", "/a/participants.csv"], {"participants.csv"}) \
        == ["04_vsh.txt", "mentee.txt", "04_vsh"]  # "mentee" alone is a word, not a name to look for


def test_the_inputs_digest_is_the_sha256_of_the_sorted_lines():
    inputs = [{"label": "input 2", "sha256": "b" * 64, "bytes": 7}, {"label": "participants", "sha256": "a" * 64,
                                                                       "bytes": 12}]
    assert inputs_digest(inputs) == hashlib.sha256(f"{'a' * 64} 12\n{'b' * 64} 7".encode()).hexdigest()
