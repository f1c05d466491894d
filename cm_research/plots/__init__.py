"""Seaborn figures: each takes long-form data and column names, draws on an Axes and returns it."""

from .survival import kaplan_meier_plot

__all__ = ["kaplan_meier_plot"]
