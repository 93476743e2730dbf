"""A small client of Wikidata's MediaWiki Action API (``wbsearchentities``,
``wbgetentities``), following Wikimedia's API etiquette: a descriptive User-Agent with
a contact, one request at a time, ``maxlag``, and HTTP 429 ``Retry-After`` honoured."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any

from kg import __version__
from kg.config import Settings
from kg.errors import LinkError

MAX_RETRIES = 4
MAX_WAIT = 60.0  # seconds; a longer Retry-After is reported rather than slept through
BATCH = 50  # wbgetentities takes at most 50 ids per request


class WikidataApi:
    def __init__(self, settings: Settings, sleep: Callable[[float], None] = time.sleep) -> None:
        self.endpoint = settings.wikidata_api
        self.timeout = settings.http_timeout
        self.user_agent = (
            f"negotiations-kg/{__version__} ({settings.wikidata_contact}) python-urllib"
        )
        self.sleep = sleep

    def search(self, text: str, language: str = "en", limit: int = 7) -> list[dict[str, Any]]:
        """Items whose label or alias matches ``text`` (``action=wbsearchentities``)."""
        answer = self._get(
            {
                "action": "wbsearchentities",
                "search": text,
                "language": language,
                "uselang": language,
                "type": "item",
                "limit": str(limit),
            }
        )
        return list(answer.get("search", []))

    def entities(
        self, ids: Iterable[str], props: str, languages: Iterable[str] = ("en",)
    ) -> dict[str, dict[str, Any]]:
        """Items by id (``action=wbgetentities``), in batches of 50."""
        ids = sorted(set(ids))
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), BATCH):
            answer = self._get(
                {
                    "action": "wbgetentities",
                    "ids": "|".join(ids[start : start + 50]),
                    "props": props,
                    "languages": "|".join(languages),
                }
            )
            found |= {k: v for k, v in answer.get("entities", {}).items() if "missing" not in v}
        return found

    def _get(self, params: dict[str, str]) -> dict[str, Any]:
        query = urllib.parse.urlencode(
            params | {"format": "json", "formatversion": "2", "maxlag": "5"}
        )
        request = urllib.request.Request(
            f"{self.endpoint}?{query}",
            headers={"User-Agent": self.user_agent, "Accept": "application/json"},
        )
        for attempt in range(MAX_RETRIES + 1):
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    answer: dict[str, Any] = json.load(response)
            except urllib.error.HTTPError as error:
                wait = _retry_after(error.headers.get("Retry-After"))
                if error.code in (429, 503) and attempt < MAX_RETRIES and wait <= MAX_WAIT:
                    self.sleep(wait)
                    continue
                raise LinkError(
                    f"Wikidata answered {error.code} {error.reason} for "
                    f"{params['action']}; try again later"
                ) from error
            except (urllib.error.URLError, TimeoutError, OSError) as error:
                reason = getattr(error, "reason", error)
                raise LinkError(
                    f"cannot reach {self.endpoint}: {reason} (KG_WIKIDATA_API, KG_HTTP_TIMEOUT)"
                ) from error
            except ValueError as error:
                raise LinkError(f"{self.endpoint} did not answer JSON: {error}") from error
            problem = answer.get("error")
            if isinstance(problem, dict):
                if problem.get("code") == "maxlag" and attempt < MAX_RETRIES:
                    self.sleep(5.0)  # the servers are lagging: back off, as maxlag asks
                    continue
                raise LinkError(
                    f"Wikidata refused {params['action']}: "
                    f"{problem.get('info', problem.get('code'))}"
                )
            return answer
        raise LinkError(f"Wikidata kept asking to wait for {params['action']}; try again later")


def _retry_after(value: str | None) -> float:
    """Seconds from a Retry-After header (RFC 9110, 10.2.3); HTTP dates count as a minute."""
    if value is None:
        return 1.0
    try:
        return max(0.0, float(value))
    except ValueError:
        return MAX_WAIT
