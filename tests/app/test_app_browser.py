"""The practitioners' app end to end (issue 26): ``cm-research app --no-browser`` on a free loopback port, driven in
headless Chromium (Debian's chromium and chromedriver, through Selenium with an explicit driver path, so nothing
is downloaded), along a practitioner's path on an invented partnership, with axe-core on every step; and the
server's safety checked with plain HTTP requests.

Skips, saying why, when Chromium, chromedriver or npm (for axe-core) is missing. SYNTHETIC data only.
"""

from __future__ import annotations

import base64
import io
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from headless_chrome import start_chrome
from tests.app import builders

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    """The app as a practitioner starts it, on a fresh project folder: (base URL, token, project folder)."""
    project = tmp_path_factory.mktemp("app") / "my-evaluation"
    port = _free_port()
    exe = Path(sys.executable).parent / "cm-research"
    log = project.parent / "app.log"  # beside the project folder, not in it: what the terminal shows
    with open(log, "w") as out:
        proc = subprocess.Popen([str(exe), "app", "--no-browser", "--project", str(project), "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, cwd=project.parent)
    try:
        deadline = time.monotonic() + 60
        while "Voilà is running" not in log.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            time.sleep(0.2)
        token = re.search(r"token=([\w-]+)", log.read_text()).group(1)
        yield f"http://127.0.0.1:{port}", token, project
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def _get(url: str) -> tuple[int, str, str]:
    """(status, final location or '', body) without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=20) as response:
            return response.status, "", response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location", ""), exc.read().decode("utf-8", "replace")


def test_server_listens_on_loopback_only_with_a_token_and_serves_no_files(app_server):
    base, token, project = app_server
    port = int(base.rsplit(":", 1)[1])
    # bound to 127.0.0.1 only: /proc/net/tcp lists the listening socket's local address (0100007F = 127.0.0.1)
    if Path("/proc/net/tcp").exists():
        listening = [line.split()[1] for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
                     if line.split()[3] == "0A" and int(line.split()[1].split(":")[1], 16) == port]
        assert listening == [f"0100007F:{port:04X}"]
        v6 = Path("/proc/net/tcp6")
        assert not v6.exists() or not any(int(line.split()[1].split(":")[1], 16) == port and line.split()[3] == "0A"
                                          for line in v6.read_text().splitlines()[1:])
    # the page may load from and connect to this server only (Voilà's template links public CDNs)
    with urllib.request.urlopen(f"{base}/login", timeout=20) as response:
        policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "connect-src 'self'" in policy and "https:" not in policy
    # without the token: the login page, never the app or the kernel API
    for path in ("/", "/api/kernels", "/voila/files/Start%20here.ipynb"):
        status, location, body = _get(base + path)
        assert status in (302, 403) and "show_step" not in body, (path, status)
        assert not location or location.startswith("/login")
    # with the token: no file is served, not the notebook's source, not the project, not the system
    secret = project / "data" / "secret.csv"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("participant_id\nSYN-SECRET-1\n")
    for path in ("/voila/files/Start%20here.ipynb", "/voila/files/..%2F..%2F..%2Fetc%2Fpasswd",
                 "/voila/files/../../etc/passwd", f"/voila/files{secret}", "/voila/files/%2Fetc%2Fpasswd",
                 "/api/contents", "/api/contents/", "/voila/api/contents/", "/voila/tree", "/files/etc/passwd",
                 "/voila/files/..\\..\\etc\\passwd", "/voila/render/Start%20here.ipynb"):
        sep = "&" if "?" in path else "?"
        status, location, body = _get(f"{base}{path}{sep}token={token}")
        assert status != 200 or ("show_step" not in body and "root:" not in body and "SYN-SECRET" not in body), path
        assert "root:x:" not in body and "SYN-SECRET" not in body and '"cells"' not in body, path
        if status in (301, 302):  # anything unknown is sent to the (closed) file handler
            location = urllib.parse.quote(location, safe="/?&=%")
            assert _get(f"{base}{location}{'&' if '?' in location else '?'}token={token}")[0] == 403, path



def _request(url: str, method: str = "GET", headers: dict | None = None) -> tuple[int, dict, str]:
    """(status, headers, body) of one request, redirects not followed."""
    import http.client

    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    try:
        connection.putrequest(method, parts.path + (f"?{parts.query}" if parts.query else ""), skip_host=True)
        for key, value in {"Host": parts.netloc, **(headers or {})}.items():
            connection.putheader(key, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def test_a_web_page_on_another_site_gets_nothing_from_the_app(app_server):
    """Red team (app3): what a page on another site, open in the same browser, can send to the app."""
    base, token, _ = app_server
    port = base.rsplit(":", 1)[1]
    # DNS rebinding: the other site's name made to point at 127.0.0.1 reaches the server with its own Host:
    for path in ("/login", f"/?token={token}", "/api/kernels/00000000-0000-0000-0000-000000000000"):
        status, _, body = _request(base + path, headers={"Host": f"evil.example:{port}"})
        assert status == 403 and "show_step" not in body, (path, status)
    assert _request(base + "/login", headers={"Host": f"localhost:{port}"})[0] == 200
    # the token is in the address: the browser is told never to send the address to another site; the login
    # cookie is never sent with a request another site's page makes
    status, headers, _ = _request(f"{base}/login?token={token}")
    assert headers.get("referrer-policy") == "no-referrer"
    assert "samesite=strict" in headers.get("set-cookie", "").lower(), headers.get("set-cookie")
    cookie = headers["set-cookie"].split(";", 1)[0]
    # with that cookie all the same, a POST from another origin (CSRF) is refused, and so is one with the token
    # only in a Referer
    for path in ("/voila/api/shutdown/00000000-0000-0000-0000-000000000000", "/login"):
        assert _request(base + path, "POST", {"Origin": "http://evil.example", "Cookie": cookie})[0] in (403, 404)
    status, _, body = _request(base + "/", headers={"Referer": f"{base}/?token={token}"})
    assert status == 302 and "show_step" not in body



#: an address answered 404 when logged in, 403 when not (cheap: the app's page would start a kernel)
NO_KERNEL = "/api/kernels/00000000-0000-0000-0000-000000000000"


def test_every_response_is_hardened_and_the_token_does_not_outlive_the_session(app_server):
    """Red team (app4): headers on every kind of response, the token in the address and the log, the login page."""
    base, token, project = app_server
    port = base.rsplit(":", 1)[1]
    # the first visit with the token: the login cookie is set and the browser sent on to the page without the
    # token (so it is not left in the address bar, the history or a bookmark); the cookie goes with the browser
    status, headers, _ = _request(f"{base}/?token={token}")
    assert (status, headers.get("location")) == (302, "/"), (status, headers)
    cookie = headers["set-cookie"]
    assert "samesite=strict" in cookie.lower() and "httponly" in cookie.lower()
    assert "expires" not in cookie.lower() and "max-age" not in cookie.lower(), cookie  # deleted when it closes
    cookie = cookie.split(";", 1)[0]
    assert _request(base + NO_KERNEL, headers={"Cookie": cookie})[0] == 404  # logged in (the app's page: below)
    # an old or mistyped token, or a bookmark once the browser was closed: a page in plain English, whose
    # address holds no token
    status, headers, _ = _request(f"{base}/?token=not-the-token")
    assert status == 302 and headers["location"].startswith("/login?next=")
    status, headers, _ = _request(base + headers["location"])
    assert (status, headers["location"]) == (302, "/login?next=/")
    status, _, login = _request(f"{base}/login?next=/")
    assert status == 200 and "Open the app from its own address" in login
    assert "the window where the app was started" in login and '<label for="password_input">' in login
    assert "jupyter server list" not in login and "Password or token" not in login
    assert '<a href="/">open the app here</a>' in login  # the address opened from a web mail: the cookie held back
    answers = {"login page": (status, _, login),
               "refused host": _request(base + "/login", headers={"Host": f"evil.example:{port}"}),
               "unknown address": _request(f"{base}/voila/static/nothing.js?token={token}"),
               "server error": _request(f"{base}/voila/templates/x?token={token}")}
    assert answers["refused host"][0] == 403 and answers["server error"][0] == 500  # the pages tried exist
    for what, (status, headers, body) in answers.items():
        assert headers.get("x-content-type-options") == "nosniff", what
        assert headers.get("x-frame-options") == "DENY", what  # no other page may frame the app (clickjacking)
        assert "frame-ancestors 'none'" in headers.get("content-security-policy", ""), what
        assert "no-store" in headers.get("cache-control", ""), what  # never in the browser's disk cache
        assert not re.search(r"Traceback|site-packages|File \"|/tmp/|/home/|/root/", body), (what, body[:500])
    # the server's log (the terminal) shows the token once, where the app says its address, never again:
    # tornado writes the address of every refused or failed request, token and all
    log = (project.parent / "app.log").read_text()
    assert log.count(token) == 1 and "token=[hidden]" in log, log[-2000:]


def test_a_login_lasts_twelve_hours_at_most():
    # a browser set to "continue where you left off" keeps even a session cookie: the server refuses one signed
    # more than 12 hours ago (tornado's signed cookie holds its time)
    from tornado.web import create_signed_value, decode_signed_value

    from cm_research.app.server import COOKIE_CHECK

    secret, now = b"s" * 32, time.time()
    for hours, kept in ((11.5, True), (12.5, False)):
        value = create_signed_value(secret, "login", "user", clock=lambda: now - hours * 3600)
        assert (decode_signed_value(secret, "login", value, clock=lambda: now, **COOKIE_CHECK) is not None) == kept


def _websocket_status(base: str, kernel: str, headers: dict) -> int:
    """101 when the kernel's channel opens with these headers, else the status it was refused with."""
    import asyncio

    from tornado.httpclient import HTTPClientError, HTTPRequest
    from tornado.websocket import websocket_connect

    async def attempt() -> int:
        url = f"{base.replace('http', 'ws', 1)}/api/kernels/{kernel}/channels"
        try:
            connection = await websocket_connect(HTTPRequest(url, headers=headers, connect_timeout=20))
        except HTTPClientError as exc:
            return exc.code
        connection.close()
        return 101

    return asyncio.run(attempt())


# --- the browser path ----------------------------------------------------------------------------------------
HOOK = """
if (!window.__cmHooked) {
  window.__cmHooked = true;
  const click = HTMLInputElement.prototype.click;
  HTMLInputElement.prototype.click = function () {
    if (this.type === 'file') {  // stands in for the operating system's file dialog
      document.querySelectorAll('#cm-test-file').forEach(e => e.removeAttribute('id'));
      this.id = 'cm-test-file'; this.style.display = 'block'; document.body.appendChild(this); return;
    }
    return click.call(this);
  };
}"""


@pytest.fixture(scope="module")
def axe_source(tmp_path_factory):
    """axe-core from npm, installed once into a folder under TMPDIR (the same cache for every run)."""
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / "cm-app-axe"
    script = folder / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        if not shutil.which("npm"):
            pytest.skip("npm is not installed (apt-get install npm): axe-core cannot be installed")
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["npm", "install", "--silent", "--prefix", str(folder), "axe-core"],
                              capture_output=True, text=True, timeout=180)
        if done.returncode or not script.exists():
            pytest.skip(f"npm install axe-core failed: {done.stderr.strip()[:300]}")
    return script.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def browser():
    # every request the page makes is logged, to check nothing is fetched from outside
    driver = start_chrome(("--lang=en-GB",), {"goog:loggingPrefs": {"performance": "ALL"}})
    yield driver
    driver.quit()


class Page:
    """What a practitioner does and sees, in Selenium terms."""

    def __init__(self, driver, axe: str, artefacts: Path | None):
        from selenium.webdriver.common.by import By

        self.d, self.By, self.axe_js, self.artefacts = driver, By, axe, artefacts

    def text(self) -> str:
        return self.d.execute_script("return document.body.innerText")

    def wait_for(self, text: str, timeout: float = 60) -> None:
        if os.environ.get("CM_APP_TIMING"):
            print(f"{time.monotonic():.1f} waiting for {text[:40]!r}", flush=True)
        deadline = time.monotonic() + timeout
        while text not in self.text():
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared; the page shows:\n{self.text()[-3000:]}")
            time.sleep(0.2)

    def wait_for_element(self, css: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not self.d.find_elements(self.By.CSS_SELECTOR, css):
            assert time.monotonic() < deadline, f"{css} never appeared"
            time.sleep(0.2)

    def control(self, label: str):
        found = self.d.find_element(self.By.XPATH, f"//label[normalize-space()=\"{label}\"]")
        return self.d.find_element(self.By.ID, found.get_attribute("for"))

    def type(self, label: str, text: str, clear: bool = False) -> None:
        box = self.control(label)
        if clear:
            box.clear()
        box.send_keys(text)

    def button(self, text: str):
        return self.d.find_element(self.By.XPATH, f"//button[starts-with(normalize-space(), \"{text}\")]")

    def link(self, text: str):
        return self.d.find_element(self.By.XPATH, f"//a[normalize-space()=\"{text}\"]")

    def download(self, text: str) -> tuple[str, bytes]:
        """The file a download link gives: (its name, its bytes)."""
        anchor = self.link(text)
        href = anchor.get_attribute("href")
        assert href.startswith("data:") and ";base64," in href
        return anchor.get_attribute("download"), base64.b64decode(href.split(",", 1)[1])

    def upload(self, button: str, *paths: Path) -> None:
        self.d.execute_script(HOOK)
        self.button(button).click()
        self.d.find_element(self.By.ID, "cm-test-file").send_keys("\n".join(str(p) for p in paths))
        self.d.execute_script("document.getElementById('cm-test-file').style.display = 'none'")  # the dialog closes

    def axe(self, step: str) -> None:
        """axe-core's WCAG 2.1 A/AA rules on the page as it is now: no serious or critical violation."""
        self.d.execute_script(self.axe_js)
        self.d.set_script_timeout(60)
        violations = self.d.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            f"axe.run(document, {{runOnly: {{type: 'tag', values: {WCAG!r}}}}})"
            ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, n: v.nodes.length,"
            " target: JSON.stringify(v.nodes[0].target), html: v.nodes[0].html.slice(0, 200)}))))"
            ".catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e)}]));")
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        if self.artefacts:
            self.d.save_screenshot(str(self.artefacts / f"app-{step}.png"))
        assert not bad, f"step {step}: {bad}"

    def not_pwned(self) -> None:
        assert self.d.execute_script("return window.__cmPwned") is None, "markup from a data file ran as code"


@pytest.mark.notebook  # the reports step runs notebooks 06 and 07
def test_practitioner_path_in_the_browser(app_server, browser, axe_source, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    from cm_research.surveys.cycle import load_cycle

    base, token, project = app_server
    artefacts = Path(os.environ["CM_TEST_ARTEFACTS"]) / "app" if os.environ.get("CM_TEST_ARTEFACTS") else None
    if artefacts:
        artefacts.mkdir(parents=True, exist_ok=True)
    page = Page(browser, axe_source, artefacts)
    browser.get(f"{base}/?token={token}")
    page.wait_for("5. Reports", timeout=90)
    assert "show_step" not in browser.page_source  # the notebook's code is not in the page
    # requests the page tried to make elsewhere (Voilà's template links public CDNs) were blocked before being sent
    import json

    events = [json.loads(entry["message"])["message"] for entry in browser.get_log("performance")]
    sent = {e["params"]["requestId"]: e["params"]["request"]["url"] for e in events
            if e["method"] == "Network.requestWillBeSent"}
    elsewhere = {i: url for i, url in sent.items() if not url.startswith((base, "data:", "blob:"))}
    blocked = {e["params"]["requestId"] for e in events if e["method"] == "Network.loadingFailed"
               and e["params"].get("blockedReason") == "csp"}
    assert set(elsewhere) <= blocked, {i: u for i, u in elsewhere.items() if i not in blocked}

    # 1. the project folder, made on first start, and where it is
    assert f"Your project folder is {project}" in page.text()
    assert sorted(p.name for p in project.iterdir() if p.is_dir()) == sorted(
        ["templates", "uploads", "data", "cycles", "interviews", "review", "reports"])
    page.axe("1-project")

    # 2. data: the template, an upload with three mistakes, the corrected upload
    name, content = page.download("Download the participants template (Excel)")
    assert name == "participants.xlsx"
    template = tmp_path / "template" / name
    template.parent.mkdir()
    template.write_bytes(content)
    assert "participants" in load_workbook(template).sheetnames
    first = builders.fill_workbook(template, tmp_path / "participants.xlsx", "participants",
                                   builders.PARTICIPANT_COLUMNS, builders.participants(mistakes=True))
    page.upload("Upload a workbook or CSV", first)
    page.wait_for("participants.xlsx (participants): 40 rows read, 39 ready for the reports, 1 held back, "
                  "2 with a cell left blank; 3 problems to look at.")
    shown = page.text()
    for row, column in builders.MISTAKES:
        assert re.search(rf"participants\s+{row}\s+{column}\s", shown), (row, column)
    assert "17 is above the maximum of 14" in shown and "'31/02/2024' is not a date" in shown
    assert "in foster care <img src=x" in shown  # markup in a cell is shown as text
    assert "Rows held back from the reports until corrected" in shown and "Cells left blank (the row is kept)" in shown
    page.not_pwned()
    page.axe("2-data-mistakes")
    corrected = tmp_path / "corrected" / "participants.xlsx"
    corrected.parent.mkdir()
    builders.fill_workbook(template, corrected, "participants", builders.PARTICIPANT_COLUMNS, builders.participants())
    page.upload("Upload a workbook or CSV", corrected)
    page.wait_for("Compared with the previous upload: 3 problem(s) fixed, 0 still there, 0 new.")
    assert "40 ready for the reports, 0 held back" in page.text()
    _, outcomes_template = page.download("Download the outcomes template (Excel)")
    (tmp_path / "outcomes-template.xlsx").write_bytes(outcomes_template)
    outcomes = builders.fill_workbook(tmp_path / "outcomes-template.xlsx", tmp_path / "outcomes.xlsx", "outcomes",
                                      builders.OUTCOME_COLUMNS, builders.outcomes())
    page.upload("Upload a workbook or CSV", outcomes)
    page.wait_for("outcomes.xlsx (outcomes): 160 rows read, 160 ready for the reports")
    kept = sorted(p.name.split("__", 1)[1] for p in (project / "uploads" / "data").iterdir())
    assert kept == ["outcomes__outcomes.xlsx", "participants__participants.xlsx", "participants__participants.xlsx"]
    assert (project / "data" / "participants.xlsx").read_bytes() == corrected.read_bytes()
    page.axe("2-data-corrected")

    # 3. the cycle form, checked as typed, saved as the file notebook 07 reads; the survey
    page.type("Cycle start date", "31/02/2024")
    page.wait_for("'31/02/2024' is not a date")
    page.type("Cycle start date", builders.CYCLE["start"], clear=True)
    for key, label in (("partnership", "Partnership"), ("cycle", "Cycle number"), ("end", "Cycle end date"),
                       ("question", "Question"), ("context", "Context"), ("baseline", "Baseline"),
                       ("observations", "Observations (one point a line)"),
                       ("reflection", "Reflection (one point a line)"), ("next_cycle", "Next cycle (one point a line)")):
        page.type(label, builders.CYCLE[key])
    for n, (date, who, action) in enumerate(builders.ACTIONS, start=1):
        if n > 1:
            page.button("Add an action").click()
            page.wait_for(f"Action {n} date")
        page.type(f"Action {n} date", date)
        page.type(f"Action {n} who", who)
        page.type(f"Action {n}: what was done", action)
    page.wait_for("The form is complete: it can be saved.")
    page.axe("3-cycle-form")
    page.button("Save the cycle record").click()
    page.wait_for("the action-research report will use it")
    cycle = load_cycle(project / "data" / "action_research_cycle.yaml")
    assert cycle.question == builders.CYCLE["question"] and list(cycle.actions["who"]) == ["dance company",
                                                                                          "Virtual School"]
    assert len(list((project / "cycles").glob("*__cycle.yaml"))) == 1
    name, content = page.download("Download the barriers survey template (Excel)")
    assert name == "survey.xlsx"
    assert {"survey_responses", "survey_comments"} <= set(load_workbook(io.BytesIO(content)).sheetnames)
    from cm_research.datasets.action_research import partnership_dir

    survey = [partnership_dir() / "survey_responses.csv", partnership_dir() / "survey_comments.csv"]
    page.upload("Upload survey answers", *survey)
    page.wait_for("survey_responses.csv (survey_responses): 760 rows read, 760 ready for the reports")
    page.wait_for("survey_comments.csv (survey_comments): 58 rows read")
    assert (project / "data" / "survey_responses.csv").exists()
    page.axe("3-survey")

    # 4. interviews: transcripts, suggested coding, two suggestions reviewed (one by keyboard), themes
    folder = tmp_path / "interviews"
    folder.mkdir()
    files = [builders.write_transcript(folder, name) for name in builders.TRANSCRIPTS]
    page.upload("Upload transcripts", *files)
    page.wait_for("riverside_mentor.txt uploaded.")
    page.button("Suggest codes").click()
    page.wait_for("3 transcript(s) read")
    page.wait_for("Suggestion 1 of")
    page.axe("4-review")
    page.button("Accept").click()
    page.wait_for("Suggestion 2 of")
    from selenium.webdriver.common.keys import Keys

    page.button("Reject").send_keys(Keys.SPACE)  # keyboard only
    page.wait_for("(1 accepted, 1 rejected)")
    focus = browser.execute_script("const s = getComputedStyle(document.activeElement);"
                                   "return [document.activeElement.textContent.trim(), s.outlineStyle, s.outlineWidth]")
    assert focus == ["Reject", "solid", "3px"]  # the focus stays on the button, and is visible
    import pandas as pd

    sheet = pd.read_csv(project / "review" / "suggestions_for_review.csv", dtype=str, keep_default_na=False)
    assert list(sheet["decision"][:3]) == ["accept", "reject", ""]
    assert page.link("Download the review sheet (CSV)").get_attribute("download") == "suggestions_for_review.csv"
    page.button("Show themes by role").click()
    page.wait_for("Themes and the roles whose views generated them")
    assert "1 reviewed suggestions accepted; 1 rejected" in page.text()
    page.not_pwned()
    page.axe("4-themes")

    # 5. reports: site and action research, for publication, with a progress bar and the disclosure verdict
    page.button("Run the reports").click()
    page.wait_for("Finished: 2 report(s) run.", timeout=240)
    assert browser.execute_script("const bar = document.querySelector('.progress-bar');"
                                  "return bar && bar.style.width") == "100%"
    shown = page.text()
    assert shown.count("Disclosure check passed") == 2, shown[-2000:]
    assert "Site report, for publication" in shown and "Action-research report, for publication" in shown
    runs = sorted(p for p in (project / "reports").iterdir() if p.is_dir())
    assert [r.name.split("__")[1] for r in runs] == ["site", "action_research"]
    import json

    for run in runs:
        manifest = json.loads((run / "manifest.json").read_text())
        assert manifest["publication"] is True and manifest["disclosure_check"]["passed"] is True, manifest
        assert not (run / "NOT_FOR_PUBLICATION.txt").exists()
    name, content = page.download("Download Site report (Word .docx)")
    assert name.endswith(".docx") and "INTERNAL" not in name
    words = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "Riverside" in words
    assert content == (runs[0] / "site" / "06_site_report.docx").read_bytes()
    assert page.link("Download Action-research report (Word .docx)").get_attribute("download").endswith(".docx")
    page.button("View the site report here").click()
    page.wait_for_element("iframe.cm-frame")
    frame = browser.find_element(page.By.CSS_SELECTOR, "iframe.cm-frame")
    assert frame.get_attribute("title").startswith("Site report") and frame.get_attribute("sandbox") == ""
    page.not_pwned()
    page.axe("5-reports")
    if artefacts:
        browser.execute_script("window.scrollTo(0, 0)")
        browser.save_screenshot(str(artefacts / "app-start.png"))


def test_an_upload_over_the_limit_is_refused_in_the_page_and_the_app_keeps_working(app_server, browser, tmp_path,
                                                                                   axe_source):
    # hostile input round 2, item 6: a file over the websocket limit (20 MB + 2 MB) used to drop the kernel's
    # connection, so the page went dead without a word; it must get the app's own 20 MB message, and the app
    # must still take a file afterwards
    from cm_research.app.uploads import MAX_UPLOAD_BYTES

    base, token, project = app_server
    page = Page(browser, axe_source, None)
    # red team (app4): the login page a practitioner meets (an old bookmark, the browser opened again) meets
    # WCAG 2.1 AA as the app does
    browser.delete_all_cookies()
    browser.get(f"{base}/login?next=/")
    page.wait_for("Open the app from its own address")
    page.axe("login")
    browser.get(f"{base}/?token={token}")
    page.wait_for("5. Reports", timeout=90)
    # red team (app3): a page on another site cannot open the kernel's channel with the practitioner's cookie
    # (cross-site WebSocket); the same request from the app's own origin opens, so the check can fail
    # red team (app4): the app's page, with the data shown in it, is never kept in the browser's disk cache
    import json

    pages = [e["params"]["response"] for e in (json.loads(entry["message"])["message"]
                                                for entry in browser.get_log("performance"))
             if e["method"] == "Network.responseReceived" and e["params"]["response"]["url"] == f"{base}/"]
    assert pages and all("no-store" in {k.lower(): v for k, v in r["headers"].items()}["cache-control"]
                         for r in pages), pages
    kernel = re.search(r'"kernelId": "([0-9a-f-]{36})"', browser.page_source).group(1)
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in browser.get_cookies())
    assert _websocket_status(base, kernel, {"Origin": "http://evil.example", "Cookie": cookie}) == 403
    assert _websocket_status(base, kernel, {"Origin": base, "Cookie": cookie}) == 101
    # red team (app4), accessibility: every box the app's messages appear in is a live region before its first
    # message (one added with its text already in it is often not read out); a field with a problem is marked
    # invalid and described by the problem, and marked valid again once put right
    assert browser.execute_script("return Array.from(document.querySelectorAll('.cm-live'))"
                                  ".map(e => e.getAttribute('aria-live'))") == ["polite"] * 7
    page.type("Cycle start date", "31/02/2024")
    page.wait_for("'31/02/2024' is not a date")
    described = ("const box = arguments[0]; const ids = (box.getAttribute('aria-describedby') || '').split(' ');"
                 "return [box.getAttribute('aria-invalid'), ids.map(i => (document.getElementById(i) || {})"
                 ".textContent).join(' ')]")
    deadline = time.monotonic() + 10
    while browser.execute_script(described, page.control("Cycle start date"))[0] != "true":
        assert time.monotonic() < deadline, "the field was never marked invalid"
        time.sleep(0.2)
    invalid, description = browser.execute_script(described, page.control("Cycle start date"))
    assert "'31/02/2024' is not a date" in description and "Cycle start date" in description
    invalid, description = browser.execute_script(described, page.control("Observations (one point a line)"))
    assert invalid == "true" and "observations is required but empty" in description  # still empty
    assert browser.execute_script(described, page.control("Partnership"))[0] is None  # may be left empty
    page.type("Cycle start date", "2024-09-02", clear=True)
    deadline = time.monotonic() + 20  # each key pressed is checked: wait for the last
    while browser.execute_script(described, page.control("Cycle start date")) != [None, ""]:
        assert time.monotonic() < deadline, browser.execute_script(described, page.control("Cycle start date"))
        time.sleep(0.2)
    kept = project / "uploads" / "data"
    before = set(kept.iterdir()) if kept.is_dir() else set()  # the server (and its project) is the module's
    big = tmp_path / "participants.csv"
    big.write_bytes(b"participant_id,site\n" + b"T-001,SYNTHETIC\n" * ((MAX_UPLOAD_BYTES + 3 * 2**20) // 16))
    page.upload("Upload a workbook or CSV", big)
    page.wait_for(f"participants.csv is {big.stat().st_size / 2**20:.1f} MB; the app takes files up to 20 MB",
                  timeout=30)
    assert (set(kept.iterdir()) if kept.is_dir() else set()) == before  # nothing was sent, nothing kept
    # red team (app4): files each under the limit, together over it, went as one message over the websocket's
    # limit and the page went dead; they are refused in the page, all together, with the app's message
    interviews = project / "uploads" / "interviews"
    earlier = set(interviews.iterdir()) if interviews.is_dir() else set()
    parts = []
    for n in (1, 2):
        parts.append(tmp_path / f"part{n}.txt")
        parts[-1].write_bytes(b"Mentor: synthetic words.\n" * ((MAX_UPLOAD_BYTES * 6 // 10) // 25))
    page.upload("Upload transcripts", *parts)
    together = sum(p.stat().st_size for p in parts) / 2**20
    page.wait_for(f"Error: the 2 files chosen come to {together:.1f} MB together; the app takes up to 20 MB at a "
                  "time. Upload them in smaller groups. Nothing was uploaded.", timeout=30)
    assert (set(interviews.iterdir()) if interviews.is_dir() else set()) == earlier  # nothing sent, nothing kept
    small = tmp_path / "small" / "outcomes.csv"
    small.parent.mkdir()
    small.write_text("participant_id,measure,timepoint,date,value\n")
    page.upload("Upload a workbook or CSV", small)
    page.wait_for("outcomes.csv (outcomes)", timeout=60)  # the kernel is still there and answers
    # red team (app4): the kernel killed under the page (out of memory) was restarted by Jupyter with none of the
    # app in it, and the page's buttons then did nothing, without a word
    import signal

    from cm_research.app.html import STOPPED_MESSAGE

    found = subprocess.run(["pgrep", "-f", f"kernel-{kernel}"], capture_output=True, text=True).stdout.split()
    assert found, "the kernel's process was not found"
    for pid in found:
        os.kill(int(pid), signal.SIGKILL)
    page.wait_for("Error: " + STOPPED_MESSAGE[:60], timeout=30)
    assert browser.execute_script("return document.getElementById('cm-stopped').getAttribute('role')") == "alert"


# keep last in this module: logging out changes the token of the module's app
def test_log_out_leaves_nothing_in_the_browser_that_opens_the_app_again(app_server):
    base, token, _ = app_server
    cookie = _request(f"{base}/?token={token}")[1]["set-cookie"].split(";", 1)[0]
    assert _request(base + NO_KERNEL, headers={"Cookie": cookie})[0] == 404
    status, headers, body = _request(base + "/logout", headers={"Cookie": cookie})
    assert status == 200 and "You have logged out" in body and "stop the app" in body
    assert re.search(r'username-[\w-]+=""; expires=', headers["set-cookie"])  # the cookie is deleted
    # the cookie kept all the same, or the address with the token found in the browser's history: refused
    assert _request(base + NO_KERNEL, headers={"Cookie": cookie})[0] == 403
    status, headers, _ = _request(f"{base}/?token={token}")
    assert status == 302 and headers["location"].startswith("/login")
    # another site's page cannot log the practitioner out (the cookie never goes with its requests)
    assert _request(base + "/logout")[1]["location"].startswith("/login")
