"""A learned coder: one-vs-rest logistic regression over words, word vectors and the codes' definitions.

The rule coder (:mod:`cm_research.qual.suggest`) finds a code's hint words; on interviews nobody tuned it on it
misses paraphrase ("Every other day I'd get a call") and context ("Doesn't always work, mind." after a
sentence about counting to ten). This model scores every participant sentence for every code it was trained
on, from features that carry over to new interviews:

* the stems in the sentence, and in the interviewer's question it answers (0/1 bag of stems; only stems
  seen in at least ``MIN_COUNT`` training sentences, :mod:`cm_research.qual.crossval`);
* the unit-length mean GloVe vector (:mod:`cm_research.qual.vectors`) of the sentence's content words, of the
  question's, and of the whole answer turn's (so a short sentence reads in its answer's context);
* for each code, the cosine between the sentence's (and the turn's) vector and the code's prototype, the mean
  vector of its definition, use-when note and example (these two have weights of the code's own);
* the speaker's role (mentee, mentor, carer, social worker, other).

For code k, P(k | x) = σ(x · w_k + c_k · u_k + b_k), with all codes' weights fitted together by L-BFGS on the
penalised log-likelihood Σ_k Σ_i [y_ik log p_ik + (1 − y_ik) log(1 − p_ik)] − λ/2 Σ_k ||w_k||²
− λ_k/2 Σ_k ||u_k||²
(intercepts not penalised; Hastie, Tibshirani & Friedman 2009, *The Elements of Statistical Learning*, §4.4.4).

The hybrid (:func:`combine`, used by :func:`cm_research.qual.suggest.suggest_codes`) checks each counted hint
match: the hints were written for the first six sites, and on interviews by other people more than half of
their matches are a word used in passing. Each hint's record in training (how often its matches were coded so,
:func:`hint_keys`, smoothed towards the pooled record) and the model's score for the pair give the match's
keep probability σ(a · logit(score) + c · logit(hint precision) + d) (:meth:`CoderModel.keep_probability`); a
match under the cut is not suggested, unless the model suggests the pair itself. The hybrid then adds a
suggestion where the model's probability reaches ``threshold`` and no kept hint of the code matched. The
check's weights, its cut and the threshold are chosen by cross-validation by site inside the training data
(:mod:`cm_research.qual.crossval`). The rule coder's evidence
as features of the model was tried and left out (``crossval.RULE_FEATURES``): the hints were tuned on the first
six sites, so the model learnt to trust them more than they deserve on new interviews.

Codes the model was not trained on (an analyst's own) are left to the rule coder.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize, sparse

from cm_research.qual.codebook import Codebook
from cm_research.qual.tokens import CLAUSE_BREAKS, STOPWORDS, TOKEN_PATTERN, WORD_PATTERN, WORD_RE, is_negator, \
    negation_scope, normalise, stem, token_ids
from cm_research.qual.vectors import DIMS, first_component, remove_component, sif_weights, word_vectors

ROLES = ("mentee", "mentor", "carer", "social_worker")
WEIGHTS = Path(__file__).resolve().parent / "data" / "coder_weights.npz"
_SEP = "\x01"
_TOKENS = re.compile(WORD_PATTERN + "|" + _SEP)
_CLAUSE_TOKENS = re.compile(TOKEN_PATTERN + "|" + _SEP)
#: the prefix of a stem read in a negation's scope (:func:`cm_research.qual.tokens.negation_scope`)
NOT_PREFIX = "NOT_"
#: whether stems in a negation's scope also count as "NOT_" stems of their own (Das & Chen 2001). Tried and left
#: out: in a six-group site cross-validation it scored F1 0.591 against 0.593 without (with SIF both times)
NEGATION_FEATURES = False


class ModelError(ValueError):
    """The learned coder's weights file cannot be read."""


@dataclass
class RawFeatures:
    """Every participant sentence's features (see the module docstring), before a model picks its stems."""

    rows: np.ndarray  # positions, in the segments table, of the participant sentences
    stems: list[str]  # the bag-of-stems columns
    s_bow: sparse.csr_matrix  # n × stems, 0/1: the sentence
    q_bow: sparse.csr_matrix  # n × stems, 0/1: the interviewer's question
    shared: np.ndarray  # n × 305: sentence, question and turn vectors, role
    per_code: np.ndarray  # n × K × 2: cosine of the sentence's and of the turn's vector with the code's prototype
    counts: sparse.csr_matrix  # n × distinct tokens: the sentence's word counts (for evidence)
    tokens: list[str]  # the distinct tokens
    norms: np.ndarray  # n: the length of each sentence's summed vector, its common component removed
    token_vectors: np.ndarray = field(repr=False, default=None)  # distinct tokens × 100 (zero for stop words)
    #: n: whether the sentence answers an interviewer's question (the form of every training sentence)
    answers: np.ndarray = None
    #: n × 3 × 100: the SIF-weighted sums of the word vectors of the sentence, its question and its answer turn,
    #: before the common component is removed and they are made unit length (:func:`vector_features`)
    sums: np.ndarray = field(repr=False, default=None)
    protos: np.ndarray = field(repr=False, default=None)  # the codes' prototypes the cosines were taken with


def clause_words(joined: str) -> tuple[np.ndarray, list[str], np.ndarray]:
    """(ids, words, in_scope) of a normalised text: its words and separators as :func:`token_ids` finds them
    with ``_TOKENS``, and whether each is in a negation's scope (:func:`cm_research.qual.tokens.negation_scope`),
    read with the punctuation that ends a clause, which is then left out."""
    ids, distinct = token_ids(joined, _CLAUSE_TOKENS)
    is_word = np.array([t == _SEP or WORD_RE.fullmatch(t) is not None for t in distinct], dtype=bool)
    cue = np.array([w and is_negator(t) for t, w in zip(distinct, is_word)], dtype=bool)
    brk = np.array([t in CLAUSE_BREAKS or t == _SEP for t in distinct], dtype=bool)
    scope = negation_scope(cue[ids], brk[ids])
    keep = is_word[ids]
    ids, first = pd.factorize(ids[keep])
    return ids.astype(np.int64, copy=False), [distinct[i] for i in first], scope[keep]


def _count_matrix(texts: list[str], tokens: tuple | None = None
                  ) -> tuple[sparse.csr_matrix, list[str], sparse.csr_matrix]:
    """(counts, tokens, negated): len(texts) × distinct-tokens csr matrices of word counts, all of them and those
    in a negation's scope, from one pass over the joined texts (:func:`clause_words`), or from their ``tokens``
    (ids, words and, optionally, in_scope) when already found."""
    if not texts:
        return sparse.csr_matrix((0, 0)), [], sparse.csr_matrix((0, 0))
    if tokens is None:
        tokens = clause_words(normalise(f" {_SEP} ".join(t.replace(_SEP, " ") for t in texts)))
    ids, distinct = tokens[0], tokens[1]
    scope = tokens[2] if len(tokens) > 2 else np.zeros(len(ids), dtype=bool)
    sep = distinct.index(_SEP) if len(texts) > 1 else -1
    is_sep = ids == sep
    row = np.cumsum(is_sep)
    keep = ~is_sep
    shape = (len(texts), len(distinct))
    counts = sparse.csr_matrix((np.ones(int(keep.sum()), dtype=np.float32), (row[keep], ids[keep])), shape=shape)
    neg = keep & scope
    negated = sparse.csr_matrix((np.ones(int(neg.sum()), dtype=np.float32), (row[neg], ids[neg])), shape=shape)
    return counts, distinct, negated


def _turns(segments: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(turn number of each row, the turn number of the interviewer's question each row answers or −1): a
    new turn starts where the speaker kind, the turn or the transcript changes."""
    n = len(segments)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    interviewer = segments["is_interviewer"].to_numpy(dtype=bool) if "is_interviewer" in segments \
        else np.zeros(n, dtype=bool)
    transcript = segments["transcript"].to_numpy(dtype=object) if "transcript" in segments \
        else np.zeros(n, dtype=object)
    turn = segments["turn"].to_numpy() if "turn" in segments else np.arange(n)
    new = np.ones(n, dtype=bool)
    new[1:] = (interviewer[1:] != interviewer[:-1]) | (turn[1:] != turn[:-1]) | (transcript[1:] != transcript[:-1])
    turn_id = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    turn_is_q = interviewer[starts]
    turn_tr = transcript[starts]
    prev = turn_id - 1
    ok = (prev >= 0) & ~interviewer
    ok[ok] = turn_is_q[prev[ok]] & (turn_tr[prev[ok]] == transcript[ok])
    return turn_id, np.where(ok, prev, -1)


#: whether word vectors are weighted by SIF (:func:`cm_research.qual.vectors.sif_weights`) before they are
#: summed, and the training sentences' common component removed (:func:`vector_features`). Tried and left out:
#: in the site cross-validation over 26 sites it scored F1 0.598 (0.559 on the sites the hints never saw)
#: against 0.600 (0.556) for the plain mean, no difference worth its cost
SIF = False
#: whether function words (:data:`STOPWORDS`) are left out of the sentence vectors (SIF weights them down anyway)
STOPWORDS_OUT = True


def prototypes(codebook: Codebook, codes: list[str]) -> np.ndarray:
    """K × 100: each code's prototype, the unit SIF-weighted mean vector (:func:`word_weights`) of its definition,
    use-when note and example."""
    from cm_research.qual.tokens import words

    by_name = {c.name: c for c in codebook.codes}
    out = np.zeros((len(codes), DIMS), dtype=np.float32)
    for k, name in enumerate(codes):
        c = by_name.get(name)
        if c is not None:
            ws = [w for w in words(" ".join([c.definition, c.use_when, c.example])) if w not in STOPWORDS]
            vecs, _ = word_vectors(ws)
            total = (vecs * word_weights(ws)[:, None]).sum(axis=0)
            norm = float(np.linalg.norm(total))
            out[k] = total / norm if norm else total
    return out


def word_weights(tokens: list[str]) -> np.ndarray:
    """Each token's weight in a sentence vector: 0 for a function word (:data:`STOPWORDS`), else its SIF weight
    a / (a + p(w)) (:func:`cm_research.qual.vectors.sif_weights`), or 1 when ``SIF`` is off."""
    weights = sif_weights(tokens) if SIF else np.ones(len(tokens))
    if STOPWORDS_OUT:
        weights[[t in STOPWORDS for t in tokens]] = 0.0
    return weights.astype(np.float32)


def vector_features(sums: np.ndarray, protos: np.ndarray, pc: np.ndarray | None
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n × 300 unit vectors of sentence, question and turn; n × K × 2 cosines of the sentence's and the turn's
    vector with each code's prototype; n lengths of the sentence vectors) from the n × 3 × 100 vector ``sums``,
    after removing the common component ``pc`` (:func:`cm_research.qual.vectors.remove_component`) from the sums
    and the prototypes alike."""
    n = len(sums)
    flat = remove_component(sums.reshape(n * 3, DIMS), pc)
    norms = np.sqrt(np.einsum("ij,ij->i", flat, flat))
    unit = (flat / np.where(norms > 0, norms, 1.0)[:, None]).reshape(n, 3 * DIMS)
    p, _ = _unit(remove_component(protos.astype(np.float32), pc))
    per_code = np.stack([unit[:, :DIMS] @ p.T, unit[:, 2 * DIMS:] @ p.T], axis=2)
    return unit, per_code, norms[::3]


def common_component(raw: RawFeatures, rows: np.ndarray | None = None) -> np.ndarray | None:
    """The first principal direction of the unit sentence vectors at ``rows`` (all by default): the
    component every sentence shares that SIF removes (Arora, Liang & Ma 2017); None when ``SIF`` is off."""
    if not SIF:
        return None
    s = raw.sums[:, 0] if rows is None else raw.sums[rows, 0]
    unit, norms = _unit(s.astype(np.float64))
    return first_component(unit[norms > 0]).astype(np.float32)


def _unit(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    norms = np.linalg.norm(m, axis=1)
    return m / np.where(norms > 0, norms, 1.0)[:, None], norms


def rule_evidence(segments: pd.DataFrame, rows: np.ndarray, rules: pd.DataFrame, codes: list[str]) -> np.ndarray:
    """len(rows) × K × 3: for the segments at ``rows``, the rule coder's counted match of the sentence's own,
    its negated match, and its match carried from the interviewer's question, per code (0/1)."""
    out = np.zeros((len(rows), len(codes), 3), dtype=np.float32)
    if rules.empty:
        return out
    pos = pd.Index(segments["segment_id"].to_numpy()[rows]).get_indexer(rules["segment_id"])
    k = rules["code"].map({c: i for i, c in enumerate(codes)}).fillna(-1).astype(np.int64).to_numpy()
    ok = (pos >= 0) & (k >= 0)
    negated = rules["negated"].to_numpy(dtype=bool)
    from_q = rules["flag_reason"].astype(str).str.startswith("from the interviewer's question").to_numpy()
    kind = np.where(from_q, 2, np.where(negated, 1, 0))
    out[pos[ok], k[ok], kind[ok]] = 1.0
    return out


def featurise(segments: pd.DataFrame, protos: np.ndarray, stems: list[str] | None = None,
              rules: pd.DataFrame | None = None, codes: list[str] | None = None,
              tokens: tuple | None = None, pc: np.ndarray | None = None) -> RawFeatures:
    """Features of the participant sentences of ``segments`` (all rows when there is no ``is_interviewer``).

    ``protos``: the codes' prototypes (:func:`prototypes`); ``rules`` (with ``codes``, the model's): the rule
    coder's suggestions, whose evidence (:func:`rule_evidence`) joins the per-code features. ``stems``: the
    bag-of-stems columns (a trained model's vocabulary); None takes every stem seen. ``tokens``: the words of
    the texts joined by ``_SEP`` (:func:`cm_research.qual.tokens.token_ids`), when the caller has them. ``pc``:
    the common component to remove from the vectors (a trained model's, :func:`common_component`).
    """
    segments = segments.reset_index(drop=True)
    texts = segments["text"].astype(str).tolist()
    counts, tokens, negated = _count_matrix(texts, tokens)
    token_stems = [stem(t) for t in tokens]
    if stems is None:
        stems = sorted(set(token_stems) | ({NOT_PREFIX + token_stems[j] for j in np.unique(negated.indices)}
                                           if NEGATION_FEATURES else set()))
    col = {s: j for j, s in enumerate(stems)}

    def to_columns(names: list[str]) -> sparse.csr_matrix:
        at = np.array([col.get(s, -1) for s in names], dtype=np.int64)
        has = np.flatnonzero(at >= 0)
        return sparse.csr_matrix((np.ones(len(has), dtype=np.float32), (has, at[has])),
                                 shape=(len(tokens), len(stems)))

    vecs, _ = word_vectors(tokens)
    vecs *= word_weights(tokens)[:, None]
    bow = counts @ to_columns(token_stems)
    if negated.nnz and any(c.startswith(NOT_PREFIX) for c in col):
        bow = bow + negated @ to_columns([NOT_PREFIX + t for t in token_stems])
    bow = bow.tocsr()
    bow.data[:] = 1.0
    vsum = np.asarray(counts @ vecs, dtype=np.float32)
    turn_id, q_turn = _turns(segments)
    n_turns = int(turn_id.max()) + 1 if len(turn_id) else 0
    in_turn = sparse.csr_matrix((np.ones(len(texts), dtype=np.float32), (turn_id, np.arange(len(texts)))),
                                shape=(n_turns, len(texts)))
    turn_bow = (in_turn @ bow).tocsr()
    turn_bow.data[:] = 1.0
    turn_vec = np.asarray(in_turn @ vsum, dtype=np.float32)
    interviewer = segments["is_interviewer"].to_numpy(dtype=bool) if "is_interviewer" in segments \
        else np.zeros(len(texts), dtype=bool)
    rows = np.flatnonzero(~interviewer)
    q = q_turn[rows]
    has_q = q >= 0
    pick = sparse.csr_matrix((np.ones(int(has_q.sum()), dtype=np.float32), (np.flatnonzero(has_q), q[has_q])),
                             shape=(len(rows), n_turns))
    q_bow = (pick @ turn_bow).tocsr()
    sums = np.empty((len(rows), 3, DIMS), dtype=np.float32)
    sums[:, 0], sums[:, 1], sums[:, 2] = vsum[rows], pick @ turn_vec, turn_vec[turn_id[rows]]
    vec3, per_code, norms = vector_features(sums, protos, pc)
    if rules is not None:
        per_code = np.concatenate([per_code, rule_evidence(segments, rows, rules, codes) / VECTOR_SCALE], axis=2)
    role_col = segments["role"].astype(str).to_numpy() if "role" in segments else np.full(len(texts), "")
    kind, kinds = pd.factorize(role_col[rows])  # the few distinct roles, each looked up once
    kinds = np.asarray(kinds, dtype=object)
    role = np.stack([kinds == r for r in ROLES] + [~np.isin(kinds, ROLES)], axis=1)[kind]
    shared = np.hstack([vec3, role], dtype=np.float32)
    return RawFeatures(rows=rows, stems=stems, s_bow=bow[rows], q_bow=q_bow, shared=shared,
                       per_code=per_code.astype(np.float32, copy=False), counts=counts[rows], tokens=tokens,
                       norms=norms, token_vectors=vecs, answers=has_q, sums=sums, protos=protos)


#: vectors and prototype cosines are multiplied by this before fitting, so that their weights are penalised on a
#: scale like the 0/1 stems' (fixed before any cross-validation was run)
VECTOR_SCALE = 3.0


def design(raw: RawFeatures, columns: np.ndarray | None = None, pc: np.ndarray | None = None
           ) -> tuple[np.ndarray, np.ndarray]:
    """(shared, per_code): the n × F sparse matrix every code's weights apply to (the sentence's stems, the question's
    stems, only ``columns`` of them; the three vectors; the role) and the n × K × 2 prototype cosines, each
    code with weights of its own; with the common component ``pc`` removed from the vectors when given (the
    features are then computed again from ``raw.sums``)."""
    s, q = raw.s_bow, raw.q_bow
    if columns is not None:
        s, q = s[:, columns], q[:, columns]
    dense = raw.shared.astype(np.float64)
    per_code = raw.per_code.astype(np.float64)
    if pc is not None:
        vec3, cosines, _ = vector_features(raw.sums, raw.protos, pc)
        dense[:, :3 * DIMS] = vec3
        per_code[:, :, :2] = cosines
    dense[:, :3 * DIMS] *= VECTOR_SCALE
    return (sparse.hstack([s, q, sparse.csr_matrix(dense)], format="csr"), per_code * VECTOR_SCALE)


def fit_logistic(x: np.ndarray, xk: np.ndarray, y: np.ndarray, lam: float = 3.0, lam_k: float = 0.3,
                 max_iter: int = 300) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(W, U, b) for K logistic regressions fitted together, p_ik = σ(x_i · w_k + xk_ik · u_k + b_k),
    maximising Σ_ik [y_ik log p_ik + (1 − y_ik) log(1 − p_ik)] − λ/2 ||W||² − λ_k/2 ||U||² (intercepts not
    penalised) by L-BFGS from zero, so the fit is deterministic."""
    n, f = x.shape
    k, m = xk.shape[1], xk.shape[2]
    x = sparse.csr_matrix(x)
    xt = x.T.tocsr()

    def unpack(theta):
        return theta[:f * k].reshape(f, k), theta[f * k:f * k + m * k].reshape(k, m), theta[f * k + m * k:]

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, u, b = unpack(theta)
        z = np.asarray(x @ w) + np.einsum("nkm,km->nk", xk, u) + b
        p = 0.5 * (1.0 + np.tanh(0.5 * z))
        g = p - y
        value = (np.logaddexp(0.0, z) - y * z).sum() + 0.5 * lam * np.sum(w * w) + 0.5 * lam_k * np.sum(u * u)
        grad = [(xt @ g + lam * w).ravel(), (np.einsum("nkm,nk->km", xk, g) + lam_k * u).ravel(), g.sum(axis=0)]
        return value, np.concatenate(grad)

    with _one_blas_thread():
        res = optimize.minimize(loss, np.zeros(f * k + m * k + k), jac=True, method="L-BFGS-B",
                                options={"maxiter": max_iter})
    return unpack(res.x)


def _one_blas_thread():
    """L-BFGS-B's many small vector operations on one BLAS thread: on a busy machine threaded BLAS waits for
    idle cores (a fit took 41 s instead of 9 s with eight processes on two cores). A no-op when threadpoolctl
    is not installed."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: the same fit, only slower on a loaded machine
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def predict(x: np.ndarray, xk: np.ndarray, w: np.ndarray, u: np.ndarray, b: np.ndarray) -> np.ndarray:
    """n × K probabilities σ(x · w_k + xk_k · u_k + b_k)."""
    z = np.asarray(x @ w) + np.einsum("nkm,km->nk", xk, u) + b
    return 0.5 * (1.0 + np.tanh(0.5 * z))


@dataclass
class CoderModel:
    """A trained coder: the codes it knows, its stem vocabulary, weights, threshold, code prototypes, the check
    on hint matches and each hint's record in training."""

    codes: list[str]
    stems: list[str]
    w: np.ndarray  # features × codes
    u: np.ndarray  # codes × 2 (prototype cosines)
    b: np.ndarray  # codes
    threshold: float
    protos: np.ndarray  # codes × 100
    info: dict = field(default_factory=dict)
    #: the check on a counted hint match (:meth:`keep_probability`): (weight of logit(score), weight of
    #: logit(hint precision), intercept, cut); a match whose keep probability is under the cut is not
    #: suggested. None: every hint match stays
    check: tuple[float, float, float, float] | None = None
    #: each hint's record in training (:func:`hint_keys`): (code, hint) -> (counted matches, matches coded so)
    hints: dict = field(default_factory=dict)
    #: the training sentences' common component, removed from every vector (:func:`common_component`); None: none
    pc: np.ndarray | None = None

    def save(self, path: str | Path) -> None:
        hints = [[c, h, int(n), int(r)] for (c, h), (n, r) in sorted(self.hints.items())]
        np.savez_compressed(path, codes=np.array(self.codes), stems=np.array(self.stems),
                            w=self.w.astype(np.float32), u=self.u.astype(np.float32), b=self.b.astype(np.float32),
                            threshold=np.array(self.threshold),
                            check=np.array(self.check if self.check is not None else [], dtype=np.float64),
                            hints=np.array(json.dumps(hints)), protos=self.protos.astype(np.float32),
                            info=np.array(json.dumps(self.info, sort_keys=True)),
                            pc=np.zeros(0, dtype=np.float32) if self.pc is None else self.pc.astype(np.float32))

    @classmethod
    def load(cls, path: str | Path) -> CoderModel:
        try:
            with np.load(path) as z:
                check = tuple(float(v) for v in z["check"]) if "check" in z and len(z["check"]) == 4 else None
                hints = {(c, h): (n, r) for c, h, n, r in json.loads(str(z["hints"]))} if "hints" in z else {}
                pc = z["pc"].astype(np.float32) if "pc" in z and len(z["pc"]) == DIMS else None
                return cls(codes=z["codes"].tolist(), stems=z["stems"].tolist(), w=z["w"].astype(np.float64),
                           u=z["u"].astype(np.float64), b=z["b"].astype(np.float64),
                           threshold=float(z["threshold"]), protos=z["protos"].astype(np.float32),
                           info=json.loads(str(z["info"])), check=check, hints=hints, pc=pc)
        except (OSError, KeyError, ValueError, TypeError) as e:
            raise ModelError(f"{Path(path).name}: cannot read the coder's weights ({e}); rebuild them with "
                             "python benchmarks/train_coder.py") from e

    def hint_precision(self, keys: list[list[tuple[str, str]]]) -> np.ndarray:
        """For each suggestion's hints (:func:`hint_keys`), the best smoothed precision any of them had in
        training (:func:`smoothed_precision`); NaN where none of them was matched there."""
        return hint_precision(self.hints, keys)

    def keep_probability(self, score: np.ndarray, hint_prec: np.ndarray) -> np.ndarray:
        """The check's probability that a counted hint match is right: σ(a · logit(score) + c · logit(hint
        precision) + d), fitted on the training sites' matches (:func:`cm_research.qual.crossval.fit_check`).
        All ones when the model has no check."""
        return keep_probability(self.check, score, hint_prec)

    def hint_table(self) -> pd.DataFrame:
        """Each hint's record in training, worst first: code, hint ("question: ..." for a hint matched in the
        interviewer's question), matches, right, precision (smoothed, :func:`smoothed_precision`)."""
        rows = [(c, h, n, r) for (c, h), (n, r) in self.hints.items()]
        table = pd.DataFrame(rows, columns=["code", "hint", "matches", "right"])
        table["precision"] = smoothed_precision(self.hints, table["matches"].to_numpy(), table["right"].to_numpy())
        return table.sort_values(["precision", "matches", "code", "hint"], ascending=[True, False, True, True],
                                 ignore_index=True)

    @property
    def uses_rules(self) -> bool:
        """Whether the rule coder's evidence is among its features (3 per-code weights beside the 2 prototype
        cosines')."""
        return self.u.shape[1] == 5

    def scores(self, raw: RawFeatures) -> np.ndarray:
        """n × K probabilities, for features made with this model's stems (the same sum as :func:`predict` on
        :func:`design`, with the stems kept sparse)."""
        v = len(self.stems)
        w_dense = self.w[2 * v:].copy()
        w_dense[:3 * DIMS] *= VECTOR_SCALE  # scale the weights, not the (large) feature matrix
        z = (raw.s_bow @ self.w[:v] + raw.q_bow @ self.w[v:2 * v] + raw.shared @ w_dense.astype(np.float32)
             + np.einsum("nkm,km->nk", raw.per_code, (self.u * VECTOR_SCALE).astype(np.float32)) + self.b)
        return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z)))

    def evidence(self, raw: RawFeatures, pairs_row: np.ndarray, pairs_code: np.ndarray, top: int = 3) -> list[str]:
        """For each (sentence, code) pair, the sentence's words that add most to the code's score: the weight
        of the word's stem plus the word's share of the sentence-vector term (its vector · the code's vector
        weights, over the length of the sentence's summed vector); strongest first, "; "-separated, at most
        ``top``, only words that raise the score, function words left out (negation cues kept)."""
        if len(pairs_row) == 0:
            return []
        v = len(self.stems)
        col = {s: j for j, s in enumerate(self.stems)}
        tok_stem = np.array([col.get(stem(t), -1) for t in raw.tokens], dtype=np.int64)
        # distinct tokens × codes: each token's stem weight, and its vector · the sentence-vector weights
        by_stem = np.where((tok_stem >= 0)[:, None], self.w[:v][np.maximum(tok_stem, 0)], 0.0)
        by_vector = remove_component(raw.token_vectors, self.pc) @ (self.w[2 * v:2 * v + DIMS] * VECTOR_SCALE)
        c = raw.counts.tocsr()
        lengths = np.diff(c.indptr)[pairs_row]
        pair_of = np.repeat(np.arange(len(pairs_row)), lengths)
        offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        tok = c.indices[np.repeat(c.indptr[pairs_row], lengths) + offsets]
        code = pairs_code[pair_of]
        norms = raw.norms[pairs_row][pair_of]
        contrib = by_stem[tok, code] + by_vector[tok, code] / np.where(norms > 0, norms, 1.0)
        # function words are not shown as evidence (negation cues are: "not" can carry a code)
        shown = np.array([t not in STOPWORDS or is_negator(t) for t in raw.tokens], dtype=bool)
        # only words that raise the score can be shown (the same ranks as sorting them all: the others sort last)
        keep = np.flatnonzero(shown[tok] & (contrib > 0))
        pair_of, tok, contrib = pair_of[keep], tok[keep], contrib[keep]
        # by pair, then strongest first (ties in the order found): one stable sort of a key made of the pair and
        # the rank of the contribution
        levels, level = np.unique(-contrib, return_inverse=True)
        order = np.argsort(pair_of.astype(np.int64) * len(levels) + level, kind="stable")
        pair_sorted = pair_of[order]
        rank = np.arange(len(order)) - np.searchsorted(pair_sorted, pair_sorted)
        pick = rank < top
        names = np.asarray(raw.tokens, dtype=object)
        slots = np.full((top, len(pairs_row)), "", dtype=object)
        slots[rank[pick], pair_sorted[pick]] = names[tok[order][pick]]
        filled = np.bincount(pair_sorted[pick], minlength=len(pairs_row))  # slots fill from the first
        out = slots[0]
        for r in range(1, top):
            more = np.flatnonzero(filled > r)
            out[more] = out[more] + "; " + slots[r, more]
        return out.tolist()


#: the prior weight (in matches) that pulls a hint's precision towards the pooled precision of all hints
HINT_PRIOR_WEIGHT = 5.0


def _logit(p: np.ndarray, eps: float) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), eps, 1.0 - eps)
    return np.log(p) - np.log1p(-p)


def keep_probability(check: tuple | None, score: np.ndarray, hint_prec: np.ndarray) -> np.ndarray:
    """σ(a · logit(score) + c · logit(hint precision) + d) for ``check`` = (a, c, d, cut) (scores clipped to
    [1e-4, 1 − 1e-4], precisions to [1e-3, 1 − 1e-3]); all ones when ``check`` is None."""
    if check is None:
        return np.ones(len(score))
    a, c, d = check[:3]
    z = a * _logit(score, 1e-4) + c * _logit(hint_prec, 1e-3) + d
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def hint_keys(rules: pd.DataFrame) -> list[list[tuple[str, str]]]:
    """For each rule suggestion, the hints that made it, as (code, hint): the stems of each matched word or
    phrase ("honest", "let me down" -> "let me down"), prefixed "question: " when carried from the interviewer's
    question."""
    from cm_research.qual.tokens import stems_of

    reasons = rules["flag_reason"].astype(str).tolist() if "flag_reason" in rules else [""] * len(rules)
    seen: dict[tuple[str, str, bool], list[tuple[str, str]]] = {}  # the same few matches recur
    out = []
    for code, matched, reason in zip(rules["code"], rules["matched"].astype(str), reasons):
        key = (code, matched, reason.startswith("from the interviewer's question"))
        keys = seen.get(key)
        if keys is None:
            where = "question: " if key[2] else ""
            keys = seen[key] = [(code, where + " ".join(stems_of(p))) for p in matched.split("; ") if p]
        out.append(keys)
    return out


def smoothed_precision(hints: dict, matches: np.ndarray, right: np.ndarray) -> np.ndarray:
    """(right + m · p0) / (matches + m): a hint's precision in training pulled towards p0, the pooled precision
    of all hints, with weight m = ``HINT_PRIOR_WEIGHT`` (an additive, beta-prior smoothing)."""
    total = np.array(list(hints.values()), dtype=np.float64).reshape(-1, 2).sum(axis=0)
    prior = total[1] / total[0] if total[0] else 0.5
    return (np.asarray(right, dtype=np.float64) + HINT_PRIOR_WEIGHT * prior) / \
        (np.asarray(matches, dtype=np.float64) + HINT_PRIOR_WEIGHT)


def hint_precision(hints: dict, keys: list[list[tuple[str, str]]]) -> np.ndarray:
    """For each list of hints, the best smoothed precision among those with a record in training (NaN when
    none has one: a hint never matched in training, such as an analyst's new one, has no record to judge)."""
    total = np.array(list(hints.values()), dtype=np.float64).reshape(-1, 2).sum(axis=0)
    prior = total[1] / total[0] if total[0] else 0.5
    m = HINT_PRIOR_WEIGHT
    best: dict[tuple, float] = {}
    out = np.empty(len(keys))
    for i, ks in enumerate(keys):
        t = tuple(ks)
        p = best.get(t)
        if p is None:
            p = best[t] = max(((r + m * prior) / (n + m) for n, r in (hints[k] for k in ks if k in hints)),
                              default=np.nan)
        out[i] = p
    return out


@lru_cache(maxsize=1)
def shipped_model() -> CoderModel | None:
    """The weights trained on the gold set (``benchmarks/train_coder.py``), or None when none ship."""
    if not WEIGHTS.is_file():
        return None
    return CoderModel.load(WEIGHTS)


def model_reason(score: float, threshold: float, cue: str, hint: str = "") -> str:
    """The ``flag_reason`` of a suggestion the model adds where no hint matched (or only a ``hint`` that its
    check did not keep)."""
    why = f"suggested by the model (score {score:.2f} ≥ threshold {threshold:.2f}); " + (
        f"the hint '{hint}' matched but was not kept on its own (its record in training and the score)" if hint
        else "no hint matched")
    if cue:
        return (f"not flagged: {why}; the sentence holds the negation cue '{cue}', which the model does not "
                "read as a denial: check it")
    return f"not flagged: {why}; no negation cue in the sentence"


def combine(rules: pd.DataFrame, segments: pd.DataFrame, raw: RawFeatures, probs: np.ndarray, threshold: float,
            model: CoderModel, code_themes: dict[str, str], status: str) -> pd.DataFrame:
    """The hybrid's suggestions: the rule coder's (``rules``), each given the model's ``score`` and the words
    that carry it (``model_words``), less the counted hint matches the model's check does not keep
    (:meth:`CoderModel.keep_probability` under its cut: a hint often wrong in training that the model also
    scores low; only in sentences that answer an interviewer's question, the form of its training), plus a
    suggestion wherever the model's probability for a code it knows is at least ``threshold`` and the rule coder
    has nothing kept for that sentence and code (not even a negated match: a flag stands), with ``status``. ``probs`` is len(raw.rows) × len(model.codes)."""

    segments = segments.reset_index(drop=True)
    known = [k for k, c in enumerate(model.codes) if c in code_themes]
    rules = rules.reset_index(drop=True)
    at = pd.Index(segments["segment_id"]).get_indexer(rules["segment_id"])  # each rule's row in segments
    sentence = np.full(len(segments) + 1, -1, dtype=np.int64)  # a row's place in raw.rows (the last: not found)
    sentence[raw.rows] = np.arange(len(raw.rows))
    r_pos = sentence[at]
    r_code = pd.Index(model.codes).get_indexer(rules["code"])  # −1: a code the model does not know
    scored = (r_pos >= 0) & (r_code >= 0)
    score = np.full(len(rules), np.nan)
    score[scored] = probs[r_pos[scored], r_code[scored]]
    # a counted hint match the check finds unlikely is not suggested (a negated one stays, flagged); the
    # model may still suggest the pair on its own score below. Only in answers to an interviewer's question:
    # every training sentence was one, and the model scores any other sentence low ("I feel confident now."
    # alone), so elsewhere the hints stand as they are
    vetoed = np.zeros(len(rules), dtype=bool)
    checked = scored & ~rules["negated"].to_numpy(dtype=bool)
    if raw.answers is not None:
        checked[scored] &= raw.answers[r_pos[scored]]
    if model.check is not None and checked.any():
        ck = np.flatnonzero(checked)
        prec = model.hint_precision(hint_keys(rules.iloc[ck]))
        # a hint with no record in training (never matched there, or an analyst's new one) stands
        vetoed[ck] = ~np.isnan(prec) & (model.keep_probability(score[ck], np.nan_to_num(prec)) < model.check[3])
    taken = np.zeros(probs.shape, dtype=bool)
    taken[r_pos[scored & ~vetoed], r_code[scored & ~vetoed]] = True
    mask = np.zeros(probs.shape, dtype=bool)
    mask[:, known] = True
    new_row, new_code = np.nonzero((probs >= threshold) & mask & ~taken)
    # the words behind each score, for the rules' suggestions and the model's own, in one pass
    n_scored = int(scored.sum())
    found = model.evidence(raw, np.concatenate([r_pos[scored], new_row]), np.concatenate([r_code[scored], new_code]))
    words = np.full(len(rules), "", dtype=object)
    words[scored] = found[:n_scored]
    rules = rules.assign(score=score, model_words=words)
    matched_before = rules["matched"].astype(str).to_numpy()
    if vetoed.any():  # (a copy of every column otherwise)
        rules = rules[~vetoed].reset_index(drop=True)
        at = at[~vetoed]
    if len(new_row) == 0:
        return rules
    carried = [c for c in ("segment_id", "transcript", "participant", "role", "site", "start", "end", "text")
               if c in segments.columns]
    added = segments[carried].iloc[raw.rows[new_row]].reset_index(drop=True)
    names = np.asarray(model.codes, dtype=object)[new_code]
    added["code"] = names
    added["theme"] = [code_themes[c] for c in names]
    added["negated"] = False
    added["negation_cue"] = ""
    c = raw.counts.tocsr()
    negator = np.array([is_negator(t) for t in raw.tokens], dtype=bool)
    # each sentence's first negation cue among its words (in column order), "" for none
    cue_at = np.flatnonzero(negator[c.indices])
    with_cue, first = np.unique(np.searchsorted(c.indptr, cue_at, side="right") - 1, return_index=True)
    first_cue = np.full(c.shape[0], "", dtype=object)
    first_cue[with_cue] = np.asarray(raw.tokens, dtype=object)[c.indices[cue_at[first]]]
    cues = first_cue[new_row].tolist()
    # a pair whose hint match the check did not keep shows that hint
    dropped = {(int(p), int(k)): m for p, k, m in zip(r_pos[vetoed], r_code[vetoed], matched_before[vetoed])}
    hints = [dropped.get((r, k), "") for r, k in zip(new_row.tolist(), new_code.tolist())]
    added["matched"] = hints
    added["flag_reason"] = [model_reason(p, threshold, cue, h)
                            for p, cue, h in zip(probs[new_row, new_code].tolist(), cues, hints)]
    added["source"] = "suggestion"
    added["status"] = status
    added["score"] = probs[new_row, new_code]
    added["model_words"] = found[n_scored:]
    out = pd.concat([rules, added.reindex(columns=rules.columns)], ignore_index=True)
    order = np.concatenate([at, raw.rows[new_row]])  # each suggestion's row in segments
    return out.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)
