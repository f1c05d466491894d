"""Score questionnaire items with the rules of the instrument files.

One function, :func:`score_instrument`, scores any instrument defined in ``data_dictionary/instruments/``:
it checks every item cell, reverses the reverse-scored items, makes each score (sum or mean of items
with the instrument's prorating rule, sums of scores, published conversions, the SDQ impact
supplement) and assigns the published band. The result is tidy: one row per questionnaire and score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from cm_research.errors import CELL_PROBLEM_COLUMNS
from cm_research.measures.errors import ItemResponseError
from cm_research.measures.instruments import Impact, Instrument, Score, resolve

SCORED_COLUMNS = ["instrument", "score", "value", "n_answered", "n_items", "prorated", "band", "note"]
DEFAULT = "default"


def score_instrument(
    data: pd.DataFrame,
    instrument: str | Instrument,
    version: str | None = None,
    *,
    prefix: str = "",
    scores: Sequence[str] | None = None,
    band_scheme: str | None = DEFAULT,
    min_answered: int | None = None,
    source: str = "",
) -> pd.DataFrame:
    """Score item responses, one questionnaire per row of ``data``.

    Parameters
    ----------
    data : DataFrame
        One row per completed questionnaire, one column per item named as in the instrument file
        (with ``prefix`` in front, e.g. ``p`` for ``pconsid``), answers as ticked on the form (reverse
        items are reversed here). Blank cells are unanswered. Other columns (participant_id,
        timepoint, ...) are carried into the result.
    instrument, version : the instrument's id or name and version (``"sdq", "carer"``), or an Instrument.
    scores : names of the scores wanted (default all), with the scores they are built from; by default
        the impact score is made when its columns exist.
    band_scheme : which published bands to assign (``"four_band"``, ``"three_band"``); the default is
        the first scheme in the file; None for no bands.
    min_answered : replaces the instrument's prorating rule for every item score: the fewest answered
        items that still give a score (e.g. 4 for an SDQ scale allows one missing item, where the
        published rule, 3, allows two). Default: the instrument file's rule.
    source : file name used in error messages.

    Returns
    -------
    DataFrame with the carried columns, ``row`` (the row label of ``data``), then ``instrument``,
    ``score``, ``value``, ``n_answered``, ``n_items``, ``prorated``, ``band`` and ``note`` (why a value
    is missing or was prorated). A score that cannot be made is NaN, never silently dropped.

    Raises
    ------
    ItemResponseError
        When an item column is missing or a cell is not an allowed answer; ``problems`` lists them all.

    Notes
    -----
    A sum of k items with at least ``min_answered`` answered is prorated as
    round_half_up(sum * k / answered), exactly as the SDQ syntax does (e.g. 4 from 3 items gives
    6.67, reported as 7). Reverse-scored answers become ``min + max - x``.
    """
    inst = resolve(instrument, version)
    impact_name = inst.impact.name if inst.impact else None
    asked_impact = scores is not None and impact_name in scores
    wanted = _wanted_scores(inst, None if scores is None else [s for s in scores if s != impact_name])
    item_names = _items_needed(inst, wanted)
    columns = {name: prefix + name for name in item_names}
    problems = _missing_columns(data, inst, columns, source)
    impact_columns = {}
    if scores is None or asked_impact:
        impact_columns = _impact_columns(inst, data, prefix, problems, source, required=asked_impact)
    if problems:
        raise _problem_error(inst, problems, source)
    responses = _read_cells(data, inst, columns, (inst.response_min, inst.response_max), problems, source)
    impact_cells = {}
    if impact_columns:
        imp = inst.impact
        impact_cells = _read_cells(data, inst, {imp.screen_item: impact_columns[imp.screen_item]},
                                   imp.screen_range, problems, source)
        item_cols = {k: v for k, v in impact_columns.items() if k != imp.screen_item}
        impact_cells.update(_read_cells(data, inst, item_cols, imp.response, problems, source))
    if problems:
        raise _problem_error(inst, problems, source)

    reverse = set(inst.reverse_items)
    for name in responses:
        if name in reverse:
            responses[name] = inst.response_min + inst.response_max - responses[name]

    results: dict[str, pd.DataFrame] = {}
    for score in inst.scores:
        if score.name in wanted:
            if min_answered is not None and score.kind == "items":
                score = _with_min_answered(score, min_answered)
            results[score.name] = _make_score(score, responses, results, len(data))
    if impact_columns:
        results[inst.impact.name] = _impact_score(inst.impact, impact_cells, len(data))

    scheme = _scheme(inst, band_scheme)
    answer_columns = {prefix + n for n in inst.item_names} | set(impact_columns.values())
    if inst.impact:
        answer_columns |= {prefix + n for n in (inst.impact.screen_item, *inst.impact.items)}
    carried = [c for c in data.columns if c not in answer_columns]
    frames = []
    for name, res in results.items():
        frame = data[carried].copy()
        if "row" not in frame:
            frame.insert(len(carried), "row", data.index)
        frame = frame.reset_index(drop=True)
        frame["instrument"] = inst.id
        frame["score"] = name
        for col in ("value", "n_answered", "n_items", "prorated", "note"):
            frame[col] = res[col].to_numpy()
        frame["band"] = assign_band(frame["value"], inst, name, scheme) if scheme else None
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["n_answered"] = out["n_answered"].astype("Int64")
    out["n_items"] = out["n_items"].astype("Int64")
    order = [*carried, *(["row"] if "row" not in carried else []), *SCORED_COLUMNS]
    return out[order]


def assign_band(values: pd.Series | Sequence[float], instrument: str | Instrument, score: str,
                scheme: str | None = DEFAULT, version: str | None = None) -> pd.Series:
    """The published band of each value of ``score`` (None where the value is missing or has no band).

    Bands are inclusive ranges of whole scores, e.g. SDQ parent total difficulties 14-16 "slightly raised".
    """
    inst = resolve(instrument, version)
    scheme_name = _scheme(inst, scheme)
    values = pd.Series(values, dtype=float)
    if scheme_name is None or score not in inst.band_schemes[scheme_name].bands:
        return pd.Series([None] * len(values), index=values.index, dtype=object)
    labels = pd.Series([None] * len(values), index=values.index, dtype=object)
    for band in inst.band_schemes[scheme_name].bands[score]:
        labels[(values >= band.low) & (values <= band.high)] = band.label
    return labels


def scores_wide(scored: pd.DataFrame) -> pd.DataFrame:
    """One row per questionnaire: the carried columns, then one column per score and one per band."""
    keys = [c for c in scored.columns if c not in SCORED_COLUMNS]
    values = scored.pivot(index=keys, columns="score", values="value")
    bands = scored.pivot(index=keys, columns="score", values="band").add_suffix("_band")
    order = list(pd.unique(scored["score"]))
    bands = bands[[f"{s}_band" for s in order if scored.loc[scored.score == s, "band"].notna().any()]]
    return values[order].join(bands).reset_index().rename_axis(columns=None)


def to_outcomes(scored: pd.DataFrame, instrument: str | Instrument, version: str | None = None, *,
                subject: str = "participant_id", timepoint: str = "timepoint") -> pd.DataFrame:
    """Rows for the outcomes table (participant_id, measure, timepoint, value) for every score that the
    instrument file maps to an outcome measure (e.g. SDQ parent total difficulties -> ``sdq_total``)."""
    inst = resolve(instrument, version)
    for col in (subject, timepoint):
        if col not in scored:
            raise ItemResponseError(f"{inst.id}: the scored table has no column `{col}`; it is needed to make "
                                    f"outcome rows (columns: {', '.join(map(str, scored.columns))}).")
    mapping = {s.name: s.measure for s in inst.scores if s.measure}
    rows = scored[scored["score"].isin(list(mapping)) & scored["value"].notna()]
    out = pd.DataFrame({
        "participant_id": rows[subject].to_numpy(),
        "measure": rows["score"].map(mapping).to_numpy(),
        "timepoint": rows[timepoint].to_numpy(),
        "value": rows["value"].to_numpy(dtype=float),
    })
    return out.reset_index(drop=True)


# ---------------------------------------------------------------- helpers


def _with_min_answered(score: Score, min_answered: int) -> Score:
    if not (isinstance(min_answered, int) and 1 <= min_answered <= len(score.items)):
        raise ValueError(f"`min_answered` must be a whole number from 1 to {len(score.items)} "
                         f"(the items of {score.name}), not {min_answered!r}")
    return replace(score, min_answered=min_answered)


def _wanted_scores(inst: Instrument, scores: Sequence[str] | None) -> set[str]:
    if scores is None:
        return {s.name for s in inst.scores}
    wanted = set()
    for name in scores:
        inst.score(name)  # raises, naming the scores there are
        wanted.add(name)
    # a composite or conversion needs the scores it is made from
    changed = True
    while changed:
        before = len(wanted)
        for s in inst.scores:
            if s.name in wanted:
                wanted.update(s.sum_of)
                if s.convert_from:
                    wanted.add(s.convert_from)
        changed = len(wanted) != before
    return wanted


def _items_needed(inst: Instrument, wanted: set[str]) -> list[str]:
    needed = {i for s in inst.scores if s.name in wanted for i in s.items}
    return [name for name in inst.item_names if name in needed]


def _problem(source: str, row, column: str, value, rule: str, message: str) -> dict:
    return {"file": source, "row": row, "column": column, "value": value, "rule": rule, "message": message}


def _where(source: str, row=None, column: str = "") -> str:
    parts = [p for p in (source, None if row is None else f"row {row}", f"column `{column}`" if column else "") if p]
    return ", ".join(parts)


def _missing_columns(data: pd.DataFrame, inst: Instrument, columns: dict[str, str], source: str) -> list[dict]:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{inst.id}: `data` must be a pandas DataFrame, not {type(data).__name__}")
    problems = []
    for name, col in columns.items():
        if col not in data.columns:
            item = inst.item(name)
            what = f"item {item.number} ({item.label})" if item.number else f"item {name}"
            problems.append(_problem(source, pd.NA, col, "", "column",
                                     f"{_where(source)}{': ' if source else ''}there is no column `{col}` for "
                                     f"{inst.id} {what}"))
    return problems


def _impact_columns(inst: Instrument, data: pd.DataFrame, prefix: str, problems: list, source: str,
                    required: bool = False) -> dict:
    """Impact columns (all of them) when any is present (or the impact score was asked for); else {}."""
    imp = inst.impact
    if imp is None:
        return {}
    names = [imp.screen_item, *imp.items]
    present = [n for n in names if prefix + n in data.columns]
    if not present and not required:
        return {}
    for n in names:
        if n not in present:
            problems.append(_problem(source, pd.NA, prefix + n, "", "column",
                                     f"{_where(source)}{': ' if source else ''}the impact supplement needs column "
                                     f"`{prefix + n}` ({imp.labels.get(n, 'overall difficulties')})"))
    return {n: prefix + n for n in names}


def _read_cells(data: pd.DataFrame, inst: Instrument, columns: dict[str, str], allowed: tuple[int, int],
                problems: list, source: str) -> dict[str, np.ndarray]:
    """Numeric arrays (NaN = unanswered) per item; every cell that is not a whole number in ``allowed``
    is added to ``problems``."""
    low, high = allowed
    out = {}
    for name, col in columns.items():
        raw = data[col]
        text = raw.astype("string").str.strip()
        blank = raw.isna() | (text == "")
        numbers = pd.to_numeric(raw.where(~blank), errors="coerce")
        bad = ~blank & (numbers.isna() | (numbers % 1 != 0) | (numbers < low) | (numbers > high))
        for row, value in raw[bad].items():
            problems.append(_problem(
                source, row, col, value, "allowed_answers",
                f"{_where(source, row, col)}: {value!r} is not an allowed answer for {inst.id} item `{name}`; "
                f"answers are whole numbers {low}-{high}, or blank if not answered"))
        out[name] = numbers.to_numpy(dtype=float)
    return out


def _problem_error(inst: Instrument, problems: list[dict], source: str) -> ItemResponseError:
    table = pd.DataFrame(problems, columns=CELL_PROBLEM_COLUMNS)
    shown = "\n".join(f"- {m}" for m in table["message"].head(10))
    more = f"\n(and {len(table) - 10} more)" if len(table) > 10 else ""
    where = f" in {source}" if source else ""
    return ItemResponseError(f"{inst.id}: {len(table)} problem(s){where} stop scoring:\n{shown}{more}", table)


def _round_half_up(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """round(numerator / denominator) with halves rounded up, in exact integer arithmetic."""
    num = numerator.astype(np.int64)
    den = denominator.astype(np.int64)
    return np.floor_divide(2 * num + den, 2 * den).astype(float)


def _make_score(score: Score, responses: dict[str, np.ndarray], done: dict[str, pd.DataFrame], n: int) -> pd.DataFrame:
    if score.kind == "items":
        return _item_score(score, responses, n)
    if score.kind == "sum_of":
        parts = [done[p] for p in score.sum_of]
        value = np.sum([p["value"].to_numpy() for p in parts], axis=0)
        answered = np.sum([p["n_answered"].to_numpy() for p in parts], axis=0)
        n_items = sum(int(p["n_items"].iloc[0]) for p in parts) if n else 0
        prorated = np.any([p["prorated"].to_numpy(dtype=bool) for p in parts], axis=0)
        notes = []
        for i in range(n):
            missing = [name for name, p in zip(score.sum_of, parts) if np.isnan(p["value"].iat[i])]
            if missing:
                notes.append(f"not scored: {', '.join(missing)} missing")
            else:
                notes.append("; ".join(f"{name} prorated" for name, p in zip(score.sum_of, parts)
                                       if p["prorated"].iat[i]))
        return pd.DataFrame({"value": value, "n_answered": answered, "n_items": n_items,
                             "prorated": prorated, "note": notes})
    base = done[score.convert_from]
    raw = base["value"].to_numpy()
    value = np.array([score.table.get(int(v), np.nan) if np.isfinite(v) and v == int(v) else np.nan for v in raw])
    notes = [f"no {score.convert_from} score to convert" if np.isnan(v) else "" for v in raw]
    return pd.DataFrame({"value": value, "n_answered": base["n_answered"], "n_items": base["n_items"],
                         "prorated": base["prorated"], "note": notes})


def _item_score(score: Score, responses: dict[str, np.ndarray], n: int) -> pd.DataFrame:
    matrix = np.column_stack([responses[i] for i in score.items]) if n else np.empty((0, len(score.items)))
    k = len(score.items)
    answered = np.sum(~np.isnan(matrix), axis=1)
    total = np.nansum(matrix, axis=1)
    ok = answered >= score.needed
    with np.errstate(invalid="ignore", divide="ignore"):
        if score.method == "mean":
            value = total / answered
        elif score.rounding == "half_up":
            value = _round_half_up(total * k, np.maximum(answered, 1))
        else:
            value = total * k / answered
    value = np.where(ok, value, np.nan)
    prorated = ok & (answered < k)
    notes = []
    for i in range(n):
        if not ok[i]:
            missing = [name for name, col in zip(score.items, matrix.T) if np.isnan(col[i])]
            notes.append(f"not scored: {answered[i]} of {k} items answered, {score.needed} needed "
                         f"(missing: {', '.join(missing)})")
        elif prorated[i]:
            how = "mean" if score.method == "mean" else "prorated sum"
            notes.append(f"{how} of {answered[i]} of {k} items")
        else:
            notes.append("")
    return pd.DataFrame({"value": value, "n_answered": answered, "n_items": k, "prorated": prorated, "note": notes})


def _impact_score(imp: Impact, cells: dict[str, np.ndarray], n: int) -> pd.DataFrame:
    screen = cells[imp.screen_item]
    recoded = np.full((n, len(imp.items)), np.nan)
    for j, item in enumerate(imp.items):
        for answer, points in imp.recode.items():
            recoded[cells[item] == answer, j] = points
    answered = np.sum(~np.isnan(recoded), axis=1)
    value = np.where(answered > 0, np.nansum(recoded, axis=1), np.nan)
    no_difficulties = screen == imp.screen_range[0]
    value = np.where(no_difficulties, 0.0, value)
    notes = []
    for i in range(n):
        if no_difficulties[i]:
            notes.append("0: no difficulties reported on the overall question")
        elif answered[i] == 0:
            notes.append("not scored: no impact item answered")
        elif answered[i] < len(imp.items):
            notes.append(f"{len(imp.items) - answered[i]} unanswered impact item(s) counted as 0")
        else:
            notes.append("")
    return pd.DataFrame({"value": value, "n_answered": answered, "n_items": len(imp.items),
                         "prorated": False, "note": notes})


def _scheme(inst: Instrument, band_scheme: str | None) -> str | None:
    if band_scheme is None or not inst.band_schemes:
        if band_scheme not in (None, DEFAULT):
            raise ValueError(f"{inst.id} has no published bands (asked for {band_scheme!r})")
        return None
    if band_scheme == DEFAULT:
        return next(iter(inst.band_schemes))
    if band_scheme not in inst.band_schemes:
        raise ValueError(f"{inst.id} has no band scheme {band_scheme!r}; schemes: {', '.join(inst.band_schemes)}")
    return band_scheme
