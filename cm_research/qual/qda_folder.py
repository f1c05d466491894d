"""Deprecated: the imported-project folder moved to :mod:`cm_research.interop.qda.folder` (foreign formats live in
``interop``). The old names still work for one release, with a warning; the new module is imported only when one
is used, so ``qual`` does not import the layer above it."""

from cm_research.deprecation import moved_attribute

_NAMES = [
    "MARKER",
    "_NAME",
    "_UNSAFE",
    "_codebook_yaml",
    "_header",
    "_slug",
    "is_project_folder",
    "read_project_folder",
    "write_project_folder",
]
__getattr__ = moved_attribute(__name__, {**{n: f"cm_research.interop.qda.folder:{n}" for n in _NAMES},
                                         **{n: f"cm_research.qual.memos:{n}" for n in ("MEMO_KINDS", "read_memos")}})
