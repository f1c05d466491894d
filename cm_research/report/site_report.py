"""One site's mixed-methods report: who took part, what changed, what people said, the joint display, cost.

:func:`site_report` computes every table, sentence and figure the notebook ``06_site_report.ipynb`` shows and
writes the published tables (all counts suppressed) to ``output_dir``; the notebook holds parameters, calls
and prose. Figures are embedded as base64 PNG ``<img>`` elements with alt text and a caption
(:func:`figure_html`), so the exported HTML is one self-contained file that passes the exporter's
accessibility check.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from cm_research.data.loading import find_table_file, load_evaluation, load_table
from cm_research.dictionary import measures_catalogue
from cm_research.plots.bars import sessions_barplot  # noqa: F401  (sessions_barplot was defined here)
from cm_research.privacy.contract import write_table
from cm_research.privacy.derived import published_quartiles
from cm_research.privacy.figures import require_safe_figure
from cm_research.privacy.suppression import DEFAULT_THRESHOLD, SUPPRESSED, suppress_counts
from cm_research.report.costs import cost_per_young_person, costs_by_line
from cm_research.report.render import (PALETTE, REPORT_CSS, figure_html, report_style,  # noqa: F401  (defined
                                       use_colour_blind_palette)  # here before; notebooks import them from here)
from cm_research.report.wording import and_list, whole
from cm_research.report.joint_display import (change_categories, describe_joint_display, interview_themes,
                                              joint_display)
from cm_research.report.matches import MatchAnalysis, analyse_matches, write_match_tables
from cm_research.report.outcomes import OutcomeAnalysis, outcome_analysis
from cm_research.report.referrals import (ReferralProfile, describe_referral_profile, profile_barplot,
                                          profile_figure_alt, referral_profile)


def _count_table(frame: pd.DataFrame, by: str, label: str, threshold: int, suppress: bool) -> pd.DataFrame:
    counts = frame.groupby(by).size().rename("young_people").reset_index().rename(columns={by: label})
    counts = pd.concat([counts, pd.DataFrame([{label: "total", "young_people": int(counts["young_people"].sum())}])],
                       ignore_index=True)
    return suppress_counts(counts, ["young_people"], total_rows={label: "total"}, threshold=threshold,
                           suppress=suppress, name=label)


def who_took_part(participants: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD,
                  suppress: bool = True) -> dict[str, pd.DataFrame]:
    """Published (suppressed) tables about the young people: referrals by cohort and group, the reasons for
    referral (a young person may have several, so those counts do not add up to a total), education stage,
    programme and matches that ended early. Waits, age, sessions per young person and programme length are in
    :func:`cm_research.report.referrals.referral_profile`."""
    from cm_research.report.referrals import referral_reasons

    mentees = participants[participants["group"] == "mentored"]
    by_cohort = (participants.groupby(["cohort", "group"]).size().unstack(fill_value=0)
                 .reindex(columns=["mentored", "comparison"], fill_value=0))
    by_cohort.loc["total"] = by_cohort.sum()
    by_cohort["total"] = by_cohort.sum(axis=1)
    referrals = suppress_counts(by_cohort.reset_index().rename_axis(columns=None), ["mentored", "comparison", "total"],
                                totals="total", total_rows={"cohort": "total"}, threshold=threshold,
                                suppress=suppress, name="referrals")
    ended_early = mentees["match_ended_early"].map({True: "yes", False: "no"}).fillna("not recorded")
    return {"referrals": referrals, "referral_reasons": referral_reasons(participants, threshold, suppress),
            "education_stage": _count_table(mentees, "education_stage", "education_stage", threshold, suppress),
            "programme": _count_table(mentees.assign(programme=mentees["programme"].str.replace("_", " ")),
                                      "programme", "programme", threshold, suppress),
            "ended_early": _count_table(mentees.assign(ended_early=ended_early), "ended_early", "ended_early",
                                        threshold, suppress)}


ACTIVITY_TITLES = {"visual_art": "visual art", "wood": "woodwork", "stories": "stories"}


def _sessions_by(sessions: pd.DataFrame, by: str, threshold: int, suppress: bool) -> pd.DataFrame:
    """young_people (distinct), sessions and minutes per value of ``by``, with a total row.

    A row about 1 to ``threshold`` young people shows ``c`` for all three cells (their sessions and minutes
    describe those few children). The total's young_people counts each young person once, so it is not the sum
    of the rows and gives nothing away; sessions and minutes are sums, so when only one row is hidden the row
    with the next fewest sessions is hidden too, and the total row alone can no longer reveal it.
    """
    rows = (sessions.groupby(by).agg(young_people=("participant_id", "nunique"), sessions=("participant_id", "size"),
                                     minutes=("minutes", "sum"))
            .reset_index().sort_values(["sessions", by], ascending=[False, True]))
    total = {by: "total", "young_people": sessions["participant_id"].nunique(), "sessions": len(sessions),
             "minutes": sessions["minutes"].sum()}
    table = pd.concat([rows, pd.DataFrame([total])], ignore_index=True).astype({"minutes": "int64"})
    published = suppress_counts(table, ["young_people"], threshold=threshold, suppress=suppress,
                                name=f"sessions by {by}")
    if suppress:
        hidden = set(published.index[published["young_people"] == "c"])
        parts = [i for i in table.index if i != len(table) - 1]
        if len(table) - 1 in hidden:  # 1 to threshold young people in all: publish nothing
            hidden |= set(parts)
        elif len([i for i in parts if i in hidden]) == 1:
            others = [i for i in parts if i not in hidden and table.at[i, "sessions"] > 0]
            if others:
                hidden.add(min(others, key=lambda i: (table.at[i, "sessions"], i)))
        for column in ("young_people", "sessions", "minutes"):
            published[column] = [("c" if i in hidden else table.at[i, column]) for i in table.index]
    published[by] = published[by].map(lambda v: ACTIVITY_TITLES.get(v, str(v).replace("_", " ")))
    hours = [v if v == "c" else round(v / 60, 1) for v in published["minutes"]]
    published.insert(published.columns.get_loc("minutes") + 1, "hours", hours)
    return published


def sessions_summary(sessions: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD,
                     suppress: bool = True, mentored: int | None = None) -> dict[str, pd.DataFrame]:
    """Published tables about mentoring sessions: by activity, by setting, and sessions per young person.

    Only sessions attended count (``attended`` no is a missed session; blank counts as attended); a missing
    ``minutes`` adds nothing to the minutes. Sessions per young person: median and quartiles (pandas' default
    linear interpolation, Hyndman & Fan 1996 type 7) of the number of attended sessions of each young person
    with at least one, withheld when there are ``threshold`` or fewer such young people.

    ``mentored``: the number of mentored young people, which the report publishes. When 1 to ``threshold`` of
    them had no attended session, the number who had one is shown as ``c`` (the median and quartiles stay:
    they describe many young people, and are then R's type 1, values of the data, since type 7's x.5 and x.25
    would narrow the hidden number: :func:`cm_research.privacy.derived.published_quartiles`), since mentored
    minus it would give the few away.
    So is the number of young people of any activity or setting from ``mentored - threshold`` up: the total
    is at least each of them.
    """
    held = sessions[sessions["attended"].fillna(True).astype(bool)].copy()
    held["minutes"] = held["minutes"].astype("Float64").fillna(0)
    tables = {"by_activity": _sessions_by(held, "activity", threshold, suppress),
              "by_setting": _sessions_by(held.assign(setting=held["setting"].astype(object).fillna("not recorded")),
                                         "setting", threshold, suppress)}
    per_person = held.groupby("participant_id").size()
    missed = int((~sessions["attended"].fillna(True).astype(bool)).sum())
    if suppress and 1 <= missed <= threshold:  # a total of 1 to 5 events can be one child's (privacy.events)
        missed = SUPPRESSED
    # mentored minus the number with a session would give the few without one away: that number is hidden
    n_hidden = suppress and mentored is not None and 1 <= mentored - len(per_person) <= threshold
    if len(per_person) > threshold or not suppress:
        spread = published_quartiles(per_person, n_hidden)
        row = {"young_people": SUPPRESSED if n_hidden else len(per_person), "median_sessions": spread["median"],
               "lower_quartile": spread["lower_quartile"], "upper_quartile": spread["upper_quartile"],
               "missed_sessions": missed}
    else:
        row = {"young_people": "c", "median_sessions": float("nan"), "lower_quartile": float("nan"),
               "upper_quartile": float("nan"), "missed_sessions": "c"}
    tables["per_young_person"] = pd.DataFrame([row])
    if n_hidden:
        for key in ("by_activity", "by_setting"):
            table = tables[key]
            # The hidden total is known to lie in [mentored - threshold, mentored - 1], and a young person may
            # be in several rows, so it is at least every row: a row in that band would pin it down (39
            # mentored, community 38, total c: the total is 38, so one had no session). Such rows are hidden too.
            table["young_people"] = [
                SUPPRESSED if label == "total" or (n != SUPPRESSED and int(n) >= mentored - threshold) else n
                for label, n in zip(table.iloc[:, 0], table["young_people"])]
            _note_hidden_total(table, threshold)
    return tables


def _note_hidden_total(table: pd.DataFrame, threshold: int) -> None:
    """Say under ``table`` why its total of young people is ``c`` (instead of "nothing was suppressed")."""
    control = dict(table.attrs.get("disclosure_control") or {})
    if not control:
        return
    why = ("The total number of young people is shown as c: the number of mentored young people, published "
           f"elsewhere in this report, minus it would show how many (1 to {threshold}) had no attended session; "
           f"so is the number for any {table.columns[0]} within {threshold} of the number mentored, since the "
           "total is at least that.")
    note = control.get("note", "")
    kept = f"No other count was from 1 to {threshold}." if note.startswith("No count was") else note
    control["note"] = f"{kept} {why}"
    table.attrs["disclosure_control"] = control


def describe_sessions(tables: dict[str, pd.DataFrame]) -> str:
    """One sentence for :func:`sessions_summary`."""
    total = tables["by_activity"].to_dict("records")[-1]
    per = tables["per_young_person"].to_dict("records")[0]
    if pd.isna(per["median_sessions"]) or total["sessions"] == "c":
        return "Too few young people had sessions recorded to publish any figures about them."
    def num(value: float) -> str:
        return f"{value:,.1f}".removesuffix(".0")

    missed = per["missed_sessions"]
    who = (f"{per['young_people']} young people" if per["young_people"] != "c" else
           "mentored young people (how many is not shown: a few had no attended session, and the difference "
           "would show how many)")
    return (f"{total['sessions']} sessions ({num(total['hours'])} hours) were attended by {who}: a median of {num(per['median_sessions'])} sessions each (half had between "
            f"{num(per['lower_quartile'])} and {num(per['upper_quartile'])}). " + (
                "A few planned sessions were missed (how many is not shown: so few can describe one young "
                "person) and are not counted." if missed == SUPPRESSED else
                f"{missed} planned session{' was' if missed == 1 else 's were'} missed and "
                f"{'is' if missed == 1 else 'are'} not counted."))


def sessions_figure_alt(table: pd.DataFrame, label: str, threshold: int = DEFAULT_THRESHOLD) -> tuple[str, str]:
    """(alt, caption) for :func:`sessions_barplot` of hours by ``label``, written from the published numbers."""
    rows = table[table[label] != "total"]
    shown = rows[rows["hours"] != "c"]
    items = "; ".join(f"{r[label]} {float(r['hours']):,.1f} hours" for _, r in shown.iterrows())
    hidden = len(rows) - len(shown)
    note = f" {hidden} more not shown, to protect the few young people in them." if hidden else ""
    alt = f"Bar chart of hours of mentoring sessions attended by {label}: {items or 'none shown'}.{note}"
    return alt, f"Hours of sessions attended, by {label} (groups of 1 to {threshold} young people left out)."


def describe_reliable_change(row: pd.Series | dict, title: str, threshold: int = DEFAULT_THRESHOLD) -> str:
    """One sentence for a row of the published reliable-change table (counts may be ``c``)."""
    r = dict(row)
    total = r["total"]
    if total == "c":
        return f"{title}: too few mentored young people were measured before and after to publish individual change."

    def count(value: object, what: str) -> str:
        return f"{threshold} or fewer (not shown, to protect them) {what}" if value == "c" else f"{value} {what}"

    return (f"{title}: of the {total} mentored young people measured before and after, "
            f"{count(r['reliable_improvement'], 'improved reliably')} and "
            f"{count(r['reliable_deterioration'], 'deteriorated reliably')}, that is by more than "
            f"{r['smallest_reliable_change']:.1f} points, a change larger than measurement error alone would "
            "produce; the others changed too little to tell apart from measurement error. Change within the "
            "mentored group alone cannot be attributed to mentoring.")


def limits_sentences(participants: pd.DataFrame, outcomes: pd.DataFrame, measure: str, title: str,
                     baseline: str = "baseline", post: str = "post", small: int = 20,
                     published_attrition: pd.DataFrame | None = None,
                     threshold: int = DEFAULT_THRESHOLD) -> list[str]:
    """The limits that qualify a measure's result, from the data: comparison group or not, attrition, small n.

    ``published_attrition``: the run's published attrition table (:func:`cm_research.quality.published_counts`).
    When given, the counts of young people measured at baseline, at both times and lost are stated only as that
    table shows them: a count it hides (``c``, perhaps only because the total of mentored young people minus it
    would give away a small count elsewhere) is not written out here either."""
    mentees = set(participants.loc[participants["group"] == "mentored", "participant_id"])
    has_comparison = (participants["group"] == "comparison").any()
    rows = outcomes[(outcomes["measure"] == measure) & outcomes["participant_id"].isin(mentees)]
    at = {t: set(rows.loc[rows["timepoint"] == t, "participant_id"]) for t in (baseline, post)}
    both = len(at[baseline] & at[post])
    lost = len(at[baseline] - at[post])
    out = []
    if not has_comparison:
        out.append(f"{title}: there is no comparison group, so any change cannot be attributed to mentoring.")
    else:
        out.append(f"{title}: the comparison group was not chosen at random, so differences may reflect who was "
                   "referred rather than the mentoring.")
    shown = None
    if published_attrition is not None and at[baseline]:
        match = published_attrition[(published_attrition["measure"] == measure)
                                    & (published_attrition["group"] == "mentored")]
        shown = match.iloc[0] if len(match) else None
    hidden = shown is not None and SUPPRESSED in (str(shown["n_baseline"]), str(shown["n_both"]), str(shown["n_lost"]))
    if hidden:
        measured = (f"{threshold} or fewer" if str(shown["n_both"]) == SUPPRESSED else str(shown["n_both"]))
        out.append(f"{measured.capitalize()} mentored young people were measured at both {baseline} and {post}. "
                   f"How many were measured at {baseline} only is not shown: it, or a count it would give away, is "
                   f"{threshold} or fewer. Those lost may differ from those who stayed.")
    elif at[baseline] and not lost:
        out.append(f"All {len(at[baseline])} mentored young people measured at {baseline} were measured again at "
                   f"{post}." if len(at[baseline]) > 1 else f"The mentored young person measured at {baseline} was "
                   f"measured again at {post}.")
    elif at[baseline]:
        share = 100 * lost / len(at[baseline])
        out.append(f"{both} of the {len(at[baseline])} mentored young people measured at {baseline} were measured "
                   f"again at {post} ({'under 1' if share < 0.5 else f'{share:.0f}'}% missing); those lost may "
                   "differ from those who stayed.")
    else:
        out.append(f"{title} was not measured at {baseline}, so there is no change to show for it.")
    if 0 < both < small:
        out.append(f"With fewer than {small} young people measured twice, estimates are imprecise: read the "
                   "intervals, not just the averages.")
    return out


def describe_costs(row: pd.Series | dict) -> str:
    """One sentence for :func:`cm_research.report.costs.cost_per_young_person`."""
    r = dict(row)
    years = and_list(str(r["years"]).split(", "))
    text = (f"In {years}, the programme cost £{r['total_cost']:,.0f} for {whole(r['n_mentored'])} mentored young "
            f"people: £{r['cost_per_young_person']:,.0f} per young person.")
    if pd.notna(r["cost_per_improved"]):
        text += (f" {whole(r['n_improved'])} improved reliably, so the cost per young person with reliable improvement was "
                 f"£{r['cost_per_improved']:,.0f}. This counts the whole cost against those who improved; it "
                 "describes spending, not what mentoring achieved.")
    elif r.get("note"):
        text += f" The {r['note']}." if r["note"].startswith("cost") else f" ({r['note']}.)"
    return text


@dataclass
class SiteReport:
    site: str
    participants: pd.DataFrame
    who: dict[str, pd.DataFrame]
    outcomes: OutcomeAnalysis
    limits: dict[str, list[str]]
    reliable_sentences: list[str]
    themes: pd.DataFrame | None = None
    quotes: pd.DataFrame | None = None
    qual_basis: str = ""
    joint: pd.DataFrame = field(default_factory=pd.DataFrame)
    joint_sentences: list[str] = field(default_factory=list)
    costs: pd.DataFrame | None = None
    costs_lines: pd.DataFrame | None = None
    cost_sentence: str = ""
    sessions: dict[str, pd.DataFrame] | None = None
    sessions_sentence: str = ""
    referrals: ReferralProfile | None = None
    referral_sentences: list[str] = field(default_factory=list)
    matches: MatchAnalysis | None = None
    evidence: pd.DataFrame | None = None
    evidence_sentences: list[str] = field(default_factory=list)
    framework_title: str = ""
    figures: dict[str, str] = field(default_factory=dict)  # name -> <figure> HTML
    problems: pd.DataFrame = field(default_factory=pd.DataFrame)


def _alt_texts(analysis: OutcomeAnalysis) -> dict[str, tuple[str, str]]:
    """(alt, caption) for each outcome figure, written from the numbers it shows."""
    titles = measures_catalogue()["title"]
    out = {}
    comparisons = analysis.comparisons.set_index("measure") if not analysis.comparisons.empty else pd.DataFrame()
    for name in analysis.figures:
        if name == "forest_standardised":
            shown = analysis.comparisons[(analysis.comparisons["kind"] == "continuous")
                                         & analysis.comparisons["effect_size"].notna()]
            items = "; ".join(f"{r.title} g = {r.effect_size:.2f} ({r.effect_size_ci_low:.2f} to "
                              f"{r.effect_size_ci_high:.2f})" for r in shown.itertuples())
            clear = [f"{r.title} (mentored group {'higher' if r.effect_size_ci_low > 0 else 'lower'})"
                     for r in shown.itertuples() if r.effect_size_ci_low > 0 or r.effect_size_ci_high < 0]
            verdict = (f" The interval excludes no difference (0) for {' and '.join(clear)}; the others include it."
                       if clear and len(clear) < len(shown) else " Every interval excludes no difference (0)."
                       if clear else " Every interval includes no difference (0).")
            out[name] = (f"Forest plot of standardised differences between mentored and comparison groups: {items}."
                         + verdict,
                         "Standardised difference (Hedges' g) on each measure with its confidence interval; the "
                         "dashed line is no difference. Right of it: mentored group higher.")
        elif name.startswith("reliable_change_") and name in analysis.figure_data:
            measure = name.removeprefix("reliable_change_")
            row = analysis.reliable_change.set_index("measure").loc[measure]
            items = "; ".join(f"{c}: {row[c.replace(' ', '_')]}" for c in
                              ("reliable improvement", "no reliable change", "reliable deterioration"))
            out[name] = (f"Bar chart of the number of mentored young people in each reliable-change category of "
                         f"{titles.get(measure, measure)}: {items} (c: from 1 to 5, not shown).",
                         f"{titles.get(measure, measure)}: reliable change among mentored young people.")
        elif name.startswith("reliable_change_"):
            measure = name.removeprefix("reliable_change_")
            out[name] = (f"Scatter plot of reliable change: each mentored young person's "
                         f"{titles.get(measure, measure)} before "
                         "(horizontal) against after (vertical), the shaded band marking changes within measurement "
                         "error.", f"{titles.get(measure, measure)}: individual change among mentored young people.")
        elif name in analysis.figure_data:
            title, data = titles.get(name, name), analysis.figure_data[name]
            if "mean" in data:
                items = "; ".join(f"{r.group} at {r.timepoint} " + ("c" if r.young_people == "c" else
                                  f"{r.mean:.1f} ({r.ci_low:.1f} to {r.ci_high:.1f})") for r in data.itertuples())
                out[name] = (f"{title}: mean and confidence interval of each group, measured before and after: "
                             f"{items}.", f"{title}: mean of the mentored and comparison groups (young people "
                             "measured both times).")
            else:
                items = "; ".join(f"{r.group} {r.pct_with_outcome}%" if r.pct_with_outcome != "c" else
                                  f"{r.group} c" for r in data.itertuples())
                out[name] = (f"{title}: bar chart of the percentage of each group: {items}.",
                             f"{title}, mentored and comparison groups (percentages; c: too few to show).")
        else:
            title = titles.get(name, name)
            row = comparisons.loc[name] if name in comparisons.index else None
            label = {"continuous": "Difference", "binary": "Difference in proportion", "count": "Rate ratio"}
            detail = (f" {label.get(row['kind'], 'Estimate')} {row['estimate']:.2f} ({row['ci_low']:.2f} to "
                      f"{row['ci_high']:.2f}), mentored against comparison."
                      if row is not None and pd.notna(row["estimate"]) else "")
            if row is not None and row["kind"] == "binary":  # one bar chart of proportions after, no slopes
                out[name] = (f"{title}: bar chart of the proportion of each group (mentored, comparison) after the programme, "
                             f"with confidence intervals.{detail}", f"{title}, mentored and comparison groups.")
                continue
            out[name] = (f"{title}: mentored young people's values before and after, and both groups' values after "
                         f"the programme.{detail}", f"{title}, mentored and comparison groups.")
    return out


def site_report(data_dir: str | Path, output_dir: str | Path, *, site: str = "",
                transcripts_dir: str | Path | None = None, coding: str | Path | None = None,
                costs_file: str | Path | None = None, sessions_file: str | Path | None = None,
                links: pd.DataFrame | None = None, as_of: str | None = None,
                outcome_framework: str = "every_child_matters", framework_paths: tuple[str, ...] = (),
                joint_measure: str = "sdq_total", baseline: str = "baseline", post: str = "post",
                alpha: float = 0.05, n_boot: int = 2000, seed: int = 12345,
                suppress_small_counts: bool = True, small_count_threshold: int = DEFAULT_THRESHOLD) -> SiteReport:
    """Compute the whole site report and write its published tables (CSV) and figures (PNG) to ``output_dir``.

    ``costs_file`` defaults to ``costs.csv`` in ``data_dir`` when there is one; ``transcripts_dir`` None leaves
    out the qualitative sections and the joint display (the report says so). ``sessions_file`` likewise defaults
    to ``sessions.csv`` (or ``.xlsx``) in ``data_dir``; without one the report has no sessions section.
    With ``mentors`` and ``matches`` tables in ``data_dir`` the report analyses match length up to ``as_of``
    (default: the latest date in the matches table). Measures and codes are summarised by the outcomes of
    ``outcome_framework`` (bundled, or declared in a file of ``framework_paths``).
    """
    from cm_research.qual.workflow import run_thematic_analysis

    use_colour_blind_palette()
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    evaluation = load_evaluation(data_dir)
    participants, outcomes = evaluation.participants.data, evaluation.outcomes.data
    site = site or str(participants["site"].mode().iloc[0])
    threshold, suppress = small_count_threshold, suppress_small_counts
    analysis = outcome_analysis(evaluation, out, baseline=baseline, post=post, alpha=alpha, n_boot=n_boot,
                                seed=seed, site=site, suppress_small_counts=suppress,
                                small_count_threshold=threshold)
    titles = measures_catalogue()["title"]
    measures = list(dict.fromkeys(outcomes["measure"]))
    from cm_research.quality import published_counts

    # the attrition counts as the data-quality report publishes them, so the limits below hide what it hides
    published_attrition = (published_counts(participants, outcomes, threshold=threshold)["attrition"] if suppress
                           else None)
    report = SiteReport(
        site=site, participants=participants, who=who_took_part(participants, threshold, suppress),
        outcomes=analysis,
        limits={m: limits_sentences(participants, outcomes, m, titles.get(m, m), baseline, post,
                                    published_attrition=published_attrition, threshold=threshold) for m in measures},
        reliable_sentences=[describe_reliable_change(r, titles.get(r["measure"], r["measure"]), threshold)
                            for _, r in analysis.reliable_change.iterrows()],
        problems=evaluation.problems,
    )
    from cm_research.plots.findings import lead_with_finding
    from cm_research.report.outcomes import figure_data_name

    alts = {name: (lead_with_finding(alt, analysis.figures.get(name)), caption)  # the finding first (WCAG 1.1.1)
            for name, (alt, caption) in _alt_texts(analysis).items()}

    for name, fig in analysis.figures.items():
        report.figures[name] = figure_html(fig, *alts[name], data_href=figure_data_name(name)
                                           if name in analysis.figure_data else None)

    thematic = None
    if transcripts_dir:
        thematic = run_thematic_analysis(transcripts_dir, coding=coding, site=site)
        from cm_research.qual.publish import publish_thematic

        # what the report shows: interviewee counts suppressed, quotes of small groups pooled (publication)
        shown = publish_thematic(thematic, threshold=threshold, suppress=suppress) if suppress else thematic
        report.themes = shown.tables["themes_generated_by"]
        report.quotes = shown.tables["quotes"]
        report.qual_basis = thematic.basis
        categories = change_categories(outcomes, participants, joint_measure, baseline, post, 1 - alpha)
        themes = interview_themes(thematic.coded, thematic.corpus.participants(), thematic.codebook.table(), links)
        report.joint = joint_display(categories, themes, threshold=threshold, suppress=suppress)
        report.joint_sentences = describe_joint_display(report.joint, titles.get(joint_measure, joint_measure))
        write_table(_published(report.joint, ["total"], threshold, suppress, "joint_display"),
                    out / "joint_display.csv", publication=suppress)

    if costs_file is None and any((Path(data_dir) / f"costs{ext}").exists() for ext in (".csv", ".xlsx")):
        costs_file = find_table_file(data_dir, "costs")  # none there: the report says there are no costs
    if costs_file:
        costs = load_table(costs_file, "costs")
        report.problems = pd.concat([report.problems, costs.problems], ignore_index=True)
        improved = None
        rc = analysis.reliable_change
        if not rc.empty and joint_measure in set(rc["measure"]):
            improved = rc.set_index("measure").loc[joint_measure, "reliable_improvement"]
            improved = improved if improved == "c" else int(improved)
        report.costs = cost_per_young_person(costs.data, participants, site, improved, threshold=threshold)
        report.costs_lines = costs_by_line(costs.data, site)
        report.cost_sentence = describe_costs(report.costs.iloc[0])
        write_table(_published(report.costs, ["n_mentored", "n_improved"], threshold, suppress, "costs"),
                    out / "cost_per_young_person.csv", publication=suppress)
    if sessions_file is None and any((Path(data_dir) / f"sessions{ext}").exists() for ext in (".csv", ".xlsx")):
        sessions_file = find_table_file(data_dir, "sessions")
    if sessions_file:
        held_back = held_back_ids(evaluation)
        sessions = load_table(sessions_file, "sessions", references={"participants": participants},
                              quarantined={"participants": held_back})
        report.problems = pd.concat([report.problems, sessions.problems], ignore_index=True)
        report.sessions = sessions_summary(sessions.data, threshold, suppress,
                                           mentored=int((participants["group"] == "mentored").sum()))
        report.sessions_sentence = describe_sessions(report.sessions)
        for label, key in (("activity", "by_activity"), ("setting", "by_setting")):
            table = report.sessions[key]
            ax = sessions_barplot(table, "hours", label)
            _save_figure(report, f"sessions_{label}", ax.figure, sessions_figure_alt(table, label, threshold), out,
                         table, publication=suppress)
        for name, table in report.sessions.items():
            write_table(_published(table, ["young_people"], threshold, suppress, f"sessions_{name}"),
                        out / f"sessions_{name}.csv", publication=suppress)
    _referral_section(report, participants, sessions.data if sessions_file else None, out, threshold, suppress)
    _match_section(report, data_dir, participants, held_back_ids(evaluation), as_of, out, alpha, threshold, suppress)
    _evidence_section(report, outcome_framework, framework_paths, analysis, thematic, out, alpha, threshold, suppress)
    for name, table in report.who.items():
        write_table(_published(table, ["young_people"], threshold, suppress, f"participants_{name}"),
                    out / f"participants_{name}.csv", publication=suppress)
    return report


def held_back_ids(evaluation) -> set[str]:
    """Participant ids whose participants row is quarantined: other tables' rows about them are held back too."""
    return set(evaluation.participants.quarantine.get("participant_id", pd.Series(dtype=object)).dropna().astype(str))


def _published(table: pd.DataFrame, counts: list[str], threshold: int, suppress: bool, name: str) -> pd.DataFrame:
    """``table`` if it is a SuppressedTable, else checked by :func:`~cm_research.privacy.suppression.certify`
    (its counts from 1 to ``threshold`` must already show ``c``)."""
    from cm_research.privacy.contract import SuppressedTable
    from cm_research.privacy.suppression import certify

    if isinstance(table, SuppressedTable):
        return table
    return certify(table, [c for c in counts if c in table.columns], threshold=threshold, suppress=suppress,
                   name=name)


def _save_figure(report: SiteReport, name: str, fig: plt.Figure, alt: tuple[str, str], out: Path,
                 data: pd.DataFrame | None = None, publication: bool = True) -> None:
    """Embed ``fig`` in the report and save its PNG; ``data`` (the numbers behind it) is written beside it as
    ``<name>_data.csv`` and linked under the figure."""
    from cm_research.privacy.contract import write_table

    if publication:  # a published figure draws only what its table shows (read back from its artists)
        require_safe_figure(fig, name)
    href = None
    if data is not None:
        href = f"{name}_data.csv"
        write_table(data, out / href, publication=publication)
    report.figures[name] = figure_html(fig, *alt, data_href=href)
    fig.savefig(out / f"{name}.png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)


def _referral_section(report: SiteReport, participants: pd.DataFrame, sessions: pd.DataFrame | None, out: Path,
                      threshold: int, suppress: bool) -> None:
    """Referral reasons, age and stage, waits, sessions per young person and programme length."""
    report.referrals = referral_profile(participants, sessions, threshold, suppress)
    report.referral_sentences = describe_referral_profile(report.referrals)
    for name in ("reasons", "age_and_stage", "wait_bands", "spread", "programme_status"):
        write_table(_published(report.referrals.tables[name], ["young_people"], threshold, suppress,
                               f"referrals_{name}"), out / f"referrals_{name}.csv", publication=suppress)
    for name, label, what in (("wait_bands", "wait", "wait from referral to first session"),
                              ("age_and_stage", "year_groups", "year group at the start")):
        table = report.referrals.tables[name]
        if (table.loc[table[label] != "total", "young_people"] != "c").any():
            ax = profile_barplot(table, label)
            _save_figure(report, f"referrals_{name}", ax.figure, profile_figure_alt(table, label, what, threshold),
                         out, _published(table, ["young_people"], threshold, suppress, f"referrals_{name}"),
                         publication=suppress)


def _match_section(report: SiteReport, data_dir: str | Path, participants: pd.DataFrame, held_back: set[str],
                   as_of: str | None, out: Path, alpha: float, threshold: int, suppress: bool) -> None:
    """Match length by shared interests, when the site has mentors and matches tables."""
    folder = Path(data_dir)
    if not all(any((folder / f"{t}{ext}").exists() for ext in (".csv", ".xlsx")) for t in ("mentors", "matches")):
        return
    mentors = load_table(find_table_file(folder, "mentors"), "mentors")
    matches = load_table(find_table_file(folder, "matches"), "matches",
                         references={"participants": participants, "mentors": mentors.data},
                         quarantined={"participants": held_back,
                                      "mentors": set(mentors.quarantine.get("mentor_id", pd.Series(dtype=object))
                                                     .dropna().astype(str))})
    report.problems = pd.concat([report.problems, mentors.problems, matches.problems], ignore_index=True)
    if matches.data.empty:
        return
    report.matches = analyse_matches(matches.data, participants, mentors.data, as_of, confidence=1 - alpha,
                                     threshold=threshold, suppress=suppress)
    write_match_tables(report.matches, out, publication=suppress)
    if report.matches.figure is not None:
        _save_figure(report, "match_survival", report.matches.figure, report.matches.figure_alt, out,
                     report.matches.figure_data, publication=suppress)


def _evidence_section(report: SiteReport, framework: str, framework_paths, analysis: OutcomeAnalysis, thematic,
                      out: Path, alpha: float, threshold: int, suppress: bool) -> None:
    """Quantitative and qualitative evidence by the outcomes of an outcome framework (Every Child Matters)."""
    from cm_research.frameworks import load_framework
    from cm_research.report.frameworks import (describe_evidence, evidence_by_outcome, evidence_figure_alt,
                                               evidence_heatmap)

    if not framework:
        return
    report.framework_title = load_framework(framework, *framework_paths).title
    comparisons = analysis.comparisons if not analysis.comparisons.empty else None
    report.evidence = evidence_by_outcome(framework, comparisons, thematic, framework_paths=framework_paths,
                                          confidence=1 - alpha, threshold=threshold, suppress=suppress)
    report.evidence_sentences = describe_evidence(report.evidence, threshold)
    write_table(_published(report.evidence, [c for c in ("interviews",) if c in report.evidence], threshold, suppress,
                           "evidence_by_outcome"), out / "evidence_by_outcome.csv", publication=suppress)
    ax = evidence_heatmap(report.evidence)
    from cm_research.privacy.suppression import certify

    counts = [c for c in ("interviews",) if c in report.evidence]
    _save_figure(report, "evidence_by_outcome", ax.figure, evidence_figure_alt(report.evidence), out,
                 certify(report.evidence, counts, threshold=threshold, suppress=suppress, name="evidence_by_outcome"),
                 publication=suppress)


def measure_block_html(report: SiteReport, measure: str) -> str:
    """A measure's figure with its limits directly beneath it (the limits qualify that figure)."""
    parts = [report.figures[measure]] if measure in report.figures else []
    limits = report.limits.get(measure, [])
    if limits:
        items = "".join(f"<li>{html.escape(s)}</li>" for s in limits)
        parts.append(f'<div class="cm-limits"><strong>Limits of this result</strong><ul>{items}</ul></div>')
    return "\n".join(parts)
