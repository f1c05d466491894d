"""The analyst's memos file (``memos.csv``) and the notes table it reads into.

A memos file needs columns ``target_kind`` (project, transcript, code or selection), ``target`` (the
transcript's name, the code's name, or ``transcript start..end``) and ``text``; ``name`` is optional. Each row
becomes one row of the notes table (:data:`NOTE_COLUMNS`), its target resolved to the GUID cm_research gives it
(uuid5 in :data:`GUID_NAMESPACE` of a description of the thing named), so the REFI-QDA export
(:mod:`cm_research.interop.qda`) writes each memo as a note attached to the same thing.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pandas as pd

from cm_research.data.writing import unescape_formula_cell
from cm_research.qual.codebook import Codebook
from cm_research.qual.errors import CodingImportError
from cm_research.qual.transcripts import Corpus

#: Namespace of every GUID cm_research writes (uuid5 of a description of the thing named).
GUID_NAMESPACE = uuid.UUID("6f1c3a52-1d0e-5b7a-9c41-2f8e0b6d7a10")
NOTE_COLUMNS = ["guid", "kind", "name", "text", "target_kind", "target_guid", "target", "creating_user"]
MEMO_KINDS = {"project": "project", "transcript": "source", "source": "source", "document": "source",
              "code": "code", "selection": "selection", "quotation": "selection"}


def stable_guid(*parts: str) -> str:
    """The GUID cm_research gives the thing ``parts`` describe: uuid5(GUID_NAMESPACE, parts joined by U+001F)."""
    return str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join(parts)))


def csv_or_empty(path: Path, columns: list[str]) -> pd.DataFrame:
    """A CSV written formula-safe, as text; an absent file is an empty table. Missing ``columns`` are added empty."""
    if not path.is_file():
        return pd.DataFrame(columns=columns)
    table = pd.read_csv(path, dtype=str, keep_default_na=False).map(unescape_formula_cell)  # written formula-safe
    for c in columns:
        if c not in table:
            table[c] = ""
    return table


def read_memos(path: str | Path, corpus: Corpus, codes: pd.DataFrame | None = None,
               source_guids: dict[str, str] | None = None, selections: pd.DataFrame | None = None,
               codebook: Codebook | None = None) -> pd.DataFrame:
    """Read a memos file (see the module docstring) into the notes table of
    :data:`NOTE_COLUMNS`, resolving each target to a GUID. Every row whose target cannot be
    found is refused, with its row number."""
    path = Path(path)
    table = csv_or_empty(path, [*NOTE_COLUMNS, "description"])
    if not path.is_file():
        raise FileNotFoundError(f"no memos file at {path}")
    source_guids = source_guids or {}
    codes = codes if codes is not None else pd.DataFrame(columns=["guid", "code", "label", "path"])
    problems, rows = [], []
    for number, r in enumerate(table.to_dict("records"), start=2):
        kind = MEMO_KINDS.get(r["target_kind"].strip().lower())
        r["kind"] = r["kind"].strip() or "note"
        if kind is None:
            problems.append({"file": path.name, "line": number, "column": "target_kind", "value": r["target_kind"],
                             "message": "target_kind must be project, transcript, code or selection"})
            continue
        r["target_kind"] = kind
        if not r["text"].strip():
            problems.append({"file": path.name, "line": number, "column": "text", "value": "",
                             "message": "the memo is empty"})
            continue
        target = r["target"].strip()
        if not r["target_guid"] and kind != "project":
            guid = None
            if kind == "source":
                name = target if target in corpus else Path(target).stem
                guid = (source_guids.get(name) or (str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join(
                    ["source", name, corpus.text(name)]))) if name in corpus else None))
            elif kind == "code":
                hit = codes[(codes["code"] == target) | (codes["label"] == target) | (codes["path"] == target)]
                guid = hit["guid"].iloc[0] if len(hit) else None
                if guid is None and codebook is not None:  # a codebook of ours: GUIDs as the export makes them
                    named = [c for c in codebook.codes if target in (c.name, c.label)]
                    guid = stable_guid("code", named[0].theme, named[0].name) if named else None
            elif kind == "selection":
                m = re.match(r"^(?P<name>.+?)\s+(?P<start>\d+)\s*\.\.\s*(?P<end>\d+)$", target)
                name = m and (m["name"] if m["name"] in corpus else Path(m["name"]).stem)
                if m and name in corpus:
                    source = source_guids.get(name) or str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join(
                        ["source", name, corpus.text(name)])))
                    guid = str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join(["selection", source, m["start"], m["end"]])))
                    if selections is not None:
                        hit = selections[(selections["transcript"] == name)
                                         & (selections["start"] == int(m["start"]))
                                         & (selections["end"] == int(m["end"]))]
                        guid = hit["guid"].iloc[0] if len(hit) and hit["guid"].iloc[0] else guid
            if guid is None:
                problems.append({"file": path.name, "line": number, "column": "target", "value": target,
                                 "message": f"no {'transcript' if kind == 'source' else kind} {target!r} in the "
                                            "project" + (" (write a selection as 'transcript start..end')"
                                                         if kind == "selection" else "")})
                continue
            r["target_guid"] = guid or ""
        if not r["guid"] and r["kind"] == "note":
            r["guid"] = str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join(["note", kind, target, r["text"]])))
        rows.append(r)
    if problems:
        raise CodingImportError.from_problems(problems, path.name)
    return pd.DataFrame(rows, columns=table.columns)
