"""Evidence by outcome of an outcome framework (e.g. Every Child Matters): what the measures and the interviews
tagged to each outcome show, side by side, with an honest line where there is none.

Quantitative evidence is the mentored-versus-comparison result of each tagged measure
(:func:`cm_research.stats.outcomes.compare_outcomes`, after
:func:`cm_research.report.outcomes.withhold_small_groups`): its direction, size and confidence interval, and
which group the interval favours. Qualitative evidence is the interviews coded with the tagged codes
(``ThematicResult.coded``): how many interviews, and the roles of the people interviewed. Interview counts
from 1 to ``threshold`` are shown as ``c`` (:func:`cm_research.privacy.suppression.suppress_counts`). The
two kinds are reported together, as in a convergence table (O'Cathain, Murphy & Nicholl 2010, BMJ 341:c4587),
without claiming that one confirms the other.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from cm_research.frameworks import Framework, framework_tags, load_framework, load_frameworks
from cm_research.privacy.suppression import DEFAULT_THRESHOLD, SUPPRESSED, suppress_counts, suppression_note
from cm_research.qual.roles import ROLES, role_name
from cm_research.report.sentences import _num

if TYPE_CHECKING:
    from cm_research.qual.codebook import Codebook
    from cm_research.qual.workflow import ThematicResult

MEASURE_COLUMNS = ["framework", "outcome", "measure", "title", "kind", "status", "estimate", "ci_low", "ci_high",
                   "effect_size_name", "effect_size", "favours", "n_treated", "n_control", "result"]
CODE_COLUMNS = ["framework", "outcome", "code", "code_label", "theme", "interviews", "roles"]
OUTCOME_COLUMNS = ["framework", "outcome", "outcome_title", "measures_tagged", "measures_analysed",
                   "favours_mentored", "favours_comparison", "unclear", "quantitative", "without_result", "codes_tagged",
                   "codes_mentioned", "interviews", "roles", "qualitative", "evidence", "note"]
EFFECT_NAMES = {"hedges_g_adj": "Hedges' g", "hedges_g": "Hedges' g", "risk_ratio": "risk ratio",
                "rate_ratio": "rate ratio"}


def _framework(framework: str | Framework, paths: Sequence[str | Path]) -> tuple[Framework, dict[str, Framework]]:
    known = load_frameworks(*paths)
    chosen = framework if isinstance(framework, Framework) else load_framework(framework, *paths)
    return chosen, {**known, chosen.id: chosen}


def _result_text(r: dict, confidence: float) -> str:
    """"the mentored group's average 3.2 higher (95% CI −1.0 to 7.4; Hedges' g 0.25): the interval includes no
    difference, so the groups cannot be told apart"."""
    level = f"{round(confidence * 100):d}% CI"
    est, lo, hi = r["estimate"], r["ci_low"], r["ci_high"]
    if r["kind"] == "binary":
        size = (f"proportion {_num(abs(100 * est))} percentage points {'higher' if est >= 0 else 'lower'} "
                f"({level} {_num(100 * lo)} to {_num(100 * hi)}")
    elif r["kind"] == "count":
        size = f"rate {_num(est, 2)} times the comparison group's ({level} {_num(lo, 2)} to {_num(hi, 2)}"
    else:
        size = f"average {_num(abs(est))} {'higher' if est >= 0 else 'lower'} ({level} {_num(lo)} to {_num(hi)}"
    effect = r.get("effect_size_name")
    if effect and effect != "rate_ratio" and pd.notna(r.get("effect_size")):
        size += f"; {EFFECT_NAMES.get(effect, effect)} {_num(r['effect_size'], 2)}"
    verdict = {"mentored": "the whole interval favours the mentored group",
               "comparison": "the whole interval favours the comparison group"}.get(
        r["favours"], "the interval includes no difference, so the groups cannot be told apart")
    return f"the mentored group's {size}): {verdict}"


def measure_evidence(framework: str | Framework, comparisons: pd.DataFrame | None, *,
                     tags: pd.DataFrame | None = None, framework_paths: Sequence[str | Path] = (),
                     confidence: float = 0.95) -> pd.DataFrame:
    """One row per (outcome, tagged measure) with the measure's mentored-vs-comparison result.

    ``status`` is ``analysed``, ``withheld`` (small-number suppression), ``not analysed`` (the reason is in
    the comparisons' note) or ``not measured`` (no row for it in ``comparisons``). Columns: MEASURE_COLUMNS.
    """
    chosen, known = _framework(framework, framework_paths)
    tags = framework_tags(known) if tags is None else tags
    tagged = tags[(tags["framework"] == chosen.id) & (tags["kind"] == "measure")]
    results = ({} if comparisons is None or comparisons.empty
               else {r["measure"]: r for r in comparisons.to_dict("records")})
    rows = []
    for t in tagged.itertuples(index=False):
        r = results.get(t.item)
        row = {"framework": chosen.id, "outcome": t.outcome, "measure": t.item, "title": t.label}
        if r is None:
            row.update(status="not measured", result="not measured in this evaluation")
        elif str(r.get("analysis", "")).startswith("withheld"):
            row.update(kind=r["kind"], status="withheld", n_treated=r["n_treated"], n_control=r["n_control"],
                       result="withheld: too few young people in a group to publish")
        elif pd.isna(r.get("estimate")):
            row.update(kind=r["kind"], status="not analysed", result=f"not analysed ({r.get('note') or 'no reason given'})")
        else:
            row.update({k: r.get(k) for k in ("kind", "estimate", "ci_low", "ci_high", "effect_size_name",
                                                 "effect_size", "favours", "n_treated", "n_control")})
            row.update(status="analysed", title=r.get("title", t.label), result=_result_text(r, confidence))
        rows.append(row)
    return pd.DataFrame(rows, columns=MEASURE_COLUMNS)


def _role_list(roles: Sequence[str]) -> str:
    ordered = [r for r in ROLES if r in set(roles)] + sorted(set(roles) - set(ROLES))
    return "; ".join(role_name(r) for r in ordered)


def _thematic_inputs(themes, coded, codebook):
    if themes is not None:
        return themes.coded, themes.codebook
    return coded, codebook


def code_evidence(framework: str | Framework, themes: ThematicResult | None = None, *,
                  coded: pd.DataFrame | None = None, codebook: Codebook | None = None,
                  tags: pd.DataFrame | None = None, framework_paths: Sequence[str | Path] = (),
                  threshold: int = DEFAULT_THRESHOLD, suppress: bool = True) -> pd.DataFrame:
    """One row per (outcome, tagged code): how many interviews were coded with it and the interviewees' roles.

    ``themes`` is a :class:`ThematicResult`; or give ``coded`` (coded segments: transcript, role, code,
    is_interviewer) and ``codebook``. Interviewer segments never count. ``interviews`` counts distinct
    transcripts; 1 to ``threshold`` shows as ``c``. Columns: CODE_COLUMNS.
    """
    coded, codebook = _thematic_inputs(themes, coded, codebook)
    chosen, known = _framework(framework, framework_paths)
    tags = framework_tags(known, codebook=codebook) if tags is None else tags
    tagged = tags[(tags["framework"] == chosen.id) & (tags["kind"] == "code")]
    said = coded[~coded["is_interviewer"].astype(bool)] if coded is not None else pd.DataFrame(
        columns=["transcript", "role", "code"])
    rows = []
    for t in tagged.itertuples(index=False):
        mine = said[said["code"] == t.item]
        rows.append({"framework": chosen.id, "outcome": t.outcome, "code": t.item, "code_label": t.label,
                     "theme": t.theme, "interviews": mine["transcript"].nunique(),
                     "roles": _role_list(mine["role"].unique())})
    table = pd.DataFrame(rows, columns=CODE_COLUMNS).astype({"interviews": "int64"})
    return suppress_counts(table, ["interviews"], threshold=threshold, suppress=suppress,
                           name="interviews by framework code")


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def evidence_by_outcome(framework: str | Framework, comparisons: pd.DataFrame | None = None,
                        themes: ThematicResult | None = None, *, coded: pd.DataFrame | None = None,
                        codebook: Codebook | None = None, tags: pd.DataFrame | None = None,
                        framework_paths: Sequence[str | Path] = (), confidence: float = 0.95,
                        threshold: int = DEFAULT_THRESHOLD, suppress: bool = True) -> pd.DataFrame:
    """One row per outcome of ``framework``: the quantitative and qualitative evidence tagged to it.

    Parameters
    ----------
    framework : a framework id (bundled, or in ``framework_paths``) or a loaded :class:`Framework`.
    comparisons : the published comparisons (``OutcomeAnalysis.comparisons``); None when there are none.
    themes : the :class:`ThematicResult` (or give ``coded`` and ``codebook``); None when no interviews.
    tags : the tags to use (default: :func:`cm_research.frameworks.framework_tags` of the dictionary's
        measures and the codebook), checked against the frameworks.
    confidence : the level of the comparisons' intervals, for the text.

    Returns
    -------
    DataFrame with OUTCOME_COLUMNS: counts of tagged and analysed measures and of those whose interval
    favours each group or neither (counts of measures, not people); ``quantitative`` the results in words;
    codes tagged and mentioned; ``interviews`` (distinct interviews coded with any tagged code, ``c`` for 1
    to ``threshold``), ``roles`` of those interviewed, ``qualitative`` the codes with their roles;
    ``evidence`` ("measures and interviews", "measures only", "interviews only", "none") and ``note``,
    the plain statement where an outcome has no evidence.
    """
    coded, codebook = _thematic_inputs(themes, coded, codebook)
    chosen, known = _framework(framework, framework_paths)
    tags = framework_tags(known, codebook=codebook) if tags is None else tags
    measures = measure_evidence(chosen, comparisons, tags=tags, framework_paths=framework_paths,
                                confidence=confidence)
    codes = code_evidence(chosen, coded=coded, codebook=codebook, tags=tags, framework_paths=framework_paths,
                          threshold=threshold, suppress=False)
    said = (coded[~coded["is_interviewer"].astype(bool)] if coded is not None
            else pd.DataFrame(columns=["transcript", "role", "code"]))
    rows = []
    for o in chosen.outcomes:
        m = measures[measures["outcome"] == o.id]
        analysed = m[m["status"] == "analysed"]
        c = codes[codes["outcome"] == o.id]
        mentioned = c[c["interviews"] > 0]
        hits = said[said["code"].isin(mentioned["code"])]
        favours = analysed["favours"].value_counts()
        quantitative = ("; ".join(f"{r.title}: {r.result}" for r in analysed.itertuples()) if not analysed.empty
                        else "no measure is tagged to this outcome" if m.empty
                        else "no tagged measure could be compared between the groups")
        without = "; ".join(f"{r.title} ({r.status})" for r in m[m["status"] != "analysed"].itertuples())
        qualitative = ("; ".join(f"{r.code_label} ({r.roles})" for r in mentioned.itertuples()) if not mentioned.empty
                       else "no code is tagged to this outcome" if c.empty
                       else "no interview was analysed" if coded is None
                       else "no tagged code was coded in any interview")
        has_q, has_i = not analysed.empty, not mentioned.empty
        evidence = {(True, True): "measures and interviews", (True, False): "measures only",
                    (False, True): "interviews only", (False, False): "none"}[(has_q, has_i)]
        note = ""
        if evidence == "none":
            if m.empty and c.empty and coded is None:
                note = (f"No measure is tagged to “{o.title}” and no interview was analysed, so this evaluation "
                        "offers no evidence about this outcome.")
            elif m.empty and c.empty:
                note = (f"No measure or interview code of this evaluation is tagged to “{o.title}”, so it offers "
                        "no evidence about this outcome.")
            else:
                measured = f"the measures tagged to it had no result ({without})" if not m.empty else \
                    "no measure is tagged to it"
                said_text = ("no interview was analysed" if coded is None
                             else "no interview was coded with its codes" if not c.empty else "no code is tagged to it")
                note = (f"Nothing tagged to “{o.title}” produced a result: {measured}, and {said_text}. This "
                        "evaluation offers no evidence about this outcome.")
        rows.append({"framework": chosen.id, "outcome": o.id, "outcome_title": o.title,
                     "measures_tagged": len(m), "measures_analysed": len(analysed),
                     "favours_mentored": int(favours.get("mentored", 0)),
                     "favours_comparison": int(favours.get("comparison", 0)),
                     "unclear": int(favours.get("unclear", 0)), "quantitative": quantitative, "without_result": without,
                     "codes_tagged": len(c), "codes_mentioned": len(mentioned),
                     "interviews": hits["transcript"].nunique(), "roles": _role_list(hits["role"].unique()),
                     "qualitative": qualitative, "evidence": evidence, "note": note})
    table = pd.DataFrame(rows, columns=OUTCOME_COLUMNS).astype({"interviews": "int64"})
    return suppress_counts(table, ["interviews"], threshold=threshold, suppress=suppress,
                           name=f"evidence by {chosen.id} outcome")


def describe_evidence(table: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> list[str]:
    """One plain-English paragraph per outcome of :func:`evidence_by_outcome`, and a closing caution.

    Never says "significant"; a measure's result is a difference between groups, read from its interval,
    and interviews are what people said, not a measure of change.
    """
    out = []
    for r in table.to_dict("records"):
        if r["evidence"] == "none":
            out.append(f"{r['outcome_title']}: {r['note']}")
            continue
        parts = []
        if r["measures_analysed"]:
            k, n = r["measures_analysed"], r["measures_tagged"]
            text = (f"{k} of the {n} measures tagged to it could be compared between the groups "
                    f"({r['quantitative']})")
            if r["without_result"]:
                text += f"; the others had no result ({r['without_result']})"
            parts.append(text)
        elif r["measures_tagged"]:
            parts.append(f"none of the {r['measures_tagged']} measures tagged to it could be compared between the "
                         f"groups ({r['without_result']})")
        if r["codes_mentioned"]:
            n = r["interviews"]
            many = (f"{threshold} or fewer interviews (the number is not shown, to protect those interviewed)"
                    if n == SUPPRESSED else f"{n} interview{'s' if n != 1 else ''}")
            parts.append(f"{r['codes_mentioned']} of its {r['codes_tagged']} interview codes came up, in {many} "
                         f"with {_join(r['roles'].split('; '))}: {r['qualitative']}")
        elif r["codes_tagged"]:
            parts.append(f"none of its {r['codes_tagged']} interview codes came up ({r['qualitative']})")
        out.append(f"{r['outcome_title']}: " + "; ".join(parts) + ".")
    out.append("Interviews show what the people interviewed said, not how much mentoring changed; a group "
               "comparison shows a difference between groups who were not chosen at random, not an effect of "
               "mentoring. " + suppression_note(table))
    return out


MATRIX_COLUMNS = {"favours_mentored": "Measures: mentored group did better",
                  "unclear": "Measures: groups not told apart",
                  "favours_comparison": "Measures: comparison group did better",
                  "no_result": "Measures: no result",
                  "codes_mentioned": "Interview codes that came up"}


def evidence_matrix(table: pd.DataFrame) -> pd.DataFrame:
    """Outcome x evidence type counts (of measures and of codes, not of people), for the figure."""
    wide = table.set_index("outcome_title")
    wide = wide.assign(no_result=wide["measures_tagged"] - wide["measures_analysed"])
    return wide[list(MATRIX_COLUMNS)].rename(columns=MATRIX_COLUMNS).astype(int)


def evidence_heatmap(data: pd.DataFrame, ax: plt.Axes | None = None) -> plt.Axes:
    """A grid of outcomes (rows) by evidence type (columns), each cell the number of measures or codes,
    from :func:`evidence_by_outcome`; blank cells are zero. Sequential colour-blind-safe palette."""
    matrix = evidence_matrix(data)
    ax = ax or plt.subplots(figsize=(8, 0.55 * len(matrix) + 2.2))[1]
    annot = matrix.astype(str).where(matrix > 0, "")
    sns.heatmap(matrix, annot=annot, fmt="", cmap="Blues", vmin=0, vmax=max(int(np.nanmax(matrix.to_numpy())), 1),
                cbar=False, linewidths=0.5, linecolor="white", ax=ax)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_xticklabels([textwrap.fill(t.get_text(), 14) for t in ax.get_xticklabels()], rotation=0, fontsize=8)
    ax.tick_params(axis="y", rotation=0)
    return ax


def evidence_figure_alt(table: pd.DataFrame) -> tuple[str, str]:
    """(alt, caption) for :func:`evidence_heatmap`, written from the table's numbers."""
    items = "; ".join(
        f"{r['outcome_title']}: {r['measures_analysed']} of {r['measures_tagged']} measures compared "
        f"({r['favours_mentored']} favouring the mentored group), {r['codes_mentioned']} of {r['codes_tagged']} "
        "interview codes came up" for r in table.to_dict("records"))
    framework = table["framework"].iloc[0] if not table.empty else "the framework"
    return (f"Grid of the evidence about each outcome of {framework}: {items}.",
            "Evidence by outcome: numbers of measures (by which group their interval favours) and of interview "
            "codes tagged to each outcome. Counts of measures and codes, not of young people.")
