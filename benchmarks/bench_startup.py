"""Start-up time of the command line: `cm-research --help` and `cm-research validate` of a 100-row participants
file, each against a bare `python -c pass` in the same environment (the target: under 0.5 s above it).

Each command runs ``--repeat`` times in a fresh process; the median wall time is reported, then the time above
bare Python and the ratio to it. The 100-row file is synthetic (the generator's seeded demo site).

    .venv/bin/python benchmarks/bench_startup.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
TARGET_ABOVE_PYTHON = 0.5  # seconds


def hundred_rows(folder: Path) -> Path:
    """A synthetic participants file of exactly 100 valid rows."""
    from cm_research.datasets.synthetic import DEMO_SEED, SiteSpec, generate_site

    spec = SiteSpec("bench", "Benchshire", "BE", 100, "creative_mentoring", 0.5)
    path = folder / "participants.csv"
    generate_site(spec, seed=DEMO_SEED)["participants"].head(100).to_csv(path, index=False)
    return path


def median_seconds(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = hundred_rows(Path(tmp))
        cli = [str(BIN / "python"), "-m", "cm_research.cli"]
        commands = {
            "python -c pass": [str(BIN / "python"), "-c", "pass"],
            "cm-research --help": [*cli, "--help"],
            "cm-research validate (100 rows)": [*cli, "validate", str(data), "--table", "participants"],
        }
        base = None
        print(f"{'command':34} {'median s':>9} {'above python':>13} {'ratio':>6}")
        for name, command in commands.items():
            seconds = median_seconds(command, args.repeat)
            base = seconds if base is None else base
            above = seconds - base
            flag = "" if name.startswith("python") or above < TARGET_ABOVE_PYTHON else "  (over the 0.5 s target)"
            print(f"{name:34} {seconds:9.3f} {above:13.3f} {seconds / base:6.1f}{flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
