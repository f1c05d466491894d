"""Deprecated location of the bootstrap helpers: use :mod:`cm_research.resampling` (kept for one release)."""

from cm_research.resampling import bootstrap_interval, order_statistic_quantile, resample_indices  # noqa: F401
