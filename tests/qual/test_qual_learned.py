"""The learned coder: its logistic regression against hand-worked answers, its evidence, the fallback to the rules
for codes it does not know, cross-validation folds that never hold their own site, and the shipped weights."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cm_research.qual import load_codebook, parse_codebook, suggest_codes
from cm_research.qual.crossval import BLIND_SPLITS, MIN_COUNT, gold_data, grouped_site_folds, site_folds, \
    train_model
from cm_research.qual.learned import HINT_PRIOR_WEIGHT, ROLES, CoderModel, fit_logistic, predict, shipped_model
from cm_research.qual.vectors import DIMS

GOLD = Path(__file__).resolve().parent / "gold"


def test_site_folds_never_hold_their_own_site():
    sites = np.array(["B", "A", "C", "A", "B", "D", "C", "A", "E"], dtype=object)
    folds = site_folds(sites)
    assert [s for s, _, _ in folds] == ["A", "B", "C", "D", "E"]
    for site, train, test in folds:
        assert set(sites[test]) == {site} and site not in set(sites[train])
        assert sorted([*train, *test]) == list(range(len(sites)))
    grouped = grouped_site_folds(sites, 2)
    # sites dealt round-robin in sorted order: {A, C, E} and {B, D}
    assert [g for g, _, _ in grouped] == ["A, C, E", "B, D"]
    for _, train, test in grouped:
        assert not set(sites[train]) & set(sites[test])
    assert sorted(i for _, _, test in grouped for i in test) == list(range(len(sites)))


def test_logistic_regression_matches_the_maximum_likelihood_answer_worked_by_hand():
    # one 0/1 feature, penalty ~0: the fitted probabilities are the observed shares, P(y | x=0) = 1/4 and
    # P(y | x=1) = 3/4, so b = logit(1/4) = -ln 3 and w = logit(3/4) - b = 2 ln 3. A second code with
    # y = x everywhere but one row: P(y | x=0) = 1/4, P(y | x=1) = 1, which has no finite answer, so it is
    # fitted with λ = 1 and checked by the first-order condition Σ (p - y) x + λ w = 0, Σ (p - y) = 0.
    x = np.array([[0], [0], [0], [0], [1], [1], [1], [1]], dtype=float)
    y = np.array([[1, 1], [0, 0], [0, 0], [0, 0], [1, 1], [1, 1], [1, 1], [0, 1]], dtype=float)
    xk = np.zeros((8, 2, 1))
    w, u, b = fit_logistic(x, xk, y[:, :1], lam=1e-9, lam_k=1.0, max_iter=1000)
    assert b[0] == pytest.approx(-math.log(3), abs=1e-4) and w[0, 0] == pytest.approx(2 * math.log(3), abs=1e-4)
    assert predict(x, xk, w, u, b)[[0, 4], 0] == pytest.approx([0.25, 0.75], abs=1e-5)
    w2, u2, b2 = fit_logistic(x, xk, y, lam=1.0, lam_k=1.0, max_iter=1000)
    p = predict(x, xk, w2, u2, b2)[:, 1]
    assert ((p - y[:, 1]) @ x[:, 0] + w2[0, 1]) == pytest.approx(0, abs=1e-4)
    assert (p - y[:, 1]).sum() == pytest.approx(0, abs=1e-4)
    # the codes are fitted independently: the first code's answer is the same fitted alone or with the second
    assert w2[0, 0] == pytest.approx(fit_logistic(x, xk, y[:, :1], lam=1.0, lam_k=1.0)[0][0, 0], abs=1e-5)


CODEBOOK = parse_codebook({"themes": [
    {"name": "arts", "definition": "Art.", "codes": [
        {"name": "arts_activity", "definition": "Making art.", "hints": {"words": ["paint", "draw"]}},
        {"name": "my_own_code", "definition": "An analyst's own code.", "hints": {"words": ["banana"]}}]},
]}, source="test")


def _segments(texts):
    return pd.DataFrame({"segment_id": [f"s{i}" for i in range(len(texts))], "transcript": "t", "participant": "p",
                         "role": "mentee", "site": "X", "start": 0, "end": 1, "is_interviewer": False,
                         "turn": range(len(texts)), "text": texts})


#: two hints' records in training: "paint" right in 19 of 20 matches, "draw" in 1 of 20 (pooled: 20 of 40)
HINTS = {("arts_activity", "paint"): (20, 19), ("arts_activity", "draw"): (20, 1)}


def _hand_model(threshold=0.5, check=None, hints=None):
    """A model that knows arts_activity only: the stem "drum" weighs 5, the intercept is -3, nothing else."""
    stems = ["drum", "walk"]
    w = np.zeros((2 * len(stems) + 3 * DIMS + len(ROLES) + 1, 1))
    w[0, 0] = 5.0
    return CoderModel(codes=["arts_activity"], stems=stems, w=w, u=np.zeros((1, 2)), b=np.array([-3.0]),
                      threshold=threshold, protos=np.zeros((1, DIMS), dtype=np.float32), check=check,
                      hints=HINTS if hints is None else hints)


def test_hand_set_model_adds_suggestions_shows_its_words_and_leaves_other_codes_to_the_rules():
    s = suggest_codes(_segments(["We played the drums all afternoon.", "I like to paint.", "We went for a walk.",
                                 "A banana for the drums."]), CODEBOOK, model=_hand_model())
    by = {(r.segment_id, r.code): r for r in s.itertuples()}
    # "drums" (stem drum): z = 5 - 3 = 2, p = 1/(1 + e^-2) = 0.8808 >= 0.5, no hint matched: the model adds it
    drums = by[("s0", "arts_activity")]
    assert drums.score == pytest.approx(1 / (1 + math.exp(-2)), abs=1e-6)
    assert drums.model_words == "drums" and drums.matched == "" and not drums.negated
    assert "suggested by the model (score 0.88 ≥ threshold 0.50)" in drums.flag_reason
    # "paint" is a hint: the rule's suggestion stays, with the model's score p = 1/(1 + e^3) = 0.0474
    paint = by[("s1", "arts_activity")]
    assert paint.matched == "paint" and paint.score == pytest.approx(1 / (1 + math.exp(3)), abs=1e-6)
    # no drum, no hint: nothing
    assert not any(k[0] == "s2" for k in by)
    # an analyst's own code is the rules' alone, with no score; the model still scores its own code there
    assert by[("s3", "my_own_code")].matched == "banana" and pd.isna(by[("s3", "my_own_code")].score)
    assert by[("s3", "arts_activity")].model_words == "drums"
    # without the model, the rules alone
    rules = suggest_codes(_segments(["We played the drums all afternoon."]), CODEBOOK, model=None)
    assert rules.empty and {"score", "model_words"} <= set(rules.columns)


def test_hint_records_are_smoothed_towards_the_pooled_precision_by_hand():
    # p0 = 20 / 40 = 0.5, m = 5: "paint" (19 + 2.5) / 25 = 0.86, "draw" (1 + 2.5) / 25 = 0.14; a hint never
    # matched in training has no record (NaN, and its matches stand); a suggestion made by two hints takes the
    # better record
    assert HINT_PRIOR_WEIGHT == 5
    model = _hand_model()
    prec = model.hint_precision([[("arts_activity", "paint")], [("arts_activity", "draw")],
                                 [("arts_activity", "clay")], [("arts_activity", "draw"), ("arts_activity", "paint")]])
    assert prec == pytest.approx([0.86, 0.14, np.nan, 0.86], nan_ok=True)
    table = model.hint_table()
    assert list(table["hint"]) == ["draw", "paint"] and table["precision"].tolist() == pytest.approx([0.14, 0.86])


def _answers(texts):
    """Each text as the answer to an interviewer's question ("What do you do?"), ids s0, s1, ... kept."""
    rows = []
    for i, t in enumerate(texts):
        rows += [(f"q{i}", True, 2 * i, "What do you do?"), (f"s{i}", False, 2 * i + 1, t)]
    seg = pd.DataFrame(rows, columns=["segment_id", "is_interviewer", "turn", "text"])
    return seg.assign(transcript="t", participant="p", role="mentee", site="X", start=0, end=1)


def test_the_check_drops_an_unreliable_hint_match_the_model_scores_low_and_keeps_a_reliable_one():
    texts = ["I like to paint.", "I like to draw.", "I like to draw drums."]
    # keep probability σ(1 · logit(score) + 2 · logit(hint precision) + 0), cut 0.5; score without "drums"
    # σ(-3) = 0.0474 (logit -3), with it σ(2) = 0.881 (logit 2)
    # "paint": z = -3 + 2 · logit(0.86) = -3 + 3.631 = 0.631, p = 0.653: kept
    # "draw":  z = -3 + 2 · logit(0.14) = -3 - 3.631, p = 0.0013: dropped
    # "draw drums": z = 2 - 3.631 = -1.631, p = 0.164: the hint match is dropped, but the model's own score
    #   0.881 ≥ threshold 0.5 suggests the pair, showing the hint that matched and why it was not kept alone
    check = (1.0, 2.0, 0.0, 0.5)
    model = _hand_model(check=check)
    keep = model.keep_probability(np.array([1 / (1 + math.exp(3))] * 2 + [1 / (1 + math.exp(-2))]),
                                  np.array([0.86, 0.14, 0.14]))
    assert keep == pytest.approx([1 / (1 + math.exp(-(-3 + 2 * math.log(0.86 / 0.14)))),
                                  1 / (1 + math.exp(-(-3 - 2 * math.log(0.86 / 0.14)))),
                                  1 / (1 + math.exp(-(2 - 2 * math.log(0.86 / 0.14))))], abs=1e-6)
    s = suggest_codes(_answers(texts), CODEBOOK, model=model)
    by = {r.segment_id: r for r in s.itertuples()}
    assert set(by) == {"s0", "s2"} and by["s0"].matched == "paint"
    assert by["s2"].matched == "draw" and "the hint 'draw' matched but was not kept" in by["s2"].flag_reason
    assert by["s2"].score == pytest.approx(1 / (1 + math.exp(-2)), abs=1e-6)
    # without a check every hint match stays
    assert len(suggest_codes(_answers(texts), CODEBOOK, model=_hand_model())) == 3
    # a hint with no record in training stands, however low the score
    unrecorded = _hand_model(check=check, hints={("arts_activity", "paint"): (20, 19)})
    assert list(suggest_codes(_answers(texts), CODEBOOK, model=unrecorded)["matched"]) == ["paint", "draw", "draw"]
    # nor is the check applied to sentences that answer no interviewer's question (the model was trained on
    # answers)
    assert list(suggest_codes(_segments(texts), CODEBOOK, model=model)["matched"]) == ["paint", "draw", "draw"]


def test_a_negated_hint_keeps_its_flag_however_high_the_model_scores():
    s = suggest_codes(_segments(["I didn't paint the drums."]), CODEBOOK, model=_hand_model())
    row = s[s["code"] == "arts_activity"].iloc[0]
    assert row.negated and row.negation_cue == "didn't" and row.score > 0.5 and row.model_words == "drums"


@pytest.fixture(scope="module")
def data():
    return gold_data(GOLD, load_codebook())


def test_shipped_weights_are_reproduced_by_the_training_procedure(data):
    shipped = shipped_model()
    assert not set(BLIND_SPLITS) & set(data.gold["split"])
    assert shipped.info["sites"] == sorted(set(data.sites)) and shipped.info["sentences"] == len(data.y)
    # the vocabulary is every stem in at least MIN_COUNT training sentences
    counts = np.asarray(data.raw.s_bow.sum(axis=0)).ravel()
    assert shipped.stems == [s for s, n in zip(data.raw.stems, counts) if n >= MIN_COUNT]
    # the weights, refitted with the shipped threshold (the threshold's own cross-validation is checked on a
    # smaller subset below, to keep the test quick), equal the shipped ones to float32 rounding
    again = train_model(data, threshold=shipped.threshold, check=shipped.check)
    assert np.allclose(again.w, shipped.w, atol=1e-4) and np.allclose(again.b, shipped.b, atol=1e-4)
    # each hint's record is counted on the same sentences: matches and matches the gold coding has
    assert again.hints == shipped.hints and shipped.check is not None


def test_training_with_its_threshold_chosen_by_site_is_deterministic():
    subset = sorted(pd.read_csv(GOLD / "gold_coding.csv")["transcript"].unique())[:8]  # two sites
    small = gold_data(GOLD, load_codebook(), transcripts=subset)
    assert len(set(small.sites)) == 2
    a, b = train_model(small), train_model(small)
    assert a.threshold == b.threshold and np.array_equal(a.w, b.w) and a.stems == b.stems and a.check == b.check


def test_without_unique_segment_ids_the_rules_alone():
    seg = _segments(["We played the drums.", "I like to paint."]).assign(segment_id="same")
    s = suggest_codes(seg, CODEBOOK, model=_hand_model())
    assert list(s["code"]) == ["arts_activity"] and s["score"].isna().all()  # "paint"; no model suggestion


def test_sif_weights_on_a_three_word_vocabulary_worked_by_hand(monkeypatch):
    import cm_research.qual.vectors as vectors

    # a toy table of three words in frequency order: ranks 1, 2, 3, N = 3, so H_3 = 1 + 1/2 + 1/3 = 11/6 and
    # p = 1 / (r · 11/6) = 6/11, 3/11, 2/11; with a = 0.1 the weights a / (a + p) are 0.1 / (0.1 + 6/11) = 11/71,
    # 0.1 / (0.1 + 3/11) = 11/41 and 0.1 / (0.1 + 2/11) = 11/31; a word not in the table has no vector, weight 1
    monkeypatch.setattr(vectors, "_table", lambda: ({"the": 0, "cat": 1, "sat": 2}, np.eye(3, DIMS)))
    monkeypatch.setattr(vectors, "GLOVE_VOCABULARY", 3)
    assert vectors.word_probability([1, 2, 3]) == pytest.approx([6 / 11, 3 / 11, 2 / 11])
    assert vectors.sif_weights(["sat", "the", "cat", "dog"], a=0.1) == pytest.approx([11 / 31, 11 / 71, 11 / 41, 1])
    # a contraction takes the rank of its rarer part ("cat" + "'s": "'s" is not in the table, so "cat"'s)
    assert vectors.sif_weights(["cat's"], a=0.1) == pytest.approx([11 / 41])


def test_the_common_component_worked_by_hand():
    from cm_research.qual.vectors import first_component, remove_component

    # rows (1, 1), (1, 1), (1, -1): MᵀM = [[3, 1], [1, 3]], whose top eigenvector is (1, 1)/√2 (eigenvalue 4)
    m = np.array([[1.0, 1.0], [1.0, 1.0], [1.0, -1.0]])
    u = first_component(m)
    assert u == pytest.approx([2 ** -0.5, 2 ** -0.5])
    assert first_component(-m) == pytest.approx(u)  # the sign is fixed, whatever the SVD returns
    # (2, 0) − ((2, 0) · u) u = (2, 0) − √2 (1, 1)/√2 = (1, −1)
    assert remove_component(np.array([[2.0, 0.0]]), u) == pytest.approx(np.array([[1.0, -1.0]]))
    assert remove_component(m, None) is m


def test_negation_scope_runs_from_the_cue_to_the_end_of_its_clause(monkeypatch):
    import cm_research.qual.learned as learned
    from cm_research.qual.learned import NOT_PREFIX, clause_words, featurise
    from cm_research.qual.tokens import normalise

    monkeypatch.setattr(learned, "NEGATION_FEATURES", True)  # tried and left out of the shipped coder

    ids, words, scope = clause_words(normalise("I never felt like anyone really listened, but she did. It's not fair"))
    assert [w for w, s in zip([words[i] for i in ids], scope) if s] == ["felt", "like", "anyone", "really",
                                                                       "listened", "fair"]
    # the negated words count as "NOT_" stems beside their own: "listen" and "NOT_listen" in the first sentence,
    # only "listen" in the second
    seg = pd.DataFrame({"segment_id": ["a", "b"], "text": ["Nobody listened to me.", "She listened to me."],
                        "role": "mentee"})
    raw = featurise(seg, np.zeros((1, DIMS), dtype=np.float32))
    bags = [{raw.stems[j] for j in row.indices} for row in raw.s_bow]
    assert {"listen", NOT_PREFIX + "listen", NOT_PREFIX + "me"} <= bags[0] and NOT_PREFIX + "listen" not in bags[1]


def _learning_curve_module():
    import importlib.util

    path = GOLD.parents[2] / "benchmarks" / "learning_curve.py"
    spec = importlib.util.spec_from_file_location("learning_curve", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_learning_curve_extrapolation_worked_by_hand():
    lc = _learning_curve_module()
    # y = 0.9 − 0.5 · n^(−1/2) reaches 0.8 where n^(−1/2) = 0.2, n = 25 = (0.5 / (0.9 − 0.8))^(1 / 0.5); a curve
    # whose asymptote 0.75 is under the target never reaches it
    assert lc.sites_needed(0.9, 0.5, 0.5, 0.8) == pytest.approx(25.0)
    assert lc.sites_needed(0.75, 0.5, 0.5, 0.8) == math.inf
    # points on that curve (y(4) = 0.65, y(16) = 0.775, y(25) = 0.8) give its parameters back
    n = np.array([4, 9, 16, 25, 36, 4, 9, 16, 25, 36], dtype=float)
    assert lc.power_law(np.array([4.0, 16.0, 25.0]), 0.9, 0.5, 0.5) == pytest.approx([0.65, 0.775, 0.8])
    assert lc.fit_power_law(n, 0.9 - 0.5 / np.sqrt(n)) == pytest.approx((0.9, 0.5, 0.5), abs=1e-4)
    # the subsets: n distinct sites each, the same for the same seed, always leaving a site to test on
    sites = [f"S{i:02d}" for i in range(10)]
    subsets = lc.site_subsets(sites, [3, 9], repeats=2, seed=1)
    assert [(n, r) for n, r, _ in subsets] == [(3, 0), (3, 1), (9, 0), (9, 1)]
    assert all(len(set(s)) == n and set(s) <= set(sites) for n, _, s in subsets)
    assert subsets == lc.site_subsets(sites, [3, 9], repeats=2, seed=1)
    with pytest.raises(SystemExit):
        lc.site_subsets(sites, [10], repeats=1, seed=1)


def test_cross_validation_on_given_folds_scores_only_the_sites_left_out():
    from cm_research.qual.crossval import cross_validate
    from cm_research.qual.evaluation import gold_pairs

    subset = [t for t in pd.read_csv(GOLD / "gold_coding.csv")["transcript"].unique()
              if int(t.split("_")[1]) <= 12]  # gold_01 to gold_12: three sites
    small = gold_data(GOLD, load_codebook(), transcripts=subset)
    names = sorted(set(small.sites))
    assert len(names) == 3
    train, test = np.flatnonzero(small.sites != names[2]), np.flatnonzero(small.sites == names[2])
    overall, _, pooled = cross_validate(small, threshold=0.3, folds=[("two sites", train, test)])
    # the recall's denominator is the left-out site's coded pairs alone, not the training sites'
    site_of = small.segments.drop_duplicates("transcript").set_index("transcript")["site"]
    left_out = small.gold[small.gold["transcript"].map(site_of) == names[2]]
    assert overall["n_gold"] == len(gold_pairs(left_out)) > 0
    assert set(pooled["site"]) == {names[2]}
    # folds run in forked processes give the same suggestions as run one after another
    other = ("one site", np.flatnonzero(small.sites == names[0]), np.flatnonzero(small.sites == names[1]))
    one = cross_validate(small, threshold=0.3, folds=[("two sites", train, test), other])
    assert one[2].equals(cross_validate(small, threshold=0.3, folds=[("two sites", train, test), other], jobs=2)[2])
    with pytest.raises(ValueError, match="both trained and tested"):
        cross_validate(small, threshold=0.3, folds=[("overlap", train, np.arange(len(small.y)))])
