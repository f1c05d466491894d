"""Where a REFI-QDA selection starts and ends in the text cm_research reads.

QDA programs count positions differently (characters or UTF-16 code units, with or without a byte-order mark,
CRLF as one or two; a few count UTF-8 bytes, as Taguette does in its own database); :func:`_choose_convention` tries each of :data:`OFFSET_CONVENTIONS` on a source's
selections and keeps the one under which most selections fall on word boundaries and match their quoted text.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

from cm_research.data.reading import decode_text
from cm_research.interop.qda.errors import QdaImportError
from cm_research.qual.transcripts import squash_whitespace

#: Offset conventions tried, simplest first (ties go to the earlier one).
OFFSET_CONVENTIONS = ("characters", "utf16", "characters+bom", "utf16+bom", "characters, CRLF as one",
                      "utf16, CRLF as one", "utf8 bytes")

_WORD = re.compile(r"\w")


def _position(element, attribute: str, source: str) -> int:
    """A selection's ``startPosition``/``endPosition`` as a whole number; QdaImportError naming the source and
    the selection when it is missing or not a non-negative whole number."""
    value = element.get(attribute)
    try:
        number = int(value)
        if number < 0:
            raise ValueError
        return number
    except (TypeError, ValueError):
        guid = element.get("guid") or "(no guid)"
        raise QdaImportError.from_problems([{
            "file": source, "line": element.sourceline, "column": attribute, "value": str(value)[:40],
            "message": f"selection {guid}: {attribute}={value!r} is not a character position (a whole number "
                       "0 or more)"}], source) from None


def _decode_source(data: bytes) -> tuple[str, bool]:
    """(text without BOM, had BOM)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16").lstrip("\ufeff"), True
    text, encoding = decode_text(data)
    return text, encoding == "utf-8-sig"


# -------------------------------------------------------------------------------------------------------- offsets

def _positions(text: str, convention: str) -> np.ndarray:
    """Position, under ``convention``, of every character boundary 0..len(text) of ``text``."""
    if "utf8" in convention:
        widths = np.fromiter((len(c.encode("utf-8", "surrogatepass")) for c in text), dtype=np.int64,
                             count=len(text))
    else:
        widths = np.ones(len(text), dtype=np.int64)
    if "utf16" in convention:
        widths += np.fromiter((ord(c) > 0xFFFF for c in text), dtype=np.int64, count=len(text))
    if "CRLF" in convention:
        crlf = np.array([m.start() for m in re.finditer("\r\n", text)], dtype=np.int64)
        if len(crlf):
            widths[crlf] = 0
    pos = np.concatenate([[0], np.cumsum(widths)])
    return pos + (1 if "bom" in convention else 0)


def _to_index(pos: np.ndarray, raw: int) -> int | None:
    """The character index whose position is ``raw`` (the first, when zero-width characters share it)."""
    k = int(np.searchsorted(pos, raw, side="left"))
    return k if k < len(pos) and pos[k] == raw else None


def _on_boundary(text: str, i: int) -> bool:
    """Is ``i`` between words? Never just before a combining mark (an accent written as its own code point
    belongs to the letter before it, which ``\\w`` does not see)."""
    if 0 < i < len(text) and unicodedata.combining(text[i]):
        return False
    return i <= 0 or i >= len(text) or not (_WORD.match(text[i - 1]) and _WORD.match(text[i]))


def _name_matches(name: str, quoted: str) -> bool | None:
    """Does the selection's name quote its text? None when the name is not a quotation (short, or a label)."""
    name = squash_whitespace(name).rstrip("…").rstrip(".").strip()
    if len(name.split()) < 3:
        return None
    return squash_whitespace(quoted).startswith(name)


def _place(text: str, pos: np.ndarray, raw_start: int, raw_end: int, name: str) -> tuple[int | None, int | None, str]:
    start, end = _to_index(pos, raw_start), _to_index(pos, raw_end)
    if start is None or end is None or end < start:
        return None, None, "outside"
    quoted = text[start:end]
    by_name = _name_matches(name, quoted)
    if by_name is not None:
        return start, end, "aligned" if by_name else "misaligned"
    return start, end, "aligned" if _on_boundary(text, start) and _on_boundary(text, end) else "misaligned"


def _choose_convention(text: str, had_bom: bool, spans: list[tuple[int, int, str]]) -> tuple[str, np.ndarray]:
    best = None
    for convention in OFFSET_CONVENTIONS:
        if "bom" in convention and not had_bom:
            continue
        if "CRLF" in convention and "\r\n" not in text:
            continue
        if "utf16" in convention and not any(ord(c) > 0xFFFF for c in text):
            continue
        if "utf8" in convention and text.isascii():
            continue
        pos = _positions(text, convention)
        score = sum(_place(text, pos, s, e, n)[2] == "aligned" for s, e, n in spans)
        if best is None or score > best[0]:
            best = (score, convention, pos)
    return best[1], best[2]


# ------------------------------------------------------------------------------------------------------ codebook
