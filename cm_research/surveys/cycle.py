"""The record of one action-research cycle: ``action_research_cycle.yaml`` in a partnership's data folder.

An action-research cycle (plan, act, observe, reflect; Kemmis & McTaggart 1988) is written up by the
partnership in a small YAML file, which the notebook renders as the report's first section::

    partnership: Easton Arts Partnership          # optional
    cycle: 1                                      # optional: which cycle this is
    period: {start: 2024-09-02, end: 2025-05-30}  # optional: dates of the cycle
    question: How can we ...?                     # the question the cycle asked
    context: Who is involved and why ...          # the setting
    baseline: What we knew at the start ...       # the situation before acting, incl. the baseline survey
    actions:                                      # what was done, one entry each, with its date
      - {date: 2024-10-07, action: Free ticket scheme started with two venues}
      - {date: 2024-11-18, action: Carers' evening at the arts centre}
    observations: What was observed ...           # text, or a list of points
    reflection: What we make of it ...            # text, or a list of points
    next_cycle: What we will try next ...         # text, or a list of points

Dates are written 2024-10-07 or 07/10/2024. :func:`load_cycle` checks everything at once and raises
:class:`~cm_research.surveys.errors.CycleFileError` naming the file, line and key of each problem.

References
----------
Kemmis, S. & McTaggart, R. (Eds.) (1988). The Action Research Planner (3rd ed.). Deakin University Press.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from cm_research.surveys.errors import CycleFileError

__all__ = ["CYCLE_FIELDS", "CYCLE_FILE", "ActionResearchCycle", "cycle_fields_table", "cycle_markdown", "load_cycle"]

CYCLE_FILE = "action_research_cycle.yaml"

#: key -> (required, kind, what to write). kind: text, points (text or list of text), actions, period, optional.
CYCLE_FIELDS: dict[str, tuple[bool, str, str]] = {
    "partnership": (False, "text", "The partnership's name, e.g. an arts organisation and a Virtual School."),
    "cycle": (False, "text", "Which cycle this is (1, 2, ...)."),
    "period": (False, "period", "start and end dates of the cycle: {start: 2024-09-02, end: 2025-05-30}."),
    "question": (True, "text", "The question the cycle set out to answer."),
    "context": (True, "text", "The setting: who took part, where, and why this question."),
    "baseline": (True, "text", "What things were like before acting, including what the baseline survey showed."),
    "actions": (True, "actions", "What was done: a list of entries, each with a date and an action."),
    "observations": (True, "points", "What was observed while acting (text or a list of points)."),
    "reflection": (True, "points", "What the partnership makes of it (text or a list of points)."),
    "next_cycle": (True, "points", "What the next cycle will try (text or a list of points)."),
}
_ACTION_KEYS = {"date", "action", "who"}
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


@dataclass
class ActionResearchCycle:
    """A validated cycle record. Text fields are strings; observations, reflection and next_cycle are lists of
    points; ``actions`` is a table (date, action, who) in date order."""

    question: str
    context: str
    baseline: str
    actions: pd.DataFrame
    observations: list[str]
    reflection: list[str]
    next_cycle: list[str]
    partnership: str = ""
    cycle: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    source: str = ""
    extra: dict = field(default_factory=dict)


def cycle_fields_table() -> pd.DataFrame:
    """The file format as a table (key, required, what to write), for the notebook's introduction."""
    return pd.DataFrame([{"key": k, "required": "yes" if req else "no", "what to write": text}
                         for k, (req, _, text) in CYCLE_FIELDS.items()])


def _key_lines(text: str) -> tuple[dict[str, int], dict[int, int]]:
    """Line of each top-level key, and of each entry of ``actions`` (by position), from the YAML node tree."""
    keys: dict[str, int] = {}
    actions: dict[int, int] = {}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return keys, actions
    if isinstance(root, yaml.MappingNode):
        for key_node, value_node in root.value:
            keys[str(key_node.value)] = key_node.start_mark.line + 1
            if key_node.value == "actions" and isinstance(value_node, yaml.SequenceNode):
                for i, entry in enumerate(value_node.value):
                    actions[i] = entry.start_mark.line + 1
    return keys, actions


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(str(value).strip(), fmt).date()
        except ValueError:
            continue
    return None


def _is_text(value) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool) and bool(str(value).strip())


def load_cycle(path: str | Path) -> ActionResearchCycle:
    """Read and check an ``action_research_cycle.yaml`` (format: module docstring).

    Raises
    ------
    CycleFileError
        Listing every problem with the file, line and key: a missing or empty required key, an unknown key, a
        value of the wrong kind, an action without a date or with a date that cannot be read or lies outside the
        cycle's period.
    """
    path = Path(path)
    name = path.name
    if not path.exists():
        raise CycleFileError(f"no action-research cycle file at {path}: write {CYCLE_FILE} in the data folder "
                             f"(keys: {', '.join(CYCLE_FIELDS)})")
    text = path.read_text(encoding="utf-8-sig")
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark else ""
        raise CycleFileError(f"{name}{line}: not valid YAML ({getattr(exc, 'problem', exc)}); check the "
                             "indentation and that text containing a colon is in quotes") from exc
    if not isinstance(doc, dict):
        raise CycleFileError(f"{name}: expected keys such as question, context, baseline, actions; "
                             f"found {'nothing' if doc is None else type(doc).__name__}")
    key_lines, action_lines = _key_lines(text)
    problems: list[dict] = []

    def problem(key: str, message: str, line: int | None = None) -> None:
        problems.append({"file": name, "line": line or key_lines.get(key.split(".")[0].split("[")[0]),
                         "key": key, "message": message})

    for key in doc:
        if key not in CYCLE_FIELDS:
            problem(str(key), f"unknown key {key!r}; the keys are {', '.join(CYCLE_FIELDS)}")
    values: dict = {}
    for key, (required, kind, _) in CYCLE_FIELDS.items():
        value = doc.get(key)
        if value is None or (isinstance(value, (str, list, dict)) and not value):
            if required:
                problem(key, f"`{key}` is required but {'missing' if key not in doc else 'empty'}: "
                             f"{CYCLE_FIELDS[key][2]}", key_lines.get(key, 1))
            continue
        if kind == "text":
            if not _is_text(value):
                problem(key, f"`{key}` must be text, not a {type(value).__name__}")
            else:
                values[key] = " ".join(str(value).split())
        elif kind == "points":
            points = [value] if _is_text(value) else value
            if not isinstance(points, list) or not all(_is_text(p) for p in points):
                problem(key, f"`{key}` must be text or a list of text points")
            else:
                values[key] = [" ".join(str(p).split()) for p in points]
        elif kind == "period":
            if not isinstance(value, dict) or set(value) - {"start", "end"}:
                problem(key, "`period` must have only `start` and `end` dates, e.g. {start: 2024-09-02, end: 2025-05-30}")
                continue
            for bound in ("start", "end"):
                if bound in value:
                    day = _date(value[bound])
                    if day is None:
                        problem(f"period.{bound}", f"{value[bound]!r} is not a date (write 2024-09-02 or 02/09/2024)")
                    values[bound] = day
            if values.get("start") and values.get("end") and values["end"] < values["start"]:
                problem("period.end", f"the cycle ends ({values['end']}) before it starts ({values['start']})")
        elif kind == "actions":
            values[key] = _actions(value, problem, action_lines, values)
    if problems:
        raise CycleFileError.from_problems(problems, name)
    return ActionResearchCycle(
        question=values["question"], context=values["context"], baseline=values["baseline"],
        actions=values["actions"], observations=values["observations"], reflection=values["reflection"],
        next_cycle=values["next_cycle"], partnership=values.get("partnership", ""), cycle=values.get("cycle", ""),
        start=values.get("start"), end=values.get("end"), source=name)


def _actions(value, problem, lines: dict[int, int], values: dict) -> pd.DataFrame:
    rows = []
    if not isinstance(value, list):
        problem("actions", "`actions` must be a list of entries, each with a date and an action "
                           "(- {date: 2024-10-07, action: ...})")
        return pd.DataFrame(columns=["date", "action", "who"])
    for i, entry in enumerate(value):
        key, line = f"actions[{i + 1}]", lines.get(i)
        if not isinstance(entry, dict):
            problem(key, "each action needs a date and an action, e.g. {date: 2024-10-07, action: Carers' evening}",
                    line)
            continue
        for extra in set(entry) - _ACTION_KEYS:
            problem(f"{key}.{extra}", f"unknown key {extra!r} in an action; use date, action and (optionally) who",
                    line)
        day = _date(entry["date"]) if entry.get("date") is not None else None
        if entry.get("date") is None:
            problem(f"{key}.date", "the action has no date", line)
        elif day is None:
            problem(f"{key}.date", f"{entry['date']!r} is not a date (write 2024-10-07 or 07/10/2024)", line)
        if not _is_text(entry.get("action")):
            problem(f"{key}.action", "the action has no text saying what was done", line)
        if day is not None:
            start, end = values.get("start"), values.get("end")
            if (start and day < start) or (end and day > end):
                problem(f"{key}.date", f"{day} is outside the cycle's period ({start or '...'} to {end or '...'})",
                        line)
        rows.append({"date": day, "action": " ".join(str(entry.get("action", "")).split()),
                     "who": " ".join(str(entry.get("who") or "").split())})
    return pd.DataFrame(rows, columns=["date", "action", "who"]).sort_values("date", kind="stable",
                                                                                 na_position="last").reset_index(drop=True)


def _points(points: list[str]) -> str:
    return points[0] if len(points) == 1 else "\n".join(f"- {p}" for p in points)


def cycle_markdown(cycle: ActionResearchCycle) -> str:
    """The cycle as Markdown: question, context, baseline, what was done (dated), observed, reflection, next."""
    title = " — ".join(p for p in (cycle.partnership, f"cycle {cycle.cycle}" if cycle.cycle else "") if p)
    out = [f"### {title}" if title else ""]
    if cycle.start or cycle.end:
        out.append(f"*{_day(cycle.start)} to {_day(cycle.end)}*")
    out += ["", f"**Question.** {cycle.question}", "", f"**Context.** {cycle.context}", "",
            f"**Baseline.** {cycle.baseline}", "", "**What was done.**", ""]
    for a in cycle.actions.itertuples(index=False):
        who = f" ({a.who})" if a.who else ""
        out.append(f"- {_day(a.date)}: {a.action}{who}")
    for label, points in (("What was observed", cycle.observations), ("Reflection", cycle.reflection),
                          ("Next cycle", cycle.next_cycle)):
        out += ["", f"**{label}.**", "", _points(points)]
    return "\n".join(out).strip() + "\n"


def _day(day: dt.date | None) -> str:
    return "…" if day is None else f"{day.day} {day:%B %Y}"
