"""Load evaluation data and validate it against the data dictionary."""

from cm_research.data.loading import (
    Evaluation,
    TableLoad,
    find_table_file,
    format_problems,
    load_evaluation,
    load_table,
    validate_raw,
)

__all__ = ["Evaluation", "TableLoad", "find_table_file", "format_problems", "load_evaluation", "load_table", "validate_raw"]
