"""Helpers for the qualitative-analysis tests: small transcripts written on the fly."""

from __future__ import annotations

import pytest


def header(pseudonym: str = "Jade", role: str = "mentee", site: str = "Testshire", extra: str = "") -> str:
    return (f"# SYNTHETIC test transcript\nPseudonym: {pseudonym}\nRole: {role}\nSite: {site}\n"
            f"Date: 2024-01-01\nInterviewer: Sam\n{extra}---\n")


@pytest.fixture
def write_transcript(tmp_path):
    """Write a transcript (header + body text, or raw bytes) into tmp_path/name and return the path."""

    def write(name: str, body: str | bytes = "", head: str | None = None, encoding: str = "utf-8"):
        path = tmp_path / name
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text((header() if head is None else head) + body, encoding=encoding, newline="")
        return path

    return write
