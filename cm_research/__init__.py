"""cm_research: evaluate mentoring programmes for children in care."""

__version__ = "0.1.0"
