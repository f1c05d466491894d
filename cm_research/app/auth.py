"""Who may use the app, and for how long: the login and log-out pages in plain English, the token taken out of
the address, and the token kept out of the server's log.

The app is opened from the address it prints at start (``http://127.0.0.1:PORT/?token=...``). The token is a
password: anyone with it may use the app, and with it the partnership's data about children, while the app runs.
On a council PC shared by several people it must not outlive the practitioner's session:

* the address the browser keeps: :class:`AppPageHandler` answers the first visit with the token by setting the
  login cookie and sending the browser straight on to the same page without it (a redirect, so the page with the
  token is never shown, bookmarked or kept in the browser's history as a page visited);
* the cookie (:data:`cm_research.app.server.COOKIE_OPTIONS`): a session cookie, deleted when the browser is
  closed, and refused by the server after :data:`~cm_research.app.server.SESSION_HOURS` hours in any case (a
  browser set to "continue where you left off" keeps it);
* "Log out" (:class:`AppLogoutHandler`): deletes the cookie, changes the token and the secret that signs
  cookies, so nothing left in the browser (a cookie, an address in its history) opens the app again; the
  practitioner starts the app again to use it;
* the log (:class:`TokenScrubber`): tornado writes the address of every refused or failed request to the
  terminal, token and all; the filter writes ``token=[hidden]`` instead;
* the login page (:class:`AppLoginHandler`): Jupyter's says "Password or token" and "jupyter server list"; the
  practitioner who reaches it (an old bookmark, a browser opened again, the app restarted, a link clicked in
  another site's page, which the ``SameSite=Strict`` cookie does not follow) is told in plain English why, and
  where the app's address is; after a link from another site, a link on this page (same site: the cookie
  goes with it) opens the app.
"""

from __future__ import annotations

import html
import logging
import re
import secrets
from urllib.parse import quote, urlsplit

import tornado.web
from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.auth.identity import PasswordIdentityProvider
from jupyter_server.base.handlers import JupyterHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.voila_identity_provider import VoilaLoginHandler

_TOKEN = re.compile(r"(token=)[^&\s'\"#]+", re.IGNORECASE)

_PAGE = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body {{ font-family: sans-serif; font-size: 16px; color: #1b1b1b; background: #fff; max-width: 44em;
margin: 2em auto; padding: 0 1em; line-height: 1.5; }}
.msg {{ border-left: 5px solid #0b57d0; background: #eef3fd; padding: 0.4em 0.8em; }}
.error {{ border-left-color: #a40000; background: #fde8e8; }}
input, button {{ font-size: 16px; padding: 0.3em; }} button {{ color: #fff; background: #0b57d0; border: 0; }}
:focus-visible {{ outline: 3px solid #0b57d0; outline-offset: 2px; }}</style></head>
<body><main><h1>{title}</h1>{body}</main></body></html>"""


def page(title: str, body: str) -> str:
    """A small page in the app's words (``body`` is HTML made here; anything from a request is escaped)."""
    return _PAGE.format(title=html.escape(title), body=body)


def scrub(text: str) -> str:
    """``text`` with the value of every ``token=`` taken out."""
    return _TOKEN.sub(r"\1[hidden]", text)


class TokenScrubber(logging.Filter):
    """Takes the token out of a log line (tornado logs the full address of a refused or failed request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "token=" in message.lower():
            record.msg, record.args = scrub(message), None
        return True


def scrub_logs(*names: str) -> None:
    """Add :class:`TokenScrubber` to tornado's loggers and to ``names`` (once each)."""
    for name in ("tornado.access", "tornado.application", "tornado.general", *names):
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenScrubber) for f in logger.filters):
            logger.addFilter(TokenScrubber())


class AppLoginHandler(VoilaLoginHandler):
    """The page shown to a browser without a valid login: why it is here, and how to open the app."""

    @allow_unauthenticated
    def get(self):
        # an address with an old token comes here as ?next=/?token=...: the token would stay in the address
        target = self.get_argument("next", default=self.base_url)
        if "token=" in target.lower():
            self.redirect(f"{self.request.path}?next={quote(urlsplit(target).path or self.base_url, safe='/')}")
            return
        super().get()

    def _render(self, message=None):
        wrong = bool(message and message.get("error"))
        if wrong:
            self.set_status(401)
        refused = ('<p class="msg error" role="alert"><strong>Error:</strong> that is not the key of the app '
                   "running now (the key changes each time the app starts). Copy the address the app shows now."
                   "</p>" if wrong else "")
        body = (refused +
                "<p>The app opens only from the address it shows when it starts, in the window where it was "
                "started (after <q>The app is at</q>). That address holds a key which changes each time the app "
                "starts, so this page appears when:</p><ul>"
                "<li>the browser was closed, or you logged out, since you last used the app;</li>"
                "<li>the app was stopped and started again;</li>"
                "<li>you used a bookmark or a link (for example in an email) instead of that address.</li></ul>"
                "<p><strong>To open the app</strong>: go to the window where the app was started and open the "
                "address it shows. If the app is not running, start it again (<code>make app</code>, or ask "
                "whoever set it up).</p>"
                # the login cookie is SameSite=Strict: after the address was opened from another site's page (a
                # web mail), the browser keeps it back until a link on the app's own page is followed
                "<p>If you opened that address a moment ago from an email or another web page, the browser may "
                f'have held your login back: <a href="{html.escape(self.base_url)}">open the app here</a>.</p>'
                f'<form action="{html.escape(self.request.path)}?next={html.escape(self._next(), quote=True)}" '
                f'method="post">{self.xsrf_form_html()}'
                '<p><label for="password_input">Or paste the key: the part of the address after '
                '<code>token=</code></label><br><input type="password" name="password" id="password_input" '
                'autocomplete="off"> <button type="submit">Open the app</button></p></form>')
        self.write(page("Open the app from its own address", body))

    def _next(self) -> str:
        return quote(self.get_argument("next", default=self.base_url), safe="/")


class AppLogoutHandler(JupyterHandler):
    """Log out: the cookie is deleted, the token and the cookie secret changed, so nothing the browser kept (a
    cookie, the address with the token) opens the app again."""

    @tornado.web.authenticated
    def get(self):
        self.identity_provider.clear_login_cookie(self)
        self.identity_provider.token = secrets.token_urlsafe(24)
        self.application.settings["cookie_secret"] = secrets.token_bytes(32)  # a copy of any login cookie: refused
        self.write(page("You have logged out of the app", (
            '<p class="msg" role="status">You have logged out. Nothing in this browser opens the app again: the '
            "address with the key that the app showed when it started no longer works either.</p>"
            "<p>On a shared computer, close this browser window, and stop the app in the window where it was "
            "started (press Ctrl-C there). To use the app again, start it again: it shows a new address.</p>"
            "<p>Your project folder and everything in it are kept as they were.</p>")))


class AppIdentityProvider(PasswordIdentityProvider):
    """Jupyter's token login, with the app's own login and log-out pages (Voilà passes its own login page when
    it makes the provider; these replace it)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.login_handler_class = AppLoginHandler
        self.logout_handler_class = AppLogoutHandler


class AppPageHandler(TornadoVoilaHandler):
    """Voilà's page handler, which sends a visit with the token on to the same page without it (the login cookie
    is set by then), so the token is not left in the address bar, the browser's history or a bookmark."""

    @tornado.web.authenticated
    async def get(self, path=None):
        if not path and self.get_query_argument("token", None) is not None:  # the app's page (others: Voilà's)
            self.redirect(self.request.path)
            return
        await super().get(path)
