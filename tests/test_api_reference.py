"""The public API reference (docs/api.md) is what the docstrings say, and the public API keeps one naming convention
(CONTRIBUTING.md, "Naming")."""

from __future__ import annotations

import importlib.util
import inspect
from pathlib import Path

import pytest

from cm_research import measures, mentors, stats, surveys

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _generator():
    spec = importlib.util.spec_from_file_location("make_api_reference", DOCS / "make_api_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_api_reference_is_current():
    expected = _generator().render()
    assert (DOCS / "api.md").read_text(encoding="utf-8") == expected, \
        "docs/api.md is out of date: run `make api` (python docs/make_api_reference.py) and commit it"


#: parameter names the convention replaced (the old name → the convention's)
DRIFTED = {"conf_level": "confidence", "ci_level": "ci_confidence", "group_value": "treated", "id": "subject",
           "mentee_id": "subject", "response": "dv", "outcome": "dv", "std_err": "se"}
#: the two periods of compare_proportions_two_periods are not timepoints of the same young people
BEFORE_AFTER_ALLOWED = {"compare_proportions_two_periods"}
#: drift not yet renamed (the mentor pairing's `mentee_id` is both a column name and the id of its output table);
#: a rename removes its line here, and a new drift fails the test
KNOWN_DRIFT = {
    "cm_research.mentors.propose_pairings": {"mentee_id"},
}


def _public_functions():
    for package in (stats, measures, mentors, surveys):
        for name in package.__all__:
            obj = getattr(package, name)
            if inspect.isfunction(obj):
                yield f"{package.__name__}.{name}", obj


@pytest.mark.parametrize("name, function", list(_public_functions()), ids=lambda v: v if isinstance(v, str) else "")
def test_public_arguments_follow_the_naming_convention(name, function):
    params = set(inspect.signature(function).parameters)
    drifted = params & set(DRIFTED)
    if function.__name__ not in BEFORE_AFTER_ALLOWED and "within" in params:
        drifted |= params & {"before", "after"}  # timepoints are `baseline` and `post`
    assert drifted == KNOWN_DRIFT.get(name, set()), (
        f"{name}: rename {sorted(drifted)} to the convention (keep the old names with "
        "deprecation.renamed_arguments), or take it out of KNOWN_DRIFT if it was renamed")
