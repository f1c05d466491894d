"""Survey-tool exports (Qualtrics, SurveyMonkey, Google Forms, Microsoft Forms, …) read into ``survey_responses``.

A survey tool exports one row per response and one column per question (or per statement of a grid, or per
choice of a tick-all-that-apply question), with rows at the top that are headings, not answers. This module
recognises the program by its fixed columns, takes the heading rows off, holds back the responses that are not
real ones, and turns the answers to the catalogue's items into the long ``survey_responses`` table, validated
by the data dictionary like any other file. Layouts, from each program's help pages on exporting responses:

* **Qualtrics** (Data & Analysis > Export data, CSV or Excel): three heading rows -- the column names
  (``StartDate, EndDate, Status, IPAddress, Progress, Duration (in seconds), Finished, RecordedDate,
  ResponseId, …, Q1, Q2_1 …``), the question text (a grid statement as ``Question - Statement``) and a row of
  ``{"ImportId":"QID2_1"}``. ``Status`` is ``IP Address`` for a real response, ``Survey Preview``, ``Survey
  Test`` or ``Spam`` otherwise (as numbers with "Use numeric values": 0 real, 1 preview, 2 test, 4 imported,
  8 spam, 9 preview spam, 12 imported spam, 16 offline, 17 offline preview); ``Finished`` is ``True``/``1``
  when the respondent reached the end, with ``Progress`` the percentage seen. Answers are the choice text, or
  with "Use numeric values" the choices' recode values -- which are only scores when the recode values in
  Qualtrics are 1 to 5 (the note on the file says so). The older "legacy" layout (``V1 … V10``) is refused.
* **SurveyMonkey** ("All individual responses", CSV or XLSX): two heading rows. The first has ``Respondent
  ID, Collector ID, Start Date, End Date, IP Address, Email Address, First Name, Last Name, Custom Data 1`` and
  each question's text above its first column (empty above the rest of its columns); the second says what
  each column holds: ``Response``, ``Open-Ended Response``, a grid statement or a choice. Answers are choice text.
* **Google Forms** (Responses > Download CSV, or the linked Sheet): one heading row, ``Timestamp`` first (in the
  form owner's language: ``Horodateur``, ``Marca temporal``, ``Zeitstempel`` …; ``Email address`` and ``Score``
  when collected), then each question's text; a grid statement as
  ``Question [Statement]``; a tick-all-that-apply answer joined with ``", "``. Only submitted responses exist.
* **Microsoft Forms** (Open results in Excel, ``.xlsx``): one heading row ``ID, Start time, Completion time,
  Email, Name`` (and ``Last modified time`` in newer exports), then each question's text; a Likert question
  is one column per statement. Only submitted responses exist.
* **Any other tool** (JISC Online Surveys, SmartSurvey, …: their export layouts are not published in enough
  detail to recognise them reliably) is read as one heading row and one row per response, with ``items``
  naming which column answers which item; its status columns are not interpreted, so filter incomplete
  responses out in the tool before exporting (the note on the file says so).

A column is matched to an item by ``items`` (column heading, Qualtrics column name or ImportId -> item) or,
failing that, when its question text contains the item's statement (``survey_items.text``) or is the item's
label or name. An answer is a score when it is a whole number; a label is scored only by :data:`LIKERT_SCORES`
(or ``scores``), and "don't know" sets ``dont_know``; any other label is an error naming its row and column,
never guessed. Rows held back (preview, test, spam, unfinished) are listed in ``problems`` as warnings naming
the row and in the quarantine; heading rows are never read as answers.

Questionnaires (SDQ, SWEMWBS, WEMWBS, … as defined in ``data_dictionary/instruments/``) collected with the same
tools are read by :func:`survey_export_items` into one row per questionnaire and one column per item, ready for
:func:`cm_research.measures.score_instrument`: answer labels are scored only by the instrument's own published
labels (SDQ: not true 0, somewhat true 1, certainly true 2), and a column is matched to an item when every word of
the item's short label is in its question (or by ``items``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cm_research.data.loading import TableLoad, validate_raw
from cm_research.data.raw import RawTable
from cm_research.dictionary import load_schema
from cm_research.errors import PROBLEM_COLUMNS
from cm_research.surveys.errors import SurveyExportError
from cm_research.surveys.loading import _check_responses, survey_catalogue
from cm_research.surveys.tool_layouts import (_GOOGLE_FIXED, _MS_FORMS_FIXED, _QUALTRICS_FIXED, _SURVEYMONKEY_FIXED,
                                              GOOGLE_FORMS, MS_FORMS, OTHER, QUALTRICS, SURVEYMONKEY, _identify,
                                              _records, _text)

__all__ = ["LIKERT_SCORES", "SurveyExport", "SurveyExportError", "instrument_answer_labels", "read_survey_export",
           "survey_export_items", "survey_export_responses"]

#: the five-point agreement labels and their scores (survey_responses.response: 1 strongly disagree ... 5)
LIKERT_SCORES: dict[str, int] = {
    "strongly disagree": 1, "disagree": 2, "neither agree nor disagree": 3, "neither agree or disagree": 3,
    "neutral": 3, "agree": 4, "strongly agree": 5}
DONT_KNOW_LABELS = {"don't know", "dont know", "do not know"}

#: Qualtrics Status: real responses (choice text or numeric value); everything else is held back with its name
_QUALTRICS_REAL = {"ip address": "IP Address", "0": "IP Address", "imported": "Imported", "4": "Imported",
                   "offline": "Offline", "16": "Offline"}
_QUALTRICS_STATUS = {"1": "Survey Preview", "2": "Survey Test", "8": "Spam", "9": "Survey Preview Spam",
                     "12": "Imported Spam", "17": "Offline Survey Preview"}


def _problem(file: str, row, column: str, value, rule: str, message: str, severity: str = "error") -> dict:
    return {"file": file, "row": row, "column": column, "value": "" if value is None else str(value)[:80],
            "rule": rule, "message": message, "severity": severity}


def _refuse(path: Path, message: str, column: str = "", row=pd.NA) -> SurveyExportError:
    problems = pd.DataFrame([_problem(path.name, row, column, "", "survey_export", message)], columns=PROBLEM_COLUMNS)
    return SurveyExportError(f"{path.name}: {message}", problems)


def _norm(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").lower()
    return re.sub(r"\s+", " ", re.sub(r"[^\w' ]+", " ", text)).strip()


@dataclass
class SurveyExport:
    """A survey tool's export with its heading rows taken off.

    program : the program recognised (e.g. ``"Qualtrics"``).
    columns : one row per column of the file: ``position`` (0-based), ``name`` (first heading row), ``question``
        (the question text: Qualtrics' second row, SurveyMonkey's question and sub-heading joined with " - ",
        else the heading), ``import_id`` (Qualtrics' third row) and ``fixed`` (a column of the program's own).
    answers : the responses kept, cells as text, columns numbered by position, indexed by spreadsheet row.
    problems : responses held back (preview, test, spam, unfinished), one warning each naming the row.
    held_back : those rows, cells as text, with the reason.
    notes : facts about the whole file (heading rows taken off, what numbers mean).
    """

    path: Path
    program: str
    columns: pd.DataFrame
    answers: pd.DataFrame
    problems: pd.DataFrame
    held_back: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def column(self, name: str) -> int | None:
        """The position of the column whose heading, Qualtrics name or ImportId is ``name`` (case ignored)."""
        key = name.strip().lower()
        for c in self.columns.itertuples():
            if key in (c.name.lower(), c.question.lower(), c.import_id.lower()):
                return int(c.position)
        return None


def read_survey_export(path: str | Path) -> SurveyExport:
    """Recognise the program that wrote ``path`` (CSV or XLSX), take its heading rows off and hold back the
    responses that are not real ones (see the module docstring).

    Raises
    ------
    SurveyExportError
        For Qualtrics' legacy layout (export again without "Use legacy format").
    DataValidationError
        When the file is missing, empty or unreadable.
    """
    path = Path(path)
    header, cells, notes = _records(path)
    first = cells.index[0] if len(cells) else None
    second = list(cells.loc[first]) if first is not None else []
    program = _identify(header, second)
    if program.endswith("(legacy layout)"):
        raise _refuse(path, "this is Qualtrics' legacy export layout (columns V1 to V10); export the responses "
                            "again from Data & Analysis > Export data without 'Use legacy format'")
    questions = list(header)
    import_ids = [""] * len(header)
    heading_rows: list[int] = []
    if program == QUALTRICS:
        for number in list(cells.index[:2]):
            row = list(cells.loc[number])
            if any(v.startswith('{"ImportId"') or v.startswith("{'ImportId'") for v in row):
                import_ids = [_import_id(v) for v in row]
                heading_rows.append(number)
            elif number == cells.index[0] and _is_heading(row, header):
                questions = [q or h for q, h in zip(row, header)]
                heading_rows.append(number)
    elif program == SURVEYMONKEY and first is not None:
        above = ""
        for k, (h, sub) in enumerate(zip(header, second)):
            above = h or above
            plain = sub.strip().lower() in ("", "response", "open-ended response")
            questions[k] = above if plain else f"{above} - {sub}"
        heading_rows.append(first)
    if heading_rows:
        what = ("what each column holds" if program == SURVEYMONKEY else
                "question text and import ids" if len(heading_rows) > 1 else "question text or import ids")
        notes.append(f"the {program} export's heading row{'s' if len(heading_rows) > 1 else ''} "
                     f"{', '.join(map(str, heading_rows))} ({what}) read as headings, not as responses")
    fixed = {QUALTRICS: _QUALTRICS_FIXED, SURVEYMONKEY: _SURVEYMONKEY_FIXED, GOOGLE_FORMS: _GOOGLE_FIXED,
             MS_FORMS: _MS_FORMS_FIXED}.get(program, set())
    columns = pd.DataFrame({"position": range(len(header)), "name": header, "question": questions,
                            "import_id": import_ids, "fixed": [h.strip().lower() in fixed for h in header]})
    answers = cells.drop(index=heading_rows)
    problems, reasons = [], {}
    if program == QUALTRICS:
        reasons = _qualtrics_held_back(header, answers)
    elif program == OTHER:
        notes.append("the program that wrote this file was not recognised: every row under the heading is read as "
                     "a response, so leave incomplete and test responses out when exporting")
    for row, (column, value, message) in reasons.items():
        problems.append(_problem(path.name, row, column, value, "survey_status", message, "warning"))
    held = answers.loc[list(reasons)].copy()
    held.columns = [header[k] or f"column {k + 1}" for k in held.columns]
    held.insert(0, "problems", [reasons[r][2] for r in held.index])
    answers = answers.drop(index=list(reasons))
    return SurveyExport(path=path, program=program, columns=columns, answers=answers,
                        problems=pd.DataFrame(problems, columns=PROBLEM_COLUMNS),
                        held_back=held.rename_axis("row").reset_index(), notes=notes)


def _import_id(cell: str) -> str:
    try:
        return str(json.loads(cell).get("ImportId", ""))
    except (ValueError, AttributeError):
        return ""


def _is_heading(row: list[str], header: list[str]) -> bool:
    """Qualtrics' question-text row: its fixed columns hold their own names spelt out (``Start Date``)."""
    spelt = {"startdate": "start date", "responseid": "response id", "finished": "finished", "status": "response type"}
    return any(_norm(v) == spelt[h.strip().lower()] for v, h in zip(row, header) if h.strip().lower() in spelt)


def _qualtrics_held_back(header: list[str], answers: pd.DataFrame) -> dict[int, tuple[str, str, str]]:
    """Row -> (column, value, why it is not a real response) for previews, tests, spam and unfinished responses."""
    at = {h.strip().lower(): k for k, h in enumerate(header)}
    reasons: dict[int, tuple[str, str, str]] = {}
    for row, cells in answers.iterrows():
        status = cells[at["status"]] if "status" in at else ""
        channel = cells[at["distributionchannel"]].lower() if "distributionchannel" in at else ""
        finished = cells[at["finished"]].lower() if "finished" in at else ""
        progress = cells[at["progress"]] if "progress" in at else ""
        if status and status.lower() not in _QUALTRICS_REAL:
            name = _QUALTRICS_STATUS.get(status, status)
            reasons[row] = ("Status", status, f"a {name} response (Status {status!r}), not a real respondent's: "
                                              "held back")
        elif channel in ("preview", "test"):
            reasons[row] = ("DistributionChannel", channel, f"a {channel} response (DistributionChannel "
                                                            f"{channel!r}), not a real respondent's: held back")
        elif finished in ("false", "0"):
            reasons[row] = ("Finished", cells[at["finished"]],
                            f"an unfinished response (Finished {cells[at['finished']]!r}, Progress {progress or '?'}%): "
                            "held back; the respondent did not reach the end of the survey")
    return reasons


def _match_items(export: SurveyExport, catalogue: pd.DataFrame, items: dict[str, str] | None) -> dict[int, str]:
    """Column position -> item: given by ``items`` (checked), else found by statement text, label or name."""
    known = set(catalogue["item"])
    if items:
        found = {}
        for name, item in items.items():
            position = export.column(name)
            if position is None:
                raise _refuse(export.path, f"items names the column {name!r}, which the {export.program} export does "
                                           f"not have; its columns: {', '.join(export.columns['name'][:30])}",
                              column=name)
            if item not in known:
                raise _refuse(export.path, f"items maps column {name!r} to {item!r}, which is not in the survey "
                                           f"items catalogue ({', '.join(sorted(known))})", column=name)
            found[position] = item
        return found
    statements = [(_norm(r.text), _norm(r.label), r.item) for r in catalogue.itertuples()]
    found = {}
    for c in export.columns.itertuples():
        if c.fixed:
            continue
        question = _norm(c.question)
        hits = {item for text, label, item in statements
                if (text and text in question) or question in (label, item) or _norm(c.name) == item}
        if len(hits) == 1:
            found[int(c.position)] = hits.pop()
    return found


def survey_export_responses(path: str | Path, *, wave: str, respondent_id: str | None = None,
                            role: str | None = None, role_column: str | None = None,
                            items: dict[str, str] | None = None, scores: dict[str, int] | None = None,
                            dont_know: set[str] | None = None,
                            keep_unfinished: bool = False) -> tuple[TableLoad, SurveyExport]:
    """Read a survey tool's export (:func:`read_survey_export`) as the long ``survey_responses`` table.

    Parameters
    ----------
    wave : ``baseline`` or ``end``: the wave every response in the file belongs to.
    respondent_id : the column holding each respondent's pseudonymous id (a question, or Qualtrics embedded data
        or ``ExternalReference``); None for a column headed ``respondent_id``. A tool's own response number is
        not used: it differs between waves, so answers could not be paired.
    role, role_column : every respondent's role, or the column holding it.
    items : column (heading, Qualtrics name or ImportId) -> catalogue item; None to match by statement text.
    scores : labels (any case) -> score, added to :data:`LIKERT_SCORES`.
    dont_know : further answers that mean "don't know", e.g. ``{"6"}`` when Qualtrics' numeric values give the
        don't-know choice the recode value 6 (else 6 is out of range and the cell is blanked with a warning).
    keep_unfinished : keep Qualtrics responses with ``Finished`` false (each still named in a warning).

    Returns
    -------
    (the validated table as :func:`cm_research.surveys.load_survey` gives it -- ``problems`` name the
    spreadsheet row and the export's column heading -- and the export itself, for its columns and notes).
    Each file-wide note and each column not read as an item is a warning (row empty) in ``problems``.
    """
    export = read_survey_export(path)
    name = export.path.name
    if keep_unfinished and not export.held_back.empty:
        unfinished = export.problems["column"] == "Finished"
        rows = export.problems.loc[unfinished, "row"].tolist()
        back = export.held_back.set_index("row").loc[rows].drop(columns="problems")
        back.columns = range(len(back.columns))
        export.answers = pd.concat([export.answers, back]).sort_index()
        export.held_back = export.held_back[~export.held_back["row"].isin(rows)]
        export.problems.loc[unfinished, "message"] = export.problems.loc[unfinished, "message"].str.replace(
            "held back", "kept, as asked (keep_unfinished)", regex=False)
    if role is None and role_column is None:
        raise _refuse(export.path, "say who answered: role='carer' (every respondent) or role_column='the column "
                                   "holding each respondent's role'")
    id_column = export.column(respondent_id or "respondent_id")
    if id_column is None:
        raise _refuse(export.path, f"no column {respondent_id or 'respondent_id'!r} holding each respondent's "
                                   f"pseudonymous id in this {export.program} export: ask for it in the survey (or "
                                   "pass it as embedded data / a hidden field) and give its column as respondent_id=; "
                                   f"its columns: {', '.join(export.columns['name'][:30])}", column=respondent_id or "")
    role_at = export.column(role_column) if role_column else None
    if role_column and role_at is None:
        raise _refuse(export.path, f"no column {role_column!r} in this {export.program} export", column=role_column)
    catalogue = survey_catalogue()
    matched = _match_items(export, catalogue, items)
    if not matched:
        raise _refuse(export.path, f"no column of this {export.program} export answers an item of the survey "
                                   "items catalogue (matched by the statement's text); give items={column: item}")
    labels = {**LIKERT_SCORES, **{_norm(k): v for k, v in (scores or {}).items()}}
    extra_dont_know = {_norm(str(v)) for v in (dont_know or ())}
    heading = {int(c.position): c.name or f"column {c.position + 1}" for c in export.columns.itertuples()}
    long, origin, problems = [], [], []
    for row, cells in export.answers.iterrows():
        for position, item in matched.items():
            value = cells[position]
            response, dont_know_cell = value, ""
            key = _norm(value)
            if value and key in extra_dont_know:
                response, dont_know_cell = "", "yes"
            elif value and not re.fullmatch(r"-?\d+", value):
                if key in DONT_KNOW_LABELS:
                    response, dont_know_cell = "", "yes"
                elif key in labels:
                    response = str(labels[key])
                else:
                    problems.append(_problem(name, row, heading[position], value, "survey_label",
                                             f"{value!r} is not a score from 1 to 5 nor a label scored as one "
                                             f"({', '.join(LIKERT_SCORES)}, don't know); give scores={{label: score}} "
                                             "or export numeric values"))
                    continue
            long.append({"respondent_id": cells[id_column],
                         "respondent_role": role if role_at is None else cells[role_at],
                         "wave": wave, "item": item, "response": response or None,
                         "dont_know": dont_know_cell or None})
            origin.append((row, heading[position]))
    raw_cells = pd.DataFrame(long, columns=["respondent_id", "respondent_role", "wave", "item", "response", "dont_know"],
                             index=pd.RangeIndex(1, len(long) + 1, name="row"), dtype=object)
    raw = RawTable(path=export.path, cells=raw_cells, encoding="text", blank_rows=[], ragged_rows={})
    load = validate_raw(raw, load_schema("survey_responses"), references={"survey_items": catalogue})
    load.table = "survey_responses"
    _check_responses(load)
    where = dict(enumerate(origin, start=1))
    fixed = {"respondent_id": heading[id_column], "wave": "wave= (given)",
             "respondent_role": heading[role_at] if role_at is not None else "role= (given)"}
    load.problems = _to_source(load.problems, where, fixed)
    if not load.quarantine.empty:
        load.quarantine = load.quarantine.assign(
            export_column=[where[int(r)][1] for r in load.quarantine["row"]],
            row=[where[int(r)][0] for r in load.quarantine["row"]])
    unmatched = [c.name for c in export.columns.itertuples() if not c.fixed and int(c.position) not in matched
                 and int(c.position) not in (id_column, role_at)]
    notes = list(export.notes)
    if unmatched:
        notes.append(f"{len(unmatched)} column(s) not read as items: {', '.join(map(repr, unmatched[:20]))}"
                     f"{' …' if len(unmatched) > 20 else ''}")
    numeric = [heading[p] for p in matched if export.answers[p].str.fullmatch(r"-?\d+").any()]
    if numeric and export.program == QUALTRICS:
        notes.append("numbers in the item columns were read as scores: with 'Use numeric values' Qualtrics writes "
                     "each choice's recode value, so check (Recode values) that strongly disagree is 1 and strongly "
                     "agree 5")
    extra = [_problem(name, pd.NA, "", "", "survey_export", note, "warning") for note in notes]
    load.problems = pd.concat([pd.DataFrame(extra + problems, columns=PROBLEM_COLUMNS), export.problems,
                               load.problems], ignore_index=True)
    if not export.held_back.empty:
        held = export.held_back.assign(file=name)
        load.quarantine = pd.concat([load.quarantine, held], ignore_index=True)
    return load, export


def _to_source(problems: pd.DataFrame, where: dict[int, tuple[int, str]], fixed: dict[str, str]) -> pd.DataFrame:
    """Problems of the long table named by the export's spreadsheet row and column heading (``fixed``: the
    heading, or the argument, that each of the other fields came from)."""
    problems = problems.copy()
    rows, columns = [], []
    for r, column in zip(problems["row"], problems["column"]):
        if pd.isna(r) or int(r) not in where:
            rows.append(r)
            columns.append(column)
            continue
        source_row, heading = where[int(r)]
        rows.append(source_row)
        columns.append(fixed.get(column, heading))
    problems["row"], problems["column"] = rows, columns
    return problems


def instrument_answer_labels(instrument, version: str | None = None) -> dict[str, int]:
    """The published answer labels of an instrument (``response.labels`` of its file in
    ``data_dictionary/instruments/``), lower case -> the code entered for it; {} when the file lists none."""
    import yaml

    from cm_research.measures.instruments import instruments_dir, resolve

    inst = resolve(instrument, version)
    doc = yaml.safe_load((instruments_dir() / inst.file).read_text(encoding="utf-8"))
    labels = (doc.get("response") or {}).get("labels") or {}
    return {_norm(str(label)): int(code) for code, label in labels.items()}


def survey_export_items(path: str | Path, instrument, version: str | None = None, *, participant_id: str,
                        items: dict[str, str] | None = None,
                        keep_unfinished: bool = False) -> tuple[pd.DataFrame, pd.DataFrame, SurveyExport]:
    """A questionnaire collected with a survey tool, as one row per response and one column per item.

    ``participant_id`` is the column holding the young person's pseudonymous id; ``items`` maps columns (heading,
    Qualtrics name or ImportId) to item names, else a column answers the item every word of whose short label
    (``items[].label`` in the instrument file) is in its question text, or whose heading is the item's name.
    Answers that are labels are scored by :func:`instrument_answer_labels`; numbers are kept for
    :func:`cm_research.measures.score_instrument` to check against the response range.

    Returns (answers: ``participant_id`` then the items matched, indexed by the export's row; problems: rows held
    back, labels that are no answer of the instrument, items no column answers, columns matching several items;
    the export). Items no column answers are named in problems as errors, so scoring will say so too.
    """
    from cm_research.measures.instruments import resolve

    inst = resolve(instrument, version)
    export = read_survey_export(path)
    name = export.path.name
    problems = list(export.problems.to_dict("records"))
    if keep_unfinished and not export.held_back.empty:
        unfinished = export.held_back[export.held_back["problems"].str.contains("unfinished")]
        back = unfinished.set_index("row").drop(columns="problems")
        back.columns = range(len(back.columns))
        export.answers = pd.concat([export.answers, back]).sort_index()
    id_column = export.column(participant_id)
    if id_column is None:
        raise _refuse(export.path, f"no column {participant_id!r} in this {export.program} export",
                      column=participant_id)
    found: dict[int, str] = {}
    if items:
        for heading, item in items.items():
            position = export.column(heading)
            if position is None or item not in inst.item_names:
                raise _refuse(export.path, f"items maps {heading!r} to {item!r}: " + (
                    f"the export has no such column" if position is None else
                    f"{inst.id} has no such item ({', '.join(inst.item_names)})"), column=heading)
            found[position] = item
    taken = set(found.values())
    words = {i.name: set(_norm(i.label).split()) for i in inst.items if i.name not in taken}
    for c in export.columns.itertuples():
        if c.fixed or int(c.position) in found or int(c.position) == id_column:
            continue
        asked = set(_norm(c.question).split())
        hits = [n for n, w in words.items() if (w and w <= asked) or _norm(c.name) == n]
        if len(hits) == 1:
            found[int(c.position)] = hits[0]
        elif len(hits) > 1:
            problems.append(_problem(name, pd.NA, c.name, "", "survey_item",
                                     f"the question matches several {inst.id} items ({', '.join(hits)}); "
                                     "say which with items={column: item}", "warning"))
    twice = {i for i in found.values() if list(found.values()).count(i) > 1}
    for item in sorted(twice):
        headings = [export.columns.at[p, "name"] for p, i in found.items() if i == item]
        problems.append(_problem(name, pd.NA, ", ".join(headings), "", "survey_item",
                                 f"item {item} is answered by {len(headings)} columns; say which with items="))
        found = {p: i for p, i in found.items() if i != item}
    missing = [i for i in inst.item_names if i not in set(found.values()) and i not in twice]
    if missing:
        problems.append(_problem(name, pd.NA, "", "", "survey_item",
                                 f"no column answers {inst.id} item(s) {', '.join(missing)}; map them with "
                                 "items={column: item}"))
    labels = instrument_answer_labels(inst)
    out = pd.DataFrame(index=export.answers.index.rename("row"))
    out["participant_id"] = export.answers[id_column]
    for position, item in found.items():
        heading = export.columns.at[position, "name"]
        values = []
        for row, value in export.answers[position].items():
            key = _norm(value)
            if not value:
                values.append(float("nan"))
            elif re.fullmatch(r"-?\d+(\.0+)?", value):
                values.append(float(value))
            elif key in labels:
                values.append(float(labels[key]))
            else:
                problems.append(_problem(name, row, heading, value, "survey_label",
                                         f"{value!r} is not an answer of {inst.title} (its answers: "
                                         f"{', '.join(labels) or 'numbers'}); correct it or export numeric values"))
                values.append(value)  # kept as it is, so scoring refuses it too rather than prorating round it
        out[item] = values
    return out, pd.DataFrame(problems, columns=PROBLEM_COLUMNS), export
