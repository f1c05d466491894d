"""What a job of a run for publication publishes about its inputs: no file names, no absolute paths.

The executed notebook (its papermill metadata, injected parameters cell, warnings and other outputs) is rewritten
before its HTML is made: each input's path becomes its neutral label (:func:`~cm_research.batch.provenance.
path_labels`), the job's staging folder becomes ``.``, and the places Python and cm_research are installed become
``<python>``/``<venv>`` or a path relative to the package. The job's record (``.jobs/<notebook>.json``) lists
inputs by label, SHA-256 and size; the full record, with paths, goes to ``restricted/provenance/``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import cm_research
from cm_research.batch.provenance import inputs_digest, path_labels, published_inputs, published_parameters
from cm_research.privacy.paths import replace_paths

#: where a publication job's full record (parameters and input paths) is kept, inside its site's folder
FULL_RECORDS = Path("restricted") / "provenance"


def install_prefixes() -> dict[str, str]:
    """Absolute prefixes of the Python installation, the package and the home folder -> what is shown instead."""
    prefixes = {str(Path(cm_research.__file__).resolve().parents[1]) + "/": "",
                str(Path(sys.prefix).resolve()): "<venv>", str(Path(sys.base_prefix).resolve()): "<python>",
                sys.prefix: "<venv>", sys.base_prefix: "<python>"}
    try:
        prefixes[str(Path.home())] = "~"
    except RuntimeError:
        pass
    return {k: v for k, v in prefixes.items() if len(k.strip("/")) >= 3}  # never "/" itself


def replacements(parameters: dict[str, Any], hashes: dict[str, str], staging: Path, output_dir: Path) -> dict[str, str]:
    """Every absolute path a publication job may write into its notebook -> its published form."""
    found = install_prefixes()
    found.update(path_labels(parameters, hashes))
    for folder in {staging, staging.resolve(), output_dir, output_dir.resolve()}:
        found[f"{folder}/"] = ""
        found[str(folder)] = "."
    for run in {output_dir.parent, output_dir.resolve().parent}:  # a summary notebook's run_dir
        found.setdefault(str(run), "..")
    return found


def scrub_notebook(path: Path, replaced: dict[str, str], shown_parameters: dict[str, Any]) -> None:
    """Rewrite an executed notebook in place with ``replaced`` paths (in every source, output and metadata) and
    papermill's record of its parameters set to ``shown_parameters``."""
    text = path.read_text(encoding="utf-8")
    # paths as they appear in JSON (a Windows path's backslashes are escaped there)
    escaped = {json.dumps(k)[1:-1]: json.dumps(v)[1:-1] for k, v in replaced.items()}
    nb = json.loads(replace_paths(text, {**replaced, **escaped}))
    papermill = nb.get("metadata", {}).get("papermill")
    if isinstance(papermill, dict):
        papermill["parameters"] = shown_parameters
        for key in ("input_path", "output_path"):
            if papermill.get(key):
                papermill[key] = Path(str(papermill[key]).replace("\\", "/")).name
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def published_record(record: dict[str, Any], parameters: dict[str, Any], hashes: dict[str, str],
                     replaced: dict[str, str]) -> dict[str, Any]:
    """A job's record as a run for publication shows it: parameters by label, inputs as a list of label,
    SHA-256 and size with their digest, and its error message with paths replaced."""
    inputs = published_inputs(hashes)
    return {**record, "parameters": published_parameters(parameters, hashes), "inputs": inputs,
            "inputs_digest": inputs_digest(inputs), "error": replace_paths(record.get("error") or "", replaced),
            "full_record": (FULL_RECORDS / f"{record.get('notebook')}.json").as_posix() + " (restricted)"}
