"""De-identify interview transcripts: names from a register and personal-data patterns become placeholders.

What happens to a text, in order:

1. Patterns (``cm_research.privacy.patterns``) are replaced: ``[Email]``, ``[Phone]``, ``[Postcode]``, ``[UPN]``,
   ``[Date of birth]``, ``[Address]``.
2. Every form of every register name (full name, given names, surname, title + surname, variants; see
   ``cm_research.privacy.register``) is replaced by the entry's placeholder (``[Mentee-3]``, ``[Carer]``,
   ``[School]``). A possessive keeps its ending (``Jamie's`` -> ``[Mentee-3]'s``). Matching ignores case, except
   for names that are also ordinary words ("Hope", "Will", "Price"):

   - capitalised inside a sentence: replaced;
   - capitalised at the start of a sentence: replaced **and flagged** (it may be the word);
   - in lower case: kept as the word **and flagged** (it may be the name, typed in lower case).

   A form shared by two entries with different placeholders becomes ``[Name]`` and is flagged.
3. Capitalised words left in the de-identified text that are not in the register are flagged for the analyst:
   inside a sentence unless they are known non-names (days, months, "Mum", school subjects...); at the start of
   a sentence when they are not common English words and never appear in lower case in the text.

Only placeholders are written into the text, never new line breaks, so line numbers and speaker turns stay as
they were and the thematic analysis reads the text as before. The mapping (original -> placeholder) and the
flags hold the names themselves: they are written to separate files that reports never read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cm_research.data.writing import write_csv
from cm_research.privacy.errors import MappingLocationError
from cm_research.privacy.patterns import Span, find_patterns
from cm_research.privacy.register import NameForm, Register, fold_diacritics, load_register, make_register
from cm_research.privacy.wordlists import COMMON_WORDS, NOT_NAMES, TITLES

PATTERN_PLACEHOLDERS = {
    "email": "[Email]",
    "phone": "[Phone]",
    "postcode": "[Postcode]",
    "upn": "[UPN]",
    "date_of_birth": "[Date of birth]",
    "address": "[Address]",
    "nhs_number": "[NHS number]",
}
AMBIGUOUS_PLACEHOLDER = "[Name]"
REPLACEMENT_COLUMNS = ["line", "kind", "form", "original", "placeholder", "possessive"]
FLAG_COLUMNS = ["line", "word", "reason", "replaced", "context"]

FLAG_REASONS = {
    "name_or_word_at_sentence_start": "a register name that is also a word starts a sentence; replaced, check it "
                                      "was not the ordinary word",
    "kept_as_word": "a register name that is also a word, in lower case; kept as the word, check it was not the name",
    "same_form_two_entries": "this form belongs to more than one register entry; replaced by [Name]",
    "nickname_of_register_name": "a familiar form of a register name (Kay for Katherine); replaced, check it meant "
                                 "that person",
    "capitalised_not_in_register": "a capitalised word inside a sentence that is not in the register; may be a name",
    "sentence_start_not_in_register": "a capitalised word starting a sentence that is not a common word, not in "
                                      "the register and never in lower case in the text; may be a name",
}

_LETTERS = r"[^\W\d_]+"  # letters of any alphabet: "Zoë", "Siân"
_WORD = re.compile(rf"{_LETTERS}(?:['’]{_LETTERS})*(?:-{_LETTERS})*")
_PLACEHOLDER = re.compile(r"\[[^\[\]\n]{1,40}\]")
_POSSESSIVE = re.compile(r"['’]s\b|['’](?!\w)")
_OPENERS = " \t\"'“‘(«—–-*"


@dataclass
class Deidentified:
    """The result for one text.

    text : the de-identified text (same lines as the original).
    replacements : line, kind, form, original, placeholder, possessive (holds the names: never publish).
    flags : line, word, reason, replaced, context (for the analyst's review: never publish).
    """

    text: str
    replacements: pd.DataFrame
    flags: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """What was replaced, counted by kind (``mentee``, ``carer``, ``school``, ``email``...): safe to report."""
        counts = self.replacements.groupby("kind").size() if len(self.replacements) else pd.Series(dtype=int)
        return counts.rename("n_replaced").rename_axis("kind").reset_index()


def _letter_pattern(char: str) -> str:
    """A letter and every accented form of it (plus combining marks after it): "e" matches e, é, ë, e + ◌̈..."""
    base = fold_diacritics(char)
    if not base.isalpha() or len(base) != 1:
        return re.escape(char)
    variants = _ACCENTED.get(base.lower(), "") + _ACCENTED.get(base.upper(), "")
    return f"[{re.escape(base)}{variants}]" + "[\u0300-\u036f]*"


def _accented() -> dict[str, str]:
    import unicodedata

    table: dict[str, str] = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = fold_diacritics(char)
        if len(base) == 1 and base != char and unicodedata.category(char).startswith("L"):
            table[base] = table.get(base, "") + char
    return table


_ACCENTED = _accented()


def _form_pattern(form: NameForm) -> str:
    pieces = form.text.split()

    def word(piece: str) -> str:
        return "".join("['’]" if c == "'" else _letter_pattern(c) for c in piece)

    if form.form == "title_surname":
        return re.escape(pieces[0]) + r"\.?\s+" + r"\s+".join(word(p) for p in pieces[1:])
    return r"\s+".join(word(p) for p in pieces)


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def is_sentence_start(text: str, pos: int) -> bool:
    """True when ``text[pos]`` starts a line, a sentence (after . ! ? or …) or a speaker's turn (after a colon)."""
    i = pos - 1
    while i >= 0 and text[i] in _OPENERS:
        i -= 1
    if i < 0 or text[i] == "\n":
        return True
    if text[i] in "!?:…":
        return True
    if text[i] == ".":
        before = re.search(r"(\w+)\.$", text[max(0, i - 5):i + 1])
        return not (before and before.group(1) in TITLES)  # "Mrs. Price" does not start a sentence
    return False


def _context(text: str, start: int, end: int, width: int = 30) -> str:
    left = text[max(0, start - width):start].split("\n")[-1]
    right = text[end:end + width].split("\n")[0]
    return f"{left}{text[start:end]}{right}".strip()


class Deidentifier:
    """De-identifies texts against one register, so placeholders are consistent across every transcript."""

    def __init__(self, register: Register | pd.DataFrame | str | Path):
        if isinstance(register, (str, Path)):
            register = load_register(register)
        elif isinstance(register, pd.DataFrame):
            register = make_register(register)
        self.register = register
        self.forms: dict[str, list[NameForm]] = {}
        for form in register.name_forms():
            self.forms.setdefault(self._key(form.text), []).append(form)
        patterns = sorted({_form_pattern(f) for fs in self.forms.values() for f in fs}, key=len, reverse=True)
        self._names = re.compile(r"(?<![\w\[])(?:" + "|".join(patterns) + r")(?![\w\]])", re.IGNORECASE) if patterns else None

    @staticmethod
    def _key(text: str) -> str:
        return fold_diacritics(re.sub(r"\s+", " ", re.sub(r"(?<=\w)\.(?=\s)", "", text)).replace("’", "'").lower())

    def _name_spans(self, text: str, taken: list[Span]) -> tuple[list[tuple[Span, NameForm | None, str]], list[tuple]]:
        """Register-name matches not overlapping a pattern: (span, form, placeholder), plus the flags raised."""
        found, flags = [], []
        if self._names is None:
            return found, flags
        for m in self._names.finditer(text):
            if any(m.start() < s.end and s.start < m.end() for s in taken):
                continue
            forms = self.forms[self._key(m.group())]
            form = forms[0]
            placeholders = {f.placeholder for f in forms}
            capitalised = m.group()[0].isupper()
            span = Span(form.role, m.start(), m.end(), m.group())
            if form.also_a_word and not capitalised:
                flags.append((span, "kept_as_word", False))
                continue
            if len(placeholders) > 1:
                found.append((span, form, AMBIGUOUS_PLACEHOLDER))
                flags.append((span, "same_form_two_entries", True))
            else:
                found.append((span, form, form.placeholder))
            if form.also_a_word and is_sentence_start(text, m.start()):
                flags.append((span, "name_or_word_at_sentence_start", True))
            elif form.form == "nickname":
                flags.append((span, "nickname_of_register_name", True))
        return found, flags

    def deidentify(self, text: str) -> Deidentified:
        """De-identify one text (see the module docstring)."""
        patterns = find_patterns(text)
        names, name_flags = self._name_spans(text, patterns)
        edits: list[tuple[Span, str, str, bool]] = [(s, PATTERN_PLACEHOLDERS[s.kind], "pattern", False) for s in patterns]
        for span, form, placeholder in names:
            possessive = bool(_POSSESSIVE.match(text, span.end))
            edits.append((span, placeholder, form.form, possessive))
        edits.sort(key=lambda e: e[0].start)

        pieces, cursor, shift = [], 0, 0
        new_pos: dict[int, tuple[int, int]] = {}  # original start -> (start, end) in the output
        records = []
        for span, placeholder, form, possessive in edits:
            pieces.append(text[cursor:span.start])
            start = span.start + shift
            pieces.append(placeholder)
            new_pos[span.start] = (start, start + len(placeholder))
            shift += len(placeholder) - (span.end - span.start)
            cursor = span.end
            records.append((_line_of(text, span.start), span.kind, form, span.text, placeholder, possessive))
        pieces.append(text[cursor:])
        out = "".join(pieces)

        def output_span(span: Span) -> tuple[int, int]:
            if span.start in new_pos:
                return new_pos[span.start]
            before = sum(len(p) - (s.end - s.start) for s, p, _, _ in edits if s.end <= span.start)
            return span.start + before, span.end + before

        flags = []
        for span, reason, replaced in name_flags:
            start, end = output_span(span)
            flags.append((_line_of(text, span.start), span.text, reason, replaced, _context(out, start, end)))
        flags.extend(self._unregistered(out))
        flag_table = pd.DataFrame(flags, columns=FLAG_COLUMNS).sort_values(["line", "word"], kind="stable")
        return Deidentified(out, pd.DataFrame(records, columns=REPLACEMENT_COLUMNS),
                            flag_table.reset_index(drop=True))

    def _unregistered(self, out: str) -> list[tuple]:
        inside = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(out)]
        lower_words = {m.group() for m in _WORD.finditer(out) if m.group().islower()}
        flags = []
        for m in _WORD.finditer(out):
            word = re.sub(r"['’]s?$", "", m.group())
            if not word[:1].isupper() or word.isupper() or any(a <= m.start() < b for a, b in inside):
                continue
            lower = word.lower()
            if lower in NOT_NAMES or lower.split("-")[0] in NOT_NAMES:
                continue
            if is_sentence_start(out, m.start()):
                if lower in COMMON_WORDS or lower in lower_words:
                    continue
                reason = "sentence_start_not_in_register"
            else:
                reason = "capitalised_not_in_register"
            flags.append((_line_of(out, m.start()), word, reason, False, _context(out, m.start(), m.end())))
        return flags


def deidentify_text(text: str, register: Register | pd.DataFrame | str | Path) -> Deidentified:
    """De-identify one text against ``register`` (a Register, a register table, or a register file)."""
    return Deidentifier(register).deidentify(text)


@dataclass
class DeidentifiedFiles:
    """What ``deidentify_files`` wrote. ``summary`` (file, kind, n_replaced) and ``flag_counts`` (file, reason,
    n_flags) hold no names and may be shown in a report; the mapping and review files may not."""

    summary: pd.DataFrame
    flag_counts: pd.DataFrame
    outputs: list[Path]
    mapping_path: Path
    review_path: Path


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def deidentify_files(paths: Iterable[str | Path], register: Register | pd.DataFrame | str | Path,
                     output_dir: str | Path, mapping_path: str | Path,
                     review_path: str | Path | None = None) -> DeidentifiedFiles:
    """De-identify text transcripts into ``output_dir`` (same file names), with the same placeholders throughout.

    The mapping (file, line, kind, form, original, placeholder, possessive) goes to ``mapping_path`` and the
    flags for review (file, line, word, reason, replaced, context) to ``review_path`` (default: beside the
    mapping, ``<mapping stem>_review.csv``). Both must lie outside ``output_dir``, which analyses and reports read.
    """
    output_dir = Path(output_dir).resolve()
    mapping_path = Path(mapping_path).resolve()
    review_path = Path(review_path).resolve() if review_path else mapping_path.with_name(mapping_path.stem + "_review.csv")
    for label, path in (("mapping", mapping_path), ("review", review_path)):
        if _inside(path, output_dir):
            raise MappingLocationError(f"the {label} file {path} would be inside {output_dir}, where the "
                                       "de-identified transcripts are read for analysis and reports; "
                                       "write it to a restricted folder outside it")
    engine = Deidentifier(register)
    output_dir.mkdir(parents=True, exist_ok=True)
    mappings, reviews, outputs = [], [], []
    for path in map(Path, paths):
        result = engine.deidentify(path.read_text(encoding="utf-8"))
        target = output_dir / path.name
        target.write_text(result.text, encoding="utf-8")
        outputs.append(target)
        mappings.append(result.replacements.assign(file=path.name))
        reviews.append(result.flags.assign(file=path.name))
    mapping = pd.concat(mappings, ignore_index=True) if mappings else pd.DataFrame(columns=["file", *REPLACEMENT_COLUMNS])
    review = pd.concat(reviews, ignore_index=True) if reviews else pd.DataFrame(columns=["file", *FLAG_COLUMNS])
    mapping = mapping[["file", *REPLACEMENT_COLUMNS]]
    review = review[["file", *FLAG_COLUMNS]]
    for frame, path in ((mapping, mapping_path), (review, review_path)):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_csv(frame, path, lineterminator="\n")
    summary = mapping.groupby(["file", "kind"]).size().rename("n_replaced").reset_index()
    flag_counts = review.groupby(["file", "reason"]).size().rename("n_flags").reset_index()
    return DeidentifiedFiles(summary, flag_counts, outputs, mapping_path, review_path)
