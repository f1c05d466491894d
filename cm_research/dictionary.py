"""The data dictionary: Frictionless Table Schema YAML files under ``data_dictionary/``.

The dictionary is the single source of truth for every table cm_research reads. This module loads
the schemas into small immutable objects and renders them as Markdown for people.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

#: libyaml's safe loader when PyYAML was built with it: ten times faster, which every command's start-up feels
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

from cm_research.errors import DictionaryError

FIELD_TYPES = {"string", "integer", "number", "boolean", "date", "list"}
DEFAULT_TRUE = ("yes", "y", "true", "1")
DEFAULT_FALSE = ("no", "n", "false", "0")


def dictionary_dir() -> Path:
    """Folder of the data dictionary: ``$CM_RESEARCH_DICTIONARY``, the repository's ``data_dictionary/``, or
    the copy a wheel installs (see :mod:`cm_research.resources`)."""
    from cm_research.resources import resource_dir

    override = os.environ.get("CM_RESEARCH_DICTIONARY")
    if override:
        return Path(override)
    return resource_dir("data_dictionary")


@dataclass(frozen=True)
class Field:
    """One column of a table, as the Table Schema describes it."""

    name: str
    type: str
    title: str
    description: str
    required: bool = False
    unique: bool = False
    minimum: float | None = None
    maximum: float | None = None
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    not_before: str | None = None
    not_above: str | None = None  # another numeric field this one may not exceed (e.g. attended <= possible)
    delimiter: str = ";"
    true_values: tuple[str, ...] = DEFAULT_TRUE
    false_values: tuple[str, ...] = DEFAULT_FALSE
    range_from: str | None = None
    identifier: bool = False


@dataclass(frozen=True)
class ForeignKey:
    """``fields`` of this table must match ``reference_fields`` of the ``resource`` table."""

    fields: tuple[str, ...]
    resource: str
    reference_fields: tuple[str, ...]


@dataclass(frozen=True)
class TableSchema:
    """A table: its fields, missing-value markers, primary key and foreign keys."""

    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    missing_values: tuple[str, ...] = ("",)
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    rows: tuple[dict[str, Any], ...] = field(default=(), compare=False)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def identifier_fields(self) -> list[str]:
        return [f.name for f in self.fields if f.identifier]

    @property
    def required_fields(self) -> list[str]:
        return [f.name for f in self.fields if f.required]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"table {self.name!r} has no field {name!r}; fields: {', '.join(self.field_names)}")


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _parse_field(raw: dict[str, Any], where: str) -> Field:
    for key in ("name", "type", "title", "description"):
        if not raw.get(key):
            raise DictionaryError(f"{where}: a field has no {key!r} (every field needs name, type, title, description)")
    if raw["type"] not in FIELD_TYPES:
        raise DictionaryError(
            f"{where}, field {raw['name']!r}: type {raw['type']!r} is not one of {sorted(FIELD_TYPES)}"
        )
    c = raw.get("constraints", {}) or {}
    return Field(
        name=raw["name"],
        type=raw["type"],
        title=raw["title"],
        description=" ".join(str(raw["description"]).split()),
        required=bool(c.get("required", False)),
        unique=bool(c.get("unique", False)),
        minimum=c.get("minimum"),
        maximum=c.get("maximum"),
        enum=tuple(str(v) for v in c["enum"]) if "enum" in c else None,
        pattern=c.get("pattern"),
        not_before=c.get("notBefore"),
        not_above=c.get("notAbove"),
        delimiter=raw.get("delimiter", ";"),
        true_values=tuple(str(v).lower() for v in raw.get("trueValues", DEFAULT_TRUE)),
        false_values=tuple(str(v).lower() for v in raw.get("falseValues", DEFAULT_FALSE)),
        range_from=raw.get("rangeFrom"),
        identifier=bool(raw.get("identifier", False)),
    )


def _parse_schema(doc: dict[str, Any], where: str) -> TableSchema:
    body = doc.get("schema", doc)  # a catalogue nests its schema under `schema:` beside its `rows:`
    if "fields" not in body:
        raise DictionaryError(f"{where}: no 'fields' list")
    raw_fields = body["fields"]
    if not isinstance(raw_fields, list):
        raise DictionaryError(f"{where}: 'fields' must be a list of fields (field 1 is {raw_fields!r}), each a "
                              f"mapping with name, type, title and description")
    for i, f in enumerate(raw_fields, start=1):
        if not isinstance(f, dict):
            raise DictionaryError(f"{where}: field {i} is {f!r}, not a mapping with name, type, title and "
                                  f"description (write `- name: ...` with its keys indented beneath)")
    fields = tuple(_parse_field(f, where) for f in raw_fields)
    names = [f.name for f in fields]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise DictionaryError(f"{where}: field names repeated: {', '.join(dupes)}")
    fks = tuple(
        ForeignKey(
            fields=_as_tuple(fk["fields"]),
            resource=fk["reference"]["resource"],
            reference_fields=_as_tuple(fk["reference"]["fields"]),
        )
        for fk in body.get("foreignKeys", []) or []
    )
    primary_key = _as_tuple(body.get("primaryKey"))
    for name in primary_key + tuple(n for fk in fks for n in fk.fields):
        if name not in names:
            raise DictionaryError(f"{where}: key field {name!r} is not among the fields")
    return TableSchema(
        name=doc.get("name", Path(where).stem),
        title=doc.get("title", doc.get("name", "")),
        description=" ".join(str(doc.get("description", "")).split()),
        fields=fields,
        missing_values=tuple(str(v) for v in body.get("missingValues", doc.get("missingValues", [""]))),
        primary_key=primary_key,
        foreign_keys=fks,
        rows=tuple(doc.get("rows", []) or []),
    )


@lru_cache(maxsize=None)
def _load_all(folder: str) -> dict[str, TableSchema]:
    path = Path(folder)
    files = sorted(path.glob("*.yaml"))
    if not files:
        raise DictionaryError(f"no schema files (*.yaml) found in the data dictionary folder {path}")
    schemas = {}
    for file in files:
        try:
            doc = yaml.load(file.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
        except yaml.YAMLError as exc:
            raise DictionaryError(f"{file.name}: not valid YAML: {exc}") from exc
        schema = _parse_schema(doc, file.name)
        schemas[schema.name] = schema
    for schema in schemas.values():
        for fk in schema.foreign_keys:
            if fk.resource not in schemas:
                raise DictionaryError(f"{schema.name}: foreign key refers to unknown table {fk.resource!r}")
    return schemas


def load_schemas(folder: str | Path | None = None) -> dict[str, TableSchema]:
    """All table schemas of the dictionary, by table name."""
    return _load_all(str(folder or dictionary_dir()))


def load_schema(table: str, folder: str | Path | None = None) -> TableSchema:
    """The schema of one table; a clear error lists the known tables when ``table`` is not one."""
    schemas = load_schemas(folder)
    if table not in schemas:
        raise DictionaryError(f"unknown table {table!r}; the data dictionary defines: {', '.join(sorted(schemas))}")
    return schemas[table]


def catalogue(table: str, folder: str | Path | None = None) -> pd.DataFrame:
    """The ``rows`` of a catalogue table of the dictionary (measures, survey_items), one column per field,
    indexed by its primary key (kept as a column too)."""
    schema = load_schema(table, folder)
    if not schema.rows:
        raise DictionaryError(f"{table}: the dictionary defines no rows for this table, so it is not a catalogue")
    frame = pd.DataFrame(list(schema.rows), columns=schema.field_names)
    return frame.set_index(list(schema.primary_key), drop=False) if schema.primary_key else frame


def measures_catalogue(folder: str | Path | None = None) -> pd.DataFrame:
    """The outcome measures the dictionary allows, one row each (measure, title, unit, kind, minimum,
    maximum, better, ...), indexed by ``measure``."""
    return catalogue("measures", folder)


def _constraint_text(f: Field) -> str:
    parts = []
    if f.required:
        parts.append("required")
    if f.unique:
        parts.append("unique")
    if f.minimum is not None:
        parts.append(f"minimum {f.minimum:g}")
    if f.maximum is not None:
        parts.append(f"maximum {f.maximum:g}")
    if f.enum:
        parts.append("one of: " + ", ".join(f"`{v}`" for v in f.enum))
    if f.pattern:
        parts.append(f"pattern `{f.pattern}`")
    if f.not_before:
        parts.append(f"not before `{f.not_before}`")
    if f.not_above:
        parts.append(f"not more than `{f.not_above}`")
    if f.type == "list":
        parts.append(f"several values separated by `{f.delimiter}`")
    if f.range_from:
        parts.append(f"range set by the measure (see {f.range_from})")
    if f.identifier:
        parts.append("identifier: never shown in reports")
    return "; ".join(parts)


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def to_markdown(folder: str | Path | None = None) -> str:
    """Render every table of the dictionary as Markdown: a section per table, a row per field."""
    schemas = load_schemas(folder)
    out = ["# Data dictionary", ""]
    for name in sorted(schemas, key=lambda n: (n == "measures", n != "participants", n)):
        s = schemas[name]
        out += [f"## {s.title} (`{s.name}`)", "", s.description, ""]
        if s.primary_key:
            out.append(f"Each row is identified by: {', '.join(f'`{k}`' for k in s.primary_key)}.")
        for fk in s.foreign_keys:
            out.append(f"`{', '.join(fk.fields)}` must match a `{', '.join(fk.reference_fields)}` in `{fk.resource}`.")
        out += ["", "| column | title | type | rules | description |", "|---|---|---|---|---|"]
        for f in s.fields:
            out.append(
                f"| `{f.name}` | {_cell(f.title)} | {f.type} | {_cell(_constraint_text(f))} | {_cell(f.description)} |"
            )
        out.append("")
        if s.rows:
            cat = pd.DataFrame(list(s.rows))
            cols = ([c for c in ("measure", "title", "unit", "kind", "minimum", "maximum", "better") if c in cat]
                    or [c for c in s.field_names if c in cat])  # a catalogue without those columns shows its own
            out += ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
            for _, row in cat[cols].iterrows():
                out.append("| " + " | ".join(_cell("" if pd.isna(v) else v) for v in row) + " |")
            out.append("")
            if "frameworks" in cat and cols:  # outcome-framework tags, apart: they would widen the table above
                out += [f"| {cols[0]} | outcome frameworks |", "|---|---|"]
                for key, tags in zip(cat[cols[0]], cat["frameworks"]):
                    out.append(f"| {_cell(key)} | {_cell('' if pd.isna(tags) else tags)} |")
                out.append("")
    return "\n".join(out)
