"""Pseudonymous ids: UPNs, names or local ids replaced by a keyed hash, the same for the same child everywhere.

pseudonym = prefix + the first ``length`` characters of base32 (Crockford's alphabet, no I, L, O or U) of
HMAC-SHA256(key, normalised value), where the value is normalised by trimming, collapsing inner white space and
case-folding (and, for a UPN, removing spaces and hyphens). HMAC (RFC 2104) with a secret key means nobody
without the key can check a guessed UPN or name against a pseudonym, which a plain hash would allow.
With the default 10 characters (50 bits) two of 100,000 children share a pseudonym with probability about
n²/2⁵¹ ≈ 4·10⁻⁶; a collision inside one call is detected and refused.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from cm_research.errors import PROBLEM_COLUMNS
from cm_research.privacy.errors import InvalidUPNError, PseudonymCollisionError
from cm_research.privacy.keys import Key, load_key
from cm_research.privacy.upn import mask_upn, normalise_upn, upn_problem
from cm_research.contract import write_records

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DEFAULT_PREFIX = "P-"
DEFAULT_LENGTH = 10


def is_upn_column(name: str) -> bool:
    """Columns treated as UPNs unless told otherwise: names such as ``upn``, ``former_upn``, ``Unique Pupil Number``."""
    label = re.sub(r"[\s\-/]+", "_", str(name).strip().lower())
    return bool(re.search(r"(^|_)upn($|_)", label)) or "unique_pupil_number" in label


def _normalise(value: object, upn: bool) -> str:
    if upn:
        return normalise_upn(value)
    return re.sub(r"\s+", " ", str(value)).strip().casefold()


def pseudonym(value: object, key: Key, *, upn: bool = False, prefix: str = DEFAULT_PREFIX,
              length: int = DEFAULT_LENGTH) -> str:
    """The pseudonym of one value (see the module docstring for the formula)."""
    if not 6 <= length <= 51:
        raise ValueError(f"length must be between 6 and 51 characters, got {length}")
    digest = hmac.new(key.secret, _normalise(value, upn).encode("utf-8"), hashlib.sha256).digest()
    number = int.from_bytes(digest, "big")
    chars = [CROCKFORD[(number >> (256 - 5 * (i + 1))) & 31] for i in range(length)]
    return prefix + "".join(chars)


def _row_numbers(df: pd.DataFrame) -> list[object]:
    if df.index.name == "row":  # tables from cm_research.data carry the row number a person sees in Excel
        return list(df.index)
    return [i + 2 for i in range(len(df))]  # a file whose header is row 1


def validate_upns(df: pd.DataFrame, columns: Sequence[str], file: str = "") -> pd.DataFrame:
    """Problems with the UPNs in ``columns``: a tidy table file, row, column, value (masked), rule, message, severity.

    Empty cells are not checked (a missing UPN is a missing value, not a wrong one).
    """
    rows = _row_numbers(df)
    records = []
    for column in columns:
        for row, value in zip(rows, df[column]):
            if pd.isna(value) or not str(value).strip():
                continue
            found = upn_problem(value)
            if found:
                rule, message = found
                records.append({"file": file, "row": row, "column": column, "value": mask_upn(value),
                                "rule": rule, "message": message, "severity": "error"})
    return pd.DataFrame(records, columns=PROBLEM_COLUMNS)


def _describe(problems: pd.DataFrame, limit: int = 10) -> str:
    lines = [f"{p.file or 'table'}, row {p.row}, column `{p.column}`: {p.message}"
             for p in problems.head(limit).itertuples()]
    more = len(problems) - limit
    return "\n".join(lines + ([f"... and {more} more"] if more > 0 else []))


def pseudonymise(df: pd.DataFrame, columns: Sequence[str] | str, key: Key | str | Path | None = None, *,
                 upn_columns: Sequence[str] | None = None, file: str = "", prefix: str = DEFAULT_PREFIX,
                 length: int = DEFAULT_LENGTH) -> pd.DataFrame:
    """A copy of ``df`` with each value of ``columns`` replaced by its keyed pseudonym.

    Parameters
    ----------
    df : the table; rows are reported by its index when it is named ``row`` (tables from ``cm_research.data``),
        else as rows of a file whose header is row 1.
    columns : the identifier columns to replace (UPNs, names, local ids). Empty cells stay empty.
    key : a ``Key``, or the path of a key file; None looks for one as ``load_key`` does (environment
        variable ``CM_RESEARCH_KEY``, ``CM_RESEARCH_KEY_FILE``, or the default key file) and refuses, saying how
        to make one, when there is none. Never pass the key itself as text.
    upn_columns : columns validated as UPNs before hashing; default: those of ``columns`` named like a UPN.
    file : the file name used in problem messages.
    prefix, length : the pseudonym's form, e.g. ``P-7K3M9Q2XTB``.

    Returns
    -------
    DataFrame
        The same table with pseudonyms in ``columns``; ``attrs["pseudonymised"]`` records the columns and the
        key's fingerprint (never the key).

    Raises
    ------
    MissingKeyError : no key was found.
    InvalidUPNError : a UPN has the wrong length, format or check letter; ``problems`` lists file, row and column.
    PseudonymCollisionError : two different values got the same pseudonym (raise ``length``).
    """
    columns = [columns] if isinstance(columns, str) else list(columns)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(f"{file or 'table'}: no column {', '.join(map(repr, missing))}; "
                       f"the columns are {', '.join(map(str, df.columns))}")
    if key is None or isinstance(key, (str, Path)):
        if isinstance(key, str) and re.fullmatch(r"[0-9a-fA-F]{32,}", key.strip()) and not Path(key).exists():
            raise TypeError("pass the path of a key file (or set CM_RESEARCH_KEY), never the key itself in code")
        key = load_key(key)
    upn_columns = [c for c in columns if is_upn_column(c)] if upn_columns is None else list(upn_columns)
    problems = validate_upns(df, upn_columns, file)
    if not problems.empty:
        raise InvalidUPNError(f"{len(problems)} invalid UPN{'s' if len(problems) > 1 else ''}; nothing was "
                              f"pseudonymised:\n{_describe(problems)}", problems)
    out = df.copy()
    seen: dict[str, str] = {}
    for column in columns:
        upn = column in upn_columns
        mapped = {}
        for value in out[column].dropna().unique():
            if not str(value).strip():
                continue
            made = pseudonym(value, key, upn=upn, prefix=prefix, length=length)
            normalised = _normalise(value, upn)
            if seen.setdefault(made, normalised) != normalised:
                raise PseudonymCollisionError(f"two different values of `{column}` got the pseudonym {made}; "
                                              f"use a longer pseudonym (length > {length})")
            mapped[value] = made
        out[column] = out[column].map(lambda v, m=mapped: m.get(v, v) if not pd.isna(v) else v)
    out.attrs["pseudonymised"] = {"columns": columns, "key_fingerprint": key.fingerprint, "method": "HMAC-SHA256"}
    return out


def pseudonymise_file(path: str | Path, columns: Sequence[str] | str, output: str | Path,
                      key: Key | str | Path | None = None, **options) -> Path:
    """Read a CSV or Excel file, pseudonymise ``columns`` (see ``pseudonymise``) and write ``output`` as CSV.

    Rows in error messages are the rows a person sees in Excel (the header is row 1).
    """
    from cm_research.data.reading import read_raw

    raw = read_raw(path)
    out = pseudonymise(raw.cells, columns, key, file=raw.file, **options)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    write_records(out, output)
    return output
