"""``kg review`` in a real headless Chromium (tests/browser.py): a real ``kg review``
process over a draft of the fixture article; the reviewer rejects a claim, edits a
field, replaces evidence by selecting text, accepts the rest, the proposed entities and
concepts, and saves; the YAML keeps its comments, the registry gains the entities, and
``kg build`` publishes the result. Then what a demanding annotator trips over: a phone's
width, a long article, edits that must survive, a quote the text holds twice."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2
import pytest
from playwright.sync_api import Page
from rdflib import PROV

from kg import pipeline, seeds
from kg.config import Settings
from kg.draft.rules import RuleExtractor
from kg.draft.run import draft
from kg.progress import Steps
from kg.review.edit import Decisions, apply, read
from kg.yamlfile import Mapping, Scalar, Sequence, load

from .browser import chromium
from .conftest import ROOT, free_port, repo_settings

pytestmark = pytest.mark.server
FIXTURE = Path(__file__).parent / "data" / "draft" / "seeds"
NAME = "2026-03-05-selva-water-talks"
LONG = "2026-03-19-selva-water-talks-long"


def _drafted(tmp_path: Path, name: str = NAME, text: str | None = None) -> Settings:
    shutil.copytree(FIXTURE, tmp_path / "seeds")
    settings = repo_settings(tmp_path / "var", seeds_dir=tmp_path / "seeds")
    path = settings.seeds_dir / "documents" / f"{name}.txt"
    if text is not None:
        (settings.seeds_dir / "documents" / f"{NAME}.txt").unlink()
        path.write_text(text, encoding="utf-8")
    draft(settings, path, RuleExtractor())
    return settings


@pytest.fixture
def drafted(tmp_path: Path) -> Settings:
    return _drafted(tmp_path)


@pytest.fixture
def serve() -> Iterator[Callable[[Settings, str], str]]:
    """Start ``kg review`` as a real process; its URL."""
    started: list[tuple[subprocess.Popen[bytes], object]] = []

    def start(settings: Settings, name: str = NAME) -> str:
        port = free_port()
        log = tempfile.TemporaryFile()  # noqa: SIM115 - closed below
        process = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "--seeds-dir", str(settings.seeds_dir), "review",
             name, "--port", str(port)],
            cwd=ROOT, env=os.environ | settings.to_env(), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        started.append((process, log))
        url = f"http://127.0.0.1:{port}"
        # Generous: on a loaded two-core CI machine reading a long article's draft and
        # its registry took over 30 s once; a healthy start is one or two seconds.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                httpx2.get(url + "/api/draft", timeout=2.0)
                return url
            except httpx2.HTTPError:
                if process.poll() is not None:
                    break
                time.sleep(0.2)
        log.seek(0)
        output = log.read().decode(errors="replace")
        raise AssertionError(f"kg review did not start (exit {process.poll()}):\n{output}")

    yield start
    for process, log in started:
        process.terminate()
        process.wait(timeout=10)
        log.close()  # type: ignore[attr-defined]


@pytest.fixture
def review(drafted: Settings, serve: Callable[[Settings, str], str]) -> str:
    return serve(drafted, NAME)


def _select(page: Page, sentence: str, nth: int = 0) -> None:
    """Select ``sentence`` (its ``nth`` occurrence) in the article, as a mouse would."""
    page.evaluate(
        """([sentence, nth]) => {
            const article = document.getElementById('article');
            const at = [...article.textContent.matchAll(new RegExp(
                sentence.replace(/[.*+?^${}()|[\\]\\\\]/g, '\\\\$&'), 'g'))][nth].index;
            const range = document.createRange();
            let seen = 0;
            for (const node of article.childNodes) {
                const length = node.textContent.length;
                if (seen + length > at && !range.startContainer.parentElement) {
                    range.setStart(node.firstChild, at - seen);
                }
                if (seen + length >= at + sentence.length) {
                    range.setEnd(node.firstChild, at + sentence.length - seen);
                    break;
                }
                seen += length;
            }
            getSelection().removeAllRanges();
            getSelection().addRange(range);
        }""",
        [sentence, nth],
    )


def _save(page: Page, reviewer: str = "Jane Doe") -> str:
    page.locator("#reviewer").fill(reviewer)
    page.locator("#messages").evaluate("node => { node.textContent = ''; }")
    page.locator("#save").click()
    page.wait_for_function("document.getElementById('messages').textContent.length > 0")
    return page.locator("#messages").text_content() or ""


def test_review_in_the_browser_then_build(drafted: Settings, review: str) -> None:
    annotation = drafted.seeds_dir / "documents" / f"{NAME}.yaml"
    drafts = len([c for d in seeds.load(drafted.seeds_dir).documents for c in d.claims])
    with chromium() as browser:
        page = browser.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(review + "/")
        page.wait_for_selector("#claims .card")
        assert page.locator("#claims .card").count() == drafts
        assert page.locator("#legend li").count() >= 6
        statements = page.evaluate(
            """[...document.querySelectorAll('#article mark')].filter((m) =>
                m.dataset.claims.split(' ').some((id) =>
                    document.getElementById('claim-' + id).dataset.type === 'statement')).length"""
        )
        assert statements >= 4, "every quotation is highlighted"
        assert page.locator("#uncovered li").count() == 1
        assert page.locator("#entities .card").count() == 5
        assert page.locator("#concepts .card").count() == 2
        event = page.locator("#claim-event-earlier-this-month")
        assert event.locator(".note").text_content() == "Label it after what happened."
        event.locator("button.reject").click()
        add = page.locator("#claim-arland-borovia-talks select.add-field")
        add.select_option("format")
        page.locator("#claim-arland-borovia-talks select[name=format]").select_option("indirect")
        person = page.locator("#entities .card[data-id=ingrid-solberg] input[name=label]")
        person.fill("Ingrid M. Solberg")
        person.dispatch_event("change")
        label = page.locator("#claim-arland-borovia-talks input[name=label]")
        label.fill("Selva water talks")
        label.dispatch_event("change")
        sentence = "The two sides agreed to meet again within the next two weeks"
        _select(page, sentence)
        page.locator("#claim-arland-borovia-to-meet-again-within button.use-selection").click()
        page.locator("#accept-all").click()
        assert page.locator("#claim-arland-borovia-talks input[name=label]").input_value() == \
            "Selva water talks", "an edit survives the cards being drawn again"  # fmt: skip
        messages = _save(page)
        assert messages.startswith("Saved. conforms"), messages
        assert not problems, problems
    text = annotation.read_text(encoding="utf-8")
    assert text.startswith("# Drafted by `kg draft`"), "comments are kept"
    assert "\n    draft: " not in text and "proposed entities" not in text
    assert text.count("approved by: Jane Doe") == drafts - 1
    assert "event-earlier-this-month" not in text
    assert "label: Selva water talks" in text
    assert "format: indirect" in text, "a field added on the page"
    assert f"- {sentence}\n" in text
    assert "id: written-statement" in text, "the accepted concept stays declared"
    registry = (drafted.seeds_dir / "registry.yaml").read_text(encoding="utf-8")
    assert registry.startswith("# A fixture registry") and "id: tomas-hale" in registry
    assert "id: deputy-prime-minister-of-borovia" in registry
    assert "label: Ingrid M. Solberg" in registry, "an entity edited before it was added"
    pipeline.build(drafted, Steps(quiet=True))
    checked = pipeline.check(drafted, Steps(quiet=True))
    graph = checked.compiled.graphs[drafted.ns.graph(NAME)]
    reviewer = drafted.ns.resource("reviewer", "jane-doe")
    assert len(set(graph.subjects(PROV.wasAttributedTo, reviewer))) == drafts - 1


def test_saving_needs_the_page_token_and_a_loopback_host(review: str) -> None:
    assert httpx2.post(review + "/api/save", json={}).status_code == 403
    token = httpx2.get(review + "/api/draft").json()["token"]
    other = httpx2.get(review + "/api/draft", headers={"Host": "evil.example:80"})
    assert other.status_code == 421
    bad = httpx2.post(review + "/api/save", content=b"[", headers={"X-Review-Token": token})
    assert bad.status_code == 400
    nameless = httpx2.post(review + "/api/save", json={"claims": {"vienna-round": "accept"}},
                           headers={"X-Review-Token": token})  # fmt: skip
    assert nameless.status_code == 400
    assert "without a name" in nameless.json()["messages"][0]
    bodies: list[object] = [[], {"claims": []}, {"fields": "x"}]
    for body in bodies:  # not the page's JSON: 400, and no traceback
        refused = httpx2.post(review + "/api/save", json=body, headers={"X-Review-Token": token})
        assert refused.status_code == 400, body


def test_review_page_fits_a_phone(drafted: Settings, review: str) -> None:
    """At 390 px: one column, nothing wider than the screen, every button inside it and
    big enough to tap, and the header scrolls away instead of covering the article."""
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844}, has_touch=True)
        page.goto(review + "/")
        page.wait_for_selector("#claims .card")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide on a 390 px screen"
        article = page.locator("#article").bounding_box()
        claims = page.locator("#claims").bounding_box()
        assert article and claims and claims["y"] > article["y"] + article["height"] - 1
        for box in page.locator("button:visible").evaluate_all(
            "nodes => nodes.map(n => n.getBoundingClientRect().toJSON())"
        ):
            assert box["x"] >= 0 and box["right"] <= 390, box
            assert box["height"] >= 40, f"a button {box['height']} px high is hard to tap"
        assert page.evaluate("getComputedStyle(document.querySelector('header')).position") \
            == "static"  # fmt: skip
        page.screenshot(path=str(drafted.data_dir / "review-390.png"), full_page=True)


def _long_article() -> str:
    """A long report: the fixture article's sentences followed by many paragraphs of
    statements, each naming its speaker, and a repeated sentence."""
    text = (FIXTURE / "documents" / f"{NAME}.txt").read_text(encoding="utf-8")
    paragraphs = [text.strip(), "Borovia demands a minimum flow of 40 cubic metres per second."]
    for n in range(1, 61):
        paragraphs.append(
            f'Strand told reporters that day {n} had been "useful in its own way, part {n}." '
            f"Borovia insists that the flow must be measured at the border."
        )
    return "\n".join(paragraphs) + "\n"


def test_review_page_with_a_long_article(
    tmp_path: Path, serve: Callable[[Settings, str], str]
) -> None:
    """A long article on a wide screen: the article and the claims scroll each in their
    own pane; a span near the end brings its claim into view; the filter shows only the
    undecided claims; a quote the text holds many times is saved with the occurrence the
    reviewer selected; accepting the rest leaves a rejected proposal rejected."""
    settings = _drafted(tmp_path, LONG, _long_article())
    url = serve(settings, LONG)
    annotation = settings.seeds_dir / "documents" / f"{LONG}.yaml"
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(url + "/")
        page.wait_for_selector("#claims .card")
        assert page.evaluate("document.scrollingElement.scrollHeight") <= 801, \
            "the window itself does not scroll: each pane does"  # fmt: skip
        for name in ("#article-pane", "#claims-pane"):
            sizes = page.locator(name).evaluate("n => [n.scrollHeight, n.clientHeight]")
            assert sizes[0] > sizes[1], f"{name} holds more than it shows, and scrolls"
        last = page.locator("#article mark[data-type=statement]").last
        last.scroll_into_view_if_needed()
        last.click()
        claim = last.get_attribute("data-claims").split()[0]  # type: ignore[union-attr]
        box = page.locator(f"#claim-{claim}").bounding_box()
        pane = page.locator("#claims-pane").bounding_box()
        assert box and pane and pane["y"] <= box["y"] < pane["y"] + pane["height"], \
            "the claim of a span near the end is scrolled into view"  # fmt: skip
        page.locator(f"#claim-{claim} button.accept").click()
        page.locator("#filter-open").check()
        assert page.locator(f"#claim-{claim}").is_hidden()
        page.locator("#filter-open").uncheck()
        repeated = "Borovia insists that the flow must be measured at the border."
        _select(page, repeated, nth=41)
        page.locator(f"#claim-{claim} button.add-selection").click()
        flow = page.locator("#claims .card[data-type=position] input[name=quantities]")
        assert flow.input_value().startswith('[{"value":"40"'), "a list of blocks, as JSON"
        flow.fill(flow.input_value().replace('"40"', '"45"'))
        flow.dispatch_event("change")
        entity = page.locator("#entities .card").first
        entity.locator("button.reject").click()
        page.locator("#concepts .card[data-id=written-statement] button.reject").click()
        assert "written-statement is named by " in (page.locator("#messages").text_content() or "")
        page.locator("#accept-all").click()
        assert "reject" in (entity.get_attribute("class") or "")
        assert "accept" not in (entity.get_attribute("class") or "").split()
        messages = _save(page)
        assert messages.startswith("Saved. validation failed:"), messages
        assert "'written-statement', which is not a concept of the channel scheme" in messages, (
            "a rejected concept is gone, and validation says which claim still names it"
        )
        assert not problems, problems
    saved = annotation.read_text(encoding="utf-8")
    assert "id: written-statement" not in saved
    assert "value: '45'" in saved or "value: 45" in saved, "a quantity edited on the page"
    root = load(annotation)
    assert isinstance(root, Mapping)
    claims = root.get("claims")
    assert isinstance(claims, Sequence)
    item = next(c for c in claims.items if isinstance(c, Mapping)
                and isinstance(c.get("id"), Scalar) and c.get("id").value == claim)  # type: ignore[union-attr]  # fmt: skip
    evidence = item.get("evidence")
    assert isinstance(evidence, Sequence)
    added = evidence.items[-1]
    assert isinstance(added, Mapping)
    assert added.get("quote").value == repeated  # type: ignore[union-attr]
    assert added.get("occurrence").value == "42"  # type: ignore[union-attr]


def test_saving_keeps_the_blank_lines_between_items(drafted: Settings) -> None:
    """Accepting every claim and concept (one given a new field) keeps the draft's
    layout: a blank line before each item, ``draft:`` replaced in place."""
    folder = drafted.seeds_dir / "documents"
    annotation = folder / f"{NAME}.yaml"
    data = read(annotation)
    claims = [str(c["id"]) for c in data["claims"]]
    concepts = [str(c["id"]) for c in data.get("concepts") or []]
    assert concepts, "the fixture's draft proposes a concept"
    decisions = Decisions(
        "Jane Doe", claims={c: "accept" for c in claims},
        concepts={c: "accept" for c in concepts},
        concept_fields={concepts[0]: {"broader": "land, property and environment"}},
    )  # fmt: skip
    apply(annotation, drafted.seeds_dir / "registry.yaml", decisions,
          (folder / f"{NAME}.txt").read_text(encoding="utf-8"))  # fmt: skip
    saved = annotation.read_text(encoding="utf-8")
    for claim in claims:
        assert f"\n\n  - id: {claim}\n" in saved, claim
    assert "\n\nclaims:\n" in saved
    assert saved.count("approved by: Jane Doe") == len(claims)
