"""``kg review`` in a real headless Chromium (tests/browser.py): a real ``kg review``
process over a draft of the fixture article; the reviewer rejects a claim, edits a
field, replaces evidence by selecting text, accepts the rest and the proposed entities,
and saves; the YAML keeps its comments, the registry gains the entities, and
``kg build`` publishes the result."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from rdflib import PROV

from kg import pipeline
from kg.config import Settings
from kg.draft.rules import RuleExtractor
from kg.draft.run import draft
from kg.progress import Steps

from .browser import chromium
from .conftest import ROOT, free_port, repo_settings

pytestmark = pytest.mark.server
FIXTURE = Path(__file__).parent / "data" / "draft" / "seeds"
NAME = "2026-03-05-selva-water-talks"


@pytest.fixture
def drafted(tmp_path: Path) -> Settings:
    shutil.copytree(FIXTURE, tmp_path / "seeds")
    settings = repo_settings(tmp_path / "var", seeds_dir=tmp_path / "seeds")
    draft(settings, settings.seeds_dir / "documents" / f"{NAME}.txt", RuleExtractor())
    return settings


@pytest.fixture
def review(drafted: Settings) -> Iterator[str]:
    port = free_port()
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "--seeds-dir", str(drafted.seeds_dir), "review", NAME,
         "--port", str(port)],
        cwd=ROOT, env=os.environ | drafted.to_env(), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx2.get(url + "/api/draft", timeout=1.0)
            break
        except httpx2.HTTPError:
            assert process.poll() is None, "kg review exited"
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)
    log.close()


def test_review_in_the_browser_then_build(drafted: Settings, review: str) -> None:
    annotation = drafted.seeds_dir / "documents" / f"{NAME}.yaml"
    with chromium() as browser:
        page = browser.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(review + "/")
        page.wait_for_selector("#claims .card")
        claims = page.locator("#claims .card")
        assert claims.count() == 15
        assert page.locator("#legend li").count() >= 6
        assert page.locator("#article mark[data-type=statement]").count() >= 3
        assert page.locator("#uncovered li").count() == 2
        assert page.locator("#entities .card").count() == 3
        page.locator("#claim-event-earlier-this-month button.reject").click()
        label = page.locator("#claim-arland-borovia-talks input[name=label]")
        label.fill("Selva water talks")
        label.dispatch_event("change")
        sentence = "The two sides agreed to meet again within the next two weeks"
        page.evaluate(
            """(sentence) => {
                const node = [...document.querySelectorAll('#article mark, #article span')]
                    .find((n) => n.textContent.startsWith(sentence)).firstChild;
                const range = document.createRange();
                range.setStart(node, 0);
                range.setEnd(node, sentence.length);
                getSelection().removeAllRanges();
                getSelection().addRange(range);
            }""",
            sentence,
        )
        page.locator("#claim-commitment-within-the-next-two-weeks button.use-selection").click()
        page.locator("#accept-all").click()
        page.locator("#reviewer").fill("Jane Doe")
        page.locator("#save").click()
        page.wait_for_function("document.getElementById('messages').textContent.length > 0")
        messages = page.locator("#messages").text_content() or ""
        assert messages.startswith("Saved. conforms"), messages
        assert not problems, problems
    text = annotation.read_text(encoding="utf-8")
    assert text.startswith("# Drafted by `kg draft`"), "comments are kept"
    assert "\n    draft: " not in text and "proposed entities" not in text
    assert text.count("approved by: Jane Doe") == 14
    assert "event-earlier-this-month" not in text
    assert "label: Selva water talks" in text
    assert f"- {sentence}\n" in text
    registry = (drafted.seeds_dir / "registry.yaml").read_text(encoding="utf-8")
    assert registry.startswith("# A fixture registry") and "id: tomas-hale" in registry
    pipeline.build(drafted, Steps(quiet=True))
    checked = pipeline.check(drafted, Steps(quiet=True))
    graph = checked.compiled.graphs[drafted.ns.graph(NAME)]
    reviewer = drafted.ns.resource("reviewer", "jane-doe")
    assert len(set(graph.subjects(PROV.wasAttributedTo, reviewer))) == 14


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
