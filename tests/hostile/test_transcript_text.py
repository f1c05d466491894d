"""Interview text that does not read as it is stored (hostile input, round 4, item 2): a bidirectional override in
a turn makes a quote in a report read differently from what was said ("I was not \\u202eyppah" shows as "I was not
happy"), and one in a file name reverses the transcript's name wherever it is shown. Both are refused, naming
file and line, as a data cell holding one is. SYNTHETIC text.
"""

from __future__ import annotations

import pytest

from cm_research.qual.errors import TranscriptError
from cm_research.qual.transcripts import read_transcripts

HEADER = "Pseudonym: Kai\nRole: mentee\nSite: Testshire\n---\n"


@pytest.mark.parametrize("control", ["\u202e", "\u202b", "\u2067", "\u2069"])
def test_a_bidi_control_in_a_turn_is_refused_naming_file_and_line(tmp_path, control):
    (tmp_path / "kai.txt").write_text(HEADER + "Interviewer: How was it?\n" + f"Kai: I was not {control}yppah\n")
    with pytest.raises(TranscriptError) as caught:
        read_transcripts(tmp_path)
    problem = caught.value.problems.iloc[0]
    assert problem["file"] == "kai.txt" and problem["line"] == 6 and f"U+{ord(control):04X}" in problem["message"]
    assert control not in problem["value"]  # shown escaped, so the problems table cannot be reversed either


def test_right_to_left_text_and_its_marks_stay_allowed(tmp_path):
    # Arabic with a right-to-left mark (U+200F), as RTL keyboards type it: a mark, not an override
    (tmp_path / "kai.txt").write_text(HEADER + "Kai: \u0643\u0627\u0646 \u062c\u064a\u062f\u0627\u200f.\n")
    assert len(read_transcripts(tmp_path).transcripts) == 1


def test_a_file_name_with_a_bidi_control_is_refused_not_read(tmp_path):
    (tmp_path / "kai.txt").write_text(HEADER + "Kai: fine.\n")
    (tmp_path / "mentor\u202etxt.exe.txt").write_text(HEADER + "Kai: fine too.\n")
    corpus = read_transcripts(tmp_path, errors="report")
    assert [t.transcript for t in corpus.transcripts] == ["kai"]
    problem = corpus.problems.iloc[0]
    assert "U+202E" in problem["message"] and "\u202e" not in problem["file"]
