"""Interviews in the app: suggested coding of the uploaded transcripts, the review of each suggestion
(accept, reject or recode, one quote at a time), and themes by role with their quotes.

The review is the same ``suggestions_for_review.csv`` that ``cm-research thematic`` writes and reads back
(:func:`cm_research.qual.suggest.write_review_csv`, :func:`cm_research.qual.coding.read_review_csv`): a
practitioner may decide in the app, or download the sheet, fill the ``decision`` column in Excel and upload it
back; both end in ``review/suggestions_for_review.csv``. Each decision is saved at once (the file is rewritten
whole, atomically), and every earlier version of the sheet is kept in ``review/`` with its time.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cm_research.app.errors import ReviewError
from cm_research.app.project import Project, timestamp
from cm_research.data.writing import write_csv

REVIEW_FILE = "suggestions_for_review.csv"
DECISIONS = ("accept", "reject")


def review_path(project: Project) -> Path:
    """The current review sheet, ``review/suggestions_for_review.csv``."""
    return project.path("review", REVIEW_FILE)


@dataclass
class CodingRun:
    """What suggested coding found: transcripts read, transcripts with problems, suggestions written."""

    n_transcripts: int
    n_suggestions: int
    problems: pd.DataFrame
    review_file: Path

    def summary(self) -> str:
        bad = self.problems["file"].nunique() if len(self.problems) else 0
        return (f"{self.n_transcripts} transcript(s) read, {self.n_suggestions} suggested code(s) to review"
                + (f"; {bad} transcript(s) could not be read and were left out (listed below)" if bad else "") + ".")


def _keep_previous(project: Project) -> None:
    current = review_path(project)
    if current.exists():
        shutil.copyfile(current, project.path("review", f"{timestamp()}__{REVIEW_FILE}"))


def run_suggested_coding(project: Project, codebook: str | Path | None = None) -> CodingRun:
    """Read ``interviews/`` (the readers of :mod:`cm_research.qual.transcripts`: .txt, .docx, .vtt, .srt),
    suggest codes from the codebook (default: the starter codebook) and write the review sheet. Transcripts
    that cannot be read are listed, not dropped silently."""
    from cm_research.qual.codebook import load_codebook
    from cm_research.qual.suggest import suggest_codes, write_review_csv
    from cm_research.qual.transcripts import read_transcripts

    corpus = read_transcripts(project.path("interviews"), errors="report")
    if not len(corpus):
        problems = corpus.problems
        detail = "; ".join(f"{p.file}: {p.message}" for p in problems.itertuples()) if len(problems) else ""
        raise ReviewError("No interview could be read from the interviews you uploaded" +
                          (f" ({detail})" if detail else "; upload transcripts (.txt, .docx, .vtt or .srt) first"))
    suggestions = suggest_codes(corpus.segments("sentence"), load_codebook(codebook))
    _keep_previous(project)
    review = write_review_csv(suggestions, review_path(project))
    return CodingRun(n_transcripts=len(corpus), n_suggestions=len(review), problems=corpus.problems,
                     review_file=review_path(project))


class ReviewSession:
    """The review sheet, one suggestion at a time. Decisions are written to the sheet as they are made."""

    def __init__(self, project: Project, codebook: str | Path | None = None):
        from cm_research.qual.codebook import load_codebook

        self.project = project
        self.path = review_path(project)
        if not self.path.exists():
            raise ReviewError("There are no suggestions to review yet: upload interviews and run suggested coding")
        self.codebook = load_codebook(codebook)
        self.table = pd.read_csv(self.path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        self.position = self._first_undecided()

    def _first_undecided(self) -> int:
        undecided = [i for i, d in enumerate(self.table["decision"]) if not d.strip()]
        return undecided[0] if undecided else 0

    @property
    def codes(self) -> list[tuple[str, str]]:
        """(label, code) of every code in the codebook, for the recode drop-down."""
        table = self.codebook.table()
        return list(zip(table["theme_label"] + ": " + table["code_label"], table["code"]))

    def code_label(self, code: str) -> str:
        table = self.codebook.table().set_index("code")
        return str(table.loc[code, "code_label"]) if code in table.index else code

    def current(self) -> dict:
        """The suggestion shown: its id, quote (the sentence), suggested code and label, role, transcript,
        decision so far, and its place (``n`` of ``total``)."""
        if self.table.empty:
            raise ReviewError("The review sheet holds no suggestions")
        row = self.table.iloc[self.position]
        return {"suggestion_id": row["suggestion_id"], "quote": row["text"], "code": row["code"],
                "code_label": self.code_label(row["code"]), "role": row["role"], "transcript": row["transcript"],
                "negated": row.get("negated", "") in ("True", "true", "1"), "decision": row["decision"],
                "n": self.position + 1, "total": len(self.table)}

    def move(self, step: int) -> dict:
        self.position = max(0, min(len(self.table) - 1, self.position + step))
        return self.current()

    def decide(self, decision: str, code: str | None = None) -> dict:
        """Record ``accept`` or ``reject`` for the suggestion shown, or recode it (``code``: accepted under
        that code instead), save the sheet and move to the next suggestion. Returns the new current one."""
        if decision not in DECISIONS:
            raise ReviewError(f"decision {decision!r}: choose accept or reject")
        self._reload()
        i = self.position
        if code is not None and code != self.table.at[i, "code"]:
            if code not in self.codebook.code_names:
                raise ReviewError(f"{code!r} is not a code of the codebook")
            self.table.at[i, "code"] = code
            self.table.at[i, "theme"] = str(self.codebook.table().set_index("code").loc[code, "theme"])
            decision = "accept"
        self.table.at[i, "decision"] = decision
        self.save()
        return self.move(1) if i < len(self.table) - 1 else self.current()

    def _reload(self) -> None:
        """Take the sheet as it is on disk now: another browser tab (or a second app on the same folder) may have
        saved decisions since this one read it, and writing this tab's copy whole would undo them."""
        on_disk = pd.read_csv(self.path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        shown = self.table.at[self.position, "suggestion_id"]
        if list(on_disk["suggestion_id"]) != list(self.table["suggestion_id"]):
            self.table = on_disk
            self.position = self._first_undecided()
            raise ReviewError("The review sheet was changed in another window (codes suggested again, or a sheet "
                              f"uploaded) since suggestion {shown} was shown: nothing was recorded. The review now "
                              "shows the sheet as it is; decide again.")
        self.table = on_disk

    def counts(self) -> dict[str, int]:
        d = self.table["decision"].str.strip().str.lower()
        return {"accepted": int((d == "accept").sum()), "rejected": int((d == "reject").sum()),
                "undecided": int((d == "").sum())}

    def save(self) -> None:
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        write_csv(self.table, tmp, encoding="utf-8")  # text typed as a formula stays text
        os.replace(tmp, self.path)


def load_reviewed_upload(project: Project, stored: Path, codebook: str | Path | None = None) -> dict[str, int]:
    """Check an uploaded review sheet against the transcripts and codebook (the reader ``thematic --coding``
    uses: a bad decision, code or offset is refused with its row) and make it the current sheet."""
    from cm_research.qual.codebook import load_codebook
    from cm_research.interop.records import read_csv_records
    from cm_research.qual.coding import CodingImportError, read_review_csv
    from cm_research.qual.transcripts import read_transcripts

    corpus = read_transcripts(project.path("interviews"), errors="report")
    review = read_review_csv(stored, corpus, load_codebook(codebook))
    _keep_previous(project)
    # written, not copied: a cell typed as a formula (=, +, -, @) is kept as text, as in every export, so the
    # sheet downloaded again from the app runs nothing in Excel
    # (read as the reader above read it: its encoding, its delimiter, its headings)
    header, rows = read_csv_records(stored, CodingImportError)
    sheet = pd.DataFrame([row for _, row in rows], columns=header, dtype=str)
    tmp = review_path(project).with_name(f".{REVIEW_FILE}.tmp")
    write_csv(sheet, tmp, encoding="utf-8")
    os.replace(tmp, review_path(project))
    d = review["decision"]
    return {"accepted": int((d == "accept").sum()), "rejected": int((d == "reject").sum()),
            "undecided": int((d == "undecided").sum())}


def themes_by_role(project: Project, codebook: str | Path | None = None) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """Themes by role with their quotes, from the accepted suggestions when any were accepted (else the
    unreviewed suggestions, labelled so). Returns (what the counts rest on, themes, quotes); names of people
    interviewed are taken out of the quotes (:func:`cm_research.qual.redact.redact_names`)."""
    import warnings

    from cm_research.qual.workflow import run_thematic_analysis

    path = review_path(project)
    accepted = path.exists() and (pd.read_csv(path, dtype=str, keep_default_na=False)["decision"]
                                  .str.strip().str.lower().isin(["accept", "accepted", "yes", "y", "1", "x"]).any())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # undecided rows: said in the basis sentence
        result = run_thematic_analysis(project.path("interviews"), codebook=codebook,
                                       coding=path if accepted else None, coder="practitioner")
    themes = result.tables["themes_generated_by"][["theme_label", "sentence"]].rename(
        columns={"theme_label": "theme", "sentence": "roles whose views generated it"})
    quotes = result.tables["quotes"][["theme_label", "role", "quote_display"]].rename(
        columns={"theme_label": "theme", "quote_display": "quote"})
    return result.basis, themes, quotes
