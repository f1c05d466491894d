"""Behavioural tests of the suggested coder (CheckList-style; Ribeiro et al. 2020): hand-written sentences in
``cases.csv``, each with the outcome the codebook's definitions call for (:mod:`cm_research.qual.behaviour`).

The sentences were written from the codebook's definitions, use-when and not-when notes, not from its hints nor
from the sentences quoted in issue 17. Every case runs through the shipped hybrid coder (hints + learned model) in
one call. The cases the coder still gets wrong are listed in ``KNOWN_FAILURES`` with the reason, and marked as
expected failures (strict: a case that starts passing must be taken off the list); the failure rate per
behaviour is in ``tests/qual/gold/README.md``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cm_research.qual import load_codebook
from cm_research.qual.behaviour import BehaviourCaseError, failure_table, read_cases, run_cases

CASES = Path(__file__).resolve().parent / "cases.csv"

#: case id -> why the coder still fails it (words no hint holds and the model does not score high enough)
KNOWN_FAILURES = {
    "neg18": "'missed a single session' is no hint of consistency",
    "dbl05": "'welcome' is no hint of belonging",
    "dbl15": "'nothing she won't tell me': 'tell me' is no hint of trust",
    "lit16": "'too shy to sing' is no hint of confidence",
    "pas04": "'listened to music' is still read as being listened to",
    "pas05": "'drama queen' is still read as drama",
    "spk13": "the model, not a hint, suggests the carer's own 'worried sick'; the speaker rule reads hints only",
    "spk20": "'my shifts' is no hint of time and workload",
    "lem03": "'told her about' is no hint of trust",
    "lem09": "'a song about how I felt' is no hint of expressing feelings",
    "lem15": "'I chose' is no hint of a balanced partnership ('we chose' is)",
    "lem16": "'without a goodbye' is no hint of an abrupt ending ('without saying goodbye' is)",
    "lem18": "'began going to lessons' is no hint of attendance",
}


@pytest.fixture(scope="module")
def results():
    codebook = load_codebook()
    outcome, suggestions = run_cases(read_cases(CASES, codebook), codebook)
    return outcome.set_index("id"), suggestions


def _params():
    cases = pd.read_csv(CASES, dtype=str, keep_default_na=False)
    return [pytest.param(i, id=f"{i}-{b}", marks=[pytest.mark.xfail(reason=KNOWN_FAILURES[i], strict=True)]
                         if i in KNOWN_FAILURES else [])
            for i, b in zip(cases["id"], cases["behaviour"])]


@pytest.mark.parametrize("case_id", _params())
def test_case(results, case_id):
    row = results[0].loc[case_id]
    assert row["ok"], (f"{case_id} ({row['behaviour']}, {row['role']}): {row['text']!r} should be {row['expect']} "
                       f"for {row['code']}, got {row['got']} (matched {row['matched']!r}; {row['flag_reason']})")


def test_the_table_covers_each_behaviour_with_enough_varied_cases():
    cases = read_cases(CASES, load_codebook())
    per = cases.groupby("behaviour").size()
    assert set(per.index) == {"negation_scope", "double_negation", "litotes", "hedges", "in_passing", "speaker_role",
                              "lemmas"}
    assert (per[per.index != "in_passing"] >= 15).all() and (per <= 30).all()
    # minimal pairs: the same kind of words from a young person and from an adult
    spk = cases[cases["behaviour"] == "speaker_role"]
    assert set(spk["role"]) >= {"mentee", "mentor", "carer", "social_worker"}
    assert set(spk["expect"]) == {"counted", "not_counted"}
    assert set(cases["expect"]) == {"counted", "flagged", "not_counted"}


def test_every_suggestion_shows_its_words_and_why_it_was_or_was_not_flagged(results):
    suggestions = results[1]
    assert len(suggestions) > 100
    shown = (suggestions["matched"].fillna("") != "") | (suggestions["model_words"].fillna("") != "")
    assert shown.all()
    reason = suggestions["flag_reason"].fillna("")
    assert reason.str.startswith(("flagged:", "not flagged:")).all()
    flagged = suggestions[suggestions["negated"]]
    assert (flagged["negation_cue"] != "").all() and flagged["flag_reason"].str.startswith("flagged:").all()


def test_failure_rate_by_hand():
    rows = pd.DataFrame({"behaviour": ["a", "a", "a", "b"], "ok": [True, False, True, False]})
    table = failure_table(rows).set_index("behaviour")
    assert table.loc["a", "failed"] == 1 and table.loc["a", "failure_rate"] == pytest.approx(1 / 3)
    assert table.loc["b", "failure_rate"] == 1.0 and table.loc["all", "failure_rate"] == pytest.approx(2 / 4)


def test_not_counted_accepts_a_flag_but_counted_does_not(tmp_path):
    codebook = load_codebook()
    path = tmp_path / "c.csv"
    path.write_text("id,behaviour,role,code,expect,text\n"
                    "a,x,mentee,confidence_gained,not_counted,I never felt confident.\n"
                    "b,x,mentee,confidence_gained,counted,I never felt confident.\n"
                    "c,x,mentee,confidence_gained,flagged,I never felt confident.\n", encoding="utf-8")
    out, _ = run_cases(read_cases(path, codebook), codebook, model=None)
    assert out["got"].tolist() == ["flagged"] * 3 and out["ok"].tolist() == [True, False, True]


def test_a_bad_case_table_names_file_row_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("id,behaviour,role,code,expect,text\na,x,mentee,no_such_code,counted,Hello.\n", encoding="utf-8")
    with pytest.raises(BehaviourCaseError, match=r"bad.csv, row 2, column `code`"):
        read_cases(path, load_codebook())
