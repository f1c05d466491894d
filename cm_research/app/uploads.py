"""Uploads: checked for name, type and size, kept with their time, then read by the package's own readers.

Every upload is written to ``uploads/<kind>/<time>__<table>__<name>`` and never overwritten, so a corrected
file sits beside the one it corrects; the latest upload of a table is also copied to ``data/<table>.<ext>``,
the data folder the reports read. A data file is checked by :func:`cm_research.data.load_table`, the same
reader ``cm-research validate`` and the batch use (its hostile-input rules apply: formula cells, odd encodings,
oversized sheets are handled there), and the check lists every problem with its sheet, row and column, the
cells blanked (bad optional values; the row is kept) and the rows held back.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cm_research.app.errors import UploadError
from cm_research.app.project import Project, timestamp
from cm_research.data.file_names import windows_reserved

#: the largest file the app takes (bytes); the Voilà server's websocket limit is set just above it
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
#: the most files one upload may hold (the page refuses more before sending; the kernel checks again)
MAX_FILES = 200
#: what each kind of upload may be
ALLOWED_SUFFIXES: dict[str, tuple[str, ...]] = {
    "data": (".xlsx", ".csv"),
    "survey": (".xlsx", ".csv"),
    "interviews": (".txt", ".docx", ".vtt", ".srt"),
    "review": (".csv",),
}
DATA_TABLES = ("participants", "outcomes", "sessions", "costs")
SURVEY_TABLES = ("survey_responses", "survey_comments")
_ZIP_SUFFIXES = {".xlsx", ".docx"}
_NAME_CHARS = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_upload_name(name: str, kind: str) -> str:
    """The file name an upload is kept under: the last part of what the browser sent (``../../x``,
    ``C:\\x``, ``..\\x`` all give ``x``), letters, digits, ``. _ -`` and spaces only, never ``__`` (it separates
    the time, table and name of a kept upload), never a Windows device name (``CON.txt`` is kept as ``CON_.txt``),
    and a suffix allowed for ``kind``. Raises UploadError for a NUL byte, an empty name or a type not allowed."""
    if kind not in ALLOWED_SUFFIXES:
        raise UploadError(f"unknown kind of upload {kind!r}")
    if "\x00" in name:
        raise UploadError("the file name holds a NUL character; rename the file and upload it again")
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name))[-1]
    base = re.sub(r"_{2,}", "_", _NAME_CHARS.sub("_", base)).strip(" .")
    allowed = ALLOWED_SUFFIXES[kind]
    suffix = Path(base).suffix.lower()
    if not base or not Path(base).stem.strip("._ "):
        raise UploadError(f"{name!r} is not a file name the app can keep; rename the file and upload it again")
    if suffix not in allowed:
        raise UploadError(f"{base}: a {suffix or 'file without an extension'} cannot be uploaded here; "
                          f"upload {' or '.join(allowed)}")
    stem = Path(base).stem[:80]
    if windows_reserved(stem):  # CON.csv, nul.backup.txt: no such file can be made on Windows
        first, dot, rest = stem.partition(".")
        stem = f"{first.rstrip()}_{dot}{rest}"
    return f"{stem}{suffix}"


def check_content(name: str, content: bytes) -> None:
    """Refuse an empty or oversized file, and one whose bytes do not match its suffix (a .xlsx or .docx is a
    zip archive; a .csv or .txt is text without NUL bytes)."""
    if not content:
        raise UploadError(f"{name} is empty")
    if len(content) > MAX_UPLOAD_BYTES:
        raise UploadError(f"{name} is {len(content) / 2**20:.1f} MB; the app takes files up to "
                          f"{MAX_UPLOAD_BYTES // 2**20} MB (split a larger file, or ask your analyst)")
    suffix = Path(name).suffix.lower()
    if suffix in _ZIP_SUFFIXES and not content.startswith(b"PK\x03\x04"):
        raise UploadError(f"{name} is not a real {suffix} file (perhaps a renamed file of another kind); save it "
                          f"from Excel or Word as {suffix} and upload it again")
    if suffix not in _ZIP_SUFFIXES and b"\x00" in content[:65536] and not _wide_text(content):
        raise UploadError(f"{name} is not a text file (it holds binary data); save it as {suffix} and upload it again")


def check_count(names: list[str]) -> None:
    """Refuse a choice of more than :data:`MAX_FILES` files at once (5,000 transcripts chosen together would be
    kept and listed one by one while the page waits, with no word of progress): nothing of it is kept."""
    if len(names) > MAX_FILES:
        raise UploadError(f"{len(names)} files were chosen; the app takes up to {MAX_FILES} files at a time. "
                          "Upload them in smaller groups. Nothing was uploaded.")


def _wide_text(content: bytes) -> bool:
    """Text in UTF-16 or UTF-32 (Excel's "Unicode Text", with or without its byte-order mark), whose NUL bytes are
    half of each Latin letter, not binary data; the readers decode it (:func:`cm_research.data.raw.decode_text`)."""
    from cm_research.data.raw import decode_text

    if not content.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")) and content[:1] != b"\x00" \
            and content[1:2] != b"\x00":
        return False
    try:
        text, encoding = decode_text(content)
    except UnicodeDecodeError:
        return False
    return encoding.startswith(("utf-16", "utf-32")) and "\x00" not in text


def store_upload(project: Project, name: str, content: bytes, kind: str, table: str = "") -> Path:
    """Keep ``content`` as ``uploads/<kind>/<time>__[<table>__]<safe name>`` and return its path; nothing is
    overwritten. Raises UploadError (and keeps nothing) when the name, type or size is refused."""
    safe = safe_upload_name(name, kind)
    check_content(safe, content)
    if table and not re.fullmatch(r"[a-z_]+", table):
        raise UploadError(f"unknown table {table!r}")
    folder = project.path("uploads", kind)
    folder.mkdir(exist_ok=True)
    target = project.path("uploads", kind, f"{timestamp()}__{table + '__' if table else ''}{safe}")
    with open(target, "xb") as handle:  # "x": never overwrite, even in a race
        handle.write(content)
    return target


def uploads_of(project: Project, kind: str, table: str | None = None) -> list[Path]:
    """Uploads of ``kind`` (and ``table``), oldest first."""
    folder = project.path("uploads", kind)
    files = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    if table:
        files = [p for p in files if p.name.split("__")[1:2] == [table]]
    return files


def uploads_table(project: Project) -> pd.DataFrame:
    """Every upload: when, kind, table, file (as uploaded), kept as."""
    rows = []
    for kind in ALLOWED_SUFFIXES:
        for p in uploads_of(project, kind):
            parts = p.name.split("__")
            when = pd.to_datetime(parts[0], format="%Y%m%d-%H%M%S-%f").strftime("%d/%m/%Y %H:%M:%S")
            rows.append({"uploaded": when, "kind": kind, "table": parts[1] if len(parts) == 3 else "",
                         "file": parts[-1], "kept as": p.relative_to(project.root).as_posix()})
    return pd.DataFrame(rows, columns=["uploaded", "kind", "table", "file", "kept as"])


def guess_table(name: str, tables: tuple[str, ...] = DATA_TABLES + SURVEY_TABLES) -> str | None:
    """The table a file name points to (``participants.xlsx``, ``Outcomes (v2).csv``), or None."""
    stem = re.sub(r"[^a-z]+", "_", Path(name).stem.lower())
    for table in sorted(tables, key=len, reverse=True):
        if table in stem:
            return table
    return None


@dataclass
class UploadCheck:
    """What the check of one uploaded table found."""

    table: str
    file: str
    stored: Path
    n_read: int
    n_valid: int
    problems: pd.DataFrame
    blanked: pd.DataFrame
    held_back: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def n_errors(self) -> int:
        return int((self.problems["severity"] == "error").sum()) if len(self.problems) else 0

    def summary(self) -> str:
        """One plain-English sentence."""
        text = (f"{self.file} ({self.table}): {self.n_read} rows read, {self.n_valid} ready for the reports, "
                f"{len(self.held_back)} held back, {len(self.blanked)} with a cell left blank; "
                f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''} to look at.")
        return text if not self.notes else text + " " + " ".join(self.notes)


def _references(project: Project, table: str) -> tuple[dict, dict]:
    from cm_research.data import load_table
    from cm_research.data.loading import find_table_file
    from cm_research.errors import CMResearchError

    if table not in ("outcomes", "sessions"):
        return {}, {}
    try:
        participants = load_table(find_table_file(project.data_dir, "participants"), "participants")
    except (CMResearchError, FileNotFoundError, OSError):
        return {}, {}
    return ({"participants": participants.data},
            {"participants": set(participants.quarantine.get("participant_id", []))})


def _problems_shown(problems: pd.DataFrame, sheet: str) -> pd.DataFrame:
    """Problems with the sheet named (the reader gives file, row, column)."""
    cols = ["sheet", "row", "column", "value", "message", "severity"]
    if problems.empty:
        return pd.DataFrame(columns=cols)
    shown = problems.assign(sheet=sheet, row=problems["row"].astype("Int64"))
    return shown[cols].reset_index(drop=True)


def check_table_upload(project: Project, stored: Path, table: str, original_name: str = "",
                       make_current: bool = True) -> UploadCheck:
    """Read ``stored`` as ``table`` with :func:`cm_research.data.load_table` (outcomes and sessions are checked
    against the current participants), make it the current ``data/<table>`` file (unless ``make_current`` is
    false: re-checking an earlier upload to compare with), and report what was found.
    A file that cannot be read at all raises :class:`~cm_research.errors.DataValidationError` (the app shows its
    message) and does not replace the current file."""
    from cm_research.data import load_table

    stored = project.path(stored.relative_to(project.root))
    project.refuse_links()
    references, held = _references(project, table)
    result = load_table(stored, table, references=references, quarantined=held)
    sheet = table if stored.suffix.lower() == ".xlsx" else "(CSV file)"
    notes = []
    if table in ("outcomes", "sessions") and not references:
        notes.append("Participant ids were not checked: upload the participants file first.")
    blanked = result.blanked[["row", "problems"]] if not result.blanked.empty else pd.DataFrame(columns=["row", "problems"])
    held_back = (result.quarantine[["row", "problems"]] if not result.quarantine.empty
                 else pd.DataFrame(columns=["row", "problems"]))
    if make_current:
        for other in project.data_dir.glob(f"{table}.*"):
            other.unlink()  # the current copy only; the upload itself stays in uploads/
        shutil.copyfile(stored, project.data_dir / f"{table}{stored.suffix.lower()}")
    return UploadCheck(table=table, file=original_name or stored.name.split("__")[-1], stored=stored,
                       n_read=result.n_read, n_valid=len(result.data),
                       problems=_problems_shown(result.problems, sheet), blanked=blanked.reset_index(drop=True),
                       held_back=held_back.reset_index(drop=True), notes=notes)


def compare_checks(before: UploadCheck, after: UploadCheck) -> pd.DataFrame:
    """The difference between two checks of the same table: each problem (row, column, message) marked
    ``fixed`` (only before), ``still there`` (both) or ``new`` (only after)."""
    key = ["row", "column", "message"]
    old = before.problems[key].astype(str).drop_duplicates()
    new = after.problems[key].astype(str).drop_duplicates()
    merged = old.merge(new, on=key, how="outer", indicator=True)
    merged["status"] = merged.pop("_merge").astype(str).map({"left_only": "fixed", "both": "still there", "right_only": "new"})
    order = {"fixed": 0, "still there": 1, "new": 2}
    rank = merged["status"].astype(str).map(order).astype(float) * 10**9 + pd.to_numeric(merged["row"], errors="coerce").fillna(0)
    return merged.iloc[rank.argsort(kind="stable")][["status", *key]].reset_index(drop=True)


def difference_sentence(diff: pd.DataFrame) -> str:
    """:func:`compare_checks` in one sentence: how many problems were fixed, are still there, are new."""
    counts = diff["status"].value_counts()
    return (f"Compared with the previous upload: {counts.get('fixed', 0)} problem(s) fixed, "
            f"{counts.get('still there', 0)} still there, {counts.get('new', 0)} new.")


def previous_check(project: Project, kind: str, table: str, latest: Path) -> UploadCheck | None:
    """The check of the upload of ``table`` made before ``latest`` (re-read, not made current), to show what a
    corrected file changed after the app was restarted; None when there is none or it cannot be read."""
    from cm_research.errors import CMResearchError

    earlier = [p for p in uploads_of(project, kind, table) if p.name < latest.name]
    if not earlier:
        return None
    try:
        return check_table_upload(project, earlier[-1], table, make_current=False)
    except (CMResearchError, OSError):
        return None
