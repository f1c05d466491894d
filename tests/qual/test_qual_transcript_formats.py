"""Transcripts as transcription tools write them (WebVTT, SRT, name-and-time lines in .txt and .docx) and the
speakers table for joint interviews: every turn's words found at their exact offsets, every speaker counted
under their own role. Word counts and offsets are worked by hand in the comments."""

from __future__ import annotations

import pytest

from cm_research.qual import TranscriptError, read_transcripts
from cm_research.qual.analysis import theme_role_matrix
from cm_research.qual.coding import coded_segments
from cm_research.qual.codebook import parse_codebook

SPEAKERS = "speaker,role,participant_id,site,file\nSam,interviewer,,,\nTia,young person,P07,Easton,\n"

TEAMS_VTT = """WEBVTT

NOTE SYNTHETIC: written for the test

0f1c-1
00:00:01.000 --> 00:00:04.000
<v Sam>How did the sessions go?</v>

0f1c-2
00:00:05.000 --> 00:00:09.500
<v Tia>I liked making films.
It made me feel more confident.</v>
"""

ZOOM_VTT = """WEBVTT

1
00:00:01.000 --> 00:00:03.000
Sam: Was anything hard?

2
00:00:03.500 --> 00:00:06.000
Tia: I moved placement and missed a few weeks,

3
00:00:06.000 --> 00:00:08.000
and that was hard.
"""

SRT = """1
00:00:01,000 --> 00:00:03,000
[Sam] Was anything hard?

2
00:00:03,500 --> 00:00:06,000
Tia: Moving was hard.
"""

OTTER = """Sam  0:00
How did the sessions go?

Tia  0:04
I liked making films.
It made me feel more confident.
"""


def _folder(tmp_path, files: dict[str, str], speakers: str | None = SPEAKERS):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8", newline="")
    if speakers is not None:
        (tmp_path / "speakers.csv").write_text(speakers)
    return read_transcripts(tmp_path)


def _turns(t) -> list[tuple[str, str, str]]:
    return [(u.speaker, u.kind, t.text[u.start:u.end]) for u in t.turns]


def test_teams_webvtt_with_voice_tags(tmp_path):
    corpus = _folder(tmp_path, {"tia.vtt": TEAMS_VTT})
    t = corpus["tia"]
    assert (t.pseudonym, t.role, t.site, t.participant_id) == ("Tia", "mentee", "Easton", "P07")
    assert _turns(t) == [("Sam", "interviewer", "How did the sessions go?"),
                         ("Tia", "participant", "I liked making films."),
                         ("Tia", "participant", "It made me feel more confident.")]
    assert [u.timestamp for u in t.turns] == ["00:00:01.000", "00:00:05.000", "00:00:05.000"]
    assert corpus.participants()["n_participant_words"].tolist() == [4 + 6]
    assert corpus.skipped.empty  # speakers.csv is the table, not a skipped file


def test_zoom_webvtt_prefixes_and_a_cue_continuing_the_speaker(tmp_path):
    t = _folder(tmp_path, {"tia.vtt": ZOOM_VTT})["tia"]
    assert _turns(t) == [("Sam", "interviewer", "Was anything hard?"),
                         ("Tia", "participant", "I moved placement and missed a few weeks,"),
                         ("Tia", "participant", "and that was hard.")]


def test_srt_with_bracketed_and_prefixed_speakers(tmp_path):
    t = _folder(tmp_path, {"tia.srt": SRT})["tia"]
    assert _turns(t) == [("Sam", "interviewer", "Was anything hard?"), ("Tia", "participant", "Moving was hard.")]


def test_name_and_time_lines_in_text_and_word(tmp_path):
    import docx

    document = docx.Document()
    for line in OTTER.splitlines():
        document.add_paragraph(line)
    document.save(tmp_path / "teams.docx")
    corpus = _folder(tmp_path, {"otter.txt": OTTER})
    for name in ("otter", "teams"):
        assert _turns(corpus[name]) == [
            ("Sam", "interviewer", "How did the sessions go?"),
            ("Tia", "participant", "I liked making films.\nIt made me feel more confident.")], name


def test_name_and_time_lines_under_our_header(tmp_path):
    head = "Pseudonym: Tia\nRole: mentee\nSite: Easton\nInterviewer: Sam\n---\n"
    t = _folder(tmp_path, {"otter.txt": head + OTTER}, speakers=None)["otter"]
    assert [u.speaker for u in t.turns] == ["Sam", "Tia"] and t.turns[1].timestamp == "0:04"


def test_joint_interview_counts_each_speaker_under_their_role(tmp_path):
    body = ("Pseudonym: Dana\nRole: social worker\nSite: Easton\nInterviewer: Sam\n---\n"
            "Sam: How has it gone?\n"
            "Dana: She has grown in confidence this year.\n"
            "Tia: I feel more confident now.\n"
            "Dana: Moving placement was hard for her.\n")
    corpus = _folder(tmp_path, {"joint.txt": body})
    participants = corpus.participants().set_index("role")
    # Dana: 7 + 6 words; Tia: 5 words, counted as a mentee's, not dropped as an "other speaker"
    assert participants.loc["social_worker", "n_participant_words"] == 13
    assert participants.loc["mentee", "n_participant_words"] == 5
    assert participants.loc["mentee", "participant"] == "P07"
    segments = corpus.segments()
    tia = segments[segments["speaker"] == "Tia"]
    assert tia[["role", "participant", "is_interviewer"]].values.tolist() == [["mentee", "P07", False]]
    codebook = parse_codebook({"themes": [{"name": "growth", "definition": "G.", "codes": [
        {"name": "confidence", "definition": "C."}]}]}, source="test")
    import pandas as pd

    coding = pd.DataFrame([{"transcript": "joint", "start": s, "end": e, "segment_id": "", "code": "confidence",
                            "coder": "R", "source": "human", "quote": "", "row": 2}
                           for s, e in segments.loc[segments["text"].str.contains("confiden"), ["start", "end"]]
                           .itertuples(index=False)])
    matrix = theme_role_matrix(coded_segments(coding, segments), corpus.participants(), codebook)
    assert matrix.set_index("role")[["n_participants", "n_role_participants"]].to_dict("index") == {
        "social_worker": {"n_participants": 1, "n_role_participants": 1},
        "mentee": {"n_participants": 1, "n_role_participants": 1}}


def test_captions_without_a_speakers_table_say_what_to_do(tmp_path):
    (tmp_path / "tia.vtt").write_text(TEAMS_VTT)
    with pytest.raises(TranscriptError, match=r"tia\.vtt: this file has no header saying who was interviewed: "
                                              r"list its speakers in speakers\.csv"):
        read_transcripts(tmp_path)
    (tmp_path / "speakers.csv").write_text("speaker,role\nSam,interviewer\nTia,young person\nMo,uncle\n")
    with pytest.raises(TranscriptError, match=r"speakers\.csv, line 4, column `role`: role 'uncle'"):
        read_transcripts(tmp_path)
