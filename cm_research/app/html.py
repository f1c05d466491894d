"""Small HTML pieces for the app, every value escaped (uploaded cells and transcript text are shown as text,
never as markup), and file downloads as ``data:`` links (nothing is served from the disk)."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd

#: the types a download link may carry; anything else (an HTML report too) goes as application/octet-stream, so a
#: link opened in a new tab saves the file and never renders it as a page (no markup or script runs from it)
MIME = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".csv": "text/csv", ".yaml": "text/yaml"}


def esc(value: object) -> str:
    """``value`` as text safe inside HTML (``<script>`` shows as ``<script>``, does not run)."""
    return html.escape("" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value))


def table_html(table: pd.DataFrame, caption: str, limit: int = 200) -> str:
    """An accessible table: a caption, header cells with ``scope="col"``, every cell escaped."""
    if table.empty:
        return f"<p>{esc(caption)}: none.</p>"
    shown = table.head(limit)
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in shown.columns)
    body = "".join("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in row) + "</tr>"
                   for row in shown.itertuples(index=False))
    more = f"<p>… and {len(table) - limit} more rows.</p>" if len(table) > limit else ""
    return (f'<table class="cm-table"><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>{more}")


def download_link(content: bytes | Path, filename: str, label: str) -> str:
    """An anchor that downloads ``content`` as ``filename`` (a ``data:`` URI: the server serves no files)."""
    data = content.read_bytes() if isinstance(content, Path) else content
    suffix = Path(filename).suffix.lower()
    mime = MIME.get(suffix, "application/octet-stream")
    encoded = base64.b64encode(data).decode("ascii")
    return (f'<a class="cm-download" download="{esc(Path(filename).name)}" href="data:{mime};base64,{encoded}">'
            f"{esc(label)}</a>")


def message_html(text: str, kind: str = "info") -> str:
    """A status message read out by screen readers (``role=status``; ``alert`` for errors)."""
    role = "alert" if kind == "error" else "status"
    return f'<div class="cm-msg cm-{esc(kind)}" role="{role}">{esc(text)}</div>'


def suggestion_html(current: dict, counts: dict[str, int]) -> str:
    """One suggestion under review (from :meth:`cm_research.app.review.ReviewSession.current`): where it is in the
    sheet, the quote, the suggested code. The quote is transcript text: escaped, never markup."""
    decided = f" Decision so far: {current['decision']}." if current["decision"] else ""
    negated = " The words may be negated here: check." if current["negated"] else ""
    return (f'<p role="status">Suggestion {current["n"]} of {current["total"]} '
            f'({counts["accepted"]} accepted, {counts["rejected"]} rejected).{esc(decided)}</p>'
            f'<blockquote class="cm-quote">{esc(current["quote"])}</blockquote>'
            f'<p>Suggested code: <strong>{esc(current["code_label"])}</strong> '
            f'({esc(current["role"])}, {esc(current["transcript"])}).{esc(negated)}</p>')


def upload_limit_script(limit: int) -> str:
    """JavaScript that refuses, in the page, a file larger than ``limit`` bytes before it is sent.

    An upload travels to the kernel as one websocket message; a message over the server's limit makes tornado
    close the connection, so the page would go dead without a word. The widget reads each chosen file with a
    ``FileReader`` before sending; this script (run once per page) makes that read refuse a file over the limit:
    nothing is sent, the connection stays, and a message in the app's words (the one
    :func:`cm_research.app.uploads.check_content` gives) appears under the upload button as an ARIA alert."""
    return """
(function () {
  if (window.__cmUploadLimit) { return; }
  const LIMIT = %d, MB = 1048576;
  window.__cmUploadLimit = LIMIT;
  let button = null;  // the upload button last pressed: the message goes under it
  document.addEventListener('click', function (event) {
    const found = event.target instanceof Element ? event.target.closest('.widget-upload') : null;
    if (found) {
      button = found;
      document.querySelectorAll('.cm-upload-refused').forEach(function (e) { e.remove(); });
    }
  }, true);
  const read = FileReader.prototype.readAsArrayBuffer;
  FileReader.prototype.readAsArrayBuffer = function (blob) {
    if (blob && blob.size > LIMIT) {
      const name = blob.name || 'The file';
      const note = document.createElement('p');
      note.className = 'cm-msg cm-error cm-upload-refused';
      note.setAttribute('role', 'alert');
      note.textContent = name + ' is ' + (blob.size / MB).toFixed(1) + ' MB; the app takes files up to ' +
        Math.floor(LIMIT / MB) + ' MB (split a larger file, or ask your analyst). Nothing was uploaded.';
      if (button && button.parentNode) { button.parentNode.insertBefore(note, button.nextSibling); }
      else { document.body.appendChild(note); }
      return;  // never read, never sent: the widget waits for a file that does not come
    }
    return read.call(this, blob);
  };
})();
""" % limit
