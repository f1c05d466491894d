"""The rule coder's internals: the corpus as one array of token ids (pieces, texts, clause starts, phrases by
stem ids), checked at the edges the sentence-level tests do not reach, against hand-worked answers and the
plain re-implementation in ``test_qual_suggest``."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from cm_research.qual import parse_codebook, suggest_codes
from cm_research.qual.learned import _SEP as MODEL_SEP
from cm_research.qual.learned import _TOKENS, _count_matrix
from cm_research.qual.suggest import SUGGESTION_COLUMNS, _select_texts, compile_codebook
from cm_research.qual.tokens import WORD_RE, normalise, token_ids

from .test_qual_suggest import _reference_suggestions, _segments

BOOK = parse_codebook({"themes": [{"name": "t", "definition": "T.", "codes": [
    {"name": "courage", "definition": "Brave.", "hints": {"words": ["brave"], "phrases": ["believe in myself"]}},
    {"name": "opening", "definition": "Opened up.", "hints": {"words": ["café"], "phrases": ["opened up to"]}},
]}]}, source="test")


def _found(texts, window=8):
    s = suggest_codes(_segments(texts), compile_codebook(BOOK, window), model=None)
    return sorted(zip(s["segment_id"], s["code"], s["matched"], s["negation_cue"]))


def test_hints_at_the_first_and_last_token_and_sentences_of_one_token():
    assert _found(["Brave", "brave", "not", "", "Brave.", "I was brave"]) == [
        ("s0", "courage", "brave", ""), ("s1", "courage", "brave", ""), ("s4", "courage", "brave", ""),
        ("s5", "courage", "brave", "")]


def test_nothing_reaches_across_a_sentence_boundary():
    # a cue ending one sentence does not negate the next; a phrase is not found across two sentences
    assert _found(["I was not", "brave at all", "I opened up", "to her", "I believe in", "myself"]) == [
        ("s1", "courage", "brave", "")]
    # the same words in one sentence: negated, and the phrases found
    assert _found(["I was not brave at all", "I opened up to her", "I believe in myself"]) == [
        ("s0", "courage", "brave", "not"), ("s1", "opening", "opened up to", ""),
        ("s2", "courage", "believe in myself", "")]


def test_a_clause_break_exactly_at_the_negator():
    # the cue is the word before a comma or full stop, or right after the match: it never reaches the match
    assert _found(["Not, brave", "No. Brave.", "Brave, not", "Brave not", "never brave"]) == [
        ("s0", "courage", "brave", ""), ("s1", "courage", "brave", ""), ("s2", "courage", "brave", ""),
        ("s3", "courage", "brave", ""), ("s4", "courage", "brave", "never")]


def test_the_window_edge_and_not_that():
    # window 3: the three words before "brave" are read; "not" as the fourth word back is out of reach ...
    assert _found(["not a b c brave", "not a b brave"], window=3) == [
        ("s0", "courage", "brave", ""), ("s1", "courage", "brave", "not")]
    # "not that" is one cue when both words are in reach (window 4), so flagged; with window 3 "not" is out of
    # reach and "that" ends the clause
    assert _found(["not that a b brave"], window=4) == [("s0", "courage", "brave", "not that")]
    assert _found(["not that a b brave"], window=3) == [("s0", "courage", "brave", "")]
    # "that" with no cue before it ends the clause, so the "didn't" before it is not read
    assert _found(["I didn't say it, that I was brave", "I didn't know that I was brave"]) == [
        ("s0", "courage", "brave", ""), ("s1", "courage", "brave", "")]


def test_non_ascii_words_and_curly_apostrophes():
    assert _found(["Zoë said the café was brave — naïve even", "I didn’t feel brave", "Ça va. Brave?"]) == [
        ("s0", "courage", "brave", ""), ("s0", "opening", "café", ""), ("s1", "courage", "brave", "didn't"),
        ("s2", "courage", "brave", "")]


def test_an_empty_corpus_and_texts_with_no_words():
    empty = suggest_codes(_segments([]), BOOK, model=None)
    assert empty.empty and list(empty.columns) == SUGGESTION_COLUMNS
    assert len(compile_codebook(BOOK).match_table([])) == 0
    assert _found(["", "  ", "...", "\x00", "—"]) == []


def test_many_chunks_give_the_same_matches_as_one():
    texts = ["I was not", "brave.", "Not that I wasn't brave", "", "opened up to", "her, I believe in myself"] * 7
    matcher = compile_codebook(BOOK)
    assert matcher.match_table(texts, chunk=4).rows() == matcher.match_table(texts).rows() != []


def test_edge_cases_agree_with_the_plain_reimplementation():
    texts = ["Brave", "not", "brave", "Not, brave", "Brave not", "I was not brave", "never thought I was brave",
             "I don't want to be brave", "Not that I wasn't brave", "I don’t believe in myself", "café",
             "Zoë brave",
             "it's not that I didn't feel brave, but", "", "brave brave not brave"]
    segments = _segments(texts)
    fast = suggest_codes(segments, BOOK, question_context=False, model=None)
    assert set(zip(fast["segment_id"], fast["code"], fast["negated"])) == _reference_suggestions(segments, BOOK)


def test_selected_texts_read_as_if_read_alone():
    texts = ["Interviewer asks", "I was brave", "", "Not brave", "another question?", "opened up to her"]
    keep = np.array([False, True, True, True, False, True])
    matcher = compile_codebook(BOOK)
    kept = [t for t, k in zip(texts, keep) if k]
    assert (_select_texts(matcher.pieces(texts), keep) == matcher.pieces(kept)).all()
    assert matcher.match_table(kept, pieces=_select_texts(matcher.pieces(texts), keep)).rows() == \
        matcher.match_table(kept).rows()


def test_token_ids_are_findall_in_order_of_first_use():
    for text in ["", "   ", "I didn't, I did. Zoë’s café — naïve?! 12 o'clock", "a b a c b a", "\x01 x \x01"]:
        text = normalise(text)
        for pattern in (WORD_RE, _TOKENS):
            ids, distinct = token_ids(text, pattern)
            found = pattern.findall(text)
            assert [distinct[i] for i in ids] == found and distinct == list(dict.fromkeys(found))


def test_the_model_reads_the_same_words_from_the_rule_coders_pieces():
    texts = ["Zoë didn’t feel brave, honestly.", "", "It's — well — fine", "opened up; to her", "x\x01y"]
    matcher = compile_codebook(BOOK)
    shared = _count_matrix(texts, matcher.word_ids(matcher.pieces(texts), MODEL_SEP))
    alone = _count_matrix(texts)
    assert shared[1] == alone[1]
    assert (shared[0] != alone[0]).nnz == 0 and shared[0].shape == alone[0].shape
    # and the same words in a negation's scope, read up to the comma: "feel", "brave" after "didn't"
    assert (shared[2] != alone[2]).nnz == 0 and shared[2].shape == alone[2].shape
    assert sorted(shared[1][j] for j in shared[2][0].indices) == ["brave", "feel"] and shared[2][1:].nnz == 0
    words = [re.findall(r"[^\W_]+(?:'[^\W_]+)*", normalise(t)) for t in texts]  # each text's words, by hand
    assert [sorted(shared[1][j] for j in row.indices) for row in shared[0]] == [sorted(set(w)) for w in words]
