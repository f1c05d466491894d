"""Coded-segment spreadsheets other QDA programs export: read where they can be placed, named where they cannot.

Such a table lists coded text (the words, the document, the code) but not where in the document the words are,
so each segment is placed by finding its words in the transcript of the same name (:func:`find_quote`:
exactly, or with white space differing; words found nowhere or more than once are refused, naming the row —
never guessed). Taguette's highlights are placed the same way (:mod:`cm_research.interop.qda.taguette`).

Read (the two exports evaluators most often hold that have no REFI-QDA route):

* **MAXQDA** "Export coded segments" (Excel or CSV): columns ``Document name``, ``Code``, ``Segment`` (and
  ``Document group``, ``Begin``, ``End`` -- paragraph numbers, not characters -- ``Weight score``,
  ``Created by``). A code path ``Parent\\Child`` is the code ``Child``; weights other than MAXQDA's default 0
  are counted in the report, since a coding table carries no weight.
* **Dedoose** excerpt export: ``Media Title``, ``Excerpt Copy``, ``Excerpt Creator`` and one column per code
  holding 0/1 or a weight; a code applies where its value is not 0. Columns taken as codes are the ones every
  value of which is a number (Dedoose's fixed columns apart) and, when the export has ``Codes Applied
  Combined``, whose name appears there (so a numeric descriptor such as age is not read as a code); the
  columns read as codes and those not are listed in the messages; weights other than 1 are counted there too.

Named with what to export instead (their spreadsheets hold no positions, and each program writes REFI-QDA
``.qdpx``, which carries them): QDA Miner's coding retrieval, Quirkos' quotes export, NVivo's coding
summary, ATLAS.ti's quotation list. Delve's excerpt CSV is named too: export the transcripts and code them
here, or place its excerpts by writing the CSV ``transcript, code, quote, start, end``.

How sure the recognition is: MAXQDA's and Dedoose's columns are those their manuals list. Delve's help pages call
a coded passage a *snippet* (Codes, Snippets and Transcripts are its three panels), so a Delve export is recognised
by a column naming snippets beside a code column, or by the ``Excerpt``, ``Code``, ``Transcript`` columns an earlier
round assumed; Delve publishes no column list, so the exact headings are not confirmed. QDA Miner's coding
retrieval table is recognised by its ``Case``, ``Category`` and ``Code`` columns, which its user guide names; the
column holding the text (``Text`` or ``Segment``) is not needed for the recognition, since the file is refused
either way.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from cm_research.qual.errors import CodingImportError

MAXQDA = "MAXQDA"
DEDOOSE = "Dedoose"
_DEDOOSE_FIXED = {"excerpt creator", "excerpt date", "resource creator", "resource date", "media title",
                  "excerpt range", "excerpt copy", "codes applied combined", "excerpt id", "resource id",
                  "excerpt memo", "media id"}
#: other programs' exports, recognised by their columns, with what to export instead
_NAMED = [
    ("QDA Miner", {"case", "category", "code"},
     "in QDA Miner use File > Export > REFI-QDA project (.qdpx) and import that with cm-research import-qda"),
    ("Quirkos", {"quirk"},
     "in Quirkos export the project as REFI-QDA (.qdpx) and import that with cm-research import-qda"),
    ("NVivo", {"coded text", "reference"},
     "in NVivo use Share > Export Project as REFI-QDA (.qdpx) and import that with cm-research import-qda"),
    ("ATLAS.ti", {"quotation name", "document"},
     "in ATLAS.ti use Export > REFI-QDA project (.qdpx) and import that with cm-research import-qda"),
    ("Delve", {"excerpt", "code", "transcript"},
     "Delve's excerpts carry no positions: add columns start and end (character offsets) and quote, or code "
     "the transcripts here (cm-research thematic) and keep the Delve export as a record"),
    ("Delve", {"snippet", "code"},
     "Delve's snippets carry no positions: add columns start and end (character offsets) and quote, or code "
     "the transcripts here (cm-research thematic) and keep the Delve export as a record"),
]


def _norm(column: str) -> str:
    """A column or code name as compared: lower case, underscores as spaces (the CSV reader writes headers
    lower-cased with underscores), white space squashed."""
    return re.sub(r"[\s_]+", " ", str(column).strip().lower())


def _read_table(path: Path) -> pd.DataFrame:
    """Every cell as text (empty for blank); the spreadsheet row of each record in ``row``."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        table = pd.read_excel(path, dtype=str, keep_default_na=False)
    else:
        from cm_research.interop.records import read_csv_records

        header, rows = read_csv_records(path, CodingImportError)
        table = pd.DataFrame([r for _, r in rows], columns=header)
        table.index = [n for n, _ in rows]
        table.insert(0, "row", table.index)
        return table.fillna("")
    table.insert(0, "row", range(2, len(table) + 2))
    return table.fillna("")


def find_quote(text: str, content: str) -> list[tuple[int, int]]:
    """Every place ``content`` occurs in ``text``: exactly, else with any run of white space matching any other
    (a spreadsheet cell holds a quote's line breaks as spaces)."""
    found, k = [], text.find(content)
    while content and k != -1:
        found.append((k, k + len(content)))
        k = text.find(content, k + 1)
    if found:
        return found
    words = content.split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(map(re.escape, words)))
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def _transcript(corpus, document: str) -> str | None:
    if document in corpus:
        return document
    return Path(document).stem if Path(document).stem in corpus else None


def identify_export(columns) -> str | None:
    """The program whose coded-segment export has these columns, or None."""
    names = {_norm(c) for c in columns}
    if {"document name", "code", "segment"} <= names:
        return MAXQDA
    if {"media title", "excerpt copy"} <= names:
        return DEDOOSE
    for program, needed, _ in _NAMED:
        if needed == {"quirk"}:
            if any("quirk" in n for n in names):
                return program
        elif needed == {"snippet", "code"}:  # Delve names coded passages snippets ("Snippet", "Snippet Text")
            if any("snippet" in n for n in names) and names & {"code", "codes", "code name", "parent code"}:
                return program
        elif needed <= names:
            return program
    return None


def export_advice(path: str | Path, program: str | None = None) -> str | None:
    """What to do with another program's coded-segment export given where a project was expected, or None."""
    path = Path(path)
    program = program or identify_export(_read_table(path).columns[1:])
    if program in (MAXQDA, DEDOOSE):
        return (f"this is {program}'s export of coded segments, not a project: give it with the transcripts it "
                f"was coded on, as cm-research thematic --transcripts DIR --coding {path.name}")
    if program:
        return (f"this looks like {program}'s export of coded text, which does not say where in each document "
                "the words are; " + next(a for p, _, a in _NAMED if p == program))
    return None


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _highlights(table: pd.DataFrame, program: str, where: str) -> tuple[pd.DataFrame, list[str]]:
    """(highlights: row, id, document, tag, content, coder; messages about what is not carried)."""
    cols = {_norm(c): c for c in table.columns}
    rows, messages = [], []
    if program == MAXQDA:
        weights = 0
        for _, r in table.iterrows():
            code = r[cols["code"]].split("\\")[-1].strip()
            weight = _number(r[cols["weight score"]]) if "weight score" in cols else None
            weights += weight not in (None, 0.0)
            rows.append({"row": r["row"], "id": str(r["row"]), "document": r[cols["document name"]].strip(),
                         "tag": code, "content": r[cols["segment"]],
                         "coder": r[cols["created by"]].strip() if "created by" in cols else ""})
        if weights:
            messages.append(f"{where}: {weights} segments carry a MAXQDA weight score other than 0; the coding "
                            "table has no weight, so the weights are not carried (they stay in the export)")
    else:
        fixed = {c for c in table.columns if _norm(c) in _DEDOOSE_FIXED or c == "row"}
        codes = [c for c in table.columns if c not in fixed
                 and all(v.strip() == "" or _number(v) is not None for v in table[c])]
        if "codes applied combined" in cols:  # a numeric descriptor (age) is no code: a code is named there
            named = " | ".join(table[cols["codes applied combined"]])
            codes = [c for c in codes if _norm(c) in _norm(named)]
        other = [c for c in table.columns if c not in fixed and c not in codes]
        if other:
            messages.append(f"{where}: columns {', '.join(map(repr, other))} were read as descriptors, not codes "
                            "(they hold text, or are not named in Codes Applied Combined)")
        weighted = 0
        for _, r in table.iterrows():
            for code in codes:
                value = _number(r[code]) if r[code].strip() else 0.0
                if value:
                    weighted += value != 1
                    rows.append({"row": r["row"], "id": str(r["row"]), "document": r[cols["media title"]].strip(),
                                 "tag": str(code).strip(), "content": r[cols["excerpt copy"]],
                                 "coder": r[cols["excerpt creator"]].strip() if "excerpt creator" in cols else ""})
        messages.append(f"{where}: Dedoose code columns read: {', '.join(map(str, codes)) or 'none'}")
        if weighted:
            messages.append(f"{where}: {weighted} code applications carry a weight other than 1; the coding "
                            "table has no weight, so the weights are not carried (they stay in the export)")
    return pd.DataFrame(rows, columns=["row", "id", "document", "tag", "content", "coder"]), messages


def read_segment_export(path: str | Path, corpus, known_codes: set[str] | None = None,
                        coder: str | None = None) -> tuple[list[dict], list[str]] | None:
    """The coding in another program's coded-segment export, placed in ``corpus``; None when ``path`` is no
    such export.

    Returns (one dict a coded span: transcript, start, end, segment_id, code, coder, source, quote, row -- the
    columns of :data:`cm_research.qual.coding.CODING_COLUMNS`; messages about what was not carried).

    Raises
    ------
    CodingImportError naming the program and what to export instead for an export that cannot be placed, and
    naming every row whose words are not found exactly once in its document, whose document is not among the
    transcripts, or whose code is not in the codebook (``known_codes``).
    """
    path = Path(path)
    table = _read_table(path)
    program = identify_export([c for c in table.columns if c != "row"])
    if program is None:
        return None
    if program not in (MAXQDA, DEDOOSE):
        raise CodingImportError.from_problems([{
            "file": path.name, "line": 1, "column": "", "value": ", ".join(map(str, table.columns[1:]))[:80],
            "message": export_advice(path, program)}], path.name)
    highlights, messages = _highlights(table, program, path.name)
    spelled = {_norm(k): k for k in known_codes or ()}  # the CSV reader lower-cases a code column's name
    rows, problems = [], []
    for h in highlights.itertuples(index=False):
        def problem(column, value, message):
            problems.append({"file": path.name, "line": h.row, "column": column, "value": str(value)[:80],
                             "message": message})

        key = _transcript(corpus, h.document)
        if key is None:
            problem("document", h.document, f"no transcript named {h.document!r} among the transcripts")
            continue
        spots = find_quote(corpus.text(key), h.content)
        if len(spots) != 1:
            problem("", h.content, (
                f"the words of this {program} segment are not in {h.document!r}" if not spots else
                f"the words of this {program} segment occur {len(spots)} times in {h.document!r} (at "
                + ", ".join(f"{a}..{b}" for a, b in spots[:5]) + "); they must be found exactly once: "
                "place it by hand (columns transcript, code, start, end)"))
            continue
        code = spelled.get(_norm(h.tag), h.tag)
        if known_codes is not None and code not in known_codes:
            problem("code", h.tag, f"code {h.tag!r} is not in the codebook")
            continue
        if not (h.coder or coder):
            problem("coder", "", f"the {program} export does not name this segment's coder: say who coded it "
                                 "(--coder NAME, or coder='NAME')")
            continue
        start, end = spots[0]
        rows.append({"transcript": key, "start": start, "end": end, "segment_id": "", "code": code,
                     "coder": h.coder or coder, "source": "human", "quote": corpus.text(key)[start:end],
                     "row": h.row})
    if problems:
        raise CodingImportError.from_problems(problems, path.name)
    return rows, messages
