"""Seaborn figures: each takes long-form data and column names, draws on an Axes and returns it."""
