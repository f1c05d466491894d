"""Tables for the reproduction notebooks: published figures beside ours, with the tolerance and its reason.

Two kinds of notebook use them (see ``notebooks/reproductions/README`` in the project README):

* **reproduced from data** — the published analysis is re-run on the published data and each published figure is
  compared with ours, within a stated tolerance (usually half a unit in the last published decimal, because the
  publication rounds);
* **re-derived from published figures** — arithmetic on published aggregates. The published figures are *inputs*
  there, so they are listed as inputs (:func:`published_inputs`) and never compared with themselves.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pandas as pd

from cm_research.report.wording import format_p as _format_p

__all__ = ["compare_with_published", "published_inputs", "format_p", "collect_warnings"]

COMPARISON_COLUMNS = ["figure", "published", "ours", "ours_rounded", "difference", "tolerance", "agrees", "reason"]


def compare_with_published(rows: Sequence[dict]) -> pd.DataFrame:
    """Published figures and ours side by side.

    Each row gives `figure`, `published` (as printed), `ours` (unrounded), `decimals` (the published precision)
    and `reason` (why the tolerance is what it is, or why the figures differ); optionally `tolerance`
    (absolute; default half a unit in the last published decimal, i.e. agreement after rounding).

    Returns a DataFrame with `figure`, `published`, `ours`, `ours_rounded` (to the published decimals),
    `difference` (ours − published, unrounded), `tolerance`, `agrees` (|difference| ≤ tolerance) and `reason`.

    Example
    -------
    >>> t = compare_with_published([{"figure": "mean", "published": 0.17, "ours": 0.1656, "decimals": 2,
    ...                              "reason": "published to 2 decimals"}])
    >>> bool(t.loc[0, "agrees"]), float(t.loc[0, "tolerance"])
    (True, 0.005)
    """
    out = []
    for row in rows:
        missing = [k for k in ("figure", "published", "ours", "decimals", "reason") if k not in row]
        if missing:
            raise ValueError(f"compare_with_published: row {row.get('figure', row)!r} has no {', '.join(missing)}.")
        decimals = int(row["decimals"])
        tolerance = float(row.get("tolerance", 0.5 * 10 ** (-decimals)))
        ours, published = float(row["ours"]), float(row["published"])
        difference = ours - published
        out.append({"figure": row["figure"], "published": published, "ours": ours,
                    "ours_rounded": round(ours, decimals), "difference": difference, "tolerance": tolerance,
                    # a hair of slack so that a value exactly on the rounding boundary is not failed by float error
                    "agrees": bool(abs(difference) <= tolerance * (1 + 1e-9)), "reason": row["reason"]})
    return pd.DataFrame(out, columns=COMPARISON_COLUMNS)


def published_inputs(rows: Sequence[dict]) -> pd.DataFrame:
    """The published figures a re-derivation starts from: `figure`, `value`, `source` (where it is printed).

    They are inputs, so there is no "ours" column: a re-derivation cannot check them.
    """
    return pd.DataFrame([{"figure": r["figure"], "value": r["value"], "source": r["source"]} for r in rows],
                        columns=["figure", "value", "source"])


def format_p(p: float) -> str:
    """A p-value for a table or sentence: "< 0.001" below 0.001 (never "0"), else three decimals; "" when missing
    (:func:`cm_research.report.wording.format_p`)."""
    return _format_p(p)


@contextmanager
def collect_warnings() -> Iterator[list[str]]:
    """Collect the warnings raised inside the block as plain messages (no file paths), to show as prose.

    >>> with collect_warnings() as messages:
    ...     warnings.warn("balance is poor")
    >>> messages
    ['balance is poor']
    """
    messages: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield messages
    for w in caught:
        text = str(w.message)
        if text not in messages:
            messages.append(text)
