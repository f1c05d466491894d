"""Tests of cm_research.stats and cm_research.plots.outcomes (a package, so its conftest does not clash with tests/conftest.py)."""
