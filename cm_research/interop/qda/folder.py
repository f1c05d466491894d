"""The folder ``import-qda`` writes, which ``thematic`` and ``export-qdpx`` take as it is.

Layout (every file is plain text an analyst can open)::

    imported/
      project.yaml         name, origin, the file imported
      transcripts/         one .txt per text source: a header (Pseudonym, Role, Site, Imported from, Turns),
                           a line ---, then the source text exactly as the QDA program holds it
      coding.csv           transcript, start, end, code, coder, quote (offsets into the .txt files)
      codebook.yaml        the codes as a cm_research codebook (top-level codes are themes)
      codes.csv            the full code tree as it came: guid, code, label, theme, parent, depth, path, ...
      users.csv            guid, name: every user of the project, coders or not
      cases.csv            case, case_guid, variable, value, transcript: written back (variables as text)
      sources.csv, selections.csv, participants.csv, offset_report.csv, messages.txt
      memos.csv            notes (memos), quotation comments and descriptions, with what each is attached to
      sets.csv, links.csv  sets (code and document groups) and links, by GUID

Code names in ``codebook.yaml`` must be identifiers (a letter, then letters, digits, ``_`` or ``-``); a code
whose name is not (``waste of time``, ``Érzelmek``) gets one made from its name (``waste_of_time``,
``c_Érzelmek``), and its own name is its label. ``codes.csv`` keeps both, and export writes the names as they
came. Roles come from case variables, source attributes or document groups ("role: mentee"); where none is
recorded the header says ``Role: unknown`` and ``messages.txt`` says which files to edit.

A memos file (``memos.csv``) needs columns ``target_kind`` (project, transcript, code or selection), ``target``
(the transcript's name, the code's name, or ``transcript start..end``) and ``text``; ``name`` is optional.
The analyst adds rows to write memos of their own; :func:`read_memos` reads it and export writes each as a
REFI-QDA note attached to its target.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import yaml

from cm_research.data.writing import write_csv
from cm_research.interop.qda.extras import LINK_COLUMNS, NOTE_COLUMNS, SET_COLUMNS, ProjectExtras
from cm_research.interop.qda.read import QdaProject
from cm_research.qual.codebook import Codebook, load_codebook
from cm_research.qual.coding import CODING_COLUMNS, read_coding
from cm_research.qual.memos import csv_or_empty as _csv, read_memos
from cm_research.qual.transcripts import Corpus, read_transcripts

MARKER = "project.yaml"
_NAME = re.compile(r"^[A-Za-z][\w-]*$")
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def is_project_folder(path: str | Path) -> bool:
    """Is this a folder written by :func:`write_project_folder`?"""
    path = Path(path)
    return path.is_dir() and (path / MARKER).is_file() and (path / "transcripts").is_dir()


def _slug(name: str, taken: set[str]) -> str:
    base = name if _NAME.match(name) else re.sub(r"[^\w-]+", "_", name.strip()).strip("_") or "code"
    if not re.match(r"[A-Za-z]", base):
        base = "c_" + base
    slug, k = base, 2
    while slug in taken:
        slug, k = f"{base}_{k}", k + 1
    taken.add(slug)
    return slug


def _codebook_yaml(codebook: Codebook, theme_slug: dict[str, str], code_slug: dict[str, str], origin: str) -> dict:
    missing = f"(no definition was given in {origin or 'the imported project'})"
    return {"name": codebook.name, "description": f"Imported from {origin}" if origin else "",
            "allow_shared_codes": codebook.allow_shared_codes,
            "themes": [{"name": theme_slug[t.name], "label": t.label or t.name, "definition": t.definition or missing,
                        "codes": [{k: v for k, v in (("name", code_slug[c.name]), ("label", c.label or c.name),
                                                     ("definition", c.definition or missing),
                                                     ("use_when", c.use_when), ("not_when", c.not_when),
                                                     ("example", c.example)) if v}
                                  for c in t.codes]} for t in codebook.themes if t.codes]}


def _header(t, origin: str, source_file: str) -> str:
    lines = [f"# Imported from {source_file} ({origin or 'a QDA program'}) by cm-research import-qda. Correct "
             "Role and Site if they are wrong;", "# the text below the line --- is the source exactly as it was "
             "imported: do not edit it, or the coding offsets no longer point at the words coded.",
             f"Pseudonym: {t.pseudonym or t.transcript}", f"Role: {t.role}", f"Site: {t.site or 'unknown'}"]
    if t.participant_id:
        lines.append(f"Participant ID: {t.participant_id}")
    lines += [f"Imported from: {origin or source_file}", "Turns: one per line", "---", ""]
    return "\n".join(lines)


def write_project_folder(project: QdaProject, output_dir: str | Path, source_file: str = "") -> dict[str, Path]:
    """Write an imported project as a folder ``thematic`` and ``export-qdpx`` take as it is (see the module
    docstring); returns {name: path}. Offsets in coding.csv and selections.csv point into the .txt written."""
    out = Path(output_dir)
    paths = project.write_tables(out)
    folder = out / "transcripts"
    folder.mkdir(exist_ok=True)
    stem_of: dict[str, str] = {}
    shift: dict[str, int] = {}
    taken: set[str] = set()
    for t in project.corpus.transcripts:
        stem = _UNSAFE.sub("_", t.transcript).strip(" .") or "source"
        base, k = stem, 2
        while stem.lower() in taken:
            stem, k = f"{base} ({k})", k + 1
        taken.add(stem.lower())
        stem_of[t.transcript] = stem
        own_header = t.body_start > 0 and not t.meta.get("imported_from")
        head = "" if own_header else _header(t, project.origin, source_file)
        shift[t.transcript] = len(head)
        (folder / f"{stem}.txt").write_bytes((head + t.text).encode("utf-8"))
    # names the codebook can hold
    taken_codes: set[str] = set()
    theme_slug = {t.name: _slug(t.name, taken_codes) for t in project.codebook.themes}
    code_slug: dict[str, str] = {}
    for theme in project.codebook.themes:
        for code in theme.codes:
            if code.name not in code_slug:
                code_slug[code.name] = (theme_slug[theme.name] if code.name == theme.name
                                        else _slug(code.name, taken_codes))
    codes = project.codes.copy()
    codes["code"] = [code_slug.get(c, theme_slug.get(c, c)) for c in codes["code"]]
    codes["theme"] = codes["theme"].map(lambda t: theme_slug.get(t, t))
    write_csv(codes, paths["codes"])
    if project.codebook.themes:
        paths["codebook_yaml"] = out / "codebook.yaml"
        paths["codebook_yaml"].write_text(yaml.safe_dump(
            _codebook_yaml(project.codebook, theme_slug, code_slug, project.origin), allow_unicode=True,
            sort_keys=False, width=110), encoding="utf-8")

    def moved(table: pd.DataFrame) -> pd.DataFrame:
        table = table.copy()
        add = table["transcript"].map(shift).fillna(0).astype(int)
        for column in ("start", "end"):
            table[column] = (pd.to_numeric(table[column], errors="coerce") + add).astype("Int64")
        table["transcript"] = table["transcript"].map(lambda n: stem_of.get(n, n))
        return table

    coding = moved(project.coding)
    coding["code"] = coding["code"].map(lambda c: code_slug.get(c, c))
    write_csv(coding[["transcript", "start", "end", "code", "coder", "quote"]], paths["coding"])
    write_csv(moved(project.selections), paths["selections"])
    sources = project.sources.copy()
    sources["transcript"] = sources["transcript"].map(lambda n: stem_of.get(n, n))
    write_csv(sources, paths["sources"])
    write_csv(project.users, out / "users.csv")
    notes = project.notes.copy()
    write_csv(notes, out / "memos.csv")
    write_csv(project.sets, out / "sets.csv")
    write_csv(project.links, out / "links.csv")
    cases = project.cases.copy()
    cases["transcript"] = cases["transcript"].map(lambda n: stem_of.get(n, n))
    write_csv(cases, paths["cases"])
    unknown = [stem_of[t.transcript] for t in project.corpus.transcripts if t.role == "unknown"]
    if unknown:
        message = (f"{len(unknown)} transcripts have no role recorded in the project (Role: unknown): "
                   f"{', '.join(unknown[:5])}{' ...' if len(unknown) > 5 else ''}; write each person's role in the "
                   "Role line of their file in transcripts/, or give the project a case variable 'role'")
        with open(paths["messages"], "a", encoding="utf-8") as f:
            f.write(message + "\n")
        project.messages.append(message)
    (out / MARKER).write_text(yaml.safe_dump({
        "name": project.name, "origin": project.origin, "imported_from": source_file,
        "written_by": "cm-research import-qda", "offsets": "characters of the files in transcripts/"},
        allow_unicode=True, sort_keys=False), encoding="utf-8")
    paths.update({"transcripts": folder, "users": out / "users.csv", "memos": out / "memos.csv",
                  "sets": out / "sets.csv", "links": out / "links.csv", "project": out / MARKER})
    return paths


def read_project_folder(folder: str | Path) -> tuple[Corpus, Codebook, pd.DataFrame, ProjectExtras, str]:
    """(corpus, codebook, coding, extras, project name) of a folder written by :func:`write_project_folder`,
    ready for :func:`cm_research.interop.qda.write.export_qdpx` (``extras=``)."""
    folder = Path(folder)
    meta = yaml.safe_load((folder / MARKER).read_text(encoding="utf-8")) or {}
    has_texts = any(p.suffix.lower() in (".txt", ".docx") for p in (folder / "transcripts").iterdir())
    # a project whose sources had no text (a bare .qde) still carries its codes, users, memos and sets
    corpus = read_transcripts(folder / "transcripts") if has_texts else Corpus([])
    codebook = (load_codebook(folder / "codebook.yaml") if (folder / "codebook.yaml").is_file()
                else Codebook(name=meta.get("name") or folder.name, themes=()))
    coding = (read_coding(folder / "coding.csv", corpus, codebook) if has_texts and len(_csv(folder / "coding.csv", []))
              else pd.DataFrame(columns=CODING_COLUMNS))
    codes = _csv(folder / "codes.csv", ["guid", "code", "label", "theme", "parent", "depth", "path", "description",
                                        "is_codable", "n_children", "color"])
    codes["depth"] = pd.to_numeric(codes["depth"]).astype(int) if len(codes) else codes["depth"]
    sources = _csv(folder / "sources.csv", ["guid", "transcript"])
    source_guids = {r.transcript: r.guid for r in sources.itertuples() if r.transcript}
    selections = _csv(folder / "selections.csv", ["transcript", "guid", "start", "end"])
    selections["start"] = pd.to_numeric(selections["start"], errors="coerce")
    selections["end"] = pd.to_numeric(selections["end"], errors="coerce")
    notes = (read_memos(folder / "memos.csv", corpus, codes, source_guids, selections) if (folder / "memos.csv").is_file()
             else pd.DataFrame(columns=[*NOTE_COLUMNS, "description"]))
    extras = ProjectExtras(codes=codes, users=_csv(folder / "users.csv", ["guid", "name"]), source_guids=source_guids,
                           selections=selections, notes=notes, sets=_csv(folder / "sets.csv", SET_COLUMNS),
                           links=_csv(folder / "links.csv", LINK_COLUMNS), origin=meta.get("origin", ""),
                           cases=_csv(folder / "cases.csv", ["case", "case_guid", "variable", "value", "transcript"]))
    return corpus, codebook, coding, extras, meta.get("name") or folder.name
