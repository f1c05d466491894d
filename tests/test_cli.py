"""The command line: plain-English problems and exit codes a script can rely on."""

import subprocess
import sys

from cm_research.cli import main

from conftest import OUTCOMES_HEADER, VALID_OUTCOMES


def test_validate_prints_problems_and_exits_non_zero(write_file, participants_csv, capsys):
    rows = list(VALID_OUTCOMES) + ["T-001,sdq_total,post,,44"]
    path = write_file("outcomes.csv", [OUTCOMES_HEADER, *rows])
    code = main(["validate", str(path), "--table", "outcomes", "--participants", str(participants_csv)])
    out = capsys.readouterr().out
    assert code == 1
    assert "outcomes.csv, row 8, column `value`: 44 is above the maximum of 40 for sdq_total" in out
    assert "7 rows read" in out and "6 valid" in out


def test_validate_clean_file_exits_zero(participants_csv, capsys):
    assert main(["validate", str(participants_csv), "--table", "participants"]) == 0
    assert "4 valid, 0 with problems" in capsys.readouterr().out


def test_validate_outcomes_alone_says_ids_were_not_checked(write_file, capsys):
    path = write_file("outcomes.csv", [OUTCOMES_HEADER, *VALID_OUTCOMES])
    assert main(["validate", str(path), "--table", "outcomes"]) == 0
    assert "participant ids were not checked" in capsys.readouterr().out


def test_validate_empty_file_is_an_error_not_a_traceback(write_file, capsys):
    path = write_file("participants.csv", b"")
    assert main(["validate", str(path), "--table", "participants"]) == 2
    assert "participants.csv: the file is empty" in capsys.readouterr().err


def test_validate_writes_quarantine(write_file, tmp_path, capsys):
    path = write_file("outcomes.csv", [OUTCOMES_HEADER, "T-001,sdq_total,post,,44"])
    main(["validate", str(path), "--table", "outcomes", "--quarantine-dir", str(tmp_path / "q")])
    assert (tmp_path / "q" / "quarantine_outcomes.csv").exists()


def test_dictionary_markdown(capsys):
    assert main(["dictionary", "--markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Data dictionary")
    assert "## Participants (`participants`)" in out and "| `match_ended_early` |" in out


def test_console_script_is_installed():
    done = subprocess.run([sys.executable, "-m", "cm_research.cli", "--help"], capture_output=True, text=True)
    assert done.returncode == 0
    for command in ("dictionary", "validate", "run", "demo"):
        assert command in done.stdout


def test_codebook_command_validates_and_exports(tmp_path, capsys):
    assert main(["codebook", "--output", str(tmp_path / "cb")]) == 0
    assert (tmp_path / "cb" / "codebook.md").read_text().count("##") >= 10
    bad = tmp_path / "bad.yaml"
    bad.write_text("themes:\n  - name: Trust\n    codes:\n      - name: trust\n        definition: ''\n")
    assert main(["codebook", str(bad)]) == 2
    assert "bad.yaml" in capsys.readouterr().err


def test_thematic_command_runs_the_notebook_on_the_reviewed_suggestions(tmp_path, capsys):
    """The documented loop: the review sheet `thematic` writes, decisions filled in, read back with --coder."""
    import pandas as pd

    from cm_research.datasets.transcripts import transcripts_dir
    from cm_research.qual.workflow import run_thematic_analysis, write_outputs

    sheet = pd.read_csv(write_outputs(run_thematic_analysis(transcripts_dir()), tmp_path)["suggestions_for_review"],
                        dtype=str, keep_default_na=False)
    sheet["decision"] = ["accept" if i % 2 == 0 else "reject" for i in range(len(sheet))]
    sheet.to_csv(tmp_path / "reviewed.csv", index=False)
    code = main(["thematic", "--transcripts", str(transcripts_dir()), "--coding", str(tmp_path / "reviewed.csv"),
                 "--coder", "analyst", "--roles", "mentee,mentor", "--output", str(tmp_path / "out")])
    assert code == 0, capsys.readouterr().err
    matrix = pd.read_csv(tmp_path / "out" / "theme_role_matrix.csv")
    assert set(matrix["role"]) <= {"mentee", "mentor"}
    n_reject = int((sheet["decision"] == "reject").sum())
    assert (tmp_path / "out" / "basis.txt").read_text() == (
        f"Counts rest on: human coding by analyst ({len(sheet) - n_reject} reviewed suggestions accepted; "
        f"{n_reject} rejected are not counted).\n")


def test_template_and_export_commands(tmp_path, capsys):
    from openpyxl import load_workbook

    from cm_research.datasets import dataset_path

    assert main(["template", "participants", "outcomes", "--out", str(tmp_path / "t.xlsx")]) == 0
    assert {"participants", "outcomes"} <= set(load_workbook(tmp_path / "t.xlsx").sheetnames)
    code = main(["export", str(dataset_path("demo") / "easton"), "--format", "sav", "--out", str(tmp_path / "sav")])
    assert code == 1  # Easton has rows with problems: exported without them, and said so
    assert "rows with problems were not exported" in capsys.readouterr().err
    assert (tmp_path / "sav" / "participants.sav").exists()
    assert main(["validate", str(tmp_path / "sav" / "participants.sav"), "--table", "participants"]) == 0


def test_qda_round_trip_through_the_command_line(tmp_path, capsys):
    from cm_research.datasets.transcripts import transcripts_dir

    coding = transcripts_dir() / "coding" / "synthetic_coding_two_coders.csv"
    assert main(["export-qdpx", "--transcripts", str(transcripts_dir()), "--coding", str(coding),
                 "--out", str(tmp_path / "p.qdpx")]) == 0
    assert main(["import-qda", str(tmp_path / "p.qdpx"), "--out", str(tmp_path / "imported")]) == 0
    out = capsys.readouterr().out
    assert "12 sources" in out and (tmp_path / "imported" / "coding.csv").exists()
