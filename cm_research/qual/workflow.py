"""The thematic analysis from a folder of transcripts to every table the report shows, in one call.

:func:`run_thematic_analysis` reads the transcripts, codebook and coding, links the coding to sentence
segments and computes the tables; :func:`write_outputs` writes them (CSV, Markdown, HTML) to a folder.
The notebook ``03_thematic_analysis.ipynb`` is a thin narrative over these two functions.

When no human coding is given, the analysis runs on the *suggested* codes, and says so in ``basis`` (which
the report prints above every table): keyword suggestions are not an analysis. Every table and figure built
from them then says so in its file name (``..._UNREVIEWED_SUGGESTIONS.csv``), in its header row (a first
column headed ``UNREVIEWED SUGGESTIONS``) and in its caption (:func:`caption`).

Beyond the counts: the framework matrix (:mod:`cm_research.qual.framework`, written to ``restricted/``
because it holds quotes case by case), the themes as Word (:mod:`cm_research.qual.themes_docx`), saturation
(:mod:`cm_research.qual.saturation`), negative cases and themes by site (:mod:`cm_research.qual.cases`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cm_research.data.writing import write_csv
from cm_research.errors import LINE_PROBLEM_COLUMNS, problems_table
from cm_research.qual.agreement import agreement
from cm_research.qual.cases import negative_cases, theme_attribute_matrix
from cm_research.qual.framework import (UNREVIEWED, UNREVIEWED_NOTE, framework_entries, framework_file_name,
                                        framework_matrix_overview, write_framework_xlsx)
from cm_research.qual.saturation import assess_saturation, new_codes_curve, plot_saturation, saturation_runs
from cm_research.qual.themes_docx import themes_docx_name, write_themes_docx
from cm_research.qual.analysis import (code_role_counts, concordance, cooccurrence, coverage, exemplar_quotes,
                                       generated_by, matrix_wide, theme_role_matrix, word_frequencies)
from cm_research.qual.codebook import Codebook, load_codebook, write_codebook_exports
from cm_research.qual.errors import TranscriptError
from cm_research.qual.coding import coded_segments, read_coding, suggestions_as_coding
from cm_research.qual.quotes import coded_span_quotes
from cm_research.qual.redact import known_names, redact_columns, redact_names
from cm_research.qual.roles import normalise_role, role_name
from cm_research.qual.suggest import suggest_codes, write_review_csv
from cm_research.qual.transcripts import Corpus, read_transcripts

SUGGESTED_BASIS = ("suggested codes: keyword matches that no analyst has reviewed. They show where to look, "
                   "not what the interviews mean")
#: Tables whose counts or quotes rest on the coding (from suggestions, they are labelled unreviewed).
CODING_TABLES = ("coverage", "theme_role_matrix", "theme_role_wide", "themes_generated_by", "code_counts_by_role",
                 "cooccurrence_segments", "cooccurrence_participants", "quotes", "negative_cases",
                 "saturation_curve", "saturation_runs", "themes_by_site", "framework_overview")
UNREVIEWED_HEADER = "UNREVIEWED SUGGESTIONS"


@dataclass
class ThematicResult:
    """Everything the report needs. ``basis`` says whose coding the counts rest on."""

    corpus: Corpus
    codebook: Codebook
    segments: pd.DataFrame
    suggestions: pd.DataFrame
    coding: pd.DataFrame | None
    coded: pd.DataFrame
    basis: str
    analysed_coder: str | None
    roles: list[str]
    min_participants: int
    min_share: float
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    saturation: dict = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    #: full tables of a run for publication whose published copy is reduced (:func:`cm_research.qual.publish.
    #: publish_thematic`): written to ``restricted/`` only
    restricted: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: what importing another program's coding export did not carry (MAXQDA weights, the Dedoose columns read
    #: as codes): file, line, column, value, message; empty for the analyst's own CSV
    import_notes: pd.DataFrame = field(default_factory=lambda: problems_table(columns=LINE_PROBLEM_COLUMNS))

    @property
    def from_suggestions(self) -> bool:
        return self.coding is None


def caption(result: ThematicResult, text: str) -> str:
    """A table or figure caption that says so when it rests on unreviewed suggestions."""
    return f"{text} — from unreviewed suggested codes" if result.from_suggestions else text


def output_name(result: ThematicResult, name: str) -> str:
    """The file stem for a table or figure: ``name``, or ``name_UNREVIEWED_SUGGESTIONS`` when it rests on
    unreviewed suggestions."""
    return f"{name}_{UNREVIEWED}" if result.from_suggestions and name in (*CODING_TABLES, *FIGURES) else name


FIGURES = ("theme_role_heatmap", "code_frequency_by_role", "cooccurrence_heatmap", "saturation_curve")


def _normalise_roles(roles) -> list[str] | None:
    if not roles:
        return None
    if isinstance(roles, str):
        roles = [r for r in roles.replace(";", ",").split(",") if r.strip()]
    out = []
    for r in roles:
        canonical = normalise_role(r)
        if canonical is None:
            raise ValueError(f"unknown role {r!r} in roles")
        out.append(canonical)
    return out


def run_thematic_analysis(transcripts_dir: str | Path, codebook: str | Path | Codebook | None = None,
                          coding: str | Path | None = None, coder: str | None = None,
                          roles: list[str] | str | None = None, site: str | None = None,
                          min_participants: int = 1, min_share: float = 0.5, quotes_per_role: int = 2,
                          errors: str = "report", saturation_base: int = 4, saturation_run: int = 2,
                          saturation_threshold: float = 0.05, memos: str | Path | None = None) -> ThematicResult:
    """Run the whole analysis.

    Parameters
    ----------
    transcripts_dir
        Folder of .txt / .docx interviews.
    codebook
        A codebook YAML (or a loaded Codebook); None for the bundled starter codebook.
    coding
        CSV of human coding (see :func:`cm_research.qual.coding.read_coding`), or the reviewed
        ``suggestions_for_review.csv`` (only rows whose ``decision`` is accept count); None to analyse
        suggestions.
    coder
        Whose coding the counts use when the file holds several coders; None for the first coder in the file.
        It also names the coder of a file without a ``coder`` column.
        Agreement is computed whenever the file holds exactly two coders.
    roles
        Roles to report, in order; None for every role interviewed.
    site
        Only this site's interviews; None for all.
    min_participants, min_share
        Thresholds for "generated by views of" (see :func:`cm_research.qual.analysis.generated_by`).
    errors
        "report" (default): unreadable transcripts are listed in ``corpus.problems`` and left out;
        "raise": any unreadable transcript stops the analysis.
    saturation_base, saturation_run, saturation_threshold
        Guest, Namey & Chen's (2020) base size, run length and new-information threshold
        (see :mod:`cm_research.qual.saturation`).
    memos
        The analyst's memos file (see :mod:`cm_research.interop.qda.folder`: target_kind, target, name, text);
        None looks for ``memos.csv`` in the transcripts folder, then beside it in a folder written by
        import-qda. Shown in the report as ``tables["memos"]`` and exported to REFI-QDA as notes.
    """
    everyone = read_transcripts(transcripts_dir, errors=errors)
    if not len(everyone):
        if not everyone.problems.empty:
            raise TranscriptError.from_problems(everyone.problems.to_dict("records"), "the transcripts")
        raise TranscriptError(f"no transcripts (.txt or .docx) in {transcripts_dir}")
    corpus = everyone.select(sites=[site]) if site else everyone
    if not len(corpus):
        raise ValueError(f"no transcripts from site {site!r} in {transcripts_dir}; sites there: "
                         f"{', '.join(sorted({t.site for t in everyone.transcripts}))}")
    role_list = _normalise_roles(roles)
    codebook = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    segments = corpus.segments("sentence")
    suggestions = suggest_codes(segments, codebook)
    participants = corpus.participants()
    tables: dict[str, pd.DataFrame] = {}

    human = None
    import_notes = problems_table(columns=LINE_PROBLEM_COLUMNS)
    if coding:
        # checked against every transcript in the folder, then narrowed to the site analysed
        human = read_coding(coding, everyone, codebook, coder=coder)
        import_notes = human.attrs.get("import_notes", import_notes)
        review = human.attrs.get("review")
        human = human[human["transcript"].isin({t.transcript for t in corpus.transcripts})].reset_index(drop=True)
        if human.empty:
            raise ValueError(f"{Path(coding).name} codes none of the transcripts analysed")
        coders = list(dict.fromkeys(human["coder"]))
        analysed = coder or coders[0]
        if analysed not in coders:
            raise ValueError(f"coder {analysed!r} is not in {Path(coding).name}; coders there: {', '.join(coders)}")
        all_coded = coded_segments(human, segments)
        coded = all_coded[all_coded["coder"] == analysed].reset_index(drop=True)
        basis = f"human coding by {analysed}"
        if review:
            basis += (f" ({review['n_accept']} reviewed suggestions accepted; {review['n_reject']} rejected"
                      + (f" and {review['n_undecided']} left undecided" if review["n_undecided"] else "")
                      + " are not counted)")
        if len(coders) > 1:
            basis += f" (one of {len(coders)} coders in the file)"
        if len(coders) == 2:
            tables["agreement"] = agreement(all_coded, segments)
        suggested = coded_segments(suggestions_as_coding(suggestions), segments)
        versus = pd.concat([coded, suggested], ignore_index=True)
        if len(suggested):  # a codebook without hints (e.g. one imported from NVivo) suggests nothing
            tables["agreement_vs_suggestions"] = agreement(versus, segments, analysed, "suggested",
                                                           transcripts=sorted(set(coded["transcript"])))
    else:
        analysed = None
        coded = coded_segments(suggestions_as_coding(suggestions), segments)
        basis = SUGGESTED_BASIS

    matrix = theme_role_matrix(coded, participants, codebook, roles=role_list)
    tables["interviews"] = (participants.groupby(["role", "site"]).agg(
        interviews=("transcript", "size"), participant_words=("n_participant_words", "sum")).reset_index()
        .assign(role=lambda t: t["role"].map(role_name)))
    tables["codebook"] = codebook.table()[["theme_label", "code_label", "code", "definition"]]
    tables["coverage"] = coverage(coded, segments, participants)
    tables["theme_role_matrix"] = matrix
    tables["theme_role_wide"] = matrix_wide(matrix, "n_participants")
    tables["themes_generated_by"] = generated_by(matrix, min_participants=min_participants, min_share=min_share)
    tables["code_counts_by_role"] = code_role_counts(coded, participants, codebook, roles=role_list)
    tables["cooccurrence_segments"] = cooccurrence(coded, "segment")
    tables["cooccurrence_participants"] = cooccurrence(coded, "participant")
    tables["quotes"] = coded_span_quotes(
        exemplar_quotes(coded, participants, codebook, per_role=quotes_per_role, roles=role_list), human,
        codebook, corpus, coder=analysed)
    names = known_names(corpus)
    lowered = {n.lower() for n in names}
    tables["quotes"]["quote_display"] = [redact_names(q, names) for q in tables["quotes"]["quote"]]
    tables["quotes"]["context_display"] = [redact_names(q, names) for q in tables["quotes"]["context"]]
    memo_file = Path(memos) if memos else next(
        (p for p in (Path(transcripts_dir) / "memos.csv", Path(transcripts_dir).parent / "memos.csv")
         if p.is_file() and (p.parent == Path(transcripts_dir) or (p.parent / "project.yaml").is_file())), None)
    if memo_file is not None:
        from cm_research.qual.memos import read_memos

        notes = read_memos(memo_file, everyone, codebook=codebook)
        tables["memos"] = pd.DataFrame({
            "about": notes["target_kind"].replace({"source": "transcript"}), "target": notes["target"],
            "kind": notes["kind"], "name": notes["name"],
            "memo": [redact_names(str(t), names) for t in notes["text"]]})
    tables["word_frequencies"] = pd.concat([word_frequencies(segments, n=1, top=15, exclude=lowered).assign(n=1),
                                            word_frequencies(segments, n=2, top=10, exclude=lowered).assign(n=2)],
                                           ignore_index=True)
    tables["suggestion_summary"] = (suggestions.assign(negated=suggestions["negated"].astype(bool))
                                    .groupby("code").agg(suggested_segments=("segment_id", "nunique"),
                                                         flagged_negated=("negated", "sum")).reset_index())
    entries = framework_entries(coded, participants, codebook, names)
    tables["framework_entries"] = entries
    tables["framework_overview"] = framework_matrix_overview(entries, participants, codebook)
    if human is None:
        against_rows = suggestions
    else:
        # a sentence the coder coded goes against the theme when the negation check flags the same code there
        flags = suggestions.loc[suggestions["negated"].astype(bool), ["segment_id", "code"]].assign(negated=True)
        against_rows = coded.merge(flags, on=["segment_id", "code"], how="left").fillna({"negated": False})
    tables["negative_cases"] = negative_cases(against_rows, participants, codebook, names)
    curve = new_codes_curve(coded, participants)
    tables["saturation_curve"] = curve
    tables["saturation_runs"] = saturation_runs(curve, saturation_base, saturation_run, saturation_threshold)
    tables["themes_by_site"] = theme_attribute_matrix(coded, participants, codebook, by="site")
    return ThematicResult(corpus=corpus, codebook=codebook, segments=segments, suggestions=suggestions,
                          coding=human, coded=coded, basis=basis, analysed_coder=analysed,
                          roles=list(matrix["role"].drop_duplicates()), min_participants=min_participants,
                          min_share=min_share, tables=tables,
                          saturation=assess_saturation(curve, saturation_base, saturation_run, saturation_threshold),
                          names=names, import_notes=import_notes)


def write_outputs(result: ThematicResult, output_dir: str | Path,
                  review_dir: str | Path | None = None) -> dict[str, Path]:
    """Write every table as CSV, the codebook as Markdown/HTML/CSV, and the suggestions for review.

    Files: interviews.csv, coverage.csv, theme_role_matrix.csv (long), theme_role_wide.csv,
    themes_generated_by.csv, code_counts_by_role.csv, cooccurrence_segments.csv,
    cooccurrence_participants.csv, quotes.csv, word_frequencies.csv, suggestion_summary.csv,
    suggestions_for_review.csv (the analyst's accept/reject sheet), agreement.csv and
    agreement_vs_suggestions.csv (when there is human coding), transcript_problems.csv and
    skipped_files.csv and coding_import_notes.csv (what a MAXQDA or Dedoose export did not carry) (when any; with
    ``review_dir``, there, as they name the analyst's files), codebook.md/.html/.csv, basis.txt (whose coding the counts rest on).
    Also: negative_cases.csv (counts; with the quotes, in ``restricted/``), saturation_curve.csv, saturation_runs.csv, themes_by_site.csv,
    framework_overview.csv (coded sentences per case and theme), themes.docx (themes, definitions,
    "generated by" and de-identified quotes), and ``restricted/framework_matrix.xlsx`` (quotes case by case:
    individual-level, never published). From unreviewed suggestions, every file built from the coding is
    named ``..._UNREVIEWED_SUGGESTIONS`` and its CSV's first column is headed ``UNREVIEWED SUGGESTIONS``.
    No file holds participant ids or pseudonyms; transcripts are named by file, as the analyst saved them.
    """
    from cm_research.privacy.contract import SuppressedTable, write_table
    from cm_research.privacy.suppression import certify
    from cm_research.quality import RESTRICTED

    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for name, table in result.tables.items():
        if name in ("codebook", "framework_entries"):
            continue
        paths[name] = out / f"{output_name(result, name)}.csv"
        published = table.disclosure if isinstance(table, SuppressedTable) else None  # cm_research.qual.publish
        if result.from_suggestions and name in CODING_TABLES:
            table = table.copy()
            table.insert(0, UNREVIEWED_HEADER, f"yes: {UNREVIEWED_NOTE}")
        if name == "negative_cases" and name not in result.restricted:  # quotes case by case: restricted only
            restricted = out / RESTRICTED / paths[name].name
            restricted.parent.mkdir(parents=True, exist_ok=True)
            write_csv(table, restricted)
            paths["negative_cases_quotes"] = restricted
            table = table.drop(columns="quotes_against")
        if published is not None:  # a published table: written with its record (a label column added is no count)
            if not isinstance(table, SuppressedTable):
                table = certify(table, published.get("count_columns") or [], name=name, reason=published.get("note", ""),
                                not_people=published.get("not_people") or ())
            write_table(table, paths[name])
        else:
            write_csv(table, paths[name])
    for name, table in result.restricted.items():  # published reduced (a run for publication): in full here
        restricted = out / RESTRICTED / f"{output_name(result, name)}.csv"
        restricted.parent.mkdir(parents=True, exist_ok=True)
        if result.from_suggestions and name in CODING_TABLES:
            table = table.copy()
            table.insert(0, UNREVIEWED_HEADER, f"yes: {UNREVIEWED_NOTE}")
        write_csv(table, restricted)
        paths["negative_cases_quotes" if name == "negative_cases" else f"{name}_restricted"] = restricted
    paths["framework_matrix"] = write_framework_xlsx(
        result.tables["framework_entries"], result.corpus.participants(), result.codebook,
        out / RESTRICTED / framework_file_name(result.from_suggestions), unreviewed=result.from_suggestions,
        basis=result.basis)
    paths["themes_docx"] = write_themes_docx(
        result.codebook, result.tables["themes_generated_by"], result.tables["quotes"],
        out / themes_docx_name(result.from_suggestions), basis=result.basis, unreviewed=result.from_suggestions,
        synthetic=any((p / "SYNTHETIC.txt").exists() for t in result.corpus.transcripts[:1]
                      for p in (t.path.parent, *t.path.parent.parents)))
    # the review sheet quotes every sentence as spoken: in a run for publication it belongs in restricted/
    review = Path(review_dir) if review_dir else out
    review.mkdir(parents=True, exist_ok=True)
    paths["suggestions_for_review"] = review / "suggestions_for_review.csv"
    write_review_csv(result.suggestions, paths["suggestions_for_review"])
    # both name the analyst's files (a transcript's name can name its interviewee): restricted when published
    if not result.corpus.problems.empty:
        paths["transcript_problems"] = review / "transcript_problems.csv"
        write_csv(result.corpus.problems, paths["transcript_problems"])
    if not result.import_notes.empty:  # names the analyst's export file: beside the transcript problems
        paths["coding_import_notes"] = review / "coding_import_notes.csv"
        write_csv(result.import_notes, paths["coding_import_notes"])
    if not result.corpus.skipped.empty:
        paths["skipped_files"] = review / "skipped_files.csv"
        write_csv(result.corpus.skipped, paths["skipped_files"])
    paths.update({f"codebook_{k}": v for k, v in write_codebook_exports(result.codebook, out).items()})
    paths["basis"] = out / "basis.txt"
    paths["basis"].write_text(f"Counts rest on: {result.basis}.\n", encoding="utf-8")
    return paths


def quotes_markdown(quotes: pd.DataFrame, from_suggestions: bool = False, context: bool = False) -> str:
    """Quotes grouped by theme, attributed by role and site only; names are redacted (``quote_display``).

    Each quote is the coded span; ``context=True`` adds the sentence it sits in (``context_display``) where it
    says more than the span."""
    if quotes.empty:
        return "_No complete sentences of a suitable length were coded._"
    lines = []
    if from_suggestions:
        lines += ["_These sentences carry **suggested** codes (keyword matches, not reviewed)._", ""]
    for theme, block in quotes.groupby("theme_label", sort=False):
        lines.append(f"**{theme}**")
        lines.append("")
        for q in block.itertuples(index=False):
            shown = getattr(q, "quote_display", None) or q.quote
            around = getattr(q, "context_display", "") if context else ""
            extra = f" (in: “{around}”)" if isinstance(around, str) and around.strip() and around.strip() != shown.strip() else ""
            said_by = getattr(q, "attribution", None) or f"{role_name(q.role)}, {q.site}"  # pooled when published
            lines.append(f"- “{shown}”{extra} — {said_by}")
        lines.append("")
    from cm_research.qual.publish import pooling_note

    note = pooling_note(quotes)
    return "\n".join(lines + ([f"_{note}_"] if note else []))


def keyword_in_context(result: ThematicResult, term: str, width: int = 50) -> pd.DataFrame:
    """Concordance of ``term`` in participants' words, with the names of people interviewed redacted in the
    context columns (offsets still point at the exact text)."""
    kwic = concordance(result.segments, term, width=width)
    return redact_columns(kwic, ["left", "match", "right"], known_names(result.corpus))


def save_saturation_figure(result: ThematicResult, output_dir: str | Path, dpi: int = 120):
    """Draw the saturation curve with its assessment, save it as ``saturation_curve[_UNREVIEWED_SUGGESTIONS].png``
    in ``output_dir`` and return the Axes."""
    ax = plot_saturation(result.tables["saturation_curve"], result.saturation,
                         title=caption(result, "New and cumulative codes by interview"))
    path = Path(output_dir) / f"{output_name(result, 'saturation_curve')}.png"
    ax.figure.savefig(path, dpi=dpi, bbox_inches="tight")
    return ax


def framework_section(result: ThematicResult, output_dir: str | Path) -> tuple[str, list[tuple[str, pd.DataFrame]]]:
    """What the report shows of the framework matrix: (a note in Markdown, [(caption, table)]).

    In an internal run (``publication: false``): one matrix per theme, cases by pseudonymous label, with the
    coded sentences and their references. Anywhere else (a run for publication, or a folder in no run): only
    the number of coded sentences per case and theme, and the note says where the matrix is (``restricted/``).
    """
    from cm_research.qual.framework import framework_matrix, framework_matrix_is_internal
    from cm_research.quality import RESTRICTED

    unreviewed = result.from_suggestions
    name = f"{RESTRICTED}/{framework_file_name(unreviewed)}"
    entries = result.tables["framework_entries"]
    participants = result.corpus.participants()
    if framework_matrix_is_internal(output_dir):
        note = (f"Cases are named by pseudonymous label; names in quotes are replaced with [name]; each quote "
                f"carries its place in the interview (turn.sentence). The summary column is for the analyst to "
                f"write. The same matrix, one sheet per theme, is in `{name}`. **Internal output**: quotes case "
                "by case are individual-level material; do not publish them.")
        tables = [(caption(result, f"Framework matrix: {t.label}"),
                   framework_matrix(entries, participants, result.codebook, t.name))
                  for t in result.codebook.themes if (entries["theme"] == t.name).any()]
    else:
        note = (f"Quotes case by case are individual-level material, shown only in an internal run "
                f"(`publication: false`): here the table gives the number of coded sentences per case and theme. "
                f"The full matrix, one sheet per theme with the quotes and a summary column to write, is in "
                f"`{name}` (restricted: never published).")
        tables = [(caption(result, "Framework matrix overview: coded sentences per case and theme"),
                   result.tables["framework_overview"].copy())]
    for _, table in tables:
        table.attrs["row_header"] = "case"  # each participant's row is headed by its case label (WCAG 1.3.1)
    return note, tables


def docx_link(result: ThematicResult) -> str:
    """A Markdown link to the themes .docx written by :func:`write_outputs` (beside the report)."""
    name = themes_docx_name(result.from_suggestions)
    return (f"The themes, their definitions, whose views generated them and de-identified quotes are in the "
            f"Word document [{name}]({name}), ready to paste into a report"
            + (f" (built from {UNREVIEWED_NOTE})." if result.from_suggestions else "."))


def negative_cases_display(result: ThematicResult, output_dir: str | Path) -> pd.DataFrame:
    """The negative-cases table for the report: with the sentences against the theme in internal output, without
    them in a run for publication (they are quotes case by case)."""
    from cm_research.qual.framework import framework_matrix_is_internal

    table = result.tables["negative_cases"].drop(columns="theme")
    # published (cm_research.qual.publish): one row a theme, no sentences to drop
    return table if framework_matrix_is_internal(output_dir) else table.drop(columns="quotes_against",
                                                                              errors="ignore")
