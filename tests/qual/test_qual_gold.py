"""The hand-coded gold set and the evaluation of suggested codes against it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from cm_research.qual import load_codebook, read_transcripts
from cm_research.qual.evaluation import gold_pairs, read_gold, score_suggestions

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "qual" / "gold"


def test_score_suggestions_by_hand():
    gold = pd.DataFrame({"transcript": "t", "segment_id": ["s1", "s2", "s3", "s4"], "split": "tune",
                         "codes": ["a; b", "a", "", "c"], "quote": ["w", "x", "y", "z"]})
    sug = pd.DataFrame({"segment_id": ["s1", "s2", "s3", "s3", "s4", "s9"], "code": ["a", "b", "a", "c", "c", "a"],
                        "negated": [False, False, False, True, True, False]})
    overall, per_code = score_suggestions(sug, gold)
    # counted (not flagged, on gold sentences): (s1,a) right, (s2,b) wrong, (s3,a) wrong -> precision 1/3;
    # gold pairs (s1,a) (s1,b) (s2,a) (s4,c) -> recall 1/4; flags: (s3,c) right (not in gold), (s4,c) wrong
    assert overall["precision"] == pytest.approx(1 / 3) and overall["recall"] == pytest.approx(1 / 4)
    assert overall["f1"] == pytest.approx(2 * (1 / 3) * (1 / 4) / (1 / 3 + 1 / 4))
    assert (overall["n_flags"], overall["n_flags_right"], overall["negation_accuracy"]) == (2, 1, 0.5)
    a = per_code.set_index("code").loc["a"]
    assert (a["n_gold"], a["n_suggested"], a["n_true"]) == (2, 2, 1)


def test_gold_set_is_what_the_issue_asks_for():
    gold = read_gold(GOLD / "gold_coding.csv")
    corpus = read_transcripts(GOLD / "transcripts", errors="raise")
    segments = corpus.segments()
    participant = segments[~segments["is_interviewer"]]
    # every participant sentence is judged once, and only participant sentences
    assert sorted(gold["segment_id"]) == sorted(participant["segment_id"])
    assert (gold.set_index("segment_id")["quote"] == participant.set_index("segment_id")["text"]).all()
    assert len(corpus) >= 8 and len(gold) >= 150
    assert set(corpus.participants()["role"]) == {"mentee", "mentor", "carer", "social_worker"}
    assert {c for _, c in gold_pairs(gold)} <= set(load_codebook().code_names)
    # the split is by interview, and both parts hold every role
    split = gold.groupby("transcript")["split"].nunique()
    assert (split == 1).all() and set(gold["split"]) == {"tune", "held_out", "held_out_2", "held_out_3", "held_out_4",
                                                      "held_out_5", "held_out_6"}
    roles = corpus.participants().set_index("transcript")["role"]
    for part in ("tune", "held_out", "held_out_2", "held_out_3", "held_out_4", "held_out_5",
                 "held_out_6"):
        assert set(roles[gold.loc[gold["split"] == part, "transcript"].unique()]) == set(roles)


def test_evaluation_script_figures_on_the_blind_held_out_interviews():
    spec = importlib.util.spec_from_file_location("eval_suggestions", ROOT / "benchmarks" / "eval_suggestions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.SPLITS[0] == "held_out_5"
    overall, per_code, errors, _ = module.evaluate("held_out_5")
    # the figures reported in the README, on the interviews written last and never used for tuning (precision
    # 0.57, recall 0.36 when measured: a floor, so a change that makes the coder worse fails here; tuning on these
    # interviews would make the README's figures dishonest, so a better coder needs a new blind part to show it)
    assert overall["n_gold"] == 55
    assert overall["precision"] >= 0.55 and overall["recall"] >= 0.34
    assert set(errors["kind"]) <= {"false positive", "miss", "wrong flag"}
