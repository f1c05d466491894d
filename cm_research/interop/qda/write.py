"""REFI-QDA export: a codebook as .qdc, a corpus with its codebook and coding as .qdpx (standard 1.0),
notes, sets and links written back under the GUIDs they were read with."""


from __future__ import annotations

import dataclasses
import re
import zipfile
from dataclasses import field
from pathlib import Path

import pandas as pd
from lxml import etree

from cm_research.interop.qda.extras import NOTE_COLUMNS
from cm_research.interop.qda.offsets import _positions
from cm_research.interop.qda.read import CODEBOOK_NS, PROJECT_NS, RGB, QdaProject, _children, _describe, import_qda
from cm_research.qual.codebook import Code, Codebook
from cm_research.qual.errors import CodingImportError
from cm_research.qual.memos import stable_guid as _guid
from cm_research.qual.roles import normalise_role
from cm_research.qual.transcripts import Corpus, squash_whitespace

def _sub(parent, tag: str, ns: str = PROJECT_NS, /, **attrs):
    element = etree.SubElement(parent, f"{{{ns}}}{tag}")
    for key, value in attrs.items():
        if value is not None:
            element.set(key, str(value))
    return element


def _codes_xml(parent, codebook: Codebook, ns: str) -> dict[str, str]:
    """Write <Codes>; returns code name -> GUID (of its first theme, for a shared code)."""
    codes = _sub(parent, "Codes", ns)
    guid_of: dict[str, str] = {}
    for theme in codebook.themes:
        if len(theme.codes) == 1 and theme.codes[0].name == theme.name:
            # a flat code (its own theme) stays one code, so it comes back under its own name
            code = theme.codes[0]
            guid = guid_of.setdefault(code.name, _guid("code", theme.name, code.name))
            c = _sub(codes, "Code", ns, guid=guid, name=code.name, isCodable="true")
            _sub(c, "Description", ns).text = _describe(code.label, code.definition, code.use_when, code.not_when,
                                                        code.example)
            continue
        t = _sub(codes, "Code", ns, guid=_guid("theme", theme.name), name=theme.name, isCodable="false")
        _sub(t, "Description", ns).text = _describe(theme.label, theme.definition)
        for code in theme.codes:
            guid = _guid("code", theme.name, code.name)
            guid_of.setdefault(code.name, guid)
            c = _sub(t, "Code", ns, guid=guid, name=code.name, isCodable="true")
            _sub(c, "Description", ns).text = _describe(code.label, code.definition, code.use_when, code.not_when,
                                                        code.example)
    return guid_of


def _serialise(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def codebook_xml(codebook: Codebook) -> bytes:
    """The codebook as REFI-QDA codebook XML (``.qdc``): themes are parent codes (not codable), codes their
    children; descriptions carry label, definition, use when, do not use when and example."""
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS})
    root.set("origin", "cm_research")
    _codes_xml(root, codebook, CODEBOOK_NS)
    return _serialise(root)


def export_qdc(codebook: Codebook, path: str | Path) -> Path:
    """Write the codebook as a ``.qdc`` file (see :func:`codebook_xml`); matching hints are not exported."""
    path = Path(path)
    path.write_bytes(codebook_xml(codebook))
    return path


def _check_coding(coding: pd.DataFrame, corpus: Corpus, codebook: Codebook) -> None:
    problems = []
    known = set(codebook.code_names)
    for number, r in enumerate(coding.itertuples(index=False), start=1):
        if r.transcript not in corpus:
            problems.append({"file": "coding", "line": number, "column": "transcript", "value": r.transcript,
                             "message": f"transcript {r.transcript!r} is not in the corpus"})
        elif not 0 <= int(r.start) < int(r.end) <= len(corpus.text(r.transcript)):
            problems.append({"file": "coding", "line": number, "column": "start", "value": f"{r.start}..{r.end}",
                             "message": "offsets outside the transcript"})
        if r.code not in known:
            problems.append({"file": "coding", "line": number, "column": "code", "value": r.code,
                             "message": f"code {r.code!r} is not in the codebook"})
    if problems:
        raise CodingImportError.from_problems(problems, "the coding to export")


OFFSET_TARGETS = ("characters", "utf16")


def _tree_xml(parent, codes: pd.DataFrame, codebook: Codebook) -> dict[str, str]:
    """Write <Codes> from a code tree (``QdaProject.codes`` columns), with the GUIDs, names and descriptions it
    had; codes of the codebook not in the tree are added under their theme. Returns code name -> GUID."""
    element = _sub(parent, "Codes")
    at: dict[str, object] = {"": element}
    guid_of: dict[str, str] = {}
    for r in codes.sort_values("depth", kind="stable").itertuples():
        color = getattr(r, "color", "")
        c = _sub(at[r.parent], "Code", guid=r.guid, name=r.label,
                 isCodable="true" if str(r.is_codable).lower() in ("true", "1") else "false",
                 **({"color": color} if isinstance(color, str) and RGB.match(color) else {}))
        if isinstance(r.description, str) and r.description:
            _sub(c, "Description").text = r.description
        at[r.path] = c
        guid_of.setdefault(r.code, r.guid)
    # the analysis may have added codes (codebook.yaml edited after the import)
    theme_path = {r.theme: r.path for r in codes.itertuples() if r.depth == 1}
    for theme in codebook.themes:
        for code in theme.codes:
            if code.name in guid_of:
                continue
            guid = _guid("code", theme.name, code.name)
            host = at.get(theme_path.get(theme.name, ""), element)
            c = _sub(host, "Code", guid=guid, name=code.label or code.name, isCodable="true")
            _sub(c, "Description").text = _describe(code.label, code.definition, code.use_when, code.not_when,
                                                    code.example)
            guid_of[code.name] = guid
    return guid_of


def project_xml(corpus: Corpus, codebook: Codebook, coding: pd.DataFrame, name: str = "cm_research project",
                offsets: str = "characters", extras=None, messages: list[str] | None = None,
                ) -> tuple[bytes, dict[str, str]]:
    """The REFI-QDA ``project.qde`` XML and the source files it names ({zip member: text}).

    Users are the coders; one case per participant (named by ``participant_label``, never the pseudonym) with
    the variables ``role`` and ``site``; one text source per transcript; one plain-text selection per coded
    span, with one coding per (code, coder). GUIDs are uuid5 of what they name, so output is reproducible.

    Parameters
    ----------
    offsets
        ``"characters"`` (code points, as the standard says: ATLAS.ti, MAXQDA, QualCoder, NVivo for Mac) or
        ``"utf16"`` (UTF-16 code units, as NVivo for Windows counts: a character outside the Basic
        Multilingual Plane, such as an emoji, counts two).
    extras
        A :class:`~cm_research.interop.qda.extras.ProjectExtras` (from an imported project): the code tree, GUIDs,
        users, notes, sets and links are written back as they came. Transcripts imported from another program
        (header field ``Imported from``) are written without the header import-qda added, so the source text
        and its offsets are the original's.
    messages
        A list that receives what could not be written (e.g. a link to a video selection), never silently.
    """
    if offsets not in OFFSET_TARGETS:
        raise ValueError(f"offsets must be one of {', '.join(OFFSET_TARGETS)}, not {offsets!r}")
    messages = messages if messages is not None else []
    _check_coding(coding, corpus, codebook)
    root = etree.Element(f"{{{PROJECT_NS}}}Project", nsmap={None: PROJECT_NS})
    root.set("name", name)
    root.set("origin", "cm_research" + (f" (imported from {extras.origin})" if extras is not None and extras.origin
                                        else ""))
    coders = sorted(set(coding["coder"]))
    user_guid = {c: _guid("user", c) for c in coders}
    known_users = [] if extras is None else list(extras.users.itertuples(index=False))
    for u in known_users:
        user_guid[u.name] = u.guid
    if user_guid:
        users = _sub(root, "Users")
        written = set()
        for u in known_users:
            _sub(users, "User", guid=u.guid, name=u.name)
            written.add(u.name)
        for c in coders:
            if c not in written:
                _sub(users, "User", guid=user_guid[c], name=c)
    book = _sub(root, "CodeBook")
    code_guid = (_tree_xml(book, extras.codes, codebook) if extras is not None and len(extras.codes)
                 else _codes_xml(book, codebook, PROJECT_NS))
    participants = corpus.participants()
    source_guid = {t.transcript: ((extras.source_guids.get(t.transcript) if extras is not None else None)
                                  or _guid("source", t.transcript, t.text)) for t in corpus.transcripts}
    kept = _kept_cases(extras, corpus)
    if len(participants) or len(kept):
        names = list(dict.fromkeys(["role", "site", *(v for v in kept["variable"] if v)]))
        variables = _sub(root, "Variables")
        var_guid = {v: _guid("variable", v) for v in names}
        for v in names:
            _sub(variables, "Variable", guid=var_guid[v], name=v, typeOfVariable="Text")
        cases = _sub(root, "Cases")
        in_cases = set(kept["transcript"])
        for case_guid, block in kept.groupby("case_guid", sort=False):
            case = _sub(cases, "Case", guid=case_guid, name=block["case"].iloc[0])
            members = [t for t in dict.fromkeys(block["transcript"]) if t in corpus]
            values = dict(zip(block["variable"], block["value"]))
            if members:  # the role and site in the transcript's header win: the analyst may have corrected them
                header = corpus[members[0]]
                if normalise_role(values.get("role", "")) != header.role:
                    values["role"] = header.role
                if values.get("site", "") != header.site and not (header.site == "unknown" and "site" not in values):
                    values["site"] = header.site
            for v, value in values.items():
                if v:
                    vv = _sub(case, "VariableValue")
                    _sub(vv, "VariableRef", targetGUID=var_guid[v])
                    _sub(vv, "TextValue").text = str(value)
            for transcript in members:
                _sub(case, "SourceRef", targetGUID=source_guid[transcript])
        for participant, block in participants[~participants["transcript"].isin(in_cases)].groupby(
                "participant", sort=False):
            first = block.iloc[0]
            case = _sub(cases, "Case", guid=_guid("case", participant), name=first["participant_label"])
            for v in ("role", "site"):
                vv = _sub(case, "VariableValue")
                _sub(vv, "VariableRef", targetGUID=var_guid[v])
                _sub(vv, "TextValue").text = str(first[v])
            for transcript in block["transcript"]:
                _sub(case, "SourceRef", targetGUID=source_guid[transcript])
    notes = extras.notes if extras is not None else pd.DataFrame(columns=NOTE_COLUMNS)
    notes = notes.fillna("")
    note_refs = notes[(notes["kind"] == "note") & (notes["target_guid"] != "")]
    refs_of: dict[str, list[str]] = {}
    for r in note_refs.itertuples():
        refs_of.setdefault(r.target_guid, []).append(r.guid)
    text_of = {r.target_guid: r.text for r in notes[notes["kind"].isin(["comment", "description"])].itertuples()
               if r.target_guid}
    written_guids: set[str] = set(code_guid.values()) | set(user_guid.values())
    files: dict[str, str] = {}
    if corpus.transcripts:
        sources = _sub(root, "Sources")
        spans = coding.sort_values(["transcript", "start", "end", "code", "coder"])
        by_transcript = {t: block for t, block in spans.groupby("transcript")}
        sel_guid_of = {} if extras is None else {
            (r.transcript, int(r.start), int(r.end)): r.guid for r in extras.selections.itertuples()
            if pd.notna(r.start) and pd.notna(r.end) and r.guid}
        wanted = set(refs_of) | set(text_of)
        if extras is not None:
            wanted |= set(extras.links["origin_guid"]) | set(extras.links["target_guid"])
        for t in corpus.transcripts:
            guid = source_guid[t.transcript]
            written_guids.add(guid)
            body = t.body_start if t.meta.get("imported_from") else 0
            text = t.text[body:]
            pos = _positions(text, offsets) if offsets != "characters" else None
            files[f"Sources/{guid}.txt"] = text
            src = _sub(sources, "TextSource", guid=guid, name=t.transcript, plainTextPath=f"internal://{guid}.txt")
            if text_of.get(guid):
                _sub(src, "Description").text = text_of[guid]
            block = by_transcript.get(t.transcript)
            groups = [] if block is None else [(k, g) for k, g in block.groupby(["start", "end"], sort=True)]
            coded_spans = {k for k, _ in groups}
            for (transcript, start, end), g in sel_guid_of.items():
                if transcript == t.transcript and g in wanted and (start, end) not in coded_spans:
                    groups.append(((start, end), None))  # a selection with a note or comment but no coding
            for (start, end), sel_block in sorted(groups, key=lambda x: x[0]):
                if start < body:
                    messages.append(f"{t.transcript}: a selection at {start}..{end} lies in the header import-qda "
                                    "added; not exported")
                    continue
                sel_guid = sel_guid_of.get((t.transcript, int(start), int(end))) or _guid(
                    "selection", guid, str(start), str(end))
                written_guids.add(sel_guid)
                raw_start, raw_end = ((int(pos[start - body]), int(pos[end - body])) if pos is not None
                                      else (int(start - body), int(end - body)))
                sel = _sub(src, "PlainTextSelection", guid=sel_guid, name=squash_whitespace(t.text[start:end])[:60],
                           startPosition=raw_start, endPosition=raw_end,
                           creatingUser=user_guid[sel_block["coder"].iloc[0]] if sel_block is not None else None)
                if text_of.get(sel_guid):
                    _sub(sel, "Description").text = text_of[sel_guid]
                seen: dict[tuple[str, str], int] = {}
                for code, coder in ([] if sel_block is None else sel_block[["code", "coder"]].itertuples(index=False)):
                    # a span coded twice with the same code by the same coder stays twice: nothing is lost
                    n = seen[(code, coder)] = seen.get((code, coder), 0) + 1
                    c = _sub(sel, "Coding", guid=_guid("coding", sel_guid, code, coder, str(n)),
                             creatingUser=user_guid[coder])
                    _sub(c, "CodeRef", targetGUID=code_guid[code])
                for note in refs_of.get(sel_guid, []):
                    _sub(sel, "NoteRef", targetGUID=note)
            for note in refs_of.get(guid, []):
                _sub(src, "NoteRef", targetGUID=note)
    if extras is not None:
        _extras_xml(root, extras, notes, refs_of, written_guids, messages)
    return _serialise(root), files


def _kept_cases(extras, corpus: Corpus) -> pd.DataFrame:
    """The imported project's cases (case, case_guid, variable, value, transcript) whose sources are exported."""
    columns = ["case", "case_guid", "variable", "value", "transcript"]
    cases = getattr(extras, "cases", None)
    if cases is None or not len(cases) or "case_guid" not in cases:
        return pd.DataFrame(columns=columns)
    cases = cases.fillna("")
    keep = cases[(cases["case_guid"] != "") & cases["transcript"].isin([t.transcript for t in corpus.transcripts])]
    return keep[columns]


def _extras_xml(root, extras, notes: pd.DataFrame, refs_of: dict[str, list[str]], written: set[str],
                messages: list[str]) -> None:
    """Notes, links, sets, the project description and note references on codes and the project."""
    for code in root.iter(f"{{{PROJECT_NS}}}Code"):
        for note in refs_of.get(code.get("guid"), []):
            ref = etree.Element(f"{{{PROJECT_NS}}}NoteRef", targetGUID=note)
            kids = _children(code, "Code")
            (kids[0].addprevious(ref) if kids else code.append(ref))
    memos = notes[notes["kind"] == "note"].drop_duplicates("guid")
    if len(memos):
        element = _sub(root, "Notes")
        for r in memos.itertuples():
            n = _sub(element, "Note", guid=r.guid, name=r.name or r.text[:40] or "note")
            if getattr(r, "description", ""):
                _sub(n, "Description").text = r.description
            _sub(n, "PlainTextContent").text = r.text
            written.add(r.guid)
    lost = notes[notes["kind"].isin(["comment", "description"]) & (notes["target_guid"] != "")
                 & ~notes["target_guid"].isin(written)]
    for r in lost.itertuples():
        messages.append(f"{r.kind} {r.text[:40]!r} on {r.target_kind} {r.target or r.target_guid!r} not written: "
                        "its target is not in the export (a non-text source, or a source without its text)")
    unplaced = notes[(notes["kind"] == "note") & (notes["target_guid"] != "")
                     & ~notes["target_guid"].isin(written)]
    for r in unplaced.itertuples():
        messages.append(f"note {r.name!r} is attached to {r.target_kind} {r.target or r.target_guid!r}, which is "
                        "not in the export; the note is written unattached")
    links = extras.links
    if len(links):
        ok = links["origin_guid"].isin(written) & links["target_guid"].isin(written)
        for r in links[~ok].itertuples():
            messages.append(f"link {r.name!r} from {r.origin!r} to {r.target!r} not written: one end is not in the "
                            "export (a non-text source, or a selection outside the text)")
        if ok.any():
            element = _sub(root, "Links")
            for r in links[ok].itertuples():
                _sub(element, "Link", guid=r.guid, name=r.name or None, direction=r.direction or None,
                     color=r.color or None, originGUID=r.origin_guid, targetGUID=r.target_guid)
    sets = extras.sets.fillna("")
    if len(sets):
        element = _sub(root, "Sets")
        tag = {"code": "MemberCode", "source": "MemberSource", "note": "MemberNote"}
        for set_guid, block in sets.groupby("set_guid", sort=False):
            first = block.iloc[0]
            s = _sub(element, "Set", guid=set_guid, name=first["set"])
            if first["description"]:
                _sub(s, "Description").text = first["description"]
            members = block[block["member_guid"] != ""]
            missing = members[~members["member_guid"].isin(written)]
            for kind in ("code", "source", "note"):
                for r in members[(members["member_kind"] == kind) & members["member_guid"].isin(written)].itertuples():
                    _sub(s, tag[kind], targetGUID=r.member_guid)
            if len(missing):
                messages.append(f"set {first['set']!r}: {len(missing)} member(s) not in the export (non-text "
                                f"sources or sources without text: {', '.join(missing['member'].head(3))})")
    description = notes[(notes["kind"] == "description") & (notes["target_kind"] == "project")]
    if len(description):
        _sub(root, "Description").text = description["text"].iloc[0]
    for note in refs_of.get("", []):
        _sub(root, "NoteRef", targetGUID=note)


def export_qdpx(corpus: Corpus, codebook: Codebook, coding: pd.DataFrame, path: str | Path,
                name: str = "cm_research project", offsets: str = "characters", extras=None,
                messages: list[str] | None = None) -> Path:
    """Write a coded project as a REFI-QDA ``.qdpx`` (see :func:`project_xml`); byte-identical on re-export.

    ``coding`` is a coding table (transcript, start, end, code, coder, ...), e.g. from
    :func:`cm_research.qual.coding.read_coding` or :func:`import_qda`. ``offsets="utf16"`` writes positions as
    NVivo for Windows counts them; ``extras`` and ``messages`` as in :func:`project_xml`.
    """
    path = Path(path)
    xml, files = project_xml(corpus, codebook, coding, name, offsets=offsets, extras=extras, messages=messages)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for member, data in [("project.qde", xml), *[(m, files[m].encode("utf-8")) for m in sorted(files)]]:
            info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return path


def validate_project(xml: bytes, schema_path: str | Path) -> list[str]:
    """Errors of a ``project.qde`` against the REFI-QDA Project schema (an empty list when it is valid)."""
    schema = etree.XMLSchema(etree.parse(str(schema_path)))
    if schema.validate(etree.fromstring(xml)):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
