"""The framework matrix of the Framework Method: cases down, one sheet per theme, codes across.

Gale et al. (2013) chart the data into a matrix with one row per case (here a participant), one column per
code, grouped by theme, and in each cell a short summary of what the case said about the code, with
references to the illustrative quotes. This module fills the cells with the coded sentences (each with its
reference, ``turn.sentence`` in the transcript) and leaves a *summary* column per theme for the analyst to
write: charting is the analyst's interpretation, and the software should not pretend to summarise.

Cases are named by their pseudonymous case label (``participant_label``: "mentee 2"), never by participant id
or transcript pseudonym, and names known from the transcripts' headers are redacted in the quotes. A matrix
of quotes per participant is individual-level material all the same: the .xlsx goes into a ``restricted/``
folder (never published), and a report shows the quotes case by case only in an internal run
(:func:`framework_matrix_is_internal`).

Reference: Gale NK, Heath G, Cameron E, Rashid S, Redwood S (2013). Using the framework method for the
analysis of qualitative data in multi-disciplinary health research. BMC Medical Research Methodology 13:117.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cm_research.data.writing import workbook_text_only
from cm_research.qual.codebook import Codebook
from cm_research.qual.document_properties import set_xlsx_properties
from cm_research.qual.redact import redact_names
from cm_research.qual.roles import role_name

UNREVIEWED = "UNREVIEWED_SUGGESTIONS"
UNREVIEWED_NOTE = "built from unreviewed suggested codes (keyword matches no analyst has reviewed)"
SUMMARY_HEADER = "Summary (for the analyst to write)"
FRAMEWORK_COLUMNS = ["theme", "theme_label", "code", "code_label", "case", "role", "site", "reference", "quote"]


def _reference(segment_id: str) -> str:
    """"t#12.3" -> "12.3" (turn 12, sentence 3 of the transcript)."""
    return str(segment_id).rsplit("#", 1)[-1]


def framework_entries(coded: pd.DataFrame, participants: pd.DataFrame, codebook: Codebook,
                      names: list[str] | None = None) -> pd.DataFrame:
    """One row per coded participant sentence and code: theme, theme_label, code, code_label, case, role,
    site, reference (turn.sentence), quote (names redacted). Interviewer sentences are never charted."""
    rows = coded[~coded["is_interviewer"].astype(bool)] if "is_interviewer" in coded else coded
    rows = rows.drop_duplicates(["segment_id", "code"]).merge(codebook.code_theme_table(), on="code", how="inner")
    labels = participants.drop_duplicates("participant").set_index("participant")["participant_label"]
    out = pd.DataFrame({
        "theme": rows["theme"], "theme_label": rows["theme_label"], "code": rows["code"],
        "code_label": rows["code_label"], "case": rows["participant"].map(labels), "role": rows["role"],
        "site": rows["site"], "reference": rows["segment_id"].map(_reference),
        "quote": [redact_names(q, names or []) for q in rows["text"]],
        "_order": rows["start"],
    })
    out = out.sort_values(["theme", "case", "code", "_order"], kind="stable")
    return out[FRAMEWORK_COLUMNS].reset_index(drop=True)


def _cell(block: pd.DataFrame) -> str:
    return "\n".join(f"[{r}] \u201c{q}\u201d" for r, q in zip(block["reference"], block["quote"]))


def framework_matrix(entries: pd.DataFrame, participants: pd.DataFrame, codebook: Codebook,
                     theme: str) -> pd.DataFrame:
    """The matrix for one theme: a row per case (every participant, coded or not, in case-label order), columns
    case, role, site, the summary slot (blank), then one column per code of the theme (its label) holding the
    case's coded sentences, each as ``[turn.sentence] “quote”`` on its own line ("" where none)."""
    t = codebook.theme(theme)
    cases = (participants.drop_duplicates("participant")[["participant_label", "role", "site"]]
             .rename(columns={"participant_label": "case"}))
    cases["_role"] = cases["role"].map({r: i for i, r in enumerate(dict.fromkeys(participants["role"]))})
    cases["_n"] = cases["case"].str.extract(r"(\d+)$", expand=False).astype(float)
    cases = cases.sort_values(["_role", "_n", "case"]).drop(columns=["_role", "_n"]).reset_index(drop=True)
    mine = entries[entries["theme"] == theme]
    out = cases.assign(role=cases["role"].map(role_name))
    out[SUMMARY_HEADER] = ""
    for code in t.codes:
        block = mine[mine["code"] == code.name]
        cells = {case: _cell(b) for case, b in block.groupby("case", sort=False)}
        out[code.label] = [cells.get(case, "") for case in out["case"]]
    return out


def framework_matrix_overview(entries: pd.DataFrame, participants: pd.DataFrame,
                              codebook: Codebook) -> pd.DataFrame:
    """Cases down, themes across, the number of coded sentences in each cell (0 where none): the matrix's
    shape without its quotes, for a report that must not show quotes case by case."""
    cases = participants.drop_duplicates("participant")[["participant_label", "role", "site"]]
    counts = (entries.drop_duplicates(["case", "theme", "reference"]).groupby(["case", "theme_label"]).size()
              .unstack(fill_value=0))
    out = cases.rename(columns={"participant_label": "case"}).assign(role=lambda t: t["role"].map(role_name))
    for t in codebook.themes:
        out[t.label] = out["case"].map(counts[t.label] if t.label in counts else {}).fillna(0).astype(int)
    return out.reset_index(drop=True)


def _sheet_title(label: str, used: set[str]) -> str:
    title = "".join("-" if ch in '[]:*?/\\' else ch for ch in label)[:31] or "theme"
    base, k = title, 2
    while title in used:
        title = f"{base[:28]} {k}"
        k += 1
    used.add(title)
    return title


def _mark_header_row(sheet, headers: list[str], n_rows: int, number: int) -> None:
    """Make row 2 the header row of an Excel table over the matrix (so Excel, and a screen reader in it, reads
    each cell with its column's header; GSS guidance on accessible spreadsheets keeps the sheet's title in A1
    above it), repeated at the top of every printed page."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    sheet.print_title_rows = "2:2"
    if len(set(headers)) != len(headers):  # an Excel table needs distinct headers; the frozen row still serves
        return
    table = Table(displayName=f"framework_matrix_{number}",
                  ref=f"A2:{get_column_letter(len(headers))}{2 + max(n_rows, 1)}")
    # the first column (the case) styled as the rows' headers, as Excel's "First Column" table option marks it
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True, showFirstColumn=True)
    sheet.add_table(table)


def framework_file_name(unreviewed: bool) -> str:
    """``framework_matrix.xlsx``, or ``framework_matrix_UNREVIEWED_SUGGESTIONS.xlsx`` from suggestions."""
    return f"framework_matrix{'_' + UNREVIEWED if unreviewed else ''}.xlsx"


def write_framework_xlsx(entries: pd.DataFrame, participants: pd.DataFrame, codebook: Codebook,
                         path: str | Path, unreviewed: bool = False, basis: str = "") -> Path:
    """Write the framework matrix as .xlsx: one sheet per theme (cases down, the summary slot, then a column
    per code), a caption in row 1, column headers in row 2, both frozen with the case column, text wrapped
    and top-aligned. With ``unreviewed``, the caption and every code header say the cells are unreviewed
    suggestions (name the file with :func:`framework_file_name`)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    wrap = Alignment(wrap_text=True, vertical="top")
    for t in codebook.themes:
        matrix = framework_matrix(entries, participants, codebook, t.name)
        sheet = book.create_sheet(_sheet_title(t.label, used))
        caption = f"Framework matrix: {t.label}. {t.definition.strip()}"
        caption += f" Cells {UNREVIEWED_NOTE}." if unreviewed else (f" Coding: {basis}." if basis else "")
        caption += " Internal: quotes case by case; do not publish."
        sheet.cell(row=1, column=1, value=caption).font = Font(bold=True)
        headers = [c if not unreviewed or i < 4 else f"{c} [unreviewed suggestions]"
                   for i, c in enumerate(["Case", "Role", "Site", SUMMARY_HEADER, *matrix.columns[4:]])]
        for j, h in enumerate(headers, start=1):
            cell = sheet.cell(row=2, column=j, value=h)
            cell.font = Font(bold=True)
            cell.alignment = wrap
        for i, row in enumerate(matrix.itertuples(index=False), start=3):
            for j, value in enumerate(row, start=1):
                sheet.cell(row=i, column=j, value=value).alignment = wrap
        for j, width in enumerate([14, 14, 14, 40] + [60] * (len(headers) - 4), start=1):
            sheet.column_dimensions[get_column_letter(j)].width = width
        sheet.freeze_panes = "B3"
        _mark_header_row(sheet, headers, len(matrix), len(book.sheetnames))
    set_xlsx_properties(book, "Framework matrix" + (" (unreviewed suggested codes)" if unreviewed else ""),
                        subject="One sheet per theme: cases down, codes across. Internal: do not publish.")
    workbook_text_only(book)
    book.save(path)
    return path


def framework_matrix_is_internal(output_dir: str | Path) -> bool:
    """True only when ``output_dir`` belongs to an internal run (the nearest ``manifest.json`` says
    ``"publication": false``; an internal batch writes it before anything runs). Anywhere else (a run for
    publication, whose manifest is written at its end, or a folder in no run) quotes case by case stay in the
    restricted .xlsx and the report shows only the matrix's counts."""
    from cm_research.run_folder import run_publication

    found = run_publication(output_dir)
    return found is not None and not found[1]
