"""Attendance exported from a school's management information system (SIMS, Arbor, Bromcom, …) read into the
``attendance`` table.

School MIS report layouts are configurable and their vendors do not publish them, so no single heading row can be
relied on. The general case is read instead: a **column-mapping step** (:data:`HEADINGS` recognises the usual
headings, ``columns`` names the rest) with one of three layouts, each validated by the data dictionary:

* **a summary**: sessions possible and attended (or present plus approved educational activity, "AEA"), and
  optionally authorised and unauthorised absence and an attendance percentage (``93.5%``, ``93,5 %``), which is
  checked against attended / possible -- a percentage alone is refused, since the table needs the counts;
* **a marks string** per row (``/\\/\\LLIN#``), counted with the national register codes below;
* **one column per session** (headings such as ``Mon 04/09/2023 AM``), each holding one mark; the period is the
  first to the last date found in the headings.

Register codes (The School Attendance (Pupil Registration) (England) Regulations 2024, regulation 10 and its
tables; and the codes before them, DfE "Absence and attendance codes" 2009, still in older exports):

* present: ``/`` (morning), ``\\`` (afternoon), ``L`` (late before the register closed);
* approved educational activity, counted as attended: ``B``, ``K``, ``P``, ``V``, ``W``, and ``J`` (interview,
  before 2024);
* authorised absence: ``C``, ``C1``, ``C2``, ``E`` (suspended or excluded, no alternative provision), ``F``,
  ``H``, ``I``, ``J1``, ``M``, ``R``, ``S``, ``T``;
* unauthorised absence: ``G``, ``N`` (no reason yet), ``O``, ``U`` (arrived after the register closed);
* not a possible session (left out of sessions possible): ``D`` (dual registered, attending elsewhere), ``X``,
  ``Y`` and ``Y1``-``Y7``, ``Z``, ``Q``, ``#`` (planned closure) and ``-`` (no session).

``E`` sessions give ``suspension_days`` (two sessions a day). A mark outside these lists is an error naming
row, column and mark, never guessed. Columns holding pupils' names, UPNs or dates of birth are never read; a
warning names them so they can be taken out before the file is shared. ePEP and Virtual School systems (Welfare
Call, eGov's ePEP) publish no export layout either: their attendance exports are read the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cm_research.data.loading import TableLoad, validate_raw
from cm_research.data.raw import RawTable
from cm_research.data.reading import read_raw
from cm_research.dictionary import load_schema
from cm_research.errors import PROBLEM_COLUMNS, DataValidationError

__all__ = ["ATTENDED", "AUTHORISED", "HEADINGS", "NOT_POSSIBLE", "UNAUTHORISED", "AttendanceExportError",
           "MarkCounts", "count_marks", "read_attendance_export"]

PRESENT = frozenset({"/", "\\", "L"})
ATTENDED = PRESENT | {"B", "K", "P", "V", "W", "J"}
AUTHORISED = frozenset({"C", "C1", "C2", "E", "F", "H", "I", "J1", "M", "R", "S", "T"})
UNAUTHORISED = frozenset({"G", "N", "O", "U"})
NOT_POSSIBLE = frozenset({"D", "X", "Y", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7", "Z", "Q", "#", "-"})
_MARK = re.compile(r"C[12]|J1|Y[1-7]|.", re.S)

#: the headings each field is recognised by (compared in lower case, spaces squashed)
HEADINGS: dict[str, tuple[str, ...]] = {
    "participant_id": ("participant_id", "participant id", "pseudonymous id", "pseudonym"),
    "period_start": ("period_start", "period start", "start date", "date from", "from"),
    "period_end": ("period_end", "period end", "end date", "date to", "to"),
    "sessions_possible": ("sessions_possible", "sessions possible", "possible sessions", "possible", "poss",
                          "possible marks"),
    "sessions_attended": ("sessions_attended", "sessions attended", "attended sessions", "attended",
                          "present + aea", "present and aea", "present + approved educational activity"),
    "present": ("present", "present sessions", "sessions present"),
    "aea": ("aea", "approved educational activity", "aea sessions"),
    "authorised_absence": ("authorised_absence", "authorised absence", "authorised absences", "authorised",
                           "auth abs", "auth"),
    "unauthorised_absence": ("unauthorised_absence", "unauthorised absence", "unauthorised absences",
                             "unauthorised", "unauth abs", "unauth"),
    "suspension_days": ("suspension_days", "suspension days", "days suspended", "exclusion days"),
    "attendance_pct": ("attendance %", "% attendance", "attendance percentage", "attendance (%)", "attendance pct",
                       "%", "attendance"),
    "marks": ("marks", "register marks", "session marks", "attendance marks string", "mark string"),
}
#: headings that hold who a pupil is: never read, named in a warning
PERSONAL = ("forename", "surname", "legal forename", "legal surname", "preferred forename", "preferred surname",
            "name", "pupil name", "student name", "upn", "unique pupil number", "date of birth", "dob", "uln",
            "candidate number", "admission number", "adno")
_SESSION = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\D*\b(am|pm)\b", re.I)


class AttendanceExportError(DataValidationError):
    """A school system's attendance export cannot be read as the attendance table: no participant id, no
    sessions possible and attended (or marks), no period. The message names the file, what was found and
    what to add or map; ``problems`` is the usual table."""

    problem_columns = PROBLEM_COLUMNS


@dataclass(frozen=True)
class MarkCounts:
    """Sessions counted from register marks (see the module docstring for which code counts where)."""

    possible: int
    attended: int
    authorised: int
    unauthorised: int
    suspended: int  # ``E`` sessions
    not_counted: int
    unknown: tuple[str, ...]


def count_marks(marks) -> MarkCounts:
    """Count a register's marks (a string such as ``"/\\\\LNE#"``, or one mark per item of a list).

    possible = attended + authorised + unauthorised (sessions marked with a code that is not a possible session
    are left out, as the school census leaves them out); blanks and spaces are no session. Unknown marks are
    returned in ``unknown`` and counted nowhere.
    """
    if isinstance(marks, str):
        codes = [m for m in _MARK.findall(marks.upper()) if not m.isspace()]
    else:
        codes = [str(m).strip().upper() for m in marks if str(m).strip()]
    attended = sum(c in ATTENDED for c in codes)
    authorised = sum(c in AUTHORISED for c in codes)
    unauthorised = sum(c in UNAUTHORISED for c in codes)
    return MarkCounts(possible=attended + authorised + unauthorised, attended=attended, authorised=authorised,
                      unauthorised=unauthorised, suspended=codes.count("E"),
                      not_counted=sum(c in NOT_POSSIBLE for c in codes),
                      unknown=tuple(c for c in codes if c not in ATTENDED | AUTHORISED | UNAUTHORISED | NOT_POSSIBLE))


def _norm(heading: str) -> str:
    return re.sub(r"\s+", " ", str(heading).strip().lower().replace("_", " ")).strip()


def _text(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, (pd.Timestamp,)) or hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(text: str) -> float | None:
    cleaned = text.replace("%", "").replace("\u00a0", "").strip().replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return None


def _mapping(path: Path, header: list[str], columns: dict[str, str | list[str]] | None) -> dict[str, object]:
    """Field -> heading (or headings, for ``marks`` one column per session) from ``columns`` and :data:`HEADINGS`."""
    normal = {_norm(h): h for h in header}
    found: dict[str, object] = {}
    for name, heading in (columns or {}).items():
        if name not in HEADINGS:
            raise AttendanceExportError(f"{path.name}: columns names {name!r}, which is not something an attendance "
                                        f"export is read for ({', '.join(HEADINGS)})")
        headings = [heading] if isinstance(heading, str) else list(heading)
        missing = [h for h in headings if h not in header and _norm(h) not in normal]
        if missing:
            raise AttendanceExportError(f"{path.name}: no column {missing[0]!r} (for {name}); its columns: "
                                        f"{', '.join(header[:40])}")
        found[name] = [normal.get(_norm(h), h) for h in headings] if name == "marks" else normal.get(_norm(headings[0]),
                                                                                                     headings[0])
    taken = {h for v in found.values() for h in ([v] if isinstance(v, str) else v)}
    for name, synonyms in HEADINGS.items():
        if name not in found:
            hit = next((normal[s] for s in synonyms if s in normal and normal[s] not in taken), None)
            if hit is not None:
                found[name] = hit
                taken.add(hit)
    if "marks" not in found:
        sessions = [h for h in header if _SESSION.search(h) and h not in taken]
        if sessions:
            found["marks"] = sessions
    elif isinstance(found["marks"], str):
        found["marks"] = [found["marks"]]
    return found


def _session_date(heading: str) -> pd.Timestamp | None:
    m = _SESSION.search(heading)
    if not m:
        return None
    day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        return pd.Timestamp(year + 2000 if year < 100 else year, month, day)
    except ValueError:
        return None


def read_attendance_export(path: str | Path, *, columns: dict[str, str | list[str]] | None = None,
                           period_start: str | None = None, period_end: str | None = None,
                           references: dict[str, pd.DataFrame] | None = None) -> TableLoad:
    """Read a school MIS attendance export (CSV or XLSX) as the ``attendance`` table (see the module docstring).

    Parameters
    ----------
    columns : field -> the export's heading, for headings :data:`HEADINGS` does not know, e.g.
        ``{"participant_id": "Pseudonym", "sessions_possible": "Poss."}``; ``marks`` may name one column (a
        marks string) or a list (one column per session).
    period_start, period_end : the period every row covers (dd/mm/yyyy), when the export has no such columns
        and no dated session columns.
    references : as in :func:`cm_research.data.load_table` (e.g. ``{"participants": participants.data}``).

    Returns a ``TableLoad``; ``problems`` name the export's row and heading. Raises
    :class:`AttendanceExportError` when the export lacks what the table needs.
    """
    path = Path(path)
    raw = read_raw(path, "attendance")
    header = [str(h) for h in raw.cells.columns]
    found = _mapping(path, header, columns)
    problems: list[dict] = []
    held: dict[int, str] = {}  # export row -> why it was held back before validation

    def problem(row, column, value, message, severity="error", rule="attendance_export"):
        if severity == "error" and pd.notna(row):
            held[row] = message
        problems.append({"file": path.name, "row": row, "column": column, "value": str(value)[:80], "rule": rule,
                         "message": message, "severity": severity})

    personal = [h for h in header if _norm(h) in PERSONAL]
    if personal:
        problem(pd.NA, ", ".join(personal), "", f"column(s) {', '.join(map(repr, personal))} hold who a pupil is; "
                "they were not read: take them out of the file before it is shared", "warning", "personal_data")
    if "participant_id" not in found:
        raise AttendanceExportError(f"{path.name}: no column holding each young person's pseudonymous id "
                                    "(participant_id); add it (the ids of the participants table, never a name or UPN) "
                                    "or give columns={'participant_id': 'its heading'}")
    marks = found.get("marks")
    summary = "sessions_possible" in found and ("sessions_attended" in found or "present" in found)
    if not marks and not summary:
        has_pct = "attendance_pct" in found
        raise AttendanceExportError(
            f"{path.name}: " + ("the export gives attendance only as a percentage; " if has_pct else "") +
            "the attendance table needs sessions possible and sessions attended (or the register marks): export "
            "them too, or name their headings in columns={...}; columns found: " + ", ".join(header[:40]))
    dated = sorted(d for h in (marks or []) if (d := _session_date(h)) is not None)
    if "period_start" not in found and not period_start and not (len(marks or []) > 1 and dated):
        raise AttendanceExportError(f"{path.name}: no period start and end: add columns for them, or give "
                                    "period_start= and period_end= (dd/mm/yyyy) for the period the export covers")
    rows, origin = [], {}
    for row, cells in raw.cells.iterrows():
        get = {name: _text(cells[h]) for name, h in found.items() if isinstance(h, str)}
        out = {"participant_id": get["participant_id"]}
        out["period_start"] = get.get("period_start") or period_start or dated[0].strftime("%d/%m/%Y")
        out["period_end"] = get.get("period_end") or period_end or dated[-1].strftime("%d/%m/%Y")
        if marks:
            texts = [_text(cells[h]) for h in marks]
            counted = count_marks("".join(texts) if len(marks) == 1 else texts)
            if counted.unknown:
                problem(row, marks[0] if len(marks) == 1 else ", ".join(marks[:3]) + " …", " ".join(counted.unknown),
                        f"mark(s) {', '.join(map(repr, sorted(set(counted.unknown))))} are not register codes "
                        "(see cm_research.interop.attendance_mis); correct them in the school's system")
                continue
            out.update(sessions_possible=str(counted.possible), sessions_attended=str(counted.attended),
                       authorised_absence=str(counted.authorised), unauthorised_absence=str(counted.unauthorised),
                       suspension_days=f"{counted.suspended / 2:g}")
        else:
            out["sessions_possible"] = get["sessions_possible"]
            if "sessions_attended" in get:
                out["sessions_attended"] = get["sessions_attended"]
            else:
                present, aea = _number(get["present"]), _number(get.get("aea", "0") or "0")
                out["sessions_attended"] = "" if present is None or aea is None else f"{present + aea:g}"
            for name in ("authorised_absence", "unauthorised_absence", "suspension_days"):
                if name in get:
                    out[name] = get[name]
            possible, attended = _number(out["sessions_possible"]), _number(out["sessions_attended"])
            pct = _number(get.get("attendance_pct", "")) if get.get("attendance_pct") else None
            if pct is not None and possible and attended is not None:
                computed = 100 * attended / possible
                shown = get["attendance_pct"].replace("%", "").replace(",", ".").strip()
                decimals = len(shown.split(".", 1)[1]) if "." in shown else 0
                # as shown: rounded (or cut) to its decimals, so one unit of the last decimal is allowed
                if abs(computed - pct) > 10 ** -decimals + 1e-9:
                    problem(row, found["attendance_pct"], get["attendance_pct"],
                            f"the attendance percentage {get['attendance_pct']} does not agree with "
                            f"{attended:g} sessions attended of {possible:g} possible ({computed:.1f}%); check the "
                            "export's columns (is present taken without approved educational activity?)")
                    continue
        origin[len(rows) + 1] = row
        rows.append(out)
    fields = ["participant_id", "period_start", "period_end", "sessions_possible", "sessions_attended",
              "suspension_days", "authorised_absence", "unauthorised_absence"]
    cells = pd.DataFrame(rows, columns=fields, index=pd.RangeIndex(1, len(rows) + 1, name="row"), dtype=object)
    load = validate_raw(RawTable(path=path, cells=cells, encoding=raw.encoding, blank_rows=[], ragged_rows={}),
                        load_schema("attendance"), references=references)
    source = {name: (h if isinstance(h, str) else ", ".join(h[:3]) + (" …" if len(h) > 3 else ""))
              for name, h in found.items()}
    counted_from = source.get("marks", "")
    load.problems = load.problems.assign(
        row=[origin.get(int(r), r) if pd.notna(r) else r for r in load.problems["row"]],
        column=[source.get(c, (counted_from or c) if c in fields else c) for c in load.problems["column"]])
    if not load.quarantine.empty:
        load.quarantine = load.quarantine.assign(row=[origin[int(r)] for r in load.quarantine["row"]])
    if held:  # rows refused before validation: kept in the quarantine as read, under the export's headings
        before = raw.cells.loc[list(held)].astype(object).map(_text).reset_index()
        before.insert(1, "problems", [held[r] for r in before["row"]])
        before.insert(1, "file", path.name)
        load.quarantine = pd.concat([load.quarantine, before], ignore_index=True)
    load.data.index = pd.Index([origin[int(r)] for r in load.data.index], name="row")
    notes = [{"file": path.name, "row": pd.NA, "column": "", "value": "", "rule": "file", "message": n,
              "severity": "warning"} for n in raw.notes]
    load.problems = pd.concat([pd.DataFrame(notes + problems, columns=PROBLEM_COLUMNS), load.problems],
                              ignore_index=True)
    return load
