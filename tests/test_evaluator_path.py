"""Issue 18's evaluator, replayed through the command line only: make a template data folder for two invented
sites, type ~30 young people into each with the mistakes people make, validate, fix, run a batch, change one site
and resume. Only the data-quality notebook runs (the batch machinery is the same for every notebook), to keep the
suite fast. All data are synthetic, invented here with a fixed seed."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
import yaml
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from cm_research.cli import main
from cm_research.dictionary import load_schema

pytestmark = pytest.mark.notebook

SITES = {"North Vale": "NV", "South Fen": "SF"}


def _type_rows(path, table: str, rows: list[dict]) -> None:
    """Type ``rows`` (field name -> value) under the template's headings, as a person would in Excel."""
    book = load_workbook(path)
    sheet = book[table]
    by_title = {f.title: f.name for f in load_schema(table).fields}
    fields = [by_title[c.value] for c in sheet[1]]
    for row in rows:
        sheet.append([row.get(name) for name in fields])
    book.save(path)


def _invent(site: str, code: str, rng: random.Random) -> tuple[list[dict], list[dict]]:
    people, outcomes = [], []
    for i in range(1, 31):
        pid = f"{code}-{i:04d}"
        mentored = i % 2 == 1
        people.append({"participant_id": pid, "site": site, "cohort": "2023/24", "year_group": 7 + i % 5,
                       "education_stage": "KS3" if 7 + i % 5 <= 9 else "KS4", "care_status": "looked_after",
                       "referral_date": dt.datetime(2023, 7, 3) if mentored else None,
                       "programme": "creative_mentoring" if mentored else None,
                       "group": "mentored" if mentored else "comparison",
                       "start_date": dt.datetime(2023, 9, 11) if mentored else None})
        base = rng.randint(70, 92)
        outcomes += [{"participant_id": pid, "measure": "attendance_pct", "timepoint": "baseline", "value": base},
                     {"participant_id": pid, "measure": "attendance_pct", "timepoint": "post",
                      "value": min(100, base + rng.randint(-4, 6))}]
    return people, outcomes


def test_template_to_resume_through_the_command_line(tmp_path, capsys):
    rng = random.Random(18)
    data = tmp_path / "data"
    for site, code in SITES.items():
        folder = data / code.lower()
        assert main(["template", "participants", "outcomes", "--out", str(folder)]) == 0
        people, outcomes = _invent(site, code, rng)
        if code == "NV":
            people[3]["cohort"] = "23-24"  # a required value mistyped: NV-0004 and their outcomes held back
            people[6]["referral_date"] = "13/25/2023"  # an optional date mistyped: only that cell is lost
        else:
            outcomes[4]["value"] = 112  # attendance above 100%
        _type_rows(folder / "participants.xlsx", "participants", people)
        _type_rows(folder / "outcomes.xlsx", "outcomes", outcomes)
    out = capsys.readouterr().out
    assert "cm-research validate" in out and "--data-dir" in out  # the template says how to go on

    # validate: precise messages; the held-back young person's outcomes say why, under the sheet's headings
    nv = data / "nv"
    assert main(["validate", str(nv / "outcomes.xlsx"), "--table", "outcomes",
                 "--participants", str(nv / "participants.xlsx")]) == 1
    out = capsys.readouterr().out
    assert out.count("is in participants but that row has problems and was quarantined") == 2
    assert "is not in the participants table" not in out
    assert main(["validate", str(nv / "participants.xlsx"), "--table", "participants"]) == 1
    out = capsys.readouterr().out
    assert "row 5, column `cohort`: '23-24' does not have the expected form" in out
    assert "warning: participants.xlsx, row 8, column `referral_date`: '13/25/2023' is not a date" in out
    assert "left blank and the rest of the row kept" in out
    assert main(["validate", str(data / "sf" / "outcomes.xlsx"), "--table", "outcomes"]) == 1
    assert "row 6, column `value`: 112 is above the maximum of 100" in capsys.readouterr().out

    # fix the errors (the blanked optional date may stay: it costs one cell, not the young person)
    book = load_workbook(nv / "participants.xlsx")
    book["participants"]["C5"] = "2023/24"
    book.save(nv / "participants.xlsx")
    book = load_workbook(data / "sf" / "outcomes.xlsx")
    book["outcomes"]["E6"] = 100
    book.save(data / "sf" / "outcomes.xlsx")
    assert main(["validate", str(nv / "participants.xlsx"), "--table", "participants"]) == 0
    capsys.readouterr()

    # a batch file with a typo in a parameter name is refused before anything runs, with a suggestion
    batch = {"run": "two-sites", "notebooks": ["01_data_quality"], "parameters": {"small_count_treshold": 5},
             "sites": [{"site": site, "data_dir": f"data/{code.lower()}"} for site, code in SITES.items()]}
    batch_file = tmp_path / "batch.yaml"
    batch_file.write_text(yaml.safe_dump(batch), encoding="utf-8")
    run = tmp_path / "run"
    assert main(["batch", str(batch_file), "--output", str(run), "--jobs", "2"]) == 2
    assert "small_count_treshold (did you mean small_count_threshold?)" in capsys.readouterr().err
    batch["parameters"] = {"small_count_threshold": 5}
    batch_file.write_text(yaml.safe_dump(batch), encoding="utf-8")
    # one worker process: one kernel template to warm (~5 s of CPU), not two; the reports are the same
    assert main(["batch", str(batch_file), "--output", str(run), "--jobs", "1"]) == 0
    assert "2 of 2 reports ready" in capsys.readouterr().out
    report = BeautifulSoup((run / "north-vale" / "01_data_quality.html").read_text(encoding="utf-8"), "html.parser")
    assert report.title.get_text() == "Data quality: North Vale"
    overview = report.find("table")
    headings = [th.get_text(strip=True) for th in overview.thead.find_all("th")]
    cells = dict(zip(headings, [td.get_text(strip=True) for td in overview.find("tbody").find("tr").find_all(["th", "td"])]))
    # one cell blanked (a participants row: a young person) is a count from 1 to 5: c in the published report
    assert cells["Table"] == "participants" and cells["Rows held back"] == "0" and cells["Cells blanked"] == "c"

    # change one site and resume: only that site's report is made again, and the index says so
    book = load_workbook(data / "sf" / "outcomes.xlsx")
    book["outcomes"]["E7"] = 90
    book.save(data / "sf" / "outcomes.xlsx")
    assert main(["batch", str(batch_file), "--output", str(run), "--jobs", "2", "--resume"]) == 0
    assert "(1 up to date, not re-run)" in capsys.readouterr().out
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    status = {job["site"]: job["status"] for job in manifest["jobs"]}
    assert status == {"North Vale": "skipped (up to date)", "South Fen": "ok"}
    index = BeautifulSoup((run / "index.html").read_text(encoding="utf-8"), "html.parser")
    rows = {tr.find(["th", "td"]).get_text(): tr.get_text(" ") for tr in index.find("tbody").find_all("tr")}
    assert "reused (inputs unchanged)" in rows["North Vale"] and "made in this run" in rows["South Fen"]
    assert "Data quality: South Fen" in rows["South Fen"]
    assert index.find("a", href="manifest.json") is not None and str(tmp_path) not in str(index)

    # the template workbook serves as the register of ids for the disclosure check
    code = main(["check-disclosure", str(run), "--register", str(nv / "participants.xlsx")])
    captured = capsys.readouterr()
    assert code in (0, 1) and "register" not in captured.err.lower(), captured.err
