"""File names and absolute paths in what a run publishes.

A published run must not name its input files (a transcript saved as ``04_northshire_vsh.txt`` names one known
person and undoes the suppression of interview counts) nor show absolute paths (``/home/jsmith/...`` holds a
person's name, a drive or a server). This module finds both in text (for the disclosure scan) and replaces
known paths in text (for what a batch publishes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

#: an absolute POSIX path of two or more parts (``/home/ann/data``), a Windows drive path (``C:\\Users\\ann``,
#: ``D:/data``) or a UNC share (``\\\\server\\share``). A slash after a letter, digit, ``.``, ``:``, ``+``, ``=``
#: or another slash starts no path: "and/or", "5/8", URLs (``https://doi.org/10.1/x``) and base64 are not paths.
ABSOLUTE_PATH = re.compile(
    r"(?<![\w.:/\\~+=%&;<>-])/(?:[\w.~-]+/)+[\w.~-]+"
    r"|(?<![A-Za-z0-9])[A-Za-z]:[\\/](?:[\w .~-]+[\\/])*[\w.~-]+"
    r"|(?<![\w\\])\\\\[\w.-]+(?:\\[\w.$-]+)+")
#: first parts of POSIX paths that are not someone's disk: MIME types and similar ("image/png" is no path anyway)
_NOT_PATHS = re.compile(r"^/(?:dev/null)$")


def absolute_paths(text: str) -> Iterator[tuple[int, str]]:
    """(offset, path) of every absolute path in ``text``."""
    for m in ABSOLUTE_PATH.finditer(text):
        if not _NOT_PATHS.match(m.group()):
            yield m.start(), m.group()


def distinctive_names(names: Iterable[str], generic: Iterable[str] = ()) -> list[str]:
    """The input file names worth looking for: each name, and its stem when the stem is no ordinary word (it
    holds a digit, ``_``, ``-`` or a space and has 5 characters or more: ``synthetic_04_northshire_vsh``);
    names in ``generic`` (a data-dictionary table's file, a file the run itself publishes) are left out."""
    generic = {g.lower() for g in generic}
    found = set()
    for name in names:
        name = Path(str(name)).name.strip()
        if not name or name.lower() in generic:
            continue
        found.add(name)
        stem = Path(name).stem
        if len(stem) >= 5 and re.search(r"[\d_\- ]", stem) and stem.lower() not in generic:
            found.add(stem)
    return sorted(found, key=lambda n: (-len(n), n))


def names_regex(names: Iterable[str]) -> re.Pattern | None:
    """A case-insensitive pattern for ``names`` as whole names (not inside a longer file name)."""
    names = list(names)
    if not names:
        return None
    return re.compile(r"(?<![A-Za-z0-9_.-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![A-Za-z0-9_])",
                      re.IGNORECASE)


def replace_paths(text: str, replacements: Mapping[str, str]) -> str:
    """``text`` with each key of ``replacements`` (an absolute path, longest first) replaced by its value."""
    for old in sorted(replacements, key=len, reverse=True):
        if old:
            text = text.replace(old, replacements[old])
    return text
