"""WCAG 2.1 success criterion 1.1.1 (non-text content): every figure's alt text says what a sighted reader takes
from it -- the finding, with the numbers that may be published -- not only what its axes are or what kind of
chart it is. Checked on every ``<img>`` of every report of the session's shared demo run, and on each plotting
function that writes its own finding (:mod:`cm_research.plots.findings`), against numbers worked by hand."""

from __future__ import annotations

import re

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from cm_research.plots.findings import figure_data, findings, forest_finding, survival_finding
from cm_research.report.figures import describe_figure

matplotlib.use("Agg")

#: words that describe a chart's frame rather than what it shows (describe_axes' fallback writes these)
_FRAME = re.compile(r"\b(horizontal|vertical) axis\b|\blegend\b:|\bx-axis\b|\by-axis\b", re.IGNORECASE)
#: a confidence level ("95% confidence bands") names the drawing, not a finding
_LEVEL = re.compile(r"\b\d+(?:\.\d+)?%\s+(?:confidence|CI|prediction)", re.IGNORECASE)
_WITHHELD = ("fewer than 6", "not shown", "withheld")


def alt_text_problem(alt: str) -> str:
    """Why ``alt`` does not state a finding ("" when it does): it names the axes or the legend, or it holds no
    number (a confidence level aside) after the figure's name (the text before the first ": "), or no word that
    says why the numbers are withheld, or it is too short to say anything."""
    if not alt or not alt.strip():
        return "no alt text"
    if _FRAME.search(alt):
        return "describes the axes or legend, not what the figure shows"
    head, colon, rest = alt.partition(": ")
    body = rest if colon else alt
    if not re.search(r"\d", _LEVEL.sub("", body)) and not any(w in body for w in _WITHHELD):
        return "states no number: names only the figure or its kind"
    if len(body.split()) < 6:
        return "too short to state a finding"
    return ""


@pytest.mark.parametrize("alt", [
    # last round's Kaplan-Meier alt text: what is drawn, not what it shows
    "Step curves of the proportion of matches still going against days since the match started, for no shared "
    "interests and one or more shared interests, with shaded 95% confidence bands and ticks for matches still going.",
    'Bar chart titled "New and cumulative codes by interview"; horizontal axis Interview, in the order done; '
    "vertical axis Codes; legend: distinct codes so far, new codes in this interview.",
    "Figure 3",
    "Forest plot: effect size by site.",
    "Bar chart of hours of mentoring sessions by activity.",
    "",
])
def test_the_checker_rejects_alt_texts_that_name_only_the_chart(alt):
    assert alt_text_problem(alt)


@pytest.mark.parametrize("alt", [
    "Kaplan-Meier curves of matches: Matches still going by day 300: none 48%; one or more 62%.",
    'Heat map titled "Themes by role": No share is shown: every theme and role cell is withheld to protect '
    "counts of fewer than 6.",
    "Bar chart of hours by activity: visual art 446.8 hours; clay 321.5 hours; woodwork 214.8 hours.",
])
def test_the_checker_accepts_alt_texts_that_state_a_finding(alt):
    assert alt_text_problem(alt) == ""


@pytest.mark.notebook
def test_every_figure_in_every_demo_report_states_its_finding(shared_demo_run):
    pages = [p for p in sorted(shared_demo_run.rglob("*.html"))
             if p.with_suffix(".ipynb").exists() and "restricted" not in p.parts]
    assert len(pages) == 12
    failing, n = [], 0
    for page in pages:
        for img in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find_all("img"):
            n += 1
            alt = img.get("alt", "")
            if problem := alt_text_problem(alt):
                failing.append((str(page.relative_to(shared_demo_run)), problem, alt[:160]))
    assert n >= 40 and not failing, failing


# --- the findings, worked by hand ------------------------------------------------------------------------------

def test_the_saturation_curve_says_how_many_codes_and_where_the_new_ones_stopped():
    from cm_research.qual.saturation import plot_saturation, saturation_finding

    # new codes per interview 5, 3, 2, 0, 1, 0: 11 codes in all; interview 5 is the last to add one
    curve = pd.DataFrame({"order": range(1, 7), "n_new": [5, 3, 2, 0, 1, 0], "cumulative": [5, 8, 10, 10, 11, 11]})
    assessment = {"base_size": 3, "reached": False, "sentence": "Saturation was not reached in 6 interviews."}
    said = saturation_finding(curve, assessment)
    assert said == ("11 distinct codes were found in 6 interviews; the first interview gave 5, and the last new "
                    "code came in interview 5 (the 1 interview after it added none). Saturation was not reached "
                    "in 6 interviews.")
    fig = plot_saturation(curve.assign(transcript="t", case="x", role="mentee", date="", new_codes=""),
                          assessment, title="Codes by interview").figure
    try:
        assert describe_figure(fig) == f'Saturation curve titled "Codes by interview": {said}'
        table = figure_data(fig)
        assert list(table["distinct codes so far"]) == [5, 8, 10, 10, 11, 11] and "case" not in table
    finally:
        plt.close(fig)


def test_a_forest_plot_says_the_pooled_estimate_and_whether_it_includes_no_difference():
    from cm_research.plots.meta import meta_forest_plot

    studies = pd.DataFrame({"study": ["Easton", "Northshire", "Westbury"], "estimate": [0.1, 0.5, 0.3],
                            "ci_low": [-0.2, 0.1, 0.0], "ci_high": [0.4, 0.9, 0.6], "weight": [30.0, 30.0, 40.0]})
    summary = pd.DataFrame({"estimate": [0.3], "ci_low": [0.05], "ci_high": [0.55], "pi_low": [-0.2],
                            "pi_high": [0.8], "method": ["REML"], "k": [3]})
    expected = ("Pooled estimate 0.30 (confidence interval 0.05 to 0.55) across 3 sites; the interval lies above "
                "no difference (0). Prediction interval -0.20 to 0.80. Site estimates ranged from 0.10 (Easton) "
                "to 0.50 (Northshire).")
    assert forest_finding(studies, summary) == expected
    ax = meta_forest_plot(studies, summary)
    try:
        assert describe_figure(ax.figure) == f"Forest plot: {expected}"
    finally:
        plt.close(ax.figure)
    # ratios: log(1.5) pooled, interval log(0.8) to log(2): includes 1; exp(log 1.2) = 1.20 etc.
    import math

    logs = studies.assign(estimate=[math.log(1.2), math.log(2.5), math.log(1.6)])
    said = forest_finding(logs, summary.assign(estimate=[math.log(1.5)], ci_low=[math.log(0.8)],
                                                ci_high=[math.log(2.0)], pi_low=[float("nan")]), exponentiate=True)
    assert said == ("Pooled ratio 1.50 (confidence interval 0.80 to 2.00) across 3 sites; the interval includes "
                    "no difference (1). Site estimates ranged from 1.20 (Easton) to 2.50 (Northshire).")


def test_kaplan_meier_curves_say_how_many_matches_were_still_going():
    from cm_research.plots.survival import kaplan_meier_plot
    from cm_research.stats.survival import kaplan_meier

    # A: 4 matches end at days 10, 20, 30, 40: S = 3/4, 2/4, 1/4, 0 -> half ended by day 20, 0% at day 40.
    # B: ends at 15 (S = 3/4), one still going at 25, at 50 one of the 2 at risk ends (S = 3/4 * 1/2 = 0.375),
    #    one still going at 60. Both curves reach day 40 (A's last); B is still at 3/4 there.
    matches = pd.DataFrame({"days": [10, 20, 30, 40, 15, 25, 50, 60], "ended": [1, 1, 1, 1, 1, 0, 1, 0],
                            "programme": ["A"] * 4 + ["B"] * 4})
    ax = kaplan_meier_plot(kaplan_meier(matches, "days", "ended", "programme"), suppress=False)  # internal: few
    try:
        assert findings(ax.figure) == ("Matches still going by day 40: A 0%; B 75%. Half of the matches (A) had "
                                       "ended by day 20. Half of the matches (B) had ended by day 50.")
        assert describe_figure(ax.figure).startswith("Kaplan-Meier curves: Matches still going by day 40")
    finally:
        plt.close(ax.figure)
    assert survival_finding(pd.DataFrame(columns=["group", "time", "survival"])) == "No curve is drawn."


def test_slopes_reliable_change_and_likert_figures_state_their_findings():
    from cm_research.plots.change import pre_post_scatter
    from cm_research.plots.likert import diverging_stacked_bars
    from cm_research.plots.outcomes import paired_slopes

    # slopes: a 20 -> 16 (down), b 15 -> 14 (down), c 10 -> 12 (up), d 11 -> 11 (same);
    # means 56/4 = 14.0 before, 53/4 = 13.25 after (said to 1 decimal: 13.2, Python rounds half to even)
    rows = pd.DataFrame({"participant_id": list("abcd") * 2, "timepoint": ["baseline"] * 4 + ["post"] * 4,
                         "value": [20, 15, 10, 11, 16, 14, 12, 11]})
    ax = paired_slopes(rows)
    assert findings(ax.figure) == ("The mean fell from 14.0 to 13.2 across 4 young people: 1 went up, 2 went "
                                   "down, 1 stayed the same.")
    assert describe_figure(ax.figure).startswith("Slope chart: The mean fell")
    people = pd.DataFrame({"baseline": [22, 15, 18], "post": [14, 13, 27],
                           "reliable_change": ["reliable improvement", "no reliable change", "reliable deterioration"]})
    ax2 = pre_post_scatter(people, threshold=6.8, cutoff=17, better="lower")
    assert findings(ax2.figure) == ("Of 3 young people measured both times: 1 reliable improvement, 1 no reliable "
                                    "change, 1 reliable deterioration (a change of 6.8 points or more is reliable).")
    # Likert, 1-5: item a answers 5, 4, 2, 1 -> 2 of 4 above neutral (50%); item b 4, 3, 3, 3 -> 1 of 4 (25%)
    answers = pd.DataFrame({"item": ["a"] * 4 + ["b"] * 4, "response": [5, 4, 2, 1, 4, 3, 3, 3]})
    ax3 = diverging_stacked_bars(answers, labels={"a": "Trust", "b": "Timing"})
    assert findings(ax3.figure) == 'Agreement ranged from 25% ("Timing") to 50% ("Trust") across 2 statements.'
    plt.close("all")
