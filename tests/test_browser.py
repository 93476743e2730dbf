"""The site in a real headless Chromium (Playwright on Debian's Chromium, tests/browser.py)
over a running ``kg serve``: the way from the home page to the dossier, the search box,
the query UI (its tabs, a query link, the server's prefixes, result IRIs), no link that
downloads a file unasked, on a desktop and on a phone.

Screenshots of the dossier at desktop and phone widths are saved for review in
``screenshots/`` at the repository root (ignored by git; ``KG_SCREENSHOTS`` names
another folder)."""

from __future__ import annotations

import os
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from playwright.sync_api import Browser, Page, ViewportSize
from rdflib import RDF

from kg import release
from kg.config import Settings
from kg.server.sparql.browsers import BROWSER

from .browser import chromium
from .conftest import ROOT, ServerProcess

pytestmark = pytest.mark.server

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
DOSSIER = "US–Iran nuclear negotiations (2026)"
DOSSIER_PATH = "page/process/us-iran-nuclear-talks-2026"
CEASEFIRE_PATH = "page/process/sarvania-elf-talks"  # the fixture's talks with reports
TIMELINE = "document.querySelector('#timeline figure')"
NETWORK = "document.querySelector('#network figure')"
# Recorded in the page before any of its scripts runs: CSP violations and errors.
WATCH = """
window.__problems = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__problems.push(`CSP blocked ${e.blockedURI || "inline"} (${e.violatedDirective})`));
window.addEventListener("error", (e) => window.__problems.push(`error: ${e.message}`));
window.addEventListener("unhandledrejection", (e) =>
  window.__problems.push(`unhandled rejection: ${e.reason}`));
"""
ACTIVE_ROWS = ".yasgui .tabPanel.active .yasr table.dataTable tbody tr"
TAB_NAMES = "[...document.querySelectorAll('.yasgui .tabsList .tab')].map(t => t.textContent)"
# What a browser can show as a page: anything else it saves as a file.
SHOWN = ("text/html", "text/plain", "application/json", "text/css", "text/javascript")


def screenshots() -> Path:
    folder = Path(os.environ.get("KG_SCREENSHOTS") or ROOT / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as found:
        yield found


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)  # fresh storage: the example tabs again
    opened = context.new_page()
    opened.add_init_script(WATCH)
    yield opened
    context.close()


@pytest.fixture
def site(live_server: ServerProcess) -> str:
    """The root URL of the running server, ending with '/'."""
    return live_server.url + "/"


def wait_until(page: Page, expression: str, timeout: float = 20.0) -> None:
    """Poll ``expression`` from here: Playwright's wait_for_function evaluates strings
    with eval in the page, which the server's Content-Security-Policy forbids."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        time.sleep(0.1)


def again(gesture: Callable[[], None], done: Callable[[], bool], tries: int = 4) -> None:
    """Make ``gesture`` until ``done()`` (each time waiting up to 5 s for it)."""
    for _ in range(tries):
        gesture()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if done():
                return
            time.sleep(0.1)
    raise AssertionError(f"no effect after {tries} tries")


def problems(page: Page) -> list[str]:
    return [str(p) for p in page.evaluate("window.__problems")]


def result_rows(page: Page) -> list[str]:
    page.wait_for_selector(ACTIVE_ROWS, timeout=20_000)
    return [
        str(r) for r in page.eval_on_selector_all(ACTIVE_ROWS, "rs => rs.map(r => r.textContent)")
    ]


def test_one_click_from_the_home_page_to_the_dossier(
    page: Page, browser: Browser, site: str
) -> None:
    page.goto(site)
    page.get_by_role("link", name=DOSSIER).first.click()
    page.wait_for_load_state()
    assert urllib.parse.urlsplit(page.url).path == "/page/process/us-iran-nuclear-talks-2026"
    assert page.locator("h1").inner_text() == DOSSIER
    # With script, the timeline and the network are drawn by vis-timeline and
    # Cytoscape.js (from npm, served by this server) over the server's SVG.
    wait_until(page, f"{TIMELINE}.classList.contains('enhanced') && !!{TIMELINE}.kgTimeline")
    wait_until(page, f"{NETWORK}.classList.contains('enhanced') && !!{NETWORK}.kgNetwork")
    # (vis-timeline keeps its box hidden until its first drawing is done.)
    for selector in ("#timeline .vis-timeline", "#network .live-canvas canvas", "table.matrix",
                     "#commitments table"):  # fmt: skip
        page.locator(selector).first.wait_for(state="visible", timeout=10_000)
    assert page.locator("#timeline .vis-item.round").count() >= 2
    assert page.evaluate(f"{NETWORK}.kgNetwork.nodes().length") >= 10
    assert page.locator("table.matrix a.stance").count() >= 8
    # The SVG stays in the page (it is what prints), hidden on screen.
    assert page.locator("#timeline svg .mark.round").count() >= 2
    assert not page.locator("#timeline svg").is_visible()
    page.screenshot(path=screenshots() / "dossier-desktop.png", full_page=True)
    assert problems(page) == []
    # The same page on a phone: nothing wider than the screen but the matrix's scroller.
    phone = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    small = phone.new_page()
    small.add_init_script(WATCH)
    small.goto(page.url)
    wait_until(small, f"{TIMELINE}.classList.contains('enhanced')")
    wait_until(small, f"{NETWORK}.classList.contains('enhanced')")
    small.locator("#timeline .vis-timeline").wait_for(state="visible", timeout=10_000)
    width = small.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px phone"
    small.screenshot(path=screenshots() / "dossier-phone.png", full_page=True)
    assert problems(small) == []
    phone.close()


def test_without_script_the_dossier_draws_its_pictures_in_svg(browser: Browser, site: str) -> None:
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.goto(site + DOSSIER_PATH)
    for selector in ("#timeline svg", "#network svg", "table.matrix", "#commitments table"):
        assert page.locator(selector).first.is_visible(), selector
    assert page.locator("#timeline svg .mark.round").count() >= 2
    assert page.locator("#network svg .node").count() >= 10
    assert page.locator("figure .live").count() == 0
    page.screenshot(path=screenshots() / "dossier-desktop-without-script.png", full_page=True)
    context.close()


def test_the_interactive_pictures_answer_and_print_as_svg(page: Page, site: str) -> None:
    """A click on a timeline item names it with a link to its page; a node under the
    pointer shows its links; the static picture is a button away, and is what prints."""
    page.goto(site + CEASEFIRE_PATH)
    wait_until(page, f"!!{TIMELINE}.kgTimeline && !!{NETWORK}.kgNetwork")
    page.locator("#timeline .vis-timeline").wait_for(state="visible", timeout=10_000)
    # What became of each commitment, on the timeline: reported met, partly met, broken.
    for status in ("met", "partly-met", "broken"):
        assert page.locator(f"#timeline .vis-item.report.{status}").count() >= 1, status
    # (vis-timeline and Cytoscape.js tell a tap from a drag by its timing, which a busy
    # machine can stretch: each gesture is tried again a few times.)
    picked = page.locator("#timeline p.picked")
    again(lambda: page.locator("#timeline .vis-item.round").first.click(),
          lambda: picked.locator("a").count() > 0)  # fmt: skip
    assert picked.locator("a").inner_text() == "Open its page →"
    assert "Aldenport" in picked.inner_text()
    assert "/page/round/" in (picked.locator("a").get_attribute("href") or "")
    # A node's links, as a person pointing at it sees them.
    page.locator("#network .live-canvas").scroll_into_view_if_needed()
    where = page.evaluate(
        f"(() => {{ const cy = {NETWORK}.kgNetwork;"
        " const n = cy.nodes().filter(n => n.data('label') === 'Petra Lind')[0];"
        " const box = cy.container().getBoundingClientRect(); const p = n.renderedPosition();"
        " return [box.left + p.x, box.top + p.y]; })()"
    )
    lit = "document.querySelector('#network p.picked').textContent.includes('link')"

    def point() -> None:
        page.mouse.move(where[0] - 40, where[1] - 40)
        page.mouse.move(*where, steps=4)

    again(point, lambda: bool(page.evaluate(lit)))
    assert page.locator("#network p.picked").inner_text().startswith("Petra Lind: ")
    page.screenshot(path=screenshots() / "dossier-ceasefire-desktop.png", full_page=True)
    # The static picture, on a button; and on paper.
    page.locator("#network .live-tools button", has_text="Static picture").click()
    assert page.locator("#network svg").is_visible()
    page.locator("#network .live-tools button", has_text="Interactive view").click()
    assert not page.locator("#network svg").is_visible()
    page.emulate_media(media="print")
    assert page.locator("#network svg").is_visible() and page.locator("#timeline svg").is_visible()
    assert not page.locator("#timeline .live").is_visible()
    assert problems(page) == []


def test_four_letters_in_the_search_box_find_araghchi(page: Page, site: str) -> None:
    page.goto(site)
    box = page.locator("header input[name=search]")
    box.click()
    box.press_sequentially("Arag", delay=60)
    first = page.locator("ul.suggestions li").first
    first.wait_for(timeout=10_000)
    assert "Abbas Araghchi" in first.inner_text()
    assert "Foreign Minister of Iran" in first.inner_text()
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url("**/page/person/abbas-araghchi")
    assert page.locator("h1").inner_text() == "Abbas Araghchi"
    assert problems(page) == []


def test_without_script_the_search_box_leads_to_a_page_of_hits(browser: Browser, site: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site)
    page.locator("header input[name=search]").fill("araghchi")
    page.locator("header input[name=search]").press("Enter")
    page.wait_for_url("**/search?search=araghchi")
    assert page.get_by_role("link", name="Abbas Araghchi", exact=True).count() == 1
    context.close()


def test_no_link_downloads_a_file_unasked(page: Page, site: str) -> None:
    """Every link of the main pages without a ``download`` attribute opens as a page,
    as Chromium asks for it (its Accept header, redirects followed)."""
    seen: set[str] = set()
    for start in ("", "page/process/us-iran-nuclear-talks-2026", "page/person/abbas-araghchi",
                  "query", "search?search=iran", "page/dataset", "dumps/"):  # fmt: skip
        page.goto(site + start)
        hrefs = page.eval_on_selector_all(
            "a[href]:not([download])",  # SVG links too: their href is no string
            "links => links.map(a => new URL(a.getAttribute('href'), document.baseURI).href)",
        )
        for href in hrefs:
            target = href.partition("#")[0]
            if not target.startswith(site) or target in seen:
                continue
            seen.add(target)
            answer = page.request.get(target, headers={"Accept": BROWSER})
            kind = answer.headers.get("content-type", "")
            disposition = answer.headers.get("content-disposition", "")
            assert answer.ok, f"{href} on /{start}: {answer.status}"
            assert kind.startswith(SHOWN) and "attachment" not in disposition, (
                f"{href} on /{start} downloads a file ({kind})"
            )
    assert len(seen) > 60


def test_the_query_ui_runs_a_competency_query_and_shows_the_rows(page: Page, site: str) -> None:
    page.goto(site + "query")
    wait_until(page, "document.querySelectorAll('.yasgui .tabsList .tab').length >= 12")
    tabs = page.evaluate(TAB_NAMES)
    assert [tab.rstrip("✖") for tab in tabs][:2] == ["1. Rounds", "2. Mediators"], tabs
    query = page.evaluate("window.kgYasgui.getTab().getYasqe().getValue()")
    assert "PREFIX nkg:" in query and "PREFIX skos:" in query and "NegotiationRound" in query
    page.click(".yasgui .tabPanel.active .yasqe_queryButton")
    rows = result_rows(page)
    us_iran = [row for row in rows if DOSSIER in row]
    assert len(us_iran) == 3 and any("Geneva" in row for row in us_iran), rows
    # The site's header and search box are there too.
    assert page.locator("header.site input[name=search]").is_visible()
    assert problems(page) == []


def test_a_query_link_opens_and_runs_in_a_tab_of_its_own(
    page: Page, built_settings: Settings, site: str
) -> None:
    """The pages link to /query?query=...: YASGUI opens that query and runs it."""
    prefixes = built_settings.ns.prefixes()
    query = (
        f"PREFIX nkg: <{prefixes['nkg']}>\nPREFIX rdfs: <{prefixes['rdfs']}>\n"
        "SELECT ?round WHERE { ?r a nkg:NegotiationRound ; rdfs:label ?round } ORDER BY ?round"
    )
    page.goto(site + "query?" + urllib.parse.urlencode({"query": query}))
    wait_until(page, "!!window.kgYasgui")
    assert page.evaluate("window.kgYasgui.getTab().getYasqe().getValue()") == query
    rows = result_rows(page)
    names = [row.split('"')[1] for row in rows]
    assert names == sorted(names)
    round_class = ox.NamedNode(built_settings.ns.nkg.NegotiationRound)
    store = release.current(built_settings).open_store()
    typed = store.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), round_class)
    assert len(rows) == len({q.subject for q in typed}) >= 3
    assert len(page.evaluate(TAB_NAMES)) >= 13  # the examples are still there
    assert problems(page) == []


def test_the_editor_knows_the_servers_prefixes_and_results_open_here(page: Page, site: str) -> None:
    """A browser at /sparql gets the UI with its query; the query uses the predefined
    prefixes without declaring them, and YASQE marks no error (it once flagged every
    one); the IRIs of the results open their page on this server."""
    query = "SELECT ?round ?city WHERE { ?round a nkg:NegotiationRound ; nkg:city ?city }"
    page.goto(site + "sparql?" + urllib.parse.urlencode({"query": query}))
    wait_until(page, "!!window.kgYasgui")
    assert urllib.parse.urlsplit(page.url).path == "/query"
    assert page.evaluate("window.kgYasgui.getTab().getYasqe().getValue()") == query
    assert page.locator(".yasgui .tabPanel.active .parseErrorIcon").count() == 0
    assert page.evaluate("window.kgYasgui.getTab().getYasqe().queryValid") is True
    rows = result_rows(page)
    assert len(rows) >= 2
    link = page.locator(f"{ACTIVE_ROWS} a[href*='/id/city/']").first
    link.hover()
    assert (link.get_attribute("href") or "").startswith(site + "id/city/")
    # Every example tab parses without a false error.
    for tab_id in page.evaluate("window.kgYasgui.persistentConfig.getTabs()"):
        page.evaluate(f"void window.kgYasgui.selectTabId({tab_id!r})")
        yasqe_valid = page.evaluate("window.kgYasgui.getTab().getYasqe().queryValid")
        assert yasqe_valid is True, page.evaluate("window.kgYasgui.getTab().getName()")
    assert problems(page) == []


def test_example_tabs_that_need_setting_up_say_so(page: Page, site: str) -> None:
    page.goto(site + "query")
    wait_until(page, "document.querySelectorAll('.yasgui .tabsList .tab').length >= 12")
    page.locator(".yasgui .tabsList .tab", has_text="13.").click()
    notice = page.locator("#ui-notice")
    notice.wait_for(state="visible", timeout=5000)
    assert "KG_SERVICE_ALLOWLIST" in notice.inner_text()
    page.locator(".yasgui .tabsList .tab", has_text="1. Rounds").click()
    notice.wait_for(state="hidden", timeout=5000)


def test_on_a_phone_the_editor_is_above_the_fold(browser: Browser, site: str) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.goto(site + "query")
    page.wait_for_selector(".yasgui .CodeMirror")
    top = page.locator(".yasgui .tabPanel.active .CodeMirror").bounding_box()
    assert top is not None and top["y"] < PHONE["height"] / 2, top
    page.screenshot(path=screenshots() / "query-phone.png")
    context.close()


def test_the_form_of_query_12_opens_the_fact_bound_in_a_tab_and_runs_it(
    page: Page, site: str
) -> None:
    """Query 12 takes the fact to trace: the form above the editor asks the server to
    bind it, and the query opens in a tab of its own with its rows."""
    page.goto(site + "query")
    field = page.locator("#parameters form input[name=fact]")
    field.fill("commitment:iran-detailed-proposals")
    field.press("Enter")
    page.wait_for_url("**/query?query=*")
    wait_until(page, "!!window.kgYasgui")
    query = page.evaluate("window.kgYasgui.getTab().getYasqe().getValue()")
    assert "VALUES ?fact { <https://w3id.org/negotiations-kg/id/commitment/iran-detailed" in query
    rows = result_rows(page)
    assert len(rows) == 2 and all("iran-detailed-proposals" in row for row in rows), rows
    assert problems(page) == []


def test_results_with_numbers_can_be_drawn_as_a_chart(page: Page, site: str) -> None:
    """The chart view (a YASR plugin of ours, Chart.js from npm) offers itself for a
    result with a numeric column and draws one bar per row."""
    query = (
        "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } "
        "GROUP BY ?class ORDER BY DESC(?n) LIMIT 8"
    )
    page.goto(site + "query?" + urllib.parse.urlencode({"query": query}))
    wait_until(page, "!!window.kgYasgui")
    result_rows(page)
    chart = page.locator(".yasgui .tabPanel.active .yasr .select_chart")
    chart.click()
    page.wait_for_selector(".yasgui .tabPanel.active .kg-chart canvas", timeout=10_000)
    drawn = "Chart.getChart(document.querySelector('.tabPanel.active .kg-chart canvas'))"
    wait_until(page, f"!!{drawn}")
    bars = page.evaluate(f"{drawn}.data.labels.length")
    assert bars == 8
    # A result without numbers does not offer it: its button is disabled.
    page.goto(
        site + "query?" + urllib.parse.urlencode({"query": "SELECT ?s WHERE { ?s a nkg:State }"})
    )
    wait_until(page, "!!window.kgYasgui")
    result_rows(page)
    assert page.locator(".yasgui .tabPanel.active .yasr .select_chart.disabled").count() == 1
    assert problems(page) == []


def test_a_home_page_query_link_opens_its_tab(page: Page, site: str) -> None:
    """The home page lists the competency queries by title; each opens the query UI on
    its own tab, which comes back if it had been closed."""
    page.goto(site)
    page.locator("#query-05-quotations a").click()
    page.wait_for_url("**/query?example=05-quotations")
    wait_until(page, "!!window.kgYasgui")
    assert page.evaluate("window.kgYasgui.getTab().getName()").startswith("5. ")
    page.evaluate("window.kgYasgui.getTab().close()")
    assert not any(t.startswith("5. ") for t in page.evaluate(TAB_NAMES))
    page.goto(site + "query?example=5")
    wait_until(page, "!!window.kgYasgui")
    assert page.evaluate("window.kgYasgui.getTab().getName()").startswith("5. ")
    assert problems(page) == []
