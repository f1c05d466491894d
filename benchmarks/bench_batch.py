"""Time 24 site runs of the outcomes notebook: a shell loop of the papermill CLI vs `cm-research batch --jobs 2`.

Both run in this process's environment on the same synthetic data. The batch also renders HTML and
hashes inputs (work the plain loop does not do), so the ratio is conservative. Also reports the
per-notebook overhead: starting a kernel, and importing the stack.

    .venv/bin/python benchmarks/bench_batch.py [--sites 24] [--jobs 2]
"""

from __future__ import annotations

import argparse
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


def our_batch(sites, root: Path, jobs: int) -> float:
    batch = {"run": "bench", "notebooks": ["02_outcomes"], "parameters": {"n_boot": 500},
             "sites": [{"site": site, "data_dir": str(folder)} for site, folder in sites]}
    path = root / "batch.yaml"
    path.write_text(yaml.safe_dump(batch))
    start = time.perf_counter()
    subprocess.run([str(BIN / "cm-research"), "batch", str(path), "--output", str(root / "batch"), "--jobs", str(jobs)],
                   check=True, capture_output=True)
    return time.perf_counter() - start


def overhead(root: Path) -> tuple[float, float]:
    """Seconds to run an empty notebook (kernel start + papermill) and one that only imports the stack."""
    from cm_research.batch import run_notebook

    times = []
    for name, source in (("empty", "x = 1"), ("imports", "import cm_research.report.outcomes, cm_research.quality")):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("output_dir = None", metadata={"tags": ["parameters"]}),
                    nbformat.v4.new_code_cell(source)]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        path = root / f"{name}.ipynb"
        nbformat.write(nb, path)
        start = time.perf_counter()
        for _ in range(3):
            run_notebook(path, root / f"{name}.out.ipynb", {}, html=False)
        times.append((time.perf_counter() - start) / 3)
    return times[0], times[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=24)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sites = make_sites(root, args.sites)
        kernel, imports = overhead(root)
        loop = papermill_loop(sites, root)
        ours = our_batch(sites, root, args.jobs)
    print(f"{args.sites} site runs of 02_outcomes")
    print(f"  papermill CLI, shell loop, one after another: {loop:7.1f} s  ({loop / args.sites:.2f} s/site)")
    print(f"  cm-research batch --jobs {args.jobs} (+HTML, hashes):  {ours:7.1f} s  ({ours / args.sites:.2f} s/site)")
    print(f"  ratio: {loop / ours:.2f}x")
    print(f"per-notebook overhead: kernel start + papermill {kernel:.2f} s; + importing the stack {imports - kernel:.2f} s")


if __name__ == "__main__":
    main()
