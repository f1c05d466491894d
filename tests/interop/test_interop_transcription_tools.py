"""Transcripts as transcription tools write them, each built in the test from the tool's published layout:
every word attributed to the speaker who said it, offsets pointing at the file's own text, or the file refused
naming the line. SYNTHETIC: every name and sentence is invented for the test.

Layouts (from the tools' documentation and help pages, rebuilt here, not copied from any file):

* Microsoft Teams WebVTT: cue identifiers ``<GUID>/<n>-<k>``, ``NOTE`` and ``STYLE`` blocks, ``<v Name>``
  voice tags, cues over two lines, and (WebVTT allows it) two voices on one line.
* Teams .docx: newer exports ``Name   0:03`` above the words, under a title block (meeting name, date, length)
  and ``Name started transcription``; older exports a timing line ``0:0:0.0 --> 0:0:3.72``, then the name alone.
* Otter.ai: ``Speaker 1  0:04`` above the words; Rev.com and Trint: ``Name (00:00:11):``; NVivo Transcription:
  ``00:00:11 Name``; Descript: ``Name: [00:00:11] words``; Zoom .txt: ``[Name] 10:15:32``; Word transcripts
  typed by hand with each speaker's name in bold on its own line.
* YouTube and Premiere .srt name no speaker: refused, naming the line, with what to add.
"""

from __future__ import annotations

import re

import pytest

from cm_research.qual import TranscriptError, read_transcripts

SPEAKERS = ("speaker,role,participant_id,site,file\n"
            "Sam Jones,interviewer,,,\nSpeaker 1,interviewer,,,\n"
            "Tia,young person,P07,Easton,\nSpeaker 2,young person,P07,Easton,\n")
Q, A1, A2 = "How did the sessions go?", "I liked making films.", "It made me feel more confident."


def _read(tmp_path, name: str, text: str | None = None):
    if text is not None:
        (tmp_path / name).write_text(text, encoding="utf-8", newline="")
    (tmp_path / "speakers.csv").write_text(SPEAKERS)
    return read_transcripts(tmp_path)[name.rsplit(".", 1)[0]]


def _turns(t) -> list[tuple[str, str]]:
    return [(u.speaker, t.text[u.start:u.end]) for u in t.turns]


TEAMS_VTT = f"""WEBVTT

NOTE duration:"00:00:14.0000000"

NOTE language:en-gb

STYLE
::cue {{ color: yellow }}

6e3d4bb1-84b3-4bb3-a84d-4c4f0e1d1f5f/15-0
00:00:03.720 --> 00:00:05.960
<v Sam Jones>{Q}</v>

6e3d4bb1-84b3-4bb3-a84d-4c4f0e1d1f5f/18-0
00:00:06.100 --> 00:00:09.000
<v Tia>{A1}
{A2}</v>

6e3d4bb1-84b3-4bb3-a84d-4c4f0e1d1f5f/21-1
00:00:09.000 --> 00:00:11.000
<v Sam Jones>Good?</v> <v Tia>Yes, good.</v>
"""


def test_teams_webvtt_guids_notes_styles_and_two_voices_on_a_line(tmp_path):
    t = _read(tmp_path, "teams.vtt", TEAMS_VTT)
    assert _turns(t) == [("Sam Jones", Q), ("Tia", A1), ("Tia", A2), ("Sam Jones", "Good?"), ("Tia", "Yes, good.")]
    # Tia's words by hand: 4 + 6 + 2 = 12; none from the NOTE or STYLE blocks
    assert read_transcripts(tmp_path).participants()["n_participant_words"].tolist() == [12]
    assert [u.timestamp for u in t.turns] == ["00:00:03.720", "00:00:06.100", "00:00:06.100", "00:00:09.000",
                                              "00:00:09.000"]


# (file name, text, the turns by hand, the turns' time stamps)
TOOL_LAYOUTS = {
    "otter": ("otter.txt", f"Speaker 1  0:00\n{Q}\n\nSpeaker 2  0:04\n{A1}\n{A2}\n",
              [("Speaker 1", Q), ("Speaker 2", f"{A1}\n{A2}")], ["0:00", "0:04"]),
    "rev": ("rev.txt", f"Sam Jones (00:00:11):\n{Q}\n\nTia (00:00:15):\n{A1}\n",
            [("Sam Jones", Q), ("Tia", A1)], ["00:00:11", "00:00:15"]),
    "rev_inline": ("rev_inline.txt", f"Speaker 1 (00:11): {Q}\nSpeaker 2 (00:15): {A1}\n",
                   [("Speaker 1", Q), ("Speaker 2", A1)], ["00:11", "00:15"]),
    "trint": ("trint.txt", f"[00:00:11] Sam Jones:\n{Q}\n\n[00:00:15] Tia:\n{A1}\n",
              [("Sam Jones", Q), ("Tia", A1)], ["00:00:11", "00:00:15"]),
    "nvivo_transcription": ("nvivo.txt", f"00:00:01 Sam Jones\n{Q}\n\n00:00:04 Tia\n{A1}\n",
                            [("Sam Jones", Q), ("Tia", A1)], ["00:00:01", "00:00:04"]),
    "descript": ("descript.txt", f"Sam Jones: [00:00:00] {Q}\n\nTia: [00:00:04] {A1}\n",
                 [("Sam Jones", Q), ("Tia", A1)], ["00:00:00", "00:00:04"]),
    "zoom_txt": ("zoom.txt", f"[Sam Jones] 10:15:32\n{Q}\n[Tia] 10:15:40\n{A1}\n",
                 [("Sam Jones", Q), ("Tia", A1)], ["10:15:32", "10:15:40"]),
    "teams_old_docx_text": ("teams_old.txt", f"0:0:0.0 --> 0:0:3.720\nSam Jones\n{Q}\n\n0:0:3.720 --> 0:0:7.0\nTia\n{A1}\n",
                            [("Sam Jones", Q), ("Tia", A1)], ["0:0:0.0", "0:0:3.720"]),
}


@pytest.mark.parametrize("tool", sorted(TOOL_LAYOUTS))
def test_each_tool_layout_gives_every_word_to_its_speaker(tmp_path, tool):
    name, text, expected, stamps = TOOL_LAYOUTS[tool]
    t = _read(tmp_path, name, text)
    assert _turns(t) == expected
    assert [u.timestamp for u in t.turns] == stamps
    # nothing else in the file is words: taking out the turns leaves only labels, times and arrows
    rest = list(text)
    for u in t.turns:
        rest[u.start:u.end] = " " * (u.end - u.start)
    leftover = re.sub(r"Sam Jones|Speaker [12]|Tia|\d[\d:.,]*|-->|[\[\]():\s]", "", "".join(rest))
    assert leftover == ""


@pytest.mark.parametrize("tool", ["otter", "rev", "trint", "nvivo_transcription", "teams_old_docx_text"])
def test_each_tool_layout_saved_as_word_reads_the_same(tmp_path, tool):
    # the tools' .docx exports hold the same lines as paragraphs
    name, text, expected, stamps = TOOL_LAYOUTS[tool]
    _docx(tmp_path / "export.docx", [(line, False) for line in text.splitlines()])
    t = _read(tmp_path, "export.docx")
    assert _turns(t) == expected and [u.timestamp for u in t.turns] == stamps


def test_otter_trailer_is_a_note_not_the_last_speakers_words(tmp_path):
    t = _read(tmp_path, "otter.txt", f"Speaker 1  0:00\n{Q}\n\nSpeaker 2  0:04\n{A1}\n\n\nTranscribed by https://otter.ai\n")
    assert _turns(t) == [("Speaker 1", Q), ("Speaker 2", A1)]
    assert t.notes == ["line 8: Transcribed by https://otter.ai"]


def test_a_headerless_file_opening_with_a_turn_is_not_taken_for_a_header(tmp_path):
    # "Sam Jones: ..." has the shape of a header line; only Pseudonym/Role/Site make a header
    t = _read(tmp_path, "plain.txt", f"Sam Jones: {Q}\nTia: {A1}\n")
    assert _turns(t) == [("Sam Jones", Q), ("Tia", A1)] and t.pseudonym == "Tia"


def _docx(path, paragraphs: list[tuple[str, bool]]):
    import docx

    document = docx.Document()
    for text, bold in paragraphs:
        document.add_paragraph().add_run(text).bold = bold
    document.save(path)


def test_teams_docx_title_block_and_notices_are_notes_not_words(tmp_path):
    _docx(tmp_path / "teams.docx", [(p, False) for p in [
        "Catch-up with Tia-20240105_140012-Meeting Recording", "5 January 2024, 14:00", "14m 3s", "",
        "Sam Jones started transcription", "Sam Jones   0:03", Q, "Tia   0:07", A1, A2,
        "Sam Jones stopped transcription"]])
    t = _read(tmp_path, "teams.docx")
    assert _turns(t) == [("Sam Jones", Q), ("Tia", f"{A1}\n{A2}")]
    assert t.notes == ["before the first speaker, line 1: Catch-up with Tia-20240105_140012-Meeting Recording",
                       "before the first speaker, line 2: 5 January 2024, 14:00",
                       "before the first speaker, line 3: 14m 3s",
                       "line 5: Sam Jones started transcription", "line 11: Sam Jones stopped transcription"]


def test_word_transcript_with_bold_names_on_their_own_lines(tmp_path):
    _docx(tmp_path / "typed.docx", [("Sam Jones", True), (Q, False), ("Tia:", True), (A1, False), (A2, False)])
    t = _read(tmp_path, "typed.docx")
    assert _turns(t) == [("Sam Jones", Q), ("Tia", f"{A1}\n{A2}")]
    assert t.locations[t.turns[1].line] == "paragraph 3"


def test_a_name_alone_is_words_where_turns_are_name_colon_words(tmp_path):
    # the interviewer's turn goes on over a line holding only a name; it does not become Tia's turn
    t = _read(tmp_path, "inline.txt", f"Sam Jones: Who came with you?\nTia\nTia: My carer did.\n")
    assert _turns(t) == [("Sam Jones", "Who came with you?\nTia"), ("Tia", "My carer did.")]


def test_lines_before_the_first_speaker_without_a_date_are_refused(tmp_path):
    # not a meeting's title block (no date, no length): words whose speaker is unknown
    with pytest.raises(TranscriptError, match=r"words\.txt, line 1: text before the first speaker label"):
        _read(tmp_path, "words.txt", f"and then we went home.\nSam Jones: {Q}\nTia: {A1}\n")


def test_a_long_preamble_is_still_refused_naming_its_line(tmp_path):
    preamble = "".join(f"Line {k} of a letter.\n" for k in range(1, 7))
    with pytest.raises(TranscriptError, match=r"letter\.txt, line 1: text before the first speaker label"):
        _read(tmp_path, "letter.txt", preamble + f"Sam Jones: {Q}\nTia: {A1}\n")


def test_unknown_speaker_from_otter_is_refused_naming_the_line(tmp_path):
    with pytest.raises(TranscriptError, match=r"otter\.txt, line 4: the transcription tool labelled these words "
                                              r"'Unknown Speaker': it could not tell who spoke"):
        _read(tmp_path, "otter.txt", f"Sam Jones  0:00\n{Q}\n\nUnknown Speaker  0:04\n{A1}\n")


def test_youtube_srt_without_speakers_is_refused_naming_the_line(tmp_path):
    srt = f"1\n00:00:01,000 --> 00:00:03,000\n{Q}\n\n2\n00:00:03,500 --> 00:00:06,000\n{A1}\n"
    with pytest.raises(TranscriptError, match=r"youtube\.srt, line 3: a cue before any speaker is named.*YouTube"):
        _read(tmp_path, "youtube.srt", srt)


def test_our_header_typed_in_another_order_above_a_rev_body(tmp_path):
    body = ("Date: 2024-03-12\nInterviewer: Sam Jones\nSite: Easton\nRole: mentee\nPseudonym: Tia\n\n"
            f"Sam Jones (00:00:01):\n{Q}\n\nTia (00:00:04):\n{A1}\n")
    (tmp_path / "tia.txt").write_text(body)
    t = read_transcripts(tmp_path)["tia"]  # no speakers table: the header says who is who
    assert (t.pseudonym, t.role, t.site, t.date) == ("Tia", "mentee", "Easton", "2024-03-12")
    assert _turns(t) == [("Sam Jones", Q), ("Tia", A1)]


def test_teams_voice_with_organisation_in_the_name(tmp_path):
    vtt = ("WEBVTT\n\na1b2/1-0\n00:00:01.000 --> 00:00:02.000\n<v Jones, Sam (Easton Council)>Hello Tia.</v>\n\n"
           "a1b2/2-0\n00:00:02.000 --> 00:00:03.000\n<v Tia>Hi.</v>\n")
    (tmp_path / "t.vtt").write_text(vtt)
    (tmp_path / "speakers.csv").write_text('speaker,role,participant_id,site,file\n'
                                           '"Jones, Sam (Easton Council)",interviewer,,,\nTia,young person,P07,Easton,\n')
    t = read_transcripts(tmp_path)["t"]
    assert [(u.speaker, u.kind, t.text[u.start:u.end]) for u in t.turns] == [
        ("Jones, Sam (Easton Council)", "interviewer", "Hello Tia."), ("Tia", "participant", "Hi.")]


@pytest.mark.parametrize("name, text", [
    ("zoom_display.vtt", "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nSam Jones (Easton VS): How was it?\n\n"
                         "2\n00:00:02.000 --> 00:00:03.000\nTia (she/her): Good.\n"),
    ("teams_surname.txt", "Jones, Sam   0:01\nHow was it?\nTia (she/her)   0:02\nGood.\n"),
    ("typed.txt", "Jones, Sam: How was it?\nTia (she/her): Good.\n"),
])
def test_display_names_with_commas_and_brackets(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    (tmp_path / "speakers.csv").write_text('speaker,role,participant_id,site,file\n"Jones, Sam",interviewer,,,\n'
                                           "Sam Jones (Easton VS),interviewer,,,\n"
                                           "Tia (she/her),young person,P07,Easton,\n")
    t = read_transcripts(tmp_path)[name.rsplit(".", 1)[0]]
    assert [(u.kind, t.text[u.start:u.end]) for u in t.turns] == [("interviewer", "How was it?"),
                                                                  ("participant", "Good.")]


@pytest.mark.parametrize("line", ["Sam Jones (Easton VS): And after that?", "Jones, Sam   0:05"])
def test_an_unknown_display_name_is_refused_not_read_as_the_last_speakers_words(tmp_path, line):
    with pytest.raises(TranscriptError, match=r"named\.txt, line 3: unknown speaker"):
        _read(tmp_path, "named.txt", f"Sam Jones: {Q}\nTia: {A1}\n{line}\nTia: {A2}\n")
