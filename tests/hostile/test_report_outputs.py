"""Notebook outputs of other kinds reaching an HTML report (hostile input, round 4, item 1).

nbconvert writes some outputs into the page as they are: a Mermaid diagram's text inside ``<pre>``, an image's
width and height from the output's metadata into the ``<img>`` tag unquoted, and its data into ``src``. So an
output of any of those kinds carrying markup would run in the report. The sanitiser keeps a list of the kinds a
report may show (text, HTML and Markdown, PNG, JPEG and GIF images, LaTeX) and drops every other one; an image
keeps only its data when that is base64, and only a whole-number width or height. No kernel is started.
"""

from __future__ import annotations

import nbformat

from cm_research.report.sanitise import sanitise_notebook
from tests.hostile.test_report_html import _report, live_markup

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def _out(data: dict, metadata: dict | None = None):
    return nbformat.v4.new_output("display_data", data={**data, "text/plain": "shown as text"}, metadata=metadata or {})


def test_outputs_nbconvert_writes_as_they_are_cannot_run(tmp_path):
    hostile = [
        _out({"text/vnd.mermaid": "graph TD; A-->B\n<script>alert(1)</script>"}),
        _out({"image/png": PNG}, {"image/png": {"width": "1 onerror=alert(2)", "height": '2" onload="alert(3)'}}),
        _out({"image/jpeg": "' onerror='alert(4)"}),
        _out({"image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(5)"><script>alert(6)</script></svg>'}),
        _out({"application/x-unknown+html": "<script>alert(7)</script>"}),
    ]
    page = _report(tmp_path, hostile)
    assert live_markup(page) == []
    assert not any(f"alert({i})" in page for i in range(1, 8))


def test_what_a_report_shows_is_kept():
    nb = nbformat.v4.new_notebook()
    kept = [_out({"image/png": PNG}, {"image/png": {"width": 640, "height": "480"}}),
            _out({"text/latex": "$x^2$"}), _out({"text/html": "<p>ok</p>"})]
    nb.cells = [nbformat.v4.new_code_cell("x", outputs=kept)]
    sanitise_notebook(nb)
    first, latex, html = nb.cells[0].outputs
    assert first.data["image/png"] == PNG and first.metadata["image/png"] == {"width": 640, "height": 480}
    assert latex.data["text/latex"] == "$x^2$" and html.data["text/html"] == "<p>ok</p>"
