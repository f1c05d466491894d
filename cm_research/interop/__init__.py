"""Exchange data with other tools: Excel data-entry templates, SPSS (.sav) and Stata (.dta) files."""

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
    "ExportError",
    "LabelledTable",
    "TemplateError",
    "UnknownVariableError",
    "export_evaluation",
    "export_table",
    "import_table",
    "labelled_table",
    "read_labelled",
    "write_template",
    "write_template_folder",
]
