"""Run the behavioural cases of ``tests/qual/behaviour/cases.csv`` through the suggested coder and print the
failure rate per behaviour (:mod:`cm_research.qual.behaviour`), for the hybrid coder (the shipped model) and
the hint rules alone, and, with ``--failures``, every failing case with the words that matched and the reason.

Usage: ``python benchmarks/eval_behaviour.py [--failures] [--rules]``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from cm_research.qual.behaviour import failure_table, read_cases, run_cases
from cm_research.qual.codebook import load_codebook

CASES = Path(__file__).resolve().parents[1] / "tests" / "qual" / "behaviour" / "cases.csv"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--failures", action="store_true", help="list every failing case")
    parser.add_argument("--rules", action="store_true", help="the hint rules alone (no learned model)")
    args = parser.parse_args(argv)
    codebook = load_codebook()
    cases = read_cases(CASES, codebook)
    tables = {}
    for name, model in ([("rules", None)] if args.rules else [("hybrid", "auto"), ("rules", None)]):
        results, _ = run_cases(cases, codebook, model=model)
        tables[name] = failure_table(results)
        if args.failures:
            bad = results[~results["ok"]]
            print(f"\n{name}: {len(bad)} failing cases")
            with pd.option_context("display.max_colwidth", 80, "display.width", 250):
                print(bad[["id", "code", "expect", "got", "matched", "model_words", "flag_reason", "text"]]
                      .to_string(index=False))
    table = tables[next(iter(tables))][["behaviour", "cases"]]
    for name, t in tables.items():
        table[f"{name} failed"] = t["failed"].to_numpy()
        table[f"{name} failure rate"] = t["failure_rate"].round(2).to_numpy()
    print()
    print(table.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
