"""Behavioural checks of the suggested coder: short hand-written sentences with the outcome they should have.

A CheckList-style table (Ribeiro, Wu, Guestrin & Singh 2020, "Beyond accuracy: behavioral testing of NLP models
with CheckList", ACL): each row is one sentence, the speaker's role, one code and what the coder should do with
that code there, written from the codebook's definitions (not its hints):

* ``counted``: suggested and not flagged as negated (it enters the counts);
* ``flagged``: suggested and flagged as negated (the analyst sees it; the counts leave it out);
* ``not_counted``: either not suggested or flagged, so that it does not enter the counts.

Rows are grouped by ``behaviour`` (negation scope, double negation, litotes, hedges, words in passing, the
speaker's role, irregular forms), and the failure rate per behaviour is the share of rows whose outcome is wrong
(:func:`failure_table`). Each sentence is coded on its own, as a participant's sentence with no question before
it, so only its own words count.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cm_research.qual.codebook import Codebook
from cm_research.qual.suggest import suggest_codes

EXPECTATIONS = ("counted", "flagged", "not_counted")
CASE_COLUMNS = ["id", "behaviour", "role", "code", "expect", "text"]


class BehaviourCaseError(ValueError):
    """A behaviour table that cannot be read as cases (a missing column, an unknown code or expectation)."""


def read_cases(path: str | Path, codebook: Codebook) -> pd.DataFrame:
    """The cases of a behaviour table (CSV with columns ``id, behaviour, role, code, expect, text``), checked."""
    path = Path(path)
    cases = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in CASE_COLUMNS if c not in cases.columns]
    if missing:
        raise BehaviourCaseError(f"{path.name}: missing column(s) {', '.join(missing)}")
    known = set(codebook.code_names)
    for i, row in enumerate(cases.itertuples(index=False), start=2):  # row 1 is the header
        if row.code not in known:
            raise BehaviourCaseError(f"{path.name}, row {i}, column `code`: {row.code!r} is not a code of the codebook")
        if row.expect not in EXPECTATIONS:
            raise BehaviourCaseError(f"{path.name}, row {i}, column `expect`: {row.expect!r} is not one of "
                                     f"{', '.join(EXPECTATIONS)}")
        if not row.text.strip():
            raise BehaviourCaseError(f"{path.name}, row {i}, column `text`: empty sentence")
    if not cases["id"].is_unique:
        raise BehaviourCaseError(f"{path.name}, column `id`: ids repeat ({', '.join(cases['id'][cases['id'].duplicated()])})")
    return cases


def case_segments(cases: pd.DataFrame) -> pd.DataFrame:
    """Each case as a one-sentence participant transcript of its own (no question before it)."""
    return pd.DataFrame({"segment_id": cases["id"], "transcript": cases["id"], "participant": cases["id"],
                         "role": cases["role"], "site": "behaviour", "start": 0, "end": cases["text"].str.len(),
                         "is_interviewer": False, "text": cases["text"]})


def run_cases(cases: pd.DataFrame, codebook: Codebook, model="auto") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(cases with what the coder did, every suggestion made): ``got`` is counted, flagged or absent for the
    case's code, ``ok`` whether that meets ``expect``, and ``matched``, ``model_words`` and ``flag_reason``
    show why (:func:`cm_research.qual.suggest.suggest_codes`, ``model`` as there)."""
    suggestions = suggest_codes(case_segments(cases), codebook, model=model)
    by_key = suggestions.set_index(["segment_id", "code"])
    got, matched, reason, words = [], [], [], []
    for case_id, code in zip(cases["id"], cases["code"]):
        if (case_id, code) in by_key.index:
            s = by_key.loc[(case_id, code)]
            got.append("flagged" if bool(s["negated"]) else "counted")
            matched.append(s["matched"])
            words.append(s["model_words"])
            reason.append(s["flag_reason"])
        else:
            got.append("absent")
            matched.append("")
            words.append("")
            reason.append("")
    out = cases.assign(got=got, matched=matched, model_words=words, flag_reason=reason)
    expect = out["expect"]
    out["ok"] = (out["got"] == expect) | ((expect == "not_counted") & (out["got"] != "counted"))
    return out, suggestions


def failure_table(results: pd.DataFrame) -> pd.DataFrame:
    """Cases, failures and the failure rate per behaviour, and over all cases (last row)."""
    rows = []
    for behaviour, part in list(results.groupby("behaviour", sort=False)) + [("all", results)]:
        n, failed = len(part), int((~part["ok"]).sum())
        rows.append({"behaviour": behaviour, "cases": n, "failed": failed, "failure_rate": failed / n})
    return pd.DataFrame(rows)
