"""Input hashing in a batch: the remembered hash (cached_sha256) against hashing the file for every job.

A national batch names the same extract in every site's job; its hash goes into each job's fingerprint.
Usage: python benchmarks/bench_input_hashes.py [--megabytes 200] [--jobs 150]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from cm_research.batch import provenance


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=150)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        extract = Path(folder) / "national.csv"
        with open(extract, "wb") as handle:
            for _ in range(args.megabytes):
                handle.write(os.urandom(1 << 20))
        parameters = {"data": str(extract)}
        start = time.perf_counter()
        naive = [{str(p): provenance.sha256_file(p) for p in provenance.input_files(parameters)}
                 for _ in range(args.jobs)]
        naive_s = time.perf_counter() - start
        start = time.perf_counter()
        cached = [provenance.input_hashes(parameters) for _ in range(args.jobs)]
        cached_s = time.perf_counter() - start
    assert cached == naive
    print(f"{args.jobs} jobs naming one {args.megabytes} MB extract: hashed every job {naive_s:.2f} s, "
          f"remembered {cached_s:.2f} s ({naive_s / cached_s:.0f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
