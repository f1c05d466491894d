"""Qualitative-data project formats: REFI-QDA (.qdpx / .qde / .qdc, from NVivo, ATLAS.ti, MAXQDA), Taguette,
and the plain-text project folder ``import-qda`` writes.

They read into and write from the thematic analysis's own model (:class:`~cm_research.qual.Codebook`,
:class:`~cm_research.qual.Corpus`, the coding table), so this part of ``interop`` sits in the layer above the
analysis (see CONTRIBUTING.md); the rest of ``interop`` is below it.

* :mod:`~cm_research.interop.qda.read` — REFI-QDA import (.qdpx, .qde, .qdc)
* :mod:`~cm_research.interop.qda.write` — REFI-QDA export (.qdc, .qdpx)
* :mod:`~cm_research.interop.qda.offsets` — reconciling selection offsets with the text (characters, UTF-16, BOM, CRLF)
* :mod:`~cm_research.interop.qda.errors` — :class:`QdaImportError`
* :mod:`~cm_research.interop.qda.extras` — notes, comments, sets and links of a REFI-QDA project
* :mod:`~cm_research.interop.qda.taguette` — Taguette's SQLite database and CSV exports
* :mod:`~cm_research.interop.qda.folder` — the project folder (transcripts, codebook, coding, memos as text files)
"""

from cm_research.interop.qda.folder import is_project_folder, read_project_folder, write_project_folder
from cm_research.interop.qda.read import QdaImportError, QdaProject, import_qda, read_qdc
from cm_research.interop.qda.write import export_qdc, export_qdpx, validate_project
from cm_research.interop.qda.taguette import import_taguette, read_taguette_codebook, read_taguette_highlights

__all__ = ["QdaImportError", "QdaProject", "export_qdc", "export_qdpx", "import_qda", "is_project_folder",
           "read_project_folder", "read_qdc", "read_taguette_codebook", "read_taguette_highlights", "import_taguette",
           "validate_project", "write_project_folder"]
