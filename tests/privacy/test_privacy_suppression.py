"""Small-number suppression: tables where naive suppression leaks, closed by secondary suppression.

Every check here works on the *published* table only (cells showing ``c``) and is written independently of
the implementation: an attacker's arithmetic on the margins, an exact enumeration of every whole-number table
consistent with what is published, and a linear-algebra test of which cells the published sums determine.
"""

import itertools

import numpy as np
import pandas as pd
import pytest

from cm_research.privacy.errors import SuppressionError
from cm_research.privacy.suppression import DEFAULT_THRESHOLD, suppress_counts, suppression_note

C = "c"


# ---------------------------------------------------------------- the attacker's tools (independent of the code)

def equations(published: pd.DataFrame, label: str, parts: list[str], total: str | None,
              total_label: str | None) -> list[tuple[list, list]]:
    """Published relations as (cells added, cells subtracted) = 0, cells named (row label, column)."""
    eqs = []
    body = [r for r in published[label] if r != total_label]
    if total:
        for r in published[label]:
            eqs.append(([(r, p) for p in parts], [(r, total)]))
    if total_label:
        for col in parts + ([total] if total else []):
            eqs.append(([(r, col) for r in body], [(total_label, col)]))
    return eqs


def cell_values(published: pd.DataFrame, label: str) -> dict:
    return {(r, col): v for r, row in published.set_index(label).iterrows() for col, v in row.items()}


def recover_by_margins(published, label, parts, total=None, total_label=None, percent=None):
    """Repeatedly solve any published sum with exactly one ``c`` in it; also use a shown percentage of a shown
    denominator (``percent = (pct column, numerator, denominator)``). Returns {cell: recovered value}."""
    known = {k: v for k, v in cell_values(published, label).items() if v != C}
    recovered = {}
    eqs = equations(published, label, parts, total, total_label)
    changed = True
    while changed:
        changed = False
        for plus, minus in eqs:
            unknown = [c for c in plus + minus if c not in known]
            if len(unknown) == 1:
                (cell,) = unknown
                value = sum(known.get(c, 0) for c in minus) - sum(known.get(c, 0) for c in plus)
                known[cell] = recovered[cell] = value if cell in plus else -value
                changed = True
        if percent:
            pct, num, den = percent
            for r in published[label]:
                if (r, num) not in known and (r, den) in known and known.get((r, pct), C) != C:
                    known[(r, num)] = recovered[(r, num)] = round(known[(r, pct)] * known[(r, den)] / 100)
                    changed = True
    return recovered


def possible_values(published, label, parts, total=None, total_label=None, cap=60, floor=1):
    """Every value each ``c`` cell can take in some whole-number table (a ``c`` is at least ``floor``: 1 where
    zeros are shown, 0 where a zero may be hidden) that agrees with every published sum. Exhaustive search."""
    values = cell_values(published, label)
    unknown = sorted(k for k, v in values.items() if v == C and any(k in p + m for p, m in
                                                                     equations(published, label, parts, total, total_label)))
    eqs = equations(published, label, parts, total, total_label)
    seen = {cell: set() for cell in unknown}
    assignment = dict((k, v) for k, v in values.items() if v != C)

    def consistent():
        for plus, minus in eqs:
            cells = plus + minus
            if all(c in assignment for c in cells):
                if sum(assignment[c] for c in plus) != sum(assignment[c] for c in minus):
                    return False
            elif all(c in assignment for c in minus):  # parts so far already exceed a known total
                if sum(assignment[c] for c in plus if c in assignment) > sum(assignment[c] for c in minus):
                    return False
        return True

    def search(i):
        if i == len(unknown):
            for cell in unknown:
                seen[cell].add(assignment[cell])
            return
        for v in range(floor, cap + 1):
            assignment[unknown[i]] = v
            if consistent():
                search(i + 1)
            del assignment[unknown[i]]

    search(0)
    return seen


def determined_by_linear_algebra(published, label, parts, total=None, total_label=None):
    """Cells whose value the published sums fix whatever the bounds: e_i lies in the row space of the
    coefficient matrix of the unknowns."""
    values = cell_values(published, label)
    unknown = sorted(k for k, v in values.items() if v == C)
    if not unknown:
        return set()
    index = {c: i for i, c in enumerate(unknown)}
    rows = []
    for plus, minus in equations(published, label, parts, total, total_label):
        row = np.zeros(len(unknown))
        for c in plus:
            if c in index:
                row[index[c]] += 1
        for c in minus:
            if c in index:
                row[index[c]] -= 1
        if row.any():
            rows.append(row)
    if not rows:
        return set()
    a = np.array(rows)
    rank = np.linalg.matrix_rank(a)
    return {c for c, i in index.items() if np.linalg.matrix_rank(np.vstack([a, np.eye(len(unknown))[i]])) == rank}


def naive(table: pd.DataFrame, columns: list[str], threshold: int = 5) -> pd.DataFrame:
    """Primary suppression only: what a careful-looking but unsafe table does."""
    out = table.astype(object).copy()
    for col in columns:
        out[col] = [C if 1 <= v <= threshold else v for v in table[col]]
    return out


# ---------------------------------------------------------------- tables

COHORTS = pd.DataFrame({
    "cohort": ["2022/23", "2023/24", "total"],
    "mentored": [3, 20, 23],
    "comparison": [12, 14, 26],
    "total": [15, 34, 49],
})


def test_naive_suppression_leaks_through_the_row_total():
    published = naive(COHORTS, ["mentored", "comparison", "total"])
    assert published.loc[0, "mentored"] == C  # looks safe...
    recovered = recover_by_margins(published, "cohort", ["mentored", "comparison"], "total", "total")
    assert recovered == {("2022/23", "mentored"): 3}  # ...but 15 - 12 = 3


def test_secondary_suppression_closes_the_leak():
    published = suppress_counts(COHORTS, ["mentored", "comparison"], totals="total", total_rows={"cohort": "total"})
    spec = ("cohort", ["mentored", "comparison"], "total", "total")
    assert published.loc[0, "mentored"] == C
    assert recover_by_margins(published, *spec) == {}
    assert determined_by_linear_algebra(published, *spec) == set()
    ranges = possible_values(published, *spec)
    assert ranges and all(len(v) > 1 for v in ranges.values()), ranges
    assert 3 in ranges[("2022/23", "mentored")]  # the truth is among the possibilities, not singled out
    # the published totals and every unsuppressed number are the true ones
    shown = published.astype(object).where(published != C)
    assert (shown.fillna(COHORTS) == COHORTS.astype(object)).all().all()


MISSINGNESS = pd.DataFrame({
    "measure": ["sdq_total", "sdq_total", "attendance_pct"],
    "group": ["mentored", "comparison", "mentored"],
    "n_expected": [30, 25, 30],
    "n_recorded": [28, 20, 30],
    "n_missing": [2, 5, 0],
    "pct_recorded": [93.3, 80.0, 100.0],
})


def test_percentages_of_suppressed_counts_are_suppressed_and_zero_stays_zero():
    spec = ("group", ["n_recorded", "n_missing"], "n_expected", None)
    table = MISSINGNESS.assign(group=["m-sdq", "c-sdq", "m-att"])  # row labels unique for the checker
    leaky = naive(table, ["n_expected", "n_recorded", "n_missing"])
    assert recover_by_margins(leaky, *spec) == {("m-sdq", "n_missing"): 2, ("c-sdq", "n_missing"): 5}

    published = suppress_counts(table, ["n_recorded", "n_missing"], totals="n_expected",
                                percentages={"pct_recorded": ("n_recorded", "n_expected")})
    assert published["n_missing"].tolist() == [C, C, 0]  # zero stays zero
    assert published["pct_recorded"].tolist() == [C, C, 100.0]
    assert recover_by_margins(published, *spec, percent=("pct_recorded", "n_recorded", "n_expected")) == {}
    ranges = possible_values(published, *spec)
    assert ranges[("m-sdq", "n_missing")] == set(range(1, 30))


BOUND = pd.DataFrame({
    "site": ["A", "B", "total"],
    "x": [1, 8, 9],
    "y": [1, 9, 10],
    "z": [0, 7, 7],
    "total": [2, 24, 26],
})


def test_two_suppressed_cells_that_must_both_be_one_are_protected():
    spec = ("site", ["x", "y", "z"], "total", "total")
    # The textbook rule "at least two c in every row and column" is met by hiding A.x, A.y, B.x and B.y ...
    line_rule_only = BOUND.astype(object).copy()
    line_rule_only.loc[[0, 1], ["x", "y"]] = C
    assert recover_by_margins(line_rule_only, *spec) == {}
    # ... yet A.x + A.y = 2 and each c is at least 1 (a zero would show as 0), so both are 1.
    ranges = possible_values(line_rule_only, *spec)
    assert ranges[("A", "x")] == {1} and ranges[("A", "y")] == {1}

    published = suppress_counts(BOUND, ["x", "y", "z"], totals="total", total_rows={"site": "total"})
    ranges = possible_values(published, *spec)
    assert all(len(v) > 1 for v in ranges.values()), ranges
    assert published.loc[0, "z"] == 0


def test_random_tables_never_leak():
    rng = np.random.default_rng(20260606)
    spec_parts = ["a", "b", "c3"]
    exhaustive = 0
    for trial in range(40):
        hidden_zeros = 0
        body = rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 20], size=(3, 3))
        table = pd.DataFrame(body, columns=spec_parts)
        table.insert(0, "row", ["r1", "r2", "r3"])
        table["total"] = table[spec_parts].sum(axis=1)
        sums = table[spec_parts + ["total"]].sum()
        table = pd.concat([table, pd.DataFrame([{"row": "all", **sums.to_dict()}])], ignore_index=True)
        published = suppress_counts(table, spec_parts, totals="total", total_rows={"row": "all"})
        spec = ("row", spec_parts, "total", "all")
        for col in spec_parts + ["total"]:
            for i, (truth, shown) in enumerate(zip(table[col], published[col])):
                if 1 <= truth <= DEFAULT_THRESHOLD:
                    assert shown == C, (trial, i, col)
                elif truth == 0 and shown == C:
                    # only a zero that would show everyone in a group shares one value: in its row or its
                    # column every other part is 0 but one (group disclosure)
                    row_parts = table.loc[i, spec_parts] if i < 3 and col in spec_parts else None
                    col_parts = table.loc[:2, col]
                    assert any(p is not None and int((p != 0).sum()) == 1 for p in (row_parts, col_parts)), (
                        trial, i, col)
                    hidden_zeros += 1
                elif truth == 0:
                    assert shown == 0, (trial, i, col)
                elif shown != C:
                    assert shown == truth
        assert recover_by_margins(published, *spec) == {}, trial
        assert determined_by_linear_algebra(published, *spec) == set(), trial
        n_hidden = int((published[spec_parts + ["total"]] == C).to_numpy().sum())
        if n_hidden <= 6:
            exhaustive += 1
            ranges = possible_values(published, *spec, cap=int(table["total"].iloc[-1]) or 1,
                                     floor=0 if hidden_zeros else 1)
            assert all(len(v) > 1 for v in ranges.values()), (trial, ranges)
    assert exhaustive >= 10  # the exact check really ran on a good share of the tables


def test_blocks_each_with_a_total_row():
    table = pd.DataFrame({
        "measure": ["sdq"] * 3 + ["swemwbs"] * 3,
        "group": ["mentored", "comparison", "total"] * 2,
        "n": [4, 20, 24, 11, 12, 23],
    })
    published = suppress_counts(table, ["n"], total_rows={"group": "total"}, within=["measure"])
    assert published["n"].tolist() == [C, C, 24, 11, 12, 23]


def test_switching_suppression_off_is_explicit_and_recorded():
    on = suppress_counts(COHORTS, ["mentored", "comparison"], totals="total", total_rows={"cohort": "total"})
    assert on.attrs["disclosure_control"]["suppression"] == "on"
    assert on.attrs["disclosure_control"]["threshold"] == 5 and on.attrs["disclosure_control"]["n_primary"] == 1
    assert "Counts from 1 to 5 are shown as c" in suppression_note(on)
    off = suppress_counts(COHORTS, ["mentored", "comparison"], totals="total", total_rows={"cohort": "total"},
                          suppress=False)
    assert off.equals(COHORTS)
    assert off.attrs["disclosure_control"]["suppression"] == "off"
    assert "switched OFF" in suppression_note(off) and "Do not publish" in suppression_note(off)
    assert "has not been through small-number suppression" in suppression_note(COHORTS)


def test_threshold_is_a_parameter():
    published = suppress_counts(COHORTS, ["mentored", "comparison"], totals="total", total_rows={"cohort": "total"},
                                threshold=12)
    assert published.loc[0, "mentored"] == C and published.loc[0, "comparison"] == C
    assert recover_by_margins(published, "cohort", ["mentored", "comparison"], "total", "total") == {}


@pytest.mark.parametrize("change, match", [
    (lambda t: t.assign(total=[16, 34, 49]), r"row 0, column `total`: the total 16 is not the sum of its 2 parts \(15\)"),
    (lambda t: t.assign(mentored=[3.5, 20, 23]), r"row 0, column `mentored`: 3.5 is not a count"),
    (lambda t: t.assign(mentored=[None, 20, 23]), r"row 0, column `mentored`"),
    (lambda t: t.assign(mentored=[-3, 20, 23]), r"row 0, column `mentored`: -3 is not a count"),
    (lambda t: t.drop(columns="comparison"), r"no column 'comparison'"),
    (lambda t: t.assign(cohort=["total", "2023/24", "total"]), r"expected one total row"),
])
def test_bad_tables_are_refused_clearly(change, match):
    with pytest.raises(SuppressionError, match=match):
        suppress_counts(change(COHORTS), ["mentored", "comparison"], totals="total", total_rows={"cohort": "total"},
                        name="counts_by_cohort")


def test_exhaustive_checker_can_fail():
    # The checker itself must be able to say "leaks": a single c in a row with its total is found.
    leaky = COHORTS.astype(object).copy()
    leaky.loc[0, "mentored"] = C
    assert possible_values(leaky, "cohort", ["mentored", "comparison"], "total", "total") == {
        ("2022/23", "mentored"): {3}}
    assert determined_by_linear_algebra(leaky, "cohort", ["mentored", "comparison"], "total", "total") == {
        ("2022/23", "mentored")}


def test_pruned_search_agrees_with_plain_enumeration():
    # A second, naive enumeration over all (a, b, c, d) for the protected cohort table agrees with the pruned one.
    published = suppress_counts(COHORTS, ["mentored", "comparison"], totals="total", total_rows={"cohort": "total"})
    assert (published.loc[[0, 1], ["mentored", "comparison"]] == C).all().all()
    solutions = [(a, b, c, d) for a, b, c, d in itertools.product(range(1, 50), repeat=4)
                 if a + b == 15 and c + d == 34 and a + c == 23 and b + d == 26]
    pruned = possible_values(published, "cohort", ["mentored", "comparison"], "total", "total")
    assert {s[0] for s in solutions} == pruned[("2022/23", "mentored")] == set(range(1, 15))


# The specifications the data-quality tables are published with (cm_research.quality; see the lead's notes).
QUALITY_SPECS = {
    "counts_by_cohort": dict(count_columns=["mentored", "comparison"], totals="total", total_rows={"cohort": "total"}),
    "missingness": dict(count_columns=["n_recorded", "n_missing"], totals="n_expected",
                        percentages={"pct_recorded": ("n_recorded", "n_expected")}),
    "attrition": dict(count_columns=["n_both", "n_lost"], totals="n_baseline",
                      percentages={"pct_retained": ("n_both", "n_baseline")}),
}


@pytest.mark.parametrize("site", ["Easton", "Northshire", "Westbury"])
def test_the_data_quality_tables_of_the_synthetic_demo(site):
    from cm_research import quality
    from cm_research.data import load_evaluation
    from cm_research.datasets import demo_site_dir

    evaluation = load_evaluation(demo_site_dir(site))
    people, outcomes = evaluation.participants.data, evaluation.outcomes.data
    tables = {"counts_by_cohort": quality.counts_by_group(people, "cohort"),
              "missingness": quality.missingness(outcomes, people),
              "attrition": quality.attrition(outcomes, people)}
    for name, table in tables.items():
        spec = dict(QUALITY_SPECS[name])
        columns = spec.pop("count_columns")
        published = suppress_counts(table, columns, name=name, **spec)
        total = spec["totals"]
        keys = [c for c in table.columns if table[c].dtype == object or str(table[c].dtype) in ("str", "string")]
        label = table[keys].astype(str).agg("/".join, axis=1)
        checked = published.assign(label=label.to_numpy())
        percent = next(((p, *pair) for p, pair in spec.get("percentages", {}).items()), None)
        assert recover_by_margins(checked, "label", columns, total, "total" if "total_rows" in spec else None,
                                  percent=percent) == {}, name
        for col in [*columns, total]:
            small = table[col].between(1, DEFAULT_THRESHOLD)
            assert (published.loc[small, col] == C).all(), (name, col)
            # a zero is shown as 0, except one beside a hidden group total whose only other part is hidden too
            # (everyone in the small group has that value: group disclosure)
            hidden_zero = (table[col] == 0) & (published[col] == C)
            group = (published[total] == C) & (table[columns].ne(0).sum(axis=1) == 1)
            assert (published.loc[(table[col] == 0) & ~hidden_zero, col] == 0).all(), (name, col)
            assert (group[hidden_zero]).all(), (name, col)
