"""Characters a person cannot see or cannot tell apart: find them in text cells and headers, and say which.

Two cells that look the same on screen must be the same value, or a site, an id or a code silently splits in
two ("Testshire" and "Test\\u200bshire" are two sites to a computer and one to a reader). The rules, applied to
every text cell by :mod:`cm_research.data.coercion` and to headers by :mod:`cm_research.data.validation`:

- text is put in Unicode normal form C (NFC: "e" + combining diaeresis becomes "ë"), which changes no character
  a person sees (Unicode Standard Annex #15);
- invisible characters that only split a value (:data:`INVISIBLE`: zero-width space, word joiner, a byte-order
  mark inside text, soft hyphen, left-to-right and right-to-left marks) are removed, and a no-break space becomes
  an ordinary space; the cell keeps its row and the removal is reported as a warning. Zero-width joiners and
  non-joiners are kept between two letters of a non-Latin script (Persian, Indic scripts and emoji need them);
- characters that change how text *reads* are refused, naming the character: bidirectional embeddings,
  overrides and isolates (U+202A-U+202E, U+2066-U+2069, the "Trojan Source" characters, CVE-2021-42574, which
  can make ``erihstseT`` display as ``Testshire``), and control characters such as NUL (line breaks and tabs
  in a cell are allowed);
- a word that mixes Latin letters with Cyrillic or Greek ones ("Tеstshire" with a Cyrillic "е") is a
  homoglyph: reported (an error in a field that names or keys something, a warning in free text).

Headers are compared through :func:`fold_label`, which also maps compatibility forms (full-width letters) and
the common Cyrillic and Greek look-alikes to the Latin letters they imitate, so that a header typed with a
look-alike is read as the column it looks like, with a warning naming the character.
"""

from __future__ import annotations

import re
import unicodedata

#: invisible characters removed from text (their only effect is to make equal-looking values differ)
INVISIBLE = {
    "\u200b": "zero-width space",
    "\u2060": "word joiner",
    "\ufeff": "byte-order mark",
    "\u00ad": "soft hyphen",
    "\u180e": "Mongolian vowel separator",
    "\u200e": "left-to-right mark",
    "\u200f": "right-to-left mark",
    "\u061c": "Arabic letter mark",
}
#: joiners: invisible between Latin letters, meaningful between letters of other scripts and in emoji
JOINERS = {"\u200c": "zero-width non-joiner", "\u200d": "zero-width joiner"}
#: spaces that look like a space but are not one
SPACES = {"\u00a0": "no-break space", "\u202f": "narrow no-break space", "\u2007": "figure space"}
#: characters that reorder the text shown around them
BIDI_CONTROLS = {chr(c): name for c, name in (
    (0x202A, "left-to-right embedding"), (0x202B, "right-to-left embedding"), (0x202C, "pop directional formatting"),
    (0x202D, "left-to-right override"), (0x202E, "right-to-left override"), (0x2066, "left-to-right isolate"),
    (0x2067, "right-to-left isolate"), (0x2068, "first strong isolate"), (0x2069, "pop directional isolate"))}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SUSPECT = re.compile("[" + "".join(INVISIBLE) + "".join(JOINERS) + "".join(SPACES) + "".join(BIDI_CONTROLS)
                      + r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
#: Cyrillic and Greek letters drawn like Latin ones (a subset of Unicode's confusables.txt, UTS #39)
HOMOGLYPHS = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
    "һ": "h", "ԛ": "q", "ԝ": "w", "ӏ": "l", "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O",
    "Р": "P", "С": "C", "Т": "T", "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S", "ο": "o", "α": "a", "ν": "v",
    "ρ": "p", "τ": "t", "ι": "i", "κ": "k", "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K",
    "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
})
_WORD = re.compile(r"\w+")


def character_name(char: str) -> str:
    """'U+200B zero-width space': the code point and a name a person can search for."""
    name = (INVISIBLE.get(char) or JOINERS.get(char) or SPACES.get(char) or BIDI_CONTROLS.get(char)
            or unicodedata.name(char, "control character").lower())
    return f"U+{ord(char):04X} {name}"


def escape_unseen(text: str) -> str:
    """``text`` with every character a person cannot see, or that reorders text, written as ``\\uXXXX``, so an
    error message or a problems table shows what is there (and a bidi override cannot reverse the report)."""
    if not _SUSPECT.search(text):
        return text
    return _SUSPECT.sub(lambda m: f"\\u{ord(m.group()):04x}" if ord(m.group()) > 0xFF else f"\\x{ord(m.group()):02x}",
                        text)


def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if char.isalpha() else ""


def _keep_joiner(text: str, i: int) -> bool:
    before, after = text[i - 1: i], text[i + 1: i + 2]
    return bool(before and after) and not before.isascii() and not after.isascii()


def mixed_script_word(text: str) -> str | None:
    """The first word of ``text`` that mixes Latin letters with Cyrillic or Greek ones, or None."""
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        scripts = {_script(c) for c in word} - {""}
        if "LATIN" in scripts and scripts & {"CYRILLIC", "GREEK"}:
            return word
    return None


def clean_text(text: str) -> tuple[str, list[str], str | None]:
    """(cleaned text, names of the invisible characters removed, why the text is refused or None).

    See the module docstring for the rules. ``text`` that is plain ASCII without control characters comes back
    as it is."""
    if text.isascii() and not _CONTROL.search(text):
        return text, [], None
    if found := _CONTROL.search(text):
        return text, [], (f"it holds the invisible control character {character_name(found.group())} at "
                          f"character {found.start() + 1}, which is not text; retype the cell")
    if found := _SURROGATE.search(text):  # from a "\ud800" escape in YAML or JSON: no file can hold it
        return text, [], (f"it holds U+{ord(found.group()):04X}, half of a character (a lone surrogate), at "
                          f"character {found.start() + 1}, which is not text and cannot be saved; retype it")
    for i, char in enumerate(text):
        if char in BIDI_CONTROLS:
            return text, [], (f"it holds the character {character_name(char)} at character {i + 1}, which changes "
                              "the order in which the text is shown (so it may not read as it is stored); retype "
                              "the cell")
    removed: list[str] = []
    kept = []
    for i, char in enumerate(text):
        if char in INVISIBLE or (char in JOINERS and not _keep_joiner(text, i)):
            removed.append(character_name(char))
        elif char in SPACES:
            removed.append(character_name(char) + " (read as a space)")
            kept.append(" ")
        else:
            kept.append(char)
    cleaned = unicodedata.normalize("NFC", "".join(kept))
    return cleaned, list(dict.fromkeys(removed)), None


def fold_label(text: str) -> str:
    """A header as the letters it shows: NFKC (full-width and other compatibility forms to plain ones),
    invisible and bidi characters dropped, Cyrillic and Greek look-alikes mapped to Latin."""
    text = unicodedata.normalize("NFKC", str(text))
    text = "".join(c for c in text if c not in INVISIBLE and c not in JOINERS and c not in BIDI_CONTROLS)
    return text.translate(HOMOGLYPHS)
