"""Fixtures for the REFI-QDA and Taguette tests: the real exports in ../shared/interop/ (skipped when absent),
the bundled synthetic interviews and their coding, and a writer for small hand-made .qdpx files."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

import cm_research

#: ../shared/interop beside the repository, or where CM_INTEROP_DIR says (e.g. from a git worktree)
SHARED_INTEROP = Path(os.environ.get("CM_INTEROP_DIR")
                      or Path(cm_research.__file__).resolve().parents[1].parent / "shared" / "interop")
SCHEMA = SHARED_INTEROP / "refi-qda-project-1.0.xsd"


def shared_file(name: str) -> Path:
    """A file of ../shared/interop/, or skip saying why."""
    path = SHARED_INTEROP / name
    if not path.exists():
        pytest.skip(f"{path} is absent: the real NVivo / ATLAS.ti / Taguette exports live in ../shared/interop/ "
                    "beside the repository")
    return path


@pytest.fixture(scope="session")
def demo():
    """The bundled SYNTHETIC interviews, the starter codebook and the demo coding by two coders."""
    from cm_research.datasets.transcripts import demo_coding_file, transcripts_dir
    from cm_research.qual import load_codebook, read_coding, read_transcripts

    corpus = read_transcripts(transcripts_dir())
    codebook = load_codebook()
    return corpus, codebook, read_coding(demo_coding_file(), corpus, codebook)


@pytest.fixture
def write_qdpx(tmp_path):
    """Write a .qdpx from a project.qde body (inside <Project>) and {member: bytes}; returns its path."""

    def write(body: str, files: dict[str, bytes], name: str = "handmade.qdpx") -> Path:
        xml = ('<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" '
               f'name="SYNTHETIC test project" origin="hand-written test">\n{body}\n</Project>\n')
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("project.qde", xml.encode("utf-8"))
            for member, data in files.items():
                zf.writestr(member, data)
        return path

    return write


@pytest.fixture(scope="session")
def shared():
    """``shared(name)``: a file of ../shared/interop/, or skip saying why."""
    return shared_file


@pytest.fixture(scope="session")
def schema_path() -> Path:
    """The REFI-QDA Project schema 1.0 (skips when ../shared/interop/ is absent)."""
    return shared_file(SCHEMA.name)
