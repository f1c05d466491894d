"""The one problems-table schema and the one error class that carries it."""

from __future__ import annotations

import pandas as pd
import pytest

import cm_research.interop.errors  # noqa: F401  (every ProblemsError subclass is imported before it is listed)
import cm_research.measures.errors  # noqa: F401
import cm_research.privacy.errors  # noqa: F401
import cm_research.qual.errors  # noqa: F401
import cm_research.surveys.errors  # noqa: F401
from cm_research.errors import (CELL_PROBLEM_COLUMNS, KEY_PROBLEM_COLUMNS, LINE_PROBLEM_COLUMNS, PROBLEM_COLUMNS,
                                PROBLEM_SCHEMA, ProblemsError, problem_location, problems_table)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_layout_is_the_schema_in_its_order():
    for layout in (PROBLEM_COLUMNS, CELL_PROBLEM_COLUMNS, LINE_PROBLEM_COLUMNS, KEY_PROBLEM_COLUMNS):
        assert list(layout) == [c for c in PROBLEM_SCHEMA if c in layout]


def test_every_error_with_problems_uses_the_schema_and_starts_with_an_empty_table():
    kinds = list(_subclasses(ProblemsError))
    names = {k.__name__ for k in kinds}
    assert {"DataValidationError", "ItemResponseError", "CycleFileError", "TranscriptError", "CodebookError",
            "CodingImportError", "InvalidUPNError", "RegisterError", "UnknownVariableError"} <= names
    for kind in kinds:
        assert [c for c in kind.problem_columns if c not in PROBLEM_SCHEMA] == []
        if kind.__name__ == "UnknownVariableError":
            continue  # takes the variables as well
        error = kind("message")
        assert str(error) == "message"
        assert error.problems.empty and list(error.problems.columns) == list(kind.problem_columns)


def test_a_table_with_columns_out_of_the_schema_or_its_order_is_refused():
    with pytest.raises(ValueError, match="not a subset"):
        problems_table([], ["row", "file"])
    with pytest.raises(ValueError, match="not a subset"):
        problems_table([], ["file", "cell"])


def test_line_numbers_stay_whole_numbers_where_some_are_missing():
    table = problems_table([{"file": "a.txt", "line": 3, "message": "x"}, {"file": "a.txt", "line": None,
                                                                           "message": "y"}], LINE_PROBLEM_COLUMNS)
    assert str(table["line"].dtype) == "Int64"
    assert table["line"].tolist()[0] == 3 and pd.isna(table["line"].tolist()[1])


def test_the_message_names_file_line_column_and_key():
    assert problem_location({"file": "a.csv", "row": 14, "column": "attendance_pct"}) == \
        "a.csv, row 14, column `attendance_pct`"
    assert problem_location({"file": "cycle.yaml", "line": 2.0, "key": "plan"}) == "cycle.yaml, line 2, key `plan`"
    error = cm_research.qual.errors.CodebookError.from_problems(
        [{"file": "codes.yaml", "line": 4, "column": "", "value": "", "message": "no definition"},
         {"file": "codes.yaml", "line": None, "column": "name", "value": "", "message": "duplicate"}], "the codebook")
    assert str(error) == ("2 problems in the codebook:\n  codes.yaml, line 4: no definition\n"
                          "  codes.yaml, column `name`: duplicate")
    assert error.problems["line"].tolist()[0] == 4
