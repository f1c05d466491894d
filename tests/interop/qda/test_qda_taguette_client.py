"""A real Taguette (from PyPI) on 127.0.0.1: a project made, a transcript uploaded and coded through Taguette's own
HTTP API, the project exported by Taguette, and the export imported with ``cm-research import-qda``.

Taguette pins its own dependencies, so it lives in its own virtual environment: ``.ci/run`` installs it in
``.ci/taguette-venv``; elsewhere set ``CM_TAGUETTE`` to a ``taguette`` executable. Without one the test is
skipped, saying so. Taguette's start-up check for news on taguette.org is switched off, so nothing leaves the
machine; the whole test is bounded to 30 seconds.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from cm_research.cli import main
from cm_research.interop.qda.read import import_qda

pytestmark = pytest.mark.taguette
REPO = Path(__file__).resolve().parents[3]
DEADLINE = 30.0
TRANSCRIPT = ("Interviewer: How did the sessions go?\n"
              "Mentee: I liked making films with Sam. It made me feel more confident.\n"
              "Interviewer: Was anything hard?\n"
              "Mentee: I moved placement 🏠 and missed a few weeks, and that was hard.\n")
# uploaded as HTML: Taguette converts other formats with Calibre, which a test machine need not have
HTML = "".join(f"<p>{line}</p>\n" for line in TRANSCRIPT.splitlines())
HIGHLIGHTS = [("It made me feel more confident.", ["confidence"]),
              ("missed a few weeks, and that was hard", ["placement instability", "confidence"]),
              ("making films", ["creative activity"])]


def _taguette() -> Path:
    candidates = [os.environ.get("CM_TAGUETTE"), REPO / ".ci" / "taguette-venv" / "bin" / "taguette",
                  shutil.which("taguette")]
    for c in candidates:
        if c and Path(c).is_file():
            return Path(c)
    pytest.skip("Taguette is not installed: .ci/run installs it in .ci/taguette-venv "
                "(python -m venv .ci/taguette-venv && .ci/taguette-venv/bin/pip install taguette), "
                "or set CM_TAGUETTE to a taguette executable")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def taguette(tmp_path):
    executable = _taguette()
    python = executable.parent / "python"
    port = _free_port()
    # run Taguette's own entry point with its news check off: no request leaves 127.0.0.1
    code = ("import sys, taguette.web.base as b; b.Application.check_messages = lambda self: None; "
            "from taguette.main import main; sys.argv = ['taguette'] + sys.argv[1:]; main()")
    process = subprocess.Popen(
        [str(python if python.is_file() else sys.executable), "-c", code, "--no-browser", "-b", "127.0.0.1",
         "-p", str(port), "--database", str(tmp_path / "taguette.sqlite3")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path,
        env={**os.environ, "HOME": str(tmp_path)})
    started = time.monotonic()
    token, seen = None, []
    try:
        while token is None and time.monotonic() - started < 20:
            line = process.stdout.readline()
            if not line:
                if process.poll() is not None:
                    break
                continue
            seen.append(line)
            m = re.search(r"token=([0-9a-f]+)", line)
            token = m.group(1) if m else None
        if token is None:
            pytest.fail("Taguette did not start:\n" + "".join(seen[-20:]))
        yield f"http://127.0.0.1:{port}", token, started
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


def test_a_project_coded_in_taguette_comes_back_exactly(taguette, tmp_path):
    import requests

    base, token, started = taguette
    session = requests.Session()
    session.trust_env = False  # 127.0.0.1 only, whatever proxy the environment names
    timeout = 5

    def api(method: str, path: str, **kw):
        xsrf = session.cookies.get("_xsrf")
        response = session.request(method, base + path, timeout=timeout, headers={"X-XSRFToken": xsrf or ""},
                                   **kw)
        assert response.status_code < 400, (path, response.status_code, response.text[:300])
        return response

    api("GET", f"/?token={token}")  # single-user mode: the token logs in as admin
    form = api("GET", "/project/new").text
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form).group(1)
    created = api("POST", "/project/new", data={"name": "SYNTHETIC test project", "description": "synthetic",
                                                 "_xsrf": xsrf})
    project = int(re.search(r"/project/(\d+)", created.url).group(1))
    document = api("POST", f"/api/project/{project}/document/new",
                   data={"name": "Mentee01", "description": "SYNTHETIC"},
                   files={"file": ("Mentee01.html", HTML.encode("utf-8"), "text/html")}).json()["created"]
    tags = {}
    for name in ("confidence", "placement instability", "creative activity"):
        tags[name] = api("POST", f"/api/project/{project}/tag/new",
                         json={"path": name, "description": f"SYNTHETIC {name}"}).json()["id"]
    # offsets in Taguette count characters of the document's text content (its HTML without tags)
    from cm_research.interop.qda.taguette import html_text

    contents = api("GET", f"/api/project/{project}/document/{document}/contents").json()
    text = html_text("".join(c["contents"] for c in contents["contents"]))
    expected = []
    for piece, names in HIGHLIGHTS:
        start = text.index(piece)
        # Taguette's offsets count UTF-8 bytes (its extract.py): the emoji before the second span is 4 bytes
        byte_start = len(text[:start].encode("utf-8"))
        api("POST", f"/api/project/{project}/document/{document}/highlight/new",
            json={"start_offset": byte_start, "end_offset": byte_start + len(piece.encode("utf-8")),
                  "tags": [tags[n] for n in names]})
        expected += [(start, start + len(piece), n, piece) for n in names]
    export = tmp_path / "exported.sqlite3"
    export.write_bytes(api("GET", f"/project/{project}/export/project.sqlite3").content)
    assert time.monotonic() - started < DEADLINE

    roles = tmp_path / "roles.csv"
    roles.write_text("document,role,site\nMentee01,mentee,Testshire\n")
    folder = tmp_path / "imported"
    assert main(["import-qda", str(export), "--roles", str(roles), "--out", str(folder)]) == 0
    coding = pd.read_csv(folder / "coding.csv")
    codes = pd.read_csv(folder / "codes.csv")
    coding["code"] = coding["code"].map(dict(zip(codes["code"], codes["label"])))  # the names as in Taguette
    body = (folder / "transcripts" / "Mentee01.txt").read_text(encoding="utf-8")
    shift = body.index("---\n") + 4
    assert body[shift:] == text  # the source as Taguette holds it, below the header import-qda wrote
    got = sorted((s - shift, e - shift, c, q) for s, e, c, q in
                 coding[["start", "end", "code", "quote"]].itertuples(index=False))
    assert got == sorted(expected)
    assert set(coding["coder"]) == {"admin"}
    # and on to a .qdpx and back: the same highlights, the emoji counted as NVivo for Windows counts it
    assert main(["export-qdpx", "--transcripts", str(folder), "--offsets", "utf16",
                 "--out", str(tmp_path / "p.qdpx")]) == 0
    again = import_qda(tmp_path / "p.qdpx")
    assert sorted(zip(again.coding["start"], again.coding["end"], again.coding["code"], again.coding["quote"])) == \
        sorted(expected)
    assert time.monotonic() - started < DEADLINE
