"""Excel data-entry templates made from the data dictionary.

``write_template(["participants", "outcomes"], "evaluation.xlsx")`` writes a workbook with an
Instructions sheet, one sheet per table (named like the table, so ``load_table`` finds it), and a hidden
``lists`` sheet holding the drop-down values. Each table sheet has the fields' titles in row 1 (frozen),
a comment on each heading with the field's description and rules, and Excel data validation:

* drop-down lists for enums, for booleans (yes / no) and for fields that refer to a catalogue such as
  ``outcomes.measure``; list fields (several values separated by ``;``) get the drop-down without the
  error, so several values can still be typed;
* whole-number / decimal validation with the dictionary's minimum and maximum (a field whose range
  depends on another column, like ``outcomes.value``, is only checked to be a number and its ranges are
  tabulated on the Instructions sheet);
* date validation, and a date format, for dates; a COUNTIF check for unique fields; text format for text
  columns, so Excel does not turn ``2011/12`` or ``0012`` into a date or a number.

The header row is row 1 and data start at row 2, as ``cm_research.data.load_table`` expects, so nothing
is put between them: descriptions live in the heading comments and on the Instructions sheet. Excel
applies validation only when a value is typed, not when it is pasted, which is why the Instructions
sheet tells users to check the file with ``cm-research validate``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from cm_research import __version__
from cm_research.data.coercion import EXCEL_SERIAL_RANGE
from cm_research.data.writing import workbook_text_only
from cm_research.dictionary import Field, TableSchema, load_schema
from cm_research.interop.allowed import allowed_values, catalogue_for, yes_no
from cm_research.interop.errors import TemplateError

INSTRUCTIONS_SHEET = "Instructions"
#: the dictionary's pattern for an academic year (cohort), checked in Excel by a formula
ACADEMIC_YEAR = "^20[0-9]{2}/[0-9]{2}$"
LISTS_SHEET = "lists"
LAST_ROW = 1_048_576  # Excel's last row: validation covers the whole column below the heading
DATE_FORMAT = "DD/MM/YYYY"
TEXT_FORMAT = "@"
#: Bounds used only to make Excel check "is a number" when the dictionary sets no range.
WHOLE_BOUNDS = (-2_147_483_647, 2_147_483_647)
DECIMAL_BOUNDS = (-1e100, 1e100)

REQUIRED_FILL = PatternFill("solid", fgColor="1F4E79")
OPTIONAL_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FONT = Font(bold=True, color="FFFFFF")
OPTIONAL_FONT = Font(bold=True, color="000000")
HEADING_FONT = Font(bold=True, size=14)
SECTION_FONT = Font(bold=True, size=12)


def _number(x: float) -> str:
    """A bound as Excel reads it: 14, 0.5, 1E+100 (never a rounded 2.14748e+09)."""
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.15G}"


def _range_text(f: Field) -> str:
    if f.minimum is not None and f.maximum is not None:
        return f" from {_number(f.minimum)} to {_number(f.maximum)}"
    if f.minimum is not None:
        return f" of at least {_number(f.minimum)}"
    if f.maximum is not None:
        return f" of at most {_number(f.maximum)}"
    return ""


def value_rule(schema: TableSchema, f: Field, folder: str | Path | None = None) -> str:
    """What may be typed in a field's cells, in one or two plain sentences."""
    allowed = allowed_values(schema, f, folder)
    catalogue = catalogue_for(schema, f, folder)
    if f.type == "list":
        text = f"One or more values separated by '{f.delimiter}'"
        if allowed:
            text += f", each one of: {', '.join(allowed)} (pick one from the list, or type several)"
        return text + "."
    if catalogue is not None:
        return (f"One of the {catalogue.title.lower()} listed on the {_reference_sheet_name(catalogue)} "
                "sheet (pick from the list).")
    if allowed:
        return f"One of: {', '.join(allowed)} (pick from the list)."
    if f.type == "boolean":
        yes, no = yes_no(f)
        return f"{yes} or {no} (pick from the list)."
    if f.type == "date":
        text = "A date, typed as dd/mm/yyyy (e.g. 31/01/2024)."
        if f.not_before:
            text += f" Not before {schema.field(f.not_before).title}."
        return text
    if f.type in ("integer", "number"):
        kind = "A whole number" if f.type == "integer" else "A number"
        if f.range_from:
            link = next((schema.field(fk.fields[0]).title for fk in schema.foreign_keys
                         if fk.resource == f.range_from), f.range_from)
            source = _reference_sheet_name(load_schema(f.range_from, folder))
            return (f"{kind}; its allowed range depends on the {link.lower()}: "
                    f"see the {source} sheet.")
        return f"{kind}{_range_text(f)}."
    return "Text."


def entry_rules(schema: TableSchema, f: Field, folder: str | Path | None = None) -> str:
    """The full rules for a field: required or optional, what to type, uniqueness and references."""
    parts = ["Required." if f.required else "Optional: leave empty if not known.", value_rule(schema, f, folder)]
    if f.unique:
        parts.append("Each row needs a different value.")
    for fk in schema.foreign_keys:
        if fk.fields == (f.name,) and catalogue_for(schema, f, folder) is None:
            target = load_schema(fk.resource, folder)
            parts.append(f"Must match a {target.field(fk.reference_fields[0]).title} in the {target.name} table.")
    return " ".join(parts)


def _fit(text: str, limit: int, fallback: str) -> str:
    """Excel refuses validation messages over 255 characters (titles over 32)."""
    return text if len(text) <= limit else fallback


class _Lists:
    """The hidden sheet of drop-down values: one column per list, referenced as an absolute range."""

    def __init__(self, sheet: Worksheet):
        self.sheet = sheet
        self.columns = 0

    def add(self, name: str, values: Sequence[str]) -> str:
        self.columns += 1
        letter = get_column_letter(self.columns)
        self.sheet.cell(row=1, column=self.columns, value=name).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            self.sheet.cell(row=row, column=self.columns, value=value)
        return f"{quote_sheetname(self.sheet.title)}!${letter}$2:${letter}${len(values) + 1}"


def _validation(schema: TableSchema, f: Field, letter: str, lists: _Lists,
                folder: str | Path | None) -> DataValidation | None:
    """The Excel data validation for one field's column, or None when Excel cannot check it."""
    rule = value_rule(schema, f, folder)
    common = dict(allow_blank=True, showInputMessage=True, showErrorMessage=True,
                  promptTitle=f.title[:32], prompt=_fit(rule, 255, "See the comment on the column heading."),
                  errorTitle=_fit(f"Not a valid {f.title.lower()}", 32, "Not a valid value"),
                  error=_fit(rule, 255, f"See the {INSTRUCTIONS_SHEET} sheet for what {f.title} may hold."))
    allowed = allowed_values(schema, f, folder)
    if f.type == "boolean":
        allowed = yes_no(f)
    if allowed:
        dv = DataValidation(type="list", formula1=lists.add(f"{schema.name}.{f.name}", allowed), **common)
        if f.type == "list":
            dv.showErrorMessage = False  # a drop-down picks one value; several are typed, separated
    elif f.type in ("integer", "number"):
        low, high = WHOLE_BOUNDS if f.type == "integer" else DECIMAL_BOUNDS
        if not f.range_from:  # a range that depends on another column is described, not validated
            low = f.minimum if f.minimum is not None else low
            high = f.maximum if f.maximum is not None else high
        dv = DataValidation(type="whole" if f.type == "integer" else "decimal", operator="between",
                            formula1=_number(low), formula2=_number(high), **common)
    elif f.type == "date":
        # Excel stores dates as day serials; the loader reads serials in this range as dates.
        dv = DataValidation(type="date", operator="between", formula1=str(EXCEL_SERIAL_RANGE[0]),
                            formula2=str(EXCEL_SERIAL_RANGE[1]), **common)
    elif f.pattern == ACADEMIC_YEAR:
        # the dictionary's regular expression, spelt in Excel: 20yy/yy, e.g. 2023/24
        cell = f"{letter}2"
        dv = DataValidation(type="custom", formula1=(
            f'AND(LEN({cell})=7,LEFT({cell},2)="20",MID({cell},5,1)="/",ISNUMBER(--MID({cell},3,2)),'
            f'ISNUMBER(--RIGHT({cell},2)))'), **common)
    elif f.unique:
        column = f"${letter}$2:${letter}${LAST_ROW}"
        dv = DataValidation(type="custom", formula1=f"COUNTIF({column},{letter}2)=1",
                            **{**common, "error": f"This {f.title.lower()} is already used in another row."})
    else:
        return None
    dv.add(f"{letter}2:{letter}{LAST_ROW}")
    return dv


def _comment(schema: TableSchema, f: Field, folder: str | Path | None) -> Comment:
    text = f"{f.title} ({f.name})\n\n{f.description}\n\n{entry_rules(schema, f, folder)}"
    return Comment(text, "cm_research", width=340, height=min(30 + 15 * _line_count(text, 44), 600))


def _width(schema: TableSchema, f: Field, folder: str | Path | None) -> float:
    longest = max([len(f.title), *(len(v) for v in (allowed_values(schema, f, folder) or ()))])
    if f.type == "date":
        longest = max(longest, 12)
    return min(max(longest + 3, 12), 40)


def _table_sheet(book: Workbook, schema: TableSchema, lists: _Lists, folder: str | Path | None) -> Worksheet:
    sheet = book.create_sheet(schema.name)
    for column, f in enumerate(schema.fields, start=1):
        letter = get_column_letter(column)
        cell = sheet.cell(row=1, column=column, value=f.title)
        cell.font = REQUIRED_FONT if f.required else OPTIONAL_FONT
        cell.fill = REQUIRED_FILL if f.required else OPTIONAL_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.comment = _comment(schema, f, folder)
        dimension = sheet.column_dimensions[letter]
        dimension.width = _width(schema, f, folder)
        if f.type == "date":
            dimension.number_format = DATE_FORMAT
        elif f.type in ("string", "list"):
            dimension.number_format = TEXT_FORMAT
        dv = _validation(schema, f, letter, lists, folder)
        if dv is not None:
            sheet.add_data_validation(dv)
    sheet.freeze_panes = "A2"
    return sheet


def _general_instructions(schemas: list[TableSchema]) -> list[str]:
    names = ", ".join(s.name for s in schemas)
    example = schemas[0].name
    missing = [m for m in schemas[0].missing_values if m]
    lines = [
        f"Fill in the sheet{'s' if len(schemas) > 1 else ''} {names}: one row per record, starting in row 2.",
        "Do not rename the sheets or change the headings in row 1; do not insert rows above the data.",
        "Headings on dark blue are required columns; headings on light blue are optional.",
        "Point at a heading (it has a red corner) to read what goes in the column and the rules for it.",
        "Drop-down lists offer the allowed values; Excel warns when a typed value breaks a rule.",
        "Dates: type them as dd/mm/yyyy, for example 31/01/2024.",
        "Yes/no columns: yes or no.",
        "Columns that take several values (e.g. Referral reasons): separate them with ';', "
        "for example: anxiety_mental_health; school_avoidance.",
        "Leave a cell empty when the value is not known"
        + (f" (these also mean 'not known': {', '.join(missing)})." if missing else "."),
        "Use pseudonymous ids only: never names, dates of birth or Unique Pupil Numbers.",
        "Excel checks values as they are typed, not when they are pasted: before analysis, check the file with",
        f"    cm-research validate FILE.xlsx --table {example}",
    ]
    return lines


def _print_to_width(sheet: Worksheet) -> None:
    """Print landscape, one page wide, as people print instructions to keep beside them."""
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0


def _line_count(text: str, width: float) -> int:
    """Lines a wrapped cell needs; neither Excel nor LibreOffice sizes such rows by itself on opening."""
    per_line = max(int(width * 1.1) - 1, 1)
    return sum(max(1, -(-len(part) // per_line)) for part in str(text).split("\n"))


def _write_rows(sheet: Worksheet, start: int, header: Sequence[str], rows: Sequence[Sequence]) -> int:
    """A small table at ``start``; returns the row below it, leaving a blank row."""
    for column, title in enumerate(header, start=1):
        cell = sheet.cell(row=start, column=column, value=title)
        cell.font = Font(bold=True)
        cell.fill = OPTIONAL_FILL
    for offset, values in enumerate(rows, start=1):
        lines = 1
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=start + offset, column=column, value=value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            width = sheet.column_dimensions[get_column_letter(column)].width or 10
            lines = max(lines, _line_count(value, width))
        sheet.row_dimensions[start + offset].height = 15 * lines
    return start + len(rows) + 2


def _instructions_sheet(book: Workbook, schemas: list[TableSchema], folder: str | Path | None) -> list[TableSchema]:
    """Fill the first sheet with how-to lines and a table of each table's columns; returns the catalogues
    the tables refer to (each gets a reference sheet)."""
    sheet = book.active
    sheet.title = INSTRUCTIONS_SHEET
    for letter, width in zip("ABCDEF", (22, 20, 10, 9, 50, 70)):
        sheet.column_dimensions[letter].width = width
    sheet["A1"] = "Data-entry template: " + ", ".join(s.title for s in schemas)
    sheet["A1"].font = HEADING_FONT
    sheet["A2"] = f"Made from the cm_research {__version__} data dictionary."
    row = 4
    sheet.cell(row=row, column=1, value="How to fill it in").font = SECTION_FONT
    for line in _general_instructions(schemas):
        row += 1
        sheet.cell(row=row, column=1, value=line)
    row += 2
    catalogues: dict[str, TableSchema] = {}
    for schema in schemas:
        sheet.cell(row=row, column=1, value=f"Sheet {schema.name}: {schema.title}").font = SECTION_FONT
        sheet.cell(row=row + 1, column=1, value=schema.description)
        rows = []
        for f in schema.fields:
            rows.append([f.title, f.name, "required" if f.required else "optional", f.type,
                         entry_rules(schema, f, folder), f.description])
            catalogue = catalogue_for(schema, f, folder)
            if catalogue is not None:
                catalogues[catalogue.name] = catalogue
        row = _write_rows(sheet, row + 2, ["Column heading", "Name", "Required", "Type", "Rules", "Description"],
                          rows)
    _print_to_width(sheet)
    return list(catalogues.values())


def _catalogue_sheet(book: Workbook, catalogue: TableSchema) -> None:
    """A read-only reference: the catalogue's rows (e.g. each measure's unit and valid range)."""
    sheet = book.create_sheet(_reference_sheet_name(catalogue))
    sheet["A1"] = f"{catalogue.title}: for reference (values to use in the data sheets)"
    sheet["A1"].font = HEADING_FONT
    sheet["A2"] = catalogue.description
    rows = [["" if r.get(f.name) is None else r.get(f.name) for f in catalogue.fields] for r in catalogue.rows]
    for column, f in enumerate(catalogue.fields, start=1):
        longest = max([len(f.title), *(len(str(r[column - 1])) for r in rows)])
        sheet.column_dimensions[get_column_letter(column)].width = min(max(longest + 2, 9), 50)
    _write_rows(sheet, 4, [f.title for f in catalogue.fields], rows)
    sheet.freeze_panes = "A5"
    _print_to_width(sheet)


def _reference_sheet_name(catalogue: TableSchema) -> str:
    return catalogue.title[:31]


def _schemas(tables: Sequence[str], folder: str | Path | None) -> list[TableSchema]:
    if not tables:
        raise TemplateError("name at least one table for the template, e.g. participants outcomes")
    schemas = []
    for table in dict.fromkeys(tables):  # a table named twice gets one sheet
        schema = load_schema(table, folder)
        if schema.rows:
            raise TemplateError(
                f"{table!r} is a catalogue kept in the data dictionary ({table}.yaml), not a table to fill in"
            )
        if schema.name.lower() in (INSTRUCTIONS_SHEET.lower(), LISTS_SHEET):
            raise TemplateError(f"a table may not be called {schema.name!r}: the template uses that sheet name")
        schemas.append(schema)
    return schemas


def write_template(tables: Sequence[str], path: str | Path, *, folder: str | Path | None = None) -> Path:
    """Write an Excel data-entry template for ``tables`` to ``path`` (.xlsx) and return the path.

    Parameters
    ----------
    tables : table names of the data dictionary, e.g. ``["participants", "outcomes"]``; one sheet each,
        in this order, after the Instructions sheet.
    path : the workbook to write (its folder is created if needed; an existing file is replaced).
    folder : the data dictionary folder (default: the package's ``data_dictionary/``).

    A filled-in template loads with ``cm_research.data.load_table(path, table)``.
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise TemplateError(f"{path.name}: a template is an Excel workbook; give the file a .xlsx name")
    schemas = _schemas(tables, folder)
    book = Workbook()
    catalogues = _instructions_sheet(book, schemas, folder)
    list_sheet = book.create_sheet(LISTS_SHEET)
    lists = _Lists(list_sheet)
    for schema in schemas:
        _table_sheet(book, schema, lists, folder)
    for catalogue in catalogues:
        _catalogue_sheet(book, catalogue)
    book.move_sheet(list_sheet, offset=len(book.sheetnames) - 1 - book.index(list_sheet))
    list_sheet.sheet_state = "hidden"
    book.active = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook_text_only(book)
    book.save(path)
    return path


def write_template_folder(tables: Sequence[str], folder: str | Path, *,
                          dictionary: str | Path | None = None) -> list[Path]:
    """Write a ready data folder: one template workbook per table, ``folder/<table>.xlsx``, each with its
    Instructions sheet. This is the layout ``validate``, ``run``, ``batch`` and ``load_evaluation`` read, so a
    filled-in folder is a site's data folder as it is. Existing files are never overwritten (they may hold data)."""
    folder = Path(folder)
    schemas = _schemas(tables, dictionary)
    targets = [folder / f"{schema.name}.xlsx" for schema in schemas]
    taken = [p for p in targets if p.exists() or p.with_suffix(".csv").exists()]
    if taken:
        raise TemplateError(f"{folder}: {', '.join(p.name for p in taken)} already exist(s) (with .xlsx or .csv); "
                            "choose an empty folder so that no data are overwritten")
    return [write_template([schema.name], target, folder=dictionary) for schema, target in zip(schemas, targets)]
