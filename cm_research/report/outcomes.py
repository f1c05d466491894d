"""The outcomes section of a site's analysis: every comparison, within-mentee change, power, figures.

``outcome_analysis`` computes and writes everything the outcomes notebook shows, so the notebook holds
only parameters, calls and prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from cm_research.data.loading import Evaluation
from cm_research.dictionary import measures_catalogue
from cm_research.plots.outcomes import forest_plot, group_comparison, paired_slopes, proportion_bars
from cm_research.report.sentences import describe_change, describe_comparison
from cm_research.stats.outcomes import change_within_group, compare_outcomes
from cm_research.stats.power import power_two_groups
from cm_research.contract import critical_value
from cm_research.privacy.events import event_totals, small_event_measures


@dataclass
class OutcomeAnalysis:
    comparisons: pd.DataFrame
    change: pd.DataFrame
    power: pd.DataFrame
    sentences: list[str]
    change_sentences: list[str]
    figures: dict[str, plt.Figure] = field(default_factory=dict)
    reliable_change: pd.DataFrame = field(default_factory=pd.DataFrame)
    reliable_change_notes: list[str] = field(default_factory=list)
    figure_data: dict[str, pd.DataFrame] = field(default_factory=dict)  # name -> the numbers behind the figure


def _power_table(comparisons: pd.DataFrame, alpha: float) -> pd.DataFrame:
    rows = []
    for r in comparisons.dropna(subset=["n_treated", "n_control"]).itertuples():
        if "c" in (r.n_treated, r.n_control) or min(r.n_treated, r.n_control) < 2:
            continue
        mde = power_two_groups(n_treated=int(r.n_treated), n_control=int(r.n_control), power=0.8, alpha=alpha)
        rows.append({"measure": r.measure, "n_treated": int(r.n_treated), "n_control": int(r.n_control),
                     "alpha": alpha, "power": 0.8, "minimum_detectable_d": float(mde["d"].iloc[0])})
    return pd.DataFrame(rows, columns=["measure", "n_treated", "n_control", "alpha", "power", "minimum_detectable_d"])


def outcome_analysis(
    evaluation: Evaluation,
    output_dir: str | Path,
    measures: list[str] | None = None,
    baseline: str = "baseline",
    post: str = "post",
    alpha: float = 0.05,
    n_boot: int = 2000,
    seed: int = 12345,
    site: str = "",
    suppress_small_counts: bool = True,
    small_count_threshold: int = 5,
) -> OutcomeAnalysis:
    """Run every outcome comparison and write comparisons.csv, change_within_mentored.csv, power.csv,
    effect_sizes.csv (tidy, for cross-site synthesis) and PNG figures into ``output_dir``."""
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    outcomes, participants = evaluation.outcomes.data, evaluation.participants.data
    confidence = 1 - alpha
    comparisons = compare_outcomes(outcomes, participants, measures, baseline=baseline, post=post,
                                   confidence=confidence)
    change = change_within_group(outcomes, participants, measures, baseline=baseline, post=post,
                                 confidence=confidence, n_boot=n_boot, seed=seed)
    if suppress_small_counts:
        few_events = small_event_measures(event_totals(
            outcomes, participants, list(comparisons.loc[comparisons["kind"] == "count", "measure"]),
            (baseline, post)), small_count_threshold)
        comparisons = withhold_small_groups(comparisons, small_count_threshold,
                                            binary_counts(outcomes, participants, comparisons, post), few_events)
        change = withhold_small_change(change, small_count_threshold, few_events)
    power = _power_table(comparisons, alpha)
    titles = measures_catalogue()["title"]
    t_rows = change[change["method"] == "Paired t-test"] if not change.empty else change
    analysis = OutcomeAnalysis(
        comparisons=comparisons,
        change=change,
        power=power,
        sentences=[describe_comparison(r, confidence, n_outcomes=int(comparisons["p_val"].notna().sum()))
                   for _, r in comparisons.iterrows()],
        change_sentences=[describe_change(r, titles.get(r["measure"], r["measure"]), confidence)
                          for _, r in t_rows.iterrows()],
    )
    from cm_research.privacy.contract import write_table
    from cm_research.privacy.suppression import certify

    published = suppress_small_counts
    th = small_count_threshold
    counts = ["n_treated", "n_control"]
    for name, table, columns in (("comparisons", comparisons, counts),
                                 ("change_within_mentored", change, CHANGE_COUNTS),
                                 ("power", power, counts),
                                 ("effect_sizes", effect_sizes(comparisons, confidence).assign(site=site), counts)):
        columns = [c for c in columns if c in table.columns]
        write_table(certify(table, columns, threshold=th, suppress=published, name=name), out / f"{name}.csv",
                    publication=published)
    if published:
        analysis.figures, analysis.figure_data = _published_figures(comparisons, outcomes, participants, baseline,
                                                                     post, confidence, th)
    else:
        analysis.figures = _figures(comparisons, outcomes, participants, baseline, post, confidence)
    rc_table, rc_notes, rc_figures = _reliable_change(outcomes, participants, measures, baseline, post, confidence,
                                                      suppress_small_counts, small_count_threshold)
    analysis.reliable_change, analysis.reliable_change_notes = rc_table, rc_notes
    if published:  # a scatter of each young person's before and after is internal-only: bars of the categories
        from cm_research.plots.published import category_plot

        titles = measures_catalogue()["title"]
        for _, row in rc_table.iterrows():
            ax = category_plot(row, list(RC_CATEGORIES), f"{titles.get(row['measure'], row['measure'])}: "
                               "reliable change among mentored young people")
            analysis.figures[f"reliable_change_{row['measure']}"] = ax.figure
            analysis.figure_data[f"reliable_change_{row['measure']}"] = rc_table
    else:
        analysis.figures.update(rc_figures)
    write_table(rc_table, out / "reliable_change.csv", publication=published)
    if published:  # each figure read back from its artists: it may draw no count its table hides
        from cm_research.privacy.figures import require_safe_figure

        for name, fig in analysis.figures.items():
            require_safe_figure(fig, name, small_count_threshold)
    for name, fig in analysis.figures.items():
        fig.savefig(out / f"{name}.png", dpi=120, bbox_inches="tight")
        plt.close(fig)  # kept for display(fig) where the notebook wants it, not auto-shown by the backend
    for name, table in analysis.figure_data.items():
        write_table(table, out / figure_data_name(name), publication=published)
    return analysis


def figure_data_name(figure: str) -> str:
    """The file name of the numbers behind a figure: ``<figure>_data.csv``."""
    return f"{figure}_data.csv"


def data_link(analysis: OutcomeAnalysis, figure: str) -> str:
    """Markdown linking the numbers behind ``figure`` (its CSV beside the report), or '' when it has none."""
    if figure not in analysis.figure_data:
        return ""
    return f"[The numbers behind this figure (CSV)]({figure_data_name(figure)})"


CHANGE_COUNTS = ["n", "n_pairs", "n_dropped", "n_nonzero"]


def withhold_small_change(change: pd.DataFrame, threshold: int, few_events: set[str] = frozenset()
                          ) -> pd.DataFrame:
    """Small-number suppression for the within-mentored change table: a row about 1 to ``threshold`` pairs is
    withheld (counts ``c``, results blank); young people left out (``n_dropped``), non-zero changes
    (``n_nonzero``) and zero changes (``n_pairs - n_nonzero``) from 1 to ``threshold`` are shown as ``c`` (the
    zeros through ``n_nonzero``, from which they follow), and the notes say "between 1 and <threshold>" instead of the number.
    Where ``n_nonzero`` is ``c``, the signed-rank statistic and rank-biserial correlation are withheld as well
    (together they give it back: :func:`cm_research.privacy.derived.withhold_derived`). A count measure in
    ``few_events`` (a group's total of events from 1 to ``threshold``: :mod:`cm_research.privacy.events`) has its
    results withheld: the mean change times the pairs is the post total minus the baseline total."""
    import re

    from cm_research.privacy.derived import withhold_derived

    out = change.copy()
    if out.empty:
        return out
    for column in CHANGE_COUNTS:
        if column in out:
            out[column] = out[column].astype(object)
    result_columns = [c for c in out.columns if c not in ("measure", "group", "better", "method", "note",
                                                          *CHANGE_COUNTS, "n_boot", "seed")]
    few = "between 1 and " + str(threshold)

    def scrub(note: object) -> object:
        if not isinstance(note, str):
            return note
        return re.sub(r"\b(\d+)(?= (?:participant\(s\)|zero change\(s\)))",
                      lambda m: few if 1 <= int(m.group(1)) <= threshold else m.group(1), note)

    for i in out.index:
        n_pairs = out.at[i, "n_pairs"] if "n_pairs" in out else out.at[i, "n"]
        if pd.notna(n_pairs) and 1 <= int(n_pairs) <= threshold:
            for column in CHANGE_COUNTS:
                if column in out:
                    out.at[i, column] = "c"
            out.loc[i, result_columns] = float("nan")
            out.at[i, "note"] = f"withheld: 1 to {threshold} young people measured twice"
            continue
        if out.at[i, "measure"] in few_events:
            out.loc[i, result_columns] = float("nan")
            out.at[i, "note"] = EVENTS_NOTE.format(threshold=threshold)
        dropped = out.at[i, "n_dropped"] if "n_dropped" in out else None
        if dropped is not None and pd.notna(dropped) and 1 <= int(dropped) <= threshold:
            out.at[i, "n_dropped"] = "c"
        nonzero = out.at[i, "n_nonzero"] if "n_nonzero" in out else None
        if nonzero is not None and pd.notna(nonzero) and (1 <= int(n_pairs) - int(nonzero) <= threshold
                                                           or 1 <= int(nonzero) <= threshold):
            out.at[i, "n_nonzero"] = "c"  # few young people whose score changed, or few whose score did not
        out.at[i, "note"] = scrub(out.at[i, "note"])
    return withhold_derived(out, threshold)  # V with the rank-biserial r gives n_nonzero back


#: withheld together: the SE and dof would give back the CI, and dof (n - 3 for ANCOVA) the group sizes
WITHHELD_COLUMNS = ["estimate", "se", "ci_low", "ci_high", "dof", "effect_size", "effect_size_ci_low",
                    "effect_size_ci_high", "p_val", "p_holm"]


def binary_counts(outcomes: pd.DataFrame, participants: pd.DataFrame, comparisons: pd.DataFrame,
                  post: str = "post") -> dict[str, list[int]]:
    """For each binary measure of ``comparisons``: the young people with and without the outcome at ``post``, in
    each group (mentored with, mentored without, comparison with, comparison without)."""
    groups = participants.set_index("participant_id")["group"]
    out = {}
    for measure in comparisons.loc[comparisons["kind"] == "binary", "measure"]:
        rows = outcomes[(outcomes["measure"] == measure) & (outcomes["timepoint"] == post)]
        values = pd.to_numeric(rows["value"], errors="coerce")
        group = rows["participant_id"].map(groups)
        counts = []
        for g in ("mentored", "comparison"):
            v = values[(group == g) & values.notna()]
            counts += [int((v == 1).sum()), int((v != 1).sum())]
        out[measure] = counts
    return out


#: "8 row(s) dropped for missing `post` or `baseline`" in a comparison's note. The number is both groups' young
#: people without the two values, added up. Beside the group sizes and the analysed n it pins each group's hidden
#: count: Westbury's attendance, 23 + 23 young people, 18 + 20 analysed, "8 row(s) dropped", so the mentored
#: lost 23 - 18 = 5 and the comparison group 3, both hidden in attrition.csv. The published note keeps the words
#: and drops the number; the counts are in the data-quality report's attrition table, suppressed jointly.
DROPPED_ROWS = re.compile(r"\b\d+ row\(s\) dropped for missing")
DROPPED_WORDS = "rows dropped for missing"


#: the note of a count measure's row withheld because a group's total of events is small
EVENTS_NOTE = ("withheld: a group's total of events (suspensions, exclusions, sessions missed) is between 1 and "
               "{threshold}, which can describe one child; the result with the group sizes would show the total")


def withhold_small_groups(comparisons: pd.DataFrame, threshold: int,
                          binary: dict[str, list[int]] | None = None,
                          few_events: set[str] = frozenset()) -> pd.DataFrame:
    """Small-number suppression for published comparisons: where a group has 1 to ``threshold`` young people,
    the group sizes are shown as ``c`` and the results withheld (a mean or proportion of so few can identify
    them). Recorded in ``analysis`` and ``note``; the Holm adjustment is recomputed over what remains.

    ``binary`` (:func:`binary_counts`): for a binary measure, a group may be large while 1 to ``threshold`` of
    it have (or lack) the outcome. The published counts hide them, but the difference in proportions with the
    group sizes gives them back (Easton: comparison 12 of 18, difference -4.2 points, so the mentored 8 had
    0.625 x 8 = 5), and so do the risk ratio, the CI and Fisher's p. Such a row keeps its group sizes and has
    its results withheld; so does a row where everyone in a group had the same outcome (0 of 18 or 18 of 18
    tells each young person's outcome: group disclosure).

    ``few_events``: count measures with a group's total of events from 1 to ``threshold``
    (:func:`cm_research.privacy.events.small_event_measures`); the rate ratio with its SE and the group sizes
    gives both totals back (E2 = (1 + n2 / (RR n1)) / SE^2), so their results are withheld the same way."""
    from cm_research.stats.outcomes import holm

    out = comparisons.copy()
    if "note" in out:  # "8 row(s) dropped": a sum of the groups' missing counts (see DROPPED_ROWS)
        out["note"] = out["note"].map(lambda n: DROPPED_ROWS.sub(DROPPED_WORDS, n) if isinstance(n, str) else n)
    smallest = out[["n_treated", "n_control"]].min(axis=1)
    small = smallest.between(1, threshold)
    few_with = pd.Series(False, index=out.index)
    for i, measure in out["measure"].items():
        cells = (binary or {}).get(measure)
        # 1 to threshold with (or without) the outcome; or a whole group with the same outcome (0 of n, n of n)
        whole = bool(cells) and any(cells[j] == 0 and cells[j + 1 - 2 * (j % 2)] > 0 for j in range(4))
        few_with[i] = bool(cells) and (any(1 <= c <= threshold for c in cells) or whole) and not small[i]
    events = out["measure"].isin(few_events) & ~few_with & ~small
    if events.any():
        out.loc[events, WITHHELD_COLUMNS] = float("nan")
        out.loc[events, "favours"] = "withheld"
        out.loc[events, "analysis"] = "withheld (small-number suppression)"
        out.loc[events, "note"] = EVENTS_NOTE.format(threshold=threshold)
        out["p_holm"] = holm(out["p_val"])
    if few_with.any():
        out.loc[few_with, WITHHELD_COLUMNS] = float("nan")
        out.loc[few_with, "favours"] = "withheld"
        out.loc[few_with, "analysis"] = "withheld (small-number suppression)"
        out.loc[few_with, "note"] = (f"withheld: between 1 and {threshold} young people in a group had (or did not "
                                     "have) the outcome, or all of a group had the same outcome; the result with "
                                     "the group sizes would show how many, or each young person's outcome")
        out["p_holm"] = holm(out["p_val"])
    if not small.any():
        return out
    out[["n_treated", "n_control"]] = out[["n_treated", "n_control"]].astype(object)
    out.loc[small, ["n_treated", "n_control"]] = "c"
    out.loc[small, WITHHELD_COLUMNS] = float("nan")
    out.loc[small, "favours"] = "withheld"
    out.loc[small, "analysis"] = "withheld (small-number suppression)"
    out.loc[small, "note"] = (f"withheld: a group has between 1 and {threshold} young people, too few to publish "
                              "without risk of identifying them")
    out["p_holm"] = holm(out["p_val"])
    return out


def effect_sizes(comparisons: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Per-measure estimates with standard errors, for pooling across sites.

    Ratios (``null`` = 1) are put on the log scale, where their CIs are built. The SE of each row is, in order:

    1. the estimator's own ``se`` (ANCOVA, Welch, rate ratio: on the scale of its CI; the risk difference: its
       Wald SE, as ``metafor::escalc("RD")``), when finite (a risk difference without one is not pooled);
    2. else recovered from the CI, se = (ci_high - ci_low) / (2 q), with q = t(1 - α/2; dof) when the row has
       ``dof`` (a t-based CI) and q = z = Φ⁻¹(1 - α/2) otherwise. Exact for a symmetric Wald or t interval,
       approximate for an asymmetric one (Newcombe's risk difference, an exact rate ratio).

    Reading a t interval with z would overstate the SE by t/z (about 12% at 10 df) and misweight the sites.
    ``note`` says which way each SE was found.
    """
    import numpy as np

    rows = comparisons.dropna(subset=["estimate", "ci_low", "ci_high"])
    ratio = (rows["null"] == 1.0).to_numpy()

    def scale(column: str) -> np.ndarray:
        values = rows[column].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):  # a ratio CI reaching 0 gives -inf: not poolable
            return np.where(ratio, np.log(np.where(ratio, values, 1.0)), values)

    est, lo, hi = scale("estimate"), scale("ci_low"), scale("ci_high")
    own = rows["se"].to_numpy(float) if "se" in rows else np.full(len(rows), np.nan)
    dof = rows["dof"].to_numpy(float) if "dof" in rows else np.full(len(rows), np.nan)
    found = [_site_se(*values, method, confidence) for *values, method in zip(own, lo, hi, dof, rows["method"])]
    return pd.DataFrame({
        "measure": rows["measure"], "scale": np.where(ratio, "log ratio", "difference"),
        "estimate": est, "se": [se for se, _ in found], "n_treated": rows["n_treated"],
        "n_control": rows["n_control"], "method": rows["method"], "note": [note for _, note in found],
    })


def _site_se(own: float, low: float, high: float, dof: float, method: str, confidence: float) -> tuple[float, str]:
    """One row's standard error for pooling and how it was found (see :func:`effect_sizes`)."""
    import math

    if math.isfinite(own) and own > 0:
        return own, "se: the standard error of the estimator"
    if not (math.isfinite(low) and math.isfinite(high)):
        return math.nan, f"no standard error: {method} gave none and its CI is not finite, so it cannot be pooled"
    if str(method).startswith("Risk difference"):  # its Wald SE is given unless 0; a Newcombe width is no stand-in
        return math.nan, ("no standard error: each group's proportion is 0 or 1, so the Wald SE of the difference "
                          "is 0 and it cannot be weighted in a pooling")
    if math.isfinite(dof):
        q = critical_value(confidence, dof)
        return (high - low) / (2 * q), f"se recovered from the CI width with the t quantile on {dof:g} dof ({q:.4f})"
    q = critical_value(confidence)
    return (high - low) / (2 * q), (f"se recovered from the CI width with the normal quantile ({q:.4f}): exact for a "
                                    f"symmetric Wald interval, approximate for {method}")


def _effect_size_forest(continuous: pd.DataFrame) -> plt.Figure:
    """Forest plot of the standardised differences (Hedges' g with CI) of the continuous measures."""
    fig, ax = plt.subplots(figsize=(7, 0.6 + 0.5 * len(continuous)))
    forest_plot(continuous, label="title", estimate="effect_size", ci_low="effect_size_ci_low",
                ci_high="effect_size_ci_high", null=0.0, ax=ax)
    ax.set_xlabel("Hedges' g, mentored − comparison (adjusted for baseline where measured), with CI")
    return fig


def _figures(comparisons, outcomes, participants, baseline, post, confidence) -> dict[str, plt.Figure]:
    figures: dict[str, plt.Figure] = {}
    long = outcomes.merge(participants[["participant_id", "group"]], on="participant_id")
    continuous = comparisons[(comparisons["kind"] == "continuous") & comparisons["effect_size"].notna()]
    if not continuous.empty:
        figures["forest_standardised"] = _effect_size_forest(continuous)
    for r in comparisons.itertuples():
        if r.favours == "withheld":
            continue  # individual points of a handful of young people are not published either
        rows = long[long["measure"] == r.measure]
        if r.kind in ("continuous", "count") and {baseline, post} <= set(rows["timepoint"]):
            mentees = rows[rows["group"] == "mentored"]
            fig, axes = plt.subplots(1, 2, figsize=(10, 4))
            if mentees["participant_id"].nunique() >= 1:
                paired_slopes(mentees, "value", "timepoint", "participant_id", baseline, post, ax=axes[0])
                axes[0].set_title(f"{r.title}: mentored, {baseline} to {post}")
                axes[0].set_ylabel(r.title)
            group_comparison(rows[rows["timepoint"] == post], "value", "group", order=["mentored", "comparison"],
                             ax=axes[1])
            axes[1].set_title(f"{r.title} at {post}, by group")
            axes[1].set_ylabel(r.title)
            fig.tight_layout()
            figures[f"{r.measure}"] = fig
        elif r.kind == "binary" and not rows.empty:
            fig, ax = plt.subplots(figsize=(5, 4))
            proportion_bars(rows[rows["timepoint"] == post], "value", "group", order=["mentored", "comparison"],
                            confidence=confidence, ax=ax)
            ax.set_title(f"{r.title} at {post}")
            figures[f"{r.measure}"] = fig
    return figures


def _published_figures(comparisons, outcomes, participants, baseline, post, confidence, threshold):
    """Figures for a run for publication (:mod:`cm_research.plots.published`): the forest plot of effect sizes,
    group means with CIs for continuous and count measures, percentages for binary ones; no individuals. Returns
    (figures, the numbers behind each)."""
    from cm_research.plots.published import group_means, group_means_plot, proportion_counts, proportion_plot
    from cm_research.privacy.suppression import certify

    figures: dict[str, plt.Figure] = {}
    data: dict[str, pd.DataFrame] = {}
    long = outcomes.merge(participants[["participant_id", "group"]], on="participant_id")
    continuous = comparisons[(comparisons["kind"] == "continuous") & comparisons["effect_size"].notna()]
    if not continuous.empty:
        figures["forest_standardised"] = _effect_size_forest(continuous)
        data["forest_standardised"] = certify(
            continuous[["measure", "title", "n_treated", "n_control", "effect_size", "effect_size_ci_low",
                        "effect_size_ci_high"]], ["n_treated", "n_control"], threshold=threshold,
            name="forest_standardised")
    for r in comparisons.itertuples():
        if r.favours == "withheld":
            continue
        rows = long[long["measure"] == r.measure]
        if r.kind in ("continuous", "count") and {baseline, post} <= set(rows["timepoint"]):
            table = group_means(rows, [baseline, post], confidence=confidence, threshold=threshold, name=r.measure)
            ax = group_means_plot(table, r.title)
            figures[r.measure], data[r.measure] = ax.figure, table
        elif r.kind == "binary" and not rows.empty:
            table = proportion_counts(rows[rows["timepoint"] == post], threshold=threshold, name=r.measure)
            ax = proportion_plot(table, f"{r.title} at {post}")
            figures[r.measure], data[r.measure] = ax.figure, table
    return figures, data


RC_CATEGORIES = ("reliable improvement", "no reliable change", "reliable deterioration")


def _reliable_change(outcomes, participants, measures, baseline, post, confidence, suppress, threshold):
    """Reliable change among the mentored young people for every measure with reliability metadata.

    Returns a published table (one row per measure: counts per category and their total, small counts
    suppressed), one sentence per measure, and a pre/post scatter per measure."""
    from cm_research.measures import measures_with_reliability
    from cm_research.plots.change import pre_post_scatter
    from cm_research.privacy.suppression import suppress_counts
    from cm_research.stats.change import reliable_change_table

    mentored = outcomes.merge(participants[["participant_id", "group"]], on="participant_id")
    mentored = mentored[mentored["group"] == "mentored"]
    rows, notes, figures = [], [], {}
    columns = [c.replace(" ", "_") for c in RC_CATEGORIES]
    for measure in measures_with_reliability():
        if (measures is not None and measure not in measures) or measure not in set(mentored["measure"]):
            continue
        table = reliable_change_table(mentored, measure, baseline, post, confidence=confidence, on_missing="note")
        if table.empty:
            notes.append(f"{measure}: {table.note}")
            continue
        counts = table.summary.set_index("category")["n"]
        rows.append({"measure": measure, **{col: int(counts.get(cat, 0)) for col, cat in zip(columns, RC_CATEGORIES)},
                     "total": int(table.parameters["n"].iloc[0]),
                     "smallest_reliable_change": float(table.parameters["reliable_change_threshold"].iloc[0]),
                     "source": f"{table.parameters['se_method'].iloc[0]}; r = {table.parameters['reliability'].iloc[0]} "
                               f"({table.parameters['reliability_source'].iloc[0]})"})
        notes.append(f"{measure}: a change of more than {table.parameters['reliable_change_threshold'].iloc[0]:.1f} "
                     f"points is larger than measurement error alone would produce ({round(confidence * 100)}% level). "
                     + (table.note or ""))
        fig, ax = plt.subplots(figsize=(5.5, 5))
        pre_post_scatter(table.people, cutoff=table.parameters["clinical_cutoff"].iloc[0], better=table.better, ax=ax)
        title = measures_catalogue()["title"].get(measure, measure)
        ax.set_title(f"{title}: each mentored young person, {baseline} vs {post}")
        plt.close(fig)
        figures[f"reliable_change_{measure}"] = fig
    result = pd.DataFrame(rows, columns=["measure", *columns, "total", "smallest_reliable_change", "source"])
    if not result.empty:
        result = suppress_counts(result, columns, totals="total", threshold=threshold, suppress=suppress,
                                 name="reliable_change")
    else:  # no measure with reliability metadata analysed: an empty table still goes through the step
        from cm_research.privacy.suppression import certify

        result = certify(result, columns, threshold=threshold, suppress=suppress, name="reliable_change")
    return result, notes, figures
