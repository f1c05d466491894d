"""How far suggested codes agree with a person's coding: precision, recall, F1 and the negation flags.

The unit is a (sentence, code) pair. A suggestion *counts* when it is not flagged as negated (flagged
suggestions are shown to the analyst but left out of counts, see :mod:`cm_research.qual.suggest`).

* precision = counted suggestions the person also coded / counted suggestions;
* recall = counted suggestions the person also coded / pairs the person coded;
* F1 = 2 · precision · recall / (precision + recall);
* a negation flag is *right* when the person did not code that pair (the flag kept it out of the counts,
  as it should); negation accuracy = right flags / all flags.

Precision and recall are pooled over every pair (micro-averaged), and also given per code.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

GOLD_COLUMNS = ["transcript", "segment_id", "split", "codes", "quote"]


def read_gold(path: str | Path) -> pd.DataFrame:
    """A gold coding CSV (one row per participant sentence, ``codes`` "; "-separated, blank for none)."""
    gold = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in GOLD_COLUMNS if c not in gold.columns]
    if missing:
        raise ValueError(f"{Path(path).name}: missing columns {', '.join(missing)}")
    return gold


def gold_pairs(gold: pd.DataFrame) -> set[tuple[str, str]]:
    """(segment_id, code) pairs of a gold table."""
    return {(s, c.strip()) for s, codes in zip(gold["segment_id"], gold["codes"])
            for c in codes.split(";") if c.strip()}


def _ratio(a: int, b: int) -> float:
    return a / b if b else float("nan")


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score_suggestions(suggestions: pd.DataFrame, gold: pd.DataFrame) -> tuple[dict, pd.DataFrame]:
    """Score suggestions against gold coding, on the sentences the gold table covers.

    Returns (overall, per_code): overall holds precision, recall, f1, n_gold, n_suggested, n_true,
    n_flags, n_flags_right, negation_accuracy; per_code one row per code seen in either, with code,
    n_gold, n_suggested, n_true, precision, recall, f1, n_flags, n_flags_right.
    """
    covered = set(gold["segment_id"])
    sug = suggestions[suggestions["segment_id"].isin(covered)]
    flagged = sug["negated"].astype(bool)
    predicted = set(zip(sug.loc[~flagged, "segment_id"], sug.loc[~flagged, "code"]))
    flags = set(zip(sug.loc[flagged, "segment_id"], sug.loc[flagged, "code"]))
    truth = gold_pairs(gold)
    true = predicted & truth
    p, r = _ratio(len(true), len(predicted)), _ratio(len(true), len(truth))
    flags_right = flags - truth
    overall = {"precision": p, "recall": r, "f1": _f1(p, r), "n_gold": len(truth), "n_suggested": len(predicted),
               "n_true": len(true), "n_flags": len(flags), "n_flags_right": len(flags_right),
               "negation_accuracy": _ratio(len(flags_right), len(flags))}
    rows = []
    for code in sorted({c for _, c in truth | predicted | flags}):
        g = {s for s, c in truth if c == code}
        s_ = {s for s, c in predicted if c == code}
        f = {s for s, c in flags if c == code}
        pc, rc = _ratio(len(g & s_), len(s_)), _ratio(len(g & s_), len(g))
        rows.append({"code": code, "n_gold": len(g), "n_suggested": len(s_), "n_true": len(g & s_),
                     "precision": pc, "recall": rc, "f1": _f1(pc, rc) if s_ and g else 0.0,
                     "n_flags": len(f), "n_flags_right": len(f - g)})
    return overall, pd.DataFrame(rows)


def errors_table(suggestions: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """Every disagreement: segment_id, code, kind (false positive, miss, wrong flag), matched, reason, quote."""
    covered = set(gold["segment_id"])
    sug = suggestions[suggestions["segment_id"].isin(covered)]
    truth = gold_pairs(gold)
    quotes = dict(zip(gold["segment_id"], gold["quote"]))
    rows, seen = [], set()
    for r in sug.itertuples(index=False):
        pair = (r.segment_id, r.code)
        seen.add(pair)
        reason = getattr(r, "flag_reason", "")
        if not r.negated and pair not in truth:
            rows.append((r.segment_id, r.code, "false positive", r.matched, reason, quotes[r.segment_id]))
        elif r.negated and pair in truth:
            rows.append((r.segment_id, r.code, "wrong flag", r.matched, reason, quotes[r.segment_id]))
    for pair in sorted(truth - seen):
        rows.append((*pair, "miss", "", "", quotes[pair[0]]))
    return pd.DataFrame(rows, columns=["segment_id", "code", "kind", "matched", "reason", "quote"])
