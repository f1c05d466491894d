"""Builders of hostile files for tests/hostile (all SYNTHETIC); fixtures are imported by the modules that use them
(no conftest.py here, so other helpers can add modules to this package freely)."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from tests.interop.qda.test_qda_taguette import HTML as TAGUETTE_HTML
from tests.interop.qda.test_qda_taguette import SCHEMA as TAGUETTE_SCHEMA

G = "00000000-0000-4000-8000-{:012d}".format
SOURCE_TEXT = "SYNTHETIC interview. I felt safe there. The end.\n"


def qde(sources: str, base_path: str = "") -> str:
    """A project.qde with one code and the given <Sources> content."""
    base = f' basePath="{base_path}"' if base_path else ""
    return ('<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" '
            f'name="SYNTHETIC hostile project" origin="tests/hostile"{base}>'
            f'<CodeBook><Codes><Code guid="{G(1)}" name="safety" isCodable="true"/></Codes></CodeBook>'
            f"<Sources>{sources}</Sources></Project>")


def text_source(path: str, start: str = "28", end: str = "32", n: int = 50) -> str:
    return (f'<TextSource guid="{G(n)}" name="interview{n}.txt" plainTextPath="{path}">'
            f'<PlainTextSelection guid="{G(100 + n)}" name="" startPosition="{start}" endPosition="{end}">'
            f'<Coding guid="{G(200 + n)}"><CodeRef targetGUID="{G(1)}"/></Coding></PlainTextSelection></TextSource>')


@pytest.fixture
def write_qdpx(tmp_path):
    def write(project: str, files: dict[str, bytes] | None = None, name: str = "hostile.qdpx") -> Path:
        path = tmp_path / name
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("project.qde", project.encode("utf-8"))
            for member, data in (files or {}).items():
                zf.writestr(member, data)
        return path

    return write


@pytest.fixture
def taguette_db(tmp_path):
    """A valid SYNTHETIC Taguette database; ``make(sql)`` runs extra statements on a fresh copy."""
    def make(*statements: str, name: str = "crafted.sqlite3") -> Path:
        path = tmp_path / name
        con = sqlite3.connect(path)
        con.executescript(TAGUETTE_SCHEMA)
        con.execute("INSERT INTO projects VALUES (1, 'SYNTHETIC project', '', '2024-01-01')")
        con.execute("INSERT INTO documents VALUES (1, 'Jade', 'SYNTHETIC', 'jade.html', '', 1, 'LEFT_TO_RIGHT', ?)",
                    (TAGUETTE_HTML,))
        con.execute("INSERT INTO tags VALUES (1, 1, 'creativity', 'Arts activities')")
        con.execute("INSERT INTO highlights VALUES (1, 1, 26, 45, '<p>Art &amp; music helped.</p>')")
        con.execute("INSERT INTO highlight_tags VALUES (1, 1)")
        con.execute("INSERT INTO commands (date, user_login, project_id, document_id, payload) VALUES "
                    "('', 'coder_a', 1, 1, ?)", (json.dumps({"type": "highlight_add", "highlight_id": 1}),))
        for statement in statements:
            con.executescript(statement)
        con.commit()
        con.close()
        return path

    return make
