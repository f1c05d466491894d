"""Command start-up stays light: building the parser and running commands that need no statistics must not
import the heavy scientific stack (issue 18: every command used to take ~3 s before doing anything).
The timing itself is measured by ``benchmarks/bench_startup.py``; here we check the cause, which does not flake."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("scipy", "statsmodels", "pingouin", "matplotlib", "seaborn", "papermill", "nbconvert")

PROBE = """
import contextlib, io, json, sys
from cm_research import cli
seen = {}
def loaded():
    return sorted(m for m in %r + ("pandas",) if m in sys.modules)
with contextlib.redirect_stdout(io.StringIO()):
    try:
        cli.main(["--help"])
    except SystemExit:
        pass
seen["help"] = loaded()
with contextlib.redirect_stdout(io.StringIO()):
    cli.main(["validate", sys.argv[1], "--table", "participants"])
seen["validate"] = loaded()
print(json.dumps(seen))
""" % (HEAVY,)


def test_help_and_validate_do_not_import_the_statistics_or_plotting_stack(participants_csv):
    out = subprocess.run([sys.executable, "-c", PROBE, str(participants_csv)], capture_output=True, text=True,
                         check=True)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["help"] == [], "--help imported " + ", ".join(seen["help"])
    assert seen["validate"] == ["pandas"], "validate imported " + ", ".join(seen["validate"])
