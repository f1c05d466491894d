"""The batch file (``batch.yaml``): notebooks to run, shared parameters, one entry per site.

Example::

    run: regional-2026            # folder name under outputs/ (optional)
    notebooks: [01_data_quality, 02_outcomes]
    parameters: {alpha: 0.05}     # shared by every site
    sites:
      - site: Northshire
        data_dir: data/northshire  # relative paths are relative to this file
        parameters: {n_boot: 5000} # this site only
    summary_notebooks:            # run once after every site (optional)
      - 04_cross_site_synthesis   # gets run_dir, and the shared parameters it declares (alpha)
      - notebook: 03_thematic_analysis
        parameters: {transcripts_dir: interviews/, coding: interviews/coding.csv}  # its own inputs
    publication: true             # a run for publication (default); false for an internal run

Shared ``parameters`` reach every notebook, site or summary, that declares them (a parameter only a summary
notebook declares, e.g. ``min_participants``, is accepted). A summary notebook's own inputs are given under its
entry; when the sites' data are not synthetic, a summary notebook that would otherwise fall back to bundled
synthetic data (:data:`BUNDLED_FALLBACKS`) is refused with a message naming the missing input.

A run for publication refuses notebooks marked for internal use (``08_case_study``); an internal run
(``publication: false``) may hold them, and is marked NOT_FOR_PUBLICATION (see ``cm_research.batch.audience``).

Validated on load: unknown notebooks, missing data folders, parameters no notebook declares,
repeated sites — every problem at once, in one ``BatchConfigError``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cm_research.batch.execute import notebook_parameters, notebook_path
from cm_research.data.characters import clean_text, escape_unseen
from cm_research.data.expansion import MAX_VALUES, count_values
from cm_research.data.file_names import windows_reserved
from cm_research.errors import CMResearchError


class BatchConfigError(CMResearchError):
    """The batch file is malformed or names things that do not exist."""


@dataclass
class SiteEntry:
    site: str
    slug: str
    parameters: dict[str, Any]


@dataclass
class BatchConfig:
    run: str
    notebooks: list[str]
    sites: list[SiteEntry]
    summary_notebooks: list[str] = field(default_factory=list)
    source: Path | None = None
    publication: bool = True  # False: an internal run, never to be published
    shared: dict[str, Any] = field(default_factory=dict)  # the batch file's `parameters:`
    summary_parameters: dict[str, dict[str, Any]] = field(default_factory=dict)  # notebook -> its own inputs

    def summary_job_parameters(self, notebook: str, declared: set[str]) -> dict[str, Any]:
        """What a summary notebook receives: the shared parameters it declares, then its own."""
        params = {k: v for k, v in self.shared.items() if k in declared}
        params.update(self.summary_parameters.get(notebook, {}))
        return params


#: summary notebooks that read bundled synthetic data when this input is not given: refused for real sites
BUNDLED_FALLBACKS = {"03_thematic_analysis": ("transcripts_dir",), "05_single_case": ("data_path",),
                     "07_action_research": ("data_dir",), "09_mentor_matching": ("data_dir",)}


def is_synthetic_folder(folder: str | Path) -> bool:
    """True when ``folder`` (or a parent) holds the SYNTHETIC.txt marker of generated demo data."""
    path = Path(folder).resolve()
    return any((p / "SYNTHETIC.txt").exists() for p in (path, *path.parents))


def _summary_entries(raw: list, problems: list[str]) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """``summary_notebooks:`` items: a notebook name, or ``{notebook: name, parameters: {...}}``."""
    names, params = [], {}
    for i, item in enumerate(raw, start=1):
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict) and isinstance(item.get("notebook"), str) and set(item) <= {"notebook",
                                                                                               "parameters"}:
            names.append(item["notebook"])
            params[item["notebook"]] = dict(item.get("parameters") or {})
        else:
            problems.append(f"summary_notebooks entry {i}: expected a notebook name or "
                            "`{notebook: <name>, parameters: {...}}`, not " + repr(item))
    return names, params


def did_you_mean(name: str, known) -> str:
    """``name`` followed by the closest known name when there is a likely one: "nboot (did you mean n_boot?)"."""
    import difflib

    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.75)
    if not close:  # a typo that drops or adds separators: nboot, n-boot, nBoot
        squash = {k.replace("_", "").lower(): k for k in known}
        hit = squash.get(name.replace("_", "").replace("-", "").lower())
        close = [hit] if hit else []
    return f"{name} (did you mean {close[0]}?)" if close else name


#: the longest folder name a site gets (file systems allow 255 bytes; Windows paths 260 characters in all)
MAX_SLUG = 60


def slugify(name: str) -> str:
    """'St Helens Virtual School' -> 'st-helens-virtual-school' (a safe folder name; 'Con' -> 'con-site', since
    Windows reserves CON, NUL, COM1 ... as device names).

    Accents are dropped ('Ynys Môn' -> 'ynys-mon'). A name with letters or digits outside the Latin alphabet
    ('北区', 'Βόρειο'), or longer than :data:`MAX_SLUG` characters, ends with eight characters of the SHA-256 of
    the name, so that two such sites never share a folder ('site-1a2b3c4d')."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFC", name))
    plain = "".join(c for c in text if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "site"
    if len(slug) > MAX_SLUG or any(c.isalnum() and not c.isascii() for c in plain):
        digest = hashlib.sha256(unicodedata.normalize("NFC", name).encode("utf-8")).hexdigest()[:8]
        slug = f"{slug[:MAX_SLUG].rstrip('-')}-{digest}"
    return f"{slug}-site" if windows_reserved(slug) else slug


#: parameters that hold names, never paths: a site called "northshire" stays "northshire" even when the batch
#: file sits beside a folder of that name (it would otherwise become an absolute path in headings and footers)
NAME_PARAMETERS = frozenset({"site", "participant_id", "coder", "kwic_term", "measures", "baseline", "post",
                             "before", "after", "method", "scale", "joint_measure", "outcome_framework", "as_of"})


def _resolve(value: Any, base: Path, key: str = "") -> Any:
    if key in NAME_PARAMETERS:
        return value
    if isinstance(value, str) and value.startswith("~"):
        value = str(Path(value).expanduser())  # ~/data is the home folder's data, as in a shell
    if isinstance(value, str) and value and not Path(value).is_absolute() and (base / value).exists():
        return str((base / value).resolve())
    return value


#: folders that hold the system or a person's keys, never evaluation data: a batch file (perhaps written by
#: someone else) that points a notebook at one would put its contents in a report or an error message
FORBIDDEN_FOLDERS = tuple(Path(p) for p in ("/etc", "/proc", "/sys", "/dev", "/boot", "/bin", "/sbin",
                                           "/usr", "/lib", "/lib64", "/run", "/var/log", "/var/lib", "/var/run",
                                           "/var/spool", "/var/mail"))
SECRET_FOLDERS = frozenset({".ssh", ".gnupg", ".aws", ".azure", ".kube", ".docker", ".password-store"})


#: $HOME, ${HOME} (shells) and %USERPROFILE% (Windows) in a path
_ENVIRONMENT_VARIABLE = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|%[A-Za-z_][A-Za-z0-9_()]*%")


def _is_path_key(key: str) -> bool:
    return key == "data_dir" or key.endswith(("_dir", "_file", "_path")) or key in ("coding", "codebook")


def path_problem(key: str, value: Any, written: Any = None) -> str | None:
    """Why a path parameter of a batch file must not be used, or None: it leads (after ``..`` and symbolic links)
    into a system folder or a folder of keys, or a folder is given where a file is expected or the reverse.
    ``written`` is the value as the batch file gives it, for the message (default ``value``)."""
    if not isinstance(value, str) or not value or not _is_path_key(key):
        return None
    path, value = Path(value).expanduser(), written if isinstance(written, str) else value
    if not path.exists() and (variable := _ENVIRONMENT_VARIABLE.search(value)):  # a folder really named a$b is used
        # a batch file is data, not a shell script: its paths mean the same on every machine and for every user
        return (f"{key} {value!r} holds {variable.group(0)}, which a batch file does not expand (no environment "
                "variables); write the path in full, relative to the batch file, or starting with ~/ for the home "
                "folder")
    resolved = path.resolve()
    for folder in FORBIDDEN_FOLDERS:
        if resolved == folder or folder in resolved.parents:
            return (f"{key} {value!r} leads into the system folder {folder}, which holds no evaluation data; "
                    "give a folder or file of your project")
    if SECRET_FOLDERS & set(resolved.parts):
        return f"{key} {value!r} leads into a folder of keys ({resolved}); give a folder or file of your project"
    if key.endswith("_file") or key in ("coding", "codebook"):
        if resolved.is_dir():
            return f"{key} {value!r} is a folder; give the file inside it"
        if resolved.exists() and not resolved.is_file():
            return f"{key} {value!r} is not an ordinary file (a pipe or a device); give a file of your project"
    elif key.endswith("_dir") and resolved.exists() and not resolved.is_dir():
        return f"{key} {value!r} is a file; give the folder it is in"
    return None


def internal_notebook_problems(notebooks: list[str], publication: bool) -> list[str]:
    """One problem per notebook marked for internal use when the run is for publication (none otherwise)."""
    from cm_research.batch.audience import is_internal

    if not publication:
        return []
    return [f"notebook {nb!r} is for internal use only (its metadata says audience: internal) and cannot be part "
            "of a run for publication. Run it in a separate internal batch (`publication: false` in the batch "
            "file; its run is marked NOT_FOR_PUBLICATION), or alone with `cm-research run "
            f"{nb} --output-dir <a folder outside any published run>`"
            for nb in notebooks if _known(nb) and is_internal(nb)]


def _known(notebook: str) -> bool:
    try:
        notebook_path(notebook)
    except FileNotFoundError:
        return False
    return True


def check_audience(config: BatchConfig, publication: bool | None = None) -> None:
    """Raise BatchConfigError when a run for publication lists a notebook marked for internal use."""
    publication = config.publication if publication is None else publication
    problems = internal_notebook_problems(config.notebooks + config.summary_notebooks, publication)
    if problems:
        where = config.source.name if config.source else f"batch {config.run!r}"
        raise BatchConfigError(f"{where} has {len(problems)} problem(s):\n- " + "\n- ".join(problems))


def build_config(doc: dict[str, Any], base: Path, source: Path | None = None) -> BatchConfig:
    """Check a parsed batch document and return the config; raise BatchConfigError listing every problem."""
    where = source.name if source else "batch"
    problems: list[str] = []
    if not isinstance(doc, dict):
        raise BatchConfigError(f"{where}: expected a mapping with notebooks, parameters and sites")
    unknown_keys = set(doc) - {"run", "notebooks", "parameters", "sites", "summary_notebooks", "publication"}
    if unknown_keys:
        problems.append(f"unknown top-level key(s): {', '.join(sorted(unknown_keys))}")
    notebooks = list(doc.get("notebooks") or [])
    summary, summary_params = _summary_entries(list(doc.get("summary_notebooks") or []), problems)
    if not notebooks:
        problems.append("no notebooks listed under `notebooks:`")
    publication = doc.get("publication", True)
    if not isinstance(publication, bool):
        problems.append(f"`publication:` must be true (a run for publication) or false (an internal run), "
                        f"not {publication!r}")
        publication = True
    problems += internal_notebook_problems(notebooks + summary, publication)
    declared: dict[str, set[str]] = {}
    for nb in notebooks + summary:
        try:
            declared[nb] = set(notebook_parameters(nb))
        except FileNotFoundError as exc:
            problems.append(f"unknown notebook {nb!r}: {exc}")
    shared = dict(doc.get("parameters") or {})
    sites, seen = [], {}
    for i, entry in enumerate(doc.get("sites") or [], start=1):
        if not isinstance(entry, dict) or not entry.get("site"):
            problems.append(f"site entry {i}: needs a `site:` name")
            continue
        name, _, refused = clean_text(str(entry["site"]))  # as the data readers clean a site cell
        if refused:
            problems.append(f"site entry {i}: the name {escape_unseen(name)!r} cannot be used: {refused}")
            continue
        slug = slugify(name)
        if slug in seen:
            first = seen[slug]
            same = first[1].casefold() == name.casefold()
            problems.append(f"site {name!r} appears twice (entries {first[0]} and {i})" if same else
                            f"sites {first[1]!r} and {name!r} (entries {first[0]} and {i}) would share the output "
                            f"folder {slug!r}; rename one of them")
        seen[slug] = (i, name)
        params = {**shared, **dict(entry.get("parameters") or {}), "site": name}
        for key in set(entry) - {"site", "parameters"}:
            params[key] = entry[key]
        for key, value in params.items():
            if reason := path_problem(key, _resolve(value, base, key), value):
                problems.append(f"site {name!r}: {reason}")
        if "data_dir" in params:
            data_dir = Path(str(params["data_dir"])).expanduser()
            data_dir = data_dir if data_dir.is_absolute() else base / data_dir
            if not data_dir.is_dir():
                problems.append(f"site {name!r}: data folder {data_dir} does not exist")
            params["data_dir"] = str(data_dir.resolve())
        params = {k: _resolve(v, base, k) for k, v in params.items()}
        known = set().union(*(declared[nb] for nb in notebooks if nb in declared))
        summary_known = set().union(*(declared[nb] for nb in summary if nb in declared))
        # a shared parameter that only a summary notebook declares (min_participants) is for that notebook
        extra = set(params) - known - {"output_dir"} - (set(shared) & summary_known)
        if extra and known:
            problems.append(f"site {name!r}: no notebook declares parameter(s) "
                            f"{', '.join(did_you_mean(k, known) for k in sorted(extra))} "
                            f"(they declare {', '.join(sorted(known))})")
        sites.append(SiteEntry(site=name, slug=slug, parameters=params))
    if not sites and not problems:
        problems.append("no sites listed under `sites:`")
    problems += [f"parameters: {reason}" for k, v in shared.items() if (reason := path_problem(k, _resolve(v, base), v))
                 and not any(reason in p for p in problems)]
    shared = {k: _resolve(v, base) for k, v in shared.items()}
    for nb, own in summary_params.items():
        undeclared = sorted(set(own) - declared.get(nb, set(own)))
        if undeclared:
            problems.append(f"summary notebook {nb!r} does not declare parameter(s) {', '.join(undeclared)} "
                            f"(it declares {', '.join(sorted(declared.get(nb, [])))})")
        for key, value in list(own.items()):
            own[key] = _resolve(value, base)
            if reason := path_problem(key, own[key], value):
                problems.append(f"summary notebook {nb!r}: {reason}")
                continue
            if key.endswith(("_dir", "_file", "_path")) or key in ("coding", "codebook"):
                if isinstance(value, str) and value and not Path(own[key]).exists():
                    problems.append(f"summary notebook {nb!r}: {key} {value!r} does not exist "
                                    f"(relative paths are relative to {where})")
    real_sites = [s.site for s in sites if "data_dir" in s.parameters and not is_synthetic_folder(s.parameters["data_dir"])]
    if real_sites:
        for nb in summary:
            given = set(summary_params.get(nb, {})) | (set(shared) & declared.get(nb, set()))
            missing = [k for k in BUNDLED_FALLBACKS.get(nb, ()) if k not in given]
            if missing:
                problems.append(
                    f"summary notebook {nb!r} has no {', '.join(missing)}: without it, it would analyse the bundled "
                    f"synthetic data instead of your sites' ({', '.join(real_sites[:3])}"
                    f"{'...' if len(real_sites) > 3 else ''}). Give it under summary_notebooks, e.g.\n"
                    f"    - notebook: {nb}\n      parameters: {{{missing[0]}: <your folder>}}")
    if problems:
        raise BatchConfigError(f"{where} has {len(problems)} problem(s):\n- " + "\n- ".join(problems))
    run = str(doc.get("run") or (source.stem if source else "batch"))
    return BatchConfig(run=run, notebooks=notebooks, sites=sites, summary_notebooks=summary, source=source,
                       publication=publication, shared=shared, summary_parameters=summary_params)


def load_batch(path: str | Path) -> BatchConfig:
    """Read and validate a batch file."""
    path = Path(path)
    if not path.exists():
        raise BatchConfigError(f"no batch file at {path}")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise BatchConfigError(f"{path.name}: not valid YAML: {exc}") from exc
    if count_values(doc) > MAX_VALUES:
        raise BatchConfigError(f"{path.name}: the file expands to more than {MAX_VALUES:,} values (YAML anchors "
                               f"and aliases repeated inside each other?); a batch file lists notebooks, "
                               f"parameters and sites, so it is refused")
    return build_config(doc, path.parent.resolve(), source=path)
