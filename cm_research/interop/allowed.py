"""The values a field may take, and the numeric codes they get in SPSS and Stata, from the data dictionary.

A field's allowed values are its ``enum`` or, for a field that is a foreign key to a catalogue table
(a table whose values the dictionary itself lists, like ``measures``), the catalogue's values. Codes
number the allowed values 1, 2, ... in the dictionary's order; booleans are 1 (yes) and 0 (no).
"""

from __future__ import annotations

from pathlib import Path

from cm_research.dictionary import Field, TableSchema, load_schema


def catalogue_for(schema: TableSchema, field: Field, folder: str | Path | None = None) -> TableSchema | None:
    """The catalogue table ``field`` refers to (a single-field foreign key to a table with rows), or None."""
    for fk in schema.foreign_keys:
        if fk.fields == (field.name,):
            target = load_schema(fk.resource, folder)
            if target.rows:
                return target
    return None


def allowed_values(schema: TableSchema, field: Field, folder: str | Path | None = None) -> tuple[str, ...] | None:
    """The enum of ``field``, or the values of the catalogue it refers to; None when any value goes."""
    if field.enum is not None:
        return field.enum
    catalogue = catalogue_for(schema, field, folder)
    if catalogue is None:
        return None
    fk = next(fk for fk in schema.foreign_keys if fk.fields == (field.name,))
    column = fk.reference_fields[0]
    return tuple(str(row[column]) for row in catalogue.rows)


def yes_no(field: Field) -> tuple[str, str]:
    """The words a boolean field is entered as: its first true value and its first false value."""
    return field.true_values[0], field.false_values[0]


def value_labels(schema: TableSchema, field: Field, folder: str | Path | None = None) -> dict[int, str] | None:
    """Numeric code -> label for a field stored as codes: {1: first allowed value, ...}, or {1: yes, 0: no}
    for a boolean. None for fields stored as they are (numbers, dates, free text and lists)."""
    if field.type == "boolean":
        yes, no = yes_no(field)
        return {1: yes, 0: no}
    if field.type == "list":
        return None
    values = allowed_values(schema, field, folder)
    if values is None:
        return None
    return {code: value for code, value in enumerate(values, start=1)}
