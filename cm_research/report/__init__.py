"""Reports: tables and figures for notebooks, and HTML rendering of executed notebooks."""
