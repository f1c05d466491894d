"""Published study-level data bundled for the reproduction notebooks (not synthetic).

Each is one small CSV, ``data/<name>/<name>.csv``, with a ``SOURCE.md`` beside it giving the citation and what
every column means, and a row in ``datasets.csv`` with ``synthetic`` False. Study-level results of published
research (effect sizes, variances, sample sizes, study features) are facts; none is personal data.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["load_published", "published_source"]


def _folder(name: str):
    from cm_research.datasets import dataset_path, list_datasets

    index = list_datasets().set_index("name")
    if name in index.index and bool(index.loc[name, "synthetic"]):
        raise KeyError(f"{name!r} is a synthetic dataset; load it with load_dataset({name!r}).")
    return dataset_path(name)


def load_published(name: str) -> pd.DataFrame:
    """The table of a bundled published dataset, numbers as numbers; blank cells (not reported) are NaN.

    The citation is in ``frame.attrs["source"]`` (the dataset's SOURCE.md).

    Example
    -------
    >>> d = load_published("teacher_expectancy")
    >>> len(d), list(d.columns[-2:])
    (19, ['smd', 'variance'])
    """
    folder = _folder(name)
    frame = pd.read_csv(folder / f"{name}.csv")
    frame.attrs["source"] = published_source(name)
    return frame


def published_source(name: str) -> str:
    """The SOURCE.md text of a bundled published dataset: citation, provenance and column meanings."""
    return (_folder(name) / "SOURCE.md").read_text(encoding="utf-8")
