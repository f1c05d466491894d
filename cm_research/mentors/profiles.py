"""Interest tags of mentor and mentee profiles, and the shared-interest score between two profiles.

Tags are free, short, lower-case words or phrases ("football; drawing; music"). Before two profiles are compared
every tag is normalised the same way: lower-cased, trimmed, inner runs of spaces collapsed to one space. Nothing
cleverer is done on purpose: automatic plural stripping is not well defined for free tags ("gymnastics",
"news", "dance"/"dancing" all go wrong), so spelling variants are merged only through an explicit ``synonyms``
mapping the site writes down (``{"footie": "football", "films": "film"}``).

The shared-interest score is the Jaccard index of the two sets of tags.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd

_SPACES = re.compile(r"\s+")
DELIMITER = ";"


def normalise_tag(tag: str, synonyms: Mapping[str, str] | None = None) -> str:
    """``"  Board   Games "`` -> ``"board games"``; then, if given, ``synonyms`` maps a variant to its canonical tag.

    The keys and values of ``synonyms`` are normalised too, so ``{"Footie": "Football"}`` works.
    """
    text = _SPACES.sub(" ", str(tag).strip().lower())
    if synonyms:
        lookup = {_SPACES.sub(" ", str(k).strip().lower()): _SPACES.sub(" ", str(v).strip().lower())
                  for k, v in synonyms.items()}
        text = lookup.get(text, text)
    return text


def is_recorded(value: object) -> bool:
    """False when a profile's tags are missing (None, NaN, pd.NA, an empty string or an empty list)."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip().strip(DELIMITER).strip())
    if isinstance(value, Iterable):
        return any(str(v).strip() for v in value if v is not None and not (isinstance(v, float) and pd.isna(v)))
    return not pd.isna(value)


def parse_tags(value: object, synonyms: Mapping[str, str] | None = None) -> frozenset[str]:
    """The set of normalised tags of one cell: ``"Football; drawing;music"`` or ``("football", "drawing")``.

    A missing cell (see :func:`is_recorded`) gives the empty set; empty pieces (``"a;;b"``) are ignored.
    """
    if not is_recorded(value):
        return frozenset()
    pieces = value.split(DELIMITER) if isinstance(value, str) else list(value)
    tags = (normalise_tag(p, synonyms) for p in pieces if p is not None and str(p).strip())
    return frozenset(t for t in tags if t)


def jaccard(a: object, b: object, synonyms: Mapping[str, str] | None = None) -> float:
    """Jaccard index of two sets of tags: J(A, B) = |A ∩ B| / |A ∪ B|, between 0 and 1.

    ``a`` and ``b`` may be sets, lists or ``;``-separated strings; tags are normalised first
    (:func:`parse_tags`). Convention: when both sets are empty, J = 0 (no interest can be shown to be
    shared), so a profile without interests never looks like a perfect match.

    References
    ----------
    Jaccard, P. (1912). The distribution of the flora in the alpine zone. New Phytologist, 11(2), 37-50.

    Examples
    --------
    >>> jaccard("football; music", "music; drawing; Football")
    0.6666666666666666
    """
    A, B = parse_tags(a, synonyms), parse_tags(b, synonyms)
    union = A | B
    return len(A & B) / len(union) if union else 0.0


def shared_tags(a: object, b: object, synonyms: Mapping[str, str] | None = None) -> list[str]:
    """The tags two profiles share, normalised and sorted alphabetically."""
    return sorted(parse_tags(a, synonyms) & parse_tags(b, synonyms))


def format_tags(tags: Iterable[str]) -> str:
    """Tags as a person types them in a cell: ``"drawing; music"``."""
    return f"{DELIMITER} ".join(tags)
