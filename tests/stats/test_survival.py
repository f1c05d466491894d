"""Kaplan-Meier, median, restricted mean, survival at times and log-rank tests against R's survival package
(run at test time, tests/reference/survival.R) and hand-worked examples; errors; the Kaplan-Meier figure."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib import pyplot as plt
from scipy import stats

from cm_research.plots.survival import kaplan_meier_plot, number_at_risk
from cm_research.stats.survival import (
    SurvivalDataError,
    at_risk_counts,
    kaplan_meier,
    logrank_test,
    survival_at,
    survival_summary,
)

Z95 = stats.norm.ppf(0.975)
TYPES = {"log": "log", "loglog": "log-log", "plain": "plain"}


def aml() -> pd.DataFrame:
    """R's survival::aml (acute myelogenous leukaemia, Embury et al. 1977), retyped: ties within and across
    groups, and an event and a censoring at the same time (13 weeks, maintained)."""
    maintained = [(9, 1), (13, 1), (13, 0), (18, 1), (23, 1), (28, 0), (31, 1), (34, 1), (45, 0), (48, 1), (161, 0)]
    other = [(5, 1), (5, 1), (8, 1), (8, 1), (12, 1), (16, 0), (23, 1), (27, 1), (30, 1), (33, 1), (43, 1), (45, 1)]
    rows = [(t, e, "maintained") for t, e in maintained] + [(t, e, "not maintained") for t, e in other]
    return pd.DataFrame(rows, columns=["days", "ended", "arm"])


def synthetic_matches(seed: int = 20240611) -> pd.DataFrame:
    """SYNTHETIC match durations for three programmes: weeks of follow-up (ties), administrative censoring."""
    rng = np.random.default_rng(seed)
    parts = []
    for programme, size, scale in (("arts", 14, 200), ("school", 22, 320), ("volunteer", 9, 150)):
        ends = np.ceil(rng.exponential(scale, size) / 7) * 7
        followed = np.ceil(rng.uniform(60, 500, size) / 7) * 7
        parts.append(pd.DataFrame({"days": np.minimum(ends, followed), "ended": (ends <= followed).astype(int),
                                   "programme": programme}))
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "match_id", [f"SYN-M{i:03d}" for i in range(len(out))])
    return out


def half() -> pd.DataFrame:
    """Group a: S is exactly 0.5 from day 2 to 3 and reaches 0 (median 2.5 by the midpoint rule);
    group b has a match that ended on its first day (duration 0)."""
    return pd.DataFrame({"days": [1, 2, 3, 4, 0, 2, 4, 4, 6, 8, 8], "ended": [1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1],
                         "group": list("aaaa") + list("bbbbbbb")})


def with_early_censored() -> pd.DataFrame:
    """aml plus a third group censored before the first ending: never at risk when a match ended (E = 0)."""
    extra = pd.DataFrame({"days": [1, 2, 3], "ended": [0, 0, 0], "arm": "transferred"})
    return pd.concat([aml(), extra], ignore_index=True)


def tied_ends() -> pd.DataFrame:
    """SYNTHETIC: in both groups endings and censorings share several times, the last time included (group a's
    last record is censored at the time of its last ending; group b's curve ends on two tied endings)."""
    return pd.DataFrame({"days": [3, 3, 3, 5, 5, 7, 7, 7, 2, 3, 3, 6, 7, 7],
                         "ended": [1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 1],
                         "group": list("aaaaaaaa") + list("bbbbbb")})


CASES = {
    "tied_ends": (tied_ends(), "group", [3, 5, 7], 7.0),
    "aml": (aml(), "arm", [10, 20, 30, 40], 40.0),
    "synthetic3": (synthetic_matches(), "programme", [90, 180, 365], 365.0),
    "half": (half(), "group", [1, 2.5, 4], 5.0),
    "early_censored": (with_early_censored(), "arm", [2, 10, 20, 30, 40], 40.0),
}


def labels(case: str) -> list:
    data, group, _, _ = CASES[case]
    return sorted(data[group].unique())


@pytest.fixture(scope="module")
def r_ref(r_reference):
    cases = {}
    for case, (data, group, times, tau) in CASES.items():
        code = {g: i + 1 for i, g in enumerate(labels(case))}
        cases[case] = {"time": data["days"], "status": data["ended"], "group": data[group].map(code),
                       "times": times, "tau": [tau]}
    return r_reference("survival.R", cases)


def r_vec(ref: dict, key: str) -> np.ndarray:
    """A vector R emitted as key (length 1) or key_1..key_k."""
    if key in ref:
        return np.array([ref[key]])
    out, i = [], 1
    while f"{key}_{i}" in ref:
        out.append(ref[f"{key}_{i}"])
        i += 1
    assert out, f"R gave no {key}"
    return np.array(out)


def close(ours, theirs, rel=1e-10):
    np.testing.assert_allclose(np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float), rtol=rel,
                               atol=1e-12, equal_nan=True)


# ---------------------------------------------------------------------------------------------------------
# Against R
# ---------------------------------------------------------------------------------------------------------

def test_synthetic_case_has_censoring_and_ties():
    data = synthetic_matches()
    assert data["match_id"].str.startswith("SYN-").all()
    assert 0 < data["ended"].sum() < len(data)
    tied = data.groupby(["programme", "days"])["ended"].agg(["size", "nunique"])
    assert (tied["size"] > 1).any() and (tied["nunique"] > 1).any()  # event and censoring at one time


@pytest.mark.r
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("conf", list(TYPES))
def test_kaplan_meier_matches_survfit(r_ref, case, conf):
    # Reference: survfit(Surv(time, status) ~ 1, conf.type = ...) per group: time, n.risk, n.event, n.censor,
    # surv, std.err (SE of -log S), summary(fit, censored = TRUE)$std.err (SE of S), lower, upper.
    data, group, _, _ = CASES[case]
    km = kaplan_meier(data, "days", "ended", group, conf_type=TYPES[conf])
    for code, label in enumerate(labels(case), start=1):
        ref = r_ref[case]
        rows = km[km["group"] == label]
        origin, obs = rows.iloc[0], rows.iloc[1:]
        assert (origin["time"], origin["survival"], origin["n_risk"]) == (0, 1, (data[group] == label).sum())
        for ours, key in (("time", "time"), ("n_risk", "n_risk"), ("n_event", "n_event"),
                          ("n_censor", "n_censor"), ("survival", "surv"), ("std_err_cumhaz", "se_cumhaz"),
                          ("std_err", "se_surv")):
            close(obs[ours], r_vec(ref, f"g{code}_{key}"))
        close_ci(obs, r_vec(ref, f"g{code}_lower_{conf}"), r_vec(ref, f"g{code}_upper_{conf}"))


def close_ci(ours: pd.DataFrame, low: np.ndarray, high: np.ndarray) -> None:
    """CI limits equal R's, except where S = 1: R's log-log interval is NA there (survfit, and summary.survfit
    after a censoring), ours is the point interval [1, 1] (the variance is 0)."""
    one = ours["survival"].to_numpy() == 1
    assert (ours["ci_low"][one] == 1).all() and (ours["ci_high"][one] == 1).all()
    assert np.all(np.isnan(low[one]) | (low[one] == 1)) and np.all(np.isnan(high[one]) | (high[one] == 1))
    close(ours["ci_low"][~one], low[~one])
    close(ours["ci_high"][~one], high[~one])


@pytest.mark.r
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("conf", list(TYPES))
def test_median_and_restricted_mean_match_print_survfit(r_ref, case, conf):
    # Reference: summary(fit, rmean = tau)$table: records, events, median, 0.95LCL, 0.95UCL, rmean, se(rmean).
    data, group, _, tau = CASES[case]
    out = survival_summary(data, "days", "ended", group, tau=tau, conf_type=TYPES[conf])
    ref = r_ref[case]
    assert list(out["group"]) == labels(case)
    for code, (_, row) in enumerate(out.iterrows(), start=1):
        close([row["median"], row["median_ci_low"], row["median_ci_high"]],
              [ref[f"g{code}_median_{conf}"], ref[f"g{code}_lcl_{conf}"], ref[f"g{code}_ucl_{conf}"]])
        close([row["n"], row["events"], row["rmst"], row["rmst_se"]],
              [ref[f"g{code}_n"], ref[f"g{code}_events"], ref[f"g{code}_rmean"], ref[f"g{code}_se_rmean"]])


@pytest.mark.r
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("conf", list(TYPES))
def test_survival_at_times_matches_summary_survfit(r_ref, case, conf):
    # Reference: summary(fit, times = times): surv, std.err (of S), lower, upper, n.risk, and n.event
    # (endings since the previous requested time: we report the running total).
    data, group, times, _ = CASES[case]
    out = survival_at(data, "days", "ended", times, group, conf_type=TYPES[conf])
    ref = r_ref[case]
    for code, label in enumerate(labels(case), start=1):
        rows = out[(out["group"] == label) & (out["time"] <= data.loc[data[group] == label, "days"].max())]
        for ours, key in (("survival", "surv"), ("std_err", "se"), ("n_risk", "n_risk")):
            close(rows[ours], r_vec(ref, f"g{code}_at_{key}_{conf}"))
        close_ci(rows, r_vec(ref, f"g{code}_at_lower_{conf}"), r_vec(ref, f"g{code}_at_upper_{conf}"))
        close(rows["events_by_time"], np.cumsum(r_vec(ref, f"g{code}_at_n_event_{conf}")))


@pytest.mark.r
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize(("test", "rho"), [("lr", 0), ("pp", 1), ("fh05", 0.5)])
def test_logrank_matches_survdiff(r_ref, case, test, rho):
    # Reference: survdiff(Surv(time, status) ~ factor(group), rho = rho): chisq, pvalue, obs, exp;
    # degrees of freedom = groups with exp > 0, minus 1.
    data, group, _, _ = CASES[case]
    row = logrank_test(data, "days", "ended", group, rho=rho).iloc[0]
    ref = r_ref[case]
    close([row["chi2"], row["p_val"], row["dof"]], [ref[f"{test}_chisq"], ref[f"{test}_p"], ref[f"{test}_df"]],
          rel=1e-9)
    close([row[f"observed_{g}"] for g in labels(case)], r_vec(ref, f"{test}_obs"))
    close([row[f"expected_{g}"] for g in labels(case)], r_vec(ref, f"{test}_exp"))


# ---------------------------------------------------------------------------------------------------------
# Hand-worked (no R needed)
# ---------------------------------------------------------------------------------------------------------

SIX = pd.DataFrame({"days": [2, 3, 3, 5, 6, 8], "ended": [1, 1, 0, 1, 0, 1], "programme": list("AAABBB")})


def test_kaplan_meier_hand_worked():
    # t=2: n=6, d=1: S = 5/6,                 Greenwood sum = 1/(6*5) = 1/30
    # t=3: n=5, d=1, 1 censored: S = 2/3,     sum = 1/30 + 1/(5*4) = 1/12 (the censored match is at risk at 3)
    # t=5: n=3, d=1: S = 4/9,                 sum = 1/12 + 1/(3*2) = 1/4
    # t=6: n=2, censored: S = 4/9,            sum = 1/4
    # t=8: n=1, d=1: S = 0,                   sum = inf (SE of S and CI undefined)
    km = kaplan_meier(SIX, "days", "ended")
    assert list(km["time"]) == [0, 2, 3, 5, 6, 8]
    assert list(km["n_risk"]) == [6, 6, 5, 3, 2, 1]
    assert list(km["n_event"]) == [0, 1, 1, 1, 0, 1]
    assert list(km["n_censor"]) == [0, 0, 1, 0, 1, 0]
    close(km["survival"], [1, 5 / 6, 2 / 3, 4 / 9, 4 / 9, 0])
    close(km["std_err_cumhaz"], [0, math.sqrt(1 / 30), math.sqrt(1 / 12), 0.5, 0.5, math.inf])
    close(km["std_err"], [0, 5 / 6 * math.sqrt(1 / 30), 2 / 3 * math.sqrt(1 / 12), 2 / 9, 2 / 9, math.nan])
    # log CI at t=5: (4/9) exp(-/+ 1.959964 * 0.5) = 0.167058, 1.182... capped at 1
    close(km[["ci_low", "ci_high"]].iloc[3], [4 / 9 * math.exp(-Z95 * 0.5), 1.0])
    assert km[["ci_low", "ci_high"]].iloc[5].isna().all()
    plain = kaplan_meier(SIX, "days", "ended", conf_type="plain").iloc[3]
    close([plain["ci_low"], plain["ci_high"]], [4 / 9 - Z95 * 2 / 9, 4 / 9 + Z95 * 2 / 9])
    ninety = kaplan_meier(SIX, "days", "ended", confidence=0.90).iloc[3]  # z = 1.644854
    close(ninety["ci_low"], 4 / 9 * math.exp(-stats.norm.ppf(0.95) * 0.5))
    loglog = kaplan_meier(SIX, "days", "ended", conf_type="log-log").iloc[3]
    centre, shift = math.log(-math.log(4 / 9)), Z95 * 0.5 / math.log(4 / 9)
    close([loglog["ci_low"], loglog["ci_high"]], [math.exp(-math.exp(centre - shift)),
                                                  math.exp(-math.exp(centre + shift))])


def test_summary_hand_worked():
    # Median: first S <= 0.5 is 4/9 at t=5. Restricted mean to tau=6 = area under the steps:
    # 2*1 + 1*(5/6) + 2*(2/3) + 1*(4/9) = 83/18. Areas after each event time up to 6: A(2) = 47/18,
    # A(3) = 16/9, A(5) = 4/9; Var = A(2)^2/30 + A(3)^2/20 + A(5)^2/6.
    row = survival_summary(SIX, "days", "ended", tau=6).iloc[0]
    assert (row["n"], row["events"], row["median"]) == (6, 4, 5)
    close(row["rmst"], 83 / 18)
    close(row["rmst_se"], math.sqrt((47 / 18) ** 2 / 30 + (16 / 9) ** 2 / 20 + (4 / 9) ** 2 / 6))


def test_median_midpoint_rule_hand_worked():
    # Group a ends at 1, 2, 3, 4: S = 3/4, 1/2, 1/4, 0. S is exactly 0.5 on [2, 3), so the median is 2.5.
    out = survival_summary(half(), "days", "ended", "group")
    assert out.loc[out["group"] == "a", "median"].item() == 2.5
    # Nobody reaching 0.5: median NaN with a note.
    few = pd.DataFrame({"days": [10, 20, 30, 40], "ended": [1, 0, 0, 0]})
    row = survival_summary(few, "days", "ended").iloc[0]
    assert math.isnan(row["median"]) and "no median" in row["note"]


def test_survival_at_hand_worked():
    # At 4 days: S = 2/3 (step at 3), at risk: durations >= 4 are 5, 6, 8 -> 3; ended by then: 2.
    # After the last follow-up (8 days) S is unknown.
    out = survival_at(SIX, "days", "ended", [0, 4, 9])
    close(out["survival"], [1, 2 / 3, math.nan])
    assert list(out["n_risk"]) == [6, 3, 0] and list(out["events_by_time"]) == [0, 2, 4]
    assert "after the last follow-up" in out["note"].iloc[2]


def test_logrank_hand_worked():
    # Pooled times: 2 (A ends; at risk A 3, B 3), 3 (A ends, A censored; A 2, B 3), 5 (B ends; A 0, B 3),
    # 6 (B censored), 8 (B ends; B 1).
    # E_A = 1*3/6 + 1*2/5 + 0 = 0.9;  V = 1*(5/5)*(3/6)(3/6) + 1*(4/4)*(2/5)(3/5) + 0 = 0.25 + 0.24 = 0.49
    # O_A = 2: chi2 = (2 - 0.9)^2 / 0.49 = 2.469388 on 1 df.
    row = logrank_test(SIX, "days", "ended", "programme").iloc[0]
    close([row["chi2"], row["dof"]], [1.1 ** 2 / 0.49, 1])
    close(row["p_val"], stats.chi2.sf(1.21 / 0.49, 1))
    close([row["observed_A"], row["expected_A"], row["observed_B"], row["expected_B"]], [2, 0.9, 2, 3.1])
    assert (row["n"], row["events"], row["test"]) == (6, 4, "log-rank")


def test_timedelta_and_boolean_input():
    data = SIX.assign(days=pd.to_timedelta(SIX["days"], unit="D"), ended=SIX["ended"].astype(bool))
    pd.testing.assert_frame_equal(kaplan_meier(data, "days", "ended"), kaplan_meier(SIX, "days", "ended"))


# ---------------------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "message"), [
    ({"days": [2, -3, 3, 5, 6, 8]}, r"must be 0 or more.*row\(s\) 1 hold -3"),
    ({"days": [2, 3, None, 5, 6, None]}, r"missing values in `days` in row\(s\) 2, 5"),
    ({"ended": [1, 2, 0, 1, 0, 1]}, r"must be 1/True.*row\(s\) 1 hold 2"),
    ({"ended": ["yes", 1, 0, 1, 0, 1]}, r"must be 1/True.*row\(s\) 0 hold 'yes'"),
    ({"days": ["2", "three", 3, 5, 6, 8]}, r"numbers of days.*row\(s\) 1 hold 'three'"),
    ({"days": pd.to_datetime(["2024-01-02"] * 6)}, "holds dates"),
])
def test_bad_input_names_the_rows(change, message):
    with pytest.raises(SurvivalDataError, match=message):
        kaplan_meier(SIX.assign(**change), "days", "ended", "programme")


def test_errors_for_groups_and_options():
    with pytest.raises(SurvivalDataError, match=r"'C' of column `programme` have no rows"):
        kaplan_meier(SIX, "days", "ended", "programme", order=["A", "B", "C"])
    empty_category = SIX.assign(programme=pd.Categorical(SIX["programme"], categories=["A", "B", "C"]))
    with pytest.raises(SurvivalDataError, match="have no rows"):
        logrank_test(empty_category, "days", "ended", "programme")
    with pytest.raises(SurvivalDataError, match="2 or more groups"):
        logrank_test(SIX.assign(programme="A"), "days", "ended", "programme")
    with pytest.raises(SurvivalDataError, match="no match ended"):
        logrank_test(SIX.assign(ended=0), "days", "ended", "programme")
    with pytest.raises(SurvivalDataError, match="no duration column `weeks`"):
        kaplan_meier(SIX, "weeks", "ended")
    with pytest.raises(SurvivalDataError, match="conf_type"):
        kaplan_meier(SIX, "days", "ended", conf_type="logit")
    with pytest.raises(SurvivalDataError, match="tau"):
        survival_summary(SIX, "days", "ended", tau=-1)
    with pytest.raises(SurvivalDataError, match="holds group"):
        kaplan_meier(SIX, "days", "ended", "programme", order=["A"])


# ---------------------------------------------------------------------------------------------------------
# Figure
# ---------------------------------------------------------------------------------------------------------

def test_plot_steps_equal_the_table_and_small_numbers_at_risk_are_suppressed():
    data = synthetic_matches()
    km = kaplan_meier(data, "days", "ended", "programme")
    times = [0, 100, 200, 300, 400]
    ax = kaplan_meier_plot(km, at_risk_times=times, min_at_risk=None)  # whole curves (truncation: its own test)
    curves = [line for line in ax.get_lines() if line.get_gid() == "survival_curve"]
    assert [c.get_label() for c in curves] == ["arts", "school", "volunteer"]
    for curve in curves:
        rows = km[km["group"] == curve.get_label()]
        close(curve.get_xdata(), rows["time"])
        close(curve.get_ydata(), rows["survival"])
        assert curve.get_drawstyle() == "steps-post"
    marks = [line for line in ax.get_lines() if line.get_gid() == "censor_marks"]
    assert sum(len(m.get_xdata()) for m in marks) == int((km["n_censor"] > 0).sum())
    assert ax.get_xlabel() == "Days since the match started"
    assert ax.get_ylabel() == "Proportion of matches still going"

    shown = [t.get_text() for t in ax.texts if t.get_gid() == "at_risk"]
    raw = number_at_risk(km, times, suppress=False)["n_risk"].tolist()
    assert len(shown) == len(raw) == 15
    assert any(1 <= n <= 5 for n in raw)  # the test exercises suppression
    assert shown == ["c" if 1 <= n <= 5 else str(n) for n in raw]
    assert any(t.get_gid() == "at_risk_note" for t in ax.texts)

    unsuppressed = kaplan_meier_plot(km, at_risk_times=times, suppress=False)
    assert [t.get_text() for t in unsuppressed.texts if t.get_gid() == "at_risk"] == [str(n) for n in raw]
    plt.close("all")


def test_number_at_risk_counts_durations_at_or_after_each_time():
    # SIX: durations 2, 3, 3, 5, 6, 8 -> at risk at 0: 6, at 3: 5 (3, 3, 5, 6, 8), at 7: 1, at 9: 0.
    out = number_at_risk(kaplan_meier(SIX, "days", "ended"), [0, 3, 7, 9], suppress=False)
    assert out["n_risk"].tolist() == [6, 5, 1, 0]
    published = number_at_risk(kaplan_meier(SIX, "days", "ended"), [0, 3, 7, 9])
    assert published["n_risk"].tolist() == [6, "c", "c", 0]
    # the statistic itself gives the raw counts; suppression is the publishing layer's
    assert at_risk_counts(kaplan_meier(SIX, "days", "ended"), [0, 3, 7, 9])["n_risk"].tolist() == [6, 5, 1, 0]


def test_number_at_risk_is_still_reachable_under_its_old_name_with_a_warning():
    from cm_research import stats
    from cm_research.deprecation import CMResearchDeprecationWarning
    from cm_research.stats import survival

    for module in (stats, survival):
        with pytest.warns(CMResearchDeprecationWarning, match="cm_research.plots.survival.number_at_risk"):
            assert module.number_at_risk is number_at_risk
    with pytest.raises(AttributeError):
        survival.no_such_name
