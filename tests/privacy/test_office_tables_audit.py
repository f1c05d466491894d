"""Small counts inside the tables of a published Word document or workbook (round 7: the audit read Office files
only for identifiers and metadata, so a 3 in a Word table or a sheet went out unchecked). The tables are built
here, tiny and synthetic; the expected findings are worked out by hand from the rule (a count of people from 1 to
5 not shown as c), with the row numbers as Word and Excel count them."""

from __future__ import annotations

import pandas as pd

from cm_research.privacy.audit import audit_run


def _word(path, tables) -> None:
    """A Word document whose tables are written as the package's Word reports write them (header rows marked to
    repeat, a title and a description), with the package's own name as its author."""
    from docx import Document

    from cm_research.report.word import _word_table

    doc = Document()
    doc.add_paragraph("Synthetic report.")
    for rows, header_rows in tables:
        _word_table(doc, rows, "Table: synthetic", header_rows=header_rows)
    doc.core_properties.author = doc.core_properties.last_modified_by = "cm_research"
    doc.save(path)


def _workbook(path, sheets) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.properties.creator = book.properties.lastModifiedBy = "cm_research"
    book.save(path)


def _found(run) -> list[tuple[str, str, str]]:
    found = audit_run(run, identifiers=False)
    return sorted(zip(found["file"], found["location"], found["kind"]))


def test_a_small_count_in_a_word_table_or_a_sheet_is_found_and_c_passes(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    _word(run / "report.docx", [
        # one header row, headings in words as a report shows them: "Young people" is young_people
        ([["Site", "Young people"], ["North", "3"], ["South", "12"]], 1),
        # two header rows (a spanning heading above): the column names are the last header row's
        ([["Sessions", "Sessions", "Sessions"], ["Group", "n", "Sessions"], ["mentored", "c", "40"],
          ["comparison", "4", "2"]], 2),
        # suppressed as it should be: passes
        ([["Site", "Young people"], ["North", "c"], ["South", "12"]], 1),
        # headings in words ("Measured twice" is n_pairs, "Changed" n_nonzero): 20 - 17 = 3 zero changes
        ([["Measure", "Measured twice", "Changed"], ["SDQ", "20", "17"]], 1),
    ])
    _workbook(run / "tables.xlsx", {
        # a caption row above the headers, as the framework matrix has; a count stored as a number
        "Counts": [["Table 1: synthetic counts"], ["site", "n"], ["North", 3], ["South", 25]],
        "Suppressed": [["site", "n"], ["North", "c"], ["South", 25.0]],
        # a derived count: 20 pairs, 17 changed -> 3 zero changes given back (the CSV rule, from a sheet)
        "Paired": [["measure", "n_pairs", "n_nonzero"], ["SDQ", 20, 17]],
    })
    assert _found(run) == [
        ("report.docx", "table 1, row 2, column `Young people`", "small_count"),
        ("report.docx", "table 2, row 4, column `n`", "small_count"),
        ("report.docx", "table 4, row 2, columns `Measured twice`, `Changed`", "derived_count"),
        ("tables.xlsx", "sheet `Counts`, row 3, column `n`", "small_count"),
        ("tables.xlsx", "sheet `Paired`, row 2, columns `n_pairs`, `n_nonzero`", "derived_count"),
    ]


def test_the_same_table_gives_the_same_findings_in_a_csv_a_sheet_and_a_word_table(tmp_path):
    """One rule set: a table handed over from Word or Excel is judged as the CSV is (same kinds, same texts)."""
    rows = [["group", "young_people", "mean", "n_pairs", "n_nonzero"], ["mentored", "2", "1.5", "30", "26"],
            ["comparison", "c", "0.5", "8", "8"]]
    run = tmp_path / "run"
    run.mkdir()
    pd.DataFrame(rows[1:], columns=rows[0]).to_csv(run / "t.csv", index=False)
    _workbook(run / "t.xlsx", {"t": rows})
    _word(run / "t.docx", [(rows, 1)])
    found = audit_run(run, identifiers=False)
    by_file = {f: sorted(zip(g["kind"], g["text"])) for f, g in found.groupby("file")}
    # by hand: young_people 2 is small; 30 - 26 = 4 zero changes; a mean of 1.5 over 2 people = 3 events
    assert sorted(k for k, _ in by_file["t.csv"]) == ["derived_count", "event_count", "small_count"]
    assert by_file["t.csv"] == by_file["t.xlsx"] == by_file["t.docx"]


def test_a_damaged_workbook_is_not_passed(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "tables.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    assert ("tables.xlsx", "tables", "unscanned_file") in _found(run)


def test_the_published_demo_word_and_excel_tables_pass(shared_demo_run):
    from cm_research.privacy.audit import audit_office
    from cm_research.privacy.office_tables import office_tables

    office = sorted(p for p in shared_demo_run.rglob("*") if p.suffix in (".docx", ".xlsx")
                    and "restricted" not in p.relative_to(shared_demo_run).parts)
    assert len(office) >= 4  # the site reports' and action research report's Word copies at least
    n_tables = sum(len(list(office_tables(p))) for p in office)
    assert n_tables >= 30, n_tables  # the Word copies' tables are read, not skipped
    findings = [f for p in office for f in audit_office(p, name=p.name)]
    assert findings == []


def test_a_word_report_s_text_gets_the_html_report_s_text_checks(tmp_path):
    """k of n in a Word copy's paragraphs and table cells, as in the HTML report it copies: "2 of the 40 young
    people" (k = 2) and "(38 of 40)" (n - k = 2 left out) are found; "12 of 40 young people" is not."""
    from docx import Document

    run = tmp_path / "run"
    run.mkdir()
    doc = Document()
    doc.add_paragraph("Synthetic report.")
    doc.add_paragraph("Of these, 2 of the 40 young people left early.")
    doc.add_paragraph("12 of 40 young people took part in drama.")
    table = doc.add_table(rows=2, cols=1)
    table.cell(0, 0).text, table.cell(1, 0).text = "Reading", "mentees (38 of 40)"
    doc.core_properties.author = doc.core_properties.last_modified_by = "cm_research"
    doc.save(run / "report.docx")
    assert _found(run) == [("report.docx", "text 2", "k_of_n"), ("report.docx", "text 5", "k_of_n")]
