"""Taguette: import a project database (``.sqlite3``) and the CSV exports (codebook, highlights).

Taguette (taguette.org) keeps documents as HTML and each highlight as offsets into the document's text content
(the HTML with its tags removed and entities decoded), counted in UTF-8 bytes (Taguette's web page measures
selections by their UTF-8 length and its ``extract.py`` counts bytes; the real-client test checks this against
a running Taguette), with the highlighted snippet. The database import turns each document into a transcript
whose text is exactly that text content, converts the byte offsets to characters, and checks each highlight
against its snippet.

The highlights CSV (``id, document, tag, content``) carries no offsets: :func:`locate_highlights` finds each
highlight's text in its document (exactly, then allowing any run of white space to differ). A highlight
found once is placed; one found nowhere, or in more than one place, is not placed and is listed in the
report with its status (``not_found`` / ``ambiguous``) and where it was found, never silently dropped.

Tags become codes; as with REFI-QDA imports each top-level code is a theme (see
:func:`cm_research.interop.qda.read.codebook_from_codes`). Roles come from ``roles`` (document name -> role, any
accepted spelling) when given; otherwise they are ``"unknown"`` and ``messages`` says so.
"""

from __future__ import annotations

import json
import re
import sqlite3
from html.parser import HTMLParser
from pathlib import Path
from typing import Mapping

import pandas as pd

from cm_research.interop.records import read_csv_records
from cm_research.qual.codebook import Codebook
from cm_research.qual.memos import NOTE_COLUMNS
from cm_research.qual.coding import CODING_COLUMNS
from cm_research.interop.qda.read import (CODE_COLUMNS, SELECTION_COLUMNS, SOURCE_COLUMNS, QdaImportError,
                                          QdaProject, _as_transcript, codebook_from_codes)
from cm_research.qual.roles import normalise_role
from cm_research.qual.qda_segments import find_quote
from cm_research.qual.transcripts import Corpus, squash_whitespace

HIGHLIGHT_REPORT_COLUMNS = ["row", "id", "document", "tag", "status", "n_found", "start", "end", "content",
                            "message"]


class _TextContent(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(html: str) -> str:
    """The text content of Taguette HTML: tags removed, entities decoded, nothing added (Taguette's offsets
    count these characters)."""
    parser = _TextContent()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def _problem(where: str, line, column: str, value: str, message: str) -> dict:
    return {"file": where, "line": line, "column": column, "value": str(value)[:80], "message": message}


def _tag_codes(tags: pd.DataFrame) -> pd.DataFrame:
    """A code tree (``QdaProject.codes`` columns) of flat tags: columns tag, description."""
    return pd.DataFrame({
        "guid": [f"taguette-tag-{t}" for t in tags["tag"]], "code": tags["tag"], "label": tags["tag"],
        "theme": tags["tag"], "parent": "", "depth": 1, "path": tags["tag"], "description": tags["description"],
        "is_codable": True, "n_children": 0, "color": ""}, columns=CODE_COLUMNS)


def _role(document: str, roles: Mapping[str, str] | None, messages: list[str]) -> str:
    raw = (roles or {}).get(document, "")
    if not raw:
        messages.append(f"{document}: no role given (pass roles={{document: role}}); role set to 'unknown'")
        return "unknown"
    return normalise_role(raw) or raw.strip().lower()


# ------------------------------------------------------------------------------------------------------- database

#: a Taguette database is read within this many seconds (a crafted one, e.g. a recursive view, would never end)
READ_SECONDS = 20.0
TAGUETTE_TABLES = ("projects", "tags", "commands", "documents", "highlights", "highlight_tags", "project_members")


def _refuse(path: Path, message: str) -> QdaImportError:
    return QdaImportError.from_problems([_problem(path.name, None, "", "", message)], path.name)


def _open_database(path: Path, seconds: float = READ_SECONDS) -> sqlite3.Connection:
    """Open a Taguette database for reading only, with its tables checked and every query bounded in time.

    A foreign database is untrusted input: it is opened read-only and immutable (nothing is written, not even a
    journal), with ``trusted_schema`` off, each of :data:`TAGUETTE_TABLES` must be a real table (a view could be
    endless), and a progress handler interrupts any query running past ``seconds`` in all.
    """
    import time

    if not path.is_file():
        raise _refuse(path, f"no such file: {path}")
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as exc:
        raise _refuse(path, f"cannot be opened as a database ({exc})") from None
    deadline = time.monotonic() + seconds
    con.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        con.execute("PRAGMA trusted_schema = OFF")
        kinds = dict(con.execute("SELECT name, type FROM sqlite_master WHERE name IN (%s)"
                                 % ",".join("?" * len(TAGUETTE_TABLES)), TAGUETTE_TABLES).fetchall())
    except sqlite3.Error as exc:
        con.close()
        raise _refuse(path, f"not a Taguette database ({exc}); export the project from Taguette or copy its "
                            ".sqlite3 file") from None
    missing = [t for t in TAGUETTE_TABLES if kinds.get(t) != "table"]
    if missing:
        con.close()
        what = "; ".join(f"`{t}` is {'a ' + kinds[t] if t in kinds else 'missing'}" for t in missing)
        raise _refuse(path, f"not a Taguette database: {what} (a Taguette database has the tables "
                            f"{', '.join(TAGUETTE_TABLES)})")
    return con


def _plain_database_errors(function):
    """Turn what a damaged or crafted database makes fail (SQL errors, a query past its time, values of the wrong
    type, commands that are not JSON) into a QdaImportError naming the file."""
    import functools

    @functools.wraps(function)
    def wrapper(path, *args, **kwargs):
        try:
            return function(path, *args, **kwargs)
        except QdaImportError:
            raise
        except sqlite3.OperationalError as exc:
            message = (f"reading it took more than {READ_SECONDS:g} seconds and was stopped (a damaged or crafted "
                       "database)" if "interrupt" in str(exc) else f"a query failed ({exc})")
            raise _refuse(Path(path), message) from None
        except (sqlite3.Error, TypeError, ValueError, AttributeError, OverflowError) as exc:
            raise _refuse(Path(path), f"the database holds values Taguette would not write "
                                      f"({type(exc).__name__}: {exc})") from None
    return wrapper


@_plain_database_errors
def import_taguette(path: str | Path, roles: Mapping[str, str] | None = None,
                    sites: Mapping[str, str] | None = None, project: str | None = None) -> QdaProject:
    """Import a Taguette project database (``.sqlite3``) onto the qual data model.

    Parameters
    ----------
    path
        The database file Taguette keeps (one file may hold several projects).
    roles, sites
        Document name -> role / site of the person interviewed.
    project
        Name of the project to read when the database holds more than one.

    Returns
    -------
    :class:`~cm_research.interop.qda.read.QdaProject`; ``selections`` lists every highlight with status
    ``aligned`` (its offsets give its snippet) or ``misaligned`` (kept, listed in ``messages``).
    """
    path = Path(path)
    con = _open_database(path)
    try:
        projects = con.execute("SELECT id, name FROM projects ORDER BY id").fetchall()
    except sqlite3.DatabaseError as exc:
        raise QdaImportError.from_problems([_problem(path.name, None, "", "", (
            f"not a Taguette database ({exc}); export the project from Taguette or copy its .sqlite3 file"))],
            path.name) from exc
    if project is not None:
        projects = [p for p in projects if p[1] == project]
    if len(projects) != 1:
        names = ", ".join(repr(p[1]) for p in con.execute("SELECT id, name FROM projects"))
        con.close()
        raise QdaImportError.from_problems([_problem(path.name, None, "project", project or "", (
            f"the database holds projects {names or '(none)'}; say which one with project=..."))], path.name)
    project_id, project_name = projects[0]
    messages: list[str] = []
    tags = pd.DataFrame(con.execute("SELECT id, path, description FROM tags WHERE project_id = ? ORDER BY id",
                                    (project_id,)).fetchall(), columns=["tag_id", "tag", "description"])
    codes = _tag_codes(tags)
    coder_of = {}
    for login, payload in con.execute("SELECT user_login, payload FROM commands WHERE project_id = ?",
                                      (project_id,)):
        try:
            data = json.loads(payload)
        except (TypeError, ValueError):
            messages.append(f"a command of {login!r} is not JSON; who made its highlight is not known")
            continue
        if isinstance(data, dict) and data.get("type") == "highlight_add":
            coder_of[data.get("highlight_id")] = login
    transcripts, sources, selections, coding = [], [], [], []
    # the project's and the documents' descriptions travel as notes (memos.csv), as REFI-QDA descriptions do
    notes = [{"guid": "", "kind": "description", "name": "", "text": text.strip(), "target_kind": "project",
              "target_guid": "", "target": "", "creating_user": "", "description": ""}
             for (text,) in con.execute("SELECT description FROM projects WHERE id = ?", (project_id,))
             if isinstance(text, str) and text.strip()]
    for doc_id, name, description, contents in con.execute(
            "SELECT id, name, description, contents FROM documents WHERE project_id = ? ORDER BY id",
            (project_id,)).fetchall():
        text = html_text(contents)
        transcript, how = _as_transcript(name, text, _role(name, roles, messages), (sites or {}).get(name, "unknown"),
                                         name, name)
        transcripts.append(transcript)
        if (description or "").strip():
            notes.append({"guid": "", "kind": "description", "name": "", "text": description.strip(),
                          "target_kind": "source", "target_guid": str(doc_id), "target": name, "creating_user": "",
                          "description": ""})
        # LEFT JOINs: a highlight that carries no tag is still listed (with no codings), never lost
        rows = con.execute("SELECT h.id, h.start_offset, h.end_offset, h.snippet, t.path FROM highlights h "
                           "LEFT JOIN highlight_tags ht ON ht.highlight_id = h.id LEFT JOIN tags t ON t.id = ht.tag_id "
                           "WHERE h.document_id = ? ORDER BY h.id, t.id", (doc_id,)).fetchall()
        by_highlight: dict[int, list] = {}
        # Taguette counts UTF-8 bytes of the text content; positions here are characters (-1: outside the text
        # or inside a character); raw_of keeps the offsets as Taguette wrote them
        encoded, raw_of = text.encode("utf-8"), {}
        for hid, raw_start, raw_end, snippet, tag in rows:
            raw_of[hid] = (raw_start, raw_end)
            start, end = _byte_to_char(encoded, raw_start), _byte_to_char(encoded, raw_end)
            tag_list = by_highlight.setdefault(hid, [start, end, snippet, []])[3]
            if tag is not None:
                tag_list.append(tag)
        bad = []
        for hid, (start, end, snippet, tag_list) in by_highlight.items():
            inside = isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text)
            quoted = text[start:end] if inside else ""
            status = ("aligned" if inside and squash_whitespace(quoted) == squash_whitespace(html_text(snippet)) else
                      "misaligned" if inside else "outside")
            if status != "aligned":
                bad.append(f"highlight {hid} at bytes {raw_of[hid][0]}..{raw_of[hid][1]}")
            selections.append({"transcript": name, "guid": str(hid), "name": squash_whitespace(html_text(snippet))[:60],
                               "raw_start": raw_of[hid][0], "raw_end": raw_of[hid][1],
                               "start": start if inside else pd.NA,
                               "end": end if inside else pd.NA, "status": status, "n_codings": len(tag_list),
                               "text": quoted})
            if inside:
                for tag in tag_list:
                    coding.append({"transcript": name, "start": start, "end": end, "segment_id": "", "code": tag,
                                   "coder": coder_of.get(hid, "unknown"), "source": "human", "quote": quoted,
                                   "row": pd.NA})
        if bad:
            messages.append(f"{name}: {len(bad)} highlights do not match their snippet (kept as given) or fall "
                            f"outside the text (not imported): {'; '.join(bad[:3])}")
        sources.append({"guid": str(doc_id), "name": name, "kind": "text", "transcript": name,
                        "status": "imported", "offset_convention": "UTF-8 bytes of the HTML text content",
                        "n_selections": len(by_highlight), "message": how})
    users = pd.DataFrame([{"guid": login, "name": login} for (login,) in con.execute(
        "SELECT user_login FROM project_members WHERE project_id = ? ORDER BY user_login", (project_id,))],
        columns=["guid", "name"])
    con.close()
    coding_table = pd.DataFrame(coding, columns=CODING_COLUMNS)
    return QdaProject(
        name=project_name, origin="Taguette", corpus=Corpus(transcripts),
        codebook=(codebook_from_codes(codes, project_name, set(), path.name) if len(codes)
                  else Codebook(name=project_name, themes=())),
        coding=coding_table, codes=codes, users=users, sources=pd.DataFrame(sources, columns=SOURCE_COLUMNS),
        selections=pd.DataFrame(selections, columns=SELECTION_COLUMNS),
        cases=pd.DataFrame(columns=["case", "variable", "value", "transcript"]), messages=messages,
        notes=pd.DataFrame(notes, columns=[*NOTE_COLUMNS, "description"]).fillna(""))


def _byte_to_char(encoded: bytes, offset: int) -> int:
    """The character position of a UTF-8 byte offset; -1 outside the text, inside a character, or not a number."""
    if not isinstance(offset, int) or not 0 <= offset <= len(encoded):
        return -1
    try:
        return len(encoded[:offset].decode("utf-8"))
    except UnicodeDecodeError:
        return -1


# ---------------------------------------------------------------------------------------------------------- CSVs

def _read_csv(path: Path, required: list[str]) -> list[tuple[int, dict[str, str]]]:
    return read_csv_records(path, QdaImportError, required=required, unescape=False,
                            hint=f"; a Taguette export has {', '.join(required)}")[1]


def read_taguette_codebook(path: str | Path) -> tuple[pd.DataFrame, Codebook]:
    """Read Taguette's codebook CSV (tag, description, number of highlights, number of documents).

    Returns (the table with columns tag, description, n_highlights, n_documents; the codebook, one theme per
    tag). Taguette's ``.qdc`` codebook export reads with :func:`cm_research.interop.qda.read.read_qdc`.
    """
    path = Path(path)
    rows = _read_csv(path, ["tag", "description"])
    table = pd.DataFrame([{"tag": r["tag"].strip(), "description": r.get("description", "").strip(),
                           "n_highlights": int(r.get("number_of_highlights") or 0),
                           "n_documents": int(r.get("number_of_documents") or 0)} for _, r in rows])
    return table, codebook_from_codes(_tag_codes(table), path.stem, set(), path.name)


def locate_highlights(highlights: pd.DataFrame, corpus: Corpus, coder: str = "taguette",
                      where: str = "highlights") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Place highlights that carry no offsets (columns id, document, tag, content; optional row) in their documents.

    Returns (coding table of the highlights found exactly once; report with one row per highlight id and
    document: row, id, document, tag ("; "-joined), status (located / not_found / ambiguous / unknown_document),
    n_found, start, end, content, message).
    """
    coding, report = [], []
    for (hid, document), block in highlights.groupby(["id", "document"], sort=False):
        first = block.iloc[0]
        content, tags = first["content"], list(dict.fromkeys(block["tag"]))
        row = int(first["row"]) if "row" in block and pd.notna(first["row"]) else None
        key = document if document in corpus else Path(document).stem
        base = {"row": row, "id": hid, "document": document, "tag": "; ".join(tags), "content": content}
        if key not in corpus:
            report.append({**base, "status": "unknown_document", "n_found": 0, "start": pd.NA, "end": pd.NA,
                           "message": f"{where}, row {row}: no document {document!r} among the transcripts"})
            continue
        text = corpus.text(key)
        spots = find_quote(text, content)
        if len(spots) != 1:
            status = "not_found" if not spots else "ambiguous"
            message = (f"{where}, row {row}: the highlighted text is not in {document!r}" if not spots else
                       f"{where}, row {row}: the highlighted text occurs {len(spots)} times in {document!r} (at "
                       + ", ".join(f"{s}..{e}" for s, e in spots[:5]) + "); place it by hand")
            report.append({**base, "status": status, "n_found": len(spots), "start": pd.NA, "end": pd.NA,
                           "message": message})
            continue
        start, end = spots[0]
        report.append({**base, "status": "located", "n_found": 1, "start": start, "end": end, "message": ""})
        for tag in tags:
            coding.append({"transcript": key, "start": start, "end": end, "segment_id": "", "code": tag,
                           "coder": coder, "source": "human", "quote": text[start:end], "row": row})
    return pd.DataFrame(coding, columns=CODING_COLUMNS), pd.DataFrame(report, columns=HIGHLIGHT_REPORT_COLUMNS)


def read_taguette_highlights(path: str | Path, corpus: Corpus, coder: str = "taguette") -> tuple[
        pd.DataFrame, pd.DataFrame]:
    """Read Taguette's highlights CSV (id, document, tag, content) and place each highlight in ``corpus``.

    ``corpus`` holds the documents (e.g. ``import_taguette(db).corpus`` or transcripts read from files named as
    the documents). Returns (coding table, report) as :func:`locate_highlights`; highlights not found or
    ambiguous are in the report, not the coding.
    """
    path = Path(path)
    rows = _read_csv(path, ["id", "document", "tag", "content"])
    table = pd.DataFrame([{"row": n, "id": r["id"].strip(), "document": r["document"].strip(),
                           "tag": r["tag"].strip(), "content": r["content"]} for n, r in rows],
                         columns=["row", "id", "document", "tag", "content"])
    return locate_highlights(table, corpus, coder=coder, where=path.name)
