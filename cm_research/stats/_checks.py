"""Deprecated location of the table contract: use :mod:`cm_research.contract` (kept for one release)."""

from cm_research.contract import (  # noqa: F401
    LEADING, STANDARD, InsufficientDataError, as_numeric, ci_quantile, join_notes, require_columns, split_two_groups,
    tidy,
)
