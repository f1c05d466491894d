"""Agreement between two coders (or a coder and the suggestions): percentage agreement, Cohen's kappa and
Krippendorff's alpha, per code and overall.

Units are the participants' segments of the transcripts both coders coded; for each code, each coder either
applied it to a unit (1) or did not (0). "Overall" pools every (unit, code) decision, so with many codes it
is dominated by agreed absences: read kappa and alpha, which correct for chance, rather than the percentage.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import numpy as np
import pandas as pd

from cm_research.contract import require_columns, tidy
from cm_research.deprecation import deprecated_alias
from cm_research.qual.errors import AgreementError

AGREEMENT_COLUMNS = ["code", "n_units", "both", "a_only", "b_only", "neither", "pct_agreement", "kappa", "alpha",
                     "pabak", "prevalence_index", "bias_index", "note"]
OVERALL = "(all codes, pooled)"


def _percent_agreement(a: Sequence, b: Sequence) -> float:
    """Share of units (as a percentage) on which the two coders gave the same label: 100 * mean(a == b)."""
    a, b = np.asarray(a), np.asarray(b)
    if len(a) != len(b) or len(a) == 0:
        raise ValueError("two equally long, non-empty sequences of labels are needed")
    return float(100 * np.mean(a == b))


def _cohen_kappa(a: Sequence, b: Sequence) -> float:
    """Cohen's (1960) kappa for two coders labelling the same units.

    kappa = (p_o - p_e) / (1 - p_e), where p_o is the observed share of agreement and
    p_e = sum_k p_a(k) p_b(k) the agreement expected from each coder's own label frequencies.
    NaN when p_e = 1 (both coders gave every unit the same single label: kappa is undefined).

    References: Cohen J (1960). A coefficient of agreement for nominal scales. Educ Psychol Meas 20:37-46.
    """
    a, b = np.asarray(a), np.asarray(b)
    if len(a) != len(b) or len(a) == 0:
        raise ValueError("two equally long, non-empty sequences of labels are needed")
    p_o = np.mean(a == b)
    ca, cb = Counter(a.tolist()), Counter(b.tolist())
    p_e = sum(ca[k] * cb[k] for k in ca) / len(a) ** 2
    return float("nan") if np.isclose(p_e, 1.0) else float((p_o - p_e) / (1 - p_e))


cohen_kappa = deprecated_alias(_cohen_kappa, "cohen_kappa", "`agreement()` (a tidy table of kappa per code)")


percent_agreement = deprecated_alias(_percent_agreement, "percent_agreement",
                                     "`agreement()` (a tidy table of pct_agreement per code)")


def nominal_alpha(data: pd.DataFrame, unit: str = "unit", coder: str = "coder", value: str = "value") -> pd.DataFrame:
    """Krippendorff's alpha for nominal data (any number of coders, missing values allowed) as a one-row tidy table.

    Columns `method`, `n_units` (units with at least two values: the pairable ones), `n_coders`, `n_values`
    (pairable values, the n of the formula), `estimate` (alpha) and `note`; the formula is in
    ``_krippendorff_alpha``. Use :func:`agreement` for two coders' codes per code.

    Example (Krippendorff 2011, binary data, two observers: alpha = 0.095)
    -------
    >>> c, k = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    >>> data = pd.DataFrame({"unit": list(range(10)) * 2, "coder": ["c"] * 10 + ["k"] * 10, "value": c + k})
    >>> res = nominal_alpha(data)
    >>> int(res.loc[0, "n_units"]), round(float(res.loc[0, "estimate"]), 3)
    (10, 0.095)
    """
    require_columns(data, [unit, coder, value], "nominal_alpha")
    rows = data.dropna(subset=[value])
    twice = rows.duplicated([unit, coder], keep=False)
    if twice.any():  # alpha's data hold one value per coder and unit; a second would count as another coder's
        first_unit, first_coder = (v.item() if isinstance(v, np.generic) else v
                                   for v in rows.loc[twice, [unit, coder]].iloc[0])
        raise AgreementError(f"nominal_alpha: unit {first_unit!r} has more than one value from coder "
                             f"{first_coder!r} (rows {', '.join(str(i) for i in rows.index[twice][:5])}); give "
                             "one value per unit and coder.")
    counts = rows.groupby([unit, value]).size().unstack(fill_value=0).to_numpy(dtype=float)
    pairable = counts[counts.sum(axis=1) >= 2] if len(counts) else counts
    estimate = _alpha_from_counts(counts) if len(counts) else float("nan")
    note = ""
    if not len(pairable):
        note = "no unit has values from two coders: alpha is undefined"
    elif np.isnan(estimate):
        note = "a single value throughout: alpha is undefined"
    return tidy([{"method": "Krippendorff's alpha (nominal)", "n_units": len(pairable),
                  "n_coders": int(rows[coder].nunique()), "n_values": int(pairable.sum()), "estimate": estimate,
                  "note": note}])


def _krippendorff_alpha(data: pd.DataFrame, unit: str = "unit", coder: str = "coder",
                        value: str = "value") -> float:
    """Krippendorff's alpha for nominal data, any number of coders, missing values allowed.

    alpha = 1 - D_o / D_e, from the coincidence matrix of pairable values (units with at least two values):
    D_o = (1/n) sum_u (1/(m_u - 1)) sum_{c != k} n_uc n_uk and D_e = (1/(n(n-1))) sum_{c != k} n_c n_k,
    with m_u values in unit u, n_uc of them equal to c, n_c = sum_u n_uc over pairable units and n = sum_c n_c.
    NaN when D_e = 0 (a single value throughout: alpha is undefined).

    Parameters
    ----------
    data
        Tidy reliability data: one row per (unit, coder) with the value given; a missing value is a missing row
        (or NaN in ``value``).

    References: Krippendorff K (2011). Computing Krippendorff's alpha-reliability. Annenberg School for
    Communication, University of Pennsylvania.
    """
    rows = data.dropna(subset=[value])
    if rows.empty:
        return float("nan")
    counts = rows.groupby([unit, value]).size().unstack(fill_value=0).to_numpy(dtype=float)
    return _alpha_from_counts(counts)


krippendorff_alpha = deprecated_alias(_krippendorff_alpha, "krippendorff_alpha",
                                      "`nominal_alpha()` (a one-row tidy table)")


def _alpha_from_counts(counts: np.ndarray) -> float:
    """Nominal alpha from a units x values matrix of counts n_uc (see ``_krippendorff_alpha``)."""
    m_u = counts.sum(axis=1)
    counts = counts[m_u >= 2]
    m_u = m_u[m_u >= 2]
    if len(m_u) == 0:
        return float("nan")
    n_c = counts.sum(axis=0)
    n = n_c.sum()
    d_o = np.sum((m_u ** 2 - np.sum(counts ** 2, axis=1)) / (m_u - 1)) / n  # ordered pairs of different values
    d_e = (n ** 2 - np.sum(n_c ** 2)) / (n * (n - 1))
    return float("nan") if d_e == 0 else float(1 - d_o / d_e)


def _pair_stats(a: np.ndarray, b: np.ndarray) -> dict:
    both = int(np.sum(a & b))
    a_only = int(np.sum(a & ~b))
    b_only = int(np.sum(~a & b))
    neither = int(np.sum(~a & ~b))
    kappa = _cohen_kappa(a, b)
    present = a.astype(int) + b.astype(int)  # per unit: how many of the two coders applied the code
    alpha = _alpha_from_counts(np.stack([2 - present, present], axis=1).astype(float))
    note = ""
    if both + a_only + b_only == 0:
        note = "neither coder used this code: agreement is trivially complete, kappa and alpha are undefined"
    elif both + a_only == len(a) and both + b_only == len(b):
        note = "both coders applied this code everywhere: kappa and alpha are undefined"
    n = len(a)
    # Byrt, Bishop & Carlin (1993): kappa is low for a rarely used code even with high agreement (prevalence),
    # and when the coders apply it at different rates (bias); PABAK = 2 p_o - 1 reads agreement without either
    return {"n_units": n, "both": both, "a_only": a_only, "b_only": b_only, "neither": neither,
            "pct_agreement": _percent_agreement(a, b), "kappa": kappa, "alpha": alpha,
            "pabak": 2 * (both + neither) / n - 1, "prevalence_index": abs(both - neither) / n,
            "bias_index": abs(a_only - b_only) / n, "note": note}


def agreement(coded: pd.DataFrame, segments: pd.DataFrame, coder_a: str | None = None, coder_b: str | None = None,
              codes: Sequence[str] | None = None, transcripts: Sequence[str] | None = None) -> pd.DataFrame:
    """Per-code and pooled agreement between two coders.

    Parameters
    ----------
    coded
        From :func:`cm_research.qual.coding.coded_segments`, holding both coders' rows (``coder`` column).
    segments
        The segments the coding was linked to; the units are the participants' segments of ``transcripts``.
    coder_a, coder_b
        The two coders; default: the two coders in ``coded`` (an error if there are not exactly two).
    codes
        Codes to compare; default: every code either coder used.
    transcripts
        Transcripts both coders coded; default: those where each coder applied at least one code.

    Returns
    -------
    One row per code plus a pooled row (code ``"(all codes, pooled)"``): n_units, both, a_only, b_only,
    neither, pct_agreement, kappa (Cohen), alpha (Krippendorff, nominal), pabak (prevalence- and bias-adjusted
    kappa, 2 p_o - 1), prevalence_index |both - neither| / n and bias_index |a_only - b_only| / n (Byrt, Bishop
    & Carlin 1993; a high prevalence index is why a rarely used code can have low kappa and high agreement;
    :func:`cm_research.qual.agreement_kappa.kappa_two_coders` adds kappa's CI), note. ``attrs`` records the coders,
    the number of transcripts and units.
    """
    coders = list(dict.fromkeys(coded["coder"]))
    if coder_a is None or coder_b is None:
        if len(coders) != 2:
            raise AgreementError(f"agreement needs exactly two coders; the coding has {len(coders)}: "
                                 f"{', '.join(map(str, coders)) or 'none'}. Name the two to compare.")
        coder_a, coder_b = coders
    for c in (coder_a, coder_b):
        if c not in coders:
            raise AgreementError(f"coder {c!r} has no coding; coders present: {', '.join(map(str, coders))}")
    a_rows, b_rows = coded[coded["coder"] == coder_a], coded[coded["coder"] == coder_b]
    if transcripts is None:
        transcripts = sorted(set(a_rows["transcript"]) & set(b_rows["transcript"]))
    if not len(transcripts):
        raise AgreementError(f"no transcript was coded by both {coder_a!r} and {coder_b!r}")
    units = segments[segments["transcript"].isin(transcripts) & ~segments["is_interviewer"].astype(bool)]
    unit_ids = units["segment_id"].tolist()
    position = {s: i for i, s in enumerate(unit_ids)}
    if codes is None:
        codes = sorted(set(a_rows["code"]) | set(b_rows["code"]))

    def matrix(rows: pd.DataFrame) -> np.ndarray:
        m = np.zeros((len(unit_ids), len(codes)), dtype=bool)
        col = {c: j for j, c in enumerate(codes)}
        for s, c in zip(rows["segment_id"], rows["code"]):
            if s in position and c in col:
                m[position[s], col[c]] = True
        return m

    ma, mb = matrix(a_rows), matrix(b_rows)
    out = [{"code": c, **_pair_stats(ma[:, j], mb[:, j])} for j, c in enumerate(codes)]
    out.append({"code": OVERALL, **_pair_stats(ma.ravel(), mb.ravel())})
    table = pd.DataFrame(out, columns=AGREEMENT_COLUMNS)
    table.attrs.update({"coder_a": coder_a, "coder_b": coder_b, "n_transcripts": len(transcripts),
                        "n_units": len(unit_ids)})
    return table
