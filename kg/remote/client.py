"""A client of a SPARQL store's three endpoints: the SPARQL 1.1 Graph Store HTTP
Protocol (``PUT`` of a graph, section 5.3), the SPARQL 1.1 Protocol's query operation
(section 2.1) and its update operation (section 2.2).

Every failure becomes one :class:`~kg.errors.PublishError` line that says which
endpoint, what it answered and what to do. Accounts are given by settings
(``KG_PUBLISH_USER``, ``KG_PUBLISH_PASSWORD``) and sent with HTTP Basic or Digest
authentication, whichever the store asks for.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message

from kg import __version__
from kg.config import Settings
from kg.errors import ConfigError, PublishError

RESULTS_JSON = "application/sparql-results+json"

# Stores whose endpoints can be told from the Graph Store endpoint's path: the store,
# the path's ending, then the update and the query endpoints that replace it. Others
# need --update and --query.
LAYOUTS: tuple[tuple[str, str, str, str], ...] = (
    ("Oxigraph server", "/store", "/update", "/query"),
    ("Virtuoso", "/sparql-graph-crud-auth", "/sparql-auth", "/sparql-auth"),
    ("Virtuoso", "/sparql-graph-crud", "/sparql", "/sparql"),
)


@dataclass(frozen=True)
class Endpoints:
    """Where a store takes graphs (Graph Store Protocol), updates and queries."""

    graph_store: str
    update: str
    query: str

    @classmethod
    def resolve(cls, to: str, update: str | None = None, query: str | None = None) -> Endpoints:
        """The endpoints for ``--to``, ``--update`` and ``--query``; the last two may be
        left out for the stores of :data:`LAYOUTS`."""
        for url in (to, update, query):
            if url is not None and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise ConfigError(f"{url!r} is not an http:// or https:// URL")
        if update is None or query is None:
            path = urllib.parse.urlsplit(to).path.rstrip("/")
            for _, ending, update_path, query_path in LAYOUTS:
                if path.endswith(ending):
                    root = to[: to.index(path) + len(path) - len(ending)]
                    update = update or root + update_path
                    query = query or root + query_path
                    break
            else:
                known = ", ".join(f"{ending} ({store})" for store, ending, _, _ in LAYOUTS)
                raise ConfigError(
                    f"cannot tell the update and query endpoints from {to}: give --update "
                    f"and --query (they are found only for Graph Store paths ending {known})"
                )
        return cls(to, update, query)


class StoreClient:
    """Requests to one store, with the account and time limit of the settings."""

    def __init__(self, endpoints: Endpoints, settings: Settings) -> None:
        self.endpoints = endpoints
        self.timeout = settings.publish_timeout
        handlers: list[urllib.request.BaseHandler] = []
        if settings.publish_user:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in {endpoints.graph_store, endpoints.update, endpoints.query}:
                passwords.add_password(None, url, settings.publish_user, settings.publish_password)
            handlers += [
                urllib.request.HTTPBasicAuthHandler(passwords),
                urllib.request.HTTPDigestAuthHandler(passwords),
            ]
        self.opener = urllib.request.build_opener(*handlers)
        self.user_agent = f"negotiations-kg/{__version__} (kg publish)"
        self.server = ""  # the Server header of the last answer

    def put_graph(self, name: str, ntriples: bytes) -> None:
        """Replace the graph ``name`` with ``ntriples`` (Graph Store Protocol 5.3)."""
        url = _with_param(self.endpoints.graph_store, "graph", name)
        self._send(
            urllib.request.Request(
                url,
                data=ntriples,
                method="PUT",
                headers={"Content-Type": "application/n-triples"},
            ),
            f"storing graph <{name}>",
        )

    def update(self, text: str) -> None:
        """Run one SPARQL Update request (Protocol 2.2.2, ``application/sparql-update``)."""
        request = urllib.request.Request(
            self.endpoints.update,
            data=text.encode("utf-8"),
            method="POST",
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
        )
        self._send(request, "updating")

    def select(self, text: str) -> list[dict[str, str]]:
        """The solutions of a SELECT query (Protocol 2.1.2, by POST form), each as
        variable -> lexical value."""
        request = urllib.request.Request(
            self.endpoints.query,
            data=urllib.parse.urlencode({"query": text}).encode("ascii"),
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": RESULTS_JSON,
            },
        )
        body = self._send(request, "querying")
        try:
            bindings = json.loads(body)["results"]["bindings"]
            return [{k: str(v["value"]) for k, v in row.items()} for row in bindings]
        except (ValueError, KeyError, TypeError) as exc:
            raise PublishError(
                f"querying {self.endpoints.query}: the answer is not SPARQL results in JSON "
                f"({_one_line(body.decode('utf-8', 'replace'))}) — is this the query endpoint?"
            ) from exc

    def _send(self, request: urllib.request.Request, doing: str) -> bytes:
        request.add_header("User-Agent", self.user_agent)
        url = request.full_url
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                self.server = response.headers.get("Server", "")
                body: bytes = response.read()
                return body
        except urllib.error.HTTPError as error:
            raise PublishError(f"{doing}: {_refusal(error)}") from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise PublishError(_timed_out(doing, url, self.timeout)) from None
            raise PublishError(
                f"{doing}: cannot reach {url} ({_reason(error.reason)}) — is the store "
                "running, and is the URL right?"
            ) from None
        except TimeoutError:
            raise PublishError(_timed_out(doing, url, self.timeout)) from None
        except OSError as error:  # the connection broke while the answer was read
            raise PublishError(f"{doing}: {url} broke off ({_reason(error)})") from None


def _with_param(url: str, name: str, value: str) -> str:
    separator = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{separator}{urllib.parse.urlencode({name: value})}"


def _refusal(error: urllib.error.HTTPError) -> str:
    """One line: who refused, with what status and message, and what to do."""
    try:
        detail = _one_line(error.read().decode("utf-8", "replace"))
    except OSError:
        detail = ""
    said = f"{error.url} answered {error.code} {error.reason}" + (f": {detail}" if detail else "")
    headers: Message = error.headers
    if error.code == 401:
        asks = headers.get("WWW-Authenticate", "an account").split(" ")[0]
        return (
            f"{said} — the store asks for {asks} authentication: set KG_PUBLISH_USER and "
            "KG_PUBLISH_PASSWORD to an account that may write"
        )
    if error.code == 403:
        return f"{said} — the account may not do this: give it the right to update graphs"
    if error.code in (404, 405):
        return f"{said} — is this URL the endpoint it should be (--to, --update, --query)?"
    return said


def _one_line(text: str, limit: int = 240) -> str:
    if re.match(r"\s*<(!doctype|html)", text, re.IGNORECASE):
        text = re.sub(r"<[^>]+>", " ", text)  # an HTML error page: its words only
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _reason(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__


def _timed_out(doing: str, url: str, timeout: float) -> str:
    return (
        f"{doing}: {url} did not answer within {timeout:g} s — raise KG_PUBLISH_TIMEOUT for "
        "a large release or a slow store"
    )
