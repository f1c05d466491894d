"""Plain-English sentences generated from result tables: n, the estimator, the CI and the effect size.

They never overstate: "statistically significant" is not used at all (the p-value and the CI are
given instead), and change within one group is never attributed to mentoring.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from cm_research.stats.outcomes import SMALL_GROUP
from cm_research.report.wording import format_number, format_p


def _num(x: float, digits: int = 1) -> str:
    return format_number(x, digits)


def _p(p: float) -> str:
    return format_p(p, prefix=True)


def _p_policy(r: dict, n_outcomes: int) -> str:
    """The p-value a sentence quotes: with several outcomes compared, the Holm-adjusted one, said so (the
    report's one p-value policy; tables show both columns)."""
    p_holm = r.get("p_holm")
    if n_outcomes > 1 and p_holm is not None and not pd.isna(p_holm):
        return f"Holm-adjusted {_p(p_holm)} across the {n_outcomes} outcomes compared"
    return _p(r["p_val"])


def describe_comparison(row: pd.Series | dict, confidence: float = 0.95, n_outcomes: int = 1) -> str:
    """One sentence (or two) for a row of :func:`cm_research.stats.outcomes.compare_outcomes`.

    ``n_outcomes``: how many outcomes were compared; above 1 the sentence quotes the Holm (1979) adjusted p
    (``p_holm``) and says so, as the report's introduction promises."""
    r = dict(row)
    title = r["title"]
    if str(r.get("analysis", "")).startswith("withheld"):
        return f"{title}: {r.get('note', 'withheld')}."
    if r.get("analysis") == "not analysed" or pd.isna(r.get("estimate")):
        reason = re.sub(r"^[a-z_]+: ", "", str(r.get("note", "") or ""))  # drop the function name, keep the reason
        return f"{title}: not analysed — {reason}".rstrip(" —")
    level = f"{round(confidence * 100):d}% CI"
    n = f"{int(r['n_treated'])} mentored and {int(r['n_control'])} comparison young people"
    lo, hi = r["ci_low"], r["ci_high"]
    if r["kind"] == "continuous":
        adjusted = "ANCOVA" in str(r["analysis"])
        direction = "higher" if r["estimate"] >= 0 else "lower"
        text = (f"{title}: among {n}, the mentored group's average was {_num(abs(r['estimate']))} {direction} "
                f"than the comparison group's{' after adjusting for baseline' if adjusted else ''} "
                f"({level} {_num(lo)} to {_num(hi)}; Hedges' g = {_num(r['effect_size'], 2)}; {_p_policy(r, n_outcomes)}).")
    elif r["kind"] == "binary":
        text = (f"{title}: among {n}, the proportion differed by {_num(100 * r['estimate'])} percentage points "
                f"(mentored minus comparison; {level} {_num(100 * lo)} to {_num(100 * hi)}; "
                f"risk ratio {_num(r['effect_size'], 2)}; {_p_policy(r, n_outcomes)}).")
    else:
        text = (f"{title}: among {n}, the mentored group's rate was {_num(r['estimate'], 2)} times the comparison "
                f"group's ({level} {_num(lo, 2)} to {_num(hi, 2)}; {_p_policy(r, n_outcomes)}).")
    better = "higher" if r["better"] == "higher" else "lower"
    if r["favours"] == "unclear":
        null = "no difference" if r["null"] == 0 else "a ratio of 1"
        text += f" The interval includes {null}, so these data cannot tell the two groups apart on this measure."
    else:
        text += (f" The whole interval lies on the side where the {r['favours']} group did better "
                 f"({better} is better for this measure).")
    if r.get("small_sample"):
        text += f" Fewer than {SMALL_GROUP} young people in a group: read this as descriptive."
    return text


def describe_change(row: pd.Series | dict, title: str, confidence: float = 0.95) -> str:
    """One sentence for the paired t row of :func:`cm_research.stats.outcomes.change_within_group`."""
    r = dict(row)
    if pd.isna(r.get("estimate")):
        return f"{title}: change not estimated — {r.get('note', '')}"
    level = f"{round(confidence * 100):d}% CI"
    sign = "+" if r["estimate"] >= 0 else ""
    text = (f"{title}: among the {int(r['n_pairs'])} {r['group']} young people measured before and after, the "
            f"average changed by {sign}{_num(r['estimate'])} ({level} {_num(r['ci_low'])} to {_num(r['ci_high'])}; "
            f"d_z = {_num(r['d_z'], 2)})")
    dropped = r.get("n_dropped")
    if isinstance(dropped, str) and dropped == "c":  # 1 to the threshold: suppressed
        text += "; a few (5 or fewer, not shown) without both values were left out"
    elif dropped and not (isinstance(dropped, float) and math.isnan(dropped)) and int(dropped) > 0:
        text += f"; {int(dropped)} without both values were left out"
    text += ". Without a comparison group, a change like this cannot be attributed to mentoring."
    if r["n_pairs"] < SMALL_GROUP:
        text += f" Fewer than {SMALL_GROUP} young people: read this as descriptive."
    return text
