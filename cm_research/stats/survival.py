"""Survival analysis of match durations: Kaplan-Meier curves, medians, survival at set times, log-rank tests.

A mentoring match is followed from the day it started (time 0) until it ended (an *event*) or until the
data were collected while it was still going (*censored*: we only know it lasted at least that long).
Each function takes a tidy table with one row per match: a duration (days, or any unit: a timedelta
column is turned into days), an event indicator (1/True = the match ended, 0/False = still going) and
optionally a group column. Results follow R's ``survival`` package (Therneau), which the tests use as
the reference: ``survfit`` (Kaplan-Meier, Greenwood, CI types), ``print.survfit`` (median and its CI,
restricted mean), ``summary.survfit(times=)`` and ``survdiff`` (log-rank and Fleming-Harrington tests).

Ties: at a time where some matches end and others are censored, the endings are counted first, so the
censored matches are still at risk at that time (Kaplan & Meier 1958, as R does).

Counts in these tables are counts of children: suppress small numbers (:mod:`cm_research.privacy.suppression`)
before publishing them. Publication policy is applied above the statistics:
:func:`cm_research.plots.survival.number_at_risk` suppresses the raw :func:`at_risk_counts` by default.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from cm_research.deprecation import renamed_arguments, moved_attribute
from cm_research.errors import CMResearchError
from cm_research.contract import critical_value

__all__ = [
    "SurvivalDataError",
    "CONF_TYPES",
    "kaplan_meier",
    "survival_summary",
    "survival_at",
    "logrank_test",
    "at_risk_counts",
]

CONF_TYPES = ("log", "log-log", "plain")
ALL_GROUP = "all"
KM_COLUMNS = ["group", "time", "n_risk", "n_event", "n_censor", "survival", "std_err", "std_err_cumhaz",
              "ci_low", "ci_high"]


class SurvivalDataError(CMResearchError, ValueError):
    """Match durations cannot be analysed as given: a column is missing, a duration is negative or
    missing, an event flag is not 0/1, a group has no rows, or a test needs more groups. The message
    says what was expected, what was found and in which rows."""


# ----------------------------------------------------------------------------------------------------------
# Input checks (once, at the public boundary)
# ----------------------------------------------------------------------------------------------------------

def _rows(index: pd.Index, mask: np.ndarray, limit: int = 10) -> str:
    labels = [str(i) for i in index[mask][:limit]]
    more = int(mask.sum()) - len(labels)
    return ", ".join(labels) + (f" and {more} more" if more > 0 else "")


def _prepare(data: pd.DataFrame, duration: str, event: str, group: str | None, order: Sequence | None,
             where: str) -> tuple[pd.DataFrame, list]:
    """Checked copy with columns group, time (float), event (0/1 int), and the groups in order."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{where}: `data` must be a pandas DataFrame with one row per match, "
                        f"not {type(data).__name__}.")
    for role, column in (("duration", duration), ("event", event), ("group", group)):
        if column is not None and column not in data.columns:
            raise SurvivalDataError(f"{where}: there is no {role} column `{column}` in the data. The columns are: "
                                    f"{', '.join(map(str, data.columns)) or '(none)'}.")
    if len(data) == 0:
        raise SurvivalDataError(f"{where}: the data have no rows (expected one row per match).")
    used = [c for c in (duration, event, group) if c is not None]
    missing = data[used].isna().to_numpy()
    if missing.any():
        parts = [f"`{c}` in row(s) {_rows(data.index, missing[:, j])}"
                 for j, c in enumerate(used) if missing[:, j].any()]
        raise SurvivalDataError(f"{where}: missing values in {'; '.join(parts)}. Every match needs a duration, "
                                "an event flag" + (" and a group" if group else "") + "; fill them in or leave "
                                "those matches out on purpose (and say so).")

    raw = data[duration]
    if pd.api.types.is_datetime64_any_dtype(raw):
        raise SurvivalDataError(f"{where}: duration column `{duration}` holds dates; give the number of days from "
                                "the start of each match to its end (or to the data collection date).")
    if pd.api.types.is_timedelta64_dtype(raw):
        time = raw.dt.total_seconds().to_numpy() / 86400.0
    else:
        numeric = pd.to_numeric(raw, errors="coerce")
        bad = numeric.isna().to_numpy() | np.array([isinstance(v, (bool, np.bool_)) for v in raw])
        if bad.any():
            shown = ", ".join(repr(v) for v in raw[bad].head(3))
            raise SurvivalDataError(f"{where}: duration column `{duration}` must hold numbers of days, but row(s) "
                                    f"{_rows(data.index, bad)} hold {shown}.")
        time = numeric.to_numpy(dtype=float)
    bad = ~np.isfinite(time) | (time < 0)
    if bad.any():
        shown = ", ".join(f"{v:g}" for v in time[bad][:3])
        raise SurvivalDataError(f"{where}: duration column `{duration}` must be 0 or more (days since the match "
                                f"started), but row(s) {_rows(data.index, bad)} hold {shown}. Check the start and "
                                "end dates of those matches.")

    flags = data[event]
    # Only numbers and booleans: a text "1" or "yes" is refused rather than guessed at.
    bad = np.array([not isinstance(v, (bool, np.bool_, int, np.integer, float, np.floating)) or v not in (0, 1)
                    for v in flags.to_numpy(dtype=object)], dtype=bool)
    if bad.any():
        shown = ", ".join(repr(v) for v in flags[bad].head(3))
        raise SurvivalDataError(f"{where}: event column `{event}` must be 1/True (the match ended) or 0/False "
                                f"(still going, censored), but row(s) {_rows(data.index, bad)} hold {shown}.")
    status = flags.to_numpy(dtype=object).astype(float).astype(int)

    labels = data[group] if group is not None else pd.Series(ALL_GROUP, index=data.index)
    groups = _group_order(labels, order, group, where)
    frame = pd.DataFrame({"group": labels.to_numpy(dtype=object), "time": time, "event": status})
    return frame, groups


def _group_order(labels: pd.Series, order: Sequence | None, group: str | None, where: str) -> list:
    present = list(pd.unique(labels))
    if order is None:
        if isinstance(labels.dtype, pd.CategoricalDtype):
            order = list(labels.cat.categories)
        else:
            try:  # R sorts the levels of a grouping factor; keep that order where the labels sort.
                order = sorted(present)
            except TypeError:
                order = present
    order = list(order)
    empty = [g for g in order if g not in present]
    if empty:
        raise SurvivalDataError(f"{where}: group(s) {', '.join(map(repr, empty))} of column `{group}` have no rows. "
                                f"Groups with data: {', '.join(map(repr, present))}. Drop the empty group(s) "
                                "(e.g. unused categories) or check the labels.")
    extra = [g for g in present if g not in order]
    if extra:
        raise SurvivalDataError(f"{where}: column `{group}` holds group(s) {', '.join(map(repr, extra))} that "
                                f"`order` does not list ({', '.join(map(repr, order))}); list them or filter the "
                                "rows first.")
    return order


def _z(confidence: float, conf_type: str, where: str) -> float:
    if conf_type not in CONF_TYPES:
        raise SurvivalDataError(f"{where}: conf_type must be one of {', '.join(map(repr, CONF_TYPES))}, "
                                f"not {conf_type!r}.")
    if not 0 < confidence < 1:
        raise SurvivalDataError(f"{where}: confidence must be between 0 and 1 (e.g. 0.95), not {confidence!r}.")
    return critical_value(confidence)


# ----------------------------------------------------------------------------------------------------------
# Kaplan-Meier
# ----------------------------------------------------------------------------------------------------------

def _km_steps(time: np.ndarray, status: np.ndarray) -> dict[str, np.ndarray]:
    """Kaplan-Meier estimate at each distinct time of one group (events counted before censorings)."""
    times, position = np.unique(time, return_inverse=True)
    n_event = np.bincount(position, weights=status, minlength=len(times)).astype(int)
    n_total = np.bincount(position, minlength=len(times))
    n_risk = len(time) - np.concatenate([[0], np.cumsum(n_total)[:-1]])
    survival = np.cumprod(1 - n_event / n_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.where(n_event == 0, 0.0, n_event / (n_risk * (n_risk - n_event)))
    se_cumhaz = np.sqrt(np.cumsum(greenwood))  # inf once everyone at risk has had the event
    with np.errstate(invalid="ignore"):
        std_err = np.where(survival == 0, np.nan, survival * se_cumhaz)
    return {"time": times, "n_risk": n_risk, "n_event": n_event, "n_censor": n_total - n_event,
            "survival": survival, "std_err": std_err, "std_err_cumhaz": se_cumhaz}


def _confint(survival: np.ndarray, se_cumhaz: np.ndarray, z: float, conf_type: str) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise CI for S(t) as R's survfit computes it (survfit_confint); [1, 1] where S = 1."""
    s = np.asarray(survival, dtype=float)
    se = np.asarray(se_cumhaz, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if conf_type == "plain":
            half = z * se * s
            low, high = np.maximum(s - half, 0.0), np.minimum(s + half, 1.0)
            low[np.isnan(half)] = high[np.isnan(half)] = np.nan
        elif conf_type == "log":
            positive = np.where(s > 0, s, np.nan)
            low, high = positive * np.exp(-z * se), np.minimum(positive * np.exp(z * se), 1.0)
        else:  # log-log
            inside = np.where((s > 0) & (s < 1), s, np.nan)
            shift = z * se / np.log(inside)
            centre = np.log(-np.log(inside))
            low, high = np.exp(-np.exp(centre - shift)), np.exp(-np.exp(centre + shift))
    # S = 1 has variance 0: the interval is the point (R leaves log-log NA there, see kaplan_meier's Notes).
    low = np.where(s == 1, 1.0, low)
    high = np.where(s == 1, 1.0, high)
    return low, high


@renamed_arguments(conf_level="confidence")
def kaplan_meier(
    data: pd.DataFrame,
    duration: str,
    event: str,
    group: str | None = None,
    *,
    confidence: float = 0.95,
    conf_type: str = "log",
    order: Sequence | None = None,
) -> pd.DataFrame:
    """Kaplan-Meier estimate of the proportion of matches still going, with Greenwood standard errors.

    Parameters
    ----------
    data : one row per match.
    duration : column of days from the start of the match to its end, or to the data collection date if
        it is still going (0 or more; a timedelta column is converted to days).
    event : column: 1/True if the match ended, 0/False if it is still going (censored).
    group : optional column to estimate one curve per group (e.g. ``"site"``, ``"programme"``).
    confidence : level of the pointwise confidence intervals.
    conf_type : ``"log"`` (R's survfit default), ``"log-log"`` or ``"plain"`` (see Notes).
    order : the groups in the order wanted; default: categories of a categorical column, else sorted.

    Returns
    -------
    DataFrame, one row per group and distinct time (events and censorings), preceded for each group by an
    origin row at time 0 with ``survival`` 1, so that curves start at 1:

    ``group`` (the label, or ``"all"`` without `group`), ``time``, ``n_risk`` (matches still going just
    before ``time``), ``n_event`` (matches ending at ``time``), ``n_censor`` (censored at ``time``),
    ``survival`` (S(t)), ``std_err`` (Greenwood SE of S(t), what R's ``summary(fit)$std.err`` shows),
    ``std_err_cumhaz`` (SE of -log S(t), what R's ``fit$std.err`` holds and the CIs use),
    ``ci_low``, ``ci_high``. ``attrs`` records conf_level (the confidence), conf_type and the group column's name.
    If some durations are 0, the origin row is followed by a second row at time 0 holding them.

    Notes
    -----
    With distinct times t_1 < t_2 < ..., n_i matches at risk and d_i endings at t_i (Kaplan & Meier 1958):

        S(t) = prod_{t_i <= t} (1 - d_i / n_i)

    Greenwood (1926): Var[-log S(t)] = sum_{t_i <= t} d_i / (n_i (n_i - d_i)) = se_cumhaz^2, and
    SE[S(t)] = S(t) se_cumhaz. Pointwise (1 - alpha) intervals with z = z_{1-alpha/2}, as R's survfit:

    - ``"log"``: S exp(-/+ z se_cumhaz), upper end capped at 1 (undefined where S = 0);
    - ``"log-log"``: exp(-exp(log(-log S) -/+ z se_cumhaz / log S)) (undefined where S = 0; where S = 1 we
      give the point interval [1, 1] -- the variance is 0 -- where R leaves it NA, except that
      summary.survfit gives [1, 1] before the first observed time);
    - ``"plain"``: S -/+ z SE[S], clipped to [0, 1].

    Where S reaches 0 the Greenwood variance is infinite: ``std_err_cumhaz`` is inf and ``std_err`` and the
    CI are NaN there, as in R.

    References
    ----------
    Kaplan, E. L. & Meier, P. (1958). Nonparametric estimation from incomplete observations. Journal of the
    American Statistical Association, 53, 457-481.
    Greenwood, M. (1926). The natural duration of cancer. Reports on Public Health and Medical Subjects, 33.
    Kalbfleisch, J. D. & Prentice, R. L. (2002). The Statistical Analysis of Failure Time Data (2nd ed.), 1.4.
    Therneau, T. M. (2023). survival: A Package for Survival Analysis in R (survfit, survfit_confint).

    Example
    -------
    >>> import pandas as pd
    >>> matches = pd.DataFrame({"days": [2, 3, 3, 5, 6, 8], "ended": [1, 1, 0, 1, 0, 1]})
    >>> km = kaplan_meier(matches, "days", "ended")
    >>> [round(s, 4) for s in km["survival"]]
    [1.0, 0.8333, 0.6667, 0.4444, 0.4444, 0.0]
    """
    where = "kaplan_meier"
    z = _z(confidence, conf_type, where)
    frame, groups = _prepare(data, duration, event, group, order, where)
    parts = []
    for label in groups:
        rows = frame[frame["group"] == label]
        steps = _km_steps(rows["time"].to_numpy(), rows["event"].to_numpy())
        origin = {"time": [0.0], "n_risk": [len(rows)], "n_event": [0], "n_censor": [0], "survival": [1.0],
                  "std_err": [0.0], "std_err_cumhaz": [0.0]}
        table = pd.DataFrame({k: np.concatenate([origin[k], v]) for k, v in steps.items()})
        table.insert(0, "group", label)
        parts.append(table)
    km = pd.concat(parts, ignore_index=True)
    km["ci_low"], km["ci_high"] = _confint(km["survival"].to_numpy(), km["std_err_cumhaz"].to_numpy(), z, conf_type)
    for column in ("n_risk", "n_event", "n_censor"):
        km[column] = km[column].astype("int64")
    km = km[KM_COLUMNS]
    km.attrs.update({"conf_level": confidence, "conf_type": conf_type, "group_column": group})
    return km


def _observed(km: pd.DataFrame) -> pd.DataFrame:
    """The rows of one group's table at observed times (without the origin row)."""
    return km.iloc[1:]


# ----------------------------------------------------------------------------------------------------------
# Median, restricted mean, survival at chosen times
# ----------------------------------------------------------------------------------------------------------

def _first_below_half(curve: np.ndarray, time: np.ndarray) -> float:
    """Earliest time the curve is at or below 0.5; where it sits exactly at 0.5, the midpoint between that
    time and the next time it drops (R's print.survfit rule). NaN if it never reaches 0.5."""
    tolerance = np.sqrt(np.finfo(float).eps)
    keep = ~np.isnan(curve) & (curve < 0.5 + tolerance)
    if not keep.any():
        return np.nan
    y, x = curve[keep], time[keep]
    lower = np.flatnonzero(y < y[0])
    if abs(y[0] - 0.5) < tolerance and len(lower):
        return float((x[0] + x[lower[0]]) / 2)
    return float(x[0])


def _restricted_mean(km: pd.DataFrame, tau: float) -> tuple[float, float]:
    """Area under S from 0 to tau and its SE, as R's survmean computes them (print(fit, rmean=tau))."""
    obs = _observed(km)
    time, surv = obs["time"].to_numpy(), obs["survival"].to_numpy()
    n, d = obs["n_risk"].to_numpy(), obs["n_event"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard_var = np.where(n - d == 0, 0.0, d / (n * (n - d)))
    keep = time <= tau
    times = np.concatenate([time[keep], [tau]])
    survs = np.concatenate([surv[keep], surv[keep][-1:]]) if keep.any() else np.array([1.0])
    hazard_var = np.concatenate([hazard_var[keep], [0.0]])
    widths = np.diff(np.concatenate([[0.0], times]))
    rectangles = widths * np.concatenate([[1.0], survs[:-1]])
    # Area beyond each event time, up to tau, weights that time's Greenwood term.
    areas_after = np.cumsum(rectangles[1:][::-1])
    variance = float(np.sum(areas_after ** 2 * hazard_var[::-1][1:]))
    return float(rectangles.sum()), float(np.sqrt(variance))


@renamed_arguments(conf_level="confidence")
def survival_summary(
    data: pd.DataFrame,
    duration: str,
    event: str,
    group: str | None = None,
    *,
    tau: float | None = None,
    confidence: float = 0.95,
    conf_type: str = "log",
    order: Sequence | None = None,
) -> pd.DataFrame:
    """Per group: matches, endings, median duration with its CI and, with `tau`, the restricted mean.

    Parameters
    ----------
    data, duration, event, group, confidence, conf_type, order : as for :func:`kaplan_meier`.
    tau : horizon in days for the restricted mean survival time (e.g. 365); None to leave it out.

    Returns
    -------
    One row per group: ``group``, ``n``, ``events``, ``median``, ``median_ci_low``, ``median_ci_high``,
    and with `tau`: ``tau``, ``rmst``, ``rmst_se``; then ``conf_level``, ``conf_type``, ``note``.
    A median or CI limit the data do not reach is NaN (e.g. fewer than half the matches have ended).

    Notes
    -----
    Median: the earliest t with S(t) <= 0.5; where S is exactly 0.5 over an interval, the midpoint of that
    interval. Its CI (Brookmeyer & Crowley 1982) is the set of t whose pointwise CI for S(t) contains 0.5:
    the lower limit is where the lower CI curve first reaches 0.5, the upper where the upper curve does, with
    the same midpoint rule -- as R's ``print.survfit``, so the CI depends on `conf_type` (R's default "log").

    Restricted mean survival time (Irwin 1949; Royston & Parmar 2013): RMST(tau) = integral_0^tau S(t) dt, the
    mean number of days (of the first tau) that matches last. With A_i = integral_{t_i}^tau S(t) dt over the
    event times t_i <= tau, Var = sum_i A_i^2 d_i / (n_i (n_i - d_i)), as R's ``print(fit, rmean=tau)``.
    If tau is beyond a group's last time, S is carried forward to tau, as R does (note added).

    References
    ----------
    Brookmeyer, R. & Crowley, J. (1982). A confidence interval for the median survival time. Biometrics, 38,
    29-41.
    Royston, P. & Parmar, M. K. B. (2013). Restricted mean survival time: an alternative to the hazard ratio
    for the design and analysis of randomized trials with a time-to-event outcome. BMC Medical Research
    Methodology, 13, 152.

    Example
    -------
    >>> import pandas as pd
    >>> matches = pd.DataFrame({"days": [2, 3, 3, 5, 6, 8], "ended": [1, 1, 0, 1, 0, 1]})
    >>> float(survival_summary(matches, "days", "ended")["median"].iloc[0])
    5.0
    """
    if tau is not None and not (np.isfinite(tau) and tau > 0):
        raise SurvivalDataError(f"survival_summary: tau (the horizon for the restricted mean) must be a positive "
                                f"number of days, not {tau!r}.")
    km = kaplan_meier(data, duration, event, group, confidence=confidence, conf_type=conf_type, order=order)
    rows = []
    for label, table in km.groupby("group", sort=False):
        obs = _observed(table)
        time = obs["time"].to_numpy()
        row = {"group": label, "n": int(table["n_risk"].iloc[0]), "events": int(obs["n_event"].sum()),
               "median": _first_below_half(obs["survival"].to_numpy(), time),
               "median_ci_low": _first_below_half(obs["ci_low"].to_numpy(), time),
               "median_ci_high": _first_below_half(obs["ci_high"].to_numpy(), time)}
        notes = []
        if np.isnan(row["median"]):
            notes.append("fewer than half the matches ended during follow-up: no median")
        if tau is not None:
            row["tau"] = float(tau)
            row["rmst"], row["rmst_se"] = _restricted_mean(table, float(tau))
            if tau > time.max() and obs["survival"].iloc[-1] > 0:
                notes.append(f"tau ({tau:g}) is after the last follow-up ({time.max():g}): S carried forward")
        row.update({"conf_level": confidence, "conf_type": conf_type, "note": "; ".join(notes)})
        rows.append(row)
    out = pd.DataFrame(rows)
    out[["n", "events"]] = out[["n", "events"]].astype("int64")
    return out


@renamed_arguments(conf_level="confidence")
def survival_at(
    data: pd.DataFrame,
    duration: str,
    event: str,
    times: Sequence[float],
    group: str | None = None,
    *,
    confidence: float = 0.95,
    conf_type: str = "log",
    order: Sequence | None = None,
) -> pd.DataFrame:
    """Proportion of matches still going at chosen times (e.g. 90, 180, 365 days), with CIs.

    Returns
    -------
    One row per group and time: ``group``, ``time``, ``n_risk`` (matches still going and followed at
    ``time``: duration >= time), ``events_by_time`` (matches that ended by ``time``), ``survival``,
    ``std_err`` (Greenwood SE of S), ``ci_low``, ``ci_high``, ``note``. After a group's last follow-up
    time, S is unknown: NaN with a note (R's summary(fit, times=) leaves such times out).

    Notes
    -----
    S(t) is the Kaplan-Meier step function at t (right-continuous: endings at t count), with the Greenwood
    SE and the CI of :func:`kaplan_meier` at that step, as ``summary(fit, times=)`` in R.

    The default ``conf_type="log"`` is R's, and too narrow for a Virtual School's groups: for S(180 days) of
    exponential match lengths, a 95% CI covered 88-91% of samples of 10 matches and 93% of 20, where
    ``conf_type="log-log"`` covered 96% and 94% (``benchmarks/coverage_ci.py`` and a 400-sample rerun).

    Example
    -------
    >>> import pandas as pd
    >>> matches = pd.DataFrame({"days": [20, 95, 130, 200, 260, 400], "ended": [1, 0, 1, 1, 0, 0]})
    >>> survival_at(matches, "days", "ended", [90, 180, 365])["survival"].round(4).tolist()
    [0.8333, 0.625, 0.4167]
    """
    grid = np.asarray(times, dtype=float)
    if grid.ndim != 1 or len(grid) == 0 or not np.all(np.isfinite(grid)) or np.any(grid < 0):
        raise SurvivalDataError(f"survival_at: `times` must be a list of days, 0 or more (e.g. [90, 180, 365]), "
                                f"not {times!r}.")
    km = kaplan_meier(data, duration, event, group, confidence=confidence, conf_type=conf_type, order=order)
    rows = []
    for label, table in km.groupby("group", sort=False):
        time = table["time"].to_numpy()
        last = time.max()
        for t in grid:
            step = table.iloc[int(np.searchsorted(time, t, side="right")) - 1]
            later = table[time >= t]
            row = {"group": label, "time": float(t),
                   "n_risk": int(later["n_risk"].iloc[0]) if len(later) else 0,
                   "events_by_time": int(table.loc[time <= t, "n_event"].sum()),
                   "survival": step["survival"], "std_err": step["std_err"],
                   "ci_low": step["ci_low"], "ci_high": step["ci_high"], "note": ""}
            if t > last:
                row.update(survival=np.nan, std_err=np.nan, ci_low=np.nan, ci_high=np.nan,
                           note=f"after the last follow-up time ({last:g}): unknown")
            rows.append(row)
    out = pd.DataFrame(rows)
    out[["n_risk", "events_by_time"]] = out[["n_risk", "events_by_time"]].astype("int64")
    return out


# ----------------------------------------------------------------------------------------------------------
# Log-rank and Fleming-Harrington tests
# ----------------------------------------------------------------------------------------------------------

def logrank_test(
    data: pd.DataFrame,
    duration: str,
    event: str,
    group: str,
    *,
    rho: float = 0.0,
    order: Sequence | None = None,
) -> pd.DataFrame:
    """Log-rank test that the groups' match-duration curves are the same (k groups), as R's ``survdiff``.

    Parameters
    ----------
    data, duration, event, order : as for :func:`kaplan_meier`.
    group : the column whose groups are compared (2 or more groups).
    rho : 0 for the log-rank test (Mantel 1966); 1 for the Peto & Peto (1972) modification of the
        Gehan-Wilcoxon test, which weights early endings more; other values give the Fleming-Harrington
        G-rho family (Harrington & Fleming 1982).

    Returns
    -------
    One row: ``test``, ``rho``, ``n``, ``events``, ``chi2``, ``dof``, ``p_val``, then per group g
    ``observed_<g>`` and ``expected_<g>`` (weighted by S(t-)^rho when rho != 0, as survdiff reports them),
    and ``note``.

    Notes
    -----
    At each distinct time t_j where d_j matches end among n_j at risk (n_gj in group g), with weight
    w_j = S(t_j-)^rho, S the Kaplan-Meier estimate of all groups pooled (left-continuous):

        O_g = sum_j w_j d_gj,   E_g = sum_j w_j d_j n_gj / n_j,
        V_gh = sum_j w_j^2 d_j (n_j - d_j) / (n_j - 1) * (n_gj / n_j) (delta_gh - n_hj / n_j).

    chi2 = (O - E)' V^-1 (O - E) over all groups but one (V is singular: each row sums to 0), on k - 1
    degrees of freedom; groups with E_g = 0 (never at risk when a match ended) are left out and the degrees
    of freedom reduced, as survdiff does.

    References
    ----------
    Mantel, N. (1966). Evaluation of survival data and two new rank order statistics arising in its
    consideration. Cancer Chemotherapy Reports, 50, 163-170.
    Peto, R. & Peto, J. (1972). Asymptotically efficient rank invariant test procedures. Journal of the Royal
    Statistical Society A, 135, 185-207.
    Harrington, D. P. & Fleming, T. R. (1982). A class of rank test procedures for censored survival data.
    Biometrika, 69, 553-566.

    Example
    -------
    >>> import pandas as pd
    >>> matches = pd.DataFrame({"days": [2, 3, 3, 5, 6, 8], "ended": [1, 1, 0, 1, 0, 1],
    ...                         "programme": ["A", "A", "A", "B", "B", "B"]})
    >>> round(float(logrank_test(matches, "days", "ended", "programme")["chi2"].iloc[0]), 6)  # 1.1^2 / 0.49
    2.469388
    """
    where = "logrank_test"
    if group is None:
        raise SurvivalDataError(f"{where}: name the `group` column whose groups are to be compared.")
    if not np.isfinite(rho) or rho < 0:
        raise SurvivalDataError(f"{where}: rho must be 0 (log-rank), 1 (Peto-Peto) or another number >= 0, "
                                f"not {rho!r}.")
    frame, groups = _prepare(data, duration, event, group, order, where)
    if len(groups) < 2:
        raise SurvivalDataError(f"{where}: the log-rank test compares 2 or more groups, but column `{group}` "
                                f"holds only {', '.join(map(repr, groups))}.")
    if frame["event"].sum() == 0:
        raise SurvivalDataError(f"{where}: no match ended in any group (every row of `{event}` is 0), so there is "
                                "nothing to compare; report the follow-up instead.")
    observed, expected, variance = _survdiff(frame, groups, rho)
    used = expected > 0
    k = int(used.sum())
    note = ""
    if k < 2:
        chi2, dof, p_val = np.nan, 0, np.nan
        note = "matches ended only while a single group was at risk: the groups cannot be compared"
    else:
        diff = (observed - expected)[used][1:]
        v = variance[np.ix_(used, used)][1:, 1:]
        chi2 = float(diff @ np.linalg.solve(v, diff))
        dof = k - 1
        p_val = float(stats.chi2.sf(chi2, dof))
        if k < len(groups):
            left = [g for g, u in zip(groups, used) if not u]
            note = (f"group(s) {', '.join(map(repr, left))} had no match at risk when a match ended: "
                    "left out of the test")
    name = ("log-rank" if rho == 0 else "Peto-Peto (Fleming-Harrington rho = 1)" if rho == 1
            else f"Fleming-Harrington (rho = {rho:g})")
    row = {"test": name, "rho": float(rho), "n": len(frame), "events": int(frame["event"].sum()),
           "chi2": chi2, "dof": dof, "p_val": p_val}
    for label, o, e in zip(groups, observed, expected):
        row[f"observed_{label}"] = o
        row[f"expected_{label}"] = e
    row["note"] = note
    return pd.DataFrame([row])


def _survdiff(frame: pd.DataFrame, groups: list, rho: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted observed and expected endings per group and their covariance matrix (see logrank_test)."""
    code = frame["group"].map({g: i for i, g in enumerate(groups)}).to_numpy()
    time, status = frame["time"].to_numpy(), frame["event"].to_numpy()
    k = len(groups)
    times, position = np.unique(time, return_inverse=True)
    leaving = np.zeros((len(times), k))
    deaths = np.zeros((len(times), k))
    np.add.at(leaving, (position, code), 1)
    np.add.at(deaths, (position, code), status)
    at_risk = leaving[::-1].cumsum(axis=0)[::-1]  # n_gj: duration >= t_j
    n = at_risk.sum(axis=1)
    d = deaths.sum(axis=1)
    km_before = np.concatenate([[1.0], np.cumprod(1 - d / n)[:-1]])  # pooled S(t-)
    weight = km_before ** rho if rho != 0 else np.ones(len(times))
    share = at_risk / n[:, None]
    observed = (weight[:, None] * deaths).sum(axis=0)
    expected = (weight[:, None] * d[:, None] * share).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(n > 1, weight ** 2 * d * (n - d) / (n - 1), 0.0)
    variance = np.einsum("j,jg,gh->gh", factor, share, np.eye(k)) - np.einsum("j,jg,jh->gh", factor, share, share)
    return observed, expected, variance


# ----------------------------------------------------------------------------------------------------------
# Numbers at risk, for figures and tables
# ----------------------------------------------------------------------------------------------------------

def at_risk_counts(km_table: pd.DataFrame, times: Sequence[float]) -> pd.DataFrame:
    """Matches still going and followed at each of `times`, per group (raw counts: not for publication as they are).

    Takes the table of :func:`kaplan_meier`. The number at risk at t is the number of matches with
    duration >= t (0 after the last one). :func:`cm_research.plots.survival.number_at_risk` gives the same
    counts with those from 1 to the threshold suppressed.

    Returns
    -------
    ``group``, ``time``, ``n_risk``.
    """
    missing = [c for c in ("group", "time", "n_risk") if c not in km_table.columns]
    if missing:
        raise SurvivalDataError(f"number_at_risk: expected the table of kaplan_meier(), which has columns group, "
                                f"time and n_risk; this one lacks {', '.join(missing)}.")
    rows = []
    for label, table in km_table.groupby("group", sort=False):
        time, n_risk = table["time"].to_numpy(dtype=float), table["n_risk"].to_numpy()
        for t in times:
            later = np.flatnonzero(time >= t)
            rows.append({"group": label, "time": float(t), "n_risk": int(n_risk[later[0]]) if len(later) else 0})
    return pd.DataFrame(rows, columns=["group", "time", "n_risk"])


# number_at_risk applies the suppression policy, so it lives with the figure that publishes it
__getattr__ = moved_attribute(__name__, {"number_at_risk": "cm_research.plots.survival:number_at_risk"})
