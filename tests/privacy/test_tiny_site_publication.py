"""Issue 15, "Done when": a tiny site run through every published notebook publishes nothing that identifies a
child; a user's batch gives summary notebooks their real inputs, and --resume sees a changed transcript.

One small batch (three site notebooks for one site, three summary notebooks), built once for the module.
The tiny site is cut from the synthetic Easton demo and relabelled to look like an evaluator's own data (no
SYNTHETIC.txt, ids not ``SYN-``): 6 mentored young people whose matches mostly ended, 8 comparison young
people; interviews with 2 mentees and 1 social worker."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from cm_research.batch import load_batch, run_batch
from cm_research.batch.config import BatchConfigError
from cm_research.datasets import dataset_path
from cm_research.datasets.action_research import partnership_dir
from cm_research.datasets.transcripts import transcripts_dir
from cm_research.privacy.audit import audit_run, audit_table

pytestmark = pytest.mark.notebook

SITE = "Tinyshire"
INTERVIEWS = ("synthetic_05_easton_mentee.txt", "synthetic_06_easton_mentee.txt",
              "synthetic_08_easton_social_worker.txt")


def _relabel(text: str) -> str:
    return text.replace("SYN-EA-", "TS-").replace("SYN-M-EA-", "TSM-").replace("Easton", SITE)


def _read(path: Path) -> tuple[str, str]:
    """(text, encoding): some demo transcripts are saved as Windows-1252 on purpose."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252"), "cp1252"


def _interviewed_mentees() -> list[str]:
    ids = []
    for name in INTERVIEWS:
        found = re.search(r"Participant ID: (\S+)", _read(transcripts_dir() / name)[0])
        if found:
            ids.append(found.group(1))
    return ids


def build_tiny_site(root: Path) -> Path:
    """root/data/tinyshire (participants, outcomes, mentors, matches), root/interviews, root/survey."""
    demo = dataset_path("demo") / "easton"
    participants = pd.read_csv(demo / "participants.csv", dtype=str, keep_default_na=False)
    matches = pd.read_csv(demo / "matches.csv", dtype=str, keep_default_na=False)
    ended = set(matches.loc[matches["match_end"] != "", "participant_id"])
    mentored = participants[participants["group"] == "mentored"]
    interviewed = _interviewed_mentees()
    # the interviewed mentees, then mentees whose match ended: 6 in all, one match may still be going
    chosen = list(dict.fromkeys(interviewed + sorted(set(mentored["participant_id"]) & ended)))[:5]
    chosen.append(next(p for p in mentored["participant_id"] if p not in chosen and p in set(matches["participant_id"])))
    comparison = list(participants.loc[participants["group"] == "comparison", "participant_id"][:8])
    keep = set(chosen) | set(comparison)
    folder = root / "data" / "tinyshire"
    folder.mkdir(parents=True)
    tables = {"participants": participants[participants["participant_id"].isin(keep)],
              "outcomes": pd.read_csv(demo / "outcomes.csv", dtype=str, keep_default_na=False),
              "matches": matches[matches["participant_id"].isin(chosen)]}
    tables["outcomes"] = tables["outcomes"][tables["outcomes"]["participant_id"].isin(keep)]
    mentors = pd.read_csv(demo / "mentors.csv", dtype=str, keep_default_na=False)
    tables["mentors"] = mentors[mentors["mentor_id"].isin(set(tables["matches"]["mentor_id"]))]
    for name, table in tables.items():
        (folder / f"{name}.csv").write_text(_relabel(table.to_csv(index=False)), encoding="utf-8")
    interviews = root / "interviews"
    interviews.mkdir()
    for name in INTERVIEWS:
        text, encoding = _read(transcripts_dir() / name)
        text = "\n".join(line for line in text.splitlines() if not line.startswith(("# SYNTHETIC", "Synthetic:")))
        (interviews / name.replace("synthetic_", "").replace("easton", "tinyshire")).write_text(
            _relabel(text) + "\n", encoding=encoding)
    (root / "register.csv").write_text("name,role\nAmira,mentee\nDele,social_worker\n", encoding="utf-8")
    survey = root / "survey"
    shutil.copytree(partnership_dir(), survey, ignore=shutil.ignore_patterns("SYNTHETIC.txt"))
    return root


def write_batch(root: Path, transcripts: bool = True) -> Path:
    thematic = {"notebook": "03_thematic_analysis", "parameters": {"transcripts_dir": "interviews",
                                                                "register_file": "register.csv"}}
    doc = {"run": "tiny", "notebooks": ["01_data_quality", "02_outcomes", "06_site_report"],
           "parameters": {"alpha": 0.10, "min_participants": 1},
           # the site report without interviews ("" for none): the thematic summary is the one that reads them
           "sites": [{"site": SITE, "data_dir": "data/tinyshire", "parameters": {"transcripts_dir": ""}}],
           "summary_notebooks": [thematic if transcripts else "03_thematic_analysis", "04_cross_site_synthesis",
                                 {"notebook": "07_action_research", "parameters": {"data_dir": "survey"}}]}
    path = root / "batch.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    root = build_tiny_site(tmp_path_factory.mktemp("tiny"))
    # one worker: each phase (site notebooks, summary notebooks) warms one kernel template, not two (~5 s of CPU
    # each); what is published does not depend on how many workers made it
    run = run_batch(load_batch(write_batch(root)), run_dir=root / "run", n_jobs=1, progress=False)
    assert not run.failed, [r.error for r in run.failed]
    return root, run


def test_a_real_looking_batch_refuses_a_thematic_summary_without_its_transcripts(tmp_path):
    root = build_tiny_site(tmp_path)
    with pytest.raises(BatchConfigError) as err:
        load_batch(write_batch(root, transcripts=False))
    message = str(err.value)
    assert "'03_thematic_analysis' has no transcripts_dir" in message and "bundled synthetic" in message
    assert SITE in message


def test_nothing_in_the_published_tiny_run_identifies_a_child(tiny_run):
    root, run = tiny_run
    out = run.run_dir
    participants = pd.read_csv(root / "data" / "tinyshire" / "participants.csv", dtype=str)
    findings = audit_run(out, register=list(participants["participant_id"]) + ["Dele", "Kai", "Amira"])
    assert findings.empty, findings.to_string()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["disclosure_check"]["passed"] is True and manifest["publication"] is True
    site, summary = out / "tinyshire", out / "all-sites"
    report = (site / "06_site_report.html").read_text(encoding="utf-8")

    # individuals' trajectories: no scatter of each young person, no paired slopes; category bars instead
    assert "Scatter plot of each" not in report and "values before and after" not in report
    rc = pd.read_csv(site / "reliable_change_sdq_total_data.csv", dtype=str)
    assert set(rc[["reliable_improvement", "no_reliable_change", "reliable_deterioration"]].stack()) <= {"c", "0"}
    # bar labels: percentages of suppressed counts, never events/n
    for data in site.glob("*_data.csv"):
        table = pd.read_csv(data, dtype=str)
        for column in [c for c in table if c in ("young_people", "with_outcome", "without_outcome", "n_risk")]:
            assert all(v == "c" or v == "0" or int(v) > 5 for v in table[column].dropna()), (data.name, column)
    shown = re.sub(r'src="data:[^"]*"', "", report)  # text and alt texts, not the embedded images
    assert not re.search(r"(?<![\d/])\d{1,3}/\d{1,3}(?![\d/])", shown)  # "5/8"; not 2022/23 or dates
    # survival: 6 matches, fewer than 10 at risk from the start, so no curve is published at all
    assert not (site / "match_survival.png").exists() and "match_survival" not in report
    # interviews: counts by role are c, and every quote of the lone social worker / two mentees is pooled
    interviews = pd.read_csv(summary / "interviews.csv", dtype=str)
    assert set(interviews["interviews"]) == {"c"}
    quotes = pd.read_csv(next(summary.glob("quotes*.csv")), dtype=str)  # _UNREVIEWED_SUGGESTIONS: no human coding
    assert set(quotes["pooled"]) == {"True"} and set(quotes["site"].fillna("")) == {""}
    thematic = (summary / "03_thematic_analysis.html").read_text(encoding="utf-8")
    assert "— social worker" not in thematic and "of 2)" not in thematic and "(1 of 1)" not in thematic
    assert "Where fewer than 3 people of a role were interviewed at a site" in thematic
    # joint suppression: attrition's n_baseline never gives away a hidden missingness count
    missing = pd.read_csv(site / "missingness.csv", dtype=str)
    attrition = pd.read_csv(site / "attrition.csv", dtype=str)
    base = missing[missing["timepoint"] == "baseline"].merge(attrition, on=["measure", "group"])
    assert base[(base["n_missing"] == "c") & (base["n_baseline"] != "c")].empty
    # one p-value policy: sentences that quote p with several outcomes quote Holm's
    outcomes_page = (site / "02_outcomes.html").read_text(encoding="utf-8")
    comparisons = pd.read_csv(site / "comparisons.csv")
    if comparisons["p_val"].notna().sum() > 1:  # one p left (round 6 withholds a few events' results): no Holm
        assert "Holm-adjusted p" in outcomes_page or " p = " not in outcomes_page
    # a group's total of 1 to 5 events is never published with what gives it back (privacy.events)
    assert not [f for f in audit_table(site / "comparisons.csv") if f[2] == "event_count"]
    # every figure in the site report links the numbers behind it
    assert report.count("<figure") == report.count("The numbers behind this figure")


def test_summary_notebooks_get_shared_parameters_and_their_real_inputs_and_resume_sees_a_transcript(tiny_run):
    root, run = tiny_run
    # the inputs' names and paths are in the restricted manifest (the published one lists them by label)
    jobs = {j["notebook"]: j for j in json.loads((run.run_dir / "restricted" / "manifest.json").read_text())["jobs"]}
    assert jobs["04_cross_site_synthesis"]["parameters"]["alpha"] == 0.10  # the shared alpha reaches 04
    assert jobs["03_thematic_analysis"]["parameters"]["min_participants"] == 1  # declared by 03 only
    inputs = {Path(p).name for p in jobs["03_thematic_analysis"]["inputs"]}
    assert inputs == {"05_tinyshire_mentee.txt", "06_tinyshire_mentee.txt", "08_tinyshire_social_worker.txt",
                      "register.csv"}
    assert {Path(p).name for p in jobs["04_cross_site_synthesis"]["inputs"]} == {"effect_sizes.csv"}
    assert all("/survey/" in p for p in jobs["07_action_research"]["inputs"])

    transcript = root / "interviews" / "08_tinyshire_social_worker.txt"
    text, encoding = _read(transcript)
    transcript.write_text(text + "\nInterviewer: Thank you.\n", encoding=encoding)
    again = run_batch(load_batch(root / "batch.yaml"), run_dir=run.run_dir, n_jobs=1, progress=False, resume=True)
    status = {r.job.stem: r.status for r in again.results}
    assert status == {"01_data_quality": "skipped", "02_outcomes": "skipped", "06_site_report": "skipped",
                      "03_thematic_analysis": "ok", "04_cross_site_synthesis": "skipped",
                      "07_action_research": "skipped"}
