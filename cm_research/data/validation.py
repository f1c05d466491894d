"""Validate raw cells against a table's schema: map columns, coerce types, apply every constraint.

Every problem becomes one row of a tidy problems table (file, row, column, value, rule, message,
severity). Rows with an ``error`` are quarantined by the loader; ``warning`` rows are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cm_research.data.characters import HOMOGLYPHS, character_name, escape_unseen, fold_label
from cm_research.data.coercion import all_text, arrow_text, ascii_rows, by_value, coerce_column, display, is_warning
from cm_research.data.coercion import key_like
from cm_research.data.memory import release_memory
from cm_research.data.reading import RawTable
from cm_research.dictionary import Field, TableSchema
from cm_research.errors import PROBLEM_COLUMNS, DataValidationError


def normalise_label(text: str) -> str:
    """'Participant ID ' -> 'participant_id'; used to match headers and enum values forgivingly, as the letters
    they show (:func:`cm_research.data.characters.fold_label`: look-alike and invisible characters folded)."""
    return re.sub(r"[\s\-/]+", "_", fold_label(text).strip().lower()).strip("_")


@dataclass
class ProblemLog:
    """Collects problems as plain records; turned into the problems table once at the end."""

    file: str
    records: list[dict] = field(default_factory=list)

    def add(self, row, column: str, value, rule: str, message: str, severity: str = "error") -> None:
        self.records.append(
            {
                "file": self.file,
                "row": row,
                "column": column,
                "value": "" if value is None else escape_unseen(display(value)),
                "rule": rule,
                "message": message,
                "severity": severity,
            }
        )

    def table(self) -> pd.DataFrame:
        problems = pd.DataFrame(self.records, columns=PROBLEM_COLUMNS)
        problems["row"] = problems["row"].astype("Int64")
        return problems.sort_values(["row", "column"], na_position="first", kind="stable").reset_index(drop=True)


def map_columns(raw: RawTable, schema: TableSchema, log: ProblemLog) -> dict[str, str]:
    """Header -> field name, matching names or titles regardless of case, spaces and hyphens."""
    lookup = {}
    for f in schema.fields:
        lookup[normalise_label(f.name)] = f.name
        lookup[normalise_label(f.title)] = f.name
    mapping: dict[str, str] = {}
    for header in raw.cells.columns:
        name = lookup.get(normalise_label(header))
        if name is None:
            shown = escape_unseen(str(header))  # never a live bidi override or invisible character in a report
            log.add(pd.NA, shown, None, "unknown_column",
                    f"column `{shown}` is not in the data dictionary for {schema.name}; it was ignored",
                    severity="warning")
        elif name in mapping.values():
            first = next(h for h, n in mapping.items() if n == name)
            raise DataValidationError(f"{raw.file}: columns `{escape_unseen(str(first))}` and "
                                      f"`{escape_unseen(str(header))}` both look like `{name}`; keep one of them")
        else:
            mapping[header] = name
            shown = re.sub(r"[\s\-/]+", "_", str(header).strip().lower()).strip("_")
            if shown != normalise_label(header):  # the header only matched once look-alikes were folded
                odd = ", ".join(character_name(c) for c in dict.fromkeys(str(header))
                                if not c.isascii() and fold_label(c) != c)
                log.add(pd.NA, name, None, "header_characters",
                        f"column `{escape_unseen(str(header))}` is read as `{name}`, but its header holds characters "
                        f"that only look like it ({odd}); retype the header", severity="warning")
    missing = [f for f in schema.required_fields if f not in mapping.values()]
    if missing:
        for name in missing:
            log.add(pd.NA, name, None, "missing_column", f"required column `{name}` is missing")
        found = ", ".join(f"`{escape_unseen(str(h))}`" for h in raw.cells.columns)
        raise DataValidationError(
            f"{raw.file}: required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(f'`{m}`' for m in missing)} missing (the file has {found}). "
            f"Expected columns for {schema.name}: {', '.join(schema.field_names)}.{_header_lower_down(raw, lookup)}",
            log.table(),
        )
    return mapping


def _header_lower_down(raw: RawTable, lookup: dict[str, str]) -> str:
    """A sentence saying on which row the column names are, when a title or notes sit above them (the header
    must be row 1), found among the first 20 rows; "" when no row there names at least three columns."""
    for row, cells in enumerate(raw.top_rows[1:], start=2):
        named = {lookup[key] for v in cells if isinstance(v, str) and (key := normalise_label(v)) in lookup}
        if len(named) >= 3:
            return (f" The column names seem to be on row {row}: delete the rows above them, so that they are on "
                    "row 1.")
    return ""


def _canonical_enum(values: pd.Series, f: Field, log: ProblemLog) -> pd.Series:
    canon = {normalise_label(v): v for v in f.enum}
    allowed = ", ".join(f.enum)

    def check(row, value: str):
        hit = canon.get(normalise_label(value))
        if hit is None:
            log.add(row, f.name, value, "enum", f"{value!r} is not one of: {allowed}")
        return hit

    if f.type == "list":
        return pd.Series(
            {row: tuple(check(row, v) for v in items) for row, items in values.dropna().items()},
            index=values.index, dtype=object,
        )

    def convert(cells: pd.Series) -> tuple[pd.Series, list]:
        hits = {row: canon.get(normalise_label(v)) for row, v in cells.dropna().items()}
        return pd.Series(hits, index=cells.index, dtype="string"), [(row, cells[row]) for row, h in hits.items()
                                                                    if h is None]

    if arrow_text(values) is not None:  # a national extract: most often every value is already written as allowed
        distinct = pd.unique(values.dropna())
        if all(canon.get(normalise_label(v)) == v for v in distinct):
            return values  # nothing to change: the cells' own Arrow buffers are kept, not copied
    typed, unknown = by_value(values, convert) if all_text(values) else convert(values)
    for row, value in unknown:
        log.add(row, f.name, value, "enum", f"{value!r} is not one of: {allowed}")
    return typed


def _marker(cell: object) -> str | None:
    """The text of a cell that was read as a missing-value marker ("NA", "-"), or None for a blank cell."""
    return cell.strip() if isinstance(cell, str) and cell.strip() else None


def _look_alike_twins(typed: pd.Series, f: Field, log: ProblemLog) -> None:
    """An error on each value of a key column spelt wholly or partly in Cyrillic or Greek letters drawn like Latin
    ones ("ТЕЅТ") when the column also holds the Latin spelling ("TEST"): a reader sees one site, the analysis
    two. (A word mixing the alphabets is refused cell by cell, :func:`cm_research.data.characters.mixed_script_word`;
    a word wholly in the other alphabet is only suspect beside its twin.)"""
    present = typed.dropna()
    if present.empty or not all_text(present):
        return
    other = present[~present.str.isascii().astype(bool)]  # column-wise for Arrow text (a national extract)
    twins = {v: v.translate(HOMOGLYPHS) for v in pd.unique(other.to_numpy(dtype=object))}
    twins = {v: t for v, t in twins.items() if t != v}
    if not twins:
        return
    wanted = set(twins.values())
    first_row: dict[str, object] = {}
    for row, value in present[present.isin(wanted)].items():
        first_row.setdefault(value, row)
    for row, value in present[present.isin(set(twins))].items():
        latin = twins.get(value)
        if latin in first_row:
            log.add(row, f.name, value, "homoglyph",
                    f"{escape_unseen(value)!r} looks the same as {latin!r} (row {first_row[latin]}) but is spelt with "
                    "look-alike letters of another alphabet, so the two would count as different; retype it")


def _check_field(typed: pd.Series, f: Field, log: ProblemLog, coerce_failed: set,
                 cells: pd.Series | None = None) -> pd.Series:
    if f.required:
        for row in typed.index[typed.isna()]:
            if row not in coerce_failed:
                marker = _marker(cells[row]) if cells is not None else None
                # "NA" may be a real code (a site "NA" for North Area): say it was read as the marker
                log.add(row, f.name, marker, "required", f"`{f.name}` is required but empty" if marker is None else
                        f"`{f.name}` is required, but {marker!r} is one of the data dictionary's marks of a missing "
                        "value, so it was read as missing; if it is a real value, write it another way (e.g. in "
                        "full)")
    if f.enum is not None:
        typed = _canonical_enum(typed, f, log)
    if f.type == "string" and key_like(f):
        _look_alike_twins(typed, f, log)
    if f.pattern is not None:
        pattern = re.compile(f.pattern)

        def mismatches(cells: pd.Series) -> tuple[pd.Series, list]:
            return cells, [(row, v) for row, v in cells.dropna().items() if not pattern.fullmatch(v)]

        wrong = _arrow_mismatches(typed, f.pattern, pattern)
        if wrong is None:
            _, wrong = by_value(typed, mismatches) if all_text(typed) else mismatches(typed)
        for row, value in wrong:
            log.add(row, f.name, value, "pattern", f"{value!r} does not have the expected form ({_pattern_hint(f)})")
    if f.type in ("number", "integer"):
        if f.minimum is not None:
            for row, value in typed[typed < f.minimum].dropna().items():
                log.add(row, f.name, value, "minimum", f"{display(value)} is below the minimum of {f.minimum:g}")
        if f.maximum is not None:
            for row, value in typed[typed > f.maximum].dropna().items():
                log.add(row, f.name, value, "maximum", f"{display(value)} is above the maximum of {f.maximum:g}")
    if f.unique:
        # ids that differ only in capitals ("AB-01", "ab-01") are one id to a person, to Excel and to the
        # pseudonymisation key, so uniqueness ignores case
        key = _casefold(typed) if f.type == "string" and f.enum is None else typed
        where = np.flatnonzero((typed.notna() & _duplicated(key)).to_numpy(dtype=bool))
        # the repeated rows as plain lists, grouped by key in order of first appearance, rows in order
        rows, values = typed.index[where].tolist(), typed.iloc[where].tolist()
        groups: dict[int, list[int]] = {}
        for i, code in enumerate(pd.factorize(key.iloc[where])[0].tolist()):
            groups.setdefault(code, []).append(i)
        for members in groups.values():
            for i in members:
                value = values[i]
                others = ", ".join(f"{rows[j]}" if values[j] == value else f"{rows[j]} as {values[j]!r}"
                                   for j in members if j != i)
                log.add(rows[i], f.name, value, "unique", f"{value!r} appears more than once (also in row {others}; "
                                                          "capital and small letters count as the same)"
                        if any(values[j] != value for j in members) else
                        f"{value!r} appears more than once (also in row {others})")
        if f.type == "string":
            _check_leading_zeros(typed, f, log)
    return typed


def _check_leading_zeros(typed: pd.Series, f: Field, log: ProblemLog) -> None:
    """A warning (rule ``leading_zeros``) on ids made of digits that are the same number written with and without
    leading zeros (00123 and 123): Excel drops the zeros of an id typed into a number cell, so the two rows may be
    one young person counted twice. Both rows are kept: they may be two people."""
    digits = typed.dropna()
    digits = digits[digits.str.fullmatch(r"0*\d+").fillna(False).astype(bool)]
    if digits.empty:
        return
    number = digits.str.lstrip("0").replace("", "0")
    twice = number.duplicated(keep=False).to_numpy(dtype=bool)  # a national extract: only the few repeated numbers
    digits, number = digits[twice], number[twice]
    for _, group in digits.groupby(number.to_numpy(), sort=False):
        if group.nunique() < 2:
            continue
        for row, value in group.items():
            others = ", ".join(f"{v!r} in row {r}" for r, v in group.items() if v != value)
            log.add(row, f.name, value, "leading_zeros",
                    f"{value!r} and {others} are the same number with and without leading zeros; Excel drops the "
                    "zeros of an id typed into a number cell, so these may be one young person: check them, and "
                    "format the id column as Text in Excel", severity="warning")


def _arrow_mismatches(typed: pd.Series, source: str, pattern: re.Pattern) -> list[tuple[int, str]] | None:
    """(row, value) of the Arrow text cells that ``pattern`` does not fully match, found by pyarrow's regular
    expressions (RE2) for the ASCII cells and by Python's for the others (where ``\\w`` or ``\\d`` could differ);
    None when the cells are not Arrow text or RE2 cannot compile the pattern (then Python checks every cell)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = arrow_text(typed)
    if array is None:
        return None
    try:
        matched = pc.match_substring_regex(array, f"^(?:{source})$")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    bad = ~pc.fill_null(matched, True).to_numpy(zero_copy_only=False)
    other = ascii_rows(array)
    if len(other):
        bad[other] = [v is not None and not pattern.fullmatch(v) for v in array.take(pa.array(other)).to_pylist()]
    where = np.flatnonzero(bad)
    return list(zip(typed.index[where], typed.iloc[where]))


def _casefold(typed: pd.Series) -> pd.Series:
    """``typed.str.casefold()``; for Arrow text, ASCII cells are lower-cased by pyarrow (for ASCII, casefold is
    lower) and the rest by Python."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = arrow_text(typed)
    if array is None:
        return typed.str.casefold()
    key = pd.Series(pd.arrays.ArrowStringArray(pc.ascii_lower(array).cast(pa.large_string())), index=typed.index)
    other = ascii_rows(array)
    if len(other):
        key.iloc[other] = [v.casefold() for v in array.take(pa.array(other)).to_pylist()]
    return key


def _duplicated(key: pd.Series) -> pd.Series:
    """``key.duplicated(keep=False)``, counted on the codes of the distinct values."""
    codes, _ = pd.factorize(key, use_na_sentinel=True)
    return pd.Series(codes, index=key.index).duplicated(keep=False)


def _row_codes(data: pd.DataFrame, key: list[str]) -> np.ndarray:
    """One whole number per row, equal for rows that agree on every column of ``key``: the codes of each column's
    distinct values combined as the digits of a number (in place, one column at a time), renumbered only when it
    could outgrow 64 bits."""
    combined, size = np.zeros(len(data), dtype=np.int64), 1
    for column in key:
        codes, uniques = pd.factorize(data[column], use_na_sentinel=True)
        base = len(uniques) + 1
        del uniques
        if size * base >= 2 ** 62:
            combined, distinct = pd.factorize(combined)
            combined, size = combined.astype(np.int64, copy=False), len(distinct)
        combined *= base
        combined += codes
        combined += 1
        size *= base
        del codes
    return combined


def _repeated(codes: np.ndarray) -> np.ndarray:
    """Whether each number of ``codes`` occurs more than once, found by sorting a copy (no hash table, and no
    count for every possible number)."""
    ordered = np.sort(codes)
    same = ordered[1:] == ordered[:-1]
    twice = np.unique(ordered[1:][same])
    del ordered, same
    return np.isin(codes, twice) if len(twice) else np.zeros(len(codes), dtype=bool)


def _pattern_hint(f: Field) -> str:
    if f.name == "cohort":
        return "an academic year such as 2023/24"
    if f.name.endswith("_id"):
        return "letters, digits, - or _, 2 to 32 characters, e.g. NS-0001"
    return f"pattern {f.pattern}"


def _check_primary_key(data: pd.DataFrame, schema: TableSchema, log: ProblemLog) -> None:
    key = list(schema.primary_key)
    if len(key) < 2:
        return  # a single-column key is checked as `unique` on its field
    complete = data[key].notna().all(axis=1)
    dup = complete & _repeated(_row_codes(data, key))
    for _, group in data[dup].groupby(key, sort=False):
        rows = list(group.index)
        label = ", ".join(f"{k}={display(group.iloc[0][k])}" for k in key)
        for row in rows:
            others = ", ".join(str(r) for r in rows if r != row)
            log.add(row, key[-1], group.loc[row, key[-1]], "primary_key",
                    f"the same {' + '.join(key)} ({label}) appears more than once (also in row {others})")


def _check_not_before(data: pd.DataFrame, schema: TableSchema, log: ProblemLog) -> None:
    for f in schema.fields:
        if f.not_before and f.not_before in data and f.name in data:
            early = data[f.name] < data[f.not_before]
            for row in data.index[early.fillna(False).astype(bool)]:
                log.add(row, f.name, data.at[row, f.name], "not_before",
                        f"{display(data.at[row, f.name])} is before `{f.not_before}` "
                        f"({display(data.at[row, f.not_before])})")


def _check_not_above(data: pd.DataFrame, schema: TableSchema, log: ProblemLog) -> None:
    """``notAbove: other`` (a cm_research extension, like ``notBefore``): the value may not exceed ``other`` in the
    same row, e.g. sessions attended may not exceed sessions possible. Rows where either is missing pass."""
    for f in schema.fields:
        if f.not_above and f.not_above in data and f.name in data:
            over = pd.to_numeric(data[f.name], errors="coerce") > pd.to_numeric(data[f.not_above], errors="coerce")
            for row in data.index[over.fillna(False).astype(bool)]:
                log.add(row, f.name, data.at[row, f.name], "not_above",
                        f"{display(data.at[row, f.name])} is more than `{f.not_above}` "
                        f"({display(data.at[row, f.not_above])})")


def check_foreign_keys(
    data: pd.DataFrame,
    schema: TableSchema,
    references: dict[str, pd.DataFrame],
    log: ProblemLog,
    quarantined: dict[str, set] | None = None,
) -> None:
    """Every key of ``data`` must exist in its referenced table (when that table is supplied)."""
    for fk in schema.foreign_keys:
        ref = references.get(fk.resource)
        if ref is None or len(fk.fields) != 1:
            continue
        column, ref_column = fk.fields[0], fk.reference_fields[0]
        known = ref[ref_column].dropna()
        held_back = (quarantined or {}).get(fk.resource, set())
        values = data[column].dropna()
        keys = values
        if not (all_text(values) and all_text(known)):  # keys are compared as their text
            keys, known = values.astype(str), known.astype(str)
        if arrow_text(keys) is not None and arrow_text(known) is not None:  # pandas' isin would go through Python
            import pyarrow.compute as pc

            array = arrow_text(keys)
            found = pc.is_in(array, value_set=arrow_text(known).combine_chunks().cast(array.type))
            unknown = values.index[~found.to_numpy(zero_copy_only=False)]
        else:
            unknown = values.index[~keys.isin(known).to_numpy(dtype=bool)]
        if len(unknown) and fk.resource == "measures":
            listed = ", ".join(sorted(set(known)))
        zeros = _by_number(known) if any(str(values[row]).isdigit() for row in unknown) else {}
        for row in unknown:
            value = values[row]
            twin = zeros.get(str(value).lstrip("0") or "0") if str(value).isdigit() else None
            if twin is not None:
                msg = (f"{value!r} is not in the {fk.resource} table, but {twin!r} is: the same number with "
                       "different leading zeros, which Excel drops from an id typed into a number cell; write the id "
                       "as it is in the other table (format the column as Text in Excel)")
            elif value in held_back:
                msg = f"{value!r} is in {fk.resource} but that row has problems and was quarantined"
            elif fk.resource == "measures":
                msg = f"{value!r} is not a measure in the data dictionary (measures.yaml lists {listed})"
            else:
                msg = f"{value!r} is not in the {fk.resource} table"
            log.add(row, column, value, "foreign_key", msg)


def _by_number(known: pd.Series) -> dict[str, str]:
    """Known keys made of digits, by their number written without leading zeros ('00123' under '123')."""
    digits = known[known.astype(str).str.fullmatch(r"\d+").fillna(False).astype(bool)].astype(str)
    return {v.lstrip("0") or "0": v for v in digits.unique()}


def check_measure_ranges(data: pd.DataFrame, catalogue: pd.DataFrame, log: ProblemLog, value_column: str) -> None:
    """A value must lie in its measure's range; binary measures take 0 or 1, counts whole numbers.

    The rules are checked as array comparisons, one distinct measure at a time (a national extract has a few
    measures and millions of rows); only the rows that break one are visited in Python, rule by rule in row
    order."""
    codes, names = pd.factorize(data["measure"], use_na_sentinel=True)
    value = data[value_column].to_numpy(dtype=float, na_value=np.nan)
    found: dict[str, list[np.ndarray]] = {"minimum": [], "maximum": [], "binary": [], "count": []}
    bounds: dict[str, tuple[float, float]] = {}
    for code, name in enumerate(str(n) for n in names):
        if name not in catalogue.index:
            continue
        spec = catalogue.loc[name]
        bounds[name] = (float(spec["minimum"]) if pd.notna(spec["minimum"]) else np.nan,
                        float(spec["maximum"]) if pd.notna(spec["maximum"]) else np.nan)
        where = np.flatnonzero(codes == code)
        where = where[~np.isnan(value[where])]
        v = value[where]
        with np.errstate(invalid="ignore"):
            low, high = v < bounds[name][0], v > bounds[name][1]
        found["minimum"].append(where[low])
        found["maximum"].append(where[high])
        if spec["kind"] == "binary":
            found["binary"].append(where[~low & ~high & ~np.isin(v, [0.0, 1.0])])
        if spec["kind"] == "count":
            found["count"].append(where[~low & ~high & (v != np.round(v))])
    for rule, parts in found.items():
        hits = np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.intp)
        if not len(hits):
            continue
        for row, v, name in zip(data.index[hits], value[hits], data["measure"].iloc[hits].tolist()):
            if rule == "minimum":
                message = f"{display(v)} is below the minimum of {bounds[name][0]:g} for {name}"
            elif rule == "maximum":
                message = f"{display(v)} is above the maximum of {bounds[name][1]:g} for {name}"
            elif rule == "binary":
                message = f"{name} is yes/no: the value must be 1 (yes) or 0 (no), not {display(v)}"
            else:
                message = f"{name} is a count: {display(v)} is not a whole number"
            log.add(row, value_column, v, rule, message)


def check_percent_scales(data: pd.DataFrame, cells: pd.Series, catalogue: pd.DataFrame, log: ProblemLog,
                         value_column: str) -> None:
    """A value between 0 and 1 of a percentage measure, written without a ``%`` sign, among values of the same
    measure above 1, is an error (rule ``percent_scale``): it is most likely a fraction (0.85 for 85%) typed by a
    different hand, and read as written it would be a child at under 1%. ``cells`` are the raw cells of the value
    column: a value written with its sign (``0.5%``) says what it means and is kept. A measure whose values are
    all at most 1 is not questioned (nothing to compare with); 0 and 1 are whole percentages and never are."""
    percent = [str(m) for m in catalogue.index if str(catalogue.loc[m, "unit"]) == "percent"]
    if not percent or data.empty:
        return
    value = data[value_column].to_numpy(dtype=float, na_value=np.nan)
    for name in percent:
        mine = (data["measure"] == name).fillna(False).to_numpy(dtype=bool)  # a missing measure is no match
        v = value[mine]
        if not (v > 1).any():
            continue
        # only the few cells under 1 are looked at as text (a national extract has millions of rows)
        rows = data.index[mine][(v > 0) & (v < 1)]
        odd = [(row, x) for row, x in zip(rows, value[mine][(v > 0) & (v < 1)])
               if not (isinstance(cells.get(row), str) and cells.get(row).strip().endswith("%"))]
        typical = float(np.median(v[v > 1]))
        for row, x in odd:
            log.add(row, value_column, float(x), "percent_scale",
                    f"{display(float(x))} for {name}, whose other values are percentages (typically "
                    f"{display(round(typical, 1))}): it looks like a fraction, {display(round(float(x) * 100, 6))}% "
                    f"written as {display(float(x))}; write {display(round(float(x) * 100, 6))} if that is what it "
                    f"is, or {display(float(x))}% if it really is under one per cent")


#: rules about one cell's own value; in an optional field a breach blanks the cell instead of holding back the row
CELL_RULES = ("type", "enum", "pattern", "minimum", "maximum", "characters", "homoglyph", "excel_error",
              "ambiguous_date")
BLANKED_PREFIX = "blanked_"


def _blankable(f: Field, schema: TableSchema) -> bool:
    """An optional field that is no key: a bad value there costs the cell, not the young person."""
    return not f.required and not f.unique and f.name not in schema.primary_key


def blank_bad_cells(typed: pd.Series, log: ProblemLog, start: int, cells: pd.Series) -> pd.Series:
    """Turn the errors logged since ``start`` for one optional field's cell rules into warnings and blank those
    cells: the row is kept, and the problems table keeps the original value (rule ``blanked_<rule>``)."""
    rows = []
    for record in log.records[start:]:
        if record["severity"] == "error" and record["rule"] in CELL_RULES and pd.notna(record["row"]):
            record["rule"] = BLANKED_PREFIX + record["rule"]
            record["severity"] = "warning"
            record["value"] = display(cells[record["row"]])
            record["message"] += "; the cell was left blank and the rest of the row kept"
            rows.append(record["row"])
    return typed.mask(typed.index.isin(rows)) if rows else typed


def _serial_from_1904(value: object) -> object:
    """A date serial of a workbook in the Mac 1904 date system as the 1900 system's serial (Excel date cells are
    converted by openpyxl already; this is for dates stored as plain numbers)."""
    from cm_research.data.reading import DAYS_1900_TO_1904

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value + DAYS_1900_TO_1904
    if isinstance(value, str) and value.strip().isdigit():
        return str(int(value) + DAYS_1900_TO_1904)
    return value


#: the first cell of a totals row: "Total", "Grand total", "Sub-total", "Totals:", "Total (all sites)", "Sum"; the
#: rest of the row must hold only numbers (:func:`_only_numbers`)
_TOTAL = re.compile(r"^(?:grand[\s_-]*|sub[\s_-]*)?(?:totals?|sum)(?:\s*[:(].*|\s+.*)?$", re.IGNORECASE)


#: what a totals row holds beside its label: amounts (£1,200, 85%, (3) for minus 3) and dashes for "none"
_TOTAL_AMOUNT = re.compile(r"^\(?[-+]?[£$€]?\s*[\d.,]*\d[\d.,]*\s*%?\)?$|^[-\u2013\u2014.]$")


def _only_numbers(cells: pd.Series) -> bool:
    """Whether the cells of a row after its first hold nothing but numbers, amounts and dashes, as a totals row
    does; a row with text in it ("Sum Yee", a young person whose family name is Sum, with their site and dates)
    is a row of data."""
    for cell in cells.dropna():
        text = display(cell).strip()
        if text and not isinstance(cell, (int, float, np.integer, np.floating)) and not _TOTAL_AMOUNT.match(text):
            return False
    return True


def _repeated_headers_and_totals(raw: RawTable, mapping: dict[str, str], log: ProblemLog) -> None:
    """An error on each row that repeats the header (a second table, or a block pasted with its header, starts
    there: rule ``header_row``) or is a totals row ("Total", "Grand total" in its first cell, as an Excel export
    ends: rule ``totals_row``). Such rows are quarantined like any row with an error; the message says what the
    row is, instead of a list of cells that are not ids, dates or numbers."""
    if raw.cells.empty or not mapping:
        return
    # column by column, exact text only (a pasted header is the header's own text): a national extract has
    # millions of rows, and a comparison of each column with one value costs no Python per cell
    same = np.zeros(len(raw.cells), dtype=np.int64)
    for header, name in mapping.items():
        column = raw.cells[header]
        same += (column.isin({str(header), str(header).strip(), name})).to_numpy(dtype=bool)
    threshold = max(2, (len(mapping) + 1) // 2)
    for row, count in zip(raw.cells.index[same >= threshold], same[same >= threshold]):
        log.add(row, "", None, "header_row",
                f"the row repeats the header row ({count} of its cells are column names): a second table or a "
                "block pasted with its header starts here; delete the row (and check the rows below it)")
    first = raw.cells.columns[0]
    for row, lead in raw.cells[first].iloc[-20:].items():  # a totals row ends a table
        if (isinstance(lead, str) and _TOTAL.match(lead.strip()) and same[raw.cells.index.get_loc(row)] < threshold
                and _only_numbers(raw.cells.loc[row].iloc[1:])):
            log.add(row, first, lead, "totals_row",
                    f"the row is a totals row ({lead.strip()!r}), not a young person or a record: totals are "
                    "worked out by the analysis; delete the row")


def validate_cells(raw: RawTable, schema: TableSchema, log: ProblemLog) -> pd.DataFrame:
    """Typed table with every column of the schema (absent optional columns are all missing)."""
    mapping = map_columns(raw, schema, log)
    _repeated_headers_and_totals(raw, mapping, log)
    for row, width in raw.ragged_rows.items():
        log.add(row, "", None, "extra_cells",
                f"the row has {width} cells but the header names only {raw.cells.shape[1]} columns")
    for row, width in raw.short_rows.items():
        log.add(row, "", None, "missing_cells",
                f"the row has {width} cell{'s' if width != 1 else ''} but the header names {raw.cells.shape[1]} "
                "columns; the missing cells were read as empty", severity="warning")
    for row, column, value, rule, message in raw.row_problems:
        log.add(row, mapping.get(column, column), value, rule, message)
    for note in raw.notes:
        log.add(pd.NA, "", None, "file", note, severity="warning")
    for column, rule, note in raw.column_notes:
        log.add(pd.NA, mapping.get(column, column), None, rule, note, severity="warning")
    by_field = {name: header for header, name in mapping.items()}
    columns = {}
    for f in schema.fields:
        if f.name not in by_field:  # an optional column left out: all missing, but typed as the field says
            columns[f.name], _ = coerce_column(pd.Series(None, index=raw.cells.index, dtype=object), f,
                                               schema.missing_values)
            continue
        cells = raw.cells[by_field[f.name]]
        if f.type == "date" and raw.excel_1904:
            cells = cells.map(_serial_from_1904, na_action="ignore")
        start = len(log.records)
        typed, bad = coerce_column(cells, f, schema.missing_values, decimal=raw.decimal)
        if any(column == by_field[f.name] and rule == "time_of_day" for column, rule, _ in raw.column_notes):
            bad = [b for b in bad if b[1] != "time_of_day"]  # the reader said it for the whole column already
        for row, rule, message in bad:
            log.add(row, f.name, cells[row], rule, message, severity="warning" if is_warning(rule, f) else "error")
        typed = _check_field(typed, f, log, {row for row, _, _ in bad}, cells)
        if _blankable(f, schema):
            typed = blank_bad_cells(typed, log, start, cells)
        columns[f.name] = typed
        if len(typed) >= 100_000:  # a large table: hand back what converting the column freed
            release_memory()
    data = pd.DataFrame(columns, index=raw.cells.index)
    _check_primary_key(data, schema, log)
    _check_not_before(data, schema, log)
    _check_not_above(data, schema, log)
    return data
