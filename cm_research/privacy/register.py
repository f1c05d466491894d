"""The register: the names and identifiers an evaluation must never publish, with the placeholder for each.

A register is a CSV or Excel file (or a DataFrame) with one row per person, school or place:

========================  ==========================================================================
column                    meaning
========================  ==========================================================================
``name`` (required)       full name as usually written: "Jamie Price", "Oakfield Academy"
``role`` (required)       mentee, mentor, carer, social_worker, teacher, vsh, staff, family, school,
                          place or other
``variants``              other forms, separated by ``;``: nicknames, misspellings ("Jay; Jaime")
``placeholder``           the placeholder to use, e.g. ``[Carer-2]``; default from the role (below)
``participant_id``        a mentee's pseudonymous id (also scanned for before publication)
``also_a_word``           yes/no: the name is also an ordinary word (default: looked up in a word list)
========================  ==========================================================================

Default placeholders: mentees are numbered in register order, ``[Mentee-1]``, ``[Mentee-2]``...; so keep the
register's order fixed (add new people at the end) or give placeholders explicitly. Other roles share one
placeholder per role: ``[Mentor]``, ``[Carer]``, ``[Social worker]``, ``[Teacher]``, ``[VSH]``, ``[Staff]``,
``[Family member]``, ``[School]``, ``[Place]``, ``[Name]``.

For a person, the forms searched for are the full name, each given name, the surname, title + surname
("Mrs Price"), the variants, and the familiar forms of each given name in ``wordlists.NICKNAMES`` ("Kay" for
Katherine); for a school or place, the name, its variants and its short name (the name without generic words
such as Academy, Primary School or C of E: "Oakfield" for "Oakfield Academy"). Letters with and without
diacritics match each other (``Zoe`` is ``Zoë``; see :func:`fold_diacritics`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cm_research.privacy.errors import RegisterError
from cm_research.privacy.wordlists import COMMON_WORDS, NICKNAMES, ORGANISATION_WORDS, TITLES

ROLE_PLACEHOLDERS = {
    "mentee": "[Mentee-{n}]",
    "mentor": "[Mentor]",
    "carer": "[Carer]",
    "social_worker": "[Social worker]",
    "teacher": "[Teacher]",
    "vsh": "[VSH]",
    "staff": "[Staff]",
    "family": "[Family member]",
    "school": "[School]",
    "place": "[Place]",
    "other": "[Name]",
}
ORGANISATION_ROLES = {"school", "place"}
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}


def fold_diacritics(text: str) -> str:
    """``text`` without accents on its letters ("Zoë" -> "Zoe", "Siân" -> "Sian"), lengths of precomposed text
    unchanged; used to match names however they were typed."""
    import unicodedata

    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def short_name(name: str) -> str:
    """An organisation's name without its generic words: "Oakfield Academy" -> "Oakfield", "St Mary's C of E
    Primary School" -> "St Mary's"; "" when nothing distinctive is left or nothing was removed."""
    words = name.split()
    while words and words[-1].lower().strip(".,") in ORGANISATION_WORDS:
        words.pop()
    kept = " ".join(words)
    return kept if kept != name.strip() and len(kept) >= 3 and kept.lower() not in COMMON_WORDS else ""


@dataclass(frozen=True)
class NameForm:
    """One way a register entry can be written in a text."""

    text: str
    form: str  # full_name, given_name, surname, title_surname, variant
    placeholder: str
    role: str
    also_a_word: bool


@dataclass(frozen=True)
class Register:
    """A validated register: ``entries`` (name, role, placeholder, variants, participant_id, also_a_word)."""

    entries: pd.DataFrame
    source: str = "register"

    def name_forms(self) -> list[NameForm]:
        """Every form of every entry, longest first, so that "Jamie Price" is matched before "Jamie"."""
        forms: list[NameForm] = []
        for e in self.entries.itertuples(index=False):
            def add(text: str, form: str) -> None:
                text = text.strip()
                if len(text) >= 2:
                    if " " in text:
                        word = False  # only single words can be mistaken for ordinary words
                    elif isinstance(e.also_a_word, bool):
                        word = e.also_a_word
                    else:
                        word = text.lower() in COMMON_WORDS
                    forms.append(NameForm(text, form, e.placeholder, e.role, bool(word)))

            add(e.name, "full_name")
            parts = e.name.split()
            if e.role not in ORGANISATION_ROLES and len(parts) > 1:
                for part in parts[:-1]:
                    add(part, "given_name")
                    for nickname in NICKNAMES.get(fold_diacritics(part).lower(), ()):
                        add(nickname.capitalize(), "nickname")
                add(parts[-1], "surname")
                for title in TITLES:
                    add(f"{title} {parts[-1]}", "title_surname")
            if e.role in ORGANISATION_ROLES and short_name(e.name).lower() not in {v.lower() for v in e.variants}:
                add(short_name(e.name), "short_name")
            for variant in e.variants:
                add(variant, "variant")
        known = {fold_diacritics(f.text).lower() for f in forms if f.form != "nickname"}
        # a nickname that is another form (the register's "Jamie" and James's "Jamie") belongs to that entry
        forms = [f for f in forms if f.form != "nickname" or fold_diacritics(f.text).lower() not in known]
        return sorted(forms, key=lambda f: -len(f.text))

    def identifiers(self) -> list[str]:
        """Values to scan reports for: full names, variants, surnames and participant ids (not lone given names
        that are ordinary words)."""
        values = set(self.entries["participant_id"].dropna().astype(str)) - {""}
        for form in self.name_forms():
            if form.form in ("full_name", "variant", "surname", "given_name", "short_name") and not form.also_a_word:
                values.update({form.text, fold_diacritics(form.text)})
        return sorted(values, key=lambda v: (-len(v), v))


def _split(cell: object) -> tuple[str, ...]:
    if cell is None or (not isinstance(cell, str) and pd.isna(cell)):
        return ()
    return tuple(v.strip() for v in str(cell).split(";") if v.strip())


def _text(cell: object) -> str:
    return "" if cell is None or (not isinstance(cell, str) and pd.isna(cell)) else str(cell).strip()


def make_register(table: pd.DataFrame, source: str = "register") -> Register:
    """Validate a register table (see the module docstring); errors name the file, row and column."""
    columns = {re.sub(r"[\s\-]+", "_", str(c).strip().lower()): c for c in table.columns}
    missing = [c for c in ("name", "role") if c not in columns]
    if missing:
        raise RegisterError(f"{source}: the register needs column{'s' if len(missing) > 1 else ''} "
                            f"{', '.join(missing)}; it has {', '.join(map(str, table.columns))}")
    rows = list(table.index) if table.index.name == "row" else [i + 2 for i in range(len(table))]
    problems, entries, mentees = [], [], 0
    for row, (_, record) in zip(rows, table.iterrows()):
        def cell(name: str) -> str:
            return _text(record[columns[name]]) if name in columns else ""

        name, role = cell("name"), cell("role").lower().replace(" ", "_")
        if not name and not role:
            continue
        if not name:
            problems.append((row, "name", "", "the name is empty"))
            continue
        if role not in ROLE_PLACEHOLDERS:
            problems.append((row, "role", role, f"role must be one of {', '.join(ROLE_PLACEHOLDERS)}"))
            continue
        word = cell("also_a_word").lower()
        if word not in _YES | _NO:
            problems.append((row, "also_a_word", word, "also_a_word must be yes or no"))
            continue
        if role == "mentee":
            mentees += 1
        placeholder = cell("placeholder") or ROLE_PLACEHOLDERS[role].format(n=mentees)
        entries.append({
            "name": re.sub(r"\s+", " ", name),
            "role": role,
            "placeholder": placeholder,
            "variants": _split(record[columns["variants"]]) if "variants" in columns else (),
            "participant_id": cell("participant_id") or None,
            "also_a_word": (word in _YES) if word else None,
        })
    if problems:
        table_ = pd.DataFrame(
            [{"file": source, "row": r, "column": c, "value": v, "rule": "register", "message": m, "severity": "error"}
             for r, c, v, m in problems])
        lines = "\n".join(f"{source}, row {r}, column `{c}`: {m}" for r, c, _, m in problems[:10])
        raise RegisterError(f"the register has {len(problems)} problem{'s' if len(problems) > 1 else ''}:\n{lines}",
                            table_)
    frame = pd.DataFrame(entries, columns=["name", "role", "placeholder", "variants", "participant_id", "also_a_word"])
    return Register(frame.astype({"also_a_word": object}), source)


def load_register(path: str | Path) -> Register:
    """Read a register from a CSV or Excel file; rows in messages are the rows Excel shows."""
    from cm_research.data.reading import read_raw

    raw = read_raw(path, data_sheet(Path(path)))
    return make_register(raw.cells, raw.file)


def data_sheet(path: Path) -> str | None:
    """The sheet holding the register in a workbook: a data-entry template's first sheet is its Instructions,
    so take the first sheet that is neither that nor the hidden drop-down lists (None for a CSV)."""
    if path.suffix.lower() not in (".xlsx", ".xlsm") or not path.exists():
        return None
    from openpyxl import load_workbook

    from cm_research.data.archives import oversized_archive
    from cm_research.interop.excel_template import INSTRUCTIONS_SHEET, LISTS_SHEET

    if oversized_archive(path):  # never opened here: read_raw refuses it, naming the file
        return None
    try:
        book = load_workbook(path, read_only=True)
    except Exception:  # unreadable: let read_raw give its plain-English refusal
        return None
    try:
        names = [n for n in book.sheetnames if n not in (INSTRUCTIONS_SHEET, LISTS_SHEET)]
    finally:
        book.close()
    return names[0] if names else None
