"""Small HTML pieces for the app, every value escaped (uploaded cells and transcript text are shown as text,
never as markup), and file downloads as ``data:`` links (nothing is served from the disk)."""

from __future__ import annotations

import base64
import html
import json
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


#: the word that starts an error message: an error is told by text, not by its red border alone (WCAG 1.4.1, 3.3.1)
ERROR_PREFIX = "Error:"


def message_html(text: str, kind: str = "info") -> str:
    """A status message read out by screen readers (``role=status``; ``alert`` for errors, which start with the
    word "Error:" so that the colour of the box is never the only sign)."""
    role = "alert" if kind == "error" else "status"
    lead = f"<strong>{ERROR_PREFIX}</strong> " if kind == "error" else ""
    return f'<div class="cm-msg cm-{esc(kind)}" role="{role}">{lead}{esc(text)}</div>'


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


def upload_limit_script(limit: int, max_files: int) -> str:
    """JavaScript that refuses, in the page, a file larger than ``limit`` bytes, or a choice of files that
    together exceed ``limit`` bytes or number more than ``max_files``, before anything is sent.

    An upload travels to the kernel as one websocket message holding every file chosen; a message over the
    server's limit makes tornado close the connection, so the page would go dead without a word (several files
    each under the limit, together over it, did this). The widget reads the chosen files, one after another in
    one go, with a ``FileReader`` each, and sends them once all are read; this script (run once per page) makes
    those reads count the files and bytes of the choice and refuse any read past a limit: the widget then waits
    for a file that never comes, nothing is sent, the connection stays, and a message in the app's words (those
    :func:`cm_research.app.uploads.check_content` and :func:`~cm_research.app.uploads.check_count` give) appears
    under the upload button as an ARIA alert."""
    return """
(function () {
  if (window.__cmUploadLimit) { return; }
  const LIMIT = %d, MAX_FILES = %d, MB = 1048576;
  window.__cmUploadLimit = LIMIT;
  let button = null;  // the upload button last pressed: the message goes under it
  let batch = null;   // the files of one choice: read one after another in the same turn of the event loop
  document.addEventListener('click', function (event) {
    const found = event.target instanceof Element ? event.target.closest('.widget-upload') : null;
    if (found) {
      button = found;
      document.querySelectorAll('.cm-upload-refused').forEach(function (e) { e.remove(); });
    }
  }, true);
  function say(text) {
    const note = document.createElement('p');
    note.className = 'cm-msg cm-error cm-upload-refused';
    note.setAttribute('role', 'alert');
    note.textContent = 'Error: ' + text + ' Nothing was uploaded.';
    if (button && button.parentNode) { button.parentNode.insertBefore(note, button.nextSibling); }
    else { document.body.appendChild(note); }
  }
  function mb(n) { return (n / MB).toFixed(1) + ' MB'; }
  const read = FileReader.prototype.readAsArrayBuffer;
  FileReader.prototype.readAsArrayBuffer = function (blob) {
    if (batch === null) {
      batch = {count: 0, bytes: 0, big: null, refused: false};
      setTimeout(function () {  // the whole choice has been counted: one message for it
        const b = batch;
        batch = null;
        if (b.big) {
          say(b.big.name + ' is ' + mb(b.big.size) + '; the app takes files up to ' + Math.floor(LIMIT / MB) +
              ' MB (split a larger file, or ask your analyst).');
        } else if (b.count > MAX_FILES) {
          say(b.count + ' files were chosen; the app takes up to ' + MAX_FILES + ' files at a time. ' +
              'Upload them in smaller groups.');
        } else if (b.refused) {
          say('the ' + b.count + ' files chosen come to ' + mb(b.bytes) + ' together; the app takes up to ' +
              Math.floor(LIMIT / MB) + ' MB at a time. Upload them in smaller groups.');
        }
      }, 0);
    }
    const size = blob ? blob.size : 0;
    batch.count += 1;
    batch.bytes += size;
    if (size > LIMIT && !batch.big) { batch.big = blob; }
    if (batch.refused || size > LIMIT || batch.bytes > LIMIT || batch.count > MAX_FILES) {
      batch.refused = true;
      return;  // never read, never sent: the widget waits for a file that does not come
    }
    return read.call(this, blob);
  };
})();
""" % (limit, max_files)


def field_problems_html(problems: list[tuple[str, str]], caption: str) -> str:
    """The problems of a form as a table, each row tied to the field it is about (``data-cm-field``: the field's
    label as shown): :func:`accessibility_script` marks that field invalid and makes the row its description, so
    a screen reader reading the field also reads what to fix in it (WCAG 3.3.1)."""
    rows = "".join(f'<tr id="cm-problem-{i}" data-cm-field="{esc(field)}"><td>{esc(field)}</td><td>{esc(message)}'
                   "</td></tr>" for i, (field, message) in enumerate(problems))
    return (f'<table class="cm-table"><caption>{esc(caption)}</caption><thead><tr><th scope="col">field</th>'
            f'<th scope="col">what to fix</th></tr></thead><tbody>{rows}</tbody></table>')


def accessibility_script() -> str:
    """JavaScript (run once per page) for what ipywidgets cannot say itself:

    * every widget with the class ``cm-live`` (the app's result and status boxes) is a live region
      (``aria-live="polite"``) from the start, so a screen reader announces each new message put in it: a
      ``role="status"`` element added to the page with its text already in it is often not announced;
    * the progress bar is a ``progressbar`` with its value (0 to 100) and a name;
    * a form field named by a row of :func:`field_problems_html` is marked ``aria-invalid`` and described by
      that row (``aria-describedby``); a field no longer named is marked valid again.
    """
    return """
(function () {
  if (window.__cmAccessible) { return; }
  window.__cmAccessible = true;
  function control(label) {
    const found = Array.from(document.querySelectorAll('label')).find(function (l) {
      return l.textContent.trim() === label; });
    return found && found.htmlFor ? document.getElementById(found.htmlFor) : null;
  }
  function update() {
    document.querySelectorAll('.cm-live:not([aria-live])').forEach(function (e) {
      e.setAttribute('aria-live', 'polite'); });
    document.querySelectorAll('.widget-progress .progress-bar').forEach(function (bar) {
      bar.setAttribute('role', 'progressbar');
      bar.setAttribute('aria-label', 'Progress');
      bar.setAttribute('aria-valuemin', '0');
      bar.setAttribute('aria-valuemax', '100');
      bar.setAttribute('aria-valuenow', String(Math.round(parseFloat(bar.style.width) || 0)));
    });
    const named = new Set();
    document.querySelectorAll('[data-cm-field]').forEach(function (row) {
      const box = control(row.getAttribute('data-cm-field'));
      if (!box) { return; }
      named.add(box);
      const ids = (box.getAttribute('aria-describedby') || '').split(' ').filter(function (i) {
        return i && document.getElementById(i); });
      if (!ids.includes(row.id)) { ids.push(row.id); }
      box.setAttribute('aria-describedby', ids.join(' '));
      box.setAttribute('aria-invalid', 'true');
    });
    document.querySelectorAll('[aria-invalid="true"]').forEach(function (box) {
      if (!named.has(box)) { box.removeAttribute('aria-invalid'); box.removeAttribute('aria-describedby'); }
    });
  }
  new MutationObserver(update).observe(document.body, {childList: true, subtree: true, attributes: true,
                                                      attributeFilter: ['style']});
  update();
})();
"""


#: said at the top of the page when the app's Python process (the kernel) stops or restarts under the page
STOPPED_MESSAGE = ("the app stopped working in this page: its Python process stopped (perhaps the computer ran "
                   "short of memory, or the app was closed). Everything you saved or uploaded is kept in your "
                   "project folder; a report that was running did not finish. Reload the page (press F5) to go on; "
                   "if that does not work, start the app again.")


def connection_script() -> str:
    """JavaScript (run once per page) that says so, at the top of the page, as an ARIA alert, when the app's kernel
    stops under the page: Jupyter restarts a kernel that died (out of memory, killed) with none of the app in
    it, and the page's buttons then do nothing, without a word. The kernel's channel says ``restarting`` or
    ``dead`` in a status message; the channel closing (the app stopped) means the same."""
    return """
(function () {
  if (window.__cmWatching) { return; }
  window.__cmWatching = true;
  const STOPPED = /"execution_state":\\s*"(restarting|dead)"/;
  function stopped() {
    if (document.getElementById('cm-stopped')) { return; }
    const note = document.createElement('p');
    note.id = 'cm-stopped';
    note.className = 'cm-msg cm-error';
    note.setAttribute('role', 'alert');
    note.style.position = 'sticky'; note.style.top = '0'; note.style.zIndex = '1000';
    note.textContent = 'Error: ' + %s;
    document.body.insertBefore(note, document.body.firstChild);
  }
  function watch(socket) {
    if (socket.__cmWatched || String(socket.url).indexOf('/channels') < 0) { return; }
    socket.__cmWatched = true;
    socket.addEventListener('message', function (event) {
      const data = event.data;
      if (typeof data === 'string') { if (STOPPED.test(data)) { stopped(); } return; }
      if (data instanceof ArrayBuffer && STOPPED.test(new TextDecoder().decode(data))) { stopped(); }
      else if (data instanceof Blob) { data.text().then(function (t) { if (STOPPED.test(t)) { stopped(); } }); }
    });
    socket.addEventListener('close', function () { setTimeout(stopped, 3000); });
  }
  const send = WebSocket.prototype.send;  // the app's channel, already open, is found at its next message
  WebSocket.prototype.send = function (data) { watch(this); return send.call(this, data); };
})();
""" % json.dumps(STOPPED_MESSAGE)
