"""Benchmark: a national comparison extract, read, validated and matched on one machine.

Generates a seeded, synthetic extract shaped like the National Pupil Database (``participants.csv``, one row a
pupil; ``outcomes.csv`` in long form, four rows a pupil: attendance at baseline and after, suspensions and
Attainment 8 after), then, each in a fresh process so that its peak memory is its own:

1. a plain ``pandas.read_csv(dtype=str)`` of both files (the floor: no checking at all);
2. the validated load (``load_evaluation``: every rule of the data dictionary, problems table, quarantine),
   followed by matching the mentored looked-after children against the whole cohort (Mahalanobis on baseline
   attendance and year group, 1:1 without replacement) and the ATT on attendance afterwards with its CI.

It prints wall time, processor time (user + system, every thread: steadier than wall time on a shared machine),
peak memory (RSS, above the imports) and the ratio of the validated load to the plain read. All data are synthetic.

    python benchmarks/bench_national.py                  # 1,000,000 pupils
    python benchmarks/bench_national.py --pupils 200000  # smaller
    python benchmarks/bench_national.py --full           # 8,000,000 pupils (about 2 GB of CSV)
    python benchmarks/bench_national.py --engine python  # the row-by-row reader, for the 'before' figure
    python benchmarks/bench_national.py --quoted         # every cell in quotes, as Excel and SPSS export CSV
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

SITES = [f"Local authority {i:03d}" for i in range(152)]  # England has 152 upper-tier local authorities
#: looked-after children are about 1% of pupils (80,000 of 8 million); one in eight of them is mentored here
LOOKED_AFTER_SHARE, MENTORED_SHARE = 0.01, 0.125


class _PeakRss:
    """Peak resident memory of this process, in MB: the larger of the kernel's high-water mark (``VmHWM``) and
    ``VmRSS`` sampled from /proc every 0.05 s by a thread. (``ru_maxrss`` is not used: Linux carries it over
    ``exec`` from the parent, so a stage started after the extract was generated would inherit that peak.)"""

    def __init__(self) -> None:
        self.peak = 0.0
        threading.Thread(target=self._sample, daemon=True).start()

    @staticmethod
    def now(field: str = "VmRSS") -> float:
        try:
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, self.now())
            time.sleep(0.05)

    def __call__(self) -> float:
        self.peak = max(self.peak, self.now(), self.now("VmHWM"))
        return self.peak


_rss_mb = _PeakRss()


def generate(folder: Path, pupils: int, seed: int = 2025, quoted: bool = False) -> None:
    """Write a synthetic NPD-shaped ``participants.csv`` and ``outcomes.csv`` of ``pupils`` pupils to ``folder``
    (with ``quoted``, every cell in quotes)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ids = np.char.add("NPD-", np.char.zfill(np.arange(pupils).astype(str), 8))
    year = rng.integers(0, 14, pupils)
    stage = np.select([year == 0, year <= 2, year <= 6, year <= 9, year <= 11], ["EYFS", "KS1", "KS2", "KS3", "KS4"],
                      "Post-16")
    looked_after = rng.random(pupils) < LOOKED_AFTER_SHARE
    mentored = looked_after & (rng.random(pupils) < MENTORED_SHARE)
    status = np.where(looked_after, "looked_after",
                      rng.choice(["child_in_need", "previously_looked_after", "care_leaver"], pupils, p=[.9, .07, .03]))
    participants = pa.table({
        "participant_id": ids,
        "site": np.asarray(SITES)[rng.integers(0, len(SITES), pupils)],
        "cohort": np.asarray(["2021/22", "2022/23", "2023/24"])[rng.integers(0, 3, pupils)],
        "year_group": year.astype(str),
        "education_stage": stage,
        "care_status": status,
        "group": np.where(mentored, "mentored", "comparison"),
        "start_date": np.where(mentored, "15/09/2023", ""),
    })
    baseline = np.clip(rng.normal(93, 6, pupils) - 5 * looked_after, 0, 100).round(1)
    after = np.clip(baseline + rng.normal(0, 3, pupils) + 2.0 * mentored, 0, 100).round(1)
    suspensions = rng.poisson(0.2 + 0.5 * looked_after)
    attainment = np.clip(rng.normal(46, 18, pupils) - 15 * looked_after + 3 * mentored, 0, 90).round(1)
    long_ids = np.repeat(ids, 4)
    outcomes = pa.table({
        "participant_id": long_ids,
        "measure": np.tile(["attendance_pct", "attendance_pct", "suspensions", "attainment8"], pupils),
        "timepoint": np.tile(["baseline", "post", "post", "post"], pupils),
        "date": np.tile(["31/07/2023", "31/07/2024", "31/07/2024", "31/07/2024"], pupils),
        "value": np.column_stack([baseline, after, suspensions, attainment]).ravel().astype(str),
    })
    options = pacsv.WriteOptions(quoting_style="all_valid" if quoted else "none")
    pacsv.write_csv(participants, folder / "participants.csv", options)
    pacsv.write_csv(outcomes, folder / "outcomes.csv", options)


def _cpu() -> float:
    """Processor time of this process so far (user + system, every thread), in seconds."""
    times = os.times()
    return times.user + times.system


def stage_plain(folder: Path) -> dict:
    """The floor: both files read as text, nothing checked."""
    before = _rss_mb()
    start, cpu = time.perf_counter(), _cpu()
    tables = [pd.read_csv(folder / f"{name}.csv", dtype=str) for name in ("participants", "outcomes")]
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "cpu_seconds": _cpu() - cpu, "rss_mb": _rss_mb() - before,
            "rows": sum(len(t) for t in tables)}


def stage_validated(folder: Path, engine: str) -> dict:
    """Validated load, then matching of the mentored looked-after children and the ATT on attendance."""
    from cm_research.data import load_evaluation
    from cm_research.stats.matching import match_groups, matched_effect

    before = _rss_mb()
    start, cpu = time.perf_counter(), _cpu()
    evaluation = load_evaluation(folder, engine=engine)
    load_seconds, load_cpu = time.perf_counter() - start, _cpu() - cpu
    load_rss = _rss_mb() - before
    n_problems = len(evaluation.problems)
    start, cpu = time.perf_counter(), _cpu()
    people = evaluation.participants.data
    people = people[(people["care_status"] == "looked_after") | (people["group"] == "comparison")]
    outcomes = evaluation.outcomes.data
    attendance = outcomes[outcomes["measure"] == "attendance_pct"].pivot_table(
        index="participant_id", columns="timepoint", values="value", aggfunc="first")
    wide = people[["participant_id", "group", "year_group"]].join(attendance, on="participant_id").dropna()
    wide = wide.astype({"year_group": float, "baseline": float, "post": float})
    matching = match_groups(wide, ["baseline", "year_group"], warn=False)
    att = matched_effect(matching, "post").iloc[0]
    match_seconds, match_cpu = time.perf_counter() - start, _cpu() - cpu
    return {"load_seconds": load_seconds, "load_cpu_seconds": load_cpu, "load_rss_mb": load_rss, "problems": n_problems,
            "match_seconds": match_seconds, "match_cpu_seconds": match_cpu, "rss_mb": _rss_mb() - before,
            "treated": int((wide["group"] == "mentored").sum()), "comparison": int((wide["group"] == "comparison").sum()),
            "att": float(att["estimate"]), "ci_low": float(att["ci_low"]), "ci_high": float(att["ci_high"])}


def _run_stage(stage: str, folder: Path, engine: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--stage", stage, "--folder", str(folder), "--engine", engine],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pupils", type=int, default=1_000_000)
    parser.add_argument("--full", action="store_true", help="8,000,000 pupils (all pupils in England)")
    parser.add_argument("--folder", type=Path, default=None, help="where the extract is written (kept for reuse)")
    parser.add_argument("--engine", default="auto", choices=["auto", "python", "columnar"])
    parser.add_argument("--quoted", action="store_true", help="every cell in quotes (Excel / SPSS export)")
    parser.add_argument("--stage", choices=["plain", "validated"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage:
        result = stage_plain(args.folder) if args.stage == "plain" else stage_validated(args.folder, args.engine)
        print(json.dumps(result))
        return
    pupils = 8_000_000 if args.full else args.pupils
    folder = args.folder or Path(f"/tmp/cm_research_national_{pupils}{'_quoted' if args.quoted else ''}")
    if not (folder / "outcomes.csv").exists():
        start = time.perf_counter()
        generate(folder, pupils, quoted=args.quoted)
        print(f"generated {pupils:,} synthetic pupils in {time.perf_counter() - start:.1f} s -> {folder}")
    size_mb = sum((folder / f"{n}.csv").stat().st_size for n in ("participants", "outcomes")) / 1e6
    plain = _run_stage("plain", folder, args.engine)
    checked = _run_stage("validated", folder, args.engine)
    ratio = checked["load_seconds"] / plain["seconds"]
    print(f"pupils: {pupils:,}; CSV files: {size_mb:,.0f} MB{' (every cell quoted)' if args.quoted else ''}; "
          f"rows: {plain['rows']:,}; engine: {args.engine}")
    print(f"plain pandas.read_csv(dtype=str): {plain['seconds']:.1f} s (processor {plain['cpu_seconds']:.1f} s), "
          f"{plain['rss_mb']:,.0f} MB")
    print(f"validated load: {checked['load_seconds']:.1f} s ({ratio:.1f}x the plain read; processor "
          f"{checked['load_cpu_seconds']:.1f} s, {checked['load_cpu_seconds'] / plain['cpu_seconds']:.1f}x), "
          f"{checked['load_rss_mb']:,.0f} MB ({checked['load_rss_mb'] / size_mb:.1f}x the files); "
          f"{checked['problems']:,} problems")
    print(f"matching {checked['treated']:,} mentored looked-after children against {checked['comparison']:,}: "
          f"{checked['match_seconds']:.1f} s (processor {checked['match_cpu_seconds']:.1f} s); ATT on attendance {checked['att']:.2f} "
          f"(95% CI {checked['ci_low']:.2f} to {checked['ci_high']:.2f})")
    total = checked["load_seconds"] + checked["match_seconds"]
    cpu = checked["load_cpu_seconds"] + checked["match_cpu_seconds"]
    print(f"end to end (load + match + ATT): {total:.1f} s (processor {cpu:.1f} s), "
          f"peak {checked['rss_mb']:,.0f} MB above the imports")


if __name__ == "__main__":
    main()
