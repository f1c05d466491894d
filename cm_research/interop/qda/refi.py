"""REFI-QDA exchange: read `.qdc` codebooks and `.qdpx` / `.qde` projects, write our codebook and coding back.

REFI-QDA (QDA-XML 1.0, www.qdasoftware.org) is the exchange format of NVivo, ATLAS.ti, MAXQDA, QualCoder and
others. A `.qdpx` is a zip of ``project.qde`` (the XML) and the source files under ``Sources/`` (some writers
say ``sources/``); a `.qdc` is a codebook alone.

Import maps a project onto the qual data model:

* text sources become :class:`~cm_research.qual.transcripts.Transcript` objects in a
  :class:`~cm_research.qual.transcripts.Corpus`. A text written by :func:`export_qdpx` (our header and
  speaker turns) is parsed as a transcript; any other text has one participant turn per non-empty line.
  Role and site come from variables of the case the source belongs to (``role_variable``, ``site_variable``;
  roles in any accepted spelling), else ``"unknown"``, which the import's ``messages`` say;
* nested codes become a :class:`~cm_research.qual.codebook.Codebook`: each top-level code is a theme, every
  code below it (at any depth) a code of that theme; a top-level code with no children, or coded directly,
  is also a code of its own theme. ``QdaProject.codes`` keeps the full tree (parent, depth, path);
* plain-text selections and their codings become a coding table (transcript, start, end, code, coder, ...)
  that :func:`cm_research.qual.coding.coded_segments` and :mod:`cm_research.qual.analysis` take as it is.

Offsets. The standard says positions count characters, but writers differ: NVivo for Windows counts UTF-16
code units (an emoji counts two), some writers count the byte-order mark, some count CRLF as one character.
For each source the convention under which most selections start and end on word boundaries (or match the
selection's name, which ATLAS.ti fills with the quoted text) is chosen and recorded in ``sources``; offsets are
converted to positions in ``Transcript.text`` (the decoded file without its BOM, line ends untouched), never
shifted to fit. Selections that still do not line up are kept and listed (``selections.status ==
"misaligned"``, with count and examples in ``messages``); selections outside the text cannot be placed and are
listed as ``"outside"``. Non-text sources (PDF, pictures, audio, video) are listed in ``sources`` as skipped.

Export writes offsets as Python characters (code points) of the text written, UTF-8 without BOM, and derives
every GUID with :func:`uuid.uuid5` from the content it names, so exporting the same project twice gives
byte-identical files.
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
import uuid
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pandas as pd
from lxml import etree

from cm_research.data.writing import write_csv
from cm_research.qual.codebook import Code, Codebook, Theme
from cm_research.qual.coding import CODING_COLUMNS
from cm_research.interop.qda.errors import QdaImportError
from cm_research.interop.qda.offsets import _choose_convention, _decode_source, _place, _position, _positions
from cm_research.qual.errors import CodingImportError, TranscriptError
from cm_research.qual.memos import GUID_NAMESPACE
from cm_research.qual.memos import stable_guid as _guid
from cm_research.interop.qda.extras import (LINK_COLUMNS, NOTE_COLUMNS, SET_COLUMNS, describe_guids,
                                         guid_key, nest_double_colon_codes, read_extras, set_attributes)
from cm_research.qual.roles import normalise_role
from cm_research.qual.transcripts import Corpus, Transcript, read_transcript, squash_whitespace
from cm_research.qual.transcripts import line_turns as _line_turns

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
NON_TEXT_SOURCES = {"PictureSource": "picture", "PDFSource": "PDF", "AudioSource": "audio",
                    "VideoSource": "video"}
CODE_COLUMNS = ["guid", "code", "label", "theme", "parent", "depth", "path", "description", "is_codable",
                "n_children"]
SOURCE_COLUMNS = ["guid", "name", "kind", "transcript", "status", "offset_convention", "n_selections", "message"]
SELECTION_COLUMNS = ["transcript", "guid", "name", "raw_start", "raw_end", "start", "end", "status", "n_codings",
                     "text"]

_FIELD_LINE = re.compile(r"^(Label|Definition|Use when|Do not use when|Example): ?(.*)$")


def _tag(element) -> str:
    return etree.QName(element).localname


def _children(element, name: str) -> list:
    return [c for c in element if isinstance(c.tag, str) and _tag(c) == name]


def _child(element, name: str):
    found = _children(element, name)
    return found[0] if found else None


def _description(element) -> str:
    d = _child(element, "Description")
    return (d.text or "").strip() if d is not None else ""


# ---------------------------------------------------------------------------------------------------------- project

@dataclass
class QdaProject:
    """A project imported from REFI-QDA or Taguette, mapped onto the qual data model.

    Attributes
    ----------
    corpus, codebook, coding
        Ready for :func:`cm_research.qual.coding.coded_segments` and :mod:`cm_research.qual.analysis`.
    codes
        The code tree: guid, code, label, theme, parent (code name or ""), depth (1 = top level), path
        (``"A / B / C"``), description, is_codable, n_children.
    users
        guid, name.
    sources
        One row per source of any kind: guid, name, kind (text, PDF, picture, audio, video), transcript,
        status (imported, skipped, no_text), offset_convention, n_selections, message.
    selections
        One row per text selection: transcript, guid, name, raw_start, raw_end (as written), start, end (in
        ``Transcript.text``), status (aligned, misaligned, outside, no_text), n_codings, text.
    cases
        Tidy case variables: case, variable, value, transcript (one row per source of the case).
    messages
        Everything the analyst should know (skipped sources, offset convention, misaligned selections).
    """

    name: str
    origin: str
    corpus: Corpus
    codebook: Codebook
    coding: pd.DataFrame
    codes: pd.DataFrame
    users: pd.DataFrame
    sources: pd.DataFrame
    selections: pd.DataFrame
    cases: pd.DataFrame
    messages: list[str] = field(default_factory=list)
    notes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=NOTE_COLUMNS))
    sets: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SET_COLUMNS))
    links: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LINK_COLUMNS))

    def write_tables(self, output_dir: str | Path) -> dict[str, Path]:
        """Write the import's tables as CSV (coding, codes, sources, selections, cases, participants,
        offset_report), the codebook (codebook.md / .html / .csv) and messages.txt; returns {name: path}."""
        from cm_research.qual.codebook import write_codebook_exports

        output_dir = Path(output_dir)
        output_dir.mkdir(parents=True, exist_ok=True)
        tables = {"coding": self.coding, "codes": self.codes, "sources": self.sources,
                  "selections": self.selections, "cases": self.cases,
                  "participants": self.corpus.participants().drop(columns="participant"),
                  "offset_report": self.offset_report()}
        paths = {}
        for name, table in tables.items():
            paths[name] = output_dir / f"{name}.csv"
            write_csv(table, paths[name])
        paths["messages"] = output_dir / "messages.txt"
        paths["messages"].write_text("".join(m + "\n" for m in self.messages), encoding="utf-8")
        if self.codebook.themes:
            paths.update({f"codebook_{k}": v for k, v in write_codebook_exports(self.codebook, output_dir).items()})
        return paths

    def offset_report(self) -> pd.DataFrame:
        """Per transcript: offset_convention, n_selections, n_aligned, n_misaligned, n_outside, examples."""
        rows = []
        for transcript, block in self.selections.groupby("transcript", sort=False):
            bad = block[block["status"] != "aligned"]
            conv = self.sources.loc[self.sources["transcript"] == transcript, "offset_convention"]
            rows.append({"transcript": transcript, "offset_convention": conv.iloc[0] if len(conv) else "",
                         "n_selections": len(block), "n_aligned": int((block["status"] == "aligned").sum()),
                         "n_misaligned": int((block["status"] == "misaligned").sum()),
                         "n_outside": int((block["status"] == "outside").sum()),
                         "examples": "; ".join(f"{r.raw_start}..{r.raw_end} {r.text[:30]!r}"
                                               for r in bad.head(3).itertuples())})
        return pd.DataFrame(rows, columns=["transcript", "offset_convention", "n_selections", "n_aligned",
                                           "n_misaligned", "n_outside", "examples"])


# ------------------------------------------------------------------------------------------------------- reading XML

def _parse_xml(data: bytes, where: str):
    try:
        return etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True,
                                                               huge_tree=True))
    except etree.XMLSyntaxError as exc:
        raise QdaImportError.from_problems([{"file": where, "line": exc.lineno, "column": "", "value": "",
                                             "message": f"not well-formed XML: {exc.msg}"}], where) from exc


#: the largest project.qde and source text read from a project (a transcript is rarely over a few MB); a member
#: claiming, or inflating to, more is refused, so a small crafted .qdpx cannot exhaust memory
MAX_PROJECT_BYTES = 256 * 2**20
MAX_SOURCE_BYTES = 64 * 2**20


def read_member(zf: zipfile.ZipFile, member: str, archive: str, limit: int | None = None) -> bytes:
    """The bytes of one zip member, at most ``limit`` of them (default :data:`MAX_SOURCE_BYTES`; checked while
    inflating, not only on the size the zip declares); QdaImportError when larger or damaged."""
    limit = MAX_SOURCE_BYTES if limit is None else limit

    def refuse(message: str) -> QdaImportError:
        return QdaImportError.from_problems([{"file": archive, "line": None, "column": "", "value": member,
                                              "message": message}], archive)

    try:
        info = zf.getinfo(member)
        if info.file_size > limit:
            raise refuse(f"{member} is {info.file_size:,} bytes uncompressed, more than the {limit:,} this "
                         "import reads; it is not a transcript")
        with zf.open(info) as handle:
            data = handle.read(limit + 1)
    except QdaImportError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        raise refuse(f"{member} cannot be read from the archive ({exc})") from None
    if len(data) > limit:
        raise refuse(f"{member} inflates to more than {limit:,} bytes; it is not a transcript")
    return data


class _Archive:
    """The files of a .qdpx (its own zip members, matched case-insensitively on the Sources folder) or the
    folder of a bare .qde (``relative://`` paths inside that folder).

    Nothing else is read: a project names its sources, and a crafted one could name ``absolute:///etc/passwd``,
    ``relative://../../key.csv`` or ``basePath="/etc"``; those are reported as sources not found, and their
    selections are listed but not imported."""

    def __init__(self, path: Path, zf: zipfile.ZipFile | None, base_path: str):
        self.path, self.zf, self.base_path = path, zf, base_path
        self.members = {n.lower(): n for n in zf.namelist()} if zf else {}

    def read(self, uri: str) -> tuple[bytes | None, str]:
        """(bytes or None, where it was looked for)."""
        if uri.startswith("internal://"):
            name = uri[len("internal://"):]
            for folder in ("sources/", ""):
                member = self.members.get((folder + name).lower())
                if member:
                    return read_member(self.zf, member, self.path.name), member
            return None, (f"Sources/{name} in {self.path.name}" if self.zf else
                          f"internal file {name} (a bare .qde carries no sources; import the .qdpx instead)")
        if uri.startswith("relative://") and self.zf is None:
            rel = uri[len("relative://"):].lstrip("/")
            folder = self.path.parent.resolve()
            candidate = (folder / rel).resolve()
            if folder not in candidate.parents:
                return None, f"{rel}: outside the project's folder {folder.name}/, which is never read"
            if candidate.is_file():
                if candidate.stat().st_size > MAX_SOURCE_BYTES:
                    return None, f"{rel}: larger than {MAX_SOURCE_BYTES:,} bytes, not read"
                return candidate.read_bytes(), str(candidate.relative_to(folder))
            return None, f"{rel} in the project's folder {folder.name}/"
        if uri.startswith(("relative://", "absolute://", "file://")) or "://" not in uri:
            return None, (f"{uri}: outside the project archive; only files inside {self.path.name} are read "
                          "(add the source to the project in your QDA program, export it again)")
        return None, uri


def _read_project_file(path: Path) -> bytes:
    """A bare .qde's bytes; QdaImportError when missing or over :data:`MAX_PROJECT_BYTES`."""
    def refuse(message: str) -> QdaImportError:
        return QdaImportError.from_problems([{"file": path.name, "line": None, "column": "", "value": "",
                                              "message": message}], path.name)

    if not path.is_file():
        raise refuse(f"no such file: {path}")
    if path.stat().st_size > MAX_PROJECT_BYTES:
        raise refuse(f"{path.stat().st_size:,} bytes, more than the {MAX_PROJECT_BYTES:,} a project file may have")
    return path.read_bytes()


_CODE_FIELDS = {"Label": "label", "Definition": "definition", "Use when": "use_when",
                "Do not use when": "not_when", "Example": "example"}


def _describe(label: str, definition: str, use_when: str = "", not_when: str = "", example: str = "") -> str:
    """A code's description as labelled lines, readable in any QDA program and parsed back on import."""
    lines = [f"Label: {label}", f"Definition: {definition}"]
    for title, value in (("Use when", use_when), ("Do not use when", not_when), ("Example", example)):
        if value:
            lines.append(f"{title}: {value}")
    return "\n".join(lines)


def _parse_description(description: str) -> dict[str, str] | None:
    """The fields of a description written by :func:`_describe`, or None for any other description."""
    out: dict[str, str] = {}
    current = None
    for line in description.split("\n"):
        m = _FIELD_LINE.match(line)
        if m and _CODE_FIELDS[m.group(1)] not in out:
            current = _CODE_FIELDS[m.group(1)]
            out[current] = m.group(2)
        elif current:
            out[current] += "\n" + line
        else:
            return None
    return out if {"label", "definition"} <= set(out) else None


def _read_codes(codes_element, where: str) -> pd.DataFrame:
    rows: list[dict] = []

    def walk(element, parent: str, depth: int, path: str, theme: str):
        for code in _children(element, "Code"):
            name = (code.get("name") or "").strip()
            full = f"{path} / {name}" if path else name
            kids = _children(code, "Code")
            rows.append({"guid": guid_key(code.get("guid")), "label": name,
                         "theme": theme or name, "parent": parent, "depth": depth, "path": full,
                         "description": _description(code),
                         "is_codable": (code.get("isCodable") or "true").lower() in ("true", "1"),
                         "n_children": len(kids)})
            walk(code, full, depth + 1, full, theme or name)

    walk(codes_element, "", 1, "", "")
    table = pd.DataFrame(rows, columns=[c for c in CODE_COLUMNS if c != "code"])
    if table.empty:
        raise QdaImportError.from_problems([{"file": where, "line": None, "column": "", "value": "",
                                             "message": "the codebook holds no codes"}], where)
    # the code's name in the analysis: its own name, or its path when the name is not unique within its theme
    clash = table.duplicated(["theme", "label"], keep=False)
    table.insert(1, "code", table["label"].where(~clash, table["path"]))
    return table


def codebook_from_codes(codes: pd.DataFrame, name: str, coded: set[str], source: str) -> Codebook:
    """A :class:`Codebook` from a code tree (columns of ``QdaProject.codes``): each top-level code is a theme,
    every code below it a code of that theme, and a top-level code is also a code of its own theme when it has
    no children or its GUID is in ``coded``. Descriptions written by our export give back label, definition,
    use when, do not use when and example; any other description is the definition."""
    themes = []
    for theme, block in codes.groupby("theme", sort=False):
        top = block[block["depth"] == 1].iloc[0]
        members = [r for r in block.itertuples() if r.depth > 1
                   or r.n_children == 0 or r.guid in coded]
        fields = _parse_description(top.description) or {}
        theme_codes = []
        for r in members:
            parsed = _parse_description(r.description)
            if parsed:
                theme_codes.append(Code(name=r.code, theme=theme, label=parsed["label"],
                                        definition=parsed["definition"], use_when=parsed.get("use_when", ""),
                                        not_when=parsed.get("not_when", ""), example=parsed.get("example", "")))
            else:
                label = r.path.split(" / ", 1)[1] if r.depth > 1 else r.label
                theme_codes.append(Code(name=r.code, theme=theme, label=label, definition=r.description))
        themes.append(Theme(name=theme, label=fields.get("label", top.label),
                            definition=fields.get("definition", top.description), codes=tuple(theme_codes)))
    shared = len({c.name for t in themes for c in t.codes}) < sum(len(t.codes) for t in themes)
    return Codebook(name=name, themes=tuple(themes), allow_shared_codes=shared, source=source)


def read_qdc(path: str | Path) -> Codebook:
    """Read a REFI-QDA codebook (``.qdc``, or the codebook of a ``.qde``/``.qdpx``) as a :class:`Codebook`.

    Top-level codes become themes (see the module docstring). An empty ``<Sets/>`` or missing descriptions,
    which some writers produce, are accepted.
    """
    path = Path(path)
    if path.suffix.lower() in (".qdpx", ".qde"):
        return import_qda(path).codebook
    root = _parse_xml(path.read_bytes(), path.name)
    codes_element = root.find(f".//{{{CODEBOOK_NS}}}Codes")
    if codes_element is None:
        codes_element = root.find(f".//{{{PROJECT_NS}}}Codes")
    if codes_element is None:
        raise QdaImportError.from_problems([{"file": path.name, "line": None, "column": "", "value": "",
                                             "message": "no <Codes> element: this is not a REFI-QDA codebook"}],
                                           path.name)
    codes = _read_codes(codes_element, path.name)
    return codebook_from_codes(codes, root.get("name") or path.stem, set(), path.name)


# ------------------------------------------------------------------------------------------------------ transcripts

def _as_transcript(name: str, text: str, role: str, site: str, pseudonym: str, participant_id: str) -> tuple[
        Transcript, str]:
    """A transcript of ``text``: parsed as a cm_research interview when it has our header, else one turn a line."""
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder) / "source.txt"
        tmp.write_bytes(text.encode("utf-8"))
        try:
            parsed = read_transcript(tmp)
        except TranscriptError:
            parsed = None
    if parsed is not None and parsed.text == text:
        return dataclasses.replace(parsed, transcript=name, path=Path(name)), "read as a cm_research interview"
    transcript = Transcript(transcript=name, path=Path(name), text=text, encoding="utf-8", pseudonym=pseudonym,
                            role=role, site=site, participant_id=participant_id,
                            turns=_line_turns(text, pseudonym))
    return transcript, ("no cm_research header: each line is one turn, the interviewer's when it starts with an "
                        "interviewer label (Interviewer:, Q: ...)")


def _variable_names(root) -> dict[str, str]:
    return {guid_key(v.get("guid")): (v.get("name") or "")
            for v in root.iter(f"{{{PROJECT_NS}}}Variable")}


def _values(element, names: dict[str, str]) -> dict[str, str]:
    out = {}
    for vv in _children(element, "VariableValue"):
        ref = _child(vv, "VariableRef")
        name = names.get(guid_key(ref.get("targetGUID")), "") if ref is not None else ""
        value = next((c.text or "" for c in vv if isinstance(c.tag, str) and _tag(c).endswith("Value")), "")
        if name:
            out[name] = value.strip()
    return out


# --------------------------------------------------------------------------------------------------------- import

class _FolderArchive(_Archive):
    """The files beside a bare ``project.qde``: ``internal://`` names are looked for in the ``Sources`` folder
    next to it (an unzipped .qdpx), only inside that folder and only up to :data:`FOLDER_SOURCE_BYTES`."""

    def read(self, uri: str) -> tuple[bytes | None, str]:
        if uri.startswith("internal://"):
            name = uri[len("internal://"):]
            for folder in ("Sources", "sources"):
                base = (self.path.parent / folder).resolve()
                candidate = (base / name).resolve()
                if base.is_dir() and candidate.is_relative_to(base) and candidate.is_file():
                    if candidate.stat().st_size > FOLDER_SOURCE_BYTES:
                        return None, f"{folder}/{name}: larger than {FOLDER_SOURCE_BYTES:,} bytes, not read"
                    return candidate.read_bytes(), str(candidate)
            return None, (f"internal file {name} (not in a Sources folder beside the .qde; import the .qdpx, or "
                          "put the project's Sources folder beside project.qde)")
        return super().read(uri)


#: the largest source text read from the Sources folder beside a bare .qde
FOLDER_SOURCE_BYTES = 64 * 2**20


def import_qda(path: str | Path, role_variable: str = "role", site_variable: str = "site") -> QdaProject:
    """Import a REFI-QDA project (``.qdpx`` zip, or a bare ``project.qde``) onto the qual data model.

    Parameters
    ----------
    path
        The ``.qdpx`` or ``.qde`` file.
    role_variable, site_variable
        Names (case-insensitive) of the case variables holding each participant's role and site.

    Returns
    -------
    :class:`QdaProject`. Nothing is dropped silently: skipped sources, selections that do not line up or fall
    outside their text, and codings of unknown codes are listed in ``sources``, ``selections`` and
    ``messages``.

    Raises
    ------
    QdaImportError when the file is not a REFI-QDA project at all.
    """
    path = Path(path)
    zf = None
    try:
        if zipfile.is_zipfile(path):
            try:
                zf = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
                raise QdaImportError.from_problems([{"file": path.name, "line": None, "column": "", "value": "",
                                                     "message": f"a damaged zip archive ({exc})"}], path.name) from None
            qde = next((n for n in zf.namelist() if PurePosixPath(n).suffix.lower() == ".qde"), None)
            if qde is None:
                raise QdaImportError.from_problems([{
                    "file": path.name, "line": None, "column": "", "value": "",
                    "message": "the zip holds no project.qde: not a REFI-QDA project"}], path.name)
            root = _parse_xml(read_member(zf, qde, path.name, MAX_PROJECT_BYTES), f"{path.name}/{qde}")
        else:
            root = _parse_xml(_read_project_file(path), path.name)
        if _tag(root) != "Project":
            raise QdaImportError.from_problems([{"file": path.name, "line": None, "column": "", "value": _tag(root),
                                                 "message": f"the root element is <{_tag(root)}>, not <Project>"}],
                                               path.name)
        archive = (_Archive if zf is not None else _FolderArchive)(path, zf, root.get("basePath") or "")
        messages: list[str] = []
        users = pd.DataFrame([{"guid": guid_key(u.get("guid")), "name": u.get("name") or ""}
                              for u in root.iter(f"{{{PROJECT_NS}}}User")], columns=["guid", "name"])
        user_name = dict(zip(users["guid"], users["name"]))
        codes_element = root.find(f"{{{PROJECT_NS}}}CodeBook/{{{PROJECT_NS}}}Codes")
        codes = (_read_codes(codes_element, path.name) if codes_element is not None
                 else pd.DataFrame(columns=CODE_COLUMNS))
        codes, nested = nest_double_colon_codes(codes, GUID_NAMESPACE)
        messages.extend(nested)
        code_of = dict(zip(codes["guid"], codes["code"]))
        # document groups named "variable: value" (ATLAS.ti) give attributes, below case variables in priority
        group_values = set_attributes(read_extras(root, {}, {})[1])

        # cases: role and site per source
        var_names = _variable_names(root)
        case_rows, case_of_source = [], {}
        for case in root.iter(f"{{{PROJECT_NS}}}Case"):
            name = case.get("name") or case.get("guid")
            values = _values(case, var_names)
            refs = [guid_key(r.get("targetGUID")) for r in _children(case, "SourceRef")]
            for ref in refs or [""]:
                if ref:
                    case_of_source.setdefault(ref, (name, values))
                for variable, value in values.items():
                    case_rows.append({"case": name, "variable": variable, "value": value, "source_guid": ref,
                                      "case_guid": guid_key(case.get("guid"))})

        transcripts, source_rows, selection_rows, coding_rows = [], [], [], []
        used_names: set[str] = set()
        sources_element = root.find(f"{{{PROJECT_NS}}}Sources")
        for source in (list(sources_element) if sources_element is not None else []):
            if not isinstance(source.tag, str):
                continue
            kind = _tag(source)
            guid = guid_key(source.get("guid"))
            name = source.get("name") or guid
            if kind in NON_TEXT_SOURCES:
                n_codings = len(list(source.iter(f"{{{PROJECT_NS}}}Coding")))
                message = (f"{NON_TEXT_SOURCES[kind]} source {name!r} skipped: cm_research analyses text sources only"
                           + (f" ({n_codings} codings on it not imported)" if n_codings else ""))
                messages.append(message)
                source_rows.append({"guid": guid, "name": name, "kind": NON_TEXT_SOURCES[kind], "transcript": "",
                                    "status": "skipped", "offset_convention": "", "n_selections": 0,
                                    "message": message})
                continue
            if kind != "TextSource":
                continue
            selections = _children(source, "PlainTextSelection")
            transcript_name = re.sub(r"\.(txt|docx?|rtf|odt)$", "", name, flags=re.IGNORECASE) or guid
            base, k = transcript_name, 2
            while transcript_name in used_names:
                transcript_name, k = f"{base} ({k})", k + 1
            used_names.add(transcript_name)
            content = _child(source, "PlainTextContent")
            had_bom = False
            if content is not None:
                text, where = content.text or "", "inline"
            else:
                data, where = archive.read(source.get("plainTextPath") or "") if source.get("plainTextPath") else (
                    None, "no plainTextPath (rich text only)")
                text = None
                if data is not None:
                    text, had_bom = _decode_source(data)
            if text is None:
                message = (f"text source {name!r}: its plain text was not found ({where}); its "
                           f"{len(selections)} selections are listed but not imported")
                messages.append(message)
                source_rows.append({"guid": guid, "name": name, "kind": "text", "transcript": "", "status": "no_text",
                                    "offset_convention": "", "n_selections": len(selections), "message": message})
                for sel in selections:
                    selection_rows.append({"transcript": transcript_name, "guid": sel.get("guid"),
                                           "name": sel.get("name") or "",
                                           "raw_start": _position(sel, "startPosition", path.name),
                                           "raw_end": _position(sel, "endPosition", path.name),
                                           "start": pd.NA, "end": pd.NA,
                                           "status": "no_text", "n_codings": len(_children(sel, "Coding")), "text": ""})
                continue
            case_name, values = case_of_source.get(guid, (None, {}))
            values = {**group_values.get(guid, {}), **_values(source, var_names), **values}
            lowered = {k.lower(): v for k, v in values.items()}
            raw_role, site = lowered.get(role_variable.lower(), ""), lowered.get(site_variable.lower(), "")
            role = (normalise_role(raw_role) or raw_role.strip().lower()) if raw_role else "unknown"
            transcript, how = _as_transcript(transcript_name, text, role, site or "unknown",
                                             case_name or transcript_name, case_name or "")
            if not raw_role and not how.startswith("read as a cm_research"):
                messages.append(f"{transcript_name}: no case variable {role_variable!r}; role set to 'unknown'")
            transcripts.append(transcript)
            spans = [(_position(s, "startPosition", path.name), _position(s, "endPosition", path.name),
                      s.get("name") or "") for s in selections]
            convention, pos = _choose_convention(text, had_bom, spans)
            if convention != "characters":
                messages.append(f"{transcript_name}: offsets read as {convention} (most selections line up that way)")
            status_counts = {"aligned": 0, "misaligned": 0, "outside": 0}
            examples = []
            whole = _children(source, "Coding")  # codings of the whole source
            items = [(sel, *spans[i]) for i, sel in enumerate(selections)]
            items += [(c, None, None, "") for c in whole]
            for sel, raw_start, raw_end, sel_name in items:
                if raw_start is None:
                    start, end, status, codings = 0, len(text), "aligned", [sel]
                    raw_start, raw_end = int(pos[0]), int(pos[-1])
                else:
                    start, end, status = _place(text, pos, raw_start, raw_end, sel_name)
                    codings = _children(sel, "Coding")
                status_counts[status] += 1
                quoted = text[start:end] if start is not None else ""
                if status != "aligned":
                    examples.append(f"{raw_start}..{raw_end}" + (f" {quoted[:40]!r}" if quoted else ""))
                selection_rows.append({"transcript": transcript_name, "guid": sel.get("guid"), "name": sel_name,
                                       "raw_start": raw_start, "raw_end": raw_end,
                                       "start": start if start is not None else pd.NA,
                                       "end": end if end is not None else pd.NA, "status": status,
                                       "n_codings": len(codings), "text": quoted})
                if start is None:
                    continue
                sel_user = guid_key(sel.get("creatingUser"))
                for coding in codings:
                    ref = _child(coding, "CodeRef")
                    target = guid_key(ref.get("targetGUID")) if ref is not None else ""
                    if target not in code_of:
                        messages.append(f"{transcript_name}: a coding at {raw_start}..{raw_end} refers to code "
                                        f"{target!r}, which is not in the codebook; not imported")
                        continue
                    who = guid_key(coding.get("creatingUser")) or sel_user
                    coding_rows.append({"transcript": transcript_name, "start": start, "end": end, "segment_id": "",
                                        "code": code_of[target], "coder": user_name.get(who, who or "unknown"),
                                        "source": "human", "quote": quoted, "row": pd.NA, "code_guid": target})
            if status_counts["misaligned"] or status_counts["outside"]:
                messages.append(
                    f"{transcript_name}: {status_counts['misaligned']} of {len(items)} selections do not line up with "
                    f"word boundaries (kept as given) and {status_counts['outside']} fall outside the text or inside a "
                    f"character (not imported); e.g. {'; '.join(examples[:3])}")
            source_rows.append({"guid": guid, "name": name, "kind": "text", "transcript": transcript_name,
                                "status": "imported", "offset_convention": convention, "n_selections": len(items),
                                "message": how})
        coding = pd.DataFrame(coding_rows, columns=[*CODING_COLUMNS, "code_guid"])
        codebook = codebook_from_codes(codes, root.get("name") or path.stem, set(coding["code_guid"]), path.name) \
            if not codes.empty else Codebook(name=path.stem, themes=())
        coding = coding[CODING_COLUMNS].astype({"start": int, "end": int}) if len(coding) else coding[CODING_COLUMNS]
        transcript_of = dict(zip((r["guid"] for r in source_rows), (r["transcript"] for r in source_rows)))
        cases = pd.DataFrame(case_rows, columns=["case", "variable", "value", "source_guid", "case_guid"])
        cases["transcript"] = cases["source_guid"].map(transcript_of).fillna("")
        selections_table = pd.DataFrame(selection_rows, columns=SELECTION_COLUMNS)

        def note_text(uri: str) -> str | None:
            data, _ = archive.read(uri)
            return _decode_source(data)[0] if data is not None else None

        notes, sets, links, extra_messages = read_extras(root, describe_guids(root, codes, selections_table),
                                                         user_name, note_text)
        messages.extend(extra_messages)
        return QdaProject(
            name=root.get("name") or path.stem, origin=root.get("origin") or "",
            corpus=Corpus(transcripts, skipped=pd.DataFrame(
                [{"file": r["name"], "reason": r["message"]} for r in source_rows if r["status"] != "imported"],
                columns=["file", "reason"])),
            codebook=codebook, coding=coding.reset_index(drop=True), codes=codes, users=users,
            sources=pd.DataFrame(source_rows, columns=SOURCE_COLUMNS),
            selections=selections_table, cases=cases.drop(columns="source_guid"), messages=messages,
            notes=notes, sets=sets, links=links)
    finally:  # the archive is closed on every path, an error's included
        if zf is not None:
            zf.close()


# --------------------------------------------------------------------------------------------------------- export

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
        c = _sub(at[r.parent], "Code", guid=r.guid, name=r.label,
                 isCodable="true" if str(r.is_codable).lower() in ("true", "1") else "false")
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
        names = list(dict.fromkeys(["role", "site", *kept["variable"]]))
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
