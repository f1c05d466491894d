"""Cost per young person, from the ``costs`` table (the demo sites' synthetic costs are made in
:mod:`cm_research.datasets.costs`, re-exported here).

Cost per young person = total spent in the years analysed / number of mentored young people whose cohort
falls in those years. Cost per young person with reliable improvement = the same total / the number who
improved reliably. Both are simple ratios (the "cost per participant" and "cost per outcome" of a
cost-effectiveness description; e.g. HM Treasury, *The Green Book*, 2022, on unit costs); neither is a
cost-effectiveness ratio, which needs a comparison group's costs and outcomes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cm_research.datasets.costs import COST_LINES, SYNTHETIC_COSTS_NOTICE, demo_costs, write_demo_costs  # noqa: F401
from cm_research.errors import CMResearchError
from cm_research.privacy.suppression import DEFAULT_THRESHOLD


class CostsError(CMResearchError):
    """The costs table cannot give a cost per young person (no costs for the site or years, no mentees)."""


def cost_per_young_person(costs: pd.DataFrame, participants: pd.DataFrame, site: str,
                          n_improved: int | str | None = None, years: list[str] | None = None,
                          threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """One-row table: years, total_cost, n_mentored, cost_per_young_person, n_improved,
    cost_per_improved, note.

    Parameters
    ----------
    costs : the validated costs table (site, year, cost_line, amount).
    participants : the validated participants table; mentees are counted by ``cohort``.
    site : the site, as spelt in both tables.
    n_improved : how many mentees improved reliably (an int), ``"c"`` if that count was suppressed, or None.
    years : the years to cost; default every year with costs for the site.
    threshold : a count of 1 to ``threshold`` improved is not published, and neither is the cost per improved
        young person (total / cost per improved would give the count back).

    Notes
    -----
    cost_per_young_person = sum(amount) / n_mentored; cost_per_improved = sum(amount) / n_improved.
    """
    site_costs = costs[costs["site"] == site]
    if site_costs.empty:
        raise CostsError(f"the costs table has no rows for site {site!r}; sites there: "
                         f"{', '.join(sorted(map(str, costs['site'].unique()))) or '(none)'}")
    years = sorted(site_costs["year"].unique()) if years is None else list(years)
    site_costs = site_costs[site_costs["year"].isin(years)]
    if site_costs.empty:
        raise CostsError(f"the costs table has no rows for {site!r} in {', '.join(years)}")
    mentored = participants[(participants["group"] == "mentored") & participants["cohort"].isin(years)]
    if mentored.empty:
        raise CostsError(f"no mentored young people in {site!r} with cohort {', '.join(years)} to share the costs")
    total = float(site_costs["amount"].sum())
    n = int(mentored["participant_id"].nunique())
    row = {"years": ", ".join(years), "total_cost": total, "n_mentored": n, "cost_per_young_person": total / n,
           "n_improved": n_improved, "cost_per_improved": np.nan, "note": ""}
    if n_improved is None:
        row["note"] = "reliable improvement not measured"
    elif isinstance(n_improved, str) or 1 <= int(n_improved) <= threshold:
        row["n_improved"] = "c"
        row["note"] = (f"cost per young person with reliable improvement is withheld: {threshold} or fewer improved "
                       "reliably, and the cost would reveal how many")
    elif int(n_improved) == 0:
        row["note"] = "no young person improved reliably, so there is no cost per improvement"
    else:
        row["cost_per_improved"] = total / int(n_improved)
    return pd.DataFrame([row])


def costs_by_line(costs: pd.DataFrame, site: str) -> pd.DataFrame:
    """Spending by cost line and year (wide: one column per year, plus total), for the report."""
    table = costs[costs["site"] == site].pivot_table(index="cost_line", columns="year", values="amount",
                                                     aggfunc="sum", fill_value=0.0)
    table["total"] = table.sum(axis=1)
    return table.reset_index().rename_axis(columns=None)
