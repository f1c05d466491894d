"""Per-site effects of binary and count outcomes, weighted for the cross-site synthesis, against metafor.

A site's risk difference is reported with Newcombe's hybrid score CI, which is not built from a standard error.
Until this round the synthesis recovered one from the CI width with z, (ci_high - ci_low) / (2 × 1.96), which is
not the variance metafor's ``escalc("RD")`` gives, so the pooled difference was weighted unlike ``rma`` on the same
counts. The sites' counts go to R (tests/reference/pooling.R) and our per-site SE and the pooled result must match
``escalc`` / ``rma`` to the tolerances below. The exact rate ratio now has the SE of log RR given the counts,
sqrt(1/x_1 + 1/x_2), checked against ``escalc("IRR")``, with ``poisson.test`` as the judge of its exact CI.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest

from cm_research.stats import compare_proportions, rate_ratio, random_effects

# (events mentored, n mentored, events comparison, n comparison) per synthetic site
BINARY_SITES = {
    "North": (9, 10, 3, 10),
    "South": (12, 40, 21, 38),
    "East": (5, 12, 0, 11),   # a zero cell: no ½ added (escalc(add = 0))
    "West": (7, 34, 1, 34),
    "Fen": (14, 20, 6, 19),
}
ALL_OR_NONE = (10, 10, 0, 8)  # each group's proportion is 0 or 1: Wald SE 0, not poolable
# (events mentored, exposure mentored, events comparison, exposure comparison)
COUNT_SITES = [(4, 12.0, 11, 14.0), (9, 30.0, 15, 25.0), (1, 8.0, 6, 9.0), (20, 40.0, 18, 41.0)]


# five sites' effects, used at a scale of 1e-6 (variances 1e-12): REML's τ² must not depend on the units
TINY_Y, TINY_V = [0.2, 0.5, -0.1, 0.4, 0.9], [0.04, 0.02, 0.05, 0.03, 0.06]


@pytest.fixture(scope="module")
def r_ref(r_reference):
    binary = np.array(list(BINARY_SITES.values()), dtype=float)
    counts = np.array(COUNT_SITES, dtype=float)
    return r_reference("pooling.R", {
        "binary": dict(a=binary[:, 0], n1=binary[:, 1], c=binary[:, 2], n2=binary[:, 3]),
        "counts": dict(x1=counts[:, 0], t1=counts[:, 1], x2=counts[:, 2], t2=counts[:, 3]),
        "tiny": dict(yi=np.array(TINY_Y) * 1e-6, vi=np.array(TINY_V) * 1e-12),
    })


def site_frame(a: int, n1: int, c: int, n2: int, site: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic outcomes (destination_eet at post) and participants of one site."""
    ids = [f"{site[:2]}{i:03d}" for i in range(n1 + n2)]
    value = [1.0] * a + [0.0] * (n1 - a) + [1.0] * c + [0.0] * (n2 - c)
    outcomes = pd.DataFrame({"participant_id": ids, "measure": "destination_eet", "timepoint": "post",
                             "value": value})
    participants = pd.DataFrame({"participant_id": ids, "group": ["mentored"] * n1 + ["comparison"] * n2})
    return outcomes, participants


@functools.lru_cache(maxsize=None)  # the five sites once for the module (tests only read the table)
def binary_effects(sites: tuple) -> pd.DataFrame:
    from cm_research.report.outcomes import effect_sizes
    from cm_research.stats.outcomes import compare_outcomes

    rows = [effect_sizes(compare_outcomes(*site_frame(*counts, site), ["destination_eet"])).assign(site=site)
            for site, counts in sites]
    return pd.concat(rows, ignore_index=True)


@pytest.mark.r
def test_risk_difference_se_is_escalc_rd_and_the_old_newcombe_width_was_not(r_ref):
    ref = r_ref["binary"]
    for i, (site, counts) in enumerate(BINARY_SITES.items(), start=1):
        rd = compare_proportions(pd.DataFrame({
            "group": ["mentored"] * counts[1] + ["comparison"] * counts[3],
            "eet": [1] * counts[0] + [0] * (counts[1] - counts[0]) + [1] * counts[2] + [0] * (counts[3] - counts[2]),
        }), "eet").iloc[0]
        assert rd["estimate"] == pytest.approx(ref[f"yi_{i}"], abs=1e-14)
        assert rd["se"] == pytest.approx(ref[f"sei_{i}"], rel=1e-12)
        # the SE the synthesis used before: Newcombe's width read with z; 3-12% off escalc's on these sites
        old = (rd["ci_high"] - rd["ci_low"]) / (2 * 1.959963984540054)
        assert abs(old / ref[f"sei_{i}"] - 1) > 0.02, site
    # East has a zero cell: escalc's default would move the estimate by adding ½; ours is the observed difference
    assert ref["yi_default_3"] != pytest.approx(ref["yi_3"], abs=1e-3)


@pytest.mark.r
@pytest.mark.parametrize("method, hartung_knapp", [("REML", True), ("DL", False)])
def test_binary_synthesis_matches_rma_on_escalc_rd(r_ref, method, hartung_knapp):
    from cm_research.report.synthesis import synthesise

    effects = binary_effects(tuple(BINARY_SITES.items()))
    assert (effects["note"] == "se: the standard error of the estimator").all()
    pooled = synthesise(effects, method=method, hartung_knapp=hartung_knapp).pooled.iloc[0]
    key = f"{method}_{'knha' if hartung_knapp else 'z'}"
    ref = [r_ref["binary"][f"{key}_{j}"] for j in range(1, 5)]
    assert pooled["k"] == len(BINARY_SITES)
    # REML's τ² is found iteratively by both (metafor to 1e-5 by default): 1e-6 relative on the pooled values
    assert [pooled["estimate"], pooled["ci_low"], pooled["ci_high"]] == pytest.approx(ref[:3], rel=1e-6)
    assert pooled["tau2"] == pytest.approx(ref[3], rel=1e-4, abs=1e-9)


def test_a_site_where_each_group_is_all_or_none_is_not_pooled_and_says_why():
    res = compare_proportions(pd.DataFrame({"group": ["mentored"] * 10 + ["comparison"] * 8,
                                            "eet": [1] * 10 + [0] * 8}), "eet").iloc[0]
    assert res["estimate"] == 1.0 and math.isnan(res["se"]) and "Wald standard error is 0" in res["note"]
    effects = binary_effects((("Moor", ALL_OR_NONE),))
    assert math.isnan(effects.loc[0, "se"]) and "cannot be weighted" in effects.loc[0, "note"]


def count_frame(x1: int, t1: float, x2: int, t2: float) -> pd.DataFrame:
    """Two participants a group, sharing the group's events and exposure (the exact test uses only the sums)."""
    return pd.DataFrame({"group": ["mentored"] * 2 + ["comparison"] * 2,
                         "suspensions": [x1 // 2, x1 - x1 // 2, x2 // 2, x2 - x2 // 2],
                         "days": [t1 / 2, t1 / 2, t2 / 2, t2 / 2]})


@pytest.mark.r
def test_exact_rate_ratio_se_is_escalc_irr_and_its_ci_poisson_test(r_ref):
    ref = r_ref["counts"]
    log_rr, ses = [], []
    for i, site in enumerate(COUNT_SITES, start=1):
        res = rate_ratio(count_frame(*site), "suspensions", exposure="days", model="exact").iloc[0]
        estimate, low, high, p = (ref[f"exact_{i}_{j}"] for j in range(1, 5))
        assert [res["estimate"], res["ci_low"], res["ci_high"]] == pytest.approx([estimate, low, high], rel=1e-9)
        assert res["p_val"] == pytest.approx(p, rel=1e-9)
        assert math.log(res["estimate"]) == pytest.approx(ref[f"yi_{i}"], rel=1e-12)
        assert res["se"] == pytest.approx(ref[f"sei_{i}"], rel=1e-12)
        log_rr.append(math.log(res["estimate"]))
        ses.append(res["se"])
    pooled = random_effects(log_rr, np.square(ses), method="REML", hartung_knapp=True).summary.iloc[0]
    assert [pooled["estimate"], pooled["ci_low"], pooled["ci_high"]] == pytest.approx(
        [ref[f"REML_knha_{j}"] for j in range(1, 4)], rel=1e-6)


def test_exact_rate_ratio_with_no_events_in_a_group_has_no_se_and_says_why():
    res = rate_ratio(count_frame(0, 10.0, 5, 10.0), "suspensions", exposure="days", model="exact").iloc[0]
    assert res["estimate"] == 0.0 and math.isnan(res["se"])
    assert "no standard error" in res["note"]


@pytest.mark.r
def test_reml_on_a_tiny_scale_matches_metafor_run_to_a_threshold_below_that_scale(r_ref):
    # The old root-finder stopped at an absolute 1e-14 on τ² (≈ 7e-14 here): τ² came out 0.0706e-12, 3% off;
    # metafor's default threshold is worse at this scale (0.0741e-12). Judged by metafor at threshold 1e-26.
    estimate, tau2, se = (r_ref["tiny"][f"REML_{j}"] for j in range(1, 4))
    res = random_effects(np.array(TINY_Y) * 1e-6, np.array(TINY_V) * 1e-12, method="REML").summary.iloc[0]
    assert [res["estimate"] * 1e6, res["tau2"] * 1e12, res["se"] * 1e6] == pytest.approx([estimate, tau2, se],
                                                                                         rel=1e-7)
    base = random_effects(TINY_Y, TINY_V, method="REML").summary.iloc[0]
    assert res["tau2"] * 1e12 == pytest.approx(base["tau2"], rel=1e-9)  # and the units do not matter
