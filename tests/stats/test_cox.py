"""hazard_ratio (Cox model, one group indicator) against R survival::coxph with Efron's and Breslow's ties, run in
the test (tests/reference/cox.R), plus hand-worked and edge cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cm_research.stats import SurvivalDataError, hazard_ratio

from .test_survival import aml, synthetic_matches, tied_ends


def _two(data: pd.DataFrame, column: str, treated: object) -> pd.DataFrame:
    return pd.DataFrame({"days": data["days"], "ended": data["ended"],
                         "group": np.where(data[column] == treated, "mentored", "comparison")})


SYN = synthetic_matches()
CASES = {
    # endings tied within and across arms, an ending and a censoring on one day
    "aml": _two(aml(), "arm", "maintained"),
    # endings and censorings tied at several times, the last included
    "tied_ends": _two(tied_ends(), "group", "a"),
    # weeks of follow-up (many ties), administrative censoring; two of the three programmes
    "synthetic": _two(SYN[SYN["programme"] != "volunteer"], "programme", "arts"),
    # no two endings on one day: Efron = Breslow, and the score test is the log-rank test
    "no_ties": pd.DataFrame({"days": [3, 5, 8, 9, 12, 15, 20, 4, 6, 7, 10, 11, 14, 16],
                             "ended": [1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1],
                             "group": ["mentored"] * 7 + ["comparison"] * 7}),
    # every mentored ending came while no comparison match was at risk: monotone likelihood
    "separated": pd.DataFrame({"days": [2, 3, 3, 5, 6, 8], "ended": [1, 1, 0, 1, 0, 1],
                               "group": ["comparison"] * 3 + ["mentored"] * 3}),
}


@pytest.fixture(scope="module")
def r_ref(r_reference):
    return r_reference("cox.R", {name: {"time": d["days"], "status": d["ended"],
                                        "treated": (d["group"] == "mentored").astype(int)}
                                 for name, d in CASES.items()})


@pytest.mark.r
@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("case", ["aml", "tied_ends", "synthetic", "no_ties"])
def test_hazard_ratio_matches_coxph(r_ref, case, ties):
    # Reference: coxph(Surv(time, status) ~ treated, ties = ties) run to eps 1e-14: hazard ratio, SE of its log,
    # Wald CI, z and p, likelihood-ratio and score tests, all relative 1e-8 (both solve the same equations).
    ref = r_ref[case]
    got = hazard_ratio(CASES[case], "days", "ended", "group", ties=ties).iloc[0]
    assert ref[f"{ties}_monotone"] == 0
    for ours, theirs in (("estimate", "hr"), ("se", "se"), ("ci_low", "ci_1"), ("ci_high", "ci_2"),
                         ("statistic", "z"), ("p_val", "p"), ("lr_chi2", "lr"), ("lr_p_val", "lr_p"),
                         ("score_chi2", "score"), ("score_p_val", "score_p")):
        assert got[ours] == pytest.approx(ref[f"{ties}_{theirs}"], rel=1e-8), ours
    assert got["method"].startswith(f"Cox proportional hazards, {ties.capitalize()} ties")


@pytest.mark.r
def test_efron_and_breslow_differ_with_ties_and_agree_without(r_ref):
    # With tied endings R's two methods give different estimates, and so do we (each matching R above);
    # without ties they are the same model, and the score test is survdiff's log-rank chi-square (relative 1e-10).
    for case in ("aml", "synthetic"):
        assert r_ref[case]["efron_hr"] != pytest.approx(r_ref[case]["breslow_hr"], rel=1e-4)
    efron = hazard_ratio(CASES["no_ties"], "days", "ended", "group").iloc[0]
    breslow = hazard_ratio(CASES["no_ties"], "days", "ended", "group", ties="breslow").iloc[0]
    assert efron["estimate"] == pytest.approx(breslow["estimate"], rel=1e-12)
    assert efron["score_chi2"] == pytest.approx(r_ref["no_ties"]["logrank"], rel=1e-10)


@pytest.mark.r
def test_separated_groups_are_not_given_a_finite_ratio(r_ref):
    # R: coxph warns "coefficient may be infinite" (monotone likelihood); we give no estimate, say why, and keep
    # the score test, which R computes at beta = 0 and is finite (relative 1e-8).
    assert r_ref["separated"]["efron_monotone"] == 1
    got = hazard_ratio(CASES["separated"], "days", "ended", "group").iloc[0]
    assert math.isnan(got["estimate"]) and math.isnan(got["ci_low"]) and "monotone likelihood" in got["note"]
    assert got["score_chi2"] == pytest.approx(r_ref["separated"]["efron_score"], rel=1e-8)


def test_three_matches_hand_worked():
    # Mentored ends on day 1, comparison on day 2, mentored on day 3, all at risk from the start; u = e^β.
    # log L = [β - log(2u + 1)] + [0 - log(u + 1)] + [β - β]; U = 1 - 2u/(2u + 1) - u/(u + 1) = 1/(2u + 1) - u/(u + 1),
    # zero when u + 1 = 2u² + u, i.e. u = 1/√2: the hazard ratio is 1/√2. Information at β̂:
    # 2u/(2u + 1)² + u/(u + 1)² = (3√2 - 4) + (3√2 - 4) = 6√2 - 8, so SE(β̂) = 1/sqrt(6√2 - 8).
    data = pd.DataFrame({"days": [1, 2, 3], "ended": [1, 1, 1], "group": ["mentored", "comparison", "mentored"]})
    got = hazard_ratio(data, "days", "ended", "group").iloc[0]
    assert got["estimate"] == pytest.approx(1 / math.sqrt(2), rel=1e-10)
    assert got["se"] == pytest.approx(1 / math.sqrt(6 * math.sqrt(2) - 8), rel=1e-10)
    assert "fewer than 5 endings" in got["note"]


def test_no_endings_other_groups_and_bad_options():
    data = pd.DataFrame({"days": [3, 4, 5, 6, 7], "ended": [0, 0, 0, 0, 0],
                         "group": ["mentored", "comparison", "mentored", "comparison", "school"]})
    got = hazard_ratio(data, "days", "ended", "group").iloc[0]
    assert math.isnan(got["estimate"]) and "no match ended" in got["note"] and "1 match(es) in other groups" in got["note"]
    assert got["n"] == 4 and got["n_other"] == 1
    with pytest.raises(SurvivalDataError, match="'efron' or 'breslow'"):
        hazard_ratio(data, "days", "ended", "group", ties="exact")
    with pytest.raises(SurvivalDataError, match="'volunteer'"):
        hazard_ratio(data, "days", "ended", "group", treated="volunteer")
