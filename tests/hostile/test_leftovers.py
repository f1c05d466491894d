"""What a red-team round left (hostile input, the leftovers). SYNTHETIC data only.

1. a NUL (or another control character) inside transcript text is refused, naming file and line;
2. a caption cue with an impossible time is refused, naming file and line;
3. a symbolic link in a transcripts folder that leads out of the folder is refused, naming the link;
4. an SPSS DATETIME or Stata %tc value read into a date field keeps its day and says a time was dropped;
5. a number typed with Excel's leading apostrophe ('42) is read as the number, with a note.
"""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import pytest

from cm_research.data import load_table
from cm_research.qual.errors import TranscriptError
from cm_research.qual.transcripts import read_transcript, read_transcripts
from tests.hostile.test_csv_reader import HEADER, _participant

_INTERVIEW = ("# SYNTHETIC interview\nPseudonym: Jade\nRole: mentee\nSite: Easton\n---\n"
              "Interviewer: How was it?\nJade: It was good. I felt safe.\nInterviewer: And then?\nJade: Fine.\n")
_SPEAKERS = "speaker,role,participant_id,site,file\nSam,interviewer,,,\nTia,young person,P07,Easton,\n"
_VTT = ("WEBVTT\n\nNOTE SYNTHETIC\n\n1\n00:00:01.000 --> 00:00:03.000\n<v Sam>How did it go?</v>\n\n"
        "2\n{timing}\n<v Tia>I liked making films.</v>\n")
_SRT = "1\n00:00:01,000 --> 00:00:03,000\nSam: How did it go?\n\n2\n{timing}\nTia: I liked making films.\n"


# ------------------------------------------------------------------------------------ 1. control characters


@pytest.mark.parametrize("suffix", [".txt", ".vtt", ".srt"])
@pytest.mark.parametrize("control", ["\x00", "\x1b"])
def test_a_nul_or_control_character_in_transcript_text_is_refused_naming_file_and_line(tmp_path, suffix, control):
    if suffix == ".txt":
        text, line = _INTERVIEW.replace("I felt safe", f"I felt{control} safe"), 7
    else:
        text = (_VTT if suffix == ".vtt" else _SRT).format(
            timing="00:00:04.000 --> 00:00:06.000" if suffix == ".vtt" else "00:00:04,000 --> 00:00:06,000")
        text, line = text.replace("making films", f"making{control} films"), 11 if suffix == ".vtt" else 7
    path = tmp_path / f"interview{suffix}"
    path.write_bytes(text.encode())
    (tmp_path / "speakers.csv").write_text(_SPEAKERS)
    speakers = None
    if suffix != ".txt":
        from cm_research.qual.transcript_formats import read_speakers

        speakers = read_speakers(tmp_path / "speakers.csv")
    with pytest.raises(TranscriptError) as caught:
        read_transcript(path, speakers=speakers)
    problem = caught.value.problems.iloc[0]
    assert (problem["file"], problem["line"]) == (path.name, line)
    assert f"U+{ord(control):04X}" in problem["message"] and control not in problem["value"]


def test_a_nul_in_a_word_transcript_is_refused_naming_its_paragraph(tmp_path, monkeypatch):
    # XML cannot hold a NUL, so a .docx reader can only meet one if the document's text has one; the check is
    # on the text whatever the reader, so it is tested through the Word reader's output
    from cm_research.qual import word_docx

    lines = [(line, f"paragraph {i}") for i, line in enumerate(_INTERVIEW.replace("Fine", "Fi\x00ne").splitlines(), 1)]
    monkeypatch.setattr(word_docx, "docx_lines", lambda path: lines)
    path = tmp_path / "interview.docx"
    path.write_bytes(b"")
    with pytest.raises(TranscriptError) as caught:
        read_transcript(path)
    problem = caught.value.problems.iloc[0]
    assert (problem["file"], problem["line"]) == ("interview.docx", 9) and "paragraph 9" in problem["message"]
    assert "U+0000" in problem["message"]


def test_tabs_and_page_breaks_stay_allowed(tmp_path):
    path = tmp_path / "interview.txt"
    path.write_text(_INTERVIEW.replace("I felt safe", "I felt\tsafe").replace("And then?", "And then?\x0c"))
    assert len(read_transcript(path).turns) == 4


# ------------------------------------------------------------------------------------ 2. impossible cue times


@pytest.mark.parametrize("suffix, timing, says", [
    (".vtt", "99:99:99.000 --> 99:99:99.500", "99:99:99.000"),
    (".vtt", "00:00:04.000 --> 00:61:00.000", "00:61:00.000"),  # minutes 61
    (".vtt", "00:00:60.000 --> 00:01:00.000", "00:00:60.000"),  # seconds 60
    (".vtt", "00:00:09.000 --> 00:00:04.000", "ends before it starts"),
    (".srt", "00:00:04,000 --> 00:00:75,000", "00:00:75,000"),
    (".srt", "00:01:00,000 --> 00:00:59,999", "ends before it starts"),
])
def test_a_cue_with_an_impossible_time_is_refused_naming_file_and_line(tmp_path, suffix, timing, says):
    folder = tmp_path / "interviews"
    folder.mkdir()
    (folder / "speakers.csv").write_text(_SPEAKERS)
    path = folder / f"tia{suffix}"
    path.write_text((_VTT if suffix == ".vtt" else _SRT).format(timing=timing))
    with pytest.raises(TranscriptError) as caught:
        read_transcripts(folder)
    problem = caught.value.problems.iloc[0]
    assert (problem["file"], problem["line"]) == (path.name, 10 if suffix == ".vtt" else 6)
    assert says in problem["message"] and problem["value"] == timing
    corpus = read_transcripts(folder, errors="report")  # reported, not read, with errors="report"
    assert len(corpus) == 0 and corpus.problems["file"].tolist() == [path.name]


@pytest.mark.parametrize("timing", ["00:00:04.000 -> 00:00:06.000", "00:00:04 --> 00:00:06", "4s --> 6s"])
def test_a_timing_line_that_cannot_be_read_is_refused_not_its_cue_silently_dropped(tmp_path, timing):
    # before: the line was taken for a cue identifier and the cue's words were left out without a word
    folder = tmp_path / "interviews"
    folder.mkdir()
    (folder / "speakers.csv").write_text(_SPEAKERS)
    (folder / "tia.vtt").write_text(_VTT.format(timing=timing))
    with pytest.raises(TranscriptError) as caught:
        read_transcripts(folder)
    problem = caught.value.problems.iloc[0]
    assert (problem["file"], problem["line"], problem["value"]) == ("tia.vtt", 10, timing)
    assert "cannot be read" in problem["message"]


def test_possible_cue_times_are_read(tmp_path):
    # hours beyond 24 are a long recording, not an error; a cue may end as it starts; mm:ss.ttt has no hours
    folder = tmp_path / "interviews"
    folder.mkdir()
    (folder / "speakers.csv").write_text(_SPEAKERS)
    (folder / "tia.vtt").write_text(_VTT.format(timing="25:59:59.999 --> 25:59:59.999"))
    (folder / "ali.vtt").write_text(_VTT.format(timing="59:04.000 --> 59:06.500"))
    assert len(read_transcripts(folder)) == 2


# ------------------------------------------------------------------------------------ 3. symbolic links


def test_a_link_out_of_the_transcripts_folder_is_refused_and_a_link_inside_it_is_read(tmp_path):
    folder = tmp_path / "interviews"
    folder.mkdir()
    (folder / "jade.txt").write_text(_INTERVIEW)
    secret = tmp_path / "elsewhere.txt"
    secret.write_text(_INTERVIEW.replace("Jade", "Kim"))
    os.symlink(secret, folder / "leak.txt")  # before: read as if it were in the folder
    os.symlink("/etc/passwd", folder / "passwd.txt")
    os.symlink("jade.txt", folder / "copy.txt")  # inside the folder: allowed
    os.symlink("gone.txt", folder / "dangling.txt")  # before: FileNotFoundError, a traceback
    with pytest.raises(TranscriptError) as caught:
        read_transcripts(folder)
    problems = caught.value.problems.set_index("file")["message"]
    assert sorted(problems.index) == ["dangling.txt", "leak.txt", "passwd.txt"]
    assert "symbolic link" in problems["leak.txt"] and "outside the transcripts folder" in problems["passwd.txt"]
    assert "does not exist" in problems["dangling.txt"]
    corpus = read_transcripts(folder, errors="report")
    assert sorted(t.path.name for t in corpus.transcripts) == ["copy.txt", "jade.txt"]
    assert "Kim" not in " ".join(t.text for t in corpus.transcripts)


def test_a_speakers_table_linked_from_outside_is_refused(tmp_path):
    folder = tmp_path / "interviews"
    folder.mkdir()
    (folder / "jade.txt").write_text(_INTERVIEW)
    (tmp_path / "speakers.csv").write_text(_SPEAKERS)
    os.symlink(tmp_path / "speakers.csv", folder / "speakers.csv")
    with pytest.raises(TranscriptError) as caught:
        read_transcripts(folder)
    assert caught.value.problems["file"].tolist() == ["speakers.csv"]


# ------------------------------------------------------------------------------------ 5. Excel's apostrophe


@pytest.mark.parametrize("engine", ["python", "columnar"])
def test_a_number_typed_with_excels_apostrophe_is_the_number_with_a_note(write_file, engine):
    rows = [_participant(1).replace(",8,KS3", ",'8,KS3"), _participant(2),
            _participant(3).replace(",8,KS3", ",'x8,KS3")]
    path = write_file("participants.csv", [HEADER, *rows])
    if engine == "columnar":  # the columnar reader reads this file itself, not handing it to the row-by-row one
        from cm_research.data.reading import read_raw

        assert read_raw(path, engine="columnar").cells.dtypes.iloc[0].storage == "pyarrow"
    result = load_table(path, "participants", engine=engine)
    assert result.data.loc[2, "year_group"] == 8 and len(result.data) + len(result.quarantine) == 3
    note = result.problems[result.problems["row"] == 2].iloc[0]
    assert (note["column"], note["value"], note["rule"], note["severity"]) == ("year_group", "'8", "apostrophe",
                                                                              "warning")
    assert "apostrophe" in note["message"] and "read as 8" in note["message"]
    # an apostrophe before text is still no number (year_group is optional, so the cell is blanked, as for any)
    refused = result.problems[result.problems["row"] == 4].iloc[0]
    assert refused["rule"] == "blanked_type" and "\"'x8\" is not a whole number" in refused["message"]
    assert pd.isna(result.data.loc[4, "year_group"])


def test_the_apostrophe_by_hand():
    from cm_research.data.coercion import coerce_number
    from cm_research.dictionary import load_schema

    value = load_schema("outcomes").field("value")
    numbers, bad = coerce_number(pd.Series(["'42", " '-1,234.5 ", "''7", "'", "12"], index=[2, 3, 4, 5, 6]), value)
    assert numbers.tolist()[:2] == [42.0, -1234.5] and numbers.tolist()[4] == 12.0
    assert pd.isna(numbers[4]) and pd.isna(numbers[5])  # two apostrophes, or an apostrophe alone: no number
    assert [(row, rule) for row, rule, _ in bad] == [(4, "type"), (5, "type"), (2, "apostrophe"), (3, "apostrophe")]
    assert bad[3][2] == ("\" '-1,234.5 \" starts with an apostrophe, Excel's mark for a number stored as text; "
                         "read as -1234.5")
