"""Keep the names of people interviewed out of what a report shows.

Quotes keep their exact text (``transcript.text[start:end]``) in the analysis tables; what a report displays
passes through :func:`redact_names`, which replaces every pseudonym, interviewer name and other speaker named
in the transcripts' headers with ``[name]``. Names that appear only in speech and never in a header (a
sibling, a teacher) are not known to the package: a pre-publication check is still the analyst's job.
"""

from __future__ import annotations

import re

import pandas as pd

from cm_research.qual.transcripts import Corpus, SpeakerConvention

_GENERIC = {label.lower() for label in SpeakerConvention().interviewer_labels + SpeakerConvention().participant_labels}


def known_names(corpus: Corpus) -> list[str]:
    """Every person's name from the headers: pseudonyms (whole and first word), interviewers, other speakers."""
    names: set[str] = set()
    for t in corpus.transcripts:
        for name in (t.pseudonym, t.interviewer, *t.other_speakers):
            name = (name or "").strip()
            if name and name.lower() not in _GENERIC:
                names.add(name)
                names.add(name.split()[0])
    return sorted(names, key=len, reverse=True)


def redact_names(text: str, names: list[str], replacement: str = "[name]") -> str:
    """``text`` with each whole-word, case-sensitive occurrence of a name (and its possessive) replaced."""
    if not names or not text:
        return text
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b")
    return pattern.sub(replacement, text)


def redact_columns(table: pd.DataFrame, columns: list[str], names: list[str]) -> pd.DataFrame:
    """A copy of ``table`` with names redacted in ``columns``."""
    out = table.copy()
    for c in columns:
        out[c] = out[c].map(lambda v: redact_names(v, names) if isinstance(v, str) else v)
    return out
