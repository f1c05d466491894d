"""Quotes as the analyst coded them: the coded span, not the whole sentence it sits in.

:func:`cm_research.qual.analysis.exemplar_quotes` chooses which sentences illustrate each theme for each role;
:func:`coded_span_quotes` then replaces each chosen sentence by the words the analyst actually coded there (the
coded span of one of the theme's codes that overlaps the sentence most), and keeps the sentence as ``context``,
so a report can show the span alone or, on request, with the sentence around it. Suggested codes are whole
sentences, so for them the span is the sentence.

A span ``"missed a few weeks and that was hard"`` inside ``"I missed a few weeks and that was hard, but she kept
in touch."`` is quoted as ``"missed a few weeks and that was hard"`` with ``context`` the whole sentence.
"""

from __future__ import annotations

import pandas as pd

from cm_research.qual.codebook import Codebook
from cm_research.qual.transcripts import Corpus


def coded_span_quotes(quotes: pd.DataFrame, coding: pd.DataFrame | None, codebook: Codebook, corpus: Corpus,
                      coder: str | None = None) -> pd.DataFrame:
    """``quotes`` (from ``exemplar_quotes``) with ``quote``, ``start`` and ``end`` the coded span and the
    sentence kept in ``context``, ``context_start`` and ``context_end``. Without ``coding`` (suggestions) the
    span is the sentence. Where two spans of the theme overlap the sentence, the one sharing most characters
    with it is quoted (ties: the earlier)."""
    out = quotes.copy()
    out["context"], out["context_start"], out["context_end"] = out["quote"], out["start"], out["end"]
    if coding is None or out.empty:
        return out
    spans = coding if coder is None else coding[coding["coder"] == coder]
    theme_of = {}
    for theme in codebook.themes:
        for code in theme.codes:
            theme_of.setdefault(code.name, set()).add(theme.name)
    for k, q in out.iterrows():
        block = spans[(spans["transcript"] == q["transcript"]) & (spans["start"] < q["end"])
                      & (spans["end"] > q["start"])]
        block = block[[q["theme"] in theme_of.get(c, ()) for c in block["code"]]]
        if block.empty:
            continue
        shared = (block["end"].clip(upper=q["end"]) - block["start"].clip(lower=q["start"]))
        best = block.assign(_shared=shared.to_numpy()).sort_values(["_shared", "start"], ascending=[False, True]).iloc[0]
        start, end = int(best["start"]), int(best["end"])
        out.at[k, "quote"] = corpus.text(q["transcript"])[start:end]
        out.at[k, "start"], out.at[k, "end"] = start, end
    return out
