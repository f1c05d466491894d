"""Read a small CSV export (a coding sheet, a review sheet, a Taguette export) as numbered records.

The one reader of such files: the bytes are decoded as :func:`cm_research.data.reading.decode_text` decodes a
data file (UTF-8 with or without a byte-order mark, else Windows-1252), the delimiter is the commonest of ``,``,
``;`` and tab in the header line (Excel in a European locale saves with ``;``), headers are lower-cased with
spaces as underscores, blank records are skipped and every record keeps the line number a spreadsheet shows.
Problems raise the caller's :class:`~cm_research.errors.ProblemsError` naming file and line. (Whole data tables
read against the data dictionary go through :func:`cm_research.data.reading.read_raw` instead.)
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from cm_research.data.reading import decode_text
from cm_research.data.writing import unescape_formula_cell
from cm_research.errors import ProblemsError

Record = tuple[int, dict[str, str]]


def read_csv_records(path: str | Path, error: type[ProblemsError], *, required: list[str] | None = None,
                     hint: str = "", unescape: bool = True) -> tuple[list[str], list[Record]]:
    """(header, [(line number, {column: text}), …]) of the CSV at ``path``.

    ``error`` is raised (via its ``from_problems``) for an empty or undecodable file and, with ``required``, for
    missing columns (``hint`` is added to that message, e.g. what the export should have). ``unescape`` removes
    the apostrophe :func:`cm_research.data.writing.formula_safe_cell` put before text a spreadsheet would run.
    """
    path = Path(path)
    data = path.read_bytes()
    if not data.strip():
        raise error.from_problems([_problem(path, None, "", "", "the file is empty")], path.name)
    try:
        text, _ = decode_text(data)
    except UnicodeDecodeError as exc:
        raise error.from_problems([_problem(path, data[:exc.start].count(b"\n") + 1, "", "",
                                            "not readable text; save it again as CSV UTF-8")], path.name) from exc
    delimiter = max([",", ";", "\t"], key=text.split("\n", 1)[0].count)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header = [h.strip().lower().replace(" ", "_") for h in records[0]]
    missing = [c for c in required or [] if c not in header]
    if missing:
        raise error.from_problems([_problem(path, 1, ", ".join(missing), ", ".join(header),
                                            f"missing column(s) {', '.join(missing)}{hint}")], path.name)
    cell = unescape_formula_cell if unescape else str
    rows = [(number, {h: (cell(record[i]) if i < len(record) else "") for i, h in enumerate(header)})
            for number, record in enumerate(records[1:], start=2) if any(c.strip() for c in record)]
    return header, rows


def _problem(path: Path, line: int | None, column: str, value: str, message: str) -> dict:
    return {"file": path.name, "line": line, "column": column, "value": str(value)[:80], "message": message}
