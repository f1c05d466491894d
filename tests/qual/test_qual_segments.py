"""Sentence and turn segments, and the offsets that tie each back to the transcript."""

from __future__ import annotations

import pytest

from cm_research.qual import read_transcript, segment_transcripts, split_sentences


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


@pytest.mark.parametrize("text, expected", [
    ("I liked it. Then we left!", ["I liked it.", "Then we left!"]),
    ("Mr. Brown sent me. Dr. Okafor too.", ["Mr. Brown sent me.", "Dr. Okafor too."]),
    ("We did art, e.g. clay. It was fun.", ["We did art, e.g. clay.", "It was fun."]),
    ("She said \"go home.\" So I did.", ["She said \"go home.\"", "So I did."]),
    ("I don't know... maybe? Yes.", ["I don't know... maybe?", "Yes."]),
    ("it was 3.5 hours. ok then", ["it was 3.5 hours. ok then"]),  # no capital after: one sentence
    ("First line\nsecond line.", ["First line", "second line."]),  # a line break ends a sentence
    ("...   ", []),  # a piece with no letter or digit is not a sentence
    ("Yes. ... No.", ["Yes. ...", "No."]),  # a trailing ellipsis stays with the sentence before
    ("  (laughs)  ", ["(laughs)"]),
])
def test_split_sentences(text, expected):
    assert _sentences(text) == expected


def test_split_sentences_within_a_range():
    text = "LABEL: One. Two.\nNEXT"
    assert [text[s:e] for s, e in split_sentences(text, 7, 16)] == ["One.", "Two."]


def test_segments_round_trip_and_interviewer_flag(write_transcript):
    t = read_transcript(write_transcript("a.txt", (
        "Interviewer: Did you feel confident? Tell me.\n"
        "Jade: Not at first. Mr. Brown helped!\n"
        "   Now I do.\n")))
    seg = segment_transcripts([t])
    assert seg["segment_id"].tolist() == ["a#1.1", "a#1.2", "a#2.1", "a#2.2", "a#2.3"]
    assert seg["text"].tolist() == ["Did you feel confident?", "Tell me.", "Not at first.", "Mr. Brown helped!",
                                    "Now I do."]
    assert seg["is_interviewer"].tolist() == [True, True, False, False, False]
    assert seg["n_words"].tolist() == [4, 2, 3, 3, 3]
    for s, e, x in zip(seg["start"], seg["end"], seg["text"]):
        assert t.text[s:e] == x
    turns = segment_transcripts([t], level="turn")
    assert turns["segment_id"].tolist() == ["a#1", "a#2"]
    assert turns["text"].tolist()[1] == "Not at first. Mr. Brown helped!\n   Now I do."
    assert all(t.text[s:e] == x for s, e, x in zip(turns["start"], turns["end"], turns["text"]))


def test_unknown_level():
    with pytest.raises(ValueError, match="level must be one of"):
        segment_transcripts([], level="paragraph")
