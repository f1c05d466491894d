"""The error a QDA project file raises when it cannot be read at all."""

from __future__ import annotations

from cm_research.qual.errors import CodingImportError


class QdaImportError(CodingImportError):
    """A REFI-QDA or Taguette file cannot be read at all: not a zip or XML, no project inside, no codes.

    ``problems`` is the tidy problems table (file, line, column, value, message)."""
