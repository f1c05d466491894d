"""Counts of events (suspensions, exclusions, sessions missed): a small total can describe one child.

A count measure (``kind: count`` in ``data_dictionary/measures.yaml``) adds up events, not people, but a group's
total of 1 to the threshold is still about one to five children -- 1 suspension in a group of 18 says one child
was suspended, and who knows the group knows who. The DfE's statistics on suspensions and exclusions publish
event counts beside pupil counts and protect both the same way (``c`` for a confidential figure; this package's
rule for children looked after hides 1 to 5), so a group's total of events from 1 to the threshold is treated
here as a count of 1 to 5: hidden, with everything that gives it back (round 6):

- **a group mean times its n**: ``mean x young_people`` is the total of whole-number values (a figure's numbers
  of group means: Westbury's suspensions, 18 mentored young people with a mean of 0.444 after: 8 suspensions);
- **a rate ratio with its standard error**: the Poisson GLM of events on group (no covariate) has
  RR = (E1 / n1) / (E2 / n2) and SE(log RR) = sqrt(1 / E1 + 1 / E2) (Agresti 2013, *Categorical Data Analysis*,
  3rd ed., section 3.3 and 4.3), so with the group sizes published
  E2 = (1 + n2 / (RR n1)) / SE^2 and E1 = RR E2 n1 / n2 (Westbury: RR 1.270, SE 0.5175, 18 and 20: 8 and 7
  suspensions after). Its CI is exp(log RR +/- 1.96 SE), so the CI gives the SE back;
- **the mean change times the pairs**: post total minus baseline total, which with one of them gives the other;
- **a total in a table** (the sessions missed).

:func:`event_totals` gives each group's totals for the comparison code, which withholds the measure's results
(:func:`cm_research.report.outcomes.withhold_small_groups`); :func:`event_findings` looks for a recovered total
in a published CSV for the whole-run audit (finding kind ``event_count``).

The number of young people with an event in a group (and without one) from 1 to the threshold withholds the
results too: it is a count of children with a property, as for a binary outcome, and a large total from one or
two children is their own value (a dominance rule, as the ONS applies to magnitude tables).

Decision a reader may disagree with: a group total of 0 events is published (no child in it had the event; an
average of 0 is the finding "none", and hiding every zero would hide most exclusion results of small sites).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import pandas as pd

from cm_research.privacy.suppression import DEFAULT_THRESHOLD, SUPPRESSED

#: the group-means table of a figure: (group, timepoint, young people, mean)
MEAN_COLUMNS = ("young_people", "mean")
#: a rate ratio row of a comparison table: (estimate, se, n_treated, n_control)
RATE_NAMES = ("rate_ratio",)


def _number(value: object) -> float | None:
    if isinstance(value, str):
        value = value.strip()
        if value in ("", SUPPRESSED):
            return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _whole(value: float) -> bool:
    return abs(value - round(value)) < 1e-6


def event_totals(outcomes: pd.DataFrame, participants: pd.DataFrame, measures: list[str],
                 timepoints: tuple[str, ...] = ("baseline", "post")) -> pd.DataFrame:
    """Each group's total of ``value`` per count measure and timepoint, over every young person with a value
    there (``sample`` ``measured``) and over those with a value at every one of ``timepoints`` (``paired``, the
    young people of the paired analyses and of the figures' group means). Columns: measure, group, timepoint,
    sample, events, young_people."""
    groups = participants.set_index("participant_id")["group"]
    rows = []
    for measure in measures:
        data = outcomes[(outcomes["measure"] == measure) & outcomes["timepoint"].isin(timepoints)].copy()
        data["value"] = pd.to_numeric(data["value"], errors="coerce")
        data = data.dropna(subset=["value"]).drop_duplicates(["participant_id", "timepoint"])
        data["group"] = data["participant_id"].map(groups)
        complete = data.groupby("participant_id")["timepoint"].nunique()
        paired = set(complete.index[complete == len(timepoints)])
        for (group, timepoint), cell in data.groupby(["group", "timepoint"]):
            both = cell[cell["participant_id"].isin(paired)]
            for sample, values in (("measured", cell["value"]), ("paired", both["value"])):
                rows.append({"measure": measure, "group": group, "timepoint": timepoint, "sample": sample,
                             "events": float(values.sum()), "with_event": int((values > 0).sum()),
                             "young_people": len(values)})
    return pd.DataFrame(rows, columns=["measure", "group", "timepoint", "sample", "events", "with_event",
                                       "young_people"])


def small_event_measures(totals: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> set[str]:
    """Measures of :func:`event_totals` with a group whose total of events, or whose number of young people
    with (or without) an event, is from 1 to ``threshold`` (module docstring): their results are withheld in a
    run for publication. The second rule is the binary comparisons' rule (a count of children with a property)
    and protects one child's large total: 12 suspensions that are all one child's are that child's value."""
    shown = totals[totals["young_people"] > 0]
    small = (shown["events"].between(1, threshold) | shown["with_event"].between(1, threshold)
             | (shown["young_people"] - shown["with_event"]).between(1, threshold))
    return set(shown.loc[small, "measure"])


def rate_ratio_events(rate_ratio: float, se: float, n_treated: float, n_control: float) -> tuple[float, float]:
    """(E1, E2): the two groups' totals of events that a Poisson rate ratio and its SE(log RR) come from, with
    the group sizes (module docstring): E2 = (1 + n2 / (RR n1)) / SE^2, E1 = RR E2 n1 / n2."""
    e2 = (1 + n_control / (rate_ratio * n_treated)) / se ** 2
    return rate_ratio * e2 * n_treated / n_control, e2


def event_findings(table: pd.DataFrame, name: str, threshold: int = DEFAULT_THRESHOLD
                   ) -> Iterator[tuple[str, str, str, str]]:
    """``event_count`` findings of one published table (read as text): a group's total from 1 to ``threshold``
    given back by a mean times its n (whole-number values), or by a rate ratio with its SE and the group sizes.
    Yields (file, location, kind, text) as :func:`cm_research.privacy.audit.audit_run` does."""
    records = table.to_dict("records")
    if set(MEAN_COLUMNS) <= set(table.columns):
        for pos, row in enumerate(records, start=2):
            n, mean = _number(row.get("young_people")), _number(row.get("mean"))
            if n is None or mean is None or not _whole(n):
                continue
            total = mean * n
            if _whole(total) and 1 <= round(total) <= threshold:
                yield (name, f"line {pos}, columns `young_people`, `mean`", "event_count",
                       f"mean {mean:.6g} x {n:g} young people = {round(total)}: a total of 1 to {threshold} "
                       "(events of a few children, or one child's value)")
    if {"estimate", "se", "n_treated", "n_control"} <= set(table.columns):
        for pos, row in enumerate(records, start=2):
            rate = str(row.get("effect_size_name", "")).strip() in RATE_NAMES or \
                "Poisson" in str(row.get("method", ""))
            values = [_number(row.get(c)) for c in ("estimate", "se", "n_treated", "n_control")]
            if str(row.get("scale", "")).strip() == "log ratio" and values[0] is not None:
                values[0] = math.exp(values[0])  # effect_sizes.csv: the log rate ratio
            if not rate or any(v is None or v <= 0 for v in values):
                continue
            e1, e2 = rate_ratio_events(*values)  # type: ignore[arg-type]
            small = [round(e) for e in (e1, e2) if _whole(e) and 1 <= round(e) <= threshold]
            if small and _whole(e1) and _whole(e2):
                yield (name, f"line {pos}, columns `estimate`, `se`, `n_treated`, `n_control`", "event_count",
                       f"rate ratio {values[0]:.6g} with SE {values[1]:.6g} comes from {round(e1)} and {round(e2)} "
                       f"events: a total of 1 to {threshold}")
    for pos, row in enumerate(records, start=2):
        value = _number(row.get("missed_sessions"))
        if value is not None and _whole(value) and 1 <= value <= threshold:
            yield (name, f"line {pos}, column `missed_sessions`", "event_count",
                   f"{value:g} sessions missed: a total of 1 to {threshold} (shown as c)")
