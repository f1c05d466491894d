"""The action-research cycle form: what the practitioner types, checked as they type, saved as the
``action_research_cycle.yaml`` that notebook 07 reads (format: :mod:`cm_research.surveys.cycle`).

The check is :func:`cm_research.surveys.cycle.load_cycle` itself, run on the YAML the form would save, so the
form and the report can never disagree about what a valid cycle is. Each save is kept in ``cycles/`` with its
time (never overwritten) and copied to ``data/action_research_cycle.yaml``, the current record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from cm_research.app.errors import CycleFormError
from cm_research.app.project import Project, timestamp
from cm_research.surveys.cycle import CYCLE_FILE, CYCLE_FIELDS, load_cycle
from cm_research.surveys.errors import CycleFileError

FORM_FIELDS = ("partnership", "cycle", "start", "end", "question", "context", "baseline", "actions",
               "observations", "reflection", "next_cycle")
LABELS = {"partnership": "Partnership", "cycle": "Cycle number", "start": "Cycle start date",
          "end": "Cycle end date", "question": "Question", "context": "Context", "baseline": "Baseline",
          "actions": "Actions", "observations": "Observations", "reflection": "Reflection",
          "next_cycle": "Next cycle"}


@dataclass
class Action:
    """One dated action: when (2024-10-07 or 07/10/2024), what was done, who did it."""

    date: str = ""
    action: str = ""
    who: str = ""


@dataclass
class CycleForm:
    """The form's values as typed. Observations, reflection and next cycle take one point per line."""

    partnership: str = ""
    cycle: str = ""
    start: str = ""
    end: str = ""
    question: str = ""
    context: str = ""
    baseline: str = ""
    actions: list[Action] = field(default_factory=list)
    observations: str = ""
    reflection: str = ""
    next_cycle: str = ""


def _points(text: str) -> list[str] | str:
    points = [re.sub(r"^\s*[-*•]\s*", "", line).strip() for line in text.splitlines()]
    points = [p for p in points if p]
    return points[0] if len(points) == 1 else points


def form_to_dict(form: CycleForm) -> dict:
    """The cycle record as the YAML file holds it (empty optional fields left out)."""
    doc: dict = {}
    for key in ("partnership", "cycle"):
        if getattr(form, key).strip():
            doc[key] = getattr(form, key).strip()
    period = {k: getattr(form, k).strip() for k in ("start", "end") if getattr(form, k).strip()}
    if period:
        doc["period"] = period
    for key in ("question", "context", "baseline"):
        doc[key] = getattr(form, key).strip()
    doc["actions"] = [{k: v for k, v in (("date", a.date.strip()), ("action", a.action.strip()),
                                         ("who", a.who.strip())) if v or k != "who"}
                      for a in form.actions if (a.date + a.action + a.who).strip()]
    for key in ("observations", "reflection", "next_cycle"):
        doc[key] = _points(getattr(form, key))
    return doc


def form_to_yaml(form: CycleForm) -> str:
    """The YAML text saved (dates kept as typed, as strings; load_cycle reads both date formats)."""
    header = "# Action-research cycle record, saved by the cm_research app. Keys: " + ", ".join(CYCLE_FIELDS) + "\n"
    return header + yaml.safe_dump(form_to_dict(form), sort_keys=False, allow_unicode=True, width=100)


def _field_of(key: str) -> str:
    """Form field of a load_cycle problem key (``period.start`` -> start, ``actions[2].date`` -> actions)."""
    if key.startswith("period."):
        return key.split(".", 1)[1]
    if key == "period":
        return "start"
    return re.split(r"[.\[]", key, maxsplit=1)[0]


def form_problems(form: CycleForm, project: Project) -> list[tuple[str, str]]:
    """Every problem with the form as (field, message), empty when it can be saved. The YAML the form would
    save is checked by :func:`~cm_research.surveys.cycle.load_cycle` (a draft file in ``cycles/``)."""
    draft = project.path("cycles", ".draft.yaml")
    draft.write_text(form_to_yaml(form), encoding="utf-8")
    try:
        load_cycle(draft)
    except CycleFileError as exc:
        problems = exc.problems
        if problems.empty:
            return [("question", str(exc))]
        out = []
        for p in problems.itertuples(index=False):
            message = str(p.message).replace("`", "")
            m = re.match(r"actions\[(\d+)\]", str(p.key))
            if m:
                message = f"action {m.group(1)}: {message}"
            out.append((_field_of(str(p.key)), message))
        return out
    finally:
        draft.unlink(missing_ok=True)
    return []


def save_cycle(form: CycleForm, project: Project) -> Path:
    """Save the form: ``cycles/<time>__cycle.yaml`` (kept) and ``data/action_research_cycle.yaml`` (current).
    Raises CycleFormError listing the problems when it cannot be saved."""
    problems = form_problems(form, project)
    if problems:
        raise CycleFormError("The cycle record was not saved: " + "; ".join(
            f"{LABELS.get(f, f)}: {m}" for f, m in problems), problems)
    text = form_to_yaml(form)
    kept = project.path("cycles", f"{timestamp()}__cycle.yaml")
    with open(kept, "x", encoding="utf-8") as handle:
        handle.write(text)
    (project.data_dir / CYCLE_FILE).write_text(text, encoding="utf-8")
    load_cycle(project.data_dir / CYCLE_FILE)  # the file the notebook reads is valid
    return kept


def earlier_cycles(project: Project) -> pd.DataFrame:
    """The cycles saved so far, newest first: saved, partnership, cycle, question, file."""
    rows = []
    for path in sorted(project.path("cycles").glob("*__cycle.yaml"), reverse=True):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            doc = {}
        saved = pd.to_datetime(path.name.split("__")[0], format="%Y%m%d-%H%M%S-%f")
        rows.append({"saved": saved.strftime("%d/%m/%Y %H:%M:%S"), "partnership": doc.get("partnership", ""),
                     "cycle": doc.get("cycle", ""), "question": doc.get("question", ""),
                     "file": path.relative_to(project.root).as_posix()})
    return pd.DataFrame(rows, columns=["saved", "partnership", "cycle", "question", "file"])


def form_from_file(path: str | Path) -> CycleForm:
    """A form filled from a saved cycle file (to start the next cycle from the last one)."""
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}

    def text(v) -> str:
        return "\n".join(map(str, v)) if isinstance(v, list) else "" if v is None else str(v)

    period = doc.get("period") or {}
    return CycleForm(partnership=text(doc.get("partnership")), cycle=text(doc.get("cycle")),
                     start=text(period.get("start")), end=text(period.get("end")),
                     question=text(doc.get("question")), context=text(doc.get("context")),
                     baseline=text(doc.get("baseline")),
                     actions=[Action(text(a.get("date")), text(a.get("action")), text(a.get("who")))
                              for a in doc.get("actions") or [] if isinstance(a, dict)],
                     observations=text(doc.get("observations")), reflection=text(doc.get("reflection")),
                     next_cycle=text(doc.get("next_cycle")))
