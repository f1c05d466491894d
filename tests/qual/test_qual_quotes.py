"""Quotes are the coded span, with the sentence as optional context; a span touching a sentence by a character
does not bring that sentence in."""

from __future__ import annotations

import pandas as pd

from cm_research.qual import coded_segments, parse_codebook, read_transcripts
from cm_research.qual.workflow import quotes_markdown, run_thematic_analysis

CODEBOOK = {"themes": [{"name": "placement", "definition": "P.", "codes": [
    {"name": "placement_instability", "definition": "Moves."}]}]}
SENTENCE = "I missed a few weeks when I moved and that was hard, but she kept in touch."
BODY = f"Interviewer: How was it?\nJade: {SENTENCE} Then we started again in the spring term.\n"


def test_the_quote_is_the_coded_span(write_transcript, tmp_path):
    import yaml

    write_transcript("one.txt", BODY)
    (tmp_path / "codebook.yaml").write_text(yaml.safe_dump(CODEBOOK))
    corpus = read_transcripts(tmp_path)
    text = corpus.text("one")
    span = "missed a few weeks when I moved and that was hard"
    start = text.index(span)
    pd.DataFrame([{"transcript": "one", "start": start, "end": start + len(span), "code": "placement_instability",
                   "coder": "R"}]).to_csv(tmp_path / "coding.csv", index=False)
    result = run_thematic_analysis(tmp_path, codebook=tmp_path / "codebook.yaml", coding=tmp_path / "coding.csv")
    quotes = result.tables["quotes"]
    assert quotes[["quote", "context"]].values.tolist() == [[span, SENTENCE]]
    assert text[quotes["start"][0]:quotes["end"][0]] == span
    assert f"“{span}” —" in quotes_markdown(quotes)
    assert f"“{span}” (in: “{SENTENCE}”) —" in quotes_markdown(quotes, context=True)


def test_a_span_touching_a_sentence_by_one_character_does_not_link_it(write_transcript, tmp_path):
    write_transcript("one.txt", BODY)
    corpus = read_transcripts(tmp_path)
    text = corpus.text("one")
    codebook = parse_codebook(CODEBOOK, source="test")
    start = text.index("but she kept")
    end = text.index("Then") + 1  # one character of the next sentence
    coding = pd.DataFrame([{"transcript": "one", "start": start, "end": end, "segment_id": "",
                            "code": "placement_instability", "coder": "R", "source": "human", "quote": "",
                            "row": 2}])
    linked = coded_segments(coding, corpus.segments())
    assert linked["text"].tolist() == [SENTENCE]
    assert codebook.code_names == ["placement_instability"]


def test_the_analysts_memos_are_shown_and_bad_targets_refused(write_transcript, tmp_path):
    import pytest

    from cm_research.qual import CodingImportError

    write_transcript("one.txt", BODY)
    memos = tmp_path / "memos.csv"
    pd.DataFrame([{"target_kind": "transcript", "target": "one", "name": "first read",
                   "text": "Jade speaks of the move calmly."},
                  {"target_kind": "code", "target": "placement_instability", "name": "", "text": "Split by cause?"}]
                 ).to_csv(memos, index=False)
    result = run_thematic_analysis(tmp_path, codebook=parse_codebook(CODEBOOK, source="test"))
    assert result.tables["memos"][["about", "target", "memo"]].values.tolist() == [
        ["transcript", "one", "[name] speaks of the move calmly."], ["code", "placement_instability",
                                                                     "Split by cause?"]]
    assert result.corpus.skipped.empty
    pd.DataFrame([{"target_kind": "code", "target": "no_such_code", "text": "x"}]).to_csv(memos, index=False)
    with pytest.raises(CodingImportError, match=r"memos\.csv, line 2, column `target`: no code 'no_such_code'"):
        run_thematic_analysis(tmp_path, codebook=parse_codebook(CODEBOOK, source="test"))
