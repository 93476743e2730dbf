"""One way to drive a real browser in tests: Playwright's Python package launching
Debian's Chromium (/usr/bin/chromium, installed by ``python3 dev.py test`` as root; never
``playwright install``), headless, with no network of its own. Without Chromium a test
fails and says why, unless ``KG_SKIP_BROWSER=1`` skips it on purpose."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


@contextmanager
def chromium() -> Iterator[Browser]:
    if os.environ.get("KG_SKIP_BROWSER") == "1":
        pytest.skip("KG_SKIP_BROWSER=1")
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if executable is None:
        pytest.fail(f"no {CHROMIUM}: run `python3 dev.py test` as root (it installs Debian's "
                    "chromium), or set KG_SKIP_BROWSER=1 to skip browser tests")  # fmt: skip
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=FLAGS,
                                             headless=True)  # fmt: skip
        try:
            yield browser
        finally:
            browser.close()
