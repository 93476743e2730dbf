"""Settings: declared once, with help text, read once from ``KG_*`` environment
variables (or CLI flags), then passed down explicitly."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, TypeVar

from kg.errors import ConfigError
from kg.namespaces import DEFAULT_BASE_IRI, Namespaces

T = TypeVar("T")


def setting(default: T, help: str) -> T:
    """A settings field: its default and the help text the README and ``--help`` show."""
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Every setting; the environment variable of ``name`` is ``KG_NAME``."""

    base_iri: str = setting(
        DEFAULT_BASE_IRI, "Base IRI of every minted IRI; ends with '/'; never a localhost address"
    )
    seeds_dir: Path = setting(Path("seeds"), "Folder with documents, annotations, registry")
    ontology_dir: Path = setting(Path("ontology"), "Folder with the ontology and concept schemes")
    shapes_dir: Path = setting(Path("shapes"), "Folder with the SHACL shapes")
    queries_dir: Path = setting(Path("queries"), "Folder with the competency queries (.rq)")
    data_dir: Path = setting(Path("var"), "Where releases go; 'current' points to the live one")
    keep_releases: int = setting(
        3, "Releases kept on disk, the current one included; each answers at /releases/{id}/"
    )
    validation_batch_triples: int = setting(
        200_000, "Triples per SHACL engine call; larger batches use more memory, fewer calls"
    )
    shacl_engine: str = setting(
        "turbo", "SHACL processor: turbo (pyshacl-turbo, Rust) or pyshacl (pure Python)"
    )
    build_workers: int = setting(
        0, "Worker processes `kg build` reads, compiles and validates in; 0: one per CPU"
    )
    host: str = setting("127.0.0.1", "Address `kg serve` listens on")
    port: int = setting(8000, "Port `kg serve` listens on")
    workers: int = setting(0, "HTTP worker processes of `kg serve`; 0: one per CPU")
    trusted_proxies: str = setting(
        "127.0.0.1",
        "Comma-separated proxy addresses whose X-Forwarded-For/-Proto are believed; * for any",
    )
    access_log: bool = setting(
        False, "Log every request of `kg serve` (true/false); costs up to 40% of throughput"
    )
    header_timeout: float = setting(
        10.0, "Seconds a client has to send a request's headers before the connection is closed"
    )
    body_timeout: float = setting(
        30.0, "Seconds a client has to send a request's body (408 after that)"
    )
    query_timeout: float = setting(10.0, "Seconds a SPARQL query may run before it is stopped")
    query_workers: int = setting(
        0, "Query worker processes per server process (killed at the time limit); 0: one per CPU"
    )
    max_query_bytes: int = setting(100_000, "Largest accepted SPARQL query text, in bytes")
    max_result_rows: int = setting(100_000, "Rows (or triples) after which a result is cut")
    max_result_bytes: int = setting(50_000_000, "Bytes after which a result is cut")
    cache_bytes: int = setting(64_000_000, "Size of the query result cache; 0 turns it off")
    wikidata_api: str = setting(
        "https://www.wikidata.org/w/api.php", "Wikidata's MediaWiki API, used by `kg link`"
    )
    wikidata_contact: str = setting(
        "https://w3id.org/negotiations-kg/",
        "Contact (URL or e-mail) sent in the User-Agent, as Wikimedia's policy asks",
    )
    http_timeout: float = setting(20.0, "Seconds `kg link` waits for one Wikidata response")
    llm_url: str = setting(
        "", "OpenAI-compatible endpoint of `kg draft --extractor model` (ends in /v1)"
    )
    llm_model: str = setting("", "Model name `kg draft --extractor model` asks for")
    llm_api_key: str = setting("", "API key sent as a Bearer token to KG_LLM_URL; empty: none")
    llm_timeout: float = setting(300.0, "Seconds `kg draft` waits for the model's answer")
    llm_window_chars: int = setting(
        12_000,
        "Characters of article text sent to the model in one request; a longer article "
        "goes in overlapping windows of whole sentences",
    )
    service_allowlist: str = setting(
        "", "Space-separated SPARQL endpoints a SERVICE clause may call; empty: none"
    )
    publisher: str = setting(
        "negotiations-kg", "Who publishes the dataset: the VoID's dcterms:publisher"
    )
    contact: str = setting(
        "https://w3id.org/negotiations-kg/",
        "How to reach the publisher (URL or e-mail): the VoID's dcat:contactPoint",
    )
    publish_user: str = setting(
        "", "Account `kg publish --to` gives a store that asks for one (HTTP Basic or Digest)"
    )
    publish_password: str = setting("", "Password of KG_PUBLISH_USER")
    publish_timeout: float = setting(
        3600.0, "Seconds `kg publish --to` waits for one answer of the store (a MOVE copies)"
    )

    def __post_init__(self) -> None:
        try:
            Namespaces(self.base_iri)
        except ValueError as exc:
            raise ConfigError(f"KG_BASE_IRI: {exc}") from exc
        if "://localhost" in self.base_iri or "://127." in self.base_iri:
            raise ConfigError("KG_BASE_IRI must be a public, permanent IRI, not a local address")
        for name in (
            "keep_releases",
            "port",
            "validation_batch_triples",
            "max_query_bytes",
            "max_result_rows",
            "max_result_bytes",
            "llm_window_chars",
        ):
            if getattr(self, name) < 1:
                raise ConfigError(f"KG_{name.upper()} must be at least 1")
        if min(self.workers, self.query_workers, self.build_workers) < 0:
            raise ConfigError(
                "KG_WORKERS, KG_QUERY_WORKERS and KG_BUILD_WORKERS must be 0 (one per CPU) or more"
            )
        for name in (
            "query_timeout",
            "http_timeout",
            "llm_timeout",
            "header_timeout",
            "body_timeout",
            "publish_timeout",
        ):
            if getattr(self, name) <= 0:
                raise ConfigError(f"KG_{name.upper()} must be a positive number of seconds")
        if self.port > 65535:
            raise ConfigError(f"KG_PORT must be a TCP port, 1 to 65535; got {self.port}")
        for name in ("wikidata_api", "llm_url"):
            value = getattr(self, name)
            if value and not value.startswith(("http://", "https://")):
                raise ConfigError(f"KG_{name.upper()} must be an http(s):// URL, not {value!r}")

    @property
    def ns(self) -> Namespaces:
        return Namespaces(self.base_iri)

    @property
    def releases_dir(self) -> Path:
        return self.data_dir / "releases"

    @property
    def current_link(self) -> Path:
        return self.data_dir / "current"

    @property
    def allowed_services(self) -> frozenset[str]:
        return frozenset(self.service_allowlist.split())

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read ``KG_*`` variables; explicit ``overrides`` (CLI flags) win over them."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, (var, default, _) in settings_table().items():
            raw = environ.get(var)
            if raw is not None:
                values[name] = _parse(var, raw, type(default))
        values |= {k: v for k, v in overrides.items() if v is not None}
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """These settings as ``KG_*`` variables, for worker processes."""
        return {var: str(getattr(self, name)) for name, (var, _, _) in settings_table().items()}

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def settings_table() -> dict[str, tuple[str, object, str]]:
    """Each setting's environment variable, default and help text."""
    return {
        f.name: ("KG_" + f.name.upper(), f.default, str(f.metadata["help"]))
        for f in fields(Settings)
    }


_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True}
_BOOLEANS |= {"0": False, "false": False, "no": False, "off": False}


def _boolean(raw: str) -> bool:
    try:
        return _BOOLEANS[raw.lower()]
    except KeyError:
        raise ValueError(raw) from None


def _parse(var: str, raw: str, kind: type) -> object:
    parse: Callable[[str], object] = (
        Path if issubclass(kind, Path) else _boolean if kind is bool else kind
    )
    try:
        return parse(raw.strip())
    except ValueError as exc:
        expected = "true or false" if kind is bool else f"a valid {kind.__name__}"
        raise ConfigError(f"{var}={raw!r} is not {expected}") from exc
