"""Train the learned coder's weights that ship in ``cm_research/qual/data/coder_weights.npz``.

Fits :mod:`cm_research.qual.learned` on every interview of the hand-coded gold set (``tests/qual/gold``,
synthetic) except the blind splits (:data:`cm_research.qual.crossval.BLIND_SPLITS`, whose transcripts are not
opened), with the starter codebook; the threshold is chosen by cross-validation by site on the same interviews
(:func:`cm_research.qual.crossval.choose_threshold`). Deterministic: the same gold set gives the same weights.

Usage: ``python benchmarks/train_coder.py [--out PATH]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from cm_research.qual.codebook import load_codebook
from cm_research.qual.crossval import gold_data, train_model
from cm_research.qual.learned import WEIGHTS

GOLD = Path(__file__).resolve().parents[1] / "tests" / "qual" / "gold"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    data = gold_data(GOLD, load_codebook())
    model = train_model(data)
    model.save(args.out)
    print(f"trained on {model.info['sentences']} participant sentences of {len(model.info['sites'])} sites "
          f"({', '.join(model.info['sites'])}); {len(model.stems)} stems; threshold {model.threshold:.2f}, "
          f"check on hint matches (a, c, d, cut) {tuple(round(v, 3) for v in model.check or ())}; "
          f"wrote {args.out} ({args.out.stat().st_size / 1e3:.0f} kB) in {time.perf_counter() - t0:.0f} s")
    hints = model.hint_table()
    print(f"{len(hints)} hints matched in training; the ten least reliable (precision smoothed towards the "
          "pooled one; their matches are kept only where the model's score is high enough):")
    print(hints.head(10).to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
