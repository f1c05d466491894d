"""Split transcripts into segments (turns or sentences), each with its character offsets in the transcript.

For every segment ``transcript.text[start:end] == segment.text``: codes, quotes and concordance lines all
point back to their exact place in the interview.

Sentences end at ``.``, ``!``, ``?`` or ``…`` (with any closing quotes or brackets) followed by a space and
an upper-case letter, digit or opening quote, and at every line break inside a turn; common abbreviations
(Mr., Dr., e.g.) do not end a sentence. nltk's Punkt would need downloaded data, which the package must not use.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator

import pandas as pd

from cm_research.qual.tokens import WORD_RE

SEGMENT_COLUMNS = ["segment_id", "transcript", "participant", "role", "site", "speaker", "speaker_kind",
                   "is_interviewer", "turn", "sentence", "start", "end", "n_words", "text"]
LEVELS = ("sentence", "turn")

_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "prof", "st", "e.g", "i.e", "etc", "vs", "approx", "no",
                            "cf", "eg", "ie", "sr", "jr", "mt"})
_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*(?=\s)")
_NEXT_START = re.compile(r"\s+[\"'\u201c\u2018(\[]*[A-Z0-9]")
_LINE = re.compile(r"[^\r\n]+")
_HAS_CONTENT = re.compile(r"[^\W_]")


def split_sentences(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text[start:end]``, trimmed of surrounding white space.

    Pieces without a letter or digit (a lone "..." or "-") are not sentences and are passed over.
    """
    end = len(text) if end is None else end
    for line in _LINE.finditer(text, start, end):
        pos = line.start()
        for m in _END.finditer(text, line.start(), line.end()):
            before = text[pos:m.start()].rsplit(None, 1)
            last_word = before[-1].lower() if before else ""
            if last_word.rstrip(".") in _ABBREVIATIONS and text[m.start()] == ".":
                continue
            if not _NEXT_START.match(text, m.end(), line.end()):
                continue
            yield from _trimmed(text, pos, m.end())
            pos = m.end()
        yield from _trimmed(text, pos, line.end())


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    piece = text[start:end]
    left = len(piece) - len(piece.lstrip())
    right = len(piece.rstrip())
    if right > left and _HAS_CONTENT.search(piece):
        yield start + left, start + right


def segment_transcripts(transcripts: Iterable, level: str = "sentence") -> pd.DataFrame:
    """One row per segment of every turn (the interviewer's included, marked ``is_interviewer``).

    Parameters
    ----------
    transcripts
        :class:`~cm_research.qual.transcripts.Transcript` objects (or a ``Corpus``).
    level
        ``"sentence"`` (default) or ``"turn"``.

    Returns
    -------
    DataFrame with columns segment_id (``"<transcript>#<turn>.<sentence>"``, or ``"<transcript>#<turn>"`` for
    turns), transcript, participant, role, site, speaker, speaker_kind (interviewer / participant / other),
    is_interviewer (True for every speaker other than the participant, so they are left out of counts),
    turn, sentence, start, end, n_words, text.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    rows = []
    for t in getattr(transcripts, "transcripts", transcripts):
        text = t.text
        for turn in t.turns:
            if turn.end <= turn.start:
                continue
            spans = [(turn.start, turn.end)] if level == "turn" else list(split_sentences(text, turn.start, turn.end))
            for k, (s, e) in enumerate(spans, start=1):
                piece = text[s:e]
                rows.append((
                    f"{t.transcript}#{turn.index}" if level == "turn" else f"{t.transcript}#{turn.index}.{k}",
                    t.transcript, getattr(turn, "participant", None) or t.participant,
                    getattr(turn, "role", None) or t.role, t.site, turn.speaker, turn.kind, turn.kind != "participant",
                    turn.index, k, s, e, len(WORD_RE.findall(piece)), piece,
                ))
    return pd.DataFrame(rows, columns=SEGMENT_COLUMNS)
