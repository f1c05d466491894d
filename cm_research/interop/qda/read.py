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
listed as ``"outside"``. Non-text sources (PDF, pictures, audio, video) are listed in ``sources`` as skipped,
with the codings on them counted in ``messages``; their texts are read as text sources: a PDF's
``<Representation>`` and an audio or video source's ``<Transcript>`` (its ``<TranscriptSelection>`` placed by the
positions of its sync points). Code colours, cases without variables and descriptions are kept; a variable value
naming no variable, a case's selection or code references and selections coded inside a note are listed in
``messages``.

Export writes offsets as Python characters (code points) of the text written, UTF-8 without BOM, and derives
every GUID with :func:`uuid.uuid5` from the content it names, so exporting the same project twice gives
byte-identical files.
"""

from __future__ import annotations

import copy
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
from cm_research.interop.qda.offsets import _choose_convention, _decode_source, _place, _position
from cm_research.qual.errors import TranscriptError
from cm_research.qual.memos import GUID_NAMESPACE
from cm_research.interop.qda.extras import (LINK_COLUMNS, NOTE_COLUMNS, SET_COLUMNS, describe_guids,
                                         guid_key, nest_double_colon_codes, read_extras, set_attributes)
from cm_research.qual.roles import normalise_role
from cm_research.qual.transcripts import Corpus, Transcript, read_transcript
from cm_research.qual.transcripts import line_turns as _line_turns

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
NON_TEXT_SOURCES = {"PictureSource": "picture", "PDFSource": "PDF", "AudioSource": "audio",
                    "VideoSource": "video"}
CODE_COLUMNS = ["guid", "code", "label", "theme", "parent", "depth", "path", "description", "is_codable",
                "n_children", "color"]
#: a code's colour as the schema allows it (RGBType): #RRGGBB or #RGB
RGB = re.compile(r"^#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
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
        (``"A / B / C"``), description, is_codable, n_children, color (``#RRGGBB`` as written, or "").
    users
        guid, name.
    sources
        One row per source of any kind: guid, name, kind (text, "PDF text" for a PDF's text representation, PDF,
        picture, audio, video), transcript,
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
                         "n_children": len(kids), "color": (code.get("color") or "").strip()})
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


_ARGB = re.compile(r"^#?([0-9A-Fa-f]{2})([0-9A-Fa-f]{6})$")
_RGB_FUNCTION = re.compile(r"^rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,[^)]*)?\)$", re.IGNORECASE)


def _standard_colours(codes: pd.DataFrame, where: str) -> tuple[pd.DataFrame, list[str]]:
    """Code colours as the schema writes them (``#RRGGBB``): programs also write ``#AARRGGBB`` (alpha first, as
    .NET colours print), ``RRGGBB`` without the ``#`` and ``rgb(r, g, b)``; those are converted (the alpha
    dropped) and said, and a colour that cannot be read is said and left out, never passed on to an export the
    schema would refuse."""
    messages, colours = [], []
    for code, colour in zip(codes["code"], codes["color"]):
        colour = colour if isinstance(colour, str) else ""
        new = colour
        if colour and not RGB.match(colour):
            argb, function = _ARGB.match(colour), _RGB_FUNCTION.match(colour)
            if re.fullmatch(r"[0-9A-Fa-f]{6}", colour):
                new = f"#{colour}"
            elif argb:
                new = f"#{argb.group(2)}"
            elif function and all(int(v) <= 255 for v in function.groups()):
                new = "#" + "".join(f"{int(v):02X}" for v in function.groups())
            else:
                new = ""
            messages.append(f"{where}: code {code!r} has the colour {colour!r}, "
                            + (f"read as {new}" if new else "which is no colour the standard knows; left out"))
        colours.append(new)
    return codes.assign(color=colours), messages


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
    codes, _ = nest_double_colon_codes(_read_codes(codes_element, path.name), GUID_NAMESPACE)  # as import_qda does
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


def _values(element, names: dict[str, str], messages: list[str] | None = None, owner: str = "") -> dict[str, str]:
    """{variable name: value as text} of an element's ``<VariableValue>`` children; a value whose
    ``<VariableRef>`` names no ``<Variable>`` of the project is not imported, and ``messages`` say so."""
    out = {}
    for vv in _children(element, "VariableValue"):
        ref = _child(vv, "VariableRef")
        name = names.get(guid_key(ref.get("targetGUID")), "") if ref is not None else ""
        if not name and messages is not None:
            target = ref.get("targetGUID") if ref is not None else "(no VariableRef)"
            messages.append(f"{owner}: a variable value refers to variable {target!r}, which is not defined under "
                            "<Variables>; not imported")
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

#: marks a text source made from an audio or video source's transcript (its kind in ``sources``)
TRANSCRIPT_OF = "{urn:cm-research:import}kind"


def _media_transcripts(media, text_paths: dict[str, str], messages: list[str]) -> list:
    """Each ``<Transcript>`` of an audio or video source as a ``<TextSource>`` element the import reads as any
    other: its text (inline or a file), and each ``<TranscriptSelection>`` as a plain-text selection from the
    position of its ``fromSyncPoint`` to that of its ``toSyncPoint`` (REFI-QDA: character positions in the
    transcript), with its codings, description and notes.

    A transcript whose file is also a text source of the project (ATLAS.ti writes both) and has no selections
    of its own is read once, as that text source; a selection whose sync points are missing is listed in
    ``messages`` with its codings, not imported."""
    kind = {"AudioSource": "audio transcript", "VideoSource": "video transcript"}[_tag(media)]
    media_name = media.get("name") or media.get("guid") or ""
    out = []
    for transcript in _children(media, "Transcript"):
        name = transcript.get("name") or f"{media_name} transcript"
        selections = _children(transcript, "TranscriptSelection")
        same = text_paths.get((transcript.get("plainTextPath") or "").lower())
        if same is not None and not selections:
            messages.append(f"transcript {name!r} of {media_name!r} is the same file as text source {same!r}; read once, "
                            "as that source")
            continue
        element = etree.Element(f"{{{PROJECT_NS}}}TextSource", {TRANSCRIPT_OF: kind, "name": name,
                                                                 "guid": transcript.get("guid") or ""})
        for attribute in ("plainTextPath", "richTextPath", "creatingUser"):
            if transcript.get(attribute):
                element.set(attribute, transcript.get(attribute))
        content = _child(transcript, "PlainTextContent")
        if content is not None:
            etree.SubElement(element, f"{{{PROJECT_NS}}}PlainTextContent").text = content.text
        points = {guid_key(p.get("guid")): p.get("position") for p in _children(transcript, "SyncPoint")}
        for selection in selections:
            start = points.get(guid_key(selection.get("fromSyncPoint")))
            end = points.get(guid_key(selection.get("toSyncPoint")))
            if not (start or "").isdigit() or not (end or "").isdigit():
                messages.append(f"transcript {name!r} of {media_name!r}: selection {selection.get('name') or selection.get('guid')!r} "
                                f"has no sync point with a position at its start or end; its "
                                f"{len(_children(selection, 'Coding'))} codings are not imported")
                continue
            placed = etree.SubElement(element, f"{{{PROJECT_NS}}}PlainTextSelection", startPosition=start,
                                      endPosition=end, **{a: selection.get(a) for a in ("guid", "name", "creatingUser")
                                                          if selection.get(a)})
            for child in selection:  # description, codings, note references: copies, the project tree is untouched
                if isinstance(child.tag, str):
                    placed.append(copy.deepcopy(child))
        out.append(element)
    return out


def _docx_text(archive: "_Archive", source, selections, project: str) -> tuple[str | None, str]:
    """(text, where) of a text source the project carries only as a Word file (``richTextPath``, no plain text),
    as the standard's plain text of a .docx is: its paragraphs, one a line. Lines end with LF or CRLF, whichever
    more of the source's selections line up with (writers differ), or (None, why) when the file cannot be read."""
    import tempfile

    from cm_research.qual.errors import TranscriptError
    from cm_research.qual.word_docx import docx_lines

    data, where = archive.read(source.get("richTextPath"))
    if data is None:
        return None, where
    with tempfile.TemporaryDirectory() as folder:
        docx_path = Path(folder) / "source.docx"
        docx_path.write_bytes(data)
        try:
            lines = [line for line, _ in docx_lines(docx_path)]
        except TranscriptError as exc:
            return None, f"{where}: not a readable Word file ({exc})"
    spans = [(_position(s, "startPosition", project), _position(s, "endPosition", project), s.get("name") or "")
             for s in selections]
    best = None
    for end in ("\n", "\r\n"):
        text = end.join(lines)
        convention, pos = _choose_convention(text, False, spans)
        aligned = sum(_place(text, pos, a, b, n)[2] == "aligned" for a, b, n in spans)
        if best is None or aligned > best[0]:
            best = (aligned, text)
    return best[1], where


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
            from cm_research.data.archives import MAX_PROJECT_PARTS, too_many_parts

            if reason := too_many_parts(path, MAX_PROJECT_PARTS, "a QDA project"):
                raise QdaImportError.from_problems([{"file": path.name, "line": None, "column": "", "value": "",
                                                     "message": reason}], path.name)
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
        codes, recoloured = _standard_colours(codes, path.name)
        messages.extend(recoloured)
        code_of = dict(zip(codes["guid"], codes["code"]))
        # document groups named "variable: value" (ATLAS.ti) give attributes, below case variables in priority
        group_values = set_attributes(read_extras(root, {}, {})[1])

        # cases: role and site per source
        var_names = _variable_names(root)
        case_rows, case_of_source = [], {}
        for case in root.iter(f"{{{PROJECT_NS}}}Case"):
            name = case.get("name") or case.get("guid")
            values = _values(case, var_names, messages, f"case {name!r}")
            refs = [guid_key(r.get("targetGUID")) for r in _children(case, "SourceRef")]
            for ref in refs or [""]:
                if ref:
                    case_of_source.setdefault(ref, (name, values))
                # a case without variables is still a case: one row with an empty variable keeps it
                for variable, value in (values or {"": ""}).items():
                    case_rows.append({"case": name, "variable": variable, "value": value, "source_guid": ref,
                                      "case_guid": guid_key(case.get("guid"))})
            n_selection_refs, n_code_refs = len(_children(case, "SelectionRef")), len(_children(case, "CodeRef"))
            if n_selection_refs or n_code_refs:
                messages.append(
                    f"case {name!r}: {n_selection_refs} selection reference(s) and {n_code_refs} code reference(s) "
                    "not imported (cm_research links a case to whole sources only); its variables apply to the "
                    f"{len([r for r in refs if r])} source(s) it names")

        transcripts, source_rows, selection_rows, coding_rows = [], [], [], []
        used_names: set[str] = set()
        sources_element = root.find(f"{{{PROJECT_NS}}}Sources")
        work = [s for s in (list(sources_element) if sources_element is not None else []) if isinstance(s.tag, str)]
        text_paths = {(s.get("plainTextPath") or "").lower(): s.get("name") or "" for s in work
                      if _tag(s) == "TextSource" and s.get("plainTextPath")}
        # an audio or video source's transcripts are texts: each follows its source as a text source of its own
        work = [x for s in work for x in (
            [s, *_media_transcripts(s, text_paths, messages)] if _tag(s) in ("AudioSource", "VideoSource") else [s])]
        for source in work:
            kind = _tag(source)
            guid = guid_key(source.get("guid"))
            name = source.get("name") or guid
            representation = _child(source, "Representation") if kind == "PDFSource" else None
            if representation is not None:
                # a PDF's text representation is a text source of its own (TextSourceType): its plain-text
                # selections are imported; regions drawn on the PDF's pages are not, and are counted
                regions = _children(source, "PDFSelection")
                n_region_codings = sum(len(_children(r, "Coding")) for r in regions)
                n_whole = len(_children(source, "Coding"))
                if regions or n_whole:
                    messages.append(
                        f"PDF source {name!r}: its text representation is imported; {len(regions)} regions "
                        f"drawn on its pages ({n_region_codings} codings) and {n_whole} codings of the whole PDF "
                        "are not (cm_research analyses text; code the representation's text instead)")
                outer_values = _values(source, var_names, messages, f"source {name!r}")
                source, kind = representation, "TextSource"
            text_kind = ("PDF text" if representation is not None else source.get(TRANSCRIPT_OF) or "text")
            if kind in NON_TEXT_SOURCES:
                # codings in its transcripts travel with the transcripts (imported above), not counted here
                n_codings = len([c for c in source.iter(f"{{{PROJECT_NS}}}Coding")
                                 if not any(_tag(a) == "Transcript" for a in c.iterancestors())])
                n_transcripts = len(_children(source, "Transcript"))
                n_descriptions = len(_children(source, "TextDescription"))
                message = (f"{NON_TEXT_SOURCES[kind]} source {name!r} skipped: cm_research analyses text sources only"
                           + (f" ({n_codings} codings on it not imported)" if n_codings else "")
                           + (f"; its {n_transcripts} transcript(s) are read as text sources" if n_transcripts else "")
                           + ("; its text description is not imported" if n_descriptions else ""))
                messages.append(message)
                source_rows.append({"guid": guid, "name": name, "kind": NON_TEXT_SOURCES[kind], "transcript": "",
                                    "status": "skipped", "offset_convention": "", "n_selections": 0,
                                    "message": message})
                continue
            if kind != "TextSource":
                continue
            selections = _children(source, "PlainTextSelection")
            transcript_name = re.sub(r"\.(txt|docx?|rtf|odt|pdf)$", "", name, flags=re.IGNORECASE) or guid
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
                elif not source.get("plainTextPath") and (source.get("richTextPath") or "").lower().endswith(".docx"):
                    text, where = _docx_text(archive, source, selections, path.name)
                    if text is not None:
                        messages.append(f"text source {name!r}: the project holds no plain text for it, so its text "
                                        "was taken from its Word file (one paragraph a line); check the selections' "
                                        "alignment below")
            if text is None:
                message = (f"text source {name!r}: its plain text was not found ({where}); its "
                           f"{len(selections)} selections are listed but not imported")
                messages.append(message)
                source_rows.append({"guid": guid, "name": name, "kind": text_kind, "transcript": "", "status": "no_text",
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
            values = {**group_values.get(guid, {}), **(outer_values if representation is not None else {}),
                      **_values(source, var_names, messages, f"source {name!r}"), **values}
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
            source_rows.append({"guid": guid, "name": name, "kind": text_kind, "transcript": transcript_name,
                                "status": "imported", "offset_convention": convention, "n_selections": len(items),
                                "message": how})
        coding = pd.DataFrame(coding_rows, columns=[*CODING_COLUMNS, "code_guid"])
        not_codable = codes.loc[~codes["is_codable"].astype(bool), ["guid", "path"]]
        for guid, code_path in not_codable.itertuples(index=False):
            n = int((coding["code_guid"] == guid).sum())
            if n:
                messages.append(f"{n} codings carry code {code_path!r}, which the project marks isCodable=\"false\"; "
                                "imported as coded")
        # a note is a text of its own (TextSourceType) and may be coded; cm_research codes transcripts only
        for note in root.iter(f"{{{PROJECT_NS}}}Note"):
            n_sel = len(_children(note, "PlainTextSelection"))
            n_cod = len(list(note.iter(f"{{{PROJECT_NS}}}Coding")))
            if n_sel or n_cod:
                messages.append(f"note {note.get('name') or note.get('guid')!r}: {n_sel} selections and {n_cod} codings "
                                "inside the note are not imported (the note's text is, in memos.csv)")
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
