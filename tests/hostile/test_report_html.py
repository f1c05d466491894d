"""Script injection into reports (issue 22, item 1): site names, cells, column headings, captions, transcript
quotes, survey comments and codebook labels never come out as live HTML.

The outputs are made by the package's own display helpers (captured as a kernel would publish them), put in a
notebook and rendered by ``notebook_to_html``, the one place reports become HTML; no kernel is started.
"""

from __future__ import annotations

from html.parser import HTMLParser

import html

import nbformat
import pandas as pd
import pytest

from cm_research.report import display as display_module
from cm_research.report.html import notebook_to_html
from cm_research.report.sanitise import sanitise_html

ATTACKS = ["<script>alert(1)</script>", "<img src=x onerror=alert(3)>", "<svg onload=alert(4)>",
           '<a href="javascript:alert(5)">click</a>', "<iframe src=//evil.example></iframe>",
           '"><script>alert(6)</script>']


class _LiveMarkup(HTMLParser):
    """Collects what would run or load in a browser: script elements (other than nbconvert's own MathJax
    configuration), event-handler attributes, javascript: URLs, frames and objects."""

    def __init__(self):
        super().__init__()
        self.live: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "frame") and ("type", "text/x-mathjax-config") not in attrs:
            self.live.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith(("javascript:", "vbscript:")):
                self.live.append(f"<{tag} {name}={value!r}>")


def live_markup(page: str) -> list[str]:
    body = page.split("<body", 1)[1]
    parser = _LiveMarkup()
    parser.feed(body)
    return parser.live


def _outputs(monkeypatch, calls) -> list:
    """Run the display helpers, capturing what they publish as nbformat outputs."""
    published = []

    def fake_display(obj):
        data = {"text/plain": repr(obj)}
        if hasattr(obj, "_repr_html_") and obj._repr_html_() is not None:
            data["text/html"] = obj._repr_html_()
        if hasattr(obj, "_repr_markdown_") and obj._repr_markdown_() is not None:
            data["text/markdown"] = obj._repr_markdown_()
        published.append(nbformat.v4.new_output("display_data", data=data))

    monkeypatch.setattr(display_module, "display", fake_display)
    for call in calls:
        call()
    return published


def _report(tmp_path, outputs: list, extra: list | None = None) -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata["language_info"] = {"name": "python"}
    cell = nbformat.v4.new_code_cell("# hidden", outputs=outputs + (extra or []))
    nb.cells = [nbformat.v4.new_markdown_cell("# Report"), cell]
    path = tmp_path / "report.ipynb"
    nbformat.write(nb, path)
    return notebook_to_html(path).read_text(encoding="utf-8")


def test_hostile_site_names_cells_headings_and_captions_show_as_text(tmp_path, monkeypatch):
    calls = []
    for attack in ATTACKS:
        table = pd.DataFrame({attack: [attack, "ok"], "n": [1, 2]})
        calls += [
            lambda a=attack: display_module.show_markdown(f"## {a}"),  # `run --site` -> show_markdown(f"## {site}")
            lambda a=attack, t=table: display_module.show_table(t, caption=a),
            lambda a=attack: display_module.show_markdown(f"> a survey comment: {a}\n\nQuote: *{a}*"),
        ]
    page = _report(tmp_path, _outputs(monkeypatch, calls))
    assert live_markup(page) == []
    # the reader still sees what the data said, as text
    text = html.unescape(page)
    assert all(attack in text for attack in ATTACKS)


def test_html_made_elsewhere_in_the_package_is_sanitised_too(tmp_path):
    # e.g. quotes_html(case) or a figure built from transcript text; and JavaScript outputs are dropped
    hostile = [nbformat.v4.new_output("display_data", data={
        "text/html": f'<p>Quote: {ATTACKS[0]}{ATTACKS[1]}</p><div data-x="1" onclick="steal()">x</div>',
        "text/plain": "x"}),
        nbformat.v4.new_output("display_data", data={"application/javascript": "alert(7)", "text/plain": "js"}),
        nbformat.v4.new_output("display_data", data={"text/markdown": "<script>alert(8)</script>\n\n**bold**",
                                                     "text/plain": "md"})]
    page = _report(tmp_path, [], hostile)
    assert live_markup(page) == [] and "alert(7)" not in page
    assert "<strong>bold</strong>" in page  # Markdown outputs are still rendered


def test_what_reports_need_survives_sanitising():
    # figures as embedded PNGs with alt text, tables with their style block and scope, ARIA, lang (WCAG 2.1 AA)
    fragment = ('<style type="text/css">#T_ab td{text-align:left}</style>'
                '<table id="T_ab"><caption>Who took part</caption><thead><tr><th scope="col">Group</th></tr></thead>'
                '<tbody><tr><td>mentored</td></tr></tbody></table>'
                '<figure class="cm-figure" role="group" aria-label="Attendance"><img src="data:image/png;base64,iVBORw0KGgo=" '
                'alt="Bar chart of attendance"><figcaption lang="en">Attendance</figcaption></figure>')
    assert sanitise_html(fragment) == fragment.replace("<tbody>", "<tbody>")


def test_remote_loads_are_removed():
    cleaned = sanitise_html('<img src="https://tracker.example/p.png" alt="t"><style>@import url(http://x)</style>'
                            '<p style="background:url(http://x)">p</p><a href="data:text/html,<script>">d</a>')
    assert "tracker" not in cleaned and "@import" not in cleaned and "url(" not in cleaned and "data:" not in cleaned
    assert 'alt="t"' in cleaned and "<p>p</p>" in cleaned


@pytest.mark.parametrize("css", [
    "background:u\\72 l(https://tracker.example/a.png)",  # a CSS escape spells url( (Chromium fetches it)
    "background:u\\000072l(https://tracker.example/b.png)",
    "background:image-set(\"https://tracker.example/c.png\" 1x)",  # a quoted address needs no url(
    "background:-webkit-image-set('https://tracker.example/d.png' 1x)",
    "background:u/**/rl(https://tracker.example/e.png)",
    "background:src(https://tracker.example/f.png)",
])
def test_css_that_loads_an_address_in_disguise_is_removed(css):
    # round 3: each of these made headless Chromium request the address when the report was opened
    cleaned = sanitise_html(f'<style>div{{{css}}}</style><p style="{css}">p</p>')
    assert "tracker" not in cleaned and "<p>p</p>" in cleaned


def test_escaped_import_is_removed_and_plain_table_styles_stay():
    cleaned = sanitise_html('<style>@imp\\6f rt "https://tracker.example/a.css";</style>'
                            '<style>#T_1 td {text-align: right; color: #176b00}</style>')
    assert "tracker" not in cleaned and "#T_1 td {text-align: right; color: #176b00}" in cleaned
