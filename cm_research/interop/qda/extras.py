"""What a REFI-QDA project holds besides codes and codings: notes (memos), comments, sets, links, graphs.

Import reads them into tidy tables so that nothing vanishes on the way through cm_research; export writes them
back under the GUIDs they had, so a note on a code, a set of documents or a link from a memo to a quotation
comes back attached to the same thing.

* ``notes`` — one row per note attachment: ``kind`` is ``note`` (a REFI ``<Note>``, a memo), ``comment`` (the
  ``<Description>`` of a selection: ATLAS.ti's quotation comment) or ``description`` (of the project or a
  source). ``target_kind`` is project, source, code, selection, coding, case, set or link; ``target`` names it
  (transcript, code path, or selection as ``transcript start..end``). A note referred to from nowhere is a
  project memo. Columns: :data:`NOTE_COLUMNS`.
* ``sets`` — one row per member: set_guid, set, description, member_kind (code, source, note), member_guid,
  member. A set without members is one row with empty member columns (kept, not dropped).
* ``links`` — one row per link: guid, name, direction, color, origin_guid, target_guid, origin, target.

Graphs (ATLAS.ti networks) have no counterpart in the analysis and are not carried: :func:`read_extras` says
so in its messages, naming how many, so the analyst knows to keep the original project file.

ATLAS.ti writes a code hierarchy as names joined by ``::`` ("Coke::diet Coke") at the top level;
:func:`nest_double_colon_codes` reads that as the code "diet Coke" under "Coke".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pandas as pd
from lxml import etree

from cm_research.qual.memos import NOTE_COLUMNS

SET_COLUMNS = ["set_guid", "set", "description", "member_kind", "member_guid", "member"]
LINK_COLUMNS = ["guid", "name", "direction", "color", "origin_guid", "target_guid", "origin", "target"]

_NS = "urn:QDA-XML:project:1.0"
_TARGET_KIND = {"Project": "project", "TextSource": "source", "PictureSource": "source", "PDFSource": "source",
                "AudioSource": "source", "VideoSource": "source", "Code": "code", "PlainTextSelection": "selection",
                "PictureSelection": "selection", "PDFSelection": "selection", "AudioSelection": "selection",
                "VideoSelection": "selection", "TranscriptSelection": "selection", "Coding": "coding",
                "Case": "case", "Set": "set", "Link": "link", "Note": "note"}


def guid_key(value) -> str:
    """A GUID as compared everywhere: without braces, lower case ("" for a missing one)."""
    return value.strip("{}").lower() if isinstance(value, str) else ""


_g = guid_key


def _local(element) -> str:
    return etree.QName(element).localname


def _text_of(element, name: str) -> str:
    child = element.find(f"{{{_NS}}}{name}")
    return (child.text or "") if child is not None else ""


def describe_guids(root, codes: pd.DataFrame, selections: pd.DataFrame) -> dict[str, str]:
    """GUID -> a readable name of what it names (code path, source name, selection as ``source a..b``)."""
    names = dict(zip(codes["guid"], codes["path"]))
    for element in root.iter():
        if not isinstance(element.tag, str) or not element.get("guid"):
            continue
        guid = _g(element.get("guid"))
        if guid in names:
            continue
        kind = _local(element)
        if kind.endswith("Selection"):
            source = element.getparent()
            names[guid] = (f"{source.get('name') or _g(source.get('guid'))} "
                           f"{element.get('startPosition', '')}..{element.get('endPosition', '')}")
        else:
            names[guid] = element.get("name") or guid
    for r in selections.itertuples():
        if _g(r.guid) and pd.notna(r.start):
            names[_g(r.guid)] = f"{r.transcript} {r.start}..{r.end}"
    return names


def read_extras(root, names: dict[str, str], user_name: dict[str, str], read_note_text=None) -> tuple[
        pd.DataFrame, pd.DataFrame, pd.DataFrame, list[str]]:
    """(notes, sets, links, messages) of a REFI-QDA project element (see the module docstring).

    ``read_note_text(path) -> str | None`` reads a note's ``plainTextPath`` when the note has no inline text.
    """
    messages: list[str] = []
    notes_by_guid: dict[str, dict] = {}
    for note in root.iter(f"{{{_NS}}}Note"):
        text = _text_of(note, "PlainTextContent")
        if not text and note.get("plainTextPath") and read_note_text is not None:
            text = read_note_text(note.get("plainTextPath")) or ""
            if not text:
                messages.append(f"note {note.get('name')!r}: its text ({note.get('plainTextPath')}) was not found; "
                                "the note is kept with an empty text")
        description = _text_of(note, "Description").strip()
        notes_by_guid[_g(note.get("guid"))] = {
            "guid": _g(note.get("guid")), "kind": "note", "name": note.get("name") or "",
            "text": text, "creating_user": user_name.get(
                _g(note.get("creatingUser")), _g(note.get("creatingUser"))), "description": description}
    rows: list[dict] = []
    referred: set[str] = set()
    for ref in root.iter(f"{{{_NS}}}NoteRef"):
        owner = ref.getparent()
        guid = _g(ref.get("targetGUID"))
        note = notes_by_guid.get(guid)
        if note is None:
            messages.append(f"a note reference to {guid!r} on {_local(owner)} {owner.get('name') or ''!r} names "
                            "no note in the project; not imported")
            continue
        referred.add(guid)
        target_guid = _g(owner.get("guid"))
        rows.append({**note, "target_kind": _TARGET_KIND.get(_local(owner), _local(owner).lower()),
                     "target_guid": target_guid, "target": names.get(target_guid, owner.get("name") or "")})
    for guid, note in notes_by_guid.items():
        if guid not in referred:
            rows.append({**note, "target_kind": "project", "target_guid": "", "target": ""})
    # comments (selection descriptions) and descriptions of the project and its sources
    project_description = _text_of(root, "Description").strip()
    if project_description:
        rows.append({"guid": "", "kind": "description", "name": "", "text": project_description,
                     "target_kind": "project", "target_guid": "", "target": "", "creating_user": ""})
    for element in root.iter():
        if not isinstance(element.tag, str) or _local(element) == "Project":
            continue
        kind = _TARGET_KIND.get(_local(element))
        if kind not in ("selection", "source"):
            continue
        description = _text_of(element, "Description").strip()
        if description:
            guid = _g(element.get("guid"))
            rows.append({"guid": "", "kind": "comment" if kind == "selection" else "description", "name": "",
                         "text": description, "target_kind": kind, "target_guid": guid,
                         "target": names.get(guid, ""), "creating_user": user_name.get(
                             _g(element.get("creatingUser")), "")})
    notes = pd.DataFrame(rows, columns=[*NOTE_COLUMNS, "description"]).astype(object).fillna("")
    kind_of = {"MemberCode": "code", "MemberSource": "source", "MemberNote": "note"}
    set_rows = []
    for s in root.iter(f"{{{_NS}}}Set"):
        base = {"set_guid": _g(s.get("guid")), "set": s.get("name") or "", "description": _text_of(s, "Description")}
        members = [m for m in s if isinstance(m.tag, str) and _local(m) in kind_of]
        for m in members:
            guid = _g(m.get("targetGUID"))
            set_rows.append({**base, "member_kind": kind_of[_local(m)], "member_guid": guid,
                             "member": names.get(guid, "")})
        if not members:
            set_rows.append({**base, "member_kind": "", "member_guid": "", "member": ""})
    sets = pd.DataFrame(set_rows, columns=SET_COLUMNS)
    links = pd.DataFrame([{
        "guid": _g(k.get("guid")), "name": k.get("name") or "", "direction": k.get("direction") or "",
        "color": k.get("color") or "", "origin_guid": _g(k.get("originGUID")), "target_guid": _g(k.get("targetGUID")),
        "origin": names.get(_g(k.get("originGUID")), ""), "target": names.get(_g(k.get("targetGUID")), "")}
        for k in root.iter(f"{{{_NS}}}Link")], columns=LINK_COLUMNS)
    n_graphs = sum(1 for _ in root.iter(f"{{{_NS}}}Graph"))
    if n_graphs:
        messages.append(f"{n_graphs} graph{'s' if n_graphs != 1 else ''} (networks drawn in the QDA program) "
                        "not imported: cm_research has no graphs; keep the original project file for them")
    counts = {"memos and notes": int((notes["kind"] == "note").sum()),
              "comments": int((notes["kind"] == "comment").sum()), "sets": sets["set_guid"].nunique(),
              "links": len(links)}
    carried = ", ".join(f"{n} {what}" for what, n in counts.items() if n)
    if carried:
        messages.append(f"carried through (memos.csv, sets.csv, links.csv; written back by export-qdpx): {carried}")
    return notes, sets, links, messages


def set_attributes(sets: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Source GUID -> {variable: value} from document groups named ``variable: value`` (ATLAS.ti's convention
    for attributes, e.g. "gender: male" or "role: mentee")."""
    out: dict[str, dict[str, str]] = {}
    for r in sets[sets["member_kind"] == "source"].itertuples():
        if ":" in r.set and "::" not in r.set:
            variable, value = (p.strip() for p in r.set.split(":", 1))
            if variable and value:
                out.setdefault(r.member_guid, {}).setdefault(variable, value)
    return out


def nest_double_colon_codes(codes: pd.DataFrame, namespace: uuid.UUID) -> tuple[pd.DataFrame, list[str]]:
    """Read top-level codes named ``A::B`` as code B under code A (created, not codable, when absent).

    Returns the code tree (``QdaProject.codes`` columns, ``code`` recomputed) and messages.
    """
    rows = codes.drop(columns="code").to_dict("records")
    flat = [r for r in rows if r["depth"] == 1 and "::" in r["label"]]
    if not flat:
        return codes, []
    by_path = {r["path"]: r for r in rows}
    for r in flat:
        parts = [p.strip() for p in r["label"].split("::") if p.strip()]
        parent = ""
        for part in parts[:-1]:
            path = f"{parent} / {part}" if parent else part
            if path not in by_path:
                new = {"guid": str(uuid.uuid5(namespace, "code-group\x1f" + path)), "label": part,
                       "theme": parts[0], "parent": parent, "depth": path.count(" / ") + 1, "path": path,
                       "description": "", "is_codable": False, "n_children": 0, "color": ""}
                rows.append(new)
                by_path[path] = new
            parent = path
        by_path[parent]["n_children"] += 1 + r["n_children"]
        old_path = r["path"]
        r.update(label=parts[-1], parent=parent, depth=parent.count(" / ") + 2, path=f"{parent} / {parts[-1]}",
                 theme=parts[0])
        for d in rows:  # children of the renamed code move with it
            if d["path"].startswith(old_path + " / "):
                d["path"] = r["path"] + d["path"][len(old_path):]
                d["parent"] = r["path"] + d["parent"][len(old_path):]
                d["depth"] += r["depth"] - 1
                d["theme"] = parts[0]
    table = pd.DataFrame(rows)
    # keep each theme's codes together, top-level code first, in the order they were written
    first_seen = {t: k for k, t in enumerate(dict.fromkeys(table["theme"]))}
    table = table.assign(_t=table["theme"].map(first_seen), _d=table["depth"]).sort_values(
        ["_t", "_d"], kind="stable").drop(columns=["_t", "_d"])
    clash = table.duplicated(["theme", "label"], keep=False)
    table.insert(1, "code", table["label"].where(~clash, table["path"]))
    return table.reset_index(drop=True)[codes.columns], [
        f"{len(flat)} codes named with ATLAS.ti's 'parent::child' convention read as nested codes "
        f"(e.g. {flat[0]['path']!r})"]


@dataclass
class ProjectExtras:
    """What an export needs to give a project back as it came: the code tree and GUIDs it had, its users,
    notes, sets and links (see :func:`cm_research.interop.qda.folder.read_project_folder`).

    ``codes`` has the columns of ``QdaProject.codes`` (``code`` is the name the analysis uses, ``label`` the
    name written); ``source_guids`` maps transcript -> GUID; ``selections`` has transcript, guid, start, end
    (offsets in ``Transcript.text``).
    """

    codes: pd.DataFrame
    users: pd.DataFrame
    source_guids: dict[str, str]
    selections: pd.DataFrame
    notes: pd.DataFrame
    sets: pd.DataFrame
    links: pd.DataFrame
    origin: str = ""
    cases: pd.DataFrame | None = None  # case, case_guid, variable, value, transcript
