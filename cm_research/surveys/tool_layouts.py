"""Which survey tool wrote an export, told from its heading row (the layouts are described in
:mod:`cm_research.surveys.exports`), and the advice given when such an export is found where the
``survey_responses`` table was expected. Kept apart from the reader so that the survey loader can ask without
importing it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cm_research.data.reading import read_raw
from cm_research.errors import DataValidationError

QUALTRICS, SURVEYMONKEY, GOOGLE_FORMS, MS_FORMS, OTHER = (
    "Qualtrics", "SurveyMonkey", "Google Forms", "Microsoft Forms", "a survey tool")

#: each program's fixed columns (lower case), which are never questions
_QUALTRICS_FIXED = {"startdate", "enddate", "status", "ipaddress", "progress", "duration (in seconds)", "finished",
                    "recordeddate", "responseid", "recipientlastname", "recipientfirstname", "recipientemail",
                    "externalreference", "locationlatitude", "locationlongitude", "distributionchannel",
                    "userlanguage", "q_recaptchascore", "q_relevantidduplicate", "q_relevantidduplicatescore",
                    "q_relevantidfraudscore", "q_relevantidlaststartdate"}
_SURVEYMONKEY_FIXED = {"respondent id", "collector id", "start date", "end date", "ip address", "email address",
                       "first name", "last name", "custom data 1", "custom data"}
#: Google Forms heads its first column "Timestamp" in the form owner's language
_GOOGLE_TIMESTAMP = {"timestamp", "horodateur", "marca temporal", "zeitstempel", "tijdstempel",
                     "informazioni cronologiche", "carimbo de data/hora"}
_GOOGLE_FIXED = _GOOGLE_TIMESTAMP | {"email address", "score"}
_MS_FORMS_FIXED = {"id", "start time", "completion time", "email", "name", "last modified time", "total points",
                   "quiz feedback"}


def _text(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _records(path: Path) -> tuple[list[str], pd.DataFrame, list[str]]:
    """(heading row, every later row as text indexed by spreadsheet row with columns by position, notes)."""
    raw = read_raw(path)
    header = ["" if h.startswith("(column ") and h.endswith(" has no name)") else h for h in raw.cells.columns]
    cells = raw.cells.copy()
    cells.columns = range(len(header))
    return header, cells.map(_text), list(raw.notes)


def _identify(header: list[str], second: list[str]) -> str:
    names = {h.strip().lower() for h in header}
    if {"responseid", "finished"} <= names or {"responseid", "status"} <= names:
        return QUALTRICS
    if {"v1", "v10"} <= names and any(v.strip().lower() == "responseid" for v in second):
        return "Qualtrics (legacy layout)"
    if {"respondent id", "collector id"} <= names:
        return SURVEYMONKEY
    if header and header[0].strip().lower() in _GOOGLE_TIMESTAMP:
        return GOOGLE_FORMS
    if {"id", "start time", "completion time"} <= names:
        return MS_FORMS
    return OTHER


def export_advice(path: str | Path) -> str | None:
    """What to do with a survey tool's export given where the ``survey_responses`` table was expected (one row
    per answer), or None when ``path`` is not an export this module recognises."""
    try:
        header, cells, _ = _records(Path(path))
    except DataValidationError:
        return None
    first = list(cells.iloc[0]) if len(cells) else []
    program = _identify(header, first)
    if program == OTHER:
        return None
    return (f"this is a {program} export (one row per response), not the survey_responses table (one row per "
            "answer): read it with cm_research.surveys.survey_export_responses(path, wave=..., respondent_id=..., "
            "role=...) and save its data as survey_responses.csv")
