"""Deprecated: the Taguette importer moved to :mod:`cm_research.interop.qda.taguette` (foreign formats live in
``interop``). The old names still work for one release, with a warning; the new module is imported only when one
is used, so ``qual`` does not import the layer above it."""

from cm_research.deprecation import moved_attribute

_NAMES = [
    "HIGHLIGHT_REPORT_COLUMNS",
    "READ_SECONDS",
    "TAGUETTE_TABLES",
    "_TextContent",
    "_byte_to_char",
    "_find",
    "_open_database",
    "_plain_database_errors",
    "_problem",
    "_read_csv",
    "_refuse",
    "_role",
    "_tag_codes",
    "html_text",
    "import_taguette",
    "locate_highlights",
    "read_taguette_codebook",
    "read_taguette_highlights",
]
__getattr__ = moved_attribute(__name__, {n: f"cm_research.interop.qda.taguette:{n}" for n in _NAMES})
