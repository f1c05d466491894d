"""Data-quality summaries of an evaluation: who is in it, what was recorded, who was lost, what was wrong.

Each function takes validated tables (``cm_research.data``) and returns a tidy DataFrame.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from cm_research.data.loading import Evaluation
from cm_research.data.writing import write_csv
from cm_research.dictionary import load_schema

ID_PLACEHOLDER = "[id]"


def counts_by_group(participants: pd.DataFrame, by: str = "cohort") -> pd.DataFrame:
    """Young people by ``by`` (e.g. cohort) and group, with totals: columns ``by``, mentored, comparison, total."""
    table = pd.crosstab(participants[by].astype(str), participants["group"].astype(str), margins=True,
                        margins_name="total")
    for group in ("mentored", "comparison"):
        if group not in table:
            table[group] = 0
    table = table[["mentored", "comparison", "total"]]
    table.index.name = by
    table.columns.name = None
    return table.reset_index()


def missingness(outcomes: pd.DataFrame, participants: pd.DataFrame) -> pd.DataFrame:
    """Recorded and missing values for each measure, timepoint and group.

    A young person is *expected* at a timepoint of a measure when they have that measure at any
    timepoint and the measure was recorded for someone at that timepoint (so a Year 11-only measure is
    not counted missing for a Year 7 pupil). Columns: measure, timepoint, group, n_expected, n_recorded,
    n_missing, pct_recorded.
    """
    groups = participants.set_index("participant_id")["group"].astype(str)
    recorded = outcomes.assign(group=outcomes["participant_id"].map(groups)).dropna(subset=["group"])
    rows = []
    for measure, m in recorded.groupby("measure", sort=True):
        people = m.drop_duplicates("participant_id")[["participant_id", "group"]]
        for timepoint in _ordered_timepoints(m["timepoint"]):
            have = set(m.loc[m["timepoint"] == timepoint, "participant_id"])
            for group, g in people.groupby("group", sort=True):
                n_rec = int(g["participant_id"].isin(have).sum())
                rows.append((measure, timepoint, group, len(g), n_rec, len(g) - n_rec, 100.0 * n_rec / len(g)))
    return pd.DataFrame(rows, columns=["measure", "timepoint", "group", "n_expected", "n_recorded", "n_missing",
                                       "pct_recorded"])


def _ordered_timepoints(values: pd.Series) -> list[str]:
    order = {t: i for i, t in enumerate(load_schema("outcomes").field("timepoint").enum or ())}
    return sorted(values.dropna().unique(), key=lambda t: (order.get(t, len(order)), t))


def attrition(outcomes: pd.DataFrame, participants: pd.DataFrame, baseline: str = "baseline",
              post: str = "post") -> pd.DataFrame:
    """For each measure with a baseline, how many young people also have a post value, by group.

    Columns: measure, group, n_baseline, n_both, n_lost, pct_retained (= n_both / n_baseline x 100).
    """
    groups = participants.set_index("participant_id")["group"].astype(str)
    wide = outcomes.pivot_table(index=["participant_id", "measure"], columns="timepoint", values="value",
                                aggfunc="first")
    if baseline not in wide:
        return pd.DataFrame(columns=["measure", "group", "n_baseline", "n_both", "n_lost", "pct_retained"])
    post_values = wide[post] if post in wide else pd.Series(float("nan"), index=wide.index)
    tidy = pd.DataFrame({"has_baseline": wide[baseline].notna(), "has_post": post_values.notna()}).reset_index()
    tidy["group"] = tidy["participant_id"].map(groups)
    tidy = tidy[tidy["has_baseline"] & tidy["group"].notna()]
    table = tidy.groupby(["measure", "group"], sort=True).agg(
        n_baseline=("has_baseline", "sum"), n_both=("has_post", "sum")
    ).reset_index()
    table["n_lost"] = table["n_baseline"] - table["n_both"]
    table["pct_retained"] = 100.0 * table["n_both"] / table["n_baseline"]
    return table


def problem_summary(problems: pd.DataFrame) -> pd.DataFrame:
    """Problems counted by file, rule and column: columns file, rule, column, severity, n_problems, n_rows."""
    if problems.empty:
        return pd.DataFrame(columns=["file", "rule", "column", "severity", "n_problems", "n_rows"])
    return (
        problems.groupby(["file", "rule", "column", "severity"], dropna=False, sort=True)
        .agg(n_problems=("message", "size"), n_rows=("row", "nunique"))
        .reset_index()
        .sort_values(["file", "n_problems"], ascending=[True, False], kind="stable")
        .reset_index(drop=True)
    )


#: a report lists every problem up to this many; beyond it, the first examples of each kind
REPORT_PROBLEM_LIMIT = 500
EXAMPLES_PER_KIND = 5


def problem_examples(problems: pd.DataFrame, limit: int = REPORT_PROBLEM_LIMIT,
                     per_kind: int = EXAMPLES_PER_KIND) -> pd.DataFrame:
    """The problems a report shows: all of them when there are at most ``limit``; otherwise the first
    ``per_kind`` (in file and row order) of each file, rule and column, so that a national extract with 500,000
    problems gives a readable page (the summary counts them all, and problems.csv lists them all)."""
    if len(problems) <= limit:
        return problems
    keys = [problems["file"], problems["rule"], problems["column"].fillna("")]
    return problems[problems.groupby(keys, sort=False).cumcount() < per_kind]


def identifier_values(evaluation: Evaluation) -> set[str]:
    """Every value of an identifier column (valid or quarantined rows) in the evaluation's tables."""
    ids: set[str] = set()
    for load in evaluation.loads:
        for column in load_schema(load.table).identifier_fields:
            for frame in (load.data, load.quarantine):
                if column in frame:
                    ids.update(frame[column].dropna().astype(str))
    return ids


_QUOTED = re.compile(r"'([^']*)'|=([^,)\s]+)")


def redact_problems(problems: pd.DataFrame, identifiers: Iterable[str]) -> pd.DataFrame:
    """The problems table with identifier values replaced by ``[id]`` in ``value`` and ``message``,
    fit to show in a report (the unredacted table stays in problems.csv for whoever fixes the data)."""
    ids = set(identifiers)

    def scrub(text: str) -> str:
        def swap(match: re.Match) -> str:
            token = match.group(1) if match.group(1) is not None else match.group(2)
            if token not in ids:
                return match.group(0)
            return match.group(0).replace(token, ID_PLACEHOLDER)

        return _QUOTED.sub(swap, text)

    out = problems.copy()
    out["value"] = out["value"].map(lambda v: ID_PLACEHOLDER if v in ids else v)
    out["message"] = out["message"].map(scrub)
    return out


def quality_overview(evaluation: Evaluation) -> pd.DataFrame:
    """One row per table: file, rows read, rows valid, rows quarantined, blank rows skipped, cells blanked (bad
    values of optional fields, rows kept), warnings, encoding."""
    rows = []
    for load in evaluation.loads:
        rows.append({
            "table": load.name,
            "file": load.path.name,
            "rows_read": load.n_read,
            "rows_valid": len(load.data),
            "rows_quarantined": len(load.quarantine),
            "blank_rows_skipped": len(load.blank_rows),
            "cells_blanked": load.n_blanked,
            "warnings": int((load.problems["severity"] == "warning").sum()),
            "encoding": load.encoding,
        })
    return pd.DataFrame(rows)


#: How each published data-quality table is protected by small-number suppression.
PUBLISHED_COUNTS = {
    "counts_by_cohort": dict(count_columns=["mentored", "comparison"], totals="total",
                             total_rows={"cohort": "total"}),
    "missingness": dict(count_columns=["n_recorded", "n_missing"], totals="n_expected",
                        percentages={"pct_recorded": ("n_recorded", "n_expected")}),
    "attrition": dict(count_columns=["n_both", "n_lost"], totals="n_baseline",
                      percentages={"pct_retained": ("n_both", "n_baseline")}),
}
RESTRICTED = "restricted"


def published_counts(participants: pd.DataFrame, outcomes: pd.DataFrame, *, threshold: int | None = None,
                     suppress: bool = True) -> dict[str, pd.DataFrame]:
    """counts_by_cohort, missingness and attrition as published: suppressed in one joint round
    (:class:`~cm_research.privacy.joint.JointSuppression`). Any other part of a run that states one of these
    counts (a report's sentences) takes it from here, so it cannot show what these tables hide."""
    from cm_research.privacy.joint import JointSuppression
    from cm_research.privacy.suppression import DEFAULT_THRESHOLD

    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    tables = {"counts_by_cohort": counts_by_group(participants, "cohort"),
              "missingness": missingness(outcomes, participants),
              "attrition": attrition(outcomes, participants)}
    # One joint round: the young people measured at baseline are both missingness's n_recorded at baseline
    # and attrition's n_baseline, so hiding one and showing the other would give the hidden count away.
    joint = JointSuppression(threshold=threshold, suppress=suppress)
    # The outcomes report publishes each group's n_both whenever it is above the threshold: it is the n of the
    # paired change (n_pairs) and of the ANCOVA (n_treated, n_control), which their dof and CIs give back anyway.
    # Hiding it here would protect nothing (n_baseline - n_pairs gave back a hidden n_lost across the two
    # reports), so secondary suppression hides n_baseline instead where it can.
    analysed = {"n_both": [int(v) > threshold for v in tables["attrition"]["n_both"]]}
    for name, spec in PUBLISHED_COUNTS.items():
        spec = dict(spec)
        joint.add(name, tables[name], spec.pop("count_columns"), **spec,
                  **({"published_elsewhere": analysed} if name == "attrition" else {}))
    baseline_rows = tables["missingness"][tables["missingness"]["timepoint"] == "baseline"]
    same = baseline_rows.merge(tables["attrition"], on=["measure", "group"])
    same = same[same["n_recorded"] == same["n_baseline"]]  # a relation that does not hold discloses nothing
    for row in same.itertuples():
        joint.link(("missingness", {"measure": row.measure, "timepoint": "baseline", "group": row.group}, "n_recorded"),
                   ("attrition", {"measure": row.measure, "group": row.group}, "n_baseline"))
    return joint.run()


PROBLEM_TOTAL = "total"


def problem_summary_with_totals(problems: pd.DataFrame) -> pd.DataFrame:
    """:func:`problem_summary` with a ``total`` row (rule ``total``, column blank) closing each file's errors and
    each file's warnings: the block's sums of ``n_problems`` and of ``n_rows`` (a row breaking two rules counts
    once for each, as it does in the rows above). These are the relations a reader can add up (a file's
    warnings are the overview's ``warnings``), so suppression protects the parts against them
    (:func:`published_quality_counts`)."""
    summary = problem_summary(problems)
    if summary.empty:
        return summary
    blocks = []
    for (file, severity), block in summary.groupby(["file", "severity"], sort=True, dropna=False):
        total = {"file": file, "rule": PROBLEM_TOTAL, "column": "", "severity": severity,
                 "n_problems": int(block["n_problems"].sum()), "n_rows": int(block["n_rows"].sum())}
        blocks.append(pd.concat([block, pd.DataFrame([total])], ignore_index=True))
    return pd.concat(blocks, ignore_index=True)


#: overview columns that count rows of a file (a row of participants.csv is a young person)
OVERVIEW_COUNTS = ["rows_read", "rows_valid", "rows_quarantined", "blank_rows_skipped", "cells_blanked", "warnings"]


def published_quality_counts(overview: pd.DataFrame, problems: pd.DataFrame, *,
                             threshold: int | None = None, suppress: bool = True) -> dict[str, pd.DataFrame]:
    """The overview and the problem summary as published: suppressed in one joint round.

    A count of data problems is a count of rows, and a row of ``participants.csv`` is a young person: "1 blanked
    start date" beside a hidden "no start date" narrows it. So ``n_problems`` and ``n_rows`` from 1 to the
    threshold are ``c``, with secondary suppression against every total a reader can add up: each file's errors
    and warnings (the ``total`` rows of :func:`problem_summary_with_totals`), the overview's ``warnings`` (the
    same number as that file's warning total), its ``cells_blanked`` (the same, when every warning is a blanked
    cell) and ``rows_read = rows_valid + rows_quarantined + blank_rows_skipped`` (when that holds for every file).
    Where a row's ``n_rows`` equals its ``n_problems`` the two are linked (one is the other). The exact counts
    are for the restricted copy (:func:`write_quality_tables`)."""
    from cm_research.privacy.joint import JointSuppression
    from cm_research.privacy.suppression import DEFAULT_THRESHOLD

    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    summary = problem_summary_with_totals(problems)
    joint = JointSuppression(threshold=threshold, suppress=suppress)
    parts = ["rows_valid", "rows_quarantined", "blank_rows_skipped"]
    adds_up = bool((overview[parts].sum(axis=1) == overview["rows_read"]).all())
    joint.add("overview", overview, OVERVIEW_COUNTS, totals={"rows_read": parts} if adds_up else None)
    if summary.empty:
        return joint.run() | {"problem_summary": _certified_empty(summary, threshold, suppress)}
    joint.add("problem_summary", summary, ["n_problems", "n_rows"], total_rows={"rule": PROBLEM_TOTAL},
              within=["file", "severity"])
    for row in summary.itertuples():
        where = {"file": row.file, "rule": row.rule, "column": row.column, "severity": row.severity}
        if row.n_rows == row.n_problems:
            joint.link(("problem_summary", where, "n_problems"), ("problem_summary", where, "n_rows"))
        if row.rule != PROBLEM_TOTAL or row.severity != "warning":
            continue
        file = overview[overview["file"] == row.file]
        if len(file) != 1:
            continue
        for column in ("warnings", "cells_blanked"):
            if int(file[column].iloc[0]) == row.n_problems:
                joint.link(("problem_summary", where, "n_problems"), ("overview", {"file": row.file}, column))
    return joint.run()


def _certified_empty(summary: pd.DataFrame, threshold: int, suppress: bool) -> pd.DataFrame:
    from cm_research.privacy.suppression import certify

    return certify(summary, ["n_problems", "n_rows"], threshold=threshold, suppress=suppress,
                   name="problem_summary", reason="No problems were found.")


def write_quality_tables(evaluation: Evaluation, output_dir, suppress: bool = True,
                         threshold: int | None = None) -> dict[str, pd.DataFrame]:
    """Compute every data-quality table, write each as CSV in ``output_dir``, and return them by name.

    Published (small counts suppressed as ``c`` unless ``suppress=False``, which each table's
    ``attrs["disclosure_control"]`` records): overview.csv, counts_by_cohort.csv, missingness.csv,
    attrition.csv, problem_summary.csv (with each file's error and warning totals). Restricted, for whoever
    corrects the data and never published (they name rows and values, or hold exact small counts):
    ``restricted/problems.csv``, ``restricted/quarantine_<table>.csv``, and the exact
    ``restricted/overview.csv`` and ``restricted/problem_summary.csv``.
    ``tables["problems_redacted"]`` is the problems table with identifiers hidden, for the report.
    """
    from pathlib import Path

    from cm_research.privacy.contract import write_table
    from cm_research.privacy.suppression import DEFAULT_THRESHOLD

    out = Path(output_dir)
    restricted = out / RESTRICTED
    restricted.mkdir(parents=True, exist_ok=True)
    participants, outcomes = evaluation.participants.data, evaluation.outcomes.data
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    overview = quality_overview(evaluation)
    tables = {
        **published_quality_counts(overview, evaluation.problems, threshold=threshold, suppress=suppress),
        **published_counts(participants, outcomes, threshold=threshold, suppress=suppress),
    }
    tables = {name: tables[name] for name in ("overview", "counts_by_cohort", "missingness", "attrition",
                                              "problem_summary")}
    for name, table in tables.items():
        write_table(table, out / f"{name}.csv", publication=suppress)
    # the exact counts, for whoever corrects the data (they may be from 1 to 5: never published)
    write_csv(overview, restricted / "overview.csv", lineterminator="\n")
    write_csv(problem_summary_with_totals(evaluation.problems), restricted / "problem_summary.csv",
              lineterminator="\n")
    write_csv(evaluation.problems, restricted / "problems.csv", lineterminator="\n")
    evaluation.write_quarantine(restricted)
    tables["problems"] = evaluation.problems
    tables["problems_redacted"] = redact_problems(evaluation.problems, identifier_values(evaluation))
    tables["problem_examples"] = problem_examples(tables["problems_redacted"])
    return tables
