"""Exchange data with other tools: Excel data-entry templates, SPSS (.sav) and Stata (.dta) files, school
systems' attendance exports."""

from cm_research.interop.attendance_mis import AttendanceExportError, count_marks, read_attendance_export
from cm_research.interop.errors import ExportError, TemplateError, UnknownVariableError
from cm_research.interop.excel_template import write_template, write_template_folder
from cm_research.interop.spss_stata import (
    LabelledTable,
    export_evaluation,
    export_table,
    import_table,
    labelled_table,
    read_labelled,
)

__all__ = [
    "AttendanceExportError",
    "ExportError",
    "LabelledTable",
    "TemplateError",
    "UnknownVariableError",
    "count_marks",
    "export_evaluation",
    "export_table",
    "import_table",
    "labelled_table",
    "read_attendance_export",
    "read_labelled",
    "write_template",
    "write_template_folder",
]
