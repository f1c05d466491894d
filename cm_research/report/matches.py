"""The site report's section on matches: how long mentoring matches lasted, how many ended early, and whether
matches with shared interests lasted longer.

Match length is analysed as time to the match ending (Kaplan-Meier), with matches still going at ``as_of``
censored there, never dropped; the groups are matches with no shared interest and with at least one (Jaccard
score > 0), compared by the log-rank test. Everything published goes through small-number suppression:
counts of matches from 1 to the threshold are shown as ``c``, and a curve is drawn only for a group of at least
:data:`MIN_MATCHES_FOR_CURVE` matches, because each step of a curve is one young person's match ending, and whose
number of matches the table publishes (a curve's first point is its group's size, so a curve for a group the
table hides would undo the suppression: all matches minus that group is the small group).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from cm_research.mentors.analysis import INTEREST_GROUPS, interests_and_length, match_table
from cm_research.plots.survival import kaplan_meier_plot
from cm_research.privacy.suppression import DEFAULT_THRESHOLD, suppress_counts
from cm_research.contract import InsufficientDataError
from cm_research.stats.survival import SurvivalDataError, kaplan_meier, logrank_test, survival_summary
from cm_research.deprecation import renamed_arguments

#: the smallest group of matches for which a Kaplan-Meier curve is drawn in a published report
MIN_MATCHES_FOR_CURVE = 10
#: the two groups compared: matches sharing no interest, and sharing at least one
SHARED_GROUPS = ("no shared interests", "one or more shared interests")


@dataclass
class MatchAnalysis:
    """What the report shows about matches. ``matches`` has one row per match with ids: restricted, never
    published; every other table is suppressed for publication."""

    as_of: pd.Timestamp
    matches: pd.DataFrame
    survival: pd.DataFrame
    logrank: pd.DataFrame | None
    interests_and_length: pd.DataFrame | None
    sentences: list[str] = field(default_factory=list)
    figure: plt.Figure | None = None
    figure_alt: tuple[str, str] = ("", "")
    figure_data: pd.DataFrame | None = None  # the numbers behind the figure (the curve as drawn)


def default_as_of(matches: pd.DataFrame) -> pd.Timestamp:
    """The date the data describe when none is given: the latest start or end date in the matches table."""
    dates = pd.concat([pd.to_datetime(matches["match_start"]), pd.to_datetime(matches["match_end"])])
    return pd.Timestamp(dates.max()).normalize()


def _shared_group(table: pd.DataFrame) -> pd.Series:
    recorded = table["interest_group"].astype(str) != INTEREST_GROUPS[3]
    shared = table["n_shared"].fillna(0) > 0
    return pd.Series(pd.NA, index=table.index, dtype=object).mask(recorded & ~shared, SHARED_GROUPS[0]) \
        .mask(recorded & shared, SHARED_GROUPS[1])


NOT_REACHED = "not reached"


def _days(value: float | str) -> str:
    return NOT_REACHED if isinstance(value, str) or pd.isna(value) else f"{value:.0f} days"


def _count(value: object, threshold: int) -> str:
    return f"between 1 and {threshold}" if value == "c" else str(value)


@renamed_arguments(conf_level="confidence")
def analyse_matches(matches: pd.DataFrame, participants: pd.DataFrame, mentors: pd.DataFrame,
                    as_of: object = None, *, confidence: float = 0.95, threshold: int = DEFAULT_THRESHOLD,
                    suppress: bool = True) -> MatchAnalysis:
    """Match lengths by shared interest: Kaplan-Meier per group, log-rank test, Spearman correlation of the
    shared-interest score with the length of ended matches, and sentences for the report.

    Statistics: :func:`cm_research.stats.survival.kaplan_meier` (Kaplan & Meier 1958, Greenwood SE, log CI),
    :func:`~cm_research.stats.survival.logrank_test` (Mantel 1966), median with the Brookmeyer & Crowley (1982)
    interval, and :func:`cm_research.mentors.analysis.spearman` (Fisher z with Bonett & Wright 2000 variance).
    The groups were not formed at random, so a difference is an association only; the sentences say so.
    """
    as_of = default_as_of(matches) if as_of is None or as_of == "" else pd.Timestamp(as_of).normalize()
    table = match_table(matches, participants, mentors, as_of)
    table["shared_group"] = _shared_group(table)
    compared = table.dropna(subset=["shared_group"])
    present = [g for g in SHARED_GROUPS if (compared["shared_group"] == g).any()]
    summary = match_summary(table, confidence=confidence, threshold=threshold, suppress=suppress)

    logrank = None
    group_sizes = compared["shared_group"].value_counts()
    if len(present) == 2 and (group_sizes.min() >= MIN_MATCHES_FOR_CURVE or not suppress):
        try:
            logrank = logrank_test(compared, "duration_days", "event", "shared_group", order=present)
        except SurvivalDataError:
            logrank = None
    try:
        length = interests_and_length(table.dropna(subset=["shared_group"]), confidence=confidence)
    except InsufficientDataError:
        length = None

    result = MatchAnalysis(as_of=as_of, matches=table, survival=summary, logrank=logrank,
                           interests_and_length=length)
    result.sentences = describe_matches(result, threshold, confidence)
    # a curve starts at its group's size (the number at risk at day 0), so a group whose count the table hides
    # (secondary suppression: the other group, or the matches without interests recorded, are few) gets no curve
    published = summary.set_index("group")["matches"].astype(str) != "c" if suppress else None
    drawable = [g for g in present if (compared["shared_group"] == g).sum() >= MIN_MATCHES_FOR_CURVE
                and (published is None or bool(published.get(g, False)))]
    if drawable:
        km = kaplan_meier(compared[compared["shared_group"].isin(drawable)], "duration_days", "event",
                          "shared_group", confidence=confidence, order=drawable)
        ax = kaplan_meier_plot(km, suppress=suppress, threshold=threshold)
        from cm_research.plots.findings import findings
        if ax.get_legend() is not None:
            ax.get_legend().set_title("Interests in common")
        result.figure = ax.figure
        if suppress:
            from cm_research.plots.survival import MIN_AT_RISK, truncate_at_risk
            from cm_research.privacy.suppression import certify

            drawn = truncate_at_risk(km, MIN_AT_RISK)[["group", "time", "n_risk", "survival", "ci_low", "ci_high"]]
            result.figure_data = certify(drawn, ["n_risk"], threshold=threshold, name="match_survival curve",
                                         reason=f"The curve while {MIN_AT_RISK} or more matches were at risk.")
        left_out = [g for g in present if g not in drawable]
        result.figure_alt = (
            "Kaplan-Meier curves of the proportion of matches still going by days since the match started, for "
            + " and ".join(drawable) + ": " + findings(ax.figure),  # the finding, WCAG 1.1.1
            "How long matches lasted, by shared interests (Kaplan-Meier)."
            + (" Curves stop where fewer than 10 matches remain at risk: after that each step would be one young "
               "person's match." if suppress else "")
            + (f" No curve for {' or '.join(left_out)}: fewer than {MIN_MATCHES_FOR_CURVE} matches, or a number "
               "of matches the table withholds." if left_out else ""))
    return result


@renamed_arguments(conf_level="confidence")
def match_summary(table: pd.DataFrame, *, confidence: float = 0.95, threshold: int = DEFAULT_THRESHOLD,
                  suppress: bool = True) -> pd.DataFrame:
    """One published table of matches by shared interest, with an ``all matches`` total row: matches, ended,
    still going, ended early (and % of ended), and the Kaplan-Meier median length with its CI.

    One table rather than several, so that one round of suppression protects every count: counts from 1 to
    ``threshold`` show ``c``, with secondary suppression across the total row and across matches = ended +
    still going; the median of a group of fewer than :data:`MIN_MATCHES_FOR_CURVE` matches is withheld too.
    """
    labelled = table.assign(shared_group=table["shared_group"].fillna(INTEREST_GROUPS[3]))
    groups = [g for g in (*SHARED_GROUPS, INTEREST_GROUPS[3]) if (labelled["shared_group"] == g).any()]
    km = pd.concat([survival_summary(labelled.assign(all="all matches"), "duration_days", "event", "all",
                                     confidence=confidence),
                    survival_summary(labelled, "duration_days", "event", "shared_group", confidence=confidence,
                                     order=groups)], ignore_index=True).set_index("group")
    rows = []
    for group in ["all matches", *groups]:
        g = labelled if group == "all matches" else labelled[labelled["shared_group"] == group]
        ended = g[g["event"] == 1]
        early = int(ended["ended_early"].fillna(False).astype(bool).sum())
        rows.append({"group": group, "matches": len(g), "ended": len(ended), "still_going": len(g) - len(ended),
                     "ended_early": early, "pct_ended_early": 100 * early / len(ended) if len(ended) else math.nan,
                     "median_days": km.at[group, "median"], "median_ci_low": km.at[group, "median_ci_low"],
                     "median_ci_high": km.at[group, "median_ci_high"]})
    summary = pd.DataFrame(rows)
    for column in ("median_days", "median_ci_low", "median_ci_high"):  # the curve never fell to 0.5 (or its CI)
        summary[column] = summary[column].astype(object).where(summary[column].notna(), NOT_REACHED)
    if suppress:
        small = summary["matches"] < MIN_MATCHES_FOR_CURVE  # each step of a short curve is one young person
        for column in ("median_days", "median_ci_low", "median_ci_high"):
            summary[column] = summary[column].astype(object).mask(small, "c")
    return suppress_counts(summary, ["matches", "ended", "still_going", "ended_early"], threshold=threshold,
                           totals={"matches": ["ended", "still_going"]}, total_rows={"group": "all matches"},
                           percentages={"pct_ended_early": ("ended_early", "ended")}, suppress=suppress,
                           name="matches by shared interest")


@renamed_arguments(conf_level="confidence")
def describe_matches(analysis: MatchAnalysis, threshold: int = DEFAULT_THRESHOLD,
                     confidence: float = 0.95) -> list[str]:
    """Plain-English sentences about match length; never 'significant', never causal."""
    s = analysis.survival.set_index("group")
    overall = s.loc["all matches"]
    counted = (f"{_count(overall['matches'], threshold).capitalize()} matches are counted up to "
               f"{analysis.as_of:%d %B %Y}")
    if "c" in (overall["ended"], overall["still_going"]):
        counted += (f"; how many had ended and how many were still going is not shown, because one of the two "
                    f"numbers is {threshold} or fewer")
    else:
        counted += f": {overall['ended']} had ended by then and {overall['still_going']} were still going"
    sentences = [counted + " (matches still going count for as long as they had lasted)."]
    for group in SHARED_GROUPS:
        if group not in s.index:
            continue
        row = s.loc[group]
        if row["median_days"] == "c":
            sentences.append(f"Matches with {group}: too few to describe their length without identifying anyone.")
            continue
        median = row["median_days"]
        if median == NOT_REACHED:
            sentences.append(f"Matches with {group}: more than half were still going at the end of the data.")
            continue
        early = ("" if row["pct_ended_early"] == "c" or pd.isna(row["pct_ended_early"])
                 else f" {row['pct_ended_early']:.0f}% of those that ended, ended early.")
        sentences.append(f"Matches with {group}: half had ended by {_days(median)} ({confidence:.0%} CI "
                         f"{_days(row['median_ci_low'])} to {_days(row['median_ci_high'])}).{early}")
    if analysis.logrank is None and all(g in s.index for g in SHARED_GROUPS):
        sentences.append(f"The two groups' match lengths are not compared: one group has fewer than "
                         f"{MIN_MATCHES_FOR_CURVE} matches.")
    if analysis.logrank is not None:
        lr = analysis.logrank.iloc[0]
        sentences.append(f"Comparing the two groups' match lengths (log-rank test): chi-square {lr['chi2']:.2f} on "
                         f"{int(lr['dof'])} degree of freedom, p = {lr['p_val']:.3f}. Young people and mentors were "
                         "not paired at random, so a difference is an association, not proof that shared interests "
                         "make matches last.")
    length = analysis.interests_and_length
    if length is not None and not math.isnan(length.iloc[0]["estimate"]):
        r = length.iloc[0]
        sentences.append(f"Among matches that had ended, the Spearman correlation between the share of interests in "
                         f"common (Jaccard) and the match's length was {r['estimate']:.2f} ({confidence:.0%} CI "
                         f"{r['ci_low']:.2f} to {r['ci_high']:.2f}"
                         # the number of ended matches would undo the suppression of the counts above
                         + ("" if overall["ended"] == "c" else f"; {int(r['n'])} matches") + ")."
                         + (" With so few matches this is too imprecise to interpret." if r["n"] < 10 else ""))
    return sentences


def write_match_tables(analysis: MatchAnalysis, output_dir: str | Path, publication: bool = True) -> list[Path]:
    """Write the published (suppressed) match tables as CSV; the per-match table is not written here. In a run
    for publication only suppressed tables are accepted (:func:`cm_research.privacy.contract.write_table`)."""
    from cm_research.privacy.contract import write_table
    from cm_research.privacy.suppression import certify

    out = Path(output_dir)
    paths = []
    path = out / "match_survival.csv"
    write_table(analysis.survival, path, publication=publication)
    paths.append(path)
    if analysis.logrank is not None:
        path = out / "match_logrank.csv"
        # observed and expected endings per group are counts of children's matches: not published
        write_table(certify(analysis.logrank[["test", "chi2", "dof", "p_val"]], [], name="match_logrank",
                            reason="A test statistic, no counts."), path, publication=publication)
        paths.append(path)
    return paths
