"""The README's instructions stay true: every command it shows parses, every file it names exists.

A new user copies commands from README.md. These tests read the README itself (not a copy), so a renamed
option, a removed subcommand, a moved test file or a renamed notebook fails here rather than in front of
the user. Nothing is run but the argument parser; the whole module takes well under a second.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from cm_research.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _fenced_blocks(language: str) -> list[str]:
    """The text of every fenced block of ``language`` (indented fences included, as under a list item)."""
    pattern = re.compile(rf"^[ \t]*```{language}[ \t]*\n(.*?)^[ \t]*```", re.S | re.M)
    return [m.group(1) for m in pattern.finditer(README)]


def _readme_commands() -> list[str]:
    """Every ``cm-research ...`` command line in the README's bash blocks, continuation lines joined."""
    commands = []
    for block in _fenced_blocks("bash"):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            line = line.split("#", 1)[0].strip().rstrip("&").strip()
            match = re.search(r"(?:^|\s|/)cm-research\s+(.*)$", line)
            if match:
                commands.append(match.group(1))
    return commands


COMMANDS = _readme_commands()


def test_the_readme_shows_commands_at_all():
    # Guards the extraction itself: if the fences or the wording change, the tests below must not pass empty.
    assert len(COMMANDS) >= 15
    assert {c.split()[0] for c in COMMANDS} >= {"validate", "run", "template", "export", "thematic", "batch",
                                                  "import-qda", "export-qdpx", "rank-mentors", "propose-matches"}


@pytest.mark.parametrize("command", COMMANDS)
def test_every_readme_command_parses(command, capsys):
    """Each command line, exactly as printed, is accepted by the CLI's parser (options, choices, required ones)."""
    parser = build_parser()
    try:
        args = parser.parse_args(shlex.split(command))
    except SystemExit as exc:  # argparse exits on an unknown option or a missing required one
        pytest.fail(f"README command `cm-research {command}` is refused: {capsys.readouterr().err.strip()} "
                    f"(exit {exc.code})")
    assert callable(args.func)


def test_an_unknown_option_is_refused_by_the_same_check(capsys):
    # The check above can fail: a misspelt option of a real subcommand is refused by the parser.
    with pytest.raises(SystemExit):
        build_parser().parse_args(["validate", "x.csv", "--table", "participants", "--quarantine-folder", "q/"])
    assert "--quarantine-folder" in capsys.readouterr().err


def test_every_subcommand_in_the_readme_prose_exists():
    """Subcommands named in running text (`cm-research keygen`, `check-disclosure`) are real."""
    parser = build_parser()
    subcommands = next(a for a in parser._actions if a.dest == "command").choices
    named = set(re.findall(r"`cm-research ([a-z][a-z-]+)", README))
    assert named, "the README names no subcommand in prose"
    assert named <= set(subcommands), sorted(named - set(subcommands))


def _repo_paths() -> set[str]:
    """Paths inside the repository that the README links to or quotes in backticks."""
    links = set(re.findall(r"\]\(([^)#\s]+)\)", README))
    quoted = set(re.findall(r"`((?:cm_research|tests|benchmarks|notebooks|docs|data_dictionary)/[^`\s<>*…]+)`",
                            README))
    scripts = set(re.findall(r"python (benchmarks/[\w./]+\.py)", README))
    return {p for p in links | quoted | scripts if not p.startswith(("http:", "https:"))}


def test_every_repo_path_the_readme_names_exists():
    paths = _repo_paths()
    assert "CONTRIBUTING.md" in paths and "docs/api.md" in paths
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert not missing, f"README names files that are not in the repository: {missing}"


def test_every_test_file_the_readme_cites_exists():
    """Test modules cited by bare name (`test_x.py` after a folder already given) exist somewhere under tests/."""
    names = set(re.findall(r"`(test_[\w]+\.py)`", README))
    present = {p.name for p in (ROOT / "tests").rglob("test_*.py")}
    assert names, "the README cites no test module"
    assert names <= present, sorted(names - present)


def test_every_notebook_the_readme_names_exists():
    """Notebooks named by their number (`06_site_report`) or in the reproductions table are shipped."""
    numbered = set(re.findall(r"\b(\d\d_[a-z_]+[a-z])\b(?![\w.])", README))
    shipped = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert numbered and numbered <= shipped, sorted(numbered - shipped)
    table_rows = re.findall(r"^\| `([a-z0-9_]+)` \| (?:reproduced from data|re-derived)", README, re.M)
    reproductions = {p.stem for p in (ROOT / "notebooks" / "reproductions").glob("*.ipynb")}
    assert len(table_rows) >= 8 and set(table_rows) <= reproductions, sorted(set(table_rows) - reproductions)


def test_the_python_snippet_names_real_functions():
    """The README's Python blocks import names that the package exports."""
    import importlib

    blocks = _fenced_blocks("python")
    assert blocks
    for block in blocks:
        for module, names in re.findall(r"^from ([\w.]+) import (.+)$", block, re.M):
            mod = importlib.import_module(module)
            for name in (n.strip() for n in names.split(",")):
                assert hasattr(mod, name), f"{module} has no {name}"


def test_the_python_snippet_runs_on_the_demo_site(tmp_path, monkeypatch, capsys):
    """The README's Python block, run as printed on a copy of a bundled synthetic site with one bad value in it.

    Row 10 of the copied outcomes.csv (Excel's numbering: header is row 1) is set to an attendance of 112%, so the
    printed problems must name that file, row and column, as the README promises."""
    import shutil

    from cm_research.datasets import demo_site_dir

    site = tmp_path / "path" / "to" / "site"
    shutil.copytree(demo_site_dir("northshire"), site)
    lines = (site / "outcomes.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = next(i for i, line in enumerate(lines) if i > 5 and line.split(",")[1] == "attendance_pct")
    cells = lines[row].split(",")
    cells[header.index("value")] = "112"
    lines[row] = ",".join(cells)
    (tmp_path / "outcomes.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    block = next(b for b in _fenced_blocks("python") if "load_evaluation" in b)
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)
    printed = capsys.readouterr().out
    assert f"outcomes.csv, row {row + 1}, column `value`: 112 is above the maximum of 100" in printed
    assert len(namespace["data"]) == len(lines) - 2  # every row but the bad one is kept, the bad one listed


def test_the_readme_batch_file_is_accepted(tmp_path, monkeypatch):
    """The README's batch.yaml, as printed, passes the checks made before a batch runs (notebooks, parameters)."""
    from cm_research.batch.config import load_batch

    block = next(b for b in _fenced_blocks("yaml") if b.startswith("run:"))
    (tmp_path / "batch.yaml").write_text(block, encoding="utf-8")
    for folder in ("data/northshire", "data/easton"):
        (tmp_path / folder).mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    config = load_batch("batch.yaml")
    assert [s.site for s in config.sites] == ["Northshire", "Easton"]
    assert config.sites[1].parameters["n_boot"] == 5000 and "n_boot" not in config.sites[0].parameters


def test_the_reproduction_path_works_from_any_folder(tmp_path, monkeypatch):
    """`cm-research run notebooks/reproductions/<name>.ipynb` as the README writes it, run outside the checkout."""
    from cm_research.batch.notebooks import NOTEBOOKS_DIR, notebook_path

    monkeypatch.chdir(tmp_path)
    written = re.search(r"cm-research run (notebooks/reproductions/\S+\.ipynb)", README).group(1)
    assert notebook_path(written) == NOTEBOOKS_DIR / written.removeprefix("notebooks/")
    with pytest.raises(FileNotFoundError, match="reproductions/<name>: bcg_meta_analysis"):
        notebook_path("notebooks/reproductions/no_such_study.ipynb")


def _resolve(dotted: str):
    """The object a dotted name such as ``cm_research.stats.survival`` or ``cm_research.privacy.pseudonymise`` means."""
    import importlib

    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(dotted)


def test_every_dotted_name_the_readme_gives_exists():
    """`cm_research.<module>[.<name>]` in the README (a module, function or class the reader is sent to) exists."""
    names = set(re.findall(r"`(cm_research(?:\.\w+)+)", README))
    assert len(names) >= 10
    missing = []
    for name in sorted(names):
        try:
            _resolve(name)
        except (ImportError, AttributeError):
            missing.append(name)
    assert not missing, f"README names what the package does not have: {missing}"
    with pytest.raises(AttributeError):  # and the check can fail
        _resolve("cm_research.privacy.no_such_function")


def test_every_command_line_argument_has_help():
    """`cm-research <command> --help` explains every argument: the README sends readers there for the details."""
    import argparse

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    silent = [f"{name} {action.option_strings[0] if action.option_strings else action.dest}"
              for name, sub in commands.items() for action in sub._actions
              if action.dest != "help" and not (action.help or "").strip()]
    assert not silent, f"arguments with no help text: {silent}"
