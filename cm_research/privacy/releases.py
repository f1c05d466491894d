"""Two releases of the same project: a count that changed by 1 to 5 describes the children who changed it.

Suppression protects one release. A project that publishes again -- a quarterly re-run with a few more children,
the same batch with one site left out, a corrected data set -- publishes every count a second time, and the
difference between the two is a table of its own (ONS, *Disclosure Control Policy for Tables*: disclosure by
differencing between releases; the GSS and DfE protect a series of releases together, not each on its own).
Westbury re-run with one more mentored child: "2023/24, mentored" goes from 10 to 11, "KS3" from 12 to 13 and
"anxiety mental health" from 6 to 7 -- each 6 or more, each published, and together they say the new child is
in Key Stage 3, started in 2023/24 and was referred for anxiety; if the child was suspended, the suspensions go
up too.

What the tool can check, because it sees both releases: :func:`release_findings` lines up each published CSV of
a run with the file of the same path in an earlier run, its rows by their label columns (text that is not a
number: ``group``, ``cohort``, ``measure``, ``site``...) and its counts of people by column, and reports each
count shown in both whose difference is from 1 to the threshold (finding kind ``release_difference``). It
cannot say which releases a reader holds; the user names the earlier runs (``cm-research check-disclosure RUN
--earlier OLD_RUN``, :func:`cm_research.privacy.audit.audit_run`'s ``earlier``). The remedy is a decision, not
a computation: publish the new release only when every group changed by 0 or 6 or more, publish counts rounded
or banded in both, or withdraw the earlier one. The same check compares a run of all sites with a run of all but
one: the all-sites tables then differ by the one site's counts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pandas as pd

from cm_research.privacy.suppression import DEFAULT_THRESHOLD, SUPPRESSED


def _read(path: Path) -> pd.DataFrame | None:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError):
        return None


def _count(value: str) -> int | None:
    value = value.strip()
    if value in ("", SUPPRESSED):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return int(number) if number == int(number) and number >= 0 else None


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def count_columns(path: Path, table: pd.DataFrame, people: re.Pattern[str]) -> list[str]:
    """The columns of ``table`` holding counts of people: those the suppression step declared
    (``.disclosure/<file>.json``) and those named like one (``people``, the audit's
    :data:`cm_research.privacy.audit.PEOPLE_COUNT`), less those the record says are not people."""
    from cm_research.privacy.contract import sidecar_path

    declared: set[str] = set()
    not_people: set[str] = set()
    record = sidecar_path(path)
    if record.is_file():
        try:
            found = json.loads(record.read_text(encoding="utf-8"))
            declared, not_people = set(found.get("count_columns") or []), set(found.get("not_people") or [])
        except (ValueError, OSError):
            pass
    return [c for c in table.columns
            if (c in declared or people.match(str(c).strip())) and c not in not_people]


def label_columns(table: pd.DataFrame) -> list[str]:
    """Columns that name a row: every value is text that is not a number (blank allowed)."""
    return [c for c in table.columns
            if table[c].str.strip().ne("").any()
            and not any(_is_number(v) or v.strip() == SUPPRESSED for v in table[c] if v.strip())]


def compare_tables(new: pd.DataFrame, old: pd.DataFrame, columns: list[str], threshold: int = DEFAULT_THRESHOLD
                   ) -> Iterator[tuple[int, str, str, int, int]]:
    """(line in ``new``, row label, column, new count, old count) for each count shown in both tables whose
    difference is from 1 to ``threshold``. Rows are matched by their label columns (a row whose label is not
    unique in either table is left out: it cannot be matched)."""
    labels = [c for c in label_columns(new) if c in old.columns]
    if not labels:
        return
    old_keys = old[labels].apply(lambda r: tuple(v.strip() for v in r), axis=1)
    new_keys = new[labels].apply(lambda r: tuple(v.strip() for v in r), axis=1)
    old_rows = {k: i for i, k in old_keys.items() if (old_keys == k).sum() == 1}
    for i, key in new_keys.items():
        if i not in new.index or (new_keys == key).sum() != 1 or key not in old_rows:
            continue
        for column in columns:
            if column not in old.columns:
                continue
            a, b = _count(new.at[i, column]), _count(old.at[old_rows[key], column])
            if a is not None and b is not None and 1 <= abs(a - b) <= threshold:
                label = ", ".join(v for v in key if v)
                yield int(i) + 2, label, column, a, b


def release_findings(run_dir: str | Path, earlier: Iterable[str | Path], people: re.Pattern[str],
                     threshold: int = DEFAULT_THRESHOLD, skip: Callable[[Path], bool] | None = None
                     ) -> Iterator[tuple[str, str, str, str]]:
    """``release_difference`` findings (module docstring): counts of people (columns declared so, or named
    like ``people``) in ``run_dir``'s published CSVs that differ by 1 to ``threshold`` from the same count in an
    ``earlier`` run. Yields (file, location, kind, text) as :func:`cm_research.privacy.audit.audit_run` does."""
    run_dir = Path(run_dir)
    skip = skip or (lambda path: False)
    for other in map(Path, earlier):
        for path in sorted(run_dir.rglob("*.csv")):
            rel = path.relative_to(run_dir)
            if skip(path) or ".disclosure" in rel.parts:
                continue
            twin = other / rel
            if not twin.is_file():
                continue
            new, old = _read(path), _read(twin)
            if new is None or old is None:
                continue
            for line, label, column, a, b in compare_tables(new, old, count_columns(path, new, people), threshold):
                yield (rel.as_posix(), f"line {line}, column `{column}`", "release_difference",
                       f"{label}: {a} here, {b} in {other.name}/{rel.as_posix()}: the {abs(a - b)} young "
                       f"{'person' if abs(a - b) == 1 else 'people'} between the two releases are described by "
                       "this row")
