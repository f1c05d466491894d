"""Costs: the schema validates them, the demo costs are what the seeded generator writes, and the ratios
are the hand-worked ones."""

import filecmp

import numpy as np
import pandas as pd
import pytest

from cm_research.data.loading import load_table
from cm_research.datasets import DEMO_SITES, dataset_path
from cm_research.report.costs import CostsError, cost_per_young_person, costs_by_line, demo_costs, write_demo_costs

COSTS = pd.DataFrame({"site": ["A", "A", "A", "B"], "year": ["2022/23", "2022/23", "2023/24", "2022/23"],
                      "cost_line": ["mentor_fees", "training_and_supervision", "mentor_fees", "mentor_fees"],
                      "amount": [10_000.0, 2_000.0, 8_000.0, 999.0]})
PEOPLE = pd.DataFrame({"participant_id": [f"P{i}" for i in range(12)], "group": ["mentored"] * 10 + ["comparison"] * 2,
                       "cohort": ["2022/23"] * 6 + ["2023/24"] * 4 + ["2022/23"] * 2})


def test_cost_per_young_person_is_the_hand_worked_ratio():
    # A spent 10,000 + 2,000 + 8,000 = 20,000 over both years on 10 mentees -> 2,000 each;
    # 8 improved reliably -> 20,000 / 8 = 2,500 per improvement. Comparison young people are not counted.
    row = cost_per_young_person(COSTS, PEOPLE, "A", n_improved=8).iloc[0]
    assert row["total_cost"] == 20_000 and row["n_mentored"] == 10
    assert row["cost_per_young_person"] == pytest.approx(2_000.0, abs=1e-9)
    assert row["cost_per_improved"] == pytest.approx(2_500.0, abs=1e-9)


def test_one_year_costs_only_that_years_cohort():
    row = cost_per_young_person(COSTS, PEOPLE, "A", years=["2022/23"]).iloc[0]
    assert row["total_cost"] == 12_000 and row["n_mentored"] == 6
    assert row["cost_per_young_person"] == pytest.approx(2_000.0)
    assert np.isnan(row["cost_per_improved"]) and "not measured" in row["note"]


@pytest.mark.parametrize("improved", [1, 5, "c"])
def test_cost_per_improvement_is_withheld_when_the_count_is_small(improved):
    # total / cost-per-improved would give the suppressed count back
    row = cost_per_young_person(COSTS, PEOPLE, "A", n_improved=improved).iloc[0]
    assert row["n_improved"] == "c" and np.isnan(row["cost_per_improved"]) and "withheld" in row["note"]


def test_no_improvement_gives_no_ratio():
    row = cost_per_young_person(COSTS, PEOPLE, "A", n_improved=0).iloc[0]
    assert np.isnan(row["cost_per_improved"]) and "no young person improved" in row["note"]


def test_unknown_site_and_missing_mentees_are_explained():
    with pytest.raises(CostsError, match="no rows for site 'Z'.*A, B"):
        cost_per_young_person(COSTS, PEOPLE, "Z")
    with pytest.raises(CostsError, match="no mentored young people"):
        cost_per_young_person(COSTS, PEOPLE.assign(group="comparison"), "A")


def test_costs_by_line_sums_each_line_and_year():
    table = costs_by_line(COSTS, "A").set_index("cost_line")
    assert table.loc["mentor_fees", "2022/23"] == 10_000 and table.loc["mentor_fees", "total"] == 18_000
    assert table.loc["training_and_supervision", "2023/24"] == 0


def test_bundled_demo_costs_are_what_the_generator_writes(tmp_path):
    write_demo_costs(tmp_path)
    for spec in DEMO_SITES:
        assert filecmp.cmp(tmp_path / spec.slug / "costs.csv", dataset_path("demo") / spec.slug / "costs.csv",
                           shallow=False), spec.slug


def test_demo_costs_validate_and_scale_with_the_mentees():
    for spec in DEMO_SITES:
        loaded = load_table(dataset_path("demo") / spec.slug / "costs.csv", "costs")
        assert loaded.problems.empty and set(loaded.data["site"]) == {spec.site}
    few = demo_costs(PEOPLE.iloc[:2], "A", seed=1)
    many = demo_costs(PEOPLE.iloc[:10], "A", seed=1)
    fees = lambda t: t.loc[t["cost_line"] == "mentor_fees", "amount"].sum()  # noqa: E731
    assert fees(many) > fees(few)
    assert not demo_costs(PEOPLE, "A", seed=1).equals(demo_costs(PEOPLE, "A", seed=2))


def test_a_bad_costs_row_is_named_by_row_and_column(tmp_path):
    path = tmp_path / "costs.csv"
    path.write_text("site,year,cost_line,amount\nA,2023/24,mentor_fees,100\nA,2023-24,snacks,-5\n")
    problems = load_table(path, "costs").problems
    found = {(int(r.row), r.column) for r in problems.itertuples()}
    assert {(3, "year"), (3, "cost_line"), (3, "amount")} <= found, problems
