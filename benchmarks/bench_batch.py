"""Time 24 site runs of the outcomes notebook: a shell loop of the papermill CLI vs `cm-research batch --jobs 2`,
with kernels forked from the warm template (the default) and with ordinary kernels (the "before").

All run in this process's environment on the same synthetic data. The batch also renders HTML and
hashes inputs (work the plain loop does not do), so the ratio is conservative. Also reports the
per-notebook overhead on a trivial parameterised notebook whose one cell imports the whole stack:
the papermill CLI, one notebook after another in one process with ordinary kernels, and with forked kernels.
The machine's load average is printed with the figures: on a shared machine they are slower than on an idle one.

One command, one run, prints the issue's three figures with absolute times and ratios: the per-notebook overhead
(forked kernels vs the papermill CLI; target <= 0.5 s), the 24-site batch (forked and ordinary kernels vs the
sequential papermill CLI loop; target >= 4x), and the national batch of benchmarks/bench_national_batch.py (150
sites x 01, 02, 06: wall time, CPU time, peak memory). About 12 minutes on an idle 2-core machine:

    .venv/bin/python benchmarks/bench_batch.py [--sites 24] [--jobs 2] [--national 150]
    .venv/bin/python benchmarks/bench_batch.py --quick      # a smoke run (4 sites, national 3 sites): ~2 min
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import yaml

from cm_research.batch import NOTEBOOKS_DIR
from cm_research.datasets.synthetic import SiteSpec, generate_site

BIN = Path(sys.executable).parent


def make_sites(root: Path, n: int) -> list[tuple[str, Path]]:
    sites = []
    for i in range(n):
        spec = SiteSpec(f"site{i:02d}", f"Site {i:02d}", f"S{i:02d}", 60, "creative_mentoring", 0.5)
        folder = root / "data" / spec.slug
        folder.mkdir(parents=True)
        for table, frame in generate_site(spec, seed=1000 + i).items():
            frame.to_csv(folder / f"{table}.csv", index=False)
        sites.append((spec.site, folder))
    return sites


def papermill_loop(sites, root: Path) -> float:
    start = time.perf_counter()
    for site, folder in sites:
        out = root / "loop" / folder.name
        out.mkdir(parents=True)
        subprocess.run([str(BIN / "papermill"), str(NOTEBOOKS_DIR / "02_outcomes.ipynb"), str(out / "02_outcomes.ipynb"),
                        "-p", "data_dir", str(folder), "-p", "site", site, "-p", "output_dir", str(out),
                        "-p", "n_boot", "500", "--no-progress-bar", "--log-level", "ERROR"],
                       check=True, capture_output=True)
    return time.perf_counter() - start


def our_batch(sites, root: Path, jobs: int, kernels: str = "forked") -> float:
    batch = {"run": "bench", "notebooks": ["02_outcomes"], "parameters": {"n_boot": 500},
             "sites": [{"site": site, "data_dir": str(folder)} for site, folder in sites]}
    path = root / "batch.yaml"
    path.write_text(yaml.safe_dump(batch))
    env = {**os.environ, "CM_RESEARCH_KERNELS": kernels}
    start = time.perf_counter()
    subprocess.run([str(BIN / "cm-research"), "batch", str(path), "--output", str(root / f"batch-{kernels}"),
                    "--jobs", str(jobs)], check=True, capture_output=True, env=env)
    return time.perf_counter() - start


IMPORT_CELL = ("import numpy, pandas, scipy.stats, statsmodels.api, pingouin, seaborn, nltk\n"
               "import matplotlib.pyplot as plt\n"
               "import cm_research.report.outcomes, cm_research.quality, cm_research.qual, cm_research.privacy\n"
               "print(x)")


def overhead(root: Path, repeat: int = 5) -> dict[str, float]:
    """Seconds per run of a trivial parameterised notebook whose cell imports the whole stack."""
    from cm_research.batch import run_notebook
    from cm_research.batch.kernel import fork_server, stop_fork_server

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 0", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(IMPORT_CELL)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = root / "imports.ipynb"
    nbformat.write(nb, path)
    times = {}
    start = time.perf_counter()
    for i in range(repeat):
        subprocess.run([str(BIN / "papermill"), str(path), str(root / "cli.ipynb"), "-p", "x", str(i),
                        "--no-progress-bar", "--log-level", "ERROR"], check=True, capture_output=True)
    times["papermill CLI"] = (time.perf_counter() - start) / repeat
    os.environ["CM_RESEARCH_KERNELS"] = "ordinary"
    start = time.perf_counter()
    for i in range(repeat):
        run_notebook(path, root / "ordinary.ipynb", {"x": i}, html=False)
    times["one process, ordinary kernels"] = (time.perf_counter() - start) / repeat
    del os.environ["CM_RESEARCH_KERNELS"]
    start = time.perf_counter()
    fork_server()
    times["kernel template start (once per worker)"] = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(repeat):
        run_notebook(path, root / "forked.ipynb", {"x": i}, html=False)
    times["one process, forked kernels"] = (time.perf_counter() - start) / repeat
    stop_fork_server()
    return times


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description="The batch benchmark, in one run: per-notebook overhead, "
                                     "N sites x 02_outcomes, and the national batch.")
    parser.add_argument("--sites", type=int, default=24)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--national", type=int, default=150, metavar="N",
                        help="sites in the national batch (150, the default, for the full one; 0 to skip it)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of the trivial notebook per way of running it")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 4 sites, 2 repeats, a national batch of 3 sites (figures not meaningful)")
    args = parser.parse_args()
    if args.quick:
        args.sites, args.repeat, args.national = 4, 2, min(args.national, 3)
    print(f"{os.cpu_count()} cores; at start: {load()}", flush=True)
    loads = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sites = make_sites(root, args.sites)
        times = overhead(root, args.repeat)
        loads["overhead"] = load()
        cli, forked_nb = times["papermill CLI"], times["one process, forked kernels"]
        print(f"1. per-notebook time, trivial parameterised notebook importing the whole stack "
              f"(mean of {args.repeat}; {loads['overhead']}):")
        for what, seconds in times.items():
            ratio = "" if what.startswith(("kernel template", "papermill")) else f"  ({cli / seconds:.1f}x the CLI's speed)"
            print(f"  {what + ':':42s} {seconds:6.2f} s{ratio}")
        print(flush=True)
        loop = papermill_loop(sites, root)
        ordinary = our_batch(sites, root, args.jobs, "ordinary")
        forked = our_batch(sites, root, args.jobs, "forked")
        loads["batch"] = load()
    print(f"2. {args.sites} site runs of 02_outcomes ({loads['batch']}):")
    print(f"  papermill CLI, shell loop, one after another:        {loop:7.1f} s  ({loop / args.sites:.2f} s/site)")
    for name, took in (("ordinary kernels", ordinary), ("forked kernels", forked)):
        print(f"  cm-research batch --jobs {args.jobs}, {name + ' (+HTML, hashes):':32s}"
              f"{took:7.1f} s  ({took / args.sites:.2f} s/site)  ratio {loop / took:.2f}x")
    print(f"  forked vs ordinary kernels, same batch: {ordinary / forked:.2f}x\n", flush=True)
    national = None
    if args.national:
        sys.path.insert(0, str(Path(__file__).parent))
        from bench_national_batch import measure_national, national_lines

        national = measure_national(args.national, args.jobs)
        print("3. " + "\n".join(national_lines(national)), flush=True)
    print(f"\nsummary, measured in this one run ({os.cpu_count()} cores; at end: {load()}):")
    print(f"  per-notebook overhead: {forked_nb:.2f} s forked vs {cli:.2f} s papermill CLI ({cli / forked_nb:.1f}x); "
          f"target <= 0.5 s: {verdict(forked_nb <= 0.5)}")
    print(f"  {args.sites} sites x 02_outcomes: forked batch {forked:.1f} s vs sequential papermill CLI loop {loop:.1f} s "
          f"({loop / forked:.1f}x; ordinary batch {ordinary:.1f} s, {loop / ordinary:.1f}x); target >= 4x: "
          f"{verdict(loop / forked >= 4)}")
    if national:
        pairs, wall = national["pairs"], national["wall"]
        floor = pairs * cli  # what a papermill CLI loop would pay in per-notebook overhead alone
        print(f"  national {national['sites']} sites x 3 = {pairs} pairs: {national['failed']} failed, wall "
              f"{wall:.0f} s ({round(wall) // 60} min {round(wall) % 60:02d} s, {wall / pairs:.2f} s a pair), CPU "
              f"{national['cpu']:.0f} s, peak {national['tree_pss_kib'] / 1024 ** 2:.2f} GiB PSS for the whole tree; "
              f"{floor / wall:.1f}x faster than the papermill CLI's per-notebook overhead alone "
              f"({pairs} x {cli:.2f} s = {round(floor / 60)} min)")
    if args.quick:
        print("  (--quick: a smoke run; these figures are not the benchmark's)")


if __name__ == "__main__":
    main()
