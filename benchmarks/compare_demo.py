"""Compare two demo outputs file by file: tables and figure data byte for byte, the rest after naming what varies.

Used to show that a refactoring changes no behaviour::

    cm-research demo --output /tmp/demo-before
    # … change the code …
    cm-research demo --output /tmp/demo-after
    python benchmarks/compare_demo.py /tmp/demo-before /tmp/demo-after

The demo writes a published run to ``OUT`` and the internal case study to ``OUT-internal``; both are compared when
both exist. Every ``.csv`` (results tables and the data behind each figure) and every ``.txt``/``.md`` must be
byte-identical. The files below carry run-specific values and are compared after those values are blanked:

- ``.json`` (manifests, job records, disclosure records): timestamps, durations, absolute paths, process ids,
  hostnames, versions and the git commit of the run;
- ``.html`` and ``.ipynb``: the output folder's path, per-run staging folder names, cell ids, pandas Styler table
  ids, the git commit, timestamps, execution times and embedded PNG data (matplotlib writes the run date into PNG metadata);
- ``NOT_FOR_PUBLICATION.txt`` names the run's staging folder, which is blanked the same way;
- ``.png``, ``.docx``, ``.xlsx``: containers whose bytes carry a creation time; only their presence is compared.

Exit status 0 when nothing else differs; 1 with one line a difference.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

EXACT = {".csv", ".md", ".tsv"}  # .txt markers name a staging folder: normalised
PRESENCE_ONLY = {".png", ".docx", ".xlsx", ".zip", ".pdf"}

_VOLATILE = [
    # ISO timestamps and dates with times
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"), "<time>"),
    # durations and timings in JSON and notebook metadata
    (re.compile(r'"(duration|seconds|elapsed|elapsed_s|wall_s|cpu_s|peak_rss\w*|rss\w*|pid|ppid|hostname|host'
                r'|python|platform|started|finished|start_time|end_time)": ?[^,}\n]+'), r'"\1": <v>'),
    (re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+"), "data:image/png;base64,<png>"),
    (re.compile(r'"image/png": ?"[^"]*"'), '"image/png": "<png>"'),
    # a notebook's per-run staging folder, notebook cell ids, pandas Styler table ids
    (re.compile(r"\.staging-([\w.-]+?)-[0-9a-f]{8}"), r".staging-\1-<id>"),
    (re.compile(r'"id": "[0-9a-f]{8}"'), '"id": "<cell>"'),
    (re.compile(r'cell-id=[0-9a-f]{8}'), "cell-id=<cell>"),
    (re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC"), "<time>"),
    # the code's own commit (the point of comparing is that it changed)
    (re.compile(r"\b[0-9a-f]{40}(\+dirty)?"), "<commit>"),
    (re.compile(r"T_[0-9a-f]{5}(?=[_\\\"\s])"), "T_<uuid>"),
]


def _normalise(text: str, roots: list[str]) -> str:
    for root in roots:
        text = text.replace(root, "<out>")
    for pattern, repl in _VOLATILE:
        text = pattern.sub(repl, text)
    return text


def _files(root: Path) -> dict[str, Path]:
    return {str(p.relative_to(root)): p for p in sorted(root.rglob("*")) if p.is_file()}


def compare_trees(before: Path, after: Path) -> list[str]:
    """One line per difference between two output folders (empty when they match)."""
    problems: list[str] = []
    a, b = _files(before), _files(after)
    for name in sorted(set(a) - set(b)):
        problems.append(f"only in {before}: {name}")
    for name in sorted(set(b) - set(a)):
        problems.append(f"only in {after}: {name}")
    for name in sorted(set(a) & set(b)):
        suffix = Path(name).suffix.lower()
        if suffix in PRESENCE_ONLY:
            continue
        old, new = a[name].read_bytes(), b[name].read_bytes()
        if old == new:
            continue
        if suffix in EXACT:
            problems.append(f"differs byte for byte: {name}")
            continue
        roots_a = [str(before.resolve()), str(before)]
        roots_b = [str(after.resolve()), str(after)]
        text_a = _normalise(old.decode("utf-8", "replace"), roots_a)
        text_b = _normalise(new.decode("utf-8", "replace"), roots_b)
        if text_a != text_b:
            problems.append(f"differs beyond run-specific values: {name}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    problems: list[str] = []
    pairs = [(args.before, args.after)]
    internal = (Path(f"{args.before}-internal"), Path(f"{args.after}-internal"))
    if internal[0].is_dir() or internal[1].is_dir():
        pairs.append(internal)
    counted = 0
    for before, after in pairs:
        counted += len(_files(before))
        problems += compare_trees(before, after)
    for line in problems:
        print(line)
    print(f"{counted} files compared; {len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
