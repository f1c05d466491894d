"""Every docstring example in the package runs, and gives what it shows (the examples are documentation a reader
copies: one that fails misleads)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import cm_research


MODULES = sorted(m.name for m in pkgutil.walk_packages(cm_research.__path__, "cm_research."))
WITH_EXAMPLES = [name for name in MODULES
                 if ">>>" in (importlib.util.find_spec(name).loader.get_source(name) or "")]


def test_the_examples_are_found():
    assert len(WITH_EXAMPLES) >= 20  # 28 modules had examples when this test was written


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed (run "\
                               f"`python -m doctest -v {module.__file__}` to see them)"
