"""Score suggested coding against the hand-coded gold set in ``tests/qual/gold`` (synthetic interviews).

Prints precision, recall and F1 (pooled and per code) and the share of negation flags that are right, for
the interviews written last and never used for tuning (``held_out_5``), then the earlier parts, which were
each blind once and then used for development (``held_out_4``, ``held_out_3``, ``held_out_2``, ``held_out``,
``tune``; see ``tests/qual/gold/README.md``).

Usage: ``python benchmarks/eval_suggestions.py [--split held_out_5|held_out_4|...|tune|all] [--errors]``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from cm_research.qual.codebook import load_codebook
from cm_research.qual.evaluation import errors_table, read_gold, score_suggestions
from cm_research.qual.suggest import suggest_codes
from cm_research.qual.transcripts import read_transcripts

GOLD = Path(__file__).resolve().parents[1] / "tests" / "qual" / "gold"
#: the gold set's parts, the blind one first
SPLITS = ["held_out_5", "held_out_4", "held_out_3", "held_out_2", "held_out", "tune"]


def evaluate(split: str = "held_out", gold_dir: Path = GOLD):
    """(overall, per_code, errors, suggestions) for one split ("held_out_3", "held_out_2", "held_out", "tune"
    or "all")."""
    gold = read_gold(gold_dir / "gold_coding.csv")
    if split != "all":
        gold = gold[gold["split"] == split]
    corpus = read_transcripts(gold_dir / "transcripts", errors="raise")
    segments = corpus.segments("sentence")
    segments = segments[segments["transcript"].isin(set(gold["transcript"]))]
    suggestions = suggest_codes(segments, load_codebook())
    overall, per_code = score_suggestions(suggestions, gold)
    return overall, per_code, errors_table(suggestions, gold), suggestions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", default=None, choices=[*SPLITS, "all"])
    parser.add_argument("--errors", action="store_true", help="list every disagreement")
    args = parser.parse_args(argv)
    pd.set_option("display.width", 200, "display.max_colwidth", 90, "display.max_rows", 500)
    for split in [args.split] if args.split else SPLITS:
        overall, per_code, errors, _ = evaluate(split)
        print(f"== {split}: {overall['n_gold']} coded (sentence, code) pairs; {overall['n_suggested']} counted "
              f"suggestions, {overall['n_flags']} flagged as negated")
        print(f"precision {overall['precision']:.2f}  recall {overall['recall']:.2f}  F1 {overall['f1']:.2f}  "
              f"negation flags right {overall['n_flags_right']} of {overall['n_flags']} "
              f"({overall['negation_accuracy']:.0%})")
        print(per_code.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
        if args.errors:
            print(errors.to_string(index=False))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
