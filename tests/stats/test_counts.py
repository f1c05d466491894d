"""rate_ratio against R (glm, MASS::glm.nb, AER::dispersiontest, poisson.test) and hand-worked values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cm_research.stats import InsufficientDataError, rate_ratio

DAYS = [180, 190, 175, 160, 190, 185, 170, 190, 150, 180]  # school days on roll
# (treated suspensions, control suspensions, exposure per participant in each group)
CASES = {
    "poisson_ok": ([0, 1, 0, 2, 1, 0, 1, 1, 0, 2], [2, 1, 3, 1, 2, 0, 3, 2, 1, 2], DAYS),
    "overdispersed": ([0, 0, 0, 7, 1, 0, 0, 5, 0, 3], [2, 9, 0, 0, 6, 1, 0, 8, 4, 0], DAYS),
    "no_exposure": ([0, 0, 0, 7, 1, 0, 0, 5, 0, 3], [2, 9, 0, 0, 6, 1, 0, 8, 4, 0], [1] * 10),
    "zero_treated": ([0] * 8, [0, 1, 0, 2, 0, 1, 3, 0], DAYS[:8]),
    # edge cases judged by R: no events in the control group; very large counts
    "zero_control": ([0, 1, 0, 2, 1, 0, 1, 1, 0, 2], [0] * 10, DAYS),
    "large_counts": ([3012, 2875, 3300, 2950, 3105, 2990, 3210, 2800, 3050, 3150],
                     [3400, 3520, 3380, 3610, 3450, 3300, 3700, 3490, 3550, 3420], DAYS),
}


def frame(case) -> pd.DataFrame:
    a, b, t = CASES[case]
    return pd.DataFrame({"group": ["mentored"] * len(a) + ["comparison"] * len(b),
                         "suspensions": a + b, "days": t + t})


def fit(case, **kwargs) -> pd.Series:
    exposure = None if case == "no_exposure" else "days"
    return rate_ratio(frame(case), "suspensions", exposure=exposure, **kwargs).iloc[0]


@pytest.fixture(scope="module")
def r_ref(r_reference):
    return r_reference("counts.R", {
        k: dict(y=a + b, g=[1] * len(a) + [0] * len(b), t=t + t) for k, (a, b, t) in CASES.items()})


@pytest.mark.r
@pytest.mark.parametrize("case", ["poisson_ok", "overdispersed", "no_exposure", "large_counts"])
def test_poisson_matches_r_glm(r_ref, case):
    # Reference: R glm(y ~ g + offset(log(t)), poisson), Wald CI (confint.default).
    # Rate ratio and Pearson dispersion: relative 1e-9. CI, z, p: relative 1e-6, because R
    # reports the SE from the weights of its last-but-one IRLS step (R's SE is 2e-7 below the
    # closed form sqrt(1/x1 + 1/x2) here; ours matches it, see the hand-worked test).
    r, ref = fit(case, model="poisson"), r_ref[case]
    assert r["method"].startswith("Poisson GLM")
    assert r["estimate"] == pytest.approx(ref["pois_rr"], rel=1e-9)
    assert [r["ci_low"], r["ci_high"]] == pytest.approx([ref["pois_ci_1"], ref["pois_ci_2"]], rel=1e-6)
    assert r["statistic"] == pytest.approx(ref["pois_z"], rel=1e-6)
    assert r["se"] == pytest.approx(ref["pois_se"], rel=1e-6)  # SE of log(rate ratio), the CI's scale
    assert r["p_val"] == pytest.approx(ref["pois_p"], rel=1e-5)
    assert r["dispersion"] == pytest.approx(ref["dispersion"], rel=1e-9)


def test_poisson_hand_worked():
    # Two groups, log link, offset: RR = (x1/E1) / (x2/E2) and SE(log RR) = sqrt(1/x1 + 1/x2)
    # exactly. overdispersed: x1 = 16, x2 = 30, E1 = E2 = 1770 → RR = 16/30 = 0.533333,
    # SE = sqrt(1/16 + 1/30) = 0.3095696, z = ln(0.533333) / SE = -0.6286087 / 0.3095696 = -2.030589.
    r = fit("overdispersed", model="poisson")
    se = math.sqrt(1 / 16 + 1 / 30)
    assert r["estimate"] == pytest.approx(16 / 30, abs=1e-12)
    assert r["statistic"] == pytest.approx(-2.030589, abs=1e-6)
    z = stats.norm.isf(0.025)
    assert [r["ci_low"], r["ci_high"]] == pytest.approx([16 / 30 * math.exp(-z * se), 16 / 30 * math.exp(z * se)],
                                                        rel=1e-10)


@pytest.mark.r
@pytest.mark.parametrize("case", ["poisson_ok", "overdispersed", "no_exposure"])
def test_cameron_trivedi_matches_aer(r_ref, case):
    # Reference: AER::dispersiontest(glm, trafo = 2), one-sided: z and p, relative 1e-9.
    r_ref.require("AER")
    r, ref = fit(case), r_ref[case]
    assert r["overdispersion_z"] == pytest.approx(ref["ct_z"], rel=1e-9)
    assert r["overdispersion_p"] == pytest.approx(ref["ct_p"], rel=1e-9)


@pytest.mark.r
@pytest.mark.parametrize("case", ["overdispersed", "no_exposure"])
def test_negative_binomial_matches_mass_glm_nb(r_ref, case):
    # Reference: MASS::glm.nb (theta by ML, Wald CI from confint.default), both fitted to
    # convergence 1e-12: rate ratio, CI, z, p relative 1e-6; alpha = 1/theta relative 1e-6.
    r_ref.require("MASS")
    r, ref = fit(case, model="negative_binomial"), r_ref[case]
    assert r["method"].startswith("Negative binomial (NB2)")
    assert r["estimate"] == pytest.approx(ref["nb_rr"], rel=1e-6)
    assert [r["ci_low"], r["ci_high"]] == pytest.approx([ref["nb_ci_1"], ref["nb_ci_2"]], rel=1e-6)
    assert r["statistic"] == pytest.approx(ref["nb_z"], rel=1e-6)
    assert r["se"] == pytest.approx(ref["nb_se"], rel=1e-6)
    assert r["p_val"] == pytest.approx(ref["nb_p"], rel=1e-6)
    assert r["nb_alpha"] == pytest.approx(1 / ref["nb_theta"], rel=1e-6)


@pytest.mark.r
@pytest.mark.parametrize("case", ["poisson_ok", "overdispersed", "no_exposure"])
def test_auto_switches_on_r_dispersion_test(r_ref, case):
    # The automatic choice follows the Cameron-Trivedi p-value R computes (alpha 0.05).
    r_ref.require("AER")
    r = fit(case)
    overdispersed = r_ref[case]["ct_p"] < 0.05
    assert r["method"].startswith("Negative binomial" if overdispersed else "Poisson")
    assert ("overdispersed, negative binomial used" in r["note"]) == overdispersed
    assert math.isnan(r["nb_alpha"]) != overdispersed


def test_underdispersed_forced_negative_binomial_says_so():
    r = fit("poisson_ok", model="negative_binomial")
    assert r["nb_alpha"] < 1e-6 and "boundary 0" in r["note"]


@pytest.mark.r
@pytest.mark.parametrize(("case", "ratio"), [("zero_treated", 0.0), ("zero_control", math.inf)])
def test_zero_events_group_uses_exact_test_like_r_poisson_test(r_ref, case, ratio):
    # Reference: R poisson.test(c(x1, x2), c(E1, E2)) (binomial conditional test,
    # Clopper-Pearson limits): relative 1e-9 (the lower limit is exactly 0 with no treated events,
    # the upper limit infinite with no control events).
    r, ref = fit(case), r_ref[case]
    assert r["method"].startswith("Exact conditional test")
    assert "a group has no events" in r["note"]
    assert r["estimate"] == ref["exact_rr"] == ratio
    assert math.isnan(r["se"])  # the exact CI is not built from a standard error
    assert [r["ci_low"], r["ci_high"]] == pytest.approx([ref["exact_ci_1"], ref["exact_ci_2"]], rel=1e-9)
    assert r["p_val"] == pytest.approx(ref["exact_p"], rel=1e-9)


@pytest.mark.r
@pytest.mark.parametrize("case", ["poisson_ok", "overdispersed", "large_counts"])
def test_exact_on_request_matches_r_poisson_test(r_ref, case):
    # Same reference, for groups that both have events: relative 1e-9.
    r, ref = fit(case, model="exact"), r_ref[case]
    assert r["estimate"] == pytest.approx(ref["exact_rr"], rel=1e-9)
    assert [r["ci_low"], r["ci_high"]] == pytest.approx([ref["exact_ci_1"], ref["exact_ci_2"]], rel=1e-9)
    assert r["p_val"] == pytest.approx(ref["exact_p"], rel=1e-9)


def test_no_events_at_all_gives_a_reason():
    data = frame("poisson_ok").assign(suspensions=0)
    r = rate_ratio(data, "suspensions", exposure="days").iloc[0]
    assert math.isnan(r["estimate"]) and "no events in either group" in r["note"]
    assert r["events_treated"] == 0 and r["events_control"] == 0


def test_rates_and_missing_values():
    data = frame("overdispersed")
    data.loc[0, "days"] = np.nan
    r = rate_ratio(data, "suspensions", exposure="days").iloc[0]
    assert r["n_treated"] == 9 and r["n_dropped"] == 1
    assert r["rate_treated"] == pytest.approx(16 / (1770 - 180), rel=1e-12)
    assert "1 row(s) dropped for missing `suspensions` or `days`" in r["note"]


def test_bad_counts_and_exposure_are_refused():
    data = frame("poisson_ok")
    with pytest.raises(ValueError, match="whole numbers of 0 or more.*1.5"):
        rate_ratio(data.assign(suspensions=[1.5] + data["suspensions"].tolist()[1:]), "suspensions")
    with pytest.raises(ValueError, match="`days` \\(exposure\\) must be above 0"):
        rate_ratio(data.assign(days=0), "suspensions", exposure="days")
    with pytest.raises(InsufficientDataError, match="no column `exclusions`"):
        rate_ratio(data, "exclusions")


def test_one_young_person_per_group():
    # Hand-worked: 1 vs 3 suspensions, one participant each → RR = 1/3, SE = sqrt(1/1 + 1/3);
    # the model is saturated, so the overdispersion test is not computed and the note says so.
    data = pd.DataFrame({"group": ["mentored", "comparison"], "suspensions": [1, 3]})
    r = rate_ratio(data, "suspensions").iloc[0]
    assert r["estimate"] == pytest.approx(1 / 3, rel=1e-12)
    z = stats.norm.isf(0.025)
    assert r["ci_high"] == pytest.approx(math.exp(math.log(1 / 3) + z * math.sqrt(4 / 3)), rel=1e-9)
    assert math.isnan(r["overdispersion_p"])
    assert "overdispersion test cannot be computed" in r["note"] and "little power" in r["note"]


def test_error_type_is_a_value_error_and_a_package_error():
    from cm_research.errors import CMResearchError

    assert issubclass(InsufficientDataError, ValueError) and issubclass(InsufficientDataError, CMResearchError)
    with pytest.raises(InsufficientDataError, match="group 'mentored'"):
        rate_ratio(pd.DataFrame({"group": ["comparison"], "suspensions": [2]}), "suspensions")
