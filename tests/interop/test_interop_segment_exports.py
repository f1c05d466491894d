"""Coded-segment spreadsheets from other QDA programs, built in the test from the columns each program's
manual lists (MAXQDA "Export coded segments"; Dedoose's excerpt export with a column per code): every segment
placed at the words it quotes (offsets worked by hand below), or the row refused. SYNTHETIC data."""

from __future__ import annotations

import pandas as pd
import pytest

from cm_research.qual import read_transcripts
from cm_research.qual.codebook import parse_codebook
from cm_research.qual.coding import read_coding
from cm_research.qual.errors import CodingImportError

HEAD = "# SYNTHETIC\nPseudonym: {p}\nRole: mentee\nSite: Easton\n---\n"
JADE = HEAD.format(p="Jade") + "Interviewer: How was it?\nJade: I felt safe with my mentor. We made films.\n"
OMAR = HEAD.format(p="Omar") + "Interviewer: And school?\nOmar: School got easier. I felt safe there too.\n"
CODEBOOK = parse_codebook({"themes": [{"name": "relationship", "definition": "R.", "codes": [
    {"name": "trust", "definition": "T."}, {"name": "creative", "definition": "C."},
    {"name": "school", "definition": "S."}]}]}, source="test")


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "transcripts"
    folder.mkdir()
    (folder / "jade.txt").write_text(JADE)
    (folder / "omar.txt").write_text(OMAR)
    return read_transcripts(folder)


def _start(text: str, words: str) -> int:
    assert text.count(words) == 1
    return text.index(words)


MAXQDA_COLUMNS = ["Color", "Document group", "Document name", "Code", "Begin", "End", "Weight score", "Segment",
                  "Modified by", "Modified", "Created by", "Created", "Area", "Coverage %"]


def test_maxqda_coded_segments_xlsx_placed_at_their_words(tmp_path, corpus):
    rows = [["#ff0000", "Easton", "jade", "relationship\\trust", 7, 7, 0, "I felt safe with my mentor.",
             "AB", "2024-03-01", "AB", "2024-03-01", 27, 30.0],
            ["#00ff00", "Easton", "jade", "relationship\\creative", 7, 7, 50, "We made films.",
             "AB", "2024-03-01", "AB", "2024-03-01", 14, 15.0],
            ["#0000ff", "Easton", "omar", "relationship\\school", 7, 7, 0, "School got easier.",
             "CD", "2024-03-02", "CD", "2024-03-02", 18, 20.0]]
    path = tmp_path / "Coded segments.xlsx"
    pd.DataFrame(rows, columns=MAXQDA_COLUMNS).to_excel(path, index=False)
    with pytest.warns(UserWarning, match="1 segments carry a MAXQDA weight score other than 0"):
        coding = read_coding(path, corpus, CODEBOOK)
    # by hand: each segment's words occur once in its transcript
    expected = [("jade", _start(JADE, "I felt safe"), _start(JADE, "I felt safe") + 27, "trust", "AB"),
                ("jade", _start(JADE, "We made"), _start(JADE, "We made") + 14, "creative", "AB"),
                ("omar", _start(OMAR, "School got"), _start(OMAR, "School got") + 18, "school", "CD")]
    assert list(coding[["transcript", "start", "end", "code", "coder"]].itertuples(index=False, name=None)) == expected
    assert coding["row"].tolist() == [2, 3, 4]


def test_maxqda_segment_found_twice_is_refused_naming_the_row(tmp_path, corpus):
    path = tmp_path / "segments.xlsx"
    pd.DataFrame([["", "", "jade", "trust", 7, 7, 0, "I felt safe with my mentor.", "", "", "AB", "", 1, 1],
                  ["", "", "omar", "trust", 7, 7, 0, "felt safe", "", "", "AB", "", 1, 1],
                  ["", "", "omar", "trust", 7, 7, 0, "felt safe there", "", "", "AB", "", 1, 1]],
                 columns=MAXQDA_COLUMNS).to_excel(path, index=False)
    (tmp_path / "transcripts" / "omar.txt").write_text(OMAR + "Omar: I felt safe.\n")
    corpus = read_transcripts(tmp_path / "transcripts")
    with pytest.raises(CodingImportError, match=r"segments\.xlsx, line 3: .*occur 2 times in 'omar'") as err:
        read_coding(path, corpus, CODEBOOK)
    assert err.value.problems["line"].tolist() == [3]


def test_dedoose_excerpts_with_a_column_per_code_and_weights(tmp_path, corpus):
    header = ["Excerpt Creator", "Excerpt Date", "Resource Creator", "Resource Date", "Media Title",
              "Excerpt Range", "Excerpt Copy", "Codes Applied Combined", "Age", "trust", "creative", "school"]
    rows = [["AB", "1/3/2024", "AB", "1/3/2024", "jade.txt", "10-60", "I felt safe with my mentor. We made films.",
             "trust, creative", "14", "1", "3", "0"],
            ["CD", "2/3/2024", "CD", "2/3/2024", "omar.txt", "5-30", "School got easier.", "school", "15", "0", "0",
             "1"]]
    path = tmp_path / "excerpts.csv"
    pd.DataFrame(rows, columns=header).to_csv(path, index=False)
    with pytest.warns(UserWarning) as caught:
        coding = read_coding(path, corpus, CODEBOOK)
    messages = [str(w.message) for w in caught]
    assert "excerpts.csv: Dedoose code columns read: trust, creative, school" in messages
    assert any("1 code applications carry a weight other than 1" in m for m in messages)  # creative = 3
    start = _start(JADE, "I felt safe")
    assert list(coding[["transcript", "start", "end", "code", "coder"]].itertuples(index=False, name=None)) == [
        ("jade", start, start + 42, "trust", "AB"), ("jade", start, start + 42, "creative", "AB"),
        ("omar", _start(OMAR, "School"), _start(OMAR, "School") + 18, "school", "CD")]  # Age is no code


@pytest.mark.parametrize("program, header", [
    ("QDA Miner", ["Case", "Category", "Code", "Text", "Coder"]),
    ("Quirkos", ["Source", "Quirk", "Quote"]),
    ("Delve", ["Transcript", "Code", "Excerpt"]),
    ("Delve", ["Transcript", "Code", "Snippet", "Coded By"]),  # Delve's help calls a coded passage a snippet
    ("Delve", ["Snippet Text", "Parent Code", "Code", "Transcript Name"]),
    ("QDA Miner", ["Category", "Code", "Case", "Segment", "Words", "Coder", "Date"]),
])
def test_other_programs_exports_are_named_with_what_to_export(tmp_path, corpus, program, header):
    path = tmp_path / "export.csv"
    pd.DataFrame([["jade"] + ["x"] * (len(header) - 1)], columns=header).to_csv(path, index=False)
    with pytest.raises(CodingImportError, match=rf"export\.csv, line 1: this looks like {program}'s export"):
        read_coding(path, corpus, CODEBOOK, coder="AB")


def test_import_qda_given_a_segment_export_says_what_to_do(tmp_path, capsys):
    from cm_research.cli import main

    path = tmp_path / "Coded segments.xlsx"
    pd.DataFrame([["", "", "jade", "trust", 1, 1, 0, "x", "", "", "AB", "", 1, 1]],
                 columns=MAXQDA_COLUMNS).to_excel(path, index=False)
    assert main(["import-qda", str(path), "--out", str(tmp_path / "out")]) != 0
    assert ("Coded segments.xlsx: this is MAXQDA's export of coded segments, not a project: give it with the "
            "transcripts"
            in capsys.readouterr().err)


def test_import_messages_reach_the_thematic_report(tmp_path, corpus):
    """MAXQDA's and Dedoose's import messages were Python warnings only, which no report shows: they are now the
    result's ``import_notes`` (shown by 03_thematic_analysis) and written to coding_import_notes.csv."""
    import warnings

    from cm_research.qual.workflow import run_thematic_analysis, write_outputs

    path = tmp_path / "Coded segments.xlsx"
    pd.DataFrame([["", "", "jade", "trust", 7, 7, 25, "I felt safe with my mentor.", "", "", "AB", "", 1, 1]],
                 columns=MAXQDA_COLUMNS).to_excel(path, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        result = run_thematic_analysis(tmp_path / "transcripts", codebook=CODEBOOK, coding=path)
        written = write_outputs(result, tmp_path / "out")
    notes = result.import_notes
    assert notes["file"].tolist() == ["Coded segments.xlsx"]
    assert notes["message"].iloc[0].startswith("1 segments carry a MAXQDA weight score other than 0")
    assert pd.read_csv(written["coding_import_notes"])["message"].tolist() == notes["message"].tolist()
    # the analyst's own CSV has nothing to say
    own = tmp_path / "coding.csv"
    own.write_text("transcript,code,coder,start,end\njade," + f"trust,AB,{_start(JADE, 'I felt')},"
                   f"{_start(JADE, 'I felt') + 27}\n")
    assert run_thematic_analysis(tmp_path / "transcripts", codebook=CODEBOOK, coding=own).import_notes.empty
