"""Deprecated: REFI-QDA notes, sets and links moved to :mod:`cm_research.interop.qda.extras` (foreign formats live in
``interop``). The old names still work for one release, with a warning; the new module is imported only when one
is used, so ``qual`` does not import the layer above it."""

from cm_research.deprecation import moved_attribute

_NAMES = [
    "NOTE_COLUMNS",
    "LINK_COLUMNS",
    "ProjectExtras",
    "SET_COLUMNS",
    "_NS",
    "_TARGET_KIND",
    "_g",
    "_local",
    "_text_of",
    "describe_guids",
    "guid_key",
    "nest_double_colon_codes",
    "read_extras",
    "set_attributes",
]
__getattr__ = moved_attribute(__name__, {n: f"cm_research.interop.qda.extras:{n}" for n in _NAMES})
