"""Coding tables: the analyst's coding imported from CSV, reviewed suggestions, and their link to segments.

A *coding* table has one row per coded span: transcript, start, end, segment_id (when the span is a
segment), code, coder, source (``human``, ``suggestion`` or ``suggestion_accepted``), quote
(``transcript.text[start:end]``) and row (the CSV row it came from, as a spreadsheet shows it).

A human coding CSV needs columns ``transcript`` (file name, with or without extension), ``code``, ``coder``
(or pass ``coder=``), and either ``segment_id`` or ``start`` and ``end`` (character offsets, end exclusive).
An optional ``quote`` (or ``text``) column is checked against the transcript, so offsets produced by another
tool cannot silently point at the wrong words. Every problem is reported with its row and column.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from cm_research.errors import LINE_PROBLEM_COLUMNS, problems_table
from cm_research.interop.records import read_csv_records
from cm_research.qual.codebook import Codebook
from cm_research.qual.errors import CodingImportError
from cm_research.qual.suggest import REVIEW_COLUMNS
from cm_research.qual.transcripts import Corpus, squash_whitespace

CODING_COLUMNS = ["transcript", "start", "end", "segment_id", "code", "coder", "source", "quote", "row"]
ACCEPT = {"accept", "accepted", "yes", "y", "1", "true", "keep", "ok", "x"}
REJECT = {"reject", "rejected", "no", "n", "0", "false", "drop", "remove"}


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    return read_csv_records(path, CodingImportError)


def _transcript_key(corpus: Corpus, value: str) -> str | None:
    value = unicodedata.normalize("NFC", value.strip())  # as transcripts are named (read_transcript)
    if value in corpus:
        return value
    stem = Path(value).stem
    return stem if stem in corpus else None


def read_coding(path: str | Path, corpus: Corpus, codebook: Codebook, coder: str | None = None,
                level: str = "sentence") -> pd.DataFrame:
    """Import coded segments from a CSV the analyst wrote (or exported from another tool).

    Parameters
    ----------
    path
        CSV with transcript, code, coder, and segment_id or start and end; optional quote. Or MAXQDA's or
        Dedoose's coded-segment export (:mod:`cm_research.qual.qda_segments`), placed by its words.
    corpus, codebook
        The transcripts the offsets refer to, and the codebook the codes must belong to.
    coder
        The coder's name when the file has no ``coder`` column.
    level
        Segment level that ``segment_id`` values refer to.

    Returns
    -------
    A coding table (see module docstring), ``source`` = "human".

    Raises
    ------
    CodingImportError listing every row with a problem (unknown transcript or code, offsets outside the
    transcript or reversed, a quote that is not the text at those offsets, an unknown segment id).
    """
    path = Path(path)
    from cm_research.qual.qda_segments import read_segment_export

    if (other := read_segment_export(path, corpus, set(codebook.code_names), coder)) is not None:
        for message in other[1]:  # MAXQDA's or Dedoose's coded segments, placed by their words
            warnings.warn(message, stacklevel=2)
        coding = pd.DataFrame(other[0], columns=CODING_COLUMNS)
        # the same messages as a table, so a report shows them (a warning reaches only a console)
        coding.attrs["import_notes"] = problems_table(
            [{"file": path.name, "line": None, "column": "", "value": "",
              "message": m.removeprefix(f"{path.name}: ")} for m in other[1]], LINE_PROBLEM_COLUMNS)
        return coding
    header, rows = _read_csv(path)
    if "decision" in header:
        # a reviewed suggestions sheet: only the accepted rows are coding
        review = read_review_csv(path, corpus, codebook, coder=coder or "analyst")
        return review_as_coding(review, corpus, path.name)
    problems: list[dict] = []

    def problem(row, column, value, message):
        problems.append({"file": path.name, "line": row, "column": column, "value": str(value)[:80],
                         "message": message})

    by_offsets = {"start", "end"} <= set(header)
    if not {"transcript", "code"} <= set(header) or not (by_offsets or "segment_id" in header):
        raise CodingImportError.from_problems([{
            "file": path.name, "line": 1, "column": "", "value": ", ".join(header),
            "message": ("the header must have columns transcript, code and either start and end or segment_id "
                        f"(and coder); found: {', '.join(header)}")}], path.name)
    if "coder" not in header and not coder:
        raise CodingImportError.from_problems([{
            "file": path.name, "line": 1, "column": "coder", "value": "",
            "message": ("no coder column: add a column `coder` naming who coded each row, or say who coded "
                       "the whole file (on the command line --coder NAME; in Python coder='NAME')")}], path.name)
    segments = corpus.segments(level).set_index("segment_id") if "segment_id" in header else None
    known_codes = set(codebook.code_names)
    quote_col = "quote" if "quote" in header else ("text" if "text" in header else None)
    all_segments = corpus.segments(level)
    exact = dict(zip(zip(all_segments["transcript"], all_segments["start"], all_segments["end"]),
                     all_segments["segment_id"]))
    out = []
    for number, r in rows:
        transcript = _transcript_key(corpus, r.get("transcript", ""))
        if transcript is None:
            problem(number, "transcript", r.get("transcript", ""),
                    f"{r.get('transcript', '')!r} is not one of the transcripts read "
                    f"({', '.join(t.transcript for t in corpus.transcripts[:6])}{' ...' if len(corpus) > 6 else ''})")
            continue
        code = r.get("code", "").strip()
        if code not in known_codes:
            problem(number, "code", code, f"code {code!r} is not in the codebook" if code else "the code is empty")
        who = (r.get("coder", "") or "").strip() or coder
        if not who:
            problem(number, "coder", "", "the coder is empty")
        text = corpus.text(transcript)
        seg_id = (r.get("segment_id", "") or "").strip()
        start = end = None
        if seg_id and segments is not None:
            if seg_id not in segments.index:
                problem(number, "segment_id", seg_id, f"segment {seg_id!r} does not exist at {level} level")
                continue
            seg = segments.loc[seg_id]
            if seg["transcript"] != transcript:
                problem(number, "segment_id", seg_id, f"segment {seg_id!r} belongs to {seg['transcript']!r}, "
                                                      f"not {transcript!r}")
                continue
            start, end = int(seg["start"]), int(seg["end"])
        elif by_offsets:
            try:
                start, end = int(str(r.get("start", "")).strip()), int(str(r.get("end", "")).strip())
            except ValueError:
                problem(number, "start", f"{r.get('start')}..{r.get('end')}",
                        "start and end must be whole numbers (character offsets)")
                continue
            if not 0 <= start < end <= len(text):
                problem(number, "end" if 0 <= start < len(text) else "start", f"{start}..{end}",
                        f"offsets {start}..{end} are outside the transcript (0..{len(text)}) or end is not after start")
                continue
        else:
            problem(number, "segment_id", "", "give a segment_id or start and end")
            continue
        quote = text[start:end]
        if quote_col and (r.get(quote_col) or "").strip() and squash_whitespace(r[quote_col]) != squash_whitespace(quote):
            problem(number, quote_col, r[quote_col],
                    f"the quote is not the transcript text at {start}..{end}, which reads {quote[:60]!r}")
            continue
        out.append({"transcript": transcript, "start": start, "end": end,
                    "segment_id": seg_id or exact.get((transcript, start, end), ""), "code": code,
                    "coder": who, "source": "human", "quote": quote, "row": number})
    if problems:
        raise CodingImportError.from_problems(problems, path.name)
    if not out:
        raise CodingImportError(f"{path.name}: no coded rows")
    return pd.DataFrame(out, columns=CODING_COLUMNS)


def suggestions_as_coding(suggestions: pd.DataFrame, include_negated: bool = False) -> pd.DataFrame:
    """Treat suggestions as a coding table (coder ``"suggested"``, source ``"suggestion"``), e.g. to compare a
    human coder with the suggestions. Negated suggestions are left out unless ``include_negated``."""
    keep = suggestions if include_negated else suggestions[~suggestions["negated"].astype(bool)]
    return pd.DataFrame({
        "transcript": keep["transcript"], "start": keep["start"], "end": keep["end"],
        "segment_id": keep["segment_id"], "code": keep["code"], "coder": "suggested", "source": "suggestion",
        "quote": keep["text"], "row": pd.NA,
    }, columns=CODING_COLUMNS).reset_index(drop=True)


def read_review_csv(path: str | Path, corpus: Corpus, codebook: Codebook, coder: str = "analyst") -> pd.DataFrame:
    """Read a reviewed suggestions CSV (from :func:`cm_research.qual.suggest.write_review_csv`).

    ``decision`` may be accept (accepted, yes, y, 1, x) or reject (rejected, no, n, 0) or blank (not yet
    reviewed). Returns every row with ``decision`` normalised to accept / reject / undecided; pass the result
    to :func:`accepted_coding` for the coding table. Offsets are checked against the transcript text.
    """
    path = Path(path)
    header, rows = _read_csv(path)
    missing = [c for c in ("decision", "code", "transcript", "start", "end") if c not in header]
    if missing:
        raise CodingImportError.from_problems([{"file": path.name, "line": 1, "column": ", ".join(missing),
                                                "value": "", "message": f"missing columns: {', '.join(missing)}"}],
                                              path.name)
    problems, out = [], []
    known = set(codebook.code_names)
    for number, r in rows:
        raw = (r.get("decision") or "").strip().lower()
        decision = "accept" if raw in ACCEPT else "reject" if raw in REJECT else "undecided" if not raw else None
        if decision is None:
            problems.append({"file": path.name, "line": number, "column": "decision", "value": raw,
                             "message": f"decision {raw!r} is not accept or reject (or blank for undecided)"})
            continue
        transcript = _transcript_key(corpus, r.get("transcript", ""))
        if transcript is None:
            problems.append({"file": path.name, "line": number, "column": "transcript", "value": r["transcript"],
                             "message": f"{r['transcript']!r} is not one of the transcripts read"})
            continue
        try:
            start, end = int(r["start"]), int(r["end"])
        except ValueError:
            problems.append({"file": path.name, "line": number, "column": "start", "value": r["start"],
                             "message": "start and end must be whole numbers"})
            continue
        text = corpus.text(transcript)
        if not 0 <= start < end <= len(text):
            problems.append({"file": path.name, "line": number, "column": "end", "value": f"{start}..{end}",
                             "message": f"offsets {start}..{end} are outside the transcript (0..{len(text)})"})
            continue
        if r.get("text") and squash_whitespace(r["text"]) != squash_whitespace(text[start:end]):
            problems.append({"file": path.name, "line": number, "column": "text", "value": r["text"],
                             "message": "the text is not the transcript text at these offsets"})
            continue
        if r["code"].strip() not in known:
            problems.append({"file": path.name, "line": number, "column": "code", "value": r["code"],
                             "message": f"code {r['code']!r} is not in the codebook"})
            continue
        out.append({**{c: r.get(c, "") for c in REVIEW_COLUMNS}, "transcript": transcript, "start": start,
                    "end": end, "decision": decision, "row": number,
                    "coder": (r.get("coder") or "").strip() or coder})
    if problems:
        raise CodingImportError.from_problems(problems, path.name)
    return pd.DataFrame(out, columns=[*REVIEW_COLUMNS, "row", "coder"])


def review_as_coding(review: pd.DataFrame, corpus: Corpus, where: str = "the review") -> pd.DataFrame:
    """The coding table of a review (from :func:`read_review_csv`): accepted rows only.

    Rejected rows are never coding; undecided (blank) rows are not either, and a warning says how many.
    ``attrs["review"]`` holds the counts (``n_accept``, ``n_reject``, ``n_undecided``) so a report can say
    what the coding rests on. Raises :class:`CodingImportError` when no row is accepted.
    """
    counts = {f"n_{d}": int((review["decision"] == d).sum()) for d in ("accept", "reject", "undecided")}
    if counts["n_undecided"]:
        rows = review.loc[review["decision"] == "undecided", "row"].astype(int).tolist()
        warnings.warn(f"{where}: {counts['n_undecided']} rows have no decision (rows "
                      f"{', '.join(map(str, rows[:10]))}{' ...' if len(rows) > 10 else ''}); they are not counted. "
                      "Write accept or reject in the decision column.", stacklevel=3)
    if not counts["n_accept"]:
        raise CodingImportError.from_problems([{
            "file": where, "line": None, "column": "decision", "value": "",
            "message": (f"no row is accepted ({counts['n_reject']} rejected, {counts['n_undecided']} undecided): "
                        "write accept in the decision column of the suggestions you agree with")}], where)
    coding = accepted_coding(review, corpus)
    coding.attrs["review"] = counts
    return coding


def accepted_coding(review: pd.DataFrame, corpus: Corpus) -> pd.DataFrame:
    """The accepted rows of a review as a coding table (source ``"suggestion_accepted"``)."""
    ok = review[review["decision"] == "accept"]
    return pd.DataFrame({
        "transcript": ok["transcript"], "start": ok["start"].astype(int), "end": ok["end"].astype(int),
        "segment_id": ok["segment_id"], "code": ok["code"], "coder": ok["coder"], "source": "suggestion_accepted",
        "quote": [corpus.text(t)[s:e] for t, s, e in zip(ok["transcript"], ok["start"], ok["end"])],
        "row": ok["row"],
    }, columns=CODING_COLUMNS).reset_index(drop=True)


def _shares_a_word(text: str, offset: int, start: int, end: int) -> bool:
    """Does ``text`` (starting at ``offset`` in the transcript) have a whole word inside ``start..end``?"""
    return any(offset + m.start() >= start and offset + m.end() <= end for m in _WORD.finditer(text))


_WORD = re.compile(r"\w+")


def coded_segments(coding: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Link each coded span to the segments it covers at least one whole word of (a span that touches a
    sentence by a character or a part of a word does not bring that sentence in).

    A span that is exactly one segment links to that segment; a span over three sentences links to all
    three. Returns one row per (segment, code, coder) with the segment's transcript, participant, role, site,
    is_interviewer, start, end and text, plus the code's source. Duplicates (two spans of the same code by the
    same coder over one segment) are counted once.
    """
    seg = segments.sort_values(["transcript", "start"])
    out = []
    for transcript, spans in coding.groupby("transcript", sort=False):
        s = seg[seg["transcript"] == transcript]
        if s.empty:
            continue
        starts, ends, texts = s["start"].to_numpy(), s["end"].to_numpy(), s["text"].to_numpy()
        for span_start, span_end, code, coder, source in zip(spans["start"], spans["end"], spans["code"],
                                                              spans["coder"], spans["source"]):
            # segments are ordered and do not overlap: the first that ends after the span starts, up to the
            # last that starts before the span ends
            lo = int(np.searchsorted(ends, span_start, side="right"))
            hi = int(np.searchsorted(starts, span_end, side="left"))
            for k in range(lo, hi):
                if _shares_a_word(texts[k], int(starts[k]), max(span_start, int(starts[k])),
                                  min(span_end, int(ends[k]))):
                    out.append((s.index[k], code, coder, source))
    if not out:
        return pd.DataFrame(columns=[*segments.columns, "code", "coder", "source"])
    idx, codes, coders, sources = zip(*out)
    linked = segments.loc[list(idx)].reset_index(drop=True).assign(code=list(codes), coder=list(coders),
                                                                     source=list(sources))
    return linked.drop_duplicates(["segment_id", "code", "coder"]).reset_index(drop=True)
