"""Importing human coding: offsets or segment ids, every bad row named, spans linked to segments."""

from __future__ import annotations

import pandas as pd
import pytest

from cm_research.qual import CodingImportError, coded_segments, parse_codebook, read_coding, read_transcripts

CODEBOOK = parse_codebook({"themes": [{"name": "t", "definition": "T.", "codes": [
    {"name": "a", "definition": "A."}, {"name": "b", "definition": "B."}]}]}, source="test")
BODY = "Interviewer: How was it? Good?\nJade: It was good. I liked it. We laughed.\n"


@pytest.fixture
def corpus(write_transcript, tmp_path):
    write_transcript("one.txt", BODY)
    return read_transcripts(tmp_path)


def _csv(tmp_path, rows, name="coding.csv"):
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_offsets_and_segment_ids_round_trip(corpus, tmp_path):
    text = corpus.text("one")
    s1 = text.index("It was good.")
    s2 = text.index("I liked it.")
    rows = [{"transcript": "one.txt", "start": s1, "end": s1 + len("It was good."), "segment_id": "", "code": "a",
             "coder": "R1", "quote": "It was good."},
            {"transcript": "one", "start": "", "end": "", "segment_id": "one#2.3", "code": "b", "coder": "R1",
             "quote": ""},
            {"transcript": "one", "start": s1, "end": s2 + len("I liked it."), "segment_id": "", "code": "b",
             "coder": "R2", "quote": ""}]
    coding = read_coding(_csv(tmp_path, rows), corpus, CODEBOOK)
    assert coding[["transcript", "segment_id", "code", "coder", "quote", "row"]].values.tolist() == [
        ["one", "one#2.1", "a", "R1", "It was good.", 2],
        ["one", "one#2.3", "b", "R1", "We laughed.", 3],
        ["one", "", "b", "R2", "It was good. I liked it.", 4],   # spans two sentences: no single segment
    ]
    for s, e, q in zip(coding["start"], coding["end"], coding["quote"]):
        assert text[s:e] == q
    linked = coded_segments(coding, corpus.segments())
    assert linked[["segment_id", "code", "coder"]].values.tolist() == [
        ["one#2.1", "a", "R1"], ["one#2.3", "b", "R1"], ["one#2.1", "b", "R2"], ["one#2.2", "b", "R2"]]
    assert set(linked["role"]) == {"mentee"} and not linked["is_interviewer"].any()


def test_every_bad_row_is_named(corpus, tmp_path):
    text = corpus.text("one")
    s1 = text.index("It was good.")
    rows = [{"transcript": "two.txt", "start": 0, "end": 5, "code": "a", "coder": "R", "quote": ""},
            {"transcript": "one", "start": s1, "end": s1 + 5, "code": "zzz", "coder": "R", "quote": ""},
            {"transcript": "one", "start": 50, "end": 40, "code": "a", "coder": "R", "quote": ""},
            {"transcript": "one", "start": "x", "end": 4, "code": "a", "coder": "R", "quote": ""},
            {"transcript": "one", "start": s1, "end": s1 + 12, "code": "a", "coder": "R", "quote": "It was bad."},
            {"transcript": "one", "start": 0, "end": len(text) + 1, "code": "a", "coder": "R", "quote": ""}]
    with pytest.raises(CodingImportError) as err:
        read_coding(_csv(tmp_path, rows), corpus, CODEBOOK)
    got = err.value.problems[["line", "column"]].values.tolist()
    assert got == [[2, "transcript"], [3, "code"], [4, "end"], [5, "start"], [6, "quote"], [7, "end"]]
    message = str(err.value)
    assert "coding.csv, line 3, column `code`: code 'zzz' is not in the codebook" in message
    assert "line 6, column `quote`: the quote is not the transcript text" in message


def test_missing_columns_and_coder(corpus, tmp_path):
    with pytest.raises(CodingImportError, match=r"line 1: the header must have columns transcript, code"):
        read_coding(_csv(tmp_path, [{"transcript": "one", "code": "a"}]), corpus, CODEBOOK)
    path = _csv(tmp_path, [{"transcript": "one", "segment_id": "one#2.1", "code": "a"}])
    with pytest.raises(CodingImportError, match=r"no coder column"):
        read_coding(path, corpus, CODEBOOK)
    assert read_coding(path, corpus, CODEBOOK, coder="Ana")["coder"].tolist() == ["Ana"]
    bad_segment = _csv(tmp_path, [{"transcript": "one", "segment_id": "one#9.9", "code": "a", "coder": "R"}])
    with pytest.raises(CodingImportError, match=r"line 2, column `segment_id`: segment 'one#9.9' does not exist"):
        read_coding(bad_segment, corpus, CODEBOOK)


def test_coding_of_interviewer_words_is_kept_but_flagged(corpus, tmp_path):
    text = corpus.text("one")
    s = text.index("How was it?")
    coding = read_coding(_csv(tmp_path, [{"transcript": "one", "start": s, "end": s + 11, "code": "a",
                                          "coder": "R"}]), corpus, CODEBOOK)
    linked = coded_segments(coding, corpus.segments())
    assert linked[["segment_id", "is_interviewer"]].values.tolist() == [["one#1.1", True]]
