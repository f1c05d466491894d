"""Provenance: what went into every report (input hashes, parameters, versions, commit) and a
fingerprint that says whether a finished job is still up to date."""

from __future__ import annotations

import hashlib
import html
import json
import platform
import subprocess
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import cm_research

DEPENDENCIES = ("pandas", "numpy", "scipy", "statsmodels", "pingouin", "seaborn", "matplotlib", "nltk",
                "papermill", "nbconvert", "openpyxl", "pyyaml")
#: Parameters that are not inputs: where a job writes, and the run folder a summary notebook reads (its real
#: inputs, the sites' effect_sizes.csv, are listed by the job; hashing the whole folder would list its outputs)
NOT_INPUTS = {"output_dir", "run_dir"}


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """The SHA-256 of a file's bytes as hex, read ``chunk`` bytes at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


#: (path, size, modification and change times in ns, inode) -> SHA-256, for files already hashed in this process
_HASHES: dict[tuple, str] = {}
_MAX_CACHED = 65_536


def cached_sha256(path: str | Path) -> str:
    """:func:`sha256_file`, remembered while the file's size, modification time, change time and inode are
    unchanged: a national batch that names the same large extract in every job reads it once, not once a job."""
    resolved = Path(path).resolve()
    stat = resolved.stat()
    key = (str(resolved), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
    if (digest := _HASHES.get(key)) is None:
        digest = sha256_file(resolved)
        if len(_HASHES) >= _MAX_CACHED:
            _HASHES.clear()
        _HASHES[key] = digest
    return digest


def input_files(parameters: dict[str, Any]) -> list[Path]:
    """Every existing file a job reads: parameter values that name a file, or all files in a named folder."""
    files: list[Path] = []
    for key, value in sorted(parameters.items()):
        if key in NOT_INPUTS or not isinstance(value, str) or not value:
            continue
        path = Path(value)
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")))
    return files


def input_hashes(parameters: dict[str, Any]) -> dict[str, str]:
    """SHA-256 of every input file, keyed by its path."""
    return {str(p): cached_sha256(p) for p in input_files(parameters)}


def fingerprint(notebook: Path, parameters: dict[str, Any], hashes: dict[str, str]) -> str:
    """A hash of everything that determines a job's results: the notebook, its parameters (not where it
    writes), the content of its inputs and the package version."""
    content = {
        "notebook": cached_sha256(notebook),
        "parameters": {k: v for k, v in sorted(parameters.items()) if k not in NOT_INPUTS},
        "inputs": sorted(hashes.values()),
        "cm_research": cm_research.__version__,
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


@lru_cache(maxsize=1)
def git_commit() -> str | None:
    """The project's git commit (with '+dirty' when there are uncommitted changes), or None outside git."""
    root = Path(cm_research.__file__).resolve().parents[1]
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty else "")


@lru_cache(maxsize=1)
def environment() -> dict[str, Any]:
    """Versions of Python, cm_research and its main dependencies."""
    versions = {}
    for name in DEPENDENCIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {"python": platform.python_version(), "cm_research": cm_research.__version__,
            "git_commit": git_commit(), "dependencies": versions}


def input_label(path: str | Path, number: int) -> str:
    """A neutral label for an input in published provenance: the data-dictionary table a file is read as
    (``participants`` for ``.../participants.csv``), otherwise ``input <number>``; never the file's own name."""
    from cm_research.data.loading import TABLE_SUFFIXES

    path = Path(path)
    if path.suffix.lower() in TABLE_SUFFIXES:
        try:
            from cm_research.dictionary import load_schemas

            from cm_research.data.loading import FILE_ROLES

            if path.stem in load_schemas() or path.stem in FILE_ROLES:
                return path.stem
        except Exception:  # noqa: BLE001 -- without the dictionary every input is numbered
            pass
    return f"input {number}"


def published_inputs(hashes: dict[str, str]) -> list[dict[str, Any]]:
    """Each input as published (label, SHA-256, size in bytes): enough for a reviewer
    to check which version of the data was used, without the file's name or where it sits. In the order of the
    paths (as the full record, written with sorted keys, lists them), so entry k here is entry k there."""
    out, used = [], set()
    for number, (path, digest) in enumerate(sorted(hashes.items()), start=1):
        label = input_label(path, number)
        if label in used:
            label = f"input {number}"
        used.add(label)
        try:
            size = Path(path).stat().st_size
        except OSError:
            size = None
        out.append({"label": label, "sha256": digest, "bytes": size})
    return out


def inputs_digest(inputs: list[dict[str, Any]]) -> str:
    """SHA-256 of a job's published input list: the lines ``<sha256> <bytes>``, sorted, joined by newlines.
    The report footer and the job's entry in manifest.json give it; anyone can recompute it from the manifest."""
    lines = sorted(f"{i['sha256']} {i['bytes']}" for i in inputs)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def path_labels(parameters: dict[str, Any], hashes: dict[str, str]) -> dict[str, str]:
    """Absolute path -> what a published run shows instead: each input file's label, each folder parameter's
    ``<parameter> folder`` (longest paths are replaced first, so a file inside a folder keeps its own label)."""
    shown = published_inputs(hashes)
    labels = {str(Path(p).resolve()): i["label"] for p, i in zip(sorted(hashes), shown)}
    labels.update({str(p): i["label"] for p, i in zip(sorted(hashes), shown)})
    for key, value in parameters.items():
        if isinstance(value, str) and value and key not in NOT_INPUTS:
            path = Path(value)
            if path.is_dir() or path.is_absolute():
                for shown in {value, str(path.resolve())}:
                    labels.setdefault(shown, labels.get(str(path.resolve()), f"<{key}>"))
    return labels


def published_parameters(parameters: dict[str, Any], hashes: dict[str, str]) -> dict[str, Any]:
    """The parameters as a published run shows them: a value that is a path is replaced by its input's label
    (a file) or ``<parameter>`` (a folder); other values as they are."""
    labels = path_labels(parameters, hashes)
    shown = {}
    for key, value in parameters.items():
        if key in NOT_INPUTS:
            continue
        if isinstance(value, str) and value in labels:
            shown[key] = labels[value]
        elif isinstance(value, str) and value and (Path(value).is_absolute() or Path(value).exists()):
            shown[key] = f"<{key}>"
        else:
            shown[key] = value
    return shown


def footer_html(parameters: dict[str, Any], hashes: dict[str, str], finished: str,
                publication: bool = False) -> str:
    """A short provenance note for the end of an HTML report.

    For a run not for publication: file names and short hashes. For a run for publication: how many inputs and
    the digest of their published list (:func:`inputs_digest`, as in manifest.json), never names or paths."""
    env = environment()
    if publication:
        shown = published_parameters({k: v for k, v in parameters.items() if k != "data_dir"}, hashes)
        params = ", ".join(f"{k}={v!r}" for k, v in sorted(shown.items())) or "defaults"
        n = len(hashes)
        files = (f"{n} input file{'s' if n != 1 else ''} (inputs digest, SHA-256: "
                 f"{inputs_digest(published_inputs(hashes))}; each input's label, SHA-256 and size are in the "
                 "run's manifest.json)")
        where = "The full record (with file names) is kept in the run's restricted folder, not published."
    else:
        shown = {k: v for k, v in parameters.items() if k not in NOT_INPUTS and k != "data_dir"}
        files = "Input files (SHA-256): " + (", ".join(f"{Path(p).name} ({h[:12]})" for p, h in hashes.items())
                                             or "none")
        # a path is shown by its last part: a report names its inputs, never where they sit on someone's disk
        shown = {k: (Path(v).name if isinstance(v, str) and Path(v).is_absolute() else v) for k, v in shown.items()}
        params = ", ".join(f"{k}={v!r}" for k, v in sorted(shown.items())) or "defaults"
        where = "The full record is in the run's manifest.json."
    return (
        '<footer style="margin:3rem 0 1rem;padding-top:.6rem;border-top:1px solid #ccc;color:#555;'
        'font:0.8rem system-ui,sans-serif">'
        f"Made by cm_research {html.escape(env['cm_research'])} (commit {html.escape(str(env['git_commit']))}), "
        f"Python {html.escape(env['python'])}, on {html.escape(finished)}. "
        f"Parameters: {html.escape(params)}. {html.escape(files)}. "
        f"{where}</footer>"
    )
