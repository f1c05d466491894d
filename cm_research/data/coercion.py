"""Turn raw cells into typed values, one column at a time, reporting every cell that will not convert.

Each ``coerce_*`` function takes a Series of raw cells (strings from CSV; strings, numbers, datetimes
or booleans from Excel) whose missing cells are already ``None``, and returns the typed Series plus a
list of ``(row, rule, message)`` for cells that could not be converted (those become missing).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Callable

import numpy as np
import pandas as pd

from cm_research.data.characters import HOMOGLYPHS, character_name, clean_text, escape_unseen
from cm_research.data.characters import mixed_script_word
from cm_research.dictionary import Field

Bad = list[tuple[int, str, str]]

#: Excel counts days from 1899-12-30 (its 1900 leap-year bug included); serials in this range are 1927-2119.
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
EXCEL_SERIAL_RANGE = (10_000, 80_000)
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")
#: a year written with two digits (01/01/68) could be 1968 or 2068: such dates are refused, never guessed
_TWO_DIGIT_YEAR = re.compile(r"^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2}$")
_EARLIEST_YEAR = 1900
#: the last year read as a date: later ones (9999, typed for "not known") are refused, never held as a date
_LATEST_YEAR = 2200
_FAR_YEAR = re.compile(r"(?:^|\D)(\d{4})(?:\D|$)")
_TRAILING_MIDNIGHT = re.compile(r"[ T]00:00(:00)?(\.0+)?$")


def display(value: object) -> str:
    """A cell as a person would read it in an error message."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _text(values: pd.Series) -> pd.Series:
    """Numbers from Excel as text without a spurious '.0' (1001.0 -> '1001')."""
    return values.map(lambda v: None if v is None else display(v).strip(), na_action="ignore")


def is_warning(rule: str, field: Field) -> bool:
    """Whether a problem a coercer found is a warning (the cell is kept, cleaned) rather than an error: an invisible
    character removed, look-alike letters in free text, or a number read after Excel's apostrophe."""
    return rule in ("invisible_character", APOSTROPHE, TIME_OF_DAY, LOST_DIGITS, DATE_SERIAL) or (rule == "homoglyph" and not key_like(field))


def key_like(field: Field) -> bool:
    """A field whose text names or keys something (an id, a site, a code): equal-looking values must be equal."""
    return bool(field.required or field.unique or field.pattern or field.enum or field.identifier)


def check_characters(text: pd.Series, field: Field) -> tuple[pd.Series, Bad]:
    """Text cells cleaned of invisible characters and refused for characters that reorder or hide text
    (:func:`cm_research.data.characters.clean_text`); a refused cell becomes missing. Problems use the rules
    ``invisible_character`` (a warning, in a :func:`key_like` field: removed, the cell kept), ``characters``
    (refused) and ``homoglyph`` (a word mixing Latin with Cyrillic or Greek letters: refused in a
    :func:`key_like` field, else a warning)."""
    bad: Bad = []
    out = {}
    for row, value in text.dropna().items():
        if value.isascii() and value.isprintable():
            continue
        cleaned, removed, refused = clean_text(value)
        if refused:
            bad.append((row, "characters", f"'{escape_unseen(value)}' cannot be read: {refused}"))
            out[row] = None
            continue
        if removed and key_like(field):  # in free text (comments pasted from Word) the cleaning needs no word
            bad.append((row, "invisible_character",
                        f"'{escape_unseen(value)}' holds {', '.join(removed)}, which cannot be seen; read as "
                        f"{cleaned!r}"))
        if (word := mixed_script_word(cleaned)) is not None:
            letters = ", ".join(f"{c!r} ({character_name(c)})" for c in dict.fromkeys(word)
                                if c.isalpha() and not c.isascii())
            key = key_like(field)
            bad.append((row, "homoglyph",
                        f"{cleaned!r} mixes Latin letters with look-alike letters of another alphabet ({letters}), "
                        f"so it looks like {cleaned.translate(HOMOGLYPHS)!r} but is not; retype it"))
            if key:
                out[row] = None
                continue
        if cleaned != value:
            out[row] = cleaned
    if not out:
        return text, bad
    text = text.astype(object).copy()
    for row, value in out.items():
        text[row] = value
    return text, bad


#: what Excel shows in a cell whose formula failed (a VLOOKUP that found nothing is ``#N/A``); exported, the text
#: of the error takes the value's place, so it is no value at all (``#GETTING_DATA`` while a cube formula waits)
EXCEL_ERRORS = ("#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#SPILL!", "#CALC!",
                "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#GETTING_DATA")
_EXCEL_ERRORS = frozenset(e.upper() for e in EXCEL_ERRORS)
EXCEL_ERROR = "excel_error"


def excel_errors(text: pd.Series) -> tuple[pd.Series, Bad]:
    """Text cells that are one of Excel's error values (:data:`EXCEL_ERRORS`), made missing, each with a problem
    (rule ``excel_error``): read as text, ``#N/A`` would become a site, a code or an answer nobody gave."""
    hits = text.dropna()
    hits = hits[hits.map(lambda v: isinstance(v, str) and v.strip().upper() in _EXCEL_ERRORS)]
    if hits.empty:
        return text, []
    bad = [(row, EXCEL_ERROR, f"{value.strip()!r} is Excel's mark of a formula that failed (e.g. a look-up that "
                              "found nothing), not a value; correct the formula in Excel, or type the value")
           for row, value in hits.items()]
    return text.mask(text.index.isin(hits.index)), bad


def coerce_string(values: pd.Series, field: Field) -> tuple[pd.Series, Bad]:
    """Cells as trimmed text (numbers from Excel without a spurious '.0'), checked by :func:`check_characters`;
    an Excel error value (``#N/A``) is no text (:func:`excel_errors`)."""
    if all_text(values):  # display() of a string is the string itself
        text = values.str.strip()
    else:
        text = _text(values)
    text, failed = excel_errors(text)
    text, bad = check_characters(text, field)
    return text.astype("string"), failed + bad + _lost_digits(values)


LOST_DIGITS = "lost_digits"


def _lost_digits(values: pd.Series) -> Bad:
    """A warning (rule ``lost_digits``) for each number cell from Excel of 16 digits or more read as text (an id, a
    reference): Excel keeps 15 significant digits, so the last ones are already zeros or rounded."""
    if all_text(values):
        return []
    return [(row, LOST_DIGITS, f"{display(v)} was a number in Excel with more than 15 digits, and Excel keeps only "
                               "15: its last digits may have been lost (rounded or set to 0); format the column as "
                               "Text in Excel and type the value again")
            for row, v in values.dropna().items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) >= 1e15]


_GROUPED_COMMA = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?%?$")  # 1,234 or 12,345.5
_GROUPED_POINT = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d*)?%?$")  # 1.234 or 12.345,5 (decimal comma)
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?$")


def number_text(cell: str, decimal: str = ".") -> str | None:
    """The text of a number cell in Python's form, or None when it is not a finite number as people write them.

    With ``decimal="."`` a comma is accepted only as a thousands separator in groups of three (``1,234.5``);
    ``1,5`` is refused, since it may be a decimal comma. With ``decimal=","`` the comma is the decimal mark and a
    point separates thousands (``1.234,5``). A trailing ``%`` is allowed (the number is the percentage).
    ``inf``, ``nan`` and numbers too large for a float (``1e309``) are refused.
    """
    text = re.sub(r"\s+%$", "%", cell.strip().replace("\u2212", "-"))
    if decimal == ",":
        if _GROUPED_POINT.match(text):
            text = text.replace(".", "")
        elif "." in text:
            return None
        text = text.replace(",", ".", 1) if text.count(",") == 1 else text
    elif _GROUPED_COMMA.match(text):
        text = text.replace(",", "")
    if not _PLAIN_NUMBER.match(text):
        return None
    text = text.rstrip("%")
    number = float(text)
    if number == 0 and re.search(r"[1-9]", re.split(r"[eE]", text)[0]):
        return None  # 12e-400: too small for a float, it would silently become 0
    return text if np.isfinite(number) else None


#: the rule of the note on a number typed after Excel's text marker, an apostrophe (``'42``)
APOSTROPHE = "apostrophe"


def _marked(value: object) -> str | None:
    """The cell without Excel's leading apostrophe, when it has one. Excel shows ``'42`` as 42 and stores it as
    text; a CSV exported from some spreadsheets (and cells pasted from Excel) keep the apostrophe."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    # Word and phones turn a typed ' into a curly one (U+2019, or U+2018 at the start of a word)
    return text[1:] if text.startswith(("'", "\u2019", "\u2018")) and len(text) > 1 else None


def _numbers(values: pd.Series, decimal: str = ".") -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse numbers with :func:`number_text` (Excel's own numbers pass as they are, if finite; a number after
    Excel's text marker ``'`` is read as the number). Returns (numbers, failed mask, apostrophe mask)."""
    present = values.notna()

    def parse(v: object) -> float | None:
        if isinstance(v, bool):
            return None
        if isinstance(v, (int, float, np.integer, np.floating)):
            return float(v) + 0.0 if np.isfinite(v) else None  # + 0.0: -0 is 0
        text = number_text(display(v), decimal)
        return None if text is None else float(text) + 0.0

    numbers = pd.to_numeric(values.map(parse, na_action="ignore"), errors="coerce")
    unmarked = values[present & numbers.isna()].map(_marked).dropna()
    marked = pd.Series(False, index=values.index)
    if len(unmarked):
        again = pd.to_numeric(unmarked.map(parse), errors="coerce").dropna()
        numbers[again.index] = again
        marked[again.index] = True
    return numbers.astype("Float64"), present & numbers.isna(), marked


def _apostrophe_notes(values: pd.Series, numbers: pd.Series, marked: pd.Series) -> Bad:
    """A note for each cell read as a number after Excel's text marker."""
    return [(row, APOSTROPHE, f"{display(values[row])!r} starts with an apostrophe, Excel's mark for a number "
                              f"stored as text; read as {display(float(numbers[row]))}")
            for row in values.index[marked & numbers.notna()]]


def _not_a_number(value: object, decimal: str) -> str:
    text = display(value)
    if re.fullmatch(r"\s*[+-]?(inf(inity)?|nan)\s*", text, re.IGNORECASE) or re.search(r"\d[eE]\+?\d{3,}", text):
        return f"{text!r} is not a finite number"
    if decimal == "." and re.fullmatch(r"\s*[+-]?\d+,\d+%?\s*", text):
        return (f"{text!r} is not a number: the comma could be a decimal comma or a thousands separator; write "
                f"{text.strip().replace(',', '.')} (or save the file with a decimal point)")
    return f"{text!r} is not a number"


def coerce_number(values: pd.Series, field: Field, decimal: str = ".") -> tuple[pd.Series, Bad]:
    """Cells as floats, as people write numbers (``decimal``: the decimal mark); a problem for each cell that is not.

    A number after Excel's text marker (``'42``, kept by CSVs exported from Excel) is read as the number, with a
    note (rule ``apostrophe``, a warning)."""
    numbers, failed, marked = _numbers(values, decimal)
    bad = [(row, "type", _not_a_number(values[row], decimal)) for row in values.index[failed]]
    return numbers, bad + _apostrophe_notes(values, numbers, marked)


def coerce_integer(values: pd.Series, field: Field, decimal: str = ".") -> tuple[pd.Series, Bad]:
    """Cells as nullable integers; a problem for each cell that is not a whole number (that cell is left blank).
    Excel's apostrophe before a number is read as :func:`coerce_number` reads it."""
    numbers, failed, marked = _numbers(values, decimal)
    fractional = numbers.notna() & (numbers != numbers.round())
    def why(row) -> str:
        message = _not_a_number(values[row], decimal) if failed[row] else ""
        return message if message and not message.endswith("is not a number") else \
            f"{display(values[row])!r} is not a whole number"

    bad = [(row, "type", why(row)) for row in values.index[failed | fractional]]
    numbers[fractional.fillna(False)] = pd.NA
    return numbers.round().astype("Int64"), bad + _apostrophe_notes(values, numbers, marked)


def coerce_boolean(values: pd.Series, field: Field) -> tuple[pd.Series, Bad]:
    """Cells as nullable booleans from the field's true and false values (any case); a problem for any other cell."""
    lookup = {**{v: True for v in field.true_values}, **{v: False for v in field.false_values}}
    text = _text(values).map(lambda v: str(v).lower(), na_action="ignore")
    result = text.map(lookup, na_action="ignore")
    failed = values.notna() & result.isna()
    allowed = "/".join(field.true_values[:1] + field.false_values[:1])
    bad = [(row, "type", f"{display(values[row])!r} is not yes or no ({allowed})") for row in values.index[failed]]
    return result.astype("boolean"), bad


def _excel_serial(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values.map(lambda v: v if isinstance(v, (int, float, str)) else None), errors="coerce")
    low, high = EXCEL_SERIAL_RANGE
    serial = numbers.where((numbers >= low) & (numbers <= high) & (numbers == np.floor(numbers)))
    return EXCEL_EPOCH + pd.to_timedelta(serial, unit="D")


def _parsed(text: pd.Series, fmt: str) -> pd.Series:
    """Dates of ``text`` in format ``fmt`` (nanosecond resolution, as the result column holds them); a year before
    1900 (a year typed short: "1/1/0068") or after 2200 ("31/12/9999" for "not known") is no date."""
    parsed = pd.to_datetime(text, format=fmt, errors="coerce")
    if parsed.dtype == object:  # a year outside pandas' range came back as a plain timestamp
        parsed = pd.to_datetime(parsed.map(lambda t: t if _EARLIEST_YEAR <= getattr(t, "year", 0) <= _LATEST_YEAR
                                           else pd.NaT))
    parsed = parsed.where((parsed.dt.year >= _EARLIEST_YEAR) & (parsed.dt.year <= _LATEST_YEAR))
    return parsed.astype("datetime64[ns]")


def coerce_date(values: pd.Series, field: Field) -> tuple[pd.Series, Bad]:
    """Dates as UK users write them: dd/mm/yyyy, ISO yyyy-mm-dd, Excel date cells and Excel serial numbers
    (days since 1899-12-30, as Excel shows a date cell pasted as a number). US mm/dd/yyyy is not accepted."""
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    native = values.map(lambda v: isinstance(v, (dt.date, dt.datetime)), na_action="ignore").fillna(False).astype(bool)
    if native.any():  # Excel date cells; one in a year outside 1900-2200 (9999 for "not known") is no date
        result[native] = pd.to_datetime(values[native].map(
            lambda v: pd.Timestamp(v).normalize() if _EARLIEST_YEAR <= v.year <= _LATEST_YEAR else pd.NaT)
        ).astype("datetime64[ns]")
    rest = values.notna() & ~native
    serial = _excel_serial(values[rest])
    result[serial.index] = serial
    typed = serial.dropna().index[[isinstance(values[r], str) for r in serial.dropna().index]]
    text = _text(values[rest & result.isna()]).astype("string").str.replace(_TRAILING_MIDNIGHT, "", regex=True)
    for fmt in DATE_FORMATS:
        todo = text.index[result[text.index].isna()]
        if todo.empty:
            break
        result[todo] = _parsed(text[todo], fmt)
    result[result.dt.year < _EARLIEST_YEAR] = pd.NaT  # "1/1/0068": a year typed short, not a date in 68 AD
    failed = values.notna() & result.isna()

    def why(value: object) -> str:
        if _TWO_DIGIT_YEAR.match(display(value).strip()):
            return (f"{display(value)!r} has a two-digit year, which could mean 19.. or 20..; write the year in "
                    "full, e.g. 31/01/2024")
        far = [int(y) for y in _FAR_YEAR.findall(display(value))]
        if any(not _EARLIEST_YEAR <= y <= _LATEST_YEAR for y in far):
            return (f"{display(value)!r} is not a date the analysis can use (the year must be {_EARLIEST_YEAR} to "
                    f"{_LATEST_YEAR}); leave the cell empty when the date is not known")
        return f"{display(value)!r} is not a date; write it as dd/mm/yyyy, e.g. 31/01/2024"

    bad = [(row, "type", why(values[row])) for row in values.index[failed]]
    result, bad = _month_first(values, result, bad)
    # a date serial written as text (a CSV): which date system made it, the file cannot say
    bad += [(row, DATE_SERIAL, (
        f"{display(values[row])!r} was read as an Excel date number in the Windows (1900) date system, "
        f"{result[row]:%d/%m/%Y}; if the file was saved from a Mac workbook using the 1904 date system, the date is "
        "4 years and a day later. Write dates as dd/mm/yyyy")) for row in typed]
    return result.dt.normalize(), bad + _times_of_day(values, native)


TIME_OF_DAY = "time_of_day"
#: the rule of the note on dates read from Excel date numbers written as text (``45180``)
DATE_SERIAL = "date_serial"
AMBIGUOUS_DATE = "ambiguous_date"
#: a date typed as text with the day and month as numbers: 03/04/2024, 3-4-2024, 03.04.2024
_DAY_MONTH = re.compile(r"^\s*(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})\s*$")


def _long_date(day: int, month: int, year: int) -> str:
    return f"{day} {dt.date(2000, month, 1):%B} {year}"


def _month_first(values: pd.Series, result: pd.Series, bad: Bad) -> tuple[pd.Series, Bad]:
    """Dates typed as text in a column that also holds a date only month-first order can read (12/25/2023, as a
    US system exports it): each such date is said to be month first, and every date there whose day and month could
    be swapped (03/04/2024: 3 April or 4 March) is refused as ambiguous instead of read the UK way. Without a
    month-first date in the column, dd/mm/yyyy is read as written."""
    parts = values.map(lambda v: _DAY_MONTH.match(v) if isinstance(v, str) else None, na_action="ignore").dropna()
    us = {row: m for row, m in parts.items()
          if int(m.group(1)) <= 12 < int(m.group(3)) <= 31 and pd.isna(result[row])}
    if not us:
        return result, bad
    example = next(iter(us.values())).group(0).strip()
    def month_first(m: re.Match) -> str:
        meant = _long_date(int(m.group(3)), int(m.group(1)), int(m.group(4)))
        return f" (it looks written month first, US style: {meant}?); write dates as dd/mm/yyyy or yyyy-mm-dd"

    bad = [(row, rule, message + (month_first(us[row]) if row in us else "")) for row, rule, message in bad]
    result = result.copy()
    for row, m in parts.items():
        first, second, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
        if row in us or first == second or first > 12 or second > 12 or pd.isna(result[row]):
            continue
        result[row] = pd.NaT
        bad.append((row, AMBIGUOUS_DATE,
                    f"{m.group(0).strip()!r} could be {_long_date(first, second, year)} or "
                    f"{_long_date(second, first, year)}: this column also has dates written month first (e.g. "
                    f"{example!r}), so the order of day and month is not known; write dates as dd/mm/yyyy or "
                    "yyyy-mm-dd throughout"))
    return result, bad


def _times_of_day(values: pd.Series, native: pd.Series) -> Bad:
    """One warning (rule ``time_of_day``, on the first such row) when Excel date cells hold a time of day other
    than midnight: the field holds days, so the day is kept and the time dropped, and said, with how many cells
    held a time (as the SPSS and Stata reader says it for a whole column)."""
    timed = values[native].map(lambda v: isinstance(v, dt.datetime) and v.time() != dt.time(0))
    rows = timed.index[timed.astype(bool)]
    if rows.empty:
        return []
    first = values[rows[0]]
    return [(rows[0], TIME_OF_DAY, f"{len(rows)} of {int(native.sum())} date cells of this column hold a time of "
                                   f"day (e.g. {first:%d/%m/%Y %H:%M} here); the field holds dates, so the day was "
                                   f"kept and the time dropped")]


def coerce_list(values: pd.Series, field: Field) -> tuple[pd.Series, Bad]:
    """Cells split on the field's delimiter into tuples of trimmed, non-empty parts; never a problem."""
    def split(cell: str) -> tuple[str, ...]:
        return tuple(part.strip() for part in cell.split(field.delimiter) if part.strip())

    text, failed = excel_errors(_text(values))
    text, bad = check_characters(text, field)
    return text.map(split, na_action="ignore").astype(object), failed + bad


COERCERS: dict[str, Callable[[pd.Series, Field], tuple[pd.Series, Bad]]] = {
    "string": coerce_string,
    "number": coerce_number,
    "integer": coerce_integer,
    "boolean": coerce_boolean,
    "date": coerce_date,
    "list": coerce_list,
}


def mark_missing(values: pd.Series, missing_values: tuple[str, ...]) -> pd.Series:
    """Replace blanks and the schema's missing-value markers (any case, surrounding spaces) with None."""
    markers = {m.strip().lower() for m in missing_values} | {""}

    def is_missing(v: object) -> bool:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return True
        return isinstance(v, str) and v.strip().lower() in markers

    if all_text(values) and len(values):
        text = values.astype(object)
        missing = text.isna() | text.str.strip().str.lower().isin(markers).fillna(False).astype(bool)
        return text.mask(missing.astype(bool), None).astype(object)
    return values.mask(values.map(is_missing).astype(bool), None).astype(object)


def all_text(values: pd.Series) -> bool:
    """Whether every present cell is a string (as read from CSV), so equal cells are equal values; cells from
    Excel may mix 1, 1.0 and True, which compare equal but are not read alike."""
    if isinstance(values.dtype, pd.StringDtype) or str(values.dtype).startswith("string"):
        return True
    return values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty")


def by_value(values: pd.Series, convert: Callable[[pd.Series], tuple[pd.Series, list]]) -> tuple[pd.Series, list]:
    """``convert`` (a function of a Series of cells returning (results, [(row, ...), ...]) whose result for a cell
    depends on that cell alone) applied to each distinct cell once and spread back over the rows.

    A national extract repeats the same few values millions of times (measures, timepoints, dates, scores), so
    this turns millions of Python calls into thousands. The result is the one ``convert`` gives on ``values``
    itself: same values, same dtype, and the same problems, for every row holding the value, in row order."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = pd.Series(np.append(np.asarray(uniques, dtype=object), None), dtype=object)
    codes = np.where(codes < 0, len(distinct) - 1, codes)
    results, problems = convert(distinct)
    out = pd.Series(results.array.take(codes), index=values.index, name=values.name)
    if not problems:
        return out, []
    found: dict[int, list] = {}
    for problem in problems:
        found.setdefault(problem[0], []).append(problem[1:])
    flagged = np.zeros(len(distinct), dtype=bool)
    flagged[list(found)] = True
    hit = flagged[codes]
    spread = [(row, *rest) for row, code in zip(values.index[hit], codes[hit]) for rest in found[code]]
    return out, spread


#: the ASCII characters Python's ``str.strip()`` removes (pyarrow's own whitespace set lacks \x1c-\x1f)
ASCII_SPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"


def arrow_text(values: pd.Series):
    """The Arrow array (``pyarrow.ChunkedArray``) of text behind ``values``, or None when they are not
    Arrow-backed text (as the columnar reader and Parquet give cells; the row-by-row reader gives objects)."""
    import pyarrow as pa

    array = getattr(values.array, "_pa_array", None)
    if array is None or not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        return None
    return array


def ascii_rows(array) -> np.ndarray:
    """Positions of the cells of an Arrow text array that hold a character beyond ASCII (missing cells excluded):
    the few cells whose handling by pyarrow and by Python could differ, which are left to Python."""
    import pyarrow.compute as pc

    return np.flatnonzero(~pc.fill_null(pc.string_is_ascii(array), True).to_numpy(zero_copy_only=False))


def coerce_text_arrow(values: pd.Series, field: Field, missing_values: tuple[str, ...]) -> tuple[pd.Series, Bad]:
    """:func:`coerce_string` after :func:`mark_missing`, as column operations on Arrow text: surrounding spaces
    trimmed, blanks and missing-value markers (any case) made missing. Every ASCII cell is handled by pyarrow,
    whose trimming and lower-casing of ASCII are Python's; cells with other characters go through the Python
    path (:func:`_coerce_cells`), so the result is the same cell for cell. Problems are those of
    :func:`check_characters`."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = values.array._pa_array
    if array.type != pa.large_string():
        array = array.cast(pa.large_string())
    trimmed = pc.ascii_trim(array, ASCII_SPACE)
    if pc.sum(pc.binary_length(trimmed)).as_py() == pc.sum(pc.binary_length(array)).as_py():
        trimmed = array  # nothing to trim: keep the cells' own buffers, not a copy
    markers = pa.array(sorted({m.strip().lower() for m in missing_values} | {""}), pa.large_string())
    missing = pc.or_kleene(pc.is_in(pc.ascii_lower(trimmed), value_set=markers), pc.is_null(trimmed))
    if pc.any(missing).as_py():
        trimmed = pc.if_else(missing, pa.scalar(None, pa.large_string()), trimmed)
    errors = pc.is_in(pc.ascii_upper(trimmed), value_set=pa.array(sorted(_EXCEL_ERRORS), pa.large_string()))
    failed: Bad = []
    if pc.any(errors).as_py():  # Excel's error values, as :func:`excel_errors` finds them
        where = np.flatnonzero(pc.fill_null(errors, False).to_numpy(zero_copy_only=False))
        failed = excel_errors(pd.Series(trimmed.take(pa.array(where)).to_pylist(), index=values.index[where]))[1]
        trimmed = pc.if_else(errors, pa.scalar(None, pa.large_string()), trimmed)
    typed = pd.Series(pd.arrays.ArrowStringArray(trimmed), index=values.index, name=values.name)
    # cells beyond ASCII, and ASCII cells holding a control character (NUL...) or a tab or line break, are checked
    # by Python (pyarrow's ascii_is_printable is false for each of them)
    other = np.flatnonzero(~pc.fill_null(pc.ascii_is_printable(array), True).to_numpy(zero_copy_only=False))
    bad: Bad = []
    if len(other):
        rest, bad = by_value(values.iloc[other], lambda cells: _coerce_cells(cells, field, missing_values, "."))
        typed.iloc[other] = rest.to_numpy(dtype=object, na_value=None)
    return typed, failed + bad


def coerce_column(values: pd.Series, field: Field, missing_values: tuple[str, ...],
                  decimal: str = ".") -> tuple[pd.Series, Bad]:
    """Mark missing cells, then convert the rest to the field's type; numbers written as text use ``decimal``
    as their decimal mark (see :func:`number_text`). Arrow-backed text for a text field is converted as column
    operations (:func:`coerce_text_arrow`); other cells that are all text are converted once per distinct
    value (:func:`by_value`)."""
    if field.type == "string" and arrow_text(values) is not None:
        return coerce_text_arrow(values, field, missing_values)
    if all_text(values):
        return by_value(values, lambda cells: _coerce_cells(cells, field, missing_values, decimal))
    return _coerce_cells(values, field, missing_values, decimal)


def _coerce_cells(values: pd.Series, field: Field, missing_values: tuple[str, ...], decimal: str) -> tuple[pd.Series, Bad]:
    values = mark_missing(values, missing_values)
    if field.type in ("number", "integer"):
        return COERCERS[field.type](values, field, decimal)
    return COERCERS[field.type](values, field)
