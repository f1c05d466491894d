"""Pre-publication scan: does anything under a run folder show an identifier?

``check_disclosure(run_dir, register)`` reads every file a reader of the run could open and returns one row per
finding (file, location, kind, text). Kinds:

- ``register``: a value from the register (participant ids, names, schools; see ``load_scan_register``);
- ``upn``, ``postcode``, ``email``, ``phone``, ``date_of_birth``, ``address``, ``nhs_number``, ``titled_name``
  (Mr Okafor), ``school`` (Hillside Academy): the patterns of ``cm_research.privacy.patterns``;
- ``identifier_column``: a CSV column or HTML table heading named like an identifier (``participant_id``,
  ``upn``, ``name``, ``date_of_birth``, ``postcode``...), i.e. row-level data about children;
- ``unscanned_file``: a file the scan cannot read (e.g. PDF, Word), so cannot vouch for;
- ``input_file_name``: the name of one of the run's input files (or its stem, when it is no ordinary word), read
  from the run's ``restricted/manifest.json`` (or ``manifest.json``): a transcript's file name can name one person;
  the data dictionary's table files (``participants.csv``) and files the run itself publishes are not counted;
- ``absolute_path``: an absolute path (``/home/ann/...``, ``C:\\Users\\...``), which can hold a person's name.

What is read (every file type a run can contain; hidden files and folders too):

- HTML: text, every attribute (``alt``, ``title``, ``data-*``, ``href`` including ``mailto:``...), comments,
  table headings, and the metadata of images embedded as ``data:`` URIs;
- notebooks: the notebook's and every cell's metadata, sources, attachments, every output (text, HTML, JSON,
  and the metadata of PNG/JPEG outputs);
- CSV/TSV (any delimiter), Excel workbooks (cells, sheet names, comments, document properties), Word and other
  Office files (all their XML text, document properties included), text, Markdown, JSON, YAML, SVG, LaTeX and
  log files line by line;
- images: PNG text chunks (tEXt, zTXt, iTXt) and Exif (eXIf), JPEG comments and Exif/XMP segments, GIF comments;
- text in UTF-8, UTF-16 or UTF-32 (with or without a byte-order mark) or Windows-1252.

A file the scan cannot read (PDF, an unknown binary, a damaged workbook) is never passed: it is reported as
``unscanned_file``. Column names are matched loosely (``Birthdate``, ``D.O.B``, ``Date of Birth``, ``DoB`` are
all ``date_of_birth``).

Restricted files are not scanned and are listed in ``findings.attrs["skipped"]`` instead: anything under a
folder named ``restricted`` and the data-correction files the data-quality notebook writes (``problems.csv``,
``quarantine_*.csv``), which name rows on purpose. They must never be published with the run.
"""

from __future__ import annotations

import csv
import fnmatch
import html
import io
import json
import re
import struct
import zlib
from collections.abc import Iterable, Iterator
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from cm_research.privacy.errors import DisclosureScanError, RegisterError
from cm_research.privacy.paths import absolute_paths, distinctive_names, names_regex
from cm_research.privacy.patterns import find_patterns
from cm_research.privacy.register import Register, data_sheet, make_register
from cm_research.contract import write_records

FINDING_COLUMNS = ["file", "location", "kind", "text"]
SCAN_PATTERNS = ("email", "upn", "postcode", "phone", "date_of_birth", "address", "nhs_number", "titled_name",
                 "school")
RESTRICTED_FOLDER = "restricted"
RESTRICTED_FILES = ("problems.csv", "quarantine_*.csv")
NOT_FOR_PUBLICATION = "NOT_FOR_PUBLICATION.txt"
TEXT_SUFFIXES = {".txt", ".md", ".json", ".svg", ".tex", ".log", ".yaml", ".yml", ".xml", ".rst", ".css", ".js",
                 ".bib", ".r", ".py", ".sql"}
IDENTIFIER_COLUMNS = frozenset({
    "participant_id", "pupil_id", "child_id", "upn", "former_upn", "unique_pupil_number", "uln", "name",
    "full_name", "first_name", "forename", "given_name", "surname", "last_name", "family_name", "date_of_birth",
    "dob", "birth_date", "postcode", "post_code", "address", "email", "email_address", "phone", "telephone",
    "mobile", "nhs_number",
})
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/=]{200,}")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_DATA_URI = re.compile(r"data:image/(png|jpeg|jpg|gif);base64,([A-Za-z0-9+/=\s]+)", re.IGNORECASE)
_PRINTABLE_RUN = re.compile(rb"[\x20-\x7e\t]{4,}")
_UTF16_RUN = re.compile(rb"(?:[\x20-\x7e]\x00){4,}")
#: words that make a column heading an identifier wherever they appear in it ("Birthdate", "Child's DOB")
_IDENTIFIER_WORDS = re.compile(r"birth|^dob$|^d_?o_?b_|_dob$|^dob_|postcode|^upn$|_upn$|^upn_|email|surname|forename|"
                               r"first_?name|last_?name|full_?name|home_?address|nhs_?number|telephone|mobile")


def _label(text: str) -> str:
    return re.sub(r"[\s\-/]+", "_", text.strip().lower()).strip("_")


def _squashed(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def decode_any(data: bytes) -> str:
    """Text in UTF-8, UTF-16 or UTF-32 (by byte-order mark, or UTF-16 without one when every other byte is NUL)
    or, failing those, Windows-1252 (bytes it leaves undefined kept as Latin-1), so no text file is skipped."""
    for bom, encoding in ((b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
                          (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace")
    sample = data[:4096]
    if len(sample) >= 4 and sample.count(b"\x00") * 3 >= len(sample):
        odd_nul = sample[1::2].count(b"\x00") > sample[0::2].count(b"\x00")
        return data.decode("utf-16-le" if odd_nul else "utf-16-be", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _strings(data: bytes) -> str:
    """Readable text inside binary metadata: runs of printable ASCII and of UTF-16 text, one a line."""
    runs = [m.group().decode("ascii") for m in _PRINTABLE_RUN.finditer(data)]
    runs += [m.group().decode("utf-16-le") for m in _UTF16_RUN.finditer(data)]
    return "\n".join(runs)


def identifier_columns() -> frozenset[str]:
    """Column names that mean row-level identifiers: the list above plus the dictionary's identifier fields."""
    try:
        from cm_research.dictionary import load_schemas

        fields = {f for schema in load_schemas().values() for f in schema.identifier_fields}
    except Exception:  # the scan must still run when the dictionary cannot be read
        fields = set()
    return IDENTIFIER_COLUMNS | {_label(f) for f in fields}


def load_scan_register(source: str | Path | pd.DataFrame | Register | Iterable[str] | None) -> list[str]:
    """The identifiers to look for.

    ``source`` may be a Register, a register table or file (``name``, ``role``... columns; see
    ``cm_research.privacy.register``), any table or CSV/Excel file with a ``participant_id``, ``identifier``,
    ``id`` or ``upn`` column (a participants file will do), or a list of strings.
    """
    if source is None:
        return []
    if isinstance(source, Register):
        return source.identifiers()
    if isinstance(source, (str, Path)):
        from cm_research.data.reading import read_raw

        raw = read_raw(source, data_sheet(Path(source)))  # a template's data sheet, not its Instructions
        table, where = raw.cells, raw.file
    elif isinstance(source, pd.DataFrame):
        table, where = source, "register"
    else:
        return sorted({str(v).strip() for v in source if str(v).strip()}, key=lambda v: (-len(v), v))
    labels = {_label(str(c)): c for c in table.columns}
    if "name" in labels and "role" in labels:
        return make_register(table, where).identifiers()
    id_columns = [labels[c] for c in ("participant_id", "identifier", "id", "upn") if c in labels]
    if not id_columns:
        raise RegisterError(f"{where}: a register for the scan needs `name` and `role` columns, or a "
                            f"`participant_id`, `identifier`, `id` or `upn` column; it has "
                            f"{', '.join(map(str, table.columns))}")
    values = {str(v).strip() for c in id_columns for v in table[c].dropna() if str(v).strip()}
    return sorted(values, key=lambda v: (-len(v), v))


class _Matcher:
    def __init__(self, identifiers: list[str], input_names: Iterable[str] = ()):
        self.identifiers = identifiers
        self.regex = (re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(re.escape(i) for i in identifiers)
                                 + r")(?![A-Za-z0-9])", re.IGNORECASE) if identifiers else None)
        self.names = names_regex(input_names)
        self.columns = identifier_columns()

    def text(self, text: str) -> Iterator[tuple[int, str, str]]:
        """(line offset within ``text``, kind, matched text) for every finding in ``text``."""
        text = _BASE64_RUN.sub(" ", text)
        found = []
        if self.regex:
            found += [(m.start(), "register", m.group()) for m in self.regex.finditer(text)]
        found += [(s.start, s.kind, s.text) for s in find_patterns(text, SCAN_PATTERNS)]
        if self.names:
            found += [(m.start(), "input_file_name", m.group()) for m in self.names.finditer(text)]
        found += [(start, "absolute_path", path) for start, path in absolute_paths(text)]
        for start, kind, matched in sorted(found):
            yield text.count("\n", 0, start), kind, matched

    def heading(self, text: str) -> bool:
        """A column heading that names identifiers, however it is written ("D.O.B", "Birthdate", "E-mail")."""
        label = _label(text)
        if label in self.columns or _squashed(text) in self._squashed_columns:
            return True
        return bool(_IDENTIFIER_WORDS.search(re.sub(r"[^a-z0-9_]", "", label)))

    @property
    def _squashed_columns(self) -> frozenset[str]:
        if not hasattr(self, "_squashed_cache"):
            self._squashed_cache = frozenset(_squashed(c) for c in self.columns) | {"dob", "dateofbirth", "bday"}
        return self._squashed_cache


class _HTMLText(HTMLParser):
    """Collects (line, text, is_heading) from an HTML document: text nodes, every attribute value (``alt``,
    ``title``, ``data-*``, ``href``...; CSS classes and inline styles aside), comments and embedded images'
    metadata."""

    SKIPPED_ATTRIBUTES = ("class", "style")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[tuple[int, str, bool]] = []
        self._skip = 0
        self._heading = 0

    def _attributes(self, attrs) -> None:
        line = self.getpos()[0]
        for name, value in attrs:
            if not value or name in self.SKIPPED_ATTRIBUTES:
                continue
            for match in _DATA_URI.finditer(value):
                self.pieces.append((line, _image_metadata_text(match.group(1), match.group(2)), False))
            self.pieces.append((line, value, False))

    def handle_starttag(self, tag, attrs):
        if tag == "style":
            self._skip += 1
        if tag == "th":
            self._heading += 1
        self._attributes(attrs)

    def handle_startendtag(self, tag, attrs):
        self._attributes(attrs)

    def handle_comment(self, data):
        if data.strip():
            self.pieces.append((self.getpos()[0], data, False))

    def handle_endtag(self, tag):
        if tag == "style" and self._skip:
            self._skip -= 1
        if tag == "th" and self._heading:
            self._heading -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.pieces.append((self.getpos()[0], data, bool(self._heading)))


def _scan_html(text: str, matcher: _Matcher, where: str, first_line: int = 1) -> Iterator[tuple[str, str, str]]:
    parser = _HTMLText()
    parser.feed(text)
    parser.close()
    for line, piece, heading in parser.pieces:
        if heading and matcher.heading(piece):
            yield f"{where}line {first_line + line - 1}", "identifier_column", piece.strip()
        for offset, kind, matched in matcher.text(piece):
            yield f"{where}line {first_line + line - 1 + offset}", kind, matched


def _scan_lines(text: str, matcher: _Matcher, where: str = "") -> Iterator[tuple[str, str, str]]:
    for offset, kind, matched in matcher.text(text):
        yield f"{where}line {offset + 1}", kind, matched


def _joined(value: object) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _image_metadata_text(kind: str, payload: str) -> str:
    """The metadata text of an image given as base64 (a notebook output or an HTML ``data:`` URI)."""
    import base64
    import binascii

    try:
        data = base64.b64decode(re.sub(r"\s+", "", payload), validate=False)
    except (binascii.Error, ValueError):
        return ""
    return "\n".join(text for _, text in image_metadata(data))


def _metadata(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1) if value else ""


def _scan_notebook(path: Path, matcher: _Matcher) -> Iterator[tuple[str, str, str]]:
    try:
        nb = json.loads(decode_any(path.read_bytes()))
    except (OSError, ValueError) as exc:
        raise DisclosureScanError(f"{path}: cannot read the notebook ({exc})") from None
    if not isinstance(nb, dict):
        raise DisclosureScanError(f"{path}: not a notebook (the file holds no JSON object)")
    yield from _scan_lines(_metadata(nb.get("metadata")), matcher, "notebook metadata, ")
    for number, cell in enumerate(nb.get("cells", []), start=1):
        yield from _scan_lines(_metadata(cell.get("metadata")), matcher, f"cell {number} metadata, ")
        yield from _scan_lines(_metadata(cell.get("attachments")), matcher, f"cell {number} attachments, ")
        yield from _scan_lines(_joined(cell.get("source", "")), matcher, f"cell {number} source, ")
        for o_number, output in enumerate(cell.get("outputs", []), start=1):
            where = f"cell {number} output {o_number}"
            yield from _scan_lines(_metadata(output.get("metadata")), matcher, f"{where} metadata, ")
            if output.get("output_type") == "stream":
                yield from _scan_lines(_joined(output.get("text", "")), matcher, f"{where} ({output.get('name')}), ")
            elif output.get("output_type") == "error":
                text = _ANSI.sub("", "\n".join([output.get("evalue", ""), *output.get("traceback", [])]))
                yield from _scan_lines(text, matcher, f"{where} (error), ")
            for mime, data in output.get("data", {}).items():
                if mime.startswith("image/") and mime != "image/svg+xml":
                    text = _image_metadata_text(mime.split("/")[1], _joined(data))
                    yield from _scan_lines(text, matcher, f"{where} ({mime} metadata), ")
                    continue
                text = json.dumps(data) if isinstance(data, (dict, list)) and mime.endswith("json") else _joined(data)
                if mime == "text/html":
                    yield from _scan_html(text, matcher, f"{where} ({mime}), ")
                else:
                    yield from _scan_lines(text, matcher, f"{where} ({mime}), ")


def _scan_csv(path: Path, matcher: _Matcher) -> Iterator[tuple[str, str, str]]:
    from cm_research.data.reading import sniff_delimiter

    text = decode_any(path.read_bytes()).replace("\x00", "")
    delimiter = "\t" if path.suffix.lower() == ".tsv" else sniff_delimiter(text.split("\n", 1)[0])
    header: list[str] = []
    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, len(text) + 1))  # a huge cell is scanned, not refused
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    finally:
        csv.field_size_limit(old_limit)
    for number, record in enumerate(records, start=1):
        if number == 1:
            header = record
            for name in record:
                if matcher.heading(name):
                    yield "row 1 (header)", "identifier_column", name
        for i, cell in enumerate(record):
            column = header[i] if i < len(header) else f"column {i + 1}"
            for _, kind, matched in matcher.text(cell):
                yield f"row {number}, column `{column}`", kind, matched


_XML_TAG = re.compile(r"<[^>]*>")
_XML_NAME = re.compile(r'\b(?:name|author|creator|lastModifiedBy|title|descr)\s*=\s*"([^"]*)"')  # descr: alt text


def _scan_office(path: Path, matcher: _Matcher, skip: Iterable[str] = ()) -> Iterator[tuple[str, str, str]]:
    """Every XML part of an Office file (Word, PowerPoint, the parts of a workbook its cells do not cover:
    comments, document properties, sheet names), as text; embedded images by their metadata."""
    import zipfile

    skip = tuple(skip)
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            name = info.filename
            if info.is_dir() or name.startswith(skip):
                continue
            if info.file_size > 256 * 2**20:
                yield name, "unscanned_file", f"part {name} is too large to check"
                continue
            data = zf.read(info)
            if name.lower().endswith((".xml", ".rels", ".vml")):
                # text content, and names given in attributes (sheet names, defined names, authors)
                text = html.unescape(_XML_TAG.sub(lambda m: "\n" + "\n".join(_XML_NAME.findall(m.group())) + "\n",
                                                  decode_any(data)))
            elif name.lower().endswith((".png", ".jpg", ".jpeg", ".gif")):
                text = "\n".join(t for _, t in image_metadata(data))
            else:
                text = _strings(data)
            for offset, kind, matched in matcher.text(text):
                yield f"part {name}", kind, matched


def _scan_excel(path: Path, matcher: _Matcher) -> Iterator[tuple[str, str, str]]:
    from openpyxl import load_workbook

    yield from _scan_office(path, matcher, skip=("xl/worksheets/sheet", "xl/sharedStrings.xml"))
    book = load_workbook(path, read_only=True, data_only=True)
    for sheet in book.worksheets:
        sheet.reset_dimensions()  # the read-only reader stops at the sheet's <dimension>, which may claim too few rows
        for r, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                if r == 1 and matcher.heading(str(value)):
                    yield f"sheet `{sheet.title}`, row 1 (header)", "identifier_column", str(value)
                for _, kind, matched in matcher.text(str(value)):
                    yield f"sheet `{sheet.title}`, row {r}, column {c}", kind, matched
    book.close()


def png_text_chunks(path: Path) -> list[tuple[str, str]]:
    """(keyword, text) of a PNG's tEXt, zTXt and iTXt chunks (PNG specification, section 11.3.4)."""
    return _png_text(Path(path).read_bytes())


def _png_text(data: bytes) -> list[tuple[str, str]]:
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return []
    chunks, pos = [], 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        try:
            if kind == b"tEXt":
                key, _, text = body.partition(b"\0")
                chunks.append((key.decode("latin-1"), text.decode("latin-1")))
            elif kind == b"zTXt":
                key, _, rest = body.partition(b"\0")
                chunks.append((key.decode("latin-1"), zlib.decompressobj().decompress(rest[1:], 2**24).decode("latin-1")))
            elif kind == b"iTXt":
                key, _, rest = body.partition(b"\0")
                compressed, rest = rest[0], rest[2:]
                _, _, rest = rest.partition(b"\0")  # language tag
                _, _, text = rest.partition(b"\0")  # translated keyword
                chunks.append((key.decode("latin-1"), (zlib.decompressobj().decompress(text, 2**24) if compressed
                                                       else text).decode("utf-8", errors="replace")))
        except (zlib.error, UnicodeDecodeError, IndexError):
            chunks.append((kind.decode("latin-1"), "(unreadable text chunk)"))
        if kind == b"IEND":
            break
    return chunks


def _png_exif(data: bytes) -> list[tuple[str, str]]:
    found, pos = [], 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"eXIf":
            found.append(("eXIf", _strings(data[pos + 8:pos + 8 + length])))
        if kind == b"IEND":
            break
        pos += 12 + length
    return found


def _jpeg_segments(data: bytes) -> list[tuple[str, str]]:
    """(segment, text) of a JPEG's comment (COM) and application (APPn: Exif, XMP, IPTC) segments."""
    found, pos = [], 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker in (0xD9, 0xDA):  # end of image, start of scan: no metadata after this
            break
        length = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        body = data[pos + 4:pos + 2 + length]
        if marker == 0xFE:
            found.append(("comment", decode_any(body)))
        elif 0xE1 <= marker <= 0xEF:
            found.append((f"APP{marker - 0xE0}", _strings(body)))
        pos += 2 + length
    return found


def image_metadata(data: bytes) -> list[tuple[str, str]]:
    """(field, text) of every text an image file carries besides its pixels: PNG text chunks and Exif, JPEG
    comments and Exif/XMP/IPTC segments, GIF comment and application extensions (their readable strings)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _png_text(data) + _png_exif(data)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_segments(data)
    if data.startswith((b"GIF87a", b"GIF89a")):
        return [("strings", _strings(data))]
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return [("strings", _strings(data))]
    return []


def _scan_image(path: Path, matcher: _Matcher) -> Iterator[tuple[str, str, str]]:
    data = path.read_bytes()
    fields = image_metadata(data)
    if not fields and not data.startswith((b"\x89PNG", b"\xff\xd8", b"GIF8", b"RIFF")):
        yield "whole file", "unscanned_file", "not an image the scan can read, so cannot be published"
        return
    for key, text in fields:
        for _, kind, matched in matcher.text(text):
            yield f"image metadata `{key}`", kind, matched


_OFFICE_SUFFIXES = (".xlsx", ".xlsm", ".docx", ".docm", ".pptx", ".odt", ".ods")


def _scan_file(path: Path, matcher: _Matcher) -> Iterator[tuple[str, str, str]]:
    from cm_research.data.archives import oversized_archive

    suffix = path.suffix.lower()
    if suffix in _OFFICE_SUFFIXES and (reason := oversized_archive(path)):
        # a file built to exhaust memory is reported as unchecked (so it cannot be published), never opened
        yield "whole file", "unscanned_file", f"not checked: {reason}"
        return
    if suffix in (".html", ".htm", ".xhtml"):
        yield from _scan_html(decode_any(path.read_bytes()), matcher, "")
    elif suffix == ".ipynb":
        yield from _scan_notebook(path, matcher)
    elif suffix in (".csv", ".tsv"):
        yield from _scan_csv(path, matcher)
    elif suffix in (".xlsx", ".xlsm"):
        yield from _scan_excel(path, matcher)
    elif suffix in (".docx", ".docm", ".pptx", ".odt", ".ods"):
        yield from _scan_office(path, matcher)
    elif suffix in (".png", ".jpg", ".jpeg", ".gif", ".webp"):
        yield from _scan_image(path, matcher)
    elif suffix in TEXT_SUFFIXES or (not suffix and path.name.startswith(".")):
        yield from _scan_lines(decode_any(path.read_bytes()), matcher)
    else:
        yield "whole file", "unscanned_file", f"{suffix or 'no extension'}: cannot be checked, so cannot be published"


def is_restricted(relative: Path) -> bool:
    """True for files never published with a run (see the module docstring)."""
    if RESTRICTED_FOLDER in relative.parts[:-1]:
        return True
    return any(fnmatch.fnmatch(relative.name, pattern) for pattern in RESTRICTED_FILES)


def run_input_names(run_dir: str | Path) -> list[str]:
    """The names of a run's input files worth looking for in what it publishes (:func:`distinctive_names`),
    from its full manifest (``restricted/manifest.json``, else ``manifest.json``); none when it has neither.
    Files named as a data-dictionary table (``participants.csv``, ``waiting_list.csv``) and files the run itself publishes
    (``effect_sizes.csv`` read by the synthesis, ``SYNTHETIC.txt``) name nobody and are not counted."""
    from cm_research.data.loading import TABLE_SUFFIXES

    run_dir = Path(run_dir)
    names: set[str] = set()
    for manifest in (run_dir / RESTRICTED_FOLDER / "manifest.json", run_dir / "manifest.json"):
        try:
            jobs = json.loads(manifest.read_text(encoding="utf-8")).get("jobs") or []
        except (OSError, ValueError, AttributeError):
            continue
        for job in jobs:
            inputs = job.get("inputs") if isinstance(job, dict) else None
            if isinstance(inputs, dict):  # the full record: {path: sha256}
                names.update(Path(str(p).replace("\\", "/")).name for p in inputs)
        if names:
            break
    try:
        from cm_research.dictionary import load_schemas

        tables = set(load_schemas())
    except Exception:  # the scan must still run when the dictionary cannot be read
        tables = set()
    from cm_research.data.loading import FILE_ROLES  # files read as a table under their own name (waiting_list)

    generic = {f"{t}{ext}" for t in tables | set(FILE_ROLES) for ext in TABLE_SUFFIXES}
    generic |= {p.name for p in run_dir.rglob("*") if p.is_file() and not is_restricted(p.relative_to(run_dir))}
    return distinctive_names(names, generic | conventional_names())


@lru_cache(maxsize=1)
def conventional_names() -> frozenset[str]:
    """File names the package's own notebooks read by convention (``action_research_cycle.yaml``): a file so
    named was named by the package, not by whoever saved it, and tells nothing about anyone."""
    try:
        from cm_research.resources import resource_dir

        text = "\n".join(p.read_text(encoding="utf-8", errors="replace")
                         for p in resource_dir("notebooks").glob("*.ipynb"))
    except Exception:  # noqa: BLE001 -- without the notebooks no name is conventional
        return frozenset()
    return frozenset(n.lower() for n in re.findall(r"[\w.-]+\.(?:csv|xlsx|yaml|yml|txt|json|docx)\b", text))


def check_disclosure(run_dir: str | Path,
                     register: str | Path | pd.DataFrame | Register | Iterable[str] | None = None,
                     input_names: Iterable[str] | None = None) -> pd.DataFrame:
    """Scan every file under ``run_dir`` for identifiers, input file names and absolute paths; one row per
    finding: file, location, kind, text.

    An empty table means the run passed. ``input_names`` (default: :func:`run_input_names`) are the file names
    that must not appear. ``attrs["skipped"]`` lists the restricted files left out (relative paths);
    ``attrs["n_files"]`` the number of files scanned. This is what ``cm-research check-disclosure`` runs.
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise DisclosureScanError(f"{run_dir}: no such run folder")
    matcher = _Matcher(load_scan_register(register),
                       run_input_names(run_dir) if input_names is None else input_names)
    rows, skipped, n_files = [], [], 0
    # hidden files and folders are scanned like the rest: whatever is in the folder is published with it
    for path in sorted(p for p in run_dir.rglob("*") if p.is_file()):
        relative = path.relative_to(run_dir)
        if is_restricted(relative):
            skipped.append(relative.as_posix())
            continue
        n_files += 1
        found = []
        try:
            found = list(_scan_file(path, matcher))
        except Exception as exc:  # noqa: BLE001 - whatever stops a file being read, it is never passed
            found.append(("whole file", "unscanned_file", f"cannot be read ({type(exc).__name__}: {exc})"[:300]))
        rows += [(relative.as_posix(), location, kind, text) for location, kind, text in found]
    findings = pd.DataFrame(rows, columns=FINDING_COLUMNS)
    findings.attrs.update(skipped=skipped, n_files=n_files)
    return findings


def format_findings(findings: pd.DataFrame, limit: int | None = 200) -> str:
    """Findings as lines ``file: location: kind: text``, for the terminal (they show identifiers: not for reports)."""
    shown = findings if limit is None else findings.head(limit)
    lines = [f"{r.file}: {r.location}: {r.kind}: {r.text}" for r in shown.itertuples()]
    if limit is not None and len(findings) > limit:
        lines.append(f"... and {len(findings) - limit} more")
    return "\n".join(lines)


def record_disclosure_check(run_dir: str | Path, findings: pd.DataFrame) -> Path | None:
    """Write the findings to ``run_dir/restricted/disclosure_findings.csv``; when there are any, also write
    ``run_dir/NOT_FOR_PUBLICATION.txt`` (counts by file and kind, no identifiers) and return its path.
    A passing check removes an old NOT_FOR_PUBLICATION.txt and returns None."""
    run_dir = Path(run_dir)
    restricted = run_dir / RESTRICTED_FOLDER
    restricted.mkdir(parents=True, exist_ok=True)
    from cm_research.data.writing import formula_safe  # the text found may be a formula someone typed

    write_records(formula_safe(findings), restricted / "disclosure_findings.csv")
    marker = run_dir / NOT_FOR_PUBLICATION
    if findings.empty:
        marker.unlink(missing_ok=True)
        return None
    counts = findings.groupby(["file", "kind"]).size()
    lines = [f"NOT FOR PUBLICATION: the disclosure check found {len(findings)} possible identifier"
             f"{'s' if len(findings) != 1 else ''} in this run.",
             f"Details (with the identifiers) are in {RESTRICTED_FOLDER}/disclosure_findings.csv.", ""]
    lines += [f"{file}: {n} x {kind}" for (file, kind), n in counts.items()]
    marker.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return marker


def disclosure_banner(findings: pd.DataFrame) -> str:
    """An HTML paragraph for a run's index page: passed, or NOT FOR PUBLICATION with counts (no identifiers)."""
    if findings.empty:
        return '<p class="ok">Disclosure check passed: no identifiers found in the reports and tables.</p>'
    kinds = ", ".join(f"{n} {k}" for k, n in findings["kind"].value_counts().sort_index().items())
    return (f'<p class="banner"><strong>NOT FOR PUBLICATION.</strong> The disclosure check found '
            f"{html.escape(kinds)} in {findings['file'].nunique()} file(s); see {NOT_FOR_PUBLICATION}.</p>")
