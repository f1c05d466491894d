"""Individual change: the Reliable Change Index and clinically significant change (Jacobson & Truax 1991).

Small mentoring evaluations say more by how each young person changed than by a group mean. For a
measure with a published reliability and normative SD (in ``data_dictionary/instruments/``), each
young person's change is classified as reliable improvement, no reliable change or reliable
deterioration, taking into account whether higher or lower scores are better.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from cm_research.dictionary import measures_catalogue
from cm_research.measures.errors import MissingReliabilityError
from cm_research.measures.instruments import measure_metadata, measures_with_reliability

from cm_research.contract import InsufficientDataError, ci_quantile, critical_value, require_columns
from .paired import pair_up
from cm_research.deprecation import renamed_arguments

__all__ = ["ReliableChangeTable", "clinical_cutoffs", "reliable_change", "reliable_change_table", "CATEGORIES"]

IMPROVED, UNCHANGED, DETERIORATED = "reliable improvement", "no reliable change", "reliable deterioration"
CATEGORIES = (IMPROVED, UNCHANGED, DETERIORATED)
SE_METHOD = "Jacobson & Truax (1991): S_diff = sqrt(2) * SD_norm * sqrt(1 - r_xx)"


def clinical_cutoffs(mean_clinical: float, sd_clinical: float, mean_functional: float | None = None,
                     sd_functional: float | None = None, *, better: str) -> pd.DataFrame:
    """Jacobson & Truax's (1991) cut-offs a, b and c between the clinical and the functional range.

    Parameters
    ----------
    mean_clinical, sd_clinical : mean and SD of the measure in a clinical (dysfunctional) sample.
    mean_functional, sd_functional : the same in a functional (normative) sample; without them only a exists.
    better : ``"higher"`` or ``"lower"``: which direction is improvement.

    Returns
    -------
    Three rows, `criterion` a, b, c: `estimate` (the cut-off score), `method` (its definition), `note`
    (why one is missing, or a warning). Pass one of them as ``clinical_cutoff`` to :func:`reliable_change`.

    Notes
    -----
    With the clinical range on the worse side (d = +1 when higher is better, -1 when lower is better):

    * a = M_clin + 2 d SD_clin: two SDs beyond the clinical mean, toward improvement;
    * b = M_func - 2 d SD_func: within two SDs of the functional mean;
    * c = (SD_clin M_func + SD_func M_clin) / (SD_clin + SD_func): the point equally far, in SD units, from
      both means (reduces to their midpoint with equal SDs). Jacobson & Truax prefer c when both samples
      exist and overlap; b when they do not overlap; a when there is no functional sample.

    References
    ----------
    Jacobson, N. S. & Truax, P. (1991). J Consult Clin Psychol, 59, 12-19 (equations for a, b, c).

    Example
    -------
    >>> clinical_cutoffs(20.0, 5.0, 8.0, 4.0, better="lower")["estimate"].round(4).tolist()
    [10.0, 16.0, 13.3333]
    """
    where = "clinical_cutoffs"
    if better not in ("higher", "lower"):
        raise ValueError(f"{where}: `better` must be 'higher' or 'lower', not {better!r}.")
    for name, value in (("sd_clinical", sd_clinical), ("sd_functional", sd_functional)):
        if value is not None and not (math.isfinite(value) and value > 0):
            raise ValueError(f"{where}: `{name}` must be a positive number, not {value!r}.")
    if (mean_functional is None) != (sd_functional is None):
        raise ValueError(f"{where}: give both `mean_functional` and `sd_functional`, or neither.")
    d = 1.0 if better == "higher" else -1.0
    a = mean_clinical + 2 * d * sd_clinical
    rows = [{"criterion": "a", "method": "clinical mean + 2 clinical SDs toward improvement", "estimate": a,
             "note": ""}]
    if mean_functional is None:
        why = "no functional (normative) sample given"
        rows += [{"criterion": k, "method": m, "estimate": math.nan, "note": why} for k, m in
                 (("b", "functional mean - 2 functional SDs toward the clinical range"),
                  ("c", "weighted midpoint of the two means"))]
    else:
        if d * (mean_functional - mean_clinical) <= 0:
            raise ValueError(f"{where}: with {better} scores better the functional mean ({mean_functional}) must "
                             f"be {'above' if d > 0 else 'below'} the clinical mean ({mean_clinical}).")
        b = mean_functional - 2 * d * sd_functional
        c = (sd_clinical * mean_functional + sd_functional * mean_clinical) / (sd_clinical + sd_functional)
        overlap = d * (b - a) < 0  # b lies on the clinical side of a: the distributions overlap
        rows += [{"criterion": "b", "method": "functional mean - 2 functional SDs toward the clinical range",
                  "estimate": b, "note": ""},
                 {"criterion": "c", "method": "weighted midpoint of the two means (SD-weighted)", "estimate": c,
                  "note": "" if overlap else "the two distributions barely overlap: Jacobson & Truax prefer b"}]
    return pd.DataFrame(rows, columns=["criterion", "method", "estimate", "note"])


@renamed_arguments(before="baseline", after="post")
def reliable_change(
    data: pd.DataFrame,
    dv: str = "value",
    within: str = "timepoint",
    subject: str = "participant_id",
    baseline: object = "baseline",
    post: object = "post",
    *,
    reliability: float,
    sd: float,
    better: str,
    confidence: float = 0.95,
    clinical_cutoff: float | None = None,
) -> pd.DataFrame:
    """Reliable Change Index for each young person with a value at `baseline` and `post`.

    Parameters
    ----------
    data : long-form outcomes, one row per participant and timepoint.
    dv, within, subject, baseline, post : columns and timepoint labels, as in ``paired_change``.
    reliability : the measure's reliability r_xx (e.g. Cronbach's alpha), between 0 and 1.
    sd : the normative (population) SD of the measure, in its units.
    better : ``"higher"`` or ``"lower"``: which direction is improvement.
    confidence : two-sided level of the reliable-change criterion (0.95 gives |RCI| > 1.96).
    clinical_cutoff : first score of the clinical range (clinical means at or above it when lower is
        better, at or below it when higher is better); enables clinically significant change.

    Returns
    -------
    DataFrame, one row per participant with both values: `subject`, ``before``, ``after``, ``change``
    (after - before), ``rci``, ``reliable_change`` (one of :data:`CATEGORIES`), ``clinical_before``,
    ``clinical_after``, ``clinically_significant`` and ``note``. ``attrs`` holds the parameters
    (S_diff, the smallest reliable change in score units, participants left out).

    Notes
    -----
    SE = SD_norm sqrt(1 - r_xx); S_diff = sqrt(2 SE^2); RCI = (x_after - x_before) / S_diff
    (Jacobson & Truax 1991, the "classical" SE of Maassen 2004). Change is reliable when
    |RCI| > z_{1-a/2}; it is an improvement when its sign is the direction of ``better``.
    Clinically significant change (Jacobson & Truax's criterion with a cut-off) is reliable improvement
    that moves the young person from the clinical to the non-clinical range; it is NA when there is no
    cut-off or the young person did not start in the clinical range.

    References
    ----------
    Jacobson, N. S. & Truax, P. (1991). Clinical significance: a statistical approach to defining
    meaningful change in psychotherapy research. J Consult Clin Psychol, 59, 12-19.
    Maassen, G. H. (2004). The standard error in the Jacobson and Truax Reliable Change Index.
    J Int Neuropsychol Soc, 10, 888-893.

    Example
    -------
    >>> import pandas as pd
    >>> from cm_research.stats.change import reliable_change
    >>> sdq = pd.DataFrame({"participant_id": ["a", "b", "a", "b"],
    ...                     "timepoint": ["baseline", "baseline", "post", "post"],
    ...                     "value": [22, 15, 14, 13]})
    >>> res = reliable_change(sdq, reliability=0.82, sd=5.8, better="lower", clinical_cutoff=17)
    >>> res["reliable_change"].tolist()
    ['reliable improvement', 'no reliable change']
    """
    where = "reliable_change"
    if not 0 < reliability < 1:
        raise ValueError(f"{where}: `reliability` must be between 0 and 1, not {reliability!r}.")
    if not (isinstance(sd, (int, float)) and sd > 0 and math.isfinite(sd)):
        raise ValueError(f"{where}: `sd` must be a positive number, not {sd!r}.")
    if better not in ("higher", "lower"):
        raise ValueError(f"{where}: `better` must be 'higher' or 'lower', not {better!r}.")
    z = critical_value(confidence)
    wide, n_dropped, note = pair_up(data, dv, within, subject, baseline, post, where)
    s_diff = math.sqrt(2) * sd * math.sqrt(1 - reliability)
    x0 = wide[baseline].to_numpy(dtype=float)
    x1 = wide[post].to_numpy(dtype=float)
    change = x1 - x0
    rci = change / s_diff
    sign = -1.0 if better == "lower" else 1.0
    category = np.where(sign * rci > z, IMPROVED, np.where(sign * rci < -z, DETERIORATED, UNCHANGED))
    out = pd.DataFrame({subject: wide.index.to_numpy(), "before": x0, "after": x1, "change": change,
                        "rci": rci, "reliable_change": category})
    if clinical_cutoff is None:
        for col in ("clinical_before", "clinical_after", "clinically_significant"):
            out[col] = pd.array([pd.NA] * len(out), dtype="boolean")
        out["note"] = ""
    else:
        clinical = (lambda x: x >= clinical_cutoff) if better == "lower" else (lambda x: x <= clinical_cutoff)
        out["clinical_before"] = clinical(x0)
        out["clinical_after"] = clinical(x1)
        significant = (category == IMPROVED) & out["clinical_before"] & ~out["clinical_after"]
        out["clinically_significant"] = pd.array(np.where(out["clinical_before"], significant, pd.NA),
                                                 dtype="boolean")
        out["note"] = np.where(out["clinical_before"], "", "started outside the clinical range")
    for col in ("clinical_before", "clinical_after"):
        out[col] = out[col].astype("boolean")
    out.attrs.update(
        reliability=reliability, sd=sd, better=better, confidence=confidence, z=z, s_diff=s_diff,
        reliable_change_threshold=z * s_diff, clinical_cutoff=clinical_cutoff, se_method=SE_METHOD,
        n_dropped=n_dropped, note=note,
    )
    return out


@dataclass
class ReliableChangeTable:
    """Result of :func:`reliable_change_table`.

    people : one row per young person (participant_id, measure, baseline, post, change, rci,
        reliable_change, clinical_baseline, clinical_post, clinically_significant, note). It holds
        identifiers: drop ``participant_id`` before showing it in a report.
    summary : counts per category (reliable improvement, no reliable change, reliable deterioration,
        and clinically significant improvement where a cut-off exists), with percentages.
    parameters : one row: reliability and normative SD with their sources, S_diff, the smallest
        reliable change in score units, the clinical cut-off, the SE variant, participants left out.
    note : why the tables are empty, or what was left out.
    """

    people: pd.DataFrame
    summary: pd.DataFrame
    parameters: pd.DataFrame
    note: str = ""
    measure: str = ""
    better: str = ""

    @property
    def empty(self) -> bool:
        return self.people.empty


def reliable_change_table(
    outcomes_long: pd.DataFrame,
    measure: str,
    baseline: str = "baseline",
    post: str = "post",
    *,
    confidence: float = 0.95,
    on_missing: str = "raise",
    instruments_folder: str | None = None,
) -> ReliableChangeTable:
    """Reliable change of every young person on one measure of the validated outcomes table.

    Parameters
    ----------
    outcomes_long : the outcomes table (participant_id, measure, timepoint, value), as
        ``cm_research.data.load_evaluation`` returns it.
    measure : the measure, e.g. ``"sdq_total"``; its reliability, normative SD and clinical cut-off
        come from the instrument files, its direction of improvement from the measures catalogue
        (column ``better``).
    baseline, post : the two timepoints compared.
    confidence : level of the reliable-change criterion.
    on_missing : when the measure has no reliability metadata, ``"raise"`` (MissingReliabilityError,
        naming the measures that have it) or ``"note"`` (empty tables and a note saying why).

    Returns
    -------
    :class:`ReliableChangeTable` with ``people``, ``summary``, ``parameters`` and ``note``.

    Notes
    -----
    The RCI and its classification are those of :func:`reliable_change` (Jacobson & Truax 1991,
    S_diff = sqrt(2) SD_norm sqrt(1 - r_xx)).

    Example
    -------
    >>> import pandas as pd
    >>> from cm_research.stats.change import reliable_change_table
    >>> outcomes = pd.DataFrame({"participant_id": ["a", "b", "a", "b"], "measure": "sdq_total",
    ...                          "timepoint": ["baseline", "baseline", "post", "post"],
    ...                          "value": [22, 15, 14, 13]})
    >>> table = reliable_change_table(outcomes, "sdq_total")
    >>> table.summary[["category", "n"]].values.tolist()[:3]
    [['reliable improvement', 1], ['no reliable change', 1], ['reliable deterioration', 0]]
    """
    if on_missing not in ("raise", "note"):
        raise ValueError(f"`on_missing` must be 'raise' or 'note', not {on_missing!r}.")
    require_columns(outcomes_long, ["participant_id", "measure", "timepoint", "value"], "reliable_change_table")
    found = measure_metadata(measure, instruments_folder)
    if found is None or not found[1].has_reliability:
        available = measures_with_reliability(instruments_folder)
        why = (f"no reliable change for {measure!r}: the instrument files give no reliability and normative SD "
               f"for it. Measures with them: {', '.join(available) or '(none)'}.")
        if on_missing == "raise":
            raise MissingReliabilityError(why)
        return _empty(measure, why)
    instrument, score = found
    catalogue = measures_catalogue()
    if measure not in catalogue.index:
        raise InsufficientDataError(f"reliable_change_table: measure {measure!r} is not in the measures catalogue "
                                    "(data_dictionary/measures.yaml).")
    better = str(catalogue.loc[measure, "better"])
    rows = outcomes_long[outcomes_long["measure"] == measure]
    if rows.empty:
        return _empty(measure, f"no rows for measure {measure!r} in the outcomes table.")
    cutoff = score.clinical_cutoff
    try:
        res = reliable_change(rows, "value", "timepoint", "participant_id", baseline, post,
                              reliability=score.reliability.value, sd=score.normative_sd.value, better=better,
                              confidence=confidence, clinical_cutoff=cutoff.value if cutoff else None)
    except InsufficientDataError as exc:
        return _empty(measure, str(exc))
    people = res.rename(columns={"before": "baseline", "after": "post", "clinical_before": "clinical_baseline",
                                 "clinical_after": "clinical_post"})
    people.insert(1, "measure", measure)
    parameters = pd.DataFrame([{
        "measure": measure, "instrument": instrument.id, "score": score.name, "better": better,
        "reliability": score.reliability.value, "reliability_statistic": score.reliability.statistic,
        "reliability_source": score.reliability.source, "normative_sd": score.normative_sd.value,
        "normative_sd_source": score.normative_sd.source, "s_diff": res.attrs["s_diff"],
        "reliable_change_threshold": res.attrs["reliable_change_threshold"], "confidence": confidence,
        "clinical_cutoff": cutoff.value if cutoff else np.nan,
        "clinical_cutoff_meaning": cutoff.meaning if cutoff else "",
        "clinical_cutoff_source": cutoff.source if cutoff else "", "se_method": SE_METHOD,
        "n": len(people), "n_dropped": res.attrs["n_dropped"],
    }])
    return ReliableChangeTable(people=people.reset_index(drop=True), summary=_summary(people, cutoff is not None),
                               parameters=parameters, note=res.attrs["note"], measure=measure, better=better)


def _summary(people: pd.DataFrame, has_cutoff: bool) -> pd.DataFrame:
    n = len(people)
    counts = people["reliable_change"].value_counts()
    rows = [{"category": c, "n": int(counts.get(c, 0))} for c in CATEGORIES]
    if has_cutoff:
        eligible = people["clinical_baseline"].fillna(False).astype(bool)
        rows.append({"category": "clinically significant improvement (left the clinical range)",
                     "n": int(people["clinically_significant"].fillna(False).astype(bool).sum()),
                     "of": int(eligible.sum())})
    summary = pd.DataFrame(rows)
    if "of" not in summary:
        summary["of"] = np.nan
    summary["of"] = summary["of"].fillna(n).astype(int)
    with np.errstate(invalid="ignore", divide="ignore"):
        summary["percent"] = np.where(summary["of"] > 0, 100 * summary["n"] / summary["of"], np.nan)
    return summary


def _empty(measure: str, note: str) -> ReliableChangeTable:
    people = pd.DataFrame(columns=["participant_id", "measure", "baseline", "post", "change", "rci", "reliable_change",
                                   "clinical_baseline", "clinical_post", "clinically_significant", "note"])
    summary = pd.DataFrame(columns=["category", "n", "of", "percent"])
    return ReliableChangeTable(people=people, summary=summary, parameters=pd.DataFrame(), note=note, measure=measure)
