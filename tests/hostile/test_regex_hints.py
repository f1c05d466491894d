"""Codebook regular expressions that backtrack for hours in shapes the round-3 guard did not know (hostile input,
round 4, item 1), and interview lines long enough to make any pattern slow. Measured with Python's re (each run
stopped after 5 s): ``(a|a)*$`` on 29 characters, ``(a|aa)+$`` on 41, ``(?:a|a)*b`` on 28, ``\\w*\\w*\\w*\\w*\\w*x``
and ``.*.*.*.*=.*`` on 3,000. Patterns that only look alike stay allowed. SYNTHETIC codebook.
"""

from __future__ import annotations

import pytest

from cm_research.qual.codebook import parse_codebook
from cm_research.qual.errors import CodebookError, TranscriptError
from cm_research.qual.transcripts import read_transcripts
from tests.hostile.test_unicode import _codebook


def _with_regex(*patterns: str) -> dict:
    book = _codebook("safety_felt")
    book["themes"][0]["codes"][0]["hints"] = {"regex": list(patterns)}
    return book


@pytest.mark.parametrize("pattern, text", [
    (r"(a|a)*$", "a" * 29 + "!"), (r"(a|aa)+$", "a" * 41 + "!"), (r"(?:a|a)*b", "a" * 28),
    (r"\w*\w*\w*\w*\w*x", "a" * 3000), (r".*.*.*.*=.*", "a" * 3000), (r"(?:\d+|\w+)*;", "1" * 30),
])
def test_a_pattern_whose_work_explodes_is_refused(pattern, text):
    with pytest.raises(CodebookError) as caught:
        parse_codebook(_with_regex(pattern, r"\bfelt (?:so )?safe\b"), source="codebook.yaml")
    problems = caught.value.problems
    assert list(problems["value"]) == [pattern] and "codebook.yaml" in str(caught.value)


@pytest.mark.parametrize("pattern", [r"\bfelt (?:so )?safe\b", r"\b(?:safe|secure)\b", r"\w+\s+\w+", r"(a|b)*c",
                                     r"\b(?:really|so)\s+(?:happy|glad)\b", r"[a-z]+-[a-z]+", r".*safe.*"])
def test_ordinary_patterns_stay_allowed(pattern):
    # (several are quadratic on a line of one repeated letter: the line limit below bounds them)
    book = parse_codebook(_with_regex(pattern), source="codebook.yaml")
    assert book.themes[0].codes[0].hints.regex == (pattern,)


def test_an_interview_line_longer_than_a_long_monologue_is_refused_naming_it(tmp_path):
    # 20,000 characters is about 3,500 words (25 minutes without a line break); a quadratic pattern on one
    # 5 MB line would take days
    (tmp_path / "kai.txt").write_text("Pseudonym: Kai\nRole: mentee\nSite: X\n---\nKai: fine.\nKai: "
                                      + "a" * 25_000 + "\n")
    with pytest.raises(TranscriptError) as caught:
        read_transcripts(tmp_path)
    problem = caught.value.problems.iloc[0]
    assert problem["file"] == "kai.txt" and problem["line"] == 6 and "25,005 characters" in problem["message"]
