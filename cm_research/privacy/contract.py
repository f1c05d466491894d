"""The disclosure contract: what a run for publication may write is a :class:`SuppressedTable`, and nothing else.

Statistical disclosure control (SDC) as UK official statistics practise it -- the ONS *Disclosure Control Policy
for Tables*, NHS Digital's *Disclosure control method for publications* and the DfE's rule for children looked
after ("numbers from 1 to 5 inclusive have been suppressed") -- applies to *everything* released from one set of
records: tables, the data behind a figure, the labels on a figure and the counts quoted in a sentence. This module
makes that a type rather than a habit:

- :class:`SuppressedTable` is a DataFrame that only the suppression step makes
  (:func:`cm_research.privacy.suppression.suppress_counts`, :func:`~cm_research.privacy.suppression.certify`,
  :class:`~cm_research.privacy.joint.JointSuppression`). Its status is its *type*, not ``DataFrame.attrs``:
  anything derived from it -- ``merge``, ``concat``, ``assign``, ``drop``, a slice, a ``copy`` -- is a plain
  DataFrame again, on purpose (its ``_constructor`` is ``pd.DataFrame``), because a derived table is a new
  release and has to go through the step again.
- :func:`write_table` writes a published CSV and raises :class:`DisclosureContractError` for anything that is
  not a :class:`SuppressedTable` when the run is for publication. Internal runs (``publication=False``) may
  write any table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from cm_research.privacy.errors import PrivacyError

_TOKEN = object()  # held by the suppression step only: SuppressedTable(..., _token=_TOKEN)


class DisclosureContractError(PrivacyError):
    """Something that did not go through small-number suppression was about to be published."""


class SuppressedTable(pd.DataFrame):
    """A table that went through the suppression step (see the module docstring); show it like any DataFrame.

    ``disclosure`` holds how it was protected: ``suppression`` ("on"/"off"/"certified"), ``threshold``,
    ``n_primary``, ``n_secondary``, ``note``, ``count_columns``. Only the suppression step can make one; every
    operation on it returns a plain DataFrame.
    """

    _metadata = ["disclosure"]

    def __init__(self, *args: Any, _token: object = None, disclosure: dict | None = None, **kwargs: Any) -> None:
        if _token is not _TOKEN:
            raise DisclosureContractError(
                "a SuppressedTable is made only by the suppression step (suppress_counts, certify or "
                "JointSuppression); it cannot be constructed directly")
        super().__init__(*args, **kwargs)
        self.disclosure = dict(disclosure or {})
        self.attrs["disclosure_control"] = self.disclosure  # for code that still reads attrs (suppression_note)

    @property
    def _constructor(self):  # derived tables are plain DataFrames: a derived table is a new release
        return pd.DataFrame

    @property
    def publishable(self) -> bool:
        """True unless suppression was switched off for this table."""
        return self.disclosure.get("suppression") != "off"

    def to_frame(self) -> pd.DataFrame:
        """A plain DataFrame copy (for computing with; it is no longer publishable)."""
        return pd.DataFrame(self).copy()


def make_suppressed(frame: pd.DataFrame, disclosure: dict) -> SuppressedTable:
    """For the suppression step only: wrap an already suppressed ``frame``."""
    table = SuppressedTable(frame, _token=_TOKEN, disclosure=disclosure)
    for key, value in frame.attrs.items():  # e.g. an agreement table's coder names
        table.attrs.setdefault(key, value)
    return table


def require_suppressed(table: object, what: str, publication: bool = True) -> None:
    """Raise DisclosureContractError unless ``table`` is a publishable :class:`SuppressedTable` (or the run is
    internal)."""
    if not publication:
        return
    if not isinstance(table, SuppressedTable):
        kind = type(table).__name__
        raise DisclosureContractError(
            f"{what}: a run for publication writes only tables that went through small-number suppression "
            f"(a SuppressedTable), and this is a {kind}. Pass it through suppress_counts() or certify() first; a "
            "table derived from a suppressed one (merged, concatenated, edited) must go through it again.")
    if not table.publishable:
        raise DisclosureContractError(f"{what}: small-number suppression was switched off for this table; it "
                                      "cannot be written into a run for publication")


#: beside published CSVs: ``.disclosure/<file>.json`` says which columns count people, for the audit
SIDECAR_FOLDER = ".disclosure"


def sidecar_path(csv_path: str | Path) -> Path:
    """Where the disclosure record of a published CSV is kept."""
    csv_path = Path(csv_path)
    return csv_path.parent / SIDECAR_FOLDER / f"{csv_path.name}.json"


def write_table(table: pd.DataFrame, path: str | Path, *, publication: bool = True) -> Path:
    """Write ``table`` as a CSV at ``path``; in a run for publication only a :class:`SuppressedTable`.

    A SuppressedTable's record (which columns count people, the threshold, how it was protected) is written
    to :func:`sidecar_path`, so the whole-run audit (:mod:`cm_research.privacy.audit`) checks exactly those
    columns."""
    import json

    path = Path(path)
    require_suppressed(table, path.name, publication)
    from cm_research.data.writing import write_csv  # formula-safe text cells (a cell cannot run in Excel)

    write_csv(pd.DataFrame(table), path, lineterminator="\n")
    if isinstance(table, SuppressedTable):
        record = sidecar_path(path)
        record.parent.mkdir(exist_ok=True)
        keep = {k: table.disclosure.get(k) for k in ("suppression", "threshold", "count_columns", "not_people", "jointly_with")}
        record.write_text(json.dumps(keep, indent=1, default=str) + "\n", encoding="utf-8")
    return path
