"""Deprecated location of the figures of the thematic analysis: they are in :mod:`cm_research.plots.qual` with the
other figures (kept here, with a warning, for one release; loaded only when used, so qual does not import plots)."""

from cm_research.deprecation import moved_attribute

__getattr__ = moved_attribute(__name__, {name: f"cm_research.plots.qual:{name}" for name in
                                         ("plot_code_frequency", "plot_cooccurrence", "plot_theme_role")})
