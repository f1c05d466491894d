"""Suggested coding: stems, phrases, negation, labelling, offsets, and the review round trip."""

from __future__ import annotations

import pandas as pd
import pytest

from cm_research.qual import (CodingImportError, accepted_coding, parse_codebook, read_review_csv, read_transcripts,
                              suggest_codes, write_review_csv)
from cm_research.qual.suggest import SUGGESTION_STATUS, compile_codebook

CODEBOOK = parse_codebook({"themes": [
    {"name": "confidence", "definition": "Confidence.", "codes": [
        {"name": "confidence_gained", "definition": "More confident.",
         "hints": {"words": ["confident", "brave"], "phrases": ["believe in myself"]}}]},
    {"name": "listening", "definition": "Listening.", "codes": [
        {"name": "feeling_heard", "definition": "Heard.", "hints": {"words": ["listen"], "phrases": ["opened up"]}},
        {"name": "aspiration", "definition": "Hopes.", "hints": {"words": ["aspir*"], "regex": [r"\bwant(?:ed)? to be\b"]}}]},
]}, source="test")


def _segments(texts, interviewer=None):
    interviewer = interviewer or [False] * len(texts)
    starts, pos = [], 0
    for t in texts:
        starts.append(pos)
        pos += len(t) + 1
    return pd.DataFrame({"segment_id": [f"s{i}" for i in range(len(texts))], "transcript": "t", "participant": "p",
                         "role": "mentee", "site": "X", "start": starts,
                         "end": [s + len(t) for s, t in zip(starts, texts)], "is_interviewer": interviewer,
                         "text": texts})


def _found(suggestions):
    return sorted(zip(suggestions["segment_id"], suggestions["code"], suggestions["matched"], suggestions["negated"],
                      suggestions["negation_cue"]))


def test_negation_window_flags_i_didnt_feel_confident():
    s = suggest_codes(_segments(["I didn't feel confident at all.", "I feel confident now.",
                                 "I wasn't sure at first, but now I feel confident.",
                                 "I never thought I would feel so brave.", "Nothing changed. I was brave."]), CODEBOOK)
    assert _found(s) == [
        ("s0", "confidence_gained", "confident", True, "didn't"),
        ("s1", "confidence_gained", "confident", False, ""),
        ("s2", "confidence_gained", "confident", False, ""),  # the comma and "but" end the negation
        ("s3", "confidence_gained", "brave", False, ""),  # "never" is 5 words back: outside the 3-word window
        ("s4", "confidence_gained", "brave", False, ""),  # a full stop ends the negation
    ]
    wide = suggest_codes(_segments(["I never thought I would feel so brave."]), compile_codebook(CODEBOOK, 6))
    assert _found(wide) == [("s0", "confidence_gained", "brave", True, "never")]


def test_curly_apostrophes_and_a_code_negated_only_when_every_match_is():
    s = suggest_codes(_segments(["I didn\u2019t feel confident.", "I wasn't confident, now I'm confident."]), CODEBOOK)
    assert _found(s) == [("s0", "confidence_gained", "confident", True, "didn't"),
                         ("s1", "confidence_gained", "confident", False, "")]


def test_stems_phrases_prefixes_and_regex():
    s = suggest_codes(_segments([
        "She listened, and I opened up.",       # stem listen; phrase "opened up" (stems open + up)
        "I listen to music.",
        "Open. Up there.",                       # a phrase does not cross a full stop
        "My aspirations changed.",               # prefix aspir*
        "I wanted to be a nurse.",               # regex
        "I started to believe in myself.",       # three-word phrase
    ]), CODEBOOK)
    assert _found(s) == [
        ("s0", "feeling_heard", "listened; opened up", False, ""),
        ("s1", "feeling_heard", "listen", False, ""),
        ("s3", "aspiration", "aspirations", False, ""),
        ("s4", "aspiration", "wanted to be", False, ""),
        ("s5", "confidence_gained", "believe in myself", False, ""),
    ]


def test_interviewer_segments_are_not_coded_unless_asked():
    seg = _segments(["Did you feel confident?", "I felt brave."], interviewer=[True, False])
    assert suggest_codes(seg, CODEBOOK)["segment_id"].tolist() == ["s1"]
    assert suggest_codes(seg, CODEBOOK, include_interviewer=True)["segment_id"].tolist() == ["s0", "s1"]


def test_suggestions_are_labelled_and_point_at_their_text():
    seg = _segments(["Nothing here.", "I felt brave.", "I listen."])
    s = suggest_codes(seg, CODEBOOK)
    assert set(s["source"]) == {"suggestion"} and set(s["status"]) == {SUGGESTION_STATUS}
    assert "not reviewed" in SUGGESTION_STATUS
    full = "\n".join(seg["text"])
    assert all(full[a:b] == x for a, b, x in zip(s["start"], s["end"], s["text"]))


def test_batched_matching_equals_one_segment_at_a_time():
    texts = ["I didn't feel confident.", "", "Brave\x00and confident", "Listen, I opened", "up later.",
             "aspirational stuff; I wanted to be brave"] * 1500
    seg = _segments(texts)
    together = suggest_codes(seg, CODEBOOK)
    alone = pd.concat([suggest_codes(seg.iloc[[i]], CODEBOOK) for i in range(12)], ignore_index=True)
    assert _found(together[together["segment_id"].isin([f"s{i}" for i in range(12)])]) == _found(alone)
    assert len(together) == 1500 * len(alone) / 2  # the pattern repeats every 6 segments


def test_review_round_trip(tmp_path, write_transcript):
    write_transcript("a.txt", "Interviewer: Did you feel confident?\nJade: I felt brave. I listen now. "
                              "I didn't feel confident.\n")
    corpus = read_transcripts(tmp_path)
    suggestions = suggest_codes(corpus.segments(), CODEBOOK)
    path = tmp_path / "review.csv"
    review = write_review_csv(suggestions, path)
    assert review["decision"].tolist() == ["", "", ""] and review["negated"].tolist() == [False, False, True]
    assert set(review["status"]) == {SUGGESTION_STATUS}
    edited = pd.read_csv(path, dtype=str, keep_default_na=False)
    edited["decision"] = ["Accept", "reject", ""]
    edited.to_csv(path, index=False)
    back = read_review_csv(path, corpus, CODEBOOK)
    assert back["decision"].tolist() == ["accept", "reject", "undecided"]
    coding = accepted_coding(back, corpus)
    assert coding[["code", "quote", "source", "coder"]].values.tolist() == [
        ["confidence_gained", "I felt brave.", "suggestion_accepted", "analyst"]]
    text = corpus.text("a")
    assert text[coding.loc[0, "start"]:coding.loc[0, "end"]] == "I felt brave."

    edited["decision"] = ["maybe", "yes", "no"]
    edited.to_csv(path, index=False)
    with pytest.raises(CodingImportError, match=r"review\.csv, line 2, column `decision`: decision 'maybe'"):
        read_review_csv(path, corpus, CODEBOOK)


def _reference_suggestions(segments, codebook, window=3):
    """A slow, plain re-implementation: every segment, every code, every hint, token by token."""
    import re

    from nltk.stem.snowball import SnowballStemmer

    stemmer = SnowballStemmer("english")
    token_re = re.compile(r"[^\W_]+(?:'[^\W_]+)*|[,;:.!?\u2026\u2014()]")
    breaks = set(",;:.!?\u2026\u2014()") | {"but", "although", "though", "however", "until", "now"}
    negators = {"not", "no", "never", "nothing", "nobody", "none", "nor", "neither", "without", "hardly", "barely",
                "cannot", "dont", "didnt", "wasnt", "cant", "couldnt", "wouldnt", "wont", "isnt", "arent", "havent",
                "hasnt", "hadnt", "shouldnt", "werent", "aint", "lack", "lacked", "lacking"}

    def negated_at(tokens, i):
        for t in reversed(tokens[max(0, i - window):i]):
            if t in breaks:
                return False
            if t in negators or t.endswith("n't"):
                return True
        return False

    per_code = []
    for code in codebook.codes:
        hints = [tuple(stemmer.stem(w) for w in token_re.findall(h.lower())) for h in
                 list(code.hints.words) + list(code.hints.phrases) if not h.endswith("*")]
        per_code.append((code.name, hints, [h[:-1].lower() for h in code.hints.words if h.endswith("*")]))
    out = set()
    for seg_id, text in zip(segments["segment_id"], segments["text"]):
        tokens = token_re.findall(text.lower().replace("\u2019", "'"))
        stems = [stemmer.stem(t) for t in tokens]
        for name, hints, prefixes in per_code:
            flags = []
            for i in range(len(tokens)):
                hit = any(tuple(stems[i:i + len(h)]) == h for h in hints) or any(
                    tokens[i].startswith(p) for p in prefixes)
                if hit:
                    flags.append(negated_at(tokens, i))
            if flags:
                out.add((seg_id, name, all(flags)))
    return out


def test_fast_coder_equals_a_plain_reimplementation_on_the_demo_corpus():
    from cm_research.datasets.transcripts import transcripts_dir
    from cm_research.qual import load_codebook

    codebook = load_codebook()
    segments = read_transcripts(transcripts_dir()).segments()
    mine = segments[~segments["is_interviewer"]]
    fast = suggest_codes(segments, codebook)
    assert set(zip(fast["segment_id"], fast["code"], fast["negated"])) == _reference_suggestions(mine, codebook)
    assert fast["negated"].sum() > 10  # the demo interviews do say "I didn't feel confident" and the like
