"""Start the app: Voilà serving the "Start here" notebook on 127.0.0.1, with a token, for one project folder.

Choices (Voilà 0.5, on jupyter_server 2):

* ``Voila.ip = 127.0.0.1``: reachable from this computer only, never from the network;
* ``Voila.token``: a random token made at each start (``secrets.token_urlsafe``); a request without it, or
  without the cookie the first visit sets, is refused; the browser is opened on the URL that carries it;
* the notebook is copied alone into a fresh private folder, which is Voilà's root: in single-notebook mode
  Voilà has no contents API, and its ``/voila/files/`` handler is closed (``file_allowlist`` matches nothing and
  ``file_denylist`` matches everything), so no file is served from the disk; downloads are ``data:`` links
  made by the app (:mod:`cm_research.app.html`) from files inside the project folder;
* a Content-Security-Policy lets the page load from and connect to this server only (Voilà's template links
  fonts and scripts on public CDNs; they are never fetched, so nothing is sent anywhere);
* ``strip_sources`` (Voilà's default) keeps the notebook's code out of the page, and tracebacks are not shown;
* uploads travel over the kernel's websocket; tornado's ``websocket_max_message_size`` is set just above
  :data:`cm_research.app.uploads.MAX_UPLOAD_BYTES`, which the app checks again for each file;
* ``allow_remote_access = False`` (Voilà sets it to true): a request whose ``Host:`` is not this computer
  (``localhost`` or a loopback address) is refused with 403, so a web page on another site that makes its own
  name point at 127.0.0.1 (DNS rebinding) gets nothing, not even the login page;
* ``Referrer-Policy: no-referrer``: the address holds the token, so the browser must never send it on to another
  site (a link in a report, a page opened from the app);
* the login cookie is ``SameSite=Strict``: a page on another site that sends a request, a form or a websocket
  to the app never carries it (jupyter_server also refuses a websocket or a POST from another origin; the kernel
  channel carries widget messages only: Voilà does not run code sent to it);
* the login lasts one browser session, at most 12 hours; the token is taken out of the address at once and out
  of the log; "Log out" changes the token; the login page says in plain English how to open the app
  (:mod:`cm_research.app.auth`, which explains each);
* ``X-Frame-Options: DENY`` and ``frame-ancestors 'none'``: no page, not even the app's, may show the app in a
  frame (a page on another site that frames it could lead the practitioner to click in it unknowingly);
* ``Cache-Control: no-store`` on every response (Voilà sets it on the app's page too): pages with data about
  children are never written to the browser's disk cache, which the next user of a shared PC could read;
  ``X-Content-Type-Options: nosniff`` (jupyter_server's default) stops a browser guessing a type.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import sys
import tempfile
import threading
import time
import webbrowser
from importlib import resources
from pathlib import Path

from tornado.web import OutputTransform

from cm_research.app.errors import PortInUseError
from cm_research.app.project import Project
from cm_research.app.ui import PROJECT_ENV
from cm_research.app.uploads import MAX_UPLOAD_BYTES

HOST = "127.0.0.1"
#: the browser may load and connect to this server only (Voilà's page template links fonts and scripts on public
#: CDNs: with this policy they are never fetched, so opening the app sends nothing anywhere)
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:", "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:", "font-src 'self' data:", "connect-src 'self'", "frame-src 'self' data: blob:",
    "worker-src 'self' blob:", "object-src 'none'", "base-uri 'self'", "form-action 'self'",
    "frame-ancestors 'none'"])
#: a login lasts at most this long, even in a browser that keeps its cookies when closed
SESSION_HOURS = 12
#: the login cookie: sent only with the app's own pages (never with a request another site's page makes), kept
#: only until the browser closes (tornado's default keeps it 30 days)
COOKIE_OPTIONS = {"samesite": "Strict", "expires_days": None}
#: tornado refuses a login cookie signed longer ago than this
COOKIE_CHECK = {"max_age_days": SESSION_HOURS / 24}
#: on every response the server sends (see the module docstring)
SECURITY_HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Referrer-Policy": "no-referrer",
                    "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
DEFAULT_PORT = 8866
NOTEBOOK = "start_here.ipynb"
SHOWN_NAME = "Start here.ipynb"  # the page's title


def notebook_source() -> Path:
    """The app's notebook, shipped inside the package."""
    return Path(str(resources.files("cm_research.app") / NOTEBOOK))


def voila_config(port: int, token: str, open_browser: bool = False):
    """The traitlets config the app runs Voilà with (see the module docstring for each choice)."""
    from traitlets.config import Config

    c = Config()
    c.Voila.ip = HOST
    c.Voila.port = port
    c.Voila.port_retries = 0
    c.Voila.token = token
    c.Voila.open_browser = open_browser
    c.Voila.tornado_settings = {"websocket_max_message_size": MAX_UPLOAD_BYTES + 2 * 2**20,
                                "allow_remote_access": False,  # Host: must be this computer (no DNS rebinding)
                                "headers": dict(SECURITY_HEADERS)}
    c.Voila.identity_provider_class = "cm_research.app.auth.AppIdentityProvider"  # imports Voilà: by name
    c.IdentityProvider.cookie_options = dict(COOKIE_OPTIONS)
    c.IdentityProvider.get_secure_cookie_kwargs = dict(COOKIE_CHECK)
    c.VoilaConfiguration.file_allowlist = ["(?!)"]  # matches nothing
    c.VoilaConfiguration.file_denylist = [".*"]
    c.VoilaConfiguration.show_tracebacks = False
    c.VoilaConfiguration.strip_sources = True
    return c


def _in_use(port: int) -> bool:
    """Something already answers on ``HOST:port``."""
    with socket.socket() as s:
        return s.connect_ex((HOST, port)) == 0


def _open_when_ready(url: str, port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex((HOST, port)) == 0:
                webbrowser.open(url)
                return
        time.sleep(0.3)


class SecurityHeaders(OutputTransform):
    """Adds :data:`SECURITY_HEADERS` to any response that lacks them (a static file keeps its own caching)."""

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        for name, value in SECURITY_HEADERS.items():
            headers.setdefault(name, value)
        return status_code, headers, chunk


def _app_class():
    """Voilà, its page handler replaced by :class:`~cm_research.app.auth.AppPageHandler` (the token taken out of
    the address)."""
    from voila.app import Voila
    from voila.tornado.handler import TornadoVoilaHandler

    from cm_research.app.auth import AppPageHandler

    class AppVoila(Voila):
        def init_settings(self):
            # Voilà's static files are served by tornado's own handler, which sends none of the "headers"
            # setting: a transform gives every response the security headers it lacks
            return {**super().init_settings(), "transforms": [SecurityHeaders]}

        def init_handlers(self):
            return [(h[0], AppPageHandler, *h[2:]) if h[1] is TornadoVoilaHandler else h
                    for h in super().init_handlers()]

    return AppVoila


def serve(project_dir: str | os.PathLike, port: int = DEFAULT_PORT, open_browser: bool = True) -> int:
    """Open (or make) the project folder and serve the app until stopped (Ctrl-C). Returns an exit code."""
    project = Project.open(project_dir)
    if _in_use(port):  # before: Voilà said "no available port", after the address of the other app was printed
        raise PortInUseError(
            f"The app cannot start: port {port} on this computer is already in use, perhaps by the app started "
            f"earlier (look for its tab in your browser). Use that one, or start another with --port {port + 1}.")
    token = secrets.token_urlsafe(24)
    root = Path(tempfile.mkdtemp(prefix="cm-research-app-"))
    try:
        shutil.copyfile(notebook_source(), root / SHOWN_NAME)
        os.environ[PROJECT_ENV] = str(project.root)
        url = f"http://{HOST}:{port}/?token={token}"
        print(f"Your project folder: {project.root}\nThe app is at {url}\n(on this computer only; press Ctrl-C "
              "here to stop it)", flush=True)
        if open_browser:
            threading.Thread(target=_open_when_ready, args=(url, port), daemon=True).start()
        from cm_research.app.auth import scrub_logs

        scrub_logs("Voila", "AppVoila")
        app = _app_class()(config=voila_config(port, token))
        app.initialize([str(root / SHOWN_NAME)])
        app.start()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":  # python -m cm_research.app.server PROJECT PORT
    sys.exit(serve(sys.argv[1] if len(sys.argv) > 1 else "my-evaluation",
                   int(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_PORT, open_browser=False))
