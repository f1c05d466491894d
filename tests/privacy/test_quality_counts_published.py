"""Counts of data problems in the published data-quality tables (publication-safety audit, leak 1).

The demo's published ``problem_summary.csv`` showed "participants.csv, blanked_type, start_date, 1": one young
person's start date blanked, beside a "no start date" shown as ``c`` elsewhere. A problem in a row of
participants.csv is a young person; so is a row held back. Expected patterns below are worked by hand.
"""

import pandas as pd

from cm_research import quality
from cm_research.privacy.audit import audit_table

SUPPRESSED = "c"


def _problems() -> pd.DataFrame:
    """Easton's problems in the demo: participants 2 duplicate ids, 1 bad care status, 1 blanked start date;
    outcomes 20 unknown participants, 1 unknown measure, 1 above the maximum, 1 not a number."""
    rows = []
    row = 2
    for file, rule, column, severity, n in [
        ("participants.csv", "unique", "participant_id", "error", 2),
        ("participants.csv", "enum", "care_status", "error", 1),
        ("participants.csv", "blanked_type", "start_date", "warning", 1),
        ("outcomes.csv", "foreign_key", "participant_id", "error", 20),
        ("outcomes.csv", "foreign_key", "measure", "error", 1),
        ("outcomes.csv", "maximum", "value", "error", 1),
        ("outcomes.csv", "type", "value", "error", 1),
    ]:
        for _ in range(n):
            rows.append({"file": file, "row": row, "column": column, "value": "x", "rule": rule,
                         "severity": severity, "message": "m"})
            row += 1
    return pd.DataFrame(rows)


def _overview() -> pd.DataFrame:
    return pd.DataFrame({
        "table": ["participants", "outcomes", "costs"], "file": ["participants.csv", "outcomes.csv", "costs.csv"],
        "rows_read": [109, 797, 10], "rows_valid": [106, 774, 10], "rows_quarantined": [3, 23, 0],
        "blank_rows_skipped": [0, 0, 0], "cells_blanked": [1, 0, 0], "warnings": [1, 0, 0],
        "encoding": ["utf-8"] * 3})


def _cell(table, what, /, **where):
    mask = pd.Series(True, index=table.index)
    for k, v in where.items():
        mask &= table[k] == v
    assert mask.sum() == 1, where
    return table.loc[mask, what].item()


def test_problem_summary_hides_small_counts_and_the_totals_that_give_them_back():
    tables = quality.published_quality_counts(_overview(), _problems())
    summary, overview = tables["problem_summary"], tables["overview"]
    # primary: every count of problems (or of rows) from 1 to 5 is c
    for column in ("n_problems", "n_rows"):
        assert not any(isinstance(v, int) and 1 <= v <= 5 for v in summary[column]), column
    assert _cell(summary, "n_problems", rule="blanked_type", column="start_date") == SUPPRESSED
    # the participants' warning total (1) and the overview's warnings and cells blanked (the same 1) are c
    assert _cell(summary, "n_problems", file="participants.csv", rule="total", severity="warning") == SUPPRESSED
    assert _cell(overview, "warnings", file="participants.csv") == SUPPRESSED
    assert _cell(overview, "cells_blanked", file="participants.csv") == SUPPRESSED
    # outcomes' errors: 20 + 1 + 1 + 1 = 23. With 20 and 23 both shown the three hidden cells would sum to 3,
    # each at least 1, so each is 1: one of them must be hidden too
    assert SUPPRESSED in (_cell(summary, "n_problems", rule="foreign_key", column="participant_id"),
                          _cell(summary, "n_problems", file="outcomes.csv", rule="total", severity="error"))
    # 3 participants' rows held back = 109 read - 106 valid: hidden, with one of read / valid
    assert _cell(overview, "rows_quarantined", file="participants.csv") == SUPPRESSED
    assert SUPPRESSED in (_cell(overview, "rows_read", file="participants.csv"),
                          _cell(overview, "rows_valid", file="participants.csv"))
    # zeros are zeros, large counts stay
    assert _cell(overview, "warnings", file="costs.csv") == 0
    assert _cell(overview, "rows_read", file="outcomes.csv") == 797


def test_write_quality_tables_publishes_suppressed_and_keeps_exact_counts_restricted(write_file, tmp_path):
    from test_quality import small_evaluation

    ev = small_evaluation(write_file, tmp_path, ["T-001,sdq_total,post,,44"])
    quality.write_quality_tables(ev, tmp_path / "out")
    published = pd.read_csv(tmp_path / "out" / "problem_summary.csv", dtype=str)
    restricted = pd.read_csv(tmp_path / "out" / "restricted" / "problem_summary.csv", dtype=str)
    # one value above the maximum: 1 problem in 1 row of outcomes.csv
    assert _cell(restricted, "n_problems", rule="maximum") == "1"
    assert _cell(published, "n_problems", rule="maximum") == SUPPRESSED
    assert _cell(published, "n_rows", rule="maximum") == SUPPRESSED
    over = pd.read_csv(tmp_path / "out" / "overview.csv", dtype=str).set_index("table")
    exact = pd.read_csv(tmp_path / "out" / "restricted" / "overview.csv", dtype=str).set_index("table")
    assert exact.loc["outcomes", "rows_quarantined"] == "1" and over.loc["outcomes", "rows_quarantined"] == "c"
    # the whole-run audit finds nothing to flag in the published copies
    for name in ("problem_summary.csv", "overview.csv"):
        assert list(audit_table(tmp_path / "out" / name)) == [], name


def test_audit_flags_a_small_count_of_problems():
    """Before the fix the audit let problem_summary's 1s through (``n_problems`` was not a count of people)."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "problem_summary.csv"
        quality.problem_summary(_problems()).to_csv(path, index=False)
        found = list(audit_table(path))
    assert any(f[2] == "small_count" and "n_problems" in f[1] for f in found)


def test_the_published_demo_shows_no_small_count_of_problems_nor_the_problems_row_by_row(shared_demo_run):
    """Easton's demo data has one blanked start date (row 11, '31/02/2023'): not a 1 in problem_summary.csv, and
    not one row of a list in the published report (a list counts what the summary hides)."""
    easton = shared_demo_run / "easton"
    summary = pd.read_csv(easton / "problem_summary.csv", dtype=str)
    assert _cell(summary, "n_problems", rule="blanked_type", column="start_date") == SUPPRESSED
    for name in ("problem_summary.csv", "overview.csv"):
        assert list(audit_table(easton / name)) == [], name
    exact = pd.read_csv(easton / "restricted" / "problem_summary.csv", dtype=str)
    assert _cell(exact, "n_problems", rule="blanked_type", column="start_date") == "1"
    report = (easton / "01_data_quality.html").read_text(encoding="utf-8")
    assert "31/02/2023" not in report and "Every problem" not in report
    assert "restricted/problems.csv" in report


def test_a_row_with_two_kinds_of_problem_is_counted_once_per_kind():
    """Row 2 breaks two rules: the errors' total row adds the parts (7 + 1 = 8 rows counted, 7 distinct)."""
    problems = pd.DataFrame([{"file": "participants.csv", "row": r, "column": c, "value": "x", "rule": rule,
                              "severity": "error", "message": "m"}
                             for r, c, rule in [(2, "cohort", "pattern"), (2, "care_status", "enum"),
                                                *[(r, "cohort", "pattern") for r in range(3, 9)]]])
    summary = quality.problem_summary_with_totals(problems)
    assert _cell(summary, "n_rows", rule="total") == 8 and _cell(summary, "n_problems", rule="total") == 8
    overview = _overview().iloc[:1].assign(rows_valid=102, rows_quarantined=7, cells_blanked=0, warnings=0,
                                           rows_read=109)
    published = quality.published_quality_counts(overview, problems)["problem_summary"]
    assert _cell(published, "n_problems", rule="enum") == SUPPRESSED
    # 8 - 7 would give the 1 back: one more of the pattern row and the total is hidden
    assert SUPPRESSED in (_cell(published, "n_problems", rule="pattern"), _cell(published, "n_problems", rule="total"))
