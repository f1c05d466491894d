"""Chance-corrected agreement with standard errors: Cohen's kappa for two coders (with its large-sample CI, PABAK
and the prevalence and bias indices), weighted kappa for two coders on an ordered scale, Gwet's AC1 (with Brennan
and Prediger's coefficient) for two coders, and Fleiss' kappa for any fixed number of coders.

Both take tidy reliability data, one row per (unit, coder) with the label given, as
:func:`cm_research.qual.agreement.nominal_alpha` does, and return a one-row tidy table.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from cm_research.contract import critical_value, require_columns, tidy
from cm_research.qual.errors import AgreementError


def _labels_by_unit(data: pd.DataFrame, unit: str, coder: str, value: str, where: str) -> pd.DataFrame:
    """Units x coders table of labels (NaN where a coder gave none); one label per (unit, coder)."""
    require_columns(data, [unit, coder, value], where)
    duplicated = data.duplicated([unit, coder], keep=False)
    if duplicated.any():
        first = data.loc[duplicated].iloc[0]
        raise AgreementError(f"{where}: unit {first[unit]!r} has more than one label from coder {first[coder]!r} "
                             f"(rows {', '.join(str(i) for i in data.index[duplicated][:5])}); give one label "
                             "per unit and coder.")
    return data.pivot(index=unit, columns=coder, values=value)


def _two_coder_table(data: pd.DataFrame, unit: str, coder: str, value: str, coders: Sequence | None,
                     categories: Sequence | None, where: str) -> tuple[np.ndarray, list, int, list[str]]:
    """The k x k table of counts (first coder's label by row, second's by column) over the units both coders
    labelled, the k labels in order, the number of units only one coder labelled, and notes saying so."""
    wide = _labels_by_unit(data, unit, coder, value, where)
    present = list(dict.fromkeys(data.loc[data[value].notna(), coder]))
    if coders is None:
        if len(present) != 2:
            raise AgreementError(f"{where}: Cohen's kappa needs exactly two coders; the data have {len(present)}"
                                 f"{': ' + ', '.join(map(str, present)) if present else ''}. Name the two to compare "
                                 "(`coders=`), or use fleiss_kappa for more.")
        coders = present
    if len(coders) != 2:
        raise AgreementError(f"{where}: `coders` must name two coders, not {len(coders)}.")
    for c in coders:
        if c not in present:
            raise AgreementError(f"{where}: coder {c!r} gave no label; coders present: {', '.join(map(str, present))}")
    pair = wide[list(coders)]
    complete = pair.dropna()
    n_dropped = len(pair) - len(complete)
    labels = list(categories) if categories is not None else sorted(set(complete.stack()), key=str)
    unknown = sorted(set(complete.stack()) - set(labels), key=str)
    if unknown:
        raise AgreementError(f"{where}: label(s) {', '.join(map(repr, unknown))} are not among `categories`.")
    notes = []
    if n_dropped:
        notes.append(f"{n_dropped} unit(s) labelled by only one of the two coders left out")
    index = {label: i for i, label in enumerate(labels)}
    table = np.zeros((len(labels), len(labels)))
    for x, y in zip(complete.iloc[:, 0], complete.iloc[:, 1]):
        table[index[x], index[y]] += 1
    return table, labels, n_dropped, notes


def kappa_two_coders(
    data: pd.DataFrame,
    unit: str = "unit",
    coder: str = "coder",
    value: str = "value",
    *,
    coders: Sequence | None = None,
    categories: Sequence | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Cohen's kappa for two coders with its large-sample CI, percentage agreement, PABAK, prevalence and bias.

    Parameters
    ----------
    data
        One row per (unit, coder) with the label in ``value``; a missing label is a missing row or NaN.
    coders
        The two coders to compare; default: the two in ``data`` (an error if there are not exactly two).
    categories
        Every label the coders could give (for PABAK, whose chance agreement is 1/k); default: those used.

    Returns
    -------
    One row: `method`, `n_units` (units both coders labelled), `n_dropped` (units only one labelled: left out,
    as R's ``psych::cohen.kappa`` does), `n_categories` (k), `estimate` (kappa), `se`, `ci_low`, `ci_high`,
    `statistic` (z against kappa = 0), `p_val` (two-sided), `pct_agreement`, `pabak`, `prevalence_index`,
    `bias_index` (the last two for k = 2 only), `note`.

    Notes
    -----
    With p_ij the share of units labelled i by the first coder and j by the second, p_i. and p_.j the margins,
    p_o = sum_i p_ii, p_e = sum_i p_i. p_.i, kappa = (p_o - p_e) / (1 - p_e) (Cohen 1960).

    * se: Fleiss, Cohen & Everitt (1969), as ``psych::cohen.kappa``'s ``var.kappa``:
      var = [sum_i p_ii ((1 - p_e) - (p_i. + p_.i)(1 - p_o))² + (1 - p_o)² sum_{i != j} p_ij (p_.i + p_j.)²
      - (p_o p_e - 2 p_e + p_o)²] / (n (1 - p_e)⁴); CI kappa ± z se, cut at ±1 (as psych does; said in `note`).
    * z test: kappa / se_0 with the variance under kappa = 0 (Fleiss, Cohen & Everitt 1969),
      var_0 = [p_e + p_e² - sum_i p_i. p_.i (p_i. + p_.i)] / (n (1 - p_e)²).
    * PABAK = (k p_o - 1) / (k - 1) (Byrt, Bishop & Carlin 1993; for k = 2, 2 p_o - 1); with k = 2 and cells
      a (both the first label), d (both the second), b and c (disagreements): prevalence index |a - d| / n,
      bias index |b - c| / n.
    * Undefined cases, NaN with a `note`: one label throughout (p_e = 1; R gives NA); fewer than two units.
    * The CI is a large-sample one and too narrow for small samples: in ``benchmarks/coverage_ci.py`` a 95% CI
      covered 66% of samples of 5 units, 90% of 10 or 20 and 94% of 60; below 100 units the `note` says so.

    References
    ----------
    Cohen J (1960). Educ Psychol Meas 20:37-46. Fleiss JL, Cohen J, Everitt BS (1969). Large sample standard
    errors of kappa and weighted kappa. Psychol Bull 72:323-327. Byrt T, Bishop J, Carlin JB (1993). Bias,
    prevalence and kappa. J Clin Epidemiol 46:423-429.

    Example
    -------
    >>> data = pd.DataFrame({"unit": [1, 2, 3, 4] * 2, "coder": ["a"] * 4 + ["b"] * 4,
    ...                      "value": ["x", "x", "y", "y", "x", "y", "y", "y"]})
    >>> round(float(kappa_two_coders(data).loc[0, "estimate"]), 3)
    0.5
    """
    where = "kappa_two_coders"
    table, labels, n_dropped, notes = _two_coder_table(data, unit, coder, value, coders, categories, where)
    n, k = int(table.sum()), len(labels)
    row = {"method": "Cohen's kappa (Fleiss-Cohen-Everitt SE)", "n_units": n, "n_dropped": n_dropped,
           "n_categories": k}
    nan = math.nan
    row.update(estimate=nan, se=nan, ci_low=nan, ci_high=nan, statistic=nan, p_val=nan, pct_agreement=nan,
               pabak=nan, prevalence_index=nan, bias_index=nan)
    if n < 2:
        notes.append("fewer than two units labelled by both coders: kappa is undefined")
        return tidy([{**row, "note": "; ".join(notes)}])
    p = table / n
    rows_, cols = p.sum(axis=1), p.sum(axis=0)
    p_o, p_e = float(np.trace(p)), float(rows_ @ cols)
    row["pct_agreement"] = 100 * p_o
    if k >= 2:
        row["pabak"] = (k * p_o - 1) / (k - 1)
    if k == 2:
        row["prevalence_index"] = abs(table[0, 0] - table[1, 1]) / n
        row["bias_index"] = abs(table[0, 1] - table[1, 0]) / n
    if math.isclose(p_e, 1.0):
        notes.append("a single label throughout: kappa is undefined (chance agreement is 1)")
        return tidy([{**row, "note": "; ".join(notes)}])
    kappa = (p_o - p_e) / (1 - p_e)
    diag = np.diag(p) * ((1 - p_e) - (rows_ + cols) * (1 - p_o)) ** 2
    sums = cols[:, None] + rows_[None, :]  # p_.i + p_j. for the cell (i, j)
    off = p * sums ** 2
    var = (diag.sum() + (1 - p_o) ** 2 * (off.sum() - np.trace(off)) - (p_o * p_e - 2 * p_e + p_o) ** 2) / (
        n * (1 - p_e) ** 4)
    var_0 = (p_e + p_e ** 2 - float(np.sum(rows_ * cols * (rows_ + cols)))) / (n * (1 - p_e) ** 2)
    _kappa_inference(row, notes, kappa, float(var), var_0, confidence)
    if n < 100:
        notes.append(f"large-sample CI from {n} units: too narrow at this size (a 95% CI covered 66% of samples "
                     "of 5 units, 90% of 10 or 20 and 94% of 60 in benchmarks/coverage_ci.py)")
    return tidy([{**row, "note": "; ".join(notes)}])


def _kappa_inference(row: dict, notes: list[str], kappa: float, var: float, var_0: float,
                     confidence: float) -> None:
    """Put a kappa's large-sample SE, Wald CI (cut at ±1) and z test (SE under H0: kappa = 0) into ``row``.

    ``var`` is the variance of the estimate and ``var_0`` its variance when kappa is 0 (Fleiss, Cohen & Everitt
    1969); z = kappa / sqrt(var_0)."""
    se = math.sqrt(max(var, 0.0))  # rounding can leave -1e-17 where the variance is 0 (perfect agreement)
    q = critical_value(confidence)
    low, high = kappa - q * se, kappa + q * se
    if low < -1 or high > 1:
        notes.append("the CI reached beyond ±1 and is cut there, as psych::cohen.kappa does")
        low, high = max(low, -1.0), min(high, 1.0)
    if se == 0:
        notes.append("the large-sample SE is 0 here (e.g. perfect agreement): the CI is a point")
    z = kappa / math.sqrt(var_0) if var_0 > 0 else math.nan
    row.update(estimate=kappa, se=se, ci_low=low, ci_high=high, statistic=z,
               p_val=float(2 * stats.norm.sf(abs(z))) if math.isfinite(z) else math.nan)


def _agreement_weights(weights: str | Sequence | np.ndarray, k: int, where: str) -> tuple[np.ndarray, str]:
    """The k x k agreement weights (1 on the diagonal, 0 for the furthest disagreement) and their name."""
    if isinstance(weights, str):
        distance = np.abs(np.subtract.outer(np.arange(k), np.arange(k))) / max(k - 1, 1)
        if weights == "linear":
            return 1 - distance, "linear"
        if weights == "quadratic":
            return 1 - distance ** 2, "quadratic"
        raise AgreementError(f"{where}: `weights` must be 'linear', 'quadratic' or a {k} x {k} matrix of agreement "
                             f"weights, not {weights!r}.")
    w = np.asarray(weights, dtype=float)
    if w.shape != (k, k) or not np.all(np.isfinite(w)) or w.min() < 0 or w.max() > 1 \
            or not np.allclose(np.diag(w), 1):
        raise AgreementError(f"{where}: a matrix of weights must be {k} x {k} (one row and column per category), "
                             "with 1 on the diagonal and every weight between 0 and 1; got "
                             f"shape {w.shape}. To use Cohen's (1968) disagreement weights v, pass 1 - v / max(v).")
    return w, "user-given"


def weighted_kappa(
    data: pd.DataFrame,
    unit: str = "unit",
    coder: str = "coder",
    value: str = "value",
    *,
    weights: str | Sequence | np.ndarray = "linear",
    coders: Sequence | None = None,
    categories: Sequence | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Weighted kappa for two coders on an ordered scale (Cohen 1968), with its large-sample CI and z test.

    Parameters
    ----------
    data
        One row per (unit, coder) with the label in ``value``; a missing label is a missing row or NaN.
    weights
        ``"linear"`` (w_ij = 1 - |i - j| / (k - 1)), ``"quadratic"`` (w_ij = 1 - (i - j)² / (k - 1)²; the
        default of ``psych::cohen.kappa``), or a k x k matrix of agreement weights (1 on the diagonal).
    categories
        The k categories **in order**; they set k and so the weights. Needed unless the labels are numbers (then
        the distinct labels used, in numeric order). A category nobody used still counts when given here, as in
        ``psych::cohen.kappa(levels = )``; leaving it out changes linear and quadratic weights.

    Returns
    -------
    One row: `method`, `weights`, `n_units`, `n_dropped` (units only one coder labelled, left out),
    `n_categories`, `estimate` (kappa_w), `se`, `ci_low`, `ci_high` (cut at ±1, as psych does), `statistic` (z
    against kappa_w = 0, with the null variance), `p_val` (two-sided), `note`.

    Notes
    -----
    With p_ij the table of shares, p_i. and p_.j its margins and w_ij the agreement weights:
    p_o(w) = sum w_ij p_ij, p_e(w) = sum w_ij p_i. p_.j, kappa_w = (p_o(w) - p_e(w)) / (1 - p_e(w)) (Cohen 1968;
    disagreement weights v give the same kappa_w = 1 - sum v p_ij / sum v p_i. p_.j when w = 1 - v / max v).
    With w̄_i. = sum_j p_.j w_ij and w̄_.j = sum_i p_i. w_ij (Fleiss, Cohen & Everitt 1969):

    * var(kappa_w) = [sum_ij p_ij (w_ij (1 - p_e) - (w̄_i. + w̄_.j)(1 - p_o))² - (p_o p_e - 2 p_e + p_o)²]
      / (n (1 - p_e)⁴); CI kappa_w ± z se. Deliberately not ``psych::cohen.kappa``'s ``var.weighted`` for
      k >= 3: psych (2.2) puts p_i. sum_j w_ij where the formula has w̄_.j = sum_i p_i. w_ij, so its SE changes
      when disagreement weights are merely rescaled (Cohen's 1968 example: 0.120 with 1 - v/6, 0.186 with
      1 - v/9; ours 0.0755 with both). Ours equals statsmodels' ``cohens_kappa(wt=)`` and, for k = 2, psych's.
    * var_0 = [sum_ij p_i. p_.j (w_ij - (w̄_i. + w̄_.j))² - p_e²] / (n (1 - p_e)²), for the z test (as
      ``irr::kappa2`` and statsmodels' ``cohens_kappa``).
    * Undefined, NaN with a `note`: one label throughout, or chance agreement p_e(w) = 1; fewer than two units.
    * The CI is a large-sample one and too narrow for small samples (``benchmarks/coverage_ci.py``, 3 ordered
      labels: a 95% CI covered 70%, 84%, 92% and 91% of samples of 5, 10, 20 and 60 units with linear weights;
      66%, 78%, 85% and 91% with quadratic); below 100 units the `note` says so.

    With quadratic weights kappa_w is close to the ICC of consistency-with-bias (Fleiss & Cohen 1973).

    References
    ----------
    Cohen J (1968). Weighted kappa. Psychol Bull 70:213-220. Fleiss JL, Cohen J, Everitt BS (1969). Large sample
    standard errors of kappa and weighted kappa. Psychol Bull 72:323-327.

    Example
    -------
    >>> data = pd.DataFrame({"unit": [1, 2, 3, 4] * 2, "coder": ["a"] * 4 + ["b"] * 4,
    ...                      "value": [1, 2, 3, 3, 1, 3, 3, 2]})
    >>> round(float(weighted_kappa(data, weights="linear").loc[0, "estimate"]), 4)
    0.4286
    """
    where = "weighted_kappa"
    if categories is None:
        require_columns(data, [unit, coder, value], where)
        used = data[value].dropna().unique()
        numeric = pd.to_numeric(pd.Series(used), errors="coerce")
        if numeric.isna().any() or isinstance(used[0] if len(used) else 0, (bool, np.bool_)):
            raise AgreementError(f"{where}: weighted kappa needs the categories in order; the labels are not all "
                                 "numbers, so give them in order with `categories=[...]` (lowest first).")
        categories = sorted(used, key=float)
    table, labels, n_dropped, notes = _two_coder_table(data, unit, coder, value, coders, categories, where)
    n, k = int(table.sum()), len(labels)
    w, name = _agreement_weights(weights, k, where)
    nan = math.nan
    row = {"method": "weighted kappa (Fleiss-Cohen-Everitt SE)", "weights": name, "n_units": n,
           "n_dropped": n_dropped, "n_categories": k, "estimate": nan, "se": nan, "ci_low": nan, "ci_high": nan,
           "statistic": nan, "p_val": nan}
    if n < 2:
        notes.append("fewer than two units labelled by both coders: weighted kappa is undefined")
        return tidy([{**row, "note": "; ".join(notes)}])
    p = table / n
    rows_, cols = p.sum(axis=1), p.sum(axis=0)
    p_o, p_e = float(np.sum(w * p)), float(np.sum(w * np.outer(rows_, cols)))
    if math.isclose(p_e, 1.0):
        notes.append("chance agreement is 1 (e.g. a single label throughout): weighted kappa is undefined")
        return tidy([{**row, "note": "; ".join(notes)}])
    kappa = (p_o - p_e) / (1 - p_e)
    w_row, w_col = w @ cols, rows_ @ w  # w̄_i. and w̄_.j
    spread = np.add.outer(w_row, w_col)
    var = (float(np.sum(p * (w * (1 - p_e) - spread * (1 - p_o)) ** 2)) - (p_o * p_e - 2 * p_e + p_o) ** 2) / (
        n * (1 - p_e) ** 4)
    var_0 = (float(np.sum(np.outer(rows_, cols) * (w - spread) ** 2)) - p_e ** 2) / (n * (1 - p_e) ** 2)
    _kappa_inference(row, notes, kappa, var, var_0, confidence)
    if n < 100:
        notes.append(f"large-sample CI from {n} units: too narrow at this size (a 95% CI covered 70-92% with "
                     "linear weights and 66-91% with quadratic weights for 5 to 60 units in "
                     "benchmarks/coverage_ci.py)")
    return tidy([{**row, "note": "; ".join(notes)}])


def gwet_ac1(
    data: pd.DataFrame,
    unit: str = "unit",
    coder: str = "coder",
    value: str = "value",
    *,
    coders: Sequence | None = None,
    categories: Sequence | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Gwet's AC1 for two coders, with its large-sample SE and CI, beside Brennan & Prediger's coefficient.

    Kappa falls when a code is rare, however well the coders agree (the "kappa paradox": p_e near 1); most
    codes of a qualitative codebook are rare in most segments. AC1 takes chance agreement as the chance of
    agreeing on a random label when a coder labels at random, and stays near the percentage agreement there.

    Returns
    -------
    One row: `method`, `n_units`, `n_dropped` (units only one coder labelled: left out), `n_categories` (q),
    `estimate` (AC1), `se`, `ci_low`, `ci_high` (estimate ± z se, cut at ±1), `pct_agreement`,
    `brennan_prediger` ((p_o - 1/q) / (1 - 1/q); with two coders it is PABAK), `note`.

    Notes
    -----
    With p_kl the table of shares and π_k = (p_k. + p_.k) / 2 (Gwet 2008):
    p_e = sum_k π_k (1 - π_k) / (q - 1), AC1 = (p_o - p_e) / (1 - p_e), and
    var(AC1) = [p_o (1 - p_o) - 4 (1 - AC1) (sum_k p_kk (1 - π_k) / (q - 1) - p_o p_e)
    + 4 (1 - AC1)² (sum_k sum_l p_kl (1 - (π_k + π_l) / 2)² / (q - 1)² - p_e²)] / (n (1 - p_e)²),
    Gwet's variance for an infinite population of units (sampling fraction 0), which does not assume the
    coders independent. `categories` sets q (default: the labels used); a single category is undefined.
    The CI is a large-sample one: in ``benchmarks/coverage_ci.py`` a 95% CI covered 72% of samples of 5 units,
    94% of 10, 90% of 20 and 94% of 60; below 100 units the `note` says so.

    References
    ----------
    Gwet KL (2008). Computing inter-rater reliability and its variance in the presence of high agreement.
    Br J Math Stat Psychol 61:29-48. Brennan RL, Prediger DJ (1981). Coefficient kappa: some uses, misuses,
    and alternatives. Educ Psychol Meas 41:687-699.

    Example
    -------
    >>> data = pd.DataFrame({"unit": [1, 2, 3, 4] * 2, "coder": ["a"] * 4 + ["b"] * 4,
    ...                      "value": ["x", "x", "y", "y", "x", "y", "y", "y"]})
    >>> round(float(gwet_ac1(data).loc[0, "estimate"]), 4)
    0.5294
    """
    where = "gwet_ac1"
    table, labels, n_dropped, notes = _two_coder_table(data, unit, coder, value, coders, categories, where)
    n, q = int(table.sum()), len(labels)
    nan = math.nan
    row = {"method": "Gwet's AC1 (Gwet 2008 SE)", "n_units": n, "n_dropped": n_dropped, "n_categories": q,
           "estimate": nan, "se": nan, "ci_low": nan, "ci_high": nan, "pct_agreement": nan,
           "brennan_prediger": nan}
    if n < 2 or q < 2:
        notes.append("fewer than two units labelled by both coders, or a single category: AC1 is undefined")
        return tidy([{**row, "note": "; ".join(notes)}])
    p = table / n
    pi = (p.sum(axis=1) + p.sum(axis=0)) / 2
    p_o = float(np.trace(p))
    p_e = float(np.sum(pi * (1 - pi))) / (q - 1)
    ac1 = (p_o - p_e) / (1 - p_e)
    spread = 1 - np.add.outer(pi, pi) / 2
    var = (p_o * (1 - p_o) - 4 * (1 - ac1) * (float(np.sum(np.diag(p) * (1 - pi))) / (q - 1) - p_o * p_e)
           + 4 * (1 - ac1) ** 2 * (float(np.sum(p * spread ** 2)) / (q - 1) ** 2 - p_e ** 2)) / (n * (1 - p_e) ** 2)
    se = math.sqrt(max(var, 0.0))  # rounding can leave -1e-17 where agreement is perfect
    half = critical_value(confidence) * se
    low, high = ac1 - half, ac1 + half
    if low < -1 or high > 1:
        notes.append("the CI reached beyond ±1 and is cut there")
        low, high = max(low, -1.0), min(high, 1.0)
    if se == 0:
        notes.append("the large-sample SE is 0 here (e.g. perfect agreement): the CI is a point")
    if n < 100:
        notes.append(f"large-sample CI from {n} units: too narrow at this size (a 95% CI covered 72% of samples "
                     "of 5 units and 90-94% of 10 to 60 in benchmarks/coverage_ci.py)")
    row.update(estimate=ac1, se=se, ci_low=low, ci_high=high, pct_agreement=100 * p_o,
               brennan_prediger=(p_o - 1 / q) / (1 - 1 / q))
    return tidy([{**row, "note": "; ".join(notes)}])


def fleiss_kappa(data: pd.DataFrame, unit: str = "unit", coder: str = "coder", value: str = "value") -> pd.DataFrame:
    """Fleiss' kappa for a fixed number m of coders per unit, with the z test of kappa = 0.

    Returns
    -------
    One row: `method`, `n_units`, `n_dropped` (units with fewer labels than the most any unit has: left out, as
    R's ``irr::kappam.fleiss`` leaves out subjects with a missing rating), `n_coders` (m), `n_categories`,
    `estimate`, `se` (under kappa = 0, the one the z test uses; not for a CI), `statistic` (z), `p_val`
    (two-sided), `note`.

    Notes
    -----
    With n_ij the number of coders giving unit i label j (N units, m coders each):
    P_i = (sum_j n_ij² - m) / (m (m - 1)), P̄ = mean P_i, p_j = sum_i n_ij / (N m), P̄_e = sum_j p_j²,
    kappa = (P̄ - P̄_e) / (1 - P̄_e) (Fleiss 1971). Under kappa = 0 (Fleiss, Nee & Landis 1979),
    se_0 = sqrt(2) / (sum_j p_j q_j sqrt(N m (m - 1))) * sqrt((sum_j p_j q_j)² - sum_j p_j q_j (q_j - p_j)),
    q_j = 1 - p_j, and z = kappa / se_0. One label throughout (P̄_e = 1): NaN with a `note`.

    References
    ----------
    Fleiss JL (1971). Measuring nominal scale agreement among many raters. Psychol Bull 76:378-382.
    Fleiss JL, Nee JCM, Landis JR (1979). Large sample variance of kappa in the case of different sets of
    raters. Psychol Bull 86:974-977.

    Example
    -------
    >>> data = pd.DataFrame({"unit": [1, 1, 1, 2, 2, 2, 3, 3, 3], "coder": ["a", "b", "c"] * 3,
    ...                      "value": ["x", "x", "x", "x", "y", "y", "y", "y", "y"]})
    >>> round(float(fleiss_kappa(data).loc[0, "estimate"]), 4)
    0.55
    """
    where = "fleiss_kappa"
    wide = _labels_by_unit(data, unit, coder, value, where)
    given = wide.notna().sum(axis=1)
    m = int(given.max()) if len(given) else 0
    if m < 2:
        raise AgreementError(f"{where}: Fleiss' kappa needs at least two coders labelling a unit; the most any "
                             f"unit has is {m}.")
    keep = wide[given == m]
    n_dropped = len(wide) - len(keep)
    notes = [f"{n_dropped} unit(s) with fewer than {m} labels left out"] if n_dropped else []
    labels = sorted(set(keep.stack()), key=str)
    counts = np.array([[int((r == label).sum()) for label in labels] for r in keep.to_numpy()], dtype=float)
    n_units = len(keep)
    nan = math.nan
    row = {"method": "Fleiss' kappa", "n_units": n_units, "n_dropped": n_dropped, "n_coders": m,
           "n_categories": len(labels), "estimate": nan, "se": nan, "statistic": nan, "p_val": nan}
    if n_units < 2:
        notes.append("fewer than two units with every coder's label: kappa is undefined")
        return tidy([{**row, "note": "; ".join(notes)}])
    p_i = (np.sum(counts ** 2, axis=1) - m) / (m * (m - 1))
    p_j = counts.sum(axis=0) / (n_units * m)
    p_bar, p_e = float(p_i.mean()), float(np.sum(p_j ** 2))
    if math.isclose(p_e, 1.0):
        notes.append("a single label throughout: kappa is undefined (chance agreement is 1)")
        return tidy([{**row, "note": "; ".join(notes)}])
    kappa = (p_bar - p_e) / (1 - p_e)
    pq = p_j * (1 - p_j)
    se_0 = math.sqrt(2) / (pq.sum() * math.sqrt(n_units * m * (m - 1))) * math.sqrt(
        pq.sum() ** 2 - float(np.sum(pq * ((1 - p_j) - p_j))))
    z = kappa / se_0
    row.update(estimate=kappa, se=se_0, statistic=z, p_val=float(2 * stats.norm.sf(abs(z))))
    notes.append("se is the standard error under kappa = 0 (for the z test), not one for a CI")
    return tidy([{**row, "note": "; ".join(notes)}])
