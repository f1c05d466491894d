"""A national batch, end to end: N synthetic sites (150 Virtual Schools by default) x (01, 02, 06).

Generates the sites' synthetic data (seeded), writes a batch.yaml, runs `cm-research batch --jobs J` as a child
process and prints its wall time, the CPU time of the whole process tree (coordinator, workers, kernel templates and
every notebook kernel; collected as each ends), and peak memory: the largest single process (max RSS) and the
largest total of the tree sampled every half second, as proportional set size (PSS: a page shared by a template
and its forked kernels counts once, split between them) and as the plain sum of RSS (which counts it in each).
The machine's load average is printed too: on a shared machine the figures are slower than on an idle one.

    .venv/bin/python benchmarks/bench_national_batch.py [--sites 150] [--jobs 2] [--kernels forked|ordinary]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

from cm_research.datasets.synthetic import SiteSpec, generate_site

BIN = Path(sys.executable).parent
NOTEBOOKS = ["01_data_quality", "02_outcomes", "06_site_report"]


def make_sites(root: Path, n: int) -> list[dict]:
    sites = []
    for i in range(n):
        spec = SiteSpec(f"la{i:03d}", f"Local authority {i:03d}", f"L{i:03d}", 60, "creative_mentoring", 0.5)
        folder = root / "data" / spec.slug
        folder.mkdir(parents=True)
        for table, frame in generate_site(spec, seed=5000 + i).items():
            frame.to_csv(folder / f"{table}.csv", index=False)
        sites.append({"site": spec.site, "data_dir": str(folder)})
    return sites


def tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [pid], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def memory_kib(pids: list[int]) -> tuple[int, int]:
    """(total PSS, total RSS) of ``pids`` in KiB."""
    pss = rss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1])
        except OSError:
            continue
    return pss, rss


def measure_national(n_sites: int, jobs: int = 2, kernels: str = "forked") -> dict:
    """Run the national batch; return its figures (seconds, KiB, counts)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sites = make_sites(root, n_sites)
        batch = root / "batch.yaml"
        batch.write_text(yaml.safe_dump({"run": "national", "notebooks": NOTEBOOKS, "sites": sites}))
        env = {**os.environ, "CM_RESEARCH_KERNELS": kernels}
        start = time.perf_counter()
        proc = subprocess.Popen([str(BIN / "cm-research"), "batch", str(batch), "--output", str(root / "run"),
                                 "--jobs", str(jobs)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        peak = [0, 0]
        loads: list[float] = []

        def sample() -> None:
            while proc.poll() is None:
                pss, rss = memory_kib(tree(proc.pid))
                peak[0], peak[1] = max(peak[0], pss), max(peak[1], rss)
                loads.append(os.getloadavg()[0])
                time.sleep(0.5)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        stderr = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        sampler.join(timeout=2)
        failed = stderr.decode(errors="replace").count("FAILED")
        reports = len(list((root / "run").glob("*/*.html")))
    return {"sites": n_sites, "pairs": n_sites * len(NOTEBOOKS), "jobs": jobs, "kernels": kernels,
            "exit": os.waitstatus_to_exitcode(status), "failed": failed, "reports": reports, "wall": wall,
            "user": usage.ru_utime, "system": usage.ru_stime, "cpu": usage.ru_utime + usage.ru_stime,
            "max_rss_kib": usage.ru_maxrss, "tree_pss_kib": peak[0], "tree_rss_kib": peak[1], "loads": loads}


def national_lines(m: dict) -> list[str]:
    """The national batch's figures as lines to print."""
    pairs, wall, cpu = m["pairs"], m["wall"], m["cpu"]
    lines = [f"national batch: {m['sites']} sites x {len(NOTEBOOKS)} notebooks = {pairs} pairs, --jobs {m['jobs']}, "
             f"{m['kernels']} kernels; exit status {m['exit']}, {m['failed']} failed, {m['reports']} HTML reports",
             f"  wall time:  {wall:8.1f} s  ({round(wall) // 60} min {round(wall) % 60:02d} s; {wall / pairs:.2f} s per pair)",
             f"  CPU time:   {cpu:8.1f} s  (user {m['user']:.1f} s, system {m['system']:.1f} s; "
             f"{cpu / pairs:.2f} s per pair; CPU/wall {cpu / wall:.2f} of {m['jobs']} workers' cores)",
             f"  peak memory: largest process {m['max_rss_kib'] / 1024:.0f} MiB; whole tree "
             f"{m['tree_pss_kib'] / 1024:.0f} MiB PSS ({m['tree_rss_kib'] / 1024:.0f} MiB summed RSS)"]
    if m["loads"]:
        lines.append(f"  load average during the run: mean {sum(m['loads']) / len(m['loads']):.2f}, "
                     f"max {max(m['loads']):.2f}")
    return lines


def run_national(n_sites: int, jobs: int = 2, kernels: str = "forked") -> list[str]:
    """Run the national batch; return the lines to print."""
    return national_lines(measure_national(n_sites, jobs, kernels))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=150)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--kernels", choices=("forked", "ordinary"), default="forked")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; load average at start {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}",
          flush=True)
    print("\n".join(run_national(args.sites, args.jobs, args.kernels)))


if __name__ == "__main__":
    main()
