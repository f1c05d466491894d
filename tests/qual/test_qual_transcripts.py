"""Reading transcripts: header, speaker conventions, offsets, and every kind of bad transcript."""

from __future__ import annotations

import re

import pytest

from cm_research.qual import TranscriptError, read_transcript, read_transcripts
from cm_research.qual.segments import segment_transcripts

from .conftest import header


def _turn_texts(t):
    return [(u.speaker, u.kind, t.text[u.start:u.end]) for u in t.turns]


def test_names_convention_multiline_turns_and_offsets(write_transcript):
    body = ("Sam: Hi Jade. How did it start?\n"
            "Jade: My social worker asked me.\n"
            "It was a Thursday.\n"
            "\n"
            "Interviewer: And then?\n"
            "Jade:\n"
            "   We met at school.   \n")
    t = read_transcript(write_transcript("a.txt", body))
    assert (t.pseudonym, t.role, t.site, t.interviewer, t.encoding) == ("Jade", "mentee", "Testshire", "Sam", "utf-8")
    assert _turn_texts(t) == [
        ("Sam", "interviewer", "Hi Jade. How did it start?"),
        ("Jade", "participant", "My social worker asked me.\nIt was a Thursday."),
        ("Interviewer", "interviewer", "And then?"),
        ("Jade", "participant", "We met at school."),
    ]
    # the label's line number, counted in the file (the header has 7 lines)
    assert [u.line for u in t.turns] == [8, 9, 12, 13]
    assert t.synthetic


def test_qa_and_timestamp_conventions(write_transcript):
    qa = read_transcript(write_transcript("qa.txt", "Q: How was it?\nA: Good, mostly.\nQ: Why?\nA: It just was.\n"))
    assert [(u.kind, qa.text[u.start:u.end]) for u in qa.turns] == [
        ("interviewer", "How was it?"), ("participant", "Good, mostly."), ("interviewer", "Why?"),
        ("participant", "It just was.")]
    ts = read_transcript(write_transcript(
        "ts.txt", "[00:00:05] Interviewer: Hello there.\n(01:02) Jade: Hi.\n00:01:30 Mentee: Fine thanks.\n"))
    assert [(u.timestamp, u.kind, ts.text[u.start:u.end]) for u in ts.turns] == [
        ("00:00:05", "interviewer", "Hello there."), ("01:02", "participant", "Hi."),
        ("00:01:30", "participant", "Fine thanks.")]


def test_crlf_text_keeps_offsets_exact(write_transcript):
    head = header().replace("\n", "\r\n")
    t = read_transcript(write_transcript("crlf.txt", "Interviewer: One.\r\nJade: Two words.\r\nThree.\r\n", head=head))
    assert _turn_texts(t)[1] == ("Jade", "participant", "Two words.\r\nThree.")
    seg = segment_transcripts([t])
    assert seg["text"].tolist() == ["One.", "Two words.", "Three."]
    assert all(t.text[s:e] == x for s, e, x in zip(seg["start"], seg["end"], seg["text"]))


def test_windows_1252_text_is_decoded_and_recorded(write_transcript):
    body = "Interviewer: What did it cost?\nJade: \u2018About \u00a310\u2019, she said \u2013 caf\u00e9 prices.\n"
    path = write_transcript("cp.txt", (header() + body).encode("cp1252"))
    t = read_transcript(path)
    assert t.encoding == "cp1252"
    assert _turn_texts(t)[1][2] == "\u2018About \u00a310\u2019, she said \u2013 caf\u00e9 prices."


def test_utf16_with_bom_is_read(write_transcript):
    path = write_transcript("u16.txt", (header() + "Interviewer: Hi.\nJade: Hello.\n").encode("utf-16"))
    assert _turn_texts(read_transcript(path))[1] == ("Jade", "participant", "Hello.")


def test_undecodable_byte_names_file_and_line(write_transcript):
    data = (header() + "Interviewer: Hi.\nJade: bad ").encode() + b"\x81\x9d\n"
    with pytest.raises(TranscriptError, match=r"u\.txt, line 9: byte \d+ is neither UTF-8 nor Windows-1252"):
        read_transcript(write_transcript("u.txt", data))


@pytest.mark.parametrize("content, message", [
    (b"", r"e\.txt: the file is empty"),
    (b"  \n\n  \n", r"e\.txt: the file is empty"),
])
def test_empty_file(write_transcript, content, message):
    with pytest.raises(TranscriptError, match=message):
        read_transcript(write_transcript("e.txt", content))


def test_no_speaker_labels_names_first_line(write_transcript):
    path = write_transcript("n.txt", "\nwe met at school and it was fine\nthen we went home\n")
    with pytest.raises(TranscriptError, match=r"n\.txt, line 9: no speaker labels found") as err:
        read_transcript(path)
    assert err.value.problems[["file", "line"]].values.tolist() == [["n.txt", 9]]


def test_unknown_role_names_the_header_line(write_transcript):
    path = write_transcript("r.txt", "Interviewer: Hi.\nJade: Hi.\n", head=header(role="headteacher"))
    with pytest.raises(TranscriptError, match=r"r\.txt, line 3: role 'headteacher' is not a known role"):
        read_transcript(path)


def test_role_spellings_are_normalised(write_transcript):
    for spelling, role in [("Foster carer", "carer"), ("Virtual School Head", "vsh"), ("social-worker", "social_worker"),
                           ("Young person", "mentee")]:
        t = read_transcript(write_transcript("s.txt", "Interviewer: Hi.\nA: Hi.\n", head=header(role=spelling)))
        assert t.role == role


def test_missing_header_and_missing_site(write_transcript):
    with pytest.raises(TranscriptError, match=r"h\.txt, line 1: no header"):
        read_transcript(write_transcript("h.txt", "Interviewer: Hi.\nJade: Hi.\n", head=""))
    no_site = "Pseudonym: Jade\nRole: mentee\n---\n"
    with pytest.raises(TranscriptError, match=r"the header has no Site"):
        read_transcript(write_transcript("m.txt", "Interviewer: Hi.\nJade: Hi.\n", head=no_site))


def test_unknown_header_field_is_named(write_transcript):
    head = "Pseudonym: Jade\nRole: mentee\nSite: X\nRloe: mentee\n---\n"
    with pytest.raises(TranscriptError, match=r"line 4: unknown header field 'Rloe'"):
        read_transcript(write_transcript("f.txt", "Interviewer: Hi.\nJade: Hi.\n", head=head))


def test_unknown_speaker_and_other_role_are_errors_but_other_speakers_are_kept(write_transcript):
    with pytest.raises(TranscriptError, match=r"line 9: unknown speaker 'Bob'"):
        read_transcript(write_transcript("u.txt", "Interviewer: Hi.\nBob: Hello.\n"))
    with pytest.raises(TranscriptError, match=r"line 9: speaker 'Carer' is a carer, but .* participant is a mentee"):
        read_transcript(write_transcript("c.txt", "Interviewer: Hi.\nCarer: She is doing well.\n"))
    t = read_transcript(write_transcript("o.txt", "Interviewer: Hi.\nCarer: She is doing well.\nJade: I am.\n",
                                         head=header(extra="Other speakers: Carer\n")))
    assert [u.kind for u in t.turns] == ["interviewer", "other", "participant"]
    seg = segment_transcripts([t])
    assert seg["is_interviewer"].tolist() == [True, True, False]  # other voices are left out of counts too


def test_text_before_first_label_and_interviewer_only(write_transcript):
    with pytest.raises(TranscriptError, match=r"b\.txt, line 8: text before the first speaker label"):
        read_transcript(write_transcript("b.txt", "we started late\nInterviewer: Hi.\nJade: Hi.\n"))
    with pytest.raises(TranscriptError, match=r"no words from the participant"):
        read_transcript(write_transcript("i.txt", "Interviewer: Hi.\nInterviewer: Anyone there?\n"))
    with pytest.raises(TranscriptError, match=r"header is there but no interview follows"):
        read_transcript(write_transcript("x.txt", "\n\n"))


def test_a_continuation_line_with_a_colon_is_not_a_label(write_transcript):
    t = read_transcript(write_transcript("c.txt", "Interviewer: Hi.\nJade: I said this:\nand then: more.\n"))
    assert _turn_texts(t)[1] == ("Jade", "participant", "I said this:\nand then: more.")


def _docx(path, paragraphs=(), table_rows=None, table_first=False):
    docx = pytest.importorskip("docx", reason="python-docx reads .docx transcripts")
    d = docx.Document()
    if table_rows and table_first:
        _table(d, table_rows)
    for p in paragraphs:
        d.add_paragraph(p)
    if table_rows and not table_first:
        _table(d, table_rows)
    d.save(str(path))
    return path


def _table(d, rows):
    table = d.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value


def test_docx_paragraphs(tmp_path):
    path = _docx(tmp_path / "w.docx", header().rstrip("\n").split("\n") + ["Interviewer: Hi Jade.", "Jade: Hello.",
                                                                            "More from me."])
    t = read_transcript(path)
    assert t.encoding == "docx"
    assert _turn_texts(t) == [("Interviewer", "interviewer", "Hi Jade."), ("Jade", "participant", "Hello.\nMore from me.")]
    assert t.locations[8] == "paragraph 8"


def test_docx_with_a_transcript_table_is_read_row_by_row(tmp_path):
    rows = [["Speaker", "Text"], ["Interviewer", "How was it?"], ["Jade", "Good."], ["", "Really good."]]
    path = _docx(tmp_path / "t.docx", header().rstrip("\n").split("\n"), rows)
    t = read_transcript(path)
    assert _turn_texts(t) == [("Interviewer", "interviewer", "How was it?"),
                              ("Jade", "participant", "Good.\nReally good.")]
    timed = [["00:01", "Interviewer", "Hi."], ["00:05", "Jade", "Hello."]]
    t = read_transcript(_docx(tmp_path / "t3.docx", header().rstrip("\n").split("\n"), timed))
    assert [(u.timestamp, u.speaker) for u in t.turns] == [("00:01", "Interviewer"), ("00:05", "Jade")]


def test_docx_with_another_table_shape_names_table_and_row(tmp_path):
    rows = [["Name", "Age", "School", "Notes"], ["Jade", "14", "X", "-"]]
    path = _docx(tmp_path / "bad.docx", header().rstrip("\n").split("\n") + ["Interviewer: Hi.", "Jade: Hi."], rows)
    with pytest.raises(TranscriptError, match=r"bad\.docx.*table 1, row 1 has 4 columns"):
        read_transcript(path)


def test_not_a_docx(tmp_path):
    pytest.importorskip("docx", reason="python-docx reads .docx transcripts")
    path = tmp_path / "fake.docx"
    path.write_text("not a zip")
    with pytest.raises(TranscriptError, match=r"fake\.docx: this is not a readable Word \.docx file"):
        read_transcript(path)


def test_folder_reading_raises_everything_or_reports_it(write_transcript, tmp_path):
    write_transcript("good.txt", "Interviewer: Hi.\nJade: Hello.\n")
    write_transcript("empty.txt", b"")
    write_transcript("norole.txt", "Interviewer: Hi.\nA: Hi.\n", head=header(role="uncle"))
    write_transcript("SYNTHETIC.txt", b"synthetic notice")
    write_transcript("notes.csv", b"a,b\n")
    write_transcript("old.doc", b"binary")
    with pytest.raises(TranscriptError) as err:
        read_transcripts(tmp_path)
    assert set(err.value.problems["file"]) == {"empty.txt", "norole.txt", "old.doc"}
    assert str(err.value).startswith("3 problems in the transcripts")
    corpus = read_transcripts(tmp_path, errors="report")
    assert [t.transcript for t in corpus.transcripts] == ["good"]
    assert set(corpus.problems["file"]) == {"empty.txt", "norole.txt", "old.doc"}
    assert dict(zip(corpus.skipped["file"], corpus.skipped["reason"])) == {
        "SYNTHETIC.txt": "a notice, not an interview", "notes.csv": "not a transcript (.csv)"}


def test_two_files_with_one_name_are_refused(write_transcript, tmp_path):
    write_transcript("same.txt", "Interviewer: Hi.\nJade: Hello.\n")
    _docx(tmp_path / "same.docx", header().rstrip("\n").split("\n") + ["Interviewer: Hi.", "Jade: Hello."])
    with pytest.raises(TranscriptError, match=r"two files are named 'same'"):
        read_transcripts(tmp_path)


def test_participants_table_labels_without_identifiers(write_transcript, tmp_path):
    write_transcript("a.txt", "Interviewer: Hi.\nJade: One two three.\n",
                     head=header(extra="Participant ID: SYN-TS-0001\n"))
    write_transcript("b.txt", "Interviewer: Hi.\nA: Four five.\n", head=header("Priya", "mentor"))
    write_transcript("c.txt", "Interviewer: Hi.\nA: Six.\n", head=header("Kai", "mentee"))
    table = read_transcripts(tmp_path).participants()
    assert table[["transcript", "participant_label", "role", "n_participant_words"]].values.tolist() == [
        ["a", "mentee 1", "mentee", 3], ["b", "mentor 1", "mentor", 2], ["c", "mentee 2", "mentee", 1]]
    assert table.loc[0, "participant"] == "SYN-TS-0001"
    assert not any(re.search(r"Jade|Priya|Kai|SYN-", v) for v in table["participant_label"])


def test_the_label_convention_is_configurable(write_transcript):
    from cm_research.qual import SpeakerConvention

    body = "MODERATOR >> Welcome.\nJADE >> Thanks: glad to be here.\n"
    convention = SpeakerConvention(interviewer_labels=("moderator",),
                                   label_pattern=re.compile(r"^(?P<label>[A-Z]+) >> "))
    t = read_transcript(write_transcript("c.txt", body), convention)
    assert _turn_texts(t) == [("MODERATOR", "interviewer", "Welcome."), ("JADE", "participant", "Thanks: glad to be here.")]
    with pytest.raises(TranscriptError, match="no speaker labels found"):
        read_transcript(write_transcript("d.txt", body))  # the default convention does not know ">>"
