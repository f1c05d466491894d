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
# every split of the gold set, each written as four interviews per site by one person (README in GOLD)
GOLD_SPLITS = ("tune", "held_out", "held_out_2", "held_out_3", "held_out_4", "held_out_5", "tune_2", "tune_3",
               "tune_4", "tune_5", "held_out_6", "tune_6", "tune_7", "tune_8", "tune_9", "tune_10", "tune_11",
               "held_out_7", "held_out_8", "tune_12", "held_out_9", "tune_13", "held_out_10")


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
    # aligned by id: the reader sorts file names as text, so gold_113 comes before gold_12
    quotes = gold.set_index("segment_id")["quote"]
    assert (quotes == participant.set_index("segment_id")["text"].reindex(quotes.index)).all()
    assert len(corpus) >= 8 and len(gold) >= 150
    assert set(corpus.participants()["role"]) == {"mentee", "mentor", "carer", "social_worker"}
    assert {c for _, c in gold_pairs(gold)} <= set(load_codebook().code_names)
    # the split is by interview, and both parts hold every role
    split = gold.groupby("transcript")["split"].nunique()
    assert (split == 1).all() and set(gold["split"]) == set(GOLD_SPLITS)
    roles = corpus.participants().set_index("transcript")["role"]
    for part in GOLD_SPLITS:
        assert set(roles[gold.loc[gold["split"] == part, "transcript"].unique()]) == set(roles)


def test_cross_validation_by_site_floor():
    from cm_research.qual.crossval import cross_validate, fresh_to_rules, gold_data
    from cm_research.qual.learned import shipped_model

    data = gold_data(GOLD, load_codebook())
    rules, _, _ = cross_validate(data, rule_only=True)
    # each of three groups of sites predicted by a model fitted without them, with the shipped threshold and
    # check (chosen by cross-validation on all the training sites), so that the test stays quick;
    # `python benchmarks/eval_suggestions.py --cv site` chooses them inside each fold (the README's figures).
    # Measured on 38 sites (held_out_9 joined; the weights' threshold 0.25): precision 0.630, recall 0.579, F1
    # 0.603 (rules alone 0.459), the model's own suggestions precision 0.674; on the 32 sites the hints never saw
    # precision 0.606, recall 0.549 (on 36 sites, threshold 0.30, before the speaker and litotes rules: 0.662,
    # 0.556, 0.604; hint-unseen 0.631, 0.526). A floor, so a change that makes the coder worse fails here.
    shipped = shipped_model()
    hybrid, per_code, pooled = cross_validate(data, threshold=shipped.threshold, check=shipped.check, n_folds=3)
    # every coded pair of the training splits is scored (3,359 on 38 sites)
    assert hybrid["n_gold"] == rules["n_gold"] == len(gold_pairs(data.gold)) >= 3359
    assert hybrid["precision"] >= 0.62 and hybrid["recall"] >= 0.57
    assert hybrid["f1"] >= rules["f1"] + 0.1  # the model adds more than it costs
    assert hybrid["model_only"]["precision"] >= 0.66  # what the model suggests is mostly right
    fresh, _ = score_suggestions(pooled, data.gold[fresh_to_rules(data.gold)])
    assert fresh["precision"] >= 0.6 and fresh["recall"] >= 0.54
    # the rule coder's flags, untouched by the model: 28 of 31 right on 38 sites (25 of 27 on 36 once an
    # adult's own feelings stopped counting for the young person's codes; 29 of 31 before), once
    # identity_and_belonging and council_as_parent followed the codebook's own convention for accounts of
    # absence (topics that "are discussed" and codes about how the programme works count them as evidence:
    # "never felt she belonged"); 10 of 11 on the fourteen sites the 90% floor was first measured on (12 of 13
    # before the speaker rule took out two right flags of professionals' own words)
    assert hybrid["negation_accuracy"] >= 0.9
    earlier = data.gold["split"].isin(["tune", "held_out", "held_out_2", "held_out_3", "held_out_4", "held_out_5",
                                       "tune_2", "tune_3", "tune_4", "tune_5"])
    first_fourteen, _ = score_suggestions(pooled, data.gold[earlier])
    assert first_fourteen["n_flags"] >= 11 and first_fourteen["negation_accuracy"] >= 0.9
    # the check drops hint matches that are mostly wrong (111 of 934 right when measured on 38 sites) and keeps
    # mostly right ones (1,293 of 1,823)
    truth = gold_pairs(data.gold)
    counted = data.rules[~data.rules["negated"].astype(bool)]
    kept = set(zip(pooled["segment_id"], pooled["code"]))
    pairs = list(zip(counted["segment_id"], counted["code"]))
    dropped = [p for p in pairs if p not in kept]
    assert len(dropped) >= 300 and sum(p in truth for p in dropped) / len(dropped) <= 0.2
    assert sum(p in truth for p in pairs if p in kept) / (len(pairs) - len(dropped)) >= 0.68
    for group in set(pooled["fold"]):  # every sentence predicted by the fold that left its site out
        assert set(pooled.loc[pooled["fold"] == group, "site"]) <= set(group.split(", "))


def test_evaluation_script_scores_a_split():
    spec = importlib.util.spec_from_file_location("eval_suggestions", ROOT / "benchmarks" / "eval_suggestions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    overall, per_code, errors, _ = module.evaluate("held_out_5", rules_only=True)
    # the rule coder alone on the Dunmore interviews, no longer blind (precision 0.57, recall 0.36 when they were)
    assert overall["n_gold"] == 55
    assert overall["precision"] >= 0.55 and overall["recall"] >= 0.34
    assert set(errors["kind"]) <= {"false positive", "miss", "wrong flag"}


def _eval_module():
    spec = importlib.util.spec_from_file_location("eval_suggestions", ROOT / "benchmarks" / "eval_suggestions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_held_out_7_floor_now_that_it_is_training_data():
    # held_out_7 (Pembury, Quarrydale) was written and coded by another person and measured once while it was
    # blind (README): hybrid precision 0.58, recall 0.42, F1 0.49; the rules alone 0.42, 0.31, 0.35; 2 of 2
    # negation flags right. It is training data now (the blind split is held_out_10), so a coder trained on it
    # does better here than it would on unseen interviews: this is a floor against breaking the coder, not a
    # measure of how it generalises (the site cross-validation and held_out_10 are).
    from cm_research.qual.crossval import BLIND_SPLITS

    assert not {"held_out_7", "held_out_8", "held_out_9"} & set(BLIND_SPLITS) and BLIND_SPLITS == ("held_out_10",)
    module = _eval_module()
    hybrid, _, _, _ = module.evaluate("held_out_7")
    rules, _, _, _ = module.evaluate("held_out_7", rules_only=True)
    assert hybrid["n_gold"] == rules["n_gold"] == 193
    assert hybrid["precision"] >= 0.58 and hybrid["recall"] >= 0.42
    assert hybrid["precision"] >= rules["precision"] + 0.1  # the check drops hint words said in passing
    assert hybrid["recall"] >= rules["recall"] + 0.08  # the model finds what the hints miss
    assert hybrid["negation_accuracy"] >= 0.9


# Each split below was written and coded by another person blind to the hints and the coder, kept out of
# training until the weights were final, and measured once (README):
# - held_out_8 (Stonecross, Tarnside): hybrid precision 0.60 (87 of 145), recall 0.56 (87 of 155), F1 0.58; the
#   rules alone 0.50, 0.45, 0.47. It is training data now, so a coder trained on it does better here than on
#   unseen interviews.
# - held_out_9 (Glimmerdale, Sedgebrook): hybrid precision 0.68 (121 of 178), recall 0.57 (121 of 211), F1 0.62;
#   the rules alone 0.45, 0.35, 0.39, measured while it was blind. It is training data now too (the shipped
#   weights are trained on it), so a coder trained on it does better here than on unseen interviews.
# - held_out_10 (Brackenridge, Millthorpe): hybrid precision 0.53 (104 of 195), recall 0.47 (104 of 219), F1 0.50;
#   the rules alone 0.42, 0.31, 0.36, measured once on the shipped weights, which were never trained on it.
# All three are spent: floors against breaking the coder, not new measures (the site cross-validation is, and the
# next blind split).
@pytest.mark.parametrize("split, n_gold, min_precision, min_recall, model_gain", [
    ("held_out_8", 155, 0.59, 0.55, 0.08),
    ("held_out_9", 211, 0.66, 0.56, 0.15),
    ("held_out_10", 219, 0.51, 0.45, 0.10),
])
def test_a_spent_blind_split_floor(split, n_gold, min_precision, min_recall, model_gain):
    module = _eval_module()
    hybrid, _, _, _ = module.evaluate(split)
    rules, _, _, _ = module.evaluate(split, rules_only=True)
    assert hybrid["n_gold"] == rules["n_gold"] == n_gold
    assert hybrid["precision"] >= min_precision and hybrid["recall"] >= min_recall
    assert hybrid["f1"] >= rules["f1"] + model_gain  # the model and the check add to what the hints find


def test_held_out_10_is_blind_to_the_shipped_weights_and_held_out_9_is_not():
    from cm_research.qual.crossval import BLIND_SPLITS
    from cm_research.qual.learned import shipped_model

    assert "held_out_10" in BLIND_SPLITS and "held_out_9" not in BLIND_SPLITS
    # the shipped weights were trained on held_out_9's two sites, and on no site of a blind split
    assert {"Glimmerdale", "Sedgebrook"} <= set(shipped_model().info["sites"])


def test_the_second_coder_judged_every_held_out_6_sentence_once():
    # a second person coded the same eight interviews independently (the ceiling a coder can be expected to
    # reach: precision 0.88, recall 0.96 against the first person's coding when measured)
    gold = read_gold(GOLD / "gold_coding.csv")
    second = read_gold(GOLD / "second_coder_held_out_6.csv")
    held = gold[gold["split"] == "held_out_6"]
    assert list(second["segment_id"]) == list(held["segment_id"])
    assert (second["quote"].to_numpy() == held["quote"].to_numpy()).all()
    assert {c for _, c in gold_pairs(second)} <= set(load_codebook().code_names)
    overall, _ = _eval_module().second_coder_agreement()
    assert overall["n_gold"] == 199 and overall["f1"] > 0.8
