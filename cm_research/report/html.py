"""Render executed notebooks as HTML with the code hidden, and write a run's index page."""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat


_REMOTE_SCRIPT = re.compile(r'<script[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>\s*', re.IGNORECASE)


def notebook_to_html(notebook_path: str | Path, html_path: str | Path | None = None, footer: str | None = None) -> Path:
    """Render an executed notebook to HTML with code cells and prompts hidden (outputs and prose only);
    ``footer`` (HTML) is placed at the end of the page, e.g. a provenance note."""
    from nbconvert import HTMLExporter

    notebook_path = Path(notebook_path)
    html_path = Path(html_path) if html_path else notebook_path.with_suffix(".html")
    from cm_research.report.sanitise import sanitise_notebook

    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    nb = nbformat.read(notebook_path, as_version=4)
    sanitise_notebook(nb)  # data-derived text in outputs can never become a live script in the report
    body, _ = exporter.from_notebook_node(nb)
    # Reports are single files that open offline (and behind council firewalls): drop the exporter's remote
    # scripts (require.js, MathJax); figures are embedded PNGs and tables plain HTML, so nothing needs them.
    body = _REMOTE_SCRIPT.sub("", body)
    if footer:
        body = body.replace("</body>", f"{footer}\n</body>", 1)
    tmp = html_path.with_suffix(".html.partial")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(html_path)  # a crash never leaves a half-written report under the final name
    return html_path


@dataclass
class IndexEntry:
    site: str
    notebook: str
    status: str  # "ok" or "failed"
    html: str | None  # relative link
    ipynb: str | None
    error: str = ""


_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #ddd}
.failed{color:#a40000;font-weight:600}.ok{color:#176b00}.banner{background:#fff4ce;border-left:4px solid #e0a800;padding:.6rem 1rem}
small{color:#666}
"""


def write_index(run_dir: str | Path, title: str, entries: list[IndexEntry], synthetic: bool = False,
                banner_html: str = "") -> Path:
    """``run_dir/index.html``: one row per (site, notebook) with links to the HTML report and the notebook."""
    run_dir = Path(run_dir)
    rows = []
    for e in sorted(entries, key=lambda e: (e.site, e.notebook)):
        links = " · ".join(
            f'<a href="{html.escape(href)}">{label}</a>' for label, href in (("report", e.html), ("notebook", e.ipynb)) if href
        )
        status = f'<span class="{e.status}">{e.status}</span>'
        if e.error:
            status += f"<br><small>{html.escape(e.error)}</small>"
        rows.append(f"<tr><td>{html.escape(e.site)}</td><td>{html.escape(e.notebook)}</td><td>{status}</td><td>{links}</td></tr>")
    banner = ('<p class="banner"><strong>Synthetic data.</strong> These reports were made from invented data '
              "to demonstrate cm_research; they are not evidence about any programme.</p>") if synthetic else ""
    failed = sum(e.status != "ok" for e in entries)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>{_STYLE}</style></head>
<body><h1>{html.escape(title)}</h1>{banner}{banner_html}
<p>{len(entries)} report{'s' if len(entries) != 1 else ''}, {failed} failed. Made {stamp} by cm_research.</p>
<table><thead><tr><th>Site</th><th>Notebook</th><th>Status</th><th>Open</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""
    out = run_dir / "index.html"
    out.write_text(page, encoding="utf-8")
    return out
