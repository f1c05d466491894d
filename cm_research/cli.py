"""Command line: ``cm-research dictionary | validate | run | demo | batch | … | rank-mentors | propose-matches``
(``cm-research --help`` lists every command)."""

from __future__ import annotations

import argparse
import keyword
import os
import sys
from pathlib import Path

import yaml

from cm_research.errors import CMResearchError


def _parse_param(text: str) -> tuple[str, object]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"--param takes key=value, got {text!r}")
    key, value = text.split("=", 1)
    key = key.strip()
    if not key.isidentifier() or keyword.iskeyword(key):
        raise argparse.ArgumentTypeError(f"--param name {key!r} is not a parameter name: use letters, digits and _ "
                                         "only, not starting with a digit (e.g. --param n_boot=2000)")
    try:
        return key, yaml.safe_load(value) if value.strip() else ""
    except yaml.YAMLError:
        return key, value  # not YAML (e.g. "a: b: c"): the text as typed


def cmd_dictionary(args: argparse.Namespace) -> int:
    from cm_research.dictionary import load_schemas, to_markdown

    if args.markdown:
        text = to_markdown()
    else:
        text = "\n".join(f"{s.name}: {', '.join(s.field_names)}" for s in load_schemas().values())
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from cm_research.data import format_problems, load_table

    if Path(args.file).suffix.lower() in (".sav", ".zsav", ".dta"):
        from cm_research.interop import import_table as load_table  # SPSS/Stata, labels mapped back
    references, held_back = {}, {}
    for table, file, key in (("participants", args.participants, "participant_id"),
                             ("mentors", args.mentors, "mentor_id")):
        if file:
            loaded = load_table(file, table)
            references[table] = loaded.data
            held_back[table] = set(loaded.quarantine.get(key, []))
    result = load_table(args.file, args.table, references=references, quarantined=held_back)
    errors = result.errors
    print(f"{result.path.name}: {result.n_read} rows read ({result.encoding}), {len(result.data)} valid, "
          f"{len(result.quarantine)} with problems"
          + (f", {len(result.blank_rows)} blank rows skipped" if result.blank_rows else ""))
    if args.table in ("outcomes", "sessions", "matches", "attendance") and not args.participants:
        print("note: participant ids were not checked against a participants file (use --participants FILE)")
    if args.table == "matches" and not args.mentors:
        print("note: mentor ids were not checked against a mentors file (use --mentors FILE)")
    if not result.problems.empty:
        print(format_problems(result.problems))
    if args.quarantine_dir:
        written = result.write_quarantine(args.quarantine_dir)
        if written:
            print(f"rows with problems written to {written}")
    return 1 if len(errors) else 0


def cmd_run(args: argparse.Namespace) -> int:
    from cm_research.batch import notebook_path, run_notebook

    params = dict(args.param or [])
    if args.data_dir:
        params["data_dir"] = str(Path(args.data_dir).resolve())
    if args.site:
        params["site"] = args.site
    source = notebook_path(args.notebook)
    from cm_research.batch.config import did_you_mean
    from cm_research.batch.execute import notebook_parameters

    declared = set(notebook_parameters(source))
    unknown = sorted(set(params) - declared - {"output_dir"})
    if unknown:
        print(f"error: {source.stem} has no parameter(s) {', '.join(did_you_mean(k, declared) for k in unknown)}; "
              f"it declares {', '.join(sorted(declared))}", file=sys.stderr)
        return 2
    output_dir = Path(args.output_dir or Path("outputs") / "runs" / (args.site or "site")).resolve()
    params["output_dir"] = str(output_dir)
    out = run_notebook(source, output_dir / source.name, params)
    print(f"wrote {out} and {out.with_suffix('.html')}")
    return 0


def _report_results(results, index) -> int:
    failed = [r for r in results if r.status == "failed"]
    skipped = [r for r in results if r.status == "skipped"]
    for r in failed:
        print(f"FAILED {r.job.site} / {r.job.stem}: {r.error.strip()}", file=sys.stderr)
    done = len(results) - len(failed) - len(skipped)
    note = f" ({len(skipped)} up to date, not re-run)" if skipped else ""
    print(f"{done + len(skipped)} of {len(results)} reports ready{note}; {len(failed)} failed; open {index}")
    return 1 if failed else 0


def cmd_demo(args: argparse.Namespace) -> int:
    from cm_research.batch import demo_config, run_batch, run_internal_demo

    run = run_batch(demo_config(), run_dir=args.output, n_jobs=args.jobs, resume=args.resume, synthetic=True)
    # the internal case study goes to its own folder; its disclosure scan always finds the id it was run for
    internal = run_internal_demo(args.output, n_jobs=args.jobs, resume=args.resume)
    code = _report_results(run.results + internal.results, run.index) or _report_disclosure(run)
    print(f"internal case study (NOT FOR PUBLICATION, not linked from the report index): {internal.index}")
    return code


def cmd_batch(args: argparse.Namespace) -> int:
    from cm_research.batch import load_batch, run_batch

    config = load_batch(args.batch_file)
    run = run_batch(config, output_root=args.output_root, run_dir=args.output, n_jobs=args.jobs,
                    resume=args.resume, scheduler=args.scheduler)
    print(f"manifest: {run.manifest}")
    if not config.publication:
        print("internal run (publication: false): NOT FOR PUBLICATION; the disclosure scan was recorded, not enforced")
    return _report_results(run.results, run.index) or (_report_disclosure(run) if config.publication else 0)


def _report_disclosure(run) -> int:
    findings = run.disclosure
    if findings is None or findings.empty:
        print("disclosure check passed: no identifiers found")
        return 0
    print(f"NOT FOR PUBLICATION: the disclosure check found {len(findings)} possible identifier(s) in "
          f"{findings['file'].nunique()} file(s); details in {run.run_dir / 'restricted'}", file=sys.stderr)
    return 1


def cmd_thematic(args: argparse.Namespace) -> int:
    from cm_research.batch import run_notebook

    from cm_research.interop.qda.folder import is_project_folder

    output_dir = Path(args.output).resolve()
    transcripts = Path(args.transcripts)
    if is_project_folder(transcripts):  # a folder written by import-qda: its transcripts, coding and codebook
        if not args.codebook and (transcripts / "codebook.yaml").is_file():
            args.codebook = str(transcripts / "codebook.yaml")
        if not args.coding and (transcripts / "coding.csv").is_file():
            args.coding = str(transcripts / "coding.csv")
        transcripts = transcripts / "transcripts"
    params = {"transcripts_dir": str(transcripts.resolve()), "output_dir": str(output_dir),
              "min_participants": args.min_participants, "min_share": args.min_share}
    if args.codebook:
        params["codebook"] = str(Path(args.codebook).resolve())
    if args.coding:
        params["coding"] = args.coding if args.coding == "suggestions" else str(Path(args.coding).resolve())
    if args.coder:
        params["coder"] = args.coder
    if args.roles:
        params["roles"] = [r.strip() for r in args.roles.split(",") if r.strip()]
    if args.site:
        params["site"] = args.site
    out = run_notebook("03_thematic_analysis", output_dir / "03_thematic_analysis.ipynb", params)
    print(f"wrote {out.with_suffix('.html')} and the tables beside it")
    sheets = sorted(output_dir.glob("**/suggestions_for_review.csv"))
    if sheets:  # quotes every sentence: kept in restricted/ when counts are suppressed for publication
        print(f"review sheet (accept or reject each suggestion): {sheets[0]}")
    return 0


def cmd_codebook(args: argparse.Namespace) -> int:
    from cm_research.qual.codebook import load_codebook, write_codebook_exports

    codebook = load_codebook(args.file)
    print(f"{args.file or 'starter codebook'}: valid")
    if args.output:
        write_codebook_exports(codebook, args.output)
        print(f"codebook.md, codebook.html and codebook.csv written to {args.output}")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    tables = list(dict.fromkeys(args.tables))
    if Path(args.out).suffix.lower() != ".xlsx":  # a folder: the data folder run and batch read
        from cm_research.interop import write_template_folder

        paths = write_template_folder(tables, args.out)
        folder = Path(args.out)
        print(f"wrote the data folder {folder}: {', '.join(p.name for p in paths)}, one workbook per table with "
              "drop-downs and checks from the data dictionary and an Instructions sheet. Fill them in, then:")
        for path, table in zip(paths, tables):
            print(f"  cm-research validate {path} --table {table}"
                  + (f" --participants {folder / 'participants.xlsx'}"
                     if table != "participants" and "participants" in tables else ""))
        print(f"  cm-research run 01_data_quality --data-dir {folder} --site SITE   (or list the folder in a "
              "batch.yaml)")
        return 0
    from cm_research.interop import write_template

    path = write_template(tables, args.out)
    print(f"wrote {path}: one sheet per table ({', '.join(tables)}) with drop-downs and "
          f"checks from the data dictionary, and an Instructions sheet. Once filled in, check it with: "
          f"cm-research validate {path.name} --table {tables[0]}")
    print("note: run and batch read a data folder holding one file per table (participants.xlsx, outcomes.xlsx, "
          "...); to get one ready to fill in, give --out a folder name instead of a .xlsx file")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from cm_research.data import format_problems, load_evaluation
    from cm_research.interop import export_evaluation

    evaluation = load_evaluation(args.data_dir)
    summary = export_evaluation(evaluation, args.out, args.format)
    for row in summary.itertuples():
        print(f"wrote {row.file}: {row.rows_written} rows from {row.source}")
    held = int(summary["rows_held_back"].sum())
    if held:
        errors = evaluation.problems[evaluation.problems["severity"] == "error"]
        print(f"{held} rows with problems were not exported; correct them and export again:", file=sys.stderr)
        print(format_problems(errors), file=sys.stderr)
        return 1
    return 0


def cmd_import_qda(args: argparse.Namespace) -> int:
    from cm_research.interop.qda import import_qda, read_qdc
    from cm_research.qual import write_codebook_exports
    from cm_research.interop.qda.folder import write_project_folder

    path = Path(args.file)
    suffix = path.suffix.lower()
    if suffix == ".qdc":
        write_codebook_exports(read_qdc(path), args.out)
        print(f"codebook written to {args.out}")
        return 0
    if suffix in (".csv", ".xlsx"):
        from cm_research.qual.qda_segments import export_advice

        if advice := export_advice(path):
            raise QdaCommandError(f"{path.name}: {advice}")
    if suffix == ".csv":
        raise QdaCommandError(f"{path.name}: a Taguette CSV export (codebook or highlights) carries no documents or "
                              "offsets; import the project database instead (the .sqlite3 file Taguette keeps, or "
                              "File > Export project in Taguette): cm-research import-qda project.sqlite3 --out DIR")
    native = {".nvp": "NVivo", ".nvpx": "NVivo", ".atlproj": "ATLAS.ti", ".atlproj23": "ATLAS.ti", ".hpr7": "ATLAS.ti",
              ".mx20": "MAXQDA", ".mx22": "MAXQDA", ".mx24": "MAXQDA", ".mex22": "MAXQDA", ".qda": "QualCoder"}
    if suffix in native:
        raise QdaCommandError(f"{path.name} is {native[suffix]}'s own project file, which only {native[suffix]} reads; "
                              f"in {native[suffix]} export the project as REFI-QDA (.qdpx) and import that file")
    transcripts_out = Path(args.out) / "transcripts"
    if transcripts_out.is_dir() and any(transcripts_out.iterdir()):
        raise QdaCommandError(f"{args.out} already holds an import (transcripts/ is not empty); give a new --out "
                              "folder, or delete the old one first, so two projects never mix")
    if suffix in (".sqlite3", ".sqlite", ".db"):
        from cm_research.interop.qda.taguette import import_taguette

        roles, sites = _roles_table(args.roles)
        project = import_taguette(path, roles=roles, sites=sites, project=args.project)
    else:
        project = import_qda(path, role_variable=args.role_variable, site_variable=args.site_variable)
    write_project_folder(project, args.out, source_file=path.name)
    print(f"{path.name}: {len(project.sources)} sources, {len(project.codes)} codes, "
          f"{len(project.coding)} codings imported into {args.out}")
    for message in project.messages:
        print(f"  {message}")
    report = project.offset_report()
    if len(report):
        print(report.drop(columns=["examples"], errors="ignore").to_string(index=False))
    print(f"next: cm-research thematic --transcripts {args.out} --output <report folder>   "
          f"or   cm-research export-qdpx --transcripts {args.out} --out project.qdpx")
    return 0


class QdaCommandError(CMResearchError):
    """A QDA command was given a file it cannot use; the message says what to give instead."""


def _roles_table(path: str | None) -> tuple[dict[str, str], dict[str, str]]:
    """document -> role and document -> site from a CSV with columns document, role (and site)."""
    if not path:
        return {}, {}
    import pandas as pd

    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in ("document", "role") if c not in table]
    if missing:
        raise QdaCommandError(f"{Path(path).name}: needs columns document and role (and optionally site); "
                              f"missing {', '.join(missing)}")
    return dict(zip(table["document"], table["role"])), dict(zip(table["document"], table.get("site", "")))


def cmd_export_qdpx(args: argparse.Namespace) -> int:
    from cm_research.interop.qda import export_qdpx
    from cm_research.qual import load_codebook, read_coding, read_transcripts
    from cm_research.interop.qda.folder import is_project_folder, read_memos, read_project_folder

    extras = None
    if is_project_folder(args.transcripts):
        corpus, codebook, coding, extras, name = read_project_folder(args.transcripts)
        if args.coding:
            coding = read_coding(args.coding, corpus, codebook, coder=args.coder)
        name = args.name or name
    else:
        if not args.coding:
            raise QdaCommandError("export-qdpx needs --coding CSV (or --transcripts a folder written by import-qda)")
        corpus = read_transcripts(args.transcripts)
        codebook = load_codebook(args.codebook)
        coding = read_coding(args.coding, corpus, codebook, coder=args.coder)
        name = args.name or "cm_research project"
    if args.memos:
        from cm_research.interop.qda.extras import ProjectExtras

        notes = read_memos(args.memos, corpus, extras.codes if extras else None,
                           extras.source_guids if extras else None, codebook=codebook)
        if extras is None:
            import pandas as pd

            empty = pd.DataFrame
            codes = pd.DataFrame(columns=["guid", "code", "label", "theme", "parent", "depth", "path", "description",
                                          "is_codable", "n_children"])
            extras = ProjectExtras(codes=codes, users=empty(columns=["guid", "name"]), source_guids={},
                                   selections=empty(columns=["transcript", "guid", "start", "end"]), notes=notes,
                                   sets=empty(columns=["set_guid", "set", "description", "member_kind",
                                                       "member_guid", "member"]),
                                   links=empty(columns=["guid", "name", "direction", "color", "origin_guid",
                                                        "target_guid", "origin", "target"]))
        else:
            import pandas as pd

            extras.notes = pd.concat([extras.notes, notes], ignore_index=True).drop_duplicates(
                ["guid", "kind", "target_guid", "text"])
    messages: list[str] = []
    path = export_qdpx(corpus, codebook, coding, args.out, name=name, offsets=args.offsets, extras=extras,
                       messages=messages)
    for message in messages:
        print(f"  {message}", file=sys.stderr)
    print(f"wrote {path}: {len(corpus)} transcripts, {len(coding)} codings, offsets in "
          f"{'UTF-16 units (NVivo for Windows)' if args.offsets == 'utf16' else 'characters'}; open it in NVivo, "
          "ATLAS.ti, MAXQDA or QualCoder (REFI-QDA project import)")
    return 0


def cmd_keygen(args: argparse.Namespace) -> int:
    from cm_research.privacy.keys import generate_key_file

    path = generate_key_file(args.path)
    print(f"new pseudonymisation key written to {path} (readable by you only). Keep a safe copy outside the "
          "repository: the same key gives the same pseudonyms every year.")
    return 0


def cmd_check_disclosure(args: argparse.Namespace) -> int:
    from cm_research.privacy.audit import audit_run
    from cm_research.privacy.scan import check_disclosure, format_findings, record_disclosure_check

    findings = (check_disclosure(args.run_dir, register=args.register) if args.identifiers_only else
                audit_run(args.run_dir, register=args.register, threshold=args.threshold))
    if args.record:
        record_disclosure_check(args.run_dir, findings)
    if findings.attrs.get("skipped"):
        print(f"not scanned (restricted: never publish these): {', '.join(findings.attrs['skipped'])}",
              file=sys.stderr)
    if findings.empty:
        what = "identifiers" if args.identifiers_only else "identifiers, small counts or single-person attributions"
        print(f"{args.run_dir}: no {what} found in {findings.attrs['n_files']} files")
        return 0
    print(format_findings(findings, limit=None))
    print(f"{len(findings)} possible identifier(s) in {findings['file'].nunique()} file(s): NOT FOR PUBLICATION",
          file=sys.stderr)
    return 1


def cmd_app(args: argparse.Namespace) -> int:
    from cm_research.app.server import serve

    return serve(args.project, port=args.port, open_browser=not args.no_browser)


def cmd_generate_demo(args: argparse.Namespace) -> int:
    from cm_research.datasets import write_demo_dataset

    from cm_research.datasets.synthetic import DEMO_SEED

    seed = DEMO_SEED if args.seed is None else args.seed
    folder = write_demo_dataset(args.folder, seed=seed)
    print(f"synthetic demo data written to {folder} (seed {seed})")
    return 0


THEMATIC_EPILOG = """\
transcript files (.txt or .docx): a header, a line ---, then speaker-labelled turns
  Pseudonym: Jade            (required)
  Role: mentee               (required: mentee, mentor, carer, social worker, teacher, VSH)
  Site: Easton               (required)
  Date: 2024-03-12           (optional; also Interviewer, Participant ID, Other speakers, Notes)
  ---
  Interviewer: How did you meet your mentor?
  Jade: At school.
  WebVTT (.vtt), SRT (.srt) and Teams/Zoom/Otter layouts ('Tia   0:00:11' on its own line) are read too;
  files without a header, joint interviews and focus groups need speakers.csv in the folder: columns speaker,
  role (interviewer or a role), participant_id, site, file (blank: every file); each speaker counts under
  their own role. Analyst memos: memos.csv in the folder (target_kind, target, name, text).

--coding CSV, one of:
  your own coding   columns transcript, code, coder (or --coder NAME), and start and end (character offsets,
                    end exclusive) or segment_id; optional quote, checked against the transcript
  the review sheet  suggestions_for_review.csv with the decision column filled: accept or reject on each
                    row (yes/no, y/n, 1/0 also work); rejected and blank rows are never counted, other
                    values are refused with their row numbers; add a coder column or pass --coder NAME

the loop: thematic -> edit suggestions_for_review.csv -> thematic --coding reviewed.csv -> export-qdpx
          -> NVivo / ATLAS.ti / MAXQDA / QualCoder -> import-qda -> thematic --transcripts <import folder>
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cm-research", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("dictionary", help="list the data dictionary's tables, or render it as Markdown")
    p.add_argument("--markdown", action="store_true", help="render every table and field as Markdown")
    p.add_argument("--output", help="write to this file instead of the screen")
    p.set_defaults(func=cmd_dictionary)

    p = sub.add_parser("validate", help="check a CSV or Excel file against the data dictionary")
    p.add_argument("file", help="the .csv or .xlsx file to check (an .xlsx from cm-research template, or your own)")
    p.add_argument("--table", required=True, help="which table the file holds, e.g. participants or outcomes")
    p.add_argument("--participants", help="participants file, to check the participant ids of an outcomes file")
    p.add_argument("--mentors", help="mentors file, to check the mentor ids of a matches file")
    p.add_argument("--quarantine-dir", help="write the rows with problems to quarantine_<table>.csv here")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("run", help="run one notebook with papermill and render it as HTML")
    p.add_argument("notebook", help="path, or a name in notebooks/ such as 01_data_quality")
    p.add_argument("--site", help="the site's name, as the report shows it, e.g. \"My Virtual School\"")
    p.add_argument("--data-dir", help="the site's data folder (participants and outcomes as .csv or .xlsx; "
                   "cm-research template makes one); default: the bundled synthetic demo")
    p.add_argument("--output-dir", help="folder for the executed notebook, its HTML and its tables "
                   "(default: outputs/runs/<site>)")
    p.add_argument("--param", action="append", type=_parse_param, metavar="KEY=VALUE",
                   help="a notebook parameter (repeatable); the value is read as YAML (numbers, true/false, lists)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("demo", help="run the notebooks on the bundled synthetic demo and write an HTML index")
    p.add_argument("--output", default="outputs/demo", help="folder for the demo run (default: outputs/demo); "
                   "internal reports go beside it, in <folder>-internal")
    p.add_argument("--jobs", type=int, default=None, help="notebooks run at once (default: number of cores)")
    p.add_argument("--resume", action="store_true", help="skip reports whose inputs and parameters are unchanged")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("batch", help="run every (site, notebook) pair of a batch.yaml, in parallel")
    p.add_argument("batch_file", help="the batch file (see cm_research.batch.config for its format)")
    p.add_argument("--jobs", type=int, default=None, help="notebooks run at once (default: number of cores)")
    p.add_argument("--resume", action="store_true",
                   help="skip pairs whose outputs are complete and whose inputs and parameters are unchanged")
    p.add_argument("--output-root", default="outputs", help="the run goes in OUTPUT_ROOT/<run name>")
    p.add_argument("--output", default=None, help="exact folder for the run (overrides --output-root)")
    p.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                   help="run on an existing Dask distributed cluster instead of local processes")
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("thematic", help="thematic analysis of a folder of interview transcripts (notebook 03)",
                       epilog=THEMATIC_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--transcripts", required=True,
                   help="folder of interviews (.txt/.docx with a header, .vtt, .srt), or a folder written by "
                        "import-qda (its transcripts, coding.csv and codebook.yaml are used)")
    p.add_argument("--codebook", help="codebook.yaml (default: the bundled starter codebook)")
    p.add_argument("--coding", help="CSV of human coding, the reviewed suggestions_for_review.csv, or 'suggestions' "
                                    "to analyse suggested codes (labelled so)")
    p.add_argument("--coder", help="which coder's coding to analyse (default: the first in the file); also names "
                                   "the coder of a file without a coder column")
    p.add_argument("--roles", help="comma-separated roles to include, e.g. mentee,mentor")
    p.add_argument("--site", help="one site's interviews only, e.g. Easton (default: every site)")
    p.add_argument("--min-participants", type=int, default=1,
                   help="a role generates a theme when at least this many of its participants raised it (default 1)")
    p.add_argument("--min-share", type=float, default=0.5,
                   help="... and at least this share of the role's participants did (default 0.5)")
    p.add_argument("--output", required=True, help="folder for the report, its tables and restricted/")
    p.set_defaults(func=cmd_thematic)

    p = sub.add_parser("codebook", help="check a codebook.yaml and export it as Markdown, HTML and CSV")
    p.add_argument("file", nargs="?", default=None, help="codebook.yaml (default: the bundled starter codebook)")
    p.add_argument("--output", help="folder for codebook.md, codebook.html and codebook.csv")
    p.set_defaults(func=cmd_codebook)

    p = sub.add_parser("import-qda", help="import a QDA project: REFI-QDA .qdpx, a bare project.qde (with its "
                                          "Sources folder beside it), a Taguette .sqlite3, or a .qdc codebook")
    p.add_argument("file", help="the project file: .qdpx, project.qde, Taguette's .sqlite3 or a .qdc codebook")
    p.add_argument("--out", required=True, help="folder to write: transcripts/, coding.csv, codebook.yaml, codes.csv, "
                                                "memos.csv, sets.csv, links.csv ... (thematic and export-qdpx take it)")
    p.add_argument("--role-variable", default="role", help="case variable holding the participant's role")
    p.add_argument("--site-variable", default="site", help="case variable holding the site")
    p.add_argument("--roles", help="Taguette: CSV with columns document, role (and site)")
    p.add_argument("--project", help="Taguette: the project's name, when the database holds several")
    p.set_defaults(func=cmd_import_qda)

    p = sub.add_parser("export-qdpx", help="export coded transcripts (or an import-qda folder) as a REFI-QDA .qdpx")
    p.add_argument("--transcripts", required=True, help="folder of transcripts, or a folder written by import-qda")
    p.add_argument("--coding", default=None, help="CSV of coded segments (default for an import-qda folder: its "
                                                  "coding.csv)")
    p.add_argument("--codebook", default=None, help="codebook.yaml (default: the starter codebook)")
    p.add_argument("--coder", default=None, help="which coder's coding to export (default: the first in the file); "
                   "also names the coder of a file without a coder column")
    p.add_argument("--memos", default=None, help="memos.csv: columns target_kind (project, transcript, code, "
                                                 "selection), target, text; written as REFI-QDA notes")
    p.add_argument("--offsets", choices=["characters", "utf16"], default="characters",
                   help="how positions are counted: characters (the standard; ATLAS.ti, MAXQDA, QualCoder, NVivo "
                        "for Mac) or utf16 (NVivo for Windows)")
    p.add_argument("--name", default=None, help="the project's name in the QDA program (default: the imported "
                   "project's, or 'cm_research project')")
    p.add_argument("--out", required=True, help="the .qdpx file to write")
    p.set_defaults(func=cmd_export_qdpx)

    p = sub.add_parser("keygen", help="make a pseudonymisation key, outside the repository")
    p.add_argument("path", nargs="?", default=None,
                   help="where to write it (default: ~/.config/cm_research/pseudonym.key)")
    p.set_defaults(func=cmd_keygen)

    p = sub.add_parser("check-disclosure", help="audit a run for publication: identifiers in reports, notebooks, "
                       "tables and images; counts from 1 to 5 not shown as c, 'k of n' with small numbers, "
                       "quotes pointing at one person, figures without their numbers")
    p.add_argument("run_dir", help="the run's folder, e.g. outputs/regional-2026")
    p.add_argument("--threshold", type=int, default=5, help="counts from 1 to this must be suppressed (default 5)")
    p.add_argument("--identifiers-only", action="store_true",
                   help="only the identifier scan, not the small-number audit")
    p.add_argument("--register", help="CSV/XLSX: a participants file, or a register with name and role columns")
    p.add_argument("--record", action="store_true",
                   help="also write restricted/disclosure_findings.csv and NOT_FOR_PUBLICATION.txt")
    p.set_defaults(func=cmd_check_disclosure)

    p = sub.add_parser("template", help="write Excel data-entry templates (drop-downs, checks, instructions): a data "
                                        "folder with one workbook per table, or one workbook")
    p.add_argument("tables", nargs="+", metavar="TABLE", help="tables of the data dictionary, e.g. participants outcomes")
    p.add_argument("--out", required=True,
                   help="a folder (e.g. data/northshire): one workbook per table, ready for validate, run and batch; "
                        "or a .xlsx file: one workbook with a sheet per table (validate it with --table)")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("export", help="write an evaluation's valid rows as SPSS (.sav) or Stata (.dta), with labels")
    p.add_argument("data_dir", help="folder holding participants and outcomes (.csv or .xlsx)")
    p.add_argument("--format", required=True, choices=["sav", "dta"], help="sav for SPSS, dta for Stata")
    p.add_argument("--out", required=True, help="folder for participants.<format> and outcomes.<format>")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("app", help="the practitioners' app in your browser: data, cycle record, interviews and "
                                   "reports, with no code (on this computer only)")
    p.add_argument("--project", default="my-evaluation", help="the project folder (made on first start; default "
                                                              "./my-evaluation)")
    p.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1 (default 8866)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser; open the printed address")
    p.set_defaults(func=cmd_app)

    p = sub.add_parser("generate-demo", help="write the synthetic demo data to a folder")
    p.add_argument("folder", help="where to write one sub-folder of data per demo site")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the bundled demo's seed)")
    p.set_defaults(func=cmd_generate_demo)
    from cm_research.mentors.cli import add_commands as add_mentor_commands

    add_mentor_commands(sub)
    from cm_research.interop_cli import add_commands as add_interop_commands  # import-survey, import-attendance

    add_interop_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # output piped into `head` or `less` and closed early: not an error of the user's
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush does not fail again
        return 0
    except CMResearchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (FileNotFoundError, KeyError) as exc:
        print(f"error: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
