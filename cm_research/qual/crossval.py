"""Training the learned coder on the gold set, and measuring it by leave-one-site-out cross-validation.

The gold set (``tests/qual/gold``) holds four interviews per site (a mentee, a mentor, a carer and a social
worker talking about the same relationship), so sentences of one site share names, events and turns of phrase.
A coder is only measured honestly on a site it never saw: each fold leaves one site's interviews out, fits
on the rest and predicts the left-out site; the predictions of all folds are pooled and scored once
(:func:`cm_research.qual.evaluation.score_suggestions`). Every choice is made inside the training sites: the
stem vocabulary (stems in at least ``MIN_COUNT`` training sentences), each hint's record (how often its
matches were coded so), the weights of the check on hint matches, and the threshold and the check's cut
(:func:`cm_research.qual.learned.combine`), chosen on the grid ``THRESHOLDS`` × ``CHECK_CUTS`` as the pair with
the best pooled F1 of the hybrid in an inner cross-validation by site on the training sites alone (at most
``INNER_FOLDS`` groups of sites). The penalties (λ = 3 for the shared weights, 0.3 for the prototype weights),
:data:`cm_research.qual.learned.VECTOR_SCALE` and the 300 L-BFGS iterations (where the fit stops, short of full
convergence: a fixed, deterministic amount of early stopping) were fixed before the figures were measured;
λ = 1 and 10 were looked at once afterwards and gave F1 within 0.02; λ = 1 again on 36 sites, in six groups of
sites, F1 0.596 against 0.600.

Caveat, which the figures must carry: the rule coder's hints were tuned by reading the 24 interviews of the
first six sites (the splits of ``HINTS_TUNED_ON``), so on those sites the rule coder is not blind to the left-out
site; every other split (``tune_2`` onwards, ``held_out_6`` to ``held_out_9``) was written by other people and
never used to tune the hints (:func:`fresh_to_rules`), so their figures are honest for both parts. The model's
part is blind to every left-out site.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cm_research.qual.codebook import Codebook
from cm_research.qual.evaluation import gold_pairs, read_gold, score_suggestions
from cm_research.qual.learned import CoderModel, RawFeatures, combine, common_component, design, featurise, \
    fit_logistic, hint_keys, hint_precision, keep_probability, predict, prototypes
from cm_research.qual.suggest import SUGGESTION_STATUS

#: splits never used for training or tuning: kept for the final, blind measurement (``held_out_9`` was measured
#: once and is training data now)
BLIND_SPLITS = ("held_out_10",)
MIN_COUNT = 2
THRESHOLDS = tuple(np.round(np.arange(0.1, 0.75, 0.05), 2))
#: the cuts tried for the check on counted hint matches (:meth:`CoderModel.keep_probability`; 0 keeps every
#: match). A plain veto on the model's score alone (the same check without the hints' records) was tried first:
#: it scores near 0 any sentence unlike its training (no interviewer's question before it), and then drops good
#: matches of reliable hints; with each hint's record in training beside the score, a reliable hint survives a
#: low score
CHECK_CUTS = (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4)
#: the penalty on the check's two weights (its intercept is not penalised)
CHECK_LAM = 1.0
#: whether the rule coder's evidence is among the model's features
RULE_FEATURES = False
#: the splits of the first six sites, whose interviews the rule coder's hints were tuned on; every later split
#: was written by other people and is blind to the rule coder (:func:`fresh_to_rules`)
HINTS_TUNED_ON = ("tune", "held_out", "held_out_2", "held_out_3", "held_out_4", "held_out_5")


def fresh_to_rules(gold: pd.DataFrame) -> pd.Series:
    """Whether each gold row is of a split the rule coder's hints were never tuned on."""
    return ~gold["split"].isin(HINTS_TUNED_ON)
LAM, LAM_K = 3.0, 0.3
#: the inner cross-validation (threshold) leaves out one of at most this many groups of training sites
INNER_FOLDS = 4


@dataclass
class GoldData:
    """The gold set's segments (all turns of the training interviews), features, labels and sites."""

    segments: pd.DataFrame
    gold: pd.DataFrame
    codes: list[str]
    code_themes: dict[str, str]
    protos: np.ndarray
    raw: RawFeatures
    y: np.ndarray  # participant sentences × codes, 0/1
    sites: np.ndarray  # participant sentences
    rules: pd.DataFrame  # the rule coder's suggestions
    #: the counted hint matches: for each, its participant sentence, its code's column and its hints
    #: (:func:`cm_research.qual.learned.hint_keys`)
    match_rows: np.ndarray = None
    match_codes: np.ndarray = None
    match_hints: list = None


def gold_data(gold_dir: str | Path, codebook: Codebook, exclude_splits=BLIND_SPLITS,
              transcripts: list[str] | None = None) -> GoldData:
    """Read the gold coding and the transcripts it covers, leaving out ``exclude_splits`` (whose files are
    never opened) or keeping only ``transcripts``."""
    from cm_research.qual.suggest import suggest_codes
    from cm_research.qual.transcripts import read_transcripts

    gold_dir = Path(gold_dir)
    gold = read_gold(gold_dir / "gold_coding.csv")
    gold = gold[~gold["split"].isin(exclude_splits)]
    if transcripts is not None:
        gold = gold[gold["transcript"].isin(transcripts)]
    files = [gold_dir / "transcripts" / f"{t}.txt" for t in sorted(set(gold["transcript"]))]
    segments = read_transcripts(files, errors="raise").segments("sentence").reset_index(drop=True)
    codes = codebook.code_names
    protos = prototypes(codebook, codes)
    rules = suggest_codes(segments, codebook, model=None)
    raw = featurise(segments, protos, rules=rules if RULE_FEATURES else None, codes=codes)
    ids = segments["segment_id"].to_numpy()[raw.rows]
    pairs = gold_pairs(gold)
    col = {c: k for k, c in enumerate(codes)}
    y = np.zeros((len(ids), len(codes)))
    row = {s: i for i, s in enumerate(ids)}
    for s, c in pairs:
        if s in row:
            y[row[s], col[c]] = 1.0
    sites = segments["site"].to_numpy(dtype=object)[raw.rows]
    themes = {c: "; ".join(codebook.themes_of(c)) for c in codes}
    counted = rules[~rules["negated"].astype(bool) & rules["code"].isin(col)]
    m_rows = pd.Index(ids).get_indexer(counted["segment_id"])
    known = m_rows >= 0
    counted = counted[known]
    return GoldData(segments, gold, codes, themes, protos, raw, y, sites, rules, m_rows[known],
                    counted["code"].map(col).to_numpy(dtype=np.int64), hint_keys(counted))


def site_folds(sites) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(left-out site, training positions, test positions) for each site, in sorted order of site."""
    sites = np.asarray(sites, dtype=object)
    return [(s, np.flatnonzero(sites != s), np.flatnonzero(sites == s)) for s in sorted(set(sites))]


def _fit(data: GoldData, rows: np.ndarray) -> tuple[np.ndarray, tuple, np.ndarray | None]:
    """(stem columns, weights, common component), all from the training sentences ``rows`` alone."""
    counts = np.asarray(data.raw.s_bow[rows].sum(axis=0)).ravel()
    columns = np.flatnonzero(counts >= MIN_COUNT)
    pc = common_component(data.raw, rows)
    x, xk = design(data.raw, columns, pc)
    return columns, fit_logistic(x[rows], xk[rows], data.y[rows], LAM, LAM_K), pc


def _predict(data: GoldData, columns: np.ndarray, params: tuple, rows: np.ndarray,
             pc: np.ndarray | None = None) -> np.ndarray:
    x, xk = design(data.raw, columns, pc)
    return predict(x[rows], xk[rows], *params)


def _rule_counted(data: GoldData) -> np.ndarray:
    """participant sentences × codes: the rule coder counts (suggests, not negated) the pair."""
    out = np.zeros(data.y.shape, dtype=bool)
    r = data.rules[~data.rules["negated"].astype(bool)]
    pos = pd.Index(data.segments["segment_id"].to_numpy()[data.raw.rows]).get_indexer(r["segment_id"])
    col = {c: k for k, c in enumerate(data.codes)}
    k = r["code"].map(col).fillna(-1).astype(int).to_numpy()
    ok = (pos >= 0) & (k >= 0)
    out[pos[ok], k[ok]] = True
    return out


def _rule_any(data: GoldData) -> np.ndarray:
    out = np.zeros(data.y.shape, dtype=bool)
    pos = pd.Index(data.segments["segment_id"].to_numpy()[data.raw.rows]).get_indexer(data.rules["segment_id"])
    col = {c: k for k, c in enumerate(data.codes)}
    k = data.rules["code"].map(col).fillna(-1).astype(int).to_numpy()
    ok = (pos >= 0) & (k >= 0)
    out[pos[ok], k[ok]] = True
    return out


def hybrid_f1(probs: np.ndarray, threshold: float, counted: np.ndarray, any_rule: np.ndarray,
              y: np.ndarray, dropped: np.ndarray | None = None) -> float:
    """Pooled F1 of the hybrid's counted suggestions: the rule coder's less those its check ``dropped``, plus
    the model's at ``threshold`` where the rule coder has nothing kept for the pair."""
    if dropped is not None:
        counted, any_rule = counted & ~dropped, any_rule & ~dropped
    pred = counted | ((probs >= threshold) & ~any_rule)
    tp = float((pred & (y > 0)).sum())
    p = tp / pred.sum() if pred.sum() else 0.0
    r = tp / y.sum() if y.sum() else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def hint_record(data: GoldData, rows: np.ndarray) -> dict:
    """(code, hint) -> (counted matches, matches the gold coding has) over the participant sentences ``rows``:
    each hint's record, a (sentence, code) pair counted once per hint."""
    inside = np.zeros(len(data.y), dtype=bool)
    inside[rows] = True
    record: dict = {}
    for r, k, keys in zip(data.match_rows, data.match_codes, data.match_hints):
        if inside[r]:
            right = int(data.y[r, k] > 0)
            for key in dict.fromkeys(keys):
                n, t = record.get(key, (0, 0))
                record[key] = (n + 1, t + right)
    return record


def _matches_in(data: GoldData, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, list]:
    """(positions in ``rows``, code columns, hints) of the counted hint matches in the sentences ``rows``."""
    where = pd.Index(rows).get_indexer(data.match_rows)
    keep = np.flatnonzero(where >= 0)
    return where[keep], data.match_codes[keep], [data.match_hints[i] for i in keep]


def fit_check(score: np.ndarray, hint_prec: np.ndarray, right: np.ndarray) -> tuple[float, float, float]:
    """(a, c, d) of the check σ(a · logit(score) + c · logit(hint precision) + d) on counted hint matches,
    fitted by penalised logistic regression (λ = ``CHECK_LAM``, :func:`cm_research.qual.learned.fit_logistic`)
    to whether each match was right."""
    from cm_research.qual.learned import _logit

    x = np.column_stack([_logit(score, 1e-4), _logit(hint_prec, 1e-3)])
    w, _, b = fit_logistic(x, np.zeros((len(x), 1, 1)), np.asarray(right, dtype=np.float64)[:, None],
                           CHECK_LAM, 1.0, max_iter=200)
    return float(w[0, 0]), float(w[1, 0]), float(b[0])


def grouped_site_folds(sites, n_folds: int = INNER_FOLDS) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Like :func:`site_folds`, but the sites (in sorted order) are dealt round-robin into at most
    ``n_folds`` groups, each left out in turn: a cheaper cross-validation, still never splitting a site."""
    names = sorted(set(np.asarray(sites, dtype=object)))
    group = {s: i % n_folds for i, s in enumerate(names)}
    g = np.array([group[s] for s in np.asarray(sites, dtype=object)])
    return [(", ".join(names[i::n_folds]), np.flatnonzero(g != i), np.flatnonzero(g == i))
            for i in range(min(n_folds, len(names)))]


def choose_threshold(data: GoldData, rows: np.ndarray) -> tuple[float, tuple[float, float, float, float]]:
    """(threshold, check) with the best pooled hybrid F1 (:func:`hybrid_f1`) in a cross-validation by site on
    ``rows`` alone (:func:`grouped_site_folds`): each group's sentences are scored by a model fitted on the
    other groups, and its hint matches judged by the hints' records there (:func:`hint_record`); the check's
    weights are fitted on those matches (:func:`fit_check`), and the threshold and the check's cut chosen on
    the grid ``THRESHOLDS`` × ``CHECK_CUTS`` (ties: the higher threshold, then the lower cut)."""
    probs = np.zeros((len(rows), len(data.codes)))
    at, codes, prec = [], [], []
    for _, train, test in grouped_site_folds(data.sites[rows]):
        columns, params, pc = _fit(data, rows[train])
        probs[test] = _predict(data, columns, params, rows[test], pc)
        pos, k, keys = _matches_in(data, rows[test])
        at.append(test[pos])
        codes.append(k)
        prec.append(hint_precision(hint_record(data, rows[train]), keys))
    at, codes, prec = np.concatenate(at), np.concatenate(codes), np.concatenate(prec)
    judged = ~np.isnan(prec)  # a hint with no record in the other groups stands, as in combine
    at, codes, prec = at[judged], codes[judged], prec[judged]
    y = data.y[rows]
    score = probs[at, codes]
    a, c, d = fit_check(score, prec, y[at, codes])
    keep = keep_probability((a, c, d), score, prec)
    counted, any_rule = _rule_counted(data)[rows], _rule_any(data)[rows]
    best, choice = None, None
    for cut in CHECK_CUTS:
        dropped = np.zeros(y.shape, dtype=bool)
        dropped[at[keep < cut], codes[keep < cut]] = True
        for t in THRESHOLDS:
            rank = (round(hybrid_f1(probs, float(t), counted, any_rule, y, dropped), 9), float(t), -cut)
            if best is None or rank > best:
                best, choice = rank, (float(t), (a, c, d, float(cut)))
    return choice


def train_model(data: GoldData, rows: np.ndarray | None = None, threshold: float | None = None,
                check: tuple[float, float, float, float] | None = None) -> CoderModel:
    """Fit the coder on ``rows`` (all participant sentences by default), with the hints' records there; its
    threshold and check chosen by :func:`choose_threshold` on the same rows unless ``threshold`` is given
    (with ``check``, or none)."""
    rows = np.arange(len(data.y)) if rows is None else rows
    if threshold is None:
        threshold, check = choose_threshold(data, rows)
    columns, (w, u, b), pc = _fit(data, rows)
    stems = [data.raw.stems[j] for j in columns]  # the weights' rows: these stems twice, then the rest
    return CoderModel(codes=list(data.codes), stems=stems, w=w, u=u, b=b, threshold=threshold, check=check,
                      hints=hint_record(data, rows), protos=data.protos, pc=pc,
                      info={"sites": sorted(set(data.sites[rows])), "sentences": int(len(rows)),
                            "lam": LAM, "lam_k": LAM_K, "min_count": MIN_COUNT})


def cross_validate(data: GoldData, rule_only: bool = False,
                   threshold: float | None = None, check: tuple[float, float, float, float] | None = None,
                   n_folds: int | None = None, folds: list | None = None, jobs: int = 1
                   ) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """Leave-one-site-out cross-validation: (overall, per_code, pooled suggestions), scored with
    :func:`score_suggestions` on every participant sentence. ``rule_only`` scores the rule coder alone.

    ``threshold`` None (the honest procedure) chooses each fold's threshold and check inside its training
    sites (:func:`choose_threshold`); a number (and ``check``) skips that inner cross-validation (quicker, for
    tests); the hints' records are always taken from the fold's training sites. ``n_folds`` None leaves one
    site out at a time; a number leaves out one of that many
    groups of sites (:func:`grouped_site_folds`, quicker). ``folds`` gives the folds themselves instead, as
    (name, training positions, test positions) of participant sentences, never sharing a site (e.g. a random
    subset of sites against the rest, :mod:`benchmarks.learning_curve`); only the sentences some fold tests
    are scored. ``overall`` also holds ``thresholds`` (site -> the fold's (threshold, check)) and ``model_only``
    (precision, recall and F1 of the model's suggestions on their own, without the rule coder's). ``jobs`` > 1
    runs the folds in that many forked processes (the same figures: each fold is deterministic on its own).
    """
    if rule_only:
        overall, per_code = score_suggestions(data.rules, data.gold)
        return overall, per_code, data.rules
    parts = []
    thresholds = {}
    hits = np.zeros(data.y.shape, dtype=bool)
    if folds is None:
        folds = site_folds(data.sites) if n_folds is None else grouped_site_folds(data.sites, n_folds)
    tested = np.zeros(len(data.y), dtype=bool)
    for site, train, test in folds:
        if set(data.sites[train]) & set(data.sites[test]):
            raise ValueError(f"fold {site}: a site is both trained and tested on")
        tested[test] = True
    tasks = [(site, train, test, threshold, check) for site, train, test in folds]
    if jobs > 1 and len(tasks) > 1:
        import multiprocessing

        global _POOL_DATA
        _POOL_DATA = data  # the workers are forked, and read the gold data from here
        try:
            with multiprocessing.get_context("fork").Pool(min(jobs, len(tasks))) as pool:
                results = pool.map(_pooled_fold, tasks, chunksize=1)
        finally:
            _POOL_DATA = None
    else:
        results = [_run_fold(data, *task) for task in tasks]
    for (site, _, test, _, _), (part, chosen, fold_hits) in zip(tasks, results):
        thresholds[site] = chosen
        hits[test] = fold_hits
        parts.append(part)
    pooled = pd.concat(parts, ignore_index=True)
    scored = set(data.segments["segment_id"].to_numpy()[data.raw.rows[tested]])
    overall, per_code = score_suggestions(pooled, data.gold[data.gold["segment_id"].isin(scored)])
    overall["thresholds"] = thresholds
    hits, y = hits[tested], data.y[tested]
    tp = float((hits & (y > 0)).sum())
    p, r = tp / max(hits.sum(), 1), tp / max(y.sum(), 1)
    overall["model_only"] = {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}
    return overall, per_code, pooled


_POOL_DATA: GoldData | None = None


def _pooled_fold(task: tuple) -> tuple:
    return _run_fold(_POOL_DATA, *task)


def _run_fold(data: GoldData, site: str, train: np.ndarray, test: np.ndarray, threshold: float | None,
              check: tuple | None) -> tuple[pd.DataFrame, tuple, np.ndarray]:
    """One fold of :func:`cross_validate`: (the hybrid's suggestions for the test sentences, the fold's
    (threshold, check), whether the model alone reaches the threshold for each test sentence and code)."""
    model = train_model(data, train, threshold, check)
    test_ids = set(data.segments["segment_id"].to_numpy()[data.raw.rows[test]])
    seg_mask = data.segments["segment_id"].isin(test_ids) | data.segments["is_interviewer"]
    segs = data.segments[seg_mask & data.segments["site"].isin(set(data.sites[test]))]
    rules = data.rules[data.rules["segment_id"].isin(test_ids)]
    raw = featurise(segs, data.protos, model.stems, rules=rules if model.uses_rules else None,
                    codes=model.codes, pc=model.pc)
    probs = model.scores(raw)
    if not np.array_equal(segs["segment_id"].to_numpy()[raw.rows], data.segments["segment_id"].to_numpy()[
            data.raw.rows[test]]):
        raise RuntimeError(f"site {site}: the test sentences came out of order")
    part = combine(rules, segs, raw, probs, model.threshold, model, data.code_themes, SUGGESTION_STATUS)
    # featurise keeps the test sentences in order
    return (part.assign(fold=site, fold_threshold=model.threshold), (model.threshold, model.check),
            probs >= model.threshold)
