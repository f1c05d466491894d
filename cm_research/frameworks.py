"""Outcome frameworks, and the tags that link measures and interview codes to their outcomes.

A framework file (``data_dictionary/frameworks/*.yaml``, or any file a user declares) names a set of
outcomes::

    id: every_child_matters
    title: Every Child Matters
    source: DfES (2003) Every Child Matters (Cm 5860); Children Act 2004, s. 10(2).
    description: ...
    outcomes:
      - {id: be_healthy, title: Be healthy, description: ...}

A measure (``frameworks`` column of ``measures.yaml``) or a codebook code (``frameworks:`` key) is tagged
with outcomes, either as a mapping ``{every_child_matters: [enjoy_and_achieve]}`` or as text
``"every_child_matters: enjoy_and_achieve, be_healthy; other_framework: x"``. An empty list says the item
was considered and gives evidence about none of the framework's outcomes (e.g. a code about mentor training).
:func:`framework_tags` checks every tag against the frameworks loaded and returns them as one tidy table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml

from cm_research.dictionary import dictionary_dir, measures_catalogue
from cm_research.errors import CMResearchError

if TYPE_CHECKING:
    from cm_research.qual.codebook import Codebook

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
TAG_COLUMNS = ["framework", "outcome", "kind", "item", "label", "theme", "source"]


class FrameworkError(CMResearchError):
    """A framework file is malformed: unreadable YAML, a missing id or title, no outcomes, a repeated id."""


class FrameworkTagError(CMResearchError):
    """A measure or code is tagged with a framework or outcome that no framework file defines, or the tag is
    not written as ``framework: outcome, outcome``."""


@dataclass(frozen=True)
class Outcome:
    id: str
    title: str
    description: str


@dataclass(frozen=True)
class Framework:
    """A named set of outcomes; ``path`` is the file it was read from."""

    id: str
    title: str
    source: str
    description: str
    outcomes: tuple[Outcome, ...]
    path: Path | None = None

    @property
    def outcome_ids(self) -> list[str]:
        return [o.id for o in self.outcomes]

    def outcome(self, outcome_id: str) -> Outcome:
        for o in self.outcomes:
            if o.id == outcome_id:
                return o
        raise KeyError(f"{self.id} has no outcome {outcome_id!r}; its outcomes are {', '.join(self.outcome_ids)}")

    def table(self) -> pd.DataFrame:
        """framework, outcome, title, description: one row per outcome, in the framework's order."""
        return pd.DataFrame([{"framework": self.id, "outcome": o.id, "title": o.title, "description": o.description}
                             for o in self.outcomes], columns=["framework", "outcome", "title", "description"])


def frameworks_dir() -> Path:
    """Folder of the bundled framework files: ``frameworks/`` inside the data dictionary folder."""
    return dictionary_dir() / "frameworks"


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def read_framework(path: str | Path) -> Framework:
    """Read and check one framework file; :class:`FrameworkError` names the file and lists every problem."""
    path = Path(path)
    if not path.is_file():
        raise FrameworkError(f"no framework file at {path}")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as exc:
        raise FrameworkError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise FrameworkError(f"{path.name}: expected a mapping with id, title, source and outcomes; got "
                             f"{type(doc).__name__}")
    problems = []
    for key in ("id", "title", "source"):
        if not _text(doc.get(key)):
            problems.append(f"no {key!r} (a framework needs id, title, source and outcomes)")
    framework_id = _text(doc.get("id"))
    if framework_id and not _ID.match(framework_id):
        problems.append(f"id {framework_id!r} must be lower case letters, digits and _, starting with a letter")
    raw = doc.get("outcomes")
    if not isinstance(raw, list) or not raw:
        problems.append("no 'outcomes' list")
        raw = []
    outcomes, seen = [], set()
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            problems.append(f"outcome {number} is not a mapping with id, title and description")
            continue
        oid, title = _text(item.get("id")), _text(item.get("title"))
        if not oid or not _ID.match(oid):
            problems.append(f"outcome {number}: id {oid!r} must be lower case letters, digits and _")
        elif oid in seen:
            problems.append(f"outcome id {oid!r} is given twice")
        if not title:
            problems.append(f"outcome {oid or number} has no title")
        seen.add(oid)
        outcomes.append(Outcome(oid, title, _text(item.get("description"))))
    if problems:
        raise FrameworkError(f"{path.name}: " + "; ".join(problems))
    return Framework(id=framework_id, title=_text(doc["title"]), source=_text(doc["source"]),
                     description=_text(doc.get("description")), outcomes=tuple(outcomes), path=path)


def load_frameworks(*paths: str | Path, bundled: bool = True) -> dict[str, Framework]:
    """Every framework: the bundled files in ``data_dictionary/frameworks/`` (unless ``bundled=False``) and
    the user-declared ``paths`` (files, or folders of ``*.yaml`` files), by framework id.

    Two files declaring the same id is an error naming both files.
    """
    files = sorted(frameworks_dir().glob("*.yaml")) if bundled and frameworks_dir().is_dir() else []
    for p in map(Path, paths):
        files += sorted(p.glob("*.yaml")) if p.is_dir() else [p]
    out: dict[str, Framework] = {}
    for file in files:
        framework = read_framework(file)
        if framework.id in out:
            if out[framework.id].path.resolve() == file.resolve():
                continue
            raise FrameworkError(f"framework id {framework.id!r} is declared twice: in {out[framework.id].path} "
                                 f"and in {file}; give one of them another id")
        out[framework.id] = framework
    return out


def load_framework(framework: str | Path, *paths: str | Path) -> Framework:
    """One framework, by id (bundled or among ``paths``) or by the path of its file."""
    if Path(str(framework)).suffix in (".yaml", ".yml"):
        return read_framework(framework)
    known = load_frameworks(*paths)
    if framework not in known:
        raise FrameworkTagError(f"no framework {framework!r}; the frameworks are: {', '.join(sorted(known)) or 'none'}"
                                f" (declare another with a framework file, as in {frameworks_dir()})")
    return known[str(framework)]


def _ids(values: Iterable[Any], where: str, framework: str) -> tuple[str, ...]:
    out = []
    for v in values:
        text = _text(v)
        if not _ID.match(text):
            raise FrameworkTagError(f"{where}: {text!r} under {framework!r} is not an outcome id (lower case "
                                    "letters, digits and _)")
        out.append(text)
    return tuple(dict.fromkeys(out))


def parse_tags(value: Any, where: str = "tag") -> dict[str, tuple[str, ...]]:
    """Framework id -> outcome ids, from a mapping or from text ``"fw: a, b; fw2: c"``; empty for None.

    Only the form is checked here; :func:`framework_tags` checks the ids against the framework files.
    """
    if value is None or (not isinstance(value, (str, Mapping)) and pd.isna(value)):
        return {}
    if isinstance(value, str):
        mapping: dict[str, Any] = {}
        for part in (p.strip() for p in value.split(";")):
            if not part:
                continue
            if ":" not in part:
                raise FrameworkTagError(f"{where}: {part!r} should be written framework: outcome, outcome "
                                        "(e.g. every_child_matters: enjoy_and_achieve)")
            name, _, outcomes = part.partition(":")
            if name.strip() in mapping:
                raise FrameworkTagError(f"{where}: framework {name.strip()!r} is given twice")
            mapping[name.strip()] = [o for o in (s.strip() for s in outcomes.split(",")) if o]
        value = mapping
    if not isinstance(value, Mapping):
        raise FrameworkTagError(f"{where}: frameworks must map a framework id to a list of outcome ids, e.g. "
                                f"{{every_child_matters: [enjoy_and_achieve]}}; got {value!r}")
    out = {}
    for name, outcomes in value.items():
        name = _text(name)
        if not _ID.match(name):
            raise FrameworkTagError(f"{where}: {name!r} is not a framework id (lower case letters, digits and _)")
        if outcomes is None:
            outcomes = []
        elif isinstance(outcomes, str):
            outcomes = [o for o in (s.strip() for s in outcomes.split(",")) if o]
        elif not isinstance(outcomes, list):
            raise FrameworkTagError(f"{where}: the outcomes under {name!r} must be a list of outcome ids")
        out[name] = _ids(outcomes, where, name)
    return out


def tags_text(tags: Mapping[str, Iterable[str]]) -> str:
    """Tags as text, the form :func:`parse_tags` reads: ``every_child_matters: be_healthy, stay_safe``."""
    return "; ".join(f"{name}: {', '.join(outcomes)}".rstrip() for name, outcomes in tags.items())


def framework_tags(frameworks: Mapping[str, Framework] | None = None, *, measures: pd.DataFrame | None = None,
                   codebook: Codebook | None = None, include_measures: bool = True) -> pd.DataFrame:
    """Every tag of every measure and code, checked against the frameworks: one row per (item, outcome).

    Parameters
    ----------
    frameworks : from :func:`load_frameworks` (default: the bundled ones).
    measures : a measures catalogue with ``measure``, ``title`` and ``frameworks`` columns (default: the data
        dictionary's ``measures.yaml``).
    codebook : a loaded codebook whose codes' ``frameworks`` tags to include (default: none).
    include_measures : False leaves the measures out.

    Returns
    -------
    DataFrame with columns framework, outcome, kind (``measure`` or ``code``), item (the measure or code
    name), label (its title), theme (the code's theme; empty for a measure), source (the file).

    Raises
    ------
    FrameworkTagError
        Listing every tag that names an unknown framework or outcome, with its file, the measure or code,
        and the ids that are known.
    """
    frameworks = load_frameworks() if frameworks is None else frameworks
    items: list[tuple[str, str, str, str, str, str, Any]] = []  # kind, item, label, theme, source, where, tags
    problems: list[str] = []
    if include_measures:
        catalogue = measures_catalogue() if measures is None else measures
        source = "measures.yaml" if measures is None else "the measures catalogue"
        for row in catalogue.to_dict("records"):
            where = f"{source}, measure `{row['measure']}`"
            try:
                tags = parse_tags(row.get("frameworks"), where)
            except FrameworkTagError as exc:
                problems.append(str(exc))
                continue
            items.append(("measure", row["measure"], row.get("title", row["measure"]), "", source, where, tags))
    if codebook is not None:
        for code in codebook.codes:
            line = f", line {code.line}" if code.line else ""
            where = f"{codebook.source or 'codebook'}{line}, code `{code.name}`"
            items.append(("code", code.name, code.label, code.theme, codebook.source, where, code.framework_tags))
    rows = []
    for kind, item, label, theme, source, where, tags in items:
        for name, outcomes in tags.items():
            if name not in frameworks:
                problems.append(f"{where}: no framework {name!r}; the frameworks loaded are "
                                f"{', '.join(sorted(frameworks)) or 'none'} (declare it in a framework file and "
                                "pass its path to load_frameworks)")
                continue
            known = frameworks[name].outcome_ids
            for outcome in outcomes:
                if outcome not in known:
                    problems.append(f"{where}: {outcome!r} is not an outcome of {name} "
                                    f"({frameworks[name].path.name if frameworks[name].path else name}); "
                                    f"its outcomes are: {', '.join(known)}")
                    continue
                rows.append({"framework": name, "outcome": outcome, "kind": kind, "item": item, "label": label,
                             "theme": theme, "source": source})
    if problems:
        head = f"{len(problems)} outcome-framework tags cannot be used:\n  " if len(problems) > 1 else ""
        raise FrameworkTagError(head + "\n  ".join(problems))
    return pd.DataFrame(rows, columns=TAG_COLUMNS)
