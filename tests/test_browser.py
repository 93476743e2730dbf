"""The query UI in a real headless Chromium: open /query on a running ``kg serve``, run
a competency query from its tab, and see the result rows in the page.

Chromium is driven over the Chrome DevTools Protocol on a pipe
(``--remote-debugging-pipe``: JSON messages, each ended by a NUL byte, written to the
browser's file descriptor 3 and read from its descriptor 4), so the test needs no Python
package and no WebDriver: only Debian's ``chromium``, which ``python3 dev.py test``
installs when it runs as root. Without a Chromium this test fails, unless
``KG_SKIP_BROWSER=1`` says explicitly to skip it.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import RDF

from kg import release
from kg.config import Settings

from .conftest import ServerProcess

pytestmark = pytest.mark.server

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
    "--remote-debugging-pipe",
)
# Recorded in the page before any of its scripts runs: CSP violations and errors.
WATCH = """
window.__problems = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__problems.push(`CSP blocked ${e.blockedURI || "inline"} (${e.violatedDirective})`));
window.addEventListener("error", (e) => window.__problems.push(`error: ${e.message}`));
window.addEventListener("unhandledrejection", (e) =>
  window.__problems.push(`unhandled rejection: ${e.reason}`));
"""


def chromium_path() -> str | None:
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class BrowserError(Exception):
    pass


class Chromium:
    """A headless Chromium and one page in it, driven over the DevTools protocol."""

    def __init__(self, executable: str, profile: Path) -> None:
        to_browser, self._writer = _pipe_above(10)
        self._reader, from_browser = _pipe_above(10)
        # bash moves the pipe ends to descriptors 3 and 4, where Chromium looks.
        script = (
            f'exec "$0" "$@" 3<&{to_browser} 4>&{from_browser} {to_browser}<&- {from_browser}>&-'
        )
        self.process = subprocess.Popen(
            ["/bin/bash", "-c", script, executable, *FLAGS, f"--user-data-dir={profile}"],
            pass_fds=(to_browser, from_browser),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        self.call("Page.enable", session=True)
        self.call("Runtime.enable", session=True)
        self.call("Page.addScriptToEvaluateOnNewDocument", session=True, source=WATCH)

    def call(self, method: str, session: bool = False, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._writer, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive(timeout=30)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    def _receive(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._reader], [], [], left)[0]:
                raise BrowserError(f"Chromium did not answer within {timeout} s")
            data = os.read(self._reader, 1 << 16)
            if not data:
                raise BrowserError(f"Chromium closed the pipe (exit {self.process.poll()})")
            self._buffer += data
        message, _, self._buffer = self._buffer.partition(b"\0")
        parsed: dict[str, Any] = json.loads(message)
        return parsed

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.call(
            "Runtime.evaluate",
            session=True,
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20.0) -> Any:
        """Poll until ``expression`` is truthy; its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                problems = self.evaluate("window.__problems")
                raise BrowserError(f"timed out waiting for {expression}; page problems: {problems}")
            time.sleep(0.1)

    def navigate(self, url: str) -> None:
        result = self.call("Page.navigate", session=True, url=url)
        if result.get("errorText"):
            raise BrowserError(f"{url}: {result['errorText']}")
        self.wait_for("document.readyState === 'complete'")

    def click(self, selector: str) -> None:
        """A real mouse click in the middle of the element, as a person would."""
        box = self.wait_for(
            f"""(() => {{ const e = document.querySelector({json.dumps(selector)});
            if (!e) return null; e.scrollIntoView({{block: "center"}});
            const r = e.getBoundingClientRect();
            return r.width && r.height ? {{x: r.x + r.width / 2, y: r.y + r.height / 2}} : null;
            }})()"""
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.call(
                "Input.dispatchMouseEvent",
                session=True,
                type=kind,
                x=box["x"],
                y=box["y"],
                button="left",
                clickCount=1,
            )

    def screenshot(self, path: Path) -> None:
        data = self.call("Page.captureScreenshot", session=True, format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        with contextlib.suppress(BrowserError):
            self.call("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._writer)
        os.close(self._reader)


def _pipe_above(lowest: int) -> tuple[int, int]:
    """A pipe whose two ends are numbered ``lowest`` or more, clear of 0 to 4."""
    read, write = os.pipe()
    ends = []
    for fd in (read, write):
        ends.append(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, lowest))
        os.close(fd)
    return ends[0], ends[1]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    executable = chromium_path()
    if executable is None:
        if os.environ.get("KG_SKIP_BROWSER") == "1":
            pytest.skip("no Chromium, and KG_SKIP_BROWSER=1 says to skip the browser test")
        pytest.fail(
            "the browser test needs Chromium (Debian's package chromium): "
            "`python3 dev.py test` installs it when run as root, or `apt-get install "
            "chromium`; set KG_SKIP_BROWSER=1 to skip this test on purpose"
        )
    chromium = Chromium(executable, tmp_path_factory.mktemp("chromium-profile"))
    yield chromium
    chromium.close()


ACTIVE_ROWS = (
    "(() => { const rows = document.querySelectorAll("
    "'.yasgui .tabPanel.active .yasr table.dataTable tbody tr');"
    " return rows.length && [...rows].map(r => r.textContent); })()"
)
TAB_NAMES = "[...document.querySelectorAll('.yasgui .tabsList .tab')].map(t => t.textContent)"


def result_rows(browser: Chromium, tmp_path: Path) -> list[str]:
    """The rows of the active tab's result table, once they are there."""
    try:
        rows: list[str] = browser.wait_for(ACTIVE_ROWS)
    except BrowserError as error:
        browser.screenshot(tmp_path / "query.png")
        shown = browser.evaluate(
            "document.querySelector('.yasgui .tabPanel.active .yasr')?.innerText.slice(0, 600)"
        )
        raise BrowserError(f"{error}\nthe results pane shows: {shown!r}") from None
    return rows


def test_query_ui_runs_a_competency_query_and_shows_the_rows(
    browser: Chromium, live_server: ServerProcess, tmp_path: Path
) -> None:
    browser.navigate(f"{live_server.url}/query")
    # One tab per competency question, the first selected, its query in the editor.
    tabs = browser.wait_for(
        f"document.querySelectorAll('.yasgui .tabsList .tab').length >= 12 && {TAB_NAMES}"
    )
    assert [tab.rstrip("✖") for tab in tabs][:2] == ["1. Rounds", "2. Mediators"], tabs
    query = browser.evaluate("window.kgYasgui.getTab().getYasqe().getValue()")
    assert "PREFIX nkg:" in query and "PREFIX skos:" in query and "NegotiationRound" in query
    browser.click(".yasgui .tabPanel.active .yasqe_queryButton")
    rows = result_rows(browser, tmp_path)
    us_iran = [row for row in rows if "US–Iran nuclear negotiations (2026)" in row]
    assert len(us_iran) == 3 and any("Geneva" in row for row in us_iran), rows
    assert browser.evaluate("window.__problems") == []


def test_a_query_link_opens_and_runs_in_a_tab_of_its_own(
    browser: Chromium, live_server: ServerProcess, built_settings: Settings, tmp_path: Path
) -> None:
    """The home page links to /query?query=...: YASGUI opens that query and runs it."""
    prefixes = built_settings.ns.prefixes()
    query = (
        f"PREFIX nkg: <{prefixes['nkg']}>\nPREFIX rdfs: <{prefixes['rdfs']}>\n"
        "SELECT ?round WHERE { ?r a nkg:NegotiationRound ; rdfs:label ?round } ORDER BY ?round"
    )
    link = f"{live_server.url}/query?{urllib.parse.urlencode({'query': query})}"
    browser.navigate(link)
    browser.wait_for("!!window.kgYasgui")
    assert browser.evaluate("window.kgYasgui.getTab().getYasqe().getValue()") == query
    rows = result_rows(browser, tmp_path)
    assert [row.split('"')[1] for row in rows] == sorted(row.split('"')[1] for row in rows)
    round_class = ox.NamedNode(built_settings.ns.nkg.NegotiationRound)
    store = release.current(built_settings).open_store()
    typed = store.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), round_class)
    assert len(rows) == len({q.subject for q in typed}) >= 3
    assert len(browser.evaluate(TAB_NAMES)) >= 13  # the examples are still there
    assert browser.evaluate("window.__problems") == []
