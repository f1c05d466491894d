"""Untrusted QDA projects (issue 22, items 4 and 10 and the Low items): a .qdpx reads only its own members, within
size limits; bad offsets and crafted Taguette databases give plain errors, never tracebacks or hangs."""

from __future__ import annotations

import time
import zipfile

import pytest

from cm_research.interop.qda import read as refi
from cm_research.interop.qda.read import QdaImportError, import_qda
from cm_research.interop.qda.taguette import import_taguette
from tests.hostile.builders import G, SOURCE_TEXT, qde, taguette_db, text_source, write_qdpx  # noqa: F401 (fixtures)

SECRET = "SYNTHETIC-SECRET-KEY-0123456789"


@pytest.fixture
def secret_file(tmp_path):
    """A local file an attacker wants: stands in for /etc/passwd or a pseudonymisation key."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    path = folder / "key.csv"
    path.write_text(f"participant_id,pseudonym\n{SECRET},P-1\n", encoding="utf-8")
    return path


def _leaked(project) -> bool:
    """Whether the secret reached any table a .qdpx import writes (selections.csv, coding.csv, sources.csv)."""
    return any(SECRET in table.astype(str).to_csv() for table in (project.selections, project.coding, project.sources))


def test_a_qdpx_cannot_read_local_files(write_qdpx, secret_file, tmp_path):
    # item 4: absolute, file, relative-with-dot-dots and basePath all point outside the archive
    relative = "../" * 12 + secret_file.as_posix().lstrip("/")
    sources = (text_source(f"absolute://{secret_file}", n=51) + text_source(f"file://{secret_file}", n=52)
               + text_source(f"relative://{relative}", n=53) + text_source("relative://key.csv", n=54)
               + text_source(f"internal://{G(55)}.txt", n=55))
    path = write_qdpx(qde(sources, base_path=str(secret_file.parent)), {f"sources/{G(55)}.txt": SOURCE_TEXT.encode()})
    project = import_qda(path)
    assert not _leaked(project)
    status = dict(zip(project.sources["name"], project.sources["status"]))
    assert status == {"interview51.txt": "no_text", "interview52.txt": "no_text", "interview53.txt": "no_text",
                      "interview54.txt": "no_text", "interview55.txt": "imported"}
    assert all("outside the project archive" in m for m in project.sources["message"][:4])
    assert project.coding["quote"].tolist() == ["safe"]  # the archive's own source still imports


def test_a_bare_qde_reads_only_inside_its_own_folder(tmp_path, secret_file):
    project_dir = tmp_path / "project"
    project_dir.mkdir()
    (project_dir / "ok.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    sources = text_source("relative://../elsewhere/key.csv", n=51) + text_source("relative://ok.txt", n=52)
    (project_dir / "project.qde").write_text(qde(sources, base_path="/"), encoding="utf-8")
    project = import_qda(project_dir / "project.qde")
    assert not _leaked(project)
    assert project.sources["status"].tolist() == ["no_text", "imported"]


def test_a_huge_member_is_refused_without_running_out_of_memory(write_qdpx, monkeypatch):
    # item 10: 1 MB of zip holding a GiB would inflate; the limit is checked before and while reading
    monkeypatch.setattr(refi, "MAX_SOURCE_BYTES", 4 * 2**20)  # the same code path as 64 MiB, faster
    path = write_qdpx(qde(text_source(f"internal://{G(50)}.txt")), {f"sources/{G(50)}.txt": b"\0" * (8 * 2**20)})
    assert path.stat().st_size < 100_000
    with pytest.raises(QdaImportError, match=r"hostile\.qdpx: .*is 8,388,608 bytes uncompressed"):
        import_qda(path)


def test_a_member_that_inflates_past_its_declared_size_is_refused(tmp_path):
    path = tmp_path / "lying.qdpx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.txt", b"a" * 5000)
    with zipfile.ZipFile(path) as zf:
        with pytest.raises(QdaImportError, match="big.txt"):
            refi.read_member(zf, "big.txt", "lying.qdpx", limit=1000)


@pytest.mark.parametrize("start", ["abc", "", "-5", "1e3"])
def test_a_bad_start_position_is_a_plain_error(write_qdpx, start):
    path = write_qdpx(qde(text_source(f"internal://{G(50)}.txt", start=start)),
                      {f"sources/{G(50)}.txt": SOURCE_TEXT.encode()})
    with pytest.raises(QdaImportError, match=rf"startPosition={start!r} is not a character position"):
        import_qda(path)


def test_a_damaged_zip_is_a_plain_error(write_qdpx):
    path = write_qdpx(qde(text_source(f"internal://{G(50)}.txt")), {f"sources/{G(50)}.txt": SOURCE_TEXT.encode() * 50})
    data = bytearray(path.read_bytes())
    data[60:90] = b"\xff" * 30  # inside the first member's compressed data
    path.write_bytes(bytes(data))
    with pytest.raises(QdaImportError):
        import_qda(path)


@pytest.mark.parametrize("statements, message", [
    (["UPDATE highlights SET start_offset = NULL, end_offset = NULL"], None),
    (["DROP TABLE highlight_tags"], r"`highlight_tags` is missing"),
    (["UPDATE commands SET payload = '{not json'"], None),
    (["UPDATE documents SET contents = NULL"], r"values Taguette would not write"),
])
def test_crafted_taguette_databases_give_plain_errors(taguette_db, statements, message):
    path = taguette_db(*statements)
    if message is None:  # damaged values are reported, the rest imported
        project = import_taguette(path)
        assert project.selections["status"].tolist() in (["outside"], ["aligned"])
        assert project.messages
    else:
        with pytest.raises(QdaImportError, match=rf"crafted\.sqlite3: .*{message}"):
            import_taguette(path)


def test_a_recursive_view_is_refused_not_run_for_ever(taguette_db):
    path = taguette_db("DROP TABLE tags; CREATE VIEW tags(id, project_id, path, description) AS "
                       "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) "
                       "SELECT x, 1, 'loop', '' FROM r")
    started = time.monotonic()
    with pytest.raises(QdaImportError, match=r"`tags` is a view"):
        import_taguette(path)
    assert time.monotonic() - started < 5


def test_an_endless_query_is_stopped_in_time(taguette_db, monkeypatch):
    import cm_research.interop.qda.taguette as taguette

    # a trigger-free way to make a query endless: a huge cross join of a real table with itself
    path = taguette_db("INSERT INTO tags SELECT 100 + rowid, 1, 't' || rowid, '' FROM "
                       "(WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r LIMIT 3000) SELECT x FROM r)")
    con = taguette._open_database(path, seconds=0.5)
    started = time.monotonic()
    with pytest.raises(Exception, match="interrupt"):
        con.execute("SELECT count(*) FROM tags a, tags b, tags c").fetchall()
    assert time.monotonic() - started < 5
