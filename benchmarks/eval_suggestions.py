"""Score suggested coding against the hand-coded gold set in ``tests/qual/gold`` (synthetic interviews).

Prints precision, recall and F1 (pooled and per code) and the share of negation flags that are right.

* ``--cv site`` (the honest figure for the learned coder): leave-one-site-out cross-validation over every
  split but the blind ones (:data:`cm_research.qual.crossval.BLIND_SPLITS`): each site's four interviews are
  predicted by a model fitted, and its threshold chosen, on the other sites only
  (:mod:`cm_research.qual.crossval`); printed for the rule coder alone and for the hybrid (rules + model),
  with the model's suggestions on their own. The rule coder's hints were tuned on all six first sites, so
  its figures here are not blind; the model's part is.
* ``--split S``: the suggestions of :func:`cm_research.qual.suggest.suggest_codes` (the shipped model, or with
  ``--rules`` the hints alone) on one split. The shipped model was trained on every split except the blind
  ones, so only a blind split (``held_out_10``) measures it honestly; the earlier splits were each blind to
  the rule coder once (``tests/qual/gold/README.md``).

* ``--second-coder``: a second person's independent coding of ``held_out_6``, scored against the gold coding
  in the same way: how far two people agree on these interviews.

Usage: ``python benchmarks/eval_suggestions.py [--cv site | --split held_out_10|held_out_9|...|tune|all]
[--rules] [--errors] [--second-coder] [--jobs N] [--groups N]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from cm_research.qual.codebook import load_codebook
from cm_research.qual.evaluation import errors_table, gold_pairs, read_gold, score_suggestions
from cm_research.qual.suggest import suggest_codes
from cm_research.qual.transcripts import read_transcripts

GOLD = Path(__file__).resolve().parents[1] / "tests" / "qual" / "gold"
#: the gold set's parts, the one written last first
SPLITS = ["held_out_10", "held_out_9", "held_out_8", "held_out_7", "held_out_6", "held_out_5", "held_out_4",
          "held_out_3", "held_out_2", "held_out", "tune", "tune_2", "tune_3", "tune_4", "tune_5", "tune_6", "tune_7",
          "tune_8", "tune_9", "tune_10", "tune_11", "tune_12", "tune_13"]
#: a second person's independent coding of held_out_6, scored against the first as if it were suggestions:
#: how far two people agree on these interviews, the ceiling a coder can be expected to reach
SECOND_CODER = GOLD / "second_coder_held_out_6.csv"


def evaluate(split: str = "held_out", gold_dir: Path = GOLD, rules_only: bool = False):
    """(overall, per_code, errors, suggestions) for one split (or "all": every split but the blind ones, which are
    scored only when named)."""
    from cm_research.qual.crossval import BLIND_SPLITS

    gold = read_gold(gold_dir / "gold_coding.csv")
    if split == "all":
        gold = gold[~gold["split"].isin(BLIND_SPLITS)]
    else:
        if split not in set(gold["split"]):
            have = ", ".join(sorted(set(gold["split"])))
            raise SystemExit(f"gold_coding.csv has no split {split!r} (it has: {have})")
        gold = gold[gold["split"] == split]
    files = [gold_dir / "transcripts" / f"{t}.txt" for t in sorted(set(gold["transcript"]))]
    segments = read_transcripts(files, errors="raise").segments("sentence")
    suggestions = suggest_codes(segments, load_codebook(), model=None if rules_only else "auto")
    overall, per_code = score_suggestions(suggestions, gold)
    return overall, per_code, errors_table(suggestions, gold), suggestions


def second_coder_agreement(gold_dir: Path = GOLD) -> tuple[dict, pd.DataFrame]:
    """(overall, per_code) of the second person's coding of held_out_6 against the gold coding of it."""
    second = read_gold(SECOND_CODER if gold_dir == GOLD else gold_dir / SECOND_CODER.name)
    gold = read_gold(gold_dir / "gold_coding.csv")
    gold = gold[gold["split"].isin(set(second["split"]))]
    if sorted(second["segment_id"]) != sorted(gold["segment_id"]):
        raise SystemExit(f"{SECOND_CODER.name} does not judge the same sentences as gold_coding.csv")
    pairs = pd.DataFrame(sorted(gold_pairs(second)), columns=["segment_id", "code"]).assign(negated=False)
    return score_suggestions(pairs, gold)


def _print(title: str, overall: dict, per_code: pd.DataFrame | None, errors: pd.DataFrame | None = None) -> None:
    print(f"== {title}: {overall['n_gold']} coded (sentence, code) pairs; {overall['n_suggested']} counted "
          f"suggestions, {overall['n_flags']} flagged as negated")
    print(f"precision {overall['precision']:.2f}  recall {overall['recall']:.2f}  F1 {overall['f1']:.2f}  "
          f"negation flags right {overall['n_flags_right']} of {overall['n_flags']} "
          f"({overall['negation_accuracy']:.0%})")
    if per_code is not None:
        print(per_code.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    if errors is not None:
        print(errors.to_string(index=False))
    print()


def cross_validate_by_site(show_errors: bool = False, jobs: int = 1, groups: int | None = None) -> dict:
    """Print and return the leave-one-site-out figures of the rule coder alone and of the hybrid (with
    ``groups``, leaving out one of that many groups of sites at a time instead, each fold's figures printed
    too)."""
    from cm_research.qual.crossval import cross_validate, fresh_to_rules, gold_data

    t0 = time.perf_counter()
    data = gold_data(GOLD, load_codebook())
    sites = sorted(set(data.sites))
    print(f"cross-validation by site: {len(sites)} sites ({', '.join(sites)}), {len(data.y)} participant "
          f"sentences of {data.gold['transcript'].nunique()} interviews; splits "
          f"{', '.join(sorted(set(data.gold['split'])))}\n")
    rules, rules_per_code, rule_suggestions = cross_validate(data, rule_only=True)
    _print("rule coder alone (its hints were tuned on the first six sites: not blind)", rules, rules_per_code,
           errors_table(rule_suggestions, data.gold) if show_errors else None)
    hybrid, per_code, pooled = cross_validate(data, jobs=jobs, n_folds=groups)
    _print("hybrid, rules + model (model fitted and thresholded without the left-out site)", hybrid, per_code,
           errors_table(pooled, data.gold) if show_errors else None)
    fresh = fresh_to_rules(data.gold)
    if fresh.any() and not fresh.all():
        splits = ", ".join(sorted(set(data.gold.loc[fresh, "split"])))
        for label, part in ((f"the sites of {splits} (the hints were never tuned on them)",
                             data.gold[fresh]),
                            ("the first six sites (the hints were tuned on them)", data.gold[~fresh])):
            r, _ = score_suggestions(rule_suggestions, part)
            h, _ = score_suggestions(pooled, part)
            print(f"on {label}: {h['n_gold']} coded pairs; hybrid precision {h['precision']:.2f} recall "
                  f"{h['recall']:.2f} F1 {h['f1']:.2f}; rules alone {r['precision']:.2f} {r['recall']:.2f} "
                  f"{r['f1']:.2f}")
    if groups:
        site_of = data.segments.drop_duplicates("transcript").set_index("transcript")["site"]
        for fold in sorted(set(pooled["fold"])):
            part = data.gold[data.gold["transcript"].map(site_of).isin(fold.split(", "))]
            h, _ = score_suggestions(pooled, part)
            print(f"fold {fold}: {h['n_gold']} coded pairs; hybrid precision {h['precision']:.3f} recall "
                  f"{h['recall']:.3f} F1 {h['f1']:.3f}")
    m = hybrid["model_only"]
    print(f"model's suggestions on their own: precision {m['precision']:.2f}  recall {m['recall']:.2f}  "
          f"F1 {m['f1']:.2f}")
    print("threshold / cut of the check on hint matches chosen in each fold: "
          + ", ".join(f"{s} {t:.2f}/{c[3] if c else 0:.2f}" for s, (t, c) in hybrid["thresholds"].items()))
    print(f"({time.perf_counter() - t0:.0f} s)")
    return {"rules": rules, "hybrid": hybrid}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cv", choices=["site"], help="cross-validation by site (the honest figure)")
    parser.add_argument("--split", default=None, help=f"one of {', '.join(SPLITS)} or all")
    parser.add_argument("--jobs", type=int, default=1, help="with --cv: folds run in this many processes")
    parser.add_argument("--groups", type=int, default=None,
                        help="with --cv: leave out one of this many groups of sites at a time (quicker)")
    parser.add_argument("--rules", action="store_true", help="the hint rules alone, without the learned model")
    parser.add_argument("--errors", action="store_true", help="list every disagreement")
    parser.add_argument("--second-coder", action="store_true",
                        help="how far a second person's independent coding of held_out_6 agrees with the gold coding")
    args = parser.parse_args(argv)
    pd.set_option("display.width", 200, "display.max_colwidth", 90, "display.max_rows", 500)
    if args.cv:
        cross_validate_by_site(args.errors, args.jobs, args.groups)
        return 0
    if args.second_coder:
        overall, per_code = second_coder_agreement()
        _print("a second person's coding of held_out_6 against the gold coding", overall, per_code)
        return 0
    present = set(read_gold(GOLD / "gold_coding.csv")["split"])
    # a blind split is measured once, by name (``--split held_out_10``), never as part of a run over every split
    from cm_research.qual.crossval import BLIND_SPLITS

    for split in [args.split] if args.split else [s for s in SPLITS if s in present and s not in BLIND_SPLITS]:
        overall, per_code, errors, _ = evaluate(split, rules_only=args.rules)
        _print(split + (" (rules alone)" if args.rules else ""), overall, per_code, errors if args.errors else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
