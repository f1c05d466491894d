"""Outcome frameworks: loading, validation of tags, and the evidence-by-outcome table."""
