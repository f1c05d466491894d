"""Command line for files from other software (kept outside cm_research.interop so that building the parser
imports no pandas): ``cm-research import-survey`` (a survey tool's export ->
``survey_responses.csv``) and ``cm-research import-attendance`` (a school system's attendance export ->
``attendance.csv``).

Hook into the main parser with ``add_commands(sub)``. Each writes the table the data dictionary defines, valid rows
only, ready for a data folder, prints every problem (naming the export's row and column) and writes the rows held
back to ``--quarantine-dir`` when given: nothing is left out without a word.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def _pairs(values: list[str] | None, what: str) -> dict[str, str]:
    """``["A=b", …]`` as {"A": "b"}; the heading may itself hold "=" only before the last one."""
    out = {}
    for value in values or []:
        if "=" not in value:
            raise SystemExit(f"error: {what} must be written HEADING=NAME, not {value!r}")
        heading, name = value.rsplit("=", 1)
        out[heading.strip()] = name.strip()
    return out


def _as_table_text(data: pd.DataFrame) -> pd.DataFrame:
    """Typed rows written back as a data file types them: dates dd/mm/yyyy, booleans yes / no, missing empty."""
    import pandas as pd

    out = data.reset_index(drop=True).astype(object)
    for column in out.columns:
        values = data[column].reset_index(drop=True)
        if pd.api.types.is_datetime64_any_dtype(values):
            out[column] = values.dt.strftime("%d/%m/%Y")
        elif pd.api.types.is_bool_dtype(values):
            out[column] = values.map({True: "yes", False: "no"})
    return out.where(out.notna(), "")


def _finish(load, out: str, quarantine_dir: str | None) -> int:
    from cm_research.data import format_problems
    from cm_research.data.writing import write_csv

    path = write_csv(_as_table_text(load.data), out)
    print(f"{load.path.name}: {len(load.data)} rows written to {path}, {len(load.quarantine)} held back")
    if not load.problems.empty:
        print(format_problems(load.problems))
    if quarantine_dir and not load.quarantine.empty:
        print(f"rows held back written to {load.write_quarantine(quarantine_dir)}")
    return 1 if len(load.errors) else 0


def cmd_import_survey(args: argparse.Namespace) -> int:
    from cm_research.surveys.exports import survey_export_responses

    load, export = survey_export_responses(args.export, wave=args.wave, respondent_id=args.respondent_id,
                                           role=args.role, role_column=args.role_column,
                                           items=_pairs(args.item, "--item") or None,
                                           dont_know=set(args.dont_know or ()) or None,
                                           keep_unfinished=args.keep_unfinished)
    print(f"{export.path.name}: read as a {export.program} export")
    return _finish(load, args.out, args.quarantine_dir)


def cmd_import_attendance(args: argparse.Namespace) -> int:
    from cm_research.interop.attendance_mis import read_attendance_export

    columns: dict = {}
    for heading, name in _pairs(args.column, "--column").items():  # marks may be one column per session
        columns[name] = columns.get(name, []) + [heading] if name == "marks" else heading
    load = read_attendance_export(args.export, columns=columns or None, period_start=args.period_start,
                                  period_end=args.period_end)
    return _finish(load, args.out, args.quarantine_dir)


def add_commands(sub) -> None:
    p = sub.add_parser("import-survey", help="read a survey tool's export (Qualtrics, SurveyMonkey, Google Forms, "
                                             "Microsoft Forms, or another with --item) as survey_responses.csv")
    p.add_argument("export", help="the tool's CSV or XLSX export")
    p.add_argument("--wave", required=True, choices=["baseline", "end"], help="the wave every response belongs to")
    p.add_argument("--respondent-id", help="the column holding each respondent's pseudonymous id (default: a "
                                           "column headed respondent_id)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--role", help="every respondent's role (young_person, carer, mentor, teacher, …)")
    who.add_argument("--role-column", help="the column holding each respondent's role")
    p.add_argument("--item", action="append", metavar="COLUMN=ITEM",
                   help="which item a column answers (repeat); default: matched by the statement's text")
    p.add_argument("--dont-know", action="append", metavar="VALUE",
                   help="an answer meaning don't know, e.g. 6 for Qualtrics' numeric values (repeat)")
    p.add_argument("--keep-unfinished", action="store_true", help="keep Qualtrics responses not finished")
    p.add_argument("--out", required=True, help="the survey_responses.csv to write")
    p.add_argument("--quarantine-dir", help="write the rows held back here")
    p.set_defaults(func=cmd_import_survey)

    p = sub.add_parser("import-attendance", help="read a school system's attendance export (SIMS, Arbor, Bromcom, "
                                                 "ePEP) as attendance.csv")
    p.add_argument("export", help="the system's CSV or XLSX export")
    p.add_argument("--column", action="append", metavar="HEADING=FIELD",
                   help="which field a heading holds, e.g. 'Pseudonym=participant_id' (repeat)")
    p.add_argument("--period-start", help="first day the export covers (dd/mm/yyyy), when it has no dates")
    p.add_argument("--period-end", help="last day the export covers (dd/mm/yyyy)")
    p.add_argument("--out", required=True, help="the attendance.csv to write")
    p.add_argument("--quarantine-dir", help="write the rows held back here")
    p.set_defaults(func=cmd_import_attendance)

